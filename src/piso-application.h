/* piso-application.h: the application, its connections and app-wide actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"
#include "piso-settings.h"

G_BEGIN_DECLS

#define PISO_TYPE_APPLICATION (piso_application_get_type ())

G_DECLARE_FINAL_TYPE (PisoApplication, piso_application, PISO, APPLICATION, AdwApplication)

PisoApplication *piso_application_new                (void);
/* Both exist from "startup" on (g_application_register) */
PisoManager     *piso_application_get_manager        (PisoApplication *self);
PisoSettings    *piso_application_get_settings       (PisoApplication *self);
/* Opens @uri and, when @persist, adds it to the saved connections. */
PisoConnection  *piso_application_add_connection     (PisoApplication *self,
                                                      const char      *uri,
                                                      gboolean         persist,
                                                      GError         **error);
/* Closes the connection to @uri and forgets it; nothing on the host changes. */
void             piso_application_remove_connection  (PisoApplication *self,
                                                      const char      *uri);

G_END_DECLS
