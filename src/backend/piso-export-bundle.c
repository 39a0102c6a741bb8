/* piso-export-bundle.c: a bundle made by Export, read and checked before import
 *
 * Nothing in a bundle is trusted before it is checked: the manifest's file
 * names must stay inside the folder, every file must match its SHA-256, the
 * manifest must say what the definition says, and each disk must be a
 * plain qcow2 image (one with a backing file could make the host read any
 * file it names).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-export-bundle"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-connection.h"
#include "piso-domain-xml-private.h"
#include "piso-export-bundle.h"
#include "piso-export-ovf-private.h"
#include "piso-export-private.h"
#include "piso-storage.h"

struct _PisoExportBundle
{
  GObject             parent_instance;

  char               *path;
  char               *unpacked;   /* a .tar's files, in Piso's cache; removed with the object */
  PisoExportManifest *manifest;
  char               *domain_xml;
  guint64             bytes_done;
  guint64             bytes_total;
  /* From the last host check: the host runs it emulated only */
  gboolean            runs_emulated;
};

G_DEFINE_FINAL_TYPE (PisoExportBundle, piso_export_bundle, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_export_bundle_finalize (GObject *object)
{
  PisoExportBundle *self = PISO_EXPORT_BUNDLE (object);

  g_free (self->path);
  _piso_remove_flat_dir (self->unpacked);
  g_free (self->unpacked);
  g_clear_pointer (&self->manifest, _piso_export_manifest_free);
  g_free (self->domain_xml);
  G_OBJECT_CLASS (piso_export_bundle_parent_class)->finalize (object);
}

static void
piso_export_bundle_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PisoExportBundle *self = PISO_EXPORT_BUNDLE (object);

  switch (prop_id)
    {
    case PROP_PATH: g_value_set_string (value, self->path); break;
    case PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_export_bundle_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PisoExportBundle *self = PISO_EXPORT_BUNDLE (object);

  switch (prop_id)
    {
    case PROP_PATH: self->path = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_export_bundle_class_init (PisoExportBundleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_export_bundle_finalize;
  object_class->get_property = piso_export_bundle_get_property;
  object_class->set_property = piso_export_bundle_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_export_bundle_init (PisoExportBundle *self)
{
}

PisoExportBundle *
piso_export_bundle_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (PISO_TYPE_EXPORT_BUNDLE, "path", path, NULL);
}

char *
piso_export_bundle_locate (const char *path)
{
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *manifest = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  base = g_path_get_basename (path);
  lower = g_ascii_strdown (base, -1);
  if (g_str_has_suffix (lower, ".tar"))
    return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_strdup (path) : NULL;
  if (g_str_equal (base, PISO_EXPORT_MANIFEST))
    return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_path_get_dirname (path) : NULL;
  manifest = g_build_filename (path, PISO_EXPORT_MANIFEST, NULL);
  return g_file_test (path, G_FILE_TEST_IS_DIR) && g_file_test (manifest, G_FILE_TEST_IS_REGULAR)
         ? g_strdup (path) : NULL;
}

const char *piso_export_bundle_get_path (PisoExportBundle *self) { g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), NULL); return self->path; }
guint64 piso_export_bundle_get_bytes_done (PisoExportBundle *self) { g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), 0); return self->bytes_done; }
guint64 piso_export_bundle_get_bytes_total (PisoExportBundle *self) { g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), 0); return self->bytes_total; }

#define MANIFEST_FIELD(type, field, fallback) \
  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), fallback); \
  return self->manifest != NULL ? (type) self->manifest->field : fallback

const char *piso_export_bundle_get_name (PisoExportBundle *self) { MANIFEST_FIELD (const char *, name, NULL); }
const char *piso_export_bundle_get_title (PisoExportBundle *self) { MANIFEST_FIELD (const char *, title, NULL); }
const char *piso_export_bundle_get_description (PisoExportBundle *self) { MANIFEST_FIELD (const char *, description, NULL); }
const char *piso_export_bundle_get_os_id (PisoExportBundle *self) { MANIFEST_FIELD (const char *, os_id, NULL); }
gboolean piso_export_bundle_get_uefi (PisoExportBundle *self) { MANIFEST_FIELD (gboolean, uefi, FALSE); }
gboolean piso_export_bundle_get_secure_boot (PisoExportBundle *self) { MANIFEST_FIELD (gboolean, secure_boot, FALSE); }
gboolean piso_export_bundle_get_tpm (PisoExportBundle *self) { MANIFEST_FIELD (gboolean, tpm, FALSE); }
guint piso_export_bundle_get_vcpus (PisoExportBundle *self) { MANIFEST_FIELD (guint, vcpus, 0); }
guint64 piso_export_bundle_get_memory_kib (PisoExportBundle *self) { MANIFEST_FIELD (guint64, memory_kib, 0); }
guint piso_export_bundle_get_n_disks (PisoExportBundle *self) { MANIFEST_FIELD (guint, disks->len, 0); }
const char * const *piso_export_bundle_get_notes (PisoExportBundle *self) { MANIFEST_FIELD (const char * const *, notes->pdata, NULL); }

#undef MANIFEST_FIELD

const char *
piso_export_bundle_get_domain_xml (PisoExportBundle *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), NULL);

  return self->domain_xml;
}

const PisoExportManifest *
_piso_export_bundle_get_manifest (PisoExportBundle *bundle)
{
  return bundle->manifest;
}

guint64
piso_export_bundle_get_disks_size (PisoExportBundle *self)
{
  guint64 total = 0;

  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), 0);

  for (guint i = 0; self->manifest != NULL && i < self->manifest->disks->len; i++)
    total += ((PisoExportDisk *) g_ptr_array_index (self->manifest->disks, i))->virtual_size;
  return total;
}

/* ---- load ---------------------------------------------------------------- */

typedef struct
{
  PisoExportBundle   *bundle;
  GMainContext       *context;
  char               *path;
  char               *folder;     /* where the files are: @path or @unpacked */
  char               *unpacked;
  PisoExportManifest *manifest;
  char               *domain_xml;
  GMutex              lock;       /* the files' progress, checked side by side */
  guint64             total;
  gint64              last_report;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->bundle);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job->path);
  g_free (job->folder);
  _piso_remove_flat_dir (job->unpacked);
  g_free (job->unpacked);
  g_clear_pointer (&job->manifest, _piso_export_manifest_free);
  g_free (job->domain_xml);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static void
apply_progress (gpointer object,
                guint64  done,
                guint64  total,
                gint64   extra)
{
  PisoExportBundle *self = object;

  piso_set_uint64_prop (self, &self->bytes_total, total, properties[PROP_BYTES_TOTAL]);
  piso_set_uint64_prop (self, &self->bytes_done, done, properties[PROP_BYTES_DONE]);
}

static gboolean
tampered (GError    **error,
          const char *file)
{
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("The bundle was changed or damaged after it was exported: %s does not match its "
                 "checksum. Nothing was imported."), file);
  return FALSE;
}

/* One file's checks, run beside the others': its SHA-256 (each file's
 * own reader and hasher), or, for a disk, what qemu-img reads in it. The
 * files are independent, so a bundle is read at the speed of its largest
 * file, not of all of them in a row. */
typedef enum
{
  CHECK_SHA256,
  CHECK_IMAGE,
} CheckKind;

typedef struct
{
  LoadJob       *job;
  GPtrArray     *all;          /* the run's checks, for the progress */
  CheckKind      kind;
  const char    *file;
  guint64        size;         /* the manifest's (0: not said) */
  const char    *sha256;
  guint64        virtual_size; /* a disk's, for CHECK_IMAGE */
  guint64        done;         /* bytes hashed, under the job's lock */
  GCancellable  *cancellable;
  GError        *error;
  GThread       *thread;
} FileCheck;

static void
file_check_free (FileCheck *check)
{
  g_clear_error (&check->error);
  g_free (check);
}

static void
hash_progress (guint64  bytes,
               gpointer data)
{
  FileCheck *check = data;
  LoadJob *job = check->job;
  guint64 done = 0;

  g_mutex_lock (&job->lock);
  check->done = bytes;
  for (guint i = 0; i < check->all->len; i++)
    done += ((FileCheck *) g_ptr_array_index (check->all, i))->done;
  g_mutex_unlock (&job->lock);
  _piso_post_progress (job->context, &job->last_report, FALSE, job->bundle, apply_progress,
                       done, job->total, 0);
}

/* @file of the bundle exists with @size bytes (when known) and @sha256. */
static gboolean
check_file (FileCheck  *check,
            GError    **error)
{
  g_autofree char *path = g_build_filename (check->job->folder, check->file, NULL);
  g_autofree char *actual = NULL;
  GStatBuf st;

  if (g_lstat (path, &st) < 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The bundle is incomplete: the file %s is missing. Nothing was imported."),
                   check->file);
      return FALSE;
    }
  if (check->size != 0 && (guint64) st.st_size != check->size)
    return tampered (error, check->file);
  actual = _piso_export_file_sha256 (path, hash_progress, check, check->cancellable, error);
  if (actual == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (actual, check->sha256) != 0)
    return tampered (error, check->file);
  return TRUE;
}

/* The checksum says a disk is what was exported; this says the export
 * itself is safe to give to a host: a plain qcow2 image (one with a backing
 * file could make the host read any file it names) of the size the
 * manifest says. */
static gboolean
check_image (FileCheck  *check,
             GError    **error)
{
  g_autofree char *path = g_build_filename (check->job->folder, check->file, NULL);
  guint64 virtual_size = 0;
  gboolean has_backing = TRUE;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;  /* said by its CHECK_SHA256 */
  if (!piso_storage_image_info (path, "qcow2", &virtual_size, &has_backing, error))
    return FALSE;
  if (has_backing || virtual_size != check->virtual_size)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The disk %s of the bundle is not the image its manifest describes. Nothing was imported."),
                   check->file);
      return FALSE;
    }
  return TRUE;
}

static gpointer
file_check_thread (gpointer data)
{
  FileCheck *check = data;

  /* A failure does not stop the others: which check failed first in time
   * would then decide the message (a changed disk header fails qemu-img's
   * look before its checksum is known). */
  if (check->kind == CHECK_SHA256)
    check_file (check, &check->error);
  else
    check_image (check, &check->error);
  return NULL;
}

static void
add_check (GPtrArray   *checks,
           LoadJob     *job,
           CheckKind    kind,
           const char  *file,
           guint64      size,
           const char  *sha256,
           guint64      virtual_size)
{
  FileCheck *check = g_new0 (FileCheck, 1);

  check->job = job;
  check->all = checks;
  check->kind = kind;
  check->file = file;
  check->size = size;
  check->sha256 = sha256;
  check->virtual_size = virtual_size;
  g_ptr_array_add (checks, check);
}

/* Every file's checks at once; the first failure in the manifest's order
 * (not the first in time: the same bundle always gets the same message). */
static gboolean
check_files (LoadJob       *job,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func ((GDestroyNotify) file_check_free);
  GError *first = NULL;

  for (guint i = 0; i < job->manifest->disks->len; i++)
    {
      const PisoExportDisk *disk = g_ptr_array_index (job->manifest->disks, i);

      add_check (checks, job, CHECK_SHA256, disk->file, disk->size, disk->sha256, 0);
      add_check (checks, job, CHECK_IMAGE, disk->file, 0, NULL, disk->virtual_size);
    }
  if (job->manifest->nvram_file != NULL)
    add_check (checks, job, CHECK_SHA256, job->manifest->nvram_file, job->manifest->nvram_size,
               job->manifest->nvram_sha256, 0);

  for (guint i = 0; i < checks->len; i++)
    {
      FileCheck *check = g_ptr_array_index (checks, i);

      check->cancellable = cancellable;
      check->thread = g_thread_new ("piso-bundle-check", file_check_thread, check);
    }
  for (guint i = 0; i < checks->len; i++)
    g_thread_join (((FileCheck *) g_ptr_array_index (checks, i))->thread);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  for (guint i = 0; i < checks->len && first == NULL; i++)
    {
      FileCheck *check = g_ptr_array_index (checks, i);

      first = check->error;
    }
  if (first != NULL)
    {
      g_propagate_error (error, g_error_copy (first));
      return FALSE;
    }
  return TRUE;
}

static gboolean
load (LoadJob       *job,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autofree char *lower = g_ascii_strdown (job->path, -1);
  g_autofree char *manifest_path = NULL;
  g_autofree char *domain_path = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autofree char *xml = NULL;
  gsize xml_length = 0;

  /* A single .tar is unpacked first; its files are then checked as a
   * folder's (and the unpacked copy goes on failure or cancel). */
  if (g_str_has_suffix (lower, ".tar"))
    {
      if ((job->unpacked = _piso_make_cache_dir ("bundle", error)) == NULL ||
          !_piso_tar_unpack (job->path, job->unpacked, cancellable, error))
        return FALSE;
      job->folder = g_strdup (job->unpacked);
    }
  else
    job->folder = g_strdup (job->path);
  manifest_path = g_build_filename (job->folder, PISO_EXPORT_MANIFEST, NULL);
  domain_path = g_build_filename (job->folder, PISO_EXPORT_DOMAIN, NULL);

  if (!g_file_get_contents (manifest_path, &data, &length, NULL))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("%s is not a machine exported by Piso: it has no %s."), job->path, PISO_EXPORT_MANIFEST);
      return FALSE;
    }
  if ((job->manifest = _piso_export_manifest_parse (data, length, error)) == NULL)
    return FALSE;

  job->total = 0;
  for (guint i = 0; i < job->manifest->disks->len; i++)
    job->total += ((PisoExportDisk *) g_ptr_array_index (job->manifest->disks, i))->size;
  job->total += job->manifest->nvram_size;

  /* The definition first: it is small, and says what the rest must be. */
  if (!g_file_get_contents (domain_path, &xml, &xml_length, NULL))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The bundle is incomplete: the file %s is missing. Nothing was imported."),
                   PISO_EXPORT_DOMAIN);
      return FALSE;
    }
  {
    g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, xml, xml_length);

    if (g_ascii_strcasecmp (sha256, job->manifest->domain_sha256) != 0)
      return tampered (error, PISO_EXPORT_DOMAIN);
  }
  if (!_piso_export_manifest_matches (job->manifest, xml, error))
    return FALSE;

  if (!check_files (job, cancellable, error))
    return FALSE;

  job->domain_xml = g_steal_pointer (&xml);
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

  if (load (job, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    {
      /* Removed before the caller hears of it, not when the task is freed. */
      _piso_remove_flat_dir (job->unpacked);
      g_clear_pointer (&job->unpacked, g_free);
      g_task_return_error (task, error);
    }
}

void
piso_export_bundle_load_async (PisoExportBundle    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadJob *job;

  g_return_if_fail (PISO_IS_EXPORT_BUNDLE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_export_bundle_load_async);
  job = g_new0 (LoadJob, 1);
  g_mutex_init (&job->lock);
  job->bundle = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->path = g_strdup (self->path);
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
piso_export_bundle_load_finish (PisoExportBundle  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  LoadJob *job;

  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  job = g_task_get_task_data (G_TASK (result));
  g_clear_pointer (&self->manifest, _piso_export_manifest_free);
  self->manifest = g_steal_pointer (&job->manifest);
  piso_set_str (&self->domain_xml, job->domain_xml);
  _piso_remove_flat_dir (self->unpacked);
  g_free (self->unpacked);
  self->unpacked = g_steal_pointer (&job->unpacked);
  return TRUE;
}

/* ---- can this host run it? ---------------------------------------------- */

typedef struct
{
  virConnectPtr  conn;
  char          *arch;
  char          *machine_type;
  char          *domain_type;
  char          *cpu_model;     /* a custom CPU model, or NULL */
  gboolean       uefi;
  gboolean       secure_boot;
  gboolean       tpm;
  GPtrArray     *problems;      /* char* */
  gboolean       blocking;
  gboolean       emulated;      /* the host has no KVM for it: "qemu" */
} HostCheck;

static void
host_check_free (HostCheck *check)
{
  g_clear_pointer (&check->conn, virConnectClose);
  g_free (check->arch);
  g_free (check->machine_type);
  g_free (check->domain_type);
  g_free (check->cpu_model);
  g_clear_pointer (&check->problems, g_ptr_array_unref);
  g_free (check);
}

static void
problem (HostCheck  *check,
         gboolean    blocking,
         char       *text)
{
  g_ptr_array_add (check->problems, text);
  check->blocking |= blocking;
}

/* The virtual networks the NICs of @doc were on, each once (char*): from
 * the definition, what will be defined, not what the manifest says */
static GPtrArray *
bundle_networks (xmlDoc *doc)
{
  g_autoptr(GPtrArray) sources =
    _piso_xml_nodes (doc, NULL, "/domain/devices/interface[@type='network']/source[@network]");
  GPtrArray *networks = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sources->len; i++)
    {
      g_autofree char *name = _piso_xml_attr (g_ptr_array_index (sources, i), "network");

      if (!g_ptr_array_find_with_equal_func (networks, name, g_str_equal, NULL))
        g_ptr_array_add (networks, g_steal_pointer (&name));
    }
  return networks;
}

static gboolean
check_host (HostCheck  *check,
            GError    **error)
{
  g_autoptr(xmlDoc) caps = _piso_xml_parse_reply (virConnectGetCapabilities (check->conn));
  g_autoptr(xmlDoc) domcaps = NULL;
  g_autofree char *guest_expr = NULL;
  g_autofree char *domain_expr = NULL;
  g_autofree char *machine_expr = NULL;
  const char *virt_type = check->domain_type;
  xmlNodePtr guest;
  gboolean no_uefi_at_all = FALSE;

  if (caps == NULL)
    {
      _piso_set_error_from_libvirt (error, "%s", _("Could not read what this host can run"));
      return FALSE;
    }

  guest_expr = g_strdup_printf ("/capabilities/guest[os_type='hvm']/arch[@name='%s']", check->arch);
  guest = _piso_xml_node (caps, NULL, guest_expr);
  if (guest == NULL)
    {
      /* Translators: %s is an architecture, "x86_64" */
      problem (check, TRUE, g_strdup_printf (_("This host cannot run %s machines."), check->arch));
      return TRUE;
    }

  domain_expr = g_strdup_printf ("domain[@type='%s']", virt_type);
  if (_piso_xml_node (caps, guest, domain_expr) == NULL)
    {
      if (g_strcmp0 (virt_type, "kvm") == 0 && _piso_xml_node (caps, guest, "domain[@type='qemu']") != NULL)
        {
          problem (check, FALSE,
                   g_strdup (_("This host has no hardware virtualization (KVM) for it: the machine will "
                               "run emulated, many times slower.")));
          virt_type = "qemu";
          check->emulated = TRUE;
        }
      else
        {
          /* Translators: %s is a hypervisor type, "kvm" */
          problem (check, TRUE, g_strdup_printf (_("This host cannot run “%s” machines."), virt_type));
          return TRUE;
        }
    }

  machine_expr = g_strdup_printf ("machine[.='%1$s' or @canonical='%1$s'] | domain/machine[.='%1$s' or @canonical='%1$s']",
                                  check->machine_type);
  if (check->machine_type != NULL && _piso_xml_node (caps, guest, machine_expr) == NULL)
    {
      problem (check, TRUE,
               g_strdup_printf (_("This host’s QEMU does not have the machine type “%s”: the machine was "
                                  "made with a newer QEMU. Update QEMU on this host, or export it again "
                                  "after choosing an older machine type."), check->machine_type));
      return TRUE;
    }

  domcaps = _piso_xml_parse_reply (virConnectGetDomainCapabilities (check->conn, NULL, check->arch,
                                                          check->machine_type, virt_type, 0));
  if (domcaps == NULL)
    /* Drivers without domain capabilities (the test driver): nothing more to ask. */
    return TRUE;

  if (check->uefi && !_piso_xml_caps_have_uefi (domcaps, check->secure_boot, &no_uefi_at_all))
    problem (check, TRUE,
             g_strdup (no_uefi_at_all
                       ? _("This host has no UEFI firmware for this machine (install the “ovmf” package).")
                       : _("This host has no UEFI firmware with Secure Boot for this machine.")));
  if (check->tpm && _piso_xml_node (domcaps, NULL, "/domainCapabilities/devices/tpm[@supported='yes']") == NULL)
    problem (check, FALSE,
             g_strdup (_("This host cannot emulate a TPM (install the “swtpm” package): the machine "
                         "will be made without one.")));
  if (check->cpu_model != NULL)
    {
      g_autofree char *model_expr =
        g_strdup_printf ("/domainCapabilities/cpu/mode[@name='custom']/model[.='%s']", check->cpu_model);

      if (_piso_xml_node (domcaps, NULL, model_expr) == NULL)
        problem (check, TRUE,
                 g_strdup_printf (_("This host cannot offer the processor model “%s” the machine asks for."),
                                  check->cpu_model));
    }
  return TRUE;
}

static void
check_host_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;

  if (check_host (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Only names XPath can quote between single quotes. */
static char *
quotable (const char *value)
{
  return value != NULL && strchr (value, '\'') == NULL ? g_strdup (value) : NULL;
}

void
piso_export_bundle_check_host_async (PisoExportBundle    *self,
                                     PisoConnection      *connection,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  virConnectPtr conn;
  HostCheck *check;

  g_return_if_fail (PISO_IS_EXPORT_BUNDLE (self));
  g_return_if_fail (PISO_IS_CONNECTION (connection));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_export_bundle_check_host_async);
  if (self->manifest == NULL || (doc = _piso_xml_parse (self->domain_xml, FALSE, NULL, NULL)) == NULL)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               "piso_export_bundle_load_async() first");
      return;
    }
  if ((conn = _piso_connection_ref_handle (connection)) == NULL)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                               _("Not connected to %s."), piso_connection_get_uri (connection));
      return;
    }

  check = g_new0 (HostCheck, 1);
  check->conn = conn;
  check->arch = quotable (self->manifest->arch != NULL ? self->manifest->arch : "x86_64");
  check->machine_type = quotable (self->manifest->machine_type);
  check->domain_type = quotable (self->manifest->domain_type != NULL ? self->manifest->domain_type : "kvm");
  {
    g_autofree char *model = _piso_xml_string (doc, NULL, "/domain/cpu[@mode='custom' or not(@mode)]/model");

    check->cpu_model = quotable (model);
  }
  check->uefi = self->manifest->uefi;
  check->secure_boot = self->manifest->secure_boot;
  check->tpm = self->manifest->tpm;
  check->problems = g_ptr_array_new_with_free_func (g_free);
  if (check->arch == NULL || check->domain_type == NULL)
    {
      host_check_free (check);
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                               _("This is not a usable Piso bundle: %s."), _("its manifest names no machine"));
      return;
    }
  g_task_set_task_data (task, check, (GDestroyNotify) host_check_free);
  g_task_run_in_thread (task, check_host_thread);
}

GStrv
piso_export_bundle_check_host_finish (PisoExportBundle  *self,
                                      GAsyncResult      *result,
                                      gboolean          *blocking,
                                      GError           **error)
{
  HostCheck *check;

  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  check = g_task_get_task_data (G_TASK (result));
  if (blocking != NULL)
    *blocking = check->blocking;
  self->runs_emulated = check->emulated;
  g_ptr_array_add (check->problems, NULL);
  return (GStrv) g_ptr_array_steal (check->problems, NULL);
}

gboolean
piso_export_bundle_get_runs_emulated (PisoExportBundle *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), FALSE);

  return self->runs_emulated;
}

GStrv
piso_export_bundle_dup_networks (PisoExportBundle *self)
{
  g_autoptr(xmlDoc) doc = NULL;
  GPtrArray *networks;

  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), NULL);

  if (self->domain_xml == NULL || (doc = _piso_xml_parse (self->domain_xml, FALSE, NULL, NULL)) == NULL)
    return g_new0 (char *, 1);
  networks = bundle_networks (doc);
  g_ptr_array_add (networks, NULL);
  return (GStrv) g_ptr_array_free (networks, FALSE);
}

const char *
_piso_export_bundle_get_folder (PisoExportBundle *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_BUNDLE (self), NULL);

  return self->unpacked != NULL ? self->unpacked : self->path;
}
