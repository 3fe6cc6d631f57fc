#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad input table: load the pcslab_test cache, run bad_input on it.
. "$(dirname "$(readlink -f "$0")")/pcslab_lib.sh"

pcslab_require_root
pcslab_core_up
pcslab_test_down
pcslab_load pcslab_test scenario=local nr_ops=1000 || {
	ktap_print_header
	ktap_exit_fail_msg "pcslab_test failed to load"
}
"$DIR/bad_input"
rc=$?
rmmod pcslab_test
exit $rc
