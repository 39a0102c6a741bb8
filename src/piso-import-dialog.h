/* piso-import-dialog.h: checks a bundle, shows what it makes, then imports it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"
#include "piso-export-bundle.h"
#include "piso-importer.h"
#include "piso-operation-dialog.h"

G_BEGIN_DECLS

#define PISO_TYPE_IMPORT_DIALOG (piso_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PisoImportDialog, piso_import_dialog, PISO, IMPORT_DIALOG, PisoOperationDialog)

/* A modal window over @parent's window importing the bundle in @folder (or
 * the .tar file @folder), or the appliance @folder (an .ova or .ovf file),
 * into @connection: it checks every file first ("Checking…"; a bundle that
 * fails is refused, nothing made; an appliance's disks are converted then),
 * then shows what will be made (the name, made unique and checked as
 * typed, the pool, firmware, resources, disks; an appliance's OS, network
 * and notes) and what this host lacks (refusing Import when it cannot run
 * it); then the import's progress with Cancel. On success it closes,
 * toasts through @parent's window and selects the new machine
 * (PisoWindow). An appliance's machine is made as the New Machine
 * assistant makes one, and started. */
PisoImportDialog *piso_import_dialog_new          (PisoConnection   *connection,
                                                   GFile            *folder,
                                                   GtkWidget        *parent);
/* The bundle or appliance that one of @files (GFiles, as dropped on a
 * window) names, the first that does (see piso_export_bundle_locate; an
 * .ova or .ovf file), for piso_import_dialog_new; NULL when none does. */
GFile            *piso_import_dialog_find_bundle  (GSList           *files);
/* A file filter showing what Import Machine… opens: a bundle's manifest
 * (for its folder), .tar bundles and appliances (.ova, .ovf) */
GtkFileFilter    *piso_import_dialog_new_filter   (void);
/* Whether the bundle was checked and the review is shown */
gboolean          piso_import_dialog_get_ready    (PisoImportDialog *self);
/* The machine made (once the dialog succeeded), for tests; else NULL */
PisoMachine      *piso_import_dialog_get_machine  (PisoImportDialog *self);

G_END_DECLS
