/* piso-machine-resources.h: the machine page's Resources: processors and memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_RESOURCES (piso_machine_resources_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineResources, piso_machine_resources, PISO, MACHINE_RESOURCES, PisoMachineSection)

/* The machine's virtual processors and memory, current and at most, as
 * libvirt reports them; follows the machine's changes. */
GtkWidget *piso_machine_resources_new (void);

G_END_DECLS
