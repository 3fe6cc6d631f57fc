#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for "make bench": pcslab_bench, log to console.
dmesg -n 1
insmod /pcslab/module/pcslab.ko
insmod /pcslab/module/pcslab_bench.ko $(cat /pcslab/bench.args 2>/dev/null)
rc=$?
# pcslab_bench returns -EAGAIN (11) when it completed; anything else failed
echo "===BENCH-BEGIN==="
dmesg | grep 'pcslab_bench:'
echo "===BENCH-END==="
rmmod pcslab
dmesg | grep -q 'pcslab_bench: END'
