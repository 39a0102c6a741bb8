/* piso-machine-edit.c: changing a machine, definition first, then live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-edit"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-disk.h"
#include "piso-install-plan.h"
#include "piso-machine-edit-private.h"
#include "piso-net-interface.h"
#include "piso-os-catalog.h"

/* How long a running machine's guest may take to let a device go, after
 * libvirt's own 5 s: ACPI hot-unplug under TCG is slow. */
#define REMOVAL_TIMEOUT_MS 30000

typedef struct
{
  PisoEditFunc    func;
  gpointer        data;
  GDestroyNotify  data_free;
  PisoChange     *change;     /* set by the worker on success */
} EditTask;

static void
edit_task_free (EditTask *task)
{
  if (task->data_free != NULL)
    task->data_free (task->data);
  piso_change_free (task->change);
  g_free (task);
}

static void
edit_clear (PisoEdit *edit)
{
  g_clear_pointer (&edit->next, xmlFreeDoc);
  g_clear_pointer (&edit->live, xmlFreeDoc);
  g_clear_pointer (&edit->next_original, g_free);
  if (edit->message != NULL)
    g_string_free (edit->message, TRUE);
  edit->message = NULL;
}

static gboolean
read_xml (PisoEdit      *edit,
          unsigned int   flags,
          xmlDocPtr     *doc,
          char         **text,
          GError       **error)
{
  char *xml = virDomainGetXMLDesc (edit->handle, flags);

  if (xml == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the definition of “%s”"), edit->name);
      return FALSE;
    }
  *doc = _piso_xml_parse (xml, FALSE, NULL, error);
  if (text != NULL)
    *text = g_strdup (xml);
  free (xml);
  return *doc != NULL;
}

static gboolean
edit_thread (virDomainPtr   handle,
             GVirDomain    *gvir,
             const char    *name,
             gpointer       data,
             GError       **error)
{
  EditTask *task = data;
  PisoEdit edit = { 0 };
  int active, persistent;
  gboolean ok = FALSE;

  edit.handle = handle;
  edit.name = name;
  edit.message = g_string_new (NULL);
  virDomainGetUUIDString (handle, edit.uuid);

  if ((active = virDomainIsActive (handle)) < 0 ||
      (persistent = virDomainIsPersistent (handle)) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not change “%s”"), name);
      goto out;
    }
  edit.active = active == 1;
  edit.persistent = persistent == 1;

  /* With its secrets (graphics passwords…): what is defined again must
   * keep them. */
  if (edit.persistent &&
      !read_xml (&edit, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE,
                 &edit.next, &edit.next_original, error))
    goto out;
  if (edit.active && !read_xml (&edit, 0, &edit.live, NULL, error))
    goto out;

  ok = task->func (&edit, task->data, error);
  if (ok)
    task->change = _piso_change_new (edit.scope, edit.message->len > 0 ? edit.message->str : NULL,
                                     edit.force_possible);

out:
  virResetLastError ();
  edit_clear (&edit);
  return ok;
}

void
_piso_machine_run_edit (PisoMachine         *self,
                        gpointer             source_tag,
                        PisoEditFunc         func,
                        gpointer             data,
                        GDestroyNotify       data_free,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  EditTask *task = g_new0 (EditTask, 1);

  task->func = func;
  task->data = data;
  task->data_free = data_free;
  _piso_machine_run_op (self, source_tag, edit_thread, task, (GDestroyNotify) edit_task_free,
                        cancellable, callback, user_data);
}

void
_piso_machine_edit_refuse (PisoMachine         *self,
                           gpointer             source_tag,
                           GError              *error,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_new0 (EditTask, 1), (GDestroyNotify) edit_task_free);
  g_task_return_error (task, error);
}

PisoChange *
_piso_machine_edit_finish (PisoMachine   *self,
                           GAsyncResult  *result,
                           gpointer       source_tag,
                           GError       **error)
{
  EditTask *task;

  if (!_piso_machine_op_finish (self, result, source_tag, error))
    return NULL;

  task = g_task_get_task_data (G_TASK (result));
  return g_steal_pointer (&task->change);
}

gpointer
_piso_machine_edit_get_data (GAsyncResult *result)
{
  EditTask *task = g_task_get_task_data (G_TASK (result));

  return task != NULL ? task->data : NULL;
}

xmlDocPtr
_piso_edit_config_doc (PisoEdit *edit)
{
  return edit->next != NULL ? edit->next : edit->live;
}

gboolean
_piso_edit_define (PisoEdit    *edit,
                   const char  *context,
                   GError     **error)
{
  g_autofree char *xml = NULL;
  virDomainPtr dom;

  if (!edit->persistent || edit->next == NULL)
    return TRUE;

  xml = _piso_xml_to_string (edit->next);
  /* libvirt's own schema check first: an invalid definition is refused
   * whole instead of being defined with parts silently dropped. */
  dom = virDomainDefineXMLFlags (virDomainGetConnect (edit->handle), xml, VIR_DOMAIN_DEFINE_VALIDATE);
  if (dom == NULL)
    {
      _piso_set_error_from_libvirt (error, "%s", context);
      return FALSE;
    }
  virDomainFree (dom);
  edit->defined = TRUE;
  edit->scope |= PISO_CHANGE_SCOPE_NEXT_START;
  return TRUE;
}

void
_piso_edit_rollback (PisoEdit *edit)
{
  virDomainPtr dom;

  if (!edit->defined)
    return;

  dom = virDomainDefineXML (virDomainGetConnect (edit->handle), edit->next_original);
  if (dom != NULL)
    virDomainFree (dom);
  else
    g_warning ("Could not restore the definition of %s: %s", edit->name, virGetLastErrorMessage ());
  virResetLastError ();
  edit->defined = FALSE;
  edit->scope &= ~PISO_CHANGE_SCOPE_NEXT_START;
}

void
_piso_edit_live_done (PisoEdit *edit)
{
  edit->scope |= PISO_CHANGE_SCOPE_NOW;
}

gboolean
_piso_edit_live_result (PisoEdit    *edit,
                        int          ret,
                        const char  *context,
                        GError     **error)
{
  if (ret < 0)
    return _piso_edit_live_failed (edit, context, error);
  _piso_edit_live_done (edit);
  return TRUE;
}

void
_piso_edit_note (PisoEdit   *edit,
                 const char *format,
                 ...)
{
  va_list args;

  if (edit->message->len > 0)
    g_string_append_c (edit->message, ' ');
  va_start (args, format);
  g_string_append_vprintf (edit->message, format, args);
  va_end (args);
}

static gboolean
connection_lost (virErrorPtr err)
{
  return err != NULL &&
         (err->code == VIR_ERR_NO_DOMAIN || err->code == VIR_ERR_NO_CONNECT ||
          err->code == VIR_ERR_INVALID_CONN ||
          (err->code == VIR_ERR_SYSTEM_ERROR && err->domain == VIR_FROM_RPC) ||
          err->domain == VIR_FROM_RPC || err->domain == VIR_FROM_REMOTE);
}

gboolean
_piso_edit_live_refused (PisoEdit     *edit,
                         virErrorPtr   err,
                         const char   *context,
                         GError      **error)
{
  if (!edit->defined || connection_lost (err))
    {
      _piso_set_error_from_virerror (error, err, context);
      _piso_edit_rollback (edit);
      return FALSE;
    }

  _piso_edit_note (edit,
                   /* Translators: %s is the machine, the second %s libvirt's reason */
                   _("The change applies when “%s” restarts: the running machine could not take it (%s)."),
                   edit->name, err != NULL && err->message != NULL ? err->message : _("unknown error"));
  virResetLastError ();
  return TRUE;
}

gboolean
_piso_edit_live_failed (PisoEdit    *edit,
                        const char  *context,
                        GError     **error)
{
  return _piso_edit_live_refused (edit, virGetLastError (), context, error);
}

void
_piso_edit_next_start_only (PisoEdit *edit)
{
  if (edit->active)
    _piso_edit_note (edit, _("The change applies when “%s” restarts."), edit->name);
}

PisoDetach
_piso_edit_detach_live (PisoEdit    *edit,
                        xmlNodePtr   device,
                        const char  *context,
                        GError     **error)
{
  static const int ids[] = { VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                             VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED };
  g_autofree char *alias = _piso_xml_attr (_piso_xml_child (device, "alias"), "name");
  g_autoptr(PisoEventWait) wait = _piso_event_wait_new (edit->uuid);
  int id = 0;
  int ret;

  if (alias != NULL)
    ret = virDomainDetachDeviceAlias (edit->handle, alias, VIR_DOMAIN_AFFECT_LIVE);
  else
    {
      g_autofree char *xml = _piso_xml_node_to_string (device);

      ret = virDomainDetachDeviceFlags (edit->handle, xml, VIR_DOMAIN_AFFECT_LIVE);
    }
  if (ret < 0)
    return _piso_edit_live_failed (edit, context, error) ? PISO_DETACH_PENDING : PISO_DETACH_FAILED;

  /* libvirt returns once it asked the guest (and waited 5 s); the device
   * is gone when DEVICE_REMOVED says so. */
  if (alias == NULL)
    {
      _piso_edit_live_done (edit);
      return PISO_DETACH_DONE;
    }
  if (!_piso_event_wait_for (wait, alias, ids, G_N_ELEMENTS (ids), REMOVAL_TIMEOUT_MS, &id, NULL))
    {
      _piso_edit_note (edit, _("The guest of “%s” has not let the device go yet: it goes when the guest does, or when the machine restarts."),
                       edit->name);
      return PISO_DETACH_PENDING;
    }
  if (id == VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED)
    {
      _piso_edit_note (edit, _("The guest of “%s” refused to let the device go: it goes when the machine restarts."),
                       edit->name);
      return PISO_DETACH_PENDING;
    }
  _piso_edit_live_done (edit);
  return PISO_DETACH_DONE;
}

/* Events for worker threads */

typedef struct
{
  int   id;
  char *alias;
  int   detail;
} CollectedEvent;

struct _PisoEventWait
{
  char    uuid[VIR_UUID_STRING_BUFLEN];
  GArray *events;   /* CollectedEvent */
};

static GMutex wait_lock;
static GCond wait_cond;
static GList *waits;

static void
collected_event_clear (CollectedEvent *event)
{
  g_free (event->alias);
}

PisoEventWait *
_piso_event_wait_new (const char *uuid)
{
  PisoEventWait *wait = g_new0 (PisoEventWait, 1);

  g_strlcpy (wait->uuid, uuid, sizeof wait->uuid);
  wait->events = g_array_new (FALSE, TRUE, sizeof (CollectedEvent));
  g_array_set_clear_func (wait->events, (GDestroyNotify) collected_event_clear);

  g_mutex_lock (&wait_lock);
  waits = g_list_prepend (waits, wait);
  g_mutex_unlock (&wait_lock);
  return wait;
}

void
_piso_event_wait_free (PisoEventWait *wait)
{
  g_mutex_lock (&wait_lock);
  waits = g_list_remove (waits, wait);
  g_mutex_unlock (&wait_lock);
  g_array_unref (wait->events);
  g_free (wait);
}

void
_piso_event_wait_notify (virDomainPtr  dom,
                         int           id,
                         const char   *alias,
                         int           detail)
{
  char uuid[VIR_UUID_STRING_BUFLEN];

  virDomainGetUUIDString (dom, uuid);
  g_mutex_lock (&wait_lock);
  for (GList *l = waits; l != NULL; l = l->next)
    {
      PisoEventWait *wait = l->data;
      CollectedEvent event = { id, g_strdup (alias), detail };

      if (g_str_equal (wait->uuid, uuid))
        g_array_append_val (wait->events, event);
      else
        g_free (event.alias);
    }
  g_cond_broadcast (&wait_cond);
  g_mutex_unlock (&wait_lock);
}

static gboolean
find_event (PisoEventWait *wait,
            const char    *alias,
            const int     *ids,
            guint          n_ids,
            int           *id,
            int           *detail)
{
  for (guint i = 0; i < wait->events->len; i++)
    {
      CollectedEvent *event = &g_array_index (wait->events, CollectedEvent, i);

      if (g_strcmp0 (event->alias, alias) != 0)
        continue;
      for (guint j = 0; j < n_ids; j++)
        if (event->id == ids[j])
          {
            if (id != NULL)
              *id = event->id;
            if (detail != NULL)
              *detail = event->detail;
            g_array_remove_index (wait->events, i);
            return TRUE;
          }
    }
  return FALSE;
}

gboolean
_piso_event_wait_for (PisoEventWait *wait,
                      const char    *alias,
                      const int     *ids,
                      guint          n_ids,
                      guint          timeout_ms,
                      int           *id,
                      int           *detail)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean found;

  g_mutex_lock (&wait_lock);
  while (!(found = find_event (wait, alias, ids, n_ids, id, detail)))
    if (!g_cond_wait_until (&wait_cond, &wait_lock, deadline))
      {
        found = find_event (wait, alias, ids, n_ids, id, detail);
        break;
      }
  g_mutex_unlock (&wait_lock);
  return found;
}

/* The operating system's devices, as New Machine chooses them */

typedef struct
{
  char *disk_bus;
  char *net_model;
} OsChoice;

static void
os_choice_free (OsChoice *choice)
{
  g_free (choice->disk_bus);
  g_free (choice->net_model);
  g_free (choice);
}

/* The install plan's enums are named as libvirt names the devices. */
static char *
enum_nick (GType  type,
           int    value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  return g_strdup (v != NULL ? v->value_nick : NULL);
}

static void
os_choice_complete (GTask         *task,
                    PisoOsCatalog *catalog)
{
  PisoMachine *self = g_task_get_source_object (task);
  g_autoptr(PisoInstallPlan) plan = piso_install_plan_new (piso_machine_get_connection (self));
  OsChoice *choice = g_new0 (OsChoice, 1);
  const char *os_id = piso_machine_get_os_id (self);

  piso_install_plan_set_os (plan, os_id, NULL);
  piso_install_plan_apply_os (plan, catalog, NULL);
  choice->disk_bus = enum_nick (PISO_TYPE_INSTALL_DISK_BUS, piso_install_plan_get_disk_bus (plan));
  choice->net_model = enum_nick (PISO_TYPE_INSTALL_NET_MODEL, piso_install_plan_get_net_model (plan));

  /* An unknown OS: what the machine already drives is the safer guess. */
  if (os_id == NULL || piso_os_catalog_lookup (catalog, os_id) == NULL)
    {
      GListModel *disks = piso_machine_get_disks (self);
      GListModel *interfaces = piso_machine_get_interfaces (self);

      for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
        {
          g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);

          if (g_strcmp0 (piso_disk_get_device (disk), "disk") == 0 && piso_disk_get_bus (disk) != NULL)
            {
              g_free (choice->disk_bus);
              choice->disk_bus = g_strdup (piso_disk_get_bus (disk));
              break;
            }
        }
      for (guint i = 0; i < g_list_model_get_n_items (interfaces); i++)
        {
          g_autoptr(PisoNetInterface) iface = g_list_model_get_item (interfaces, i);

          if (piso_net_interface_get_model (iface) != NULL)
            {
              g_free (choice->net_model);
              choice->net_model = g_strdup (piso_net_interface_get_model (iface));
              break;
            }
        }
    }

  g_task_return_pointer (task, choice, (GDestroyNotify) os_choice_free);
}

static void
os_catalog_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Without the database the machine's own devices still guide. */
  if (!piso_os_catalog_load_finish (PISO_OS_CATALOG (object), result, &error))
    g_debug ("OS catalog: %s", error->message);
  os_choice_complete (task, PISO_OS_CATALOG (object));
}

typedef struct
{
  gpointer             source_tag;
  PisoEditFunc         func;
  gpointer             data;
  GDestroyNotify       data_free;
  char               **disk_bus;
  char               **net_model;
  GCancellable        *cancellable;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} PendingEdit;

static void
os_choice_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PisoMachine *self = PISO_MACHINE (object);
  PendingEdit *pending = user_data;
  OsChoice *choice = g_task_propagate_pointer (G_TASK (result), NULL);

  g_assert (choice != NULL);
  if (pending->disk_bus != NULL && *pending->disk_bus == NULL)
    *pending->disk_bus = g_steal_pointer (&choice->disk_bus);
  if (pending->net_model != NULL && *pending->net_model == NULL)
    *pending->net_model = g_steal_pointer (&choice->net_model);
  os_choice_free (choice);

  _piso_machine_run_edit (self, pending->source_tag, pending->func, pending->data,
                          pending->data_free, pending->cancellable, pending->callback,
                          pending->user_data);
  g_clear_object (&pending->cancellable);
  g_free (pending);
}

void
_piso_machine_run_edit_for_os (PisoMachine         *self,
                               gpointer             source_tag,
                               PisoEditFunc         func,
                               gpointer             data,
                               GDestroyNotify       data_free,
                               char               **disk_bus,
                               char               **net_model,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  PisoOsCatalog *catalog = piso_os_catalog_get_default ();
  g_autoptr(GTask) task = NULL;
  PendingEdit *pending;

  if ((disk_bus == NULL || *disk_bus != NULL) && (net_model == NULL || *net_model != NULL))
    {
      _piso_machine_run_edit (self, source_tag, func, data, data_free, cancellable, callback,
                              user_data);
      return;
    }

  pending = g_new0 (PendingEdit, 1);
  pending->source_tag = source_tag;
  pending->func = func;
  pending->data = data;
  pending->data_free = data_free;
  pending->disk_bus = disk_bus;
  pending->net_model = net_model;
  pending->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  pending->callback = callback;
  pending->user_data = user_data;

  task = g_task_new (self, NULL, os_choice_cb, pending);
  g_task_set_source_tag (task, _piso_machine_run_edit_for_os);
  if (piso_machine_get_os_id (self) != NULL && !piso_os_catalog_is_loaded (catalog))
    piso_os_catalog_load_async (catalog, NULL, os_catalog_loaded_cb, g_steal_pointer (&task));
  else
    os_choice_complete (task, catalog);
}
