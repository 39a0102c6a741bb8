/* piso-machine-private.h: how the connection feeds its machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"
#include "piso-machine-install-private.h"
#include "piso-machine-boot.h"
#include "piso-machine-change.h"
#include "piso-machine-allocation.h"

G_BEGIN_DECLS

/* A disk as the definition describes it (parsed in a worker thread). */
typedef struct
{
  char              *device;        /* "disk", "cdrom", "floppy", "lun" */
  char              *source_type;   /* <disk type>: "file", "block", "network"… */
  char              *path;          /* file, dev, dir, socket path or volume name */
  char              *protocol;      /* network disks */
  char              *source_name;
  char              *hosts;         /* "host:port, host:port" or a socket path */
  char              *nvme_address;  /* nvme disks: the host's PCI address */
  char              *nvme_namespace;
  char              *target;
  char              *bus;
  char              *format;
  char              *pool;          /* volume disks */
  char              *alias;         /* running machines only */
  guint              boot_order;
  gboolean           read_only;
  gboolean           tray_open;
  PisoDevicePending  pending;
  char              *next_source;   /* with PENDING_CHANGE: the source at next start */
} PisoDiskFields;

/* A network interface as the definition describes it. */
typedef struct
{
  char              *mac;
  char              *kind;
  char              *source;        /* by kind: network, bridge, dev, address:port… */
  char              *source_mode;   /* direct: "vepa", "bridge"…; vhostuser: "server"/"client" */
  char              *local;         /* udp: the local address:port */
  char              *model;
  char              *host_device;   /* <target dev>: "vnet3" while running */
  char              *alias;
  guint              boot_order;
  gboolean           link_down;
  PisoDevicePending  pending;
} PisoNetFields;

/* What the definition (XML) says, parsed in a worker thread. */
typedef struct _PisoMachineConfig PisoMachineConfig;
struct _PisoMachineConfig
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
  gboolean   has_balloon;    /* a memory balloon other than model='none' */
  char      *arch;
  char      *machine_type;
  guint      firmware;       /* PisoFirmware */
  gboolean   secure_boot;
  gboolean   tpm;
  gboolean   boot_menu;
  GStrv      boot_devices;   /* <os><boot dev>, in order */
  GPtrArray *disks;          /* PisoDisk */
  GPtrArray *interfaces;     /* PisoNetInterface */
  PisoInstallRecord install; /* Piso's install metadata */
  /* A running persistent machine's definition for its next start, read
   * beside the live one (NULL otherwise, or when not read: the listing
   * reads only the live definitions). Its devices are merged into the live
   * lists above with their "pending" state. */
  PisoMachineConfig *next_start;
  gboolean   next_start_read;
};

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

/* Worker thread: reads state, flags and XML of @handle (takes a new ref),
 * and for a running persistent machine its definition for the next start. */
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
/* The user's shutdown request was sent (TRUE, for a running machine) or
 * refused (FALSE): the state reads SHUTTING_DOWN from the request until
 * the guest stops, whatever libvirt reads back meanwhile. */
void         _piso_machine_note_shutdown_request (PisoMachine    *self,
                                                  gboolean        requested);
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
/* Returns TRUE on @task (and unrefs it) once a read of the machine begun
 * after this call is applied (at once without a handle). */
void         _piso_machine_refresh_then_return (PisoMachine      *self,
                                                GTask            *task);
/* Notifies can-* related listeners after the connection's state changed. */
void         _piso_machine_connection_state_changed (PisoMachine *self);

/* Devices: the new object takes the fields (they are cleared). */
PisoDisk         *_piso_disk_new             (PisoDiskFields       *fields);
const PisoDiskFields *_piso_disk_get_fields  (PisoDisk             *self);
void              _piso_disk_fields_clear    (PisoDiskFields       *fields);
gboolean          _piso_disk_fields_same_source (const PisoDiskFields *a,
                                                 const PisoDiskFields *b);
gboolean          _piso_disk_fields_same_setup  (const PisoDiskFields *a,
                                                 const PisoDiskFields *b);
char             *_piso_disk_fields_describe (const PisoDiskFields *fields);
gboolean          _piso_disk_equal           (PisoDisk             *a,
                                              PisoDisk             *b);
void              _piso_disk_set_volume_info (PisoDisk             *self,
                                              const char           *pool,
                                              const char           *volume,
                                              guint64               capacity,
                                              guint64               allocation);
PisoNetInterface *_piso_net_interface_new    (PisoNetFields        *fields);
const PisoNetFields *_piso_net_interface_get_fields (PisoNetInterface *self);
void              _piso_net_fields_clear     (PisoNetFields        *fields);
gboolean          _piso_net_fields_same_setup (const PisoNetFields *a,
                                               const PisoNetFields *b);
char             *_piso_net_fields_describe  (const PisoNetFields  *fields);
gboolean          _piso_net_interface_equal  (PisoNetInterface     *a,
                                              PisoNetInterface     *b);
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
/* Resources and boot settings: the machine's companions (main thread). */
PisoMachineAllocation *_piso_machine_allocation_new   (void);
void                  _piso_machine_allocation_apply (PisoMachineAllocation *self,
                                                     PisoMachineState      state,
                                                     PisoMachineConfig    *config);
PisoMachineBoot      *_piso_machine_boot_new        (PisoConnection       *connection);
void                  _piso_machine_boot_apply      (PisoMachineBoot      *self,
                                                     PisoMachineConfig    *config);
void                  _piso_machine_boot_set_host_arch (PisoMachineBoot   *self,
                                                        const char        *arch);
/* Whether the running machine differs from @config's next start in
 * anything Piso shows. */
gboolean              _piso_machine_config_restart_pending (PisoMachineConfig *config);

/* Runs @func in a worker thread with the machine's handle and libvirt-glib
 * object; the caller's task owns @data (g_task_get_task_data() in _finish)
 * and a refresh follows. _piso_machine_op_finish checks the tag. */
typedef gboolean (*PisoMachineOpFunc) (virDomainPtr   handle,
                                       GVirDomain    *gvir,
                                       const char    *name,
                                       gpointer       data,
                                       GError       **error);
void         _piso_machine_run_op           (PisoMachine         *self,
                                             gpointer             source_tag,
                                             PisoMachineOpFunc    func,
                                             gpointer             data,
                                             GDestroyNotify       data_free,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     _piso_machine_op_finish        (PisoMachine         *self,
                                             GAsyncResult        *result,
                                             gpointer             source_tag,
                                             GError             **error);

/* Whether @path may be removed with the machine or its disk: it must be
 * one of the machine's disks and used by no other machine of the
 * connection (PISO_BACKEND_ERROR_DISK_IN_USE, naming it). The message is
 * the reason alone, for the caller to prefix. Main thread. */
gboolean     _piso_machine_check_storage_removal (PisoMachine  *self,
                                                  const char   *path,
                                                  GError      **error);

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
