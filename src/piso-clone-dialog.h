/* piso-clone-dialog.h: asks how to clone a shut-off machine, then makes the clone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"
#include "piso-operation-dialog.h"

G_BEGIN_DECLS

#define PISO_TYPE_CLONE_DIALOG (piso_clone_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PisoCloneDialog, piso_clone_dialog, PISO, CLONE_DIALOG, PisoOperationDialog)

/* A modal window over @parent's window for cloning @machine (it must be
 * shut off): the name (a free one proposed, checked as it is typed), full
 * or linked, per disk copy / share / leave out with the backend's notes,
 * the TPM and firmware-variables notes; then the progress with Cancel. On
 * success it closes, toasts through @parent's window and shows the new
 * machine (PisoWindow); a failure or a cancel shows the backend's word and
 * leaves the choices as they were. */
PisoCloneDialog *piso_clone_dialog_new         (PisoMachine     *machine,
                                                GtkWidget       *parent);
PisoCloner      *piso_clone_dialog_get_cloner  (PisoCloneDialog *self);
/* Whether the original was read (the choices are shown) */
gboolean         piso_clone_dialog_get_ready   (PisoCloneDialog *self);
/* The clone made (once the dialog succeeded), for tests; else NULL */
PisoMachine     *piso_clone_dialog_get_clone   (PisoCloneDialog *self);

G_END_DECLS
