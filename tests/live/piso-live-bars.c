/* piso-live-bars.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-live-bars.h"

#include <spice/enums.h>

static const guint8 bar_colours[PISO_LIVE_N_BARS][3] = {
  { 0xaa, 0x00, 0x00 },
  { 0x00, 0xaa, 0x00 },
  { 0x00, 0x00, 0xaa },
  { 0xaa, 0xaa, 0xaa },
};

static gboolean
near (guint8 a,
      guint8 b)
{
  return ABS ((int) a - (int) b) <= 0x20;
}

gboolean
piso_live_pixel_is_bar (const guint8 *bgrx,
                        guint         bar)
{
  g_assert (bar < PISO_LIVE_N_BARS);

  return near (bgrx[2], bar_colours[bar][0]) &&
         near (bgrx[1], bar_colours[bar][1]) &&
         near (bgrx[0], bar_colours[bar][2]);
}

gboolean
piso_live_find_bars (PisoSpiceSession *session,
                     PisoDisplayRect   bars[PISO_LIVE_N_BARS])
{
  gint format, width, height, stride;
  guint8 *data;

  if (!piso_spice_session_get_primary (session, &format, &width, &height, &stride, &data))
    return FALSE;
  g_assert_cmpint (format, ==, SPICE_SURFACE_FMT_32_xRGB);

  for (int y = 0; y < height; y++)
    {
      const guint8 *row = data + (gsize) y * stride;
      guint colour = 0;
      int x = 0;

      while (x < width && colour < PISO_LIVE_N_BARS)
        {
          int start = x;

          while (x < width && piso_live_pixel_is_bar (row + x * 4, colour))
            x++;
          if (x - start >= 16)
            {
              int mid = (start + x) / 2;
              int bottom = y;

              while (bottom < height &&
                     piso_live_pixel_is_bar (data + (gsize) bottom * stride + mid * 4, colour))
                bottom++;
              bars[colour] = (PisoDisplayRect) { start, y, x - start, bottom - y };
              colour++;
            }
          if (x == start)
            x++;
        }
      if (colour == PISO_LIVE_N_BARS)
        return TRUE;
    }

  return FALSE;
}
