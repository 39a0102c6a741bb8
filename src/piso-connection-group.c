/* piso-connection-group.c: one connection's row and its machines, filtered
 * and sorted, as one list model for the window's flattened list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-window"

#include "config.h"

#include "piso-connection-group.h"

/* Machines' "notify" handlers hold this, not the owner: one shared weak
 * pointer instead of one weak reference per machine on the owner. */
struct _PisoMachineWatcher
{
  gatomicrefcount        ref_count;
  GObject               *owner;   /* weak */
  PisoMachineNotifyFunc  func;
};

PisoMachineWatcher *
piso_machine_watcher_new (GObject               *owner,
                          PisoMachineNotifyFunc  func)
{
  PisoMachineWatcher *self = g_new0 (PisoMachineWatcher, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_set_weak_pointer (&self->owner, owner);
  self->func = func;
  return self;
}

PisoMachineWatcher *
piso_machine_watcher_ref (PisoMachineWatcher *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
piso_machine_watcher_unref (PisoMachineWatcher *self)
{
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_clear_weak_pointer (&self->owner);
      g_free (self);
    }
}

void
piso_machine_watcher_detach (PisoMachineWatcher *self)
{
  g_clear_weak_pointer (&self->owner);
}

static void
watcher_closure_notify (gpointer  data,
                        GClosure *closure)
{
  piso_machine_watcher_unref (data);
}

struct _PisoConnectionGroup
{
  GObject             parent_instance;

  PisoConnection     *connection;
  GListModel         *machines;   /* the connection's */
  GtkFilterListModel *filtered;   /* over a GtkSortListModel over machines */
  GtkFilter          *filter;
  PisoMachineWatcher *watcher;
  gboolean            header_visible;
};

static void piso_connection_group_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PisoConnectionGroup, piso_connection_group, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      piso_connection_group_list_model_init))

static GType
piso_connection_group_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
piso_connection_group_get_n_items (GListModel *model)
{
  PisoConnectionGroup *self = (PisoConnectionGroup *)model;

  return (self->header_visible ? 1 : 0) +
         g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
}

static gpointer
piso_connection_group_get_item (GListModel *model,
                                guint       position)
{
  PisoConnectionGroup *self = (PisoConnectionGroup *)model;

  if (self->header_visible)
    {
      if (position == 0)
        return g_object_ref (self->connection);
      position--;
    }

  return g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
}

static void
piso_connection_group_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = piso_connection_group_get_item_type;
  iface->get_n_items = piso_connection_group_get_n_items;
  iface->get_item = piso_connection_group_get_item;
}

/* The header shows unless a search is active and nothing of this
 * connection matches it. */
static void
piso_connection_group_update_header (PisoConnectionGroup *self)
{
  gboolean searching = gtk_filter_get_strictness (self->filter) != GTK_FILTER_MATCH_ALL;
  gboolean visible = !searching || g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0;

  if (visible == self->header_visible)
    return;

  self->header_visible = visible;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, visible ? 0 : 1, visible ? 1 : 0);
}

static void
piso_connection_group_filtered_changed_cb (PisoConnectionGroup *self,
                                           guint                position,
                                           guint                removed,
                                           guint                added,
                                           GListModel          *model)
{
  g_assert (PISO_IS_CONNECTION_GROUP (self));

  g_list_model_items_changed (G_LIST_MODEL (self),
                              position + (self->header_visible ? 1 : 0),
                              removed, added);
  piso_connection_group_update_header (self);
}

static void
piso_connection_group_machine_notify_cb (PisoMachine *machine,
                                         GParamSpec  *pspec,
                                         PisoMachineWatcher *ref)
{
  if (ref->owner != NULL)
    ref->func (ref->owner, machine, pspec->name);
}

static void
piso_connection_group_watch (PisoConnectionGroup *self,
                             guint                position,
                             guint                n_items)
{
  for (guint i = position; i < position + n_items; i++)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (self->machines, i);

      g_signal_connect_data (machine, "notify",
                             G_CALLBACK (piso_connection_group_machine_notify_cb),
                             piso_machine_watcher_ref (self->watcher),
                             watcher_closure_notify, 0);
    }
}

static void
piso_connection_group_machines_changed_cb (PisoConnectionGroup *self,
                                           guint                position,
                                           guint                removed,
                                           guint                added,
                                           GListModel          *model)
{
  g_assert (PISO_IS_CONNECTION_GROUP (self));

  piso_connection_group_watch (self, position, added);
}

static void
piso_connection_group_dispose (GObject *object)
{
  PisoConnectionGroup *self = (PisoConnectionGroup *)object;

  if (self->machines != NULL)
    {
      guint n_items = g_list_model_get_n_items (self->machines);

      g_signal_handlers_disconnect_by_data (self->machines, self);
      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(PisoMachine) machine = g_list_model_get_item (self->machines, i);

          g_signal_handlers_disconnect_by_data (machine, self->watcher);
        }
      self->machines = NULL;
    }
  if (self->filter != NULL)
    g_signal_handlers_disconnect_by_data (self->filter, self);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_data (self->filtered, self);

  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->watcher, piso_machine_watcher_unref);

  G_OBJECT_CLASS (piso_connection_group_parent_class)->dispose (object);
}

static void
piso_connection_group_class_init (PisoConnectionGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = piso_connection_group_dispose;
}

static void
piso_connection_group_init (PisoConnectionGroup *self)
{
  self->header_visible = TRUE;
}

PisoConnectionGroup *
piso_connection_group_new (PisoConnection *connection,
                           GtkFilter      *filter,
                           GtkSorter      *sorter,
                           PisoMachineWatcher *watcher)
{
  PisoConnectionGroup *self = g_object_new (PISO_TYPE_CONNECTION_GROUP, NULL);
  GtkSortListModel *sorted;

  self->connection = g_object_ref (connection);
  self->machines = piso_connection_get_machines (connection);
  self->filter = g_object_ref (filter);
  self->watcher = piso_machine_watcher_ref (watcher);

  /* Filter outside the sort: typing in the search entry then never re-sorts */
  sorted = gtk_sort_list_model_new (g_object_ref (self->machines), g_object_ref (sorter));
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (sorted), g_object_ref (filter));

  g_signal_connect_object (self->filtered, "items-changed",
                           G_CALLBACK (piso_connection_group_filtered_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter, "changed",
                           G_CALLBACK (piso_connection_group_update_header), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->machines, "items-changed",
                           G_CALLBACK (piso_connection_group_machines_changed_cb), self,
                           G_CONNECT_SWAPPED);
  piso_connection_group_watch (self, 0, g_list_model_get_n_items (self->machines));

  /* Nobody listens yet: set the header's visibility without a signal */
  self->header_visible = gtk_filter_get_strictness (filter) == GTK_FILTER_MATCH_ALL ||
                         g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0;

  return self;
}
