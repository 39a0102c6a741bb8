/* piso-thumbnail-image.h: screens made small (decode + downscale), any thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How the source pixels are laid out in memory. */
typedef enum
{
  PISO_THUMBNAIL_PIXELS_RGB,      /* R,G,B bytes (PPM, GdkPixbuf without alpha) */
  PISO_THUMBNAIL_PIXELS_RGBA,     /* R,G,B,A bytes (GdkPixbuf with alpha; alpha ignored) */
  PISO_THUMBNAIL_PIXELS_BGRX,     /* B,G,R,x bytes (SPICE 32-bit surfaces) */
  PISO_THUMBNAIL_PIXELS_RGB555,   /* little-endian x1r5g5b5 (SPICE 16-bit surfaces) */
} PisoThumbnailPixels;

/* A small picture: tightly packed R,G,B bytes (stride = width * 3). */
typedef struct
{
  int     width;
  int     height;
  GBytes *pixels;
} PisoThumbnailImage;

void      piso_thumbnail_image_free (PisoThumbnailImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoThumbnailImage, piso_thumbnail_image_free)

/* The largest size with the source's aspect that fits @box_width×@box_height
 * (never larger than the source, at least 1×1). */
void                piso_thumbnail_fit_size    (int  src_width,
                                                int  src_height,
                                                int  box_width,
                                                int  box_height,
                                                int *width,
                                                int *height);
/* Area-averaging downscale of @src into @width×@height (each destination
 * pixel is the mean of the source pixels it covers). */
PisoThumbnailImage *piso_thumbnail_downscale   (const guint8        *src,
                                                int                  src_width,
                                                int                  src_height,
                                                gsize                src_stride,
                                                PisoThumbnailPixels  format,
                                                int                  width,
                                                int                  height);
/* Decodes a screenshot as libvirt sends it (binary PPM "P6" is read here,
 * everything else through GdkPixbuf) and downscales it to fit the box. */
PisoThumbnailImage *piso_thumbnail_decode      (GBytes              *bytes,
                                                const char          *mime_type,
                                                int                  box_width,
                                                int                  box_height,
                                                GError             **error);

G_END_DECLS
