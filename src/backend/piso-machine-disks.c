/* piso-machine-disks.c: adding, removing and growing disks; CD/DVD media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-disks"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-connection.h"
#include "piso-disk.h"
#include "piso-format-size.h"
#include "piso-machine-devices.h"
#include "piso-machine-edit-private.h"
#include "piso-storage.h"

/* How long QEMU may take to report an opened CD tray. */
#define TRAY_TIMEOUT_MS 10000

typedef struct
{
  char     *pool;
  guint64   capacity;
  char     *path;
  gboolean  cdrom;
  gboolean  local;        /* the connection's host is this one: files can be looked at */
  char     *bus;
  char     *target;       /* the disk to change; for additions, the new target (output) */
  gboolean  delete_storage;
  gboolean  force;
} DiskRequest;

static void
disk_request_free (DiskRequest *request)
{
  g_free (request->pool);
  g_free (request->path);
  g_free (request->bus);
  g_free (request->target);
  g_free (request);
}

static DiskRequest *
disk_request_new (PisoMachine *self)
{
  DiskRequest *request = g_new0 (DiskRequest, 1);
  PisoConnection *connection = piso_machine_get_connection (self);

  request->local = connection != NULL && piso_connection_is_local (connection);
  return request;
}

PisoDisk *
piso_machine_find_disk (PisoMachine *self,
                        const char  *target)
{
  GListModel *disks;

  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  g_return_val_if_fail (target != NULL, NULL);

  disks = piso_machine_get_disks (self);

  for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);

      if (g_strcmp0 (piso_disk_get_target (disk), target) == 0)
        return disk;   /* the model keeps its reference */
    }
  return NULL;
}

/* ---- targets and formats ---- */

static const char *
bus_prefix (const char *bus)
{
  if (g_strcmp0 (bus, "virtio") == 0)
    return "vd";
  if (g_strcmp0 (bus, "ide") == 0)
    return "hd";
  if (g_strcmp0 (bus, "fdc") == 0)
    return "fd";
  return "sd";   /* sata, scsi, usb */
}

/* "a" … "z", "aa" … as libvirt numbers targets. */
static char *
target_suffix (guint index)
{
  GString *suffix = g_string_new (NULL);

  do
    {
      g_string_prepend_c (suffix, 'a' + index % 26);
      index = index / 26;
    }
  while (index-- > 0);
  return g_string_free (suffix, FALSE);
}

static gboolean
target_used (PisoEdit   *edit,
             const char *target)
{
  return (edit->next != NULL && _piso_xml_find_disk (edit->next, target) != NULL) ||
         (edit->live != NULL && _piso_xml_find_disk (edit->live, target) != NULL);
}

/* The first free target on @bus, in the definition and the running machine. */
static char *
free_target (PisoEdit   *edit,
             const char *bus)
{
  for (guint i = 0; ; i++)
    {
      g_autofree char *suffix = target_suffix (i);
      char *target = g_strconcat (bus_prefix (bus), suffix, NULL);

      if (!target_used (edit, target))
        return target;
      g_free (target);
    }
}

/* A volume's format from its XML ("qcow2"), or NULL. */
static char *
volume_format (virStorageVolPtr vol)
{
  g_autoptr(xmlDoc) doc = _piso_xml_parse_reply (virStorageVolGetXMLDesc (vol, 0));

  if (doc == NULL)
    return NULL;
  return _piso_xml_attr (_piso_xml_child (_piso_xml_child (xmlDocGetRootElement (doc), "target"),
                                          "format"), "type");
}

/* The format of the image at @path: a storage volume's, else (local
 * connections) the file's magic, else raw. Missing files are refused. */
static char *
image_format (PisoEdit     *edit,
              DiskRequest  *request,
              GError      **error)
{
  gboolean refreshed = FALSE;
  virStorageVolPtr vol = piso_storage_find_volume (virDomainGetConnect (edit->handle),
                                                   request->path, &refreshed);
  char *format;

  if (vol != NULL)
    {
      format = volume_format (vol);
      virStorageVolFree (vol);
      /* A pool calls a disc image "iso"; to QEMU it is raw. */
      if (format == NULL || g_str_equal (format, "iso"))
        piso_set_str (&format, "raw");
      return format;
    }

  if (!request->local)
    return g_strdup ("raw");
  if (!g_file_test (request->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("“%s” does not exist."), request->path);
      return NULL;
    }
  format = piso_storage_detect_format (request->path, NULL);
  return format != NULL ? format : g_strdup ("raw");
}

static gboolean
is_qemu (PisoEdit *edit)
{
  xmlNodePtr root = xmlDocGetRootElement (_piso_edit_config_doc (edit));

  return _piso_xml_attr_is (root, "type", "kvm") || _piso_xml_attr_is (root, "type", "qemu");
}

/* <disk type='file' device=…><driver/><source file/><target/>[<readonly/>]</disk> */
static xmlNodePtr
new_disk_node (PisoEdit   *edit,
               const char *device,
               const char *path,
               const char *format,
               const char *target,
               const char *bus)
{
  xmlNodePtr disk = xmlNewNode (NULL, (const xmlChar *) "disk");
  xmlNodePtr node;

  _piso_xml_set_attr (disk, "type", "file");
  _piso_xml_set_attr (disk, "device", device);
  node = xmlNewChild (disk, NULL, (const xmlChar *) "driver", NULL);
  if (is_qemu (edit))
    _piso_xml_set_attr (node, "name", "qemu");
  _piso_xml_set_attr (node, "type", format);
  if (path != NULL)
    _piso_xml_set_attr (xmlNewChild (disk, NULL, (const xmlChar *) "source", NULL), "file", path);
  node = xmlNewChild (disk, NULL, (const xmlChar *) "target", NULL);
  _piso_xml_set_attr (node, "dev", target);
  _piso_xml_set_attr (node, "bus", bus);
  if (g_strcmp0 (device, "cdrom") == 0)
    xmlNewChild (disk, NULL, (const xmlChar *) "readonly", NULL);
  return disk;
}

/* Adds @disk (taken) to the definition and the running machine. */
static gboolean
attach_disk (PisoEdit    *edit,
             xmlNodePtr   disk,
             const char  *context,
             GError     **error)
{
  g_autofree char *xml = _piso_xml_node_to_string (disk);

  if (edit->next != NULL)
    {
      xmlAddChild (_piso_xml_devices (edit->next), disk);
      if (!_piso_edit_define (edit, context, error))
        return FALSE;
    }
  else
    xmlFreeNode (disk);

  if (!edit->active)
    return TRUE;
  return _piso_edit_live_result (edit, virDomainAttachDeviceFlags (edit->handle, xml, VIR_DOMAIN_AFFECT_LIVE),
                                 context, error);
}

/* ---- new and existing disks ---- */

static gboolean
op_add_new_disk (PisoEdit  *edit,
                 gpointer   data,
                 GError   **error)
{
  DiskRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not add a disk to “%s”"), edit->name);
  virConnectPtr conn = virDomainGetConnect (edit->handle);
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  guint64 available = 0;
  gboolean ok;

  if (request->pool != NULL)
    {
      if ((pool = virStoragePoolLookupByName (conn, request->pool)) == NULL)
        {
          _piso_set_error_from_libvirt (error, "%s", context);
          return FALSE;
        }
    }
  else if ((pool = piso_storage_lookup_default_pool (conn, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                     _("%s: this host has no storage pool “%s” to put it in."), context,
                     PISO_STORAGE_DEFAULT_POOL);
      else
        g_prefix_error (error, "%s: ", context);
      return FALSE;
    }

  base = g_strdup (virDomainGetName (edit->handle));
  ok = piso_storage_start_pool (pool, error) &&
       piso_storage_pool_available (pool, &available, error) &&
       piso_storage_check_space (virStoragePoolGetName (pool), request->capacity, available, error) &&
       (name = piso_storage_unique_volume_name (pool, base, "qcow2", error)) != NULL;
  vol = ok ? piso_storage_create_volume (pool, name, "qcow2", request->capacity, error) : NULL;
  virStoragePoolFree (pool);
  if (vol == NULL)
    {
      g_prefix_error (error, "%s: ", context);
      return FALSE;
    }

  path = virStorageVolGetPath (vol);
  request->target = free_target (edit, request->bus);
  if (path == NULL ||
      !attach_disk (edit, new_disk_node (edit, "disk", path, "qcow2", request->target, request->bus),
                    context, error))
    {
      if (path == NULL)
        _piso_set_error_from_libvirt (error, "%s", context);
      /* Nothing refers to the new volume: it goes again. */
      piso_storage_delete_volume (vol);
      return FALSE;
    }
  virStorageVolFree (vol);
  return TRUE;
}

static gboolean
op_add_existing_disk (PisoEdit  *edit,
                      gpointer   data,
                      GError   **error)
{
  DiskRequest *request = data;
  g_autofree char *context = NULL;
  g_autofree char *format = NULL;

  context = request->cdrom ? g_strdup_printf (_("Could not add a CD/DVD drive to “%s”"), edit->name)
                           : g_strdup_printf (_("Could not add a disk to “%s”"), edit->name);

  if (request->path != NULL && (format = image_format (edit, request, error)) == NULL)
    {
      g_prefix_error (error, "%s: ", context);
      return FALSE;
    }
  request->target = free_target (edit, request->bus);
  return attach_disk (edit, new_disk_node (edit, request->cdrom ? "cdrom" : "disk", request->path,
                                           format != NULL ? format : "raw", request->target,
                                           request->bus),
                      context, error);
}

/* The bus of the machine's first CD/DVD drive, else what its machine type
 * has: SATA on q35, IDE on the older "pc". */
static char *
cdrom_bus (PisoMachine *self)
{
  GListModel *disks = piso_machine_get_disks (self);
  const char *machine_type = piso_machine_boot_get_machine_type (piso_machine_get_boot (self));

  for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);

      if (g_strcmp0 (piso_disk_get_device (disk), "cdrom") == 0 && piso_disk_get_bus (disk) != NULL)
        return g_strdup (piso_disk_get_bus (disk));
    }
  return g_strdup (machine_type != NULL && strstr (machine_type, "q35") != NULL ? "sata" : "ide");
}

/* Runs @func once the request has a bus: the caller's, a CD drive's, or
 * the one New Machine would choose for the machine's OS. */
static void
run_add (PisoMachine         *self,
         gpointer             source_tag,
         PisoEditFunc         func,
         DiskRequest         *request,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  if (request->bus == NULL && request->cdrom)
    request->bus = cdrom_bus (self);
  _piso_machine_run_edit_for_os (self, source_tag, func, request, (GDestroyNotify) disk_request_free,
                                 &request->bus, NULL, cancellable, callback, user_data);
}

static PisoChange *
add_finish (PisoMachine   *self,
            GAsyncResult  *result,
            gpointer       source_tag,
            char         **target,
            GError       **error)
{
  PisoChange *change = _piso_machine_edit_finish (self, result, source_tag, error);
  DiskRequest *request = _piso_machine_edit_get_data (result);

  if (change != NULL && target != NULL)
    *target = g_strdup (request->target);
  return change;
}

void
piso_machine_add_new_disk_async (PisoMachine         *self,
                                 const char          *pool,
                                 guint64              capacity,
                                 const char          *bus,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DiskRequest *request;

  g_return_if_fail (PISO_IS_MACHINE (self));

  if (capacity == 0)
    {
      _piso_machine_edit_refuse (self, piso_machine_add_new_disk_async,
                                 g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                                              _("Could not add a disk to “%s”: give it a size."),
                                              piso_machine_get_display_name (self)),
                                 callback, user_data);
      return;
    }

  request = disk_request_new (self);
  request->pool = g_strdup (pool);
  request->capacity = capacity;
  request->bus = g_strdup (bus);
  run_add (self, piso_machine_add_new_disk_async, op_add_new_disk, request, cancellable, callback,
           user_data);
}

PisoChange *
piso_machine_add_new_disk_finish (PisoMachine   *self,
                                  GAsyncResult  *result,
                                  char         **target,
                                  GError       **error)
{
  return add_finish (self, result, piso_machine_add_new_disk_async, target, error);
}

void
piso_machine_add_existing_disk_async (PisoMachine         *self,
                                      const char          *path,
                                      gboolean             cdrom,
                                      const char          *bus,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  PisoConnection *connection;
  g_autofree char *other = NULL;
  DiskRequest *request;
  GError *error = NULL;

  g_return_if_fail (PISO_IS_MACHINE (self));

  connection = piso_machine_get_connection (self);
  if (path == NULL && !cdrom)
    error = g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                         _("Could not add a disk to “%s”: choose a disk image."),
                         piso_machine_get_display_name (self));
  /* Two machines writing one image corrupt it; a disc image is read only. */
  else if (!cdrom && connection != NULL &&
           _piso_connection_path_used_by_other (connection, self, path, &other))
    error = g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_DISK_IN_USE,
                         _("Could not add a disk to “%s”: “%s” is used by “%s”, and two machines writing one disk damage it."),
                         piso_machine_get_display_name (self), path, other);
  if (error != NULL)
    {
      _piso_machine_edit_refuse (self, piso_machine_add_existing_disk_async, error, callback, user_data);
      return;
    }

  request = disk_request_new (self);
  request->path = g_strdup (path);
  request->cdrom = cdrom;
  request->bus = g_strdup (bus);
  run_add (self, piso_machine_add_existing_disk_async, op_add_existing_disk, request, cancellable,
           callback, user_data);
}

PisoChange *
piso_machine_add_existing_disk_finish (PisoMachine   *self,
                                       GAsyncResult  *result,
                                       char         **target,
                                       GError       **error)
{
  return add_finish (self, result, piso_machine_add_existing_disk_async, target, error);
}

/* ---- removal ---- */

static gboolean
op_remove_disk (PisoEdit  *edit,
                gpointer   data,
                GError   **error)
{
  DiskRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not remove the disk “%s” of “%s”"),
                                              request->target, edit->name);
  xmlNodePtr next_disk = edit->next != NULL ? _piso_xml_find_disk (edit->next, request->target) : NULL;
  xmlNodePtr live_disk = edit->live != NULL ? _piso_xml_find_disk (edit->live, request->target) : NULL;
  virStorageVolPtr vol = NULL;
  gboolean released = TRUE;

  if (next_disk == NULL && live_disk == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("%s: it has no such disk."), context);
      return FALSE;
    }

  if (request->delete_storage)
    {
      gboolean refreshed = FALSE;

      vol = piso_storage_find_volume (virDomainGetConnect (edit->handle), request->path, &refreshed);
      if (vol == NULL)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_A_VOLUME,
                       _("%s: “%s” is not in a storage pool, so Piso cannot remove it. Nothing was changed."),
                       context, request->path);
          return FALSE;
        }
    }

  if (next_disk != NULL)
    {
      _piso_xml_remove (next_disk);
      if (!_piso_edit_define (edit, context, error))
        {
          g_clear_pointer (&vol, virStorageVolFree);
          return FALSE;
        }
    }
  if (live_disk != NULL)
    {
      PisoDetach detach = _piso_edit_detach_live (edit, live_disk, context, error);

      if (detach == PISO_DETACH_FAILED)
        {
          g_clear_pointer (&vol, virStorageVolFree);
          return FALSE;
        }
      released = detach == PISO_DETACH_DONE;
    }

  if (vol != NULL)
    {
      if (!released)
        _piso_edit_note (edit, _("Its file “%s” was kept: the running machine still uses it."),
                         request->path);
      else if (virStorageVolDelete (vol, 0) < 0)
        {
          _piso_edit_note (edit, _("Its file “%s” could not be deleted: %s"), request->path,
                           virGetLastErrorMessage ());
          virResetLastError ();
        }
      virStorageVolFree (vol);
    }
  return TRUE;
}

void
piso_machine_remove_disk_async (PisoMachine         *self,
                                const char          *target,
                                gboolean             delete_storage,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  DiskRequest *request;
  PisoDisk *disk;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (target != NULL);

  disk = piso_machine_find_disk (self, target);
  if (disk == NULL)
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                 _("“%s” has no disk “%s”."), piso_machine_get_display_name (self), target);
  else if (delete_storage && piso_disk_get_path (disk) == NULL)
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_A_VOLUME,
                 _("The disk “%s” of “%s” has no file to delete."), target,
                 piso_machine_get_display_name (self));
  else if (delete_storage && !_piso_machine_check_storage_removal (self, piso_disk_get_path (disk), &error))
    g_prefix_error (&error, _("Could not delete the file of the disk “%s”: "), target);
  if (error != NULL)
    {
      _piso_machine_edit_refuse (self, piso_machine_remove_disk_async, g_steal_pointer (&error),
                                 callback, user_data);
      return;
    }

  request = disk_request_new (self);
  request->target = g_strdup (target);
  request->path = g_strdup (piso_disk_get_path (disk));
  request->delete_storage = delete_storage;
  _piso_machine_run_edit (self, piso_machine_remove_disk_async, op_remove_disk, request,
                          (GDestroyNotify) disk_request_free, cancellable, callback, user_data);
}

PisoChange *
piso_machine_remove_disk_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_remove_disk_async, error);
}

/* ---- growing ---- */

static gboolean
op_grow_disk (PisoEdit  *edit,
              gpointer   data,
              GError   **error)
{
  DiskRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not grow the disk “%s” of “%s”"),
                                              request->target, edit->name);
  virStorageVolPtr vol = NULL;
  guint64 current = 0;

  if (edit->active)
    {
      virDomainBlockInfo info;

      if (virDomainGetBlockInfo (edit->handle, request->target, &info, 0) < 0)
        {
          _piso_set_error_from_libvirt (error, "%s", context);
          return FALSE;
        }
      current = info.capacity;
    }
  else
    {
      gboolean refreshed = FALSE;
      virStorageVolInfo info;

      vol = request->path != NULL
            ? piso_storage_find_volume (virDomainGetConnect (edit->handle), request->path, &refreshed)
            : NULL;
      if (vol == NULL)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_A_VOLUME,
                       _("%s: its file is not in a storage pool, so Piso can only grow it while the machine runs."),
                       context);
          return FALSE;
        }
      if (virStorageVolGetInfo (vol, &info) < 0)
        {
          _piso_set_error_from_libvirt (error, "%s", context);
          virStorageVolFree (vol);
          return FALSE;
        }
      current = info.capacity;
    }

  /* libvirt 9.0 would shrink a disk without a word (no
   * VIR_DOMAIN_BLOCK_RESIZE_EXTEND before 12.3), losing the guest's data
   * at its end: Piso only grows. */
  if (request->capacity <= current)
    {
      g_autofree char *asked = NULL;
      g_autofree char *now = NULL;

      piso_format_size_pair (request->capacity, current, &asked, &now);
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("%s: %s is not more than its size now, %s. Disks only grow: shrinking one would cut off the data at its end."),
                   context, asked, now);
      g_clear_pointer (&vol, virStorageVolFree);
      return FALSE;
    }

  if (vol != NULL)
    {
      /* No VIR_STORAGE_VOL_RESIZE_SHRINK: libvirt refuses to shrink too. */
      int ret = virStorageVolResize (vol, request->capacity, 0);

      /* (the error first: any libvirt call clears it) */
      if (ret < 0)
        _piso_set_error_from_libvirt (error, "%s", context);
      virStorageVolFree (vol);
      if (ret < 0)
        return FALSE;
      edit->scope |= PISO_CHANGE_SCOPE_NEXT_START;
      return TRUE;
    }

  if (virDomainBlockResize (edit->handle, request->target, request->capacity,
                            VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0)
    {
      _piso_set_error_from_libvirt (error, "%s", context);
      return FALSE;
    }
  /* The image itself grew: it stays so. */
  edit->scope |= PISO_CHANGE_SCOPE_NOW | (edit->persistent ? PISO_CHANGE_SCOPE_NEXT_START : 0);
  _piso_edit_note (edit, _("The guest sees a larger disk now; its partitions and file systems keep their size until they are grown inside the guest."));
  return TRUE;
}

void
piso_machine_grow_disk_async (PisoMachine         *self,
                              const char          *target,
                              guint64              capacity,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PisoConnection *connection;
  g_autofree char *other = NULL;
  DiskRequest *request;
  GError *error = NULL;
  PisoDisk *disk;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (target != NULL);

  connection = piso_machine_get_connection (self);
  disk = piso_machine_find_disk (self, target);
  if (disk == NULL)
    error = g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                         _("“%s” has no disk “%s”."), piso_machine_get_display_name (self), target);
  else if (g_strcmp0 (piso_disk_get_device (disk), "disk") != 0)
    error = g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                         _("Could not grow “%s” of “%s”: only disks grow, not CD/DVD or floppy drives."),
                         target, piso_machine_get_display_name (self));
  else if (connection != NULL && piso_disk_get_path (disk) != NULL &&
           _piso_connection_path_used_by_other (connection, self, piso_disk_get_path (disk), &other))
    error = g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_DISK_IN_USE,
                         _("Could not grow “%s” of “%s”: its file is also used by “%s”."),
                         target, piso_machine_get_display_name (self), other);
  if (error != NULL)
    {
      _piso_machine_edit_refuse (self, piso_machine_grow_disk_async, error, callback, user_data);
      return;
    }

  request = disk_request_new (self);
  request->target = g_strdup (target);
  request->path = g_strdup (piso_disk_get_path (disk));
  request->capacity = capacity;
  _piso_machine_run_edit (self, piso_machine_grow_disk_async, op_grow_disk, request,
                          (GDestroyNotify) disk_request_free, cancellable, callback, user_data);
}

PisoChange *
piso_machine_grow_disk_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_grow_disk_async, error);
}

/* ---- CD/DVD media ---- */

/* Puts @path (NULL: none) in @disk: the definition's or a copy of the
 * running one's. */
static void
set_medium (xmlNodePtr  disk,
            const char *path,
            const char *format)
{
  _piso_xml_remove_children (disk, "source");
  if (path == NULL)
    return;

  _piso_xml_set_attr (disk, "type", "file");
  _piso_xml_set_attr (xmlNewChild (disk, NULL, (const xmlChar *) "source", NULL), "file", path);
  if (format != NULL)
    _piso_xml_set_attr (_piso_xml_ensure_child (disk, "driver"), "type", format);
}

static int
update_medium (PisoEdit   *edit,
               xmlNodePtr  live_disk,
               const char *path,
               const char *format,
               gboolean    force)
{
  xmlNodePtr copy = xmlDocCopyNode (live_disk, edit->live, 1);
  g_autofree char *xml = NULL;
  unsigned int flags = VIR_DOMAIN_AFFECT_LIVE;

  set_medium (copy, path, format);
  xml = _piso_xml_node_to_string (copy);
  xmlFreeNode (copy);
  if (force)
    flags |= VIR_DOMAIN_DEVICE_MODIFY_FORCE;
  return virDomainUpdateDeviceFlags (edit->handle, xml, flags);
}

static gboolean
error_mentions (const char *needle)
{
  virErrorPtr err = virGetLastError ();

  return err != NULL && err->message != NULL && strstr (err->message, needle) != NULL;
}

static gboolean
op_set_cd_media (PisoEdit  *edit,
                 gpointer   data,
                 GError   **error)
{
  static const int tray_ids[] = { VIR_DOMAIN_EVENT_ID_TRAY_CHANGE };
  DiskRequest *request = data;
  g_autofree char *context = NULL;
  g_autofree char *format = NULL;
  xmlNodePtr next_disk = edit->next != NULL ? _piso_xml_find_disk (edit->next, request->target) : NULL;
  xmlNodePtr live_disk = edit->live != NULL ? _piso_xml_find_disk (edit->live, request->target) : NULL;
  g_autofree char *alias = NULL;
  gboolean had_medium;

  context = request->path != NULL
            ? g_strdup_printf (_("Could not put a disc in “%s” of “%s”"), request->target, edit->name)
            : g_strdup_printf (_("Could not eject the disc of “%s” of “%s”"), request->target, edit->name);

  if (next_disk == NULL && live_disk == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("%s: it has no such drive."), context);
      return FALSE;
    }
  if (request->path != NULL && (format = image_format (edit, request, error)) == NULL)
    {
      g_prefix_error (error, "%s: ", context);
      return FALSE;
    }

  if (next_disk != NULL)
    {
      set_medium (next_disk, request->path, format);
      if (!_piso_edit_define (edit, context, error))
        return FALSE;
    }
  if (live_disk == NULL)
    {
      _piso_edit_next_start_only (edit);
      return TRUE;
    }

  if (update_medium (edit, live_disk, request->path, format, request->force) == 0)
    {
      _piso_edit_live_done (edit);
      return TRUE;
    }

  /* libvirt 9.0 asks QEMU to remove the old medium before the tray has
   * opened ("Tray of device … is not open"; fixed in 9.1). Eject first,
   * wait for the tray, then insert. */
  had_medium = _piso_xml_child (live_disk, "source") != NULL;
  alias = _piso_xml_attr (_piso_xml_child (live_disk, "alias"), "name");
  if (request->path != NULL && had_medium && error_mentions ("is not open"))
    {
      g_autoptr(PisoEventWait) wait = _piso_event_wait_new (edit->uuid);
      int reason = -1;

      g_debug ("%s: media change refused (%s); ejecting first", edit->name, virGetLastErrorMessage ());
      virResetLastError ();
      if (update_medium (edit, live_disk, NULL, NULL, request->force) == 0)
        {
          /* The event may already have come during the eject. */
          if (alias != NULL)
            _piso_event_wait_for (wait, alias, tray_ids, G_N_ELEMENTS (tray_ids), TRAY_TIMEOUT_MS,
                                  NULL, &reason);
          if (update_medium (edit, live_disk, request->path, format, request->force) == 0)
            {
              _piso_edit_live_done (edit);
              return TRUE;
            }
        }
    }

  /* A guest that locks its tray (a mounted disc) refuses; forcing works. */
  if (!request->force && (error_mentions ("lock") || error_mentions ("tray")))
    edit->force_possible = TRUE;
  return _piso_edit_live_failed (edit, context, error);
}

void
piso_machine_set_cd_media_async (PisoMachine         *self,
                                 const char          *target,
                                 const char          *path,
                                 gboolean             force,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DiskRequest *request;
  PisoDisk *disk;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (target != NULL);

  disk = piso_machine_find_disk (self, target);
  if (disk == NULL || (g_strcmp0 (piso_disk_get_device (disk), "cdrom") != 0 &&
                       g_strcmp0 (piso_disk_get_device (disk), "floppy") != 0))
    {
      _piso_machine_edit_refuse (self, piso_machine_set_cd_media_async,
                                 g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                                              _("“%s” has no CD/DVD drive “%s”."),
                                              piso_machine_get_display_name (self), target),
                                 callback, user_data);
      return;
    }

  request = disk_request_new (self);
  request->target = g_strdup (target);
  request->path = g_strdup (path);
  request->force = force;
  _piso_machine_run_edit (self, piso_machine_set_cd_media_async, op_set_cd_media, request,
                          (GDestroyNotify) disk_request_free, cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_cd_media_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_cd_media_async, error);
}
