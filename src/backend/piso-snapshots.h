/* piso-snapshots.h: a machine's snapshots, and taking, reverting and deleting them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-snapshot.h"

G_BEGIN_DECLS

/* Why a snapshot cannot be taken now (piso_snapshots_get_limit). */
typedef enum
{
  PISO_SNAPSHOT_LIMIT_UNKNOWN,         /* not listed yet, or the connection is down */
  PISO_SNAPSHOT_LIMIT_NONE,            /* a snapshot can be taken now */
  PISO_SNAPSHOT_LIMIT_WRONG_STATE,     /* wait until the machine runs, is paused or is off */
  PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN,  /* only while off: offer "Shut Down and Take Snapshot" */
  PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2,     /* raw disks: offer "Convert to qcow2" while off */
  PISO_SNAPSHOT_LIMIT_UNSUPPORTED,     /* nothing Piso can do here; the message says why */
} PisoSnapshotLimit;

typedef enum /*< flags >*/
{
  PISO_SNAPSHOT_REVERT_NONE  = 0,
  /* Revert although libvirt called it risky (PISO_SNAPSHOT_ERROR_RISKY). */
  PISO_SNAPSHOT_REVERT_FORCE = 1 << 0,
} PisoSnapshotRevertFlags;

#define PISO_SNAPSHOT_ERROR (piso_snapshot_error_quark ())

typedef enum
{
  /* libvirt refused a revert it cannot do safely (e.g. the machine's
   * configuration changed since): the UI may ask and retry with FORCE. */
  PISO_SNAPSHOT_ERROR_RISKY,
} PisoSnapshotError;

GQuark piso_snapshot_error_quark (void);

#define PISO_TYPE_SNAPSHOTS (piso_snapshots_get_type ())

/* A GListModel of PisoSnapshot, oldest first, kept up to date after Piso's
 * own operations and whenever the machine's state changes (libvirt sends no
 * event when another program takes or deletes a snapshot: views call
 * piso_snapshots_refresh_async when they show the list). */
G_DECLARE_FINAL_TYPE (PisoSnapshots, piso_snapshots, PISO, SNAPSHOTS, GObject)

/* The machine's one snapshots object (made on first use, lives as long as
 * the machine). Nothing is listed until the first refresh. */
PisoSnapshots    *piso_snapshots_get_for_machine   (PisoMachine   *machine);
PisoMachine      *piso_snapshots_get_machine       (PisoSnapshots *self);
/* TRUE once listed (the properties below mean something from then on). */
gboolean          piso_snapshots_get_loaded        (PisoSnapshots *self);
/* The snapshot the machine currently builds on, or NULL. */
PisoSnapshot     *piso_snapshots_get_current       (PisoSnapshots *self);
PisoSnapshot     *piso_snapshots_lookup            (PisoSnapshots *self,
                                                    const char    *name);
/* The kind a new snapshot gets on this machine and host, NONE when refused. */
PisoSnapshotKind  piso_snapshots_get_kind          (PisoSnapshots *self);
PisoSnapshotLimit piso_snapshots_get_limit         (PisoSnapshots *self);
/* Translated: why a snapshot cannot be taken now and what to do (NULL with
 * LIMIT_NONE), e.g. "The disk vda is a raw image …: convert it to qcow2". */
const char       *piso_snapshots_get_limit_message (PisoSnapshots *self);
/* Translated: what snapshots of this machine leave out (UEFI variables, a
 * saved memory state), or NULL. */
const char       *piso_snapshots_get_note          (PisoSnapshots *self);
/* A snapshot taken now keeps the running memory (the machine runs or is paused). */
gboolean          piso_snapshots_get_with_memory   (PisoSnapshots *self);
/* "snapshot1", "snapshot2", …: the first name no snapshot has. */
char             *piso_snapshots_suggest_name      (PisoSnapshots *self);
/* Names libvirt accepts for a snapshot that none of this machine has. */
gboolean          piso_snapshots_validate_name     (PisoSnapshots *self,
                                                    const char    *name,
                                                    GError       **error);

/* Lists the snapshots (and probes the host's libvirt, once per connection). */
void              piso_snapshots_refresh_async     (PisoSnapshots        *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean          piso_snapshots_refresh_finish    (PisoSnapshots        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Takes a snapshot named @name (NULL: piso_snapshots_suggest_name) with an
 * optional @description, with the memory when the machine runs. A picture
 * of the screen is kept for a running machine: taken right after (the guest
 * stood still while the snapshot was written), it comes a moment after
 * _finish, and the snapshot's "has-screenshot" says when. Refused (PISO_BACKEND_ERROR_INVALID_STATE or
 * _UNSUPPORTED, with the limit message) unless the limit is NONE. */
void              piso_snapshots_take_async        (PisoSnapshots        *self,
                                                    const char           *name,
                                                    const char           *description,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
PisoSnapshot     *piso_snapshots_take_finish       (PisoSnapshots        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
/* For LIMIT_NEEDS_SHUTDOWN: asks the guest to shut down, waits until it is
 * off (cancellable; PISO_BACKEND_ERROR_FAILED when it has not after
 * @timeout_s seconds, and then nothing is taken), and takes the snapshot. */
void              piso_snapshots_shut_down_and_take_async  (PisoSnapshots        *self,
                                                            const char           *name,
                                                            const char           *description,
                                                            guint                 timeout_s,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
PisoSnapshot     *piso_snapshots_shut_down_and_take_finish (PisoSnapshots        *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Brings the machine back to @snapshot: its disks, and its memory and
 * running state when it has them (a managed save image is dropped first: it
 * belongs to the state being left). Afterwards the guest's clock is set
 * through the guest agent when the machine has one. */
void              piso_snapshots_revert_async      (PisoSnapshots          *self,
                                                    PisoSnapshot           *snapshot,
                                                    PisoSnapshotRevertFlags flags,
                                                    GCancellable           *cancellable,
                                                    GAsyncReadyCallback     callback,
                                                    gpointer                user_data);
gboolean          piso_snapshots_revert_finish     (PisoSnapshots          *self,
                                                    GAsyncResult           *result,
                                                    GError                **error);

/* Renames @snapshot in Piso and changes its description. libvirt cannot
 * rename a snapshot (an internal one's name is its tag in the qcow2 files):
 * @display_name is kept in the machine's definition and shown instead of
 * the name (NULL, "" or the name itself: the name is shown). The
 * description (NULL or "" removes it) is the snapshot's own, changed
 * through libvirt's redefine when it differs. */
void              piso_snapshots_edit_async        (PisoSnapshots        *self,
                                                    PisoSnapshot         *snapshot,
                                                    const char           *display_name,
                                                    const char           *description,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean          piso_snapshots_edit_finish       (PisoSnapshots        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Deletes the snapshots named in @names (their children stay and move up to
 * the parent), newest first, and their pictures. On a failure it stops and
 * reports which ones were not deleted; the list shows what remains. */
void              piso_snapshots_delete_async      (PisoSnapshots        *self,
                                                    const char * const   *names,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean          piso_snapshots_delete_finish     (PisoSnapshots        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* For LIMIT_NEEDS_QCOW2, while the machine is off: copies each raw disk into
 * a new qcow2 volume beside it (through libvirt's storage), points the
 * machine at the copies and then removes the raw images. Until the new
 * definition is in place the originals are untouched; on failure or cancel
 * the copies are removed and the machine is as before. @progress_callback
 * (may be NULL) runs in the caller's main context with the bytes copied. */
void              piso_snapshots_convert_disks_async  (PisoSnapshots        *self,
                                                       GFileProgressCallback progress_callback,
                                                       gpointer              progress_data,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          piso_snapshots_convert_disks_finish (PisoSnapshots        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

G_END_DECLS
