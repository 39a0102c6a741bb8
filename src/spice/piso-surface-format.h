/* piso-surface-format.h: SPICE surface pixels to GDK's B8G8R8A8 memory format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The destination layout: 4 bytes per pixel, in memory B, G, R, A with A
 * always 0xff, so it is both GDK_MEMORY_B8G8R8A8_PREMULTIPLIED and
 * GDK_MEMORY_B8G8R8A8 (GTK 4.8 has no B8G8R8X8 format). */
#define PISO_SURFACE_FORMAT_DEST_BPP 4

/* @format is a SpiceSurfaceFmt value (SPICE_SURFACE_FMT_32_xRGB,
 * SPICE_SURFACE_FMT_32_ARGB, SPICE_SURFACE_FMT_16_555 or
 * SPICE_SURFACE_FMT_16_565).  16- and 32-bit pixels are host-endian words,
 * as spice-client-glib hands them out. */
gboolean  piso_surface_format_is_supported    (guint         format);
guint     piso_surface_format_bytes_per_pixel (guint         format);
gboolean  piso_surface_format_convert         (const guint8 *src,
                                               gsize         src_stride,
                                               guint         format,
                                               int           x,
                                               int           y,
                                               int           width,
                                               int           height,
                                               guint8       *dest,
                                               gsize         dest_stride);

G_END_DECLS
