#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Soak: pcslab_soak runs every workload on five caches with hardirq and
# softirq users for PCSLAB_SOAK_SECONDS (or /pcslab/soak.seconds, which
# make check's debug selftests pack with 10; default 20) while this
# script, all at once: takes every non-boot CPU offline and online,
# writes random valid drain_policy, queue_capacity and drain values, drops
# caches (shrinkers) and injects bursts of page allocation failures into
# the workers.  Then every cache must balance exactly with nothing in use,
# and pcslab must hold no page after unload.  Runs on the debug kernel
# (fault injection); "make soak" runs it for longer.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
FI=/sys/kernel/debug/fail_page_alloc
SECS=$(pcslab_length "${PCSLAB_SOAK_SECONDS:-}" soak.seconds)
if [ -z "$SECS" ] && [ ! -d $FI ]; then
	ktap_skip_all "soak runs on the debug kernel (make soak, or the debug selftests)"
	exit "$KSFT_SKIP"
fi
SECS=${SECS:-20}
pcslab_core_up
pcslab_test_down
! pcslab_loaded pcslab_soak || rmmod pcslab_soak
if [ ! -f "$PCSLAB_MODDIR/pcslab_soak.ko" ] && ! modinfo pcslab_soak >/dev/null 2>&1; then
	ktap_skip_all "pcslab_soak module not available"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 4

# cstat CACHE NAME: total of one counter of a soak cache.
cstat() { awk -v k="$2" '$1 == k { print $2 }' "$DBG/$1/stats"; }

pick() { shift $(($(od -An -N2 -tu2 /dev/urandom) % $# )); echo "$1"; }

dmesg -c > /dev/null
pcslab_load pcslab_soak seconds="$SECS" &
pid=$!
while [ ! -d "$DBG/soak-3000-align" ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
CPUS=$(online_hotpluggable_cpus)
cycles=0 writes=0 drops=0 bursts=0 bad=0 round=0
while kill -0 $pid 2>/dev/null; do
	round=$((round + 1))
	for c in $CPUS; do
		[ -e "$c/online" ] || continue
		echo 0 > "$c/online" || bad=$((bad + 1))
		echo 1 > "$c/online" || bad=$((bad + 1))
	done
	cycles=$((cycles + 1))
	for d in "$DBG"/soak-*; do
		case $(pick 0 1 2 3) in
		0) pick adaptive "fixed $(pick 1 8 64 128 1024)" > "$d/drain_policy" ;;
		1) pick 0 1 2 16 64 170 171 512 4096 > "$d/queue_capacity" ;;
		*) echo 1 > "$d/drain" ;;
		esac || bad=$((bad + 1))
		writes=$((writes + 1))
	done
	if [ $((round % 3)) -eq 0 ]; then
		echo 3 > /proc/sys/vm/drop_caches
		drops=$((drops + 1))
	fi
	if [ -d $FI ] && [ $((round % 4)) -eq 0 ]; then
		echo 1 > $FI/task-filter
		echo 0 > $FI/interval
		echo 16 > $FI/times
		echo 0 > $FI/space
		echo 0 > $FI/verbose
		echo N > $FI/ignore-gfp-wait
		echo 0 > $FI/min-order
		echo 50 > $FI/probability
		sleep 0.2
		echo 0 > $FI/probability
		bursts=$((bursts + 1))
	fi
	sleep 0.1
done
wait $pid
rc=$?
for c in $CPUS; do [ -e "$c/online" ] && echo 1 > "$c/online"; done
[ -d $FI ] && echo 0 > $FI/probability
dmesg | grep 'pcslab_soak:' | while read -r l; do ktap_print_msg "$l"; done
if [ $rc -eq 0 ]; then
	ktap_test_pass "workloads pass their checks for $SECS s"
else
	ktap_test_fail "workloads pass their checks for $SECS s (insmod rc $rc)"
fi

lost=0 faults=0
for d in "$DBG"/soak-*; do
	[ -d "$d" ] || { lost=1; continue; }
	n=$(basename "$d")
	echo adaptive > "$d/drain_policy"
	echo 1 > "$d/drain"
	a=$(cstat "$n" alloc) l=$(cstat "$n" free_local) r=$(cstat "$n" free_remote)
	u=$(cstat "$n" objects_in_use) p=$(cstat "$n" pending)
	faults=$((faults + $(cstat "$n" alloc_fail)))
	if [ "$a" -ne $((l + r)) ] || [ "$u" -ne 0 ] || [ "$p" -ne 0 ]; then
		ktap_print_msg "$n: alloc $a free_local $l free_remote $r in use $u pending $p"
		lost=1
	fi
done
if [ $rc -eq 0 ] && [ $lost -eq 0 ]; then
	ktap_test_pass "every cache balances, nothing in use or queued"
else
	ktap_test_fail "every cache balances, nothing in use or queued"
fi
ktap_print_msg "$cycles hotplug rounds, $writes tuning writes ($bad refused), $drops drop_caches, $bursts fault bursts"
if [ $cycles -gt 0 ] && [ $bad -eq 0 ]; then
	ktap_test_pass "hotplug, tuning, drop_caches and fault bursts ran throughout"
else
	ktap_test_fail "hotplug, tuning, drop_caches and fault bursts ran throughout"
fi
! pcslab_loaded pcslab_soak || rmmod pcslab_soak
pages=$(cat "$DBG/pages")
if [ "$pages" -eq 0 ]; then
	ktap_test_pass "pages back to 0 after unload"
else
	ktap_test_fail "pages back to 0 after unload ($pages held)"
fi
ops=$(dmesg | sed -n 's/.*pcslab_soak: [0-9]* s, \([0-9]*\) ops.*/\1/p' | tail -n1)
verdict="LOST OR FAILED"
[ $lost -eq 0 ] && [ $rc -eq 0 ] && verdict="0 lost"
echo "soak: $((SECS / 60)) min $((SECS % 60)) s, ${ops:-0} ops, $cycles hotplug cycles, $faults faults injected, $verdict"
ktap_finished
