/* piso-host-page.h: a connection's host in plain words, with live usage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_HOST_PAGE (piso_host_page_get_type ())

G_DECLARE_FINAL_TYPE (PisoHostPage, piso_host_page, PISO, HOST_PAGE, AdwBin)

/* The "Remove Connection" button activates "app.remove-connection" ("s", the URI). */
GtkWidget      *piso_host_page_new            (void);
PisoConnection *piso_host_page_get_connection (PisoHostPage   *self);
void            piso_host_page_set_connection (PisoHostPage   *self,
                                               PisoConnection *connection);

G_END_DECLS
