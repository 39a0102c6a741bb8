/* piso-delete-dialog.h: confirms deleting a machine, and which storage goes too
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-alert.h"
#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_DELETE_DIALOG (piso_delete_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PisoDeleteDialog, piso_delete_dialog, PISO, DELETE_DIALOG, PisoAlertParent)

/* An alert (piso-alert.h) with the responses "cancel" and "delete". On
 * "delete" the dialog calls piso_machine_delete_async() with the checked
 * storage files and reports a failure through its window's "win.toast"
 * action. Every file starts unchecked. */
GtkWidget   *piso_delete_dialog_new                (PisoMachine      *machine);
PisoMachine *piso_delete_dialog_get_machine        (PisoDeleteDialog *self);
/* The storage files offered for deletion (writable disks, not CD-ROMs) */
GStrv        piso_delete_dialog_get_storage_paths  (PisoDeleteDialog *self);
/* The ones the user checked */
GStrv        piso_delete_dialog_get_checked_paths  (PisoDeleteDialog *self);
gboolean     piso_delete_dialog_set_path_checked   (PisoDeleteDialog *self,
                                                    const char       *path,
                                                    gboolean          checked);
/* Another machine of @machine's connection that uses the file @path, or
 * NULL (transfer none): such a file is never offered for deletion, here or
 * when a disk is removed. */
PisoMachine *piso_delete_dialog_find_other_user    (PisoMachine      *machine,
                                                    const char       *path);

G_END_DECLS
