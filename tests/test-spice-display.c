/* test-spice-display.c: what PisoSpiceDisplay draws, without a guest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session's "primary-create" and "invalidate" signals are emitted by the
 * test with a surface it owns; the widget's drawing is rendered with its
 * window's renderer and read back. Needs an X display (skips without one).
 */
#define G_LOG_DOMAIN "piso-test"

#include <gtk/gtk.h>

#include "piso-backdrop-window.h"
#include "piso-display-backdrop.h"
#include "piso-display-geometry.h"
#include "piso-spice-display.h"
#include "piso-spice-session.h"
#include "piso-test-utils.h"

typedef struct
{
  PisoConnection   *conn;
  PisoSpiceSession *session;
  GtkWidget        *window;
  GtkWidget        *display;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  PisoMachine *machine;

  f->conn = piso_test_open_connection ("test:///default");
  machine = piso_connection_lookup_machine_by_name (f->conn, "test");
  g_assert_nonnull (machine);
  f->session = piso_spice_session_new (machine);
  f->window = gtk_window_new ();
  f->display = piso_spice_display_new (f->session);
  gtk_window_set_child (GTK_WINDOW (f->window), f->display);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->session);
  piso_connection_close (f->conn);
  g_clear_object (&f->conn);
}

static gboolean
has_size (gpointer user_data)
{
  Fixture *f = user_data;

  return gtk_widget_get_width (f->display) > 0 && gtk_widget_get_mapped (f->display);
}

static void
show (Fixture *f,
      int      width,
      int      height)
{
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  gtk_window_present (GTK_WINDOW (f->window));
  piso_test_wait_until (has_size, f, 10, "the display to be shown");
  piso_test_spin (100);
}

/* @widget as its window's renderer draws it (its own background included),
 * as 0xAARRGGBB words. */
static guint32 *
render_widget (GtkWidget *widget,
               int       *width,
               int       *height)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  guint32 *pixels;

  *width = gtk_widget_get_width (widget);
  *height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, *width, *height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  g_test_message ("rendered by %s", G_OBJECT_TYPE_NAME (renderer));
  /* the renderer asked for, not GTK's fallback (cairo) when it is missing */
  g_assert_true (GSK_IS_CAIRO_RENDERER (renderer) ==
                 (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") == 0));
  pixels = g_new (guint32, (gsize) *width * *height);
  /* GDK_MEMORY_DEFAULT: B, G, R, A bytes = host-endian 0xAARRGGBB words */
  gdk_texture_download (texture, (guchar *) pixels, (gsize) *width * 4);
  return pixels;
}

static guint32 *
render (Fixture *f,
        int     *width,
        int     *height)
{
  return render_widget (f->display, width, height);
}

static void
emit_primary (Fixture *f,
              int      format,
              int      width,
              int      height,
              int      stride,
              gpointer data)
{
  g_signal_emit_by_name (f->session, "primary-create", format, width, height, stride, data);
}

/* A surface of one colour over 3 × 2 tiles, scaled by 5/3 (tile edges fall
 * between pixels): no darker line may show where two tiles meet. */
static void
test_scaled_no_seams (Fixture       *f,
                      gconstpointer  data)
{
  const int gw = 600, gh = 300;
  g_autofree guint32 *surface = g_new (guint32, gw * gh);
  g_autofree guint32 *pixels = NULL;
  PisoDisplayGeometry geometry = { 0 };
  int width, height;
  guint64 frames;

  for (int i = 0; i < gw * gh; i++)
    surface[i] = 0x00336699;   /* xRGB, the x byte 0 as guests leave it */
  show (f, 1000, 500);
  frames = piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (f->display));
  emit_primary (f, SPICE_SURFACE_FMT_32_xRGB, gw, gh, gw * 4, surface);
  piso_test_spin (200);
  g_assert_cmpuint (piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (f->display)), >, frames);

  pixels = render (f, &width, &height);
  geometry = (PisoDisplayGeometry) { .guest_width = gw, .guest_height = gh,
                                     .widget_width = width, .widget_height = height,
                                     .scale_factor = 1, .scale_to_fit = TRUE };
  piso_display_geometry_update (&geometry);
  g_assert_false (piso_display_geometry_is_one_to_one (&geometry));

  /* every pixel of the image is the colour, edges included; first drawn
   * whole (all of it changed), then as tiles after a small change */
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        {
          g_free (pixels);
          g_signal_emit_by_name (f->session, "invalidate", 10, 10, 5, 5);
          piso_test_spin (200);
          pixels = render (f, &width, &height);
        }
      for (int y = (int) geometry.dest_y; y < (int) (geometry.dest_y + geometry.dest_height); y++)
        for (int x = (int) geometry.dest_x; x < (int) (geometry.dest_x + geometry.dest_width); x++)
          if (pixels[y * width + x] != 0xff336699)
            g_error ("pass %d: pixel %d,%d is %08x, not ff336699 (tile edge at guest 256 = "
                     "widget %.1f)", pass, x, y, pixels[y * width + x],
                     geometry.dest_x + 256 * geometry.dest_width / gw);
    }

  g_signal_emit_by_name (f->session, "primary-destroy");
}

/* 16-bit 5-6-5 pixels at 1:1; then a damaged rectangle is redrawn. */
static void
test_16bit_and_damage (Fixture       *f,
                       gconstpointer  data)
{
  const int gw = 300, gh = 200;
  g_autofree guint16 *surface = g_new (guint16, gw * gh);
  g_autofree guint32 *pixels = NULL;
  g_autofree guint32 *after = NULL;
  g_autoptr(GdkTexture) shot = NULL;
  g_autofree guint32 *shot_pixels = NULL;
  int width, height, ox, oy;
  guint64 frames;

  for (int i = 0; i < gw * gh; i++)
    surface[i] = 0xf800;       /* red */
  show (f, gw, gh);
  emit_primary (f, SPICE_SURFACE_FMT_16_565, gw, gh, gw * 2, surface);
  piso_test_spin (200);

  pixels = render (f, &width, &height);
  g_assert_cmpint (width, ==, gw);
  g_assert_cmpint (height, ==, gh);
  ox = (width - gw) / 2;
  oy = (height - gh) / 2;
  g_assert_cmphex (pixels[(oy + 10) * width + ox + 10], ==, 0xffff0000);

  /* the guest draws a green square: only after "invalidate" is it shown */
  for (int y = 50; y < 60; y++)
    for (int x = 100; x < 110; x++)
      surface[y * gw + x] = 0x07e0;
  frames = piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (f->display));
  g_signal_emit_by_name (f->session, "invalidate", 100, 50, 10, 10);
  piso_test_spin (200);
  g_assert_cmpuint (piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (f->display)),
                    ==, frames + 1);
  after = render (f, &width, &height);
  g_assert_cmphex (after[(oy + 55) * width + ox + 105], ==, 0xff00ff00);
  g_assert_cmphex (after[(oy + 55) * width + ox + 95], ==, 0xffff0000);
  g_assert_cmphex (after[(oy + 45) * width + ox + 105], ==, 0xffff0000);
  g_assert_cmphex (_piso_spice_display_get_drawn_pixel (PISO_SPICE_DISPLAY (f->display),
                                                        105, 55), ==, 0xff00ff00);

  /* the screenshot is the guest's screen at its own size */
  shot = piso_spice_display_get_screenshot (PISO_SPICE_DISPLAY (f->display));
  g_assert_nonnull (shot);
  g_assert_cmpint (gdk_texture_get_width (shot), ==, gw);
  g_assert_cmpint (gdk_texture_get_height (shot), ==, gh);
  shot_pixels = g_new (guint32, gw * gh);
  gdk_texture_download (shot, (guchar *) shot_pixels, gw * 4);
  g_assert_cmphex (shot_pixels[55 * gw + 105], ==, 0xff00ff00);
  g_assert_cmphex (shot_pixels[0], ==, 0xffff0000);

  g_signal_emit_by_name (f->session, "primary-destroy");
  g_assert_null (piso_spice_display_get_screenshot (PISO_SPICE_DISPLAY (f->display)));
}

/* Damage spread over one frame is drawn once; no damage, no new frame. */
static void
test_coalesced (Fixture       *f,
                gconstpointer  data)
{
  const int gw = 640, gh = 480;
  g_autofree guint32 *surface = g_new0 (guint32, gw * gh);
  guint64 frames;

  show (f, gw, gh);
  emit_primary (f, SPICE_SURFACE_FMT_32_xRGB, gw, gh, gw * 4, surface);
  piso_test_spin (200);

  frames = piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (f->display));
  for (int i = 0; i < 50; i++)
    g_signal_emit_by_name (f->session, "invalidate", (i * 13) % gw, (i * 7) % gh, 20, 20);
  piso_test_spin (300);
  g_assert_cmpuint (piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (f->display)),
                    ==, frames + 1);

  gtk_widget_queue_draw (f->display);
  piso_test_spin (200);
  g_assert_cmpuint (piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (f->display)),
                    ==, frames + 1);
  g_signal_emit_by_name (f->session, "primary-destroy");
}

/* Redrawing a small change uploads little: from GTK 4.16 on, one texture
 * made from the last one and the region that changed; before, the tile
 * with the change. */
static void
test_damage_uploads (Fixture       *f,
                     gconstpointer  data)
{
  const int gw = 600, gh = 400;
  g_autofree guint32 *surface = g_new0 (guint32, gw * gh);
  PisoSpiceDisplay *display = PISO_SPICE_DISPLAY (f->display);
  guint64 frames, textures, pixels, textures_after, pixels_after;

  if (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") == 0)
    {
      g_test_skip ("the cairo renderer draws the guest's pixels, not textures");
      return;
    }
  show (f, gw, gh);
  emit_primary (f, SPICE_SURFACE_FMT_32_xRGB, gw, gh, gw * 4, surface);
  piso_test_spin (200);
  g_assert_cmpint (gtk_widget_get_width (f->display), ==, gw);

  /* the first change after the whole screen was new; then the one measured */
  for (int pass = 0; pass < 2; pass++)
    {
      frames = piso_spice_display_get_frames_drawn (display);
      _piso_spice_display_get_uploads (display, &textures, &pixels);
      for (int y = 100; y < 110; y++)
        for (int x = 300; x < 310; x++)
          surface[y * gw + x] = 0xff00ff00 + pass;
      g_signal_emit_by_name (f->session, "invalidate", 300, 100, 10, 10);
      piso_test_spin (200);
      g_assert_cmpuint (piso_spice_display_get_frames_drawn (display), ==, frames + 1);
      _piso_spice_display_get_uploads (display, &textures_after, &pixels_after);
    }
  g_test_message ("GTK %u.%u: %" G_GUINT64_FORMAT " textures, %" G_GUINT64_FORMAT
                  " pixels uploaded for a 10x10 change",
                  gtk_get_major_version (), gtk_get_minor_version (),
                  textures_after - textures, pixels_after - pixels);
  g_assert_cmpuint (textures_after - textures, ==, 1);
#if GTK_CHECK_VERSION (4, 16, 0)
  g_assert_cmpuint (pixels_after - pixels, ==, 10 * 10);
#else
  g_assert_cmpuint (pixels_after - pixels, ==, 256 * 256);
#endif
  g_signal_emit_by_name (f->session, "primary-destroy");
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  PisoSpiceDisplay *display = PISO_SPICE_DISPLAY (f->display);
  const char *hint = piso_spice_display_get_grab_hint (display);
  gboolean resize = FALSE;

  g_assert_nonnull (hint);
  g_assert_nonnull (strstr (hint, "Ctrl+Alt"));
  /* not connected: nothing to grab */
  show (f, 200, 100);
  g_assert_false (piso_spice_display_get_grabbed (display));

  g_object_get (display, "resize-guest", &resize, NULL);
  g_assert_true (resize);
  piso_spice_display_set_resize_guest (display, FALSE);
  g_assert_false (piso_spice_display_get_resize_guest (display));

  /* one shared session per machine, gone with its last user */
  {
    PisoMachine *machine = piso_spice_session_get_machine (f->session);
    PisoSpiceSession *shared;

    g_assert_null (piso_spice_session_peek_for_machine (machine));
    shared = piso_spice_session_get_for_machine (machine);
    g_assert_true (shared != f->session);
    g_assert_true (piso_spice_session_peek_for_machine (machine) == shared);
    g_assert_true (piso_spice_session_get_for_machine (machine) == shared);
    g_object_unref (shared);
    g_assert_true (piso_spice_session_peek_for_machine (machine) == shared);
    g_object_unref (shared);
    g_assert_null (piso_spice_session_peek_for_machine (machine));
    /* counted connects: the machine (test driver) has no SPICE graphics, so
     * the attempt ends at once; the last release leaves it disconnected */
    piso_spice_session_hold (f->session);
    piso_spice_session_hold (f->session);
    piso_spice_session_release (f->session);
    g_assert_cmpint (piso_spice_session_get_state (f->session), ==, PISO_SPICE_STATE_DISCONNECTED);
    g_assert_cmpint (piso_spice_session_get_disconnect_reason (f->session), !=,
                     PISO_SPICE_DISCONNECT_REASON_NONE);
    piso_spice_session_release (f->session);
    g_assert_cmpint (piso_spice_session_get_disconnect_reason (f->session), ==,
                     PISO_SPICE_DISCONNECT_REASON_NONE);
    g_assert_null (piso_spice_session_get_main_channel (f->session));
    g_assert_false (piso_spice_session_get_agent_connected (f->session));
    g_assert_cmpint (piso_spice_session_get_mouse_mode (f->session), ==,
                     PISO_SPICE_MOUSE_MODE_SERVER);
    g_assert_cmpint (piso_spice_session_get_cursor (f->session, NULL, NULL, NULL, NULL, NULL),
                     ==, PISO_SPICE_CURSOR_DEFAULT);
  }
}

/* ---- the window's background around the display ---- */

static GskRenderNode *
color_node (float x,
            float y,
            float width,
            float height)
{
  return gsk_color_node_new (&(GdkRGBA) { 0.5, 0.5, 0.5, 1 },
                             &GRAPHENE_RECT_INIT (x, y, width, height));
}

static GskRenderNode *
translated (GskRenderNode *child,
            float          x,
            float          y)
{
  g_autoptr(GskTransform) transform = gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (x, y));
  GskRenderNode *node = gsk_transform_node_new (child, transform);

  gsk_render_node_unref (child);
  return node;
}

static GskRenderNode *
container (GskRenderNode *first,
           GskRenderNode *second)
{
  GskRenderNode *children[] = { first, second };
  GskRenderNode *node = gsk_container_node_new (children, 2);

  gsk_render_node_unref (first);
  gsk_render_node_unref (second);
  return node;
}

/* The hole follows the target through translations and rectangle clips,
 * and nowhere else. */
static void
test_backdrop_walk (void)
{
  graphene_rect_t rect = GRAPHENE_RECT_INIT (0, 0, 200, 100);
  graphene_rect_t hole;
  gboolean nothing_below;
  GskRenderNode *target = color_node (0, 0, 200, 100);
  g_autoptr(GskRenderNode) content = NULL;
  g_autoptr(GskRenderNode) covered = NULL;
  g_autoptr(GskRenderNode) faded = NULL;
  g_autoptr(GskRenderNode) scaled = NULL;
  g_autoptr(GskTransform) scale = gsk_transform_scale (NULL, 2, 2);

  /* a header above, the target at 10,40, clipped to a 150 px wide pane */
  content = container (color_node (0, 0, 300, 40),
                       gsk_clip_node_new (translated (gsk_render_node_ref (target), 10, 40),
                                          &GRAPHENE_RECT_INIT (0, 40, 160, 200)));
  g_assert_true (piso_display_backdrop_find_hole (content, target, &rect, &hole, &nothing_below));
  g_assert_true (graphene_rect_equal (&hole, &GRAPHENE_RECT_INIT (10, 40, 150, 100)));
  g_assert_true (nothing_below);

  /* something drawn before it, under it: the hole is still right, but
   * cairo's frame image is no longer clear there */
  covered = container (color_node (0, 0, 300, 300),
                       translated (gsk_render_node_ref (target), 10, 40));
  g_assert_true (piso_display_backdrop_find_hole (covered, target, &rect, &hole, &nothing_below));
  g_assert_true (graphene_rect_equal (&hole, &GRAPHENE_RECT_INIT (10, 40, 200, 100)));
  g_assert_false (nothing_below);

  /* faded or scaled, the target does not cover its rectangle as it is */
  faded = gsk_opacity_node_new (target, 0.5);
  g_assert_false (piso_display_backdrop_find_hole (faded, target, &rect, &hole, &nothing_below));
  scaled = gsk_transform_node_new (target, scale);
  g_assert_false (piso_display_backdrop_find_hole (scaled, target, &rect, &hole, &nothing_below));
  /* not there at all */
  g_assert_false (piso_display_backdrop_find_hole (covered, faded, &rect, &hole,
                                                   &nothing_below));
  gsk_render_node_unref (target);
}

static guint32
rgba_to_pixel (const GdkRGBA *color)
{
  return 0xff000000u | (guint32) lround (color->red * 255) << 16 |
         (guint32) lround (color->green * 255) << 8 | (guint32) lround (color->blue * 255);
}

static void
assert_pixel_near (guint32 pixel,
                   guint32 expected)
{
  for (int shift = 0; shift < 32; shift += 8)
    if (ABS ((int) ((pixel >> shift) & 0xff) - (int) ((expected >> shift) & 0xff)) > 2)
      g_error ("pixel %08x, expected %08x", pixel, expected);
}

/* With the cairo renderer the window leaves its background out under the
 * display, and looks the same; faded, the display gets it back. */
static void
test_backdrop_window (void)
{
  const int gw = 200, gh = 100;
  g_autofree guint32 *surface = g_new (guint32, gw * gh);
  g_autoptr(PisoConnection) conn = piso_test_open_connection ("test:///default");
  g_autoptr(PisoSpiceSession) session = NULL;
  GtkWidget *window = piso_backdrop_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = gtk_label_new ("Backdrop");
  GtkWidget *display;
  graphene_rect_t bounds, hole;
  gboolean nothing_below, cairo;
  GdkRGBA background;
  guint32 guest = 0xff336699, *pixels;
  int width, height, cx, cy;

  session = piso_spice_session_new (piso_connection_lookup_machine_by_name (conn, "test"));
  display = piso_spice_display_new (session);
  /* its text's ink reaches a little past its allocation */
  gtk_widget_set_margin_top (label, 20);
  gtk_widget_set_margin_bottom (label, 10);
  gtk_widget_set_vexpand (display, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), display);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 300);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (display) || gtk_widget_get_width (display) == 0)
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < gw * gh; i++)
    surface[i] = guest & 0xffffff;
  g_signal_emit_by_name (session, "primary-create", SPICE_SURFACE_FMT_32_xRGB, gw, gh, gw * 4,
                         (gpointer) surface);
  piso_test_spin (200);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (window),
                                                 "theme_bg_color", &background));
  G_GNUC_END_IGNORE_DEPRECATIONS
  cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (window)));
  g_assert_true (gtk_widget_compute_bounds (display, window, &bounds));
  cx = bounds.origin.x + bounds.size.width / 2;
  cy = bounds.origin.y + bounds.size.height / 2;

  pixels = render_widget (window, &width, &height);
  assert_pixel_near (pixels[2 * width + 2], rgba_to_pixel (&background));
  assert_pixel_near (pixels[cy * width + cx], guest);
  g_free (pixels);
  if (cairo)
    {
      g_assert_true (gtk_widget_has_css_class (window, "piso-display-backdrop"));
      g_assert_true (piso_display_backdrop_get_hole (window, &hole, &nothing_below));
      g_assert_true (graphene_rect_equal (&hole, &bounds));
      g_assert_true (nothing_below);
    }
  else
    {
      g_assert_false (gtk_widget_has_css_class (window, "piso-display-backdrop"));
      g_assert_false (piso_display_backdrop_get_hole (window, &hole, &nothing_below));
    }

  /* half transparent, the display shows the background through */
  gtk_widget_set_opacity (display, 0.5);
  piso_test_spin (200);
  pixels = render_widget (window, &width, &height);
  g_assert_false (piso_display_backdrop_get_hole (window, &hole, &nothing_below));
  assert_pixel_near (pixels[cy * width + cx],
                     0xff000000u |
                     ((((guest >> 16) & 0xff) + (rgba_to_pixel (&background) >> 16 & 0xff)) / 2) << 16 |
                     ((((guest >> 8) & 0xff) + (rgba_to_pixel (&background) >> 8 & 0xff)) / 2) << 8 |
                     (((guest & 0xff) + (rgba_to_pixel (&background) & 0xff)) / 2));
  g_free (pixels);

  g_signal_emit_by_name (session, "primary-destroy");
  gtk_window_destroy (GTK_WINDOW (window));
  piso_connection_close (conn);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "none", TRUE);

  if (!gtk_init_check ())
    {
      g_test_skip ("no display");
      return g_test_run ();
    }
  g_assert_true (piso_backend_init (NULL));

  g_test_add ("/spice-display/scaled-no-seams", Fixture, NULL,
              fixture_setup, test_scaled_no_seams, fixture_teardown);
  g_test_add ("/spice-display/16bit-and-damage", Fixture, NULL,
              fixture_setup, test_16bit_and_damage, fixture_teardown);
  g_test_add ("/spice-display/coalesced", Fixture, NULL,
              fixture_setup, test_coalesced, fixture_teardown);
  g_test_add ("/spice-display/damage-uploads", Fixture, NULL,
              fixture_setup, test_damage_uploads, fixture_teardown);
  g_test_add ("/spice-display/properties", Fixture, NULL,
              fixture_setup, test_properties, fixture_teardown);
  g_test_add_func ("/spice-display/backdrop-walk", test_backdrop_walk);
  g_test_add_func ("/spice-display/backdrop-window", test_backdrop_window);

  return g_test_run ();
}
