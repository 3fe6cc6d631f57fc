#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM: the pcslab kselftests, KTAP between markers.
cd /pcslab/selftests || exit 1
./run_kselftest.sh -c pcslab 2>&1 | cat > /tmp/ktap.log
dmesg -n 1
echo "===KTAP-BEGIN==="
cat /tmp/ktap.log
echo "===KTAP-END==="
echo "===DMESG-BEGIN==="
dmesg
echo "===DMESG-END==="
