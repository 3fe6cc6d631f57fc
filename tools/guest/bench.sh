#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for "make bench": pcslab_bench, log to console.
dmesg -n 1
insmod /pcslab/module/pcslab.ko
# the run happens inside insmod; success is its END line
insmod /pcslab/module/pcslab_bench.ko $(cat /pcslab/bench.args 2>/dev/null) || true
rmmod pcslab_bench 2>/dev/null
# a cache's fixed memory for this boot's possible CPUs (testvm --maxcpus)
insmod /pcslab/module/pcslab_test.ko scenario=local nr_ops=1000
f=$(awk '{ v[$1] = $2 } END { print v["possible_cpus"] "," v["cache_bytes"] "," v["percpu_bytes"] "," v["fixed_bytes"] }' \
	/sys/kernel/debug/pcslab/pcslab_test/memory)
rmmod pcslab_test
echo "===BENCH-BEGIN==="
dmesg | grep 'pcslab_bench:'
echo "pcslab_bench: CSV fixed $(grep -c '^processor' /proc/cpuinfo),$f"
echo "===BENCH-END==="
rmmod pcslab
dmesg | grep -q 'pcslab_bench: END'
