#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for "make soak": the soak selftest alone (its
# length in /pcslab/soak.seconds), KTAP between markers.
cd /pcslab/selftests/pcslab || exit 1
# KCSAN kernel: report the races of pcslab's own code, not those of the
# core kernel under the soak's shell work and timers (seen: atime updates
# on shmem during execve, hrtimer sleeper wake-ups): load pcslab first
# (soak.sh keeps it loaded) and whitelist its functions and the out-of-line
# llist helpers it calls.
if [ -w /sys/kernel/debug/kcsan ]; then
	insmod /pcslab/module/pcslab.ko
	for f in $(awk '$4 == "[pcslab]" && ($2 == "t" || $2 == "T") { print $3 }' /proc/kallsyms |
		sort -u) llist_add_batch llist_del_first llist_reverse_order; do
		echo "!$f" > /sys/kernel/debug/kcsan 2>/dev/null || echo "kcsan: cannot filter $f"
	done
	echo whitelist > /sys/kernel/debug/kcsan
	echo "kcsan: reports limited to $(grep -c '\[pcslab\]' /proc/kallsyms) pcslab symbols and llist"
fi
./soak.sh > /tmp/ktap.log 2>&1 || true
dmesg -n 1
echo "===KTAP-BEGIN==="
cat /tmp/ktap.log
echo "===KTAP-END==="
echo "===DMESG-BEGIN==="
dmesg
echo "===DMESG-END==="
