/* piso-migration.h: a machine moved to another host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

#define PISO_TYPE_MIGRATION (piso_migration_get_type ())

G_DECLARE_FINAL_TYPE (PisoMigration, piso_migration, PISO, MIGRATION, GObject)

/* Moves @machine from its connection to @destination (another connected
 * host with the same hypervisor). */
PisoMigration  *piso_migration_new              (PisoMachine         *machine,
                                                 PisoConnection      *destination);
PisoMachine    *piso_migration_get_machine      (PisoMigration       *self);
PisoConnection *piso_migration_get_destination  (PisoMigration       *self);

/* TRUE: the machine runs on the destination but stays defined on the source
 * and is not defined on the destination (it is gone from there once it
 * stops). FALSE (the default): defined on the destination, removed from the
 * source. */
gboolean        piso_migration_get_temporary    (PisoMigration       *self);
void            piso_migration_set_temporary    (PisoMigration       *self,
                                                 gboolean             temporary);
/* The most the transfer (of the memory, or of a shut-off machine's disks)
 * may use, in MiB/s; 0 (the default) for no limit. */
guint64         piso_migration_get_bandwidth    (PisoMigration       *self);
void            piso_migration_set_bandwidth    (PisoMigration       *self,
                                                 guint64              mib_per_s);

/* The storage pool of the destination to copy the machine's disks into
 * (while it moves, or before, shut off), for when the destination does
 * not see them (see
 * needs-storage); NULL (the default) when the hosts share the disks. With
 * a pool, every writable disk that is not on storage both hosts share is
 * copied into a new volume there (a running machine's of the same format
 * and virtual size; a shut-off machine's file byte for byte); the disks on
 * the source stay. A file on a local disk of this computer is not
 * shared, even with another daemon here (libvirt refuses to leave it). */
const char     *piso_migration_get_storage_pool (PisoMigration       *self);
void            piso_migration_set_storage_pool (PisoMigration       *self,
                                                 const char          *pool);
/* Found by the last checks (set when piso_migration_check_finish() runs):
 * whether the destination does not see a disk of the machine, so that it moves only with a storage pool to copy into (the checks
 * then refuse until one is set); the destination's running storage pools
 * to choose from (sorted; NULL unless needs-storage); cautions that do
 * not stop the move, one per line (a console listening on an address of
 * the source; a host-cached disk on storage shared over the network, which
 * libvirt may refuse as unsafe), or NULL. */
gboolean        piso_migration_get_needs_storage  (PisoMigration     *self);
const char * const *piso_migration_get_storage_pools (PisoMigration   *self);
const char     *piso_migration_get_notice       (PisoMigration       *self);

/* Progress of a run (read every half second): of a live one from the
 * hypervisor's job statistics, the bytes sent so far and the total to send
 * (it grows while the guest writes to memory already sent); of a shut-off
 * one, the bytes of its disks' files copied so far and in all; and the
 * seconds left at the current rate (-1 while unknown). Notified on the thread that started
 * the run. */
guint64         piso_migration_get_bytes_done   (PisoMigration       *self);
guint64         piso_migration_get_bytes_total  (PisoMigration       *self);
gint64          piso_migration_get_seconds_left (PisoMigration       *self);

/* The pre-flight checks alone, before any byte moves (worker thread): the
 * destination is another host with the same hypervisor that can run the
 * machine's architecture and processor, has no machine of the same name or
 * UUID, sees the machine's disks (or has room in the chosen storage pool
 * for their copies), and the machine has
 * no device that cannot move (host devices, virtiofs shares) nor
 * snapshots, and is running,
 * paused or shut off. A refusal says in plain words what to do
 * (PISO_BACKEND_ERROR_UNSUPPORTED, or _INVALID_STATE for the machine's
 * state). */
void            piso_migration_check_async      (PisoMigration       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        piso_migration_check_finish     (PisoMigration       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Checks as above, then moves the machine: a running (or paused) one live,
 * its memory copied while it runs and its disks left where they are (the
 * hosts share them) or copied into the storage pool chosen on the
 * destination (those copies are deleted again when the run fails or is
 * cancelled); a shut-off one by copying the disks the destination does
 * not see into the chosen pool (deleted again on failure or cancel), then
 * defining it on the destination and removing it from the source. Cancelling aborts the transfer. A
 * failed or cancelled run leaves the machine where it was (running there,
 * if it ran); a cancel that comes after the move completed is too late and
 * the run succeeds. The machine then appears in the destination's list
 * through its events. */
void            piso_migration_run_async        (PisoMigration       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        piso_migration_run_finish       (PisoMigration       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
