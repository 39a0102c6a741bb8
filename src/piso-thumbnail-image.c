/* piso-thumbnail-image.c: screens made small (decode + downscale), any thread
 *
 * QEMU's screenshots are binary PPM: reading them here needs no extra
 * GdkPixbuf loader and avoids building a full-size pixbuf only to shrink it.
 * Other formats (the test driver's PNG) go through GdkPixbufLoader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-thumbnail"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "piso-thumbnail-image.h"

/* Beyond this a screenshot is not a screen (and the sums below could overflow). */
#define MAX_SIDE 16384

void
piso_thumbnail_image_free (PisoThumbnailImage *image)
{
  if (image == NULL)
    return;

  g_clear_pointer (&image->pixels, g_bytes_unref);
  g_free (image);
}

void
piso_thumbnail_fit_size (int  src_width,
                         int  src_height,
                         int  box_width,
                         int  box_height,
                         int *width,
                         int *height)
{
  double scale;

  g_return_if_fail (src_width > 0 && src_height > 0);
  g_return_if_fail (box_width > 0 && box_height > 0);

  scale = MIN ((double) box_width / src_width, (double) box_height / src_height);
  scale = MIN (scale, 1.0);
  *width = CLAMP ((int) (src_width * scale + 0.5), 1, box_width);
  *height = CLAMP ((int) (src_height * scale + 0.5), 1, box_height);
}

static inline void
read_pixel (const guint8        *p,
            PisoThumbnailPixels  format,
            guint               *r,
            guint               *g,
            guint               *b)
{
  switch (format)
    {
    case PISO_THUMBNAIL_PIXELS_RGB:
    case PISO_THUMBNAIL_PIXELS_RGBA:
      *r = p[0]; *g = p[1]; *b = p[2];
      break;
    case PISO_THUMBNAIL_PIXELS_BGRX:
      *r = p[2]; *g = p[1]; *b = p[0];
      break;
    case PISO_THUMBNAIL_PIXELS_RGB555:
    default:
      {
        guint v = p[0] | (p[1] << 8);
        guint r5 = (v >> 10) & 0x1f, g5 = (v >> 5) & 0x1f, b5 = v & 0x1f;

        *r = (r5 << 3) | (r5 >> 2);
        *g = (g5 << 3) | (g5 >> 2);
        *b = (b5 << 3) | (b5 >> 2);
      }
      break;
    }
}

static guint
bytes_per_pixel (PisoThumbnailPixels format)
{
  switch (format)
    {
    case PISO_THUMBNAIL_PIXELS_RGB:    return 3;
    case PISO_THUMBNAIL_PIXELS_RGBA:   return 4;
    case PISO_THUMBNAIL_PIXELS_BGRX:   return 4;
    case PISO_THUMBNAIL_PIXELS_RGB555: return 2;
    default:                           g_return_val_if_reached (4);
    }
}

PisoThumbnailImage *
piso_thumbnail_downscale (const guint8        *src,
                          int                  src_width,
                          int                  src_height,
                          gsize                src_stride,
                          PisoThumbnailPixels  format,
                          int                  width,
                          int                  height)
{
  g_autofree guint *x0 = NULL;
  g_autofree guint *x1 = NULL;
  g_autofree guint32 *sums = NULL;
  guint bpp = bytes_per_pixel (format);
  PisoThumbnailImage *image;
  guint8 *out;

  g_return_val_if_fail (src != NULL, NULL);
  g_return_val_if_fail (src_width > 0 && src_height > 0, NULL);
  g_return_val_if_fail (src_width <= MAX_SIDE && src_height <= MAX_SIDE, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (src_stride >= (gsize) src_width * bpp, NULL);

  /* Each destination column covers source columns [x0, x1); never empty. */
  x0 = g_new (guint, width);
  x1 = g_new (guint, width);
  for (int dx = 0; dx < width; dx++)
    {
      x0[dx] = (guint) ((gint64) dx * src_width / width);
      x1[dx] = MAX ((guint) ((gint64) (dx + 1) * src_width / width), x0[dx] + 1);
    }

  sums = g_new (guint32, (gsize) width * 3);
  out = g_malloc ((gsize) width * height * 3);

  for (int dy = 0; dy < height; dy++)
    {
      guint y0 = (guint) ((gint64) dy * src_height / height);
      guint y1 = MAX ((guint) ((gint64) (dy + 1) * src_height / height), y0 + 1);
      guint8 *o = out + (gsize) dy * width * 3;

      memset (sums, 0, sizeof (guint32) * width * 3);
      for (guint sy = y0; sy < y1; sy++)
        {
          const guint8 *row = src + (gsize) sy * src_stride;

          for (int dx = 0; dx < width; dx++)
            {
              guint32 *s = sums + dx * 3;

              for (guint sx = x0[dx]; sx < x1[dx]; sx++)
                {
                  guint r, g, b;

                  read_pixel (row + (gsize) sx * bpp, format, &r, &g, &b);
                  s[0] += r; s[1] += g; s[2] += b;
                }
            }
        }

      for (int dx = 0; dx < width; dx++)
        {
          guint32 n = (x1[dx] - x0[dx]) * (y1 - y0);

          o[dx * 3 + 0] = (guint8) ((sums[dx * 3 + 0] + n / 2) / n);
          o[dx * 3 + 1] = (guint8) ((sums[dx * 3 + 1] + n / 2) / n);
          o[dx * 3 + 2] = (guint8) ((sums[dx * 3 + 2] + n / 2) / n);
        }
    }

  image = g_new0 (PisoThumbnailImage, 1);
  image->width = width;
  image->height = height;
  image->pixels = g_bytes_new_take (out, (gsize) width * height * 3);
  return image;
}

/* One header field of a binary PPM: decimal digits after white space and
 * '#' comments. */
static gboolean
ppm_read_number (const guint8 *data,
                 gsize         len,
                 gsize        *pos,
                 guint        *value)
{
  guint64 v = 0;
  gsize start;

  for (;;)
    {
      if (*pos >= len)
        return FALSE;
      if (data[*pos] == '#')
        {
          while (*pos < len && data[*pos] != '\n')
            (*pos)++;
        }
      else if (g_ascii_isspace (data[*pos]))
        (*pos)++;
      else
        break;
    }

  start = *pos;
  while (*pos < len && g_ascii_isdigit (data[*pos]) && v <= G_MAXUINT32)
    v = v * 10 + (data[(*pos)++] - '0');

  if (*pos == start || v > G_MAXUINT32)
    return FALSE;
  *value = (guint) v;
  return TRUE;
}

static PisoThumbnailImage *
decode_ppm (GBytes  *bytes,
            int      box_width,
            int      box_height,
            GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize pos = 2;
  guint w, h, maxval;
  int tw, th;

  if (len < 2 || data[0] != 'P' || data[1] != '6' ||
      !ppm_read_number (data, len, &pos, &w) ||
      !ppm_read_number (data, len, &pos, &h) ||
      !ppm_read_number (data, len, &pos, &maxval) ||
      pos >= len || !g_ascii_isspace (data[pos]))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The screenshot is not a valid PPM image."));
      return NULL;
    }
  pos++; /* the single white space before the pixels */

  if (w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || maxval != 255 ||
      len - pos < (gsize) w * h * 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The screenshot (%u×%u PPM) is truncated or in an unsupported variant."),
                   w, h);
      return NULL;
    }

  piso_thumbnail_fit_size (w, h, box_width, box_height, &tw, &th);
  return piso_thumbnail_downscale (data + pos, w, h, (gsize) w * 3,
                                   PISO_THUMBNAIL_PIXELS_RGB, tw, th);
}

static PisoThumbnailImage *
decode_with_pixbuf (GBytes      *bytes,
                    const char  *mime_type,
                    int          box_width,
                    int          box_height,
                    GError     **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  GdkPixbuf *pixbuf;
  int w, h, tw, th;

  loader = mime_type != NULL ? gdk_pixbuf_loader_new_with_mime_type (mime_type, NULL) : NULL;
  if (loader == NULL)
    loader = gdk_pixbuf_loader_new ();

  if (!gdk_pixbuf_loader_write_bytes (loader, bytes, error) ||
      !gdk_pixbuf_loader_close (loader, error))
    return NULL;

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL ||
      gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB ||
      gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 ||
      gdk_pixbuf_get_n_channels (pixbuf) < 3)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The screenshot could not be read as an image."));
      return NULL;
    }

  w = gdk_pixbuf_get_width (pixbuf);
  h = gdk_pixbuf_get_height (pixbuf);
  if (w > MAX_SIDE || h > MAX_SIDE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The screenshot is too large (%d×%d)."), w, h);
      return NULL;
    }

  piso_thumbnail_fit_size (w, h, box_width, box_height, &tw, &th);
  return piso_thumbnail_downscale (gdk_pixbuf_read_pixels (pixbuf), w, h,
                                   gdk_pixbuf_get_rowstride (pixbuf),
                                   gdk_pixbuf_get_has_alpha (pixbuf)
                                     ? PISO_THUMBNAIL_PIXELS_RGBA : PISO_THUMBNAIL_PIXELS_RGB,
                                   tw, th);
}

PisoThumbnailImage *
piso_thumbnail_decode (GBytes      *bytes,
                       const char  *mime_type,
                       int          box_width,
                       int          box_height,
                       GError     **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (box_width > 0 && box_height > 0, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len >= 2 && data[0] == 'P' && data[1] == '6')
    return decode_ppm (bytes, box_width, box_height, error);

  return decode_with_pixbuf (bytes, mime_type, box_width, box_height, error);
}
