/* piso-machine-private.h: how the connection feeds its machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"

G_BEGIN_DECLS

/* What the definition (XML) says, parsed in a worker thread. */
typedef struct
{
  char      *name;
  char      *title;
  char      *description;
  char      *os_id;
  guint      vcpus;          /* current */
  guint      max_vcpus;
  guint64    memory;         /* KiB, current */
  guint64    max_memory;     /* KiB */
  gboolean   has_graphics;
  gboolean   disposable;     /* a disk discards its changes at shutdown (<transient/>) */
  char      *linked_to;      /* a linked clone: the UUID of its template (Piso's metadata) */
  GPtrArray *disks;          /* PisoDisk */
  GPtrArray *interfaces;     /* PisoNetInterface */
} PisoMachineConfig;

PisoMachineConfig *_piso_machine_config_parse (const char        *xml,
                                               GError           **error);
void               _piso_machine_config_free  (PisoMachineConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoMachineConfig, _piso_machine_config_free)

/* Everything Piso keeps about one domain, read in one go (worker thread). */
typedef struct
{
  virDomainPtr       handle;       /* owned reference */
  char               uuid[VIR_UUID_STRING_BUFLEN];
  PisoMachineState   state;
  gboolean           persistent;
  gboolean           autostart;
  gboolean           managed_save;
  PisoMachineConfig *config;       /* NULL if the XML could not be read */
} PisoMachineSnapshot;

/* Worker thread: reads state, flags and XML of @handle (takes a new ref). */
PisoMachineSnapshot *_piso_machine_snapshot_read (virDomainPtr          handle);
void                 _piso_machine_snapshot_free (PisoMachineSnapshot  *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoMachineSnapshot, _piso_machine_snapshot_free)

PisoMachineState     _piso_machine_state_from_libvirt (int      state,
                                                       gboolean managed_save);

/* Main thread. */
PisoMachine *_piso_machine_new              (PisoConnection      *connection,
                                             PisoMachineSnapshot *snapshot);
void         _piso_machine_apply_snapshot   (PisoMachine         *self,
                                             PisoMachineSnapshot *snapshot);
/* Replaces the handle (after a rename or a reconnection); NULL detaches
 * (connection lost: the machine keeps its last known values). */
void         _piso_machine_apply_config     (PisoMachine         *self,
                                             virDomainPtr         handle,
                                             guint                event_serial,
                                             PisoMachineConfig   *config);
void         _piso_machine_set_handle       (PisoMachine         *self,
                                             virDomainPtr         handle);
void         _piso_machine_set_state        (PisoMachine         *self,
                                             PisoMachineState     state);
void         _piso_machine_set_autostart    (PisoMachine         *self,
                                             gboolean             autostart);
void         _piso_machine_set_managed_save (PisoMachine         *self,
                                             gboolean             managed_save);
/* Called for every lifecycle event of the machine, before it is handled:
 * refreshes that were already reading are then not applied. */
void         _piso_machine_note_event       (PisoMachine         *self);
guint        _piso_machine_get_event_serial (PisoMachine         *self);
/* Re-reads the machine in a worker thread and applies it; coalesces calls
 * made while one read is in flight. */
void         _piso_machine_queue_refresh    (PisoMachine         *self);
/* Notifies can-* related listeners after the connection's state changed. */
void         _piso_machine_connection_state_changed (PisoMachine *self);

/* Devices */
PisoDisk         *_piso_disk_new             (const char *device,
                                              const char *path,
                                              const char *target,
                                              const char *bus,
                                              const char *format,
                                              gboolean    read_only);
gboolean          _piso_disk_equal           (PisoDisk   *a,
                                              PisoDisk   *b);
void              _piso_disk_set_volume_info (PisoDisk   *self,
                                              const char *pool,
                                              const char *volume,
                                              guint64     capacity,
                                              guint64     allocation);
PisoNetInterface *_piso_net_interface_new    (const char *mac,
                                              const char *kind,
                                              const char *source,
                                              const char *model);
gboolean          _piso_net_interface_equal  (PisoNetInterface *a,
                                              PisoNetInterface *b);
void              _piso_net_interface_set_addresses (PisoNetInterface   *self,
                                                     const char * const *addresses);

/* Worker thread: what piso_machine_screenshot_async() returns, for other
 * worker code (snapshots keep a picture of the screen). */
GBytes      *_piso_domain_screenshot        (virDomainPtr         handle,
                                             const char          *name,
                                             guint                screen,
                                             GCancellable        *cancellable,
                                             char               **mime_type,
                                             GError             **error);

/* Linked clones (piso-clone-links.c): the machines whose disks are
 * overlays on this one's, kept by the connection. */
void         _piso_machine_set_linked_clones (PisoMachine      *self,
                                              GPtrArray        *clones);

/* Connection internals the machine needs. */
gboolean     _piso_connection_is_connected  (PisoConnection *self);
/* Recomputes every machine's linked clones soon (once for many calls). */
void         _piso_connection_queue_clone_links (PisoConnection *self);
/* Disk paths of every machine of the connection except @except. */
gboolean     _piso_connection_path_used_by_other (PisoConnection *self,
                                                  PisoMachine    *except,
                                                  const char     *path,
                                                  char          **other_name);

G_END_DECLS
