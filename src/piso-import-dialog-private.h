/* piso-import-dialog-private.h: what the Import dialog's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-creator.h"
#include "piso-export-appliance.h"
#include "piso-import-dialog.h"
#include "piso-install-plan.h"
#include "piso-os-catalog.h"

G_BEGIN_DECLS

struct _PisoImportDialog
{
  PisoOperationDialog parent_instance;

  PisoConnection   *connection;
  PisoExportBundle *bundle;
  PisoImporter     *importer;
  PisoMachine      *machine;
  /* This host's virtual networks */
  GStrv             host_networks;
  /* Why no pool is offered for the disks (none runs), or NULL */
  char             *no_pool_reason;
  gboolean          ready;
  gboolean          blocking;

  /* An appliance (OVA, OVF) instead of a bundle: made as the New Machine
   * assistant makes a machine, from the plan the appliance fills in */
  PisoExportAppliance *appliance;
  PisoOsCatalog       *catalog;
  PisoHostInfo        *host_info;
  PisoInstallPlan     *plan;
  PisoCreator         *creator;
  PisoCreatorCheck    *check;
  /* Piso chose user-mode networking: this host has no network "default" */
  gboolean             network_fallback;

  /* Template children (and the base's, see piso-operation-dialog.h); the
   * base's cancellable is set while the bundle is checked or imported */
  GtkLabel         *blockers_label;
  AdwActionRow     *disks_row;
  GtkBox           *fixes_box;
  AdwActionRow     *firmware_row;
  GtkButton        *import_button;
  GtkLabel         *name_error_label;
  AdwActionRow     *name_row;
  GtkEntry         *name_entry;
  GtkLabel         *notes_label;
  AdwActionRow     *os_row;
  AdwComboRow      *pool_row;
  GtkStringList    *pools;
  GtkLabel         *identity_label;
  AdwActionRow     *move_row;
  GtkSwitch        *move_switch;
  GtkLabel         *network_label;
  AdwActionRow     *network_row;
  AdwPreferencesGroup *networks_group;
  AdwStatusPage    *refused_page;
  AdwActionRow     *resources_row;
  AdwActionRow     *start_row;
  GtkSwitch        *start_switch;
  GtkLabel         *warnings_label;
  AdwWindowTitle   *window_title;
};

#define PISO_IMPORT_DIALOG_BASE(self) PISO_OPERATION_DIALOG (self)

/* piso-import-dialog.c */
void     _piso_import_dialog_update             (PisoImportDialog   *self);
void     _piso_import_dialog_refuse             (PisoImportDialog   *self,
                                                 const char         *message);
void     _piso_import_dialog_set_lines          (GtkLabel           *label,
                                                 const char * const *lines);
char    *_piso_import_dialog_resources_text     (guint               vcpus,
                                                 guint64             memory_kib);
/* The review's labels of what blocks the import (after a line saying so)
 * and of what to heed, hidden when empty; the strings are not taken */
void     _piso_import_dialog_set_problems       (PisoImportDialog   *self,
                                                 GPtrArray          *blockers,
                                                 GPtrArray          *warnings);
/* The review shown: its title "Import “@machine_name”", @name proposed in
 * the name row, the buttons updated and the focus on the name */
void     _piso_import_dialog_show_review_page   (PisoImportDialog   *self,
                                                 const char         *machine_name,
                                                 const char         *name);
/* Import's progress page with "Importing “name”…"; its cancellable */
GCancellable *_piso_import_dialog_start_import  (PisoImportDialog   *self);
/* What the import made (@machine, taken), or why not (@error): the dialog
 * closes with a toast, or shows the reason on the review */
void     _piso_import_dialog_finish_import      (PisoImportDialog   *self,
                                                 PisoMachine        *machine,
                                                 const GError       *error);

/* piso-import-dialog-appliance.c */
gboolean _piso_import_dialog_is_appliance       (const char         *path);
void     _piso_import_dialog_load_appliance     (PisoImportDialog   *self,
                                                 const char         *path);
gboolean _piso_import_dialog_appliance_can_import (PisoImportDialog *self);
/* Another pool chosen in the review: the host is checked again for it */
void     _piso_import_dialog_appliance_pool_chosen (PisoImportDialog *self,
                                                   const char       *pool);
/* The pools of the connection (@pools) in the pool row, @preferred
 * selected (else the first) */
void     _piso_import_dialog_fill_pools         (PisoImportDialog   *self,
                                                 const char * const *pools,
                                                 const char         *preferred);
void     _piso_import_dialog_import_appliance   (PisoImportDialog   *self);

G_END_DECLS
