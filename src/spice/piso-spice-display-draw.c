/* piso-spice-display-draw.c: how PisoSpiceDisplay draws the guest's screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-spice-display"

#include "config.h"

#include <math.h>

#include "piso-spice-display-private.h"

#include "piso-surface-format.h"
#include "piso-gtk-version.h"

/* ---- surface and tiles ---- */

static void
clear_views (PisoSpiceDisplay *self)
{
  for (int i = 0; i < self->cols * self->rows; i++)
    {
      g_clear_object (&self->tiles[i].texture);
      g_clear_pointer (&self->tiles[i].node, gsk_render_node_unref);
    }
  g_clear_object (&self->whole);
  g_clear_pointer (&self->whole_node, gsk_render_node_unref);
#if GTK_CHECK_VERSION (4, 16, 0)
  g_clear_object (&self->update_base);
  g_clear_pointer (&self->update_region, cairo_region_destroy);
#endif
}

void
_piso_spice_display_clear_tiles (PisoSpiceDisplay *self)
{
  clear_views (self);
  if (self->burst_id != 0)
    {
      g_clear_handle_id (&self->burst_id, g_source_remove);
      self->draw_queued = FALSE;
    }
  g_clear_pointer (&self->tiles, g_free);
  if (self->cairo_source != NULL)
    {
      /* nodes of the last frame may still refer to it: finishing makes
       * cairo copy what they need while the guest's pixels are valid */
      cairo_surface_finish (self->cairo_source);
      g_clear_pointer (&self->cairo_source, cairo_surface_destroy);
    }
  g_clear_pointer (&self->copy, g_bytes_unref);
  self->copy_data = NULL;
  self->cols = 0;
  self->rows = 0;
  self->n_damaged = 0;
}

static gboolean
burst_done_cb (gpointer user_data)
{
  PisoSpiceDisplay *self = user_data;

  self->burst_id = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

/* Guest updates come in bursts (a text console sends its screen in 32 px
 * strips, the first one often a millisecond ahead of the rest): drawing
 * BURST_MS after the first update shows the burst in one frame instead of
 * two, which halves the frames drawn for a repainting guest at a cost in
 * latency far below one frame (bench-console). */
static void
queue_frame (PisoSpiceDisplay *self)
{
  if (!self->draw_queued)
    {
      self->draw_queued = TRUE;
      g_clear_handle_id (&self->burst_id, g_source_remove);
      self->burst_id = g_timeout_add (BURST_MS, burst_done_cb, self);
    }
}

static void
damage_tile (PisoSpiceDisplay *self,
             Tile             *tile,
             int               x0,
             int               y0,
             int               x1,
             int               y1)
{
  if (tile->x1 <= tile->x0)
    {
      tile->x0 = x0;
      tile->y0 = y0;
      tile->x1 = x1;
      tile->y1 = y1;
      self->n_damaged++;
      return;
    }
  tile->x0 = MIN (tile->x0, x0);
  tile->y0 = MIN (tile->y0, y0);
  tile->x1 = MAX (tile->x1, x1);
  tile->y1 = MAX (tile->y1, y1);
}

/* Without queueing a frame. Returns FALSE if nothing is damaged. */
static gboolean
mark_damage (PisoSpiceDisplay *self,
             int               x,
             int               y,
             int               width,
             int               height)
{
  int x0 = MAX (x, 0);
  int y0 = MAX (y, 0);
  int x1 = MIN (x + width, self->width);
  int y1 = MIN (y + height, self->height);

  if (self->data == NULL || x1 <= x0 || y1 <= y0)
    return FALSE;

  for (int row = y0 / TILE_SIZE; row <= (y1 - 1) / TILE_SIZE; row++)
    for (int col = x0 / TILE_SIZE; col <= (x1 - 1) / TILE_SIZE; col++)
      {
        int tx = col * TILE_SIZE, ty = row * TILE_SIZE;

        damage_tile (self, &self->tiles[row * self->cols + col],
                     MAX (x0, tx), MAX (y0, ty),
                     MIN (x1, tx + TILE_SIZE), MIN (y1, ty + TILE_SIZE));
      }
  return TRUE;
}

static void
damage (PisoSpiceDisplay *self,
        int               x,
        int               y,
        int               width,
        int               height)
{
  if (mark_damage (self, x, y, width, height))
    queue_frame (self);
}

void
_piso_spice_display_set_primary (PisoSpiceDisplay *self,
             gint              format,
             gint              width,
             gint              height,
             gint              stride,
             const guint8     *data)
{
  _piso_spice_display_clear_tiles (self);
  self->data = NULL;
  self->width = self->height = 0;

  if (data != NULL && width > 0 && height > 0)
    {
      if (!piso_surface_format_is_supported ((guint) format))
        {
          g_warning ("Unsupported SPICE surface format %d", format);
        }
      else
        {
          gsize size;

          self->format = format;
          self->width = width;
          self->height = height;
          self->stride = stride;
          self->data = data;
          self->copy_stride = (gsize) width * PISO_SURFACE_FORMAT_DEST_BPP;
          size = self->copy_stride * ((gsize) height + 1);
          self->copy_data = g_malloc (size);
          self->copy = g_bytes_new_take (self->copy_data, size);
          self->cols = (width + TILE_SIZE - 1) / TILE_SIZE;
          self->rows = (height + TILE_SIZE - 1) / TILE_SIZE;
          self->tiles = g_new0 (Tile, (gsize) self->cols * self->rows);
          damage (self, 0, 0, width, height);
        }
    }
  queue_frame (self);
}

void
_piso_spice_display_primary_create_cb (PisoSpiceSession *session,
                   gint              format,
                   gint              width,
                   gint              height,
                   gint              stride,
                   gpointer          data,
                   PisoSpiceDisplay *self)
{
  _piso_spice_display_set_primary (self, format, width, height, stride, data);
}

void
_piso_spice_display_primary_destroy_cb (PisoSpiceSession *session,
                    PisoSpiceDisplay *self)
{
  _piso_spice_display_set_primary (self, 0, 0, 0, 0, NULL);
}

void
_piso_spice_display_invalidate_cb (PisoSpiceSession *session,
               gint              x,
               gint              y,
               gint              width,
               gint              height,
               PisoSpiceDisplay *self)
{
  damage (self, x, y, width, height);
}

/* A texture viewing the converted copy's rectangle (no pixels copied). */
static GdkTexture *
view_texture (PisoSpiceDisplay *self,
              int               x,
              int               y,
              int               width,
              int               height)
{
  gsize offset = (gsize) y * self->copy_stride + (gsize) x * PISO_SURFACE_FORMAT_DEST_BPP;
  g_autoptr(GBytes) bytes = g_bytes_new_from_bytes (self->copy, offset,
                                                    self->copy_stride * height);

  self->textures_made++;
  self->pixels_uploaded += (guint64) width * height;

  return gdk_memory_texture_new (width, height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                 bytes, self->copy_stride);
}

/* Converts the damage into the copy (unless the cairo nodes read the guest's
 * pixels directly) and drops the textures and nodes that show it. Returns
 * TRUE if there was any. */
static gboolean
flush_damage (PisoSpiceDisplay *self)
{
  int n_tiles = self->cols * self->rows;
  gboolean convert = !self->cairo_mode ||
                     piso_surface_format_bytes_per_pixel ((guint) self->format) != 4;
  int near = (self->cairo_mode ? self->nodes_exact : self->tiles_exact) ? 0 : 1;
  gboolean all;

  if (self->n_damaged == 0)
    return FALSE;

  all = self->n_damaged == n_tiles;
  for (int i = 0; i < n_tiles; i++)
    {
      Tile *tile = &self->tiles[i];
      int col = i % self->cols, row = i / self->cols;

      if (tile->x1 <= tile->x0)
        continue;
      if (convert)
        piso_surface_format_convert (self->data, self->stride, self->format,
                                     tile->x0, tile->y0,
                                     tile->x1 - tile->x0, tile->y1 - tile->y0,
                                     self->copy_data + (gsize) tile->y0 * self->copy_stride +
                                     (gsize) tile->x0 * PISO_SURFACE_FORMAT_DEST_BPP,
                                     self->copy_stride);
#if GTK_CHECK_VERSION (4, 16, 0)
      if (self->update_region == NULL)
        self->update_region = cairo_region_create ();
      cairo_region_union_rectangle (self->update_region,
                                    &(cairo_rectangle_int_t) { tile->x0, tile->y0,
                                                               tile->x1 - tile->x0,
                                                               tile->y1 - tile->y0 });
#endif
      tile->x0 = tile->x1 = 0;
      /* remade when drawn; scaled, with the neighbours too, as their edge
       * pixels are filtered from this tile's (at 1:1 they are not, and
       * redrawing them would only cost) */
      for (int r = MAX (row - near, 0); r <= MIN (row + near, self->rows - 1); r++)
        for (int c = MAX (col - near, 0); c <= MIN (col + near, self->cols - 1); c++)
          {
            Tile *other = &self->tiles[r * self->cols + c];

            g_clear_object (&other->texture);
            g_clear_pointer (&other->node, gsk_render_node_unref);
          }
    }
  self->n_damaged = 0;

#if GTK_CHECK_VERSION (4, 16, 0)
  /* the base of the next texture: the renderer keeps its pixels and copies
   * only the region that changed */
  if (self->whole != NULL && self->update_base == NULL)
    self->update_base = g_steal_pointer (&self->whole);
#endif
  g_clear_object (&self->whole);
  g_clear_pointer (&self->whole_node, gsk_render_node_unref);
  /* the whole screen changed (a video, a full repaint): one texture or
   * node, cheaper to draw than tiles, made when drawn */
  self->all_changed = all;
  return TRUE;
}

/* ---- geometry ---- */

gboolean
_piso_spice_display_get_geometry (PisoSpiceDisplay    *self,
              PisoDisplayGeometry *geometry)
{
  GtkWidget *widget = GTK_WIDGET (self);

  *geometry = (PisoDisplayGeometry) {
    .guest_width = self->width,
    .guest_height = self->height,
    .widget_width = gtk_widget_get_width (widget),
    .widget_height = gtk_widget_get_height (widget),
    .scale_factor = gtk_widget_get_scale_factor (widget),
    .scale_to_fit = TRUE,
  };
  if (self->data == NULL)
    return FALSE;
  piso_display_geometry_update (geometry);

  return !piso_display_geometry_is_empty (geometry);
}

/* ---- drawing ---- */

/* A tile edge in widget coordinates, on a device pixel, so that clipped
 * neighbours meet without a gap or an antialiased line. */
static double
tile_edge (double origin,
           double zoom,
           int    guest,
           int    guest_size,
           double dest_size,
           int    scale)
{
  if (guest >= guest_size)
    return origin + dest_size;
  return round ((origin + guest * zoom) * scale) / scale;
}

/* The part of the widget that shows guest pixels [x0, x1) × [y0, y1), on
 * device pixels. */
static graphene_rect_t
tile_clip (PisoSpiceDisplay          *self,
           const PisoDisplayGeometry *geometry,
           int                        x0,
           int                        y0,
           int                        x1,
           int                        y1)
{
  int scale = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
  double sx = geometry->dest_width / self->width;
  double sy = geometry->dest_height / self->height;
  graphene_rect_t clip;

  clip.origin.x = tile_edge (geometry->dest_x, sx, x0, self->width, geometry->dest_width, scale);
  clip.origin.y = tile_edge (geometry->dest_y, sy, y0, self->height, geometry->dest_height, scale);
  clip.size.width = tile_edge (geometry->dest_x, sx, x1, self->width,
                               geometry->dest_width, scale) - clip.origin.x;
  clip.size.height = tile_edge (geometry->dest_y, sy, y1, self->height,
                                geometry->dest_height, scale) - clip.origin.y;
  return clip;
}

/* A cairo node painting @clip from the whole surface: the filter finds the
 * real neighbours at tile edges, so tiles meet without seams. */
static GskRenderNode *
cairo_node_new (PisoSpiceDisplay          *self,
                const PisoDisplayGeometry *geometry,
                const graphene_rect_t     *clip)
{
  GskRenderNode *node = gsk_cairo_node_new (clip);
  cairo_t *cr = gsk_cairo_node_get_draw_context (node);
  cairo_pattern_t *pattern;

  /* An aliased clip covers whole pixels: two tiles that share an edge
   * round it the same way, so no half-covered pixel lets the window's
   * background through between them. */
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_rectangle (cr, clip->origin.x, clip->origin.y, clip->size.width, clip->size.height);
  cairo_clip (cr);
  cairo_translate (cr, geometry->dest_x, geometry->dest_y);
  cairo_scale (cr, geometry->dest_width / self->width, geometry->dest_height / self->height);
  cairo_set_source_surface (cr, self->cairo_source, 0, 0);
  pattern = cairo_get_source (cr);
  /* 1:1 is a plain copy (cairo's cheapest path: no filter, no extend);
   * scaled, the edges repeat rather than fade out */
  if (piso_display_geometry_is_one_to_one (geometry))
    cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  else
    cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_destroy (cr);

  return node;
}

static void
snapshot_cairo (PisoSpiceDisplay          *self,
                GtkSnapshot               *snapshot,
                const PisoDisplayGeometry *geometry)
{
  graphene_rect_t dest = GRAPHENE_RECT_INIT (geometry->dest_x, geometry->dest_y,
                                             geometry->dest_width, geometry->dest_height);

  if (self->cairo_source == NULL)
    {
      gboolean direct = piso_surface_format_bytes_per_pixel ((guint) self->format) == 4;

      /* 32-bit xRGB is cairo's RGB24: no copy at all */
      self->cairo_source = direct
        ? cairo_image_surface_create_for_data ((guint8 *) self->data, CAIRO_FORMAT_RGB24,
                                               self->width, self->height, self->stride)
        : cairo_image_surface_create_for_data (self->copy_data, CAIRO_FORMAT_RGB24,
                                               self->width, self->height,
                                               (int) self->copy_stride);
    }

  if (!graphene_rect_equal (&dest, &self->nodes_dest))
    {
      clear_views (self);
      self->nodes_dest = dest;
      self->nodes_exact = piso_display_geometry_is_one_to_one (geometry);
    }

  if (self->whole_node == NULL && self->all_changed)
    self->whole_node = cairo_node_new (self, geometry, &dest);
  if (self->whole_node != NULL)
    {
      gtk_snapshot_append_node (snapshot, self->whole_node);
      return;
    }

  for (int row = 0; row < self->rows; row++)
    for (int col = 0; col < self->cols; col++)
      {
        Tile *tile = &self->tiles[row * self->cols + col];

        if (tile->node == NULL)
          {
            int x = col * TILE_SIZE, y = row * TILE_SIZE;
            graphene_rect_t clip = tile_clip (self, geometry, x, y,
                                              MIN (x + TILE_SIZE, self->width),
                                              MIN (y + TILE_SIZE, self->height));

            tile->node = cairo_node_new (self, geometry, &clip);
          }
        gtk_snapshot_append_node (snapshot, tile->node);
      }
}

static void
snapshot_textures (PisoSpiceDisplay          *self,
                   GtkSnapshot               *snapshot,
                   const PisoDisplayGeometry *geometry)
{
  gboolean exact = piso_display_geometry_is_one_to_one (geometry);
  double sx = geometry->dest_width / self->width;
  double sy = geometry->dest_height / self->height;

#if GTK_CHECK_VERSION (4, 16, 0)
  PISO_NEWER_GTK_BEGIN
  if (self->whole == NULL)
    {
      GdkMemoryTextureBuilder *builder = gdk_memory_texture_builder_new ();

      gdk_memory_texture_builder_set_width (builder, self->width);
      gdk_memory_texture_builder_set_height (builder, self->height);
      gdk_memory_texture_builder_set_format (builder, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED);
      gdk_memory_texture_builder_set_bytes (builder, self->copy);
      gdk_memory_texture_builder_set_stride (builder, self->copy_stride);
      if (self->update_base != NULL && self->update_region != NULL)
        {
          gdk_memory_texture_builder_set_update_texture (builder, self->update_base);
          gdk_memory_texture_builder_set_update_region (builder, self->update_region);
          for (int i = 0; i < cairo_region_num_rectangles (self->update_region); i++)
            {
              cairo_rectangle_int_t r;

              cairo_region_get_rectangle (self->update_region, i, &r);
              self->pixels_uploaded += (guint64) r.width * r.height;
            }
        }
      else
        self->pixels_uploaded += (guint64) self->width * self->height;
      self->textures_made++;
      self->whole = gdk_memory_texture_builder_build (builder);
      g_object_unref (builder);
      g_clear_object (&self->update_base);
      g_clear_pointer (&self->update_region, cairo_region_destroy);
    }
  PISO_NEWER_GTK_END
#else
  if (self->whole == NULL && self->all_changed)
    self->whole = view_texture (self, 0, 0, self->width, self->height);
#endif
  if (self->whole != NULL)
    {
      gtk_snapshot_append_texture (snapshot, self->whole,
                                   &GRAPHENE_RECT_INIT (geometry->dest_x, geometry->dest_y,
                                                        geometry->dest_width,
                                                        geometry->dest_height));
      return;
    }

  if (exact != self->tiles_exact)
    {
      for (int i = 0; i < self->cols * self->rows; i++)
        g_clear_object (&self->tiles[i].texture);
      self->tiles_exact = exact;
    }

  for (int row = 0; row < self->rows; row++)
    for (int col = 0; col < self->cols; col++)
      {
        Tile *tile = &self->tiles[row * self->cols + col];
        int x = col * TILE_SIZE;
        int y = row * TILE_SIZE;
        int w = MIN (TILE_SIZE, self->width - x);
        int h = MIN (TILE_SIZE, self->height - y);
        /* scaled, each tile also holds its neighbours' next pixel, so the
         * filter finds the same pixels as for one big image; it is clipped
         * to its own part, on device pixels */
        int l = exact || col == 0 ? 0 : 1;
        int t = exact || row == 0 ? 0 : 1;
        int r = exact || x + w >= self->width ? 0 : 1;
        int b = exact || y + h >= self->height ? 0 : 1;
        graphene_rect_t clip;

        if (tile->texture == NULL)
          tile->texture = view_texture (self, x - l, y - t, w + l + r, h + t + b);

        if (exact)
          {
            gtk_snapshot_append_texture (snapshot, tile->texture,
                                         &GRAPHENE_RECT_INIT (geometry->dest_x + x * sx,
                                                              geometry->dest_y + y * sy,
                                                              w * sx, h * sy));
            continue;
          }

        clip = tile_clip (self, geometry, x, y, x + w, y + h);
        gtk_snapshot_push_clip (snapshot, &clip);
        gtk_snapshot_append_texture (snapshot, tile->texture,
                                     &GRAPHENE_RECT_INIT (geometry->dest_x + (x - l) * sx,
                                                          geometry->dest_y + (y - t) * sy,
                                                          (w + l + r) * sx, (h + t + b) * sy));
        gtk_snapshot_pop (snapshot);
      }
}

static void
snapshot_guest_cursor (PisoSpiceDisplay          *self,
                       GtkSnapshot               *snapshot,
                       const PisoDisplayGeometry *geometry)
{
  PisoDisplayRect guest, widget;
  int x, y;

  if (self->cursor_texture == NULL || self->cursor_hidden || self->session == NULL ||
      piso_spice_session_get_mouse_mode (self->session) != PISO_SPICE_MOUSE_MODE_SERVER)
    return;
  piso_spice_session_get_cursor_position (self->session, &x, &y);
  guest = (PisoDisplayRect) { x - self->cursor_hot_x, y - self->cursor_hot_y,
                              gdk_texture_get_width (self->cursor_texture),
                              gdk_texture_get_height (self->cursor_texture) };
  piso_display_geometry_guest_to_widget (geometry, &guest, &widget);
  gtk_snapshot_append_texture (snapshot, self->cursor_texture,
                               &GRAPHENE_RECT_INIT (widget.x, widget.y,
                                                    widget.width, widget.height));
}

static void
snapshot_frame (PisoSpiceDisplay *self,
                GtkSnapshot      *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  PisoDisplayGeometry geometry;
  GdkRGBA black = { 0, 0, 0, 1 };
  GtkNative *native;
  gboolean cairo_mode;
  double width, height, right, bottom;

  self->draw_queued = FALSE;

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  if (!_piso_spice_display_get_geometry (self, &geometry))
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }

  /* Scaled, the image's edges (and its tiles' edges) fall between device
   * pixels and are partly transparent there: black under all of it keeps
   * the window's background from showing through as light lines. At 1:1
   * black bars only around the (opaque) image: no pixel is painted twice. */
  right = geometry.dest_x + geometry.dest_width;
  bottom = geometry.dest_y + geometry.dest_height;
  if (!piso_display_geometry_is_one_to_one (&geometry))
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
  else if (geometry.dest_y > 0)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (0, 0, width, geometry.dest_y));
  if (piso_display_geometry_is_one_to_one (&geometry) && bottom < height)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (0, bottom, width, height - bottom));
  if (piso_display_geometry_is_one_to_one (&geometry) && geometry.dest_x > 0)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (0, geometry.dest_y,
                                                    geometry.dest_x, geometry.dest_height));
  if (piso_display_geometry_is_one_to_one (&geometry) && right < width)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (right, geometry.dest_y,
                                                    width - right, geometry.dest_height));

  native = gtk_widget_get_native (widget);
  cairo_mode = native != NULL && GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native));
  if (cairo_mode != self->cairo_mode)
    {
      /* the copy is not kept up to date for cairo nodes of 32-bit surfaces */
      clear_views (self);
      self->cairo_mode = cairo_mode;
      mark_damage (self, 0, 0, self->width, self->height);
    }

  /* all damage since the last frame, converted once */
  if (flush_damage (self))
    self->frames_drawn++;

  if (self->cairo_mode)
    {
      piso_x11_upload_pool_cover (&self->upload_pool, widget);
      snapshot_cairo (self, snapshot, &geometry);
    }
  else
    snapshot_textures (self, snapshot, &geometry);

  snapshot_guest_cursor (self, snapshot, &geometry);
}

/* Everything is drawn as one node, kept: the window finds it in its own
 * nodes to leave its background out under it (piso-display-backdrop.c). */
void
_piso_spice_display_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (widget);
  GtkSnapshot *frame = gtk_snapshot_new ();

  snapshot_frame (self, frame);
  g_clear_pointer (&self->frame_node, gsk_render_node_unref);
  self->frame_node = gtk_snapshot_free_to_node (frame);
  self->frame_width = gtk_widget_get_width (widget);
  self->frame_height = gtk_widget_get_height (widget);
  if (self->frame_node != NULL)
    gtk_snapshot_append_node (snapshot, self->frame_node);
}

/* The node the widget drew last, opaque over @rect (its allocation then). */
GskRenderNode *
_piso_spice_display_get_frame (PisoSpiceDisplay *self,
                               graphene_rect_t  *rect)
{
  *rect = GRAPHENE_RECT_INIT (0, 0, self->frame_width, self->frame_height);
  return self->frame_node;
}


guint32
_piso_spice_display_get_drawn_pixel (PisoSpiceDisplay *self,
                                     int               x,
                                     int               y)
{
  guint32 pixel;

  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), 0);

  if (self->copy_data == NULL || x < 0 || y < 0 || x >= self->width || y >= self->height)
    return 0;
  /* cairo nodes of a 32-bit surface draw the guest's own pixels */
  if (self->cairo_mode && piso_surface_format_bytes_per_pixel ((guint) self->format) == 4)
    memcpy (&pixel, self->data + (gsize) y * self->stride + (gsize) x * 4, 4);
  else
    memcpy (&pixel, self->copy_data + (gsize) y * self->copy_stride + (gsize) x * 4, 4);
  return GUINT32_FROM_LE (pixel) | 0xff000000u;
}

void
_piso_spice_display_get_uploads (PisoSpiceDisplay *self,
                                 guint64          *textures,
                                 guint64          *pixels)
{
  g_return_if_fail (PISO_IS_SPICE_DISPLAY (self));

  *textures = self->textures_made;
  *pixels = self->pixels_uploaded;
}

GdkTexture *
piso_spice_display_get_screenshot (PisoSpiceDisplay *self)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize stride;
  guint8 *pixels;

  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), NULL);

  if (self->data == NULL)
    return NULL;
  /* from the surface itself: it may be newer than the last frame drawn */
  stride = (gsize) self->width * PISO_SURFACE_FORMAT_DEST_BPP;
  pixels = g_malloc (stride * self->height);
  piso_surface_format_convert (self->data, self->stride, self->format,
                               0, 0, self->width, self->height, pixels, stride);
  bytes = g_bytes_new_take (pixels, stride * self->height);
  return gdk_memory_texture_new (self->width, self->height, GDK_MEMORY_B8G8R8A8,
                                 bytes, stride);
}
