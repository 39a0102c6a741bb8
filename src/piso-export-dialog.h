/* piso-export-dialog.h: asks where to export a machine, then writes the bundle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"
#include "piso-exporter.h"

G_BEGIN_DECLS

#define PISO_TYPE_EXPORT_DIALOG (piso_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PisoExportDialog, piso_export_dialog, PISO, EXPORT_DIALOG, AdwWindow)

/* A modal window over @parent's window for exporting @machine: the folder
 * to write into (the file chooser) and the bundle folder's name; a running
 * machine is said to be paused while its disks are read. Then the progress
 * (bytes done of the total, time left) with Cancel. On success it closes
 * and toasts through @parent's window (with "Open Folder" in a PisoWindow);
 * a failure or a cancel shows the backend's word, nothing of the bundle
 * being left behind. */
PisoExportDialog *piso_export_dialog_new         (PisoMachine      *machine,
                                                  GtkWidget        *parent);
PisoExporter     *piso_export_dialog_get_exporter (PisoExportDialog *self);
/* The folder the bundle goes into, as the file chooser would set it */
void              piso_export_dialog_set_folder  (PisoExportDialog *self,
                                                  GFile            *folder);
/* The bundle written (once the dialog succeeded), for tests; else NULL */
const char       *piso_export_dialog_get_destination (PisoExportDialog *self);

G_END_DECLS
