/* piso-creator.c: turns a PisoInstallPlan into a defined, running machine
 *
 * A run is a chain of steps on the main thread, each handing its blocking
 * part to a worker thread: download → prepare (pool, network, copies, disk)
 * → build the XML (plan, main thread) → define → start. Everything a step
 * makes is recorded in the Job so that a failure or a cancel removes
 * exactly that, and nothing else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-creator"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-backend-enums.h"
#include "piso-backend-private.h"
#include "piso-creator.h"
#include "piso-creator-private.h"
#include "piso-download.h"
#include "piso-format-size.h"
#include "piso-install-plan.h"
#include "piso-storage.h"

#define PROGRESS_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

/* ---- PisoCreator --------------------------------------------------------- */

struct _PisoCreator
{
  GObject             parent_instance;

  PisoConnection     *connection;
  PisoInstallPlan    *plan;
  PisoCreatorStage    stage;
  double              progress;
  char               *status_text;
  PisoCreatorProblem  consent;
  char               *sha256;
  char               *pool;
  gboolean            start;
  gboolean            running;
};

G_DEFINE_FINAL_TYPE (PisoCreator, piso_creator, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_PLAN,
  PROP_STAGE,
  PROP_PROGRESS,
  PROP_STATUS_TEXT,
  PROP_CONSENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Everything one check or run knows. Inputs are copied from the plan on the
 * main thread; the worker fills the rest. */
typedef struct
{
  PisoCreator          *creator;
  GMainContext         *context;
  virConnectPtr         conn;
  char                 *uri;

  /* inputs */
  gboolean              session;
  gboolean              check_qemu_user;  /* local qemu:///system */
  PisoInstallSourceKind kind;
  char                 *source_path;      /* media, import or the download */
  GStrv                 extra_sources;    /* import: further qcow2 disks (appliance) */
  char                 *name;
  guint64               disk_size;
  gboolean              in_place;
  PisoInstallNetwork    network;
  PisoCreatorProblem    consent;
  char                 *pool_name;        /* NULL: the standard pool "default" */
  gboolean              start;
  gboolean              apply;            /* run (TRUE) or only check */

  /* findings */
  PisoCreatorCheck     *check;
  char                 *source_format;    /* import: qcow2/raw/vmdk/vdi */
  gboolean              import_convert;   /* import through qemu-img convert */
  guint64               source_bytes;     /* what a copy adds to the pool */
  gboolean              copy_media;

  /* made by this run, undone on failure */
  virStoragePoolPtr     pool;
  gboolean              pool_defined;
  gboolean              pool_made_dir;
  GPtrArray            *volumes;          /* virStorageVolPtr */
  GPtrArray            *local_files;      /* char*: temporary files (always removed) */
  char                 *download_path;    /* removed with its .part on rollback */
  PisoDownload         *download;
  PisoMachine          *machine;

  /* results for the XML */
  char                 *disk_path;
  char                 *disk_format;
  char                 *media_path;
  GPtrArray            *extra_paths;      /* char*: the further disks' volumes, NULL-terminated */

  gint64                last_progress;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->creator);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_pointer (&job->conn, virConnectClose);
  g_free (job->uri);
  g_free (job->source_path);
  g_strfreev (job->extra_sources);
  g_clear_pointer (&job->extra_paths, g_ptr_array_unref);
  g_free (job->name);
  g_free (job->pool_name);
  g_clear_object (&job->check);
  g_free (job->source_format);
  g_clear_pointer (&job->pool, virStoragePoolFree);
  g_clear_pointer (&job->volumes, g_ptr_array_unref);
  if (job->local_files != NULL)
    {
      for (guint i = 0; i < job->local_files->len; i++)
        g_unlink (g_ptr_array_index (job->local_files, i));
      g_ptr_array_unref (job->local_files);
    }
  g_free (job->download_path);
  g_clear_object (&job->download);
  g_clear_object (&job->machine);
  g_free (job->disk_path);
  g_free (job->disk_format);
  g_free (job->media_path);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* ---- progress, from any thread ------------------------------------------ */

typedef struct
{
  PisoCreator      *creator;
  PisoCreatorStage  stage;
  double            progress;
  char             *text;
} StageUpdate;

static gboolean
apply_stage_update (gpointer user_data)
{
  StageUpdate *update = user_data;
  PisoCreator *self = update->creator;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->stage != update->stage)
    {
      self->stage = update->stage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }
  if (self->progress != update->progress)
    {
      self->progress = update->progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (piso_set_str (&self->status_text, update->text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

static void
stage_update_free (gpointer data)
{
  StageUpdate *update = data;

  g_object_unref (update->creator);
  g_free (update->text);
  g_free (update);
}

static char *
stage_text (PisoCreatorStage stage,
            guint64          done,
            guint64          total)
{
  g_autofree char *done_text = piso_format_size (done);
  g_autofree char *total_text = piso_format_size (total);

  switch (stage)
    {
    case PISO_CREATOR_STAGE_PREPARING:
      return g_strdup (_("Preparing…"));
    case PISO_CREATOR_STAGE_DOWNLOADING:
      if (total > 0)
        /* Translators: "Downloading… 12.3 MiB of 700 MiB" */
        return g_strdup_printf (_("Downloading… %s of %s"), done_text, total_text);
      return g_strdup_printf (_("Downloading… %s"), done_text);
    case PISO_CREATOR_STAGE_COPYING:
      if (total > 0)
        return g_strdup_printf (_("Copying into the storage pool… %s of %s"), done_text, total_text);
      return g_strdup (_("Copying into the storage pool…"));
    case PISO_CREATOR_STAGE_CREATING_DISK:
      return g_strdup (_("Creating the disk…"));
    case PISO_CREATOR_STAGE_DEFINING:
      return g_strdup (_("Setting up the machine…"));
    case PISO_CREATOR_STAGE_STARTING:
      return g_strdup (_("Starting the machine…"));
    case PISO_CREATOR_STAGE_DONE:
    default:
      return g_strdup (_("The machine is running."));
    }
}

/* Queues a stage/progress update on the job's main context. Byte progress
 * (total > 0) is sent at most every PROGRESS_INTERVAL_US, except its end. */
static void
job_report (Job              *job,
            PisoCreatorStage  stage,
            guint64           done,
            guint64           total)
{
  StageUpdate *update;
  gint64 now = g_get_monotonic_time ();

  if (total > 0 && done < total && now - job->last_progress < PROGRESS_INTERVAL_US)
    return;
  job->last_progress = now;

  update = g_new0 (StageUpdate, 1);
  update->creator = g_object_ref (job->creator);
  update->stage = stage;
  update->progress = total > 0 ? MIN (1.0, (double) done / (double) total) : -1;
  /* qemu-img's progress is in hundredths of a percent, not bytes. */
  if (stage == PISO_CREATOR_STAGE_COPYING && total == 10000)
    update->text = stage_text (stage, 0, 0);
  else
    update->text = stage_text (stage, done, total);
  _piso_run_in_context (job->context, apply_stage_update,
                        update, stage_update_free);
}

static void
copy_progress (guint64  done,
               guint64  total,
               gpointer user_data)
{
  job_report (user_data, PISO_CREATOR_STAGE_COPYING, done, total);
}

/* ---- the inspection (worker thread) -------------------------------------- */

static gboolean
job_needs_pool (Job *job)
{
  return job->disk_size > 0 ||
         job->kind == PISO_INSTALL_SOURCE_URL ||
         (job->kind == PISO_INSTALL_SOURCE_IMPORT && !job->in_place) ||
         job->copy_media;
}

static guint64
file_bytes (const char *path,
            gboolean    allocated)
{
  GStatBuf st;

  if (g_stat (path, &st) < 0)
    return 0;
  /* A sparse raw image only brings its data along when converted. */
  if (allocated)
    return MIN ((guint64) st.st_size, (guint64) st.st_blocks * 512);
  return st.st_size;
}

/* The source file: present, and for imports its format. */
static void
inspect_source (Job *job)
{
  g_autoptr(GError) error = NULL;

  if (job->kind == PISO_INSTALL_SOURCE_EMPTY)
    return;
  if (job->kind == PISO_INSTALL_SOURCE_URL && job->source_path == NULL)
    return;  /* checked before the download: nothing on disk yet */

  if (job->source_path == NULL || !g_file_test (job->source_path, G_FILE_TEST_IS_REGULAR))
    {
      _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_SOURCE_MISSING,
                               g_strdup_printf (_("%s cannot be found or is not a file. Choose another file."),
                                                job->source_path != NULL ? job->source_path : "—"));
      return;
    }

  if (job->kind == PISO_INSTALL_SOURCE_IMPORT)
    {
      job->source_format = piso_storage_detect_format (job->source_path, &error);
      if (job->source_format == NULL)
        {
          _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_SOURCE_MISSING,
                                   g_strdup_printf (_("%s cannot be read: %s. Choose another file."),
                                                    job->source_path, error->message));
          return;
        }
      /* A lone qcow2 goes in as it is; the rest (and a qcow2 on a backing
       * file) becomes a compact qcow2 of its own. */
      job->import_convert = !g_str_equal (job->source_format, "qcow2");
      if (!job->import_convert)
        {
          guint64 virtual_size = 0;
          gboolean has_backing = FALSE;

          if (!piso_storage_image_info (job->source_path, "qcow2", &virtual_size, &has_backing, &error))
            {
              _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_SOURCE_MISSING,
                                       g_strdup_printf (_("%s cannot be read: %s. Choose another file."),
                                                        job->source_path, error->message));
              return;
            }
          job->import_convert = has_backing;
        }
      if (!job->in_place)
        job->source_bytes = file_bytes (job->source_path, job->import_convert);
      for (guint i = 0; job->extra_sources != NULL && job->extra_sources[i] != NULL; i++)
        job->source_bytes += file_bytes (job->extra_sources[i], FALSE);
    }
  else
    job->source_bytes = file_bytes (job->source_path, FALSE);
}

static void
inspect_qemu_user (Job *job)
{
  g_autofree char *user = NULL;
  g_autofree char *blocker = NULL;

  if (!job->check_qemu_user || job->source_path == NULL)
    return;
  /* Copies into the pool are read by us, not by QEMU. */
  if (job->kind == PISO_INSTALL_SOURCE_URL ||
      (job->kind == PISO_INSTALL_SOURCE_IMPORT && !job->in_place))
    return;
  if ((job->check->problems & PISO_CREATOR_PROBLEM_SOURCE_MISSING) != 0)
    return;

  user = piso_storage_qemu_user (NULL);
  if (piso_storage_user_can_read (user, job->source_path, &blocker))
    return;

  _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE,
                           g_strdup_printf (_("Machines on this connection run as the user “%s”, who cannot open %s "
                                              "because of the permissions of %s. Piso can copy the file into the "
                                              "storage pool, or you can move it to a folder other users can read, "
                                              "such as /var/tmp."),
                                            user, job->source_path, blocker));
  job->copy_media = (job->consent & PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE) != 0;
  if (job->copy_media)
    job->source_bytes = file_bytes (job->source_path, job->import_convert);
}

static void
inspect_network (Job *job)
{
  virNetworkPtr net;
  int active;

  if (job->network != PISO_INSTALL_NETWORK_NAT_DEFAULT)
    return;

  net = virNetworkLookupByName (job->conn, "default");
  if (net == NULL)
    {
      virResetLastError ();
      _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_NETWORK_MISSING,
                               g_strdup (_("This connection has no virtual network “default”. Choose user-mode "
                                           "networking or no network for the machine.")));
      return;
    }
  active = virNetworkIsActive (net);
  virNetworkFree (net);
  if (active == 0)
    _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_NETWORK_INACTIVE,
                             g_strdup (_("The virtual network “default” is stopped. Piso can start it, and have it "
                                         "start with the host from now on.")));
  virResetLastError ();
}

/* Fills job->check. Changes nothing on the host. */
static gboolean
inspect (Job     *job,
         GError **error)
{
  g_autoptr(GError) local_error = NULL;
  virDomainPtr existing;

  g_clear_object (&job->check);
  g_clear_pointer (&job->source_format, g_free);
  job->check = g_object_new (PISO_TYPE_CREATOR_CHECK, NULL);
  job->copy_media = FALSE;
  job->source_bytes = 0;

  existing = virDomainLookupByName (job->conn, job->name);
  if (existing != NULL)
    {
      virDomainFree (existing);
      _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_NAME_TAKEN,
                               g_strdup_printf (_("A machine named “%s” already exists on this connection. "
                                                  "Choose another name."), job->name));
    }
  virResetLastError ();

  inspect_source (job);
  inspect_qemu_user (job);
  inspect_network (job);

  job->check->needed = job->disk_size + (job->kind == PISO_INSTALL_SOURCE_MEDIA && !job->copy_media
                                         ? 0 : job->source_bytes);
  if (!job_needs_pool (job))
    return TRUE;

  g_clear_pointer (&job->pool, virStoragePoolFree);
  /* A pool the user chose: there and running, or no import into it */
  if (job->pool_name != NULL && g_strcmp0 (job->pool_name, PISO_STORAGE_DEFAULT_POOL) != 0)
    {
      job->pool = virStoragePoolLookupByName (job->conn, job->pool_name);
      if (job->pool == NULL || virStoragePoolIsActive (job->pool) != 1)
        {
          _piso_set_error_from_libvirt (error, _("The storage pool “%s” is not there or not running"),
                                        job->pool_name);
          return FALSE;
        }
      job->check->pool_path = piso_storage_pool_path (job->pool, NULL);
      if (!piso_storage_pool_available (job->pool, &job->check->available, error))
        return FALSE;
      if (!piso_storage_check_space (job->pool_name, job->check->needed, job->check->available,
                                     &local_error))
        _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_NO_SPACE, g_strdup (local_error->message));
      return TRUE;
    }
  job->pool = piso_storage_lookup_default_pool (job->conn, error);
  if (job->pool == NULL && error != NULL && *error != NULL)
    return FALSE;

  if (job->pool == NULL)
    {
      job->check->pool_path = piso_storage_standard_pool_path (job->session);
      _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_NO_POOL,
                               g_strdup_printf (_("There is no storage pool “default” for the machine’s disks. "
                                                  "Piso can create it in %s and start it."),
                                                job->check->pool_path));
      return TRUE;
    }

  job->check->pool_path = piso_storage_pool_path (job->pool, NULL);
  if (virStoragePoolIsActive (job->pool) != 1)
    {
      virResetLastError ();
      _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_POOL_INACTIVE,
                               g_strdup (_("The storage pool “default” is stopped. Piso can start it, and have it "
                                           "start with the host from now on.")));
      return TRUE;
    }

  if (!piso_storage_pool_available (job->pool, &job->check->available, error))
    return FALSE;
  if (!piso_storage_check_space (virStoragePoolGetName (job->pool), job->check->needed,
                                 job->check->available, &local_error))
    _piso_creator_check_add (job->check, PISO_CREATOR_PROBLEM_NO_SPACE, g_strdup (local_error->message));
  return TRUE;
}

/* ---- the preparation (worker thread) ------------------------------------- */

static gboolean
refuse_problems (Job     *job,
                 GError **error)
{
  PisoCreatorProblem problems = job->check->problems;
  PisoCreatorProblem refused = (problems & ~PISO_CREATOR_PROBLEMS_WITH_FIX) |
                               (problems & PISO_CREATOR_PROBLEMS_WITH_FIX & ~job->consent);

  for (guint bit = 1; refused != 0 && bit <= PISO_CREATOR_PROBLEM_SOURCE_MISSING; bit <<= 1)
    if ((refused & bit) != 0)
      {
        g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                             piso_creator_check_get_message (job->check, bit));
        return FALSE;
      }
  return TRUE;
}

static gboolean
apply_fixes (Job     *job,
             GError **error)
{
  PisoCreatorProblem problems = job->check->problems;

  if ((problems & PISO_CREATOR_PROBLEM_NETWORK_INACTIVE) != 0)
    {
      virNetworkPtr net = virNetworkLookupByName (job->conn, "default");

      if (net == NULL || (virNetworkIsActive (net) == 0 && virNetworkCreate (net) < 0))
        {
          _piso_set_error_from_libvirt (error, _("Could not start the virtual network “default”"));
          g_clear_pointer (&net, virNetworkFree);
          return FALSE;
        }
      if (virNetworkSetAutostart (net, 1) < 0)
        virResetLastError ();
      virNetworkFree (net);
    }

  if ((problems & PISO_CREATOR_PROBLEM_NO_POOL) != 0)
    {
      job->pool = piso_storage_define_default_pool (job->conn, job->check->pool_path,
                                                    &job->pool_made_dir, error);
      if (job->pool == NULL)
        return FALSE;
      job->pool_defined = TRUE;
    }
  else if ((problems & PISO_CREATOR_PROBLEM_POOL_INACTIVE) != 0)
    {
      if (!piso_storage_start_pool (job->pool, error))
        return FALSE;
    }
  else
    return TRUE;

  /* The pool is new or was stopped: now its free space is known. */
  if (!piso_storage_pool_available (job->pool, &job->check->available, error))
    return FALSE;
  return piso_storage_check_space (virStoragePoolGetName (job->pool), job->check->needed,
                                   job->check->available, error);
}

static char *
volume_path (virStorageVolPtr  vol,
             GError          **error)
{
  char *path = virStorageVolGetPath (vol);

  if (path == NULL)
    _piso_set_error_from_libvirt (error, _("Could not find the file of the disk “%s”"),
                                  virStorageVolGetName (vol));
  return path;
}

/* A file name without its extension, for volume names. */
static char *
base_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

static virStorageVolPtr
copy_into_pool (Job         *job,
                const char  *path,
                const char  *base,
                const char  *format,
                GCancellable *cancellable,
                GError     **error)
{
  const char *ext = g_str_equal (format, "qcow2") ? "qcow2" : "img";
  g_autofree char *vol_name = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  virStorageVolPtr vol;
  guint64 capacity = 0;

  if (g_str_equal (ext, "img") && g_str_has_suffix (lower, ".iso"))
    ext = "iso";
  vol_name = piso_storage_unique_volume_name (job->pool, base, ext, error);
  if (vol_name == NULL)
    return NULL;
  if (g_str_equal (format, "qcow2") &&
      !piso_storage_image_info (path, format, &capacity, NULL, error))
    return NULL;

  job_report (job, PISO_CREATOR_STAGE_COPYING, 0, file_bytes (path, FALSE));
  vol = piso_storage_upload (job->pool, path, vol_name, format, capacity,
                             copy_progress, job, cancellable, error);
  if (vol != NULL)
    g_ptr_array_add (job->volumes, vol);
  return vol;
}

static gboolean
prepare (Job           *job,
         GCancellable  *cancellable,
         GError       **error)
{
  virStorageVolPtr vol;

  if (!inspect (job, error) || !refuse_problems (job, error) || !apply_fixes (job, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  switch (job->kind)
    {
    case PISO_INSTALL_SOURCE_MEDIA:
    case PISO_INSTALL_SOURCE_URL:
      /* A download is already local (job->download_path): it always goes into the pool. */
      if (job->kind == PISO_INSTALL_SOURCE_MEDIA && !job->copy_media)
        {
          job->media_path = g_strdup (job->source_path);
          break;
        }
      {
        g_autofree char *base = base_name (job->source_path);

        if ((vol = copy_into_pool (job, job->source_path, base, "raw", cancellable, error)) == NULL)
          return FALSE;
        if ((job->media_path = volume_path (vol, error)) == NULL)
          return FALSE;
      }
      break;

    case PISO_INSTALL_SOURCE_IMPORT:
      if (job->in_place && !job->copy_media)
        {
          job->disk_path = g_strdup (job->source_path);
          job->disk_format = g_strdup (job->source_format);
          return TRUE;  /* the image is the disk: no new one */
        }
      {
        g_autofree char *converted = NULL;
        const char *from = job->source_path;

        if (job->import_convert)
          {
            g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "piso", NULL);
            g_autofree char *tmpl = NULL;
            int fd;

            g_mkdir_with_parents (dir, 0700);
            tmpl = g_build_filename (dir, "import-XXXXXX.qcow2", NULL);
            fd = g_mkstemp (tmpl);
            if (fd < 0)
              {
                int saved = errno;

                g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                             _("Could not make a temporary file in %s: %s"), dir, g_strerror (saved));
                return FALSE;
              }
            close (fd);
            g_ptr_array_add (job->local_files, g_strdup (tmpl));
            job_report (job, PISO_CREATOR_STAGE_COPYING, 0, 10000);
            if (!piso_storage_convert_to_qcow2 (job->source_path, job->source_format, tmpl, FALSE,
                                                copy_progress, job, cancellable, error))
              return FALSE;
            converted = g_steal_pointer (&tmpl);
            from = converted;
          }
        if ((vol = copy_into_pool (job, from, job->name, "qcow2", cancellable, error)) == NULL)
          return FALSE;
        if ((job->disk_path = volume_path (vol, error)) == NULL)
          return FALSE;
        job->disk_format = g_strdup ("qcow2");
        for (guint i = 0; job->extra_sources != NULL && job->extra_sources[i] != NULL; i++)
          {
            g_autofree char *base = g_strdup_printf ("%s-disk%u", job->name, i + 2);
            char *path;

            if (g_cancellable_set_error_if_cancelled (cancellable, error))
              return FALSE;
            if ((vol = copy_into_pool (job, job->extra_sources[i], base, "qcow2",
                                       cancellable, error)) == NULL)
              return FALSE;
            if ((path = volume_path (vol, error)) == NULL)
              return FALSE;
            g_ptr_array_insert (job->extra_paths, job->extra_paths->len - 1, path);
          }
        return TRUE;
      }

    case PISO_INSTALL_SOURCE_EMPTY:
    default:
      break;
    }

  if (job->disk_size > 0)
    {
      g_autofree char *vol_name = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      job_report (job, PISO_CREATOR_STAGE_CREATING_DISK, 0, 0);
      vol_name = piso_storage_unique_volume_name (job->pool, job->name, "qcow2", error);
      if (vol_name == NULL)
        return FALSE;
      vol = piso_storage_create_volume (job->pool, vol_name, "qcow2", job->disk_size, error);
      if (vol == NULL)
        return FALSE;
      g_ptr_array_add (job->volumes, vol);
      if ((job->disk_path = volume_path (vol, error)) == NULL)
        return FALSE;
      job->disk_format = g_strdup ("qcow2");
    }
  return TRUE;
}

/* Removes what this run made, newest first. Worker thread. */
static void
rollback (Job *job)
{
  if (job->machine != NULL)
    _piso_domain_undo_define (job->conn, piso_machine_get_uuid (job->machine), job->name);

  piso_storage_delete_volumes (job->volumes);

  if (job->pool_defined)
    {
      piso_storage_undefine_pool (g_steal_pointer (&job->pool), job->pool_made_dir);
      job->pool_defined = FALSE;
    }

  if (job->download != NULL)
    piso_download_discard (job->download);
  if (job->download_path != NULL)
    g_unlink (job->download_path);
}

/* ---- GObject ------------------------------------------------------------- */

static void
piso_creator_dispose (GObject *object)
{
  PisoCreator *self = PISO_CREATOR (object);

  g_clear_object (&self->connection);
  g_clear_object (&self->plan);
  G_OBJECT_CLASS (piso_creator_parent_class)->dispose (object);
}

static void
piso_creator_finalize (GObject *object)
{
  PisoCreator *self = PISO_CREATOR (object);

  g_free (self->status_text);
  g_free (self->sha256);
  g_free (self->pool);
  G_OBJECT_CLASS (piso_creator_parent_class)->finalize (object);
}

static void
piso_creator_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PisoCreator *self = PISO_CREATOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_STAGE:
      g_value_set_enum (value, self->stage);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    case PROP_CONSENT:
      g_value_set_flags (value, self->consent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_creator_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PisoCreator *self = PISO_CREATOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_PLAN:
      self->plan = g_value_dup_object (value);
      break;
    case PROP_CONSENT:
      piso_creator_set_consent (self, g_value_get_flags (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_creator_class_init (PisoCreatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_creator_dispose;
  object_class->finalize = piso_creator_finalize;
  object_class->get_property = piso_creator_get_property;
  object_class->set_property = piso_creator_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, PISO_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, PISO_TYPE_INSTALL_PLAN,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STAGE] =
    g_param_spec_enum ("stage", NULL, NULL, PISO_TYPE_CREATOR_STAGE, PISO_CREATOR_STAGE_PREPARING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, -1, 1, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONSENT] =
    g_param_spec_flags ("consent", NULL, NULL, PISO_TYPE_CREATOR_PROBLEM, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_creator_init (PisoCreator *self)
{
  self->progress = -1;
  self->start = TRUE;
}

PisoCreator *
piso_creator_new (PisoConnection  *connection,
                  PisoInstallPlan *plan)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (plan), NULL);

  return g_object_new (PISO_TYPE_CREATOR, "connection", connection, "plan", plan, NULL);
}

PisoConnection *
piso_creator_get_connection (PisoCreator *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), NULL);
  return self->connection;
}

PisoInstallPlan *
piso_creator_get_plan (PisoCreator *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), NULL);
  return self->plan;
}

PisoCreatorStage
piso_creator_get_stage (PisoCreator *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), PISO_CREATOR_STAGE_PREPARING);
  return self->stage;
}

double
piso_creator_get_progress (PisoCreator *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), -1);
  return self->progress;
}

const char *
piso_creator_get_status_text (PisoCreator *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), NULL);
  return self->status_text;
}

void
piso_creator_set_consent (PisoCreator        *self,
                          PisoCreatorProblem  consent)
{
  g_return_if_fail (PISO_IS_CREATOR (self));

  consent &= PISO_CREATOR_PROBLEMS_WITH_FIX;
  if (self->consent == consent)
    return;
  self->consent = consent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSENT]);
}

void
piso_creator_agree (PisoCreator        *self,
                    PisoCreatorProblem  problem,
                    gboolean            agreed)
{
  g_return_if_fail (PISO_IS_CREATOR (self));

  piso_creator_set_consent (self, agreed ? self->consent | problem : self->consent & ~problem);
}

PisoCreatorProblem
piso_creator_get_consent (PisoCreator *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), 0);
  return self->consent;
}

void
piso_creator_set_sha256 (PisoCreator *self,
                         const char  *sha256)
{
  g_return_if_fail (PISO_IS_CREATOR (self));
  piso_set_str (&self->sha256, sha256);
}

void
piso_creator_set_pool (PisoCreator *self,
                       const char  *pool)
{
  g_return_if_fail (PISO_IS_CREATOR (self));
  piso_set_str (&self->pool, pool);
}

const char *
piso_creator_get_pool (PisoCreator *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), NULL);
  return self->pool != NULL ? self->pool : PISO_STORAGE_DEFAULT_POOL;
}

void
piso_creator_set_start (PisoCreator *self,
                        gboolean     start)
{
  g_return_if_fail (PISO_IS_CREATOR (self));
  self->start = !!start;
}

static void
set_stage (PisoCreator      *self,
           PisoCreatorStage  stage)
{
  StageUpdate update = { self, stage, -1, stage_text (stage, 0, 0) };

  apply_stage_update (&update);
  g_free (update.text);
}

/* The plan's inputs, read on the main thread. */
static Job *
job_new (PisoCreator  *self,
         gboolean      apply,
         GError      **error)
{
  g_autoptr(Job) job = g_new0 (Job, 1);
  g_autoptr(GUri) uri = NULL;
  const char *name = piso_install_plan_get_name (self->plan);

  job->conn = _piso_connection_ref_handle (self->connection);
  if (job->conn == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                   _("Not connected to %s."), piso_connection_get_display_name (self->connection));
      return NULL;
    }
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("The new machine has no name. Give it one."));
      return NULL;
    }

  job->creator = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->uri = g_strdup (piso_connection_get_uri (self->connection));
  uri = g_uri_parse (job->uri, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL)
    {
      const char *path = g_uri_get_path (uri);

      job->session = g_strcmp0 (path, "/session") == 0;
      job->check_qemu_user = g_str_has_prefix (g_uri_get_scheme (uri), "qemu") &&
                             g_strcmp0 (path, "/system") == 0 &&
                             piso_connection_is_local (self->connection);
    }

  job->kind = piso_install_plan_get_source_kind (self->plan);
  job->source_path = g_strdup (piso_install_plan_get_source_path (self->plan));
  job->name = g_strdup (name);
  job->disk_size = piso_install_plan_get_disk_size (self->plan);
  job->in_place = piso_install_plan_get_import_in_place (self->plan);
  if (job->kind == PISO_INSTALL_SOURCE_IMPORT)
    job->extra_sources = g_strdupv ((char **) piso_install_plan_get_extra_disks (self->plan));
  job->extra_paths = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (job->extra_paths, NULL);
  job->network = piso_install_plan_get_network (self->plan);
  job->consent = self->consent;
  job->pool_name = g_strdup (self->pool);
  job->start = self->start;
  job->apply = apply;
  job->volumes = g_ptr_array_new ();
  job->local_files = g_ptr_array_new_with_free_func (g_free);

  /* A URL source is fetched by the run; until then there is no file. */
  if (job->kind == PISO_INSTALL_SOURCE_URL)
    g_clear_pointer (&job->source_path, g_free);
  return g_steal_pointer (&job);
}

/* Gives @task a job for the plan; on failure returns NULL and fails @task. */
static Job *
task_attach_job (GTask    *task,
                 gboolean  apply)
{
  GError *error = NULL;
  Job *job = job_new (g_task_get_source_object (task), apply, &error);

  if (job == NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  return job;
}

static gpointer
finish_pointer (PisoCreator   *self,
                GAsyncResult  *result,
                GError       **error)
{
  g_return_val_if_fail (PISO_IS_CREATOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- check_async --------------------------------------------------------- */

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (!inspect (job, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (job->check), g_object_unref);
}

void
piso_creator_check_async (PisoCreator         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_CREATOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_creator_check_async);
  if (task_attach_job (task, FALSE) != NULL)
    g_task_run_in_thread (task, check_thread);
}

PisoCreatorCheck *
piso_creator_check_finish (PisoCreator   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return finish_pointer (self, result, error);
}

/* ---- run_async ----------------------------------------------------------- */

static void run_prepare (GTask *task);
static void run_define (GTask *task);

static void
run_finished (GTask *task)
{
  PisoCreator *self = g_task_get_source_object (task);

  self->running = FALSE;
}

/* Undoes the run in a worker thread, then fails @task with @error. */
static void
run_fail (GTask  *task,
          GError *error)
{
  _piso_fail_after_undo (g_object_ref (task), error, (PisoUndoFunc) rollback,
                         g_task_get_task_data (task), run_finished);
}

static void
download_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  g_signal_handlers_disconnect_by_data (object, job);
  if (!piso_download_run_finish (PISO_DOWNLOAD (object), result, &error))
    {
      run_fail (task, error);
      return;
    }
  job->source_path = g_strdup (job->download_path);
  run_prepare (g_steal_pointer (&task));
}

static void
download_progress (PisoDownload *download,
                   GParamSpec   *pspec,
                   Job          *job)
{
  job_report (job, PISO_CREATOR_STAGE_DOWNLOADING, piso_download_get_received (download),
              piso_download_get_total (download));
}

static gboolean
start_download (GTask   *task,
                GError **error)
{
  PisoCreator *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  const char *url = piso_install_plan_get_source_url (self->plan);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "piso", "downloads", NULL);
  g_autofree char *base = NULL;
  g_autofree char *unique = NULL;

  uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("“%s” is not a web address Piso can download from. Use an http:// or https:// address."),
                   url != NULL ? url : "");
      return FALSE;
    }

  base = g_path_get_basename (g_uri_get_path (uri));
  if (*base == '\0' || g_str_equal (base, "/") || g_str_equal (base, "."))
    {
      g_free (base);
      base = g_strdup ("download.iso");
    }
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* Never overwrite a file that is already there (another download). */
  unique = g_build_filename (dir, base, NULL);
  for (guint i = 2; g_file_test (unique, G_FILE_TEST_EXISTS); i++)
    {
      g_autofree char *numbered = g_strdup_printf ("%u-%s", i, base);

      g_free (unique);
      unique = g_build_filename (dir, numbered, NULL);
    }

  job->download_path = g_steal_pointer (&unique);
  job->download = piso_download_new (url, job->download_path, self->sha256);
  g_signal_connect (job->download, "notify::received", G_CALLBACK (download_progress), job);
  set_stage (self, PISO_CREATOR_STAGE_DOWNLOADING);
  piso_download_run_async (job->download, g_task_get_cancellable (task),
                           download_done, g_object_ref (task));
  return TRUE;
}

static void
prepare_done (GTask  *owned_task,
              GError *error)
{
  g_autoptr(GTask) task = owned_task;

  if (error != NULL)
    {
      run_fail (task, error);
      return;
    }
  run_define (g_steal_pointer (&task));
}

static void
run_prepare (GTask *owned_task)
{
  Job *job = g_task_get_task_data (owned_task);

  /* After a download the stages go on forward (copying comes next). */
  if (job->download == NULL)
    set_stage (job->creator, PISO_CREATOR_STAGE_PREPARING);
  /* prepare() looks at the cancellable between steps and records all it
   * makes, so a cancel there still leaves the job complete for the rollback. */
  _piso_run_step_in_thread (owned_task, run_prepare, (PisoStepFunc) prepare, prepare_done);
}

static void
run_succeed (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  Job *job = g_task_get_task_data (task);

  set_stage (job->creator, PISO_CREATOR_STAGE_DONE);
  job->creator->running = FALSE;
  /* The copied download lives on in the pool; its local file goes. */
  if (job->download_path != NULL)
    g_unlink (job->download_path);
  g_task_return_pointer (task, g_object_ref (job->machine), g_object_unref);
}

static void
start_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!piso_machine_start_finish (PISO_MACHINE (object), result, &error) ||
      g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      run_fail (task, error);
      return;
    }
  run_succeed (g_steal_pointer (&task));
}

static void
define_done (GTask  *owned_task,
             GError *error)
{
  g_autoptr(GTask) task = owned_task;
  Job *job = g_task_get_task_data (task);

  if (error != NULL)
    {
      run_fail (task, error);
      return;
    }
  /* Left shut off: done once defined */
  if (!job->start)
    {
      run_succeed (g_steal_pointer (&task));
      return;
    }
  set_stage (job->creator, PISO_CREATOR_STAGE_STARTING);
  /* Not cancellable once asked: a started machine is undone by the rollback. */
  piso_machine_start_async (job->machine, NULL, start_done, g_steal_pointer (&task));
}

static void
run_define (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  Job *job = g_task_get_task_data (task);
  PisoInstallStorage storage = { job->disk_path, job->disk_format, job->media_path,
                                 (const char * const *) job->extra_paths->pdata };
  g_autofree char *xml = NULL;
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      run_fail (task, error);
      return;
    }

  /* The plan builds the XML on the main thread, where it lives. */
  set_stage (job->creator, PISO_CREATOR_STAGE_DEFINING);
  xml = piso_install_plan_build_xml (job->creator->plan, &storage, &error);
  if (xml == NULL)
    {
      run_fail (task, error);
      return;
    }
  _piso_define_for_task (g_steal_pointer (&task), job->creator->connection, xml, &job->machine,
                         define_done);
}

/* Worker: the checks alone, for a URL source before its download. */
static gboolean
precheck (Job           *job,
          GCancellable  *cancellable,
          GError       **error)
{
  return inspect (job, error) && refuse_problems (job, error);
}

static void
precheck_done (GTask  *owned_task,
               GError *error)
{
  g_autoptr(GTask) task = owned_task;

  if (error != NULL || !start_download (task, &error))
    run_fail (task, error);
}

void
piso_creator_run_async (PisoCreator         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (PISO_IS_CREATOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_creator_run_async);
  /* Rollback decides the result; GTask must not replace it by "cancelled". */
  g_task_set_check_cancellable (task, FALSE);

  if (self->running)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               _("This machine is already being created."));
      return;
    }
  job = task_attach_job (task, TRUE);
  if (job == NULL)
    return;
  self->running = TRUE;
  set_stage (self, PISO_CREATOR_STAGE_PREPARING);

  if (job->kind == PISO_INSTALL_SOURCE_URL)
    {
      /* Refuse before a long download, not after it. */
      _piso_run_step_in_thread (g_steal_pointer (&task), piso_creator_run_async,
                                (PisoStepFunc) precheck, precheck_done);
      return;
    }
  run_prepare (g_steal_pointer (&task));
}

PisoMachine *
piso_creator_run_finish (PisoCreator   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return finish_pointer (self, result, error);
}
