/* piso-machine-page.h: one machine: its header, Console and sections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_PAGE (piso_machine_page_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachinePage, piso_machine_page, PISO, MACHINE_PAGE, AdwBin)

/* The page of the machine chosen in the list. Its header carries the view
 * switcher, and PisoMachineControls: the primary action for the machine's
 * state and a menu with the others. Its views (an AdwViewStack): "console"
 * (PisoConsolePage), then one PisoMachineSection each: "overview"
 * (PisoMachineOverview), "resources" (PisoMachineResources), "hardware"
 * (PisoMachineHardware). A new section is a PisoMachineSection subclass
 * added as an AdwViewStackPage in ui/piso-machine-page.ui (and g_type_ensure'd
 * in class_init): the page gives it the machine it shows.
 *
 * The page installs these widget actions, enabled by piso_machine_can():
 *   machine.start  machine.shutdown  machine.reboot  machine.pause
 *   machine.resume machine.save      machine.restore
 *   machine.force-off     asks for confirmation first
 *   machine.delete        opens a PisoDeleteDialog
 *   machine.rename   "s"  renames to the parameter; "" opens a rename dialog
 *   machine.show-console  switches to the Console view
 *   machine.migrate       opens a PisoMigrateDialog (with another connection)
 * Failures are reported through the "win.toast" action ("s"). */
GtkWidget   *piso_machine_page_new         (void);
PisoMachine *piso_machine_page_get_machine (PisoMachinePage *self);
/* The "machine.*" actions on the page's machine (start, shutdown, rename…,
 * delete, show-console…), enabled as it can do them */
GActionGroup *piso_machine_page_get_actions (PisoMachinePage *self);
/* A new menu of all of them (a list row's context menu) */
GMenuModel  *piso_machine_page_new_context_menu (PisoMachinePage *self);
void         piso_machine_page_set_machine (PisoMachinePage *self,
                                            PisoMachine     *machine);
/* The connections the machine can move to ("machine.migrate", enabled
 * while there is another one): a GListModel of PisoConnection, or NULL */
void         piso_machine_page_set_connections (PisoMachinePage *self,
                                                GListModel      *connections);
/* Whether the window shows one pane at a time: the header then has a back
 * button (the "win.back" action) and the window's start buttons. */
gboolean     piso_machine_page_get_folded  (PisoMachinePage *self);
void         piso_machine_page_set_folded  (PisoMachinePage *self,
                                            gboolean         folded);

G_END_DECLS
