/* piso-machine-add-interface.h: asks where a new or existing network interface connects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-alert.h"
#include "piso-backend.h"
#include "piso-machine-devices.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_ADD_INTERFACE (piso_machine_add_interface_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineAddInterface, piso_machine_add_interface, PISO, MACHINE_ADD_INTERFACE, PisoAlertParent)

/* An alert (piso-alert.h) with the responses "cancel" and "add", listing
 * the virtual networks and bridges of @machine's host (listed off the main
 * thread; "add" is enabled once one is chosen). With @mac it asks where
 * the interface @mac connects instead ("add" then reads "Connect"), the
 * current one chosen. The caller makes the change on "add". */
GtkWidget  *piso_machine_add_interface_new        (PisoMachine             *machine,
                                                   const char              *mac);
const char *piso_machine_add_interface_get_mac    (PisoMachineAddInterface *self);
/* The chosen network or bridge; FALSE while none is */
gboolean    piso_machine_add_interface_get_source (PisoMachineAddInterface *self,
                                                   PisoNetSourceKind       *kind,
                                                   const char             **source);
/* Chooses @source of @kind when the host has it (TRUE) */
gboolean    piso_machine_add_interface_select     (PisoMachineAddInterface *self,
                                                   PisoNetSourceKind        kind,
                                                   const char              *source);
/* Whether the host's networks and bridges were listed (or failed to be) */
gboolean    piso_machine_add_interface_get_loaded (PisoMachineAddInterface *self);

G_END_DECLS
