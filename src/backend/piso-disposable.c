/* piso-disposable.c: running a machine so that nothing it writes is kept
 *
 * How: the machine is started with virDomainCreateXML from its own
 * definition, with <transient/> on every writable disk. libvirt accepts a
 * live definition for a defined machine of the same name and UUID and keeps
 * the persistent one untouched; for each transient disk it puts a qcow2
 * overlay beside the image ("<image>.TRANSIENT-<name>") and deletes it when
 * the machine stops, also when QEMU dies. This was checked on libvirt 9.0
 * (Debian 12). The alternative, overlays Piso makes and removes itself,
 * leaves them behind whenever the machine stops while Piso is not running.
 *
 * The one case libvirt does not clean up is a host crash: the overlay stays
 * and blocks the next transient start ("Overlay file … already exists").
 * The machine is off when a disposable run starts, so any such file is a
 * leftover: Piso removes it first and reports it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-disposable"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-disposable.h"
#include "piso-machine-private.h"
#include "piso-storage.h"
#include "piso-domain-xml-private.h"

typedef struct
{
  virDomainPtr  handle;        /* the run op's, while it runs */
  const char   *name;          /* display name, for messages (the same) */
  GPtrArray    *removed;       /* char*: leftovers removed */
} DisposableRun;

static void
disposable_run_free (DisposableRun *run)
{
  g_clear_pointer (&run->removed, g_ptr_array_unref);
  g_free (run);
}

/* Removes the overlay @path if a crashed run left it (through libvirt's
 * storage: the folder is the daemon's). @in_pool: the disk is a volume, so
 * its overlay shows in the same pool; else it is reached through a
 * transient pool over the folder. */
static gboolean
remove_leftover (DisposableRun  *run,
                 const char     *path,
                 gboolean        in_pool,
                 gboolean       *refreshed,
                 GError        **error)
{
  virConnectPtr conn = virDomainGetConnect (run->handle);
  virStoragePoolPtr made_pool = NULL;
  virStorageVolPtr vol;
  gboolean ok = TRUE;

  if (in_pool)
    vol = piso_storage_find_volume (conn, path, refreshed);
  else
    {
      g_autoptr(GError) absent = NULL;

      vol = piso_storage_volume_for_path (conn, path, &made_pool, &absent);
    }
  if (vol == NULL)
    return TRUE;

  if (virStorageVolDelete (vol, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not remove %s, left by a disposable run of "
                                             "“%s” that did not end cleanly"), path, run->name);
      ok = FALSE;
    }
  else
    {
      g_debug ("Removed the leftover overlay %s", path);
      g_ptr_array_add (run->removed, g_strdup (path));
    }
  virStorageVolFree (vol);
  piso_storage_drop_pool (made_pool);
  return ok;
}

/* Makes @disk a transient file disk; FALSE when it cannot be one. */
static gboolean
make_transient (DisposableRun  *run,
                xmlDocPtr       doc,
                xmlNodePtr      disk,
                const char     *domain_name,
                gboolean       *refreshed,
                GError        **error)
{
  virConnectPtr conn = virDomainGetConnect (run->handle);
  g_autofree char *type = _piso_xml_attr (disk, "type");
  g_autofree char *target = _piso_xml_string (doc, disk, "target/@dev");
  g_autofree char *path = NULL;
  gboolean in_pool = FALSE;
  xmlNodePtr source = _piso_xml_node (doc, disk, "source");

  if (g_strcmp0 (type, "volume") == 0)
    {
      g_autofree char *pool_name = _piso_xml_attr (source, "pool");
      g_autofree char *volume = _piso_xml_attr (source, "volume");
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, pool_name);
      virStorageVolPtr vol = pool != NULL ? virStorageVolLookupByName (pool, volume) : NULL;
      char *vol_path = vol != NULL ? virStorageVolGetPath (vol) : NULL;

      if (pool != NULL)
        virStoragePoolFree (pool);
      if (vol != NULL)
        virStorageVolFree (vol);
      if (vol_path == NULL)
        {
          _piso_set_error_from_libvirt (error, _("Could not find the disk %s of “%s”"), target, run->name);
          return FALSE;
        }
      /* libvirt's transient disks are plain files: name the volume's file. */
      path = g_strdup (vol_path);
      free (vol_path);
      xmlSetProp (disk, (const xmlChar *) "type", (const xmlChar *) "file");
      xmlUnsetProp (source, (const xmlChar *) "pool");
      xmlUnsetProp (source, (const xmlChar *) "volume");
      xmlUnsetProp (source, (const xmlChar *) "mode");
      xmlSetProp (source, (const xmlChar *) "file", (const xmlChar *) path);
      in_pool = TRUE;
    }
  else if (g_strcmp0 (type, "file") == 0)
    {
      virStorageVolPtr vol;

      path = _piso_xml_attr (source, "file");
      if ((vol = piso_storage_find_volume (conn, path, refreshed)) != NULL)
        {
          in_pool = TRUE;
          virStorageVolFree (vol);
        }
    }
  else
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                   _("“%s” cannot run disposable: its disk %s is not a file on the host, and "
                     "libvirt keeps the changes of a disposable run in a file beside it."),
                   run->name, target);
      return FALSE;
    }

  if (_piso_xml_node (doc, disk, "shareable") != NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                   _("“%s” cannot run disposable: its disk %s is shared with other machines."),
                   run->name, target);
      return FALSE;
    }

  /* libvirt 9.0 and later name the overlay after the machine; older ones
   * did not: both are leftovers on a machine that is off. */
  {
    g_autofree char *named = g_strdup_printf ("%s.TRANSIENT-%s", path, domain_name);
    g_autofree char *plain = g_strdup_printf ("%s.TRANSIENT", path);

    if (!remove_leftover (run, named, in_pool, refreshed, error) ||
        !remove_leftover (run, plain, in_pool, refreshed, error))
      return FALSE;
  }

  _piso_xml_ensure_child (disk, "transient");
  return TRUE;
}

static gboolean
start_disposable (DisposableRun  *run,
                  GError        **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *xml = NULL;
  const char *domain_name = virDomainGetName (run->handle);
  gboolean refreshed = FALSE;
  virDomainPtr dom;
  int state = VIR_DOMAIN_NOSTATE;
  char *raw;

  if (virDomainGetState (run->handle, &state, NULL, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the state of “%s”"), run->name);
      return FALSE;
    }
  if (state != VIR_DOMAIN_SHUTOFF || virDomainHasManagedSaveImage (run->handle, 0) == 1)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("“%s” can run disposable when it is off with no saved state."), run->name);
      return FALSE;
    }
  virResetLastError ();

  if ((raw = _piso_domain_inactive_xml (run->handle, run->name, error)) == NULL)
    return FALSE;
  doc = _piso_xml_parse_root (raw, "domain", error);
  g_free (raw);
  if (doc == NULL)
    return FALSE;

  /* Every disk the guest can write to, that has an image. */
  disks = _piso_xml_nodes (doc, NULL,
                           "/domain/devices/disk[not(readonly) and not(@device='cdrom') and "
                           "source[@file or @dev or @volume or @name]]");
  for (guint i = 0; i < disks->len; i++)
    if (!make_transient (run, doc, g_ptr_array_index (disks, i), domain_name, &refreshed, error))
      return FALSE;

  xml = _piso_xml_to_string (doc);
  /* Same name and UUID: libvirt runs the defined machine with this live
   * definition and keeps the persistent one. */
  dom = virDomainCreateXML (virDomainGetConnect (run->handle), xml, 0);
  if (dom == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not start “%s” disposable"), run->name);
      return FALSE;
    }
  virDomainFree (dom);
  return TRUE;
}

static gboolean
op_start_disposable (virDomainPtr   handle,
                     GVirDomain    *gvir,
                     const char    *name,
                     gpointer       data,
                     GError       **error)
{
  DisposableRun *run = data;
  gboolean started;

  /* The op's handle and name, for the helpers above while it runs; the
   * refresh that follows brings the live definition (and with it
   * piso_machine_get_disposable), the started event the state. */
  run->handle = handle;
  run->name = name;
  started = start_disposable (run, error);
  run->handle = NULL;
  run->name = NULL;
  return started;
}

void
piso_machine_start_disposable_async (PisoMachine         *machine,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  DisposableRun *run;

  g_return_if_fail (PISO_IS_MACHINE (machine));

  run = g_new0 (DisposableRun, 1);
  run->removed = g_ptr_array_new_with_free_func (g_free);
  /* The caller reads the leftovers from its task's data. */
  _piso_machine_run_op (machine, piso_machine_start_disposable_async, op_start_disposable,
                        run, (GDestroyNotify) disposable_run_free,
                        cancellable, callback, user_data);
}

gboolean
piso_machine_start_disposable_finish (PisoMachine    *machine,
                                      GAsyncResult   *result,
                                      char         ***removed_leftovers,
                                      GError        **error)
{
  DisposableRun *run;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, machine), FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (removed_leftovers != NULL)
    {
      GStrvBuilder *builder = g_strv_builder_new ();

      for (guint i = 0; i < run->removed->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (run->removed, i));
      *removed_leftovers = g_strv_builder_end (builder);
      g_strv_builder_unref (builder);
    }
  return _piso_machine_op_finish (machine, result, piso_machine_start_disposable_async, error);
}
