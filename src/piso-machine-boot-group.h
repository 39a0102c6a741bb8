/* piso-machine-boot-group.h: the Hardware view's Boot group: boot menu, firmware, TPM, boot order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_BOOT_GROUP (piso_machine_boot_group_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineBootGroup, piso_machine_boot_group, PISO, MACHINE_BOOT_GROUP, AdwPreferencesGroup)

/* Shows @machine's boot settings (the definition's: they apply at the next
 * start) and asks for changes through the Hardware section's actions:
 * hardware.set-boot-menu (b), hardware.set-firmware ((ubb): PisoFirmware,
 * Secure Boot, TPM; only while the machine is off) and
 * hardware.set-boot-order (as: disk targets and MACs, first first). */
void         piso_machine_boot_group_set_machine (PisoMachineBootGroup *self,
                                                  PisoMachine          *machine);
/* Shows the machine's settings again (after a refused change) */
void         piso_machine_boot_group_sync        (PisoMachineBootGroup *self);
/* The boot order shown: the checked devices, first first (for tests) */
GStrv        piso_machine_boot_group_get_order   (PisoMachineBootGroup *self);

G_END_DECLS
