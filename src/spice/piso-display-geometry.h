/* piso-display-geometry.h: where the guest's screen goes in the display widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int x;
  int y;
  int width;
  int height;
} PisoDisplayRect;

/* Fill in the inputs, call piso_display_geometry_update(), then read the
 * outputs.  Widget coordinates are GTK's logical pixels; device pixels are
 * logical pixels times @scale_factor; guest coordinates are the guest's
 * surface pixels.
 *
 * With @scale_to_fit, the guest image is scaled up or down to the largest
 * size that fits the widget with the guest's aspect ratio, centred, with bars
 * around it.  Its size is rounded to whole device pixels and its origin is on
 * a device pixel; when the fitted size is within half a device pixel of the
 * guest's own size the zoom snaps to exactly 1, so one guest pixel is one
 * device pixel.
 *
 * Without @scale_to_fit (1:1), one guest pixel is always one device pixel.
 * On an axis where the image is smaller than the widget it is centred; where
 * it is larger it starts at the widget's left/top edge moved by the scroll
 * offset, which update() clamps to [0, content size - widget size]. */
typedef struct
{
  /* Inputs */
  int      guest_width;
  int      guest_height;
  int      widget_width;
  int      widget_height;
  double   scale_factor;   /* device pixels per logical pixel; <= 0 means 1 */
  gboolean scale_to_fit;
  double   scroll_x;       /* logical pixels, 1:1 mode only */
  double   scroll_y;

  /* Outputs */
  double   dest_x;         /* the guest image, in widget coordinates */
  double   dest_y;
  double   dest_width;
  double   dest_height;
  double   zoom_x;         /* device pixels per guest pixel */
  double   zoom_y;
  double   content_width;  /* logical size of the image at 1:1 (for scrollbars) */
  double   content_height;
} PisoDisplayGeometry;

void      piso_display_geometry_update          (PisoDisplayGeometry       *self);
gboolean  piso_display_geometry_is_empty        (const PisoDisplayGeometry *self);
gboolean  piso_display_geometry_is_one_to_one   (const PisoDisplayGeometry *self);
gboolean  piso_display_geometry_widget_to_guest (const PisoDisplayGeometry *self,
                                                 double                     widget_x,
                                                 double                     widget_y,
                                                 int                       *guest_x,
                                                 int                       *guest_y);
gboolean  piso_display_geometry_guest_to_widget (const PisoDisplayGeometry *self,
                                                 const PisoDisplayRect     *guest,
                                                 PisoDisplayRect           *widget);

/* Server (relative) mouse mode: a pointer movement of (@dx, @dy) logical
 * pixels as whole guest pixels in (@guest_dx, @guest_dy). The fractions left
 * over are kept in @rest_x/@rest_y (start them at 0) and added to the next
 * movement, so slow motion on a zoomed-out image is not lost. Returns TRUE
 * if the guest moves by at least one pixel. */
gboolean  piso_display_geometry_relative_motion (const PisoDisplayGeometry *self,
                                                 double                     dx,
                                                 double                     dy,
                                                 double                    *rest_x,
                                                 double                    *rest_y,
                                                 int                       *guest_dx,
                                                 int                       *guest_dy);

G_END_DECLS
