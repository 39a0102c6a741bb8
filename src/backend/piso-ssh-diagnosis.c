/* piso-ssh-diagnosis.c: what went wrong with a remote host, in plain words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-ssh-diagnosis"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-ssh-diagnosis.h"

G_DEFINE_QUARK (piso-ssh-error-quark, piso_ssh_error)

typedef struct
{
  const char     *needle;
  PisoSshProblem  problem;
} Symptom;

/* Checked in order, so the more precise text wins: libvirt's "Failed to
 * connect socket … Connection refused" is a missing daemon, not an
 * unreachable host; "Permission denied" on libvirt's socket is the group,
 * not the SSH password. Sources: OpenSSH's sshconnect.c and ssh.c messages,
 * libvirt's virnetsocket.c / virt-ssh-helper, and the remote shell's own
 * "not found" for libvirt's `nc` fallback. */
static const Symptom symptoms[] = {
  { "REMOTE HOST IDENTIFICATION HAS CHANGED", PISO_SSH_PROBLEM_HOST_KEY_CHANGED },
  { "has changed and you have requested strict checking", PISO_SSH_PROBLEM_HOST_KEY_CHANGED },
  { "Host key verification failed", PISO_SSH_PROBLEM_HOST_KEY_REFUSED },
  { "nc: not found", PISO_SSH_PROBLEM_HELPER_MISSING },
  { "nc: command not found", PISO_SSH_PROBLEM_HELPER_MISSING },
  { "nc: invalid option", PISO_SSH_PROBLEM_HELPER_MISSING },
  { "nc: unrecognized option", PISO_SSH_PROBLEM_HELPER_MISSING },
  { "virt-ssh-helper: not found", PISO_SSH_PROBLEM_HELPER_MISSING },
  { "authentication unavailable", PISO_SSH_PROBLEM_SOCKET_PERMISSION },
  { "Authorization not available", PISO_SSH_PROBLEM_SOCKET_PERMISSION },
  { "libvirt-sock': Permission denied", PISO_SSH_PROBLEM_SOCKET_PERMISSION },
  { "-sock': Permission denied", PISO_SSH_PROBLEM_SOCKET_PERMISSION },
  { "Failed to connect socket to", PISO_SSH_PROBLEM_NO_DAEMON },
  { "virt-ssh-helper: cannot connect to", PISO_SSH_PROBLEM_NO_DAEMON },
  { "unix connect failed", PISO_SSH_PROBLEM_NO_DAEMON },
  { "Permission denied (", PISO_SSH_PROBLEM_AUTH_FAILED },
  { "Too many authentication failures", PISO_SSH_PROBLEM_AUTH_FAILED },
  { "Authentication failed", PISO_SSH_PROBLEM_AUTH_FAILED },
  { "Connection refused", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
  { "No route to host", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
  { "Network is unreachable", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
  { "Connection timed out", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
  { "Operation timed out", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
  { "Could not resolve hostname", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
  { "Name or service not known", PISO_SSH_PROBLEM_HOST_UNREACHABLE },
};

PisoSshProblem
piso_ssh_diagnose (const char *text)
{
  if (text == NULL)
    return PISO_SSH_PROBLEM_UNKNOWN;

  for (guint i = 0; i < G_N_ELEMENTS (symptoms); i++)
    if (strstr (text, symptoms[i].needle) != NULL)
      return symptoms[i].problem;
  return PISO_SSH_PROBLEM_UNKNOWN;
}

char *
piso_ssh_problem_explain (PisoSshProblem  problem,
                          const char     *host,
                          guint           port)
{
  g_autofree char *known_host = NULL;

  /* How known_hosts files a host on another port than 22, which
   * "ssh-keygen -R" must be given ("host" alone removes nothing there) */
  if (host != NULL && *host != '\0' && port != 0 && port != 22)
    known_host = g_strdup_printf ("\"[%s]:%u\"", host, port);
  else if (host != NULL && *host != '\0')
    known_host = g_strdup (host);
  if (host == NULL || *host == '\0')
    host = _("the host");

  switch (problem)
    {
    case PISO_SSH_PROBLEM_HOST_UNREACHABLE:
      return g_strdup_printf (_("Could not reach %s. Check that it is switched on, that its name "
                                "and port are right, and that its SSH server is running."), host);
    case PISO_SSH_PROBLEM_AUTH_FAILED:
      return g_strdup_printf (_("The password or key was not accepted by %s. Check the user name "
                                "and try again, or add your public key to the user’s "
                                "~/.ssh/authorized_keys on the host."), host);
    case PISO_SSH_PROBLEM_HOST_KEY_CHANGED:
      if (known_host != NULL)
        /* Translators: the first %s is a host name, the second what to give
         * ssh-keygen for it (the host, or "[host]:port") */
        return g_strdup_printf (_("The identity of %s has changed since the last connection. "
                                  "Someone may be intercepting the connection. If the host was "
                                  "reinstalled, check its new key with its administrator, remove "
                                  "the old one (“ssh-keygen -R %s”) and connect again."),
                                host, known_host);
      return g_strdup_printf (_("The identity of %s has changed since the last connection. "
                                "Someone may be intercepting the connection. If the host was "
                                "reinstalled, remove its old key from the known hosts file "
                                "and connect again."), host);
    case PISO_SSH_PROBLEM_HOST_KEY_REFUSED:
      return g_strdup_printf (_("The identity of %s was not confirmed, so Piso did not connect."),
                              host);
    case PISO_SSH_PROBLEM_NO_DAEMON:
      return g_strdup_printf (_("No virtualization service answers on %s. Install libvirt there "
                                "and start it (for example “systemctl start libvirtd”)."), host);
    case PISO_SSH_PROBLEM_SOCKET_PERMISSION:
      return g_strdup_printf (_("The user may not manage virtual machines on %s. Add the user to "
                                "the “libvirt” group there, then log out and in again."), host);
    case PISO_SSH_PROBLEM_HELPER_MISSING:
      return g_strdup_printf (_("The program that connects SSH to the virtualization service is "
                                "missing on %s. Install libvirt’s daemon (it has virt-ssh-helper) "
                                "or “netcat-openbsd” there."), host);
    case PISO_SSH_PROBLEM_UNKNOWN:
    default:
      return g_strdup_printf (_("Could not connect to %s."), host);
    }
}

static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      g_strstrip (lines[i - 1]);
      if (*lines[i - 1] != '\0')
        return g_strdup (lines[i - 1]);
    }
  return NULL;
}

GError *
piso_ssh_error_new (const char *text,
                    const char *host,
                    guint       port)
{
  PisoSshProblem problem = piso_ssh_diagnose (text);
  g_autofree char *explanation = piso_ssh_problem_explain (problem, host, port);
  g_autofree char *detail = NULL;

  /* An unknown problem keeps ssh's own words: they are all the user has. */
  if (problem == PISO_SSH_PROBLEM_UNKNOWN && text != NULL && (detail = last_line (text)) != NULL)
    return g_error_new (PISO_SSH_ERROR, problem, "%s (%s)", explanation, detail);
  return g_error_new_literal (PISO_SSH_ERROR, problem, explanation);
}
