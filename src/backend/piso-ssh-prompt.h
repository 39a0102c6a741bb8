/* piso-ssh-prompt.h: one question OpenSSH asks, waiting for the user's answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PISO_SSH_PROMPT_PASSWORD,
  PISO_SSH_PROMPT_PASSPHRASE,
  PISO_SSH_PROMPT_HOST_KEY_UNKNOWN,
  PISO_SSH_PROMPT_HOST_KEY_CHANGED,
  PISO_SSH_PROMPT_SECURITY_KEY_TOUCH,
  PISO_SSH_PROMPT_OTHER,
  /* libvirt's own credentials (piso_connection's "prompt"): a user name,
   * shown as typed. */
  PISO_SSH_PROMPT_USER_NAME,
} PisoSshPromptKind;

#define PISO_TYPE_SSH_PROMPT (piso_ssh_prompt_get_type ())

G_DECLARE_FINAL_TYPE (PisoSshPrompt, piso_ssh_prompt, PISO, SSH_PROMPT, GObject)

PisoSshPromptKind  piso_ssh_prompt_get_kind        (PisoSshPrompt  *self);
/* OpenSSH's own text of the question (English). */
const char        *piso_ssh_prompt_get_text        (PisoSshPrompt  *self);
/* Whether the answer may be shown as typed (user names, libvirt's echoed
 * questions); passwords and passphrases never are. */
gboolean           piso_ssh_prompt_get_echo        (PisoSshPrompt  *self);
/* "SHA256:…" for host-key prompts, else NULL. */
const char        *piso_ssh_prompt_get_fingerprint (PisoSshPrompt  *self);
/* TRUE when the same password or passphrase question comes again in one
 * login: the answer before was wrong. */
gboolean           piso_ssh_prompt_get_retry       (PisoSshPrompt  *self);
/* TRUE once answered, cancelled, or (a touch notice) once ssh is done with it. */
gboolean           piso_ssh_prompt_get_finished    (PisoSshPrompt  *self);
/* The password or passphrase; for host keys use accept/refuse instead.
 * A touch notice needs no answer. */
void               piso_ssh_prompt_answer          (PisoSshPrompt  *self,
                                                    const char     *answer);
/* Host-key prompts: trust the key (ssh then records it) or refuse it. */
void               piso_ssh_prompt_accept_host_key (PisoSshPrompt  *self,
                                                    gboolean        accept);
/* The user closed the dialog: ssh's question fails, and so does the login. */
void               piso_ssh_prompt_cancel          (PisoSshPrompt  *self);

/* Which question ssh asked: @hint is SSH_ASKPASS_PROMPT ("confirm", "none"
 * or NULL), @text the prompt; the host key's fingerprint goes to
 * @fingerprint (may be NULL). */
PisoSshPromptKind  piso_ssh_prompt_classify        (const char     *hint,
                                                    const char     *text,
                                                    char          **fingerprint);

G_END_DECLS
