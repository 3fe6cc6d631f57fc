#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for "make bench": pcslab_bench, log to console.
dmesg -n 1
insmod /pcslab/module/pcslab.ko
# the run happens inside insmod; success is its END line
insmod /pcslab/module/pcslab_bench.ko $(cat /pcslab/bench.args 2>/dev/null) || true
rmmod pcslab_bench 2>/dev/null
echo "===BENCH-BEGIN==="
dmesg | grep 'pcslab_bench:'
echo "===BENCH-END==="
rmmod pcslab
dmesg | grep -q 'pcslab_bench: END'
