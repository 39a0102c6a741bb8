/* piso-thumbnail-view.c: a machine's screen, small, in a fixed-size slot
 *
 * One widget that draws its texture itself: a GtkPicture would ask for the
 * texture's pixel size (twice the slot at 2× scale) and grow the row. The
 * slot always has the same size, so rows with and without a screen line up
 * and the list's row heights never change when a thumbnail arrives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-thumbnail"

#include "config.h"

#include <math.h>

#include "piso-thumbnail-scheduler.h"
#include "piso-thumbnail-view.h"
#include "piso-gtk-version.h"

#define CORNER_RADIUS 4.f

struct _PisoThumbnailView
{
  GtkWidget   parent_instance;

  GdkTexture *texture;
};

G_DEFINE_FINAL_TYPE (PisoThumbnailView, piso_thumbnail_view, GTK_TYPE_WIDGET)

static void
piso_thumbnail_view_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL
                        ? PISO_THUMBNAIL_WIDTH : PISO_THUMBNAIL_HEIGHT;
}

static void
get_foreground (GtkWidget *widget,
                GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  PISO_NEWER_GTK_BEGIN
  gtk_widget_get_color (widget, color);
  PISO_NEWER_GTK_END
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static void
piso_thumbnail_view_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  PisoThumbnailView *self = PISO_THUMBNAIL_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRoundedRect frame;
  GdkRGBA color;

  if (width <= 0 || height <= 0)
    return;

  gsk_rounded_rect_init_from_rect (&frame, &GRAPHENE_RECT_INIT (0, 0, width, height),
                                   CORNER_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &frame);

  if (self->texture == NULL)
    {
      /* No screen: a faint slot in the text colour, right in light and dark. */
      get_foreground (widget, &color);
      color.alpha *= 0.08f;
      gtk_snapshot_append_color (snapshot, &color, &frame.bounds);
    }
  else
    {
      /* The texture is in device pixels; draw it 1:1 when it fits,
       * letterboxed in black like a monitor would. */
      double scale = MAX (gtk_widget_get_scale_factor (widget), 1);
      double tw = gdk_texture_get_width (self->texture) / scale;
      double th = gdk_texture_get_height (self->texture) / scale;
      double fit = MIN (1.0, MIN (width / tw, height / th));
      float w = (float) (tw * fit), h = (float) (th * fit);

      color = (GdkRGBA) { 0, 0, 0, 1 };
      gtk_snapshot_append_color (snapshot, &color, &frame.bounds);
      gtk_snapshot_append_texture (snapshot, self->texture,
                                   &GRAPHENE_RECT_INIT (floorf ((width - w) / 2),
                                                        floorf ((height - h) / 2),
                                                        w, h));
    }

  gtk_snapshot_pop (snapshot);
}

GdkTexture *
piso_thumbnail_view_get_texture (PisoThumbnailView *self)
{
  g_return_val_if_fail (PISO_IS_THUMBNAIL_VIEW (self), NULL);

  return self->texture;
}

void
piso_thumbnail_view_set_texture (PisoThumbnailView *self,
                                 GdkTexture        *texture)
{
  g_return_if_fail (PISO_IS_THUMBNAIL_VIEW (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (g_set_object (&self->texture, texture))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
piso_thumbnail_view_dispose (GObject *object)
{
  PisoThumbnailView *self = (PisoThumbnailView *)object;

  g_clear_object (&self->texture);

  G_OBJECT_CLASS (piso_thumbnail_view_parent_class)->dispose (object);
}

static void
piso_thumbnail_view_class_init (PisoThumbnailViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_thumbnail_view_dispose;
  widget_class->measure = piso_thumbnail_view_measure;
  widget_class->snapshot = piso_thumbnail_view_snapshot;

  gtk_widget_class_set_css_name (widget_class, "pisothumbnail");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
piso_thumbnail_view_init (PisoThumbnailView *self)
{
}

GtkWidget *
piso_thumbnail_view_new (void)
{
  return g_object_new (PISO_TYPE_THUMBNAIL_VIEW, NULL);
}
