/* piso-live.c: a private libvirtd and the tiny test guest for live tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-live"

#include "piso-live.h"

#include <errno.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "piso-backend-private.h"

struct _PisoLiveDaemon
{
  char *dir;
  char *uri;
  char *script;
  char *guest_dir;
  char *domain_type;
  char **envp;         /* for the script, or NULL: this program's */
  int   watchdog_fd;   /* the watchdog acts when this closes */
};

static void
run_script (PisoLiveDaemon  *self,
            const char      *verb,
            char           **output)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { self->script, verb, self->dir, NULL };
  int status = 0;

  /* stdout is captured (it must not mix with TAP), stderr is the test's */
  if (!g_spawn_sync (NULL, (char **) argv, self->envp, G_SPAWN_DEFAULT, NULL, NULL,
                     output, NULL, &status, &error))
    g_error ("%s %s: %s", self->script, verb, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s %s %s: %s", self->script, verb, self->dir, error->message);
}

static void
new_session (gpointer user_data)
{
  setsid ();
}

/* A process in its own session that waits for this program to end (the pipe
 * closes however it ends) and then stops the daemon and removes its files. */
static void
spawn_watchdog (PisoLiveDaemon *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) watchdog = NULL;
  g_autoptr(GError) error = NULL;
  int fds[2];

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("pipe: %s", error->message);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_stdin_fd (launcher, fds[0]);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  watchdog = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c",
                                          "cat >/dev/null; [ -d \"$2\" ] || exit 0; "
                                          "\"$1\" stop \"$2\"; rm -rf \"$2\"",
                                          "piso-live-watchdog", self->script, self->dir,
                                          NULL);
  if (watchdog == NULL)
    g_error ("watchdog: %s", error->message);
  /* open (close-on-exec, so no child inherits it) until freed or exit */
  self->watchdog_fd = fds[1];
}

static gboolean
usable_kvm (void)
{
  return access ("/dev/kvm", R_OK | W_OK) == 0 &&
         (g_file_test ("/sys/module/kvm_intel", G_FILE_TEST_IS_DIR) ||
          g_file_test ("/sys/module/kvm_amd", G_FILE_TEST_IS_DIR));
}

static void
drop_message (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
}

static PisoLiveDaemon *
daemon_start (char **envp,
              char **skip_reason)
{
  const char *guest_dir = g_getenv ("PISO_LIVE_GUEST_DIR");
  const char *testbed = g_getenv ("PISO_TESTBED_DIR");
  g_autofree char *kernel = NULL;
  g_autofree char *libvirtd = g_find_program_in_path ("libvirtd");
  g_autofree char *uri = NULL;
  PisoLiveDaemon *self;

  /* libvirt-glib's event loop glue logs every handle and timeout update */
  g_log_set_handler (NULL, G_LOG_LEVEL_DEBUG, drop_message, NULL);

  if (guest_dir == NULL || *guest_dir == '\0')
    {
      *skip_reason = g_strdup ("PISO_LIVE_GUEST_DIR is not set (build-aux/piso-dev.sh test sets it)");
      return NULL;
    }
  kernel = g_build_filename (guest_dir, "vmlinuz", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS))
    {
      *skip_reason = g_strdup_printf ("no test guest in %s (tests/testbed/make-guest.sh)", guest_dir);
      return NULL;
    }
  if (testbed == NULL)
    {
      *skip_reason = g_strdup ("PISO_TESTBED_DIR is not set");
      return NULL;
    }
  if (getuid () != 0)
    {
      *skip_reason = g_strdup ("a private libvirtd needs root");
      return NULL;
    }
  if (libvirtd == NULL && !g_file_test ("/usr/sbin/libvirtd", G_FILE_TEST_IS_EXECUTABLE))
    {
      *skip_reason = g_strdup ("libvirtd is not installed");
      return NULL;
    }

  self = g_new0 (PisoLiveDaemon, 1);
  self->envp = g_steal_pointer (&envp);
  self->script = g_build_filename (testbed, "private-libvirtd.sh", NULL);
  self->guest_dir = g_strdup (guest_dir);
  self->domain_type = g_strdup (usable_kvm () ? "kvm" : "qemu");
  /* short (socket paths) and world-traversable (QEMU runs as libvirt-qemu) */
  self->dir = g_strdup ("/var/tmp/piso-lv-XXXXXX");
  if (g_mkdtemp_full (self->dir, 0711) == NULL)
    g_error ("mkdtemp %s: %s", self->dir, g_strerror (errno));

  spawn_watchdog (self);
  run_script (self, "start", &uri);
  self->uri = g_strdup (g_strstrip (uri));
  g_test_message ("private libvirtd at %s", self->uri);

  return self;
}

PisoLiveDaemon *
piso_live_daemon_start (char **skip_reason)
{
  return daemon_start (NULL, skip_reason);
}

PisoLiveDaemon *
piso_live_daemon_start_migratable (guint   host,
                                   char  **skip_reason)
{
  char **envp = g_get_environ ();
  g_autofree char *uuid = g_strdup_printf ("00000000-0000-4000-8000-%012u", host + 1);
  g_autofree char *ports = g_strdup_printf ("%u-%u", 49200 + 100 * host, 49215 + 100 * host);
  PisoLiveDaemon *self;

  g_assert_cmpuint (host, <, 10);
  envp = g_environ_setenv (envp, "PISO_LIBVIRTD_HOST_UUID", uuid, TRUE);
  envp = g_environ_setenv (envp, "PISO_LIBVIRTD_MIGRATION_PORTS", ports, TRUE);
  self = daemon_start (envp, skip_reason);
  if (self == NULL)
    g_strfreev (envp);
  return self;
}

void
piso_live_daemon_free (PisoLiveDaemon *self)
{
  const char *rm[] = { "rm", "-rf", NULL, NULL };
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  run_script (self, "stop", NULL);
  rm[2] = self->dir;
  if (!g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, NULL, NULL, &error))
    g_warning ("rm -rf %s: %s", self->dir, error->message);

  g_free (self->dir);
  g_free (self->uri);
  g_free (self->script);
  g_free (self->guest_dir);
  g_free (self->domain_type);
  g_strfreev (self->envp);
  close (self->watchdog_fd);
  g_free (self);
}

const char *
piso_live_daemon_get_uri (PisoLiveDaemon *self)
{
  return self->uri;
}

const char *
piso_live_daemon_get_dir (PisoLiveDaemon *self)
{
  return self->dir;
}

static gboolean
process_alive (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return FALSE;

  /* a zombie has closed its sockets already */
  return strstr (status, "State:\tZ") == NULL && strstr (status, "State:\tX") == NULL;
}

void
piso_live_daemon_kill (PisoLiveDaemon *self)
{
  g_autofree char *pidfile = g_build_filename (self->dir, "libvirtd.pid", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  pid_t pid;

  if (!g_file_get_contents (pidfile, &contents, NULL, &error))
    g_error ("%s", error->message);
  pid = (pid_t) g_ascii_strtoll (contents, NULL, 10);
  g_assert_cmpint (pid, >, 1);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (process_alive (pid))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("libvirtd %d still alive 20 s after SIGKILL", (int) pid);
      g_usleep (10000);
    }
}

void
piso_live_daemon_restart (PisoLiveDaemon *self)
{
  g_autofree char *uri = NULL;

  run_script (self, "start", &uri);
}

char *
piso_live_unique_name (const char *what)
{
  return g_strdup_printf ("piso-live-%d-%s", (int) getpid (), what);
}

static char *
replace_all (const char *text,
             const char *what,
             const char *with)
{
  g_auto(GStrv) parts = g_strsplit (text, what, -1);

  return g_strjoinv (with, parts);
}

char *
piso_live_fill_template (const char         *file,
                         const char * const *subst)
{
  g_autofree char *path = g_build_filename (g_getenv ("PISO_TESTBED_DIR"), file, NULL);
  g_autofree char *template = NULL;
  g_autoptr(GError) error = NULL;
  char *xml;

  if (!g_file_get_contents (path, &template, NULL, &error))
    g_error ("%s", error->message);

  xml = g_steal_pointer (&template);
  for (guint i = 0; subst[i] != NULL; i += 2)
    {
      char *next = replace_all (xml, subst[i], subst[i + 1]);

      g_free (xml);
      xml = next;
    }

  return xml;
}

char *
piso_live_domain_xml (PisoLiveDaemon *self,
                      const char     *name,
                      const char     *devices)
{
  const char *subst[] = {
    "@NAME@", name,
    "@TYPE@", self->domain_type,
    "@GUEST_DIR@", self->guest_dir,
    "@CMDLINE@", "",
    "@DEVICES@", devices != NULL ? devices : "",
    NULL
  };

  return piso_live_fill_template ("domain.xml.in", subst);
}

char *
piso_live_loopback_domain_xml (PisoLiveDaemon *self,
                               const char     *name)
{
  g_autofree char *xml = piso_live_domain_xml (self, name, NULL);
  g_autoptr(GString) text = g_string_new (xml);

  g_assert_cmpuint (g_string_replace (text, "<graphics type='spice'><listen type='none'/>",
                                      "<graphics type='spice' autoport='yes'>"
                                      "<listen type='address' address='127.0.0.1'/>", 1), ==, 1);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
piso_live_mouse_domain_xml (PisoLiveDaemon *self,
                            const char     *name)
{
  g_autofree char *xml = piso_live_domain_xml (self, name, NULL);
  g_auto(GStrv) parts = g_strsplit (xml, "<input type='tablet' bus='usb'/>", 2);
  g_autofree char *without_tablet = NULL;
  g_auto(GStrv) cmdline = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  without_tablet = g_strjoinv ("", parts);
  cmdline = g_strsplit (without_tablet, "</cmdline>", 2);
  g_assert_cmpuint (g_strv_length (cmdline), ==, 2);
  return g_strjoinv (" piso.mouse=1</cmdline>", cmdline);
}

/* The guest writes /dev/input/mice's packets as "MOUSE ff dx dy" (hex): the
 * flags byte holds the sign bits, the bytes the low eight bits; dy is up. */
guint
piso_live_guest_mouse_motion (const char *serial_log,
                              gsize       offset,
                              int        *dx,
                              int        *dy)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length = 0;
  guint packets = 0;

  *dx = *dy = 0;
  if (!g_file_get_contents (serial_log, &contents, &length, NULL) || offset >= length)
    return 0;
  lines = g_strsplit (contents + offset, "\n", -1);
  /* the last piece has no newline yet: it may be half written */
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      unsigned flags, x, y;
      const char *line = strstr (lines[i], "MOUSE ");

      if (line == NULL || sscanf (line, "MOUSE %2x %2x %2x", &flags, &x, &y) != 3)
        continue;
      *dx += (int) x - ((flags & 0x10) ? 256 : 0);
      *dy -= (int) y - ((flags & 0x20) ? 256 : 0);
      packets++;
    }
  return packets;
}

gsize
piso_live_file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gsize) st.st_size : 0;
}

char *
piso_live_serial_log (PisoLiveDaemon *self,
                      const char     *name)
{
  g_autofree char *file = g_strdup_printf ("%s-serial.log", name);

  return g_build_filename (self->dir, "log", "qemu", file, NULL);
}

void
piso_live_wait_file_contains (const char *path,
                              const char *needle,
                              guint       timeout_s,
                              const char *what)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) timeout_s * G_USEC_PER_SEC;
  gint64 next_read = 0;

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      /* A serial log grows slowly: reading it ten times a second is enough */
      if (now >= next_read)
        {
          g_autofree char *contents = NULL;

          if (g_file_get_contents (path, &contents, NULL, NULL) &&
              strstr (contents, needle) != NULL)
            break;
          next_read = now + 100 * 1000;
        }
      if (now > deadline)
        g_error ("Timed out after %u s waiting for %s (“%s” in %s)", timeout_s, what, needle, path);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }

  g_test_message ("%s after %.1f s", what,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

void
piso_live_wait_guest_ready (PisoLiveDaemon *self,
                            const char     *name,
                            guint           timeout_s)
{
  g_autofree char *log = piso_live_serial_log (self, name);
  g_autofree char *needle = g_strdup_printf ("PISO-GUEST-READY name=%s", name);
  g_autofree char *what = g_strdup_printf ("the ready line of %s", name);

  piso_live_wait_file_contains (log, needle, timeout_s, what);
}

virStoragePoolPtr
piso_live_make_pool (PisoLiveDaemon *self,
                     PisoConnection *connection)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  g_autofree char *images = g_build_filename (piso_live_daemon_get_dir (self), "images", NULL);
  g_autofree char *xml = NULL;
  virStoragePoolPtr pool;

  g_assert_cmpint (g_mkdir (images, 0755), ==, 0);
  xml = g_strdup_printf ("<pool type='dir'><name>default</name><target><path>%s</path></target></pool>",
                         images);
  pool = virStoragePoolCreateXML (handle, xml, 0);
  g_assert_nonnull (pool);
  virConnectClose (handle);
  return pool;
}

char *
piso_live_make_volume (virStoragePoolPtr  pool,
                       const char        *xml)
{
  virStorageVolPtr vol = virStorageVolCreateXML (pool, xml, 0);
  char *path;
  char *copy;

  g_assert_nonnull (vol);
  path = virStorageVolGetPath (vol);
  copy = g_strdup (path);
  free (path);
  virStorageVolFree (vol);
  return copy;
}

PisoMachine *
piso_live_define (PisoConnection *connection,
                  const char     *xml)
{
  return piso_test_define (connection, xml);
}

char *
piso_live_qcow2_disk_xml (const char *path,
                          const char *target)
{
  return g_strdup_printf ("    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                          "<source file='%s'/><target dev='%s' bus='virtio'/></disk>\n", path, target);
}

PisoMachine *
piso_live_define_guest (PisoLiveDaemon *self,
                        PisoConnection *connection,
                        const char     *name,
                        const char     *disks,
                        const char     *mac)
{
  g_autofree char *devices = g_strdup_printf ("%s    <interface type='user'><mac address='%s'/>"
                                              "<model type='virtio'/></interface>",
                                              disks != NULL ? disks : "", mac);
  g_autofree char *xml = piso_live_domain_xml (self, name, devices);

  return piso_live_define (connection, xml);
}

void
piso_live_run_action (PisoMachine    *machine,
                      PisoLiveAsync   action,
                      PisoLiveFinish  finish)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  action (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  g_assert_true (finish (machine, result, &error));
  g_assert_no_error (error);
}

const char *
piso_live_guest_iso (void)
{
  static char *path;

  if (path == NULL)
    path = g_build_filename (g_getenv ("PISO_LIVE_GUEST_DIR"), "piso-guest.iso", NULL);
  return path;
}

const char *
piso_live_guest_installer_iso (void)
{
  static char *path;

  if (path == NULL)
    path = g_build_filename (g_getenv ("PISO_LIVE_GUEST_DIR"), "piso-guest-installer.iso", NULL);
  return path;
}

PisoMachine *
piso_live_start_mouse_guest (PisoLiveDaemon *self,
                             PisoConnection *connection,
                             const char     *name,
                             char          **serial_log)
{
  g_autofree char *xml = piso_live_mouse_domain_xml (self, name);
  PisoMachine *machine = piso_live_define (connection, xml);

  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  *serial_log = piso_live_serial_log (self, name);
  piso_live_wait_file_contains (*serial_log, "PISO-MOUSE-READY", 180, "the guest's mouse report");
  return machine;
}

static void
console_readable (virStreamPtr stream,
                  int          events,
                  void        *opaque)
{
  PisoLiveConsole *console = opaque;
  char buffer[4096];
  const char *line, *end;
  int n;

  while ((n = virStreamRecv (stream, buffer, sizeof buffer)) > 0)
    g_string_append_len (console->text, buffer, n);
  if (console->ready_name != NULL)
    return;
  line = strstr (console->text->str, "PISO-GUEST-READY name=");
  if (line != NULL && (end = strpbrk (line, "\r\n")) != NULL)
    {
      g_autofree char *rest = NULL;

      line += strlen ("PISO-GUEST-READY name=");
      rest = g_strndup (line, end - line);
      /* "name=NAME" then "installed=1" from an installed guest */
      console->installed = strstr (rest, " installed=1") != NULL;
      console->ready_name = g_strndup (rest, strcspn (rest, " "));
      console->ready_at = g_get_monotonic_time ();
    }
}

PisoLiveConsole *
piso_live_console_open_domain (virDomainPtr dom)
{
  PisoLiveConsole *console = g_new0 (PisoLiveConsole, 1);

  console->text = g_string_new (NULL);
  console->stream = virStreamNew (virDomainGetConnect (dom), VIR_STREAM_NONBLOCK);
  g_assert_nonnull (console->stream);
  g_assert_cmpint (virDomainOpenConsole (dom, NULL, console->stream, VIR_DOMAIN_CONSOLE_FORCE), ==, 0);
  g_assert_cmpint (virStreamEventAddCallback (console->stream, VIR_STREAM_EVENT_READABLE,
                                              console_readable, console, NULL), ==, 0);
  return console;
}

PisoLiveConsole *
piso_live_console_open (PisoMachine *machine)
{
  virDomainPtr dom = _piso_machine_ref_handle (machine);
  PisoLiveConsole *console = piso_live_console_open_domain (dom);

  virDomainFree (dom);
  return console;
}

static void
runs_state_changed (PisoMachine  *machine,
                    GParamSpec   *pspec,
                    PisoLiveRuns *runs)
{
  PisoMachineState state = piso_machine_get_state (machine);

  if (state == PISO_MACHINE_STATE_SHUTOFF && !runs->was_off)
    {
      runs->was_off = TRUE;
      runs->stopped_at = g_get_monotonic_time ();
    }
  else if (state == PISO_MACHINE_STATE_RUNNING && runs->was_off)
    {
      runs->was_off = FALSE;
      runs->runs++;
      runs->started_at = g_get_monotonic_time ();
      g_clear_pointer (&runs->console, piso_live_console_close);
      runs->console = piso_live_console_open (machine);
    }
}

PisoLiveRuns *
piso_live_runs_follow (PisoMachine *machine)
{
  PisoLiveRuns *runs = g_new0 (PisoLiveRuns, 1);

  runs->machine = g_object_ref (machine);
  if (piso_machine_get_state (machine) == PISO_MACHINE_STATE_RUNNING)
    {
      runs->runs = 1;
      runs->console = piso_live_console_open (machine);
    }
  else
    runs->was_off = TRUE;
  g_signal_connect (machine, "notify::state", G_CALLBACK (runs_state_changed), runs);
  return runs;
}

gboolean
piso_live_runs_ready_again (gpointer data)
{
  PisoLiveRuns *runs = data;

  return runs->runs >= 2 && runs->console != NULL && piso_live_console_ready (runs->console);
}

void
piso_live_runs_free (PisoLiveRuns *runs)
{
  g_signal_handlers_disconnect_by_data (runs->machine, runs);
  g_clear_pointer (&runs->console, piso_live_console_close);
  g_object_unref (runs->machine);
  g_free (runs);
}

gboolean
piso_live_console_ready (gpointer console)
{
  return ((PisoLiveConsole *) console)->ready_name != NULL;
}

void
piso_live_console_close (PisoLiveConsole *console)
{
  virStreamEventRemoveCallback (console->stream);
  virStreamAbort (console->stream);
  virResetLastError ();
  virStreamFree (console->stream);
  g_string_free (console->text, TRUE);
  g_free (console->ready_name);
  g_free (console);
}

char *
piso_live_shell_line (guint       n,
                      const char *command)
{
  return g_strdup_printf ("printf '<<B%%s>>\\n' %u; %s; printf '\\n<<E%%s>>\\n' %u\n", n, command, n);
}

char *
piso_live_shell_output (const char *text,
                        gsize       from,
                        guint       n)
{
  g_autofree char *begin = g_strdup_printf ("<<B%u>>", n);
  g_autofree char *end = g_strdup_printf ("<<E%u>>", n);
  const char *start = strstr (text + from, begin);
  const char *stop;
  GString *result;

  if (start == NULL || (stop = strstr (start, end)) == NULL)
    return NULL;
  start += strlen (begin);

  /* the guest's tty writes "\r\n" for each line end */
  result = g_string_sized_new (stop - start);
  for (const char *p = start; p < stop; p++)
    if (*p != '\r')
      g_string_append_c (result, *p);
  return g_strstrip (g_string_free (result, FALSE));
}

typedef struct
{
  PisoLiveConsole *console;
  gsize            from;
  guint            n;
  char            *output;
} ShellWait;

static gboolean
shell_answered (gpointer user_data)
{
  ShellWait *w = user_data;

  w->output = piso_live_shell_output (w->console->text->str, w->from, w->n);
  return w->output != NULL;
}

char *
piso_live_console_run (PisoLiveConsole *console,
                       const char      *command,
                       guint            timeout_s)
{
  ShellWait wait = { console, console->text->len, ++console->commands, NULL };
  g_autofree char *line = piso_live_shell_line (wait.n, command);
  gsize len = strlen (line);
  gsize done = 0;

  while (done < len)
    {
      int n = virStreamSend (console->stream, line + done, len - done);

      if (n == -2)
        {
          piso_test_spin (10);
          continue;
        }
      g_assert_cmpint (n, >, 0);
      done += n;
    }
  piso_test_wait_until (shell_answered, &wait, timeout_s, command);
  return wait.output;
}

GTestDBus *
piso_live_session_bus_up (void)
{
  g_autofree char *display = NULL;
  GTestDBus *bus;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return NULL;
  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  return bus;
}

/* ---- a sound server ---- */

static GSubprocess *sound_server;
static char *sound_server_dir;

static void
sound_server_child_setup (gpointer user_data)
{
  /* it goes when the test does, however it ends */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

gboolean
piso_live_sound_server_start (GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *server = NULL;

  g_return_val_if_fail (sound_server == NULL, FALSE);

  sound_server_dir = g_dir_make_tmp ("piso-sound-XXXXXX", error);
  if (sound_server_dir == NULL)
    return FALSE;
  socket_path = g_build_filename (sound_server_dir, "native", NULL);
  protocol = g_strdup_printf ("module-native-protocol-unix socket=%s auth-anonymous=1", socket_path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, sound_server_child_setup, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "HOME", sound_server_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", sound_server_dir, TRUE);
  /* no configuration of the machine's: exactly the modules named here */
  sound_server = g_subprocess_launcher_spawn (launcher, error, "pulseaudio", "-n",
                                              "--daemonize=no", "--exit-idle-time=-1",
                                              "--use-pid-file=no", "-L", protocol,
                                              "-L", "module-null-sink", NULL);
  if (sound_server == NULL)
    return FALSE;
  for (guint i = 0; i < 100 && !g_file_test (socket_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (100 * 1000);
  if (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "pulseaudio made no socket in 10 s");
      piso_live_sound_server_stop ();
      return FALSE;
    }
  server = g_strdup_printf ("unix:%s", socket_path);
  g_setenv ("PULSE_SERVER", server, TRUE);
  return TRUE;
}

void
piso_live_sound_server_stop (void)
{
  if (sound_server != NULL)
    {
      g_subprocess_force_exit (sound_server);
      g_subprocess_wait (sound_server, NULL, NULL);
      g_clear_object (&sound_server);
    }
  if (sound_server_dir != NULL)
    {
      const char *argv[] = { "rm", "-rf", "--one-file-system", sound_server_dir, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                    NULL, NULL, NULL, NULL);
      g_clear_pointer (&sound_server_dir, g_free);
    }
  g_unsetenv ("PULSE_SERVER");
}
