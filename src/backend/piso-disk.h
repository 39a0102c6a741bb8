/* piso-disk.h: a disk device of a machine, as its definition says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

#define PISO_TYPE_DISK (piso_disk_get_type ())

G_DECLARE_FINAL_TYPE (PisoDisk, piso_disk, PISO, DISK, GObject)

/* "disk", "cdrom", "floppy", "lun" */
const char *piso_disk_get_device    (PisoDisk *self);
/* The file or block device behind it; NULL for an empty CD-ROM drive */
const char *piso_disk_get_path      (PisoDisk *self);
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

G_END_DECLS
