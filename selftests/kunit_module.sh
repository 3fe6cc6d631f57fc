#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites built as a module: insmod pcslab_kunit.ko on a kernel
# with CONFIG_KUNIT and read the results from /sys/kernel/debug/kunit/.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

ktap_print_header
pcslab_require_root
if [ ! -f "$PCSLAB_MODDIR/pcslab_kunit.ko" ] || [ ! -d /sys/kernel/debug/kunit ]; then
	ktap_skip_all "no pcslab_kunit.ko or kernel without CONFIG_KUNIT"
	exit "$KSFT_SKIP"
fi
pcslab_core_up
ktap_set_plan 2
insmod "$PCSLAB_MODDIR/pcslab_kunit.ko"; pcslab_result $? "pcslab_kunit.ko loads and runs"
ok=1 n=0
for r in /sys/kernel/debug/kunit/pcslab_*/results; do
	[ -r "$r" ] || continue
	n=$((n + 1))
	grep -E '^ *not ok' "$r" && ok=0
	grep -Eq '^ok [0-9]+ pcslab_' "$r" || { ktap_print_msg "$r has no passing suite line"; ok=0; }
	ktap_print_msg "$(basename "$(dirname "$r")"): $(grep -cE '^ +ok' "$r") cases passed"
done
[ $n -eq 10 ] && [ $ok = 1 ]; pcslab_result $? "all 10 suites pass (results in /sys/kernel/debug/kunit)"
rmmod pcslab_kunit
ktap_finished
