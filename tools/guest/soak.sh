#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for "make soak": the soak selftest alone (its
# length in /pcslab/soak.seconds), KTAP between markers.
cd /pcslab/selftests/pcslab || exit 1
./soak.sh > /tmp/ktap.log 2>&1 || true
dmesg -n 1
echo "===KTAP-BEGIN==="
cat /tmp/ktap.log
echo "===KTAP-END==="
echo "===DMESG-BEGIN==="
dmesg
echo "===DMESG-END==="
