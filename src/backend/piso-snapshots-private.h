/* piso-snapshots-private.h: how the snapshot operations run (piso-snapshots*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-snapshot-private.h"
#include "piso-snapshots.h"

G_BEGIN_DECLS

typedef struct _PisoSnapshotsOp PisoSnapshotsOp;

/* One operation: inputs copied on the main thread, @func runs in a worker. */
struct _PisoSnapshotsOp
{
  gboolean        (*func) (PisoSnapshotsOp  *op,
                           GCancellable     *cancellable,
                           GError          **error);
  virDomainPtr      handle;       /* owned reference */
  char             *name;         /* the machine's display name, for messages */
  char             *uuid;
  PisoMachineState  state;        /* when the operation was asked for */
  PisoSnapshotKind  kind;         /* what a new snapshot will be */
  gboolean          has_agent;
  char             *snapshot;     /* the snapshot's name */
  char             *description;
  gboolean          describe;     /* edit: the description changes */
  char             *label;        /* edit: the name shown (NULL: the snapshot's name) */
  gboolean          forget_label; /* take: drop a label left by a snapshot of the same name */
  char            **names;        /* delete: newest first */
  char             *disks_xml;    /* take: the <disks> element, every disk named */
  char             *memory_file;  /* take: external snapshots of a running machine */
  gboolean          memory;       /* revert: the snapshot has the machine's memory */
  guint             flags;
  guint             timeout_s;
  GMainContext     *context;      /* the caller's, for progress */
  gpointer          data;
  GDestroyNotify    data_free;
};

/* NULL (with @error) while the connection is down. */
PisoSnapshotsOp *_piso_snapshots_op_new    (PisoSnapshots        *self,
                                            GError              **error);
void             _piso_snapshots_op_free   (PisoSnapshotsOp      *op);
/* Runs @op in a worker, then reads the list again, then completes. */
void             _piso_snapshots_run_op    (PisoSnapshots        *self,
                                            PisoSnapshotsOp      *op,
                                            gpointer              source_tag,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
/* Completes a call at once with @error (taken). */
void             _piso_snapshots_fail      (PisoSnapshots        *self,
                                            gpointer              source_tag,
                                            GError               *error,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean         _piso_snapshots_op_finish (PisoSnapshots        *self,
                                            GAsyncResult         *result,
                                            gpointer              source_tag,
                                            GError              **error);
/* Reads the list again, then calls @callback (its result: a boolean task). */
void             _piso_snapshots_refresh_then (PisoSnapshots       *self,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* Main thread: libvirt said @machine went back to a snapshot (an event
 * with a FROM_SNAPSHOT detail): its listed snapshots are read again. */
void             _piso_snapshots_machine_reverted (PisoMachine *machine);
/* Whether one of the listed snapshots has the file @path (Delete). */
gboolean         _piso_snapshots_owns_file (PisoSnapshots *self,
                                            const char    *path);
const PisoSnapshotPolicy  *_piso_snapshots_get_policy (PisoSnapshots *self);
const PisoSnapshotMachine *_piso_snapshots_get_facts  (PisoSnapshots *self);

G_END_DECLS
