#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run in the VM by `make bench`: the benchmark with the module loaded.
echo "kernel $(uname -r), $(nproc) vCPUs"
/shmr/bin/shmr_bench "$@"
