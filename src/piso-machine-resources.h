/* piso-machine-resources.h: the machine page's Resources: processors and memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_RESOURCES (piso_machine_resources_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineResources, piso_machine_resources, PISO, MACHINE_RESOURCES, PisoMachineSection)

/* The machine's memory and virtual processors, current and at most, as
 * fields the user changes (now where libvirt can, else from the next
 * start, each row saying which); follows the machine's changes. */
GtkWidget *piso_machine_resources_new (void);

G_END_DECLS
