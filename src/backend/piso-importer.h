/* piso-importer.h: a machine made from a bundle of files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-export-bundle.h"

G_BEGIN_DECLS

#define PISO_TYPE_IMPORTER (piso_importer_get_type ())

G_DECLARE_FINAL_TYPE (PisoImporter, piso_importer, PISO, IMPORTER, GObject)

/* @bundle must be loaded (piso_export_bundle_load_async: every checksum
 * checked) before the import runs. */
PisoImporter *piso_importer_new             (PisoExportBundle    *bundle,
                                             PisoConnection      *connection);
/* The new machine's name: the bundle's, or "<name>-2", "<name>-3"… when a
 * machine of the connection has it. */
const char   *piso_importer_get_name        (PisoImporter        *self);
void          piso_importer_set_name        (PisoImporter        *self,
                                             const char          *name);
/* The storage pool the disks go to ("default"). */
const char   *piso_importer_get_pool        (PisoImporter        *self);
void          piso_importer_set_pool        (PisoImporter        *self,
                                             const char          *pool);
/* Run it emulated (virtualization type "qemu") where the host has no KVM. */
void          piso_importer_set_emulated    (PisoImporter        *self,
                                             gboolean             emulated);
/* Progress: the bundle's bytes uploaded of the total. */
guint64       piso_importer_get_bytes_done  (PisoImporter        *self);
guint64       piso_importer_get_bytes_total (PisoImporter        *self);

/* Uploads each disk (and the UEFI variables) into the pool through libvirt,
 * so a remote host works, then defines the machine with a new UUID and new
 * MAC addresses. A failure or a cancel removes every volume it made and the
 * definition. */
void          piso_importer_run_async       (PisoImporter        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
PisoMachine  *piso_importer_run_finish      (PisoImporter        *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
