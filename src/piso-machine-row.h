/* piso-machine-row.h: one machine in the list (a recycled GtkListView row)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_ROW (piso_machine_row_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineRow, piso_machine_row, PISO, MACHINE_ROW, GtkWidget)

GtkWidget   *piso_machine_row_new         (void);
PisoMachine *piso_machine_row_get_machine (PisoMachineRow *self);
/* Binds the row to @machine (NULL unbinds): follows its state, name and OS,
 * and holds statistics for the CPU sparkline while it runs. */
void         piso_machine_row_set_machine (PisoMachineRow *self,
                                           PisoMachine    *machine);

G_END_DECLS
