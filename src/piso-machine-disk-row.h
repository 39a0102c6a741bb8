/* piso-machine-disk-row.h: one disk or CD/DVD drive of a machine, in the Hardware section
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_DISK_ROW (piso_machine_disk_row_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineDiskRow, piso_machine_disk_row, PISO, MACHINE_DISK_ROW, AdwActionRow)

/* Target and bus, the file behind it (or "Empty"), format, size and space
 * used; follows @disk as sizes and volumes arrive. */
GtkWidget *piso_machine_disk_row_new      (PisoDisk           *disk);
PisoDisk  *piso_machine_disk_row_get_disk (PisoMachineDiskRow *self);

G_END_DECLS
