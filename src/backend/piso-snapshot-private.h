/* piso-snapshot-private.h: what the snapshot files share with each other and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libxml/tree.h>

#include "piso-backend-private.h"
#include "piso-snapshot.h"
#include "piso-snapshots.h"

G_BEGIN_DECLS

/* libvirt versions as virConnectGetLibVersion reports them. */
#define PISO_LIBVIRT_VERSION(major, minor, micro) \
  ((guint64) (major) * 1000000 + (guint64) (minor) * 1000 + (guint64) (micro))
/* External snapshots can be reverted (and the host capabilities say so). */
#define PISO_LIBVIRT_EXTERNAL_REVERT    PISO_LIBVIRT_VERSION (9, 9, 0)
/* Internal snapshots of a running UEFI machine whose NVRAM is qcow2, with a
 * working revert (10.9 took them, 10.10 reverts them). */
#define PISO_LIBVIRT_UEFI_INTERNAL_LIVE PISO_LIBVIRT_VERSION (10, 10, 0)

/* ---- facts (read in worker threads) ------------------------------------- */

/* What the host's libvirt can do, probed once per connection. */
typedef struct
{
  guint64  lib_version;     /* of the daemon, PISO_LIBVIRT_VERSION() */
  gboolean external_caps;   /* <externalSnapshot/> in the capabilities */
} PisoSnapshotHost;

typedef struct
{
  char     *target;      /* "vda" */
  char     *device;      /* "disk", "cdrom", "floppy", "lun" */
  char     *type;        /* "file", "block", "volume", "network", … */
  char     *format;      /* driver type: "qcow2", "raw", or NULL */
  char     *path;        /* file, device, volume name or network name; NULL when empty */
  char     *pool;        /* for type='volume' */
  gboolean  read_only;
  gboolean  shareable;   /* <shareable/>: meant to be used by several machines */
  gboolean  transient;   /* <transient/>: changes discarded at shutdown */
} PisoSnapshotDisk;

/* What a machine's definition says about its disks and firmware (for
 * snapshots, clones and disposable runs). */
typedef struct
{
  gboolean   uefi;          /* pflash firmware (its variables live outside the disks) */
  char      *nvram;         /* the file of its UEFI variables, or NULL */
  gboolean   nvram_qcow2;
  gboolean   has_tpm;
  gboolean   has_agent;     /* a guest agent channel (to set the clock after a revert) */
  GPtrArray *disks;         /* PisoSnapshotDisk, every <disk> */
  GHashTable *labels;       /* snapshot name → the name the user gave it */
} PisoSnapshotMachine;

void                 _piso_snapshot_machine_free   (PisoSnapshotMachine *machine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoSnapshotMachine, _piso_snapshot_machine_free)
/* Parses a domain definition; NULL with @error when it is not one. */
PisoSnapshotMachine *_piso_snapshot_machine_parse  (const char          *xml,
                                                    GError             **error);
/* Whether @disk keeps data a snapshot must cover (writable, with media). */
gboolean             _piso_snapshot_disk_matters   (const PisoSnapshotDisk *disk);

/* ---- the policy (pure: unit tested) ------------------------------------- */

typedef struct
{
  PisoSnapshotKind   kind;         /* what a new snapshot will be; NONE when refused */
  PisoSnapshotLimit  limit;        /* why a snapshot cannot be taken now */
  char              *message;      /* translated: the limit in words and what to do */
  char              *note;         /* translated: what snapshots leave out, or NULL */
  gboolean           with_memory;  /* a snapshot now includes the running memory */
} PisoSnapshotPolicy;

void _piso_snapshot_policy_clear  (PisoSnapshotPolicy        *policy);
/* Decides the kind of snapshot for @machine on @host in @state, given the
 * kind of the snapshots it already has (@existing, NONE when none; never mixed).
 * @disposable: the machine runs disposable (transient disks in its live
 * definition). @display_name is used in messages. */
void _piso_snapshot_policy_decide (const PisoSnapshotHost    *host,
                                   const PisoSnapshotMachine *machine,
                                   PisoSnapshotKind           existing,
                                   PisoMachineState           state,
                                   const char                *display_name,
                                   PisoSnapshotPolicy        *policy);
/* Whether @host can revert a snapshot of @kind. */
gboolean _piso_snapshot_host_can_revert (const PisoSnapshotHost *host,
                                         PisoSnapshotKind        kind);

/* Worker thread: the daemon's version and capabilities. */
gboolean _piso_snapshot_host_probe (virConnectPtr      conn,
                                    PisoSnapshotHost  *host,
                                    GError           **error);
/* Main thread: the facts of @connection's host once probed (NULL before).
 * Tests fake another libvirt by setting them first (the seam for the
 * version logic on the test driver). */
const PisoSnapshotHost *_piso_snapshot_host_get (PisoConnection         *connection);
void                    _piso_snapshot_host_set (PisoConnection         *connection,
                                                 const PisoSnapshotHost *host);

/* ---- one snapshot, as listed (worker thread) ---------------------------- */

typedef struct
{
  char              *name;
  char              *description;
  char              *label;     /* the name the user gave it in Piso, or NULL */
  char              *parent;
  char              *parent_label;  /* the parent's label, or NULL */
  gint64             creation_time;
  PisoSnapshotState  state;
  PisoSnapshotKind   kind;
  gboolean           current;
  GPtrArray         *files;     /* char*: the overlays and memory file of an external snapshot */
} PisoSnapshotInfo;

void              _piso_snapshot_info_free  (PisoSnapshotInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoSnapshotInfo, _piso_snapshot_info_free)
/* Parses virDomainSnapshotGetXMLDesc; NULL when it is not a snapshot. */
PisoSnapshotInfo *_piso_snapshot_info_parse (const char       *xml);
/* Every snapshot of @dom with its files (for Delete's storage choice as well). */
GPtrArray        *_piso_snapshot_list_infos (virDomainPtr      dom,
                                             GError          **error);

/* Main thread. */
PisoSnapshot *_piso_snapshot_new          (const PisoSnapshotInfo *info,
                                           const char             *machine_uuid,
                                           gboolean                can_revert);
/* Applies a newer listing of the same snapshot; notifies what changed. */
void          _piso_snapshot_update       (PisoSnapshot           *self,
                                           const PisoSnapshotInfo *info,
                                           gboolean                can_revert);

/* Looks again whether the picture of @self is stored (notifies has-screenshot). */
void          _piso_snapshot_screenshot_changed (PisoSnapshot       *self);

/* ---- pictures of the screen, in the user's cache directory --------------- */

/* $XDG_CACHE_HOME/piso/snapshots/@machine_uuid: one gzip file per snapshot. */
char     *_piso_snapshot_screenshot_dir   (const char  *machine_uuid);
/* The stored picture of @name, or NULL; @mime_type from its file name. */
char     *_piso_snapshot_screenshot_find  (const char  *machine_uuid,
                                           const char  *name,
                                           char       **mime_type);
/* Any thread. */
gboolean  _piso_snapshot_screenshot_save  (const char  *machine_uuid,
                                           const char  *name,
                                           GBytes      *image,
                                           const char  *mime_type,
                                           GError     **error);
void      _piso_snapshot_screenshot_remove (const char *machine_uuid,
                                            const char *name);
/* Removes the pictures of every snapshot of a deleted machine. */
void      _piso_snapshot_screenshots_forget (const char *machine_uuid);

/* ---- the names the user gives snapshots (piso-snapshot-labels.c) -------- */

/* Snapshot name → label, from a <domain> document (empty when none). */
GHashTable *_piso_snapshot_labels_parse (xmlDocPtr      doc);
/* Worker thread: the labels in @dom's definition (empty when none). */
GHashTable *_piso_snapshot_labels_read  (virDomainPtr   dom,
                                         GError       **error);
/* Worker thread: replaces them in the persistent and the running
 * definition (an empty or NULL table removes the element). */
gboolean    _piso_snapshot_labels_write (virDomainPtr   dom,
                                         GHashTable    *labels,
                                         GError       **error);

G_END_DECLS
