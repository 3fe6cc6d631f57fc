# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - sourced by the runners in tools/: where things are, which kernel,
# and how a kernel console is read.  One copy of each rule:
#   ROOT KVER PCSLAB_CACHE KSRC   paths and the target kernel release
#   KERNEL_REPORT_RE              every console line that fails a run
#   boot_death LOG MARKER         did the guest die before MARKER?
#   boot_report LOG MARKER        a kernel report before MARKER?
#   emulator_fault LOG            a register dump no x86 CPU can produce?
#
# shellcheck shell=sh

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PCSLAB_CACHE=${PCSLAB_CACHE:-$HOME/.cache/pcslab}
KSRC=${KSRC:-$PCSLAB_CACHE/linux-source-6.12}
KVER=${KVER:-$(ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null |
	sort -V | tail -n1 | sed 's|.*/linux-headers-||')}

# A kernel report of any kind: warnings, oopses, panics, lockdep, KASAN,
# KCSAN, KFENCE, UBSAN, kmemleak, atomic-sleep and hung-task reports.
KERNEL_REPORT_RE='WARNING:|BUG:|Oops|Kernel panic|general protection fault|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|UBSAN:|unreferenced object|sleeping function called|scheduling while atomic|INFO: task .* blocked'

# boot_death LOG MARKER: if the console in LOG shows the kernel dying (an
# oops or a panic) before the first line containing MARKER, print
# "<kind> at <symbol>" (e.g. "int3 at run_timer_softirq+0xd7/0xf0") and
# succeed; otherwise print nothing and fail.  Runners boot once more on
# success: a death before the tests began cannot be the tests' doing
# (under MTTCG, a vCPU can execute the int3 of a static-key text poke
# that already finished).  Deaths after MARKER stay failures.
boot_death() {
	awk -v marker="$2" '
		{ gsub(/\r/, "") }
		index($0, marker) { exit }
		!kind && /Oops: |Kernel panic - not syncing/ {
			kind = $0
			if (match(kind, /Oops: [a-z0-9 ]+/))
				kind = substr(kind, RSTART + 6, RLENGTH - 6)
			else
				kind = "panic"
		}
		kind && !sym && /RIP: [0-9a-f]+:/ {
			sym = $0
			sub(/.*RIP: [0-9a-f]+:/, "", sym)
			sub(/[ \t].*/, "", sym)
		}
		/Kernel panic - not syncing/ { died = 1 }
		END {
			if (!died)
				exit 1
			printf "%s at %s\n", kind, sym ? sym : "unknown"
		}' "$1"
}

# boot_report LOG MARKER: if the console in LOG shows a kernel report
# (KERNEL_REPORT_RE) before the first line containing MARKER, print that
# line without its timestamp and succeed; otherwise fail.  The test VM's
# script loads pcslab, so nothing of it has run before its marker: a
# report there is the kernel's or the emulator's (a KASAN wild access in
# handle_edge_irq() during identify_cpu() under MTTCG, once), and the
# VM boots once more.  Both read LOG themselves and stop at the marker:
# a writer piped into them (tr) was killed by SIGPIPE when they stopped
# early on a long console, and testvm's pipefail made that a "no".
boot_report() {
	awk -v marker="$2" -v re="$KERNEL_REPORT_RE" '
		{ gsub(/\r/, "") }
		index($0, marker) { exit }
		$0 ~ re { sub(/^\[ *[0-9.]+\] */, ""); print; exit }' "$1" | grep .
}

# emulator_fault LOG: if a register dump in LOG (an oops, or a fatal
# signal's with print-fatal-signals=1) shows an EFLAGS value that no x86
# CPU can hold, a reserved bit set (3, 5, 15, 22-63) or bit 1 clear,
# print "EFLAGS <value> at <symbol>" and succeed; otherwise fail.  Neither
# popf nor iret loads those bits, so the state was made by the emulator
# (qemu 7.2's TCG under -icount has lost its flags in SLUB's cmpxchg16b
# path, see Documentation/performance.rst), not by the guest.
emulator_fault() {
	tr -d '\r' < "$1" | grep -o 'RIP: [0-9a-f]*:[^ ]*\|EFLAGS: [0-9a-f]*' | {
		sym=unknown
		while read -r what val; do
			case $what in
			RIP:) sym=${val#*:} ;;
			EFLAGS:)
				v=$(echo "$val" | sed 's/^0*//')
				if [ ${#v} -gt 8 ] || [ $(((0x${v:-0} & 0xffc08028) != 0 ||
					(0x${v:-0} & 2) == 0)) -eq 1 ]; then
					echo "EFLAGS $val at $sym"
					cat > /dev/null	# no SIGPIPE for the writers
					exit 0
				fi ;;
			esac
		done
		exit 1
	}
}
