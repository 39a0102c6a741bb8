/* piso-spice-clipboard.h: the guest's clipboard and the host's, through the SPICE agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-spice-session.h"

G_BEGIN_DECLS

#define PISO_TYPE_SPICE_CLIPBOARD (piso_spice_clipboard_get_type ())

G_DECLARE_FINAL_TYPE (PisoSpiceClipboard, piso_spice_clipboard, PISO, SPICE_CLIPBOARD, GObject)

/* Shares text between the guest's clipboard (its SPICE agent) and @display's
 * CLIPBOARD and PRIMARY selections while @session is connected and the
 * guest's agent runs:
 *   - text the guest copies becomes the host's clipboard content; it is
 *     fetched from the guest only when a host application pastes it;
 *   - text copied on the host is offered to the guest while the clipboard is
 *     "active" (the console sets it from its window's focus, so that a copy
 *     in another window reaches the guest only once the user comes back to
 *     the console); becoming active offers the host's current text.
 * Only UTF-8 text is shared; line ends follow the guest's convention.
 * There is one bridge per session and display: a second call returns the
 * first one (a new reference) while it lives. */
PisoSpiceClipboard *piso_spice_clipboard_new         (PisoSpiceSession   *session,
                                                      GdkDisplay         *display);
PisoSpiceSession   *piso_spice_clipboard_get_session (PisoSpiceClipboard *self);
/* Property "active" (default TRUE). */
gboolean            piso_spice_clipboard_get_active  (PisoSpiceClipboard *self);
void                piso_spice_clipboard_set_active  (PisoSpiceClipboard *self,
                                                      gboolean            active);

G_END_DECLS
