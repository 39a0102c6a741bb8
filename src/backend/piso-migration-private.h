/* piso-migration-private.h: the pre-flight checks of a migration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"
#include "piso-migration.h"

G_BEGIN_DECLS

typedef struct _PisoMigrationCopy PisoMigrationCopy;

/* What the worker thread knows of the two hosts and the machine: its own
 * references to the libvirt handles and the words for messages, taken on
 * the main thread. */
typedef struct
{
  virDomainPtr   dom;            /* on the source */
  virConnectPtr  source;
  virConnectPtr  destination;
  char          *name;           /* the machine's display name */
  char          *source_label;   /* the hosts' names, told apart */
  char          *destination_label;
  char          *source_uri;
  char          *destination_uri;
  gboolean       same_connection;
  gboolean       source_local;
  gboolean       destination_local;
  char          *pool;           /* the destination's pool to copy disks into, or NULL */

  /* found by the checks */
  gboolean       needs_storage;  /* a disk is not on the destination */
  GStrv          pools;          /* then the destination's active pools (sorted) */
  GPtrArray     *copies;         /* PisoMigrationCopy: the disks copied into @pool */
  PisoMigrationCopy *nvram;      /* the UEFI variables copied into @pool (shut off), or NULL */
  char          *notice;         /* a caution that does not stop the move, or NULL */
} PisoMigrationHosts;

/* A disk copied into the destination's pool: by QEMU while a running
 * machine moves (copy-storage), through volume streams for a shut-off one;
 * or a shut-off machine's UEFI variables (no target), through streams. */
struct _PisoMigrationCopy
{
  char             *target;      /* first: "vda" (_piso_find_by_target) */
  char             *source_type; /* of the <disk>: "file", "block", "volume" */
  char             *source_pool; /* for "volume" */
  char             *source_path; /* the disk on the source (its file, device or volume) */
  char             *format;      /* of the source and of the copy: "qcow2", "raw" */
  guint64           capacity;    /* virtual size, bytes */
  guint64           file_size;   /* of the image file (copied whole, shut off; run only) */
  virStorageVolPtr  vol;         /* the volume made on the destination (run only) */
  char             *new_path;
  gboolean          block;       /* the new volume is a block device */
};

void     _piso_migration_copy_free   (PisoMigrationCopy *copy);
/* The machine's definition (@xml) with each disk of @copies, and the UEFI
 * variables when @nvram, pointing at their copies on the destination (the
 * copies have their new_path). */
char    *_piso_migration_rewrite_disks (const char               *xml,
                                        GPtrArray                *copies,
                                        const PisoMigrationCopy  *nvram,
                                        GError                  **error);

void     _piso_migration_hosts_clear (PisoMigrationHosts *hosts);

/* Worker thread: the pre-flight checks (piso_migration_check_async()),
 * filling the "found by the checks" part of @hosts. Sets @active to whether the machine runs (or is paused) and so moves
 * live. */
gboolean _piso_migration_check      (PisoMigrationHosts  *hosts,
                                     gboolean            *active,
                                     GError             **error);

G_END_DECLS
