/* piso-importer.c: a machine made from a bundle of files
 *
 * As PisoCloner: a worker uploads the disks into volumes (recording each),
 * the definition is made on the main thread through the connection, and a
 * failure or cancel removes exactly what this run made, in a worker again.
 * The bundle was checked when it was loaded; the uploads read its files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-importer"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-connection.h"
#include "piso-export-private.h"
#include "piso-format-size.h"
#include "piso-importer.h"
#include "piso-machine.h"
#include "piso-storage.h"

struct _PisoImporter
{
  GObject           parent_instance;

  PisoExportBundle *bundle;
  PisoConnection   *connection;
  char             *name;
  char             *pool;
  /* bundle network -> this host's network, "" for user-mode networking */
  GHashTable       *networks;
  gboolean          emulated;
  gboolean          move;
  guint64           bytes_done;
  guint64           bytes_total;
};

G_DEFINE_FINAL_TYPE (PisoImporter, piso_importer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_POOL,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_importer_dispose (GObject *object)
{
  PisoImporter *self = PISO_IMPORTER (object);

  g_clear_object (&self->bundle);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (piso_importer_parent_class)->dispose (object);
}

static void
piso_importer_finalize (GObject *object)
{
  PisoImporter *self = PISO_IMPORTER (object);

  g_free (self->name);
  g_free (self->pool);
  g_hash_table_unref (self->networks);
  G_OBJECT_CLASS (piso_importer_parent_class)->finalize (object);
}

static void
piso_importer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PisoImporter *self = PISO_IMPORTER (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_POOL: g_value_set_string (value, self->pool); break;
    case PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_importer_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PisoImporter *self = PISO_IMPORTER (object);

  switch (prop_id)
    {
    case PROP_NAME: piso_importer_set_name (self, g_value_get_string (value)); break;
    case PROP_POOL: piso_importer_set_pool (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_importer_class_init (PisoImporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_importer_dispose;
  object_class->finalize = piso_importer_finalize;
  object_class->get_property = piso_importer_get_property;
  object_class->set_property = piso_importer_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_POOL] = g_param_spec_string ("pool", NULL, NULL, NULL, rw);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_importer_init (PisoImporter *self)
{
  self->pool = g_strdup (PISO_STORAGE_DEFAULT_POOL);
  self->networks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

PisoImporter *
piso_importer_new (PisoExportBundle *bundle,
                   PisoConnection   *connection)
{
  PisoImporter *self;
  const char *base;

  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (bundle), NULL);
  g_return_val_if_fail (PISO_IS_CONNECTION (connection), NULL);

  self = g_object_new (PISO_TYPE_IMPORTER, NULL);
  self->bundle = g_object_ref (bundle);
  self->connection = g_object_ref (connection);
  base = piso_export_bundle_get_name (bundle) != NULL ? piso_export_bundle_get_name (bundle) : "imported";
  self->name = g_strdup (base);
  for (guint i = 2; piso_connection_lookup_machine_by_name (connection, self->name) != NULL; i++)
    {
      g_free (self->name);
      self->name = g_strdup_printf ("%s-%u", base, i);
    }
  return self;
}

const char *piso_importer_get_name (PisoImporter *self) { g_return_val_if_fail (PISO_IS_IMPORTER (self), NULL); return self->name; }
const char *piso_importer_get_pool (PisoImporter *self) { g_return_val_if_fail (PISO_IS_IMPORTER (self), NULL); return self->pool; }
guint64 piso_importer_get_bytes_done (PisoImporter *self) { g_return_val_if_fail (PISO_IS_IMPORTER (self), 0); return self->bytes_done; }
guint64 piso_importer_get_bytes_total (PisoImporter *self) { g_return_val_if_fail (PISO_IS_IMPORTER (self), 0); return self->bytes_total; }

void
piso_importer_set_name (PisoImporter *self,
                        const char   *name)
{
  g_return_if_fail (PISO_IS_IMPORTER (self));

  if (piso_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

void
piso_importer_set_pool (PisoImporter *self,
                        const char   *pool)
{
  g_return_if_fail (PISO_IS_IMPORTER (self));

  if (piso_set_str (&self->pool, pool))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL]);
}

void
piso_importer_map_network (PisoImporter *self,
                           const char   *network,
                           const char   *host_network)
{
  g_return_if_fail (PISO_IS_IMPORTER (self));
  g_return_if_fail (network != NULL);

  g_hash_table_insert (self->networks, g_strdup (network),
                       g_strdup (host_network != NULL ? host_network : ""));
}

void
piso_importer_map_networks_by_name (PisoImporter       *self,
                                    const char * const *host_networks)
{
  g_auto(GStrv) networks = NULL;

  g_return_if_fail (PISO_IS_IMPORTER (self));

  networks = piso_export_bundle_dup_networks (self->bundle);
  for (guint i = 0; networks[i] != NULL; i++)
    if (host_networks != NULL && g_strv_contains (host_networks, networks[i]))
      piso_importer_map_network (self, networks[i], networks[i]);
}

gboolean
piso_importer_lookup_network (PisoImporter  *self,
                              const char    *network,
                              const char   **host_network)
{
  const char *target;

  g_return_val_if_fail (PISO_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (network != NULL, FALSE);

  target = g_hash_table_lookup (self->networks, network);
  if (host_network != NULL)
    *host_network = target != NULL && target[0] != '\0' ? target : NULL;
  return target != NULL;
}

GStrv
piso_importer_dup_unmapped_networks (PisoImporter *self)
{
  g_auto(GStrv) networks = NULL;
  g_autoptr(GStrvBuilder) unmapped = g_strv_builder_new ();

  g_return_val_if_fail (PISO_IS_IMPORTER (self), NULL);

  networks = piso_export_bundle_dup_networks (self->bundle);
  for (guint i = 0; networks[i] != NULL; i++)
    if (!g_hash_table_contains (self->networks, networks[i]))
      g_strv_builder_add (unmapped, networks[i]);
  return g_strv_builder_end (unmapped);
}

void
piso_importer_set_move (PisoImporter *self,
                        gboolean      move)
{
  g_return_if_fail (PISO_IS_IMPORTER (self));

  self->move = !!move;
}

gboolean
piso_importer_get_move (PisoImporter *self)
{
  g_return_val_if_fail (PISO_IS_IMPORTER (self), FALSE);

  return self->move;
}

gboolean
piso_importer_get_can_move (PisoImporter *self)
{
  const PisoExportManifest *manifest;

  g_return_val_if_fail (PISO_IS_IMPORTER (self), FALSE);

  manifest = _piso_export_bundle_get_manifest (self->bundle);
  return manifest != NULL && manifest->uuid != NULL;
}

static void
set_taken_uuid_error (GError     **error,
                      const char  *uuid,
                      const char  *name)
{
  /* Translators: %s is the name of the machine that has the same UUID */
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
               _("“%s” on this host already has this machine’s identity (UUID %s): it may be the "
                 "original. Import a copy (with a new identity) instead, or delete “%s” first if "
                 "the machine really moves here."), name, uuid, name);
}

gboolean
piso_importer_check_move (PisoImporter  *self,
                          GError       **error)
{
  const PisoExportManifest *manifest;
  PisoMachine *same;

  g_return_val_if_fail (PISO_IS_IMPORTER (self), FALSE);

  if (!self->move)
    return TRUE;
  manifest = _piso_export_bundle_get_manifest (self->bundle);
  if (manifest == NULL || manifest->uuid == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                   _("This bundle does not hold the machine’s identity (it was made by an older "
                     "Piso): import it as a copy, with a new identity."));
      return FALSE;
    }
  same = piso_connection_lookup_machine (self->connection, manifest->uuid);
  if (same != NULL)
    {
      set_taken_uuid_error (error, manifest->uuid, piso_machine_get_display_name (same));
      return FALSE;
    }
  return TRUE;
}

void
piso_importer_set_emulated (PisoImporter *self,
                            gboolean      emulated)
{
  g_return_if_fail (PISO_IS_IMPORTER (self));

  self->emulated = emulated;
}

/* ---- the run ------------------------------------------------------------- */

typedef struct
{
  PisoImporter       *importer;
  GMainContext       *context;
  PisoConnection     *connection;
  virConnectPtr       conn;
  char               *bundle_path;
  char               *domain_xml;
  const PisoExportManifest *manifest;   /* the bundle's, kept alive by the importer */
  char               *name;
  char               *pool;
  GHashTable         *networks;     /* a copy of the importer's */
  gboolean            emulated;
  gboolean            move;

  GPtrArray          *volumes;      /* virStorageVolPtr made by this run */
  PisoMachine        *machine;
  char               *xml;
  guint64             base;
  guint64             total;
  gint64              last_report;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_clear_object (&job->importer);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_object (&job->connection);
  g_clear_pointer (&job->conn, virConnectClose);
  g_free (job->bundle_path);
  g_free (job->domain_xml);
  g_free (job->name);
  g_free (job->pool);
  g_clear_pointer (&job->networks, g_hash_table_unref);
  g_clear_pointer (&job->volumes, g_ptr_array_unref);
  g_clear_object (&job->machine);
  g_free (job->xml);
  g_free (job);
}

static void
apply_progress (gpointer object,
                guint64  done,
                guint64  total,
                gint64   extra)
{
  PisoImporter *self = object;

  piso_set_uint64_prop (self, &self->bytes_total, total, properties[PROP_BYTES_TOTAL]);
  piso_set_uint64_prop (self, &self->bytes_done, done, properties[PROP_BYTES_DONE]);
}

static void
upload_progress (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  ImportJob *job = user_data;

  _piso_post_progress (job->context, &job->last_report, FALSE, job->importer, apply_progress,
                       job->base + done, job->total, 0);
}

/* Uploads the bundle's @file as a new volume of @pool; its path, or NULL. */
static char *
upload (ImportJob          *job,
        virStoragePoolPtr   pool,
        const char         *file,
        const char         *suffix,
        const char         *ext,
        const char         *format,
        guint64             capacity,
        guint64             size,
        GCancellable       *cancellable,
        GError            **error)
{
  g_autofree char *local = g_build_filename (job->bundle_path, file, NULL);
  g_autofree char *base = g_strconcat (job->name, suffix, NULL);
  g_autofree char *name = piso_storage_unique_volume_name (pool, base, ext, error);
  virStorageVolPtr vol;
  char *path;

  if (name == NULL)
    return NULL;
  vol = piso_storage_upload (pool, local, name, format, capacity, upload_progress, job, cancellable, error);
  if (vol == NULL)
    return NULL;
  g_ptr_array_add (job->volumes, vol);
  job->base += size;
  path = virStorageVolGetPath (vol);
  if (path == NULL)
    _piso_set_error_from_libvirt (error, _("Could not find the file of the disk “%s”"), name);
  return path;
}

/* Each network the cards go to is (still) on this host. */
static gboolean
check_networks (ImportJob  *job,
                GError    **error)
{
  GHashTableIter iter;
  gpointer network, target;

  g_hash_table_iter_init (&iter, job->networks);
  while (g_hash_table_iter_next (&iter, &network, &target))
    {
      virNetworkPtr found;

      if (((char *) target)[0] == '\0')
        continue;
      if ((found = virNetworkLookupByName (job->conn, target)) == NULL)
        {
          virResetLastError ();
          /* Translators: the first %s is this host's virtual network, the second the bundle's */
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                       _("This host has no virtual network “%s” (any more): choose another network "
                         "for the network cards that were on “%s”."), (char *) target, (char *) network);
          return FALSE;
        }
      virNetworkFree (found);
    }
  return TRUE;
}

static gboolean
upload_all (ImportJob     *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GHashTable) volumes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *nvram = NULL;
  virStoragePoolPtr pool;
  virDomainPtr other;
  gboolean ok = FALSE;

  if (!_piso_check_name_free (job->conn, job->name, error) || !check_networks (job, error))
    return FALSE;
  if (job->move && (other = virDomainLookupByUUIDString (job->conn, job->manifest->uuid)) != NULL)
    {
      const char *name = virDomainGetName (other);
      g_autofree char *copy = g_strdup (name != NULL ? name : "");

      virDomainFree (other);
      set_taken_uuid_error (error, job->manifest->uuid, copy);
      return FALSE;
    }
  virResetLastError ();
  pool = virStoragePoolLookupByName (job->conn, job->pool);
  if (pool == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not find the storage pool “%s”"), job->pool);
      return FALSE;
    }

  for (guint i = 0; i < job->manifest->disks->len; i++)
    job->total += ((PisoExportDisk *) g_ptr_array_index (job->manifest->disks, i))->size;
  job->total += job->manifest->nvram_size;

  /* The uploads keep the bundle's compressed images as they are: the pool
   * needs their size free, said up front rather than when it is full. */
  {
    virStoragePoolInfo info;

    if (virStoragePoolRefresh (pool, 0) < 0)
      virResetLastError ();
    if (virStoragePoolGetInfo (pool, &info) == 0 && info.available < job->total)
      {
        g_autofree char *needed = piso_format_size (job->total);
        g_autofree char *available = piso_format_size (info.available);

        /* Translators: "The storage pool “default” has 1.2 GiB free, but the disks need 3.4 GiB. …" */
        g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                     _("The storage pool “%s” has %s free, but the machine’s disks need %s. Free "
                       "some space in it, or choose another pool."), job->pool, available, needed);
        virStoragePoolFree (pool);
        return FALSE;
      }
    virResetLastError ();
  }

  for (guint i = 0; i < job->manifest->disks->len; i++)
    {
      const PisoExportDisk *disk = g_ptr_array_index (job->manifest->disks, i);
      g_autofree char *suffix = i == 0 ? g_strdup ("") : g_strdup_printf ("-%s", disk->target);
      char *path;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          (path = upload (job, pool, disk->file, suffix, "qcow2", "qcow2", disk->virtual_size,
                          disk->size, cancellable, error)) == NULL)
        goto out;
      free (path);
      g_hash_table_insert (volumes, disk->file,
                           g_strdup (virStorageVolGetName (g_ptr_array_index (job->volumes, job->volumes->len - 1))));
    }
  if (job->manifest->nvram_file != NULL)
    {
      char *path = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          (path = upload (job, pool, job->manifest->nvram_file, "_VARS",
                          g_strcmp0 (job->manifest->nvram_format, "qcow2") == 0 ? "qcow2" : "fd",
                          job->manifest->nvram_format != NULL ? job->manifest->nvram_format : "raw",
                          job->manifest->nvram_size, job->manifest->nvram_size, cancellable, error)) == NULL)
        goto out;
      nvram = g_strdup (path);
      free (path);
    }

  job->xml = _piso_export_import_xml (job->domain_xml, job->name, job->emulated ? "qemu" : NULL,
                                      virStoragePoolGetName (pool), volumes, nvram,
                                      job->manifest->nvram_format, error);
  if (job->xml != NULL)
    {
      g_autofree char *unmapped = g_steal_pointer (&job->xml);

      job->xml = _piso_export_map_networks (unmapped, job->networks, error);
    }
  if (job->xml != NULL && job->move)
    {
      g_autofree char *renewed = g_steal_pointer (&job->xml);

      job->xml = _piso_export_keep_identity (renewed, job->manifest, error);
    }
  ok = job->xml != NULL;

out:
  virStoragePoolFree (pool);
  return ok;
}

static void
rollback (ImportJob *job)
{
  piso_storage_delete_volumes (job->volumes);
  if (job->machine != NULL)
    _piso_domain_undo_define (job->conn, piso_machine_get_uuid (job->machine), job->name);
}

static void
run_fail (GTask  *owned_task,
          GError *error)
{
  _piso_fail_after_undo (owned_task, error, (PisoUndoFunc) rollback, g_task_get_task_data (owned_task), NULL);
}

static void
define_done (GTask  *owned_task,
             GError *error)
{
  g_autoptr(GTask) task = owned_task;
  ImportJob *job = g_task_get_task_data (task);

  if (error != NULL)
    {
      run_fail (g_steal_pointer (&task), error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (job->machine), g_object_unref);
}

static void
upload_done (GTask  *owned_task,
             GError *error)
{
  ImportJob *job = g_task_get_task_data (owned_task);

  if (error != NULL)
    {
      run_fail (owned_task, error);
      return;
    }
  _piso_define_for_task (owned_task, job->connection, job->xml, &job->machine, define_done);
}

void
piso_importer_run_async (PisoImporter        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) unmapped = NULL;
  const PisoExportManifest *manifest;
  virConnectPtr conn = NULL;
  ImportJob *job;

  g_return_if_fail (PISO_IS_IMPORTER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_importer_run_async);
  /* The rollback decides the result; GTask must not replace it by "cancelled". */
  g_task_set_check_cancellable (task, FALSE);

  manifest = _piso_export_bundle_get_manifest (self->bundle);
  if (manifest == NULL)
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                 "piso_export_bundle_load_async() first");
  else if ((unmapped = piso_importer_dup_unmapped_networks (self))[0] != NULL)
    /* Translators: %s is a virtual network's name, "default" */
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                 _("The machine’s network cards were on the virtual network “%s”, which this "
                   "host does not have. Choose one of this host’s networks for them, or "
                   "user-mode networking."), unmapped[0]);
  else if (piso_importer_check_move (self, &error) &&
           piso_connection_check_machine_name (self->connection, self->name, NULL, &error) &&
           (conn = _piso_connection_ref_handle (self->connection)) == NULL)
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                 _("Not connected to %s."), piso_connection_get_uri (self->connection));
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job = g_new0 (ImportJob, 1);
  job->importer = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->connection = g_object_ref (self->connection);
  job->conn = conn;
  job->bundle_path = g_strdup (_piso_export_bundle_get_folder (self->bundle));
  job->domain_xml = g_strdup (piso_export_bundle_get_domain_xml (self->bundle));
  job->manifest = manifest;
  job->name = g_strdup (self->name);
  job->pool = g_strdup (self->pool);
  job->networks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    GHashTableIter iter;
    gpointer network, target;

    g_hash_table_iter_init (&iter, self->networks);
    while (g_hash_table_iter_next (&iter, &network, &target))
      g_hash_table_insert (job->networks, g_strdup (network), g_strdup (target));
  }
  job->emulated = self->emulated;
  job->move = self->move;
  job->volumes = g_ptr_array_new ();
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  _piso_run_step_in_thread (g_steal_pointer (&task), piso_importer_run_async,
                            (PisoStepFunc) upload_all, upload_done);
}

PisoMachine *
piso_importer_run_finish (PisoImporter  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PISO_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
