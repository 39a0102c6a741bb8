/* piso-live-bars.h: the test guest's screen (its colour bars) and keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-display-geometry.h"
#include "piso-spice-session.h"

G_BEGIN_DECLS

/* The guest prints RED, GREEN, BLUE and WHITE background blocks, in Linux's
 * default console palette, from left to right. */
#define PISO_LIVE_N_BARS 4

/* Whether the pixel at @bgrx (bytes B, G, R, x, as in a 32-bit SPICE surface
 * or a downloaded B8G8R8A8 texture) is bar @bar's colour, within ±0x20. */
gboolean piso_live_pixel_is_bar (const guint8 *bgrx,
                                 guint         bar);
/* The bars as guest rectangles: the runs (at least 16 pixels, two character
 * cells) of each colour in the first row that shows all four in order, as
 * far down as each colour goes in its run's middle column. */
gboolean piso_live_find_bars    (PisoSpiceSession *session,
                                 PisoDisplayRect   bars[PISO_LIVE_N_BARS]);

/* Enter's PC XT set 1 make code. */
#define PISO_LIVE_SC_ENTER 0x1c

/* Types @text (letters, digits, " -./>" and newlines, US layout) on the
 * guest's keyboard through @session, one key change every 25 ms (QEMU's PS/2
 * queue is small), iterating the main context meanwhile. */
void     piso_live_type_text    (PisoSpiceSession *session,
                                 const char       *text);

G_END_DECLS
