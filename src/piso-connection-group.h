/* piso-connection-group.h: one connection's row and its machines, as a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-backend.h"

G_BEGIN_DECLS

/* Called when a property of a listed machine changes, while @owner lives. */
typedef void (*PisoMachineNotifyFunc) (GObject     *owner,
                                       PisoMachine *machine,
                                       const char  *property);

typedef struct _PisoMachineWatcher PisoMachineWatcher;

PisoMachineWatcher *piso_machine_watcher_new    (GObject               *owner,
                                                 PisoMachineNotifyFunc  func);
PisoMachineWatcher *piso_machine_watcher_ref    (PisoMachineWatcher    *self);
void                piso_machine_watcher_unref  (PisoMachineWatcher    *self);
/* No more calls, even while machines still hold the watcher. */
void                piso_machine_watcher_detach (PisoMachineWatcher    *self);

#define PISO_TYPE_CONNECTION_GROUP (piso_connection_group_get_type ())

G_DECLARE_FINAL_TYPE (PisoConnectionGroup, piso_connection_group, PISO, CONNECTION_GROUP, GObject)

/* [@connection] followed by its machines that pass @filter, sorted by
 * @sorter; the connection's row hides while a search (a @filter that is not
 * "match all") leaves none of its machines. */
PisoConnectionGroup *piso_connection_group_new (PisoConnection     *connection,
                                                GtkFilter          *filter,
                                                GtkSorter          *sorter,
                                                PisoMachineWatcher *watcher);

G_END_DECLS
