/* piso-machine-add-disk.h: asks for a new disk (pool and size) or an existing image
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-alert.h"
#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_ADD_DISK (piso_machine_add_disk_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineAddDisk, piso_machine_add_disk, PISO, MACHINE_ADD_DISK, PisoAlertParent)

/* An alert (piso-alert.h) with the responses "cancel" and "add": a new
 * disk in one of the host's storage pools (listed off the main thread;
 * "default" chosen when there is one) of a size in GiB, or an existing
 * disk image chosen with a file chooser (a local host only: a remote
 * host's files are not this computer's). The bus is the backend's choice
 * (from the OS, as New Machine does). The caller adds the disk on "add". */
GtkWidget  *piso_machine_add_disk_new          (PisoMachine        *machine);
/* What was asked: TRUE for a new disk (@pool, @capacity in bytes), FALSE
 * for the image at @path. */
gboolean    piso_machine_add_disk_get_new      (PisoMachineAddDisk *self,
                                                const char        **pool,
                                                guint64            *capacity,
                                                const char        **path);
/* What the user chooses, for tests: the pool and size of a new disk (FALSE
 * when the host has no such pool), or an existing image. */
gboolean    piso_machine_add_disk_set_new      (PisoMachineAddDisk *self,
                                                const char         *pool,
                                                double              gib);
void        piso_machine_add_disk_set_path     (PisoMachineAddDisk *self,
                                                const char         *path);
/* Whether the host's pools were listed (or failed to be) */
gboolean    piso_machine_add_disk_get_loaded   (PisoMachineAddDisk *self);

G_END_DECLS
