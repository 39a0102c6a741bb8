/* piso-live-bars.c: the test guest's screen and keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-live-bars.h"

#include <spice/enums.h>

#include "piso-test-utils.h"

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

/* ---- typing ---- */

#define SC_SHIFT 0x2a

/* PC XT set 1 make codes of the US layout; bit 0x1000 means with Shift. */
static guint
char_scancode (char c)
{
  static const guint8 letters[26] = {
    0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
    0x31, 0x18, 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c,
  };

  if (c >= 'a' && c <= 'z')
    return letters[c - 'a'];
  if (c >= 'A' && c <= 'Z')
    return 0x1000 | letters[c - 'A'];
  if (c >= '1' && c <= '9')
    return 0x02 + (guint) (c - '1');
  switch (c)
    {
    case '0': return 0x0b;
    case '-': return 0x0c;
    case ' ': return 0x39;
    case '.': return 0x34;
    case '>': return 0x1000 | 0x34;
    case '/': return 0x35;
    case '\n': return PISO_LIVE_SC_ENTER;
    default:
      g_error ("no scancode for '%c'", c);
    }
}

static void
key (PisoSpiceSession *session,
     guint             scancode,
     gboolean          press)
{
  piso_spice_session_send_key (session, scancode, press);
  /* QEMU's PS/2 queue is small: one change every 25 ms */
  piso_test_spin (25);
}

void
piso_live_type_text (PisoSpiceSession *session,
                     const char       *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      guint code = char_scancode (*p);

      if (code & 0x1000)
        key (session, SC_SHIFT, TRUE);
      key (session, code & 0xfff, TRUE);
      key (session, code & 0xfff, FALSE);
      if (code & 0x1000)
        key (session, SC_SHIFT, FALSE);
    }
}
