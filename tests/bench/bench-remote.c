/* bench-remote.c: Piso on an SSH host against virsh and virt-viewer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by hand, as root, under an X display, with PISO_LIVE_GUEST_DIR naming a
 * built test guest (tests/testbed/make-guest.sh), like the live tests. The
 * "host" is the live tests' private libvirtd behind an sshd of the bench's
 * own on 127.0.0.1 (tests/piso-test-sshd.c: the current user logs in with a
 * key made here), with N=200 defined machines (the test guest's XML, not
 * booted) and one tiny guest running with its SPICE display on the host's
 * loopback. All clients use the same URI, qemu+ssh://USER@127.0.0.1:PORT/system.
 * ROUNDS times (bench-remote [ROUNDS], 3 by default), in turn:
 *
 *   (a) opening the connection until the machine list is complete: Piso's
 *       PisoManager/PisoConnection (its SSH login included; the list is
 *       there, with names and states, before the definitions are read and
 *       the connection says "connected", which stderr reports too) against
 *       `virsh -c URI list --all` run to its end;
 *   (b) "show console" until the guest's colour bars are on the X screen:
 *       Piso's PisoSpiceDisplay in a window, on the connection of (a),
 *       through its SSH tunnel, against `virt-viewer --connect URI DOMAIN`
 *       (which opens its own libvirt connection and tunnels each SPICE
 *       channel through ssh and nc). Both are timed the same way: the root
 *       window, read every 10 ms, shows the four bars;
 *   (c) SSH logins sshd logged for (a)+(b) (Piso) and for virt-viewer's run.
 *
 * Last line, the medians: piso_list_ms=… virsh_list_ms=… piso_console_ms=…
 * virt_viewer_console_ms=… piso_auths=… virt_viewer_auths=…
 *
 * virsh and virt-viewer run ssh through a wrapper that adds the bench's
 * ssh_config (its key and known hosts only: nothing of the user's ~/.ssh is
 * read or written). virt-viewer's tunnel runs `socat` or else `nc` on the
 * host; where neither is installed, sshd's sessions get a stand-in nc (bash's
 * /dev/tcp). Exits 77 when the live environment is not there.
 */
#define G_LOG_DOMAIN "piso-bench"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <gtk/gtk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include "piso-bench.h"
#include "piso-live-bars.h"
#include "piso-manager.h"
#include "piso-spice-display.h"
#include "piso-spice-session.h"
#include "piso-test-sshd.h"

#define N_MACHINES 200
#define DEFAULT_ROUNDS 3
#define MAX_ROUNDS 15
#define POLL_MS 10

typedef struct
{
  PisoLiveDaemon *live;
  PisoTestSshd   *sshd;
  char           *uri;
  char           *guest;          /* the running guest's name */
  char           *tools_path;     /* PATH for virsh and virt-viewer: the ssh wrapper first */
  Display        *x;
} Bench;

/* ---- the X screen ---- */

/* Whether a row of the root window shows the four bars, in order, each at
 * least two character cells wide. */
static gboolean
screen_shows_bars (gpointer user_data)
{
  Bench *bench = user_data;
  Window root = DefaultRootWindow (bench->x);
  XWindowAttributes attributes;
  XImage *image;
  gboolean found = FALSE;

  XGetWindowAttributes (bench->x, root, &attributes);
  image = XGetImage (bench->x, root, 0, 0, attributes.width, attributes.height, AllPlanes,
                     ZPixmap);
  g_assert_nonnull (image);
  g_assert_cmpint (image->bits_per_pixel, ==, 32);
  for (int y = 0; y < image->height && !found; y += 2)
    {
      const guint8 *row = (const guint8 *) image->data + (gsize) y * image->bytes_per_line;
      guint bar = 0, run = 0;

      for (int x = 0; x < image->width && bar < PISO_LIVE_N_BARS; x++)
        {
          if (piso_live_pixel_is_bar (row + 4 * x, bar))
            {
              if (++run >= 16)
                {
                  bar++;
                  run = 0;
                }
            }
          else
            run = 0;
        }
      found = bar == PISO_LIVE_N_BARS;
    }
  XDestroyImage (image);
  return found;
}

/* ---- (a) the list ---- */

typedef struct
{
  PisoManager    *manager;
  PisoConnection *connection;
  gint64          listed_at;      /* when the list held every machine */
} PisoRun;

static void
machines_changed_cb (GListModel *machines,
                     guint       position,
                     guint       removed,
                     guint       added,
                     PisoRun    *run)
{
  if (run->listed_at == 0 && g_list_model_get_n_items (machines) >= N_MACHINES + 1)
    run->listed_at = g_get_monotonic_time ();
}

/* The list shows every machine (with its name and state) and, later, the
 * connection reports itself connected once their definitions are read. */
static gboolean
connected (gpointer user_data)
{
  PisoRun *run = user_data;
  PisoConnectionState state = piso_connection_get_state (run->connection);

  if (state == PISO_CONNECTION_STATE_FAILED)
    g_error ("Piso could not connect: %s", piso_connection_get_error_message (run->connection));
  return state == PISO_CONNECTION_STATE_CONNECTED && run->listed_at != 0;
}

static double
piso_list (Bench   *bench,
           PisoRun *run)
{
  gint64 t0 = g_get_monotonic_time ();
  PisoSshSession *ssh;

  run->manager = piso_manager_new ();
  ssh = piso_manager_ensure_ssh_session (run->manager, bench->uri);
  piso_ssh_session_set_known_hosts_file (ssh, bench->sshd->known_hosts);
  piso_ssh_session_set_config_file (ssh, bench->sshd->client_config);
  run->connection = piso_manager_add (run->manager, bench->uri, NULL);
  g_signal_connect (piso_connection_get_machines (run->connection), "items-changed",
                    G_CALLBACK (machines_changed_cb), run);
  piso_bench_run_until (connected, run, POLL_MS, 120, "Piso's machine list");
  g_signal_handlers_disconnect_by_data (piso_connection_get_machines (run->connection), run);
  g_printerr ("piso: list complete after %.0f ms, connected (definitions read) after %.0f ms\n",
              (run->listed_at - t0) / 1000.0, piso_bench_ms_since (t0));
  return (run->listed_at - t0) / 1000.0;
}

static GSubprocess *
spawn_tool (Bench              *bench,
            const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "PATH", bench->tools_path, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    g_error ("%s: %s", argv[0], error->message);
  return process;
}

static double
virsh_list (Bench *bench)
{
  const char *argv[] = { "virsh", "-c", bench->uri, "list", "--all", NULL };
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(GSubprocess) virsh = spawn_tool (bench, argv);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  double ms;

  g_subprocess_communicate_utf8 (virsh, NULL, NULL, NULL, &err, &error);
  ms = piso_bench_ms_since (t0);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (virsh))
    g_error ("virsh list failed: %s", err);
  return ms;
}

/* ---- (b) the console ---- */

static double
piso_console (Bench   *bench,
              PisoRun *run)
{
  g_autoptr(PisoSpiceSession) session = NULL;
  PisoMachine *machine;
  GtkWidget *window;
  gint64 t0 = g_get_monotonic_time ();
  double ms;

  g_debug ("showing the console");
  machine = piso_connection_lookup_machine_by_name (run->connection, bench->guest);
  g_assert_nonnull (machine);
  session = piso_spice_session_new (machine);
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "bench-remote");
  /* at 1:1, as virt-viewer shows the guest's 720x400 text screen */
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 400);
  gtk_window_set_child (GTK_WINDOW (window), piso_spice_display_new (session));
  gtk_window_present (GTK_WINDOW (window));
  piso_spice_session_connect (session);
  piso_bench_run_until (screen_shows_bars, bench, POLL_MS, 60, "the colour bars in Piso's console");
  ms = piso_bench_ms_since (t0);

  gtk_window_destroy (GTK_WINDOW (window));
  piso_spice_session_disconnect (session);
  piso_bench_run_for (300);
  return ms;
}

static double
virt_viewer_console (Bench *bench,
                     guint *logins)
{
  const char *argv[] = { "virt-viewer", "--connect", bench->uri, bench->guest, NULL };
  guint before = piso_test_sshd_count_logins (bench->sshd);
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(GSubprocess) viewer = spawn_tool (bench, argv);
  double ms;

  piso_bench_run_until (screen_shows_bars, bench, POLL_MS, 60, "the colour bars in virt-viewer");
  ms = piso_bench_ms_since (t0);
  /* every channel has logged in by the time the display shows */
  piso_bench_run_for (1000);
  *logins = piso_test_sshd_count_logins (bench->sshd) - before;
  g_subprocess_send_signal (viewer, SIGTERM);
  g_subprocess_wait (viewer, NULL, NULL);
  piso_bench_run_for (500);
  return ms;
}

/* ---- the host ---- */

static void
write_script (const char *path,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0755, &error))
    g_error ("%s: %s", path, error->message);
}

/* The sshd, the wrapper and, where needed, the stand-in nc. */
static void
host_start (Bench *bench)
{
  g_autofree char *sock_dir = g_build_filename (piso_live_daemon_get_dir (bench->live), "sock",
                                                NULL);
  g_autofree char *bin = g_build_filename (piso_test_make_temp_dir (), "bin", NULL);
  g_autofree char *host_bin = g_build_filename (bin, "host", NULL);
  g_autofree char *ssh = g_build_filename (bin, "ssh", NULL);
  g_autofree char *nc = g_build_filename (host_bin, "nc", NULL);
  g_autofree char *real_ssh = g_find_program_in_path ("ssh");
  g_autofree char *session_path = g_strdup_printf ("%s:/usr/local/bin:/usr/bin:/bin", host_bin);
  g_autofree char *wrapper = NULL;
  g_autofree char *escaped_key = NULL;
  g_autofree char *skip_reason = NULL;
  g_autofree char *has_nc = g_find_program_in_path ("nc");
  g_autofree char *has_socat = g_find_program_in_path ("socat");
  PisoTestSshdOptions options = { .libvirt_sock_dir = sock_dir, .session_path = session_path };

  g_assert_nonnull (real_ssh);
  g_assert_true (g_mkdir_with_parents (host_bin, 0755) == 0);
  if (has_nc == NULL && has_socat == NULL)
    write_script (nc, "#!/bin/bash\n"
                      "# A stand-in for `nc HOST PORT` (the host has no netcat)\n"
                      "exec 3<>\"/dev/tcp/$1/$2\" || exit 1\n"
                      "cat <&3 &\n"
                      "cat >&3\n");
  bench->sshd = piso_test_sshd_start (&options, &skip_reason);
  if (bench->sshd == NULL)
    g_error ("%s", skip_reason);
  wrapper = g_strdup_printf ("#!/bin/sh\nexec %s -F %s \"$@\"\n", real_ssh,
                             bench->sshd->client_config);
  write_script (ssh, wrapper);
  bench->tools_path = g_strdup_printf ("%s:%s", bin, g_getenv ("PATH"));
  escaped_key = g_uri_escape_string (bench->sshd->key, "/", FALSE);
  bench->uri = g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u/system?keyfile=%s",
                                g_get_user_name (), bench->sshd->port, escaped_key);
}

/* N_MACHINES defined machines and the running guest, made over the local socket. */
static void
machines_define (Bench *bench)
{
  virConnectPtr conn = virConnectOpen (piso_live_daemon_get_uri (bench->live));
  g_autofree char *xml = NULL;
  virDomainPtr dom;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_nonnull (conn);
  for (guint i = 0; i < N_MACHINES; i++)
    {
      g_autofree char *what = g_strdup_printf ("idle-%03u", i);
      g_autofree char *name = piso_live_unique_name (what);
      g_autofree char *idle = piso_live_domain_xml (bench->live, name, NULL);

      dom = virDomainDefineXML (conn, idle);
      g_assert_nonnull (dom);
      virDomainFree (dom);
    }
  bench->guest = piso_live_unique_name ("console");
  xml = piso_live_loopback_domain_xml (bench->live, bench->guest);
  dom = virDomainDefineXML (conn, xml);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  virDomainFree (dom);
  virConnectClose (conn);
  g_printerr ("%u machines defined, one started in %.1f s\n", N_MACHINES + 1,
              piso_bench_ms_since (t0) / 1000.0);
  piso_live_wait_guest_ready (bench->live, bench->guest, 180);
}

int
main (int    argc,
      char **argv)
{
  const char *tools[] = { "virsh", "virt-viewer", NULL };
  Bench bench = { 0 };
  guint rounds = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_ROUNDS;
  double piso_list_ms[MAX_ROUNDS], virsh_list_ms[MAX_ROUNDS];
  double piso_console_ms[MAX_ROUNDS], viewer_console_ms[MAX_ROUNDS];
  double piso_auths[MAX_ROUNDS], viewer_auths[MAX_ROUNDS];

  g_assert_cmpuint (rounds, >=, 1);
  g_assert_cmpuint (rounds, <=, MAX_ROUNDS);
  g_setenv ("GTK_A11Y", "none", FALSE);
  if (!gtk_init_check () || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_printerr ("bench-remote: skipped: needs an X display\n");
      return 77;
    }
  if ((bench.live = piso_bench_daemon_start ("bench-remote", tools,
                                             "libvirt-clients, virt-viewer")) == NULL)
    return 77;
  /* Piso's SSH sessions keep their sockets in a runtime dir of the bench's own */
  {
    g_autofree char *runtime = g_build_filename (piso_test_make_temp_dir (), "run", NULL);

    g_mkdir (runtime, 0700);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  }
  bench.x = XOpenDisplay (NULL);
  g_assert_nonnull (bench.x);
  host_start (&bench);
  machines_define (&bench);
  /* one login and listing before timing anything (sshd's first fork, caches) */
  virsh_list (&bench);

  for (guint i = 0; i < rounds; i++)
    {
      PisoRun run = { 0 };
      guint before = piso_test_sshd_count_logins (bench.sshd);
      guint viewer_logins = 0;

      piso_list_ms[i] = piso_list (&bench, &run);
      virsh_list_ms[i] = virsh_list (&bench);
      piso_console_ms[i] = piso_console (&bench, &run);
      /* virsh logged in once meanwhile */
      piso_auths[i] = piso_test_sshd_count_logins (bench.sshd) - before - 1;
      viewer_console_ms[i] = virt_viewer_console (&bench, &viewer_logins);
      viewer_auths[i] = viewer_logins;
      g_clear_object (&run.manager);
      piso_bench_run_for (500);
      g_printerr ("round %u: piso list %.0f ms, virsh list %.0f ms, piso console %.0f ms, "
                  "virt-viewer console %.0f ms, logins piso %.0f, virt-viewer %.0f\n",
                  i + 1, piso_list_ms[i], virsh_list_ms[i], piso_console_ms[i],
                  viewer_console_ms[i], piso_auths[i], viewer_auths[i]);
    }

  printf ("piso_list_ms=%.0f virsh_list_ms=%.0f piso_console_ms=%.0f virt_viewer_console_ms=%.0f "
          "piso_auths=%.0f virt_viewer_auths=%.0f\n",
          piso_bench_median (piso_list_ms, rounds), piso_bench_median (virsh_list_ms, rounds),
          piso_bench_median (piso_console_ms, rounds),
          piso_bench_median (viewer_console_ms, rounds),
          piso_bench_median (piso_auths, rounds), piso_bench_median (viewer_auths, rounds));

  XCloseDisplay (bench.x);
  piso_test_sshd_stop (bench.sshd);
  piso_live_daemon_free (bench.live);
  g_free (bench.uri);
  g_free (bench.guest);
  g_free (bench.tools_path);
  return 0;
}
