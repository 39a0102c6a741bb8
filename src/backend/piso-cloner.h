/* piso-cloner.h: a new machine from a shut-off one (full or linked clone)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

/* What the clone gets for one disk of the original. */
typedef enum
{
  PISO_CLONE_DISK_COPY,   /* its own copy (a linked clone: a qcow2 overlay on the original) */
  PISO_CLONE_DISK_SHARE,  /* the same image as the original */
  PISO_CLONE_DISK_SKIP,   /* left out */
} PisoCloneDiskAction;

typedef enum
{
  PISO_CLONER_STAGE_PREPARING,
  PISO_CLONER_STAGE_COPYING,    /* disks and firmware variables */
  PISO_CLONER_STAGE_DEFINING,
  PISO_CLONER_STAGE_DONE,
} PisoClonerStage;

#define PISO_TYPE_CLONE_DISK (piso_clone_disk_get_type ())

G_DECLARE_FINAL_TYPE (PisoCloneDisk, piso_clone_disk, PISO, CLONE_DISK, GObject)

/* "vda" */
const char          *piso_clone_disk_get_target     (PisoCloneDisk       *self);
/* "disk", "cdrom", "floppy", "lun" */
const char          *piso_clone_disk_get_device     (PisoCloneDisk       *self);
/* The image, or NULL for an empty drive. */
const char          *piso_clone_disk_get_path       (PisoCloneDisk       *self);
const char          *piso_clone_disk_get_format     (PisoCloneDisk       *self);
gboolean             piso_clone_disk_get_read_only  (PisoCloneDisk       *self);
/* Bytes used on the host: what a full copy writes (0 when unknown). */
guint64              piso_clone_disk_get_allocation (PisoCloneDisk       *self);
guint64              piso_clone_disk_get_capacity   (PisoCloneDisk       *self);
/* Whether Piso can copy it (a file or a storage volume on the host). */
gboolean             piso_clone_disk_get_can_copy   (PisoCloneDisk       *self);
PisoCloneDiskAction  piso_clone_disk_get_action     (PisoCloneDisk       *self);
/* COPY is refused (g_critical) when the disk cannot be copied. */
void                 piso_clone_disk_set_action     (PisoCloneDisk       *self,
                                                     PisoCloneDiskAction  action);
/* Translated: what the chosen action means for this disk when it needs
 * saying (e.g. sharing a writable disk), or NULL. */
const char          *piso_clone_disk_get_note       (PisoCloneDisk       *self);

#define PISO_TYPE_CLONER (piso_cloner_get_type ())

G_DECLARE_FINAL_TYPE (PisoCloner, piso_cloner, PISO, CLONER, GObject)

PisoCloner          *piso_cloner_new                (PisoMachine         *source);
PisoMachine         *piso_cloner_get_source         (PisoCloner          *self);

/* Reads the original (it must be off): its disks with their sizes, whether
 * it has a TPM or UEFI variables, and a free name. Call before the rest. */
void                 piso_cloner_prepare_async      (PisoCloner          *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean             piso_cloner_prepare_finish     (PisoCloner          *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* "<name>-clone", "<name>-clone2", …: the first name no machine has. */
const char          *piso_cloner_get_name           (PisoCloner          *self);
void                 piso_cloner_set_name           (PisoCloner          *self,
                                                     const char          *name);
/* A linked clone: each copied disk is a qcow2 overlay whose backing file is
 * the original's disk: instant and small, and the original becomes a
 * template that cannot start or be deleted while linked clones exist. */
gboolean             piso_cloner_get_linked         (PisoCloner          *self);
void                 piso_cloner_set_linked         (PisoCloner          *self,
                                                     gboolean             linked);
/* GListModel of PisoCloneDisk, in the original's order. */
GListModel          *piso_cloner_get_disks          (PisoCloner          *self);
/* The original has a TPM: its secrets are not copied (the clone starts
 * with an empty one). The UI says so before cloning. */
gboolean             piso_cloner_get_has_tpm        (PisoCloner          *self);
/* The original has UEFI variables: they are copied. */
gboolean             piso_cloner_get_has_nvram      (PisoCloner          *self);
/* Bytes the chosen copies write (0 for a linked clone). */
guint64              piso_cloner_get_bytes_to_copy  (PisoCloner          *self);

PisoClonerStage      piso_cloner_get_stage          (PisoCloner          *self);
/* 0..1 while copying, else -1. */
double               piso_cloner_get_progress       (PisoCloner          *self);
/* While copying: the bytes copied and to copy, and the time the copies
 * still need at the rate so far (-1 until there is one worth telling). */
guint64              piso_cloner_get_bytes_done     (PisoCloner          *self);
guint64              piso_cloner_get_bytes_total    (PisoCloner          *self);
gint64               piso_cloner_get_seconds_left   (PisoCloner          *self);
/* A translated line for the stage ("Copying the disks…"). */
const char          *piso_cloner_get_status_text    (PisoCloner          *self);

/* Makes the clone: new name, UUID (also in SMBIOS), MAC addresses, graphics
 * ports back to automatic, agent socket paths and serial logs of its own,
 * its own UEFI variables; each disk as chosen. The new machine is defined,
 * off. On failure or cancel everything made is removed (volumes, the
 * definition, the UEFI variables); a disk copy in progress cannot be
 * interrupted, so a cancel takes effect when it ends. */
void                 piso_cloner_run_async          (PisoCloner          *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PisoMachine         *piso_cloner_run_finish         (PisoCloner          *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
