#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 50 x (load pcslab, run a workload, unload): no failure, no leaked pages.
# PCSLAB_LOOPS (or /pcslab/load_loops, which make check's debug-kernel run
# packs with 10) sets the number of rounds, the five of the warm-up
# included; at least one runs after it.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
ktap_set_plan 4
pcslab_test_down
pcslab_loaded pcslab && rmmod pcslab
leaked=0
round() {
	pcslab_load pcslab || return 1
	pcslab_load pcslab_test scenario=mixed nr_ops=5000 batch=256 || fail=1
	pcslab_test_down || fail=1
	pg=$(cat $DBG/pages)
	[ "$pg" -eq 0 ] || { ktap_print_msg "round $n: $pg pages still held after unload"; leaked=1; }
	rmmod pcslab
}
settle() { sync; echo 3 > /proc/sys/vm/drop_caches; sleep 1; memfree_kb; }
fail=0
# Warm up: the first loads populate module, vmalloc and per-CPU areas.
for i in 1 2 3 4 5; do round || fail=1; done
before=$(settle)
n=5
LOOPS=$(pcslab_length "${PCSLAB_LOOPS:-}" load_loops)
# the MemFree bound below grows with the rounds after the warm-up
[ "${LOOPS:-50}" -gt 5 ] || LOOPS=6
while [ $n -lt "${LOOPS:-50}" ]; do
	round || { fail=1; break; }
	n=$((n + 1))
done
after=$(settle)
ktap_print_msg "$n rounds; MemFree after warm-up $before kB, at the end $after kB"
[ $fail -eq 0 ]; pcslab_result $? "$n load/run/unload rounds" "load/run/unload rounds (failed after $n)"
[ $leaked -eq 0 ]; pcslab_result $? "pcslab holds no page after every unload"
# Loading any module costs the kernel memory that is not given back at
# once, and freed pages wait in per-CPU lists that MemFree does not count
# (measured 20-270 kB per round, more with more CPUs): a loose bound only;
# the exact checks are the pages counter above and kmemleak below.
[ $((before - after)) -lt $(((n - 5) * 512)) ]; pcslab_result $? "MemFree within module-load noise (512 kB/round)"
# On a kmemleak kernel: nothing allocated by pcslab is left unreferenced.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c 'pcslab' /sys/kernel/debug/kmemleak)
	if [ "$leaks" -eq 0 ]; then
		ktap_test_pass "kmemleak: no pcslab leak"
	else
		grep -B5 -A15 pcslab /sys/kernel/debug/kmemleak | head -40
		ktap_test_fail "kmemleak: $leaks pcslab leak lines"
	fi
else
	ktap_test_skip "kmemleak: not in this kernel"
fi
ktap_finished
