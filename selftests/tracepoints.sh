#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tracepoints: enable the pcslab events, run workloads, and check that
# drains, level changes, slab growth/release and kicks are traced with
# their fields (the ftrace example of Documentation/pcslab.rst).
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
if [ ! -d $T/events ]; then
	ktap_skip_all "no tracefs"
	exit "$KSFT_SKIP"
fi
pcslab_core_up
pcslab_test_down
if [ ! -d $T/events/pcslab ]; then
	ktap_skip_all "kernel without tracepoint support for modules"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 6
echo 0 > $T/tracing_on
echo > $T/trace
echo 4096 > $T/buffer_size_kb
echo 1 > $T/events/pcslab/enable
echo 1 > $T/tracing_on
pcslab_load pcslab_test scenario=burst nr_ops=20000 queue_capacity=64 || ktap_print_msg "workload failed"
rmmod pcslab_test
echo 0 > $T/tracing_on
echo 0 > $T/events/pcslab/enable
for ev in pcslab_drain pcslab_level_change pcslab_slab_new pcslab_slab_free pcslab_kick; do
	n=$(grep -c " $ev: cache=pcslab_test " $T/trace)
	[ "$n" -gt 0 ]; pcslab_result $? "$ev traced ($n events)" "$ev traced"
done
grep -m1 " pcslab_level_change: " $T/trace | grep -Eq 'cpu=[0-9]+ level=[0-9]+->[0-9]+ pending=[0-9]+'; pcslab_result $? "level change carries cpu, old->new level and depth"
echo > $T/trace
ktap_finished
