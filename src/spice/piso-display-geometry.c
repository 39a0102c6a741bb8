/* piso-display-geometry.c: where the guest's screen goes in the display widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-display-geometry"

#include "config.h"

#include <math.h>

#include "piso-display-geometry.h"

static double
get_scale (const PisoDisplayGeometry *self)
{
  return self->scale_factor > 0 ? self->scale_factor : 1.0;
}

/* Offset of a @content-long span in a @available-long one, both in device
 * pixels: centred on a whole device pixel when it fits, else scrolled. */
static double
place_axis (double  available,
            double  content,
            double *scroll,
            double  scale)
{
  double max_scroll;

  if (content <= available)
    {
      *scroll = 0;
      return floor ((available - content) / 2);
    }

  max_scroll = (content - available) / scale;
  *scroll = CLAMP (*scroll, 0, max_scroll);

  return -round (*scroll * scale);
}

/**
 * piso_display_geometry_update:
 * @self: a geometry with its inputs set
 *
 * Computes the outputs from the inputs (and clamps the scroll offsets).
 */
void
piso_display_geometry_update (PisoDisplayGeometry *self)
{
  double scale = get_scale (self);
  double avail_w, avail_h, dev_x, dev_y, dev_w, dev_h;

  g_return_if_fail (self != NULL);

  self->dest_x = self->dest_y = 0;
  self->dest_width = self->dest_height = 0;
  self->zoom_x = self->zoom_y = 1.0;
  self->content_width = self->content_height = 0;

  if (piso_display_geometry_is_empty (self))
    return;

  avail_w = round (self->widget_width * scale);
  avail_h = round (self->widget_height * scale);
  self->content_width = self->guest_width / scale;
  self->content_height = self->guest_height / scale;

  if (self->scale_to_fit)
    {
      double zoom = MIN (avail_w / self->guest_width, avail_h / self->guest_height);

      dev_w = round (self->guest_width * zoom);
      dev_h = round (self->guest_height * zoom);

      /* Within half a device pixel of the native size: draw it 1:1. */
      if (fabs (self->guest_width * zoom - self->guest_width) < 0.5
          && fabs (self->guest_height * zoom - self->guest_height) < 0.5)
        {
          dev_w = self->guest_width;
          dev_h = self->guest_height;
        }

      dev_w = CLAMP (dev_w, 1, avail_w);
      dev_h = CLAMP (dev_h, 1, avail_h);
      dev_x = floor ((avail_w - dev_w) / 2);
      dev_y = floor ((avail_h - dev_h) / 2);
      self->scroll_x = self->scroll_y = 0;
    }
  else
    {
      dev_w = self->guest_width;
      dev_h = self->guest_height;
      dev_x = place_axis (avail_w, dev_w, &self->scroll_x, scale);
      dev_y = place_axis (avail_h, dev_h, &self->scroll_y, scale);
    }

  self->zoom_x = dev_w / self->guest_width;
  self->zoom_y = dev_h / self->guest_height;
  self->dest_x = dev_x / scale;
  self->dest_y = dev_y / scale;
  self->dest_width = dev_w / scale;
  self->dest_height = dev_h / scale;
}

/**
 * piso_display_geometry_is_empty:
 * @self: a geometry
 *
 * Returns: %TRUE when there is no guest surface or no room to draw it.
 */
gboolean
piso_display_geometry_is_empty (const PisoDisplayGeometry *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->guest_width <= 0 || self->guest_height <= 0
         || self->widget_width <= 0 || self->widget_height <= 0;
}

/**
 * piso_display_geometry_is_one_to_one:
 * @self: an updated geometry
 *
 * Returns: %TRUE when one guest pixel is exactly one device pixel on a whole
 *   device pixel, so the image can be drawn without filtering.
 */
gboolean
piso_display_geometry_is_one_to_one (const PisoDisplayGeometry *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return !piso_display_geometry_is_empty (self)
         && self->zoom_x == 1.0 && self->zoom_y == 1.0;
}

/**
 * piso_display_geometry_widget_to_guest:
 * @self: an updated geometry
 * @widget_x: a point in widget coordinates
 * @widget_y:
 * @guest_x: (out) (optional): the guest pixel under it, clamped to the surface
 * @guest_y: (out) (optional):
 *
 * Returns: %TRUE if the point is on the guest image, %FALSE if it is in the
 *   bars around it, outside the widget, or there is no image.
 */
gboolean
piso_display_geometry_widget_to_guest (const PisoDisplayGeometry *self,
                                       double                     widget_x,
                                       double                     widget_y,
                                       int                       *guest_x,
                                       int                       *guest_y)
{
  double scale, gx, gy;
  gboolean inside;

  g_return_val_if_fail (self != NULL, FALSE);

  if (piso_display_geometry_is_empty (self))
    {
      if (guest_x)
        *guest_x = 0;
      if (guest_y)
        *guest_y = 0;
      return FALSE;
    }

  scale = get_scale (self);
  gx = floor ((widget_x - self->dest_x) * scale / self->zoom_x);
  gy = floor ((widget_y - self->dest_y) * scale / self->zoom_y);

  inside = gx >= 0 && gx < self->guest_width && gy >= 0 && gy < self->guest_height
           && widget_x >= 0 && widget_x < self->widget_width
           && widget_y >= 0 && widget_y < self->widget_height;

  if (guest_x)
    *guest_x = (int) CLAMP (gx, 0, self->guest_width - 1);
  if (guest_y)
    *guest_y = (int) CLAMP (gy, 0, self->guest_height - 1);

  return inside;
}

/**
 * piso_display_geometry_guest_to_widget:
 * @self: an updated geometry
 * @guest: a rectangle of the guest surface (e.g. a damaged area)
 * @widget: (out): the widget area it covers, in whole logical pixels,
 *   rounded outward and clipped to the widget
 *
 * When the image is scaled, the guest rectangle is first grown by one guest
 * pixel on each side, since filtering spreads each pixel into its neighbours.
 *
 * Returns: %TRUE if the result is not empty.
 */
gboolean
piso_display_geometry_guest_to_widget (const PisoDisplayGeometry *self,
                                       const PisoDisplayRect     *guest,
                                       PisoDisplayRect           *widget)
{
  double scale, gx0, gy0, gx1, gy1, x0, y0, x1, y1;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (guest != NULL, FALSE);
  g_return_val_if_fail (widget != NULL, FALSE);

  *widget = (PisoDisplayRect) { 0, 0, 0, 0 };

  if (piso_display_geometry_is_empty (self) || guest->width <= 0 || guest->height <= 0)
    return FALSE;

  gx0 = guest->x;
  gy0 = guest->y;
  gx1 = (double) guest->x + guest->width;
  gy1 = (double) guest->y + guest->height;

  if (!piso_display_geometry_is_one_to_one (self))
    {
      gx0 -= 1;
      gy0 -= 1;
      gx1 += 1;
      gy1 += 1;
    }

  gx0 = CLAMP (gx0, 0, self->guest_width);
  gy0 = CLAMP (gy0, 0, self->guest_height);
  gx1 = CLAMP (gx1, 0, self->guest_width);
  gy1 = CLAMP (gy1, 0, self->guest_height);

  scale = get_scale (self);
  x0 = floor (self->dest_x + gx0 * self->zoom_x / scale);
  y0 = floor (self->dest_y + gy0 * self->zoom_y / scale);
  x1 = ceil (self->dest_x + gx1 * self->zoom_x / scale);
  y1 = ceil (self->dest_y + gy1 * self->zoom_y / scale);

  x0 = MAX (x0, 0);
  y0 = MAX (y0, 0);
  x1 = MIN (x1, self->widget_width);
  y1 = MIN (y1, self->widget_height);

  if (x1 <= x0 || y1 <= y0)
    return FALSE;

  widget->x = (int) x0;
  widget->y = (int) y0;
  widget->width = (int) (x1 - x0);
  widget->height = (int) (y1 - y0);

  return TRUE;
}

/**
 * piso_display_geometry_relative_motion:
 * @self: an updated geometry
 * @dx: a pointer movement in logical pixels
 * @dy:
 * @rest_x: (inout): fractions of a guest pixel not sent yet
 * @rest_y: (inout):
 * @guest_dx: (out): whole guest pixels to send
 * @guest_dy: (out):
 *
 * Returns: %TRUE if (@guest_dx, @guest_dy) is not (0, 0).
 */
gboolean
piso_display_geometry_relative_motion (const PisoDisplayGeometry *self,
                                       double                     dx,
                                       double                     dy,
                                       double                    *rest_x,
                                       double                    *rest_y,
                                       int                       *guest_dx,
                                       int                       *guest_dy)
{
  double scale, zoom_x = 1.0, zoom_y = 1.0, gx, gy;

  g_return_val_if_fail (self != NULL && rest_x != NULL && rest_y != NULL, FALSE);
  g_return_val_if_fail (guest_dx != NULL && guest_dy != NULL, FALSE);

  scale = get_scale (self);
  if (!piso_display_geometry_is_empty (self) && self->zoom_x > 0 && self->zoom_y > 0)
    {
      zoom_x = self->zoom_x;
      zoom_y = self->zoom_y;
    }

  gx = dx * scale / zoom_x + *rest_x;
  gy = dy * scale / zoom_y + *rest_y;
  /* toward zero, so a back-and-forth jitter does not drift */
  *guest_dx = (int) trunc (gx);
  *guest_dy = (int) trunc (gy);
  *rest_x = gx - *guest_dx;
  *rest_y = gy - *guest_dy;

  return *guest_dx != 0 || *guest_dy != 0;
}
