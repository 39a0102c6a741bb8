/* piso-machine-lifecycle.c: start, stop, save, rename, delete… in worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-lifecycle"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-connection.h"
#include "piso-disk.h"
#include "piso-machine-private.h"
#include "piso-net-interface.h"
#include "piso-snapshots-private.h"
#include "piso-storage.h"

typedef struct
{
  virDomainPtr      handle;
  GVirDomain       *gvir;
  char             *name;
  PisoMachineOpFunc func;
  gpointer          data;      /* the caller's task holds it */
  GTask            *outer;     /* the caller's task */
} MachineOp;

static void
machine_op_free (MachineOp *op)
{
  g_clear_pointer (&op->handle, virDomainFree);
  g_clear_object (&op->gvir);
  g_free (op->name);
  g_clear_object (&op->outer);
  g_free (op);
}

static void
machine_op_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  MachineOp *op = task_data;
  GError *error = NULL;

  if (op->func (op->handle, op->gvir, op->name, op->data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
machine_op_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PisoMachine *self = PISO_MACHINE (object);
  MachineOp *op = g_task_get_task_data (G_TASK (result));
  GTask *outer = g_steal_pointer (&op->outer);
  GError *error = NULL;

  /* Events bring state changes; a refresh also catches what libvirt sends
   * no event for (autostart, a managed save image removed …). The caller
   * hears of a success once it is read back: what the operation changed is
   * then in the machine's properties and device lists. */
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      _piso_machine_refresh_then_return (self, outer);
      return;
    }
  else
    {
      _piso_machine_queue_refresh (self);
      /* The guest was not asked after all: its next stop is not the user's. */
      if (g_task_get_source_tag (outer) == piso_machine_shutdown_async ||
          g_task_get_source_tag (outer) == piso_machine_reboot_async)
        _piso_machine_install_note_request (self, PISO_MACHINE_ACTION_START);
      if (g_task_get_source_tag (outer) == piso_machine_shutdown_async)
        _piso_machine_note_shutdown_request (self, FALSE);
      g_task_return_error (outer, error);
    }

  g_object_unref (outer);
}

void
_piso_machine_run_op (PisoMachine         *self,
                      gpointer             source_tag,
                      PisoMachineOpFunc    func,
                      gpointer             data,
                      GDestroyNotify       data_free,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  MachineOp *op;
  virDomainPtr handle;

  g_task_set_source_tag (outer, source_tag);
  /* The caller's task owns the data, so _finish can read what the
   * operation left in it. */
  g_task_set_task_data (outer, data, data_free);

  handle = _piso_machine_ref_handle (self);
  if (handle == NULL)
    {
      g_task_return_new_error (outer, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                               _("“%s” cannot be reached: the connection to its host is down."),
                               piso_machine_get_display_name (self));
      return;
    }

  op = g_new0 (MachineOp, 1);
  op->handle = handle;
  op->gvir = g_object_ref (piso_machine_get_gvir (self));
  op->name = g_strdup (piso_machine_get_display_name (self));
  op->func = func;
  op->data = data;
  op->outer = g_object_ref (outer);

  inner = g_task_new (self, NULL, machine_op_done, NULL);
  g_task_set_source_tag (inner, source_tag);
  g_task_set_task_data (inner, op, (GDestroyNotify) machine_op_free);
  g_task_run_in_thread (inner, machine_op_thread);
}

gboolean
_piso_machine_op_finish (PisoMachine   *self,
                         GAsyncResult  *result,
                         gpointer       source_tag,
                         GError       **error)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The operations (worker threads). Each calls libvirt-glib where it has a
 * wrapper and reports libvirt's own reason in its message. */

static gboolean
op_start (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  g_autoptr(GError) gerror = NULL;

  /* libvirt restores a managed save image by itself when there is one. */
  if (!gvir_domain_start (gvir, 0, &gerror))
    {
      _piso_set_error_from_libvirt (error, _("Could not start “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_restore (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  int has = virDomainHasManagedSaveImage (handle, 0);

  if (has < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not restore “%s”"), name);
      return FALSE;
    }
  if (has == 0)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("Could not restore “%s”: it has no saved state."), name);
      return FALSE;
    }
  return op_start (handle, gvir, name, data, error);
}

static gboolean
op_shutdown (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  g_autoptr(GError) gerror = NULL;

  if (!gvir_domain_shutdown (gvir, 0, &gerror))
    {
      _piso_set_error_from_libvirt (error, _("Could not shut down “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_reboot (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  g_autoptr(GError) gerror = NULL;

  if (!gvir_domain_reboot (gvir, 0, &gerror))
    {
      _piso_set_error_from_libvirt (error, _("Could not restart “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_force_off (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  g_autoptr(GError) gerror = NULL;

  if (!gvir_domain_stop (gvir, 0, &gerror))
    {
      _piso_set_error_from_libvirt (error, _("Could not force off “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_pause (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  g_autoptr(GError) gerror = NULL;

  if (!gvir_domain_suspend (gvir, &gerror))
    {
      _piso_set_error_from_libvirt (error, _("Could not pause “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_resume (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  g_autoptr(GError) gerror = NULL;
  int state = VIR_DOMAIN_NOSTATE;
  gboolean ok;

  if (virDomainGetState (handle, &state, NULL, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not resume “%s”"), name);
      return FALSE;
    }

  /* A guest suspended to RAM by itself wakes up; a paused one resumes. */
  if (state == VIR_DOMAIN_PMSUSPENDED)
    ok = gvir_domain_wakeup (gvir, 0, &gerror);
  else
    ok = gvir_domain_resume (gvir, &gerror);

  if (!ok)
    {
      _piso_set_error_from_libvirt (error, _("Could not resume “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_save (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  g_autoptr(GError) gerror = NULL;

  if (!gvir_domain_save (gvir, 0, &gerror))
    {
      _piso_set_error_from_libvirt (error, _("Could not save the state of “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_set_autostart (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  if (virDomainSetAutostart (handle, GPOINTER_TO_INT (data)) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not change whether “%s” starts with the host"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_rename (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  const char *new_name = data;
  virConnectPtr conn = virDomainGetConnect (handle);
  virDomainPtr other;

  /* Asked again here: another client may have taken the name meanwhile. */
  if ((other = virDomainLookupByName (conn, new_name)) != NULL)
    {
      virDomainFree (other);
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("Could not rename “%s”: a machine named “%s” already exists."), name, new_name);
      return FALSE;
    }

  if (virDomainRename (handle, new_name, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not rename “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

/* A template's disks back its linked clones: starting or deleting it would
 * break them. Returns TRUE (and completes the call) when @self is one. */
static gboolean
refuse_template (PisoMachine         *self,
                 gpointer             source_tag,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GListModel *clones = piso_machine_get_linked_clones (self);
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GTask) task = NULL;

  if (!piso_machine_get_is_template (self))
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (clones); i++)
    {
      g_autoptr(PisoMachine) clone = g_list_model_get_item (clones, i);

      g_string_append_printf (names, "%s“%s”", i > 0 ? ", " : "", piso_machine_get_display_name (clone));
    }
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  if (source_tag == piso_machine_delete_async)
    g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                             /* Translators: the last %s is a list of machine names */
                             _("“%s” cannot be deleted: it is the template of the linked clones %s, "
                               "whose disks build on its disks. Delete them first."),
                             piso_machine_get_display_name (self), names->str);
  else
    g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                             _("“%s” cannot start: it is the template of the linked clones %s, and "
                               "what it wrote to its disks would damage theirs. Run it disposable, "
                               "or delete its linked clones first."),
                             piso_machine_get_display_name (self), names->str);
  return TRUE;
}

void
piso_machine_start_async (PisoMachine *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  if (refuse_template (self, piso_machine_start_async, callback, user_data))
    return;
  _piso_machine_run_op (self, piso_machine_start_async, op_start, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_start_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_start_async, error);
}

void
piso_machine_restore_async (PisoMachine *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  if (refuse_template (self, piso_machine_restore_async, callback, user_data))
    return;
  _piso_machine_run_op (self, piso_machine_restore_async, op_restore, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_restore_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_restore_async, error);
}

void
piso_machine_shutdown_async (PisoMachine *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  /* An installer's own shutdown ends its run; the user's does not. */
  _piso_machine_install_note_request (self, PISO_MACHINE_ACTION_SHUTDOWN);
  /* Shown at once: a guest takes seconds to stop, or ignores the request. */
  _piso_machine_note_shutdown_request (self, TRUE);
  _piso_machine_run_op (self, piso_machine_shutdown_async, op_shutdown, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_shutdown_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_shutdown_async, error);
}

void
piso_machine_reboot_async (PisoMachine *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  _piso_machine_install_note_request (self, PISO_MACHINE_ACTION_REBOOT);
  _piso_machine_run_op (self, piso_machine_reboot_async, op_reboot, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_reboot_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_reboot_async, error);
}

void
piso_machine_force_off_async (PisoMachine *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  _piso_machine_run_op (self, piso_machine_force_off_async, op_force_off, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_force_off_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_force_off_async, error);
}

void
piso_machine_pause_async (PisoMachine *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  _piso_machine_run_op (self, piso_machine_pause_async, op_pause, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_pause_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_pause_async, error);
}

void
piso_machine_resume_async (PisoMachine *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  _piso_machine_run_op (self, piso_machine_resume_async, op_resume, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_resume_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_resume_async, error);
}

void
piso_machine_save_async (PisoMachine *self, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  _piso_machine_run_op (self, piso_machine_save_async, op_save, NULL, NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_save_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_save_async, error);
}

void
piso_machine_set_autostart_async (PisoMachine *self, gboolean autostart, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  if (!piso_machine_get_persistent (self))
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, piso_machine_set_autostart_async);
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               _("“%s” is a temporary (transient) machine: only machines defined on the host can start with it."),
                               piso_machine_get_display_name (self));
      return;
    }

  _piso_machine_run_op (self, piso_machine_set_autostart_async, op_set_autostart,
                        GINT_TO_POINTER (!!autostart), NULL, cancellable, callback, user_data);
}

gboolean
piso_machine_set_autostart_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_set_autostart_async, error);
}

void
piso_machine_rename_async (PisoMachine *self, const char *new_name, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  PisoConnection *connection;

  g_return_if_fail (PISO_IS_MACHINE (self));

  connection = piso_machine_get_connection (self);
  if (connection != NULL ? !piso_connection_check_machine_name (connection, new_name, self, &error)
                         : !piso_machine_validate_name (new_name, &error))
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, piso_machine_rename_async);
      g_prefix_error (&error, _("Could not rename “%s”: "), piso_machine_get_display_name (self));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _piso_machine_run_op (self, piso_machine_rename_async, op_rename, g_strdup (new_name), g_free,
                        cancellable, callback, user_data);
}

gboolean
piso_machine_rename_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_rename_async, error);
}

/* Delete */

static gboolean
op_delete (virDomainPtr handle, GVirDomain *gvir, const char *name, gpointer data, GError **error)
{
  char **paths = data;
  virConnectPtr conn = virDomainGetConnect (handle);
  g_autoptr(GPtrArray) volumes = g_ptr_array_new_with_free_func (_piso_volume_unref);
  gboolean refreshed = FALSE;
  int persistent;
  int active;
  guint flags;

  /* Everything that can refuse is asked before anything is removed. */
  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      virStorageVolPtr vol = piso_storage_find_volume (conn, paths[i], &refreshed);

      if (vol == NULL)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_A_VOLUME,
                       _("Could not delete “%s”: “%s” is not in a storage pool, so Piso cannot remove it. Nothing was deleted."),
                       name, paths[i]);
          return FALSE;
        }
      g_ptr_array_add (volumes, vol);
    }

  if ((persistent = virDomainIsPersistent (handle)) < 0 ||
      (active = virDomainIsActive (handle)) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not delete “%s”"), name);
      return FALSE;
    }

  if (active && virDomainDestroy (handle) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not delete “%s”: it could not be forced off"), name);
      return FALSE;
    }

  if (persistent)
    {
      flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
              VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_NVRAM;
      if (_piso_domain_undefine (handle, flags) < 0)
        {
          _piso_set_error_from_libvirt (error, _("Could not delete “%s”"), name);
          return FALSE;
        }
    }

  /* The pictures kept with its snapshots are Piso's cache, not the user's data. */
  {
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (virDomainGetUUIDString (handle, uuid) == 0)
      _piso_snapshot_screenshots_forget (uuid);
  }

  for (guint i = 0; i < volumes->len; i++)
    {
      if (virStorageVolDelete (g_ptr_array_index (volumes, i), 0) < 0)
        {
          _piso_set_error_from_libvirt (error,
                                        _("“%s” was deleted, but its storage file “%s” could not be removed"),
                                        name, paths[i]);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
_piso_machine_check_storage_removal (PisoMachine  *self,
                                     const char   *path,
                                     GError      **error)
{
  PisoConnection *connection = piso_machine_get_connection (self);
  GListModel *disks = piso_machine_get_disks (self);
  g_autofree char *other = NULL;
  gboolean found = FALSE;

  for (guint j = 0; j < g_list_model_get_n_items (disks) && !found; j++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, j);

      found = g_strcmp0 (piso_disk_get_path (disk), path) == 0;
    }
  /* The files of its external snapshots (as listed) go the same way. */
  if (!found)
    found = _piso_snapshots_owns_file (piso_snapshots_get_for_machine (self), path);

  if (!found)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("“%s” is not one of its disks."), path);
      return FALSE;
    }
  if (connection != NULL && _piso_connection_path_used_by_other (connection, self, path, &other))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_DISK_IN_USE,
                   _("“%s” is also used by “%s”."), path, other);
      return FALSE;
    }
  return TRUE;
}

void
piso_machine_delete_async (PisoMachine         *self,
                           const char * const  *remove_storage,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PISO_IS_MACHINE (self));

  if (refuse_template (self, piso_machine_delete_async, callback, user_data))
    return;
  for (guint i = 0; remove_storage != NULL && remove_storage[i] != NULL && error == NULL; i++)
    if (!_piso_machine_check_storage_removal (self, remove_storage[i], &error))
      g_prefix_error (&error, _("Could not delete “%s”: "), piso_machine_get_display_name (self));
  if (error != NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
      g_autofree char *message = g_strdup_printf (_("%s Nothing was deleted."), error->message);

      g_free (error->message);
      error->message = g_steal_pointer (&message);

      g_task_set_source_tag (task, piso_machine_delete_async);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _piso_machine_run_op (self, piso_machine_delete_async, op_delete,
                        g_strdupv ((char **) remove_storage), (GDestroyNotify) g_strfreev,
                        cancellable, callback, user_data);
}

gboolean
piso_machine_delete_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_delete_async, error);
}

/* Details: the definition again, disk sizes and interface addresses. */

typedef struct
{
  guint                event_serial;  /* the machine's when the read started */
  PisoMachineSnapshot *snapshot;
  GPtrArray           *disk_info;   /* DiskInfo, by path */
  GHashTable          *addresses;   /* MAC (lower case) → GPtrArray of strings */
  char                *host_arch;   /* the host's, to tell an emulated architecture */
} Details;

typedef struct
{
  char    *path;
  char    *pool;
  char    *volume;
  guint64  capacity;
  guint64  allocation;
} DiskInfo;

static void
disk_info_free (DiskInfo *info)
{
  g_free (info->path);
  g_free (info->pool);
  g_free (info->volume);
  g_free (info);
}

static void
details_free (Details *details)
{
  _piso_machine_snapshot_free (details->snapshot);
  g_ptr_array_unref (details->disk_info);
  g_hash_table_unref (details->addresses);
  g_free (details->host_arch);
  g_free (details);
}

static void
collect_addresses (virDomainPtr  handle,
                   unsigned int  source,
                   GHashTable   *addresses)
{
  virDomainInterfacePtr *ifaces = NULL;
  int n = virDomainInterfaceAddresses (handle, &ifaces, source, 0);

  for (int i = 0; i < n; i++)
    {
      virDomainInterfacePtr iface = ifaces[i];

      if (iface->hwaddr != NULL)
        {
          g_autofree char *mac = g_ascii_strdown (iface->hwaddr, -1);
          GPtrArray *list = g_hash_table_lookup (addresses, mac);

          if (list == NULL)
            {
              list = g_ptr_array_new_with_free_func (g_free);
              g_hash_table_insert (addresses, g_steal_pointer (&mac), list);
            }
          for (unsigned int j = 0; j < iface->naddrs; j++)
            {
              if (g_str_has_prefix (iface->addrs[j].addr, "127.") ||
                  g_strcmp0 (iface->addrs[j].addr, "::1") == 0)
                continue;
              g_ptr_array_add (list, g_strdup_printf ("%s/%u", iface->addrs[j].addr,
                                                      iface->addrs[j].prefix));
            }
        }
      virDomainInterfaceFree (iface);
    }
  free (ifaces);
}

static void
details_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  virDomainPtr handle = task_data;
  virConnectPtr conn = virDomainGetConnect (handle);
  Details *details = g_new0 (Details, 1);
  virNodeInfo node;

  details->snapshot = _piso_machine_snapshot_read (handle);
  /* QEMU's node "model" is the host's architecture. */
  if (virNodeGetInfo (conn, &node) == 0)
    details->host_arch = g_strndup (node.model, sizeof node.model);
  virResetLastError ();
  details->disk_info = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_info_free);
  details->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);

  if (details->snapshot->config != NULL)
    {
      GPtrArray *disks = details->snapshot->config->disks;

      for (guint i = 0; i < disks->len; i++)
        {
          PisoDisk *disk = g_ptr_array_index (disks, i);
          const char *path = piso_disk_get_path (disk);
          virStorageVolPtr vol;
          DiskInfo *info;

          if (path == NULL)
            continue;

          info = g_new0 (DiskInfo, 1);
          info->path = g_strdup (path);

          if ((vol = virStorageVolLookupByPath (conn, path)) != NULL)
            {
              virStoragePoolPtr pool = virStoragePoolLookupByVolume (vol);
              virStorageVolInfo vinfo;

              if (pool != NULL)
                {
                  info->pool = g_strdup (virStoragePoolGetName (pool));
                  virStoragePoolFree (pool);
                }
              info->volume = g_strdup (virStorageVolGetName (vol));
              if (virStorageVolGetInfo (vol, &vinfo) == 0)
                {
                  info->capacity = vinfo.capacity;
                  info->allocation = vinfo.allocation;
                }
              virStorageVolFree (vol);
            }
          else if (piso_disk_get_target (disk) != NULL)
            {
              virDomainBlockInfo binfo;

              if (virDomainGetBlockInfo (handle, piso_disk_get_target (disk), &binfo, 0) == 0)
                {
                  info->capacity = binfo.capacity;
                  info->allocation = binfo.allocation;
                }
            }
          virResetLastError ();
          g_ptr_array_add (details->disk_info, info);
        }
    }

  if (virDomainIsActive (handle) == 1)
    {
      collect_addresses (handle, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, details->addresses);
      if (g_hash_table_size (details->addresses) == 0)
        collect_addresses (handle, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, details->addresses);
      virResetLastError ();
    }

  g_task_return_pointer (task, details, (GDestroyNotify) details_free);
}

static void
details_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PisoMachine *self = PISO_MACHINE (object);
  g_autoptr(GTask) outer = user_data;
  Details *details = g_task_propagate_pointer (G_TASK (result), NULL);
  GListModel *model;

  g_assert (details != NULL);

  details->event_serial = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "piso-event-serial"));

  /* Events that came in while reading know better than the read. */
  if (details->event_serial == _piso_machine_get_event_serial (self))
    _piso_machine_apply_snapshot (self, details->snapshot);
  else
    _piso_machine_queue_refresh (self);
  _piso_machine_boot_set_host_arch (piso_machine_get_boot (self), details->host_arch);

  model = piso_machine_get_disks (self);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (model, i);

      for (guint j = 0; j < details->disk_info->len; j++)
        {
          DiskInfo *info = g_ptr_array_index (details->disk_info, j);

          if (g_strcmp0 (info->path, piso_disk_get_path (disk)) == 0)
            _piso_disk_set_volume_info (disk, info->pool != NULL ? info->pool : piso_disk_get_pool (disk),
                                        info->volume, info->capacity, info->allocation);
        }
    }

  model = piso_machine_get_interfaces (self);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PisoNetInterface) iface = g_list_model_get_item (model, i);
      g_autofree char *mac = g_ascii_strdown (piso_net_interface_get_mac (iface) ?: "", -1);
      GPtrArray *list = g_hash_table_lookup (details->addresses, mac);

      if (list != NULL)
        {
          g_ptr_array_add (list, NULL);
          _piso_net_interface_set_addresses (iface, (const char * const *) list->pdata);
          g_ptr_array_remove_index (list, list->len - 1);
        }
      else
        _piso_net_interface_set_addresses (iface, NULL);
    }

  details_free (details);
  g_task_return_boolean (outer, TRUE);
}

void
piso_machine_refresh_details_async (PisoMachine         *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  virDomainPtr handle;

  g_return_if_fail (PISO_IS_MACHINE (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, piso_machine_refresh_details_async);

  if ((handle = _piso_machine_ref_handle (self)) == NULL)
    {
      g_task_return_new_error (outer, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                               _("“%s” cannot be reached: the connection to its host is down."),
                               piso_machine_get_display_name (self));
      return;
    }

  inner = g_task_new (self, NULL, details_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (inner, piso_machine_refresh_details_async);
  g_task_set_task_data (inner, handle, _piso_domain_unref);
  g_object_set_data (G_OBJECT (inner), "piso-event-serial",
                     GUINT_TO_POINTER (_piso_machine_get_event_serial (self)));
  g_task_run_in_thread (inner, details_thread);
}

gboolean
piso_machine_refresh_details_finish (PisoMachine   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return _piso_machine_op_finish (self, result, piso_machine_refresh_details_async, error);
}
