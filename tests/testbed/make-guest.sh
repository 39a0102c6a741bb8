#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# make-guest.sh OUTDIR — build Piso's tiny test guest from Debian packages.
#
# OUTDIR receives:
#   vmlinuz       the Debian kernel (unpacked from the linux-image .deb, not installed)
#   initrd.img    a busybox-static initramfs: the whole guest system
#   piso-guest.iso  hybrid BIOS/UEFI ISO with the same kernel and initrd (grub-mkrescue)
#   stamp         inputs of the last build; an unchanged build is skipped
#   cache/        the downloaded kernel .deb, reused by later runs
#
# The guest:
#   - prints "PISO-GUEST-READY name=<name>" on ttyS0 once booted (libvirt's
#     serial <log file=…/> lets a test wait for it);
#   - shows its name, colour bars and a clock on tty1 (the clock repaints once a
#     second; kernel argument piso.clock=0 turns it off);
#   - piso.anim=N repaints the whole of tty1 N times a second ("FRAME nnnnnn" on
#     a changing background): a steady full-screen load for console benchmarks;
#   - powers off on the ACPI power button (busybox acpid), so a libvirt
#     shutdown works; root shells on tty1 and ttyS0;
#   - takes its name from the kernel argument piso.name=NAME, else from the
#     fw_cfg entry opt/piso/name (<sysinfo type='fwcfg'>), else "piso-guest".
#
# Needs: busybox-static cpio dpkg apt (for the kernel download), and for the ISO
# grub-pc-bin grub-efi-amd64-bin xorriso mtools (NO_ISO=1 skips it).
# KERNEL_DEB=/path/linux-image-….deb uses that package instead of downloading.
# QEMU runs as libvirt-qemu: OUTDIR and its parents must be world-traversable.
set -euo pipefail

say() { echo "make-guest: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
mkdir -p "$1/cache"
OUT=$(cd "$1" && pwd)
chmod 755 "$OUT"

for tool in busybox cpio dpkg-deb gzip; do
  command -v "$tool" >/dev/null || die "missing $tool"
done
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  die "$BUSYBOX is not static (install busybox-static)"
fi

# --- the kernel package -------------------------------------------------------
if [ -n "${KERNEL_DEB:-}" ]; then
  DEB=$KERNEL_DEB
else
  resolve() {
    apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
  }
  PKG=$(resolve)
  # A machine whose packages were all installed may have no package lists.
  if [ -z "$PKG" ] && [ "$(id -u)" = 0 ] && \
     [ -z "$(find "$OUT/cache" -maxdepth 1 -name 'linux-image-*.deb' 2>/dev/null)" ]; then
    apt-get update -q >&2 || true
    PKG=$(resolve)
  fi
  if [ -z "$PKG" ]; then
    # no apt metadata: use whatever is cached
    DEB=$(find "$OUT/cache" -maxdepth 1 -name 'linux-image-*.deb' | sort | tail -n1)
    [ -n "$DEB" ] || die "cannot resolve linux-image-amd64 (apt-get update?)"
  else
    DEB=$(find "$OUT/cache" -maxdepth 1 -name "${PKG}_*.deb" | sort | tail -n1)
    if [ -z "$DEB" ]; then
      say "downloading $PKG into $OUT/cache"
      (cd "$OUT/cache" && apt-get download -q -o APT::Sandbox::User=root "$PKG" >&2) ||
        die "apt-get download $PKG failed"
      DEB=$(find "$OUT/cache" -maxdepth 1 -name "${PKG}_*.deb" | sort | tail -n1)
      [ -n "$DEB" ] || die "no .deb after apt-get download $PKG"
    fi
  fi
fi

# Skip the rebuild when neither the kernel, busybox nor this script changed.
STAMP="$(basename "$DEB") $(md5sum < "$BUSYBOX" | cut -c1-32) $(md5sum < "$0" | cut -c1-32) iso=${NO_ISO:+no}"
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP" ] &&
   [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ]; then
  say "up to date in $OUT"
  exit 0
fi
say "building from $(basename "$DEB")"

WORK=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
         virtio_console virtio_balloon button evdev qemu_fw_cfg
         virtio_blk failover net_failover virtio_net"
# in the image but loaded only when asked for: psmouse (piso.mouse=1), the
# IDE CD-ROM and ISO 9660 (tests load them over the serial shell)
ON_DEMAND_MODULES="psmouse scsi_common scsi_mod libata ata_piix cdrom sr_mod isofs"
WANT=('./boot/vmlinuz-*')
for m in $MODULES $ON_DEMAND_MODULES; do WANT+=("./lib/modules/*/$m.ko"); done
dpkg-deb --fsys-tarfile "$DEB" |
  tar -x -C "$WORK" --wildcards --wildcards-match-slash "${WANT[@]}"
install -m 644 "$WORK"/boot/vmlinuz-* "$OUT/vmlinuz"

# --- the initramfs ------------------------------------------------------------
R=$WORK/root
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,root,etc/acpi/PWRF,lib/modules}
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$R/bin/$applet"
done
ln -s ../bin/busybox "$R/sbin/init"
for m in $MODULES; do
  f=$(find "$WORK/lib/modules" -name "$m.ko" | head -n1)
  if [ -n "$f" ]; then
    cp "$f" "$R/lib/modules/"
    echo "$m" >> "$R/etc/modules"
  fi
done
for m in $ON_DEMAND_MODULES; do
  f=$(find "$WORK/lib/modules" -name "$m.ko" | head -n1)
  [ -z "$f" ] || cp "$f" "$R/lib/modules/"
done

cat > "$R/init" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /etc/modules); do insmod /lib/modules/$m.ko 2>/dev/null; done
exec /sbin/init
EOF

cat > "$R/etc/rc" <<'EOF'
#!/bin/sh
karg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n1; }
NAME=$(karg piso.name)
FW=/sys/firmware/qemu_fw_cfg/by_name/opt/piso/name/raw
[ -z "$NAME" ] && [ -r $FW ] && NAME=$(cat $FW)
[ -z "$NAME" ] && NAME=piso-guest
hostname "$NAME"
acpid -c /etc/acpi -l /tmp/acpid.log

screen() {
  printf '\033[2J\033[H\n\033[1;36m  PISO TEST GUEST\033[0m  %s\n\n' "$NAME"
  printf '  %s, %s vCPU, %s MiB\n\n' "$(uname -r)" "$(grep -c ^processor /proc/cpuinfo)" \
    "$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)"
  for c in 41 42 43 44 45 46 47; do printf '\033[%sm        ' $c; done
  printf '\033[0m\n\n'
}
screen > /dev/tty1
screen > /dev/ttyS0
echo "PISO-GUEST-READY name=$NAME" > /dev/ttyS0

if [ "$(karg piso.clock)" != 0 ]; then
  while :; do
    printf '\0337\033[1;68H\033[7m %s \033[0m\0338' "$(date +%T)" > /dev/tty1
    sleep 1
  done &
fi

# piso.mouse=1: the PS/2 mouse's motion, as /dev/input/mice packets (flags,
# dx, dy in hex), on the serial line, for the server mouse mode tests
if [ "$(karg piso.mouse)" = 1 ]; then
  insmod /lib/modules/psmouse.ko 2>/dev/null
  # the driver finds the mouse in the background: wait for it (30 s at most)
  for _ in $(seq 300); do grep -q 'PS/2.*Mouse' /proc/bus/input/devices && break; usleep 100000; done
  hexdump -v -e '"MOUSE" 3/1 " %02x" "\n"' /dev/input/mice > /dev/ttyS0 &
  echo "PISO-MOUSE-READY" > /dev/ttyS0
fi

# piso.cpus=online: bring each hot-plugged vCPU online once, as udev does
# elsewhere (not again while the kernel takes one offline to unplug it)
if [ "$(karg piso.cpus)" = online ]; then
  seen=" "
  while :; do
    now=" "
    for d in /sys/devices/system/cpu/cpu[0-9]*; do
      [ -e "$d/online" ] || continue
      now="$now${d##*/} "
      case "$seen" in *" ${d##*/} "*) ;; *) [ "$(cat "$d/online")" = 0 ] && echo 1 > "$d/online" ;; esac
    done 2>/dev/null
    seen=$now
    usleep 200000
  done &
fi

ANIM=$(karg piso.anim)
if [ "${ANIM:-0}" -gt 0 ] 2>/dev/null; then
  line=$(printf '%80s' '')
  page=$(for i in $(seq 24); do printf '%s' "$line"; done)
  n=0
  while :; do
    printf '\033[H\033[%s;1;37mFRAME %06d%s%s\033[0m' $((41 + n % 6)) $n \
      "${line#????????????}" "$page" > /dev/tty1
    n=$((n + 1))
    usleep $((1000000 / ANIM))
  done &
fi
EOF

cat > "$R/etc/inittab" <<'EOF'
::sysinit:/etc/rc
tty1::respawn:-/bin/sh
ttyS0::respawn:-/bin/sh
::ctrlaltdel:/bin/reboot
::shutdown:/bin/sync
EOF
printf '#!/bin/sh\nexec poweroff\n' > "$R/etc/acpi/PWRF/00000080"
chmod 755 "$R/init" "$R/etc/rc" "$R/etc/acpi/PWRF/00000080"

find "$R" -exec touch -h -d @0 {} +
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
  gzip -n -9 > "$WORK/initrd.img"
install -m 644 "$WORK/initrd.img" "$OUT/initrd.img"

# --- the ISO ------------------------------------------------------------------
if [ -z "${NO_ISO:-}" ]; then
  command -v grub-mkrescue >/dev/null || die "missing grub-mkrescue (or set NO_ISO=1)"
  mkdir -p "$WORK/iso/boot/grub"
  cp "$OUT/vmlinuz" "$OUT/initrd.img" "$WORK/iso/boot/"
  cat > "$WORK/iso/boot/grub/grub.cfg" <<'EOF'
set timeout=0
insmod all_video
set gfxpayload=keep
menuentry "Piso test guest" {
  linux /boot/vmlinuz quiet console=ttyS0 console=tty0
  initrd /boot/initrd.img
}
EOF
  grub-mkrescue -o "$WORK/piso-guest.iso" --fonts= --locales= --themes= --compress=xz \
    --install-modules="linux normal iso9660 configfile all_video part_msdos part_gpt fat" \
    "$WORK/iso" -- -volid PISOGUEST > "$WORK/grub.log" 2>&1 ||
    { cat "$WORK/grub.log" >&2; die "grub-mkrescue failed"; }
  install -m 644 "$WORK/piso-guest.iso" "$OUT/piso-guest.iso"
fi

echo "$STAMP" > "$OUT/stamp"
say "done: $(du -h "$OUT/vmlinuz" | cut -f1) kernel, $(du -h "$OUT/initrd.img" | cut -f1) initrd in $OUT"
