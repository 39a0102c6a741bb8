/* piso-os-db-private.h: PisoOsDb over chosen directories, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-os-db.h"

G_BEGIN_DECLS

/* A database read from @dirs (lowest precedence first, as libosinfo's
 * system, local and user directories) instead of libosinfo's default
 * directories, preferring names in @languages (xml:lang values, best
 * first; NULL or empty: the untranslated names only). */
PisoOsDb *_piso_os_db_new_for_dirs (const char *const *dirs,
                                    const char *const *languages);

G_END_DECLS
