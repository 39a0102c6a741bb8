/* piso-test-sshd.h: an OpenSSH server of the test's own on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One sshd on 127.0.0.1 and a free port, with its own host key, config and
 * log, where the user running the test logs in with a key made for it (no
 * change to the machine's ssh configuration, users or ~/.ssh). It dies with
 * the test program. */
typedef struct
{
  char        *dir;            /* its files (a test temporary directory) */
  guint        port;
  char        *log;            /* sshd's log (LogLevel VERBOSE) */
  char        *key;            /* the user's private key */
  char        *host_public;    /* "TYPE KEY" of the host key */
  char        *known_line;     /* "[127.0.0.1]:PORT TYPE KEY\n", as known_hosts has it */
  char        *fingerprint;    /* "SHA256:…" of the host key */
  char        *known_hosts;    /* a file holding known_line */
  char        *client_config;  /* ssh_config: only the test's key and known hosts, no agent */
  char        *password_user;  /* with options->password: the user who logs in with it */
  char        *password_client_config; /* ssh_config for that user: passwords only, no keys */
  GSubprocess *process;
} PisoTestSshd;

typedef struct
{
  const char *passphrase;        /* of the user's key; NULL: none */
  const char *libvirt_sock_dir;  /* shown to sshd's sessions as /run/libvirt (root only), so
                                  * a private libvirtd is the host's "qemu:///system" */
  const char *session_path;      /* PATH of the commands sshd runs; NULL: sshd's own */
  const char *extra_config;      /* appended to sshd_config (Port, Match blocks…) */
  const char *password;          /* non-NULL (root only): sshd also knows a user "pisopw",
                                  * uid 0, who logs in with this password. Only sshd sees
                                  * them: copies of /etc/passwd and /etc/shadow with that
                                  * user are bind-mounted in its mount namespace, and it
                                  * checks passwords itself (UsePAM no) */
} PisoTestSshdOptions;

/* Runs @argv (searched in PATH, stdin from /dev/null) and returns its
 * output; its exit status in @status, or (@status NULL) fails the test
 * when it fails. */
char         *piso_test_run_output         (const char * const        *argv,
                                            int                       *status);
/* A free TCP port on 127.0.0.1 (free when asked). */
guint         piso_test_free_port          (void);
/* NULL with @skip_reason when OpenSSH's server is not installed. */
PisoTestSshd *piso_test_sshd_start         (const PisoTestSshdOptions *options,
                                            char                     **skip_reason);
/* Makes an ed25519 key @name in the server's directory; returns "TYPE KEY COMMENT". */
char         *piso_test_sshd_make_key      (PisoTestSshd              *self,
                                            const char                *name,
                                            const char                *passphrase);
/* "qemu+ssh://USER@127.0.0.1:PORT@path_and_query" (user: the current one). */
char         *piso_test_sshd_uri           (PisoTestSshd              *self,
                                            const char                *path_and_query);
/* Logins so far: the log's "Accepted publickey" lines. */
guint         piso_test_sshd_count_logins  (PisoTestSshd              *self);
/* How often the log says @what ("Failed password", "Accepted password"…)
 * for @user. */
guint         piso_test_sshd_count_log     (PisoTestSshd              *self,
                                            const char                *what,
                                            const char                *user);
/* Stops sshd and frees @self (NULL is fine). */
void          piso_test_sshd_stop          (PisoTestSshd              *self);

G_END_DECLS
