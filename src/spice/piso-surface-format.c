/* piso-surface-format.c: SPICE surface pixels to GDK's B8G8R8A8 memory format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-surface-format"

#include "config.h"

#include <string.h>
#include <spice/enums.h>

#include "piso-surface-format.h"

/**
 * piso_surface_format_is_supported:
 * @format: a SpiceSurfaceFmt
 *
 * Returns: %TRUE if piso_surface_format_convert() handles @format.
 */
gboolean
piso_surface_format_is_supported (guint format)
{
  return piso_surface_format_bytes_per_pixel (format) != 0;
}

/**
 * piso_surface_format_bytes_per_pixel:
 * @format: a SpiceSurfaceFmt
 *
 * Returns: the size of a source pixel, or 0 for unsupported formats.
 */
guint
piso_surface_format_bytes_per_pixel (guint format)
{
  switch (format)
    {
    case SPICE_SURFACE_FMT_32_xRGB:
    case SPICE_SURFACE_FMT_32_ARGB:
      return 4;

    case SPICE_SURFACE_FMT_16_555:
    case SPICE_SURFACE_FMT_16_565:
      return 2;

    default:
      return 0;
    }
}

static inline void
put_pixel (guint8 *d,
           guint   r,
           guint   g,
           guint   b)
{
  d[0] = (guint8) b;
  d[1] = (guint8) g;
  d[2] = (guint8) r;
  d[3] = 0xff;
}

static void
convert_row_32 (const guint8 *src,
                guint8       *dest,
                int           width)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  /* The words are already B, G, R, x in memory: one pass that sets the
   * alpha byte (the compiler turns it into vector ORs). */
  for (int i = 0; i < width; i++)
    {
      guint32 v;

      memcpy (&v, src + (gsize) i * 4, sizeof v);
      v |= 0xff000000u;
      memcpy (dest + (gsize) i * 4, &v, sizeof v);
    }
#else
  for (int i = 0; i < width; i++)
    {
      guint32 v;

      memcpy (&v, src + i * 4, sizeof v);
      put_pixel (dest + i * 4, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }
#endif
}

/* Expand an n-bit channel to 8 bits by repeating its top bits, so that all
 * zeros stays 0x00 and all ones becomes 0xff. */
#define EXPAND5(c) (((c) << 3) | ((c) >> 2))
#define EXPAND6(c) (((c) << 2) | ((c) >> 4))

static void
convert_row_555 (const guint8 *src,
                 guint8       *dest,
                 int           width)
{
  for (int i = 0; i < width; i++)
    {
      guint16 v;
      guint r, g, b;

      memcpy (&v, src + i * 2, sizeof v);
      r = (v >> 10) & 0x1f;
      g = (v >> 5) & 0x1f;
      b = v & 0x1f;
      put_pixel (dest + i * 4, EXPAND5 (r), EXPAND5 (g), EXPAND5 (b));
    }
}

static void
convert_row_565 (const guint8 *src,
                 guint8       *dest,
                 int           width)
{
  for (int i = 0; i < width; i++)
    {
      guint16 v;
      guint r, g, b;

      memcpy (&v, src + i * 2, sizeof v);
      r = (v >> 11) & 0x1f;
      g = (v >> 5) & 0x3f;
      b = v & 0x1f;
      put_pixel (dest + i * 4, EXPAND5 (r), EXPAND6 (g), EXPAND5 (b));
    }
}

/**
 * piso_surface_format_convert:
 * @src: the first byte of the source surface (its pixel 0,0)
 * @src_stride: bytes per source row
 * @format: the source's SpiceSurfaceFmt
 * @x: the rectangle to convert, in surface pixels
 * @y:
 * @width:
 * @height:
 * @dest: where the rectangle's pixel 0,0 goes
 * @dest_stride: bytes per destination row, at least @width * 4
 *
 * Converts a rectangle of a SPICE surface into B8G8R8A8 with opaque alpha
 * (see %PISO_SURFACE_FORMAT_DEST_BPP).  The caller keeps the rectangle
 * inside the surface.
 *
 * Returns: %FALSE (writing nothing) if @format is not supported.
 */
gboolean
piso_surface_format_convert (const guint8 *src,
                             gsize         src_stride,
                             guint         format,
                             int           x,
                             int           y,
                             int           width,
                             int           height,
                             guint8       *dest,
                             gsize         dest_stride)
{
  void (*convert_row) (const guint8 *, guint8 *, int);
  guint bpp = piso_surface_format_bytes_per_pixel (format);

  g_return_val_if_fail (x >= 0 && y >= 0, FALSE);
  g_return_val_if_fail (width >= 0 && height >= 0, FALSE);
  g_return_val_if_fail (dest_stride >= (gsize) width * PISO_SURFACE_FORMAT_DEST_BPP, FALSE);

  switch (format)
    {
    case SPICE_SURFACE_FMT_32_xRGB:
    case SPICE_SURFACE_FMT_32_ARGB:
      convert_row = convert_row_32;
      break;

    case SPICE_SURFACE_FMT_16_555:
      convert_row = convert_row_555;
      break;

    case SPICE_SURFACE_FMT_16_565:
      convert_row = convert_row_565;
      break;

    default:
      return FALSE;
    }

  if (width == 0 || height == 0)
    return TRUE;

  g_return_val_if_fail (src != NULL && dest != NULL, FALSE);
  g_return_val_if_fail (src_stride >= ((gsize) x + width) * bpp, FALSE);

  src += (gsize) y * src_stride + (gsize) x * bpp;

  for (int row = 0; row < height; row++)
    convert_row (src + (gsize) row * src_stride, dest + (gsize) row * dest_stride, width);

  return TRUE;
}
