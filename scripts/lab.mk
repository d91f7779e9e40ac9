# SPDX-License-Identifier: GPL-2.0
#
# The kernel course lab (docs/lab/README.md, scripts/lab.sh).
#   make lab-prepare EX=n DIR=path   a student tree for exercise n
#   make lab-check [EX=n|all]        grade this tree in the VM (a tree
#                                    lab-prepare wrote knows its EX)
#   make lab-solution-check          the complete tree passes every
#                                    exercise, each prepared tree fails
#                                    its own and passes the earlier ones

.PHONY: lab-prepare lab-check lab-solution-check

EX ?= $(shell cat $(CURDIR)/.lab-exercise 2>/dev/null)
DIR ?=
LAB_ENV = KDIR=$(KDIR) KERNEL=$(KERNEL) KMODDIR=$(KMODDIR) BUILD=$(BUILD) \
	KSFT=$(KSFT) MAKE="$(MAKE)"

lab-prepare:
	@$(CURDIR)/scripts/lab.sh prepare '$(EX)' '$(DIR)'

lab-check: module $(KSFT)/lib.mk
	@$(LAB_ENV) $(CURDIR)/scripts/lab.sh check '$(EX)'

lab-solution-check: module $(KSFT)/lib.mk
	@$(LAB_ENV) $(CURDIR)/scripts/lab.sh solution-check
