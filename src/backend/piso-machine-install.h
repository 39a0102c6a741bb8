/* piso-machine-install.h: a machine's installation from installer media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A machine that New Machine creates from installer media is defined for
 * an *install run*: the installer's CD-ROM first in the boot order and
 * <on_reboot>destroy</on_reboot>, so that the installer's reboot stops the
 * machine. Piso's metadata in the definition says so (and survives a Piso
 * restart; other clients see it). When an install run stops because the
 * guest rebooted or shut itself down, Piso counts it; at the last of the
 * OS's installer reboots (libosinfo: 1, 2 for Windows) it empties the
 * installer's drive (unless libosinfo says the media must stay), puts the
 * disk first in the boot order, restores <on_reboot>restart</on_reboot> and
 * starts the machine again; before the last one it only starts it again.
 * Stops the user forces (force off, save, crash) and a shutdown or restart
 * asked for through Piso are not counted: the install goes on at the next
 * start, from the installer.
 *
 * A stop that happened while no Piso was watching (the machine is found off,
 * libvirt saying the guest shut down) is counted the same way the first time
 * Piso sees the machine, but Piso does not start it: the user does, and it
 * starts from the right device.
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

typedef enum
{
  PISO_MACHINE_INSTALL_PHASE_NONE,       /* not an install Piso follows */
  PISO_MACHINE_INSTALL_PHASE_INSTALLING, /* the installer runs; its reboot ends the install run */
  PISO_MACHINE_INSTALL_PHASE_FINISHED,   /* the installer was removed (by Piso, or by
                                          * remove_installer_media); until dismissed */
} PisoMachineInstallPhase;

/* Property "install-phase" (PisoMachineInstallPhase, notify). */
PisoMachineInstallPhase piso_machine_get_install_phase          (PisoMachine         *self);

/* For an install the user finishes by hand (PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA,
 * phase INSTALLING): removes the installer from the definition — its drive
 * emptied, the disk first in the boot order, <on_reboot>restart — and the
 * phase becomes FINISHED. On a running machine this is the definition for
 * its next start; the run goes on with the installer, and when the guest
 * reboots Piso starts it again from the disk. Runs in a worker thread. */
void                    piso_machine_remove_installer_media_async  (PisoMachine         *self,
                                                                    GCancellable        *cancellable,
                                                                    GAsyncReadyCallback  callback,
                                                                    gpointer             user_data);
gboolean                piso_machine_remove_installer_media_finish (PisoMachine         *self,
                                                                    GAsyncResult        *result,
                                                                    GError             **error);

/* The user has read that the installation finished (phase FINISHED):
 * removes Piso's install metadata, and the phase becomes NONE. While an
 * install run still goes on (the installer was removed by hand while it
 * ran) only the definition for the next start changes. */
void                    piso_machine_dismiss_install_async         (PisoMachine         *self,
                                                                    GCancellable        *cancellable,
                                                                    GAsyncReadyCallback  callback,
                                                                    gpointer             user_data);
gboolean                piso_machine_dismiss_install_finish        (PisoMachine         *self,
                                                                    GAsyncResult        *result,
                                                                    GError             **error);

G_END_DECLS
