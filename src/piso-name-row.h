/* piso-name-row.h: a new machine's name as typed, checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

/* Checks the text of @entry as the name of a new machine of @connection
 * (piso_connection_check_machine_name; libvirt's rules alone without a
 * connection). Once there is text, a bad name marks @entry as an error and
 * @error_label says why; else both are cleared. Returns whether the name
 * can be used. */
gboolean piso_name_row_check (GtkEntry       *entry,
                              GtkLabel       *error_label,
                              PisoConnection *connection);

G_END_DECLS
