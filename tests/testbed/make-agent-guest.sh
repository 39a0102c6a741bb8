#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# make-agent-guest.sh OUTDIR — build Piso's agent test guest: a small Debian
# system with X and spice-vdagent, for the console's agent features
# (clipboard both ways, guest resolution from the client, client mouse mode).
# The guest is of the running system's own suite (bookworm on Debian 12,
# trixie on Debian 13), from the archive its apt sources use
# (tests/testbed/debian.sh), so that its kernel (the host suite's
# linux-image-amd64) and its userland belong together.
#
# OUTDIR receives:
#   vmlinuz       the Debian kernel (unpacked from the linux-image .deb, not installed)
#   initrd.img    a busybox-static initramfs that mounts /dev/vda and switches to it
#   agent.qcow2   the root file system (ext4 without a partition table, ~85 MB)
#   stamp         inputs of the last build; an unchanged build is skipped
#   cache/        the kernel .deb and the debootstrap/apt .debs, reused by later runs
#
# tests/testbed/domain-agent.xml.in is its libvirt domain. The guest:
#   - runs no init system: /sbin/piso-agent-init (PID 1) starts udev, the
#     spice-vdagentd daemon, Xorg on the QXL device (modesetting, no
#     acceleration), an xterm and the session's spice-vdagent;
#   - applies the resolution the client asks for: the QXL kernel driver only
#     sets a new preferred mode and sends a DRM change uevent (a desktop would
#     apply it), so a watcher runs "xrandr --auto" on each such event;
#   - prints "PISO-AGENT-READY name=<name> uptime=<s>" on ttyS0 once X answers
#     and spice-vdagent has registered with the daemon ("PISO-AGENT-FAILED …"
#     otherwise);
#   - has a root shell on ttyS0 with DISPLAY=:0 (xrandr, xclip work there);
#     logs in /tmp: spice-vdagentd.log, spice-vdagent.log, resize.log, Xorg.out;
#   - takes its name from the kernel argument piso.name=NAME, else "piso-agent".
#
# Must run as root (debootstrap, chroot, mounts). Needs debootstrap
# busybox-static cpio e2fsprogs qemu-utils dpkg and the Debian archive
# (~200 MB of .debs the first time; about a minute on two cores).
# MIRROR=URL overrides the archive found in the apt sources;
# KERNEL_DEB=/path/linux-image-….deb uses that kernel package instead of
# downloading one.
# QEMU runs as libvirt-qemu: OUTDIR and its parents must be world-traversable.
set -euo pipefail

say() { echo "make-agent-guest: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mount)"
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1/cache/debs" "$1/cache/apt"
OUT=$(cd "$1" && pwd)
chmod 755 "$OUT"
# shellcheck source=tests/testbed/debian.sh
. "$HERE/debian.sh"
SUITE=$(debian_suite) || die "not a Debian system with a release name"
MIRROR=$(debian_mirror "$SUITE") || die "no Debian archive for $SUITE"

need() { command -v "$1" >/dev/null || die "missing $1 (apt-get install $2)"; }
need debootstrap debootstrap
need busybox busybox-static
need cpio cpio
need mkfs.ext4 e2fsprogs
need qemu-img qemu-utils
need dpkg-deb dpkg
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  die "$BUSYBOX is not static (install busybox-static)"
fi

# --- the kernel package -------------------------------------------------------
DEB=$(debian_kernel_deb "$OUT/cache") || die "no kernel package"

# Skip the rebuild when neither the kernel, busybox nor this script changed
# (the guest's own packages come from the suite's current state at build time).
STAMP="$(basename "$DEB") $(md5sum < "$BUSYBOX" | cut -c1-32) $(cat "$0" "$HERE/debian.sh" | md5sum | cut -c1-32) $SUITE"
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP" ] &&
   [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ] && [ -f "$OUT/agent.qcow2" ]; then
  say "up to date in $OUT"
  exit 0
fi
START=$SECONDS
say "building from $(basename "$DEB") and $SUITE packages from $MIRROR"
rm -f "$OUT/stamp"

WORK=$(mktemp -d "$OUT/.build.XXXXXX")
R=$WORK/root
cleanup() {
  local m
  for m in "$R/var/cache/apt/archives" "$R/dev/pts" "$R/dev" "$R/sys" "$R/proc"; do
    if mountpoint -q "$m" 2>/dev/null; then umount -l "$m"; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the root file system -----------------------------------------------------
say "debootstrap $SUITE (minbase)"
debootstrap --variant=minbase --cache-dir="$OUT/cache/debs" "$SUITE" "$R" "$MIRROR" \
  > "$WORK/debootstrap.log" 2>&1 ||
  { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }

mount -t proc proc "$R/proc"
mount -t sysfs sys "$R/sys"
# A /dev of its own: package scripts (udev's) chgrp and chmod device nodes, and
# on the host's /dev they would change /dev/kvm to the chroot's group numbers.
mount -t tmpfs -o mode=755 dev "$R/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<< "$node"
  mknod -m 666 "$R/dev/$name" c "$major" "$minor"
done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts"
ln -sf pts/ptmx "$R/dev/ptmx"
mount --bind "$OUT/cache/apt" "$R/var/cache/apt/archives"
# no service may start inside the chroot
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"

PACKAGES=(kmod udev procps xserver-xorg-core xserver-xorg-input-libinput
          spice-vdagent xterm x11-xserver-utils xclip)
say "installing ${PACKAGES[*]}"
chroot "$R" env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
  apt-get install -y -q --no-install-recommends -o APT::Keep-Downloaded-Packages=true \
  "${PACKAGES[@]}" > "$WORK/apt.log" 2>&1 ||
  { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install failed in the guest"; }
rm -f "$R/usr/sbin/policy-rc.d"

# --- kernel and modules: only what the domain's devices need ------------------
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$WORK" --wildcards './boot/vmlinuz-*'
KVER=$(basename "$WORK"/boot/vmlinuz-*)
KVER=${KVER#vmlinuz-}
install -m 644 "$WORK/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
# ./lib/modules in Debian 12's kernel packages, ./usr/lib/modules in 13's (the
# root's /lib is a link to /usr/lib either way)
dpkg-deb --fsys-tarfile "$DEB" |
  tar -x -C "$R" --wildcards --wildcards-match-slash './lib/modules/*' './usr/lib/modules/*' \
    2>/dev/null || true
[ -d "$R/lib/modules/$KVER" ] || die "no modules for $KVER in $(basename "$DEB")"
chroot "$R" depmod "$KVER"

ROOT_MODULES="virtio_pci virtio_blk ext4 crc32c_generic"
MODULES="$ROOT_MODULES virtio_console virtio_balloon virtio_input qxl usbhid
         hid_generic uhci_hcd ehci_hcd xhci_pci evdev psmouse button qemu_fw_cfg uinput"
depends() { # module files (paths inside the root) that "$@" need, in load order
  # (as /lib/modules/…, also where the root keeps them in /usr/lib/modules)
  # shellcheck disable=SC2068
  chroot "$R" modprobe -a -S "$KVER" --show-depends $@ 2>/dev/null |
    awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | sed 's|^/usr/lib/modules/|/lib/modules/|'
}
# shellcheck disable=SC2086
depends $MODULES | LC_ALL=C sort > "$WORK/keep"
[ -s "$WORK/keep" ] || die "modprobe --show-depends found no modules"
find "$R/lib/modules/$KVER/kernel" -name '*.ko*' | sed "s|^$R||" | LC_ALL=C sort |
  comm -23 - "$WORK/keep" | sed "s|^|$R|" | xargs rm -f
find "$R/lib/modules/$KVER/kernel" -type d -empty -delete
chroot "$R" depmod "$KVER"

# --- the guest's configuration ------------------------------------------------
echo piso-agent > "$R/etc/hostname"
printf '127.0.0.1 localhost\n' > "$R/etc/hosts"
printf '/dev/vda / ext4 rw,relatime 0 1\n' > "$R/etc/fstab"
# QXL has no GL driver (and the Mesa drivers are removed below): modesetting
# with a shadow framebuffer only
mkdir -p "$R/etc/X11/xorg.conf.d"
cat > "$R/etc/X11/xorg.conf.d/10-piso-qxl.conf" <<'EOF'
Section "Device"
  Identifier "qxl"
  Driver "modesetting"
  Option "AccelMethod" "none"
EndSection
EOF
cat > "$R/root/.profile" <<'EOF'
export DISPLAY=:0 PS1='\h# ' TERM=dumb
EOF

cat > "$R/sbin/piso-agent-init" <<'EOF'
#!/bin/sh
# PID 1 of Piso's agent test guest: what X and spice-vdagent need, nothing more.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mountpoint -q /dev || mount -t devtmpfs dev /dev
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -o remount,rw /
NAME=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^piso\.name=//p' | tail -n1)
[ -n "$NAME" ] || NAME=piso-agent
hostname "$NAME"
SERIAL=/dev/ttyS0

/lib/systemd/systemd-udevd --daemon
udevadm trigger --action=add --type=subsystems
udevadm trigger --action=add --type=devices
udevadm settle --timeout=30

# The daemon moves the client's mouse through /dev/uinput and exits on the
# first agent connection without it; udev does not load the module by itself.
# -X: there is no logind or ConsoleKit session to check.
modprobe uinput
mkdir -p /run/spice-vdagentd
for _ in $(seq 50); do [ -e /dev/virtio-ports/com.redhat.spice.0 ] && break; sleep 0.2; done
spice-vdagentd -x -X -d > /tmp/spice-vdagentd.log 2>&1 &

Xorg :0 vt7 -nolisten tcp -noreset -novtswitch > /tmp/Xorg.out 2>&1 &
export DISPLAY=:0
for _ in $(seq 300); do xset q > /dev/null 2>&1 && break; sleep 0.2; done
xsetroot -solid '#305080'

# The client's monitors config reaches the QXL kernel driver, which only sets a
# new preferred mode and sends a DRM change uevent: apply it here.
( udevadm monitor --udev --subsystem-match=drm | while read -r line; do
    case $line in
      *change*)
        output=$(xrandr | awk '/ connected/ { print $1; exit }')
        xrandr --output "$output" --auto
        echo "resize: $(xrandr | head -n1)" >> /tmp/resize.log ;;
    esac
  done ) > /dev/null 2>&1 &

xterm -geometry 80x24+20+20 -e /bin/bash -l &
spice-vdagent -x > /tmp/spice-vdagent.log 2>&1 &
# registered once the daemon has the session's X resolution
for _ in $(seq 100); do
  grep -q 'xorg resolution' /tmp/spice-vdagentd.log 2>/dev/null && break
  sleep 0.1
done
UPTIME=$(cut -d' ' -f1 /proc/uptime)
if xset q > /dev/null 2>&1 && pgrep -x spice-vdagent > /dev/null &&
   pgrep -x spice-vdagentd > /dev/null; then
  echo "PISO-AGENT-READY name=$NAME uptime=$UPTIME" > $SERIAL
else
  echo "PISO-AGENT-FAILED name=$NAME uptime=$UPTIME (see /tmp/Xorg.out)" > $SERIAL
fi

# a root shell on the serial port, respawned; PID 1 reaps orphans meanwhile
( while :; do setsid -c /bin/bash -l < $SERIAL > $SERIAL 2>&1; sleep 1; done ) &
while :; do wait; sleep 1; done
EOF
chmod 755 "$R/sbin/piso-agent-init"

# --- shrink -------------------------------------------------------------------
# Mesa's DRI drivers and LLVM (~160 MB) come in through GTK 3 and the X server
# but are never used (no acceleration); cpp is only for xrdb. Purging them
# leaves dpkg with broken dependencies: do not apt-get install into the image.
# Their versions differ by suite (libllvm15/cpp-12 in bookworm, libllvm19/
# cpp-14 and Mesa's libgallium in trixie).
# shellcheck disable=SC2016
for p in $(chroot "$R" dpkg-query -W -f '${Package}\n' libgl1-mesa-dri 'mesa-libgallium*' \
             'libllvm*' libz3-4 cpp 'cpp-[0-9]*' adwaita-icon-theme 2>/dev/null); do
  chroot "$R" dpkg --purge --force-depends "$p" >> "$WORK/apt.log" 2>&1
done
umount "$R/var/cache/apt/archives" "$R/dev/pts" "$R/dev" "$R/sys" "$R/proc"
rm -f "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb "$R/usr/lib/udev/hwdb.bin"
rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* \
       "$R"/var/lib/apt/lists/* "$R"/var/log/*.log
find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +

# --- the initramfs: busybox, the root disk's modules, switch_root --------------
I=$WORK/initrd
mkdir -p "$I"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$BUSYBOX" "$I/bin/busybox"
for applet in sh mount umount insmod sleep switch_root cat; do
  ln -s busybox "$I/bin/$applet"
done
: > "$I/modules"
# shellcheck disable=SC2086
for ko in $(depends $ROOT_MODULES); do
  # plain modules for busybox's insmod (Debian 13 compresses them with xz)
  name=$(basename "$ko")
  case $name in
    *.ko.xz) name=${name%.xz}; "$BUSYBOX" xzcat "$R$ko" > "$I/lib/modules/$name" ;;
    *) cp "$R$ko" "$I/lib/modules/" ;;
  esac
  echo "$name" >> "$I/modules"
done
cat > "$I/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /modules); do insmod /lib/modules/$m 2>/dev/null; done
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  [ -b /dev/vda ] && break
  sleep 0.25
done
mount -t ext4 -o rw /dev/vda /newroot || { echo "initrd: cannot mount /dev/vda"; exec sh; }
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /sbin/piso-agent-init
EOF
chmod 755 "$I/init"
find "$I" -exec touch -h -d @0 {} +
(cd "$I" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
  gzip -n -9 > "$WORK/initrd.img"
install -m 644 "$WORK/initrd.img" "$OUT/initrd.img"

# --- the disk image -----------------------------------------------------------
USED_MB=$(du -sm "$R" | cut -f1)
SIZE_MB=$((USED_MB * 13 / 10 + 128))
truncate -s "${SIZE_MB}M" "$WORK/root.raw"
mkfs.ext4 -q -F -L pisoagent -d "$R" "$WORK/root.raw"
qemu-img convert -c -f raw -O qcow2 "$WORK/root.raw" "$WORK/agent.qcow2"
install -m 644 "$WORK/agent.qcow2" "$OUT/agent.qcow2"

echo "$STAMP" > "$OUT/stamp"
say "done in $((SECONDS - START)) s: kernel $KVER, ${USED_MB} MB root file system," \
    "$(du -h "$OUT/agent.qcow2" | cut -f1) qcow2 in $OUT"
