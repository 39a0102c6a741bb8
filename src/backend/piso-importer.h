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
/* Where the network cards go: each virtual network the bundle's cards were
 * on (piso_export_bundle_dup_networks) is mapped to one of this host's
 * virtual networks, or to user-mode networking (@host_network NULL). A
 * network left unmapped refuses the run, saying which and what to do. */
void          piso_importer_map_network     (PisoImporter        *self,
                                             const char          *network,
                                             const char          *host_network);
/* Maps each of the bundle's networks that @host_networks (this host's,
 * piso_connection_list_device_sources_async) has to the one of that name */
void          piso_importer_map_networks_by_name (PisoImporter        *self,
                                                  const char * const  *host_networks);
/* Whether @network is mapped, and to which of this host's networks
 * (*@host_network NULL: user-mode networking) */
gboolean      piso_importer_lookup_network  (PisoImporter        *self,
                                             const char          *network,
                                             const char         **host_network);
/* The bundle's networks not mapped yet (NULL-terminated, maybe empty) */
GStrv         piso_importer_dup_unmapped_networks (PisoImporter        *self);
/* "Move": the machine keeps the UUID and MAC addresses it had (the bundle
 * holds them) instead of getting new ones, as when it moves to this host.
 * Refused when a machine with that UUID is on the host. */
void          piso_importer_set_move        (PisoImporter        *self,
                                             gboolean             move);
gboolean      piso_importer_get_move        (PisoImporter        *self);
/* Whether the bundle holds the identity a move keeps */
gboolean      piso_importer_get_can_move    (PisoImporter        *self);
/* Whether a move may be imported as far as this connection's machines tell
 * (no blocking call): FALSE with the reason, in plain words, when one has
 * the same UUID. */
gboolean      piso_importer_check_move      (PisoImporter        *self,
                                             GError             **error);
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
