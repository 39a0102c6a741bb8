/* piso-snapshot.h: one snapshot of a machine, as libvirt describes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

/* What the machine was doing when the snapshot was taken. */
typedef enum
{
  PISO_SNAPSHOT_STATE_OFF,
  PISO_SNAPSHOT_STATE_RUNNING,     /* with its memory: reverting resumes it */
  PISO_SNAPSHOT_STATE_PAUSED,      /* with its memory, paused */
  PISO_SNAPSHOT_STATE_DISK_ONLY,   /* the disks of a running machine, no memory */
} PisoSnapshotState;

/* Where libvirt keeps a snapshot: inside the qcow2 disks (internal) or in
 * overlay files beside them (external). Piso never mixes both on one machine. */
typedef enum
{
  PISO_SNAPSHOT_KIND_NONE,
  PISO_SNAPSHOT_KIND_INTERNAL,
  PISO_SNAPSHOT_KIND_EXTERNAL,
} PisoSnapshotKind;

#define PISO_TYPE_SNAPSHOT (piso_snapshot_get_type ())

G_DECLARE_FINAL_TYPE (PisoSnapshot, piso_snapshot, PISO, SNAPSHOT, GObject)

/* libvirt's name: the snapshot's identity (an internal snapshot's name is
 * also its tag inside the qcow2 files, so it cannot change; the user's
 * name for it is the label below). */
const char        *piso_snapshot_get_name            (PisoSnapshot *self);
/* The name the user gave it in Piso (kept in the machine's definition), or NULL. */
const char        *piso_snapshot_get_label           (PisoSnapshot *self);
/* What to call it: the label, else the name. */
const char        *piso_snapshot_get_display_name    (PisoSnapshot *self);
/* The user's description, or NULL. */
const char        *piso_snapshot_get_description     (PisoSnapshot *self);
/* The snapshot this one was taken after, or NULL for a root. */
const char        *piso_snapshot_get_parent_name     (PisoSnapshot *self);
/* What to call the parent: its label, else its name (NULL for a root). */
const char        *piso_snapshot_get_parent_display_name (PisoSnapshot *self);
/* When it was taken (seconds since the epoch, UTC). */
gint64             piso_snapshot_get_creation_time   (PisoSnapshot *self);
PisoSnapshotState  piso_snapshot_get_state           (PisoSnapshot *self);
/* TRUE for RUNNING and PAUSED: reverting brings the machine back running. */
gboolean           piso_snapshot_get_has_memory      (PisoSnapshot *self);
PisoSnapshotKind   piso_snapshot_get_kind            (PisoSnapshot *self);
/* The snapshot the machine's disks currently build on (libvirt's "current"). */
gboolean           piso_snapshot_get_current         (PisoSnapshot *self);
/* FALSE when the host's libvirt cannot revert this kind of snapshot (external
 * snapshots before libvirt 9.9); the snapshots object's revert says why. */
gboolean           piso_snapshot_get_can_revert      (PisoSnapshot *self);
/* The files of an external snapshot (the overlays it started, its memory
 * state, the images it froze), for Delete's choice of what to remove with a
 * machine; empty for internal snapshots, which live inside the disks. */
const char * const *piso_snapshot_get_files          (PisoSnapshot *self);
/* Whether Piso kept a picture of the screen from when it was taken. */
gboolean           piso_snapshot_get_has_screenshot  (PisoSnapshot *self);

/* The picture of the screen taken with the snapshot (read and unpacked in a
 * worker thread): the image as libvirt sent it and its MIME type ("image/png"
 * from libvirt 9.0 with QEMU 7.2 and from the test driver,
 * "image/x-portable-pixmap" from older QEMU); piso_thumbnail_decode() reads
 * both. G_IO_ERROR_NOT_FOUND when there is none. */
void               piso_snapshot_load_screenshot_async  (PisoSnapshot         *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GBytes            *piso_snapshot_load_screenshot_finish (PisoSnapshot         *self,
                                                         GAsyncResult         *result,
                                                         char                **mime_type,
                                                         GError              **error);

G_END_DECLS
