/* piso-machine-overview.h: the machine page's Overview: what the machine is, its state and use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_OVERVIEW (piso_machine_overview_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineOverview, piso_machine_overview, PISO, MACHINE_OVERVIEW, PisoMachineSection)

/* Name, state, operating system, description, "Start With the Host" (a
 * switch that asks libvirt and follows what it answers), persistence, UUID,
 * and the performance graphs while the machine runs (from the machine's
 * statistics history; the page holds the sampling). */
GtkWidget *piso_machine_overview_new (void);

G_END_DECLS
