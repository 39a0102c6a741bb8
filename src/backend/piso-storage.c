/* piso-storage.c: storage pools and volumes for creating machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-storage"

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-backend-private.h"
#include "piso-domain-xml-private.h"
#include "piso-format-size.h"
#include "piso-storage.h"

/* How often a copy in progress is measured. */
#define COPY_POLL_US (200 * 1000)

char *
piso_storage_standard_pool_path (gboolean session)
{
  if (session)
    return g_build_filename (g_get_user_data_dir (), "libvirt", "images", NULL);
  return g_strdup ("/var/lib/libvirt/images");
}

virStoragePoolPtr
piso_storage_lookup_default_pool (virConnectPtr   conn,
                                  GError        **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, PISO_STORAGE_DEFAULT_POOL);
  virErrorPtr err;

  if (pool != NULL)
    return pool;

  err = virGetLastError ();
  if (err == NULL || err->code == VIR_ERR_NO_STORAGE_POOL)
    {
      virResetLastError ();
      return NULL;
    }
  _piso_set_error_from_libvirt (error, _("Could not look up the storage pool “%s”"),
                                PISO_STORAGE_DEFAULT_POOL);
  return NULL;
}

gboolean
piso_storage_start_pool (virStoragePoolPtr   pool,
                         GError            **error)
{
  int active = virStoragePoolIsActive (pool);

  if (active == 0 && virStoragePoolCreate (pool, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not start the storage pool “%s”"),
                                    virStoragePoolGetName (pool));
      return FALSE;
    }
  /* Autostart is a convenience: a failure does not stop the creation. */
  if (virStoragePoolSetAutostart (pool, 1) < 0)
    virResetLastError ();
  return TRUE;
}

virStoragePoolPtr
piso_storage_define_default_pool (virConnectPtr   conn,
                                  const char     *path,
                                  gboolean       *made_dir,
                                  GError        **error)
{
  g_autofree char *escaped = g_markup_escape_text (path, -1);
  g_autofree char *xml = NULL;
  virStoragePoolPtr pool;
  int exists;

  *made_dir = FALSE;
  xml = g_strdup_printf ("<pool type='dir'><name>%s</name>"
                         "<target><path>%s</path></target></pool>",
                         PISO_STORAGE_DEFAULT_POOL, escaped);
  pool = virStoragePoolDefineXML (conn, xml, 0);
  if (pool == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not set up the storage pool at %s"), path);
      return NULL;
    }

  /* The daemon may see another file system than we do (remote hosts), so
   * ask it whether the directory is there: building an existing dir pool
   * succeeds, and an empty inactive pool lists no volumes either way. We
   * record "made" only when the directory was missing where we can look. */
  exists = g_file_test (path, G_FILE_TEST_IS_DIR);
  if (virStoragePoolBuild (pool, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not create the folder %s for the storage pool"),
                                    path);
      virStoragePoolUndefine (pool);
      virStoragePoolFree (pool);
      return NULL;
    }
  *made_dir = !exists && g_file_test (path, G_FILE_TEST_IS_DIR);

  if (!piso_storage_start_pool (pool, error))
    {
      piso_storage_undefine_pool (pool, *made_dir);
      return NULL;
    }
  return pool;
}

void
piso_storage_undefine_pool (virStoragePoolPtr pool,
                            gboolean          made_dir)
{
  g_autofree char *path = piso_storage_pool_path (pool, NULL);

  if (virStoragePoolIsActive (pool) == 1 && virStoragePoolDestroy (pool) < 0)
    g_warning ("Could not stop pool %s: %s", virStoragePoolGetName (pool),
               virGetLastErrorMessage ());
  if (virStoragePoolUndefine (pool) < 0)
    g_warning ("Could not undefine pool %s: %s", virStoragePoolGetName (pool),
               virGetLastErrorMessage ());
  virResetLastError ();
  /* rmdir only succeeds on an empty directory: nothing of the user's goes. */
  if (made_dir && path != NULL)
    g_rmdir (path);
  virStoragePoolFree (pool);
}

char *
piso_storage_pool_path (virStoragePoolPtr   pool,
                        GError            **error)
{
  g_autofree char *xml = virStoragePoolGetXMLDesc (pool, 0);
  const char *start, *end;

  if (xml == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the storage pool “%s”"),
                                    virStoragePoolGetName (pool));
      return NULL;
    }
  start = strstr (xml, "<target>");
  if (start != NULL)
    start = strstr (start, "<path>");
  if (start != NULL)
    end = strstr (start, "</path>");
  if (start == NULL || end == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                   _("The storage pool “%s” has no folder; Piso needs a pool of type “dir”."),
                   virStoragePoolGetName (pool));
      return NULL;
    }
  start += strlen ("<path>");
  /* Paths in libvirt's XML are escaped like any text. */
  {
    g_autofree char *raw = g_strndup (start, end - start);
    g_autoptr(GString) out = g_string_new (raw);

    g_string_replace (out, "&lt;", "<", 0);
    g_string_replace (out, "&gt;", ">", 0);
    g_string_replace (out, "&apos;", "'", 0);
    g_string_replace (out, "&quot;", "\"", 0);
    g_string_replace (out, "&amp;", "&", 0);
    return g_string_free (g_steal_pointer (&out), FALSE);
  }
}

gboolean
piso_storage_pool_available (virStoragePoolPtr   pool,
                             guint64            *available,
                             GError            **error)
{
  virStoragePoolInfo info;

  /* A refresh re-reads the free space and files added behind libvirt's back. */
  if (virStoragePoolRefresh (pool, 0) < 0)
    virResetLastError ();
  if (virStoragePoolGetInfo (pool, &info) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the free space of the storage pool “%s”"),
                                    virStoragePoolGetName (pool));
      return FALSE;
    }
  *available = info.available;
  return TRUE;
}

gboolean
piso_storage_check_space (const char  *pool_name,
                          guint64      needed,
                          guint64      available,
                          GError     **error)
{
  g_autofree char *need_text = NULL;
  g_autofree char *have_text = NULL;

  if (needed <= available)
    return TRUE;

  need_text = piso_format_size (needed);
  have_text = piso_format_size (available);
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               /* Translators: "needs 20 GiB, but the storage pool “default” has 3.1 GiB free" */
               _("Not enough space: the disk needs %s, but the storage pool “%s” has %s "
                 "free. Make the disk smaller or free some space."),
               need_text, pool_name, have_text);
  return FALSE;
}

static gboolean
volume_exists (virStoragePoolPtr pool,
               const char       *name)
{
  virStorageVolPtr vol = virStorageVolLookupByName (pool, name);

  if (vol == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  virStorageVolFree (vol);
  return TRUE;
}

/* New volumes never take over an existing one. */
static gboolean
name_is_free (virStoragePoolPtr   pool,
              const char         *name,
              GError            **error)
{
  if (!volume_exists (pool, name))
    return TRUE;
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("The storage pool “%s” already has a volume “%s”; Piso does not reuse it."),
               virStoragePoolGetName (pool), name);
  return FALSE;
}

char *
piso_storage_unique_volume_name (virStoragePoolPtr   pool,
                                 const char         *base,
                                 const char         *ext,
                                 GError            **error)
{
  /* Files copied into the directory behind libvirt's back count too. */
  if (virStoragePoolRefresh (pool, 0) < 0)
    virResetLastError ();

  for (guint i = 1; i < 10000; i++)
    {
      g_autofree char *name = NULL;

      if (i == 1)
        name = g_strdup_printf ("%s.%s", base, ext);
      else
        name = g_strdup_printf ("%s-%u.%s", base, i, ext);
      if (!volume_exists (pool, name))
        return g_steal_pointer (&name);
    }
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("Could not find a free file name for “%s” in the storage pool “%s”."),
               base, virStoragePoolGetName (pool));
  return NULL;
}

/* A new volume, optionally over a backing file (a qcow2 overlay). */
static virStorageVolPtr
create_volume (virStoragePoolPtr   pool,
               const char         *name,
               const char         *format,
               guint64             capacity,
               const char         *backing_path,
               const char         *backing_format,
               GError            **error)
{
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *backing = NULL;
  g_autofree char *xml = NULL;
  virStorageVolPtr vol;

  if (!name_is_free (pool, name, error))
    return NULL;

  if (backing_path != NULL)
    {
      g_autofree char *path = g_markup_escape_text (backing_path, -1);

      backing = g_strdup_printf ("<backingStore><path>%s</path><format type='%s'/></backingStore>",
                                 path, backing_format);
    }
  xml = g_strdup_printf ("<volume><name>%s</name>"
                         "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                         "<allocation unit='bytes'>0</allocation>"
                         "<target><format type='%s'/></target>%s</volume>",
                         escaped, capacity, format, backing != NULL ? backing : "");
  vol = virStorageVolCreateXML (pool, xml, 0);
  if (vol == NULL)
    _piso_set_error_from_libvirt (error, _("Could not create the disk “%s”"), name);
  return vol;
}

virStorageVolPtr
piso_storage_create_volume (virStoragePoolPtr   pool,
                            const char         *name,
                            const char         *format,
                            guint64             capacity,
                            GError            **error)
{
  return create_volume (pool, name, format, capacity, NULL, NULL, error);
}

virStorageVolPtr
piso_storage_find_volume (virConnectPtr  conn,
                          const char    *path,
                          gboolean      *refreshed)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);

  /* Files created behind libvirt's back are found after a pool refresh. */
  if (vol == NULL && !*refreshed)
    {
      virStoragePoolPtr *pools = NULL;
      int n = virConnectListAllStoragePools (conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);

      for (int i = 0; i < n; i++)
        {
          virStoragePoolRefresh (pools[i], 0);
          virStoragePoolFree (pools[i]);
        }
      free (pools);
      *refreshed = TRUE;
      vol = virStorageVolLookupByPath (conn, path);
    }
  if (vol == NULL)
    virResetLastError ();

  return vol;
}

void
piso_storage_delete_volume (virStorageVolPtr vol)
{
  if (vol == NULL)
    return;
  if (virStorageVolDelete (vol, 0) < 0)
    {
      g_warning ("Could not remove volume %s: %s", virStorageVolGetName (vol),
                 virGetLastErrorMessage ());
      virResetLastError ();
    }
  virStorageVolFree (vol);
}

void
piso_storage_delete_volumes (GPtrArray *volumes)
{
  g_return_if_fail (volumes != NULL);

  for (guint i = volumes->len; i > 0; i--)
    piso_storage_delete_volume (g_ptr_array_steal_index (volumes, i - 1));
}

static PisoUploadFunc upload_func;

void
_piso_storage_set_upload_func (PisoUploadFunc func)
{
  upload_func = func;
}

typedef struct
{
  GInputStream        *input;
  const char          *local_path;
  guint64              size;
  guint64              done;
  PisoStorageProgress  progress;
  gpointer             progress_data;
  GCancellable        *cancellable;
  GError              *error;
} UploadSource;

/* virStreamSendAll's source: the next bytes of the file, 0 at its end, -1 to
 * abort (the error in source->error). */
static int
upload_source (virStreamPtr  stream,
               char         *data,
               size_t        nbytes,
               void         *opaque)
{
  UploadSource *source = opaque;
  gssize n;

  if (source->done >= source->size)
    return 0;
  n = g_input_stream_read (source->input, data, MIN ((guint64) nbytes, source->size - source->done),
                           source->cancellable, &source->error);
  if (n == 0)
    g_set_error (&source->error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("%s became shorter while it was being copied."), source->local_path);
  if (n <= 0)
    return -1;
  source->done += n;
  if (source->progress != NULL)
    source->progress (source->done, source->size, source->progress_data);
  return (int) n;
}

virStorageVolPtr
piso_storage_upload (virStoragePoolPtr    pool,
                     const char          *local_path,
                     const char          *name,
                     const char          *format,
                     guint64              capacity,
                     PisoStorageProgress  progress,
                     gpointer             progress_data,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (local_path);
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GFileInfo) info = NULL;
  virConnectPtr conn = virStoragePoolGetConnect (pool);
  virStorageVolPtr vol = NULL;
  virStreamPtr stream = NULL;
  UploadSource source = { 0 };

  input = g_file_read (file, cancellable, error);
  if (input == NULL)
    return NULL;
  info = g_file_input_stream_query_info (input, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, error);
  if (info == NULL)
    return NULL;
  source.input = G_INPUT_STREAM (input);
  source.local_path = local_path;
  source.size = g_file_info_get_size (info);
  source.progress = progress;
  source.progress_data = progress_data;
  source.cancellable = cancellable;

  vol = piso_storage_create_volume (pool, name, format, MAX (capacity, source.size), error);
  if (vol == NULL)
    return NULL;

  if (upload_func != NULL)
    {
      if (!upload_func (vol, local_path, source.size, cancellable, error))
        goto fail;
      if (progress != NULL)
        progress (source.size, source.size, progress_data);
      return vol;
    }

  /* virStreamSendAll sends what the daemon takes in one message; larger
   * virStreamSend() calls made the upload several times slower than virsh's. */
  stream = virStreamNew (conn, 0);
  if (stream == NULL || virStorageVolUpload (vol, stream, 0, source.size, 0) < 0 ||
      virStreamSendAll (stream, upload_source, &source) < 0 || virStreamFinish (stream) < 0)
    {
      /* virStreamSendAll() aborted the stream already. */
      if (source.error != NULL)
        g_propagate_error (error, source.error);
      else
        _piso_set_error_from_libvirt (error, _("Could not copy into the disk “%s”"), name);
      goto fail;
    }
  virStreamFree (stream);
  return vol;

fail:
  virResetLastError ();
  if (stream != NULL)
    virStreamFree (stream);
  piso_storage_delete_volume (vol);
  return NULL;
}

/* ---- from a volume of one host to a volume of another ------------------- */

typedef struct
{
  virStreamPtr         out;
  guint64              done;
  guint64              total;
  PisoStorageProgress  progress;
  gpointer             progress_data;
  GCancellable        *cancellable;
  virErrorPtr          send_error;   /* the upload's, when it failed */
} VolumeCopy;

static int
volume_copy_advance (VolumeCopy *copy,
                     int         r,
                     guint64     n)
{
  if (r < 0)
    {
      copy->send_error = virSaveLastError ();
      return -1;
    }
  copy->done += n;
  if (copy->progress != NULL)
    copy->progress (MIN (copy->done, copy->total), copy->total, copy->progress_data);
  return 0;
}

/* virStreamRecvAll's sink: what the download gives, sent on the upload. */
static int
volume_copy_data (virStreamPtr  stream,
                  const char   *data,
                  size_t        nbytes,
                  void         *opaque)
{
  VolumeCopy *copy = opaque;
  size_t sent = 0;

  if (g_cancellable_is_cancelled (copy->cancellable))
    return -1;
  while (sent < nbytes)
    {
      int r = virStreamSend (copy->out, data + sent, nbytes - sent);

      if (r < 0)
        return volume_copy_advance (copy, r, 0);
      sent += r;
    }
  return volume_copy_advance (copy, 0, nbytes) < 0 ? -1 : (int) nbytes;
}

/* … and a hole of the download, a hole on the upload. */
static int
volume_copy_hole (virStreamPtr  stream,
                  long long     length,
                  void         *opaque)
{
  VolumeCopy *copy = opaque;

  if (g_cancellable_is_cancelled (copy->cancellable))
    return -1;
  return volume_copy_advance (copy, virStreamSendHole (copy->out, length, 0), length);
}

gboolean
piso_storage_has_backing_chain (virStorageVolPtr vol)
{
  g_autoptr(xmlDoc) doc = _piso_xml_parse_reply (virStorageVolGetXMLDesc (vol, 0));
  g_autofree char *backing = NULL;

  if (doc == NULL)
    return FALSE;
  backing = _piso_xml_string (doc, NULL, "/volume/backingStore/path");
  return backing != NULL;
}

guint64
piso_storage_volume_file_size (virStorageVolPtr vol)
{
  virStorageVolInfo info;

  if (virStorageVolGetInfoFlags (vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0 &&
      virStorageVolGetInfo (vol, &info) < 0)
    {
      virResetLastError ();
      return 0;
    }
  virResetLastError ();
  return info.allocation;
}

gboolean
piso_storage_copy_between (virStorageVolPtr     source,
                           virStorageVolPtr     target,
                           PisoStorageProgress  progress,
                           gpointer             progress_data,
                           GCancellable        *cancellable,
                           GError             **error)
{
  virConnectPtr from = virStorageVolGetConnect (source);
  virConnectPtr to = virStorageVolGetConnect (target);
  VolumeCopy copy = { NULL, 0, piso_storage_volume_file_size (source), progress, progress_data,
                      cancellable, NULL };
  /* asked now: every libvirt call resets the last error */
  const char *source_name = virStorageVolGetName (source);
  const char *target_name = virStorageVolGetName (target);
  virStreamPtr in = NULL;
  gboolean sparse = TRUE;
  gboolean ok = FALSE;
  int r;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Holes travel as lengths when both daemons can (libvirt ≥ 3.4, a
   * storage backend that reads and writes them), else every byte. */
  copy.out = virStreamNew (to, 0);
  r = copy.out != NULL ? virStorageVolUpload (target, copy.out, 0, 0,
                                              VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) : -1;
  if (r < 0 && copy.out != NULL)
    {
      virStreamFree (copy.out);
      virResetLastError ();
      sparse = FALSE;
      copy.out = virStreamNew (to, 0);
      r = copy.out != NULL ? virStorageVolUpload (target, copy.out, 0, 0, 0) : -1;
    }
  if (r < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not copy into the disk “%s”"),
                                    target_name);
      goto out;
    }
  in = virStreamNew (from, 0);
  r = in != NULL && sparse ? virStorageVolDownload (source, in, 0, 0,
                                                    VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) : -1;
  if (r < 0 && in != NULL)
    {
      virStreamFree (in);
      virResetLastError ();
      sparse = FALSE;
      in = virStreamNew (from, 0);
      r = in != NULL ? virStorageVolDownload (source, in, 0, 0, 0) : -1;
    }
  if (r < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the disk “%s”"), source_name);
      virStreamAbort (copy.out);
      goto out;
    }
  g_debug ("Copying %s into %s (%" G_GUINT64_FORMAT " bytes), %s", source_name, target_name,
           copy.total, sparse ? "holes as holes" : "every byte");
  if (progress != NULL)
    progress (0, copy.total, progress_data);

  /* Chunk by chunk: each piece received is sent before the next is read.
   * A failed sink aborts the download; the upload is aborted here. */
  r = sparse ? virStreamSparseRecvAll (in, volume_copy_data, volume_copy_hole, &copy)
             : virStreamRecvAll (in, volume_copy_data, &copy);
  if (r < 0)
    {
      g_autofree char *context = g_strdup_printf (_("Could not copy the disk “%s”"),
                                                  source_name);
      /* the upload's failure, else the download's (before the abort resets it) */
      virErrorPtr verr = copy.send_error != NULL ? g_steal_pointer (&copy.send_error)
                                                 : virSaveLastError ();

      virStreamAbort (copy.out);
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        _piso_set_error_from_virerror (error, verr, context);
      virFreeError (verr);
      goto out;
    }
  if (virStreamFinish (in) < 0 || virStreamFinish (copy.out) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not copy the disk “%s”"), source_name);
      goto out;
    }
  ok = TRUE;

out:
  virResetLastError ();
  if (copy.send_error != NULL)
    virFreeError (copy.send_error);
  if (in != NULL)
    virStreamFree (in);
  if (copy.out != NULL)
    virStreamFree (copy.out);
  return ok;
}

char *
piso_storage_detect_format (const char  *path,
                            GError     **error)
{
  guint8 magic[72] = { 0 };
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = g_file_read (file, NULL, error);
  gsize n = 0;

  if (input == NULL)
    return NULL;
  if (!g_input_stream_read_all (G_INPUT_STREAM (input), magic, sizeof magic, &n, NULL, error))
    return NULL;

  if (n >= 4 && memcmp (magic, "QFI\xfb", 4) == 0)
    return g_strdup ("qcow2");
  if (n >= 4 && memcmp (magic, "KDMV", 4) == 0)
    return g_strdup ("vmdk");
  /* VirtualBox: a text banner, then the signature 0xbeda107f at offset 64. */
  if (n >= 68 && magic[64] == 0x7f && magic[65] == 0x10 && magic[66] == 0xda && magic[67] == 0xbe)
    return g_strdup ("vdi");
  return g_strdup ("raw");
}

/* The value of @key in the outermost object of qemu-img's JSON, or NULL.
 * Since QEMU 8 the answer also describes the image's "children" (the
 * qcow2's file), each with a "virtual-size" of its own (the file's size),
 * and QEMU 10 prints them first: the first match is not the image's. */
static const char *
top_level_key (const char *json,
               const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\":", key);
  size_t quoted_len = strlen (quoted);
  gboolean in_string = FALSE;
  int depth = 0;

  for (const char *p = json; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      if (*p == '"')
        {
          if (depth == 1 && strncmp (p, quoted, quoted_len) == 0)
            {
              const char *value = p + quoted_len;

              while (*value == ' ')
                value++;
              return value;
            }
          in_string = TRUE;
        }
      else if (*p == '{' || *p == '[')
        depth++;
      else if (*p == '}' || *p == ']')
        depth--;
    }
  return NULL;
}

gboolean
piso_storage_image_info (const char  *path,
                         const char  *format,
                         guint64     *virtual_size,
                         gboolean    *has_backing,
                         GError     **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "qemu-img", "info", "--output=json", "-f", format, path, NULL };
  int status = 0;
  const char *p;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("%s is not a usable %s disk image: %s"), path, format, g_strstrip (err));
      return FALSE;
    }
  p = top_level_key (out, "virtual-size");
  if (p == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("Could not read the size of the disk image %s."), path);
      return FALSE;
    }
  *virtual_size = g_ascii_strtoull (p, NULL, 10);
  if (has_backing != NULL)
    *has_backing = top_level_key (out, "backing-filename") != NULL;
  return TRUE;
}

static void
convert_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_subprocess_force_exit (G_SUBPROCESS (user_data));
}

static gboolean
convert_to_qcow2 (const char          *src,
                  const char          *format,
                  const char          *dest,
                  gboolean             compress,
                  gboolean             shared,
                  PisoStorageProgress  progress,
                  gpointer             progress_data,
                  GCancellable        *cancellable,
                  GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GInputStream *out;
  gulong handler = 0;
  char buffer[256];
  gssize n;

  /* -p prints "(12.34/100%)" lines separated by \r on stdout. */
  const char *head[] = { "qemu-img", "convert", "-p", "-f", format, "-O", "qcow2" };

  for (guint i = 0; i < G_N_ELEMENTS (head); i++)
    g_ptr_array_add (argv, (gpointer) head[i]);
  /* -U: read an image a (paused) machine holds open, as a volume download does. */
  if (shared)
    g_ptr_array_add (argv, (gpointer) "-U");
  /* -W: clusters are written as they are compressed, in parallel (100 MiB
   * of random data: 4.0 s in order, 2.8 s with -W on two cores). */
  if (compress)
    {
      g_ptr_array_add (argv, (gpointer) "-c");
      g_ptr_array_add (argv, (gpointer) "-W");
    }
  g_ptr_array_add (argv, (gpointer) src);
  g_ptr_array_add (argv, (gpointer) dest);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, error);
  if (process == NULL)
    return FALSE;
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (convert_cancelled),
                                     g_object_ref (process), g_object_unref);

  out = g_subprocess_get_stdout_pipe (process);
  while ((n = g_input_stream_read (out, buffer, sizeof buffer, NULL, NULL)) > 0)
    for (gssize i = 0; i < n; i++)
      {
        if (buffer[i] != '\r' && buffer[i] != '\n')
          {
            g_string_append_c (line, buffer[i]);
            continue;
          }
        {
          const char *open = strchr (line->str, '(');
          if (open != NULL && progress != NULL && strstr (open, "/100%") != NULL)
            progress ((guint64) (g_ascii_strtod (open + 1, NULL) * 100), 10000, progress_data);
          else if (line->len > 0)
            g_string_append_printf (errors, "%s ", line->str);
        }
        g_string_truncate (line, 0);
      }
  g_string_append (errors, line->str);

  g_subprocess_wait (process, NULL, NULL);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !g_subprocess_get_successful (process))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                     _("Could not convert %s into a qcow2 disk: %s"), src, g_strstrip (errors->str));
      g_unlink (dest);
      return FALSE;
    }
  return TRUE;
}

gboolean
piso_storage_convert_to_qcow2 (const char          *src,
                               const char          *format,
                               const char          *dest,
                               gboolean             compress,
                               PisoStorageProgress  progress,
                               gpointer             progress_data,
                               GCancellable        *cancellable,
                               GError             **error)
{
  return convert_to_qcow2 (src, format, dest, compress, FALSE, progress, progress_data, cancellable, error);
}

gboolean
piso_storage_convert_shared_to_qcow2 (const char          *src,
                                      const char          *format,
                                      const char          *dest,
                                      PisoStorageProgress  progress,
                                      gpointer             progress_data,
                                      GCancellable        *cancellable,
                                      GError             **error)
{
  return convert_to_qcow2 (src, format, dest, TRUE, TRUE, progress, progress_data, cancellable, error);
}

char *
piso_storage_qemu_user (const char *qemu_conf)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents (qemu_conf != NULL ? qemu_conf : "/etc/libvirt/qemu.conf",
                           &text, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *l = g_strstrip (lines[i]);
          char *value, *quote;

          if (!g_str_has_prefix (l, "user"))
            continue;
          value = g_strstrip (l + 4);
          if (*value != '=')
            continue;
          value = strchr (value, '"');
          if (value == NULL || (quote = strchr (value + 1, '"')) == NULL)
            continue;
          return g_strndup (value + 1, quote - value - 1);
        }
    }
  /* Debian's libvirt runs QEMU as libvirt-qemu; Fedora's as qemu. */
  if (getpwnam ("libvirt-qemu") == NULL && getpwnam ("qemu") != NULL)
    return g_strdup ("qemu");
  return g_strdup ("libvirt-qemu");
}

typedef struct
{
  uid_t  uid;
  gid_t  groups[256];
  int    n_groups;
} Account;

static gboolean
account_lookup (const char *user,
                Account    *account)
{
  struct passwd *pw;

  if (user[0] == '+')
    {
      account->uid = (uid_t) g_ascii_strtoull (user + 1, NULL, 10);
      pw = getpwuid (account->uid);
    }
  else
    pw = getpwnam (user);
  if (pw == NULL)
    return FALSE;

  account->uid = pw->pw_uid;
  account->n_groups = G_N_ELEMENTS (account->groups);
  if (getgrouplist (pw->pw_name, pw->pw_gid, account->groups, &account->n_groups) < 0)
    {
      account->groups[0] = pw->pw_gid;
      account->n_groups = 1;
    }
  return TRUE;
}

static gboolean
account_may (const Account     *account,
             const struct stat *st,
             mode_t             owner_bit)
{
  /* owner_bit is S_IRUSR or S_IXUSR; group and other bits are 3 and 6 lower. */
  if (account->uid == 0)
    return TRUE;
  if (st->st_uid == account->uid)
    return (st->st_mode & owner_bit) != 0;
  for (int i = 0; i < account->n_groups; i++)
    if (st->st_gid == account->groups[i])
      return (st->st_mode & (owner_bit >> 3)) != 0;
  return (st->st_mode & (owner_bit >> 6)) != 0;
}

gboolean
piso_storage_user_can_read (const char  *user,
                            const char  *path,
                            char       **blocker)
{
  g_autofree char *real = NULL;
  g_autofree char *dir = NULL;
  Account account;
  struct stat st;

  *blocker = NULL;
  /* An unknown account cannot be judged; libvirt will say if it fails. */
  if (!account_lookup (user, &account))
    return TRUE;

  real = realpath (path, NULL);
  if (real == NULL || stat (real, &st) < 0)
    {
      *blocker = g_strdup (path);
      return FALSE;
    }
  /* Even where libvirt relabels the file itself (dynamic ownership), it
   * never opens the folders above it: those must let the QEMU user through
   * (the classic ISO-in-a-private-home failure). Relabelling is off in some
   * setups, so the file must be readable too. */
  if (!account_may (&account, &st, S_IRUSR))
    {
      *blocker = g_strdup (real);
      return FALSE;
    }

  dir = g_path_get_dirname (real);
  while (TRUE)
    {
      char *parent;

      if (stat (dir, &st) < 0 || !account_may (&account, &st, S_IXUSR))
        {
          *blocker = g_steal_pointer (&dir);
          return FALSE;
        }
      if (g_str_equal (dir, "/"))
        break;
      parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
  return TRUE;
}

/* ---- volumes for existing files (clones, conversions) -------------------- */

virStorageVolPtr
piso_storage_volume_for_path (virConnectPtr       conn,
                              const char         *path,
                              virStoragePoolPtr  *made_pool,
                              GError            **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *name = NULL;
  g_autofree char *xml = NULL;
  gboolean refreshed = FALSE;
  virStorageVolPtr vol;
  virStoragePoolPtr pool;

  *made_pool = NULL;
  if ((vol = piso_storage_find_volume (conn, path, &refreshed)) != NULL)
    return vol;

  /* As virt-manager does for NVRAM files: a pool of our own over the
   * folder, for as long as the copy takes. It changes nothing there. */
  dir = g_path_get_dirname (path);
  escaped = g_markup_escape_text (dir, -1);
  name = g_strdup_printf ("piso-%08x", g_random_int ());
  xml = g_strdup_printf ("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>",
                         name, escaped);
  pool = virStoragePoolCreateXML (conn, xml, 0);
  if (pool == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not reach the file %s through libvirt"), path);
      return NULL;
    }
  vol = virStorageVolLookupByPath (conn, path);
  if (vol == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not reach the file %s through libvirt"), path);
      piso_storage_drop_pool (pool);
      return NULL;
    }
  *made_pool = pool;
  return vol;
}

virStorageVolPtr
piso_storage_volume_for_source (virConnectPtr       conn,
                                const char         *type,
                                const char         *path,
                                const char         *pool_name,
                                virStoragePoolPtr  *made_pool,
                                GError            **error)
{
  virStorageVolPtr vol = NULL;

  *made_pool = NULL;
  if (g_strcmp0 (type, "volume") == 0)
    {
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, pool_name);

      vol = pool != NULL ? virStorageVolLookupByName (pool, path) : NULL;
      if (pool != NULL)
        virStoragePoolFree (pool);
      if (vol == NULL)
        _piso_set_error_from_libvirt (error, _("Could not find the volume “%s” of the storage pool “%s”"),
                                      path, pool_name);
      return vol;
    }
  return piso_storage_volume_for_path (conn, path, made_pool, error);
}

void
piso_storage_drop_pool (virStoragePoolPtr pool)
{
  if (pool == NULL)
    return;
  /* A transient pool: stopping it forgets it; its folder and files stay. */
  if (virStoragePoolDestroy (pool) < 0)
    {
      g_warning ("Could not stop pool %s: %s", virStoragePoolGetName (pool),
                 virGetLastErrorMessage ());
      virResetLastError ();
    }
  virStoragePoolFree (pool);
}

typedef struct
{
  virStoragePoolPtr    pool;
  char                *name;
  guint64              total;
  PisoStorageProgress  progress;
  gpointer             progress_data;
  GMutex               mutex;
  GCond                cond;
  gboolean             done;
} CopyWatch;

/* Polls the growing copy: libvirt's copy reports nothing while it runs. */
static gpointer
copy_watch_thread (gpointer data)
{
  CopyWatch *watch = data;
  gint64 next = g_get_monotonic_time ();

  g_mutex_lock (&watch->mutex);
  while (!watch->done)
    {
      next += COPY_POLL_US;
      if (g_cond_wait_until (&watch->cond, &watch->mutex, next) || watch->done)
        continue;
      g_mutex_unlock (&watch->mutex);
      {
        virStorageVolPtr vol = virStorageVolLookupByName (watch->pool, watch->name);
        virStorageVolInfo info;

        if (vol != NULL && virStorageVolGetInfo (vol, &info) == 0)
          /* The allocation overshoots a little (qcow2 metadata): stay short of the end. */
          watch->progress (MIN (info.allocation, watch->total - 1), watch->total, watch->progress_data);
        if (vol != NULL)
          virStorageVolFree (vol);
        virResetLastError ();
      }
      g_mutex_lock (&watch->mutex);
    }
  g_mutex_unlock (&watch->mutex);
  return NULL;
}

virStorageVolPtr
piso_storage_copy_volume (virStoragePoolPtr    pool,
                          virStorageVolPtr     source,
                          const char          *name,
                          const char          *format,
                          PisoStorageProgress  progress,
                          gpointer             progress_data,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *xml = NULL;
  virStorageVolInfo info;
  virStorageVolPtr vol;
  CopyWatch watch = { 0 };
  GThread *watcher = NULL;

  if (virStorageVolGetInfo (source, &info) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the disk “%s”"), virStorageVolGetName (source));
      return NULL;
    }
  if (!name_is_free (pool, name, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  xml = g_strdup_printf ("<volume><name>%s</name>"
                         "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                         "<target><format type='%s'/></target></volume>",
                         escaped, (guint64) info.capacity, format);

  if (progress != NULL)
    {
      watch.pool = pool;
      watch.name = (char *) name;
      watch.total = MAX (info.allocation, 2);
      watch.progress = progress;
      watch.progress_data = progress_data;
      g_mutex_init (&watch.mutex);
      g_cond_init (&watch.cond);
      progress (0, watch.total, progress_data);
      watcher = g_thread_new ("piso-copy-watch", copy_watch_thread, &watch);
    }

  /* libvirt copies as virt-clone does (qemu-img convert for qcow2, which
   * also flattens a backing chain; a sparse copy for raw). The call cannot
   * be interrupted: a cancel is honoured once it returns. */
  vol = virStorageVolCreateXMLFrom (pool, xml, source, 0);

  if (watcher != NULL)
    {
      g_mutex_lock (&watch.mutex);
      watch.done = TRUE;
      g_cond_signal (&watch.cond);
      g_mutex_unlock (&watch.mutex);
      g_thread_join (watcher);
      g_mutex_clear (&watch.mutex);
      g_cond_clear (&watch.cond);
    }

  if (vol == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not copy the disk “%s”"), virStorageVolGetName (source));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      piso_storage_delete_volume (vol);
      return NULL;
    }
  if (progress != NULL)
    progress (watch.total, watch.total, progress_data);
  return vol;
}

virStorageVolPtr
piso_storage_create_overlay (virStoragePoolPtr   pool,
                             const char         *name,
                             const char         *backing_path,
                             const char         *backing_format,
                             guint64             capacity,
                             GError            **error)
{
  return create_volume (pool, name, "qcow2", capacity, backing_path, backing_format, error);
}
