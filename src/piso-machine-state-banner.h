/* piso-machine-state-banner.h: the machine page's word on a disposable run or a template
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_STATE_BANNER (piso_machine_state_banner_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineStateBanner, piso_machine_state_banner, PISO, MACHINE_STATE_BANNER, PisoMachineSection)

/* Shown above every view of the machine page while the machine runs
 * disposable ("Disposable — changes are discarded at shutdown", announced
 * when the run starts) or is the template of linked clones (naming them,
 * and why it cannot start or be deleted) or a linked clone (naming its
 * template); hidden otherwise. */
GtkWidget *piso_machine_state_banner_new (void);
/* How long a shutdown may take before the banner offers Force Off (30 s;
 * less in tests) */
void       piso_machine_state_banner_set_shutdown_patience (PisoMachineStateBanner *self,
                                                            guint                   milliseconds);

G_END_DECLS
