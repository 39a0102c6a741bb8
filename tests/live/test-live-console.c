/* test-live-console.c: PisoSpiceDisplay on the tiny guest, under X
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <math.h>

#include <gtk/gtk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>

#include "piso-display-geometry.h"
#include "piso-live.h"
#include "piso-live-bars.h"
#include "piso-live-display.h"
#include "piso-spice-display.h"
#include "piso-spice-session.h"

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;


/* ---- the guest's colour bars, in the session's surface ---- */

#define N_BARS PISO_LIVE_N_BARS

static gboolean
bars_in_surface (gpointer user_data)
{
  PisoDisplayRect bars[N_BARS];

  return piso_live_find_bars (user_data, bars);
}

/* ---- frames and screenshots ---- */

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *count)
{
  (*count)++;
}

static gboolean
painted (gpointer user_data)
{
  guint *count = user_data;

  return *count >= 3;
}

/* Waits until the widget was drawn with new content and then for a few more
 * frames, so what is on screen is what a snapshot now shows. */
static void
wait_frames (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  guint count = 0;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &count);
  gtk_widget_queue_draw (widget);
  piso_test_wait_until (painted, &count, 10, "three frames drawn");
  g_signal_handler_disconnect (clock, handler);
}

/* Renders @widget as its window would and returns its pixels (B, G, R, A
 * per pixel in memory, cairo's ARGB32 on little-endian hosts). */
static guint8 *
screenshot (GtkWidget  *widget,
            const char *png_path,
            int        *width_out,
            int        *height_out,
            gsize      *stride_out)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint8 *pixels;

  g_assert_cmpint (G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, png_path));

  *width_out = gdk_texture_get_width (texture);
  *height_out = gdk_texture_get_height (texture);
  *stride_out = (gsize) *width_out * 4;
  pixels = g_malloc (*stride_out * *height_out);
  gdk_texture_download (texture, pixels, *stride_out);
  return pixels;
}

static const guint8 *
pixel_at (const guint8 *pixels,
          gsize         stride,
          int           x,
          int           y)
{
  return pixels + (gsize) y * stride + (gsize) x * 4;
}

static void
assert_black (const guint8 *pixels,
              gsize         stride,
              int           x,
              int           y)
{
  const guint8 *p = pixel_at (pixels, stride, x, y);

  g_test_message ("letterbox at %d,%d: %02x%02x%02x", x, y, p[2], p[1], p[0]);
  g_assert_cmpuint (p[0] + p[1] + p[2], <=, 3 * 0x08);
}

/* ---- typing through X ---- */

static gboolean
has_focus (gpointer user_data)
{
  GtkWidget *widget = user_data;

  return gtk_widget_has_focus (widget) &&
         gtk_window_is_active (GTK_WINDOW (gtk_widget_get_root (widget)));
}

static gboolean
client_mouse (gpointer user_data)
{
  return piso_spice_session_get_mouse_mode (user_data) == PISO_SPICE_MOUSE_MODE_CLIENT;
}

static gboolean
not_grabbed (gpointer user_data)
{
  return !piso_spice_display_get_grabbed (user_data);
}

/* X11 (GTK 4 inhibits shortcuts on Wayland only): the display holds the
 * keyboard when another client cannot grab it. */
static gboolean
shortcuts_inhibited (gpointer user_data)
{
  Display *other = XOpenDisplay (NULL);
  int status;

  g_assert_nonnull (other);
  status = XGrabKeyboard (other, DefaultRootWindow (other), True,
                          GrabModeAsync, GrabModeAsync, CurrentTime);
  if (status == GrabSuccess)
    XUngrabKeyboard (other, CurrentTime);
  XCloseDisplay (other);
  return status == AlreadyGrabbed;
}

static gboolean
shortcuts_restored (gpointer user_data)
{
  return !shortcuts_inhibited (user_data);
}

/* Moves the X pointer to (@x, @y) in @display's coordinates. */
static void
pointer_to (GtkWidget  *display,
            const char *title,
            double      x,
            double      y)
{
  g_autofree char *sx = g_strdup_printf ("%d", (int) x);
  g_autofree char *sy = g_strdup_printf ("%d", (int) y);

  piso_live_run_command ((const char *[]) { "xdotool", "search", "--sync", "--onlyvisible", "--name", title,
                                  "mousemove", "--sync", "--window", "%1", sx, sy, NULL });
}

/* Keyboard grab: pointer in the display → grabbed, system shortcuts
 * inhibited; Ctrl+Alt → released until the pointer leaves and comes back. */
static void
check_keyboard_grab (GtkWidget  *display,
                     const char *title)
{
  int w = gtk_widget_get_width (display), h = gtk_widget_get_height (display);

  pointer_to (display, title, w / 2.0, h / 2.0);
  piso_test_wait_until (piso_live_display_grabbed, display, 10, "the keyboard grab with the pointer in the display");
  piso_test_wait_until (shortcuts_inhibited, display, 10, "the system shortcuts to be inhibited");

  piso_live_run_command ((const char *[]) { "xdotool", "key", "--delay", "60", "ctrl+alt", NULL });
  piso_test_wait_until (not_grabbed, display, 10, "Ctrl+Alt to release the grab");
  piso_test_wait_until (shortcuts_restored, display, 10, "the system shortcuts to be restored");
  /* still released while the pointer moves inside */
  pointer_to (display, title, w / 3.0, h / 3.0);
  piso_test_spin (300);
  g_assert_false (piso_spice_display_get_grabbed (PISO_SPICE_DISPLAY (display)));

  /* out (the window is larger than the screen's corner) and back in */
  piso_live_run_command ((const char *[]) { "xdotool", "mousemove", "--sync", "2000", "2000", NULL });
  piso_test_spin (300);
  pointer_to (display, title, w / 2.0, h / 2.0);
  piso_test_wait_until (piso_live_display_grabbed, display, 10, "the grab again after leaving and coming back");

  /* While a screen reader listens the grab leaves the desktop's keys to
   * the desktop (the reader's own among them), now and until it stops */
  piso_spice_display_set_grab_desktop_keys (PISO_SPICE_DISPLAY (display), FALSE);
  piso_test_wait_until (shortcuts_restored, display, 10, "the desktop's keys left to the desktop");
  g_assert_true (piso_spice_display_get_grabbed (PISO_SPICE_DISPLAY (display)));
  piso_spice_display_set_grab_desktop_keys (PISO_SPICE_DISPLAY (display), TRUE);
  piso_test_wait_until (shortcuts_inhibited, display, 10, "the desktop's keys taken again");
}

/* ---- the test ---- */

static void
test_console (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *name = piso_live_unique_name ("console");
  g_autofree char *title = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *png = NULL;
  g_autofree guint8 *pixels = NULL;
  PisoDisplayRect bars[N_BARS];
  PisoDisplayGeometry geometry = { 0 };
  GtkWidget *window;
  GtkWidget *display;
  gint guest_width, guest_height;
  int shot_width, shot_height;
  gsize stride;
  guint64 frames;
  guint paints = 0;
  gulong paint_handler;

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  xml = piso_live_domain_xml (live, name, NULL);
  machine = piso_live_define (connection, xml);
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_live_wait_guest_ready (live, name, 180);

  session = piso_spice_session_new (machine);
  piso_spice_session_connect (session);

  title = g_strdup_printf ("piso-live-console-%d", (int) getpid ());
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  display = piso_spice_display_new (session);
  g_assert_true (piso_spice_display_get_session (PISO_SPICE_DISPLAY (display)) == session);
  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_realize (display);
  paint_handler = g_signal_connect (gtk_widget_get_frame_clock (display), "after-paint",
                                    G_CALLBACK (after_paint_cb), &paints);

  piso_test_wait_until (piso_live_spice_ready, session, 30, "a SPICE connection with a primary surface");
  /* the domain has a USB tablet, but QEMU offers client mode only once the
   * guest drives it (the tiny guest may not): just say which it is */
  piso_test_spin (500);
  g_test_message ("mouse mode: %s", client_mouse (session) ? "client" : "server");
  piso_test_wait_until (bars_in_surface, session, 30, "the guest's colour bars on the primary surface");
  piso_test_wait_until (piso_live_display_has_drawn, display, 10, "the display to draw the guest");
  frames = piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (display));
  wait_frames (display);
  g_test_message ("frames drawn with new content: %" G_GUINT64_FORMAT, frames);

  /* ---- the screenshot shows the bars where the geometry puts them ---- */
  g_assert_true (piso_live_find_bars (session, bars));
  g_assert_true (piso_spice_session_get_primary (session, NULL, &guest_width, &guest_height, NULL, NULL));
  png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : g_get_tmp_dir (),
                          "test-live-console.png", NULL);
  pixels = screenshot (display, png, &shot_width, &shot_height, &stride);
  g_test_message ("screenshot %dx%d of a %dx%d guest: %s",
                  shot_width, shot_height, guest_width, guest_height, png);

  piso_live_display_geometry (display, &geometry);
  g_assert_cmpint (shot_width, ==, geometry.widget_width);
  g_assert_cmpint (shot_height, ==, geometry.widget_height);
  g_test_message ("guest image at %.1f,%.1f %.1fx%.1f",
                  geometry.dest_x, geometry.dest_y, geometry.dest_width, geometry.dest_height);

  for (guint i = 0; i < N_BARS; i++)
    {
      /* the middle half of the bar, away from its (filtered) edges */
      PisoDisplayRect guest = {
        bars[i].x + bars[i].width / 4, bars[i].y + bars[i].height / 4,
        MAX (bars[i].width / 2, 1), MAX (bars[i].height / 2, 1),
      };
      PisoDisplayRect in_widget;
      int points[3][2];

      g_assert_true (piso_display_geometry_guest_to_widget (&geometry, &guest, &in_widget));
      g_test_message ("bar %u: guest %d,%d %dx%d -> widget %d,%d %dx%d", i,
                      bars[i].x, bars[i].y, bars[i].width, bars[i].height,
                      in_widget.x, in_widget.y, in_widget.width, in_widget.height);
      points[0][0] = in_widget.x + in_widget.width / 2;
      points[0][1] = in_widget.y + in_widget.height / 2;
      points[1][0] = in_widget.x + 1;
      points[1][1] = in_widget.y + 1;
      points[2][0] = in_widget.x + MAX (in_widget.width - 2, 1);
      points[2][1] = in_widget.y + MAX (in_widget.height - 2, 1);
      for (guint j = 0; j < G_N_ELEMENTS (points); j++)
        {
          const guint8 *p;

          g_assert_cmpint (points[j][0], >=, 0);
          g_assert_cmpint (points[j][0], <, shot_width);
          g_assert_cmpint (points[j][1], >=, 0);
          g_assert_cmpint (points[j][1], <, shot_height);
          p = pixel_at (pixels, stride, points[j][0], points[j][1]);
          if (!piso_live_pixel_is_bar (p, i))
            g_error ("bar %u at %d,%d is %02x%02x%02x, not that bar's colour", i,
                     points[j][0], points[j][1], p[2], p[1], p[0]);
        }
    }

  /* the bars around the image are black */
  g_assert_true (geometry.dest_x >= 2 || geometry.dest_y >= 2);
  if (geometry.dest_y >= 2)
    {
      double below = geometry.dest_y + geometry.dest_height;

      assert_black (pixels, stride, shot_width / 2, (int) (geometry.dest_y / 2));
      assert_black (pixels, stride, 1, 0);
      assert_black (pixels, stride, shot_width / 2, (int) ((below + shot_height) / 2));
      assert_black (pixels, stride, shot_width - 1, shot_height - 1);
    }
  if (geometry.dest_x >= 2)
    {
      double right = geometry.dest_x + geometry.dest_width;

      assert_black (pixels, stride, (int) (geometry.dest_x / 2), shot_height / 2);
      assert_black (pixels, stride, (int) ((right + shot_width) / 2), shot_height / 2);
    }

  /* ---- typing with real X key events (XTEST) through the widget ---- */
  gtk_widget_grab_focus (display);
  piso_live_run_command ((const char *[]) { "xdotool", "search", "--sync", "--onlyvisible", "--name", title,
                                  "windowfocus", "--sync", NULL });
  piso_test_wait_until (has_focus, display, 10, "the display to have the keyboard focus");
  check_keyboard_grab (display, title);

  serial = piso_live_serial_log (live, name);
  piso_live_run_command ((const char *[]) { "xdotool", "key", "--delay", "60", "Return", NULL });
  piso_live_run_command ((const char *[]) { "xdotool", "type", "--delay", "60",
                                  "echo console-ok > /dev/ttyS0", NULL });
  piso_live_run_command ((const char *[]) { "xdotool", "key", "--delay", "60", "Return", NULL });
  piso_live_wait_file_contains (serial, "console-ok", 30, "the typed echo on the serial log");

  /* the echo on the guest's screen was drawn, in at most one update per frame */
  wait_frames (display);
  g_test_message ("frames drawn with new content: %" G_GUINT64_FORMAT " in %u frames painted",
                  piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (display)), paints);
  g_assert_cmpuint (piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (display)), >, frames);
  g_assert_cmpuint (piso_spice_display_get_frames_drawn (PISO_SPICE_DISPLAY (display)), <=, paints);
  g_signal_handler_disconnect (gtk_widget_get_frame_clock (display), paint_handler);

  gtk_window_destroy (GTK_WINDOW (window));
  piso_test_spin (100);
  piso_spice_session_disconnect (session);
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);
}

/* Without a tablet the server offers only server (relative) mouse mode: a
 * click grabs the pointer (hidden, kept in the window), Ctrl+Alt frees it. */
static void
test_server_mouse (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *name = piso_live_unique_name ("mouse");
  g_autofree char *title = NULL;
  g_autofree char *serial = NULL;
  PisoDisplayGeometry geometry = { 0 };
  GtkWidget *window;
  GtkWidget *display;
  GdkCursor *cursor;
  gsize offset;
  int w, h;

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  machine = piso_live_start_mouse_guest (live, connection, name, &serial);

  session = piso_spice_session_get_for_machine (machine);
  g_assert_true (piso_spice_session_peek_for_machine (machine) == session);
  piso_spice_session_hold (session);

  title = g_strdup_printf ("piso-live-mouse-%d", (int) getpid ());
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  display = piso_spice_display_new (session);
  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_present (GTK_WINDOW (window));

  piso_test_wait_until (piso_live_spice_ready, session, 60, "a SPICE connection with a primary surface");
  piso_test_wait_until (piso_live_server_mouse, session, 10, "server mouse mode (no tablet)");
  piso_test_wait_until (piso_live_display_has_drawn, display, 10, "the display to draw the guest");
  piso_live_run_command ((const char *[]) { "xdotool", "search", "--sync", "--onlyvisible", "--name", title,
                                  "windowfocus", "--sync", NULL });
  piso_test_wait_until (has_focus, display, 10, "the window to be active");

  w = gtk_widget_get_width (display);
  h = gtk_widget_get_height (display);
  pointer_to (display, title, w / 4.0, h / 4.0);
  piso_test_wait_until (piso_live_display_grabbed, display, 10, "the keyboard grab with the pointer in the display");
  /* the host's pointer shows until a click takes it */
  g_assert_null (gtk_widget_get_cursor (display));
  piso_live_run_command ((const char *[]) { "xdotool", "click", "1", NULL });
  piso_test_spin (300);
  cursor = gtk_widget_get_cursor (display);
  g_assert_nonnull (cursor);
  g_assert_cmpstr (gdk_cursor_get_name (cursor), ==, "none");

  /* motion is sent relative and the pointer is brought back to the middle */
  offset = piso_live_file_size (serial);
  piso_live_run_command ((const char *[]) { "xdotool", "mousemove_relative", "--sync", "300", "200", NULL });
  piso_test_spin (300);
  piso_live_display_geometry (display, &geometry);
  piso_live_expect_guest_motion (serial, offset, &geometry, 300, 200);
  {
    GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (display));
    GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (display));
    double px, py;

    gdk_surface_get_device_position (surface, gdk_seat_get_pointer (seat), &px, &py, NULL);
    g_test_message ("pointer after the motion at %.0f,%.0f in a %dx%d display", px, py, w, h);
    g_assert_cmpfloat (fabs (px - w / 2.0), <=, w / 4.0 + 2);
    g_assert_cmpfloat (fabs (py - h / 2.0), <=, h / 4.0 + 2);
  }

  piso_live_run_command ((const char *[]) { "xdotool", "key", "--delay", "60", "ctrl+alt", NULL });
  piso_test_wait_until (not_grabbed, display, 10, "Ctrl+Alt to release the pointer");
  g_assert_null (gtk_widget_get_cursor (display));

  gtk_window_destroy (GTK_WINDOW (window));
  piso_test_spin (100);
  piso_spice_session_release (session);
  g_assert_cmpint (piso_spice_session_get_state (session), ==, PISO_SPICE_STATE_DISCONNECTED);
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GTestDBus) bus = NULL;
  g_autofree char *xdotool = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));
  bus = piso_live_session_bus_up ();

  /* nothing here uses accessibility; without an a11y bus GTK warns */
  g_setenv ("GTK_A11Y", "none", FALSE);

  if (!gtk_init_check ())
    skip_reason = g_strdup ("no display (DISPLAY is not set or does not answer)");
  else if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    skip_reason = g_strdup ("not an X11 display (typing needs XTEST)");
  else if ((xdotool = g_find_program_in_path ("xdotool")) == NULL)
    skip_reason = g_strdup ("xdotool is not installed");
  else
    live = piso_live_daemon_start (&skip_reason);

  g_test_add_func ("/live/console/display", test_console);
  g_test_add_func ("/live/console/server-mouse", test_server_mouse);

  ret = g_test_run ();

  piso_live_daemon_free (live);
  g_free (skip_reason);
  if (bus != NULL)
    g_test_dbus_down (bus);

  return ret;
}
