#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# make-domain.sh NAME GUEST_DIR [KERNEL_ARGS] — print the test guest's domain
# XML (domain.xml.in filled in). The domain type is kvm only when /dev/kvm is
# usable and backed by kvm_intel or kvm_amd; anything else (no /dev/kvm, or a
# kvm_pvm one on which guests crawl) gets TCG. DOMAIN_TYPE= overrides it.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 NAME GUEST_DIR [KERNEL_ARGS]" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
TYPE=${DOMAIN_TYPE:-qemu}
if [ -z "${DOMAIN_TYPE:-}" ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
   { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
  TYPE=kvm
fi
sed -e "s|@NAME@|$1|g" -e "s|@TYPE@|$TYPE|g" -e "s|@GUEST_DIR@|$2|g" \
    -e "s|@CMDLINE@|${3:-}|g" -e '/^@DEVICES@$/d' "$HERE/domain.xml.in"
