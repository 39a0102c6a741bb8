#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# piso-dev.sh run [PISO ARGS…]   install what is missing, build in _build/,
#                                make sure a libvirt daemon answers, start Piso
# piso-dev.sh test [MESON TEST ARGS…]
#                                install what is missing (test tools too), build
#                                with ASan/UBSan in _build-test/, start what the
#                                tests need (Xvfb, a D-Bus session; the live
#                                tests start private libvirtds) and run them all
#                                (or those the arguments pick: --suite live,
#                                test-window …)
# piso-dev.sh deps [run|test]    only install what run (or test) needs
# piso-dev.sh packages [run|test]  print those Debian packages, one line
# piso-dev.sh platform           print this system's release and the versions
#                                of GTK, libadwaita, libvirt and QEMU
#
# The test guest and libvirt's QEMU capability cache are kept across runs in
# /var/tmp/piso-testbed (PISO_TESTBED_CACHE=DIR to use another directory).
#
# Packages come from apt-get (Debian 12 and derivatives). Elsewhere the script
# prints the package list and stops. Installing needs root (or sudo).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTBED_DIR=${PISO_TESTBED_CACHE:-/var/tmp/piso-testbed}

BUILD_PACKAGES=(
  gcc libc6-dev meson ninja-build pkg-config gettext
  libgtk-4-dev libadwaita-1-dev libvirt-dev libvirt-glib-1.0-dev libxml2-dev libsoup-3.0-dev
  libspice-client-glib-2.0-dev libosinfo-1.0-dev wayland-protocols libwayland-bin
  libgtksourceview-5-dev libgnutls28-dev
)
# GStreamer: spice-client-glib decodes the video streams of busy screen areas with it.
# adwaita-icon-theme: GTK only recommends it, and without it every icon is a
# broken image (a minimal system, or one that skips recommendations); and
# librsvg2-common, the SVG loader: GTK 4.18 draws the simplest symbolic icons
# without it, but others (Undo, Edit) are a broken image.
RUN_PACKAGES=(libvirt-daemon-system qemu-system-x86 qemu-utils libgl1-mesa-dri libgtksourceview-5-0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good adwaita-icon-theme librsvg2-common)
TEST_PACKAGES=(
  ovmf xvfb xauth dbus-daemon imagemagick xdotool weston virt-viewer virtinst
  busybox-static cpio xorriso grub-pc-bin grub-efi-amd64-bin mtools debootstrap rsync e2fsprogs xclip
  desktop-file-utils appstream python3-xlib python3-dogtail python3-pyatspi at-spi2-core
  pulseaudio gstreamer1.0-pulseaudio sway locales openssh-server openssh-client
)
# Debian's release: this system's, or the one PISO_DEBIAN_VERSION names (for
# the list of another release's packages, as build-aux/piso-root.sh asks).
# Debian 13 moved QEMU's SPICE server and QXL display into a package of
# their own (only recommended by qemu-system-x86): without it no console.
debian_version() {
  if [ -n "${PISO_DEBIAN_VERSION:-}" ]; then
    echo "$PISO_DEBIAN_VERSION"
  else
    # shellcheck disable=SC1091 # the running system's release
    ( . /etc/os-release 2>/dev/null
      if [ "${ID:-}" = debian ]; then echo "${VERSION_ID:-99}"; else echo 0; fi )
  fi
}
if [ "$(debian_version)" -ge 13 ] ||
   { [ "$(debian_version)" = 0 ] && apt-cache show qemu-system-modules-spice >/dev/null 2>&1; }; then
  RUN_PACKAGES+=(qemu-system-modules-spice)
fi

say() { printf '\033[1mpiso-dev:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root for: $*"
  fi
}

packages_for() { # run|test
  case $1 in
    run) echo "${BUILD_PACKAGES[*]} ${RUN_PACKAGES[*]}" ;;
    test) echo "${BUILD_PACKAGES[*]} ${RUN_PACKAGES[*]} ${TEST_PACKAGES[*]}" ;;
    *) die "packages for what? run or test" ;;
  esac
}

# "Debian GNU/Linux 13 (trixie): GTK 4.18.6, libadwaita 1.7.6, libvirt 11.3.0, QEMU 10.0.3"
platform() {
  local name v gtk adw virt qemu
  # shellcheck disable=SC1091 # the running system's release
  name=$( . /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown system}")
  v() { pkg-config --modversion "$1" 2>/dev/null || echo '?'; }
  gtk=$(v gtk4); adw=$(v libadwaita-1); virt=$(v libvirt)
  qemu=$(qemu-system-x86_64 --version 2>/dev/null | sed -n '1s/.*version \([0-9.]*\).*/\1/p')
  echo "$name: GTK $gtk, libadwaita $adw, libvirt $virt, QEMU ${qemu:-?}"
}

install_packages() {
  local missing=() p
  if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    say "this is not a Debian-like system; install the equivalents of these Debian 12 packages:"
    echo "$*"
    exit 1
  fi
  for p in "$@"; do
    if ! dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The device mode udev would set. Without udev (containers, no systemd)
# libvirt's QEMU probe and its later /dev/kvm check disagree, and it re-probes
# QEMU on every define/start (seconds each).
fix_kvm_mode() {
  if [ "$(id -u)" = 0 ] && [ -c /dev/kvm ] && getent group kvm >/dev/null; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
}

pid_running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

ensure_libvirtd() {
  local uri=qemu:///system
  if virsh -q -c "$uri" version >/dev/null 2>&1; then
    return 0
  fi
  if [ -d /run/systemd/system ]; then
    say "libvirt's daemon does not answer on $uri. Enable it with:"
    say "  sudo systemctl enable --now libvirtd.socket"
    say "  (on distributions with modular daemons: sudo systemctl enable --now virtqemud.socket)"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    say "libvirt's daemon does not answer on $uri and there is no service manager:"
    say "  start it as root: virtlogd -d; libvirtd -d"
    return 0
  fi
  say "starting virtlogd and libvirtd (no service manager)"
  fix_kvm_mode
  pid_running /run/virtlogd.pid || virtlogd -d
  pid_running /run/libvirtd.pid || libvirtd -d
  # calls block until the QEMU driver has probed QEMU (~8 s the first time)
  for _ in $(seq 600); do
    if virsh -q -c "$uri" version >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  die "libvirtd did not answer within 60 s (see /var/log/libvirt/libvirtd.log)"
}

build() { # DIR [meson options]
  local dir=$1
  shift
  if [ ! -f "$SRC/$dir/build.ninja" ]; then
    meson setup "$SRC/$dir" "$SRC" "$@"
  elif [ $# -gt 0 ]; then
    meson configure "$SRC/$dir" "$@"
  fi
  meson compile -C "$SRC/$dir"
}

cmd_run() {
  install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}"
  build _build
  ensure_libvirtd
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    say "built, but there is no display to show Piso on (neither DISPLAY nor"
    say "WAYLAND_DISPLAY is set). Run this from a graphical session; there,"
    say "  $0 run --demo"
    say "shows sample machines without any hypervisor."
    exit 1
  fi
  exec meson devenv -C "$SRC/_build" piso "$@"
}

XVFB_PID=
cleanup() {
  if [ -n "$XVFB_PID" ]; then
    kill "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  rm -f "${DISPLAY_FILE:-}"
}

start_xvfb() {
  DISPLAY_FILE=$(mktemp)
  # -displayfd: the server picks a free display and writes it when ready
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$DISPLAY_FILE" \
    >/dev/null 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 200); do
    [ -s "$DISPLAY_FILE" ] && break
    kill -0 "$XVFB_PID" 2>/dev/null || die "Xvfb did not start"
    sleep 0.05
  done
  [ -s "$DISPLAY_FILE" ] || die "Xvfb did not report a display"
  DISPLAY=":$(cat "$DISPLAY_FILE")"
  export DISPLAY
  say "Xvfb on $DISPLAY"
}

cmd_test() {
  local start=$SECONDS log status
  install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  build _build-test -Dsanitize=true -Dlive_tests=true
  say "built in $((SECONDS - start)) s"

  # The live tests (suite 'live') start private libvirtds with this guest.
  if [ "$(id -u)" = 0 ]; then
    fix_kvm_mode
    # (piso-root.sh lends the machine's own guest to the root as it is, with
    # PISO_LIVE_LENT_GUEST_DIR: built by this script's run on the machine)
    if [ -n "${PISO_LIVE_LENT_GUEST_DIR:-}" ] && [ -f "$PISO_LIVE_LENT_GUEST_DIR/stamp" ]; then
      say "test guest: $PISO_LIVE_LENT_GUEST_DIR"
      export PISO_LIVE_GUEST_DIR=$PISO_LIVE_LENT_GUEST_DIR
      export PISO_LIBVIRT_CACHE=$TESTBED_DIR/libvirt-cache
    elif "$SRC/tests/testbed/make-guest.sh" "$TESTBED_DIR/guest"; then
      export PISO_LIVE_GUEST_DIR=$TESTBED_DIR/guest
      export PISO_LIBVIRT_CACHE=$TESTBED_DIR/libvirt-cache
    elif [ "${CI:-}" = true ]; then
      die "could not build the test guest"
    else
      say "could not build the test guest: the live tests will skip"
    fi
    # X with spice-vdagent for the agent tests (clipboard, resize): ~1 min once
    # (or one built already, given by PISO_LIVE_AGENT_GUEST_DIR: piso-root.sh
    # lends the machine's own to the root it runs the tests in)
    if [ -n "${PISO_LIVE_AGENT_GUEST_DIR:-}" ] && [ -f "$PISO_LIVE_AGENT_GUEST_DIR/agent.qcow2" ]; then
      say "agent test guest: $PISO_LIVE_AGENT_GUEST_DIR"
    elif "$SRC/tests/testbed/make-agent-guest.sh" "$TESTBED_DIR/agent-guest"; then
      export PISO_LIVE_AGENT_GUEST_DIR=$TESTBED_DIR/agent-guest
    elif [ "${CI:-}" = true ]; then
      die "could not build the agent test guest"
    else
      say "could not build the agent test guest: the agent live tests will skip"
    fi
  else
    say "not root: the live tests (private libvirtd) will skip"
  fi

  # The UI tests in Spanish need its locale (gettext ignores LANGUAGE in C.UTF-8
  # from glibc 2.41): made once from the locales package's definitions.
  if ! locale -a 2>/dev/null | grep -qix 'es_ES.utf8'; then
    if [ "$(id -u)" = 0 ]; then
      localedef -i es_ES -c -f UTF-8 es_ES.UTF-8 || say "could not make the es_ES.UTF-8 locale"
    else
      say "no es_ES.UTF-8 locale (run as root once to make it): the Spanish UI tests will fail"
    fi
  fi

  trap cleanup EXIT
  start_xvfb
  export GDK_BACKEND=x11 GSK_RENDERER=cairo
  unset WAYLAND_DISPLAY

  log=$(mktemp)
  set +e
  dbus-run-session -- meson test -C "$SRC/_build-test" --print-errorlogs "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e

  # Which platform these results are from, the tests that failed, and meson's
  # summary ("Ok: N", "Fail: N", …) as one plain closing line.
  echo "platform: $(platform)"
  sed -n 's/^ *[0-9]*\/[0-9]* \(.*[^ ]\) *\(FAIL\|TIMEOUT\|UNEXPECTEDPASS\|ERROR\) .*/failed: \1/p' "$log" | awk '!seen[$0]++'
  # and why, in short (the failing TAP lines and the errors logged, from
  # meson's full log: its console shows neither), so that the end of a long
  # CI output says it
  if [ "$status" != 0 ]; then
    # (a failure's diagnostics can quote what Piso printed as it died: up
    # to 12 of their lines)
    # (and where a critical or a sanitizer report came from: the first 16
    # frames of the first stack the tests' stderr shows)
    awk '/^not ok / { print; more = 12; next }
         /^Bail out!|ERROR: |Timed out|Traceback/ { print; more--; next }
         more > 0 && /^#/ { print; more--; next } { more = 0 }
         /^    #[0-9]+ 0x[0-9a-f]+ in / && frames < 16 { sub(/^ +/, "stack: "); print; frames++ }' \
      "$SRC/_build-test/meson-logs/testlog.txt" | cut -c1-300 |
      awk '!seen[$0]++' | head -n 40 | sed 's/^/why: /'
  fi
  awk -v secs=$((SECONDS - start)) '
    /^Ok:/ { ok = $2 }
    /^Expected Fail:/ { xfail = $3 }
    /^Fail:/ { fail = $2 }
    /^Unexpected Pass:/ { xpass = $3 }
    /^Skipped:/ { skip = $2 }
    /^Timeout:/ { timeout = $2 }
    END {
      printf "tests: %d passed, %d failed, %d skipped (%d s)\n",
             ok + xfail, fail + xpass + timeout, skip, secs
    }' "$log"
  rm -f "$log"
  return "$status"
}

case ${1:-} in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  deps)
    # shellcheck disable=SC2046 # a list of package names
    install_packages $(packages_for "${2:-test}") ;;
  packages) packages_for "${2:-test}" ;;
  platform) platform ;;
  *)
    echo "usage: $0 run [PISO ARGUMENTS…] | $0 test | $0 deps|packages [run|test] | $0 platform" >&2
    exit 2
    ;;
esac
