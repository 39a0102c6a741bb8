/* piso-x11-upload-pool.c: keeps cairo-xlib's shared memory between frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With the cairo renderer on X11, GTK paints each frame into an image and
 * cairo-xlib copies it to the X server through a shared-memory segment from
 * a pool of its own. That pool is destroyed as soon as no image uses it, so
 * every console frame made a new segment and faulted in fresh pages: a
 * third of the console's CPU (bench-console, perf). Holding one tiny image
 * in a pool big enough for a whole window's frame keeps the segment, and its
 * pages, from one frame to the next. Only public cairo calls are used; when
 * cairo has no shared memory (a remote X server) this keeps nothing.
 */
#include "config.h"

#include "piso-x11-upload-pool.h"

#if defined(PISO_HAVE_X11) && defined(PISO_HAVE_CAIRO_XLIB)
#include <cairo-xlib.h>
#include <gdk/x11/gdkx.h>
#endif

struct _PisoX11UploadPool
{
  cairo_surface_t *target;  /* a 1×1 view of the root window: cairo's device */
  cairo_surface_t *anchor;  /* the tiny image that keeps the pool alive */
  gsize            covered; /* bytes of the largest frame the pool was made for */
};

void
piso_x11_upload_pool_free (PisoX11UploadPool *pool)
{
  if (pool == NULL)
    return;
  g_clear_pointer (&pool->anchor, cairo_surface_destroy);
  g_clear_pointer (&pool->target, cairo_surface_destroy);
  g_free (pool);
}

/* Makes sure *pool holds a segment that fits a frame of @widget's whole
 * window, when that window is drawn by the cairo renderer on X11; frees it
 * otherwise. Cheap when nothing changed: call it once per frame. */
void
piso_x11_upload_pool_cover (PisoX11UploadPool **pool,
                            GtkWidget          *widget)
{
#if defined(PISO_HAVE_X11) && defined(PISO_HAVE_CAIRO_XLIB)
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;
  GdkDisplay *display = gtk_widget_get_display (widget);
  cairo_surface_t *frame, *anchor;
  Display *xdisplay;
  int scale, width, height;
  gsize bytes;

  if (surface == NULL || !GDK_IS_X11_DISPLAY (display) ||
      !GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native)))
    {
      g_clear_pointer (pool, piso_x11_upload_pool_free);
      return;
    }

  scale = gdk_surface_get_scale_factor (surface);
  width = MAX (gdk_surface_get_width (surface), 1) * scale;
  height = MAX (gdk_surface_get_height (surface), 1) * scale;
  bytes = (gsize) width * (gsize) height * 4;
  if (*pool != NULL && bytes <= (*pool)->covered)
    return;

  if (*pool == NULL)
    {
      xdisplay = gdk_x11_display_get_xdisplay (display);
      *pool = g_new0 (PisoX11UploadPool, 1);
      (*pool)->target = cairo_xlib_surface_create (xdisplay, DefaultRootWindow (xdisplay),
                                                   DefaultVisual (xdisplay,
                                                                  DefaultScreen (xdisplay)),
                                                   1, 1);
    }

  /* A frame-sized image makes (or finds) a pool with room for several
   * frames; the anchor then lands in that same pool (cairo takes the first
   * that fits) and stays when the frame-sized one goes. */
  frame = cairo_surface_create_similar_image ((*pool)->target, CAIRO_FORMAT_ARGB32,
                                              width, height);
  anchor = cairo_surface_create_similar_image ((*pool)->target, CAIRO_FORMAT_ARGB32, 8, 8);
  cairo_surface_destroy (frame);
  g_clear_pointer (&(*pool)->anchor, cairo_surface_destroy);
  (*pool)->anchor = anchor;
  (*pool)->covered = bytes;
#else
  g_clear_pointer (pool, piso_x11_upload_pool_free);
#endif
}
