#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every pcslab_test scenario: the run passes its pattern checks, and after a
# drain the counters balance exactly with no object left in use.  Each runs
# PCSLAB_NR_OPS (or /pcslab/workload_ops, make check's short version on
# the debug kernel) operations per thread, default 20000.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
pcslab_core_up
pcslab_test_down
NCPU=$(online_cpus)
OPS=$(pcslab_length "${PCSLAB_NR_OPS:-}" workload_ops)
OPS=${OPS:-20000}
ktap_set_plan 8

for sc in local remote mixed burst; do
	params="scenario=$sc nr_ops=$OPS"
	[ $sc = burst ] && params="$params queue_capacity=128"
	if ! pcslab_load pcslab_test $params; then
		ktap_test_fail "$sc: workload passes its checks"
		ktap_test_fail "$sc: counters"
		continue
	fi
	ktap_test_pass "$sc: workload passes its checks"
	echo 1 > "$TC/drain"
	ok=1
	balance_ok || ok=0
	[ "$(stat_total objects_in_use)" -eq 0 ] || { ktap_print_msg "objects_in_use $(stat_total objects_in_use)"; ok=0; }
	[ "$(stat_total pending)" -eq 0 ] || ok=0
	[ "$(stat_total double_free)" -eq 0 ] && [ "$(stat_total invalid_free)" -eq 0 ] || ok=0
	a=$(stat_total alloc)
	[ "$a" -eq $((NCPU * OPS)) ] || { ktap_print_msg "alloc $a"; ok=0; }
	fr=$(stat_total free_remote); dr=$(stat_total drain)
	lu=$(stat_total level_up); ld=$(stat_total level_down)
	ktap_print_msg "$sc: alloc=$a free_local=$(stat_total free_local) free_remote=$fr drain=$dr drained=$(stat_total drained_objects) kick=$(stat_total kick) remote_full=$(stat_total remote_full) level_up=$lu level_down=$ld slabs=$(stat_total slabs)"
	case $sc in
	local)
		[ "$fr" -eq 0 ] || { ktap_print_msg "local run freed remotely"; ok=0; } ;;
	remote|mixed)
		if [ "$NCPU" -gt 1 ]; then
			[ "$fr" -gt $((a / 4)) ] && [ "$dr" -gt 10 ] || { ktap_print_msg "too few remote frees/drains"; ok=0; }
		fi ;;
	burst)
		if [ "$NCPU" -gt 1 ]; then
			[ $((lu + ld)) -gt 0 ] || { ktap_print_msg "burst did not move the level"; ok=0; }
		fi ;;
	esac
	[ $ok = 1 ]; pcslab_result $? "$sc: counters balance after drain"
	rmmod pcslab_test
done
ktap_finished
