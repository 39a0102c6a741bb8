/* piso-connection-events.c: libvirt lifecycle events → the machine model
 *
 * Events update the state at once from what the event says, then a refresh
 * re-reads the machine in a worker thread for what events do not carry
 * (managed save image, autostart, a changed definition).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-connection-events"

#include "config.h"

#include "piso-connection-private.h"
#include "piso-machine-edit-private.h"
#include "piso-snapshots-private.h"

typedef struct
{
  virDomainPtr dom;
  int          event;
  int          detail;
} QueuedEvent;

typedef struct
{
  gboolean cancelled;   /* undefined again before its read finished */
  gboolean reread;      /* another event came in meanwhile */
} PendingAdd;

void
_piso_connection_ticket_free (void *opaque)
{
  PisoConnectionTicket *ticket = opaque;

  g_weak_ref_clear (&ticket->self);
  g_free (ticket);
}

static void
queued_event_free (gpointer data)
{
  QueuedEvent *queued = data;

  virDomainFree (queued->dom);
  g_free (queued);
}

void
_piso_connection_queue_event (PisoConnection *self,
                              virDomainPtr    dom,
                              int             event,
                              int             detail)
{
  QueuedEvent *queued = g_new0 (QueuedEvent, 1);

  virDomainRef (dom);
  queued->dom = dom;
  queued->event = event;
  queued->detail = detail;
  g_queue_push_tail (&self->pending_events, queued);
}

void
_piso_connection_clear_events (PisoConnection *self)
{
  g_queue_clear_full (&self->pending_events, queued_event_free);
}

void
_piso_connection_replay_events (PisoConnection *self)
{
  QueuedEvent *queued;

  while ((queued = g_queue_pop_head (&self->pending_events)) != NULL)
    {
      _piso_connection_handle_event (self, queued->dom, queued->event, queued->detail);
      queued_event_free (queued);
    }
}

int
_piso_connection_lifecycle_cb (virConnectPtr  conn,
                               virDomainPtr   dom,
                               int            event,
                               int            detail,
                               void          *opaque)
{
  PisoConnectionTicket *ticket = opaque;
  g_autoptr(PisoConnection) self = g_weak_ref_get (&ticket->self);

  if (self == NULL || self->closed || ticket->generation != self->generation)
    return 0;

  if (self->loading)
    _piso_connection_queue_event (self, dom, event, detail);
  else
    _piso_connection_handle_event (self, dom, event, detail);

  return 0;
}

/* New domains: read them in a thread, then add them. */

static void
read_new_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  g_task_return_pointer (task, _piso_machine_snapshot_read (task_data),
                         (GDestroyNotify) _piso_machine_snapshot_free);
}

static void add_new_machine (PisoConnection *self, virDomainPtr dom);

static void
read_new_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  PisoConnection *self = PISO_CONNECTION (object);
  g_autoptr(PisoMachineSnapshot) snapshot = g_task_propagate_pointer (G_TASK (result), NULL);
  guint generation = GPOINTER_TO_UINT (user_data);
  PendingAdd *pending;
  gboolean cancelled;
  gboolean reread;

  if (snapshot == NULL || self->closed)
    return;

  pending = g_hash_table_lookup (self->pending_adds, snapshot->uuid);
  cancelled = pending == NULL || pending->cancelled;
  reread = pending != NULL && pending->reread;
  g_hash_table_remove (self->pending_adds, snapshot->uuid);

  /* A reconnection's listing has the truth now. */
  if (generation != self->generation)
    return;

  if (reread && !cancelled)
    {
      add_new_machine (self, snapshot->handle);
      return;
    }

  /* Undefined again while we read it: only keep it if libvirt still has it
   * (a read of a vanished domain finds no definition). */
  if (cancelled || snapshot->config == NULL)
    return;

  _piso_connection_ensure_machine (self, snapshot);
}

static void
add_new_machine (PisoConnection *self,
                 virDomainPtr    dom)
{
  g_autoptr(GTask) task = NULL;
  char uuid[VIR_UUID_STRING_BUFLEN];
  PendingAdd *pending;

  virDomainGetUUIDString (dom, uuid);
  pending = g_hash_table_lookup (self->pending_adds, uuid);
  if (pending != NULL)
    {
      pending->reread = TRUE;
      pending->cancelled = FALSE;
      return;
    }

  g_hash_table_insert (self->pending_adds, g_strdup (uuid), g_new0 (PendingAdd, 1));

  virDomainRef (dom);
  task = g_task_new (self, NULL, read_new_cb, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (task, add_new_machine);
  g_task_set_task_data (task, dom, _piso_domain_unref);
  g_task_run_in_thread (task, read_new_thread);
}

static void
forget_pending (PisoConnection *self,
                const char     *uuid)
{
  PendingAdd *pending = g_hash_table_lookup (self->pending_adds, uuid);

  if (pending != NULL)
    {
      pending->cancelled = TRUE;
      pending->reread = FALSE;
    }
}

static gboolean
is_active (PisoMachineState state)
{
  return state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED ||
         state == PISO_MACHINE_STATE_SHUTTING_DOWN || state == PISO_MACHINE_STATE_SUSPENDED;
}

/* A machine migrated away with VIR_MIGRATE_UNDEFINE_SOURCE: QEMU's driver
 * deletes its definition without an UNDEFINED event, so the STOPPED
 * (migrated) event is all there is. Whether it is still defined is asked in
 * a worker thread; gone, its row goes. */
static void
migrated_check_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  virErrorPtr verr;
  gboolean gone;

  gone = virDomainIsPersistent (task_data) < 0 &&
         (verr = virGetLastError ()) != NULL && verr->code == VIR_ERR_NO_DOMAIN;
  virResetLastError ();
  g_task_return_boolean (task, gone);
}

static void
migrated_check_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PisoConnection *self = PISO_CONNECTION (object);
  virDomainPtr dom = g_task_get_task_data (G_TASK (result));
  guint generation = GPOINTER_TO_UINT (user_data);
  char uuid[VIR_UUID_STRING_BUFLEN];
  PisoMachine *machine;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || self->closed ||
      generation != self->generation || virDomainGetUUIDString (dom, uuid) < 0)
    return;
  machine = g_hash_table_lookup (self->by_uuid, uuid);
  if (machine != NULL && !is_active (piso_machine_get_state (machine)))
    _piso_connection_remove_machine (self, machine);
}

static void
check_migrated_away (PisoConnection *self,
                     virDomainPtr    dom)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, migrated_check_cb,
                                      GUINT_TO_POINTER (self->generation));

  g_task_set_source_tag (task, check_migrated_away);
  virDomainRef (dom);
  g_task_set_task_data (task, dom, _piso_domain_unref);
  g_task_run_in_thread (task, migrated_check_thread);
}

void
_piso_connection_handle_event (PisoConnection *self,
                               virDomainPtr    dom,
                               int             event,
                               int             detail)
{
  char uuid[VIR_UUID_STRING_BUFLEN];
  PisoMachine *machine;

  virDomainGetUUIDString (dom, uuid);
  machine = g_hash_table_lookup (self->by_uuid, uuid);

  g_debug ("%s: %s event %d detail %d", self->uri, virDomainGetName (dom), event, detail);

  if (machine != NULL)
    _piso_machine_note_event (machine);

  /* A revert, by Piso or another program: the snapshots' "current" moved,
   * also when the state did not change. */
  if (machine != NULL &&
      ((event == VIR_DOMAIN_EVENT_DEFINED && detail == VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT) ||
       (event == VIR_DOMAIN_EVENT_STARTED && detail == VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT) ||
       (event == VIR_DOMAIN_EVENT_SUSPENDED && detail == VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT) ||
       (event == VIR_DOMAIN_EVENT_STOPPED && detail == VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)))
    _piso_snapshots_machine_reverted (machine);

  switch (event)
    {
    case VIR_DOMAIN_EVENT_DEFINED:
      if (machine == NULL)
        add_new_machine (self, dom);
      else
        {
          /* A rename keeps the UUID: same row, new handle and name. */
          if (detail == VIR_DOMAIN_EVENT_DEFINED_RENAMED)
            _piso_machine_set_handle (machine, dom);
          _piso_machine_queue_refresh (machine);
        }
      break;

    case VIR_DOMAIN_EVENT_UNDEFINED:
      if (detail == VIR_DOMAIN_EVENT_UNDEFINED_RENAMED)
        break;   /* DEFINED_RENAMED follows with the new name */
      forget_pending (self, uuid);
      if (machine == NULL)
        break;
      /* Undefining a running machine leaves it running as a transient one. */
      if (is_active (piso_machine_get_state (machine)))
        _piso_machine_queue_refresh (machine);
      else
        _piso_connection_remove_machine (self, machine);
      break;

    case VIR_DOMAIN_EVENT_STARTED:
      if (machine == NULL)
        {
          add_new_machine (self, dom);   /* a transient machine was created */
          break;
        }
      if (detail == VIR_DOMAIN_EVENT_STARTED_RESTORED)
        _piso_machine_set_managed_save (machine, FALSE);
      _piso_machine_install_started (machine);
      _piso_machine_set_state (machine, PISO_MACHINE_STATE_RUNNING);
      _piso_machine_queue_refresh (machine);
      break;

    case VIR_DOMAIN_EVENT_SUSPENDED:
      if (machine == NULL)
        break;
      _piso_machine_set_state (machine, PISO_MACHINE_STATE_PAUSED);
      break;

    case VIR_DOMAIN_EVENT_RESUMED:
      if (machine == NULL)
        break;
      _piso_machine_set_state (machine, PISO_MACHINE_STATE_RUNNING);
      break;

    case VIR_DOMAIN_EVENT_STOPPED:
      if (machine == NULL)
        break;
      if (!piso_machine_get_persistent (machine))
        {
          /* Transient machines cease to exist when they stop. */
          _piso_connection_remove_machine (self, machine);
          break;
        }
      _piso_machine_set_state (machine, PISO_MACHINE_STATE_SHUTOFF);
      if (detail == VIR_DOMAIN_EVENT_STOPPED_MIGRATED)
        check_migrated_away (self, dom);
      /* An install run's reboot: counted, the machine started again. */
      _piso_machine_install_stopped (machine, detail);
      /* STOPPED_SAVED is a managed save or a save to a file: the refresh
       * asks which, and turns "Off" into "Saved" for the former. */
      _piso_machine_queue_refresh (machine);
      break;

    case VIR_DOMAIN_EVENT_SHUTDOWN:
      if (machine != NULL && detail == VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED)
        _piso_machine_queue_refresh (machine);
      break;

    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      if (machine != NULL)
        _piso_machine_set_state (machine, PISO_MACHINE_STATE_SUSPENDED);
      break;

    case VIR_DOMAIN_EVENT_CRASHED:
      if (machine != NULL)
        _piso_machine_set_state (machine, PISO_MACHINE_STATE_CRASHED);
      break;

    default:
      if (machine != NULL)
        _piso_machine_queue_refresh (machine);
      break;
    }
}

/* Device and resource events: libvirt-gobject follows lifecycle events
 * only. Each wakes the worker threads waiting for it (device removal, CD
 * trays) and re-reads the machine: its live XML has the new devices,
 * tray state and balloon size. */

static PisoMachine *
machine_for_event (PisoConnectionTicket *ticket,
                   virDomainPtr          dom,
                   PisoConnection      **self_out)
{
  g_autoptr(PisoConnection) self = g_weak_ref_get (&ticket->self);
  char uuid[VIR_UUID_STRING_BUFLEN];
  PisoMachine *machine;

  if (self == NULL || self->closed || ticket->generation != self->generation || self->loading)
    return NULL;

  virDomainGetUUIDString (dom, uuid);
  machine = g_hash_table_lookup (self->by_uuid, uuid);
  *self_out = g_steal_pointer (&self);
  return machine;
}

static void
device_event (virDomainPtr  dom,
              int           id,
              const char   *alias,
              int           detail,
              void         *opaque)
{
  g_autoptr(PisoConnection) self = NULL;
  PisoMachine *machine;

  _piso_event_wait_notify (dom, id, alias, detail);

  machine = machine_for_event (opaque, dom, &self);
  g_debug ("%s: event %d for %s (%d)", virDomainGetName (dom), id,
           alias != NULL ? alias : "-", detail);
  if (machine != NULL)
    _piso_machine_queue_refresh (machine);
}

static void
device_removed_cb (virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
  device_event (dom, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, alias, 0, opaque);
}

static void
device_removal_failed_cb (virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
  device_event (dom, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, alias, 0, opaque);
}

static void
device_added_cb (virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
  device_event (dom, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, alias, 0, opaque);
}

static void
tray_change_cb (virConnectPtr conn, virDomainPtr dom, const char *alias, int reason, void *opaque)
{
  device_event (dom, VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, alias, reason, opaque);
}

static void
disk_change_cb (virConnectPtr conn, virDomainPtr dom, const char *old_path, const char *new_path,
                const char *alias, int reason, void *opaque)
{
  device_event (dom, VIR_DOMAIN_EVENT_ID_DISK_CHANGE, alias, reason, opaque);
}

static void
balloon_change_cb (virConnectPtr conn, virDomainPtr dom, unsigned long long actual, void *opaque)
{
  device_event (dom, VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, NULL, 0, opaque);
}

static PisoConnectionTicket *
ticket_copy (PisoConnectionTicket *ticket)
{
  g_autoptr(GObject) self = g_weak_ref_get (&ticket->self);
  PisoConnectionTicket *copy = g_new0 (PisoConnectionTicket, 1);

  g_weak_ref_init (&copy->self, self);
  copy->generation = ticket->generation;
  return copy;
}

gboolean
_piso_connection_register_events (virConnectPtr          handle,
                                  PisoConnectionTicket  *ticket,
                                  int                    ids[PISO_CONNECTION_N_EVENTS])
{
  static const struct { int id; virConnectDomainEventGenericCallback cb; } device_events[] = {
    { VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, VIR_DOMAIN_EVENT_CALLBACK (device_removed_cb) },
    { VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, VIR_DOMAIN_EVENT_CALLBACK (device_removal_failed_cb) },
    { VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, VIR_DOMAIN_EVENT_CALLBACK (device_added_cb) },
    { VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, VIR_DOMAIN_EVENT_CALLBACK (tray_change_cb) },
    { VIR_DOMAIN_EVENT_ID_DISK_CHANGE, VIR_DOMAIN_EVENT_CALLBACK (disk_change_cb) },
    { VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, VIR_DOMAIN_EVENT_CALLBACK (balloon_change_cb) },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (device_events) + 1 == PISO_CONNECTION_N_EVENTS);

  for (guint i = 0; i < PISO_CONNECTION_N_EVENTS; i++)
    ids[i] = -1;

  /* The lifecycle events are the ones Piso cannot do without. */
  ids[0] = virConnectDomainEventRegisterAny (handle, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                             VIR_DOMAIN_EVENT_CALLBACK (_piso_connection_lifecycle_cb),
                                             ticket, _piso_connection_ticket_free);
  if (ids[0] < 0)
    return FALSE;

  /* Each callback owns a ticket; a driver without one of these events
   * (they all exist since libvirt 1.3.4) just does not send it. */
  for (guint i = 0; i < G_N_ELEMENTS (device_events); i++)
    {
      PisoConnectionTicket *copy = ticket_copy (ticket);

      ids[i + 1] = virConnectDomainEventRegisterAny (handle, NULL, device_events[i].id,
                                                     device_events[i].cb, copy,
                                                     _piso_connection_ticket_free);
      if (ids[i + 1] < 0)
        {
          _piso_connection_ticket_free (copy);
          virResetLastError ();
        }
    }
  return TRUE;
}

void
_piso_connection_deregister_events (virConnectPtr handle,
                                    int           ids[PISO_CONNECTION_N_EVENTS])
{
  for (guint i = 0; i < PISO_CONNECTION_N_EVENTS; i++)
    {
      if (ids[i] >= 0 && virConnectDomainEventDeregisterAny (handle, ids[i]) < 0)
        virResetLastError ();
      ids[i] = -1;
    }
}
