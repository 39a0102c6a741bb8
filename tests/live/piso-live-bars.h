/* piso-live-bars.h: finding the test guest's colour bars on its screen
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

G_END_DECLS
