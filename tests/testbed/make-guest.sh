#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# make-guest.sh OUTDIR — build Piso's tiny test guest from Debian packages.
#
# OUTDIR receives:
#   vmlinuz       the Debian kernel (unpacked from the linux-image .deb, not installed)
#   initrd.img    a busybox-static initramfs: the whole guest system
#   piso-guest.iso  hybrid BIOS/UEFI ISO with the same kernel and initrd (grub-mkrescue)
#   piso-guest-installer.iso  the same guest as an OS installer (below)
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
# The installer ISO boots the guest with piso.install=1, which acts as an OS
# installer: it prints "PISO-INSTALLER-START name=<name>", finds an empty disk
# (virtio, SATA or IDE) at least as large as installed.img — a hybrid BIOS/UEFI
# disk image of the guest whose boot entry adds piso.installed=1, kept on the
# ISO —, writes that image onto it, prints "PISO-INSTALLER-DONE name=<name>
# disk=<dev>" and reboots. Booted from that disk the guest prints
# "PISO-GUEST-READY name=<name> installed=1". Without an empty disk the
# installer prints "PISO-INSTALLER-NO-DISK name=<name>" and goes on as the
# plain guest.
#
# Needs: busybox-static cpio dpkg apt (the kernel comes from the machine's own
# apt sources: tests/testbed/debian.sh), zstd only for zstd-compressed kernel
# modules (busybox reads xz and gzip), and for the ISOs grub-pc-bin
# grub-efi-amd64-bin xorriso mtools (NO_ISO=1 skips them).
# KERNEL_DEB=/path/linux-image-….deb uses that package instead of downloading
# one. QEMU runs as libvirt-qemu: OUTDIR and its parents must be
# world-traversable.
set -euo pipefail

say() { echo "make-guest: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
HERE=$(cd "$(dirname "$0")" && pwd)
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

# shellcheck source=tests/testbed/debian.sh
. "$HERE/debian.sh"
DEB=$(debian_kernel_deb "$OUT/cache") || die "no kernel package"

# Skip the rebuild when neither the kernel, busybox nor these scripts changed.
STAMP="$(basename "$DEB") $(md5sum < "$BUSYBOX" | cut -c1-32) $(cat "$0" "$HERE/debian.sh" | md5sum | cut -c1-32) iso=${NO_ISO:+no}"
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP" ] &&
   [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ]; then
  say "up to date in $OUT"
  exit 0
fi
say "building from $(basename "$DEB")"

WORK=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- kernel and modules -------------------------------------------------------
# Module sets, each loaded in dependency order from /etc/modules.SET: boot
# (always: virtio disks and network cards too, for the tests that add them
# to a running guest), mouse (piso.mouse=1), install (piso.install=1: the
# disks and the CD an installer reads and writes; tests that change a CD load
# this set over the serial shell).
BOOT_MODULES="virtio_pci virtio_console virtio_balloon button evdev qemu_fw_cfg
              virtio_blk virtio_net"
MOUSE_MODULES="psmouse"
INSTALL_MODULES="virtio_blk ahci ata_piix sd_mod sr_mod isofs"

# The modules are in /lib/modules up to Debian 12, /usr/lib/modules after.
dpkg-deb --fsys-tarfile "$DEB" |
  tar -x -C "$WORK" --wildcards --wildcards-match-slash './boot/vmlinuz-*' '*/lib/modules/*'
install -m 644 "$WORK"/boot/vmlinuz-* "$OUT/vmlinuz"
# Debian 13 builds some of the modules below into the kernel
# (modules.builtin lists them).
BUILTIN=$(find "$WORK" -name modules.builtin | head -n1)
[ -n "$BUILTIN" ] || die "no modules.builtin in $(basename "$DEB")"

# Module files by name ("-" and "_" are the same in module names); newer
# Debian kernels compress them.
declare -A MODULE_FILE SEEN
while IFS= read -r f; do
  n=${f##*/}
  n=${n%%.ko*}
  MODULE_FILE[${n//-/_}]=$f
done < <(find "$WORK" -path '*/lib/modules/*' -name '*.ko*')
module_cat() {
  case $1 in
    *.xz) "$BUSYBOX" xzcat "$1" ;;
    *.zst) zstd -qdc "$1" ;;
    *.gz) gzip -dc "$1" ;;
    *) cat "$1" ;;
  esac
}
# Appends module $1 to ORDER after the modules it depends on; built-in
# modules (no file) are left out.
visit_module() {
  local n=${1//-/_} f d
  [ -z "${SEEN[$n]:-}" ] || return 0
  SEEN[$n]=1
  f=${MODULE_FILE[$n]:-}
  [ -n "$f" ] || return 0
  for d in $(module_cat "$f" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
    visit_module "$d"
  done
  ORDER+=("$n")
}

# --- the initramfs ------------------------------------------------------------
R=$WORK/root
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,root,cdrom,etc/acpi/PWRF,lib/modules}
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$R/bin/$applet"
done
ln -s ../bin/busybox "$R/sbin/init"
for set in boot mouse install; do
  case $set in
    boot) names=$BOOT_MODULES ;;
    mouse) names=$MOUSE_MODULES ;;
    *) names=$INSTALL_MODULES ;;
  esac
  ORDER=()
  SEEN=()
  for m in $names; do
    if [ -z "${MODULE_FILE[$m]:-}" ] && ! grep -q "/$m.ko\$" "$BUILTIN"; then
      die "module $m is neither in $(basename "$DEB") nor built in"
    fi
    visit_module "$m"
  done
  : > "$R/etc/modules.$set"
  for m in "${ORDER[@]}"; do
    [ -f "$R/lib/modules/$m.ko" ] || module_cat "${MODULE_FILE[$m]}" > "$R/lib/modules/$m.ko"
    echo "$m" >> "$R/etc/modules.$set"
  done
done

cat > "$R/init" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /etc/modules.boot); do insmod /lib/modules/$m.ko 2>/dev/null; done
exec /sbin/init
EOF

cat > "$R/etc/rc" <<'EOF'
#!/bin/sh
karg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n1; }
load_modules() { for m in $(cat /etc/modules.$1); do insmod /lib/modules/$m.ko 2>/dev/null; done; }
NAME=$(karg piso.name)
FW=/sys/firmware/qemu_fw_cfg/by_name/opt/piso/name/raw
[ -z "$NAME" ] && [ -r $FW ] && NAME=$(cat $FW)
[ -z "$NAME" ] && NAME=piso-guest
hostname "$NAME"
acpid -c /etc/acpi -l /tmp/acpid.log

# piso.install=1: write installed.img from the CD onto an empty disk, reboot.
install_system() {
  echo "PISO-INSTALLER-START name=$NAME" > /dev/ttyS0
  printf '\n  Installing the Piso test guest…\n' > /dev/tty1
  load_modules install
  image=
  # the CD and the disks appear while their controllers probe
  for _ in $(seq 300); do
    for cd in /dev/sr*; do
      [ -b "$cd" ] || continue
      mount -t iso9660 -o ro "$cd" /cdrom 2>/dev/null || continue
      if [ -f /cdrom/installed.img ]; then image=/cdrom/installed.img; break 2; fi
      umount /cdrom
    done
    usleep 100000
  done
  size=0
  [ -n "$image" ] && size=$(stat -c %s "$image")
  target=
  for _ in $(seq 50); do
    for dev in /sys/block/vd* /sys/block/sd* /sys/block/hd*; do
      [ -d "$dev" ] && [ "$(cat "$dev/removable")" = 0 ] || continue
      [ $(($(cat "$dev/size") * 512)) -ge "$size" ] || continue
      d=/dev/${dev##*/}
      # empty: the first 64 KiB are zeros (a fresh volume)
      [ -z "$(dd if="$d" bs=65536 count=1 2>/dev/null | tr -d '\000')" ] || continue
      target=$d
      break 2
    done
    usleep 100000
  done
  if [ -z "$image" ] || [ -z "$target" ]; then
    echo "PISO-INSTALLER-NO-DISK name=$NAME" > /dev/ttyS0
    [ -n "$image" ] && umount /cdrom
    return
  fi
  dd if="$image" of="$target" bs=1M conv=fsync 2>/dev/null
  sync
  umount /cdrom
  echo "PISO-INSTALLER-DONE name=$NAME disk=${target#/dev/}" > /dev/ttyS0
  sleep 1
  reboot -f
}
[ "$(karg piso.install)" = 1 ] && install_system
INSTALLED=
[ "$(karg piso.installed)" = 1 ] && INSTALLED=" installed=1"

screen() {
  printf '\033[2J\033[H\n\033[1;36m  PISO TEST GUEST\033[0m  %s%s\n\n' "$NAME" "$INSTALLED"
  printf '  %s, %s vCPU, %s MiB\n\n' "$(uname -r)" "$(grep -c ^processor /proc/cpuinfo)" \
    "$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)"
  for c in 41 42 43 44 45 46 47; do printf '\033[%sm        ' $c; done
  printf '\033[0m\n\n'
}
screen > /dev/tty1
screen > /dev/ttyS0
echo "PISO-GUEST-READY name=$NAME$INSTALLED" > /dev/ttyS0

if [ "$(karg piso.clock)" != 0 ]; then
  while :; do
    printf '\0337\033[1;68H\033[7m %s \033[0m\0338' "$(date +%T)" > /dev/tty1
    sleep 1
  done &
fi

# piso.mouse=1: the PS/2 mouse's motion, as /dev/input/mice packets (flags,
# dx, dy in hex), on the serial line, for the server mouse mode tests
if [ "$(karg piso.mouse)" = 1 ]; then
  load_modules mouse
  # the driver finds the mouse in the background: wait for it (30 s at most)
  for _ in $(seq 300); do grep -q 'PS/2.*Mouse' /proc/bus/input/devices && break; usleep 100000; done
  hexdump -v -e '"MOUSE" 3/1 " %02x" "\n"' /dev/input/mice > /dev/ttyS0 &
  echo "PISO-MOUSE-READY" > /dev/ttyS0
fi

# piso.cpus=online: bring each hot-plugged vCPU online once, as udev does
# elsewhere (not again while the kernel takes one offline to unplug it).
# A vCPU counts as done only once it is online: its folder can show before
# it can be brought online (QEMU 10), and then the next round tries again.
if [ "$(karg piso.cpus)" = online ]; then
  done_cpus=" "
  while :; do
    now=" "
    for d in /sys/devices/system/cpu/cpu[0-9]*; do
      [ -e "$d/online" ] || continue
      c=${d##*/}
      case "$done_cpus" in *" $c "*) now="$now$c "; continue ;; esac
      if [ "$(cat "$d/online")" = 1 ] || echo 1 > "$d/online"; then now="$now$c "; fi
    done 2>/dev/null
    done_cpus=$now
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

# --- the ISOs -----------------------------------------------------------------
# make_iso FILE VOLID KERNEL_ARGS [EXTRA_FILE…]: a hybrid ISO (a CD, or a disk
# image) booting the guest with KERNEL_ARGS on BIOS and UEFI; the extra files
# go to its root.
make_iso() {
  local file=$1 volid=$2 args=$3 tree
  shift 3
  tree=$WORK/iso-$volid
  mkdir -p "$tree/boot/grub"
  cp "$OUT/vmlinuz" "$OUT/initrd.img" "$tree/boot/"
  [ $# -eq 0 ] || cp "$@" "$tree/"
  cat > "$tree/boot/grub/grub.cfg" <<EOF
set timeout=0
insmod all_video
set gfxpayload=keep
menuentry "Piso test guest" {
  linux /boot/vmlinuz quiet console=ttyS0 console=tty0 $args
  initrd /boot/initrd.img
}
EOF
  # (no --compress: GRUB 2.12, Debian 13's, then fails on modules listed twice)
  grub-mkrescue -o "$file" --fonts= --locales= --themes= \
    --install-modules="linux normal iso9660 configfile all_video part_msdos part_gpt fat" \
    "$tree" -- -volid "$volid" > "$WORK/grub.log" 2>&1 ||
    { cat "$WORK/grub.log" >&2; die "grub-mkrescue failed"; }
}

if [ -z "${NO_ISO:-}" ]; then
  command -v grub-mkrescue >/dev/null || die "missing grub-mkrescue (or set NO_ISO=1)"
  make_iso "$WORK/piso-guest.iso" PISOGUEST ""
  make_iso "$WORK/installed.img" PISOINSTALLED "piso.installed=1"
  make_iso "$WORK/piso-guest-installer.iso" PISOINSTALLER "piso.install=1" "$WORK/installed.img"
  install -m 644 "$WORK/piso-guest.iso" "$OUT/piso-guest.iso"
  install -m 644 "$WORK/piso-guest-installer.iso" "$OUT/piso-guest-installer.iso"
fi

echo "$STAMP" > "$OUT/stamp"
say "done: $(du -h "$OUT/vmlinuz" | cut -f1) kernel, $(du -h "$OUT/initrd.img" | cut -f1) initrd in $OUT"
