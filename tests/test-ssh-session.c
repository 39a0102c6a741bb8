/* test-ssh-session.c: PisoSshSession against an sshd of the test's own
 *
 * One sshd per program, on 127.0.0.1 and a free port, with its own host key
 * and a key made here (with a passphrase, so the askpass path is exercised:
 * the login user is whoever runs the test, so no password can be known).
 * Skipped when OpenSSH's server is not installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "piso-test-utils.h"
#include "piso-backend-private.h"
#include "piso-manager.h"
#include "piso-connection.h"
#include "piso-ssh-session.h"
#include "piso-test-sshd.h"

#define PASSPHRASE "correct horse"

typedef struct
{
  PisoTestSshd *sshd;
  char        *dir;
  char        *skip_reason;
  guint        port;
  guint        no_nc_port;      /* a host whose every command says "nc: not found" */
  char        *uri;
  char        *host_fingerprint;
  char        *known_line;       /* the host's real key, as known_hosts has it */
  char        *no_nc_known_line;
  char        *other_known_line; /* another key, for the "changed" test */
} Server;

static Server server;

typedef struct
{
  PisoSshSession *session;
  GPtrArray      *kinds;            /* PisoSshPromptKind of each prompt, in order */
  guint           retries;          /* prompts marked as asked again */
  GPtrArray      *prompts;          /* kept unanswered, when hold is set */
  const char     *passphrase;       /* the answer to passphrase prompts */
  const char     *first_passphrase; /* the answer to the first, when set */
  gboolean        hold;             /* answer nothing: for the cancel test */
  char           *fingerprint_seen;
} Client;

static char *
run (const char * const *argv,
     int                *status)
{
  return piso_test_run_output (argv, status);
}

static char *
path_in (const char *name)
{
  return g_build_filename (server.dir, name, NULL);
}

static void
server_start (void)
{
  g_autofree char *other_pub = NULL;
  g_autofree char *extra = NULL;
  g_auto(GStrv) words = NULL;
  PisoTestSshdOptions options = { .passphrase = PASSPHRASE };

  do
    server.no_nc_port = piso_test_free_port ();
  while (server.no_nc_port == piso_test_free_port ());
  /* What libvirt's remote script meets on a host with neither
   * virt-ssh-helper nor nc. */
  extra = g_strdup_printf ("Port %u\n"
                           "Match LocalPort %u\n"
                           "  ForceCommand echo 'sh: 1: nc: not found' >&2; exit 127\n",
                           server.no_nc_port, server.no_nc_port);
  options.extra_config = extra;
  /* (its own port is another free one: rarely, the same) */
  while ((server.sshd = piso_test_sshd_start (&options, &server.skip_reason)) != NULL &&
         server.sshd->port == server.no_nc_port)
    piso_test_sshd_stop (server.sshd);
  if (server.sshd == NULL)
    return;

  server.dir = g_strdup (server.sshd->dir);
  /* The session's private directory goes under here, not the user's. */
  {
    g_autofree char *runtime = path_in ("run");
    g_mkdir (runtime, 0700);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  }
  server.port = server.sshd->port;
  server.host_fingerprint = g_strdup (server.sshd->fingerprint);
  server.known_line = g_strdup (server.sshd->known_line);
  other_pub = piso_test_sshd_make_key (server.sshd, "other_host_key", NULL);

  /* known_hosts lines: "[127.0.0.1]:PORT TYPE KEY". */
  words = g_strsplit (server.sshd->host_public, " ", 3);
  server.no_nc_known_line = g_strdup_printf ("[127.0.0.1]:%u %s %s\n", server.no_nc_port, words[0],
                                             words[1]);
  g_strfreev (g_steal_pointer (&words));
  words = g_strsplit (other_pub, " ", 3);
  server.other_known_line = g_strdup_printf ("[127.0.0.1]:%u %s %s\n", server.port, words[0],
                                             words[1]);
  {
    g_autofree char *escaped = g_uri_escape_string (server.sshd->key, "/", FALSE);

    server.uri = g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u/system?keyfile=%s",
                                  g_get_user_name (), server.port, escaped);
  }
}

static void
server_stop (void)
{
  piso_test_sshd_stop (g_steal_pointer (&server.sshd));
}

static gboolean
skip_without_sshd (void)
{
  if (server.skip_reason == NULL)
    return FALSE;
  g_test_skip (server.skip_reason);
  return TRUE;
}

static guint
count_logins (void)
{
  return piso_test_sshd_count_logins (server.sshd);
}

static void
prompt_cb (PisoSshSession *session,
           PisoSshPrompt  *prompt,
           Client         *c)
{
  PisoSshPromptKind kind = piso_ssh_prompt_get_kind (prompt);

  g_ptr_array_add (c->kinds, GINT_TO_POINTER (kind));
  if (piso_ssh_prompt_get_retry (prompt))
    c->retries++;
  if (c->hold)
    {
      g_ptr_array_add (c->prompts, g_object_ref (prompt));
      return;
    }
  switch (kind)
    {
    case PISO_SSH_PROMPT_HOST_KEY_UNKNOWN:
      piso_set_str (&c->fingerprint_seen, piso_ssh_prompt_get_fingerprint (prompt));
      piso_ssh_prompt_accept_host_key (prompt, TRUE);
      break;
    case PISO_SSH_PROMPT_PASSPHRASE:
      g_test_message ("passphrase prompt: %s", piso_ssh_prompt_get_text (prompt));
      piso_ssh_prompt_answer (prompt, c->first_passphrase != NULL ? c->first_passphrase
                                                                  : c->passphrase);
      c->first_passphrase = NULL;
      break;
    default:
      g_test_message ("Unexpected prompt: %s", piso_ssh_prompt_get_text (prompt));
      piso_ssh_prompt_cancel (prompt);
    }
}

static void
client_init (Client     *c,
             const char *uri,
             const char *known_hosts_contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = NULL;
  g_autofree char *config = g_strdup (server.sshd->client_config);
  static guint n;

  memset (c, 0, sizeof *c);
  c->session = piso_ssh_session_new (uri, &error);
  g_assert_no_error (error);
  c->kinds = g_ptr_array_new ();
  c->prompts = g_ptr_array_new_with_free_func (g_object_unref);
  c->passphrase = PASSPHRASE;
  known_hosts = g_strdup_printf ("%s/known_hosts-%u", server.dir, n++);
  g_assert_true (g_file_set_contents (known_hosts, known_hosts_contents, -1, NULL));
  piso_ssh_session_set_known_hosts_file (c->session, known_hosts);
  piso_ssh_session_set_config_file (c->session, config);
  g_signal_connect (c->session, "prompt", G_CALLBACK (prompt_cb), c);
}

static void
client_clear (Client *c)
{
  g_autofree char *dir = g_path_get_dirname (piso_ssh_session_get_control_path (c->session));

  g_ptr_array_unref (c->prompts);
  g_assert_finalize_object (c->session);
  /* The private directory goes with the session (once its master is gone). */
  for (guint i = 0; i < 200 && g_file_test (dir, G_FILE_TEST_EXISTS); i++)
    {
      g_usleep (10000);
      g_rmdir (dir);
    }
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_ptr_array_unref (c->kinds);
  g_free (c->fingerprint_seen);
}

static gboolean
client_connect (Client        *c,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_ssh_session_connect_async (c->session, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return piso_ssh_session_connect_finish (c->session, result, error);
}

static int
master_check (PisoSshSession *session)
{
  g_autofree char *option = g_strconcat ("ControlPath=",
                                         piso_ssh_session_get_control_path (session), NULL);
  const char *argv[] = { "ssh", "-o", option, "-O", "check", "--", "127.0.0.1", NULL };
  g_autofree char *out = NULL;
  int status;

  out = run (argv, &status);
  return status;
}

static void
test_one_login (void)
{
  Client c;
  g_autoptr(GError) error = NULL;
  guint logins_before;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *libvirt_uri = NULL;
  g_autofree char *expected = NULL;

  if (skip_without_sshd ())
    return;

  client_init (&c, server.uri, "");
  logins_before = count_logins ();
  g_assert_true (client_connect (&c, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (piso_ssh_session_get_connected (c.session));

  /* An unknown host key, then the key's passphrase; the fingerprint shown
   * is the host's. */
  g_assert_cmpuint (c.kinds->len, ==, 2);
  g_assert_cmpint (GPOINTER_TO_INT (c.kinds->pdata[0]), ==, PISO_SSH_PROMPT_HOST_KEY_UNKNOWN);
  g_assert_cmpint (GPOINTER_TO_INT (c.kinds->pdata[1]), ==, PISO_SSH_PROMPT_PASSPHRASE);
  g_assert_cmpstr (c.fingerprint_seen, ==, server.host_fingerprint);
  g_assert_cmpuint (c.retries, ==, 0);
  g_assert_cmpint (master_check (c.session), ==, 0);

  /* Two commands, as libvirt and a console would run them: no new login,
   * no prompt. */
  for (guint i = 0; i < 2; i++)
    {
      const char *remote[] = { "echo", "through-the-master", NULL };
      g_auto(GStrv) argv = piso_ssh_session_build_argv (c.session, remote);
      g_autofree char *out = run ((const char * const *) argv, NULL);

      g_assert_cmpstr (out, ==, "through-the-master\n");
    }
  /* Connecting again is the same login. */
  g_assert_true (client_connect (&c, NULL, &error));
  g_assert_cmpuint (c.kinds->len, ==, 2);
  g_assert_cmpuint (count_logins (), ==, logins_before + 1);

  /* libvirt runs the session's program instead of ssh. */
  libvirt_uri = piso_ssh_session_get_libvirt_uri (c.session);
  expected = g_strconcat ("&command=", piso_ssh_session_get_ssh_program (c.session), NULL);
  g_assert_true (g_str_has_prefix (libvirt_uri, server.uri));
  g_assert_cmpstr (libvirt_uri + strlen (server.uri), ==, expected);

  piso_ssh_session_close_async (c.session, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_ssh_session_close_finish (c.session, result, &error));
  g_assert_false (piso_ssh_session_get_connected (c.session));
  g_assert_cmpint (master_check (c.session), !=, 0);
  g_clear_object (&result);
  client_clear (&c);
}

static gboolean
is_disconnected (gpointer user_data)
{
  return !piso_ssh_session_get_connected (user_data);
}

/* A master that ends behind Piso's back (here `ssh -O exit` from outside,
 * as the host going away or the idle timeout would) logs the session out;
 * connecting again logs in again. */
static void
test_master_gone (void)
{
  Client c;
  g_autoptr(GError) error = NULL;
  g_autofree char *option = NULL;
  g_autofree char *out = NULL;

  if (skip_without_sshd ())
    return;

  client_init (&c, server.uri, server.known_line);
  g_assert_true (client_connect (&c, NULL, &error));
  g_assert_true (piso_ssh_session_get_connected (c.session));
  option = g_strconcat ("ControlPath=", piso_ssh_session_get_control_path (c.session), NULL);
  {
    const char *argv[] = { "ssh", "-o", option, "-O", "exit", "--", "127.0.0.1", NULL };
    out = run (argv, NULL);
  }
  piso_test_wait_until (is_disconnected, c.session, 10, "the session to notice");
  /* Channels fail plainly rather than logging in on their own. */
  {
    const char *remote[] = { "true", NULL };
    g_auto(GStrv) argv = piso_ssh_session_build_argv (c.session, remote);
    int status;
    g_autofree char *stdout_text = run ((const char * const *) argv, &status);

    g_assert_cmpint (status, ==, 255);
  }

  g_assert_true (client_connect (&c, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (piso_ssh_session_get_connected (c.session));
  g_assert_cmpuint (c.kinds->len, ==, 2);
  g_assert_cmpint (master_check (c.session), ==, 0);
  client_clear (&c);
}

static void
test_changed_host_key (void)
{
  Client c;
  g_autoptr(GError) error = NULL;

  if (skip_without_sshd ())
    return;

  client_init (&c, server.uri, server.other_known_line);
  g_assert_false (client_connect (&c, NULL, &error));
  g_assert_error (error, PISO_SSH_ERROR, PISO_SSH_PROBLEM_HOST_KEY_CHANGED);
  /* Refused before any question: no passphrase sent to an impostor. */
  g_assert_cmpuint (c.kinds->len, ==, 0);
  g_assert_false (piso_ssh_session_get_connected (c.session));
  client_clear (&c);
}

static void
test_wrong_passphrase (void)
{
  Client c;
  g_autoptr(GError) error = NULL;

  if (skip_without_sshd ())
    return;

  client_init (&c, server.uri, server.known_line);
  c.passphrase = "wrong horse";
  g_assert_false (client_connect (&c, NULL, &error));
  g_assert_error (error, PISO_SSH_ERROR, PISO_SSH_PROBLEM_AUTH_FAILED);
  g_assert_cmpuint (c.kinds->len, >=, 1);
  for (guint i = 0; i < c.kinds->len; i++)
    g_assert_cmpint (GPOINTER_TO_INT (c.kinds->pdata[i]), ==, PISO_SSH_PROMPT_PASSPHRASE);
  client_clear (&c);
}

/* A mistyped passphrase is asked again within the same attempt (OpenSSH
 * retries it), and the second, right answer logs in: one login. */
static void
test_wrong_then_right_passphrase (void)
{
  Client c;
  g_autoptr(GError) error = NULL;
  guint logins_before;

  if (skip_without_sshd ())
    return;

  client_init (&c, server.uri, server.known_line);
  c.first_passphrase = "wrong horse";
  logins_before = count_logins ();
  g_assert_true (client_connect (&c, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (piso_ssh_session_get_connected (c.session));
  g_assert_cmpuint (c.kinds->len, ==, 2);
  g_assert_cmpint (GPOINTER_TO_INT (c.kinds->pdata[0]), ==, PISO_SSH_PROMPT_PASSPHRASE);
  g_assert_cmpint (GPOINTER_TO_INT (c.kinds->pdata[1]), ==, PISO_SSH_PROMPT_PASSPHRASE);
  /* the second question says that the first answer was wrong */
  g_assert_cmpuint (c.retries, ==, 1);
  g_assert_cmpuint (count_logins (), ==, logins_before + 1);
  g_assert_cmpint (master_check (c.session), ==, 0);
  client_clear (&c);
}

static void
test_unreachable (void)
{
  Client c;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  if (skip_without_sshd ())
    return;

  uri = g_strdup_printf ("qemu+ssh://127.0.0.1:%u/system", piso_test_free_port ());
  client_init (&c, uri, "");
  g_assert_false (client_connect (&c, NULL, &error));
  g_assert_error (error, PISO_SSH_ERROR, PISO_SSH_PROBLEM_HOST_UNREACHABLE);
  client_clear (&c);
}

/* libvirt's own ssh transport, given the session's URI, logs in no more: its
 * remote script reaches the host through the master (a direct login would
 * fail here: BatchMode cannot unlock the key), and what the host answers is
 * diagnosed. */
static void
test_libvirt_through_master (void)
{
  Client c;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *libvirt_uri = NULL;
  g_autofree char *key = path_in ("id_user");
  g_autofree char *escaped = g_uri_escape_string (key, "/", FALSE);
  virConnectPtr conn;
  const char *message;
  guint logins_before;

  if (skip_without_sshd ())
    return;

  uri = g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u/system?keyfile=%s", g_get_user_name (),
                         server.no_nc_port, escaped);
  client_init (&c, uri, server.no_nc_known_line);
  logins_before = count_logins ();
  g_assert_true (client_connect (&c, NULL, &error));
  g_assert_no_error (error);

  libvirt_uri = piso_ssh_session_get_libvirt_uri (c.session);
  conn = virConnectOpen (libvirt_uri);
  g_assert_null (conn);
  message = virGetLastErrorMessage ();
  g_test_message ("libvirt says: %s", message);
  g_assert_nonnull (strstr (message, "nc: not found"));
  g_assert_cmpint (piso_ssh_diagnose (message), ==, PISO_SSH_PROBLEM_HELPER_MISSING);
  g_assert_cmpuint (count_logins (), ==, logins_before + 1);
  client_clear (&c);
}

static void
manager_prompt_cb (PisoManager   *manager,
                   PisoSshPrompt *prompt,
                   const char    *host,
                   Client        *c)
{
  g_assert_cmpstr (host, ==, "127.0.0.1");
  prompt_cb (NULL, prompt, c);
}

/* What a user sees: connections added to the manager log in through one
 * session per host (the passphrase asked once, through the manager's
 * "prompt"), and the row's error says what is wrong on the host in plain
 * words. */
static void
test_manager_connections (void)
{
  g_autoptr(PisoManager) manager = piso_manager_new ();
  g_autofree char *key = path_in ("id_user");
  g_autofree char *escaped = g_uri_escape_string (key, "/", FALSE);
  g_autofree char *system_uri = NULL;
  g_autofree char *session_uri = NULL;
  g_autofree char *helper_missing = piso_ssh_problem_explain (PISO_SSH_PROBLEM_HELPER_MISSING,
                                                              "127.0.0.1", 0);
  g_autofree char *changed = piso_ssh_problem_explain (PISO_SSH_PROBLEM_HOST_KEY_CHANGED,
                                                       "127.0.0.1", server.no_nc_port);
  g_autofree char *known_hosts = path_in ("known_hosts-manager");
  g_autofree char *config = g_strdup (server.sshd->client_config);
  PisoSshSession *session;
  PisoConnection *system;
  PisoConnection *user_session;
  Client c = { 0 };
  guint logins_before;

  if (skip_without_sshd ())
    return;

  system_uri = g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u/system?keyfile=%s",
                                g_get_user_name (), server.no_nc_port, escaped);
  session_uri = g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u/session", g_get_user_name (),
                                 server.no_nc_port);
  c.kinds = g_ptr_array_new ();
  c.prompts = g_ptr_array_new_with_free_func (g_object_unref);
  c.passphrase = PASSPHRASE;
  g_signal_connect (manager, "prompt", G_CALLBACK (manager_prompt_cb), &c);

  /* The test's own known hosts and config, set before the first login */
  session = piso_manager_ensure_ssh_session (manager, system_uri);
  g_assert_nonnull (session);
  g_assert_true (piso_manager_ensure_ssh_session (manager, session_uri) == session);
  g_assert_null (piso_manager_ensure_ssh_session (manager, "qemu:///system"));
  g_assert_true (g_file_set_contents (known_hosts, server.no_nc_known_line, -1, NULL));
  piso_ssh_session_set_known_hosts_file (session, known_hosts);
  piso_ssh_session_set_config_file (session, config);

  logins_before = count_logins ();
  system = piso_manager_add (manager, system_uri, NULL);
  g_assert_true (piso_connection_get_ssh_session (system) == session);
  piso_test_wait_until (piso_test_connection_settled, system, 60, "the /system connection to fail");
  g_assert_cmpint (piso_connection_get_state (system), ==, PISO_CONNECTION_STATE_FAILED);
  g_assert_cmpstr (piso_connection_get_error_message (system), ==, helper_missing);
  g_assert_true (piso_ssh_session_get_connected (session));

  /* A second connection to the host: no second login, no question */
  user_session = piso_manager_add (manager, session_uri, NULL);
  piso_test_wait_until (piso_test_connection_settled, user_session, 60, "the /session connection to fail");
  g_assert_cmpstr (piso_connection_get_error_message (user_session), ==, helper_missing);
  g_assert_cmpuint (count_logins (), ==, logins_before + 1);
  g_assert_cmpuint (c.kinds->len, ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (c.kinds->pdata[0]), ==, PISO_SSH_PROMPT_PASSPHRASE);

  /* The host's key changes (a reinstall, or an impostor): once the login
   * is gone, Retry refuses to connect and says why */
  piso_manager_remove (manager, user_session);
  {
    g_autofree char *port = g_strdup_printf ("]:%u ", server.port);
    g_autofree char *no_nc_port = g_strdup_printf ("]:%u ", server.no_nc_port);
    g_autoptr(GString) other = g_string_new (server.other_known_line);

    g_string_replace (other, port, no_nc_port, 1);
    g_assert_true (g_file_set_contents (known_hosts, other->str, -1, NULL));
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    piso_ssh_session_close_async (session, NULL, piso_test_store_result_cb, &result);
    piso_test_wait_result (&result, 30);
    g_assert_true (piso_ssh_session_close_finish (session, result, NULL));
  }
  piso_connection_retry (system);
  piso_test_wait_until (piso_test_connection_settled, system, 60, "the retry to fail");
  g_assert_cmpint (piso_connection_get_state (system), ==, PISO_CONNECTION_STATE_FAILED);
  g_assert_cmpstr (piso_connection_get_error_message (system), ==, changed);
  {
    /* with what removes the old key of a host on another port than 22 */
    g_autofree char *command = g_strdup_printf ("ssh-keygen -R \"[127.0.0.1]:%u\"", server.no_nc_port);

    g_assert_nonnull (strstr (changed, command));
  }
  g_assert_cmpuint (c.kinds->len, ==, 1);

  g_signal_handlers_disconnect_by_data (manager, &c);
  g_ptr_array_unref (c.prompts);
  g_ptr_array_unref (c.kinds);
}

/* Thread: accepts two connections on @listener and echoes each. */
static gpointer
echo_thread (gpointer user_data)
{
  GSocket *listener = user_data;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GSocket) peer = g_socket_accept (listener, NULL, NULL);
      char buffer[256];
      gssize n;

      if (peer == NULL)
        break;
      while ((n = g_socket_receive (peer, buffer, sizeof buffer, NULL, NULL)) > 0)
        if (g_socket_send (peer, buffer, n, NULL, NULL) != n)
          break;
    }
  return NULL;
}

/* A console channel's socket: "ssh -W" through the master reaches a TCP
 * port on the host's loopback (here an echo service standing in for a
 * SPICE port), with no second login. */
static void
test_tunnel (void)
{
  Client c;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocket) socket = NULL;
  GThread *thread;
  guint port = piso_test_free_port ();
  guint logins_before;
  char reply[16] = { 0 };
  gsize n = 0;
  int fd;

  if (skip_without_sshd ())
    return;

  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

    listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                             &error);
    g_assert_no_error (error);
    g_assert_true (g_socket_bind (listener, address, TRUE, &error));
    g_assert_true (g_socket_listen (listener, &error));
    g_assert_no_error (error);
  }
  thread = g_thread_new ("echo", echo_thread, listener);

  client_init (&c, server.uri, server.known_line);
  logins_before = count_logins ();
  g_assert_true (client_connect (&c, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    {
      fd = piso_ssh_session_open_tunnel (c.session, "127.0.0.1", port, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fd, >=, 0);
      socket = g_socket_new_from_fd (fd, &error);
      g_assert_no_error (error);
      g_socket_set_timeout (socket, 20);
      g_assert_cmpint (g_socket_send (socket, "spice", 5, NULL, &error), ==, 5);
      while (n < 5)
        {
          gssize got = g_socket_receive (socket, reply + n, sizeof reply - 1 - n, NULL, &error);

          g_assert_no_error (error);
          g_assert_cmpint (got, >, 0);
          n += got;
        }
      g_assert_cmpstr (reply, ==, "spice");
      g_clear_object (&socket);
      memset (reply, 0, sizeof reply);
      n = 0;
    }
  g_assert_cmpuint (count_logins (), ==, logins_before + 1);

  g_thread_join (thread);
  client_clear (&c);
}

static gboolean
has_prompt (gpointer user_data)
{
  Client *c = user_data;

  return c->prompts->len > 0;
}

/* Any process whose command line mentions @needle. */
static gboolean
process_mentions (const char *needle)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize len;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &len, NULL))
        continue;
      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_cancel (void)
{
  Client c;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *control_path = NULL;
  const char *askpass = g_getenv ("PISO_SSH_ASKPASS");

  if (skip_without_sshd ())
    return;

  client_init (&c, server.uri, server.known_line);
  c.hold = TRUE;
  control_path = g_strdup (piso_ssh_session_get_control_path (c.session));
  piso_ssh_session_connect_async (c.session, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_until (has_prompt, &c, 20, "the passphrase prompt");
  g_assert_true (process_mentions (control_path));

  g_cancellable_cancel (cancellable);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_ssh_session_connect_finish (c.session, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (piso_ssh_prompt_get_finished (c.prompts->pdata[0]));

  /* ssh is gone when the result arrives; its askpass helper, told that the
   * question is void, follows within moments. */
  g_assert_false (process_mentions (control_path));
  for (guint i = 0; i < 200 && askpass != NULL && process_mentions (askpass); i++)
    piso_test_spin (10);
  if (askpass != NULL)
    g_assert_false (process_mentions (askpass));
  g_assert_cmpint (master_check (c.session), !=, 0);
  g_clear_object (&result);
  client_clear (&c);
}

static void
test_diagnose (void)
{
  static const struct { const char *text; PisoSshProblem problem; } cases[] = {
    { "ssh: connect to host 192.0.2.1 port 22: Connection refused", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
    { "ssh: Could not resolve hostname nowhere: Name or service not known", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
    { "user@host: Permission denied (publickey,password).", PISO_SSH_PROBLEM_AUTH_FAILED },
    { "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.", PISO_SSH_PROBLEM_HOST_KEY_CHANGED },
    { "Host key verification failed.", PISO_SSH_PROBLEM_HOST_KEY_REFUSED },
    { "End of file while reading data: sh: 1: nc: not found: Input/output error", PISO_SSH_PROBLEM_HELPER_MISSING },
    { "Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused", PISO_SSH_PROBLEM_NO_DAEMON },
    { "virt-ssh-helper: cannot connect to '/var/run/libvirt/virtqemud-sock': Failed to connect socket to '/var/run/libvirt/virtqemud-sock': No such file or directory", PISO_SSH_PROBLEM_NO_DAEMON },
    { "Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied", PISO_SSH_PROBLEM_SOCKET_PERMISSION },
    { "authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'", PISO_SSH_PROBLEM_SOCKET_PERMISSION },
    { "something else entirely", PISO_SSH_PROBLEM_UNKNOWN },
  };
  static const struct { const char *hint; const char *text; PisoSshPromptKind kind; const char *fingerprint; } prompts[] = {
    { NULL, "user@host's password: ", PISO_SSH_PROMPT_PASSWORD, NULL },
    { NULL, "Enter passphrase for key '/home/u/.ssh/id_ed25519': ", PISO_SSH_PROMPT_PASSPHRASE, NULL },
    { NULL, "The authenticity of host 'h (192.0.2.1)' can't be established.\nED25519 key fingerprint is SHA256:abc+/DEF123.\nAre you sure you want to continue connecting (yes/no/[fingerprint])? ", PISO_SSH_PROMPT_HOST_KEY_UNKNOWN, "SHA256:abc+/DEF123" },
    { "none", "Confirm user presence for key ED25519-SK SHA256:xyz", PISO_SSH_PROMPT_SECURITY_KEY_TOUCH, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = piso_ssh_error_new (cases[i].text, "example", 0);

      g_assert_cmpint (piso_ssh_diagnose (cases[i].text), ==, cases[i].problem);
      g_assert_error (error, PISO_SSH_ERROR, (gint) cases[i].problem);
      g_assert_nonnull (strstr (error->message, "example"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (prompts); i++)
    {
      g_autofree char *fingerprint = NULL;

      g_assert_cmpint (piso_ssh_prompt_classify (prompts[i].hint, prompts[i].text, &fingerprint),
                       ==, prompts[i].kind);
      g_assert_cmpstr (fingerprint, ==, prompts[i].fingerprint);
    }
}

static void
quiet_libvirt_error (void        *user_data,
                     virErrorPtr  error)
{
  /* Read through virGetLastErrorMessage, where a test expects one. */
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, quiet_libvirt_error);
  /* ssh writes where its user's runtime and home say: keep those private. */
  server_start ();

  g_test_add_func ("/ssh/diagnose", test_diagnose);
  g_test_add_func ("/ssh/one-login", test_one_login);
  g_test_add_func ("/ssh/master-gone", test_master_gone);
  g_test_add_func ("/ssh/tunnel", test_tunnel);
  g_test_add_func ("/ssh/libvirt-through-master", test_libvirt_through_master);
  g_test_add_func ("/ssh/changed-host-key", test_changed_host_key);
  g_test_add_func ("/ssh/manager-connections", test_manager_connections);
  g_test_add_func ("/ssh/wrong-passphrase", test_wrong_passphrase);
  g_test_add_func ("/ssh/wrong-then-right-passphrase", test_wrong_then_right_passphrase);
  g_test_add_func ("/ssh/unreachable", test_unreachable);
  g_test_add_func ("/ssh/cancel", test_cancel);
  status = g_test_run ();
  server_stop ();
  return status;
}
