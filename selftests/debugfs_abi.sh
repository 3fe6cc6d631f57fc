#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debugfs ABI: files, modes, formats and round trips.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

COUNTERS="alloc alloc_slowpath alloc_fail free_local free_remote remote_full
drain drained_objects level_up level_down kick idle_flush slab_new slab_free
invalid_free double_free poison_corrupt objects_in_use slabs pending outbox empty_bytes"

ktap_print_header
pcslab_require_root
pcslab_core_up
pcslab_test_down
ktap_set_plan 12

pcslab_load pcslab_test scenario=mixed nr_ops=5000 || ktap_exit_fail_msg "pcslab_test failed to load"

ok=1
for f in slabinfo:444 pcslab_test/stats:444 pcslab_test/drain_policy:644 \
	 pcslab_test/drain_level:444 pcslab_test/queue_capacity:644 \
	 pcslab_test/outbox_batch:644 pcslab_test/memory:444 pcslab_test/drain:200; do
	m=$(stat -c %a "$DBG/${f%%:*}" 2>/dev/null)
	[ "$m" = "${f##*:}" ] || { ktap_print_msg "$f: mode '$m'"; ok=0; }
done
[ $ok = 1 ]; pcslab_result $? "files exist with documented modes"

ok=1
ncpu=$(awk 'NR == 1 { print NF - 2 }' "$TC/stats")
for c in $COUNTERS; do
	line=$(grep "^$c " "$TC/stats") || { ktap_print_msg "missing counter $c"; ok=0; continue; }
	echo "$line" | grep -Eq "^$c [0-9]+( C[0-9]+=[0-9]+)+\$" || { ktap_print_msg "bad format: $line"; ok=0; }
	n=$(echo "$line" | awk '{ print NF - 2 }')
	[ "$n" = "$ncpu" ] || { ktap_print_msg "$c: $n CPUs, expected $ncpu"; ok=0; }
done
[ "$(wc -l < "$TC/stats")" -eq "$(echo $COUNTERS | wc -w)" ] || { ktap_print_msg "unexpected extra lines"; ok=0; }
[ $ok = 1 ]; pcslab_result $? "stats lists every counter with a per-CPU breakdown"

ok=1
for c in $COUNTERS; do
	case $c in objects_in_use|slabs|pending|outbox|empty_bytes) continue ;; esac
	t=$(stat_total "$c"); s=$(stat_parts_sum "$c")
	[ "$t" = "$s" ] || { ktap_print_msg "$c: total $t, parts sum $s"; ok=0; }
done
[ $ok = 1 ]; pcslab_result $? "per-CPU parts sum to the total"

ok=1
[ "$(cat "$TC/drain_policy")" = adaptive ] || { ktap_print_msg "default policy not adaptive"; ok=0; }
for p in "fixed 32" "fixed 1" "fixed 65536" adaptive "fixed 64"; do
	echo "$p" > "$TC/drain_policy" || ok=0
	[ "$(cat "$TC/drain_policy")" = "$p" ] || { ktap_print_msg "policy '$p' did not round-trip"; ok=0; }
done
echo adaptive > "$TC/drain_policy"
[ $ok = 1 ]; pcslab_result $? "drain_policy round-trips adaptive and fixed N"

ok=1
[ "$(cat "$TC/queue_capacity")" = 1024 ] || { ktap_print_msg "default capacity not 1024"; ok=0; }
for v in 0 1 512 65536 1024; do
	echo "$v" > "$TC/queue_capacity" || ok=0
	[ "$(cat "$TC/queue_capacity")" = "$v" ] || { ktap_print_msg "capacity $v did not round-trip"; ok=0; }
done
[ $ok = 1 ]; pcslab_result $? "queue_capacity round-trips"

ok=1
[ "$(cat "$TC/outbox_batch")" = 16 ] || { ktap_print_msg "default outbox batch not 16"; ok=0; }
for v in 1 64 7 16; do
	echo "$v" > "$TC/outbox_batch" || ok=0
	[ "$(cat "$TC/outbox_batch")" = "$v" ] || { ktap_print_msg "outbox batch $v did not round-trip"; ok=0; }
done
for v in 0 65 -1 abc; do
	echo "$v" > "$TC/outbox_batch" 2>/dev/null && { ktap_print_msg "outbox batch '$v' accepted"; ok=0; }
done
[ "$(cat "$TC/outbox_batch")" = 16 ] || { ktap_print_msg "a rejected write changed the batch"; ok=0; }
[ $ok = 1 ]; pcslab_result $? "outbox_batch round-trips 1..64 and rejects the rest"

ok=1
head -n1 "$TC/drain_level" | grep -q '^cpu level pending cooldown outbox$' || ok=0
awk 'NR > 1 && !/^C[0-9]+ (8|16|32|64|128) [0-9]+ [0-9]+ [0-9]+$/ { bad = 1 } END { exit bad }' "$TC/drain_level" || ok=0
echo "fixed 100" > "$TC/drain_policy"
awk 'NR > 1 && ($2 != 100 || $4 != 0) { bad = 1 } END { exit bad }' "$TC/drain_level" || { ktap_print_msg "fixed level not shown"; ok=0; }
echo adaptive > "$TC/drain_policy"
[ $ok = 1 ]; pcslab_result $? "drain_level format"

ok=1
mem=$TC/memory
for k in cache_bytes percpu_bytes possible_cpus fixed_bytes slab_bytes; do
	grep -Eq "^$k [0-9]+\$" "$mem" || { ktap_print_msg "memory: no '$k N' line"; ok=0; }
done
get() { awk -v k="$1" '$1 == k { print $2 }' "$mem"; }
pcpu=$(get percpu_bytes); ncpus=$(get possible_cpus)
ktap_print_msg "fixed memory: $(get fixed_bytes) bytes = $(get cache_bytes) + $ncpus possible CPUs x $pcpu"
[ "$ncpus" = "$ncpu" ] || { ktap_print_msg "possible_cpus $ncpus, stats shows $ncpu"; ok=0; }
[ "$(get fixed_bytes)" -eq $(($(get cache_bytes) + ncpus * pcpu)) ] || ok=0
# bounded per CPU, whatever the number of CPUs (the outbox has 4 slots)
[ "$pcpu" -le 1024 ] || { ktap_print_msg "percpu_bytes $pcpu over 1 KiB"; ok=0; }
[ $(($(get slab_bytes) % 4096)) -eq 0 ] || { ktap_print_msg "slab_bytes $(get slab_bytes)"; ok=0; }
[ $ok = 1 ]; pcslab_result $? "memory reports fixed and slab bytes"

ok=1
head -n1 "$DBG/slabinfo" | grep -q '^# name objsize active_objs num_objs slabs pages$' || ok=0
line=$(grep '^pcslab_test ' "$DBG/slabinfo") || ok=0
set -- $line
[ "$2" = 64 ] || ok=0
[ "$3" = "$(stat_total objects_in_use)" ] || { ktap_print_msg "active_objs $3 != objects_in_use"; ok=0; }
[ "$5" = "$(stat_total slabs)" ] || { ktap_print_msg "slabs $5 != stats slabs"; ok=0; }
[ "$4" -ge "$3" ] && [ "$6" -ge "$5" ] || ok=0
[ $ok = 1 ]; pcslab_result $? "slabinfo format matches stats"
rmmod pcslab_test

# Pending remote frees that only the drain file returns: a level and a
# capacity so large that no owner tick or kick drains.
pcslab_load pcslab_test scenario=remote nr_ops=3000 policy=fixed:65536 queue_capacity=65536 ||
	ktap_exit_fail_msg "pcslab_test failed to load"
before=$(pending_total)
echo 1 > "$TC/drain"
after=$(pending_total)
ktap_print_msg "pending before drain $before, after $after"
[ "$after" -eq 0 ] && [ "$(stat_total pending)" -eq 0 ]; pcslab_result $? "drain empties every queue"
pcslab_clean_state; pcslab_result $? "after drain every object is back and counters balance"
[ "$(cat "$TC/drain_policy")" = "fixed 65536" ] && [ "$(cat "$TC/queue_capacity")" = 65536 ]; pcslab_result $? "module parameters reach drain_policy and queue_capacity"
rmmod pcslab_test
ktap_finished
