/* piso-live-input.h: checking what the test guest makes of Piso's input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-display-geometry.h"

G_BEGIN_DECLS

/* Waits (10 s at most) until the guest of piso_live_mouse_domain_xml() has
 * reported, in @serial past @offset, the motion the host's pointer made by
 * (@dx, @dy) widget pixels under @geometry, and fails if it did not. */
void piso_live_expect_guest_motion (const char                *serial,
                                    gsize                      offset,
                                    const PisoDisplayGeometry *geometry,
                                    double                     dx,
                                    double                     dy);

G_END_DECLS
