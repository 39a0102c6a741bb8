/* piso-export-appliance.c: an appliance exported by VirtualBox or VMware
 * (OVA, or OVF with its files), read, checked and converted for import
 *
 * Nothing of the appliance is trusted before it is checked: its file
 * names must stay inside it, every file the .mf manifest names must match
 * its digest, and each disk is converted as the format its magic bytes
 * say (a VMDK descriptor naming other files, or a qcow2 with a backing
 * file, could make qemu-img read any file of the host).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-export-appliance"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-backend-private.h"
#include "piso-export-appliance.h"
#include "piso-export-ovf-private.h"
#include "piso-install-plan.h"
#include "piso-os-catalog.h"
#include "piso-storage.h"

struct _PisoExportAppliance
{
  GObject            parent_instance;

  char              *path;
  PisoOvfDescriptor *ovf;
  char              *work_dir;   /* the converted disks; removed with the object */
  GStrv              disks;
  GStrv              notes;
  guint64            bytes_done;
  guint64            bytes_total;
  gboolean           loading;
};

G_DEFINE_FINAL_TYPE (PisoExportAppliance, piso_export_appliance, G_TYPE_OBJECT)

enum { PROP_0, PROP_PATH, PROP_BYTES_DONE, PROP_BYTES_TOTAL, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
piso_export_appliance_finalize (GObject *object)
{
  PisoExportAppliance *self = (PisoExportAppliance *) object;

  _piso_remove_flat_dir (self->work_dir);
  g_free (self->work_dir);
  g_free (self->path);
  g_clear_pointer (&self->ovf, _piso_ovf_descriptor_free);
  g_strfreev (self->disks);
  g_strfreev (self->notes);

  G_OBJECT_CLASS (piso_export_appliance_parent_class)->finalize (object);
}

static void
piso_export_appliance_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PisoExportAppliance *self = PISO_EXPORT_APPLIANCE (object);

  switch (prop_id)
    {
    case PROP_PATH: g_value_set_string (value, self->path); break;
    case PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_export_appliance_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  PisoExportAppliance *self = PISO_EXPORT_APPLIANCE (object);

  switch (prop_id)
    {
    case PROP_PATH: self->path = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_export_appliance_class_init (PisoExportApplianceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = piso_export_appliance_finalize;
  object_class->get_property = piso_export_appliance_get_property;
  object_class->set_property = piso_export_appliance_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_DONE] =
    g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_TOTAL] =
    g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_export_appliance_init (PisoExportAppliance *self)
{
}

PisoExportAppliance *
piso_export_appliance_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (PISO_TYPE_EXPORT_APPLIANCE, "path", path, NULL);
}

const char *
piso_export_appliance_get_path (PisoExportAppliance *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_APPLIANCE (self), NULL);

  return self->path;
}

/* ---- loading (worker thread) --------------------------------------------- */

typedef struct
{
  PisoExportAppliance *appliance;
  GMainContext        *context;
  char                *path;
  gboolean             ova;
  char                *folder;      /* .ovf: where its files are */
  GPtrArray           *entries;     /* .ova: PisoTarEntry */
  char                *work_dir;
  PisoOvfDescriptor   *ovf;
  GHashTable          *digests;     /* file -> "SHA256:hex"; NULL: no manifest */
  GPtrArray           *disks;       /* char*: the converted qcow2 files */
  GPtrArray           *notes;       /* char* */
  guint64              base;
  guint64              total;
  guint64              converting;
  gint64               last_report;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->appliance);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job->path);
  g_free (job->folder);
  g_clear_pointer (&job->entries, g_ptr_array_unref);
  if (job->work_dir != NULL)
    _piso_remove_flat_dir (job->work_dir);
  g_free (job->work_dir);
  g_clear_pointer (&job->ovf, _piso_ovf_descriptor_free);
  g_clear_pointer (&job->digests, g_hash_table_unref);
  g_clear_pointer (&job->disks, g_ptr_array_unref);
  g_clear_pointer (&job->notes, g_ptr_array_unref);
  g_free (job);
}

static void
apply_progress (gpointer object,
                guint64  done,
                guint64  total,
                gint64   extra)
{
  PisoExportAppliance *self = object;

  piso_set_uint64_prop (self, &self->bytes_total, total, properties[PROP_BYTES_TOTAL]);
  piso_set_uint64_prop (self, &self->bytes_done, done, properties[PROP_BYTES_DONE]);
}

static void
read_progress (guint64  bytes,
               gpointer data)
{
  LoadJob *job = data;

  _piso_post_progress (job->context, &job->last_report, FALSE, job->appliance, apply_progress,
                       job->base + bytes, job->total, 0);
}

/* qemu-img's progress (@done of @total) over the disk being converted,
 * whose file has job->converting bytes. */
static void
convert_progress (guint64  done,
                  guint64  total,
                  gpointer data)
{
  LoadJob *job = data;

  if (total > 0)
    read_progress (job->converting * MIN (done, total) / total, job);
}

static PisoTarEntry *
find_entry (LoadJob    *job,
            const char *name)
{
  for (guint i = 0; i < job->entries->len; i++)
    {
      PisoTarEntry *entry = g_ptr_array_index (job->entries, i);

      if (g_str_equal (entry->name, name))
        return entry;
    }
  return NULL;
}

static gboolean
missing (GError    **error,
         const char *file)
{
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("The appliance is incomplete: the file %s is missing. Nothing was imported."), file);
  return FALSE;
}

/* Whether @file's digests match the manifest's line for it. */
static gboolean
check_digest (LoadJob     *job,
              const char  *file,
              const char  *sha1,
              const char  *sha256,
              GError     **error)
{
  const char *expected;

  if (job->digests == NULL)
    return TRUE;
  expected = g_hash_table_lookup (job->digests, file);
  if (expected == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The appliance's manifest (.mf) has no digest for %s: the appliance was "
                     "changed after it was exported. Nothing was imported."), file);
      return FALSE;
    }
  if ((g_str_has_prefix (expected, "SHA1:") && g_str_equal (expected + 5, sha1)) ||
      (g_str_has_prefix (expected, "SHA256:") && g_str_equal (expected + 7, sha256)))
    return TRUE;
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("The appliance was changed or damaged after it was exported: %s does not match "
                 "its digest in the manifest. Nothing was imported."), file);
  return FALSE;
}

/* Reads the appliance's file @name (from the tar, or its folder), checks
 * its digest and, with @keep, leaves a copy at @dest (an OVA's member) or
 * sets @dest to the file itself (an OVF's folder). */
static gboolean
read_file (LoadJob       *job,
           const char    *name,
           char         **dest,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *sha1 = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *src = NULL;
  g_autofree char *copy = NULL;
  guint64 offset = 0;
  guint64 size;

  if (job->ova)
    {
      PisoTarEntry *entry = find_entry (job, name);
      g_autofree char *base = NULL;

      if (entry == NULL)
        return missing (error, name);
      src = g_strdup (job->path);
      offset = entry->offset;
      size = entry->size;
      base = g_strdup_printf ("member-%u", g_random_int ());
      copy = g_build_filename (job->work_dir, base, NULL);
    }
  else
    {
      GStatBuf st;

      src = g_build_filename (job->folder, name, NULL);
      if (g_lstat (src, &st) < 0 || !S_ISREG (st.st_mode))
        return missing (error, name);
      size = st.st_size;
    }

  if (!_piso_copy_range (src, offset, size, copy, &sha1, &sha256, read_progress, job,
                         cancellable, error))
    return FALSE;
  job->base += size;
  if (!check_digest (job, name, sha1, sha256, error))
    {
      if (copy != NULL)
        g_unlink (copy);
      return FALSE;
    }
  *dest = copy != NULL ? g_steal_pointer (&copy) : g_steal_pointer (&src);
  return TRUE;
}

/* The whole of a small file of the appliance (descriptor, manifest). */
static char *
read_small (LoadJob       *job,
            const char    *name,
            gsize         *length,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *path = NULL;
  char *data = NULL;

  if (!read_file (job, name, &path, cancellable, error))
    return NULL;
  if (!g_file_get_contents (path, &data, length, error))
    return NULL;
  if (job->ova)
    g_unlink (path);
  return data;
}

/* The format to convert from, by the file's content. */
static char *
disk_format (const char   *path,
             const char   *declared,
             GError      **error)
{
  g_autofree char *format = piso_storage_detect_format (path, error);

  if (format == NULL)
    return NULL;
  /* A VHD's only mark is its footer ("conectix" in the last 512 bytes). */
  if (g_str_equal (format, "raw") && declared != NULL &&
      (strstr (declared, "vhd") != NULL || strstr (declared, "137171") != NULL))
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInputStream) input = g_file_read (file, NULL, NULL);
      char footer[8] = { 0 };

      if (input != NULL &&
          g_seekable_seek (G_SEEKABLE (input), -512, G_SEEK_END, NULL, NULL) &&
          g_input_stream_read_all (G_INPUT_STREAM (input), footer, 8, NULL, NULL, NULL) &&
          memcmp (footer, "conectix", 8) == 0)
        {
          g_free (format);
          format = g_strdup ("vpc");
        }
    }
  return g_steal_pointer (&format);
}

static gboolean
load (LoadJob       *job,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autofree char *ovf_name = NULL;
  g_autofree char *mf_name = NULL;
  g_autofree char *descriptor = NULL;
  gsize length = 0;

  if ((job->work_dir = _piso_make_cache_dir ("appliance", error)) == NULL)
    return FALSE;

  if (job->ova)
    {
      if ((job->entries = _piso_tar_list (job->path, cancellable, error)) == NULL)
        return FALSE;
      for (guint i = 0; i < job->entries->len; i++)
        {
          PisoTarEntry *entry = g_ptr_array_index (job->entries, i);

          if (ovf_name == NULL && g_str_has_suffix (entry->name, ".ovf"))
            ovf_name = g_strdup (entry->name);
          else if (mf_name == NULL && g_str_has_suffix (entry->name, ".mf"))
            mf_name = g_strdup (entry->name);
        }
      if (ovf_name == NULL)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                       _("The appliance has no description (.ovf file). Nothing was imported."));
          return FALSE;
        }
    }
  else
    {
      g_autofree char *base = g_path_get_basename (job->path);
      g_autofree char *stem = g_strndup (base, strlen (base) - strlen (".ovf"));
      g_autofree char *mf_path = NULL;

      job->folder = g_path_get_dirname (job->path);
      ovf_name = g_steal_pointer (&base);
      mf_name = g_strconcat (stem, ".mf", NULL);
      mf_path = g_build_filename (job->folder, mf_name, NULL);
      if (!g_file_test (mf_path, G_FILE_TEST_IS_REGULAR))
        g_clear_pointer (&mf_name, g_free);
    }

  /* The manifest first: it says what everything else must be. */
  if (mf_name != NULL)
    {
      g_autofree char *mf = read_small (job, mf_name, &length, cancellable, error);

      if (mf == NULL || (job->digests = _piso_ovf_parse_manifest (mf, length, error)) == NULL)
        return FALSE;
    }
  else
    g_ptr_array_add (job->notes, g_strdup (_("The appliance has no manifest (.mf): its files "
                                             "could not be checked for changes or damage.")));

  if ((descriptor = read_small (job, ovf_name, &length, cancellable, error)) == NULL)
    return FALSE;
  if ((job->ovf = _piso_ovf_parse (descriptor, length, error)) == NULL)
    return FALSE;

  /* Read (and for an OVA, unpack) every disk and check it before any is
   * converted: a changed appliance fails before anything is made. */
  job->total = 0;
  for (guint i = 0; i < job->ovf->disks->len; i++)
    {
      PisoOvfDisk *disk = g_ptr_array_index (job->ovf->disks, i);
      PisoTarEntry *entry = job->ova ? find_entry (job, disk->file) : NULL;
      g_autofree char *path = job->ova ? NULL : g_build_filename (job->folder, disk->file, NULL);
      GStatBuf st;

      if (entry != NULL)
        job->total += entry->size * 2;
      else if (path != NULL && g_stat (path, &st) == 0)
        job->total += st.st_size * 2;
    }
  job->base = 0;
  {
    g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < job->ovf->disks->len; i++)
      {
        PisoOvfDisk *disk = g_ptr_array_index (job->ovf->disks, i);
        char *source = NULL;

        if (!read_file (job, disk->file, &source, cancellable, error))
          return FALSE;
        g_ptr_array_add (sources, source);
      }

    for (guint i = 0; i < job->ovf->disks->len; i++)
      {
        PisoOvfDisk *disk = g_ptr_array_index (job->ovf->disks, i);
        const char *source = g_ptr_array_index (sources, i);
        g_autofree char *format = disk_format (source, disk->format, error);
        g_autofree char *base = g_strdup_printf ("disk%u.qcow2", i + 1);
        g_autofree char *dest = g_build_filename (job->work_dir, base, NULL);
        gboolean has_backing = FALSE;
        guint64 virtual_size = 0;
        GStatBuf st;

        if (format == NULL)
          return FALSE;
        if (!piso_storage_image_info (source, format, &virtual_size, &has_backing, error))
          return FALSE;
        if (has_backing)
          {
            g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                         _("The appliance's disk %s refers to another file, which Piso does not "
                           "read. Nothing was imported."), disk->file);
            return FALSE;
          }
        job->converting = g_stat (source, &st) == 0 ? st.st_size : 0;
        if (!piso_storage_convert_to_qcow2 (source, format, dest, FALSE, convert_progress, job,
                                            cancellable, error))
          return FALSE;
        job->base += job->converting;
        read_progress (0, job);
        /* An OVA's unpacked copy is no longer needed. */
        if (job->ova)
          g_unlink (source);
        g_ptr_array_add (job->disks, g_steal_pointer (&dest));
      }
  }
  return TRUE;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;

  /* Removed before the caller hears of it, not when the task is freed. */
  if (!load (job, cancellable, &error))
    {
      _piso_remove_flat_dir (job->work_dir);
      g_clear_pointer (&job->work_dir, g_free);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

void
piso_export_appliance_load_async (PisoExportAppliance *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *lower = NULL;
  LoadJob *job;

  g_return_if_fail (PISO_IS_EXPORT_APPLIANCE (self));
  g_return_if_fail (!self->loading);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_export_appliance_load_async);
  lower = g_ascii_strdown (self->path, -1);
  if (!g_str_has_suffix (lower, ".ova") && !g_str_has_suffix (lower, ".ovf"))
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                               _("%s is not an appliance: choose an .ova file, or an .ovf file "
                                 "next to its disks."), self->path);
      return;
    }

  job = g_new0 (LoadJob, 1);
  job->appliance = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->path = g_strdup (self->path);
  job->ova = g_str_has_suffix (lower, ".ova");
  job->disks = g_ptr_array_new_with_free_func (g_free);
  job->notes = g_ptr_array_new_with_free_func (g_free);
  self->loading = TRUE;
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
piso_export_appliance_load_finish (PisoExportAppliance  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  LoadJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  self->loading = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  job = g_task_get_task_data (G_TASK (result));
  g_clear_pointer (&self->ovf, _piso_ovf_descriptor_free);
  self->ovf = g_steal_pointer (&job->ovf);
  _piso_remove_flat_dir (self->work_dir);
  g_free (self->work_dir);
  self->work_dir = g_steal_pointer (&job->work_dir);
  g_strfreev (self->disks);
  g_ptr_array_add (job->disks, NULL);
  self->disks = (GStrv) g_ptr_array_free (g_steal_pointer (&job->disks), FALSE);

  for (guint i = 0; i < self->ovf->left_out->len; i++)
    g_ptr_array_add (job->notes,
                     g_strdup_printf (_("Not carried over: %s."),
                                      (char *) g_ptr_array_index (self->ovf->left_out, i)));
  if (self->ovf->os_id == NULL)
    g_ptr_array_add (job->notes,
                     g_strdup_printf (_("Piso does not know the operating system “%s”: the machine "
                                        "is made for a generic one."),
                                      self->ovf->os_type != NULL ? self->ovf->os_type : "?"));
  if (self->ovf->windows)
    g_ptr_array_add (job->notes,
                     g_strdup (_("Windows made for VirtualBox or VMware has no virtio drivers: the "
                                 "machine uses SATA disks and an e1000e network adapter, which are "
                                 "slower. Install the virtio drivers in Windows to change them, or "
                                 "convert the appliance with virt-v2v, which installs them.")));
  g_strfreev (self->notes);
  g_ptr_array_add (job->notes, NULL);
  self->notes = (GStrv) g_ptr_array_free (g_steal_pointer (&job->notes), FALSE);
  return TRUE;
}

guint64
piso_export_appliance_get_bytes_done (PisoExportAppliance *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_APPLIANCE (self), 0);

  return self->bytes_done;
}

guint64
piso_export_appliance_get_bytes_total (PisoExportAppliance *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_APPLIANCE (self), 0);

  return self->bytes_total;
}

#define LOADED_OR(val) \
  g_return_val_if_fail (PISO_IS_EXPORT_APPLIANCE (self), val); \
  g_return_val_if_fail (self->ovf != NULL, val)

const char *
piso_export_appliance_get_name (PisoExportAppliance *self)
{
  LOADED_OR (NULL);
  return self->ovf->name;
}

const char *
piso_export_appliance_get_os_type (PisoExportAppliance *self)
{
  LOADED_OR (NULL);
  return self->ovf->os_type;
}

const char *
piso_export_appliance_get_os_id (PisoExportAppliance *self)
{
  LOADED_OR (NULL);
  return self->ovf->os_id;
}

gboolean
piso_export_appliance_get_windows (PisoExportAppliance *self)
{
  LOADED_OR (FALSE);
  return self->ovf->windows;
}

gboolean
piso_export_appliance_get_uefi (PisoExportAppliance *self)
{
  LOADED_OR (FALSE);
  return self->ovf->uefi;
}

guint
piso_export_appliance_get_vcpus (PisoExportAppliance *self)
{
  LOADED_OR (0);
  return self->ovf->vcpus;
}

guint64
piso_export_appliance_get_memory_kib (PisoExportAppliance *self)
{
  LOADED_OR (0);
  return self->ovf->memory_kib;
}

guint
piso_export_appliance_get_n_nics (PisoExportAppliance *self)
{
  LOADED_OR (0);
  return self->ovf->nics->len;
}

const char * const *
piso_export_appliance_get_disks (PisoExportAppliance *self)
{
  LOADED_OR (NULL);
  return (const char * const *) self->disks;
}

guint64
piso_export_appliance_get_disk_capacity (PisoExportAppliance *self,
                                         guint                index)
{
  LOADED_OR (0);
  g_return_val_if_fail (index < self->ovf->disks->len, 0);
  return ((PisoOvfDisk *) g_ptr_array_index (self->ovf->disks, index))->capacity;
}

const char * const *
piso_export_appliance_get_notes (PisoExportAppliance *self)
{
  LOADED_OR (NULL);
  return (const char * const *) self->notes;
}

/* ---- the New Machine plan ------------------------------------------------ */

/* A machine name libvirt takes, from the appliance's; "-2", "-3"… when
 * @connection has one of that name. */
static char *
unique_name (const char     *wanted,
             PisoConnection *connection)
{
  g_autofree char *base = g_strdup (wanted != NULL && *wanted != '\0' ? wanted : "appliance");

  g_strdelimit (base, "/\\", '-');
  while (*base == '.')
    memmove (base, base + 1, strlen (base));
  if (*base == '\0' || !g_utf8_validate (base, -1, NULL))
    {
      g_free (base);
      base = g_strdup ("appliance");
    }
  if (g_utf8_strlen (base, -1) > 90)
    *g_utf8_offset_to_pointer (base, 90) = '\0';

  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, n);

      if (piso_install_validate_name (name, connection, NULL))
        return g_steal_pointer (&name);
    }
  return g_steal_pointer (&base);
}

PisoInstallPlan *
piso_export_appliance_build_plan (PisoExportAppliance *self,
                                  PisoConnection      *connection,
                                  PisoOsCatalog       *catalog,
                                  PisoHostInfo        *host)
{
  PisoInstallPlan *plan;
  PisoOsEntry *entry = NULL;
  g_autofree char *name = NULL;

  LOADED_OR (NULL);
  g_return_val_if_fail (PISO_IS_OS_CATALOG (catalog), NULL);

  plan = piso_install_plan_new (connection);
  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_IMPORT);
  piso_install_plan_set_source_path (plan, self->disks[0]);
  piso_install_plan_set_extra_disks (plan, (const char * const *) self->disks + 1);

  if (self->ovf->os_id != NULL)
    entry = piso_os_catalog_lookup (catalog, self->ovf->os_id);
  if (entry != NULL)
    piso_install_plan_set_os (plan, piso_os_entry_get_id (entry), piso_os_entry_get_name (entry));
  else
    piso_install_plan_set_os (plan, NULL, NULL);
  piso_install_plan_apply_os (plan, catalog, host);

  /* The appliance's own values over the OS's recommendations. */
  name = unique_name (self->ovf->name, connection);
  piso_install_plan_set_name (plan, name);
  if (self->ovf->vcpus > 0)
    piso_install_plan_set_vcpus (plan, self->ovf->vcpus);
  if (self->ovf->memory_kib >= 1024)
    piso_install_plan_set_memory (plan, self->ovf->memory_kib);
  piso_install_plan_set_firmware (plan, self->ovf->uefi && piso_install_plan_get_uefi_available (plan)
                                        ? PISO_INSTALL_FIRMWARE_UEFI : PISO_INSTALL_FIRMWARE_BIOS);
  if (self->ovf->nics->len == 0)
    piso_install_plan_set_network (plan, PISO_INSTALL_NETWORK_NONE);
  g_object_set (plan, "sound", self->ovf->sound, NULL);
  if (self->ovf->windows)
    g_object_set (plan,
                  "machine-type", PISO_INSTALL_MACHINE_Q35,
                  "disk-bus", PISO_INSTALL_DISK_BUS_SATA,
                  "net-model", PISO_INSTALL_NET_MODEL_E1000E,
                  NULL);
  return plan;
}
