# SPDX-License-Identifier: GPL-2.0
#
# shmregion: build the module, the userspace and the selftests, and run
# them in a QEMU virtual machine. `make help` lists every target.
#
# A plain `make` builds and never installs: a missing tool stops it with
# a message naming `make deps`. `make deps` and the test targets (check*,
# lint, demo, bench, shell) install what is missing (scripts/deps.sh).
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

# The one version of everything (module, DKMS, library, packages).
VERSION := $(shell cat $(CURDIR)/VERSION)

# The module is built once per kernel, out of the tree, in a mirror of
# the sources (symlinks): kernels (FLAVOUR=...) and concurrent runs do
# not clobber each other. `make module` copies it to module/shmregion.ko.
KMOD = $(BUILD)/kmod/$(subst /,_,$(KDIR))
KMOD_SRCS = Kbuild VERSION $(wildcard module/Kbuild module/*.[ch] include/uapi/linux/*.h)
KSFT = $(BUILD)/kselftest
PAYLOAD = $(BUILD)/payload
# Which test programs the guest runs: tests (64-bit selftests and the
# userspace tests), tests32 (the selftests built with -m32: compat ioctl).
# ONLY= an extended regex to run only the programs it matches
# (`make check ONLY=mapping_test`).
SUITES ?= tests
ONLY ?=

# The Python binding and the host's python3, gdb and strace in the guest
# (a cached squashfs /usr, scripts/guest-image.sh): for the goals that
# use them, or WITH_PYTHON=1.
PYTHON_GOALS = check-python demo-workers shell
WITH_PYTHON ?= $(if $(filter $(PYTHON_GOALS),$(MAKECMDGOALS)),1)
PYTHON ?= /usr/bin/python3
GUEST_IMAGE ?= $(eval GUEST_IMAGE := $$(shell $(CURDIR)/scripts/guest-image.sh))$(or \
	$(GUEST_IMAGE),$(error no guest image (scripts/guest-image.sh)))

VM = KERNEL=$(KERNEL) MODULE=$(KMOD)/module/shmregion.ko KMODDIR=$(dir $(KDIR)) \
     PAYLOAD=$(PAYLOAD) WORK=$(BUILD)/vm $(if $(WITH_PYTHON),GUEST_IMAGE=$(GUEST_IMAGE)) \
     $(CURDIR)/scripts/vm.sh

# Goals that install what they need first; any other goal only checks
# that the tools are there (the module alone needs a compiler and KDIR).
DEPS_GOALS = deps check check-compat demo shell bench lint check-install \
	check-dkms check-debug check-debug-vm debug-kernel deb check-deb \
	check-python demo-workers lab-check lab-solution-check \
	check-faults check-faults-vm
DEPS_INSTALL = $(filter $(DEPS_GOALS),$(MAKECMDGOALS))
MODULE_GOALS = module vm-module install-module
HAVE_TOOLS = $(CURDIR)/scripts/have-tools.sh --kdir "$(KDIR)" \
	$(if $(filter-out $(MODULE_GOALS),$(or $(MAKECMDGOALS),all)),--m32 $(CC) \
		$(if $(KSRC_TAR),--file $(KSRC_TAR)) tar xz ar pkg-config) \
	$(CC) make

.PHONY: all help deps module vm-module userspace python selftests payload check \
	check-compat check-python shell demo demo-workers bench clean

all: module userspace selftests

deps:
ifneq ($(DEPS_INSTALL),)
	@$(CURDIR)/scripts/deps.sh $(filter rt debug,$(FLAVOUR)) $(if $(WITH_PYTHON),python)
else
	@$(HAVE_TOOLS)
endif

# --- the module -----------------------------------------------------------
$(KMOD)/%: $(CURDIR)/% | deps
	@mkdir -p $(@D)
	ln -sf $< $@

module: $(addprefix $(KMOD)/,$(KMOD_SRCS)) | deps
	@find $(KMOD) -xtype l -delete
	$(MAKE) -C $(KDIR) M=$(KMOD) modules
	cp $(KMOD)/module/shmregion.ko module/.shmregion.ko.tmp
	mv module/.shmregion.ko.tmp module/shmregion.ko

# scripts/debug.mk's name for `module`.
vm-module: module

# --- userspace --------------------------------------------------------
userspace: $(KSFT)/lib.mk | deps
	@[ ! -f userspace/Makefile ] || $(MAKE) -C userspace BUILD=$(BUILD)/userspace KSFT_DIR=$(KSFT)

# The Python binding against the library just built, its tests, workers.py.
python: userspace
	$(MAKE) -C userspace python BUILD=$(BUILD)/userspace PYTHON=$(PYTHON)

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
# The guest's /shmr: test programs (64- and 32-bit), tools, scripts.
payload: selftests userspace $(if $(WITH_PYTHON),python)
	rm -rf $(PAYLOAD)
	mkdir -p $(PAYLOAD)/tests $(PAYLOAD)/tests32 $(PAYLOAD)/bin $(PAYLOAD)/lib
	cp $(BUILD)/selftests/* $(PAYLOAD)/tests/
	for t in $(BUILD)/selftests32/*; do cp $$t $(PAYLOAD)/tests32/$$(basename $$t)_32; done
	[ ! -d $(BUILD)/userspace/payload ] || cp -a $(BUILD)/userspace/payload/. $(PAYLOAD)/
	[ -z "$(WITH_PYTHON)" ] || cp -a $(BUILD)/userspace/python/payload/. $(PAYLOAD)/
	cd $(PAYLOAD) && find $(SUITES) -type f -name '*_test*' | sort | \
		grep -E '$(or $(ONLY),.)' > tests.list

check: module payload
	$(VM) check

# The Python binding's pytest suite, with the host's python3 in the guest.
check-python:
	+$(MAKE) check SUITES=pytests WITH_PYTHON=1

# The same selftests as 32-bit programs on the 64-bit kernel.
check-compat:
	+$(MAKE) check SUITES=tests32

shell: module payload
	$(VM) shell

demo: module payload
	$(VM) demo

# workers.c and workers.py split a picture across 1..N processes; the
# picture comes back as build/workers.pgm (and .png with netpbm).
demo-workers: module payload
	$(VM) workers
	cp $(BUILD)/vm/files/mandelbrot.pgm $(BUILD)/workers.pgm
	pnmtopng $(BUILD)/workers.pgm > $(BUILD)/workers.png
	@echo "the picture: $(BUILD)/workers.png"

# The benchmark: static, with the uapi header and libshmregion.a. It runs
# in the VM and sends its files back on the results console; bench/plot.sh
# unpacks them into build/bench/ and draws the latency CDFs with gnuplot.
# BENCH_QUICK=1: every case with small counts; BENCH_ARGS: shmr_bench's
# own options (bench/shmr_bench.c).
BENCH_SRCS = $(wildcard bench/*.c)
BENCH_LIB = $(BUILD)/userspace/lib/libshmregion.a
BENCH_ARGS ?= $(if $(BENCH_QUICK),-q)
BENCH_TIMEOUT ?= $(if $(BENCH_QUICK),900,7200)

$(BUILD)/bench/shmr_bench: $(BENCH_SRCS) $(wildcard bench/*.h) \
		include/uapi/linux/shmregion.h $(wildcard userspace/lib/libshmregion.[ch]) | payload
	mkdir -p $(dir $@)
	$(CC) -Wall -Wextra -Wno-unused-parameter -O2 -std=gnu11 -static \
		-Iinclude/uapi -Iuserspace/lib -o $@ $(BENCH_SRCS) $(BENCH_LIB)

bench: module payload $(BUILD)/bench/shmr_bench
	@$(CURDIR)/scripts/deps.sh bench
	cp $(BUILD)/bench/shmr_bench $(PAYLOAD)/bin/
	cp bench/bench.sh $(PAYLOAD)/bench.sh
	echo '$(BENCH_ARGS)' > $(PAYLOAD)/bench.args
	TIMEOUT=$(BENCH_TIMEOUT) $(VM) bench
	$(CURDIR)/bench/plot.sh $(BUILD)/vm/results.log.txt $(BUILD)/bench

clean:
	[ ! -f $(KDIR)/Makefile ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD) module/shmregion.ko

# --- further targets, one fragment per concern -------------------------------
include $(CURDIR)/scripts/lint.mk
include $(CURDIR)/scripts/install.mk
include $(CURDIR)/scripts/debug.mk
include $(CURDIR)/scripts/lab.mk
# Debian packages (written apart; absent from trees without packaging).
-include $(CURDIR)/packaging/deb.mk

# --- help -----------------------------------------------------------------
# One line per target; `make lint` checks that none is missing.
help:
	@echo 'Build (never installs anything):'
	@echo '  all (default)    module, userspace and selftests'
	@echo '  module           the module for KDIR, in build/kmod/, copied to module/shmregion.ko'
	@echo '  vm-module        the same as module (the name scripts/debug.mk uses)'
	@echo '  userspace        libshmregion, the shmregion CLI, examples, their tests'
	@echo '  python           the Python binding (a C extension over libshmregion), its tests'
	@echo '  selftests        the kselftest programs, 64-bit and -m32'
	@echo "  payload          the test VM's /shmr: test programs, tools, scripts"
	@echo '  deps             install the Debian packages building and testing need'
	@echo '  help             this list'
	@echo "  clean            remove build/ and the module's build products"
	@echo 'Run in the VM (QEMU; deps installed first):'
	@echo '  check            the selftests and the userspace tests: TAP, then "N passed, N failed"'
	@echo '  check-compat     the selftests built with -m32, on the 64-bit kernel'
	@echo "  check-python     the Python binding's pytest suite, the host's python3 in the guest"
	@echo '  demo             a producer and a consumer sharing a region'
	@echo '  demo-workers     a picture split across 1..N worker processes (C, Python): the table'
	@echo '  bench            the benchmark in the VM: tables, build/bench/results.json, latency.png (BENCH_QUICK=1: small counts)'
	@echo '  shell            an interactive shell, module loaded, tools, python3, gdb, strace'
	@echo 'Lint (scripts/lint.mk):'
	@echo '  lint             W=1, sparse, checkpatch --strict, modinfo, make help: 0 findings'
	@echo 'Install (scripts/install.mk; docs/install.md):'
	@echo '  install          module (+ depmod), uapi header, udev rule, modules-load.d, userspace'
	@echo '  uninstall        remove what install put there'
	@echo "  install-module   the module for KDIR's kernel, then depmod"
	@echo '  install-uapi     include/linux/shmregion.h'
	@echo '  install-udev     the udev rule (who may open /dev/shmregion)'
	@echo '  install-modules-load  the modules-load.d snippet (load at boot)'
	@echo '  install-userspace     library, header, .pc, CLI, man pages'
	@echo '  dkms-src         the DKMS source tree in $$DESTDIR/usr/src/shmregion-$(VERSION)'
	@echo '  dkms-install     dkms add + install (DKMS_KREL=<release>, default: running kernel)'
	@echo '  dkms-uninstall   dkms remove --all, source removed'
	@echo '  check-install    make install DESTDIR=... checked, then modprobe from it in the VM'
	@echo '  check-dkms       dkms add/build/install, the tests in the VM on that module (root)'
	@echo 'Debug kernel (scripts/debug.mk):'
	@echo '  check-debug      tests, fuzzer, race stress, stress-ng on a KASAN/lockdep/kmemleak kernel'
	@echo '  debug-kernel     build (or find in the cache) the debug kernel'
	@echo '  debug-tests      build the fuzzer and the stress program'
	@echo '  debug-payload    the payload plus the debug programs'
	@echo '  check-debug-vm   the VM run of check-debug, on the debug kernel already built'
	@echo '  check-faults     every failure path: each ABI call failed at each allocation and user copy, a fuzz under failslab'
	@echo '  faults-payload   the payload for check-faults (shmr_faults, shmr_fuzz)'
	@echo '  check-faults-vm  the VM run of check-faults, on the debug kernel already built'
	@echo 'Kernel course lab (scripts/lab.mk; docs/lab/README.md):'
	@echo '  lab-prepare      a student tree for one exercise: make lab-prepare EX=n DIR=path'
	@echo '  lab-check        grade the tree in the VM: per-test results, a score (EX=n|all)'
	@echo '  lab-solution-check  complete tree passes every exercise; each prepared tree fails its own'
ifneq ($(wildcard $(CURDIR)/packaging/deb.mk),)
	@echo 'Debian packages (packaging/deb.mk):'
	@echo '  deb              build the Debian packages'
	@echo '  check-deb        build, lint and install-test the Debian packages'
endif
	@echo 'Variables: KVER=6.1|6.12|7.2|7.3, FLAVOUR=cloud|rt|debug, ONLY=<regex> (check: only those programs),'
	@echo '  KDIR=, KERNEL=, ACCEL=kvm, BUILD=, DESTDIR=, PREFIX=, EX=, DIR= (the lab),'
	@echo '  WITH_PYTHON=1 (the binding and the guest image for any VM target), PYTHON='
