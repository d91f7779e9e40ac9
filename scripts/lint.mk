# SPDX-License-Identifier: GPL-2.0
#
# make lint: W=1, sparse (C=2), checkpatch.pl --strict (from Debian's
# linux-source-6.1, extracted into $(BUILD)/lint, never committed) and a
# modinfo audit, on module/ and include/, and `make help` listing every
# target; fails on any finding. Lints the module as built for KDIR
# (FLAVOUR= picks another kernel).

.PHONY: lint

lint: | deps
	@$(CURDIR)/scripts/deps.sh lint
	@KDIR=$(KDIR) BUILD=$(BUILD) KSRC_TAR=$(KSRC_TAR) \
		SHMR_MAKE="$(MAKE) -C $(CURDIR) KDIR=$(KDIR) KERNEL=$(KERNEL) BUILD=$(BUILD)" \
		$(CURDIR)/scripts/lint.sh
