/* piso-snapshots.c: a machine's snapshots as a list model, and what to do with them
 *
 * Every libvirt call runs in a worker thread on its own reference to the
 * domain. After each operation the list is read again before the caller
 * hears back, so a view that reacts to _finish sees the new state. libvirt
 * sends no event for snapshots taken or deleted by other programs; the list
 * is read again when the machine's state changes and when a view asks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshots"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-connection.h"
#include "piso-machine-private.h"
#include "piso-snapshot-private.h"
#include "piso-snapshots-private.h"
#include "piso-domain-xml-private.h"

G_DEFINE_QUARK (piso-snapshot-error-quark, piso_snapshot_error)

struct _PisoSnapshots
{
  GObject              parent_instance;

  PisoMachine         *machine;        /* weak: the machine owns this object */
  GListStore          *store;          /* PisoSnapshot, oldest first */
  PisoSnapshotMachine *facts;          /* NULL until listed */
  PisoSnapshotKind     existing;
  PisoSnapshotPolicy   policy;
  gboolean             loaded;

  gboolean             refreshing;
  GPtrArray           *waiting;        /* GTask: wait for the refresh in flight */
  GPtrArray           *next_waiting;   /* GTask: wait for the one after it */
  gulong               state_handler;
  gulong               available_handler;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PisoSnapshots, piso_snapshots, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_LOADED,
  PROP_CURRENT,
  PROP_KIND,
  PROP_LIMIT,
  PROP_LIMIT_MESSAGE,
  PROP_NOTE,
  PROP_WITH_MEMORY,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_refresh (PisoSnapshots *self, GTask *waiter);

/* ---- GListModel ---------------------------------------------------------- */

static GType
list_get_item_type (GListModel *model)
{
  return PISO_TYPE_SNAPSHOT;
}

static guint
list_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (PISO_SNAPSHOTS (model)->store));
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (PISO_SNAPSHOTS (model)->store), position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
store_items_changed_cb (PisoSnapshots *self,
                        guint          position,
                        guint          removed,
                        guint          added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* ---- GObject ------------------------------------------------------------- */

static void
fail_waiters (GPtrArray *waiters)
{
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_new_error (g_ptr_array_index (waiters, i), G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The machine is gone."));
  g_ptr_array_set_size (waiters, 0);
}

static void
piso_snapshots_dispose (GObject *object)
{
  PisoSnapshots *self = PISO_SNAPSHOTS (object);

  if (self->machine != NULL)
    {
      g_clear_signal_handler (&self->state_handler, self->machine);
      g_clear_signal_handler (&self->available_handler, self->machine);
    }
  g_clear_weak_pointer (&self->machine);

  G_OBJECT_CLASS (piso_snapshots_parent_class)->dispose (object);
}

static void
piso_snapshots_finalize (GObject *object)
{
  PisoSnapshots *self = PISO_SNAPSHOTS (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->facts, _piso_snapshot_machine_free);
  _piso_snapshot_policy_clear (&self->policy);
  g_ptr_array_unref (self->waiting);
  g_ptr_array_unref (self->next_waiting);

  G_OBJECT_CLASS (piso_snapshots_parent_class)->finalize (object);
}

static void
piso_snapshots_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PisoSnapshots *self = PISO_SNAPSHOTS (object);

  switch (prop_id)
    {
    case PROP_MACHINE: g_value_set_object (value, self->machine); break;
    case PROP_LOADED: g_value_set_boolean (value, self->loaded); break;
    case PROP_CURRENT: g_value_set_object (value, piso_snapshots_get_current (self)); break;
    case PROP_KIND: g_value_set_enum (value, self->policy.kind); break;
    case PROP_LIMIT: g_value_set_enum (value, self->policy.limit); break;
    case PROP_LIMIT_MESSAGE: g_value_set_string (value, self->policy.message); break;
    case PROP_NOTE: g_value_set_string (value, self->policy.note); break;
    case PROP_WITH_MEMORY: g_value_set_boolean (value, self->policy.with_memory); break;
    case PROP_N_ITEMS: g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self->store))); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_snapshots_class_init (PisoSnapshotsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_snapshots_dispose;
  object_class->finalize = piso_snapshots_finalize;
  object_class->get_property = piso_snapshots_get_property;

  properties[PROP_MACHINE] = g_param_spec_object ("machine", NULL, NULL, PISO_TYPE_MACHINE, flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_CURRENT] = g_param_spec_object ("current", NULL, NULL, PISO_TYPE_SNAPSHOT, flags);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, PISO_TYPE_SNAPSHOT_KIND, PISO_SNAPSHOT_KIND_NONE, flags);
  properties[PROP_LIMIT] =
    g_param_spec_enum ("limit", NULL, NULL, PISO_TYPE_SNAPSHOT_LIMIT, PISO_SNAPSHOT_LIMIT_UNKNOWN, flags);
  properties[PROP_LIMIT_MESSAGE] = g_param_spec_string ("limit-message", NULL, NULL, NULL, flags);
  properties[PROP_NOTE] = g_param_spec_string ("note", NULL, NULL, NULL, flags);
  properties[PROP_WITH_MEMORY] = g_param_spec_boolean ("with-memory", NULL, NULL, FALSE, flags);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_snapshots_init (PisoSnapshots *self)
{
  self->store = g_list_store_new (PISO_TYPE_SNAPSHOT);
  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (store_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->next_waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->policy.limit = PISO_SNAPSHOT_LIMIT_UNKNOWN;
}

/* ---- the policy follows the machine -------------------------------------- */

static void
update_policy (PisoSnapshots *self)
{
  PisoSnapshotPolicy old = self->policy;
  const PisoSnapshotHost *host;

  if (self->machine == NULL || self->facts == NULL ||
      (host = _piso_snapshot_host_get (piso_machine_get_connection (self->machine))) == NULL)
    return;

  memset (&self->policy, 0, sizeof self->policy);
  _piso_snapshot_policy_decide (host, self->facts, self->existing,
                                piso_machine_get_state (self->machine),
                                piso_machine_get_display_name (self->machine), &self->policy);

  g_object_freeze_notify (G_OBJECT (self));
  if (old.kind != self->policy.kind)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  if (old.limit != self->policy.limit)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
  if (g_strcmp0 (old.message, self->policy.message) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT_MESSAGE]);
  if (g_strcmp0 (old.note, self->policy.note) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTE]);
  if (old.with_memory != self->policy.with_memory)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WITH_MEMORY]);
  g_object_thaw_notify (G_OBJECT (self));
  _piso_snapshot_policy_clear (&old);
}

static void
machine_state_cb (PisoSnapshots *self)
{
  /* The state changes what may be taken at once; a revert or a start from a
   * snapshot by another program changes the list (and "current"). */
  update_policy (self);
  if (self->loaded)
    start_refresh (self, NULL);
}

PisoSnapshots *
piso_snapshots_get_for_machine (PisoMachine *machine)
{
  PisoSnapshots *self;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  self = g_object_get_data (G_OBJECT (machine), "piso-snapshots");
  if (self != NULL)
    return self;

  self = g_object_new (PISO_TYPE_SNAPSHOTS, NULL);
  g_set_weak_pointer (&self->machine, machine);
  self->state_handler = g_signal_connect_swapped (machine, "notify::state",
                                                  G_CALLBACK (machine_state_cb), self);
  self->available_handler = g_signal_connect_swapped (machine, "notify::available",
                                                      G_CALLBACK (machine_state_cb), self);
  g_object_set_data_full (G_OBJECT (machine), "piso-snapshots", self, g_object_unref);
  return self;
}

/* ---- getters ------------------------------------------------------------- */

PisoMachine *piso_snapshots_get_machine (PisoSnapshots *self) { g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), NULL); return self->machine; }
gboolean piso_snapshots_get_loaded (PisoSnapshots *self) { g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), FALSE); return self->loaded; }
PisoSnapshotKind piso_snapshots_get_kind (PisoSnapshots *self) { g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), PISO_SNAPSHOT_KIND_NONE); return self->policy.kind; }
PisoSnapshotLimit piso_snapshots_get_limit (PisoSnapshots *self) { g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), PISO_SNAPSHOT_LIMIT_UNKNOWN); return self->policy.limit; }
const char *piso_snapshots_get_limit_message (PisoSnapshots *self) { g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), NULL); return self->policy.message; }
const char *piso_snapshots_get_note (PisoSnapshots *self) { g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), NULL); return self->policy.note; }
gboolean piso_snapshots_get_with_memory (PisoSnapshots *self) { g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), FALSE); return self->policy.with_memory; }

PisoSnapshot *
piso_snapshots_lookup (PisoSnapshots *self,
                       const char    *name)
{
  GListModel *model;

  g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), NULL);

  model = G_LIST_MODEL (self->store);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PisoSnapshot) snapshot = g_list_model_get_item (model, i);

      if (g_strcmp0 (piso_snapshot_get_name (snapshot), name) == 0)
        return snapshot;   /* the store keeps it */
    }
  return NULL;
}

PisoSnapshot *
piso_snapshots_get_current (PisoSnapshots *self)
{
  GListModel *model;

  g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), NULL);

  model = G_LIST_MODEL (self->store);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PisoSnapshot) snapshot = g_list_model_get_item (model, i);

      if (piso_snapshot_get_current (snapshot))
        return snapshot;
    }
  return NULL;
}

char *
piso_snapshots_suggest_name (PisoSnapshots *self)
{
  g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), NULL);

  for (guint i = 1; ; i++)
    {
      g_autofree char *name = g_strdup_printf ("snapshot%u", i);

      if (piso_snapshots_lookup (self, name) == NULL)
        return g_steal_pointer (&name);
    }
}

gboolean
piso_snapshots_validate_name (PisoSnapshots  *self,
                              const char     *name,
                              GError        **error)
{
  g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), FALSE);

  /* libvirt keeps each snapshot in a file named after it, and QEMU's
   * monitor takes the name as one word: the machine-name rules fit. */
  if (!piso_machine_validate_name (name, error))
    return FALSE;
  if (name[0] == '.')
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                           _("A snapshot name cannot start with a dot."));
      return FALSE;
    }
  if (piso_snapshots_lookup (self, name) != NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("There is already a snapshot named “%s”."), name);
      return FALSE;
    }
  return TRUE;
}

/* ---- refresh ------------------------------------------------------------- */

typedef struct
{
  virDomainPtr         handle;
  gboolean             probe_host;
  PisoSnapshotHost     host;
  PisoSnapshotMachine *facts;
  GPtrArray           *infos;
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->handle, virDomainFree);
  g_clear_pointer (&listing->facts, _piso_snapshot_machine_free);
  g_clear_pointer (&listing->infos, g_ptr_array_unref);
  g_free (listing);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Listing *listing = task_data;
  GError *error = NULL;
  char *xml;

  if (listing->probe_host &&
      !_piso_snapshot_host_probe (virDomainGetConnect (listing->handle), &listing->host, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  xml = virDomainGetXMLDesc (listing->handle, 0);
  if (xml == NULL)
    {
      _piso_set_error_from_libvirt (&error, _("Could not read the definition of “%s”"),
                                    virDomainGetName (listing->handle));
      g_task_return_error (task, error);
      return;
    }
  listing->facts = _piso_snapshot_machine_parse (xml, &error);
  free (xml);
  if (listing->facts == NULL ||
      (listing->infos = _piso_snapshot_list_infos (listing->handle, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < listing->infos->len; i++)
    {
      PisoSnapshotInfo *info = g_ptr_array_index (listing->infos, i);

      info->label = g_strdup (g_hash_table_lookup (listing->facts->labels, info->name));
      if (info->parent != NULL)
        info->parent_label = g_strdup (g_hash_table_lookup (listing->facts->labels, info->parent));
    }
  g_task_return_boolean (task, TRUE);
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  const PisoSnapshotInfo *x = *(PisoSnapshotInfo * const *) a;
  const PisoSnapshotInfo *y = *(PisoSnapshotInfo * const *) b;

  if (x->creation_time != y->creation_time)
    return x->creation_time < y->creation_time ? -1 : 1;
  return g_strcmp0 (x->name, y->name);
}

/* Merges a listing into the store: snapshots keep their objects (views keep
 * their rows), new ones are inserted in order, gone ones removed. */
static void
apply_listing (PisoSnapshots *self,
               Listing       *listing)
{
  PisoConnection *connection = piso_machine_get_connection (self->machine);
  const PisoSnapshotHost *host;
  PisoSnapshot *old_current = piso_snapshots_get_current (self);
  guint n;

  if (listing->probe_host)
    _piso_snapshot_host_set (connection, &listing->host);
  host = _piso_snapshot_host_get (connection);

  g_clear_pointer (&self->facts, _piso_snapshot_machine_free);
  self->facts = g_steal_pointer (&listing->facts);
  self->existing = PISO_SNAPSHOT_KIND_NONE;

  g_ptr_array_sort (listing->infos, compare_infos);

  /* Remove the ones that are gone. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(PisoSnapshot) snapshot = g_list_model_get_item (G_LIST_MODEL (self->store), i - 1);
      gboolean found = FALSE;

      for (guint j = 0; j < listing->infos->len && !found; j++)
        found = g_strcmp0 (((PisoSnapshotInfo *) g_ptr_array_index (listing->infos, j))->name,
                           piso_snapshot_get_name (snapshot)) == 0;
      if (!found)
        g_list_store_remove (self->store, i - 1);
    }

  /* Update or insert, in creation order. */
  for (guint j = 0; j < listing->infos->len; j++)
    {
      PisoSnapshotInfo *info = g_ptr_array_index (listing->infos, j);
      gboolean can_revert = _piso_snapshot_host_can_revert (host, info->kind);
      g_autoptr(PisoSnapshot) at = g_list_model_get_item (G_LIST_MODEL (self->store), j);
      PisoSnapshot *existing = piso_snapshots_lookup (self, info->name);

      if (self->existing == PISO_SNAPSHOT_KIND_NONE || info->kind == PISO_SNAPSHOT_KIND_EXTERNAL)
        self->existing = info->kind;

      if (existing != NULL && existing == at)
        _piso_snapshot_update (existing, info, can_revert);
      else if (existing != NULL)
        {
          guint position;

          /* Out of order (a redefine changed its time): move it. */
          g_object_ref (existing);
          if (g_list_store_find (self->store, existing, &position))
            g_list_store_remove (self->store, position);
          _piso_snapshot_update (existing, info, can_revert);
          g_list_store_insert (self->store, j, existing);
          g_object_unref (existing);
        }
      else
        {
          g_autoptr(PisoSnapshot) snapshot =
            _piso_snapshot_new (info, piso_machine_get_uuid (self->machine), can_revert);

          g_list_store_insert (self->store, j, snapshot);
        }
    }

  if (old_current != piso_snapshots_get_current (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  update_policy (self);
}

static void
complete_waiters (GPtrArray    *waiters,
                  const GError *error)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_ptr_array_set_size (waiters, 0);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PisoSnapshots *self = PISO_SNAPSHOTS (object);
  Listing *listing = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->refreshing = FALSE;
  if (self->machine == NULL)
    {
      fail_waiters (self->waiting);
      fail_waiters (self->next_waiting);
      return;
    }

  if (g_task_propagate_boolean (G_TASK (result), &error))
    apply_listing (self, listing);
  else
    g_debug ("%s: %s", piso_machine_get_name (self->machine), error->message);

  complete_waiters (self->waiting, error);
  if (self->next_waiting->len > 0)
    start_refresh (self, NULL);
}

/* Reads the list again; @waiter (owned, may be NULL) completes when a read
 * that started after this call has finished. */
static void
start_refresh (PisoSnapshots *self,
               GTask         *waiter)
{
  g_autoptr(GTask) task = NULL;
  Listing *listing;
  virDomainPtr handle;

  if (waiter != NULL)
    g_ptr_array_add (self->refreshing ? self->next_waiting : self->waiting, waiter);
  else if (self->refreshing)
    {
      /* Nobody waits, but the read in flight may predate the change. */
      if (self->next_waiting->len == 0)
        g_ptr_array_add (self->next_waiting, g_task_new (self, NULL, NULL, NULL));
      return;
    }
  if (self->refreshing)
    return;

  /* The ones queued for "the next read" wait for this one now. */
  g_ptr_array_extend_and_steal (self->waiting, g_steal_pointer (&self->next_waiting));
  self->next_waiting = g_ptr_array_new_with_free_func (g_object_unref);

  {
    g_autoptr(GError) error = NULL;

    if ((handle = _piso_machine_ref_handle_or_error (self->machine, &error)) == NULL)
      {
        complete_waiters (self->waiting, error);
        return;
      }
  }

  self->refreshing = TRUE;
  listing = g_new0 (Listing, 1);
  listing->handle = handle;
  listing->probe_host = _piso_snapshot_host_get (piso_machine_get_connection (self->machine)) == NULL;
  task = g_task_new (self, NULL, refresh_cb, NULL);
  g_task_set_source_tag (task, start_refresh);
  g_task_set_task_data (task, listing, (GDestroyNotify) listing_free);
  g_task_run_in_thread (task, refresh_thread);
}

void
piso_snapshots_refresh_async (PisoSnapshots       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PISO_IS_SNAPSHOTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_snapshots_refresh_async);
  start_refresh (self, task);
}

gboolean
piso_snapshots_refresh_finish (PisoSnapshots  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- operations: a worker, then a refresh, then the caller ---------------- */

void
_piso_snapshots_op_free (PisoSnapshotsOp *op)
{
  g_clear_pointer (&op->handle, virDomainFree);
  g_free (op->name);
  g_free (op->uuid);
  g_free (op->snapshot);
  g_free (op->description);
  g_free (op->label);
  g_clear_pointer (&op->names, g_strfreev);
  g_free (op->disks_xml);
  g_free (op->memory_file);
  g_clear_pointer (&op->context, g_main_context_unref);
  if (op->data_free != NULL)
    op->data_free (op->data);
  g_free (op);
}

static void
op_refreshed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  GError *op_error = g_object_steal_data (G_OBJECT (outer), "piso-op-error");

  /* The operation's outcome is what the caller hears, not the refresh's. */
  if (op_error != NULL)
    g_task_return_error (outer, op_error);
  else
    g_task_return_boolean (outer, TRUE);
}

static void
op_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PisoSnapshots *self = PISO_SNAPSHOTS (object);
  g_autoptr(GTask) outer = user_data;
  GError *error = NULL;
  GTask *waiter;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_object_set_data_full (G_OBJECT (outer), "piso-op-error", error, (GDestroyNotify) g_error_free);

  /* Events bring state changes; a refresh also catches what libvirt sends
   * no event for (a managed save image dropped, a definition reverted). */
  if (self->machine != NULL)
    _piso_machine_queue_refresh (self->machine);

  waiter = g_task_new (self, NULL, op_refreshed_cb, g_steal_pointer (&outer));
  start_refresh (self, waiter);
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  PisoSnapshotsOp *op = task_data;
  GError *error = NULL;

  if (op->func (op, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

PisoSnapshotsOp *
_piso_snapshots_op_new (PisoSnapshots  *self,
                        GError        **error)
{
  PisoSnapshotsOp *op;
  virDomainPtr handle = _piso_machine_ref_handle_or_error (self->machine, error);

  if (handle == NULL)
    return NULL;

  op = g_new0 (PisoSnapshotsOp, 1);
  op->handle = handle;
  op->name = g_strdup (piso_machine_get_display_name (self->machine));
  op->uuid = g_strdup (piso_machine_get_uuid (self->machine));
  op->state = piso_machine_get_state (self->machine);
  op->kind = self->policy.kind;
  op->context = g_main_context_ref_thread_default ();
  op->has_agent = self->facts != NULL && self->facts->has_agent;
  return op;
}

void
_piso_snapshots_run_op (PisoSnapshots        *self,
                        PisoSnapshotsOp      *op,
                        gpointer              source_tag,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;

  g_task_set_source_tag (outer, source_tag);
  /* The worker decides what a cancel means (and undoes its part). */
  g_task_set_check_cancellable (outer, FALSE);
  inner = g_task_new (self, cancellable, op_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (inner, source_tag);
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, op, (GDestroyNotify) _piso_snapshots_op_free);
  g_task_run_in_thread (inner, op_thread);
}

void
_piso_snapshots_fail (PisoSnapshots       *self,
                      gpointer             source_tag,
                      GError              *error,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_error (task, error);
}

gboolean
_piso_snapshots_op_finish (PisoSnapshots  *self,
                           GAsyncResult   *result,
                           gpointer        source_tag,
                           GError        **error)
{
  g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const PisoSnapshotPolicy *
_piso_snapshots_get_policy (PisoSnapshots *self)
{
  return &self->policy;
}

const PisoSnapshotMachine *
_piso_snapshots_get_facts (PisoSnapshots *self)
{
  return self->facts;
}

void
_piso_snapshots_refresh_then (PisoSnapshots       *self,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  start_refresh (self, g_task_new (self, NULL, callback, user_data));
}

gboolean
_piso_snapshots_owns_file (PisoSnapshots *self,
                           const char    *path)
{
  GListModel *model = G_LIST_MODEL (self->store);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PisoSnapshot) snapshot = g_list_model_get_item (model, i);

      if (g_strv_contains (piso_snapshot_get_files (snapshot), path))
        return TRUE;
    }
  return FALSE;
}

void
_piso_snapshots_machine_reverted (PisoMachine *machine)
{
  PisoSnapshots *self = g_object_get_data (G_OBJECT (machine), "piso-snapshots");

  /* Only lists someone looked at are kept up to date. */
  if (self != NULL && self->loaded)
    start_refresh (self, NULL);
}
