#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for "make run": load pcslab, run a mixed
# local/remote workload on every vCPU (watched live by pcslab-top), show
# the cache's stats, drain level and slabinfo, unload.
set -e
M=/pcslab/module
C=/sys/kernel/debug/pcslab/pcslab_test
insmod $M/pcslab.ko
dmesg -n 1
insmod $M/pcslab_test.ko scenario=mixed nr_ops=200000 &
pid=$!
while [ ! -r $C/stats ]; do sleep 0.05; done
/pcslab/tools/pcslab-top -o -i 0.5 > /tmp/top.txt
wait $pid
echo "===RUN-BEGIN==="
dmesg | grep 'pcslab_test:'
echo "--- pcslab-top -o (sampled during the run)"
cat /tmp/top.txt
echo "--- $C/stats"
cat $C/stats
echo "--- $C/drain_level"
cat $C/drain_level
echo "--- /sys/kernel/debug/pcslab/slabinfo"
cat /sys/kernel/debug/pcslab/slabinfo
rmmod pcslab_test
rmmod pcslab
echo "unloaded cleanly"
echo "===RUN-END==="
