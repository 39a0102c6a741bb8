/* piso-backend.h: the backend layer (GIO + libvirt-glib, never GTK)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-types.h"
#include "piso-backend-enums.h"
#include "piso-cloner.h"
#include "piso-connection.h"
#include "piso-disk.h"
#include "piso-disposable.h"
#include "piso-format-size.h"
#include "piso-host-info.h"
#include "piso-machine.h"
#include "piso-machine-boot.h"
#include "piso-machine-change.h"
#include "piso-machine-devices.h"
#include "piso-machine-allocation.h"
#include "piso-machine-xml.h"
#include "piso-manager.h"
#include "piso-migration.h"
#include "piso-net-interface.h"
#include "piso-os-db.h"
#include "piso-snapshot.h"
#include "piso-snapshots.h"
#include "piso-stats-history.h"

G_BEGIN_DECLS

/* Registers libvirt's event loop on GLib's (gvir_init_object_check) and
 * silences libvirt's default error printing: call once before anything else. */
gboolean piso_backend_init (GError **error);

G_END_DECLS
