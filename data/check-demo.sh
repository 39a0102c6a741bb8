#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-demo.sh DEMO.xml [EXPECTED_MACHINES]
# Opens the demo host file with libvirt's test driver (through virsh) and checks
# that it lists the expected number of machines, the "default" pool with the
# volumes the machines use, and the "default" network.
set -eu

demo=${1:?usage: check-demo.sh DEMO.xml [EXPECTED_MACHINES]}
expected=${2:-12}

if ! command -v virsh >/dev/null 2>&1; then
  echo "SKIP: virsh not found (Debian: apt-get install libvirt-clients)"
  exit 77
fi

case $demo in
  /*) ;;
  *) demo=$(pwd)/$demo ;;
esac
uri="test://$demo"
fail=0

if ! names=$(virsh -q -c "$uri" list --all --name); then
  echo "FAIL: the test driver cannot open $demo"
  exit 1
fi
names=$(printf '%s\n' "$names" | sed '/^$/d')
count=$(printf '%s\n' "$names" | sed '/^$/d' | wc -l)
echo "machines listed: $count"
if [ "$count" -ne "$expected" ]; then
  echo "FAIL: expected $expected machines in $demo, virsh lists $count"
  fail=1
fi

for state in running paused "shut off"; do
  if ! virsh -q -c "$uri" list --all | grep -q "  $state\$"; then
    echo "FAIL: no machine in state '$state'"
    fail=1
  fi
done

if [ -z "$(virsh -q -c "$uri" list --transient --name | sed '/^$/d')" ]; then
  echo "FAIL: no transient machine"
  fail=1
fi
if [ -z "$(virsh -q -c "$uri" list --all --with-managed-save --name | sed '/^$/d')" ]; then
  echo "FAIL: no machine with a managed save image"
  fail=1
fi

vols=$(virsh -q -c "$uri" vol-list default | awk '{print $2}')
for name in $names; do
  for path in $(virsh -c "$uri" domblklist "$name" --details | awk '$2 == "disk" {print $4}'); do
    if ! printf '%s\n' "$vols" | grep -qx "$path"; then
      echo "FAIL: disk $path of $name is not a volume of pool 'default'"
      fail=1
    fi
  done
done

# Every libosinfo id must exist in the osinfo database (when one is installed).
osinfo_dir=${OSINFO_SYSTEM_DIR:-/usr/share/osinfo}
if [ -d "$osinfo_dir/os" ]; then
  ids=$(sed -n 's/.*<libosinfo:os id="\([^"]*\)".*/\1/p' "$demo")
  missing=$(printf '%s\n' "$ids" | while read -r id; do
    grep -rqF "<os id=\"$id\"" "$osinfo_dir/os" || echo "$id"
  done)
  if [ -n "$missing" ]; then
    echo "FAIL: libosinfo ids not in $osinfo_dir: $(echo "$missing" | tr '\n' ' ')"
    fail=1
  fi
else
  echo "note: no osinfo database in $osinfo_dir, libosinfo ids not checked"
fi

if ! virsh -q -c "$uri" net-list --all --name | grep -qx default; then
  echo "FAIL: network 'default' missing"
  fail=1
fi

[ "$fail" -eq 0 ] && echo "OK: $demo"
exit "$fail"
