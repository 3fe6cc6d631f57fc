#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for "make run": load pcslab, run a mixed
# local/remote workload on every vCPU, show the cache, unload.
set -e
M=/pcslab/module
C=/sys/kernel/debug/pcslab/pcslab_test
insmod $M/pcslab.ko
insmod $M/pcslab_test.ko scenario=mixed nr_ops=50000
dmesg -n 1
echo "===RUN-BEGIN==="
dmesg | grep 'pcslab_test:'
echo "--- $C/stats"
cat $C/stats
echo "--- $C/drain_level"
cat $C/drain_level
echo "--- /sys/kernel/debug/pcslab/slabinfo"
cat /sys/kernel/debug/pcslab/slabinfo
if [ -x /pcslab/tools/pcslab-top ]; then
	echo "--- pcslab-top -o"
	/pcslab/tools/pcslab-top -o
fi
rmmod pcslab_test
rmmod pcslab
echo "unloaded cleanly"
echo "===RUN-END==="
