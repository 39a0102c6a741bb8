/* piso-connection-header.h: a connection's heading in the machine list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_CONNECTION_HEADER (piso_connection_header_get_type ())

G_DECLARE_FINAL_TYPE (PisoConnectionHeader, piso_connection_header, PISO, CONNECTION_HEADER, GtkWidget)

GtkWidget      *piso_connection_header_new            (void);
PisoConnection *piso_connection_header_get_connection (PisoConnectionHeader *self);
/* Binds the header to @connection (NULL unbinds) */
void            piso_connection_header_set_connection (PisoConnectionHeader *self,
                                                       PisoConnection       *connection);

G_END_DECLS
