/* piso-os-db.h: operating system names from libosinfo, loaded off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PISO_TYPE_OS_DB (piso_os_db_get_type ())

G_DECLARE_FINAL_TYPE (PisoOsDb, piso_os_db, PISO, OS_DB, GObject)

PisoOsDb   *piso_os_db_get_default (void);
/* Starts loading the database in a worker thread if not loaded yet;
 * "loaded" is emitted on the main context when done. */
void        piso_os_db_ensure_loaded (PisoOsDb *self);
gboolean    piso_os_db_is_loaded   (PisoOsDb   *self);
/* Name of the OS with libosinfo @id ("Debian 12"), or NULL if unknown or
 * the database is not loaded yet. */
const char *piso_os_db_get_name    (PisoOsDb   *self,
                                    const char *id);

G_END_DECLS
