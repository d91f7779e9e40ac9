# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the selftests, a fuzzer, a race stress and stress-ng,
# in the VM, on a debug kernel (KASAN, UBSAN, lockdep, kmemleak, DEBUG_VM,
# ...; scripts/debug.config) that scripts/debug-kernel.sh builds once and
# caches outside the tree.  Any sanitizer, lockdep, kmemleak, WARNING,
# BUG or hung-task report fails the run, as do non-zero region counters
# after the tests and a failed rmmod.
#
#   make check-debug            everything (the kernel first, if not cached)
#   make debug-kernel           only build (or find) the debug kernel
#   make debug-tests            only build the fuzzer and the stress program
#   make check-faults           every failure path: fault injection (below)
#
# Knobs: FUZZ_SEED (default: random, printed), FUZZ_CALLS (1000000),
# FUZZ_PROCS (4), FUZZ32_CALLS (200000, the 32-bit run), STRESS_SECONDS
# (60), STRESS32_SECONDS (20), STRESS_PROCS (16), STRESS_NG_SECONDS (20), DEBUG_VM_MEM (2048),
# DEBUG_TIMEOUT (1800), DEBUG_SUITES (the selftests it runs: "tests
# tests32"; the fuzzer and the stress run 64- and 32-bit regardless).
# A failed fuzz run is replayed with the seed it
# printed: make check-debug FUZZ_SEED=<seed>.

DEBUG_KERNEL_SH = $(CURDIR)/scripts/debug-kernel.sh
DEBUG_OUT = $(BUILD)/debugtests
DEBUG_CFLAGS = -Wall -Wextra -O2 -g -static -D_GNU_SOURCE \
	-D_FILE_OFFSET_BITS=64 -I$(CURDIR)/include/uapi
DEBUG_PROGS = shmr_fuzz shmr_stress

FUZZ_CALLS ?= 1000000
FUZZ32_CALLS ?= 200000
FUZZ_PROCS ?= 4
STRESS_SECONDS ?= 60
STRESS_PROCS ?= 16
STRESS32_SECONDS ?= 20
STRESS_NG_SECONDS ?= 20
DEBUG_VM_MEM ?= 2048
DEBUG_TIMEOUT ?= 1800
DEBUG_SUITES ?= tests tests32

.PHONY: check-debug debug-kernel debug-tests debug-payload check-debug-vm \
	check-faults faults-payload check-faults-vm

debug-kernel:
	@$(CURDIR)/scripts/deps.sh debug stress
	$(DEBUG_KERNEL_SH) $(KVER)

# The kernel first, then everything else with FLAVOUR=debug so that KDIR
# and KERNEL name the debug kernel's tree (kernel.sh asks debug-kernel.sh).
check-debug: debug-kernel
	+@seed=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "check-debug: FUZZ_SEED=$$seed"; \
	$(MAKE) --no-print-directory FLAVOUR=debug FUZZ_SEED=$$seed \
		SUITES="$(DEBUG_SUITES)" check-debug-vm

$(DEBUG_OUT)/%: selftests/%.c include/uapi/linux/shmregion.h
	@mkdir -p $(DEBUG_OUT)
	$(CC) $(DEBUG_CFLAGS) -o $@ $< -lpthread

$(DEBUG_OUT)/%_32: selftests/%.c include/uapi/linux/shmregion.h
	@mkdir -p $(DEBUG_OUT)
	$(CC) $(DEBUG_CFLAGS) -m32 -o $@ $< -lpthread

debug-tests: $(addprefix $(DEBUG_OUT)/,$(DEBUG_PROGS) $(addsuffix _32,$(DEBUG_PROGS)))

# The ordinary payload plus the debug programs; scripts/debug-guest.sh
# runs them in the guest (one symlink per step, listed in tests.list
# after the selftests) and provides post-tests.sh (counters) and
# post-rmmod.sh (kmemleak).
debug-payload: payload debug-tests
	cp $(addprefix $(DEBUG_OUT)/,$(DEBUG_PROGS)) $(PAYLOAD)/tests/
	cp $(addprefix $(DEBUG_OUT)/,$(addsuffix _32,$(DEBUG_PROGS))) $(PAYLOAD)/tests32/
	mkdir -p $(PAYLOAD)/debug
	cp $(CURDIR)/scripts/debug-guest.sh $(PAYLOAD)/debug/debug-guest.sh
	{ echo "FUZZ_SEED=$(FUZZ_SEED)"; echo "FUZZ_CALLS=$(FUZZ_CALLS)"; \
	  echo "FUZZ32_CALLS=$(FUZZ32_CALLS)"; echo "FUZZ_PROCS=$(FUZZ_PROCS)"; \
	  echo "STRESS_SECONDS=$(STRESS_SECONDS)"; \
	  echo "STRESS_PROCS=$(STRESS_PROCS)"; \
	  echo "STRESS32_SECONDS=$(STRESS32_SECONDS)"; \
	  echo "STRESS_NG_SECONDS=$(STRESS_NG_SECONDS)"; } > $(PAYLOAD)/debug/debug.env
	for s in fuzz fuzz32 stress stress32 stress-ng; do \
		ln -sf debug-guest.sh $(PAYLOAD)/debug/$$s; \
		echo debug/$$s >> $(PAYLOAD)/tests.list; \
	done
	ln -sf debug/debug-guest.sh $(PAYLOAD)/post-tests.sh
	ln -sf debug/debug-guest.sh $(PAYLOAD)/post-rmmod.sh

check-debug-vm: vm-module debug-payload
	VM_MEM=$(DEBUG_VM_MEM) TIMEOUT=$(DEBUG_TIMEOUT) \
	HOSTBINS="$(strip $(HOSTBINS) stress-ng)" $(VM) check

# make check-faults: the same debug kernel, whose fault injection
# (scripts/debug.config) is inactive until a test arms it.
# selftests/shmr_faults.c makes every allocation and user copy inside
# each ABI operation fail once (/proc/thread-self/fail-nth), 64- and
# 32-bit; then shmr_fuzz --faults runs FAULTS_CALLS calls while failslab
# and fail_page_alloc fail FAULTS_PERCENT % of its processes' allocations
# (task-filter, make-it-fail). Then the counters must be 0, rmmod must
# succeed, kmemleak must find nothing and the kernel log must have no
# report (scripts/verdict.sh), as for check-debug.
#
# Knobs: FAULTS_CALLS (100000), FAULTS_PERCENT (3), FAULTS_WATCHDOG (600),
# FUZZ_SEED, FUZZ_PROCS.
FAULTS_CALLS ?= 100000
FAULTS_PERCENT ?= 3
# seconds before a fuzz-faults run that has not ended is taken for a hang
FAULTS_WATCHDOG ?= 600
FAULTS_PROGS = shmr_faults shmr_faults_32 shmr_fuzz
# the selftests' warnings (the harness is not -Wextra clean)
FAULTS_CFLAGS = -Wall -O2 -g -static -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	-I$(CURDIR)/include/uapi -I$(KSFT) -I$(CURDIR)/selftests
FAULTS_DEPS = selftests/shmr_faults.c selftests/common.h selftests/shmr_util.h \
	include/uapi/linux/shmregion.h $(KSFT)/lib.mk

check-faults: debug-kernel
	+@seed=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "check-faults: FUZZ_SEED=$$seed"; \
	$(MAKE) --no-print-directory FLAVOUR=debug FUZZ_SEED=$$seed \
		check-faults-vm

# the harness comes from the kernel source, as for the selftests
$(DEBUG_OUT)/shmr_faults: $(FAULTS_DEPS)
	@mkdir -p $(DEBUG_OUT)
	$(CC) $(FAULTS_CFLAGS) -o $@ $< -lpthread

$(DEBUG_OUT)/shmr_faults_32: $(FAULTS_DEPS)
	@mkdir -p $(DEBUG_OUT)
	$(CC) $(FAULTS_CFLAGS) -Wno-pointer-to-int-cast -m32 -o $@ $< -lpthread

# The ordinary payload, but tests.list names only the fault steps.
faults-payload: payload $(addprefix $(DEBUG_OUT)/,$(FAULTS_PROGS))
	cp $(DEBUG_OUT)/shmr_faults $(DEBUG_OUT)/shmr_fuzz $(PAYLOAD)/tests/
	cp $(DEBUG_OUT)/shmr_faults_32 $(PAYLOAD)/tests32/
	mkdir -p $(PAYLOAD)/debug
	cp $(CURDIR)/scripts/debug-guest.sh $(PAYLOAD)/debug/debug-guest.sh
	{ echo "FUZZ_SEED=$(FUZZ_SEED)"; echo "FUZZ_PROCS=$(FUZZ_PROCS)"; \
	  echo "FAULTS_CALLS=$(FAULTS_CALLS)"; \
	  echo "FAULTS_PERCENT=$(FAULTS_PERCENT)"; \
	  echo "FAULTS_WATCHDOG=$(FAULTS_WATCHDOG)"; } > $(PAYLOAD)/debug/debug.env
	: > $(PAYLOAD)/tests.list
	for s in faults faults32 fuzz-faults; do \
		ln -sf debug-guest.sh $(PAYLOAD)/debug/$$s; \
		echo debug/$$s >> $(PAYLOAD)/tests.list; \
	done
	ln -sf debug/debug-guest.sh $(PAYLOAD)/post-tests.sh
	ln -sf debug/debug-guest.sh $(PAYLOAD)/post-rmmod.sh

check-faults-vm: vm-module faults-payload
	VM_MEM=$(DEBUG_VM_MEM) TIMEOUT=$(DEBUG_TIMEOUT) $(VM) check
