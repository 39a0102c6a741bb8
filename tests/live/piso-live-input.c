/* piso-live-input.c: checking what the test guest makes of Piso's input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-live-input.h"

#include <stdlib.h>

#include "piso-live.h"
#include "piso-test-utils.h"

/* The guest saw the host's motion (@dx, @dy widget pixels), scaled to its
 * pixels, within a tenth (its PS/2 packets carry whole pixels). */
void
piso_live_expect_guest_motion (const char                *serial,
                               gsize                      offset,
                               const PisoDisplayGeometry *geometry,
                               double                     dx,
                               double                     dy)
{
  double rest_x = 0, rest_y = 0;
  int want_x, want_y, gdx = 0, gdy = 0;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint packets = 0;

  piso_display_geometry_relative_motion (geometry, dx, dy, &rest_x, &rest_y, &want_x, &want_y);
  while (g_get_monotonic_time () < deadline)
    {
      packets = piso_live_guest_mouse_motion (serial, offset, &gdx, &gdy);
      if (abs (gdx - want_x) <= MAX (4, abs (want_x) / 10) &&
          abs (gdy - want_y) <= MAX (4, abs (want_y) / 10))
        break;
      piso_test_spin (100);
    }
  g_test_message ("the guest moved its pointer by %d,%d in %u packets (host %.0f,%.0f -> %d,%d)",
                  gdx, gdy, packets, dx, dy, want_x, want_y);
  g_assert_cmpint (abs (gdx - want_x), <=, MAX (4, abs (want_x) / 10));
  g_assert_cmpint (abs (gdy - want_y), <=, MAX (4, abs (want_y) / 10));
}

