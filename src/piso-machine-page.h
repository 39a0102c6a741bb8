/* piso-machine-page.h: the details of one machine, and its actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_PAGE (piso_machine_page_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachinePage, piso_machine_page, PISO, MACHINE_PAGE, AdwBin)

/* The page installs these widget actions, enabled by piso_machine_can():
 *   machine.start  machine.shutdown  machine.reboot  machine.pause
 *   machine.resume machine.save      machine.restore
 *   machine.force-off     asks for confirmation first
 *   machine.delete        opens a PisoDeleteDialog
 *   machine.rename   "s"  renames to the parameter; "" opens a rename dialog
 *   machine.autostart "b" sets whether the machine starts with the host
 *   machine.show-console  switches to the Console view
 * Failures are reported through the "win.toast" action ("s"). */
GtkWidget   *piso_machine_page_new         (void);
PisoMachine *piso_machine_page_get_machine (PisoMachinePage *self);
void         piso_machine_page_set_machine (PisoMachinePage *self,
                                            PisoMachine     *machine);

/* Lets @title switch between the Console and Details views while a machine
 * is shown (NULL: none). */
void         piso_machine_page_set_view_switcher (PisoMachinePage      *self,
                                                  AdwViewSwitcherTitle *title);

G_END_DECLS
