/* piso-connection.h: one libvirt connection and the machines on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libvirt-gobject/libvirt-gobject.h>

#include "piso-backend-types.h"
#include "piso-ssh-session.h"

G_BEGIN_DECLS

#define PISO_TYPE_CONNECTION (piso_connection_get_type ())

G_DECLARE_FINAL_TYPE (PisoConnection, piso_connection, PISO, CONNECTION, GObject)

/* Checks that @uri is a libvirt URI Piso can open (scheme, driver, transport);
 * on failure @error says what is wrong in words a user understands. */
gboolean             piso_connection_validate_uri          (const char           *uri,
                                                            GError              **error);

PisoConnection      *piso_connection_new                   (const char           *uri);
const char          *piso_connection_get_uri               (PisoConnection       *self);
/* "QEMU/KVM", "QEMU/KVM user session", "Test driver", "QEMU/KVM on host" … */
const char          *piso_connection_get_display_name      (PisoConnection       *self);
PisoConnectionState  piso_connection_get_state             (PisoConnection       *self);
/* The last failure in plain words, or NULL. */
const char          *piso_connection_get_error_message     (PisoConnection       *self);
/* The machines on this connection, a GListModel of PisoMachine kept in sync
 * by libvirt events. It keeps its rows (with their last known state) while
 * the connection is re-established. */
GListModel          *piso_connection_get_machines          (PisoConnection       *self);
PisoMachine         *piso_connection_lookup_machine        (PisoConnection       *self,
                                                            const char           *uuid);
PisoMachine         *piso_connection_lookup_machine_by_name(PisoConnection       *self,
                                                            const char           *name);
/* Whether @name suits a new machine of @self, or @renamed (NULL for a new
 * one) under a new name: piso_machine_validate_name(), and no other
 * machine of @self has it (PISO_BACKEND_ERROR_INVALID_NAME, saying so). */
gboolean             piso_connection_check_machine_name    (PisoConnection       *self,
                                                            const char           *name,
                                                            PisoMachine          *renamed,
                                                            GError              **error);
/* The libvirt-glib object while connected, else NULL (for lower layers). */
GVirConnection      *piso_connection_get_gvir              (PisoConnection       *self);
/* TRUE for URIs whose daemon runs on this host (no host part). */
gboolean             piso_connection_is_local              (PisoConnection       *self);
gboolean             piso_connection_uri_is_local          (const char           *uri);
/* Whether machines of @self (NULL: this host) can have an emulated TPM:
 * swtpm runs next to QEMU, so only this host's PATH tells, and only for
 * local connections. */
gboolean             piso_connection_can_emulate_tpm       (PisoConnection       *self);

/* The SSH login to the host that "…+ssh://" connections go through (the
 * manager shares one per host). Set before opening; the master connection is
 * opened first and its questions come as the session's "prompt". */
void                 piso_connection_set_ssh_session       (PisoConnection       *self,
                                                            PisoSshSession       *session);
PisoSshSession      *piso_connection_get_ssh_session       (PisoConnection       *self);

/* Opens and lists the machines. On a drop (libvirtd restarted or killed) the
 * connection reports RECONNECTING, retries with back-off (1 s doubling to 30 s)
 * and merges the new listing into the same model by UUID. */
void                 piso_connection_open_async            (PisoConnection       *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             piso_connection_open_finish           (PisoConnection       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
/* Skips the back-off wait and tries to connect now (FAILED/RECONNECTING). */
void                 piso_connection_retry                 (PisoConnection       *self);
/* Closes for good: no more reconnection attempts; machines are removed. */
void                 piso_connection_close                 (PisoConnection       *self);

/* Defines a persistent machine from domain XML; the machine appears in the
 * model through the define event and is also returned by _finish. */
void                 piso_connection_define_xml_async      (PisoConnection       *self,
                                                            const char           *xml,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
PisoMachine         *piso_connection_define_xml_finish     (PisoConnection       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Host facts: hypervisor and versions, CPU, memory, acceleration. */
void                 piso_connection_query_host_async      (PisoConnection       *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
PisoHostInfo        *piso_connection_query_host_finish     (PisoConnection       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
/* Live host usage since the previous call with the same @previous sample:
 * fills @cpu_percent (0–100, -1 when unknown) and memory in KiB. */
void                 piso_connection_query_host_usage_async  (PisoConnection     *self,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
gboolean             piso_connection_query_host_usage_finish (PisoConnection     *self,
                                                              GAsyncResult       *result,
                                                              double             *cpu_percent,
                                                              guint64            *memory_used_kib,
                                                              guint64            *memory_total_kib,
                                                              GError            **error);

/* What new disks and network interfaces of machines on this host can use:
 * the names of its running storage pools, of its stopped ones (a new disk
 * starts its pool; an import needs it running), virtual networks and
 * bridges (host interfaces of type bridge, where libvirt can list them),
 * each sorted and NULL-terminated (possibly empty). For
 * piso_machine_add_new_disk_async(), piso_machine_add_interface_async()
 * and the importers. */
void                 piso_connection_list_device_sources_async  (PisoConnection      *self,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
gboolean             piso_connection_list_device_sources_finish (PisoConnection      *self,
                                                                 GAsyncResult        *result,
                                                                 GStrv               *pools,
                                                                 GStrv               *stopped_pools,
                                                                 GStrv               *networks,
                                                                 GStrv               *bridges,
                                                                 GError             **error);

/* Statistics: while at least one hold is taken on a running machine, one
 * worker-thread call of virDomainListGetStats per interval samples every held
 * running machine of this connection and appends to its PisoStatsHistory.
 * Holds are counted; views take one while they show a machine. */
void                 piso_connection_hold_stats            (PisoConnection       *self,
                                                            PisoMachine          *machine);
void                 piso_connection_release_stats         (PisoConnection       *self,
                                                            PisoMachine          *machine);
guint                piso_connection_get_stats_interval    (PisoConnection       *self);
void                 piso_connection_set_stats_interval    (PisoConnection       *self,
                                                            guint                 interval_ms);

G_END_DECLS
