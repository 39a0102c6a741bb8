#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a libvirt test-driver node file with N machines for Piso's benchmarks.

    gen-test-driver.py N > machines.xml
    piso --connect test:///$PWD/machines.xml

The test driver is libvirt's in-process fake hypervisor: nothing runs. Each
machine gets 1-4 vCPUs, 512 MiB-16 GiB, one to three disks (qcow2 images in
the "default" pool, sometimes a CD-ROM), one or two NICs, an OS in libosinfo
metadata, often a title. States: about 55 % running, 10 % paused, 25 % off,
5 % off with a managed save and 5 % running transient machines. The output is
deterministic: machine i is the same in every file (same seed).
"""
import argparse
import random
import sys
import uuid
from xml.sax.saxutils import escape

TEST_NS = "http://libvirt.org/schemas/domain/test/1.0"
OSINFO_NS = "http://libosinfo.org/xmlns/libvirt/domain/1.0"
POOL = "/var/lib/libvirt/images"
ROLES = ["web", "db", "cache", "build", "ci", "dev", "mail", "dns", "proxy",
         "backup", "vpn", "monitor", "desktop", "lab", "kube"]
OSES = [("debian12", "http://debian.org/debian/12"),
        ("debian11", "http://debian.org/debian/11"),
        ("fedora39", "http://fedoraproject.org/fedora/39"),
        ("ubuntu22", "http://ubuntu.com/ubuntu/22.04"),
        ("rhel9", "http://redhat.com/rhel/9.2"),
        ("alpine", "http://alpinelinux.org/alpinelinux/3.18"),
        ("win11", "http://microsoft.com/win/11"),
        ("win2k22", "http://microsoft.com/win/2k22"),
        ("freebsd", "http://freebsd.org/freebsd/13.2"),
        ("arch", "http://archlinux.org/archlinux/rolling")]
# (weight, runstate number, transient, managed save)
STATES = [(55, 1, False, False), (10, 3, False, False), (25, 5, False, False),
          (5, 5, False, True), (5, 1, True, False)]


def machine(i, seed):
    rng = random.Random("%s/%d" % (seed, i))
    role = rng.choice(ROLES)
    short, os_id = rng.choice(OSES)
    name = "%s-%s-%04d" % (role, short, i + 1)
    roll, acc = rng.uniform(0, 100), 0
    for weight, runstate, transient, saved in STATES:
        acc += weight
        if roll < acc:
            break
    mem = rng.choice([512, 1024, 2048, 4096, 8192, 16384])
    disks = []
    for d in range(rng.choice([1, 1, 1, 2, 3])):
        disks.append("""      <disk type='file' device='disk'>
        <driver name='qemu' type='qcow2'/>
        <source file='%s/%s-%d.qcow2'/>
        <target dev='vd%s' bus='virtio'/>
      </disk>""" % (POOL, name, d, "abc"[d]))
    if rng.random() < 0.2:
        disks.append("""      <disk type='file' device='cdrom'>
        <driver name='qemu' type='raw'/>
        <source file='%s/install-%s.iso'/>
        <target dev='sda' bus='sata'/>
        <readonly/>
      </disk>""" % (POOL, short))
    nics = []
    for n in range(rng.choice([1, 1, 2])):
        nics.append("""      <interface type='network'>
        <mac address='52:54:%02x:%02x:%02x:%02x'/>
        <source network='default'/>
        <model type='%s'/>
      </interface>""" % (n, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff,
                           rng.choice(["virtio", "virtio", "e1000e"])))
    title = ""
    if rng.random() < 0.4:
        title = "\n    <title>%s server %d</title>" % (role.capitalize(), i + 1)
    extra = ""
    if transient:
        extra += "\n    <test:transient/>"
    if saved:
        extra += "\n    <test:hasmanagedsave/>"
    return """  <domain type='test' xmlns:test='{tns}'>
    <name>{name}</name>{title}
    <uuid>{uuid}</uuid>
    <metadata>
      <libosinfo:libosinfo xmlns:libosinfo='{ons}'>
        <libosinfo:os id='{os_id}'/>
      </libosinfo:libosinfo>
    </metadata>
    <memory unit='MiB'>{mem}</memory>
    <currentMemory unit='MiB'>{mem}</currentMemory>
    <vcpu>{vcpus}</vcpu>
    <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>
    <devices>
{disks}
{nics}
      <graphics type='spice' autoport='yes'/>
      <video><model type='qxl'/></video>
    </devices>
    <test:runstate>{runstate}</test:runstate>{extra}
  </domain>
""".format(tns=TEST_NS, ons=OSINFO_NS, name=escape(name), title=title,
           uuid=uuid.UUID(int=rng.getrandbits(128), version=4), os_id=os_id,
           mem=mem, vcpus=rng.randint(1, 4), disks="\n".join(disks),
           nics="\n".join(nics), runstate=runstate, extra=extra)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of machines")
    ap.add_argument("--seed", default="piso", help="generator seed")
    args = ap.parse_args()
    if args.n < 0:
        ap.error("N must be >= 0")

    out = sys.stdout
    out.write("<?xml version='1.0'?>\n<node>\n")
    for i in range(args.n):
        out.write(machine(i, args.seed))
    out.write("""  <network>
    <name>default</name>
    <uuid>0b9c2a5e-35a1-4f0c-9d4e-6a4c5c0f7a11</uuid>
    <forward mode='nat'/>
    <bridge name='virbr0'/>
    <ip address='192.168.122.1' netmask='255.255.255.0'>
      <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
    </ip>
  </network>
  <pool type='dir'>
    <name>default</name>
    <uuid>6f1e8d2c-4b7a-4c55-8e0f-2d9b3a1c7e42</uuid>
    <capacity unit='TiB'>4</capacity>
    <allocation unit='GiB'>0</allocation>
    <available unit='TiB'>4</available>
    <target><path>%s</path></target>
  </pool>
  <cpu>
    <mhz>3000</mhz>
    <model>x86_64</model>
    <active>32</active>
    <nodes>1</nodes>
    <sockets>1</sockets>
    <cores>16</cores>
    <threads>2</threads>
  </cpu>
  <memory>268435456</memory>
</node>
""" % POOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
