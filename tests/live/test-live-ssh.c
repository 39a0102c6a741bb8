/* test-live-ssh.c: a machine on an SSH host, its console through the host's login
 *
 * The "host" is a private libvirtd behind an sshd of the test's own on
 * 127.0.0.1 (its own host key and config; the user running the test logs in
 * with a key made here, whose passphrase Piso asks for), as in issue 17's
 * test recipe. Piso connects with qemu+ssh://USER@127.0.0.1:PORT/system
 * through its PisoSshSession, starts the tiny guest with its SPICE display
 * on the host's loopback, and opens the console through the SSH tunnel: the
 * guest's colour bars arrive, typed text reaches its shell, and sshd saw one
 * login for the connection and the console together. libvirt's
 * OpenGraphicsFD, which ends a remote connection, must never be called.
 *
 * The same sshd also knows a password user of its own (only in its mount
 * namespace): Piso connects as that user, the test answers Piso's password
 * question wrongly first, Piso asks again saying so, the right password
 * logs in and the host's machines are listed; sshd's log shows the failed
 * then the accepted password.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <dlfcn.h>
#include <glib/gstdio.h>

#include "piso-live.h"
#include "piso-live-bars.h"
#include "piso-manager.h"
#include "piso-spice-session.h"
#include "piso-test-sshd.h"

#define PASSPHRASE "remote horse"
#define PASSWORD "stable door"
#define WRONG_PASSWORD "stable dour"

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static PisoTestSshd *sshd;
static char *skip_reason;

/* ---- OpenGraphicsFD, watched ---- */

static guint open_graphics_fd_calls;

/* Takes the place of libvirt's (this program defines it, so every caller in
 * the process — libvirt-gobject included — reaches this one first). */
int
virDomainOpenGraphicsFD (virDomainPtr dom,
                         unsigned int idx,
                         unsigned int flags)
{
  int (*real) (virDomainPtr, unsigned int, unsigned int) =
    (int (*) (virDomainPtr, unsigned int, unsigned int)) dlsym (RTLD_NEXT,
                                                               "virDomainOpenGraphicsFD");

  open_graphics_fd_calls++;
  return real (dom, idx, flags);
}

/* ---- helpers ---- */

typedef struct
{
  guint passphrase_prompts;
  guint other_prompts;
} Prompts;

static void
prompt_cb (PisoManager   *manager,
           PisoSshPrompt *prompt,
           const char    *host,
           Prompts       *prompts)
{
  g_assert_cmpstr (host, ==, "127.0.0.1");
  if (piso_ssh_prompt_get_kind (prompt) == PISO_SSH_PROMPT_PASSPHRASE)
    {
      prompts->passphrase_prompts++;
      piso_ssh_prompt_answer (prompt, PASSPHRASE);
    }
  else
    {
      g_test_message ("unexpected prompt: %s", piso_ssh_prompt_get_text (prompt));
      prompts->other_prompts++;
      piso_ssh_prompt_cancel (prompt);
    }
}

static gboolean
connected_with_primary (gpointer user_data)
{
  PisoSpiceSession *session = user_data;

  return piso_spice_session_get_state (session) == PISO_SPICE_STATE_CONNECTED &&
         piso_spice_session_get_primary (session, NULL, NULL, NULL, NULL, NULL) &&
         piso_spice_session_get_inputs (session) != NULL;
}

static gboolean
bars_seen (gpointer user_data)
{
  PisoDisplayRect bars[PISO_LIVE_N_BARS];

  return piso_live_find_bars (user_data, bars);
}

/* ---- the test ---- */

static void
test_console_through_ssh (void)
{
  g_autoptr(PisoManager) manager = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *name = piso_live_unique_name ("ssh");
  g_autofree char *uri = NULL;
  g_autofree char *escaped_key = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *serial = NULL;
  PisoSshSession *ssh;
  PisoConnection *connection;
  PisoDisplayRect bars[PISO_LIVE_N_BARS];
  Prompts prompts = { 0 };
  guint logins_before;
  gint64 start;

  PISO_LIVE_REQUIRE (live, skip_reason);
  PISO_LIVE_REQUIRE (sshd, skip_reason);

  escaped_key = g_uri_escape_string (sshd->key, "/", FALSE);
  /* No "socket=": with it libvirt runs nc on the host (which it may lack)
   * instead of virt-ssh-helper; sshd shows the private daemon's socket at
   * the host's default place instead. */
  uri = g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u/system?keyfile=%s", g_get_user_name (),
                         sshd->port, escaped_key);

  manager = piso_manager_new ();
  g_signal_connect (manager, "prompt", G_CALLBACK (prompt_cb), &prompts);
  ssh = piso_manager_ensure_ssh_session (manager, uri);
  g_assert_nonnull (ssh);
  piso_ssh_session_set_known_hosts_file (ssh, sshd->known_hosts);
  piso_ssh_session_set_config_file (ssh, sshd->client_config);

  /* ---- the connection: one login, the passphrase asked once ---- */
  logins_before = piso_test_sshd_count_logins (sshd);
  start = g_get_monotonic_time ();
  connection = piso_manager_add (manager, uri, NULL);
  g_assert_nonnull (connection);
  g_assert_false (piso_connection_is_local (connection));
  g_assert_true (piso_connection_get_ssh_session (connection) == ssh);
  piso_test_wait_until (piso_test_connection_settled, connection, 60, "the connection through sshd");
  if (piso_connection_get_state (connection) != PISO_CONNECTION_STATE_CONNECTED)
    g_error ("not connected: %s", piso_connection_get_error_message (connection));
  g_test_message ("connected through sshd in %.2f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_assert_cmpuint (prompts.passphrase_prompts, ==, 1);
  g_assert_cmpuint (prompts.other_prompts, ==, 0);

  /* ---- the guest, defined and started through the SSH connection ---- */
  xml = piso_live_loopback_domain_xml (live, name);
  machine = piso_live_define (connection, xml);
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_live_wait_guest_ready (live, name, 180);

  /* ---- its console, through the tunnel ---- */
  start = g_get_monotonic_time ();
  session = piso_spice_session_new (machine);
  piso_spice_session_connect (session);
  piso_test_wait_until (connected_with_primary, session, 30,
                        "a SPICE connection with a primary surface through SSH");
  piso_test_wait_until (bars_seen, session, 30, "the guest's colour bars through SSH");
  g_test_message ("colour bars %.2f s after opening the console",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_assert_true (piso_live_find_bars (session, bars));
  for (guint i = 1; i < PISO_LIVE_N_BARS; i++)
    g_assert_cmpint (bars[i - 1].x, <, bars[i].x);

  /* the shell on tty1 reads the keyboard; its output goes to the serial log */
  serial = piso_live_serial_log (live, name);
  piso_live_type_text (session, "\necho ssh-console-ok > /dev/ttyS0\n");
  piso_live_wait_file_contains (serial, "ssh-console-ok", 30, "the typed echo on the serial log");

  /* ---- one login for all of it; the remote connection never asked for an fd ---- */
  g_assert_cmpuint (piso_test_sshd_count_logins (sshd), ==, logins_before + 1);
  g_assert_cmpuint (prompts.passphrase_prompts, ==, 1);
  g_assert_cmpuint (open_graphics_fd_calls, ==, 0);
  g_assert_cmpint (piso_connection_get_state (connection), ==, PISO_CONNECTION_STATE_CONNECTED);

  piso_spice_session_disconnect (session);
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);
  g_assert_cmpuint (open_graphics_fd_calls, ==, 0);
  g_signal_handlers_disconnect_by_data (manager, &prompts);
}

typedef struct
{
  guint    password_prompts;
  gboolean retry[2];         /* of the first two password questions */
  guint    other_prompts;
} PasswordPrompts;

/* Answers the first password question wrongly, every later one rightly. */
static void
password_prompt_cb (PisoManager     *manager,
                    PisoSshPrompt   *prompt,
                    const char      *host,
                    PasswordPrompts *prompts)
{
  g_assert_cmpstr (host, ==, "127.0.0.1");
  if (piso_ssh_prompt_get_kind (prompt) == PISO_SSH_PROMPT_PASSWORD)
    {
      g_assert_nonnull (strstr (piso_ssh_prompt_get_text (prompt), sshd->password_user));
      if (prompts->password_prompts < G_N_ELEMENTS (prompts->retry))
        prompts->retry[prompts->password_prompts] = piso_ssh_prompt_get_retry (prompt);
      piso_ssh_prompt_answer (prompt, prompts->password_prompts++ == 0 ? WRONG_PASSWORD : PASSWORD);
    }
  else
    {
      g_test_message ("unexpected prompt: %s", piso_ssh_prompt_get_text (prompt));
      prompts->other_prompts++;
      piso_ssh_prompt_cancel (prompt);
    }
}

static void
test_password_login (void)
{
  g_autoptr(PisoConnection) direct = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoManager) manager = NULL;
  g_autofree char *name = piso_live_unique_name ("ssh-password");
  g_autofree char *xml = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *log = NULL;
  g_autofree char *failed_line = NULL;
  g_autofree char *accepted_line = NULL;
  PasswordPrompts prompts = { 0 };
  PisoSshSession *ssh;
  PisoConnection *connection;
  guint failed_before, accepted_before;
  const char *failed, *accepted;
  gint64 start;

  PISO_LIVE_REQUIRE (live, skip_reason);
  PISO_LIVE_REQUIRE (sshd, skip_reason);
  g_assert_nonnull (sshd->password_user);

  /* a machine on the host, defined without SSH */
  direct = piso_test_open_connection (piso_live_daemon_get_uri (live));
  xml = piso_live_domain_xml (live, name, NULL);
  machine = piso_live_define (direct, xml);

  uri = g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u/system", sshd->password_user, sshd->port);
  manager = piso_manager_new ();
  g_signal_connect (manager, "prompt", G_CALLBACK (password_prompt_cb), &prompts);
  ssh = piso_manager_ensure_ssh_session (manager, uri);
  g_assert_nonnull (ssh);
  piso_ssh_session_set_known_hosts_file (ssh, sshd->known_hosts);
  piso_ssh_session_set_config_file (ssh, sshd->password_client_config);

  failed_before = piso_test_sshd_count_log (sshd, "Failed password", sshd->password_user);
  accepted_before = piso_test_sshd_count_log (sshd, "Accepted password", sshd->password_user);
  start = g_get_monotonic_time ();
  connection = piso_manager_add (manager, uri, NULL);
  g_assert_nonnull (connection);
  piso_test_wait_until (piso_test_connection_settled, connection, 60,
                        "the password login through sshd");
  if (piso_connection_get_state (connection) != PISO_CONNECTION_STATE_CONNECTED)
    g_error ("not connected: %s", piso_connection_get_error_message (connection));
  g_test_message ("logged in with a password (the second) in %.2f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  /* asked twice; the second time saying the first answer was wrong */
  g_assert_cmpuint (prompts.password_prompts, ==, 2);
  g_assert_false (prompts.retry[0]);
  g_assert_true (prompts.retry[1]);
  g_assert_cmpuint (prompts.other_prompts, ==, 0);

  /* the host's machines, through the login */
  piso_test_wait_listed (connection, name, TRUE, 30);

  /* sshd: the wrong password refused, then the right one taken */
  g_assert_cmpuint (piso_test_sshd_count_log (sshd, "Failed password", sshd->password_user), ==,
                    failed_before + 1);
  g_assert_cmpuint (piso_test_sshd_count_log (sshd, "Accepted password", sshd->password_user), ==,
                    accepted_before + 1);
  g_assert_true (g_file_get_contents (sshd->log, &log, NULL, NULL));
  failed_line = g_strdup_printf ("Failed password for %s ", sshd->password_user);
  accepted_line = g_strdup_printf ("Accepted password for %s ", sshd->password_user);
  failed = g_strrstr (log, failed_line);
  accepted = g_strrstr (log, accepted_line);
  g_assert_true (failed != NULL && accepted != NULL && failed < accepted);

  g_signal_handlers_disconnect_by_data (manager, &prompts);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

  live = piso_live_daemon_start (&skip_reason);
  if (live != NULL)
    {
      g_autofree char *sock_dir = g_build_filename (piso_live_daemon_get_dir (live), "sock", NULL);
      PisoTestSshdOptions options = { .passphrase = PASSPHRASE, .libvirt_sock_dir = sock_dir,
                                      .password = PASSWORD };

      /* ssh writes where its user's runtime says: keep that private. */
      {
        g_autofree char *runtime = g_build_filename (piso_test_make_temp_dir (), "run", NULL);

        g_mkdir (runtime, 0700);
        g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
      }
      sshd = piso_test_sshd_start (&options, &skip_reason);
    }

  g_test_add_func ("/live/ssh/console", test_console_through_ssh);
  g_test_add_func ("/live/ssh/password", test_password_login);

  ret = g_test_run ();

  piso_test_sshd_stop (sshd);
  piso_live_daemon_free (live);
  g_free (skip_reason);

  return ret;
}
