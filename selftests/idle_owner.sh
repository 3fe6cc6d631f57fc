#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Idle owner: remote frees queued on CPUs that then neither allocate nor
# free are returned by the idle flush (PCSLAB_IDLE_FLUSH_MS = 100 ms after
# the first queued free) without any owner activity or drain request.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
pcslab_core_up
pcslab_test_down
ktap_set_plan 3
if [ "$(online_cpus)" -lt 2 ]; then
	ktap_skip_all "needs 2 CPUs"
	exit "$KSFT_SKIP"
fi
# No tick or kick drains: level and capacity far above the run's depth.
pcslab_load pcslab_test scenario=remote nr_ops=5000 policy=fixed:65536 queue_capacity=65536 ||
	ktap_exit_fail_msg "pcslab_test failed to load"
ktap_print_msg "right after the run: pending $(stat_total pending), outbox $(stat_total outbox), idle_flush $(stat_total idle_flush)"
# Bound: 100 ms flush delay plus workqueue latency; TCG is slow, allow 2 s.
# Both ends go quiet: the freers' outboxes and the owners' queues.
i=0
while [ "$(($(stat_total pending) + $(stat_total outbox)))" -ne 0 ] && [ $i -lt 20 ]; do
	sleep 0.1
	i=$((i + 1))
done
ktap_print_msg "after ~$((i * 100)) ms: pending $(stat_total pending), outbox $(stat_total outbox), objects_in_use $(stat_total objects_in_use), idle_flush $(stat_total idle_flush), drain $(stat_total drain)"
[ "$(stat_total pending)" -eq 0 ] && [ "$(stat_total outbox)" -eq 0 ]; pcslab_result $? "queued and outbox remote frees returned within the bound"
pcslab_clean_state; pcslab_result $? "every object allocatable again, counters balance"
[ "$(stat_total idle_flush)" -gt 0 ]; pcslab_result $? "idle flush did the returning"
rmmod pcslab_test
ktap_finished
