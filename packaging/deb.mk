# SPDX-License-Identifier: GPL-2.0
#
# Debian packages, built with Debian's own tools (packaging/debian/ is the
# debian/ directory; README "Install from the .debs").
#
#   make deb         shmregion-dkms, libshmregion0, libshmregion-dev,
#                    shmregion-utils and python3-shmregion into build/deb/,
#                    then lintian
#   make check-deb   the .debs installed into a fresh chroot of the host's
#                    Debian release (12 on 12): dkms status, the selftests
#                    in the VM on the module DKMS built there, apt-get purge
#                    leaves nothing (needs root; scripts/check-deb.sh)
#
# dpkg-buildpackage wants debian/ at the top of the source tree: the tree
# is copied (the files git knows, edits included) to build/deb/src/, with
# packaging/debian/ as its debian/, so the checkout itself stays clean and
# the package builds only from what is in the repository.

DEB_OUT = $(BUILD)/deb
SHMR_DEB_VERSION = $(VERSION)
SHMR_DEB_REVISION ?= 1
DEB_TREE = $(DEB_OUT)/src/shmregion-$(SHMR_DEB_VERSION)
# The files to package: git's list when there is one, else the tree
# without build/.
DEB_FILES = $(shell cd $(CURDIR) && \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -co --exclude-standard; \
	else find . -path ./build -prune -o ! -type d -print | sed 's|^\./||'; fi)
# The changelog's date: the last commit's (reproducible), else now.
DEB_DATE = $(shell d=$$(cd $(CURDIR) && git log -1 --format=%ct 2>/dev/null); \
	date -R -u $${d:+-d @$$d})
DEB_MAINT = $(shell sed -n 's/^Maintainer: //p' $(CURDIR)/packaging/debian/control)

.PHONY: deb check-deb

## deb: build the Debian packages (dpkg-buildpackage, dh-dkms, dh-python) into build/deb/, lintian them
deb:
	@$(CURDIR)/scripts/deps.sh deb
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_TREE)
	cd $(CURDIR) && tar -cf - $(sort $(filter-out packaging/debian/%,$(wildcard $(DEB_FILES)))) | \
		tar -xf - -C $(DEB_TREE)
	cp -a $(CURDIR)/packaging/debian $(DEB_TREE)/debian
	printf '%s\n' "shmregion ($(SHMR_DEB_VERSION)-$(SHMR_DEB_REVISION)) unstable; urgency=medium" "" \
		"  * Version $(SHMR_DEB_VERSION) (the VERSION file), packaged by make deb." "" \
		" -- $(DEB_MAINT)  $(DEB_DATE)" > $(DEB_TREE)/debian/changelog
	cd $(DEB_TREE) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -b --no-sign
	mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/src/*.changes $(DEB_OUT)/src/*.buildinfo $(DEB_OUT)/
	lintian --fail-on error -I $(DEB_OUT)/*.changes | tee $(DEB_OUT)/lintian.log
	@ls -1 $(DEB_OUT)/*.deb

## check-deb: the .debs in a fresh Debian chroot, dkms status, the selftests in the VM on that module, purge (root)
check-deb: deb payload
	+@DEBS=$(DEB_OUT) BUILD=$(BUILD) PAYLOAD=$(PAYLOAD) \
		SHMR_VERSION=$(SHMR_DEB_VERSION) $(CURDIR)/scripts/check-deb.sh
