/* piso-spice-display.h: a GTK4 widget showing a SPICE session's screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-spice-session.h"

G_BEGIN_DECLS

#define PISO_TYPE_SPICE_DISPLAY (piso_spice_display_get_type ())

G_DECLARE_FINAL_TYPE (PisoSpiceDisplay, piso_spice_display, PISO, SPICE_DISPLAY, GtkWidget)

/* Draws the primary surface of @session fitted to the widget (keeping its
 * aspect, black bars around it, pixel-exact when it fits at 1:1) and sends
 * the keyboard (by scancode) and mouse (absolute position, buttons, wheel)
 * to the guest. Held keys are released when the widget loses the focus or
 * is unmapped. */
GtkWidget        *piso_spice_display_new              (PisoSpiceSession *session);
PisoSpiceSession *piso_spice_display_get_session      (PisoSpiceDisplay *self);
void              piso_spice_display_set_session      (PisoSpiceDisplay *self,
                                                       PisoSpiceSession *session);
/* How many times the widget was drawn with new guest content. */
guint64           piso_spice_display_get_frames_drawn (PisoSpiceDisplay *self);

/* The keyboard path, for tests: what the key controller does with an X11
 * (evdev + 8) hardware keycode. Returns TRUE if the key has a scancode. */
gboolean          _piso_spice_display_handle_keycode  (PisoSpiceDisplay *self,
                                                       guint             x11_keycode,
                                                       gboolean          press);

G_END_DECLS
