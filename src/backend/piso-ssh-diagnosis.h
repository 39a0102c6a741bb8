/* piso-ssh-diagnosis.h: what went wrong with a remote host, in plain words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PISO_SSH_ERROR (piso_ssh_error_quark ())

/* The codes of PISO_SSH_ERROR: each one a problem the user can fix. */
typedef enum
{
  PISO_SSH_PROBLEM_UNKNOWN,
  PISO_SSH_PROBLEM_HOST_UNREACHABLE,
  PISO_SSH_PROBLEM_AUTH_FAILED,
  PISO_SSH_PROBLEM_HOST_KEY_CHANGED,
  PISO_SSH_PROBLEM_HOST_KEY_REFUSED,
  PISO_SSH_PROBLEM_NO_DAEMON,
  PISO_SSH_PROBLEM_SOCKET_PERMISSION,
  PISO_SSH_PROBLEM_HELPER_MISSING,
} PisoSshProblem;

GQuark          piso_ssh_error_quark     (void);
/* Reads ssh's or libvirt's error text (both speak English: libvirt runs
 * ssh with LC_ALL=C, and Piso does too) and names the problem. */
PisoSshProblem  piso_ssh_diagnose        (const char     *text);
/* The problem and its fix in plain words (translated); @host may be NULL,
 * @port is its SSH port (0 for the default, 22). */
char           *piso_ssh_problem_explain (PisoSshProblem  problem,
                                          const char     *host,
                                          guint           port);
/* A PISO_SSH_ERROR for @text: the plain explanation, and, for an unknown
 * problem, the last line of @text itself. */
GError         *piso_ssh_error_new       (const char     *text,
                                          const char     *host,
                                          guint           port);

G_END_DECLS
