/* test-display-scale.c: the console asks the guest for its size in device
 * pixels, at a fractional scale too
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK runs on a compositor of the test's own: sway, headless, its output at
 * 150 % (sway refuses to run as root: as root the test runs it as nobody).
 * GTK 4.12 and later know the fractional scale (gdk_surface_get_scale(), from
 * wp_fractional_scale_v1), so the display asks the guest for 1.5 times its
 * size; GTK 4.8 draws at the next whole scale, 2, and asks for twice its
 * size, which it then shows pixel for pixel. Each path is checked on the
 * GTK that has it. Then the output goes to 100 % (the window keeps its size:
 * it floats): the display asks again, for its size. Skips without sway.
 */
#include "config.h"

#include <math.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "piso-spice-display.h"
#include "piso-test-utils.h"

#define SCALE 1.5

static GSubprocess *sway;
static char *runtime_dir;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* The compositor's socket in the runtime directory, or NULL */
static char *
find_socket (void)
{
  g_autoptr(GDir) dir = g_dir_open (runtime_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "wayland-") && !g_str_has_suffix (name, ".lock"))
      return g_strdup (name);
  return NULL;
}

/* NULL, or why there is no compositor */
static char *
start_sway (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_text = NULL;
  g_autofree char *log = NULL;
  g_autofree char *socket_name = NULL;
  g_autofree char *sway_path = g_find_program_in_path ("sway");
  const char *build_dir = g_getenv ("G_TEST_BUILDDIR");
  const char *argv[9];
  guint n = 0;

  if (sway_path == NULL)
    return g_strdup ("sway is not installed");

  runtime_dir = g_dir_make_tmp ("piso-scale-XXXXXX", &error);
  g_assert_no_error (error);
  config = g_build_filename (runtime_dir, "config", NULL);
  /* windows float, so they keep their size when the output's scale changes */
  config_text = g_strdup_printf ("output HEADLESS-1 resolution 1280x800 scale %g\n"
                                 "for_window [app_id=\".*\"] floating enable\n", SCALE);
  g_assert_true (g_file_set_contents (config, config_text, -1, NULL));
  g_assert_cmpint (chmod (config, 0644), ==, 0);
  if (getuid () == 0)
    {
      /* nobody's runtime directory (root, the test, can still use it) */
      g_assert_cmpint (chown (runtime_dir, 65534, 65534), ==, 0);
      argv[n++] = "setpriv";
      argv[n++] = "--reuid=65534";
      argv[n++] = "--regid=65534";
      argv[n++] = "--clear-groups";
    }
  argv[n++] = sway_path;
  argv[n++] = "-c";
  argv[n++] = config;
  argv[n] = NULL;

  log = g_build_filename (build_dir != NULL ? build_dir : runtime_dir, "test-display-scale-sway.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "WLR_BACKENDS", "headless", TRUE);
  g_subprocess_launcher_setenv (launcher, "WLR_RENDERER", "pixman", TRUE);
  g_subprocess_launcher_setenv (launcher, "WLR_LIBINPUT_NO_DEVICES", "1", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  sway = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (sway == NULL)
    return g_strdup_printf ("sway did not start: %s", error->message);

  for (guint i = 0; i < 100 && (socket_name = find_socket ()) == NULL; i++)
    g_usleep (100 * 1000);
  if (socket_name == NULL)
    return g_strdup_printf ("sway made no socket in 10 s (see %s)", log);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_setenv ("WAYLAND_DISPLAY", socket_name, TRUE);
  g_setenv ("GDK_BACKEND", "wayland", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return NULL;
}

static void
stop_sway (void)
{
  if (sway != NULL)
    {
      g_subprocess_force_exit (sway);
      g_subprocess_wait (sway, NULL, NULL);
      g_clear_object (&sway);
    }
  if (runtime_dir != NULL)
    {
      const char *argv[] = { "rm", "-rf", "--one-file-system", runtime_dir, NULL };

      piso_test_spawn (argv);
      g_clear_pointer (&runtime_dir, g_free);
    }
}

/* The scale GTK draws the window at (what the display multiplies by) */
static double
window_scale (GtkWidget *window)
{
#if GTK_CHECK_VERSION (4, 12, 0)
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  return surface != NULL ? gdk_surface_get_scale (surface) : 0;
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  return gtk_widget_get_scale_factor (window);
#endif
}

static gboolean
scaled (gpointer window)
{
  return gtk_widget_get_mapped (window) && window_scale (window) > 1;
}

typedef struct
{
  GtkWidget *display;
  int        width;
  int        height;
} Fitting;

static gboolean
asks_for (gpointer user_data)
{
  Fitting *want = user_data;
  int width, height;

  _piso_spice_display_get_fitting_guest_size (PISO_SPICE_DISPLAY (want->display), &width, &height);
  return width == want->width && height == want->height;
}

/* swaymsg on the compositor's IPC socket */
static void
sway_command (const char *command)
{
  g_autoptr(GDir) dir = g_dir_open (runtime_dir, 0, NULL);
  g_autofree char *sock = NULL;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL && sock == NULL)
    if (g_str_has_prefix (name, "sway-ipc.") && g_str_has_suffix (name, ".sock"))
      sock = g_build_filename (runtime_dir, name, NULL);
  g_assert_nonnull (sock);
  {
    const char *argv[] = { "swaymsg", "-s", sock, command, NULL };

    piso_test_spawn (argv);
  }
}

static void
test_fitting_size (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *display = piso_spice_display_new (NULL);
  int width, height, guest_width, guest_height;
  double expected;

  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_present (GTK_WINDOW (window));
  piso_test_wait_until (scaled, window, 10, "the window to be shown scaled");
  piso_test_spin (200);

  width = gtk_widget_get_width (display);
  height = gtk_widget_get_height (display);
  g_assert_cmpint (width, >, 100);
#if GTK_CHECK_VERSION (4, 12, 0)
  /* the fractional scale itself */
  expected = SCALE;
#else
  /* the whole scale GTK 4.8 draws at */
  expected = ceil (SCALE);
#endif
  g_assert_cmpfloat_with_epsilon (window_scale (window), expected, 0.001);
  piso_test_wait_until (asks_for, &(Fitting) { display, (int) round (width * expected),
                                               (int) round (height * expected) },
                        5, "the display to ask for its size in device pixels");
  _piso_spice_display_get_fitting_guest_size (PISO_SPICE_DISPLAY (display),
                                              &guest_width, &guest_height);
  g_test_message ("GTK %u.%u, output at %g: window scale %g, display %dx%d, asks %dx%d",
                  gtk_get_major_version (), gtk_get_minor_version (), SCALE,
                  window_scale (window), width, height, guest_width, guest_height);

  /* the same window at 100 %: the display asks again (no new allocation) */
  sway_command ("output HEADLESS-1 scale 1");
  piso_test_wait_until (asks_for, &(Fitting) { display, width, height }, 5,
                        "the display to ask for its size at 100 %");
  g_assert_cmpint (gtk_widget_get_width (display), ==, width);
  g_assert_cmpint (gtk_widget_get_height (display), ==, height);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *skip = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  skip = start_sway ();
  if (skip == NULL && !gtk_init_check ())
    skip = g_strdup ("GTK could not open sway's display");
  if (skip != NULL)
    {
      g_test_skip (skip);
      stop_sway ();
      return g_test_run ();
    }
  g_test_add_func ("/display-scale/fitting-size", test_fitting_size);
  ret = g_test_run ();
  stop_sway ();
  return ret;
}
