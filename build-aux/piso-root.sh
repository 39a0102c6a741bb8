#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# piso-root.sh PLATFORM [PISO-DEV ARGUMENTS…] — run build-aux/piso-dev.sh in a
# Debian root of another release, made on this machine:
#
#   build-aux/piso-root.sh debian-13 test     the whole suite on Debian 13 (trixie)
#   build-aux/piso-root.sh debian-12 test     … on Debian 12 (bookworm)
#   build-aux/piso-root.sh debian-13 prepare  only make the root (if it is not there)
#   build-aux/piso-root.sh debian-13 shell    a shell in it (at the source copy)
#   build-aux/piso-root.sh debian-13 shell -c 'meson test -C _build-test test-window'
#
# PLATFORM is debian-12 or debian-13. The root is made once with debootstrap
# from the Debian mirror this machine's own apt sources use
# (build-aux/piso-debian-mirror.sh), with every package `piso-dev.sh test`
# needs, and kept in $PISO_TESTBED_CACHE/roots (/var/tmp/piso-testbed/roots),
# keyed by the release and the package list: a changed list makes a new root.
# Each run copies this source tree into the root's /src (the root's build
# directories stay, so a second run only rebuilds what changed) and runs
# `build-aux/piso-dev.sh ARGUMENTS` there with CI passed through.
#
# The run happens in a mount and PID namespace of its own: the root gets its
# own /proc, /sys, a /dev with only the nodes the tests use (never the host's
# /dev: package scripts chmod device nodes), /dev/pts, /run and /tmp as tmpfs,
# and the host's cgroup hierarchies (libvirt puts its guests in them). When
# the run ends — or this script is killed — the kernel ends every process it
# started (libvirtd, QEMU, Xvfb…) and drops those mounts with the namespace;
# the host's libvirt, /run and /dev are never visible in it. Before anything
# under a root is deleted the host's mount table is checked: nothing may be
# mounted under it (what is gets unmounted, and if that fails nothing is
# deleted), and removal never crosses into another file system.
#
# Needs root, debootstrap, unshare and chroot (util-linux, coreutils).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTBED_DIR=${PISO_TESTBED_CACHE:-/var/tmp/piso-testbed}
ROOTS=$TESTBED_DIR/roots
# Bump when the way a root is made changes, so old roots are not reused.
ROOT_FORMAT=1

say() { printf '\033[1mpiso-root:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ $# -ge 1 ] || die "usage: $0 debian-12|debian-13 [piso-dev.sh arguments…]"
PLATFORM=$1
shift
case $PLATFORM in
  debian-12) SUITE=bookworm VERSION=12 ;;
  debian-13) SUITE=trixie VERSION=13 ;;
  *) die "unknown platform $PLATFORM (debian-12 or debian-13)" ;;
esac
[ $# -gt 0 ] || set -- test
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, mounts, chroot)"

# --- mounts: what is mounted at or under a directory, as the host sees it ------
mounts_under() { # DIR → mount points at or below DIR, deepest first
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
    sort -r
}

# Deletes DIR only when nothing is mounted under it any more.
safe_remove() {
  local dir=$1 m
  [ -e "$dir" ] || return 0
  for m in $(mounts_under "$dir"); do
    say "unmounting $m (left over under $dir)"
    umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  if [ -n "$(mounts_under "$dir")" ]; then
    die "still mounted under $dir, not removing it: $(mounts_under "$dir" | tr '\n' ' ')"
  fi
  rm -rf --one-file-system -- "$dir"
}

# --- running a command in the root ---------------------------------------------
# in_root ROOT MODE COMMAND…: MODE is "setup" (apt-get: no cgroups, no devices
# beyond the basic ones) or "run" (what the tests need).
in_root() {
  local root=$1 mode=$2
  shift 2
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare --mount --propagation private --pid --fork --kill-child -- bash -euc '
    R=$1 MODE=$2
    shift 2
    # the root a mount point of its own, so that namespaces made inside it
    # (private-libvirtd.sh) can change its propagation
    mount --bind "$R" "$R"
    mount -t proc proc "$R/proc"
    mount -t sysfs sysfs "$R/sys"
    mount -t tmpfs -o mode=755,nosuid dev "$R/dev"
    for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
      IFS=: read -r name major minor <<< "$node"
      mknod -m 666 "$R/dev/$name" c "$major" "$minor"
    done
    mkdir -p "$R/dev/pts" "$R/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$R/dev/pts"
    # a node, not a link to pts/ptmx: it opens the devpts next to it (Linux 4.7+),
    # and libvirt copies it into the /dev it gives each QEMU
    mknod -m 666 "$R/dev/ptmx" c 5 2
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
    ln -s /proc/self/fd "$R/dev/fd"
    ln -s /proc/self/fd/0 "$R/dev/stdin"
    ln -s /proc/self/fd/1 "$R/dev/stdout"
    ln -s /proc/self/fd/2 "$R/dev/stderr"
    mount -t tmpfs -o mode=755,nosuid,nodev run "$R/run"
    # what a booted system has in /run (/var/lock leads there: libvirt locks
    # the serial consoles it opens)
    mkdir -m 1777 "$R/run/lock"
    if [ "$MODE" = run ]; then
      # libvirt puts its guests in cgroups; QEMU may use these devices
      mount --rbind /sys/fs/cgroup "$R/sys/fs/cgroup"
      mkdir -p "$R/dev/net"
      mknod -m 666 "$R/dev/net/tun" c 10 200
      if [ -c /dev/kvm ]; then
        touch "$R/dev/kvm"
        mount --bind /dev/kvm "$R/dev/kvm"
      fi
      mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$R/tmp"
      # the machine'"'"'s agent test guest, read-only, when it has one
      if [ -n "$AGENT_GUEST" ]; then
        mkdir -p "$R$AGENT_GUEST_IN_ROOT"
        mount --bind -o ro "$AGENT_GUEST" "$R$AGENT_GUEST_IN_ROOT"
        mount -o remount,bind,ro "$R$AGENT_GUEST_IN_ROOT"
      fi
    fi
    exec chroot "$R" "$@"' bash "$root" "$mode" \
    /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" DEBIAN_FRONTEND=noninteractive \
    PISO_ROOT_PLATFORM="$PLATFORM" \
    ${DISPLAY:+DISPLAY="$DISPLAY"} \
    ${AGENT_GUEST:+PISO_LIVE_AGENT_GUEST_DIR="$AGENT_GUEST_IN_ROOT"} "$@"
}

# The agent test guest (X and spice-vdagent on Debian 12, ~8 minutes to make
# in a fresh root) is the same whatever the platform under test: lend the
# machine's own when piso-dev.sh has made one here.
AGENT_GUEST=
AGENT_GUEST_IN_ROOT=/var/tmp/piso-host-agent-guest
if [ -f "$TESTBED_DIR/agent-guest/agent.qcow2" ] && [ -f "$TESTBED_DIR/agent-guest/stamp" ]; then
  AGENT_GUEST=$TESTBED_DIR/agent-guest
fi
export AGENT_GUEST AGENT_GUEST_IN_ROOT

# --- the root -----------------------------------------------------------------
PACKAGES=$(PISO_DEBIAN_VERSION=$VERSION "$SRC/build-aux/piso-dev.sh" packages test)
KEY=$(printf '%s\n' "$ROOT_FORMAT" "$SUITE" "$PACKAGES" | sha256sum | cut -c1-12)
ROOT=$ROOTS/$PLATFORM-$KEY

make_root() {
  local new=$ROOT.new mirror security start=$SECONDS
  mirror=$("$SRC/build-aux/piso-debian-mirror.sh" main) ||
    die "no Debian mirror in this machine's apt sources"
  security=$("$SRC/build-aux/piso-debian-mirror.sh" security) || security=
  command -v debootstrap >/dev/null || "$SRC/build-aux/piso-dev.sh" deps test
  mkdir -p "$ROOTS/debs-$SUITE"
  safe_remove "$new"
  say "making a $PLATFORM ($SUITE) root from $mirror in $ROOT"
  debootstrap --variant=minbase --cache-dir="$ROOTS/debs-$SUITE" \
    --include=ca-certificates "$SUITE" "$new" "$mirror" > "$ROOTS/debootstrap.log" 2>&1 ||
    { tail -n 30 "$ROOTS/debootstrap.log" >&2; die "debootstrap failed"; }
  {
    echo "deb $mirror $SUITE main"
    echo "deb $mirror $SUITE-updates main"
    [ -z "$security" ] || echo "deb $security $SUITE-security main"
  } > "$new/etc/apt/sources.list"
  # no service may start while packages are installed
  printf '#!/bin/sh\nexit 101\n' > "$new/usr/sbin/policy-rc.d"
  chmod 755 "$new/usr/sbin/policy-rc.d"
  say "installing the test packages in it"
  # shellcheck disable=SC2086 # a list of package names
  in_root "$new" setup sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends "$@" &&
    apt-get clean' sh $PACKAGES > "$ROOTS/apt.log" 2>&1 ||
    { tail -n 30 "$ROOTS/apt.log" >&2; die "installing the packages failed (log: $ROOTS/apt.log)"; }
  rm -f "$new/usr/sbin/policy-rc.d"
  mkdir -p "$new/src"
  touch "$new/.piso-root"
  mv -T "$new" "$ROOT"
  say "root ready in $((SECONDS - start)) s"
}

START=$SECONDS
mkdir -p "$ROOTS"
exec 9> "$ROOTS/.lock"
flock 9
if [ ! -f "$ROOT/.piso-root" ]; then
  safe_remove "$ROOT"
  # roots of earlier package lists: only one per platform is kept
  for old in "$ROOTS/$PLATFORM"-*; do
    [ -d "$old" ] && [ "$old" != "$ROOT" ] && { say "removing the old root $old"; safe_remove "$old"; }
  done
  make_root
else
  say "using the root in $ROOT"
fi

if [ "$1" = prepare ]; then
  say "$PLATFORM root ready in $ROOT ($((SECONDS - START)) s)"
  exit 0
fi

# A fresh copy of the source; the build directories stay for incremental builds.
[ -z "$(mounts_under "$ROOT")" ] || die "something is mounted under $ROOT: not touching it"
find "$ROOT/src" -mindepth 1 -maxdepth 1 ! -name '_build' ! -name '_build-test' \
  -exec rm -rf --one-file-system -- {} +
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # tracked files and new ones that are not ignored: what a commit would hold
  git -C "$SRC" ls-files -z --cached --others --exclude-standard |
    (cd "$SRC" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
    tar -C "$SRC" --null -T - -cf - | tar -C "$ROOT/src" -xf -
else
  tar -C "$SRC" --exclude=./_build --exclude=./_build-test --exclude=./build -cf - . |
    tar -C "$ROOT/src" -xf -
fi

set +e
if [ "$1" = shell ]; then
  shift
  [ $# -gt 0 ] || say "a shell in the $PLATFORM root (exit to leave; everything started in it ends too)"
  in_root "$ROOT" run sh -c 'cd /src && exec bash "${@:--i}"' sh "$@"
else
  say "running piso-dev.sh $* in $PLATFORM"
  in_root "$ROOT" run sh -c 'cd /src && exec build-aux/piso-dev.sh "$@"' sh "$@"
fi
status=$?
set -e

# The namespace is gone with its last process, and its mounts with it.
leftover=$(mounts_under "$ROOT")
if [ -n "$leftover" ]; then
  say "mounts left under $ROOT after the run: $leftover"
  status=1
fi
say "$PLATFORM done in $((SECONDS - START)) s (exit $status)"
exit "$status"
