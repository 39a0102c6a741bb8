/* piso-ssh-session.h: one SSH login per remote host, shared by all that talk to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-ssh-diagnosis.h"
#include "piso-ssh-prompt.h"

G_BEGIN_DECLS

#define PISO_TYPE_SSH_SESSION (piso_ssh_session_get_type ())

G_DECLARE_FINAL_TYPE (PisoSshSession, piso_ssh_session, PISO, SSH_SESSION, GObject)

/* A session for a "…+ssh://[user@]host[:port]/…" URI (its "keyfile" query
 * parameter is honoured as libvirt does). NULL and @error for other URIs or
 * when Piso's private runtime directory cannot be made. */
PisoSshSession *piso_ssh_session_new              (const char           *uri,
                                                   GError              **error);
const char     *piso_ssh_session_get_uri          (PisoSshSession       *self);
const char     *piso_ssh_session_get_host         (PisoSshSession       *self);
/* NULL: ssh's default (the local user, or the ssh config's User). */
const char     *piso_ssh_session_get_user         (PisoSshSession       *self);
/* 0: ssh's default. */
guint           piso_ssh_session_get_port         (PisoSshSession       *self);
gboolean        piso_ssh_session_get_connected    (PisoSshSession       *self);
/* Where host keys are remembered (NULL: ~/.ssh/known_hosts) and which ssh
 * configuration file is read (NULL: the user's and the system's). Set before
 * connecting. */
void            piso_ssh_session_set_known_hosts_file (PisoSshSession   *self,
                                                   const char           *path);
void            piso_ssh_session_set_config_file  (PisoSshSession       *self,
                                                   const char           *path);
/* The master connection's socket (ssh's ControlPath). */
const char     *piso_ssh_session_get_control_path (PisoSshSession       *self);
/* A program that takes ssh's arguments and runs them through the master
 * connection, never logging in again (BatchMode): what libvirt and every
 * console channel run instead of "ssh". */
const char     *piso_ssh_session_get_ssh_program  (PisoSshSession       *self);
/* The session's URI with "command=" set to that program, for libvirt. */
char           *piso_ssh_session_get_libvirt_uri  (PisoSshSession       *self);
/* @uri (another connection to the same host, e.g. /session beside /system)
 * with "command=" set to that program. */
char           *piso_ssh_session_wrap_uri         (PisoSshSession       *self,
                                                   const char           *uri);
/* "user@host:port" (user and port when the URI names them): one session
 * per key. NULL for URIs that are not "…+ssh://". */
char           *piso_ssh_session_key_for_uri      (const char           *uri);
/* argv running @remote_command on the host through the master. */
GStrv           piso_ssh_session_build_argv       (PisoSshSession       *self,
                                                   const char * const   *remote_command);
/* A socket joined to @address:@port as the host sees it ("ssh -W" through
 * the master: no second login, nothing needed on the host), for a console
 * channel; -1 and @error when ssh cannot be started. The caller owns the
 * fd; ssh ends when it is closed. */
int             piso_ssh_session_open_tunnel      (PisoSshSession       *self,
                                                   const char           *address,
                                                   guint                 port,
                                                   GError              **error);
/* Logs in (once: a connected session returns at once). Questions arrive as
 * the "prompt" signal while this runs; a PISO_SSH_ERROR says what failed.
 * Cancelling stops ssh and everything it started. */
void            piso_ssh_session_connect_async    (PisoSshSession       *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        piso_ssh_session_connect_finish   (PisoSshSession       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
/* Ends the master connection (and so every channel through it). */
void            piso_ssh_session_close_async      (PisoSshSession       *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        piso_ssh_session_close_finish     (PisoSshSession       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
