/* piso-test-sshd.c: an OpenSSH server of the test's own on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "piso-test-sshd.h"
#include "piso-test-utils.h"

char *
piso_test_run_output (const char * const *argv,
                      int                *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                NULL, NULL, &out, &err, &wait_status, &error);
  g_assert_no_error (error);
  if (status != NULL)
    *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  else if (!g_spawn_check_wait_status (wait_status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

guint
piso_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

char *
piso_test_sshd_make_key (PisoTestSshd *self,
                         const char   *name,
                         const char   *passphrase)
{
  g_autofree char *path = g_build_filename (self->dir, name, NULL);
  g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
  g_autofree char *out = NULL;
  const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N",
                         passphrase != NULL ? passphrase : "", "-C", name, "-f", path, NULL };
  char *pub = NULL;

  out = piso_test_run_output (argv, NULL);
  g_assert_true (g_file_get_contents (pub_path, &pub, NULL, NULL));
  return g_strstrip (pub);
}

static gboolean
answers (gpointer user_data)
{
  PisoTestSshd *self = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection =
    g_socket_client_connect_to_host (client, "127.0.0.1", self->port, NULL, NULL);

  return connection != NULL;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static char *
find_sshd (void)
{
  char *path = g_find_program_in_path ("sshd");

  if (path == NULL && g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE))
    path = g_strdup ("/usr/sbin/sshd");
  return path;
}

/* OpenSSH 9.8+ (Debian 13) makes a source that failed to log in wait
 * (PerSourcePenalties): a test's deliberate failures would refuse the next
 * connections. Older sshd rejects the keyword: keep it only where `sshd -t`
 * accepts it. */
static void
write_config (const char *sshd,
              const char *path,
              const char *config)
{
  g_autofree char *with_penalties_off = g_strconcat ("PerSourcePenalties no\n", config, NULL);
  const char *argv[] = { sshd, "-t", "-f", path, NULL };
  g_autofree char *out = NULL;
  int status;

  g_assert_true (g_file_set_contents (path, with_penalties_off, -1, NULL));
  out = piso_test_run_output (argv, &status);
  if (status != 0)
    g_assert_true (g_file_set_contents (path, config, -1, NULL));
}

#define PASSWORD_USER "pisopw"

/* crypt(3) of @password with a SHA-512 salt, as /etc/shadow holds it. From
 * libcrypt.so.1 (libxcrypt, in every Debian), opened here: no build
 * dependency for one test. */
static char *
password_hash (const char *password)
{
  void *libcrypt = dlopen ("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
  char *(*crypt_fn) (const char *, const char *);
  const char *hash;
  char *copy;

  if (libcrypt == NULL)
    g_error ("libcrypt.so.1: %s", dlerror ());
  crypt_fn = (char *(*) (const char *, const char *)) dlsym (libcrypt, "crypt");
  g_assert_nonnull (crypt_fn);
  hash = crypt_fn (password, "$6$pisotestsshd$");
  g_assert_true (hash != NULL && g_str_has_prefix (hash, "$6$"));
  copy = g_strdup (hash);
  dlclose (libcrypt);
  return copy;
}

/* Copies of the machine's /etc/passwd and /etc/shadow with the password
 * user added (uid 0: the private daemon's socket is root's), for sshd's
 * mount namespace: @passwd and @shadow get their paths. */
static void
write_password_user (PisoTestSshd  *self,
                     const char    *password,
                     char         **passwd,
                     char         **shadow)
{
  g_autofree char *users = NULL;
  g_autofree char *secrets = NULL;
  g_autofree char *hash = password_hash (password);
  g_autofree char *passwd_text = NULL;
  g_autofree char *shadow_text = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents ("/etc/passwd", &users, NULL, &error) ||
      !g_file_get_contents ("/etc/shadow", &secrets, NULL, &error))
    g_error ("%s", error->message);
  passwd_text = g_strdup_printf ("%s%s" PASSWORD_USER ":x:0:0:Piso test password user:%s:/bin/sh\n",
                                 users, g_str_has_suffix (users, "\n") ? "" : "\n", self->dir);
  /* last changed on day 19000 (2022), never expiring */
  shadow_text = g_strdup_printf ("%s%s" PASSWORD_USER ":%s:19000:0:99999:7:::\n",
                                 secrets, g_str_has_suffix (secrets, "\n") ? "" : "\n", hash);
  *passwd = g_build_filename (self->dir, "passwd", NULL);
  *shadow = g_build_filename (self->dir, "shadow", NULL);
  if (!g_file_set_contents_full (*passwd, passwd_text, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error) ||
      !g_file_set_contents_full (*shadow, shadow_text, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error))
    g_error ("%s", error->message);
  self->password_user = g_strdup (PASSWORD_USER);
}

/* An ssh_config @name in the server's directory for its host only through
 * its known hosts, with @auth's lines; returns its path. */
static char *
write_client_config (PisoTestSshd *self,
                     const char   *name,
                     const char   *auth)
{
  char *path = g_build_filename (self->dir, name, NULL);
  g_autofree char *config = g_strdup_printf ("Host *\n"
                                             "  IdentityAgent none\n"
                                             "  UserKnownHostsFile %s\n"
                                             "  GlobalKnownHostsFile /dev/null\n"
                                             "%s",
                                             self->known_hosts, auth);

  g_assert_true (g_file_set_contents (path, config, -1, NULL));
  return path;
}

PisoTestSshd *
piso_test_sshd_start (const PisoTestSshdOptions  *options,
                      char                      **skip_reason)
{
  static const PisoTestSshdOptions defaults = { 0 };
  g_autofree char *sshd = find_sshd ();
  g_autofree char *ssh_keygen = g_find_program_in_path ("ssh-keygen");
  g_autofree char *user_pub = NULL;
  g_autofree char *host_key = NULL;
  g_autofree char *authorized = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *set_path = NULL;
  g_autofree char *fingerprint_out = NULL;
  g_autofree char *host_pub_path = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *passwd = NULL;
  g_autofree char *shadow = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) words = NULL;
  PisoTestSshd *self;

  if (options == NULL)
    options = &defaults;
  if (sshd == NULL || ssh_keygen == NULL)
    {
      *skip_reason = g_strdup ("OpenSSH's server (sshd) is not installed (Debian: openssh-server)");
      return NULL;
    }
  /* sshd started by root separates privileges into this directory. */
  if (getuid () == 0 && !g_file_test ("/run/sshd", G_FILE_TEST_IS_DIR) &&
      g_mkdir_with_parents ("/run/sshd", 0755) != 0)
    {
      *skip_reason = g_strdup ("sshd needs /run/sshd, which cannot be made");
      return NULL;
    }
  if (options->libvirt_sock_dir != NULL && getuid () != 0)
    {
      *skip_reason = g_strdup ("showing a private libvirtd as the host's needs root");
      return NULL;
    }
  if (options->password != NULL && getuid () != 0)
    {
      *skip_reason = g_strdup ("a password user of sshd's own needs root");
      return NULL;
    }

  self = g_new0 (PisoTestSshd, 1);
  self->dir = piso_test_make_temp_dir ();
  g_chmod (self->dir, 0700);
  self->host_public = piso_test_sshd_make_key (self, "host_key", NULL);
  user_pub = piso_test_sshd_make_key (self, "id_user", options->passphrase);
  self->key = g_build_filename (self->dir, "id_user", NULL);
  host_key = g_build_filename (self->dir, "host_key", NULL);
  authorized = g_build_filename (self->dir, "authorized_keys", NULL);
  g_assert_true (g_file_set_contents (authorized, user_pub, -1, NULL));
  pid_file = g_build_filename (self->dir, "sshd.pid", NULL);
  self->log = g_build_filename (self->dir, "sshd.log", NULL);
  self->port = piso_test_free_port ();
  if (options->password != NULL)
    write_password_user (self, options->password, &passwd, &shadow);

  /* Debian's bash sources ~/.bashrc for commands run by sshd when SHLVL is
   * unset; a developer's bashrc can take seconds. */
  set_path = options->session_path != NULL ? g_strdup_printf (" PATH=%s", options->session_path)
                                           : g_strdup ("");
  config = g_strdup_printf ("ListenAddress 127.0.0.1\n"
                            "Port %u\n"
                            "HostKey %s\n"
                            "PidFile %s\n"
                            "AuthorizedKeysFile %s\n"
                            "UsePAM no\n"
                            "PasswordAuthentication no\n"
                            "KbdInteractiveAuthentication no\n"
                            "PubkeyAuthentication yes\n"
                            "PermitRootLogin prohibit-password\n"
                            "StrictModes no\n"
                            "LogLevel VERBOSE\n"
                            "SetEnv SHLVL=1%s\n"
                            "%s"
                            /* (last: a Match block ends only with the file) */
                            "%s",
                            self->port, host_key, pid_file, authorized, set_path,
                            options->extra_config != NULL ? options->extra_config : "",
                            options->password != NULL
                              ? "Match User " PASSWORD_USER "\n"
                                "  PasswordAuthentication yes\n"
                                "  PermitRootLogin yes\n"
                              : "");
  config_path = g_build_filename (self->dir, "sshd_config", NULL);
  write_config (sshd, config_path, config);

  if (options->libvirt_sock_dir != NULL || passwd != NULL)
    /* A mount namespace of sshd's own, where the private daemon's socket
     * directory is the host's /run/libvirt: libvirt's remote helper
     * (virt-ssh-helper, which ignores "socket=") dials it there; and where
     * the password user exists. */
    g_strv_builder_add_many (argv, "unshare", "--mount", "--propagation", "private", "sh", "-ec",
                             "if [ -n \"$1\" ]; then "
                             "mkdir -p /run/libvirt; mount --bind \"$1\" /run/libvirt; fi; "
                             "if [ -n \"$2\" ]; then "
                             "mount --bind \"$2\" /etc/passwd; mount --bind \"$3\" /etc/shadow; fi; "
                             "shift 3; exec \"$@\"",
                             "sh",
                             options->libvirt_sock_dir != NULL ? options->libvirt_sock_dir : "",
                             passwd != NULL ? passwd : "", shadow != NULL ? shadow : "", NULL);
  g_strv_builder_add_many (argv, sshd, "-D", "-f", config_path, "-E", self->log, NULL);
  args = g_strv_builder_end (argv);
  /* Its log is a file; the sessions it forks (a master connection may
   * outlive a failed test for a while) must not hold the test's output open. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* sshd must not outlive a test that crashed or timed out. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args, &error);
  g_assert_no_error (error);
  piso_test_wait_until (answers, self, 10, "sshd to listen");

  words = g_strsplit (self->host_public, " ", 3);
  self->known_line = g_strdup_printf ("[127.0.0.1]:%u %s %s\n", self->port, words[0], words[1]);
  self->known_hosts = g_build_filename (self->dir, "known_hosts", NULL);
  g_assert_true (g_file_set_contents (self->known_hosts, self->known_line, -1, NULL));
  host_pub_path = g_build_filename (self->dir, "host_key.pub", NULL);
  {
    const char *keygen[] = { "ssh-keygen", "-l", "-E", "sha256", "-f", host_pub_path, NULL };

    fingerprint_out = piso_test_run_output (keygen, NULL);
  }
  g_strfreev (words);
  words = g_strsplit (fingerprint_out, " ", 3);
  self->fingerprint = g_strdup (words[1]);

  /* Only what the test says: not the user's ~/.ssh/config, agent or keys. */
  identity = g_strdup_printf ("  IdentitiesOnly yes\n"
                              "  IdentityFile %s\n"
                              "  PreferredAuthentications publickey\n", self->key);
  self->client_config = write_client_config (self, "ssh_config", identity);
  if (self->password_user != NULL)
    self->password_client_config = write_client_config (self, "ssh_config_password",
                                                        "  PubkeyAuthentication no\n"
                                                        "  PreferredAuthentications password\n");
  return self;
}

char *
piso_test_sshd_uri (PisoTestSshd *self,
                    const char   *path_and_query)
{
  return g_strdup_printf ("qemu+ssh://%s@127.0.0.1:%u%s", g_get_user_name (), self->port,
                          path_and_query);
}

guint
piso_test_sshd_count_log (PisoTestSshd *self,
                          const char   *what,
                          const char   *user)
{
  g_autofree char *log = NULL;
  g_autofree char *line = user != NULL ? g_strdup_printf ("%s for %s from ", what, user)
                                       : g_strdup (what);
  guint n = 0;

  if (!g_file_get_contents (self->log, &log, NULL, NULL))
    return 0;
  for (const char *p = log; (p = strstr (p, line)) != NULL; p++)
    n++;
  return n;
}

guint
piso_test_sshd_count_logins (PisoTestSshd *self)
{
  return piso_test_sshd_count_log (self, "Accepted publickey", NULL);
}

void
piso_test_sshd_stop (PisoTestSshd *self)
{
  if (self == NULL)
    return;
  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  g_clear_object (&self->process);
  g_free (self->dir);
  g_free (self->log);
  g_free (self->key);
  g_free (self->host_public);
  g_free (self->known_line);
  g_free (self->fingerprint);
  g_free (self->known_hosts);
  g_free (self->client_config);
  g_free (self->password_user);
  g_free (self->password_client_config);
  g_free (self);
}
