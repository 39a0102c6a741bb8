#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# private-libvirtd.sh start|stop|uri DIR — a libvirtd (QEMU driver) of its own
# for Piso's live tests, sharing no state with the host's qemu:///system.
#
#   start DIR  starts virtlogd and libvirtd (whichever is not running), waits
#              until the API answers and prints the URI. After a libvirtd crash
#              or kill it starts libvirtd again in the same private namespace,
#              so the running guests and their serial logs carry on.
#   stop DIR   destroys the running domains and stops both daemons (by PID).
#              DIR is left for the caller to remove.
#   uri DIR    prints qemu:///system?socket=DIR/sock/libvirt-sock
#
# Must run as root. The daemons live in a mount namespace of their own where
# DIR/{run,lib,log,cache,etc} are bind-mounted over /run/libvirt,
# /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt and /etc/libvirt; only
# the client socket is visible outside, in DIR/sock. So a path such as
# /var/log/libvirt/qemu/NAME-serial.log in a domain is DIR/log/qemu/… here.
# Keep DIR short (a UNIX socket path has at most 107 bytes) and
# world-traversable. Network, /dev/kvm and cgroups are shared with the host:
# give domains names no other libvirtd uses at the same time.
#
# PISO_LIBVIRTD_HOST_UUID=UUID and PISO_LIBVIRTD_MIGRATION_PORTS=MIN-MAX (at
# the first start of DIR): the daemon's host_uuid and the ports its QEMU
# receives migrations on, for two daemons that migrate to each other (libvirt
# refuses to migrate between daemons with the same host UUID). Such a daemon
# puts its guests in no cgroup (see below).
#
# PISO_LIBVIRT_CACHE=DIR2: seed DIR's QEMU capability cache from DIR2 and save
# it there after the first probe, so later instances answer in a fraction of a
# second instead of probing QEMU again (~8 s).
set -euo pipefail

die() { echo "private-libvirtd: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 start|stop|uri DIR"
VERB=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
[ ${#DIR} -le 80 ] || die "$DIR is too long for a socket path"
URI="qemu:///system?socket=$DIR/sock/libvirt-sock"

pid_of() { # running pid of daemon $1, or nothing
  local f=$DIR/$1.pid pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  # a killed daemon stays visible (as a zombie) until it is reaped
  if grep -qs "$1" "/proc/$pid/comm" &&
     ! grep -qs '^State:[[:space:]]*[ZX]' "/proc/$pid/status"; then
    echo "$pid"
  fi
}

answers() { virsh -q -c "$URI" version >/dev/null 2>&1; }

start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  # What udev would do: without it libvirt re-probes QEMU on every call
  # (the probe and its later /dev/kvm access check disagree).
  if [ -c /dev/kvm ] && getent group kvm >/dev/null; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
  local logd libvirtd
  logd=$(pid_of virtlogd)
  libvirtd=$(pid_of libvirtd)
  if [ -n "$libvirtd" ]; then
    # starting up, or still dying after a kill: give it a moment
    for _ in $(seq 50); do
      if answers; then echo "$URI"; return; fi
      libvirtd=$(pid_of libvirtd)
      [ -n "$libvirtd" ] || break
      sleep 0.1
    done
  fi
  if [ -z "$logd" ]; then
    [ -z "$libvirtd" ] || die "libvirtd runs without virtlogd; stop it first"
    mkdir -p "$DIR"/{run,lib/qemu,log/qemu,cache/qemu,etc,sock}
    chmod 711 "$DIR" "$DIR/lib" "$DIR/cache"
    chown libvirt-qemu:libvirt-qemu "$DIR/lib/qemu" 2>/dev/null || true
    cp /etc/libvirt/*.conf "$DIR/etc/"
    echo "unix_sock_dir = \"$DIR/sock\"" >> "$DIR/etc/libvirtd.conf"
    if [ -n "${PISO_LIBVIRTD_HOST_UUID:-}" ]; then
      echo "host_uuid = \"$PISO_LIBVIRTD_HOST_UUID\"" >> "$DIR/etc/libvirtd.conf"
    fi
    if [ -n "${PISO_LIBVIRTD_MIGRATION_PORTS:-}" ]; then
      printf 'migration_port_min = %d\nmigration_port_max = %d\n' \
        "${PISO_LIBVIRTD_MIGRATION_PORTS%-*}" "${PISO_LIBVIRTD_MIGRATION_PORTS#*-}" \
        >> "$DIR/etc/qemu.conf"
      # Both daemons run the same domain (same name) while it moves, and
      # libvirt names a guest's cgroup qemu-ID-NAME with IDs counted per
      # daemon: in one of the two directions both QEMUs land in one cgroup,
      # and the source's libvirt spends ~1 s retrying to remove it (busy)
      # after every such move. No cgroups here, as between two real hosts
      # no shared ones.
      echo "cgroup_controllers = [ ]" >> "$DIR/etc/qemu.conf"
    fi
    # In a root made by build-aux/piso-root.sh (a chroot with a /dev of its
    # own) QEMU cannot make its serial PTYs in the private /dev libvirt gives
    # it: there, QEMU shares the root's /dev.
    if [ -n "${PISO_ROOT_PLATFORM:-}" ]; then
      echo "namespaces = [ ]" >> "$DIR/etc/qemu.conf"
    fi
    local seed=${PISO_LIBVIRT_CACHE:-}
    if [ -n "$seed" ] && [ -d "$seed/capabilities" ]; then
      cp -a "$seed/capabilities" "$DIR/cache/qemu/"
    fi
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private bash -ec '
      D=$1
      mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
      mount --bind "$D/run" /run/libvirt
      mount --bind "$D/lib" /var/lib/libvirt
      mount --bind "$D/log" /var/log/libvirt
      mount --bind "$D/cache" /var/cache/libvirt
      mount --bind "$D/etc" /etc/libvirt
      virtlogd -d -p "$D/virtlogd.pid"
      libvirtd -d -p "$D/libvirtd.pid"' bash "$DIR"
  else
    # virtlogd keeps the namespace alive: start libvirtd again inside it
    [ -z "$libvirtd" ] || die "libvirtd ($libvirtd) runs but does not answer"
    rm -f "$DIR/sock/libvirt-sock" "$DIR/sock/libvirt-sock-ro" "$DIR/sock/libvirt-admin-sock"
    # (--root: in a chroot, entering a mount namespace alone would put
    # libvirtd at that namespace's real root, outside the chroot)
    nsenter --target "$logd" --mount --root libvirtd -d -p "$DIR/libvirtd.pid"
  fi
  # The socket appears at once, but calls block until the QEMU driver is ready.
  local i
  for i in $(seq 900); do
    if answers; then
      save_cache
      echo "$URI"
      return
    fi
    [ $((i % 50)) -ne 0 ] || [ -n "$(pid_of libvirtd)" ] ||
      die "libvirtd exited (see $DIR/log/libvirtd.log)"
    sleep 0.1
  done
  die "libvirtd did not answer within 90 s (see $DIR/log/libvirtd.log)"
}

save_cache() {
  local seed=${PISO_LIBVIRT_CACHE:-} tmp
  [ -n "$seed" ] && [ ! -d "$seed/capabilities" ] || return 0
  [ -n "$(ls -A "$DIR/cache/qemu/capabilities" 2>/dev/null)" ] || return 0
  mkdir -p "$seed"
  tmp=$(mktemp -d "$seed/.new.XXXXXX")
  cp -a "$DIR/cache/qemu/capabilities" "$tmp/"
  mv -T "$tmp/capabilities" "$seed/capabilities" 2>/dev/null || true
  rm -rf "$tmp"
}

stop() {
  local d f p pid
  if [ -n "$(pid_of libvirtd)" ]; then
    for d in $(virsh -q -c "$URI" list --name 2>/dev/null); do
      virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
    done
  fi
  # Guests left behind by a libvirtd that is gone: their pid files are ours.
  for f in "$DIR"/run/qemu/*.pid; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    if grep -qs qemu "/proc/$pid/comm"; then kill "$pid" 2>/dev/null || true; fi
  done
  for p in libvirtd virtlogd; do
    pid=$(pid_of $p)
    [ -n "$pid" ] || continue
    kill "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  done
}

case $VERB in
  start) start ;;
  stop) stop ;;
  uri) echo "$URI" ;;
  *) die "usage: $0 start|stop|uri DIR" ;;
esac
