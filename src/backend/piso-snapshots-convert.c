/* piso-snapshots-convert.c: raw disks to qcow2, so a machine can have snapshots
 *
 * Through libvirt's storage (the images belong to the daemon): each raw
 * image is copied into a new qcow2 volume beside it (libvirt runs qemu-img
 * convert), the machine is redefined on the copies, and only then are the
 * raw images removed. A failure or a cancel before the new definition
 * removes the copies and leaves the machine as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshots-convert"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-private.h"
#include "piso-connection.h"
#include "piso-disk.h"
#include "piso-machine-private.h"
#include "piso-snapshots-private.h"
#include "piso-storage.h"
#include "piso-domain-xml-private.h"

#define PROGRESS_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  GFileProgressCallback  callback;
  gpointer               data;
  GMainContext          *context;
  guint64                base;       /* bytes of the copies before this one */
  guint64                total;
  gint64                 last;
  GPtrArray             *copies;     /* virStorageVolPtr: made, removed on failure */
  GPtrArray             *originals;  /* virStorageVolPtr: removed once in use */
  GPtrArray             *pools;      /* virStoragePoolPtr: transient, dropped at the end */
} Conversion;

static void
conversion_free (Conversion *conversion)
{
  g_clear_pointer (&conversion->context, g_main_context_unref);
  for (guint i = 0; conversion->copies != NULL && i < conversion->copies->len; i++)
    virStorageVolFree (g_ptr_array_index (conversion->copies, i));
  g_clear_pointer (&conversion->copies, g_ptr_array_unref);
  for (guint i = 0; conversion->originals != NULL && i < conversion->originals->len; i++)
    virStorageVolFree (g_ptr_array_index (conversion->originals, i));
  g_clear_pointer (&conversion->originals, g_ptr_array_unref);
  for (guint i = 0; conversion->pools != NULL && i < conversion->pools->len; i++)
    piso_storage_drop_pool (g_ptr_array_index (conversion->pools, i));
  g_clear_pointer (&conversion->pools, g_ptr_array_unref);
  g_free (conversion);
}

typedef struct
{
  GFileProgressCallback callback;
  gpointer              data;
  guint64               done;
  guint64               total;
} ProgressReport;

static gboolean
report_progress (gpointer user_data)
{
  ProgressReport *report = user_data;

  report->callback (report->done, report->total, report->data);
  return G_SOURCE_REMOVE;
}

static void
copy_progress (guint64  done,
               guint64  total,
               gpointer user_data)
{
  Conversion *conversion = user_data;
  ProgressReport *report;
  gint64 now = g_get_monotonic_time ();

  if (conversion->callback == NULL ||
      (done < total && now - conversion->last < PROGRESS_INTERVAL_US))
    return;
  conversion->last = now;
  report = g_new0 (ProgressReport, 1);
  report->callback = conversion->callback;
  report->data = conversion->data;
  report->done = conversion->base + MIN (done, total);
  report->total = conversion->total;
  _piso_run_in_context (conversion->context, report_progress, report, g_free);
}

/* The volume of a disk node (by pool and name, or by its file). */
static virStorageVolPtr
node_volume (virConnectPtr       conn,
             xmlDocPtr           doc,
             xmlNodePtr          disk,
             Conversion         *conversion,
             GError            **error)
{
  g_autofree char *type = _piso_xml_attr (disk, "type");
  virStoragePoolPtr made_pool = NULL;
  virStorageVolPtr vol;

  if (g_strcmp0 (type, "volume") == 0)
    {
      g_autofree char *pool_name = _piso_xml_string (doc, disk, "source/@pool");
      g_autofree char *volume = _piso_xml_string (doc, disk, "source/@volume");
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, pool_name);

      vol = pool != NULL ? virStorageVolLookupByName (pool, volume) : NULL;
      if (pool != NULL)
        virStoragePoolFree (pool);
      if (vol == NULL)
        _piso_set_error_from_libvirt (error, _("Could not find the volume “%s”"), volume);
      return vol;
    }

  {
    g_autofree char *path = _piso_xml_string (doc, disk, "source/@file");

    vol = piso_storage_volume_for_path (conn, path, &made_pool, error);
  }
  if (made_pool != NULL)
    g_ptr_array_add (conversion->pools, made_pool);
  return vol;
}

/* "data.img" → "data" */
static char *
stem (const char *name)
{
  const char *dot = strrchr (name, '.');

  return dot != NULL && dot != name ? g_strndup (name, dot - name) : g_strdup (name);
}

static gboolean
convert_one (virConnectPtr   conn,
             xmlDocPtr       doc,
             xmlNodePtr      disk,
             Conversion     *conversion,
             GCancellable   *cancellable,
             GError        **error)
{
  virStorageVolPtr source = node_volume (conn, doc, disk, conversion, error);
  virStoragePoolPtr pool = NULL;
  virStorageVolPtr copy = NULL;
  virStorageVolInfo info;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *path = NULL;
  gboolean ok = FALSE;

  if (source == NULL)
    return FALSE;
  if ((pool = virStoragePoolLookupByVolume (source)) == NULL ||
      virStorageVolGetInfo (source, &info) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the disk “%s”"), virStorageVolGetName (source));
      goto out;
    }
  base = stem (virStorageVolGetName (source));
  if ((name = piso_storage_unique_volume_name (pool, base, "qcow2", error)) == NULL ||
      (copy = piso_storage_copy_volume (pool, source, name, "qcow2", copy_progress, conversion,
                                        cancellable, error)) == NULL)
    goto out;
  g_ptr_array_add (conversion->copies, copy);
  conversion->base += info.allocation;

  if ((path = virStorageVolGetPath (copy)) == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not find the file of the disk “%s”"), name);
      goto out;
    }
  xmlSetProp (_piso_xml_ensure_child (disk, "driver"), (const xmlChar *) "type", (const xmlChar *) "qcow2");
  if (xmlHasProp (_piso_xml_ensure_child (disk, "source"), (const xmlChar *) "volume"))
    xmlSetProp (_piso_xml_ensure_child (disk, "source"), (const xmlChar *) "volume", (const xmlChar *) name);
  else
    xmlSetProp (_piso_xml_ensure_child (disk, "source"), (const xmlChar *) "file", (const xmlChar *) path);
  g_ptr_array_add (conversion->originals, g_steal_pointer (&source));
  ok = TRUE;

out:
  free (path);
  if (pool != NULL)
    virStoragePoolFree (pool);
  if (source != NULL)
    virStorageVolFree (source);
  return ok;
}

static gboolean
convert_disks (PisoSnapshotsOp  *op,
               GCancellable     *cancellable,
               GError          **error)
{
  Conversion *conversion = op->data;
  virConnectPtr conn = virDomainGetConnect (op->handle);
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *xml = NULL;
  virDomainPtr defined;
  int state = VIR_DOMAIN_NOSTATE;
  char *raw;

  if (virDomainGetState (op->handle, &state, NULL, 0) < 0 || state != VIR_DOMAIN_SHUTOFF ||
      virDomainHasManagedSaveImage (op->handle, 0) == 1)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("“%s” must be off, with no saved state, for its disks to be converted."), op->name);
      return FALSE;
    }
  if ((raw = _piso_domain_inactive_xml (op->handle, op->name, error)) == NULL)
    return FALSE;
  doc = _piso_xml_parse_root (raw, "domain", error);
  g_free (raw);
  if (doc == NULL)
    return FALSE;

  /* The writable images that are not qcow2; a raw block device stays. */
  disks = _piso_xml_nodes (doc, NULL,
                           "/domain/devices/disk[not(readonly) and not(@device='cdrom') and "
                           "(@type='file' or @type='volume') and source[@file or @volume] and "
                           "not(driver/@type='qcow2')]");
  for (guint i = 0; i < disks->len; i++)
    {
      virStorageVolPtr vol = node_volume (conn, doc, g_ptr_array_index (disks, i), conversion, NULL);
      virStorageVolInfo info;

      /* For the progress: what the copies will read. */
      if (vol != NULL && virStorageVolGetInfo (vol, &info) == 0)
        conversion->total += info.allocation;
      if (vol != NULL)
        virStorageVolFree (vol);
      virResetLastError ();
    }

  for (guint i = 0; i < disks->len; i++)
    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !convert_one (conn, doc, g_ptr_array_index (disks, i), conversion, cancellable, error))
      goto undo;

  xml = _piso_xml_to_string (doc);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto undo;
  if ((defined = virDomainDefineXML (conn, xml)) == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not point “%s” at its converted disks"), op->name);
      goto undo;
    }
  virDomainFree (defined);

  /* The copies are in use: the raw images can go. */
  for (guint i = 0; i < conversion->originals->len; i++)
    if (virStorageVolDelete (g_ptr_array_index (conversion->originals, i), 0) < 0)
      {
        g_warning ("“%s” uses its converted disks, but %s could not be removed: %s", op->name,
                   virStorageVolGetName (g_ptr_array_index (conversion->originals, i)),
                   virGetLastErrorMessage ());
        virResetLastError ();
      }
  return TRUE;

undo:
  piso_storage_delete_volumes (conversion->copies);
  return FALSE;
}

void
piso_snapshots_convert_disks_async (PisoSnapshots         *self,
                                    GFileProgressCallback  progress_callback,
                                    gpointer               progress_data,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  PisoMachine *machine;
  GError *error = NULL;
  PisoSnapshotsOp *op;
  Conversion *conversion;
  GListModel *disks;

  g_return_if_fail (PISO_IS_SNAPSHOTS (self));

  /* A raw image another machine uses would lose it once removed. */
  machine = piso_snapshots_get_machine (self);
  disks = machine != NULL ? piso_machine_get_disks (machine) : NULL;
  for (guint i = 0; disks != NULL && i < g_list_model_get_n_items (disks) && error == NULL; i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);
      g_autofree char *other = NULL;

      if (!piso_disk_get_read_only (disk) && piso_disk_get_path (disk) != NULL &&
          g_strcmp0 (piso_disk_get_format (disk), "qcow2") != 0 &&
          _piso_connection_path_used_by_other (piso_machine_get_connection (machine), machine,
                                               piso_disk_get_path (disk), &other))
        g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_DISK_IN_USE,
                     _("The disk %s of “%s” is also used by “%s”: Piso does not convert it. "
                       "Nothing was changed."),
                     piso_disk_get_path (disk), piso_machine_get_display_name (machine), other);
    }
  if (error != NULL || (op = _piso_snapshots_op_new (self, &error)) == NULL)
    {
      _piso_snapshots_fail (self, piso_snapshots_convert_disks_async, error, callback, user_data);
      return;
    }

  conversion = g_new0 (Conversion, 1);
  conversion->callback = progress_callback;
  conversion->data = progress_data;
  conversion->context = g_main_context_ref_thread_default ();
  conversion->copies = g_ptr_array_new ();
  conversion->originals = g_ptr_array_new ();
  conversion->pools = g_ptr_array_new ();
  op->func = convert_disks;
  op->data = conversion;
  op->data_free = (GDestroyNotify) conversion_free;
  _piso_snapshots_run_op (self, op, piso_snapshots_convert_disks_async, cancellable, callback, user_data);
}

gboolean
piso_snapshots_convert_disks_finish (PisoSnapshots  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return _piso_snapshots_op_finish (self, result, piso_snapshots_convert_disks_async, error);
}
