/* piso-machine-edit-private.h: changing a machine, definition first, then live
 *
 * Every change of piso-machine-allocation.c, -boot.c, -disks.c, -interfaces.c
 * and -xml.c runs as a PisoEditFunc in a worker thread with a PisoEdit: the
 * definition for the next start (libvirt's inactive XML, secrets included)
 * and the running one, parsed. The function edits the definition and
 * defines it (_piso_edit_define: validated by libvirt; a refusal leaves
 * everything as it was), then asks the running machine; when libvirt
 * cannot do that live, _piso_edit_live_failed keeps the definition and
 * records why for the PisoChange (virt-manager's order). Device removals
 * wait for libvirt's events through a PisoEventWait.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libxml/tree.h>

#include "piso-domain-xml-private.h"
#include "piso-machine-change.h"
#include "piso-machine-private.h"

G_BEGIN_DECLS

typedef struct
{
  virDomainPtr     handle;
  const char      *name;            /* the machine's display name, for messages */
  char             uuid[VIR_UUID_STRING_BUFLEN];
  gboolean         active;
  gboolean         persistent;
  xmlDocPtr        next;            /* the definition; NULL for a transient machine */
  char            *next_original;   /* its text as libvirt gave it (for a rollback) */
  xmlDocPtr        live;            /* the running machine's XML; NULL while off */
  gboolean         defined;         /* this edit defined a new definition */
  PisoChangeScope  scope;
  GString         *message;         /* sentences for the PisoChange */
  gboolean         force_possible;
} PisoEdit;

typedef gboolean (*PisoEditFunc) (PisoEdit  *edit,
                                  gpointer   data,
                                  GError   **error);

/* Runs @func in a worker thread (see _piso_machine_run_op); @data is the
 * operation's own (inputs and outputs), freed with the task. */
void        _piso_machine_run_edit     (PisoMachine         *self,
                                        gpointer             source_tag,
                                        PisoEditFunc         func,
                                        gpointer             data,
                                        GDestroyNotify       data_free,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
PisoChange *_piso_machine_edit_finish  (PisoMachine         *self,
                                        GAsyncResult        *result,
                                        gpointer             source_tag,
                                        GError             **error);
/* The @data given to _piso_machine_run_edit (for outputs). */
gpointer    _piso_machine_edit_get_data (GAsyncResult       *result);
/* A task that fails at once with @error (for checks made before any work),
 * with the same source tag and data slot as _piso_machine_run_edit. */
void        _piso_machine_edit_refuse  (PisoMachine         *self,
                                        gpointer             source_tag,
                                        GError              *error,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);

/* Defines edit->next (validated). Nothing to do for a transient machine.
 * On failure: libvirt's reason, prefixed with @context, nothing changed. */
gboolean    _piso_edit_define          (PisoEdit            *edit,
                                        const char          *context,
                                        GError             **error);
/* Puts back the definition as it was before this edit (after a later step
 * failed). */
void        _piso_edit_rollback        (PisoEdit            *edit);
/* The running machine took the change. */
void        _piso_edit_live_done       (PisoEdit            *edit);
/* After a live libvirt call that returned @ret: _piso_edit_live_done, or
 * _piso_edit_live_failed when it failed. */
gboolean    _piso_edit_live_result     (PisoEdit            *edit,
                                        int                  ret,
                                        const char          *context,
                                        GError             **error);
/* A live libvirt call failed. With a definition to fall back on, the
 * change applies at next start: records libvirt's reason and returns TRUE.
 * A transient machine (nothing else to change) or a lost connection:
 * rolls back, sets @error (with @context) and returns FALSE. */
gboolean    _piso_edit_live_failed     (PisoEdit            *edit,
                                        const char          *context,
                                        GError             **error);
/* The same for a libvirt error kept from earlier (virSaveLastError). */
gboolean    _piso_edit_live_refused    (PisoEdit            *edit,
                                        virErrorPtr          err,
                                        const char          *context,
                                        GError             **error);
/* For changes QEMU only reads at start: a running machine gets them when
 * it restarts, and the PisoChange says so. */
void        _piso_edit_next_start_only (PisoEdit            *edit);
typedef enum
{
  PISO_DETACH_DONE,      /* gone from the running machine */
  PISO_DETACH_PENDING,   /* stays until the guest lets it go or the machine restarts (noted) */
  PISO_DETACH_FAILED,    /* @error set, the definition rolled back */
} PisoDetach;

/* Detaches @device (a node of edit->live) from the running machine and
 * waits for libvirt's DEVICE_REMOVED (or DEVICE_REMOVAL_FAILED) about it. */
PisoDetach  _piso_edit_detach_live     (PisoEdit            *edit,
                                        xmlNodePtr           device,
                                        const char          *context,
                                        GError             **error);
/* Appends a sentence to the PisoChange's message. */
void        _piso_edit_note            (PisoEdit            *edit,
                                        const char          *format,
                                        ...) G_GNUC_PRINTF (2, 3);
/* The document a change should look at: the definition, or the running
 * XML for a transient machine. */
xmlDocPtr   _piso_edit_config_doc      (PisoEdit            *edit);

/* Waiting in a worker thread for libvirt events of one machine (DEVICE_REMOVED,
 * DEVICE_REMOVAL_FAILED, TRAY_CHANGE). Start waiting before the call that
 * causes the event: events are collected from then on. */
typedef struct _PisoEventWait PisoEventWait;

PisoEventWait *_piso_event_wait_new    (const char          *uuid);
/* Waits up to @timeout_ms for one of @ids about device @alias; TRUE with
 * @id and @detail set when it came. */
gboolean    _piso_event_wait_for       (PisoEventWait       *wait,
                                        const char          *alias,
                                        const int           *ids,
                                        guint                n_ids,
                                        guint                timeout_ms,
                                        int                 *id,
                                        int                 *detail);
void        _piso_event_wait_free      (PisoEventWait       *wait);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoEventWait, _piso_event_wait_free)
/* Main thread, from the connection's event callbacks. */
void        _piso_event_wait_notify    (virDomainPtr         dom,
                                        int                  id,
                                        const char          *alias,
                                        int                  detail);

/* _piso_machine_run_edit once *@disk_bus and *@net_model (fields of
 * @data; either pointer may be NULL) are set: those still NULL get what
 * New Machine would choose for the machine's operating system, the disk
 * bus ("virtio", "sata", "ide") and network model ("virtio", "e1000e",
 * "e1000") of a PisoInstallPlan for it, loading the OS catalog first when
 * needed. A machine of unknown OS gets the bus and model its first disk
 * and interface have, else New Machine's generic choice. */
void        _piso_machine_run_edit_for_os (PisoMachine         *self,
                                           gpointer             source_tag,
                                           PisoEditFunc         func,
                                           gpointer             data,
                                           GDestroyNotify       data_free,
                                           char               **disk_bus,
                                           char               **net_model,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);

PisoChange *_piso_change_new           (PisoChangeScope      scope,
                                        const char          *message,
                                        gboolean             force_possible);

G_END_DECLS
