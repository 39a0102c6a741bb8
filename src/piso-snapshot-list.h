/* piso-snapshot-list.h: the machine page's Snapshots: take, revert, edit and delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_SNAPSHOT_LIST (piso_snapshot_list_get_type ())

G_DECLARE_FINAL_TYPE (PisoSnapshotList, piso_snapshot_list, PISO, SNAPSHOT_LIST, PisoMachineSection)

/* The machine's snapshots (current one marked), the kind a new one gets
 * and why none can be taken now (raw disks: Convert to qcow2 while off).
 * Actions, each with the snapshot's name ("s") where it acts on one:
 * snapshots.take (asks for a name and a description), snapshots.revert
 * (confirms), snapshots.edit (the description), snapshots.delete (hides
 * the row at once and deletes when its Undo toast goes away),
 * snapshots.convert (confirms). */
GtkWidget *piso_snapshot_list_new (void);

G_END_DECLS
