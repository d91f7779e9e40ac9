# SPDX-License-Identifier: GPL-2.0
#
# Installing shmregion like any other driver (docs/install.md).
#
#   make install        module for KDIR's kernel (+ depmod), uapi header,
#                       udev rule, modules-load.d snippet, and the
#                       userspace (library, header, .pc, CLI, man pages)
#   make uninstall      removes what `make install` put there
#   make dkms-src       the DKMS source tree in $(DESTDIR)/usr/src/shmregion-<version>
#   make dkms-install   source to /usr/src/shmregion-<version>, then
#                       dkms add + install (DKMS_KREL=<release>, default:
#                       the running kernel); AUTOINSTALL covers new kernels
#   make dkms-uninstall dkms remove --all, source removed
#   make check-install  `make install DESTDIR=...` checked on the host,
#                       then modprobe from that tree in the VM
#                       (scripts/check-install.sh)
#   make check-dkms     dkms add/build/install for KDIR's kernel, the
#                       selftests in the VM on the DKMS-built module, then
#                       dkms remove (needs root; scripts/check-dkms.sh)
#
# DESTDIR and PREFIX (default /usr/local) work as usual; the module goes
# to $(DESTDIR)/lib/modules/<release>/$(INSTALL_MOD_DIR)/module/, whatever
# PREFIX (Kbuild keeps the module's folder in the path).

PREFIX ?= /usr/local
INSTALL_MOD_DIR ?= extra
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
MODULESLOADDIR ?= $(PREFIX)/lib/modules-load.d
DEPMOD ?= /sbin/depmod
DKMS_KREL ?=

# The release of the kernel in KDIR (KREL only knows /lib/modules/*/build;
# Debian's include/config/kernel.release says "6.1.192").
INST_KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h)
# Debian's headers carry no signing key: do not try to sign with one.
INST_NOSIGN = $(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=)
INST_KO_DIR = $(DESTDIR)/lib/modules/$(INST_KREL)/$(INSTALL_MOD_DIR)/module
DKMS_SRC = $(DESTDIR)/usr/src/shmregion-$(VERSION)
HAVE_USERSPACE = $(wildcard $(CURDIR)/userspace/Makefile)
USERSPACE_INSTALL = $(MAKE) -C $(CURDIR)/userspace BUILD=$(BUILD)/userspace \
	DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

.PHONY: install uninstall install-module install-uapi install-udev \
	install-modules-load install-userspace dkms-src dkms-install \
	dkms-uninstall check-install check-dkms

install: install-module install-uapi install-udev install-modules-load \
	install-userspace

install-module: module
	$(MAKE) -C $(KDIR) M=$(KMOD) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(INST_NOSIGN) modules_install
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $(INST_KREL)

install-uapi:
	install -D -m 0644 $(CURDIR)/include/uapi/linux/shmregion.h \
		$(DESTDIR)$(PREFIX)/include/linux/shmregion.h

install-udev:
	install -D -m 0644 $(CURDIR)/packaging/udev/70-shmregion.rules \
		$(DESTDIR)$(UDEVRULESDIR)/70-shmregion.rules

install-modules-load:
	install -D -m 0644 $(CURDIR)/packaging/modules-load.d/shmregion.conf \
		$(DESTDIR)$(MODULESLOADDIR)/shmregion.conf

install-userspace:
	$(if $(HAVE_USERSPACE),$(USERSPACE_INSTALL) install,@:)

uninstall:
	rm -f $(foreach s,ko ko.xz ko.zst ko.gz,$(INST_KO_DIR)/shmregion.$(s))
	rmdir -p --ignore-fail-on-non-empty $(INST_KO_DIR) 2>/dev/null || :
	[ ! -d $(DESTDIR)/lib/modules/$(INST_KREL) ] || \
		$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $(INST_KREL)
	rm -f $(DESTDIR)$(PREFIX)/include/linux/shmregion.h \
		$(DESTDIR)$(UDEVRULESDIR)/70-shmregion.rules \
		$(DESTDIR)$(MODULESLOADDIR)/shmregion.conf
	$(if $(HAVE_USERSPACE),$(USERSPACE_INSTALL) uninstall,@:)

# --- DKMS -------------------------------------------------------------------
# The DKMS source tree: Kbuild, VERSION (module/Kbuild reads it),
# module/ and include/, without build products, and dkms.conf with the
# version filled in (#MODULE_VERSION#, as dh_dkms fills it in).
dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	tar -C $(CURDIR) -cf - --exclude-vcs --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude='*.order' --exclude='*.symvers' --exclude='.tmp*' \
		Kbuild VERSION module include | tar -C $(DKMS_SRC) -xf -
	sed 's/#MODULE_VERSION#/$(VERSION)/' $(CURDIR)/dkms.conf > $(DKMS_SRC)/dkms.conf

# Reinstalling the same version replaces it (dkms add refuses twice).
dkms-install:
	$(CURDIR)/scripts/deps.sh dkms
	$(MAKE) dkms-uninstall
	$(MAKE) dkms-src DESTDIR=
	dkms add shmregion/$(VERSION)
	dkms install shmregion/$(VERSION) $(if $(DKMS_KREL),-k $(DKMS_KREL))

dkms-uninstall:
	! dkms status shmregion/$(VERSION) | grep -q . || \
		dkms remove shmregion/$(VERSION) --all
	rm -rf /usr/src/shmregion-$(VERSION)

# --- checks -----------------------------------------------------------------
CHECK_ENV = KDIR=$(KDIR) KERNEL=$(KERNEL) BUILD=$(BUILD) PAYLOAD=$(PAYLOAD) \
	SHMR_MAKE="$(MAKE) -C $(CURDIR) KDIR=$(KDIR) BUILD=$(BUILD)"

check-install: module | deps
	@$(CURDIR)/scripts/deps.sh install
	+@$(CHECK_ENV) $(CURDIR)/scripts/check-install.sh

check-dkms: payload | deps
	@$(CURDIR)/scripts/deps.sh dkms
	+@$(CHECK_ENV) $(CURDIR)/scripts/check-dkms.sh
