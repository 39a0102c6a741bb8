/* test-live-wayland.c: the console on Wayland: server mouse mode locks the
 * pointer and sends its relative motion to the guest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test runs its own compositor: weston, nested in the X server the test
 * command gives (its x11 backend takes its pointer and keyboard from there,
 * so xdotool drives it), with the kiosk shell so Piso's window fills its
 * output at a known place. The guest (no tablet: server mouse mode only)
 * reports its PS/2 mouse's motion on the serial line.
 */
#include <math.h>
#include <signal.h>
#include <sys/prctl.h>

#include <gtk/gtk.h>
#include <gdk/wayland/gdkwayland.h>
#include <glib/gstdio.h>

#include "piso-display-geometry.h"
#include "piso-live.h"
#include "piso-live-display.h"
#include "piso-spice-display.h"
#include "piso-spice-session.h"

#define OUTPUT_WIDTH  1024
#define OUTPUT_HEIGHT 700

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;
static GSubprocess *weston;
static char *runtime_dir;

/* ---- driving the compositor through X ---- */

/* Moves the X pointer to (@x, @y) on weston's output, which is where Piso's
 * (fullscreen) window has the same point. */
static void
pointer_to (double x,
            double y)
{
  g_autofree char *sx = g_strdup_printf ("%d", (int) x);
  g_autofree char *sy = g_strdup_printf ("%d", (int) y);

  piso_live_run_command ((const char *[]) { "xdotool", "search", "--sync", "--class", "Weston",
                                  "mousemove", "--sync", "--window", "%1", sx, sy, NULL });
}

/* Saves what weston shows (its X window) as @file in the build directory,
 * to look at. */
static void
save_output (const char *file)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : g_get_tmp_dir (), file, NULL);
  g_autofree char *window = NULL;
  g_autoptr(GError) error = NULL;
  const char *search[] = { "xdotool", "search", "--class", "Weston", NULL };

  if (!g_spawn_sync (NULL, (char **) search, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &window, NULL, NULL, &error))
    g_error ("xdotool: %s", error->message);
  g_strstrip (window);
  piso_live_run_command ((const char *[]) { "import", "-window", window, path, NULL });
  g_test_message ("weston's output: %s", path);
}

/* ---- conditions ---- */

static gboolean
window_active (gpointer user_data)
{
  return gtk_window_is_active (GTK_WINDOW (gtk_widget_get_root (user_data)));
}

static gboolean
locked (gpointer user_data)
{
  return piso_spice_display_get_pointer_locked (user_data);
}

static gboolean
unlocked (gpointer user_data)
{
  return !piso_spice_display_get_pointer_locked (user_data) &&
         !piso_spice_display_get_grabbed (user_data);
}

static void
pointer_position (GtkWidget *widget,
                  double    *x,
                  double    *y)
{
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (widget));
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));

  gdk_surface_get_device_position (surface, gdk_seat_get_pointer (seat), x, y, NULL);
}

/* ---- the test ---- */

static void
test_pointer_lock (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *name = piso_live_unique_name ("wayland");
  g_autofree char *serial = NULL;
  PisoDisplayGeometry geometry = { 0 };
  GtkWidget *window;
  GtkWidget *display;
  GdkCursor *cursor;
  double px, py;
  gsize offset;
  int w, h, gdx, gdy;

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  machine = piso_live_start_mouse_guest (live, connection, name, &serial);

  session = piso_spice_session_get_for_machine (machine);
  piso_spice_session_hold (session);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "piso-live-wayland");
  display = piso_spice_display_new (session);
  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_present (GTK_WINDOW (window));

  piso_test_wait_until (piso_live_spice_ready, session, 60, "a SPICE connection with a primary surface");
  piso_test_wait_until (piso_live_server_mouse, session, 10, "server mouse mode (no tablet)");
  piso_test_wait_until (piso_live_display_has_drawn, display, 10, "the display to draw the guest");
  piso_test_wait_until (window_active, display, 10, "the window to be active");
  w = gtk_widget_get_width (display);
  h = gtk_widget_get_height (display);
  g_test_message ("display %dx%d on a %dx%d output", w, h, OUTPUT_WIDTH, OUTPUT_HEIGHT);

  /* in, then a click takes the pointer: the compositor locks it */
  pointer_to (w / 4.0, h / 4.0);
  piso_test_wait_until (piso_live_display_grabbed, display, 10, "the keyboard grab with the pointer in the display");
  g_assert_false (piso_spice_display_get_pointer_locked (PISO_SPICE_DISPLAY (display)));
  piso_live_run_command ((const char *[]) { "xdotool", "click", "1", NULL });
  piso_test_wait_until (locked, display, 10, "the compositor to lock the pointer");
  save_output ("test-live-wayland.png");
  cursor = gtk_widget_get_cursor (display);
  g_assert_nonnull (cursor);
  g_assert_cmpstr (gdk_cursor_get_name (cursor), ==, "none");

  /* the host's motion reaches the guest, scaled to its pixels, and the
   * pointer stays where it was locked (the edge of the screen is no wall) */
  piso_live_display_geometry (display, &geometry);

  offset = piso_live_file_size (serial);
  piso_live_run_command ((const char *[]) { "xdotool", "mousemove_relative", "--sync", "300", "200", NULL });
  piso_live_expect_guest_motion (serial, offset, &geometry, 300, 200);
  offset = piso_live_file_size (serial);
  piso_live_run_command ((const char *[]) { "xdotool", "mousemove_relative", "--sync", "--", "-100", "-50", NULL });
  piso_live_expect_guest_motion (serial, offset, &geometry, -100, -50);
  pointer_position (display, &px, &py);
  g_test_message ("the pointer is at %.0f,%.0f after the motion", px, py);
  g_assert_cmpfloat (fabs (px - w / 4.0), <=, 1);
  g_assert_cmpfloat (fabs (py - h / 4.0), <=, 1);
  g_assert_true (piso_spice_display_get_pointer_locked (PISO_SPICE_DISPLAY (display)));

  /* Ctrl+Alt gives the pointer back; its motion no longer reaches the guest */
  piso_live_run_command ((const char *[]) { "xdotool", "key", "--delay", "60", "ctrl+alt", NULL });
  piso_test_wait_until (unlocked, display, 10, "Ctrl+Alt to unlock the pointer");
  g_assert_null (gtk_widget_get_cursor (display));
  offset = piso_live_file_size (serial);
  piso_live_run_command ((const char *[]) { "xdotool", "mousemove_relative", "--sync", "40", "30", NULL });
  piso_test_spin (1000);
  g_assert_cmpuint (piso_live_guest_mouse_motion (serial, offset, &gdx, &gdy), ==, 0);
  /* the host's pointer moves again (from where it was locked) */
  pointer_position (display, &px, &py);
  g_test_message ("the pointer is at %.0f,%.0f once released", px, py);
  g_assert_cmpfloat (fabs (px - (w / 4.0 + 40)), <=, 1);
  g_assert_cmpfloat (fabs (py - (h / 4.0 + 30)), <=, 1);

  /* a click takes it again */
  piso_live_run_command ((const char *[]) { "xdotool", "click", "1", NULL });
  piso_test_wait_until (locked, display, 10, "the pointer locked again");
  offset = piso_live_file_size (serial);
  piso_live_run_command ((const char *[]) { "xdotool", "mousemove_relative", "--sync", "0", "120", NULL });
  piso_live_expect_guest_motion (serial, offset, &geometry, 0, 120);

  gtk_window_destroy (GTK_WINDOW (window));
  piso_test_spin (100);
  piso_spice_session_release (session);
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);
}

/* ---- the compositor ---- */

/* weston goes when the test does, however it ends */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
start_weston (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *log = NULL;
  const char *build_dir = g_getenv ("G_TEST_BUILDDIR");

  runtime_dir = g_dir_make_tmp ("piso-wayland-XXXXXX", &error);
  g_assert_no_error (error);
  log = g_build_filename (build_dir != NULL ? build_dir : runtime_dir, "test-live-wayland-weston.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  weston = g_subprocess_launcher_spawn (launcher, &error, "weston",
                                        "--backend=x11-backend.so", "--use-pixman",
                                        "--shell=kiosk-shell.so", "--socket=piso-live",
                                        "--width=" G_STRINGIFY (OUTPUT_WIDTH),
                                        "--height=" G_STRINGIFY (OUTPUT_HEIGHT),
                                        "--idle-time=0", "--no-config", "--log", log, NULL);
  if (weston == NULL)
    {
      skip_reason = g_strdup_printf ("weston did not start: %s", error->message);
      return FALSE;
    }
  socket_path = g_build_filename (runtime_dir, "piso-live", NULL);
  for (guint i = 0; i < 100 && !g_file_test (socket_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (100 * 1000);
  if (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      skip_reason = g_strdup_printf ("weston made no socket in 10 s (see %s)", log);
      return FALSE;
    }
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_setenv ("WAYLAND_DISPLAY", "piso-live", TRUE);
  g_setenv ("GDK_BACKEND", "wayland", TRUE);
  /* weston's pixman renderer has no GL to share */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return TRUE;
}

static void
stop_weston (void)
{
  if (weston != NULL)
    {
      g_subprocess_force_exit (weston);
      g_subprocess_wait (weston, NULL, NULL);
      g_clear_object (&weston);
    }
  if (runtime_dir != NULL)
    {
      g_autofree char *lock = g_build_filename (runtime_dir, "piso-live.lock", NULL);
      g_autofree char *socket_path = g_build_filename (runtime_dir, "piso-live", NULL);

      g_unlink (lock);
      g_unlink (socket_path);
      g_rmdir (runtime_dir);
      g_clear_pointer (&runtime_dir, g_free);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GTestDBus) bus = NULL;
  g_autofree char *xdotool = NULL;
  g_autofree char *weston_path = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));
  bus = piso_live_session_bus_up ();
  g_setenv ("GTK_A11Y", "none", FALSE);

  if (g_getenv ("DISPLAY") == NULL)
    skip_reason = g_strdup ("no X display to nest weston in (DISPLAY is not set)");
  else if ((weston_path = g_find_program_in_path ("weston")) == NULL)
    skip_reason = g_strdup ("weston is not installed");
  else if ((xdotool = g_find_program_in_path ("xdotool")) == NULL)
    skip_reason = g_strdup ("xdotool is not installed");
  else if (start_weston ())
    {
      if (!gtk_init_check ())
        skip_reason = g_strdup ("GTK could not open weston's display");
      else if (!GDK_IS_WAYLAND_DISPLAY (gdk_display_get_default ()))
        skip_reason = g_strdup ("GTK did not open a Wayland display");
      else
        live = piso_live_daemon_start (&skip_reason);
    }

  g_test_add_func ("/live/wayland/pointer-lock", test_pointer_lock);
  ret = g_test_run ();

  g_clear_pointer (&live, piso_live_daemon_free);
  g_free (skip_reason);
  stop_weston ();
  if (bus != NULL)
    g_test_dbus_down (bus);
  return ret;
}
