/* piso-migration-private.h: the pre-flight checks of a migration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"
#include "piso-migration.h"

G_BEGIN_DECLS

/* What the worker thread knows of the two hosts and the machine: its own
 * references to the libvirt handles and the words for messages, taken on
 * the main thread. */
typedef struct
{
  virDomainPtr   dom;            /* on the source */
  virConnectPtr  source;
  virConnectPtr  destination;
  char          *name;           /* the machine's display name */
  char          *source_label;   /* the hosts' names, told apart */
  char          *destination_label;
  char          *source_uri;
  char          *destination_uri;
  gboolean       same_connection;
  gboolean       destination_local;
} PisoMigrationHosts;

void     _piso_migration_hosts_clear (PisoMigrationHosts *hosts);

/* Worker thread: the pre-flight checks (piso_migration_check_async()).
 * Sets @active to whether the machine runs (or is paused) and so moves
 * live. */
gboolean _piso_migration_check      (PisoMigrationHosts  *hosts,
                                     gboolean            *active,
                                     GError             **error);

G_END_DECLS
