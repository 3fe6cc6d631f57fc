#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the pcslab kselftests.  Modules are taken from
# $PCSLAB_MODDIR (default /pcslab/module, the test VM's layout) or, if not
# there, loaded with modprobe from the running kernel's module tree.

DIR=$(dirname "$(readlink -f "$0")")
KTAP=${KTAP_HELPERS:-$DIR/../kselftest/ktap_helpers.sh}
[ -r "$KTAP" ] || KTAP=/usr/lib/kselftest/kselftest/ktap_helpers.sh
# shellcheck source=/dev/null
. "$KTAP"

PCSLAB_MODDIR=${PCSLAB_MODDIR:-/pcslab/module}
DBG=/sys/kernel/debug/pcslab
TC=$DBG/pcslab_test

pcslab_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		ktap_skip_all "must be root"
		exit "$KSFT_SKIP"
	fi
	[ -d /sys/kernel/debug/pcslab ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
}

# load NAME [params...]: insmod from PCSLAB_MODDIR or modprobe.
pcslab_load() {
	name=$1
	shift
	if [ -f "$PCSLAB_MODDIR/$name.ko" ]; then
		insmod "$PCSLAB_MODDIR/$name.ko" "$@"
	else
		modprobe "$name" "$@"
	fi
}

pcslab_loaded() { grep -q "^$1 " /proc/modules; }

# pcslab_length VALUE FILE: a test's length, VALUE (its environment
# variable) if set, else what /pcslab/FILE holds (tools/run-selftests
# hands make check's short versions to the VM there), else nothing.
pcslab_length() {
	if [ -n "$1" ]; then echo "$1"; else cat "/pcslab/$2" 2>/dev/null; fi
}

# pcslab_result STATUS DESCRIPTION [FAIL_DESCRIPTION]: exactly one KTAP
# result from the status of the check before it, e.g.
#   [ "$(stat_total pending)" -eq 0 ]; pcslab_result $? "queues empty"
pcslab_result() {
	if [ "$1" -eq 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_test_fail "${3:-$2}"
	fi
}

pcslab_core_up() {
	pcslab_loaded pcslab || pcslab_load pcslab || {
		ktap_skip_all "pcslab module not available"
		exit "$KSFT_SKIP"
	}
}

pcslab_test_down() { ! pcslab_loaded pcslab_test || rmmod pcslab_test; }

# stat NAME: total of one counter of the pcslab_test cache.
stat_total() { awk -v k="$1" '$1 == k { print $2 }' "$TC/stats"; }

# stat_parts_sum NAME: sum of the per-CPU parts of one counter.
stat_parts_sum() {
	awk -v k="$1" '$1 == k { s = 0; for (i = 3; i <= NF; i++) { split($i, a, "="); s += a[2] } print s }' "$TC/stats"
}

# pending_total: sum of the pending column of drain_level.
pending_total() { awk 'NR > 1 { s += $3 } END { print s + 0 }' "$TC/drain_level"; }

# balance: alloc == free_local + free_remote + objects_in_use
balance_ok() {
	a=$(stat_total alloc)
	l=$(stat_total free_local)
	r=$(stat_total free_remote)
	u=$(stat_total objects_in_use)
	[ "$a" -eq $((l + r + u)) ] || {
		ktap_print_msg "unbalanced: alloc=$a free_local=$l free_remote=$r objects_in_use=$u"
		return 1
	}
}

# pcslab_clean_state [BAD]: the pcslab_test cache is back to a clean
# state: nothing in use (nothing queued either: queued objects count as in
# use), the counters balance, and no invalid or double frees beyond BAD
# (those the script made on purpose; default 0).
pcslab_clean_state() {
	u=$(stat_total objects_in_use)
	[ "$u" -eq 0 ] || { ktap_print_msg "objects in use: $u"; return 1; }
	balance_ok || return 1
	bad=$(($(stat_total invalid_free) + $(stat_total double_free)))
	[ "$bad" -eq "${1:-0}" ] || {
		ktap_print_msg "invalid + double frees: $bad, expected ${1:-0}"
		return 1
	}
}

memfree_kb() { awk '/^MemFree:/ { print $2 }' /proc/meminfo; }

online_cpus() { grep -c '^processor' /proc/cpuinfo; }
# sysfs directories of the CPUs that are online and can go offline (a CPU
# that is present but was never booted stays out of the test)
online_hotpluggable_cpus() {
	for c in /sys/devices/system/cpu/cpu[1-9]*; do
		[ "$(cat "$c/online" 2>/dev/null)" = 1 ] && echo "$c"
	done
	return 0
}
