/* piso-machine-install-banner.h: the machine page's word on an install from media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_INSTALL_BANNER (piso_machine_install_banner_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineInstallBanner, piso_machine_install_banner, PISO, MACHINE_INSTALL_BANNER, PisoMachineSection)

/* Shown above every view of the machine page while the machine is in an
 * install Piso follows ("Installing from “debian.iso”", with Remove
 * Installer Media for an install the user finishes by hand) and once it
 * finished ("Installation finished — installer removed", until the user
 * dismisses it); hidden otherwise. Changes of phase are announced. */
GtkWidget *piso_machine_install_banner_new (void);

G_END_DECLS
