/* piso-machine-interface-row.h: one network interface of a machine, in the Hardware section
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_INTERFACE_ROW (piso_machine_interface_row_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineInterfaceRow, piso_machine_interface_row, PISO, MACHINE_INTERFACE_ROW, AdwActionRow)

/* Where it is connected, its MAC address and model, and the guest's
 * addresses on it once known; follows @iface. */
GtkWidget        *piso_machine_interface_row_new       (PisoNetInterface        *iface);
PisoNetInterface *piso_machine_interface_row_get_iface (PisoMachineInterfaceRow *self);

G_END_DECLS
