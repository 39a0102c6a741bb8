/* piso-ssh-prompt-private.h: PisoSshSession's side of a prompt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-ssh-prompt.h"

G_BEGIN_DECLS

/* A prompt read from one askpass helper on @connection; the reply goes back
 * there. */
PisoSshPrompt *_piso_ssh_prompt_new (GSocketConnection *connection,
                                     const char        *hint,
                                     const char        *text);

/* Marks @self as asked again (see piso_ssh_prompt_get_retry()). */
void           _piso_ssh_prompt_set_retry (PisoSshPrompt *self,
                                           gboolean       retry);

/* Called once with the answer, or NULL when cancelled or dropped unanswered;
 * on the prompt's thread (the main thread). */
typedef void (*PisoSshPromptReplyFunc) (const char *answer,
                                        gpointer    user_data);

/* A question asked by Piso itself (libvirt's credentials), answered through
 * @func instead of an askpass helper. */
PisoSshPrompt *_piso_ssh_prompt_new_local (PisoSshPromptKind       kind,
                                           const char             *text,
                                           gboolean                echo,
                                           PisoSshPromptReplyFunc  func,
                                           gpointer                user_data,
                                           GDestroyNotify          destroy);

G_END_DECLS
