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

G_END_DECLS
