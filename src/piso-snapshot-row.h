/* piso-snapshot-row.h: one snapshot of a machine, in the Snapshots view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_SNAPSHOT_ROW (piso_snapshot_row_get_type ())

G_DECLARE_FINAL_TYPE (PisoSnapshotRow, piso_snapshot_row, PISO, SNAPSHOT_ROW, AdwActionRow)

/* Name (marked when current), when it was taken, the machine's state in it,
 * the snapshot it was taken after, its description and a small picture of
 * the screen when one was kept; follows @snapshot. Its buttons activate
 * "snapshots.revert", "snapshots.edit" and "snapshots.delete" with the
 * snapshot's name. */
GtkWidget    *piso_snapshot_row_new          (PisoSnapshot    *snapshot);
PisoSnapshot *piso_snapshot_row_get_snapshot (PisoSnapshotRow *self);

G_END_DECLS
