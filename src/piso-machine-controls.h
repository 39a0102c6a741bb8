/* piso-machine-controls.h: the machine page header's lifecycle controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_CONTROLS (piso_machine_controls_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineControls, piso_machine_controls, PISO, MACHINE_CONTROLS, AdwBin)

/* One button for the action the machine's state calls for — Start (off,
 * crashed), Shut Down (running, shutting down), Resume (paused, suspended),
 * Restore (saved) — and a menu with the others that can be done now
 * (Reboot, Pause, Save, Force Off…) and Rename…, Delete…. The buttons
 * activate the "machine.*" actions of an ancestor (PisoMachinePage), which
 * decides what is enabled; the page tells the state. */
GtkWidget  *piso_machine_controls_new                (void);
void        piso_machine_controls_set_state          (PisoMachineControls *self,
                                                      PisoMachineState     state);
/* Compact: the primary button shows its icon only (a narrow window) */
gboolean    piso_machine_controls_get_compact        (PisoMachineControls *self);
void        piso_machine_controls_set_compact        (PisoMachineControls *self,
                                                      gboolean             compact);
/* "machine.start", "machine.shutdown", "machine.resume" or "machine.restore" */
const char *piso_machine_controls_get_primary_action (PisoMachineControls *self);
/* Around a change of state and actions: whether the primary button had the
 * keyboard focus before, then where focus goes after (the menu while the
 * button cannot act, back to it once it can) */
gboolean    piso_machine_controls_primary_has_focus  (PisoMachineControls *self);
void        piso_machine_controls_settle_focus       (PisoMachineControls *self,
                                                      gboolean             primary_had_focus);
/* A new menu of every action of the machine: the primary ones, its
 * console, and the header's menu (for a list row's context menu) */
GMenuModel *piso_machine_controls_new_context_menu   (PisoMachineControls *self);

G_END_DECLS
