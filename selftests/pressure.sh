#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Memory pressure: dropping caches runs the shrinker, which drains queues
# and leaves at most the per-CPU reserve of slabs (PCSLAB_RESERVE_MAX_SLABS,
# 4, at most); after unload the pages are back.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
pcslab_core_up
pcslab_test_down
ktap_set_plan 3
NCPU=$(online_cpus)
sync
echo 3 > /proc/sys/vm/drop_caches
before=$(memfree_kb)
pcslab_load pcslab_test scenario=remote nr_ops=${PCSLAB_NR_OPS:-30000} batch=256 \
	policy=fixed:65536 queue_capacity=65536 || ktap_exit_fail_msg "pcslab_test failed to load"
ktap_print_msg "after the run: slabs $(stat_total slabs), slab_new $(stat_total slab_new), pending $(stat_total pending)"
echo 2 > /proc/sys/vm/drop_caches
s=$(stat_total slabs)
ktap_print_msg "after drop_caches: slabs $s, pending $(stat_total pending), slab_free $(stat_total slab_free)"
[ "$(stat_total pending)" -eq 0 ] && [ "$s" -le $((4 * NCPU)) ]; pcslab_result $? "shrinker leaves at most the reserve of slabs per CPU"
[ "$(stat_total slab_new)" -eq $(($(stat_total slab_free) + s)) ]; pcslab_result $? "slab_new = slab_free + slabs"
rmmod pcslab_test
echo 3 > /proc/sys/vm/drop_caches
after=$(memfree_kb)
ktap_print_msg "MemFree before load $before kB, after unload $after kB"
# Tolerance: 4 MiB for per-CPU page lists and unrelated kernel activity.
[ $((before - after)) -lt 4096 ]; pcslab_result $? "pages returned after unload (within 4 MiB)"
ktap_finished
