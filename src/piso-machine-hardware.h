/* piso-machine-hardware.h: the machine page's Hardware: disks and network interfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_HARDWARE (piso_machine_hardware_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineHardware, piso_machine_hardware, PISO, MACHINE_HARDWARE, PisoMachineSection)

/* The machine's disks and CD/DVD drives (PisoMachineDiskRow) and network
 * interfaces (PisoMachineInterfaceRow), one row per item of
 * piso_machine_get_disks() / _get_interfaces(), bound to those models. */
GtkWidget *piso_machine_hardware_new (void);

G_END_DECLS
