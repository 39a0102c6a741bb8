/* piso-machine-toast.h: how the machine page and its sections report failures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows @message through the "win.toast" action ("s") of @widget's window
 * (PisoWindow, PisoConsoleWindow, or a test's stand-in). */
void piso_machine_toast       (GtkWidget    *widget,
                               const char   *message);
/* Toasts "@context: libvirt's reason". The backend's own errors already
 * carry such a context ("Could not start “x”: …") and are shown as they
 * are; names it refused before asking libvirt, and errors from elsewhere,
 * get @context added. */
void piso_machine_toast_error (GtkWidget    *widget,
                               const char   *context,
                               const GError *error);

G_END_DECLS
