/* piso-disk.h: a disk device of a machine, as its definition says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "piso-backend-types.h"
#include "piso-machine-change.h"

G_BEGIN_DECLS

#define PISO_TYPE_DISK (piso_disk_get_type ())

G_DECLARE_FINAL_TYPE (PisoDisk, piso_disk, PISO, DISK, GObject)

/* "disk", "cdrom", "floppy", "lun" */
const char *piso_disk_get_device    (PisoDisk *self);
/* The same in words: "Disk", "CD/DVD drive", "Floppy drive", "SCSI LUN". */
const char *piso_disk_get_device_label (PisoDisk *self);
/* libvirt's source type: "file", "block", "dir", "network", "volume",
 * "nvme", "vhostuser" (NULL when the definition names none). */
const char *piso_disk_get_source_type (PisoDisk *self);
/* The file, block device or folder behind it (the socket of a vhost-user
 * disk, the volume name of a "volume" disk); NULL for an empty CD-ROM
 * drive, a network disk or an NVMe disk. */
const char *piso_disk_get_path      (PisoDisk *self);
/* Network disks: the protocol ("rbd", "iscsi", "nbd", "gluster", "http"…),
 * the name on the server ("pool/image", "iqn…/1") and the servers
 * ("mon1:6789, mon2:6789", or a unix socket path); NULL otherwise. */
const char *piso_disk_get_protocol  (PisoDisk *self);
const char *piso_disk_get_source_name (PisoDisk *self);
const char *piso_disk_get_hosts     (PisoDisk *self);
/* What is behind the disk in words, whatever its source type: the path of
 * a file, "Block device /dev/sdb", "Ceph RBD “pool/image” on mon1:6789",
 * "NVMe namespace 1 of host device 0000:01:00.0", "vhost-user socket …",
 * "Volume “v” in storage pool “p”", "Empty" for a CD-ROM drive without a
 * disc. Translated; never NULL. */
char       *piso_disk_describe_source (PisoDisk *self);
/* Guest target ("vda") and bus ("virtio") */
const char *piso_disk_get_target    (PisoDisk *self);
const char *piso_disk_get_bus       (PisoDisk *self);
/* Image format ("qcow2", "raw"), or NULL */
const char *piso_disk_get_format    (PisoDisk *self);
gboolean    piso_disk_get_read_only (PisoDisk *self);
/* Storage pool and volume names when the path is a volume, else NULL
 * (filled by piso_machine_refresh_details_async) */
const char *piso_disk_get_pool      (PisoDisk *self);
const char *piso_disk_get_volume    (PisoDisk *self);
/* Virtual size and space used on the host in bytes, 0 when unknown */
guint64     piso_disk_get_capacity  (PisoDisk *self);
guint64     piso_disk_get_allocation(PisoDisk *self);
/* Position in the boot order (<boot order='N'/>), 0 when not a boot device. */
guint       piso_disk_get_boot_order(PisoDisk *self);
/* A CD/DVD drive whose tray the running machine reports open. */
gboolean    piso_disk_get_tray_open (PisoDisk *self);
/* How the definition for the next start differs from the running machine
 * (always NONE while the machine is off). */
PisoDevicePending piso_disk_get_pending (PisoDisk *self);
/* With PENDING_CHANGE: the source at next start in words (e.g. the disc
 * that will be in the drive), or NULL when only other settings differ. */
const char *piso_disk_get_next_source (PisoDisk *self);

G_END_DECLS
