/* piso-machine.c: one virtual machine, its cached state and definition
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "piso-backend-enums.h"
#include "piso-connection.h"
#include "piso-disk.h"
#include "piso-machine-private.h"
#include "piso-net-interface.h"
#include "piso-os-db.h"
#include "piso-stats-history.h"

struct _PisoMachine
{
  GObject            parent_instance;

  PisoConnection    *connection;     /* weak: the connection owns its machines */
  virDomainPtr       handle;         /* owned; NULL while disconnected */
  GVirDomain        *gvir;           /* created on demand from handle */

  char              *uuid;
  char              *name;
  char              *title;
  char              *description;
  char              *os_id;
  guint              vcpus;
  guint              max_vcpus;
  guint64            memory;
  guint64            max_memory;
  PisoMachineState   state;
  /* The user asked the guest to shut down and it still runs: shown as
   * "Shutting down…" until it stops (libvirt reports it running). */
  gboolean           shutdown_requested;
  gboolean           persistent;
  gboolean           autostart;
  gboolean           managed_save;
  gboolean           has_graphics;
  gboolean           disposable;
  char              *linked_to;

  GListStore        *disks;
  GListStore        *linked_clones;
  GListStore        *interfaces;
  PisoMachineAllocation *allocation;
  PisoMachineBoot   *boot;
  PisoStatsHistory  *stats;
  double             cpu_percent;

  gboolean           refresh_in_flight;
  gboolean           refresh_again;
  GPtrArray         *refresh_waiters;      /* GTask: for the read in flight */
  GPtrArray         *refresh_waiters_next; /* GTask: for a read not yet begun */
  guint              event_serial;     /* bumped by every lifecycle event and every definition applied */
  guint              refresh_serial;   /* event_serial when the read started */
  gulong             os_db_handler;
};

G_DEFINE_FINAL_TYPE (PisoMachine, piso_machine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_NAME,
  PROP_TITLE,
  PROP_DISPLAY_NAME,
  PROP_DESCRIPTION,
  PROP_UUID,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_OS_ID,
  PROP_OS_NAME,
  PROP_VCPUS,
  PROP_MAX_VCPUS,
  PROP_MEMORY,
  PROP_MAX_MEMORY,
  PROP_AUTOSTART,
  PROP_PERSISTENT,
  PROP_HAS_MANAGED_SAVE,
  PROP_HAS_GRAPHICS,
  PROP_DISKS,
  PROP_INTERFACES,
  PROP_ALLOCATION,
  PROP_BOOT,
  PROP_CPU_PERCENT,
  PROP_AVAILABLE,
  PROP_DISPOSABLE,
  PROP_LINKED_TO,
  PROP_LINKED_CLONES,
  PROP_IS_TEMPLATE,
  PROP_INSTALL_PHASE,
  N_PROPS
};

enum {
  STATS_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
notify (PisoMachine *self,
        guint        prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
os_db_loaded_cb (PisoMachine *self)
{
  g_assert (PISO_IS_MACHINE (self));

  if (self->os_id != NULL)
    notify (self, PROP_OS_NAME);
}

static void
piso_machine_dispose (GObject *object)
{
  PisoMachine *self = (PisoMachine *)object;

  g_clear_signal_handler (&self->os_db_handler, piso_os_db_get_default ());
  g_clear_object (&self->gvir);
  g_clear_pointer (&self->handle, virDomainFree);
  g_clear_weak_pointer (&self->connection);

  G_OBJECT_CLASS (piso_machine_parent_class)->dispose (object);
}

static void
piso_machine_finalize (GObject *object)
{
  PisoMachine *self = (PisoMachine *)object;

  g_free (self->uuid);
  g_free (self->name);
  g_free (self->title);
  g_free (self->description);
  g_free (self->os_id);
  g_free (self->linked_to);
  g_clear_object (&self->disks);
  g_clear_object (&self->linked_clones);
  g_clear_object (&self->interfaces);
  g_clear_object (&self->allocation);
  g_clear_object (&self->boot);
  g_clear_pointer (&self->stats, piso_stats_history_unref);
  /* (a waiting task holds the machine: none is left by now) */
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->refresh_waiters_next, g_ptr_array_unref);

  G_OBJECT_CLASS (piso_machine_parent_class)->finalize (object);
}

static void
piso_machine_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PisoMachine *self = PISO_MACHINE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION: g_value_set_object (value, self->connection); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, piso_machine_get_display_name (self)); break;
    case PROP_DESCRIPTION: g_value_set_string (value, self->description); break;
    case PROP_UUID: g_value_set_string (value, self->uuid); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_STATE_LABEL: g_value_set_string (value, piso_machine_get_state_label (self)); break;
    case PROP_OS_ID: g_value_set_string (value, self->os_id); break;
    case PROP_OS_NAME: g_value_set_string (value, piso_machine_get_os_name (self)); break;
    case PROP_VCPUS: g_value_set_uint (value, self->vcpus); break;
    case PROP_MAX_VCPUS: g_value_set_uint (value, self->max_vcpus); break;
    case PROP_MEMORY: g_value_set_uint64 (value, self->memory); break;
    case PROP_MAX_MEMORY: g_value_set_uint64 (value, self->max_memory); break;
    case PROP_AUTOSTART: g_value_set_boolean (value, self->autostart); break;
    case PROP_PERSISTENT: g_value_set_boolean (value, self->persistent); break;
    case PROP_HAS_MANAGED_SAVE: g_value_set_boolean (value, self->managed_save); break;
    case PROP_HAS_GRAPHICS: g_value_set_boolean (value, self->has_graphics); break;
    case PROP_DISKS: g_value_set_object (value, self->disks); break;
    case PROP_INTERFACES: g_value_set_object (value, self->interfaces); break;
    case PROP_ALLOCATION: g_value_set_object (value, self->allocation); break;
    case PROP_BOOT: g_value_set_object (value, self->boot); break;
    case PROP_CPU_PERCENT: g_value_set_double (value, self->cpu_percent); break;
    case PROP_AVAILABLE: g_value_set_boolean (value, self->handle != NULL); break;
    case PROP_DISPOSABLE: g_value_set_boolean (value, self->disposable); break;
    case PROP_LINKED_TO: g_value_set_string (value, self->linked_to); break;
    case PROP_LINKED_CLONES: g_value_set_object (value, self->linked_clones); break;
    case PROP_IS_TEMPLATE: g_value_set_boolean (value, piso_machine_get_is_template (self)); break;
    case PROP_INSTALL_PHASE: g_value_set_enum (value, piso_machine_get_install_phase (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_class_init (PisoMachineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_machine_dispose;
  object_class->finalize = piso_machine_finalize;
  object_class->get_property = piso_machine_get_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, PISO_TYPE_CONNECTION, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PISO_TYPE_MACHINE_STATE,
                       PISO_MACHINE_STATE_UNKNOWN, flags);
  properties[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, flags);
  properties[PROP_OS_ID] = g_param_spec_string ("os-id", NULL, NULL, NULL, flags);
  properties[PROP_OS_NAME] = g_param_spec_string ("os-name", NULL, NULL, NULL, flags);
  properties[PROP_VCPUS] = g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MAX_VCPUS] = g_param_spec_uint ("max-vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MEMORY] = g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_MAX_MEMORY] =
    g_param_spec_uint64 ("max-memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, flags);
  properties[PROP_PERSISTENT] = g_param_spec_boolean ("persistent", NULL, NULL, TRUE, flags);
  properties[PROP_HAS_MANAGED_SAVE] =
    g_param_spec_boolean ("has-managed-save", NULL, NULL, FALSE, flags);
  properties[PROP_HAS_GRAPHICS] = g_param_spec_boolean ("has-graphics", NULL, NULL, FALSE, flags);
  properties[PROP_DISKS] = g_param_spec_object ("disks", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_INTERFACES] =
    g_param_spec_object ("interfaces", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  /* Now and at next start; boot settings (constant objects). */
  properties[PROP_ALLOCATION] =
    g_param_spec_object ("allocation", NULL, NULL, PISO_TYPE_MACHINE_ALLOCATION, flags);
  properties[PROP_BOOT] = g_param_spec_object ("boot", NULL, NULL, PISO_TYPE_MACHINE_BOOT, flags);
  properties[PROP_CPU_PERCENT] =
    g_param_spec_double ("cpu-percent", NULL, NULL, -1, 100, -1, flags);
  /* FALSE while the connection is down: the values are the last known ones. */
  properties[PROP_AVAILABLE] = g_param_spec_boolean ("available", NULL, NULL, FALSE, flags);
  properties[PROP_DISPOSABLE] = g_param_spec_boolean ("disposable", NULL, NULL, FALSE, flags);
  properties[PROP_LINKED_TO] = g_param_spec_string ("linked-to", NULL, NULL, NULL, flags);
  properties[PROP_LINKED_CLONES] =
    g_param_spec_object ("linked-clones", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_IS_TEMPLATE] = g_param_spec_boolean ("is-template", NULL, NULL, FALSE, flags);
  /* piso-machine-install.c follows installs and keeps the phase. */
  properties[PROP_INSTALL_PHASE] =
    g_param_spec_enum ("install-phase", NULL, NULL, PISO_TYPE_MACHINE_INSTALL_PHASE,
                       PISO_MACHINE_INSTALL_PHASE_NONE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after a statistics sample was appended to the history. */
  signals[STATS_UPDATED] =
    g_signal_new ("stats-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
piso_machine_init (PisoMachine *self)
{
  self->disks = g_list_store_new (PISO_TYPE_DISK);
  self->interfaces = g_list_store_new (PISO_TYPE_NET_INTERFACE);
  self->linked_clones = g_list_store_new (PISO_TYPE_MACHINE);
  self->allocation = _piso_machine_allocation_new ();
  self->refresh_waiters = g_ptr_array_new ();
  self->refresh_waiters_next = g_ptr_array_new ();
  self->cpu_percent = -1;
  self->persistent = TRUE;
  self->max_vcpus = self->vcpus = 1;
}

PisoMachine *
_piso_machine_new (PisoConnection      *connection,
                   PisoMachineSnapshot *snapshot)
{
  PisoMachine *self = g_object_new (PISO_TYPE_MACHINE, NULL);

  g_set_weak_pointer (&self->connection, connection);
  self->boot = _piso_machine_boot_new (connection);
  self->uuid = g_strdup (snapshot->uuid);
  self->name = g_strdup (virDomainGetName (snapshot->handle));
  self->os_db_handler = g_signal_connect_object (piso_os_db_get_default (), "loaded",
                                                 G_CALLBACK (os_db_loaded_cb), self,
                                                 G_CONNECT_SWAPPED);

  /* Freshly made: nobody listens yet, so notifications cost nothing. */
  _piso_machine_apply_snapshot (self, snapshot);

  return self;
}

static void
replace_store (GListStore *store,
               GPtrArray  *items,
               gboolean  (*equal) (gpointer, gpointer))
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  gboolean same = n == items->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(GObject) old = g_list_model_get_item (G_LIST_MODEL (store), i);

      same = equal (old, g_ptr_array_index (items, i));
    }

  /* Keep the existing objects when nothing changed, so views keep their
   * bindings and filled-in sizes/addresses. */
  if (!same)
    g_list_store_splice (store, 0, n, items->pdata, items->len);
}

static void
apply_config (PisoMachine       *self,
              PisoMachineConfig *config)
{
  gboolean title_changed;

  /* Reads run in parallel (the queued refresh, a page's details): one that
   * began before this definition was applied may hold an older one, and
   * must not bring it back when it ends after this (seen: a second boot
   * order change undone by the first one's late read). */
  self->event_serial++;

  if (config->name != NULL && piso_set_str (&self->name, config->name))
    {
      notify (self, PROP_NAME);
      if (self->title == NULL)
        notify (self, PROP_DISPLAY_NAME);
    }
  title_changed = piso_set_str (&self->title, config->title);
  if (title_changed)
    {
      notify (self, PROP_TITLE);
      notify (self, PROP_DISPLAY_NAME);
    }
  if (piso_set_str (&self->description, config->description))
    notify (self, PROP_DESCRIPTION);
  if (piso_set_str (&self->os_id, config->os_id))
    {
      notify (self, PROP_OS_ID);
      notify (self, PROP_OS_NAME);
      piso_os_db_ensure_loaded (piso_os_db_get_default ());
    }
  if (self->vcpus != config->vcpus)
    {
      self->vcpus = config->vcpus;
      notify (self, PROP_VCPUS);
    }
  if (self->max_vcpus != config->max_vcpus)
    {
      self->max_vcpus = config->max_vcpus;
      notify (self, PROP_MAX_VCPUS);
    }
  if (self->memory != config->memory)
    {
      self->memory = config->memory;
      notify (self, PROP_MEMORY);
    }
  if (self->max_memory != config->max_memory)
    {
      self->max_memory = config->max_memory;
      notify (self, PROP_MAX_MEMORY);
    }
  if (self->has_graphics != config->has_graphics)
    {
      self->has_graphics = config->has_graphics;
      notify (self, PROP_HAS_GRAPHICS);
    }
  if (self->disposable != config->disposable)
    {
      self->disposable = config->disposable;
      notify (self, PROP_DISPOSABLE);
    }
  if (piso_set_str (&self->linked_to, config->linked_to))
    {
      notify (self, PROP_LINKED_TO);
      if (self->connection != NULL)
        _piso_connection_queue_clone_links (self->connection);
    }
  replace_store (self->disks, config->disks, (gpointer) _piso_disk_equal);
  replace_store (self->interfaces, config->interfaces, (gpointer) _piso_net_interface_equal);
  _piso_machine_allocation_apply (self->allocation, self->state, config);
  _piso_machine_boot_apply (self->boot, config);
  _piso_machine_install_apply_config (self, &config->install);
}

void
_piso_machine_notify_install_phase (PisoMachine *self)
{
  notify (self, PROP_INSTALL_PHASE);
}

void
_piso_machine_apply_snapshot (PisoMachine         *self,
                              PisoMachineSnapshot *snapshot)
{
  PisoMachineConfig *config = snapshot->config;

  g_return_if_fail (PISO_IS_MACHINE (self));

  g_object_freeze_notify (G_OBJECT (self));

  if (snapshot->handle != NULL && snapshot->handle != self->handle)
    _piso_machine_set_handle (self, snapshot->handle);

  if (self->persistent != snapshot->persistent)
    {
      self->persistent = snapshot->persistent;
      notify (self, PROP_PERSISTENT);
    }
  _piso_machine_set_autostart (self, snapshot->autostart);
  _piso_machine_set_managed_save (self, snapshot->managed_save);
  _piso_machine_set_state (self, snapshot->state);

  if (config != NULL)
    apply_config (self, config);

  g_object_thaw_notify (G_OBJECT (self));
}

/* A definition read after the listing: applied unless the handle changed
 * or an event came since the read started (its refresh brings it then). */
void
_piso_machine_apply_config (PisoMachine       *self,
                            virDomainPtr       handle,
                            guint              event_serial,
                            PisoMachineConfig *config)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  if (self->handle != handle || self->event_serial != event_serial)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  apply_config (self, config);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_piso_machine_set_handle (PisoMachine  *self,
                          virDomainPtr  handle)
{
  gboolean was_available;

  g_return_if_fail (PISO_IS_MACHINE (self));

  if (self->handle == handle)
    return;

  was_available = self->handle != NULL;
  if (handle != NULL)
    virDomainRef (handle);
  g_clear_pointer (&self->handle, virDomainFree);
  g_clear_object (&self->gvir);
  self->handle = handle;

  if (handle != NULL && piso_set_str (&self->name, virDomainGetName (handle)))
    {
      notify (self, PROP_NAME);
      if (self->title == NULL)
        notify (self, PROP_DISPLAY_NAME);
    }

  if (was_available != (handle != NULL))
    notify (self, PROP_AVAILABLE);
}

void
_piso_machine_set_state (PisoMachine      *self,
                         PisoMachineState  state)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  if (self->shutdown_requested)
    {
      if (state == PISO_MACHINE_STATE_RUNNING)
        state = PISO_MACHINE_STATE_SHUTTING_DOWN;
      else if (state != PISO_MACHINE_STATE_SHUTTING_DOWN)
        self->shutdown_requested = FALSE;
    }

  if (self->state == state)
    return;

  self->state = state;
  _piso_machine_allocation_apply (self->allocation, state, NULL);
  if (state != PISO_MACHINE_STATE_RUNNING && self->cpu_percent >= 0)
    {
      self->cpu_percent = -1;
      notify (self, PROP_CPU_PERCENT);
    }
  notify (self, PROP_STATE);
  notify (self, PROP_STATE_LABEL);
}

void
_piso_machine_note_shutdown_request (PisoMachine *self,
                                     gboolean     requested)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  if (requested && self->state != PISO_MACHINE_STATE_RUNNING)
    return;
  if (!requested && !self->shutdown_requested)
    return;

  self->shutdown_requested = requested;
  /* Until libvirt says otherwise (an event, a refresh), the guest runs on:
   * a refused request shows it running again. */
  _piso_machine_set_state (self, requested ? PISO_MACHINE_STATE_SHUTTING_DOWN
                                           : PISO_MACHINE_STATE_RUNNING);
}

void
_piso_machine_set_autostart (PisoMachine *self,
                             gboolean     autostart)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  autostart = !!autostart;
  if (self->autostart == autostart)
    return;

  self->autostart = autostart;
  notify (self, PROP_AUTOSTART);
}

void
_piso_machine_set_managed_save (PisoMachine *self,
                                gboolean     managed_save)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  managed_save = !!managed_save;
  if (self->managed_save == managed_save)
    return;

  self->managed_save = managed_save;
  notify (self, PROP_HAS_MANAGED_SAVE);

  /* "Off" and "Saved" differ only by the image. */
  if (managed_save && self->state == PISO_MACHINE_STATE_SHUTOFF)
    _piso_machine_set_state (self, PISO_MACHINE_STATE_SAVED);
  else if (!managed_save && self->state == PISO_MACHINE_STATE_SAVED)
    _piso_machine_set_state (self, PISO_MACHINE_STATE_SHUTOFF);
}

guint
_piso_machine_get_event_serial (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), 0);

  return self->event_serial;
}

void
_piso_machine_note_event (PisoMachine *self)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  self->event_serial++;
}

void
_piso_machine_connection_state_changed (PisoMachine *self)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  /* Views recompute piso_machine_can() on "available"; the state label
   * does not change. */
  notify (self, PROP_AVAILABLE);
}

void
_piso_machine_append_stats (PisoMachine  *self,
                            const double  values[PISO_STATS_N_SERIES])
{
  double cpu;

  g_return_if_fail (PISO_IS_MACHINE (self));

  piso_stats_history_append (piso_machine_get_stats_history (self), values);
  cpu = values[PISO_STATS_CPU_PERCENT];
  if (isnan (cpu))
    cpu = -1;
  if (cpu != self->cpu_percent)
    {
      self->cpu_percent = cpu;
      notify (self, PROP_CPU_PERCENT);
    }
  g_signal_emit (self, signals[STATS_UPDATED], 0);
}

virDomainPtr
_piso_machine_ref_handle (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);

  if (self->handle == NULL)
    return NULL;

  virDomainRef (self->handle);
  return self->handle;
}

virDomainPtr
_piso_machine_ref_handle_or_error (PisoMachine  *self,
                                   GError      **error)
{
  virDomainPtr handle = self != NULL ? _piso_machine_ref_handle (self) : NULL;

  if (handle == NULL)
    g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                 _("“%s” cannot be reached: the connection to its host is down."),
                 self != NULL ? piso_machine_get_display_name (self) : "");
  return handle;
}

/* Refresh: re-read everything in a worker thread after an event. */

static void complete_waiters (GPtrArray *waiters);

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_pointer (task, _piso_machine_snapshot_read (task_data),
                         (GDestroyNotify) _piso_machine_snapshot_free);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PisoMachine *self = PISO_MACHINE (object);
  g_autoptr(PisoMachineSnapshot) snapshot = g_task_propagate_pointer (G_TASK (result), NULL);

  gboolean applied = FALSE;

  self->refresh_in_flight = FALSE;

  /* A read made with a handle that was replaced meanwhile is stale, and so
   * is one that events overtook (it could bring back a state the events
   * already moved past): read again instead. */
  if (self->refresh_serial != self->event_serial)
    self->refresh_again = TRUE;
  else if (snapshot != NULL && self->handle != NULL && snapshot->handle == self->handle)
    {
      _piso_machine_apply_snapshot (self, snapshot);
      applied = TRUE;
    }

  /* Those waiting for this read wait for the next one if it was not
   * applied and another comes; otherwise they are done. */
  if (!applied && (self->refresh_again || self->refresh_waiters_next->len > 0) && self->handle != NULL)
    {
      g_ptr_array_extend_and_steal (self->refresh_waiters_next, g_steal_pointer (&self->refresh_waiters));
      self->refresh_waiters = g_ptr_array_new ();
      self->refresh_again = TRUE;
    }
  else
    complete_waiters (self->refresh_waiters);

  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      _piso_machine_queue_refresh (self);
    }
}

static void
complete_waiters (GPtrArray *waiters)
{
  g_autoptr(GPtrArray) done = g_ptr_array_copy (waiters, NULL, NULL);

  g_ptr_array_set_size (waiters, 0);
  for (guint i = 0; i < done->len; i++)
    {
      GTask *task = g_ptr_array_index (done, i);

      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

/* Returns TRUE on @task (taking it) once a read of the machine begun after
 * this call is applied, so that what an operation changed is in the
 * machine's properties and models when its caller hears of it. */
void
_piso_machine_refresh_then_return (PisoMachine *self,
                                   GTask       *task)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  if (self->handle == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (self->refresh_waiters_next, task);
  _piso_machine_queue_refresh (self);
}

void
_piso_machine_queue_refresh (PisoMachine *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_MACHINE (self));

  if (self->handle == NULL)
    {
      /* nothing to read (gone, or its connection is down) */
      if (!self->refresh_in_flight)
        complete_waiters (self->refresh_waiters_next);
      return;
    }

  if (self->refresh_in_flight)
    {
      self->refresh_again = TRUE;
      return;
    }

  self->refresh_in_flight = TRUE;
  self->refresh_serial = self->event_serial;
  g_ptr_array_extend_and_steal (self->refresh_waiters, g_steal_pointer (&self->refresh_waiters_next));
  self->refresh_waiters_next = g_ptr_array_new ();
  task = g_task_new (self, NULL, refresh_cb, NULL);
  g_task_set_source_tag (task, _piso_machine_queue_refresh);
  virDomainRef (self->handle);
  g_task_set_task_data (task, self->handle, _piso_domain_unref);
  g_task_run_in_thread (task, refresh_thread);
}

/* Public getters */

PisoConnection *
piso_machine_get_connection (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  return self->connection;
}

const char *
piso_machine_get_name (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  return self->name;
}

const char *
piso_machine_get_title (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  return self->title;
}

const char *
piso_machine_get_display_name (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  return self->title != NULL ? self->title : self->name;
}

const char *
piso_machine_get_description (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  return self->description;
}

const char *
piso_machine_get_uuid (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  return self->uuid;
}

PisoMachineState
piso_machine_get_state (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), PISO_MACHINE_STATE_UNKNOWN);
  return self->state;
}

const char *
piso_machine_get_state_label (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);

  switch (self->state)
    {
    case PISO_MACHINE_STATE_SHUTOFF: return _("Off");
    case PISO_MACHINE_STATE_RUNNING: return _("Running");
    case PISO_MACHINE_STATE_PAUSED: return _("Paused");
    case PISO_MACHINE_STATE_SHUTTING_DOWN: return _("Shutting down…");
    case PISO_MACHINE_STATE_CRASHED: return _("Crashed");
    case PISO_MACHINE_STATE_SUSPENDED: return _("Suspended");
    case PISO_MACHINE_STATE_SAVED: return _("Saved");
    case PISO_MACHINE_STATE_UNKNOWN:
    default: return _("Unknown");
    }
}

const char *
piso_machine_get_os_id (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  return self->os_id;
}

const char *
piso_machine_get_os_name (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);

  if (self->os_id == NULL)
    return NULL;

  return piso_os_db_get_name (piso_os_db_get_default (), self->os_id);
}

guint piso_machine_get_vcpus (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), 0); return self->vcpus; }
guint piso_machine_get_max_vcpus (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), 0); return self->max_vcpus; }
guint64 piso_machine_get_memory (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), 0); return self->memory; }
guint64 piso_machine_get_max_memory (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), 0); return self->max_memory; }
gboolean piso_machine_get_autostart (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE); return self->autostart; }
gboolean piso_machine_get_persistent (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE); return self->persistent; }
gboolean piso_machine_get_has_managed_save (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE); return self->managed_save; }
gboolean piso_machine_get_has_graphics (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE); return self->has_graphics; }
GListModel *piso_machine_get_disks (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), NULL); return G_LIST_MODEL (self->disks); }
GListModel *piso_machine_get_interfaces (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), NULL); return G_LIST_MODEL (self->interfaces); }
PisoMachineAllocation *piso_machine_get_allocation (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), NULL); return self->allocation; }
PisoMachineBoot *piso_machine_get_boot (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), NULL); return self->boot; }
double piso_machine_get_cpu_percent (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), -1); return self->cpu_percent; }
PisoStatsHistory *
piso_machine_get_stats_history (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);

  /* Made on first use: a history is a few KiB, and most of thousands of
   * machines are never sampled. */
  if (self->stats == NULL)
    self->stats = piso_stats_history_new ();

  return self->stats;
}

GVirDomain *
piso_machine_get_gvir (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);

  if (self->gvir == NULL && self->handle != NULL)
    self->gvir = g_object_new (GVIR_TYPE_DOMAIN, "handle", self->handle, NULL);

  return self->gvir;
}

gboolean piso_machine_get_disposable (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE); return self->disposable; }
const char *piso_machine_get_linked_to (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), NULL); return self->linked_to; }
GListModel *piso_machine_get_linked_clones (PisoMachine *self) { g_return_val_if_fail (PISO_IS_MACHINE (self), NULL); return G_LIST_MODEL (self->linked_clones); }

gboolean
piso_machine_get_is_template (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE);
  return g_list_model_get_n_items (G_LIST_MODEL (self->linked_clones)) > 0;
}

void
_piso_machine_set_linked_clones (PisoMachine *self,
                                 GPtrArray   *clones)
{
  guint n;
  gboolean same;
  gboolean was_template;

  g_return_if_fail (PISO_IS_MACHINE (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->linked_clones));
  same = n == clones->len;
  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(PisoMachine) clone = g_list_model_get_item (G_LIST_MODEL (self->linked_clones), i);

      same = clone == g_ptr_array_index (clones, i);
    }
  if (same)
    return;

  was_template = n > 0;
  g_list_store_splice (self->linked_clones, 0, n, clones->pdata, clones->len);
  if (was_template != (clones->len > 0))
    {
      notify (self, PROP_IS_TEMPLATE);
      /* Start and Delete follow. */
      notify (self, PROP_AVAILABLE);
    }
}

gboolean
piso_machine_can (PisoMachine       *self,
                  PisoMachineAction  action)
{
  PisoMachineState s;
  gboolean active;

  g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE);

  if (self->handle == NULL || self->connection == NULL ||
      !_piso_connection_is_connected (self->connection))
    return FALSE;

  s = self->state;
  active = s == PISO_MACHINE_STATE_RUNNING || s == PISO_MACHINE_STATE_PAUSED ||
           s == PISO_MACHINE_STATE_SHUTTING_DOWN || s == PISO_MACHINE_STATE_SUSPENDED ||
           s == PISO_MACHINE_STATE_CRASHED;

  switch (action)
    {
    case PISO_MACHINE_ACTION_START:
      /* A template's disks back its linked clones: running it would change
       * what they read (a disposable run is fine, see piso-disposable.h). */
      return (s == PISO_MACHINE_STATE_SHUTOFF || s == PISO_MACHINE_STATE_CRASHED) &&
             !piso_machine_get_is_template (self);
    case PISO_MACHINE_ACTION_RESTORE:
      return s == PISO_MACHINE_STATE_SAVED && !piso_machine_get_is_template (self);
    case PISO_MACHINE_ACTION_SHUTDOWN:
    case PISO_MACHINE_ACTION_REBOOT:
      return s == PISO_MACHINE_STATE_RUNNING;
    case PISO_MACHINE_ACTION_FORCE_OFF:
      return active;
    case PISO_MACHINE_ACTION_PAUSE:
      return s == PISO_MACHINE_STATE_RUNNING;
    case PISO_MACHINE_ACTION_RESUME:
      return s == PISO_MACHINE_STATE_PAUSED || s == PISO_MACHINE_STATE_SUSPENDED;
    case PISO_MACHINE_ACTION_SAVE:
      return self->persistent &&
             (s == PISO_MACHINE_STATE_RUNNING || s == PISO_MACHINE_STATE_PAUSED);
    case PISO_MACHINE_ACTION_RENAME:
      return self->persistent &&
             (s == PISO_MACHINE_STATE_SHUTOFF || s == PISO_MACHINE_STATE_SAVED);
    case PISO_MACHINE_ACTION_SET_AUTOSTART:
      return self->persistent;
    case PISO_MACHINE_ACTION_DELETE:
      return !piso_machine_get_is_template (self);
    case PISO_MACHINE_ACTION_START_DISPOSABLE:
      /* A template may: its disks are not written. */
      return s == PISO_MACHINE_STATE_SHUTOFF && self->persistent;
    case PISO_MACHINE_ACTION_CLONE:
      return s == PISO_MACHINE_STATE_SHUTOFF && self->persistent;
    case PISO_MACHINE_ACTION_EXPORT:
      /* A running one is paused while its disks are read (piso-exporter.h). */
      return self->persistent &&
             (s == PISO_MACHINE_STATE_SHUTOFF || s == PISO_MACHINE_STATE_RUNNING ||
              s == PISO_MACHINE_STATE_PAUSED);
    case PISO_MACHINE_ACTION_MIGRATE:
      /* Live, or a definition (piso-migration.h) */
      return s == PISO_MACHINE_STATE_RUNNING || s == PISO_MACHINE_STATE_PAUSED ||
             (s == PISO_MACHINE_STATE_SHUTOFF && self->persistent);
    case PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA:
      return self->persistent &&
             piso_machine_get_install_phase (self) == PISO_MACHINE_INSTALL_PHASE_INSTALLING;
    default:
      return FALSE;
    }
}

gboolean
piso_machine_validate_name (const char  *name,
                            GError     **error)
{
  const char *p;
  gboolean only_dots = TRUE;
  gboolean only_space = TRUE;

  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                           _("The name cannot be empty."));
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                           _("The name is not valid text."));
      return FALSE;
    }

  if (g_utf8_strlen (name, -1) > 100)
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                           _("The name is too long: use at most 100 characters."));
      return FALSE;
    }

  for (p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/')
        {
          g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                               _("The name cannot contain “/”."));
          return FALSE;
        }
      if (g_unichar_iscntrl (c))
        {
          g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                               _("The name cannot contain control characters."));
          return FALSE;
        }
      if (c != '.')
        only_dots = FALSE;
      if (!g_unichar_isspace (c))
        only_space = FALSE;
    }

  if (only_dots || only_space)
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                           _("The name must contain a letter, digit or symbol other than dots."));
      return FALSE;
    }

  return TRUE;
}
