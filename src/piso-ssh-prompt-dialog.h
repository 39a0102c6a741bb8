/* piso-ssh-prompt-dialog.h: a question of a host's SSH login (or libvirt's) in a dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-ssh-prompt.h"

G_BEGIN_DECLS

/* An alert (see piso-alert.h) asking @prompt about @host (may be NULL): a
 * password or passphrase entry, a host key to trust (Cancel is the
 * default), a changed host key (a warning that offers no way in), a notice
 * to touch a security key. Its response answers @prompt; it closes by itself
 * when @prompt is finished elsewhere (ssh gave up, the touch was felt). The
 * entry, when there is one, is the alert's "piso-entry" data. */
GtkWidget *piso_ssh_prompt_dialog_new (PisoSshPrompt *prompt,
                                       const char    *host);

G_END_DECLS
