/* test-display-geometry.c: widget <-> guest coordinates, and surface formats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <spice/enums.h>

#include "piso-display-geometry.h"
#include "piso-surface-format.h"

/* Geometry --------------------------------------------------------------- */

static PisoDisplayGeometry
make_geometry (int      guest_width,
               int      guest_height,
               int      widget_width,
               int      widget_height,
               double   scale_factor,
               gboolean scale_to_fit)
{
  PisoDisplayGeometry geometry = {
    .guest_width = guest_width,
    .guest_height = guest_height,
    .widget_width = widget_width,
    .widget_height = widget_height,
    .scale_factor = scale_factor,
    .scale_to_fit = scale_to_fit,
  };

  piso_display_geometry_update (&geometry);

  return geometry;
}

/* Every guest pixel's centre maps back to that pixel, and the widget area of
 * its 1x1 damage rectangle contains that centre. */
static void
check_round_trips (const PisoDisplayGeometry *g,
                   int                        step)
{
  double scale = g->scale_factor > 0 ? g->scale_factor : 1.0;

  for (int gy = 0; gy < g->guest_height; gy += step)
    for (int gx = 0; gx < g->guest_width; gx += step)
      {
        double wx = g->dest_x + (gx + 0.5) * g->zoom_x / scale;
        double wy = g->dest_y + (gy + 0.5) * g->zoom_y / scale;
        PisoDisplayRect guest = { gx, gy, 1, 1 };
        PisoDisplayRect widget;
        int rx, ry;

        if (wx < 0 || wy < 0 || wx >= g->widget_width || wy >= g->widget_height)
          continue;  /* scrolled out of view */

        g_assert_true (piso_display_geometry_widget_to_guest (g, wx, wy, &rx, &ry));
        g_assert_cmpint (rx, ==, gx);
        g_assert_cmpint (ry, ==, gy);

        g_assert_true (piso_display_geometry_guest_to_widget (g, &guest, &widget));
        g_assert_cmpfloat (widget.x, <=, wx);
        g_assert_cmpfloat (widget.y, <=, wy);
        g_assert_cmpfloat (widget.x + widget.width, >=, wx);
        g_assert_cmpfloat (widget.y + widget.height, >=, wy);
      }
}

static void
test_fit_letterbox_scale1 (void)
{
  PisoDisplayGeometry g = make_geometry (720, 400, 1000, 800, 1, TRUE);
  int gx, gy;

  /* 1000/720 limits: full width, bars above and below. */
  g_assert_cmpfloat (g.dest_x, ==, 0);
  g_assert_cmpfloat (g.dest_width, ==, 1000);
  g_assert_cmpfloat (g.dest_height, ==, 556);
  g_assert_cmpfloat (g.dest_y, ==, 122);
  g_assert_cmpfloat_with_epsilon (g.zoom_x, 1000.0 / 720, 1e-9);
  g_assert_cmpfloat_with_epsilon (g.zoom_y, 556.0 / 400, 1e-9);
  g_assert_false (piso_display_geometry_is_one_to_one (&g));

  check_round_trips (&g, 1);

  /* The corners. */
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 0, 122, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  g_assert_cmpint (gy, ==, 0);
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 999.9, 677.9, &gx, &gy));
  g_assert_cmpint (gx, ==, 719);
  g_assert_cmpint (gy, ==, 399);

  /* The bars are outside, and clamp to the nearest edge. */
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 500, 50, &gx, &gy));
  g_assert_cmpint (gy, ==, 0);
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 500, 121.9, NULL, NULL));
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 500, 790, &gx, &gy));
  g_assert_cmpint (gy, ==, 399);
  g_assert_false (piso_display_geometry_widget_to_guest (&g, -3, 300, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 1000, 300, &gx, &gy));
  g_assert_cmpint (gx, ==, 719);
}

static void
test_fit_letterbox_scale2 (void)
{
  PisoDisplayGeometry g = make_geometry (720, 400, 1000, 800, 2, TRUE);

  /* 2000x1600 device pixels: 2000x1111, centred on a device pixel. */
  g_assert_cmpfloat (g.dest_x, ==, 0);
  g_assert_cmpfloat (g.dest_width, ==, 1000);
  g_assert_cmpfloat (g.dest_height, ==, 1111 / 2.0);
  g_assert_cmpfloat (g.dest_y, ==, 244 / 2.0);
  g_assert_cmpfloat_with_epsilon (g.zoom_x, 2000.0 / 720, 1e-9);

  check_round_trips (&g, 1);
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 500, 121.9, NULL, NULL));
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 500, 122.1, NULL, NULL));
}

static void
test_fit_pillarbox (void)
{
  /* A tall widget limits the width, a wide one the height. */
  PisoDisplayGeometry g = make_geometry (800, 600, 1600, 600, 1, TRUE);

  g_assert_cmpfloat (g.dest_x, ==, 400);
  g_assert_cmpfloat (g.dest_y, ==, 0);
  g_assert_cmpfloat (g.dest_width, ==, 800);
  g_assert_cmpfloat (g.dest_height, ==, 600);
  g_assert_true (piso_display_geometry_is_one_to_one (&g));
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 399.5, 10, NULL, NULL));
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 400, 10, NULL, NULL));

  g = make_geometry (800, 600, 1234, 300, 1.5, TRUE);
  check_round_trips (&g, 3);
  g_assert_cmpfloat (g.dest_height * 1.5, ==, 450);
  g_assert_cmpfloat (g.dest_width * 1.5, ==, 600);
}

static void
test_one_to_one_exact (void)
{
  static const double scales[] = { 1, 2, 1.25, 1.6, 1.5 };

  /* The widget fits the guest exactly (in device pixels, which are the
   * rounded logical size times the scale): fit is 1:1. */
  for (gsize i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      double s = scales[i];
      PisoDisplayGeometry g = make_geometry (1024, 768, (int) (1024 / s), (int) (768 / s) + 50,
                                             s, TRUE);
      PisoDisplayRect guest = { 100, 200, 10, 20 };
      PisoDisplayRect widget;

      if (round ((int) (1024 / s) * s) != 1024)
        {
          g_assert_false (piso_display_geometry_is_one_to_one (&g));
          continue;
        }

      g_test_message ("scale %g", s);
      g_assert_true (piso_display_geometry_is_one_to_one (&g));
      g_assert_cmpfloat (g.dest_x, ==, 0);
      g_assert_cmpfloat_with_epsilon (g.dest_width * s, 1024, 1e-9);
      g_assert_cmpfloat_with_epsilon (g.dest_height * s, 768, 1e-9);
      /* The origin is on a whole device pixel. */
      g_assert_cmpfloat_with_epsilon (g.dest_y * s, round (g.dest_y * s), 1e-9);

      /* Each device pixel is exactly one guest pixel. */
      for (int d = 0; d < 1024; d++)
        {
          int gx, gy;

          g_assert_true (piso_display_geometry_widget_to_guest (&g, (d + 0.5) / s,
                                                                g.dest_y + (d % 768 + 0.5) / s,
                                                                &gx, &gy));
          g_assert_cmpint (gx, ==, d);
          g_assert_cmpint (gy, ==, d % 768);
        }

      /* No growth for filtering at 1:1. */
      g_assert_true (piso_display_geometry_guest_to_widget (&g, &guest, &widget));
      if (s == 1)
        {
          g_assert_cmpint (widget.x, ==, 100);
          g_assert_cmpint (widget.y, ==, 200 + (int) g.dest_y);
          g_assert_cmpint (widget.width, ==, 10);
          g_assert_cmpint (widget.height, ==, 20);
        }
      else if (s == 2)
        {
          g_assert_cmpint (widget.x, ==, 50);
          g_assert_cmpint (widget.width, ==, 5);
          g_assert_cmpint (widget.height, ==, 10);
        }
    }
}

static void
test_unscaled_centred (void)
{
  PisoDisplayGeometry g = make_geometry (720, 400, 1000, 800, 1, FALSE);
  PisoDisplayRect guest = { 10, 20, 30, 40 };
  PisoDisplayRect widget;
  int gx, gy;

  g_assert_true (piso_display_geometry_is_one_to_one (&g));
  g_assert_cmpfloat (g.dest_x, ==, 140);
  g_assert_cmpfloat (g.dest_y, ==, 200);
  g_assert_cmpfloat (g.dest_width, ==, 720);
  g_assert_cmpfloat (g.content_width, ==, 720);
  g_assert_true (piso_display_geometry_guest_to_widget (&g, &guest, &widget));
  g_assert_cmpint (widget.x, ==, 150);
  g_assert_cmpint (widget.y, ==, 220);
  g_assert_cmpint (widget.width, ==, 30);
  g_assert_cmpint (widget.height, ==, 40);
  check_round_trips (&g, 1);

  /* Scale 2: the guest covers 360x200 logical pixels. */
  g = make_geometry (720, 400, 1000, 800, 2, FALSE);
  g_assert_cmpfloat (g.dest_x, ==, 320);
  g_assert_cmpfloat (g.dest_y, ==, 300);
  g_assert_cmpfloat (g.dest_width, ==, 360);
  g_assert_cmpfloat (g.content_height, ==, 200);
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 320.25, 300.25, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  g_assert_cmpint (gy, ==, 0);
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 320.5, 300.75, &gx, &gy));
  g_assert_cmpint (gx, ==, 1);
  g_assert_cmpint (gy, ==, 1);
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 319.9, 350, NULL, NULL));

  /* Damage on half-logical-pixel boundaries rounds outward. */
  guest = (PisoDisplayRect) { 11, 21, 3, 3 };
  g_assert_true (piso_display_geometry_guest_to_widget (&g, &guest, &widget));
  g_assert_cmpint (widget.x, ==, 325);
  g_assert_cmpint (widget.y, ==, 310);
  g_assert_cmpint (widget.width, ==, 2);
  g_assert_cmpint (widget.height, ==, 2);
  check_round_trips (&g, 1);
}

static void
test_unscaled_scrolled (void)
{
  PisoDisplayGeometry g = {
    .guest_width = 1920, .guest_height = 1080,
    .widget_width = 1000, .widget_height = 800,
    .scale_factor = 1, .scale_to_fit = FALSE,
    .scroll_x = 100, .scroll_y = 50,
  };
  PisoDisplayRect guest = { 0, 0, 50, 50 };
  PisoDisplayRect widget;
  int gx, gy;

  piso_display_geometry_update (&g);
  g_assert_cmpfloat (g.dest_x, ==, -100);
  g_assert_cmpfloat (g.dest_y, ==, -50);
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 0, 0, &gx, &gy));
  g_assert_cmpint (gx, ==, 100);
  g_assert_cmpint (gy, ==, 50);

  /* Damage partly scrolled out is clipped; fully out is empty. */
  guest = (PisoDisplayRect) { 90, 40, 20, 20 };
  g_assert_true (piso_display_geometry_guest_to_widget (&g, &guest, &widget));
  g_assert_cmpint (widget.x, ==, 0);
  g_assert_cmpint (widget.y, ==, 0);
  g_assert_cmpint (widget.width, ==, 10);
  g_assert_cmpint (widget.height, ==, 10);
  guest = (PisoDisplayRect) { 0, 0, 50, 50 };
  g_assert_false (piso_display_geometry_guest_to_widget (&g, &guest, &widget));

  /* Scroll offsets clamp to the content. */
  g.scroll_x = 5000;
  g.scroll_y = -20;
  piso_display_geometry_update (&g);
  g_assert_cmpfloat (g.scroll_x, ==, 920);
  g_assert_cmpfloat (g.scroll_y, ==, 0);
  g_assert_true (piso_display_geometry_widget_to_guest (&g, 999.5, 799.5, &gx, &gy));
  g_assert_cmpint (gx, ==, 1919);
  g_assert_cmpint (gy, ==, 799);

  /* Larger on one axis only: scrolled there, centred on the other. */
  g = (PisoDisplayGeometry) {
    .guest_width = 1920, .guest_height = 400,
    .widget_width = 1000, .widget_height = 800,
    .scale_factor = 1, .scroll_x = 10, .scroll_y = 10,
  };
  piso_display_geometry_update (&g);
  g_assert_cmpfloat (g.dest_x, ==, -10);
  g_assert_cmpfloat (g.dest_y, ==, 200);
  g_assert_cmpfloat (g.scroll_y, ==, 0);
  check_round_trips (&g, 7);
}

static void
test_damage_scaled (void)
{
  PisoDisplayGeometry g = make_geometry (720, 400, 1000, 800, 1, TRUE);
  PisoDisplayRect guest = { 0, 0, 720, 400 };
  PisoDisplayRect widget;

  /* The whole surface is the whole image. */
  g_assert_true (piso_display_geometry_guest_to_widget (&g, &guest, &widget));
  g_assert_cmpint (widget.x, ==, 0);
  g_assert_cmpint (widget.y, ==, 122);
  g_assert_cmpint (widget.width, ==, 1000);
  g_assert_cmpint (widget.height, ==, 556);

  /* Scaled damage grows by a guest pixel on each side for the filter. */
  guest = (PisoDisplayRect) { 72, 40, 72, 40 };
  g_assert_true (piso_display_geometry_guest_to_widget (&g, &guest, &widget));
  g_assert_cmpint (widget.x, <=, (int) (71 * g.zoom_x));
  g_assert_cmpint (widget.x + widget.width, >=, (int) (145 * g.zoom_x));
  g_assert_cmpint (widget.y, <=, 122 + (int) (39 * g.zoom_y));
  g_assert_cmpint (widget.y + widget.height, >=, 122 + (int) (81 * g.zoom_y));

  /* Empty damage stays empty. */
  guest = (PisoDisplayRect) { 10, 10, 0, 5 };
  g_assert_false (piso_display_geometry_guest_to_widget (&g, &guest, &widget));
  g_assert_cmpint (widget.width, ==, 0);
}

static void
test_empty (void)
{
  PisoDisplayGeometry g = make_geometry (0, 0, 1000, 800, 1, TRUE);
  PisoDisplayRect guest = { 0, 0, 10, 10 };
  PisoDisplayRect widget;
  int gx = -1, gy = -1;

  g_assert_true (piso_display_geometry_is_empty (&g));
  g_assert_false (piso_display_geometry_is_one_to_one (&g));
  g_assert_false (piso_display_geometry_widget_to_guest (&g, 10, 10, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  g_assert_cmpint (gy, ==, 0);
  g_assert_false (piso_display_geometry_guest_to_widget (&g, &guest, &widget));

  g = make_geometry (720, 400, 0, 800, 1, TRUE);
  g_assert_true (piso_display_geometry_is_empty (&g));
  g_assert_cmpfloat (g.dest_width, ==, 0);

  /* An unset scale factor counts as 1. */
  g = make_geometry (720, 400, 720, 400, 0, TRUE);
  g_assert_true (piso_display_geometry_is_one_to_one (&g));
  g_assert_cmpfloat (g.dest_width, ==, 720);
}

/* Surface formats -------------------------------------------------------- */

#define DEST_SENTINEL 0x55

static void
assert_bgra (const guint8 *p,
             guint8        r,
             guint8        g,
             guint8        b)
{
  g_assert_cmphex (p[0], ==, b);
  g_assert_cmphex (p[1], ==, g);
  g_assert_cmphex (p[2], ==, r);
  g_assert_cmphex (p[3], ==, 0xff);
}

static void
test_format_32 (void)
{
  static const guint formats[] = { SPICE_SURFACE_FMT_32_xRGB, SPICE_SURFACE_FMT_32_ARGB };
  static const struct { guint32 pixel; guint8 r, g, b; } cases[] = {
    { 0x00ff0000, 0xff, 0x00, 0x00 },
    { 0x0000ff00, 0x00, 0xff, 0x00 },
    { 0x000000ff, 0x00, 0x00, 0xff },
    { 0x00000000, 0x00, 0x00, 0x00 },
    { 0xffffffff, 0xff, 0xff, 0xff },
    { 0x12345678, 0x34, 0x56, 0x78 },  /* x / alpha byte ignored */
    { 0x80112233, 0x11, 0x22, 0x33 },
  };

  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      guint32 src[G_N_ELEMENTS (cases)];
      guint8 dest[G_N_ELEMENTS (cases) * 4];

      for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
        src[i] = cases[i].pixel;

      g_assert_cmpuint (piso_surface_format_bytes_per_pixel (formats[f]), ==, 4);
      g_assert_true (piso_surface_format_convert ((const guint8 *) src, sizeof src, formats[f],
                                                  0, 0, G_N_ELEMENTS (cases), 1,
                                                  dest, sizeof dest));
      for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
        assert_bgra (dest + i * 4, cases[i].r, cases[i].g, cases[i].b);
    }
}

static void
test_format_16 (void)
{
  static const struct { guint format; guint16 pixel; guint8 r, g, b; } cases[] = {
    { SPICE_SURFACE_FMT_16_565, 0xf800, 0xff, 0x00, 0x00 },
    { SPICE_SURFACE_FMT_16_565, 0x07e0, 0x00, 0xff, 0x00 },
    { SPICE_SURFACE_FMT_16_565, 0x001f, 0x00, 0x00, 0xff },
    { SPICE_SURFACE_FMT_16_565, 0x0000, 0x00, 0x00, 0x00 },
    { SPICE_SURFACE_FMT_16_565, 0xffff, 0xff, 0xff, 0xff },
    { SPICE_SURFACE_FMT_16_565, 0x8410, 0x84, 0x82, 0x84 },  /* 10000 100000 10000 */
    { SPICE_SURFACE_FMT_16_565, 0x0821, 0x08, 0x04, 0x08 },  /* 00001 000001 00001 */
    { SPICE_SURFACE_FMT_16_555, 0x7c00, 0xff, 0x00, 0x00 },
    { SPICE_SURFACE_FMT_16_555, 0x03e0, 0x00, 0xff, 0x00 },
    { SPICE_SURFACE_FMT_16_555, 0x001f, 0x00, 0x00, 0xff },
    { SPICE_SURFACE_FMT_16_555, 0x7fff, 0xff, 0xff, 0xff },
    { SPICE_SURFACE_FMT_16_555, 0x8000, 0x00, 0x00, 0x00 },  /* top bit unused */
    { SPICE_SURFACE_FMT_16_555, 0x4210, 0x84, 0x84, 0x84 },
    { SPICE_SURFACE_FMT_16_555, 0x0421, 0x08, 0x08, 0x08 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint16 src = cases[i].pixel;
      guint8 dest[4];

      g_test_message ("format %u pixel 0x%04x", cases[i].format, cases[i].pixel);
      g_assert_cmpuint (piso_surface_format_bytes_per_pixel (cases[i].format), ==, 2);
      g_assert_true (piso_surface_format_convert ((const guint8 *) &src, 2, cases[i].format,
                                                  0, 0, 1, 1, dest, 4));
      assert_bgra (dest, cases[i].r, cases[i].g, cases[i].b);
    }
}

/* A surface whose pixel (x, y) encodes its position, with padded rows. */
static guint8 *
make_surface (guint  format,
              int    width,
              int    height,
              gsize *stride)
{
  guint bpp = piso_surface_format_bytes_per_pixel (format);
  guint8 *data;

  *stride = width * bpp + 12;
  data = g_malloc (*stride * height);
  memset (data, 0xaa, *stride * height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = data + y * *stride + x * bpp;

        if (bpp == 4)
          {
            guint32 v = 0x7f000000u | (guint32) (x * 16) << 16 | (guint32) (y * 16) << 8 | 0x42;
            memcpy (p, &v, 4);
          }
        else if (format == SPICE_SURFACE_FMT_16_565)
          {
            guint16 v = (guint16) (x << 11 | y << 5 | 0x1f);
            memcpy (p, &v, 2);
          }
        else
          {
            guint16 v = (guint16) (x << 10 | y << 5 | 0x1f);
            memcpy (p, &v, 2);
          }
      }

  return data;
}

static void
check_surface_pixel (guint         format,
                     const guint8 *p,
                     int           x,
                     int           y)
{
  if (piso_surface_format_bytes_per_pixel (format) == 4)
    assert_bgra (p, x * 16, y * 16, 0x42);
  else if (format == SPICE_SURFACE_FMT_16_565)
    assert_bgra (p, x << 3 | x >> 2, y << 2 | y >> 4, 0xff);
  else
    assert_bgra (p, x << 3 | x >> 2, y << 3 | y >> 2, 0xff);
}

static void
test_format_subrect (void)
{
  static const guint formats[] = {
    SPICE_SURFACE_FMT_32_xRGB, SPICE_SURFACE_FMT_32_ARGB,
    SPICE_SURFACE_FMT_16_565, SPICE_SURFACE_FMT_16_555,
  };
  const int width = 9, height = 7;
  const int rx = 3, ry = 2, rw = 5, rh = 4;
  const gsize dest_stride = rw * 4 + 8;

  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      gsize stride;
      g_autofree guint8 *src = make_surface (formats[f], width, height, &stride);
      g_autofree guint8 *dest = g_malloc (dest_stride * rh);
      g_autofree guint8 *whole = g_malloc (width * 4 * height);

      g_test_message ("format %u", formats[f]);
      memset (dest, DEST_SENTINEL, dest_stride * rh);
      g_assert_true (piso_surface_format_convert (src, stride, formats[f], rx, ry, rw, rh,
                                                  dest, dest_stride));

      for (int y = 0; y < rh; y++)
        {
          for (int x = 0; x < rw; x++)
            check_surface_pixel (formats[f], dest + y * dest_stride + x * 4, rx + x, ry + y);

          /* The destination's row padding is left alone. */
          for (gsize b = rw * 4; b < dest_stride; b++)
            g_assert_cmphex (dest[y * dest_stride + b], ==, DEST_SENTINEL);
        }

      /* The whole surface into a tightly packed buffer. */
      g_assert_true (piso_surface_format_convert (src, stride, formats[f], 0, 0, width, height,
                                                  whole, width * 4));
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          check_surface_pixel (formats[f], whole + (y * width + x) * 4, x, y);

      /* An empty rectangle converts nothing. */
      g_assert_true (piso_surface_format_convert (src, stride, formats[f], 2, 2, 0, 3,
                                                  dest, dest_stride));
    }
}

static void
test_format_unsupported (void)
{
  static const guint formats[] = {
    SPICE_SURFACE_FMT_INVALID, SPICE_SURFACE_FMT_1_A, SPICE_SURFACE_FMT_8_A, 24, 1000,
  };
  guint32 src[4] = { 0x00ff0000, 0x00ff0000, 0x00ff0000, 0x00ff0000 };
  guint8 dest[16];

  g_assert_true (piso_surface_format_is_supported (SPICE_SURFACE_FMT_32_xRGB));
  g_assert_true (piso_surface_format_is_supported (SPICE_SURFACE_FMT_32_ARGB));
  g_assert_true (piso_surface_format_is_supported (SPICE_SURFACE_FMT_16_565));
  g_assert_true (piso_surface_format_is_supported (SPICE_SURFACE_FMT_16_555));

  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      memset (dest, DEST_SENTINEL, sizeof dest);
      g_assert_false (piso_surface_format_is_supported (formats[f]));
      g_assert_cmpuint (piso_surface_format_bytes_per_pixel (formats[f]), ==, 0);
      g_assert_false (piso_surface_format_convert ((const guint8 *) src, sizeof src, formats[f],
                                                   0, 0, 2, 2, dest, 8));
      for (gsize b = 0; b < sizeof dest; b++)
        g_assert_cmphex (dest[b], ==, DEST_SENTINEL);
    }
}

/* Server mouse mode: pointer motion in logical pixels to guest pixels, with
 * the fractions carried over. */
static void
test_relative_motion (void)
{
  PisoDisplayGeometry g = {
    .guest_width = 800, .guest_height = 600,
    .widget_width = 400, .widget_height = 300,
    .scale_factor = 1, .scale_to_fit = TRUE,
  };
  double rest_x = 0, rest_y = 0;
  int dx, dy, total = 0;

  piso_display_geometry_update (&g);
  g_assert_cmpfloat_with_epsilon (g.zoom_x, 0.5, 1e-9);

  /* zoomed out by 2: one logical pixel is two guest pixels */
  g_assert_true (piso_display_geometry_relative_motion (&g, 3, -2, &rest_x, &rest_y, &dx, &dy));
  g_assert_cmpint (dx, ==, 6);
  g_assert_cmpint (dy, ==, -4);

  /* zoomed in by 2 (HiDPI 2 at 1:1 device pixels = guest pixels) */
  g = (PisoDisplayGeometry) { .guest_width = 400, .guest_height = 300,
                              .widget_width = 800, .widget_height = 600,
                              .scale_factor = 1, .scale_to_fit = TRUE };
  piso_display_geometry_update (&g);
  g_assert_cmpfloat_with_epsilon (g.zoom_x, 2.0, 1e-9);
  rest_x = rest_y = 0;
  /* half a guest pixel per event: nothing, then one, never lost */
  g_assert_false (piso_display_geometry_relative_motion (&g, 1, 0, &rest_x, &rest_y, &dx, &dy));
  g_assert_cmpint (dx, ==, 0);
  g_assert_true (piso_display_geometry_relative_motion (&g, 1, 0, &rest_x, &rest_y, &dx, &dy));
  g_assert_cmpint (dx, ==, 1);
  for (int i = 0; i < 100; i++)
    {
      piso_display_geometry_relative_motion (&g, 1, 0, &rest_x, &rest_y, &dx, &dy);
      total += dx;
    }
  g_assert_cmpint (total, ==, 50);

  /* back and forth ends where it started */
  total = 0;
  rest_x = rest_y = 0;
  for (int i = 0; i < 10; i++)
    {
      piso_display_geometry_relative_motion (&g, 3, 0, &rest_x, &rest_y, &dx, &dy);
      total += dx;
      piso_display_geometry_relative_motion (&g, -3, 0, &rest_x, &rest_y, &dx, &dy);
      total += dx;
    }
  g_assert_cmpint (total, ==, 0);

  /* device scale 2 at 1:1: one logical pixel is two guest pixels */
  g = (PisoDisplayGeometry) { .guest_width = 800, .guest_height = 600,
                              .widget_width = 400, .widget_height = 300,
                              .scale_factor = 2, .scale_to_fit = TRUE };
  piso_display_geometry_update (&g);
  g_assert_true (piso_display_geometry_is_one_to_one (&g));
  rest_x = rest_y = 0;
  g_assert_true (piso_display_geometry_relative_motion (&g, 5, 1, &rest_x, &rest_y, &dx, &dy));
  g_assert_cmpint (dx, ==, 10);
  g_assert_cmpint (dy, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/display-geometry/fit/letterbox-scale1", test_fit_letterbox_scale1);
  g_test_add_func ("/display-geometry/fit/letterbox-scale2", test_fit_letterbox_scale2);
  g_test_add_func ("/display-geometry/fit/pillarbox", test_fit_pillarbox);
  g_test_add_func ("/display-geometry/fit/one-to-one", test_one_to_one_exact);
  g_test_add_func ("/display-geometry/unscaled/centred", test_unscaled_centred);
  g_test_add_func ("/display-geometry/unscaled/scrolled", test_unscaled_scrolled);
  g_test_add_func ("/display-geometry/damage-scaled", test_damage_scaled);
  g_test_add_func ("/display-geometry/empty", test_empty);
  g_test_add_func ("/display-geometry/relative-motion", test_relative_motion);
  g_test_add_func ("/surface-format/32", test_format_32);
  g_test_add_func ("/surface-format/16", test_format_16);
  g_test_add_func ("/surface-format/subrect", test_format_subrect);
  g_test_add_func ("/surface-format/unsupported", test_format_unsupported);

  return g_test_run ();
}
