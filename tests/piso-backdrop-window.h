/* piso-backdrop-window.h: a plain window drawn as Piso's windows are, for
 * the display's tests and bench-console
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PISO_TYPE_BACKDROP_WINDOW (piso_backdrop_window_get_type ())

G_DECLARE_FINAL_TYPE (PisoBackdropWindow, piso_backdrop_window, PISO, BACKDROP_WINDOW, GtkWindow)

/* A GtkWindow that paints its background around the PisoSpiceDisplay it
 * shows, as PisoWindow and PisoConsoleWindow do (piso-display-backdrop.h);
 * those need the whole app, this one nothing but a display. */
GtkWidget *piso_backdrop_window_new (void);

G_END_DECLS
