/* piso-new-machine-window.h: the New Machine assistant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_NEW_MACHINE_WINDOW (piso_new_machine_window_get_type ())

G_DECLARE_FINAL_TYPE (PisoNewMachineWindow, piso_new_machine_window, PISO, NEW_MACHINE_WINDOW,
                      AdwWindow)

/* A modal assistant that creates a machine on @connection (connected).
 * Signal "machine-created" (PisoMachine *) is emitted once the new machine
 * was defined and started, just before the assistant closes. */
GtkWidget  *piso_new_machine_window_new        (GtkWindow            *parent,
                                                PisoConnection       *connection);
PisoConnection *piso_new_machine_window_get_connection (PisoNewMachineWindow *self);
/* Chooses installer media (e.g. an ISO dropped on the main window) */
void        piso_new_machine_window_set_media  (PisoNewMachineWindow *self,
                                                GFile                *file);
/* "source", "os", "resources", "review" or "creating" */
const char *piso_new_machine_window_get_page   (PisoNewMachineWindow *self);

G_END_DECLS
