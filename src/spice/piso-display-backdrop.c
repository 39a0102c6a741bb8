/* piso-display-backdrop.c: a window background painted around the console
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With the cairo renderer (GTK 4.8, used without a GPU) a frame is painted
 * into an image, and the console's node is a cairo recording. cairo replays
 * a recording straight into the image only while nothing has been painted
 * into that image yet in the frame; otherwise it replays it into a copy the
 * size of the frame and blends the copy in. The window's background is
 * always painted first, under everything, so every console frame paid for
 * the extra image, its fill and the blend (a third of the drawing's cost,
 * bench-console and perf).
 *
 * A window using this has no CSS background while it is drawn by cairo:
 * it paints the same colour itself, before its children, everywhere except
 * where its mapped display is drawn through translations and rectangle
 * clips only (the display paints every pixel of its allocation opaque). The
 * hole follows what is really drawn: under an opacity, a cross-fade or a
 * rounded clip there is none, and the window looks as before.
 */
#define G_LOG_DOMAIN "piso-spice-display"

#include "config.h"

#include <math.h>

#include "piso-display-backdrop.h"
#include "piso-spice-display-private.h"
#include "piso-gtk-version.h"

#define BARE_CLASS "piso-display-backdrop"

/* The padding libadwaita gives windows with solid (non-composited) client
 * side decorations; the background there stays CSS's, in four strips. */
#define SOLID_CSD_PADDING 5

typedef struct
{
  GtkWidget       *display;  /* not a reference: unset by the display on unmap */
  gboolean         has_hole;
  gboolean         nothing_below;
  graphene_rect_t  hole;
} Backdrop;

static GQuark
backdrop_quark (void)
{
  return g_quark_from_static_string ("piso-display-backdrop");
}

static Backdrop *
get_backdrop (GtkWidget *window)
{
  return g_object_get_qdata (G_OBJECT (window), backdrop_quark ());
}

/* The window's background colour, as the theme names it. */
static const char *
lookup_background (GtkWidget *window,
                   GdkRGBA   *color)
{
  static const char * const names[] = { "window_bg_color", "theme_bg_color" };
  GdkRGBA unused;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (gtk_style_context_lookup_color (gtk_widget_get_style_context (window), names[i],
                                        color != NULL ? color : &unused))
      return names[i];
  G_GNUC_END_IGNORE_DEPRECATIONS
  return NULL;
}

static void
install_css (GtkWidget  *window,
             const char *color_name)
{
  GdkDisplay *display = gtk_widget_get_display (window);
  g_autoptr(GtkCssProvider) provider = NULL;
  g_autofree char *css = NULL;

  if (g_object_get_qdata (G_OBJECT (display), backdrop_quark ()) != NULL)
    return;

  css = g_strdup_printf (
    "window." BARE_CLASS " { background: none; }\n"
    /* the padding around the content stays painted by CSS, in four strips
     * that do not reach the content (where the window paints) */
    "window." BARE_CLASS ".solid-csd {\n"
    "  padding: %dpx;\n"
    "  background-image: image(@%s), image(@%s), image(@%s), image(@%s);\n"
    "  background-size: 100%% %dpx, 100%% %dpx, %dpx 100%%, %dpx 100%%;\n"
    "  background-position: left top, left bottom, left top, right top;\n"
    "  background-repeat: no-repeat;\n"
    "}\n",
    SOLID_CSD_PADDING, color_name, color_name, color_name, color_name,
    SOLID_CSD_PADDING, SOLID_CSD_PADDING, SOLID_CSD_PADDING, SOLID_CSD_PADDING);
  provider = gtk_css_provider_new ();
#if GTK_CHECK_VERSION (4, 12, 0)
  PISO_NEWER_GTK_BEGIN
  gtk_css_provider_load_from_string (provider, css);
  PISO_NEWER_GTK_END
#else
  gtk_css_provider_load_from_data (provider, css, -1);
#endif
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_qdata_full (G_OBJECT (display), backdrop_quark (),
                           g_object_ref (provider), g_object_unref);
}

/* Bare (the window paints its background) only when cairo draws it. */
static void
update_bare (GtkWidget *window)
{
  GskRenderer *renderer = NULL;
  const char *color_name = NULL;
  gboolean bare;

  if (gtk_widget_get_realized (window))
    renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  bare = renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer) &&
         (color_name = lookup_background (window, NULL)) != NULL;
  if (bare)
    {
      install_css (window, color_name);
      gtk_widget_add_css_class (window, BARE_CLASS);
    }
  else
    {
      gtk_widget_remove_css_class (window, BARE_CLASS);
    }
}

void
piso_display_backdrop_attach (GtkWindow *window)
{
  g_return_if_fail (GTK_IS_WINDOW (window));

  if (get_backdrop (GTK_WIDGET (window)) != NULL)
    return;
  g_object_set_qdata_full (G_OBJECT (window), backdrop_quark (),
                           g_new0 (Backdrop, 1), g_free);
  /* the renderer is made when the window is realized */
  g_signal_connect_after (window, "realize", G_CALLBACK (update_bare), NULL);
  update_bare (GTK_WIDGET (window));
}

void
piso_display_backdrop_display_mapped (GtkWindow *window,
                                      GtkWidget *display)
{
  Backdrop *backdrop = get_backdrop (GTK_WIDGET (window));

  if (backdrop == NULL || backdrop->display == display)
    return;
  backdrop->display = display;
  gtk_widget_queue_draw (GTK_WIDGET (window));
}

void
piso_display_backdrop_display_unmapped (GtkWindow *window,
                                        GtkWidget *display)
{
  Backdrop *backdrop = get_backdrop (GTK_WIDGET (window));

  /* another display may have been mapped in the meantime */
  if (backdrop == NULL || backdrop->display != display)
    return;
  backdrop->display = NULL;
  gtk_widget_queue_draw (GTK_WIDGET (window));
}

/* ---- the walk ---- */

typedef struct
{
  GskRenderNode   *target;
  graphene_rect_t  target_rect;
  graphene_rect_t  hole;
  GArray          *below;  /* graphene_rect_t: what was drawn before the target */
} Walk;

static void
offset_rect (const graphene_rect_t *rect,
             float                  dx,
             float                  dy,
             graphene_rect_t       *out)
{
  graphene_rect_offset_r (rect, dx, dy, out);
}

/* Returns TRUE once the target is found. */
static gboolean
walk (Walk                  *w,
      GskRenderNode         *node,
      float                  dx,
      float                  dy,
      const graphene_rect_t *clip)
{
  graphene_rect_t rect;

  if (node == w->target)
    {
      offset_rect (&w->target_rect, dx, dy, &rect);
      if (!graphene_rect_intersection (&rect, clip, &w->hole))
        w->hole = GRAPHENE_RECT_INIT (0, 0, 0, 0);
      return TRUE;
    }

  switch ((int) gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        if (walk (w, gsk_container_node_get_child (node, i), dx, dy, clip))
          return TRUE;
      return FALSE;

    case GSK_TRANSFORM_NODE:
      {
        GskTransform *transform = gsk_transform_node_get_transform (node);
        float tx, ty;

        if (gsk_transform_get_category (transform) >= GSK_TRANSFORM_CATEGORY_2D_TRANSLATE)
          {
            gsk_transform_to_translate (transform, &tx, &ty);
            return walk (w, gsk_transform_node_get_child (node), dx + tx, dy + ty, clip);
          }
      }
      break;

    case GSK_CLIP_NODE:
      {
        graphene_rect_t inner;

        offset_rect (gsk_clip_node_get_clip (node), dx, dy, &rect);
        if (!graphene_rect_intersection (&rect, clip, &inner))
          inner = GRAPHENE_RECT_INIT (0, 0, 0, 0);
        return walk (w, gsk_clip_node_get_child (node), dx, dy, &inner);
      }

    case GSK_DEBUG_NODE:
      return walk (w, gsk_debug_node_get_child (node), dx, dy, clip);

    default:
      break;
    }

  /* anything else is drawn as a whole, somewhere within its bounds */
  gsk_render_node_get_bounds (node, &rect);
  offset_rect (&rect, dx, dy, &rect);
  if (graphene_rect_intersection (&rect, clip, &rect))
    g_array_append_val (w->below, rect);
  return FALSE;
}

gboolean
piso_display_backdrop_find_hole (GskRenderNode         *content,
                                 GskRenderNode         *target,
                                 const graphene_rect_t *target_rect,
                                 graphene_rect_t       *hole,
                                 gboolean              *nothing_below)
{
  /* big enough for any window, small enough for floats to add exactly */
  graphene_rect_t everywhere = GRAPHENE_RECT_INIT (-1e6f, -1e6f, 2e6f, 2e6f);
  Walk w = { .target = target, .target_rect = *target_rect };
  gboolean found;

  g_return_val_if_fail (content != NULL && target != NULL, FALSE);

  w.below = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  found = walk (&w, content, 0, 0, &everywhere) &&
          w.hole.size.width > 0 && w.hole.size.height > 0;
  if (found)
    {
      *hole = w.hole;
      *nothing_below = TRUE;
      for (guint i = 0; i < w.below->len; i++)
        if (graphene_rect_intersection (&g_array_index (w.below, graphene_rect_t, i),
                                        &w.hole, NULL))
          *nothing_below = FALSE;
    }
  g_array_unref (w.below);
  return found;
}

/* ---- drawing ---- */

/* The hole shrunk to whole device pixels: a partly covered pixel keeps
 * the background. */
static gboolean
snap_inwards (graphene_rect_t *rect,
              int              scale)
{
  double x0 = ceil (rect->origin.x * scale) / scale;
  double y0 = ceil (rect->origin.y * scale) / scale;
  double x1 = floor ((rect->origin.x + rect->size.width) * scale) / scale;
  double y1 = floor ((rect->origin.y + rect->size.height) * scale) / scale;

  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  *rect = GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0);
  return TRUE;
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             float          x,
             float          y,
             float          width,
             float          height)
{
  if (width > 0 && height > 0)
    gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
}

void
piso_display_backdrop_snapshot (GtkWidget        *window,
                                GtkSnapshot      *snapshot,
                                PisoSnapshotFunc  snapshot_children)
{
  Backdrop *backdrop = get_backdrop (window);
  GtkSnapshot *children;
  GskRenderNode *content, *frame;
  graphene_rect_t box, frame_rect, hole;
  GdkRGBA background;

  if (backdrop != NULL)
    backdrop->has_hole = FALSE;
  if (backdrop == NULL || !gtk_widget_has_css_class (window, BARE_CLASS) ||
      lookup_background (window, &background) == NULL)
    {
      snapshot_children (window, snapshot);
      return;
    }

  children = gtk_snapshot_new ();
  snapshot_children (window, children);
  content = gtk_snapshot_free_to_node (children);

  box = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (window), gtk_widget_get_height (window));
  frame = backdrop->display != NULL
    ? _piso_spice_display_get_frame (PISO_SPICE_DISPLAY (backdrop->display), &frame_rect)
    : NULL;
  if (content != NULL && frame != NULL &&
      piso_display_backdrop_find_hole (content, frame, &frame_rect, &hole,
                                       &backdrop->nothing_below) &&
      graphene_rect_intersection (&hole, &box, &hole) &&
      snap_inwards (&hole, gtk_widget_get_scale_factor (window)))
    {
      backdrop->has_hole = TRUE;
      backdrop->hole = hole;
    }

  if (!backdrop->has_hole)
    {
      append_rect (snapshot, &background, 0, 0, box.size.width, box.size.height);
    }
  else
    {
      float right = hole.origin.x + hole.size.width;
      float bottom = hole.origin.y + hole.size.height;

      append_rect (snapshot, &background, 0, 0, box.size.width, hole.origin.y);
      append_rect (snapshot, &background, 0, bottom, box.size.width, box.size.height - bottom);
      append_rect (snapshot, &background, 0, hole.origin.y, hole.origin.x, hole.size.height);
      append_rect (snapshot, &background, right, hole.origin.y,
                   box.size.width - right, hole.size.height);
    }

  if (content != NULL)
    {
      gtk_snapshot_append_node (snapshot, content);
      gsk_render_node_unref (content);
    }
}

gboolean
piso_display_backdrop_get_hole (GtkWidget       *window,
                                graphene_rect_t *hole,
                                gboolean        *nothing_below)
{
  Backdrop *backdrop = get_backdrop (window);

  if (backdrop == NULL || !backdrop->has_hole)
    return FALSE;
  *hole = backdrop->hole;
  *nothing_below = backdrop->nothing_below;
  return TRUE;
}
