/* bench-console.c: Piso's console against remote-viewer on an animated guest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by hand, as root, under an X display, with PISO_LIVE_GUEST_DIR naming a
 * built test guest (tests/testbed/make-guest.sh), like the live tests. It
 * starts a private libvirtd, boots the guest with piso.anim=30 (the whole of
 * tty1 repainted 30 times a second), shows it for 20 s in a PisoSpiceDisplay
 * and then for 20 s in remote-viewer (virt-viewer --attach), ROUNDS times in
 * turn (bench-console [ROUNDS], 3 by default: one 20 s figure varies by a
 * tenth from run to run on this kind of machine), prints each round, and as
 * its last line the medians (Piso's memory: its peak over the whole run):
 *
 *   guest_fps=… piso_fps=… piso_cpu_pct=… piso_rss_mib=… remote_viewer_cpu_pct=… remote_viewer_rss_mib=…
 *
 * guest_fps: guest frames that reached Piso's SPICE session (a pixel of the
 * guest's changing background, sampled on every update); piso_fps: frames the
 * widget drew in which that pixel shows a new guest frame (redraws of the
 * same guest frame, e.g. when its update arrives in parts, do not count);
 * cpu_pct: percent of one core over the 20 s; rss_mib: peak resident set
 * (VmHWM) of the whole process, GTK and the libvirt client included.
 *
 * Piso's window is sized to the guest's screen, so both clients show it at
 * 1:1 (remote-viewer sizes its window that way too); a second Piso run in a
 * larger window (the image scaled up) is reported on stderr before the last
 * line. Exits 77 when the live environment is not there.
 */
#define G_LOG_DOMAIN "piso-bench"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <adwaita.h>
#include <gtk/gtk.h>

#include "piso-backdrop-window.h"
#include "piso-bench.h"
#include "piso-display-backdrop.h"
#include "piso-live.h"
#include "piso-renderer.h"
#include "piso-spice-display.h"
#include "piso-spice-session.h"

#define ANIM_FPS 30
#define MEASURE_S 20
#define WARMUP_MS 2000
#define SESSION_ONLY_S 10
#define VIEWER_SETTLE_MS 5000
#define DEFAULT_ROUNDS 3
#define MAX_ROUNDS 15

static const char *exit_skip_message;

/* ---- CPU and memory ---- */

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  g_assert_true (getrusage (RUSAGE_SELF, &usage) == 0);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static long
self_minor_faults (void)
{
  struct rusage usage;

  g_assert_true (getrusage (RUSAGE_SELF, &usage) == 0);
  return usage.ru_minflt;
}

/* A field of /proc/@pid/status in KiB ("VmHWM"), or 0. */
static guint64
status_kib (int         pid,
            const char *field)
{
  g_autofree char *path = pid > 0 ? g_strdup_printf ("/proc/%d/status", pid)
                                  : g_strdup ("/proc/self/status");
  g_autofree char *contents = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (line = strstr (contents, key)) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (key), NULL, 10);
}

/* The mappings holding most of this process's resident memory, on stderr:
 * where Piso's RSS goes (libraries, heap, the guest's surface…). */
static void
print_biggest_mappings (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  const char *current = NULL;

  if (!g_file_get_contents ("/proc/self/smaps", &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') != NULL)
        {
          /* "start-end perms offset dev inode [path]": the path or [anon] */
          g_auto(GStrv) fields = g_strsplit_set (line, " ", -1);
          guint n = g_strv_length (fields);

          current = n >= 6 && *fields[n - 1] != '\0' ? fields[n - 1] : "[anon]";
          current = g_intern_string (current);
        }
      else if (g_str_has_prefix (line, "Rss:") && current != NULL)
        {
          guint64 kib = g_ascii_strtoull (line + 4, NULL, 10);
          guint j;

          for (j = 0; j < names->len; j++)
            if (g_str_equal (g_ptr_array_index (names, j), current))
              break;
          if (j == names->len)
            {
              guint64 zero = 0;

              g_ptr_array_add (names, g_strdup (current));
              g_array_append_val (sizes, zero);
            }
          g_array_index (sizes, guint64, j) += kib;
        }
    }
  for (guint shown = 0; shown < 8; shown++)
    {
      guint best = 0;

      for (guint j = 1; j < sizes->len; j++)
        if (g_array_index (sizes, guint64, j) > g_array_index (sizes, guint64, best))
          best = j;
      if (sizes->len == 0 || g_array_index (sizes, guint64, best) == 0)
        break;
      g_printerr ("piso rss: %6.1f MiB %s\n", g_array_index (sizes, guint64, best) / 1024.0,
                  (const char *) g_ptr_array_index (names, best));
      g_array_index (sizes, guint64, best) = 0;
    }
}

/* utime + stime (in clock ticks) and the parent of @pid, from /proc/@pid/stat. */
static gboolean
proc_stat (int      pid,
           guint64 *ticks,
           int     *ppid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (after = strrchr (contents, ')')) == NULL)
    return FALSE;
  /* after "comm)": state(3) ppid(4) … utime(14) stime(15) */
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return FALSE;
  *ppid = (int) g_ascii_strtoll (fields[1], NULL, 10);
  *ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  return TRUE;
}

/* @root and its descendants now alive. */
static GArray *
process_tree (int root)
{
  GArray *tree = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) ppids = g_array_new (FALSE, FALSE, sizeof (int));
  const char *name;
  gboolean grew = TRUE;

  g_array_append_val (tree, root);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      int pid = (int) g_ascii_strtoll (name, NULL, 10);
      int ppid;
      guint64 ticks;

      if (pid > 0 && pid != root && proc_stat (pid, &ticks, &ppid))
        {
          g_array_append_val (pids, pid);
          g_array_append_val (ppids, ppid);
        }
    }
  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < pids->len; i++)
        {
          int pid = g_array_index (pids, int, i);
          int ppid = g_array_index (ppids, int, i);
          gboolean in_tree = FALSE, parent_in_tree = FALSE;

          for (guint j = 0; j < tree->len; j++)
            {
              in_tree |= g_array_index (tree, int, j) == pid;
              parent_in_tree |= g_array_index (tree, int, j) == ppid;
            }
          if (parent_in_tree && !in_tree)
            {
              g_array_append_val (tree, pid);
              grew = TRUE;
            }
        }
    }
  return tree;
}

/* CPU seconds used by @root and its descendants alive now. */
static double
tree_cpu_seconds (int root)
{
  g_autoptr(GArray) tree = process_tree (root);
  guint64 total = 0;

  for (guint i = 0; i < tree->len; i++)
    {
      guint64 ticks;
      int ppid;

      if (proc_stat (g_array_index (tree, int, i), &ticks, &ppid))
        total += ticks;
    }
  return (double) total / sysconf (_SC_CLK_TCK);
}

static guint64
tree_hwm_kib (int root)
{
  g_autoptr(GArray) tree = process_tree (root);
  guint64 total = 0;

  for (guint i = 0; i < tree->len; i++)
    total += status_kib (g_array_index (tree, int, i), "VmHWM");
  return total;
}

/* ---- the window: as Piso's console window draws it ---- */

/* A header bar over the display, in a window that paints its background
 * around the display as PisoConsoleWindow does. */
static GtkWidget *
bench_window_new (GtkWidget *display)
{
  GtkWidget *window = piso_backdrop_window_new ();

  gtk_window_set_titlebar (GTK_WINDOW (window), adw_header_bar_new ());
  gtk_window_set_child (GTK_WINDOW (window), display);
  return window;
}

static void
print_backdrop (GtkWidget *window)
{
  graphene_rect_t hole;
  gboolean nothing_below;

  if (piso_display_backdrop_get_hole (window, &hole, &nothing_below))
    g_printerr ("piso: the window's background leaves out %gx%g at %g,%g under the display; "
                "%s else drawn there before it\n",
                hole.size.width, hole.size.height, hole.origin.x, hole.origin.y,
                nothing_below ? "nothing" : "something");
  else
    g_printerr ("piso: the window's background is painted under the display\n");
}

/* ---- the guest's frames as they reach the session ---- */

typedef struct
{
  PisoSpiceSession *session;
  PisoSpiceDisplay *display;
  GtkWindow        *window;
  gint64            t_start;          /* piso_machine_start_async called */
  gint64            t_started;        /* … and finished */
  gint64            t_primary;        /* first primary surface */
  gint64            t_first_frame;    /* first frame drawn with guest content */
  gboolean          started;
  guint32           last_pixel;
  gboolean          have_pixel;
  guint64           guest_frames;     /* changes of the sampled pixel */
  guint64           last_drawn;       /* frames_drawn at the last after-paint */
  guint32           drawn_pixel;      /* the sampled pixel as last drawn */
  guint64           new_frames_drawn; /* frames drawn showing a new guest frame */
} Bench;

/* The pixel that changes with every guest frame. */
static void
sample_point (int  width,
              int  height,
              int *x,
              int *y)
{
  *x = width / 2;
  *y = height * 47 / 50;
}

static void
primary_create_cb (PisoSpiceSession *session,
                   gint              format,
                   gint              width,
                   gint              height,
                   gint              stride,
                   gpointer          data,
                   Bench            *bench)
{
  if (bench->t_primary == 0)
    bench->t_primary = g_get_monotonic_time ();
  bench->have_pixel = FALSE;
  /* at 1:1, as remote-viewer shows it: the display gets the guest's size,
   * the window that and what it has around the display (no window manager
   * here: the window has the size it asks for) */
  if (bench->window != NULL)
    {
      int window_width, window_height;

      gtk_window_get_default_size (bench->window, &window_width, &window_height);
      gtk_window_set_default_size (bench->window,
                                   width + window_width -
                                   gtk_widget_get_width (GTK_WIDGET (bench->display)),
                                   height + window_height -
                                   gtk_widget_get_height (GTK_WIDGET (bench->display)));
    }
}

/* A pixel on the guest's second-to-last text row, in the middle: the
 * background colour there changes with every guest frame, once the frame is
 * (almost) all written. */
static void
invalidate_cb (PisoSpiceSession *session,
               gint              x,
               gint              y,
               gint              width,
               gint              height,
               Bench            *bench)
{
  gint format, surface_width, surface_height, stride;
  guint8 *data;
  int px, py;
  guint32 pixel;

  if (!piso_spice_session_get_primary (session, &format, &surface_width, &surface_height,
                                       &stride, &data) || data == NULL)
    return;
  sample_point (surface_width, surface_height, &px, &py);
  if (px < x || px >= x + width || py < y || py >= y + height)
    return;

  if (format == SPICE_SURFACE_FMT_32_xRGB)
    memcpy (&pixel, data + (gsize) py * stride + (gsize) px * 4, 4);
  else
    {
      guint16 p16;

      memcpy (&p16, data + (gsize) py * stride + (gsize) px * 2, 2);
      pixel = p16;
    }
  pixel &= format == SPICE_SURFACE_FMT_32_xRGB ? 0x00ffffff : 0x7fff;

  if (bench->have_pixel && pixel != bench->last_pixel)
    bench->guest_frames++;
  bench->last_pixel = pixel;
  bench->have_pixel = TRUE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  guint64 drawn = piso_spice_display_get_frames_drawn (bench->display);
  gint width, height;
  int px, py;
  guint32 pixel;

  if (bench->t_first_frame == 0 && drawn > 0)
    bench->t_first_frame = g_get_monotonic_time ();

  /* a frame with new guest content: does it show a new guest frame? */
  if (drawn == bench->last_drawn ||
      !piso_spice_session_get_primary (bench->session, NULL, &width, &height, NULL, NULL))
    return;
  bench->last_drawn = drawn;
  sample_point (width, height, &px, &py);
  pixel = _piso_spice_display_get_drawn_pixel (bench->display, px, py) & 0xffffff;
  if (pixel != bench->drawn_pixel)
    bench->new_frames_drawn++;
  bench->drawn_pixel = pixel;
}

/* Shows the animation for MEASURE_S; gives the frames per second drawn with
 * a new guest frame, the CPU percent and the guest's frame rate. */
static void
measure_piso (Bench  *bench,
              double *piso_fps,
              double *cpu_pct,
              double *guest_fps)
{
  gint64 t0, t1;
  double cpu0, cpu1, seconds;
  guint64 frames0, guest0, drawn0;
  long faults0;

  piso_bench_run_for (WARMUP_MS);
  t0 = g_get_monotonic_time ();
  cpu0 = self_cpu_seconds ();
  faults0 = self_minor_faults ();
  frames0 = bench->new_frames_drawn;
  guest0 = bench->guest_frames;
  drawn0 = piso_spice_display_get_frames_drawn (bench->display);
  piso_bench_run_for (MEASURE_S * 1000);
  t1 = g_get_monotonic_time ();
  cpu1 = self_cpu_seconds ();
  seconds = (t1 - t0) / (double) G_USEC_PER_SEC;

  *guest_fps = (bench->guest_frames - guest0) / seconds;
  *piso_fps = (bench->new_frames_drawn - frames0) / seconds;
  *cpu_pct = 100.0 * (cpu1 - cpu0) / seconds;
  g_printerr ("piso (display %dx%d): %" G_GUINT64_FORMAT " new guest frames drawn "
              "(%" G_GUINT64_FORMAT " frames with guest updates in all), %"
              G_GUINT64_FORMAT " guest frames received in %.1f s; %.2f s CPU, "
              "%ld page faults\n",
              gtk_widget_get_width (GTK_WIDGET (bench->display)),
              gtk_widget_get_height (GTK_WIDGET (bench->display)),
              bench->new_frames_drawn - frames0,
              piso_spice_display_get_frames_drawn (bench->display) - drawn0,
              bench->guest_frames - guest0, seconds, cpu1 - cpu0,
              self_minor_faults () - faults0);
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_machine_start_finish (PISO_MACHINE (object), result, &error))
    g_error ("start: %s", error->message);
  bench->t_started = g_get_monotonic_time ();
  bench->started = TRUE;
  /* what the console does once the machine runs */
  piso_spice_session_connect (bench->session);
}

static gboolean
first_frame_drawn (gpointer user_data)
{
  Bench *bench = user_data;

  return bench->t_first_frame != 0;
}

static gboolean
started (gpointer user_data)
{
  Bench *bench = user_data;

  return bench->started;
}

static gboolean
session_disconnected (gpointer user_data)
{
  return piso_spice_session_get_state (user_data) == PISO_SPICE_STATE_DISCONNECTED;
}

typedef struct
{
  Bench  *bench;
  guint64 drawn;
} DrawnSince;

static gboolean
drawn_since (gpointer user_data)
{
  DrawnSince *since = user_data;

  return piso_spice_display_get_frames_drawn (since->bench->display) > since->drawn + 10;
}

/* Connects Piso's session again (remote-viewer had the guest) and waits
 * until it draws the animation. */
static void
reconnect_piso (Bench *bench)
{
  DrawnSince since = { bench, piso_spice_display_get_frames_drawn (bench->display) };

  piso_spice_session_connect (bench->session);
  piso_bench_run_until (drawn_since, &since, 2, 60, "Piso's console to draw the guest again");
}

/* Shows the guest in remote-viewer for MEASURE_S; gives its process tree's
 * CPU percent and peak memory. */
static void
measure_viewer (PisoLiveDaemon *live,
                const char     *name,
                double         *cpu_pct,
                double         *rss_mib)
{
  g_autoptr(GSubprocess) viewer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0, t1;
  double cpu0, cpu1;
  int viewer_pid;

  viewer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error, "virt-viewer", "--attach", "-c",
                             piso_live_daemon_get_uri (live), name, NULL);
  if (viewer == NULL)
    g_error ("virt-viewer: %s", error->message);
  viewer_pid = (int) g_ascii_strtoll (g_subprocess_get_identifier (viewer), NULL, 10);
  piso_bench_run_for (VIEWER_SETTLE_MS);
  if (status_kib (viewer_pid, "VmHWM") == 0)
    g_error ("virt-viewer exited early");

  t0 = g_get_monotonic_time ();
  cpu0 = tree_cpu_seconds (viewer_pid);
  piso_bench_run_for (MEASURE_S * 1000);
  t1 = g_get_monotonic_time ();
  cpu1 = tree_cpu_seconds (viewer_pid);
  *rss_mib = tree_hwm_kib (viewer_pid) / 1024.0;
  *cpu_pct = 100.0 * (cpu1 - cpu0) / ((t1 - t0) / (double) G_USEC_PER_SEC);
  g_printerr ("remote-viewer: %.2f s CPU in %.1f s; VmHWM %.1f MiB\n",
              cpu1 - cpu0, (t1 - t0) / (double) G_USEC_PER_SEC, *rss_mib);

  g_subprocess_send_signal (viewer, SIGTERM);
  if (!g_subprocess_wait (viewer, NULL, &error))
    g_warning ("virt-viewer: %s", error->message);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (const double *values,
        guint         n)
{
  double sorted[MAX_ROUNDS];

  memcpy (sorted, values, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_doubles);
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static double
ms_between (gint64 from,
            gint64 to)
{
  return from != 0 && to != 0 ? (to - from) / 1000.0 : -1.0;
}

/* ---- the benchmark ---- */

static int
run_bench (PisoLiveDaemon *live,
           guint           rounds)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *name = piso_live_unique_name ("bench");
  g_autofree char *base_xml = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *cmdline_end = g_strdup_printf (" piso.anim=%d piso.clock=0</cmdline>", ANIM_FPS);
  g_auto(GStrv) xml_parts = NULL;
  Bench bench = { 0 };
  GtkWidget *window;
  GtkWidget *display;
  GdkFrameClock *clock;
  gulong paint_handler;
  gint64 t_ready, t0, t1;
  double cpu0, cpu1;
  double guest_fps[MAX_ROUNDS], piso_fps[MAX_ROUNDS], piso_cpu_pct[MAX_ROUNDS];
  double viewer_cpu_pct[MAX_ROUNDS], viewer_rss_mib[MAX_ROUNDS], piso_rss_mib;
  double scaled_fps, scaled_cpu_pct, scaled_guest_fps;

  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  base_xml = piso_live_domain_xml (live, name, NULL);
  xml_parts = g_strsplit (base_xml, "</cmdline>", 2);
  g_assert_cmpuint (g_strv_length (xml_parts), ==, 2);
  xml = g_strjoinv (cmdline_end, xml_parts);
  machine = piso_live_define (connection, xml);

  /* ---- Piso: start → first frame, then 20 s of animation ---- */
  session = piso_spice_session_new (machine);
  bench.session = session;
  g_signal_connect (session, "primary-create", G_CALLBACK (primary_create_cb), &bench);
  g_signal_connect (session, "invalidate", G_CALLBACK (invalidate_cb), &bench);

  display = piso_spice_display_new (session);
  window = bench_window_new (display);
  gtk_window_set_title (GTK_WINDOW (window), "piso-bench-console");
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 550);
  bench.display = PISO_SPICE_DISPLAY (display);
  bench.window = GTK_WINDOW (window);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_realize (display);
  clock = gtk_widget_get_frame_clock (display);
  paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &bench);
  piso_bench_run_for (500);

  bench.t_start = g_get_monotonic_time ();
  piso_machine_start_async (machine, NULL, start_done_cb, &bench);
  piso_bench_run_until (started, &bench, 2, 60, "the machine to start");
  piso_bench_run_until (first_frame_drawn, &bench, 2, 120, "the first guest frame on screen");
  piso_live_wait_guest_ready (live, name, 300);
  t_ready = g_get_monotonic_time ();

  g_printerr ("start: machine running after %.0f ms, primary surface after %.0f ms, "
              "first frame drawn after %.0f ms (%.0f ms after the primary surface), "
              "guest ready line after %.0f ms\n",
              ms_between (bench.t_start, bench.t_started),
              ms_between (bench.t_start, bench.t_primary),
              ms_between (bench.t_start, bench.t_first_frame),
              ms_between (bench.t_primary, bench.t_first_frame),
              ms_between (bench.t_start, t_ready));

  /* ---- Piso and remote-viewer in turn, one SPICE client at a time ---- */
  for (guint round = 0; round < rounds; round++)
    {
      if (round > 0)
        reconnect_piso (&bench);
      measure_piso (&bench, &piso_fps[round], &piso_cpu_pct[round], &guest_fps[round]);
      if (round == 0)
        print_backdrop (window);
      piso_spice_session_disconnect (session);
      piso_bench_run_until (session_disconnected, session, 2, 30, "Piso's SPICE session to close");
      piso_bench_run_for (1000);

      /* virt-viewer --attach: the domain listens nowhere */
      measure_viewer (live, name, &viewer_cpu_pct[round], &viewer_rss_mib[round]);
      g_printerr ("round %u: guest_fps=%.1f piso_fps=%.1f piso_cpu_pct=%.1f "
                  "remote_viewer_cpu_pct=%.1f remote_viewer_rss_mib=%.0f\n",
                  round + 1, guest_fps[round], piso_fps[round], piso_cpu_pct[round],
                  viewer_cpu_pct[round], viewer_rss_mib[round]);
      piso_bench_run_for (1000);
    }
  piso_rss_mib = status_kib (0, "VmHWM") / 1024.0;
  g_printerr ("piso: VmHWM %.1f MiB, VmRSS %.1f MiB\n",
              piso_rss_mib, status_kib (0, "VmRSS") / 1024.0);
  print_biggest_mappings ();

  /* ---- Piso again, scaled up in a bigger window ---- */
  reconnect_piso (&bench);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 690);
  measure_piso (&bench, &scaled_fps, &scaled_cpu_pct, &scaled_guest_fps);
  g_printerr ("piso scaled: guest_fps=%.1f piso_fps=%.1f piso_cpu_pct=%.1f\n",
              scaled_guest_fps, scaled_fps, scaled_cpu_pct);

  /* ---- the session alone (no widget): how the CPU splits ---- */
  g_printerr ("piso: renderer %s\n",
              G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));
  g_signal_handler_disconnect (clock, paint_handler);
  gtk_window_destroy (GTK_WINDOW (window));
  piso_bench_run_for (1000);
  t0 = g_get_monotonic_time ();
  cpu0 = self_cpu_seconds ();
  piso_bench_run_for (SESSION_ONLY_S * 1000);
  t1 = g_get_monotonic_time ();
  cpu1 = self_cpu_seconds ();
  g_printerr ("piso: the SPICE session alone, no widget: %.1f %% CPU over %.1f s\n",
              100.0 * (cpu1 - cpu0) / ((t1 - t0) / (double) G_USEC_PER_SEC),
              (t1 - t0) / (double) G_USEC_PER_SEC);
  piso_spice_session_disconnect (session);
  piso_bench_run_until (session_disconnected, session, 2, 30, "Piso's SPICE session to close");

  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);

  printf ("guest_fps=%.1f piso_fps=%.1f piso_cpu_pct=%.1f piso_rss_mib=%.0f "
          "remote_viewer_cpu_pct=%.1f remote_viewer_rss_mib=%.0f\n",
          median (guest_fps, rounds), median (piso_fps, rounds), median (piso_cpu_pct, rounds),
          piso_rss_mib, median (viewer_cpu_pct, rounds), median (viewer_rss_mib, rounds));
  fflush (stdout);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GTestDBus) bus = NULL;
  g_autofree char *skip_reason = NULL;
  g_autofree char *viewer = g_find_program_in_path ("virt-viewer");
  PisoLiveDaemon *live = NULL;
  guint rounds = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_ROUNDS;
  int ret = 77;

  if (rounds < 1 || rounds > MAX_ROUNDS)
    {
      g_printerr ("usage: bench-console [ROUNDS (1 to %d, default %d)]\n", MAX_ROUNDS, DEFAULT_ROUNDS);
      return 2;
    }

  g_setenv ("PISO_TESTBED_DIR", PISO_TESTBED_SRC_DIR, FALSE);
  g_setenv ("GTK_A11Y", "none", FALSE);
  /* the renderer Piso itself would use (cairo without a GPU), unless
   * GSK_RENDERER says otherwise */
  piso_renderer_apply_default ();
  g_printerr ("bench-console: GSK_RENDERER=%s GDK_DEBUG=%s\n",
              g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "(GTK's choice)",
              g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "");
  g_assert_true (piso_backend_init (NULL));

  bus = piso_live_session_bus_up ();

  if (!gtk_init_check ())
    exit_skip_message = "no display (DISPLAY is not set or does not answer)";
  else if (viewer == NULL)
    exit_skip_message = "virt-viewer is not installed";
  else if ((skip_reason = piso_bench_build_problem ("bench-console")) != NULL)
    exit_skip_message = skip_reason;
  else if ((live = piso_live_daemon_start (&skip_reason)) == NULL)
    exit_skip_message = skip_reason;

  if (live != NULL)
    {
      g_autofree char *os = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
      unsigned long libvirt_version = 0;

      virGetVersion (&libvirt_version, NULL, NULL);
      printf ("platform: %s: GTK %u.%u.%u, libadwaita %u.%u.%u, libvirt %lu.%lu.%lu\n",
              os != NULL ? os : "unknown system",
              gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
              adw_get_major_version (), adw_get_minor_version (), adw_get_micro_version (),
              libvirt_version / 1000000, libvirt_version / 1000 % 1000, libvirt_version % 1000);
      fflush (stdout);
      adw_init ();  /* Piso's look, as the app has it */
      ret = run_bench (live, rounds);
      piso_live_daemon_free (live);
    }
  else
    g_printerr ("bench-console: skipped: %s\n", exit_skip_message);

  if (bus != NULL)
    g_test_dbus_down (bus);
  return ret;
}
