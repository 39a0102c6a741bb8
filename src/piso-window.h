/* piso-window.h: the main window, machine list and details side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-application.h"

G_BEGIN_DECLS

#define PISO_TYPE_WINDOW (piso_window_get_type ())

G_DECLARE_FINAL_TYPE (PisoWindow, piso_window, PISO, WINDOW, AdwApplicationWindow)

PisoWindow *piso_window_new        (PisoApplication *application);
/* Shows @message (libvirt's reason) as a toast; long messages get a short
 * title and a "Details" button. Also the "win.toast" action ("s"). */
void        piso_window_show_toast (PisoWindow      *self,
                                    const char      *message);
/* Shows @message as a toast with an "Open Folder" button opening @folder
 * (where an export was written) */
void        piso_window_show_folder_toast (PisoWindow *self,
                                           const char *message,
                                           GFile      *folder);
/* Opens Import Machine for the bundle in @folder (or the .tar file
 * @folder), into the connection a new machine would go to (what
 * "win.import-machine" does once a bundle is chosen) */
void        piso_window_import_bundle (PisoWindow *self,
                                       GFile      *folder);
/* Selects @machine in the list (once it is listed) and shows its console */
void        piso_window_show_machine (PisoWindow    *self,
                                      PisoMachine   *machine);
/* piso_window_show_machine for the machine @uuid of @connection, once
 * @connection lists it (a machine moved there is listed when that host's
 * events arrive, which can be after the move has finished); not after
 * 30 seconds */
void        piso_window_show_machine_when_listed (PisoWindow     *self,
                                                  PisoConnection *connection,
                                                  const char     *uuid);

G_END_DECLS
