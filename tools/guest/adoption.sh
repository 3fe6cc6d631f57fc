#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for tools/adoption: the module tree DKMS
# installed is /lib/modules/$(uname -r); depmod it, modprobe from it, run
# the client sample and both builds of the converted module.  Prints
# KTAP between markers.
n=0 fails=0
t() {	# t DESCRIPTION COMMAND...
	d=$1
	shift
	n=$((n + 1))
	if "$@" > /tmp/out 2>&1; then
		echo "ok $n $d"
	else
		fails=$((fails + 1))
		echo "not ok $n $d"
		sed 's/^/# /' /tmp/out
	fi
}
V=$(cat /pcslab/version)
echo "===KTAP-BEGIN==="
echo "TAP version 13"
echo "1..9"
t "depmod of the DKMS module tree" depmod -a
t "modprobe pcslab (from updates/dkms)" modprobe pcslab
t "loaded pcslab is version $V" sh -c "[ \"\$(cat /sys/module/pcslab/version)\" = '$V' ]"
t "modprobe pcslab_test scenario=remote" modprobe pcslab_test scenario=remote nr_ops=20000
t "client sample: allocate in one context, free in another" insmod /pcslab/adopt/pcslab_client.ko
t "flowtab on kmem_cache (before conversion)" insmod /pcslab/adopt/orig/flowtab.ko
t "rmmod flowtab (kmem_cache)" rmmod flowtab
t "flowtab converted by the Coccinelle script, on pcslab" insmod /pcslab/adopt/conv/flowtab.ko
t "unload all; pcslab frees every page" sh -c 'rmmod flowtab pcslab_client pcslab_test &&
	[ "$(cat /sys/kernel/debug/pcslab/pages)" = 0 ] && modprobe -r pcslab'
dmesg | grep -E 'pcslab|flowtab' | sed 's/^/# /'
echo "===KTAP-END==="
[ $fails -eq 0 ]
