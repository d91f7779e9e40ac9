# SPDX-License-Identifier: GPL-2.0
#
# shmregion: build the module, the userspace and the selftests, and run
# them in a QEMU virtual machine.
#
#   make            module (module/shmregion.ko), userspace, selftests
#   make check      build everything, run the selftests in the VM
#   make check-compat  the selftests built with -m32, in the VM
#   make demo       two processes sharing a region, in the VM
#   make shell      an interactive shell in the VM, module loaded
#   make bench      the benchmark tables (ratios to futex, memfd), in the VM
#
# Variables: KVER=6.1|6.12|7.2|7.3 picks a kernel series (default: the
# distribution's, 6.1 on Debian 12, 6.12 on Debian 13), FLAVOUR=cloud|rt|
# debug its flavour (scripts/kernel.sh: Debian's images are unpacked, 7.x
# and debug kernels built, all into ~/.cache/shmregion, never installed);
# KDIR= and KERNEL= name a build tree and an image by hand; ACCEL=kvm.

FLAVOUR ?=
KVER ?=
# Fetched or built on first use, once per make run.
SHMR_KERNEL ?= $(eval SHMR_KERNEL := $$(shell $(CURDIR)/scripts/kernel.sh paths \
	'$(KVER)' '$(FLAVOUR)'))$(or $(SHMR_KERNEL),$(error no kernel for KVER=$(KVER) FLAVOUR=$(FLAVOUR)))
KDIR ?= $(word 1,$(SHMR_KERNEL))
KERNEL ?= $(word 2,$(SHMR_KERNEL))
KMODDIR ?= $(dir $(KDIR))
BUILD ?= $(CURDIR)/build
# The kernel source the kselftest harness (and checkpatch) come from: the
# newest linux-source-* installed, else the newest the apt sources offer.
KSRC_TAR ?= $(eval KSRC_TAR := $$(shell $(CURDIR)/scripts/fetch-kernel.sh source))$(KSRC_TAR)

# The VM's copy of the module, built apart from the in-tree one so that
# kernels (FLAVOUR=...) and concurrent runs do not clobber each other.
KREL = $(notdir $(patsubst %/,%,$(dir $(KDIR))))
VMKMOD = $(BUILD)/kmod/$(subst /,_,$(KDIR))
KSFT = $(BUILD)/kselftest
PAYLOAD = $(BUILD)/payload
# Which test programs the guest runs: tests (64-bit selftests and the
# userspace tests), tests32 (the selftests built with -m32: compat ioctl).
SUITES ?= tests

VM = KERNEL=$(KERNEL) MODULE=$(VMKMOD)/module/shmregion.ko KMODDIR=$(dir $(KDIR)) \
     PAYLOAD=$(PAYLOAD) WORK=$(BUILD)/vm $(CURDIR)/scripts/vm.sh

.PHONY: all module userspace selftests deps check check-compat shell demo bench clean \
	vm-module payload

all: module userspace selftests

deps:
	@$(CURDIR)/scripts/deps.sh $(filter rt debug,$(FLAVOUR))

module: | deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# --- userspace --------------------------------------------------------
userspace: $(KSFT)/lib.mk | deps
	@[ ! -f userspace/Makefile ] || $(MAKE) -C userspace BUILD=$(BUILD)/userspace KSFT_DIR=$(KSFT)

# --- selftests ----------------------------------------------------------
# kselftest's harness and lib.mk come from Debian's linux-source-* at
# build time (KSRC_TAR, whichever version); they are never committed.
$(KSFT)/lib.mk: | deps
	mkdir -p $(KSFT)
	tar -xf $(KSRC_TAR) -C $(KSFT) --strip-components=4 --wildcards \
		'*/tools/testing/selftests/lib.mk' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	echo $(KSRC_TAR) > $(KSFT)/source

SELFTEST_MAKE = $(MAKE) -C selftests KSFT_DIR=$(KSFT) \
	SHMR_UAPI=$(CURDIR)/include/uapi USERLDFLAGS=-static

selftests: $(KSFT)/lib.mk
	mkdir -p $(BUILD)/selftests $(BUILD)/selftests32
	+$(SELFTEST_MAKE) OUTPUT=$(BUILD)/selftests
	+$(SELFTEST_MAKE) OUTPUT=$(BUILD)/selftests32 USERCFLAGS=-m32

# --- the VM ---------------------------------------------------------------
vm-module: | deps
	mkdir -p $(VMKMOD)
	cp -a Kbuild module include $(VMKMOD)/
	$(MAKE) -C $(KDIR) M=$(VMKMOD) modules

# The guest's /shmr: test programs (64- and 32-bit), tools, scripts.
payload: selftests userspace
	rm -rf $(PAYLOAD)
	mkdir -p $(PAYLOAD)/tests $(PAYLOAD)/tests32 $(PAYLOAD)/bin $(PAYLOAD)/lib
	cp $(BUILD)/selftests/* $(PAYLOAD)/tests/
	for t in $(BUILD)/selftests32/*; do cp $$t $(PAYLOAD)/tests32/$$(basename $$t)_32; done
	[ ! -d $(BUILD)/userspace/payload ] || cp -a $(BUILD)/userspace/payload/. $(PAYLOAD)/
	cd $(PAYLOAD) && find $(SUITES) -type f -name '*_test*' | sort > tests.list

check: vm-module payload
	$(VM) check

# The same selftests as 32-bit programs on the 64-bit kernel.
check-compat:
	+$(MAKE) check SUITES=tests32

shell: vm-module payload
	$(VM) shell

demo: vm-module payload
	$(VM) demo

# The benchmark: static, with the uapi header only.
$(BUILD)/bench/shmr_bench: bench/shmr_bench.c include/uapi/linux/shmregion.h | deps
	mkdir -p $(dir $@)
	$(CC) -Wall -Wextra -Wno-unused-parameter -O2 -static -Iinclude/uapi -o $@ $<

bench: vm-module payload $(BUILD)/bench/shmr_bench
	cp $(BUILD)/bench/shmr_bench $(PAYLOAD)/bin/
	cp bench/bench.sh $(PAYLOAD)/bench.sh
	$(VM) bench

# Further targets, one fragment per concern (debug kernel, install, lint).
-include $(sort $(wildcard $(CURDIR)/scripts/*.mk))

clean:
	[ ! -d $(KDIR) ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
