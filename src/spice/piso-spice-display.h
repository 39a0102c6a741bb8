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
 * the keyboard (by scancode) and mouse to the guest.
 *
 * Drawing: damage is collected and converted once per frame clock tick, only
 * where the guest drew (256×256 tiles viewing one converted copy; one texture
 * when the whole screen changed). The guest's pointer shape from the cursor
 * channel becomes the widget's cursor (hidden when the guest hides it).
 *
 * Mouse: in client mode (the session's "mouse-mode") positions are sent;
 * in server mode a click grabs the pointer, relative motion is sent, and on
 * X11 the pointer is warped back to the middle of the widget (on Wayland the
 * compositor is asked to lock it where it is); the guest's
 * pointer is then drawn by the widget where the guest says it is.
 *
 * Keyboard: while the pointer is over the widget in an active window (or the
 * mouse is grabbed), the system shortcuts are inhibited (Wayland) or the
 * keyboard is grabbed (X11) so that e.g. Alt+Tab reaches the guest (unless
 * "grab-desktop-keys" is FALSE), and the
 * application's own shortcuts do not fire; the "grabbed" property says so, and the UI should then
 * show piso_spice_display_get_grab_hint(). Pressing Ctrl+Alt together
 * releases both grabs until the pointer leaves the widget or clicks in it
 * again. Held keys are released when the widget loses the focus or is
 * unmapped.
 *
 * With "resize-guest" (default TRUE) and the guest's agent connected, the
 * guest's resolution follows the widget's size in device pixels (debounced by
 * the session). */
GtkWidget        *piso_spice_display_new              (PisoSpiceSession *session);
PisoSpiceSession *piso_spice_display_get_session      (PisoSpiceDisplay *self);
void              piso_spice_display_set_session      (PisoSpiceDisplay *self,
                                                       PisoSpiceSession *session);

/* Property "grabbed": keyboard (and in server mode mouse) input is captured. */
gboolean          piso_spice_display_get_grabbed      (PisoSpiceDisplay *self);
gboolean          piso_spice_display_get_pointer_locked (PisoSpiceDisplay *self);
/* A translated sentence to show while grabbed ("Press Ctrl+Alt to release"). */
const char       *piso_spice_display_get_grab_hint    (PisoSpiceDisplay *self);
/* Releases the keyboard and mouse grabs (as Ctrl+Alt does). */
void              piso_spice_display_release_grab     (PisoSpiceDisplay *self);

/* Property "grab-desktop-keys" (default TRUE): whether a grab also takes
 * the keys the desktop acts on (the X11 keyboard grab, the Wayland
 * shortcuts inhibitor). Without it the window manager keeps Alt+Tab and a
 * screen reader keeps its own keys, which those grabs would swallow. */
gboolean          piso_spice_display_get_grab_desktop_keys (PisoSpiceDisplay *self);
void              piso_spice_display_set_grab_desktop_keys (PisoSpiceDisplay *self,
                                                            gboolean          grab_desktop_keys);

/* Property "resize-guest". */
gboolean          piso_spice_display_get_resize_guest (PisoSpiceDisplay *self);
void              piso_spice_display_set_resize_guest (PisoSpiceDisplay *self,
                                                       gboolean          resize_guest);

/* The guest's screen at its full resolution (opaque B8G8R8A8), or NULL when
 * there is none. Save it with gdk_texture_save_to_png(). */
GdkTexture       *piso_spice_display_get_screenshot   (PisoSpiceDisplay *self);

/* How many times the widget was drawn with new guest content. */
guint64           piso_spice_display_get_frames_drawn (PisoSpiceDisplay *self);

/* For tests and the benchmark: the pixel (0xffRRGGBB) at guest (@x, @y) as
 * the last frame drew it (read it right after the frame, e.g. in the frame
 * clock's "after-paint"), or 0 when there is no surface. */
guint32           _piso_spice_display_get_drawn_pixel (PisoSpiceDisplay *self,
                                                       int               x,
                                                       int               y);
/* For tests: the guest size the display asks for with resize-guest on (its
 * size in device pixels), as of its last allocation or change of scale,
 * whether an agent was there to ask or not. */
void              _piso_spice_display_get_fitting_guest_size (PisoSpiceDisplay *self,
                                                              int              *width,
                                                              int              *height);
/* For tests: how many textures the display made for the renderer (GL or
 * Vulkan; none with cairo) and how many pixels the renderer had to upload
 * for them. */
void              _piso_spice_display_get_uploads     (PisoSpiceDisplay *self,
                                                       guint64          *textures,
                                                       guint64          *pixels);
/* The keyboard path, for tests: what the key controller does with an X11
 * (evdev + 8) hardware keycode. Returns TRUE if the key has a scancode. */
gboolean          _piso_spice_display_handle_keycode  (PisoSpiceDisplay *self,
                                                       guint             x11_keycode,
                                                       gboolean          press);

G_END_DECLS
