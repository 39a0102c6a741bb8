/* piso-live-display.h: driving and checking the console widget against the
 * test guest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-display-geometry.h"
#include "piso-spice-display.h"
#include "piso-spice-session.h"

G_BEGIN_DECLS

/* Runs a command while the main loop keeps running (GTK has to see the
 * events it causes) and asserts that it succeeds. */
void     piso_live_run_command         (const char * const        *argv);

/* Conditions for piso_test_wait_until(). */
/* @session is connected, with a primary surface and an inputs channel. */
gboolean piso_live_spice_ready         (gpointer                   session);
/* … and its mouse is in server (relative) mode. */
gboolean piso_live_server_mouse        (gpointer                   session);
/* The display has drawn guest content at a size. */
gboolean piso_live_display_has_drawn   (gpointer                   display);
gboolean piso_live_display_grabbed     (gpointer                   display);

/* Where @display shows its session's primary surface now. */
void     piso_live_display_geometry    (GtkWidget                 *display,
                                        PisoDisplayGeometry       *geometry);


/* Waits (10 s at most) until the guest of piso_live_mouse_domain_xml() has
 * reported, in @serial past @offset, the motion the host's pointer made by
 * (@dx, @dy) widget pixels under @geometry, and fails if it did not. */
void piso_live_expect_guest_motion (const char                *serial,
                                    gsize                      offset,
                                    const PisoDisplayGeometry *geometry,
                                    double                     dx,
                                    double                     dy);

G_END_DECLS
