/* piso-connection-dialog.h: asks for a libvirt URI to add a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PISO_TYPE_CONNECTION_DIALOG (piso_connection_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PisoConnectionDialog, piso_connection_dialog, PISO, CONNECTION_DIALOG, AdwWindow)

/* Emits "connection-chosen" (const char *uri) with a valid URI, then closes. */
GtkWidget  *piso_connection_dialog_new     (void);
const char *piso_connection_dialog_get_uri (PisoConnectionDialog *self);
void        piso_connection_dialog_set_uri (PisoConnectionDialog *self,
                                            const char           *uri);
/* Whether the URI entered can be added (the "Add" button's sensitivity) */
gboolean    piso_connection_dialog_get_valid (PisoConnectionDialog *self);

G_END_DECLS
