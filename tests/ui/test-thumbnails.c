/* test-thumbnails.c: live thumbnails in the machine list (Xvfb, test driver)
 *
 * The test driver answers every screenshot with the PNG libvirt ships
 * (PISO_TEST_DRIVER_SCREENSHOT), so a running row's thumbnail must look like
 * that picture made small. The scheduler's request counter shows which rows
 * cost a libvirt call: only running ones, only while on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test-thumbnails"

#include "config.h"

#include <math.h>
#include <string.h>

#include "piso-application.h"
#include "piso-machine-row.h"
#include "piso-settings.h"
#include "piso-thumbnail-image.h"
#include "piso-thumbnail-scheduler.h"
#include "piso-thumbnail-view.h"
#include "piso-window-private.h"
#include "piso-ui-test-utils.h"

/* Fast enough for a test, and the same code path as the default 5 s. */
#define TEST_INTERVAL_MS 200

typedef struct
{
  PisoApplication *app;
  PisoWindow      *window;
  PisoConnection  *connection;
  char            *uri;
} Fixture;

/* One application for the whole program: with a session bus, each
 * registration exports the same object path, and the application's own
 * D-Bus calls may keep it alive past a test. */
static PisoApplication *the_app;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GSettings *settings;

  if (!piso_ui_test_skip_unless_display ())
    return;

  if (the_app == NULL)
    the_app = piso_ui_test_new_application ();
  f->app = the_app;

  settings = piso_settings_get_gsettings (piso_application_get_settings (f->app));
  g_settings_reset (settings, PISO_SETTING_SORT_BY);
  g_settings_reset (settings, PISO_SETTING_CONNECTIONS);

  piso_thumbnail_scheduler_set_interval (piso_thumbnail_scheduler_get_default (),
                                         TEST_INTERVAL_MS);

  f->window = piso_ui_test_present_window (f->app, 1000, 700);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->app == NULL)
    return;

  gtk_window_destroy (GTK_WINDOW (f->window));
  if (f->uri != NULL)
    piso_application_remove_connection (f->app, f->uri);
  g_clear_object (&f->connection);
  g_clear_pointer (&f->uri, g_free);
  piso_test_spin (50);
}

static void
fixture_open (Fixture *f,
              guint    n_machines)
{
  g_autoptr(GError) error = NULL;

  f->uri = piso_ui_test_write_node_file (n_machines);
  f->connection = piso_application_add_connection (f->app, f->uri, FALSE, &error);
  g_assert_no_error (error);
  g_object_ref (f->connection);

  piso_ui_test_wait_machines (f->connection, n_machines, "the machines of the fixture");
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 2000);
}

static GtkWidget *
get_viewport (Fixture *f)
{
  GtkWidget *list_view = GTK_WIDGET (_piso_window_get_list_view (f->window));

  return gtk_widget_get_ancestor (list_view, GTK_TYPE_SCROLLED_WINDOW);
}

static gboolean
row_on_screen (Fixture   *f,
               GtkWidget *row)
{
  GtkWidget *viewport = get_viewport (f);
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (row) || !gtk_widget_compute_bounds (row, viewport, &bounds))
    return FALSE;
  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (viewport);
}

/* Machine rows bound right now; @on_screen: only those inside the viewport. */
static GPtrArray *
collect_rows (Fixture  *f,
              gboolean  on_screen)
{
  GtkWidget *list_view = GTK_WIDGET (_piso_window_get_list_view (f->window));
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *item = gtk_widget_get_first_child (list_view);
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *child = gtk_widget_get_first_child (item);

      if (!PISO_IS_MACHINE_ROW (child) ||
          piso_machine_row_get_machine (PISO_MACHINE_ROW (child)) == NULL)
        continue;
      if (on_screen && !row_on_screen (f, child))
        continue;
      g_ptr_array_add (rows, child);
    }
  return rows;
}

static GtkWidget *
find_row_in_state (Fixture          *f,
                   PisoMachineState  state)
{
  g_autoptr(GPtrArray) rows = collect_rows (f, TRUE);

  for (guint i = 0; i < rows->len; i++)
    {
      PisoMachine *machine = piso_machine_row_get_machine (g_ptr_array_index (rows, i));

      if (piso_machine_get_state (machine) == state)
        return g_ptr_array_index (rows, i);
    }
  return NULL;
}

static PisoThumbnailView *
row_thumbnail (GtkWidget *row)
{
  GtkWidget *view = piso_ui_test_find_descendant (row, PISO_TYPE_THUMBNAIL_VIEW);

  g_assert_nonnull (view);
  return PISO_THUMBNAIL_VIEW (view);
}

static gboolean
has_texture (gpointer user_data)
{
  return piso_thumbnail_view_get_texture (row_thumbnail (user_data)) != NULL;
}

static guint
n_requests (PisoMachine *machine)
{
  return piso_thumbnail_scheduler_get_n_requests (piso_thumbnail_scheduler_get_default (),
                                                  machine);
}

/* Mean absolute difference per channel between @texture and the test
 * driver's screenshot scaled to the same size by GdkPixbuf. */
static double
compare_with_driver_screenshot (GdkTexture *texture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) full = gdk_pixbuf_new_from_file (PISO_TEST_DRIVER_SCREENSHOT, &error);
  g_autoptr(GdkPixbuf) small = NULL;
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autofree guint8 *got = g_malloc ((gsize) w * h * 4);
  const guint8 *want;
  int stride, channels;
  double sum = 0;

  g_assert_no_error (error);
  small = gdk_pixbuf_scale_simple (full, w, h, GDK_INTERP_HYPER);
  want = gdk_pixbuf_read_pixels (small);
  stride = gdk_pixbuf_get_rowstride (small);
  channels = gdk_pixbuf_get_n_channels (small);

  /* gdk_texture_download gives B,G,R,A (cairo ARGB32 on little endian) */
  gdk_texture_download (texture, got, (gsize) w * 4);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *g = got + (gsize) y * w * 4 + x * 4;
        const guint8 *p = want + (gsize) y * stride + x * channels;

        sum += abs (g[2] - p[0]) + abs (g[1] - p[1]) + abs (g[0] - p[2]);
      }

  return sum / (3.0 * w * h);
}

static gboolean
all_on_screen_running_have_texture (gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr(GPtrArray) rows = collect_rows (f, TRUE);

  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      PisoMachine *machine = piso_machine_row_get_machine (PISO_MACHINE_ROW (row));

      if (piso_machine_get_state (machine) == PISO_MACHINE_STATE_RUNNING && !has_texture (row))
        return FALSE;
    }
  return TRUE;
}

/* ---- a running row on screen ---- */

static void
test_running_row (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *row;
  PisoThumbnailView *view;
  GdkTexture *texture;
  g_autofree char *path = NULL;
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(GError) error = NULL;
  graphene_rect_t bounds;
  int w, h, expected_w, expected_h;
  double diff;

  if (f->app == NULL)
    return;

  fixture_open (f, 40);
  row = find_row_in_state (f, PISO_MACHINE_STATE_RUNNING);
  g_assert_nonnull (row);
  view = row_thumbnail (row);

  piso_test_wait_until (has_texture, row, 10, "a thumbnail on a running row");
  texture = piso_thumbnail_view_get_texture (view);
  g_assert_cmpuint (n_requests (piso_machine_row_get_machine (PISO_MACHINE_ROW (row))), >=, 1);

  /* The driver's 1120×832 screen keeps its aspect in the 64×40 slot. */
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  piso_thumbnail_fit_size (1120, 832, PISO_THUMBNAIL_WIDTH * gtk_widget_get_scale_factor (row),
                           PISO_THUMBNAIL_HEIGHT * gtk_widget_get_scale_factor (row),
                           &expected_w, &expected_h);
  g_assert_cmpint (w, ==, expected_w);
  g_assert_cmpint (h, ==, expected_h);

  diff = compare_with_driver_screenshot (texture);
  g_test_message ("thumbnail vs. GdkPixbuf's downscale: mean difference %.2f / 255", diff);
  g_assert_cmpfloat (diff, <, 12.0);

  /* And what is drawn: the same pixels in the row's slot. */
  piso_test_wait_until (all_on_screen_running_have_texture, f, 15,
                        "thumbnails on every running row on screen");
  g_free (piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "thumbnails-list"));
  path = piso_ui_test_save_screenshot (row, "thumbnails-row");
  shot = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (view), row, &bounds));
  {
    int sw = gdk_texture_get_width (shot), sh = gdk_texture_get_height (shot);
    g_autofree guint8 *shot_px = g_malloc ((gsize) sw * sh * 4);
    g_autofree guint8 *tex_px = g_malloc ((gsize) w * h * 4);
    int ox = (int) bounds.origin.x + ((int) bounds.size.width - w) / 2;
    int oy = (int) bounds.origin.y + ((int) bounds.size.height - h) / 2;
    double sum = 0;

    gdk_texture_download (shot, shot_px, (gsize) sw * 4);
    gdk_texture_download (texture, tex_px, (gsize) w * 4);
    g_assert_cmpint (ox + w, <=, sw);
    g_assert_cmpint (oy + h, <=, sh);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int c = 0; c < 3; c++)
          sum += abs (shot_px[((gsize) (oy + y) * sw + ox + x) * 4 + c] -
                      tex_px[((gsize) y * w + x) * 4 + c]);
    g_test_message ("drawn slot vs. thumbnail: mean difference %.2f / 255", sum / (3.0 * w * h));
    /* Only the rounded corners may differ */
    g_assert_cmpfloat (sum / (3.0 * w * h), <, 4.0);
  }
}

/* ---- off machines: no thumbnail, no request ---- */

static void
test_off_row (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *row, *running;
  PisoMachine *machine;

  if (f->app == NULL)
    return;

  /* Few machines, so that the off ones ("mail-…") are on screen too */
  fixture_open (f, 8);
  row = find_row_in_state (f, PISO_MACHINE_STATE_SHUTOFF);
  running = find_row_in_state (f, PISO_MACHINE_STATE_RUNNING);
  g_assert_nonnull (row);
  g_assert_nonnull (running);
  machine = piso_machine_row_get_machine (PISO_MACHINE_ROW (row));

  /* Long enough for running rows to get theirs */
  piso_test_wait_until (has_texture, running, 10, "a thumbnail on a running row");
  piso_test_spin (3 * TEST_INTERVAL_MS);
  g_assert_null (piso_thumbnail_view_get_texture (row_thumbnail (row)));
  g_assert_cmpuint (n_requests (machine), ==, 0);

  /* Started: it gets one; forced off: it goes and requests stop. */
  {
    g_autoptr(GError) error = NULL;
    guint before;

    g_assert_true (PISO_TEST_RUN (machine, start, &error));
    g_assert_no_error (error);
    piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
    piso_test_wait_until (has_texture, row, 10, "a thumbnail once started");

    g_assert_true (PISO_TEST_RUN (machine, force_off, &error));
    g_assert_no_error (error);
    piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 10);
    piso_test_spin (50);
    g_assert_null (piso_thumbnail_view_get_texture (row_thumbnail (row)));
    before = n_requests (machine);
    piso_test_spin (5 * TEST_INTERVAL_MS);
    g_assert_cmpuint (n_requests (machine), ==, before);
  }
}

/* ---- rows scrolled away or a hidden window cost nothing ---- */

static void
scroll_to (Fixture *f,
           double   fraction)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (get_viewport (f)));
  double upper = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  gtk_adjustment_set_value (adj, upper * fraction);
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 3, 2000);
}

static guint
count_requested_machines (PisoConnection *connection)
{
  GListModel *machines = piso_connection_get_machines (connection);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (machines, i);

      n += n_requests (machine) > 0;
    }
  return n;
}

static void
test_scrolled_away (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) top_rows = NULL;
  g_autoptr(GPtrArray) top_machines = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  guint asked;

  if (f->app == NULL)
    return;

  fixture_open (f, 400);
  piso_test_wait_until (all_on_screen_running_have_texture, f, 15,
                        "thumbnails on every running row on screen");
  top_rows = collect_rows (f, TRUE);
  g_assert_cmpuint (top_rows->len, >=, 5);

  /* Of 400 machines only the ones shown were asked for. */
  asked = count_requested_machines (f->connection);
  g_test_message ("%u rows on screen, %u machines asked for", top_rows->len, asked);
  g_assert_cmpuint (asked, >, 0);
  g_assert_cmpuint (asked, <=, top_rows->len);

  for (guint i = 0; i < top_rows->len; i++)
    {
      PisoMachine *machine = piso_machine_row_get_machine (g_ptr_array_index (top_rows, i));
      guint n = n_requests (machine);

      g_ptr_array_add (top_machines, g_object_ref (machine));
      g_array_append_val (counts, n);
    }

  scroll_to (f, 1.0);
  piso_test_wait_until (all_on_screen_running_have_texture, f, 15,
                        "thumbnails on the rows at the end of the list");
  /* A request already in flight may finish; then nothing more. */
  piso_test_spin (2 * TEST_INTERVAL_MS);
  for (guint i = 0; i < top_machines->len; i++)
    g_array_index (counts, guint, i) = n_requests (g_ptr_array_index (top_machines, i));
  piso_test_spin (8 * TEST_INTERVAL_MS);
  for (guint i = 0; i < top_machines->len; i++)
    g_assert_cmpuint (n_requests (g_ptr_array_index (top_machines, i)), ==,
                      g_array_index (counts, guint, i));

  /* Window hidden: nothing at all. */
  {
    guint total;

    gtk_widget_set_visible (GTK_WIDGET (f->window), FALSE);
    piso_test_spin (2 * TEST_INTERVAL_MS);
    total = n_requests (NULL);
    piso_test_spin (8 * TEST_INTERVAL_MS);
    g_assert_cmpuint (n_requests (NULL), ==, total);

    gtk_window_present (GTK_WINDOW (f->window));
    piso_test_wait_until (all_on_screen_running_have_texture, f, 15, "thumbnails again");
  }
}

/* ---- thumbnails kept for rows no longer shown are bounded ---- */

static GPtrArray *
running_machines_on_screen (Fixture *f)
{
  g_autoptr(GPtrArray) rows = collect_rows (f, TRUE);
  GPtrArray *machines = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < rows->len; i++)
    {
      PisoMachine *machine = piso_machine_row_get_machine (g_ptr_array_index (rows, i));

      if (piso_machine_get_state (machine) == PISO_MACHINE_STATE_RUNNING)
        g_ptr_array_add (machines, g_object_ref (machine));
    }
  return machines;
}

static void
test_kept_bounded (Fixture       *f,
                   gconstpointer  data)
{
  PisoThumbnailScheduler *scheduler = piso_thumbnail_scheduler_get_default ();
  g_autoptr(GPtrArray) top = NULL;
  g_autoptr(GPtrArray) end = NULL;
  const double stops[] = { 0.35, 0.7, 1.0 };
  guint n_fetched;

  if (f->app == NULL)
    return;

  piso_thumbnail_scheduler_set_kept_max (scheduler, 12);
  fixture_open (f, 400);
  piso_test_wait_until (all_on_screen_running_have_texture, f, 15,
                        "thumbnails on every running row on screen");
  top = running_machines_on_screen (f);
  g_assert_cmpuint (top->len, >=, 3);
  n_fetched = top->len;

  /* Three screens further down, each with its thumbnails */
  for (guint i = 0; i < G_N_ELEMENTS (stops); i++)
    {
      g_autoptr(GPtrArray) shown = NULL;

      scroll_to (f, stops[i]);
      piso_test_wait_until (all_on_screen_running_have_texture, f, 15,
                            "thumbnails on the rows scrolled to");
      shown = running_machines_on_screen (f);
      n_fetched += shown->len;
    }
  end = running_machines_on_screen (f);

  /* More were made than may be kept: the first ones, longest unseen and on
   * no row now, were let go; the ones on screen keep theirs */
  g_test_message ("%u thumbnails made, %u kept", n_fetched,
                  piso_thumbnail_scheduler_get_n_kept (scheduler));
  g_assert_cmpuint (n_fetched, >, 12);
  g_assert_cmpuint (piso_thumbnail_scheduler_get_n_kept (scheduler), <, n_fetched);
  for (guint i = 0; i < top->len; i++)
    g_assert_null (piso_thumbnail_scheduler_peek (scheduler, g_ptr_array_index (top, i)));
  for (guint i = 0; i < end->len; i++)
    g_assert_nonnull (piso_thumbnail_scheduler_peek (scheduler, g_ptr_array_index (end, i)));

  /* Back at the top they come again */
  scroll_to (f, 0.0);
  piso_test_wait_until (all_on_screen_running_have_texture, f, 15, "thumbnails at the top again");

  piso_thumbnail_scheduler_set_kept_max (scheduler, 300);
}

/* ---- decoding (no display needed) ---- */

static void
test_ppm_decode (void)
{
  /* 8×4 PPM: left half red, right half blue, with a comment in the header. */
  const char header[] = "P6\n# from QEMU\n8 4\n255\n";
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(PisoThumbnailImage) image = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *px;

  g_byte_array_append (data, (const guint8 *) header, strlen (header));
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 8; x++)
      {
        guint8 rgb[3] = { x < 4 ? 200 : 0, 10, x < 4 ? 0 : 240 };

        g_byte_array_append (data, rgb, 3);
      }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));

  /* Fits 2×1 into a 4×4 box: 4×2, each pixel the mean of 2×2 */
  image = piso_thumbnail_decode (bytes, "image/x-portable-pixmap", 4, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 4);
  g_assert_cmpint (image->height, ==, 2);
  px = g_bytes_get_data (image->pixels, NULL);
  g_assert_cmpmem (px, 3, ((guint8[]) { 200, 10, 0 }), 3);
  g_assert_cmpmem (px + 3 * 3, 3, ((guint8[]) { 0, 10, 240 }), 3);

  /* Truncated pixels are an error, not a crash. */
  {
    g_autoptr(GBytes) cut = g_bytes_new_from_bytes (bytes, 0, g_bytes_get_size (bytes) - 5);
    g_autoptr(PisoThumbnailImage) none = piso_thumbnail_decode (cut, NULL, 4, 4, &error);

    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
  }
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("P6 x", 4);
    g_autoptr(PisoThumbnailImage) none = piso_thumbnail_decode (junk, NULL, 4, 4, &error);

    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
  }
}

static void
test_surface_formats (void)
{
  /* 2×2 SPICE surfaces: 32-bit B,G,R,x and 16-bit x1r5g5b5, to one pixel */
  const guint8 bgrx[16] = { 255, 0, 0, 0,   255, 0, 0, 0,
                            0, 0, 255, 0,   0, 0, 255, 0 };
  const guint16 rgb555[4] = { 0x7c00, 0x7c00, 0x001f, 0x001f };   /* red, blue */
  g_autoptr(PisoThumbnailImage) a = NULL;
  g_autoptr(PisoThumbnailImage) b = NULL;
  const guint8 *p;

  a = piso_thumbnail_downscale (bgrx, 2, 2, 8, PISO_THUMBNAIL_PIXELS_BGRX, 1, 2);
  p = g_bytes_get_data (a->pixels, NULL);
  g_assert_cmpmem (p, 6, ((guint8[]) { 0, 0, 255, 255, 0, 0 }), 6);

  b = piso_thumbnail_downscale ((const guint8 *) rgb555, 2, 2, 4,
                                PISO_THUMBNAIL_PIXELS_RGB555, 1, 1);
  p = g_bytes_get_data (b->pixels, NULL);
  /* the mean of full red and full blue */
  g_assert_cmpmem (p, 3, ((guint8[]) { 128, 0, 128 }), 3);
}

#ifdef PISO_THUMBNAILS_LIVE
/* ---- live: a QEMU guest (PPM screenshots), then its console ---- */

#include "piso-live.h"
#include "piso-spice-session.h"

static PisoLiveDaemon *live;
static char *skip_reason;

/* The guest's bars (red, green, yellow, blue… backgrounds, 8 cells each)
 * survive the downscale as strongly red, green and blue pixels, left to
 * right in one row. */
static gboolean
texture_shows_bars (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autofree guint8 *px = g_malloc ((gsize) w * h * 4);

  gdk_texture_download (texture, px, (gsize) w * 4);
  for (int y = 0; y < h; y++)
    {
      int red = -1, green = -1, blue = -1;

      for (int x = 0; x < w; x++)
        {
          const guint8 *p = px + ((gsize) y * w + x) * 4;   /* B, G, R, A */

          if (red < 0 && p[2] > 100 && p[1] < 60 && p[0] < 60)
            red = x;
          else if (green < 0 && p[1] > 100 && p[2] < 60 && p[0] < 60)
            green = x;
          else if (blue < 0 && p[0] > 100 && p[2] < 60 && p[1] < 60)
            blue = x;
        }
      if (red >= 0 && red < green && green < blue)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  GtkWidget  *row;
  GdkTexture *old;
} NewTexture;

static gboolean
has_new_texture_with_bars (gpointer user_data)
{
  NewTexture *n = user_data;
  GdkTexture *texture = piso_thumbnail_view_get_texture (row_thumbnail (n->row));

  return texture != NULL && texture != n->old && texture_shows_bars (texture);
}

static gboolean
connection_connected (gpointer user_data)
{
  return piso_connection_get_state (user_data) == PISO_CONNECTION_STATE_CONNECTED;
}

static gboolean
session_has_primary (gpointer user_data)
{
  PisoSpiceSession *session = user_data;

  return piso_spice_session_get_state (session) == PISO_SPICE_STATE_CONNECTED &&
         piso_spice_session_get_primary (session, NULL, NULL, NULL, NULL, NULL);
}

static void
test_live (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  NewTexture n = { 0 };
  guint requests;

  if (f->app == NULL)
    return;
  PISO_LIVE_REQUIRE (live, skip_reason);

  f->uri = g_strdup (piso_live_daemon_get_uri (live));
  f->connection = piso_application_add_connection (f->app, f->uri, FALSE, &error);
  g_assert_no_error (error);
  g_object_ref (f->connection);
  piso_test_wait_until (connection_connected, f->connection, 30, "the live connection");

  name = piso_live_unique_name ("thumbs");
  xml = piso_live_domain_xml (live, name, NULL);
  machine = piso_live_define (f->connection, xml);
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_live_wait_guest_ready (live, name, 180);

  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 2000);
  rows = collect_rows (f, TRUE);
  g_assert_cmpuint (rows->len, ==, 1);
  n.row = g_ptr_array_index (rows, 0);
  g_assert_true (piso_machine_row_get_machine (PISO_MACHINE_ROW (n.row)) == machine);

  /* From libvirt: QEMU's PPM, decoded by Piso's own reader. */
  piso_test_wait_until (has_new_texture_with_bars, &n, 60, "a thumbnail with the colour bars");
  g_assert_cmpuint (n_requests (machine), >=, 1);
  g_free (piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "thumbnails-live"));

  /* With a console session connected, thumbnails come from its surface:
   * new pictures (the guest's clock ticks) and no more libvirt requests. */
  session = piso_spice_session_get_for_machine (machine);
  piso_spice_session_connect (session);
  piso_test_wait_until (session_has_primary, session, 30, "the console session");
  piso_test_spin (2 * TEST_INTERVAL_MS);   /* a libvirt request in flight ends */
  requests = n_requests (machine);
  for (guint i = 0; i < 3; i++)
    {
      n.old = piso_thumbnail_view_get_texture (row_thumbnail (n.row));
      piso_test_wait_until (has_new_texture_with_bars, &n, 30, "a thumbnail from the console");
    }
  g_assert_cmpuint (n_requests (machine), ==, requests);

  /* Off: the thumbnail goes. */
  piso_spice_session_disconnect (session);
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);
  piso_test_spin (100);
  g_assert_null (piso_thumbnail_view_get_texture (row_thumbnail (n.row)));
}
#endif

int
main (int   argc,
      char *argv[])
{
  piso_ui_test_init (&argc, &argv);

#ifdef PISO_THUMBNAILS_LIVE
  {
    int ret;

    live = piso_live_daemon_start (&skip_reason);
    g_test_add ("/thumbnails/live", Fixture, NULL, fixture_setup, test_live, fixture_teardown);
    ret = g_test_run ();
    piso_live_daemon_free (live);
    g_free (skip_reason);
    return ret;
  }
#endif

  g_test_add_func ("/thumbnails/ppm-decode", test_ppm_decode);
  g_test_add_func ("/thumbnails/surface-formats", test_surface_formats);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/thumbnails/running-row", test_running_row);
  ADD ("/thumbnails/off-row", test_off_row);
  ADD ("/thumbnails/scrolled-away", test_scrolled_away);
  ADD ("/thumbnails/kept-bounded", test_kept_bounded);
#undef ADD

  return g_test_run ();
}
