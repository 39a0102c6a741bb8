/* piso-ssh-session.c: one SSH login per remote host, shared by all that talk to it
 *
 * Piso starts one OpenSSH master connection per host (ControlMaster) and
 * runs every later ssh — libvirt's transport, each console channel — as a
 * client of it, so the user authenticates once per host and a security key
 * is touched once. OpenSSH asks its questions through Piso's askpass helper
 * (SSH_ASKPASS_REQUIRE=force, OpenSSH ≥ 8.4), which relays them here over a
 * unix socket in a private directory; they reach the UI as "prompt".
 *
 * How libvirt reuses the master: the URI gets "command=<dir>/ssh", a small
 * script written into the session's private directory that runs
 * `ssh -o ControlMaster=no -o ControlPath=<socket> -o BatchMode=yes "$@"`.
 * libvirt 9.0 and 11.3 both keep their own ssh arguments and remote script
 * (virt-ssh-helper, else nc) with "command=" (docs/uri.rst, observed on 9.0),
 * so nothing of libvirt's behaviour changes but the login. The paths are
 * written into the script rather than passed in the environment because
 * libvirt gives ssh only a few variables (DISPLAY, HOME, PATH, SSH_ASKPASS,
 * SSH_AUTH_SOCK, XDG_RUNTIME_DIR…) and drops SSH_ASKPASS_REQUIRE; and a
 * fixed ControlPath derived from XDG_RUNTIME_DIR would break when that is
 * unset. BatchMode makes a lost master a clear error instead of a second,
 * promptless login. The ext transport would need Piso to copy libvirt's
 * remote script, which differs between versions: not taken.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-ssh-session"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "piso-backend-private.h"
#include "piso-ssh-prompt-private.h"
#include "piso-ssh-session.h"

/* How long an idle master outlives its last client, so a crashed Piso does
 * not leave it forever; a live libvirt connection is a client, so it never
 * idles while the host is in use. */
#define MASTER_PERSIST "10m"
/* What the ssh program says when the session's master has ended. */
#define SESSION_ENDED "piso-ssh: the SSH session to this host has ended; connect again"
/* sun_path holds 108 bytes; ssh adds ".XXXXXXXXXXXXXXXX" while it binds. */
#define MAX_SOCKET_DIR 80

struct _PisoSshSession
{
  GObject           parent_instance;

  char             *uri;
  char             *host;
  char             *user;
  guint             port;
  char             *keyfile;
  char             *known_hosts_file;
  char             *config_file;

  char             *dir;
  char             *control_path;
  char             *askpass_path;
  char             *ssh_program;
  char             *log_path;

  GSocketService   *askpass_service;
  GFileMonitor     *dir_monitor;
  GPtrArray        *prompts;
  GSubprocess      *master;
  gboolean          connected;
  char             *last_secret_prompt; /* the login's last password/passphrase question */
};

G_DEFINE_FINAL_TYPE (PisoSshSession, piso_ssh_session, G_TYPE_OBJECT)

enum { PROP_0, PROP_CONNECTED, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { PROMPT, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
askpass_program (void)
{
  /* Tests run the helper from the build tree. */
  const char *path = g_getenv ("PISO_SSH_ASKPASS");

  return path != NULL ? path : PISO_SSH_ASKPASS_PATH;
}

static void
set_connected (PisoSshSession *self,
               gboolean        connected)
{
  g_assert (PISO_IS_SSH_SESSION (self));

  if (self->connected == connected)
    return;
  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

/* $XDG_RUNTIME_DIR/piso/ssh-XXXXXX (mode 0700), or under /tmp when that path
 * is too long for a unix socket. */
static char *
make_private_dir (GError **error)
{
  g_autofree char *base = g_build_filename (g_get_user_runtime_dir (), "piso", NULL);
  g_autofree char *tmpl = NULL;

  if (strlen (base) + strlen ("/ssh-XXXXXX/askpass") > MAX_SOCKET_DIR ||
      g_mkdir_with_parents (base, 0700) != 0)
    {
      g_free (base);
      base = g_strdup (g_get_tmp_dir ());
    }
  tmpl = g_build_filename (base, "piso-ssh-XXXXXX", NULL);
  if (g_mkdtemp_full (tmpl, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot make a private directory for SSH in %s: %s", base, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&tmpl);
}

static gboolean
write_ssh_program (PisoSshSession  *self,
                   GError         **error)
{
  g_autofree char *quoted_path = g_shell_quote (self->control_path);
  g_autofree char *config = NULL;
  g_autofree char *script = NULL;

  g_assert (PISO_IS_SSH_SESSION (self));

  if (self->config_file != NULL)
    {
      g_autofree char *quoted = g_shell_quote (self->config_file);
      config = g_strdup_printf (" -F %s", quoted);
    }
  /* Without its master, ssh would log in on its own: say why it cannot. */
  script = g_strdup_printf ("#!/bin/sh\n"
                            "# Written by Piso: ssh through its master connection, see "
                            "piso-ssh-session.c.\n"
                            "if [ ! -S %s ]; then\n"
                            "  echo '" SESSION_ENDED "' >&2\n"
                            "  exit 255\n"
                            "fi\n"
                            "exec ssh%s -o ControlMaster=no -o ControlPath=%s -o BatchMode=yes "
                            "\"$@\"\n",
                            quoted_path, config != NULL ? config : "", quoted_path);
  if (!g_file_set_contents_full (self->ssh_program, script, -1, G_FILE_SET_CONTENTS_NONE, 0700,
                                 error))
    return FALSE;
  return TRUE;
}

/* The master removes its socket when it ends (`-O exit`, the host going
 * away, ControlPersist's idle timeout, a kill): the session is then logged
 * out, and the next connect logs in again. */
static void
dir_changed_cb (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other_file,
                GFileMonitorEvent  event,
                PisoSshSession    *self)
{
  g_autofree char *path = g_file_get_path (file);

  g_assert (PISO_IS_SSH_SESSION (self));

  /* A late event from a master that a new login has already replaced does
   * not count. */
  if (event == G_FILE_MONITOR_EVENT_DELETED && g_strcmp0 (path, self->control_path) == 0 &&
      !g_file_test (self->control_path, G_FILE_TEST_EXISTS))
    set_connected (self, FALSE);
}

static void
prompt_finished_cb (PisoSshPrompt  *prompt,
                    GParamSpec     *pspec,
                    PisoSshSession *self)
{
  g_assert (PISO_IS_SSH_SESSION (self));

  g_signal_handlers_disconnect_by_data (prompt, self);
  g_ptr_array_remove (self->prompts, prompt);
}

static void
cancel_prompts (PisoSshSession *self)
{
  g_autoptr(GPtrArray) prompts = NULL;

  g_assert (PISO_IS_SSH_SESSION (self));

  prompts = g_steal_pointer (&self->prompts);
  self->prompts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < prompts->len; i++)
    {
      g_signal_handlers_disconnect_by_data (prompts->pdata[i], self);
      piso_ssh_prompt_cancel (prompts->pdata[i]);
    }
}

static void
askpass_request_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GSocketConnection) connection = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autoptr(PisoSshPrompt) prompt = NULL;
  g_autoptr(PisoSshSession) self = NULL;
  char *newline;

  request = g_data_input_stream_read_upto_finish (G_DATA_INPUT_STREAM (object), result, NULL,
                                                  &error);
  self = g_weak_ref_get (g_object_get_data (G_OBJECT (connection), "piso-ssh-session"));
  if (request == NULL || self == NULL || (newline = strchr (request, '\n')) == NULL)
    {
      g_debug ("Unreadable askpass request: %s", error != NULL ? error->message : "no hint");
      return;
    }
  *newline = '\0';
  prompt = _piso_ssh_prompt_new (connection, request, newline + 1);
  g_debug ("ssh asks (%d): %s", piso_ssh_prompt_get_kind (prompt), newline + 1);
  /* OpenSSH asks the same again after a wrong answer. */
  if (piso_ssh_prompt_get_kind (prompt) == PISO_SSH_PROMPT_PASSWORD ||
      piso_ssh_prompt_get_kind (prompt) == PISO_SSH_PROMPT_PASSPHRASE)
    {
      _piso_ssh_prompt_set_retry (prompt, g_strcmp0 (self->last_secret_prompt, newline + 1) == 0);
      g_free (self->last_secret_prompt);
      self->last_secret_prompt = g_strdup (newline + 1);
    }

  g_ptr_array_add (self->prompts, g_object_ref (prompt));
  g_signal_connect (prompt, "notify::finished", G_CALLBACK (prompt_finished_cb), self);
  g_signal_emit (self, signals[PROMPT], 0, prompt);
  /* Nobody to ask: the question fails rather than waiting forever. */
  if (!g_signal_has_handler_pending (self, signals[PROMPT], 0, FALSE) &&
      !piso_ssh_prompt_get_finished (prompt) &&
      piso_ssh_prompt_get_kind (prompt) != PISO_SSH_PROMPT_SECURITY_KEY_TOUCH)
    piso_ssh_prompt_cancel (prompt);
}

static gpointer
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static gboolean
askpass_incoming_cb (GSocketService    *service,
                     GSocketConnection *connection,
                     GObject           *source_object,
                     PisoSshSession    *self)
{
  g_autoptr(GDataInputStream) data = NULL;

  g_assert (PISO_IS_SSH_SESSION (self));

  data = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  /* A weak link: a request that outlives the session is dropped. */
  g_object_set_data_full (G_OBJECT (connection), "piso-ssh-session", weak_ref_new (self),
                          weak_ref_free);
  g_data_input_stream_read_upto_async (data, "", 1, G_PRIORITY_DEFAULT, NULL,
                                       askpass_request_cb, g_object_ref (connection));
  return TRUE;
}

char *
piso_ssh_session_key_for_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  if ((parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL)) == NULL ||
      !g_str_has_suffix (g_uri_get_scheme (parsed), "+ssh") ||
      g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return NULL;
  /* A URI that brings its own ssh command is left to it. */
  if (g_uri_get_query (parsed) != NULL && strstr (g_uri_get_query (parsed), "command=") != NULL)
    return NULL;
  return g_strdup_printf ("%s@%s:%d", g_uri_get_user (parsed) ? g_uri_get_user (parsed) : "",
                          g_uri_get_host (parsed), MAX (g_uri_get_port (parsed), 0));
}

PisoSshSession *
piso_ssh_session_new (const char  *uri,
                      GError     **error)
{
  g_autoptr(PisoSshSession) self = NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  const char *scheme;

  g_return_val_if_fail (uri != NULL, NULL);

  if ((parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, error)) == NULL)
    return NULL;
  scheme = g_uri_get_scheme (parsed);
  if (!g_str_has_suffix (scheme, "+ssh") || g_uri_get_host (parsed) == NULL ||
      *g_uri_get_host (parsed) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Not an SSH address with a host: %s", uri);
      return NULL;
    }

  self = g_object_new (PISO_TYPE_SSH_SESSION, NULL);
  self->uri = g_strdup (uri);
  self->host = g_strdup (g_uri_get_host (parsed));
  self->user = g_strdup (g_uri_get_user (parsed));
  self->port = g_uri_get_port (parsed) > 0 ? (guint) g_uri_get_port (parsed) : 0;
  if (g_uri_get_query (parsed) != NULL)
    {
      g_autoptr(GHashTable) params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&",
                                                         G_URI_PARAMS_NONE, NULL);

      if (params != NULL)
        self->keyfile = g_strdup (g_hash_table_lookup (params, "keyfile"));
    }

  if ((self->dir = make_private_dir (error)) == NULL)
    return NULL;
  self->control_path = g_build_filename (self->dir, "master", NULL);
  self->askpass_path = g_build_filename (self->dir, "askpass", NULL);
  self->ssh_program = g_build_filename (self->dir, "ssh", NULL);
  self->log_path = g_build_filename (self->dir, "master.log", NULL);
  if (!write_ssh_program (self, error))
    return NULL;

  {
    g_autoptr(GFile) dir = g_file_new_for_path (self->dir);

    if ((self->dir_monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_NONE, NULL,
                                                       error)) == NULL)
      return NULL;
    g_signal_connect (self->dir_monitor, "changed", G_CALLBACK (dir_changed_cb), self);
  }

  self->askpass_service = g_socket_service_new ();
  address = g_unix_socket_address_new (self->askpass_path);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->askpass_service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL,
                                      error))
    return NULL;
  g_signal_connect (self->askpass_service, "incoming", G_CALLBACK (askpass_incoming_cb), self);
  g_socket_service_start (self->askpass_service);

  return g_steal_pointer (&self);
}

const char *
piso_ssh_session_get_uri (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);
  return self->uri;
}

const char *
piso_ssh_session_get_host (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);
  return self->host;
}

const char *
piso_ssh_session_get_user (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);
  return self->user;
}

guint
piso_ssh_session_get_port (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), 0);
  return self->port;
}

gboolean
piso_ssh_session_get_connected (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), FALSE);
  return self->connected;
}

const char *
piso_ssh_session_get_control_path (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);
  return self->control_path;
}

const char *
piso_ssh_session_get_ssh_program (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);
  return self->ssh_program;
}

void
piso_ssh_session_set_known_hosts_file (PisoSshSession *self,
                                       const char     *path)
{
  g_return_if_fail (PISO_IS_SSH_SESSION (self));
  piso_set_str (&self->known_hosts_file, path);
}

void
piso_ssh_session_set_config_file (PisoSshSession *self,
                                  const char     *path)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PISO_IS_SSH_SESSION (self));

  if (piso_set_str (&self->config_file, path) && !write_ssh_program (self, &error))
    g_warning ("Cannot rewrite %s: %s", self->ssh_program, error->message);
}

char *
piso_ssh_session_wrap_uri (PisoSshSession *self,
                           const char     *uri)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  escaped = g_uri_escape_string (self->ssh_program, "/", FALSE);
  return g_strdup_printf ("%s%scommand=%s", uri, strchr (uri, '?') ? "&" : "?", escaped);
}

char *
piso_ssh_session_get_libvirt_uri (PisoSshSession *self)
{
  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);

  return piso_ssh_session_wrap_uri (self, self->uri);
}

/* ssh's options naming the host: user, port, key, and where host keys live. */
static void
add_host_options (PisoSshSession *self,
                  GStrvBuilder   *argv)
{
  g_autofree char *port = NULL;

  g_assert (PISO_IS_SSH_SESSION (self));

  if (self->port != 0)
    {
      port = g_strdup_printf ("%u", self->port);
      g_strv_builder_add_many (argv, "-p", port, NULL);
    }
  if (self->user != NULL)
    g_strv_builder_add_many (argv, "-l", self->user, NULL);
}

static void
tunnel_ended_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    g_debug ("tunnel: %s", error->message);
}

int
piso_ssh_session_open_tunnel (PisoSshSession  *self,
                              const char      *address,
                              guint            port,
                              GError         **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *target = NULL;
  int fds[2];

  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), -1);
  g_return_val_if_fail (address != NULL, -1);
  g_return_val_if_fail (port > 0 && port < 65536, -1);

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socketpair: %s",
                   g_strerror (saved));
      return -1;
    }

  /* ssh's stdin and stdout are one end of the pair: "-W" joins them to the
   * TCP connection the host makes (no program needed on the host). */
  target = strchr (address, ':') != NULL ? g_strdup_printf ("[%s]:%u", address, port)
                                         : g_strdup_printf ("%s:%u", address, port);
  g_strv_builder_add_many (builder, self->ssh_program, "-W", target, NULL);
  add_host_options (self, builder);
  g_strv_builder_add_many (builder, "--", self->host, NULL);
  argv = g_strv_builder_end (builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_stdin_fd (launcher, fds[1]);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (fds[1]));
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (process == NULL)
    {
      close (fds[0]);
      return -1;
    }
  /* Reaped when the channel closes its end (ssh then sees EOF and exits). */
  g_subprocess_wait_async (process, NULL, tunnel_ended_cb, NULL);
  return fds[0];
}

GStrv
piso_ssh_session_build_argv (PisoSshSession     *self,
                             const char * const *remote_command)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();

  g_return_val_if_fail (PISO_IS_SSH_SESSION (self), NULL);

  g_strv_builder_add_many (argv, self->ssh_program, "-T", NULL);
  add_host_options (self, argv);
  g_strv_builder_add_many (argv, "--", self->host, NULL);
  if (remote_command != NULL)
    g_strv_builder_addv (argv, (const char **) remote_command);
  return g_strv_builder_end (argv);
}

static GStrv
master_argv (PisoSshSession *self)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_autofree char *control_path = g_strconcat ("ControlPath=", self->control_path, NULL);

  g_assert (PISO_IS_SSH_SESSION (self));

  g_strv_builder_add (argv, "ssh");
  if (self->config_file != NULL)
    g_strv_builder_add_many (argv, "-F", self->config_file, NULL);
  /* -N with ControlPersist: ssh forks into the background once logged in,
   * so its exit status is the login's outcome. */
  g_strv_builder_add_many (argv, "-N", "-T",
                           "-o", "ControlMaster=yes", "-o", control_path,
                           "-o", "ControlPersist=" MASTER_PERSIST,
                           /* A changed key is refused (never asked), a new
                            * one asked: OpenSSH's "ask". */
                           "-o", "StrictHostKeyChecking=ask",
                           "-o", "ConnectTimeout=20",
                           "-o", "ServerAliveInterval=30", NULL);
  if (self->known_hosts_file != NULL)
    {
      g_autofree char *option = g_strconcat ("UserKnownHostsFile=", self->known_hosts_file, NULL);
      g_strv_builder_add_many (argv, "-o", option, NULL);
    }
  if (self->keyfile != NULL)
    g_strv_builder_add_many (argv, "-i", self->keyfile, NULL);
  add_host_options (self, argv);
  g_strv_builder_add_many (argv, "--", self->host, NULL);
  return g_strv_builder_end (argv);
}

/* `ssh -O COMMAND` to the master; NULL if it cannot even start. */
static GSubprocess *
spawn_control (PisoSshSession  *self,
               const char      *command,
               GError         **error)
{
  g_autofree char *control_path = g_strconcat ("ControlPath=", self->control_path, NULL);
  const char *argv[] = { "ssh", "-o", control_path, "-O", command, "--", self->host, NULL };

  g_assert (PISO_IS_SSH_SESSION (self));

  return g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                            G_SUBPROCESS_FLAGS_STDERR_SILENCE, error);
}

typedef struct
{
  GSubprocess *process;
  gulong       cancelled_id;
} ConnectData;

static void
connect_data_free (gpointer data)
{
  ConnectData *cd = data;

  g_clear_object (&cd->process);
  g_free (cd);
}

static void
master_cancelled_cb (GCancellable   *cancellable,
                     PisoSshSession *self)
{
  /* Runs in the cancelling thread: only signal the process here; the wait
   * callback finishes on the main context. */
  if (self->master != NULL)
    g_subprocess_send_signal (self->master, SIGTERM);
}

static void
master_waited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PisoSshSession *self = g_task_get_source_object (task);
  ConnectData *cd = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  g_cancellable_disconnect (cancellable, cd->cancelled_id);
  cd->cancelled_id = 0;
  if (self->master == G_SUBPROCESS (object))
    g_clear_object (&self->master);
  cancel_prompts (self);

  if (g_cancellable_is_cancelled (cancellable))
    {
      /* ssh may have forked its master just before the signal. */
      if (g_file_test (self->control_path, G_FILE_TEST_EXISTS))
        {
          g_autoptr(GSubprocess) stop = spawn_control (self, "exit", NULL);
        }
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      return;
    }
  if (g_subprocess_get_if_exited (cd->process) && g_subprocess_get_exit_status (cd->process) == 0 &&
      g_file_test (self->control_path, G_FILE_TEST_EXISTS))
    {
      set_connected (self, TRUE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_file_get_contents (self->log_path, &log, NULL, NULL);
  g_debug ("ssh to %s failed: %s", self->host, log != NULL ? log : "(no output)");
  g_task_return_error (task, piso_ssh_error_new (log, self->host, self->port));
}

void
piso_ssh_session_connect_async (PisoSshSession      *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  ConnectData *cd;

  g_return_if_fail (PISO_IS_SSH_SESSION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_ssh_session_connect_async);

  if (self->connected && g_file_test (self->control_path, G_FILE_TEST_EXISTS))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->master != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Already logging in to %s", self->host);
      return;
    }
  set_connected (self, FALSE);
  g_clear_pointer (&self->last_secret_prompt, g_free);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "SSH_ASKPASS", askpass_program (), TRUE);
  g_subprocess_launcher_setenv (launcher, "SSH_ASKPASS_REQUIRE", "force", TRUE);
  g_subprocess_launcher_setenv (launcher, "PISO_SSH_ASKPASS_SOCKET", self->askpass_path, TRUE);
  /* ssh's messages are read by piso_ssh_diagnose. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/null");
  /* A file, not a pipe: the backgrounded master keeps its stderr open. */
  g_subprocess_launcher_set_stderr_file_path (launcher, self->log_path);

  argv = master_argv (self);
  if ((self->master = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv,
                                                    &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cd = g_new0 (ConnectData, 1);
  cd->process = g_object_ref (self->master);
  g_task_set_task_data (task, cd, connect_data_free);
  if (cancellable != NULL)
    cd->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (master_cancelled_cb),
                                              self, NULL);
  /* No cancellable: the wait ends when ssh does, so nothing is left behind. */
  g_subprocess_wait_async (cd->process, NULL, master_waited_cb, g_steal_pointer (&task));
}

gboolean
piso_ssh_session_connect_finish (PisoSshSession  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
control_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
piso_ssh_session_close_async (PisoSshSession      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PISO_IS_SSH_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_ssh_session_close_async);
  set_connected (self, FALSE);

  if (!g_file_test (self->control_path, G_FILE_TEST_EXISTS))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if ((process = spawn_control (self, "exit", &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_subprocess_wait_async (process, cancellable, control_exited_cb, g_steal_pointer (&task));
}

gboolean
piso_ssh_session_close_finish (PisoSshSession  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
piso_ssh_session_dispose (GObject *object)
{
  PisoSshSession *self = (PisoSshSession *)object;

  if (self->askpass_service != NULL)
    {
      g_socket_service_stop (self->askpass_service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->askpass_service));
      g_signal_handlers_disconnect_by_data (self->askpass_service, self);
      g_clear_object (&self->askpass_service);
    }
  if (self->dir_monitor != NULL)
    {
      g_file_monitor_cancel (self->dir_monitor);
      g_signal_handlers_disconnect_by_data (self->dir_monitor, self);
      g_clear_object (&self->dir_monitor);
    }
  if (self->prompts != NULL)
    cancel_prompts (self);
  if (self->master != NULL)
    g_subprocess_send_signal (self->master, SIGTERM);
  g_clear_object (&self->master);
  /* The master ends on its own `-O exit`; it removes its socket itself. */
  if (self->control_path != NULL && g_file_test (self->control_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GSubprocess) stop = spawn_control (self, "exit", NULL);
    }

  G_OBJECT_CLASS (piso_ssh_session_parent_class)->dispose (object);
}

static void
piso_ssh_session_finalize (GObject *object)
{
  PisoSshSession *self = (PisoSshSession *)object;

  if (self->dir != NULL)
    {
      g_unlink (self->askpass_path);
      g_unlink (self->ssh_program);
      g_unlink (self->log_path);
      g_rmdir (self->dir);
    }
  g_clear_pointer (&self->prompts, g_ptr_array_unref);
  g_free (self->uri);
  g_free (self->host);
  g_free (self->user);
  g_free (self->keyfile);
  g_free (self->last_secret_prompt);
  g_free (self->known_hosts_file);
  g_free (self->config_file);
  g_free (self->dir);
  g_free (self->control_path);
  g_free (self->askpass_path);
  g_free (self->ssh_program);
  g_free (self->log_path);

  G_OBJECT_CLASS (piso_ssh_session_parent_class)->finalize (object);
}

static void
piso_ssh_session_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PisoSshSession *self = PISO_SSH_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_ssh_session_class_init (PisoSshSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_ssh_session_dispose;
  object_class->finalize = piso_ssh_session_finalize;
  object_class->get_property = piso_ssh_session_get_property;

  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PisoSshSession::prompt:
   * @prompt: the question; answer it (now or later) with its methods. The
   *   session keeps it until it is answered or the login ends.
   */
  signals[PROMPT] =
    g_signal_new ("prompt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PISO_TYPE_SSH_PROMPT);
}

static void
piso_ssh_session_init (PisoSshSession *self)
{
  self->prompts = g_ptr_array_new_with_free_func (g_object_unref);
}
