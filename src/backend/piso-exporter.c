/* piso-exporter.c: a machine written out as a bundle of files
 *
 * One worker thread does it all. On a local connection, qemu-img reads a
 * disk's file in place (-U, as a download reads it) when this process may
 * read it, and writes it as a compressed qcow2. Otherwise (a remote host, a
 * file only libvirt may read) the disk is read through its storage volume
 * (virStorageVolDownload, a sparse stream: holes are not sent) into a file
 * in the bundle's temporary folder, which qemu-img then compresses; the
 * download goes. qemu-img cannot read a stream (a qcow2 image is read at
 * random places), hence the file, and it cannot write a qcow2 to a pipe, so
 * the checksum reads the finished file (small, compressed, and still in the
 * page cache). A disk with a backing chain is first flattened
 * on the host into a temporary volume (libvirt's copy, qemu-img convert).
 *
 * Nothing appears at the destination before everything is written: the
 * bundle is made in a hidden folder beside it and renamed at the end. A
 * failure or cancel removes what the run wrote (files, temporary volumes)
 * and lets a machine it paused run on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-exporter"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "piso-connection.h"
#include "piso-domain-xml-private.h"
#include "piso-export-ovf-private.h"
#include "piso-export-private.h"
#include "piso-exporter.h"
#include "piso-format-size.h"
#include "piso-machine-private.h"
#include "piso-storage.h"

struct _PisoExporter
{
  GObject       parent_instance;

  PisoMachine  *machine;
  gboolean      pause_running;
  gboolean      running;
  guint64       bytes_done;
  guint64       bytes_total;
  gint64        seconds_left;
  gboolean      download_only;
};

G_DEFINE_FINAL_TYPE (PisoExporter, piso_exporter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_PAUSE_RUNNING,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_SECONDS_LEFT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_exporter_dispose (GObject *object)
{
  PisoExporter *self = PISO_EXPORTER (object);

  g_clear_object (&self->machine);
  G_OBJECT_CLASS (piso_exporter_parent_class)->dispose (object);
}

static void
piso_exporter_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PisoExporter *self = PISO_EXPORTER (object);

  switch (prop_id)
    {
    case PROP_MACHINE: g_value_set_object (value, self->machine); break;
    case PROP_PAUSE_RUNNING: g_value_set_boolean (value, self->pause_running); break;
    case PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    case PROP_SECONDS_LEFT: g_value_set_int64 (value, self->seconds_left); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_exporter_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PisoExporter *self = PISO_EXPORTER (object);

  switch (prop_id)
    {
    case PROP_MACHINE: self->machine = g_value_dup_object (value); break;
    case PROP_PAUSE_RUNNING: piso_exporter_set_pause_running (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_exporter_class_init (PisoExporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_exporter_dispose;
  object_class->get_property = piso_exporter_get_property;
  object_class->set_property = piso_exporter_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, PISO_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSE_RUNNING] =
    g_param_spec_boolean ("pause-running", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_SECONDS_LEFT] = g_param_spec_int64 ("seconds-left", NULL, NULL, -1, G_MAXINT64, -1, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_exporter_init (PisoExporter *self)
{
  self->seconds_left = -1;
}

PisoExporter *
piso_exporter_new (PisoMachine *machine)
{
  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  return g_object_new (PISO_TYPE_EXPORTER, "machine", machine, NULL);
}

PisoMachine *piso_exporter_get_machine (PisoExporter *self) { g_return_val_if_fail (PISO_IS_EXPORTER (self), NULL); return self->machine; }
gboolean piso_exporter_get_pause_running (PisoExporter *self) { g_return_val_if_fail (PISO_IS_EXPORTER (self), FALSE); return self->pause_running; }
guint64 piso_exporter_get_bytes_done (PisoExporter *self) { g_return_val_if_fail (PISO_IS_EXPORTER (self), 0); return self->bytes_done; }
guint64 piso_exporter_get_bytes_total (PisoExporter *self) { g_return_val_if_fail (PISO_IS_EXPORTER (self), 0); return self->bytes_total; }
gint64 piso_exporter_get_seconds_left (PisoExporter *self) { g_return_val_if_fail (PISO_IS_EXPORTER (self), -1); return self->seconds_left; }

void
piso_exporter_set_pause_running (PisoExporter *self,
                                 gboolean      pause_running)
{
  g_return_if_fail (PISO_IS_EXPORTER (self));

  piso_set_bool_prop (self, &self->pause_running, pause_running, properties[PROP_PAUSE_RUNNING]);
}

/* ---- progress, from the worker ------------------------------------------- */

static void
apply_progress (gpointer object,
                guint64  done,
                guint64  total,
                gint64   seconds_left)
{
  PisoExporter *self = object;

  g_object_freeze_notify (G_OBJECT (self));
  piso_set_uint64_prop (self, &self->bytes_total, total, properties[PROP_BYTES_TOTAL]);
  piso_set_uint64_prop (self, &self->bytes_done, done, properties[PROP_BYTES_DONE]);
  if (self->seconds_left != seconds_left)
    {
      self->seconds_left = seconds_left;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_LEFT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- the run ------------------------------------------------------------- */

typedef struct
{
  PisoExporter   *exporter;
  GMainContext   *context;
  virDomainPtr    handle;
  virConnectPtr   conn;
  char           *name;          /* for messages */
  char           *destination;
  gboolean        pause_running;
  gboolean        local;         /* the host's files are this process's files */

  /* made by the run, undone at its end or on failure */
  char           *partial;       /* the hidden folder being written */
  GPtrArray      *written;       /* char*: files in it */
  GPtrArray      *pools;         /* virStoragePoolPtr: transient, dropped at the end */
  GPtrArray      *volumes;       /* virStorageVolPtr: flattened copies on the host */
  gboolean        paused;        /* this run paused the machine */
  gboolean        frozen;        /* and froze its file systems */

  /* progress: each disk's allocation counts half for reading, half for compressing */
  guint64         total;
  guint64         base;          /* of the disks finished */
  guint64         allocation;    /* of the disk being read */
  gboolean        direct;        /* which qemu-img reads in place: all its share */
  gint64          started;
  gint64          last_report;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->exporter);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_pointer (&job->handle, virDomainFree);
  g_clear_pointer (&job->conn, virConnectClose);
  g_free (job->name);
  g_free (job->destination);
  g_free (job->partial);
  g_clear_pointer (&job->written, g_ptr_array_unref);
  g_clear_pointer (&job->pools, g_ptr_array_unref);
  g_clear_pointer (&job->volumes, g_ptr_array_unref);
  g_free (job);
}

static void
report (ExportJob *job,
        guint64    done,
        gboolean   force)
{
  gint64 seconds_left;

  done = MIN (done, job->total);
  seconds_left = _piso_progress_seconds_left (g_get_monotonic_time () - job->started, done, job->total);
  _piso_post_progress (job->context, &job->last_report, force, job->exporter, apply_progress,
                       done, job->total, seconds_left);
}

/* Reading a disk failed: what happened, libvirt's reason (or that it gave
 * none: never a bare "unknown error") and what to do */
static void
disk_read_error (GError     **error,
                 const char  *disk)
{
  virErrorPtr verr = virGetLastError ();
  const char *hint = _("Check that the disk’s file still exists on the host and can be read, and "
                       "that the connection to the host works, then export again.");

  if (verr == NULL || verr->message == NULL)
    {
      /* Translators: %s is a disk's (volume's) name; the second sentence says what to do */
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("Could not read the disk “%s”, and libvirt did not say why. %s"), disk, hint);
      return;
    }
  _piso_set_error_from_libvirt (error, _("Could not read the disk “%s”"), disk);
  if (error != NULL && *error != NULL)
    {
      g_autofree char *message = (*error)->message;
      gsize length = strlen (message);

      /* (libvirt's reasons may end with a full stop, or not) */
      if (length > 0 && message[length - 1] == '.')
        message[length - 1] = '\0';
      (*error)->message = g_strdup_printf ("%s. %s", message, hint);
    }
}

static char *
partial_path (ExportJob  *job,
              const char *file)
{
  char *path = g_build_filename (job->partial, file, NULL);

  g_ptr_array_add (job->written, g_strdup (path));
  return path;
}

/* The machine must be off, or paused for the export when the caller chose
 * that; a shut-off machine with a saved memory state is refused (its disks
 * belong to that state). */
static gboolean
hold_still (ExportJob  *job,
            GError    **error)
{
  int state = VIR_DOMAIN_NOSTATE;

  if (virDomainGetState (job->handle, &state, NULL, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the state of “%s”"), job->name);
      return FALSE;
    }
  if (state == VIR_DOMAIN_SHUTOFF)
    {
      if (virDomainHasManagedSaveImage (job->handle, 0) == 1)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                       _("“%s” has a saved state: start it and shut it down, or discard the saved "
                         "state, to export it."), job->name);
          return FALSE;
        }
      virResetLastError ();
      return TRUE;
    }
  if (!job->pause_running)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("“%s” is running: shut it down, or let Piso pause it while its disks are read, "
                     "to export it."), job->name);
      return FALSE;
    }
  if (state == VIR_DOMAIN_PAUSED)
    return TRUE;
  /* Flushed and frozen by the guest agent when there is one; else as after
   * a power cut. */
  job->frozen = virDomainFSFreeze (job->handle, NULL, 0, 0) >= 0;
  virResetLastError ();
  if (virDomainSuspend (job->handle) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not pause “%s”"), job->name);
      return FALSE;
    }
  job->paused = TRUE;
  return TRUE;
}

static void
let_go (ExportJob *job)
{
  if (job->paused && virDomainResume (job->handle) < 0)
    g_warning ("Could not resume %s after exporting it: %s", job->name, virGetLastErrorMessage ());
  if (job->frozen && virDomainFSThaw (job->handle, NULL, 0, 0) < 0)
    g_warning ("Could not thaw the file systems of %s: %s", job->name, virGetLastErrorMessage ());
  virResetLastError ();
  job->paused = job->frozen = FALSE;
}

/* ---- reading a volume ---------------------------------------------------- */

typedef struct
{
  ExportJob    *job;
  int           fd;
  guint64       received;
  GCancellable *cancellable;
  int           saved_errno;
} Sink;

static int
sink_data (virStreamPtr  stream,
           const char   *data,
           size_t        nbytes,
           void         *opaque)
{
  Sink *sink = opaque;

  if (g_cancellable_is_cancelled (sink->cancellable))
    return -1;
  for (size_t written = 0; written < nbytes;)
    {
      ssize_t n = write (sink->fd, data + written, nbytes - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          sink->saved_errno = errno;
          return -1;
        }
      written += n;
    }
  sink->received += nbytes;
  /* The first half of this disk's share: reading it. */
  report (sink->job, sink->job->base + MIN (sink->received, sink->job->allocation) / 2, FALSE);
  return nbytes;
}

static int
sink_hole (virStreamPtr  stream,
           long long     length,
           void         *opaque)
{
  Sink *sink = opaque;

  if (g_cancellable_is_cancelled (sink->cancellable))
    return -1;
  if (lseek (sink->fd, length, SEEK_CUR) == (off_t) -1)
    {
      sink->saved_errno = errno;
      return -1;
    }
  return 0;
}

/* Downloads @vol into the new file @path, keeping its holes. */
static gboolean
download (ExportJob         *job,
          virStorageVolPtr   vol,
          const char        *path,
          GCancellable      *cancellable,
          GError           **error)
{
  Sink sink = { job, -1, 0, cancellable, 0 };
  virStreamPtr stream = NULL;
  gboolean sparse = TRUE;
  gboolean ok = FALSE;
  off_t end;
  int r;

  sink.fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (sink.fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), path, g_strerror (saved));
      return FALSE;
    }

  stream = virStreamNew (job->conn, 0);
  r = stream != NULL ? virStorageVolDownload (vol, stream, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) : -1;
  if (r < 0 && stream != NULL)
    {
      /* A pool type without sparse reads: all the bytes then. */
      virStreamFree (stream);
      virResetLastError ();
      sparse = FALSE;
      stream = virStreamNew (job->conn, 0);
      r = stream != NULL ? virStorageVolDownload (vol, stream, 0, 0, 0) : -1;
    }
  if (r < 0)
    {
      disk_read_error (error, virStorageVolGetName (vol));
      goto out;
    }

  r = sparse ? virStreamSparseRecvAll (stream, sink_data, sink_hole, &sink)
             : virStreamRecvAll (stream, sink_data, &sink);
  if (r < 0)
    {
      virStreamAbort (stream);
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          if (sink.saved_errno != 0)
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (sink.saved_errno),
                         _("Could not write %s: %s"), path, g_strerror (sink.saved_errno));
          else
            disk_read_error (error, virStorageVolGetName (vol));
        }
      goto out;
    }
  if (virStreamFinish (stream) < 0)
    {
      disk_read_error (error, virStorageVolGetName (vol));
      goto out;
    }
  /* A hole at the end is a length, not data: give the file its size. */
  end = lseek (sink.fd, 0, SEEK_CUR);
  if (end == (off_t) -1 || ftruncate (sink.fd, end) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), path, g_strerror (saved));
      goto out;
    }
  ok = TRUE;

out:
  virResetLastError ();
  if (stream != NULL)
    virStreamFree (stream);
  if (g_close (sink.fd, ok ? error : NULL) == FALSE)
    ok = FALSE;
  return ok;
}

/* A flattened copy of @vol on the host (deleted at the end of the run). */
static virStorageVolPtr
flatten_on_host (ExportJob         *job,
                 virStorageVolPtr   vol,
                 GCancellable      *cancellable,
                 GError           **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByVolume (vol);
  g_autofree char *name = NULL;
  virStorageVolPtr flat = NULL;

  if (pool == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not find the storage pool of “%s”"),
                                    virStorageVolGetName (vol));
      return NULL;
    }
  if ((name = piso_storage_unique_volume_name (pool, "piso-export-partial", "qcow2", error)) != NULL &&
      (flat = piso_storage_copy_volume (pool, vol, name, "qcow2", NULL, NULL, cancellable, error)) != NULL)
    g_ptr_array_add (job->volumes, flat);
  virStoragePoolFree (pool);
  return flat;
}

static void
convert_progress (guint64  done,
                  guint64  total,
                  gpointer user_data)
{
  ExportJob *job = user_data;
  guint64 half = job->direct ? 0 : job->allocation / 2;

  /* The second half of this disk's share: compressing it. */
  report (job, job->base + half + (total > 0 ? (guint64) ((double) done / total * (job->allocation - half)) : 0),
          FALSE);
}

static gboolean
export_disk (ExportJob       *job,
             PisoExportDisk  *disk,
             guint64          allocation,
             GCancellable    *cancellable,
             GError         **error)
{
  virStoragePoolPtr made_pool = NULL;
  virStorageVolPtr vol;
  virStorageVolPtr flat = NULL;
  g_autofree char *raw_name = g_strdup_printf ("%s.download", disk->file);
  g_autofree char *raw = partial_path (job, raw_name);
  g_autofree char *out = partial_path (job, disk->file);
  const char *format = disk->source_format;
  char *local = NULL;
  gboolean has_backing = FALSE;
  GStatBuf st;

  vol = piso_storage_volume_for_source (job->conn, disk->source_type, disk->source_path,
                                        disk->source_pool, &made_pool, error);
  if (vol == NULL)
    return FALSE;
  if (made_pool != NULL)
    g_ptr_array_add (job->pools, made_pool);
  job->allocation = allocation;

  if (piso_storage_has_backing_chain (vol))
    {
      if ((flat = flatten_on_host (job, vol, cancellable, error)) == NULL)
        {
          virStorageVolFree (vol);
          return FALSE;
        }
      format = "qcow2";
    }
  /* On this machine, qemu-img reads the volume's file itself: no copy first
   * (twice as fast). A remote host's disk, or one this process may not read,
   * comes through the connection. */
  if (flat == NULL && job->local && (local = virStorageVolGetPath (vol)) != NULL &&
      g_access (local, R_OK) == 0)
    {
      gboolean ok;

      virStorageVolFree (vol);
      job->direct = TRUE;
      ok = piso_storage_convert_shared_to_qcow2 (local, format, out, convert_progress, job, cancellable, error);
      job->direct = FALSE;
      free (local);
      if (!ok)
        return FALSE;
    }
  else
    {
      free (local);
      virResetLastError ();
      if (!download (job, flat != NULL ? flat : vol, raw, cancellable, error))
        {
          virStorageVolFree (vol);
          return FALSE;
        }
      virStorageVolFree (vol);
      if (flat != NULL)
        piso_storage_delete_volume (g_ptr_array_steal_index (job->volumes, job->volumes->len - 1));

      if (!piso_storage_convert_to_qcow2 (raw, format, out, TRUE, convert_progress, job, cancellable, error))
        return FALSE;
      g_unlink (raw);
    }

  if (!piso_storage_image_info (out, "qcow2", &disk->virtual_size, &has_backing, error) ||
      (disk->sha256 = _piso_export_file_sha256 (out, NULL, NULL, cancellable, error)) == NULL)
    return FALSE;
  if (g_stat (out, &st) == 0)
    disk->size = st.st_size;
  job->base += allocation;
  report (job, job->base, TRUE);
  return TRUE;
}

static gboolean
export_nvram (ExportJob           *job,
              PisoExportManifest  *manifest,
              GCancellable        *cancellable,
              GError             **error)
{
  virStoragePoolPtr made_pool = NULL;
  virStorageVolPtr vol;
  g_autofree char *path = NULL;
  gboolean ok;
  GStatBuf st;

  vol = piso_storage_volume_for_path (job->conn, manifest->nvram_source, &made_pool, error);
  if (vol == NULL)
    return FALSE;
  if (made_pool != NULL)
    g_ptr_array_add (job->pools, made_pool);
  path = partial_path (job, manifest->nvram_file);
  job->allocation = 0;
  ok = download (job, vol, path, cancellable, error) &&
       (manifest->nvram_sha256 = _piso_export_file_sha256 (path, NULL, NULL, cancellable, error)) != NULL;
  virStorageVolFree (vol);
  if (ok && g_stat (path, &st) == 0)
    manifest->nvram_size = st.st_size;
  return ok;
}

static gboolean
write_file (ExportJob   *job,
            const char  *file,
            const char  *contents,
            gsize        length,
            char       **sha256,
            GError     **error)
{
  g_autofree char *path = partial_path (job, file);

  if (!g_file_set_contents (path, contents, length, error))
    return FALSE;
  if (sha256 != NULL)
    *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, contents, length);
  return TRUE;
}

/* The allocation of each disk's volume on the host, for the progress. */
static gboolean
measure (ExportJob           *job,
         PisoExportManifest  *manifest,
         GArray              *allocations,
         GError             **error)
{
  for (guint i = 0; i < manifest->disks->len; i++)
    {
      PisoExportDisk *disk = g_ptr_array_index (manifest->disks, i);
      virStoragePoolPtr made_pool = NULL;
      virStorageVolPtr vol;
      virStorageVolInfo info;
      guint64 allocation = 0;

      vol = piso_storage_volume_for_source (job->conn, disk->source_type, disk->source_path,
                                            disk->source_pool, &made_pool, error);
      if (vol == NULL)
        return FALSE;
      if (virStorageVolGetInfo (vol, &info) == 0)
        allocation = MAX (info.allocation, 1);
      virResetLastError ();
      virStorageVolFree (vol);
      piso_storage_drop_pool (made_pool);
      g_array_append_val (allocations, allocation);
      job->total += allocation;
    }
  return TRUE;
}

static gboolean
is_tar (const char *destination)
{
  g_autofree char *lower = g_ascii_strdown (destination, -1);

  return g_str_has_suffix (lower, ".tar");
}

static gboolean
filesystem_free (const char *folder,
                 guint64    *free_bytes)
{
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                                            NULL, NULL);

  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return FALSE;
  *free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  return TRUE;
}

static PisoFreeSpaceFunc free_space_func = filesystem_free;

void
_piso_exporter_set_free_space_func (PisoFreeSpaceFunc func)
{
  free_space_func = func != NULL ? func : filesystem_free;
}

/* The definition, manifest and file-system overhead beside the images */
#define BUNDLE_OVERHEAD (64 * 1024)

/* Whether @folder has room for the bundle: the compressed images take at
 * most about what the disks use on the host; a .tar needs the folder and
 * the file at once while it is packed. Said up front, in numbers. */
static gboolean
check_space (ExportJob                 *job,
             const PisoExportManifest  *manifest,
             const char                *folder,
             GError                   **error)
{
  guint64 needed = job->total + manifest->nvram_size + BUNDLE_OVERHEAD;
  guint64 available = 0;
  g_autofree char *needed_text = NULL;
  g_autofree char *available_text = NULL;

  if (manifest->nvram_size == 0 && manifest->nvram_source != NULL)
    needed += 4 * 1024 * 1024;
  if (is_tar (job->destination))
    needed *= 2;
  if (!free_space_func (folder, &available) || available >= needed)
    return TRUE;

  needed_text = piso_format_size (needed);
  available_text = piso_format_size (available);
  if (is_tar (job->destination))
    /* Translators: "The folder /srv has 1.2 GiB free, but the export needs about 3.4 GiB (…)" */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("The folder %s has %s free, but the export needs about %s (a .tar file needs "
                   "twice the bundle’s size while it is packed). Free some space there, or choose "
                   "another folder."), folder, available_text, needed_text);
  else
    /* Translators: "The folder /srv has 1.2 GiB free, but the export needs about 3.4 GiB. …" */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("The folder %s has %s free, but the export needs about %s. Free some space "
                   "there, or choose another folder."), folder, available_text, needed_text);
  return FALSE;
}

/* The complete folder as one .tar file: the manifest first (a reader sees
 * at once what the rest is), written under a hidden name and renamed when
 * complete; the folder is removed by the clean-up. */
static gboolean
pack_tar (ExportJob     *job,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *partial_tar = g_strconcat (job->partial, ".tar", NULL);

  g_ptr_array_add (names, g_strdup (PISO_EXPORT_MANIFEST));
  g_ptr_array_add (names, g_strdup (PISO_EXPORT_DOMAIN));
  for (guint i = 0; i < job->written->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (job->written, i));

      if (!g_str_equal (base, PISO_EXPORT_MANIFEST) && !g_str_equal (base, PISO_EXPORT_DOMAIN))
        g_ptr_array_add (names, g_steal_pointer (&base));
    }
  g_ptr_array_add (names, NULL);

  if (!_piso_tar_pack (job->partial, (const char * const *) names->pdata, partial_tar,
                       cancellable, error))
    return FALSE;
  /* rename() would replace a file made meanwhile: it must still be free. */
  if (g_file_test (job->destination, G_FILE_TEST_EXISTS) ||
      g_rename (partial_tar, job->destination) < 0)
    {
      int saved = g_file_test (job->destination, G_FILE_TEST_EXISTS) ? EEXIST : errno;

      g_unlink (partial_tar);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), job->destination, g_strerror (saved));
      return FALSE;
    }
  report (job, job->total, TRUE);
  return TRUE;
}

static gboolean
export_all (ExportJob     *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(PisoExportManifest) manifest = NULL;
  g_autoptr(GArray) allocations = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree char *parent = g_path_get_dirname (job->destination);
  g_autofree char *base = g_path_get_basename (job->destination);
  g_autofree char *template = NULL;
  g_autofree char *scrubbed = NULL;
  g_autofree char *manifest_data = NULL;
  char *raw;
  gsize length = 0;

  if (g_file_test (job->destination, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s already exists: choose another name for the export."), job->destination);
      return FALSE;
    }
  if (!hold_still (job, error))
    return FALSE;

  /* Inactive: the definition for its next start; migratable: without what
   * libvirt adds for this host alone. No secrets. */
  raw = virDomainGetXMLDesc (job->handle, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE);
  if (raw == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the definition of “%s”"), job->name);
      return FALSE;
    }
  {
    g_autofree char *xml = g_strdup (raw);

    free (raw);
    if ((manifest = _piso_export_manifest_new (xml, error)) == NULL ||
        (scrubbed = _piso_export_scrub_xml (xml, manifest, error)) == NULL)
      return FALSE;
  }
  if (!measure (job, manifest, allocations, error) ||
      !check_space (job, manifest, parent, error))
    return FALSE;
  job->started = g_get_monotonic_time ();
  report (job, 0, TRUE);

  template = g_strdup_printf ("%s%s.partial-XXXXXX", G_DIR_SEPARATOR_S ".", base);
  job->partial = g_strconcat (parent, template, NULL);
  if (g_mkdtemp_full (job->partial, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write in %s: %s"), parent, g_strerror (saved));
      g_clear_pointer (&job->partial, g_free);
      return FALSE;
    }

  for (guint i = 0; i < manifest->disks->len; i++)
    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !export_disk (job, g_ptr_array_index (manifest->disks, i),
                      g_array_index (allocations, guint64, i), cancellable, error))
      return FALSE;
  if (manifest->nvram_source != NULL &&
      (g_cancellable_set_error_if_cancelled (cancellable, error) ||
       !export_nvram (job, manifest, cancellable, error)))
    return FALSE;
  /* The disks are read: the machine may run on. */
  let_go (job);

  if (!write_file (job, PISO_EXPORT_DOMAIN, scrubbed, strlen (scrubbed), &manifest->domain_sha256, error))
    return FALSE;
  manifest_data = _piso_export_manifest_to_data (manifest, &length);
  if (!write_file (job, PISO_EXPORT_MANIFEST, manifest_data, length, NULL, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (is_tar (job->destination))
    return pack_tar (job, cancellable, error);
  if (g_rename (job->partial, job->destination) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), job->destination, g_strerror (saved));
      return FALSE;
    }
  g_clear_pointer (&job->partial, g_free);
  report (job, job->total, TRUE);
  return TRUE;
}

/* Removes what the run left: temporary volumes, the partial folder. */
static void
clean_up (ExportJob *job)
{
  let_go (job);
  piso_storage_delete_volumes (job->volumes);
  for (guint i = 0; i < job->pools->len; i++)
    piso_storage_drop_pool (g_ptr_array_index (job->pools, i));
  g_ptr_array_set_size (job->pools, 0);
  if (job->partial != NULL)
    {
      for (guint i = 0; i < job->written->len; i++)
        g_unlink (g_ptr_array_index (job->written, i));
      if (g_rmdir (job->partial) < 0)
        g_warning ("Could not remove %s: %s", job->partial, g_strerror (errno));
    }
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;
  gboolean ok = export_all (job, cancellable, &error);

  clean_up (job);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_completed (PisoExporter *self)
{
  self->running = FALSE;
}

void
piso_exporter_run_async (PisoExporter        *self,
                         const char          *destination,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  virDomainPtr handle;
  ExportJob *job;
  GError *error = NULL;

  g_return_if_fail (PISO_IS_EXPORTER (self));
  g_return_if_fail (destination != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_exporter_run_async);
  /* The clean-up decides the result; GTask must not answer "cancelled" first. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->running)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               _("This export is already running."));
      return;
    }
  if ((handle = _piso_machine_ref_handle_or_error (self->machine, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  job = g_new0 (ExportJob, 1);
  job->exporter = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->handle = handle;
  job->conn = virDomainGetConnect (handle);
  virConnectRef (job->conn);
  job->name = g_strdup (piso_machine_get_display_name (self->machine));
  job->destination = g_canonicalize_filename (destination, NULL);
  job->pause_running = self->pause_running;
  job->local = piso_connection_is_local (piso_machine_get_connection (self->machine)) && !self->download_only;
  job->written = g_ptr_array_new_with_free_func (g_free);
  job->pools = g_ptr_array_new ();
  job->volumes = g_ptr_array_new ();

  self->running = TRUE;
  /* Notified once the callback has run, on this thread. */
  g_signal_connect_object (task, "notify::completed", G_CALLBACK (run_completed), self, G_CONNECT_SWAPPED);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

void
_piso_exporter_set_download_only (PisoExporter *self,
                                  gboolean      download_only)
{
  g_return_if_fail (PISO_IS_EXPORTER (self));
  self->download_only = download_only;
}

gboolean
piso_exporter_run_finish (PisoExporter  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PISO_IS_EXPORTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
