/* piso-migrate-dialog.h: moves a machine to another connected host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"
#include "piso-operation-dialog.h"

G_BEGIN_DECLS

#define PISO_TYPE_MIGRATE_DIALOG (piso_migrate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PisoMigrateDialog, piso_migrate_dialog, PISO, MIGRATE_DIALOG, PisoOperationDialog)

/* A modal window over @parent's window for moving @machine to one of the
 * other connected connections of @connections (a GListModel of
 * PisoConnection): the destination, for a running machine whether the move
 * is temporary, and the pre-flight checks' answer for that destination
 * (Move stays off until they passed). Then the progress (bytes sent of the
 * total, time left) with Cancel. On success it closes, toasts through
 * @parent's window and shows the machine on its new host in a PisoWindow; a
 * failure or a cancel shows the backend's word, the machine where it was. */
PisoMigrateDialog *piso_migrate_dialog_new           (PisoMachine       *machine,
                                                      GListModel        *connections,
                                                      GtkWidget         *parent);
/* The migration for the chosen destination, or NULL when there is none */
PisoMigration     *piso_migrate_dialog_get_migration (PisoMigrateDialog *self);

G_END_DECLS
