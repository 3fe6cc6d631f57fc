#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CPU hotplug under load: offline/online every non-boot CPU repeatedly
# while a remote workload runs; no object lost, no pattern error.  The
# workload runs PCSLAB_NR_OPS (or /pcslab/hotplug_ops, make check's short
# version on the debug kernel) operations per thread, default 60000.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
pcslab_core_up
pcslab_test_down
if [ "$(online_cpus)" -lt 2 ] || [ ! -e /sys/devices/system/cpu/cpu1/online ]; then
	ktap_skip_all "needs 2 hot-pluggable CPUs"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 3
CPUS=$(online_hotpluggable_cpus)
OPS=$(pcslab_length "${PCSLAB_NR_OPS:-}" hotplug_ops)
pcslab_load pcslab_test scenario=remote nr_ops="${OPS:-60000}" &
pid=$!
cycles=0
fail=0
while kill -0 $pid 2>/dev/null; do
	for c in $CPUS; do
		[ -e "$c/online" ] || continue
		echo 0 > "$c/online" || fail=1
		echo 1 > "$c/online" || fail=1
	done
	cycles=$((cycles + 1))
done
wait $pid
rc=$?
for c in $CPUS; do [ -e "$c/online" ] && echo 1 > "$c/online"; done
ktap_print_msg "$cycles offline/online rounds during the run"
[ $rc -eq 0 ] && [ $fail -eq 0 ] && [ $cycles -gt 0 ]; pcslab_result $? "workload passes its checks across hotplug" "workload passes its checks across hotplug (rc $rc, cycles $cycles)"
echo 1 > "$TC/drain" 2>/dev/null
if [ -d "$TC" ]; then
	pcslab_clean_state; pcslab_result $? "no object lost"
	[ "$(stat_total double_free)" -eq 0 ] && [ "$(stat_total invalid_free)" -eq 0 ]; pcslab_result $? "no free misrouted"
	rmmod pcslab_test
else
	ktap_test_fail "no object lost"
	ktap_test_fail "no free misrouted"
fi
ktap_finished
