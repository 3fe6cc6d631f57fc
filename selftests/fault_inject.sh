#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fault injection (needs CONFIG_FAIL_PAGE_ALLOC): the first slab page
# allocations of the workload threads fail (a fixed number: the per-CPU
# reserve of empty slabs means a run needs only a few new slabs, so a
# failure rate could miss them all); allocs return NULL, the workload
# counts the failures, nothing leaks, and the cache works after injection
# stops.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
FI=/sys/kernel/debug/fail_page_alloc
if [ ! -d $FI ]; then
	ktap_skip_all "kernel without CONFIG_FAIL_PAGE_ALLOC"
	exit "$KSFT_SKIP"
fi
pcslab_core_up
pcslab_test_down
ktap_set_plan 3
echo 1 > $FI/task-filter
echo 100 > $FI/probability
echo 0 > $FI/interval
echo 4 > $FI/times
echo 0 > $FI/space
echo 0 > $FI/verbose
echo N > $FI/ignore-gfp-wait
echo N > $FI/ignore-gfp-highmem
echo 0 > $FI/min-order
pcslab_load pcslab_test scenario=local nr_ops=20000 batch=256 allow_fail=1 make_it_fail=1
rc=$?
echo 0 > $FI/probability
f=$(stat_total alloc_fail 2>/dev/null)
ktap_print_msg "rc $rc alloc_fail $f alloc $(stat_total alloc)"
[ $rc -eq 0 ] && [ "${f:-0}" -gt 0 ]; pcslab_result $? "allocs fail under injection and the workload survives"
echo 1 > "$TC/drain"
pcslab_clean_state; pcslab_result $? "nothing leaks under injection"
rmmod pcslab_test
pcslab_load pcslab_test scenario=mixed nr_ops=5000; pcslab_result $? "cache works after injection stops"
pcslab_test_down
ktap_finished
