/* piso-snapshot.c: one snapshot of a machine, and the pictures kept with them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshot"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-backend-enums.h"
#include "piso-snapshot-private.h"
#include "piso-domain-xml-private.h"

struct _PisoSnapshot
{
  GObject            parent_instance;

  char              *machine_uuid;
  char              *name;
  char              *description;
  char              *label;
  char              *parent_name;
  char              *parent_label;
  gint64             creation_time;
  PisoSnapshotState  state;
  PisoSnapshotKind   kind;
  gboolean           current;
  gboolean           can_revert;
  gboolean           has_screenshot;
  GStrv              files;
};

G_DEFINE_FINAL_TYPE (PisoSnapshot, piso_snapshot, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_DESCRIPTION,
  PROP_PARENT_NAME,
  PROP_CREATION_TIME,
  PROP_STATE,
  PROP_HAS_MEMORY,
  PROP_KIND,
  PROP_CURRENT,
  PROP_CAN_REVERT,
  PROP_HAS_SCREENSHOT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_snapshot_finalize (GObject *object)
{
  PisoSnapshot *self = PISO_SNAPSHOT (object);

  g_free (self->machine_uuid);
  g_free (self->name);
  g_free (self->description);
  g_free (self->label);
  g_free (self->parent_name);
  g_free (self->parent_label);
  g_strfreev (self->files);

  G_OBJECT_CLASS (piso_snapshot_parent_class)->finalize (object);
}

static void
piso_snapshot_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PisoSnapshot *self = PISO_SNAPSHOT (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, piso_snapshot_get_display_name (self)); break;
    case PROP_DESCRIPTION: g_value_set_string (value, self->description); break;
    case PROP_PARENT_NAME: g_value_set_string (value, self->parent_name); break;
    case PROP_CREATION_TIME: g_value_set_int64 (value, self->creation_time); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_HAS_MEMORY: g_value_set_boolean (value, piso_snapshot_get_has_memory (self)); break;
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_CURRENT: g_value_set_boolean (value, self->current); break;
    case PROP_CAN_REVERT: g_value_set_boolean (value, self->can_revert); break;
    case PROP_HAS_SCREENSHOT: g_value_set_boolean (value, self->has_screenshot); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_snapshot_class_init (PisoSnapshotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_snapshot_finalize;
  object_class->get_property = piso_snapshot_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_PARENT_NAME] = g_param_spec_string ("parent-name", NULL, NULL, NULL, flags);
  properties[PROP_CREATION_TIME] =
    g_param_spec_int64 ("creation-time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PISO_TYPE_SNAPSHOT_STATE, PISO_SNAPSHOT_STATE_OFF, flags);
  properties[PROP_HAS_MEMORY] = g_param_spec_boolean ("has-memory", NULL, NULL, FALSE, flags);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, PISO_TYPE_SNAPSHOT_KIND, PISO_SNAPSHOT_KIND_INTERNAL, flags);
  properties[PROP_CURRENT] = g_param_spec_boolean ("current", NULL, NULL, FALSE, flags);
  properties[PROP_CAN_REVERT] = g_param_spec_boolean ("can-revert", NULL, NULL, TRUE, flags);
  properties[PROP_HAS_SCREENSHOT] = g_param_spec_boolean ("has-screenshot", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_snapshot_init (PisoSnapshot *self)
{
  self->can_revert = TRUE;
  self->kind = PISO_SNAPSHOT_KIND_INTERNAL;
}

/* ---- parsing (worker threads) ------------------------------------------- */

void
_piso_snapshot_info_free (PisoSnapshotInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->description);
  g_free (info->label);
  g_free (info->parent_label);
  g_free (info->parent);
  g_clear_pointer (&info->files, g_ptr_array_unref);
  g_free (info);
}

PisoSnapshotInfo *
_piso_snapshot_info_parse (const char *xml)
{
  g_autoptr(xmlDoc) doc = _piso_xml_parse_root (xml, "domainsnapshot", NULL);
  g_autoptr(PisoSnapshotInfo) info = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *state = NULL;
  g_autofree char *creation = NULL;
  g_autofree char *memory = NULL;

  if (doc == NULL)
    return NULL;

  info = g_new0 (PisoSnapshotInfo, 1);
  info->files = g_ptr_array_new_with_free_func (g_free);
  info->name = _piso_xml_string (doc, NULL, "/domainsnapshot/name");
  if (info->name == NULL)
    return NULL;
  info->description = _piso_xml_string (doc, NULL, "/domainsnapshot/description");
  info->parent = _piso_xml_string (doc, NULL, "/domainsnapshot/parent/name");
  creation = _piso_xml_string (doc, NULL, "/domainsnapshot/creationTime");
  info->creation_time = creation != NULL ? g_ascii_strtoll (creation, NULL, 10) : 0;
  info->current = _piso_xml_node (doc, NULL, "/domainsnapshot/active[text()='1']") != NULL;

  state = _piso_xml_string (doc, NULL, "/domainsnapshot/state");
  if (g_strcmp0 (state, "running") == 0)
    info->state = PISO_SNAPSHOT_STATE_RUNNING;
  else if (g_strcmp0 (state, "paused") == 0)
    info->state = PISO_SNAPSHOT_STATE_PAUSED;
  else if (g_strcmp0 (state, "disk-snapshot") == 0)
    info->state = PISO_SNAPSHOT_STATE_DISK_ONLY;
  else
    info->state = PISO_SNAPSHOT_STATE_OFF;

  /* External: the memory or any disk lives in a file of its own. */
  memory = _piso_xml_string (doc, NULL, "/domainsnapshot/memory/@snapshot");
  /* An external snapshot's files: the overlays it started, its memory,
   * and the images it froze (its <domain>'s disks then). */
  files = _piso_xml_nodes (doc, NULL,
                           "/domainsnapshot/memory[@snapshot='external']/@file"
                           " | /domainsnapshot/disks/disk[@snapshot='external']/source/@file"
                           " | /domainsnapshot[disks/disk/@snapshot='external']/domain/devices/disk"
                           "[not(readonly)]/source/@file");
  for (guint i = 0; i < files->len; i++)
    {
      xmlNodePtr attr = g_ptr_array_index (files, i);
      xmlChar *value = xmlNodeGetContent (attr);

      if (value != NULL && *value != '\0')
        g_ptr_array_add (info->files, g_strdup ((const char *) value));
      xmlFree (value);
    }
  if (g_strcmp0 (memory, "external") == 0 ||
      _piso_xml_node (doc, NULL, "/domainsnapshot/disks/disk[@snapshot='external']") != NULL)
    info->kind = PISO_SNAPSHOT_KIND_EXTERNAL;
  else
    info->kind = PISO_SNAPSHOT_KIND_INTERNAL;

  return g_steal_pointer (&info);
}

static void
snapshot_ptr_free (gpointer snap)
{
  virDomainSnapshotFree (snap);
}

GPtrArray *
_piso_snapshot_list_infos (virDomainPtr   dom,
                           GError       **error)
{
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) _piso_snapshot_info_free);
  g_autoptr(GPtrArray) snaps = g_ptr_array_new_with_free_func (snapshot_ptr_free);
  virDomainSnapshotPtr *list = NULL;
  int n;

  n = virDomainListAllSnapshots (dom, &list, 0);
  if (n < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not list the snapshots of “%s”"),
                                    virDomainGetName (dom));
      return NULL;
    }
  for (int i = 0; i < n; i++)
    g_ptr_array_add (snaps, list[i]);
  free (list);

  for (guint i = 0; i < snaps->len; i++)
    {
      virDomainSnapshotPtr snap = g_ptr_array_index (snaps, i);
      char *xml = virDomainSnapshotGetXMLDesc (snap, 0);
      PisoSnapshotInfo *info;
      int current;

      if (xml == NULL)
        {
          /* Deleted by someone else between the listing and now. */
          virResetLastError ();
          continue;
        }
      info = _piso_snapshot_info_parse (xml);
      free (xml);
      if (info == NULL)
        continue;
      /* Not every driver writes <active> into the XML. */
      if ((current = virDomainSnapshotIsCurrent (snap, 0)) >= 0)
        info->current = current == 1;
      virResetLastError ();
      g_ptr_array_add (infos, info);
    }

  return g_steal_pointer (&infos);
}

/* ---- the object (main thread) ------------------------------------------- */

PisoSnapshot *
_piso_snapshot_new (const PisoSnapshotInfo *info,
                    const char             *machine_uuid,
                    gboolean                can_revert)
{
  PisoSnapshot *self = g_object_new (PISO_TYPE_SNAPSHOT, NULL);

  self->machine_uuid = g_strdup (machine_uuid);
  self->name = g_strdup (info->name);
  _piso_snapshot_update (self, info, can_revert);
  return self;
}

void
_piso_snapshot_update (PisoSnapshot           *self,
                       const PisoSnapshotInfo *info,
                       gboolean                can_revert)
{
  gboolean had_memory;

  g_return_if_fail (PISO_IS_SNAPSHOT (self));
  g_return_if_fail (g_strcmp0 (self->name, info->name) == 0);


  g_object_freeze_notify (G_OBJECT (self));
  had_memory = piso_snapshot_get_has_memory (self);

  if (piso_set_str (&self->label, info->label))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  if (piso_set_str (&self->description, info->description))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
  if (piso_set_str (&self->parent_name, info->parent) |
      piso_set_str (&self->parent_label, info->parent_label))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT_NAME]);
  if (self->creation_time != info->creation_time)
    {
      self->creation_time = info->creation_time;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATION_TIME]);
    }
  if (self->state != info->state)
    {
      self->state = info->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (had_memory != piso_snapshot_get_has_memory (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MEMORY]);
  if (self->kind != info->kind)
    {
      self->kind = info->kind;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
    }
  if (self->current != info->current)
    {
      self->current = info->current;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
    }
  if (info->files != NULL)
    {
      g_strfreev (self->files);
      self->files = g_new0 (char *, info->files->len + 1);
      for (guint i = 0; i < info->files->len; i++)
        self->files[i] = g_strdup (g_ptr_array_index (info->files, i));
    }
  if (self->can_revert != can_revert)
    {
      self->can_revert = can_revert;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REVERT]);
    }
  /* A stat of one file: cheap enough for the main thread. */
  _piso_snapshot_screenshot_changed (self);

  g_object_thaw_notify (G_OBJECT (self));
}

void
_piso_snapshot_screenshot_changed (PisoSnapshot *self)
{
  g_autofree char *screenshot = NULL;

  g_return_if_fail (PISO_IS_SNAPSHOT (self));

  screenshot = _piso_snapshot_screenshot_find (self->machine_uuid, self->name, NULL);
  if (self->has_screenshot != (screenshot != NULL))
    {
      self->has_screenshot = screenshot != NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SCREENSHOT]);
    }
}

const char *piso_snapshot_get_name (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL); return self->name; }
const char *piso_snapshot_get_label (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL); return self->label; }
const char *piso_snapshot_get_display_name (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL); return self->label != NULL ? self->label : self->name; }
const char *piso_snapshot_get_description (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL); return self->description; }
const char *piso_snapshot_get_parent_display_name (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL); return self->parent_label != NULL ? self->parent_label : self->parent_name; }
const char *piso_snapshot_get_parent_name (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL); return self->parent_name; }
gint64 piso_snapshot_get_creation_time (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), 0); return self->creation_time; }
PisoSnapshotState piso_snapshot_get_state (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), PISO_SNAPSHOT_STATE_OFF); return self->state; }
PisoSnapshotKind piso_snapshot_get_kind (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), PISO_SNAPSHOT_KIND_NONE); return self->kind; }
gboolean piso_snapshot_get_current (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), FALSE); return self->current; }
gboolean piso_snapshot_get_can_revert (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), FALSE); return self->can_revert; }
gboolean piso_snapshot_get_has_screenshot (PisoSnapshot *self) { g_return_val_if_fail (PISO_IS_SNAPSHOT (self), FALSE); return self->has_screenshot; }

const char * const *
piso_snapshot_get_files (PisoSnapshot *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL);
  return self->files != NULL ? (const char * const *) self->files : none;
}

gboolean
piso_snapshot_get_has_memory (PisoSnapshot *self)
{
  g_return_val_if_fail (PISO_IS_SNAPSHOT (self), FALSE);
  return self->state == PISO_SNAPSHOT_STATE_RUNNING || self->state == PISO_SNAPSHOT_STATE_PAUSED;
}

/* ---- pictures ----------------------------------------------------------- */

/* Snapshot names may hold any character but '/': the file is named by a
 * hash of the name, the extension says the image type. */
static char *
screenshot_base (const char *machine_uuid,
                 const char *name)
{
  g_autofree char *dir = _piso_snapshot_screenshot_dir (machine_uuid);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);

  return g_build_filename (dir, hash, NULL);
}

static const struct { const char *mime_type; const char *suffix; } screenshot_types[] = {
  { "image/x-portable-pixmap", ".ppm.gz" },
  { "image/png", ".png.gz" },
};

char *
_piso_snapshot_screenshot_dir (const char *machine_uuid)
{
  return g_build_filename (g_get_user_cache_dir (), "piso", "snapshots", machine_uuid, NULL);
}

char *
_piso_snapshot_screenshot_find (const char  *machine_uuid,
                                const char  *name,
                                char       **mime_type)
{
  g_autofree char *base = screenshot_base (machine_uuid, name);

  for (guint i = 0; i < G_N_ELEMENTS (screenshot_types); i++)
    {
      g_autofree char *path = g_strconcat (base, screenshot_types[i].suffix, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          if (mime_type != NULL)
            *mime_type = g_strdup (screenshot_types[i].mime_type);
          return g_steal_pointer (&path);
        }
    }
  return NULL;
}

gboolean
_piso_snapshot_screenshot_save (const char  *machine_uuid,
                                const char  *name,
                                GBytes      *image,
                                const char  *mime_type,
                                GError     **error)
{
  g_autofree char *dir = _piso_snapshot_screenshot_dir (machine_uuid);
  g_autofree char *base = screenshot_base (machine_uuid, name);
  g_autofree char *path = NULL;
  g_autoptr(GConverter) gzip = NULL;
  g_autoptr(GOutputStream) memory = NULL;
  g_autoptr(GOutputStream) packed = NULL;
  g_autoptr(GBytes) contents = NULL;
  const char *suffix = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (screenshot_types); i++)
    if (g_strcmp0 (mime_type, screenshot_types[i].mime_type) == 0)
      suffix = screenshot_types[i].suffix;
  if (suffix == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Screenshots of type %s are not kept", mime_type);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  /* A screen of text packs to a few KiB; a PPM of it is megabytes. It is
   * packed in memory and then written under its name in one step: a view
   * that finds the file (it looks whenever the list is read again) must
   * never read half of it. */
  gzip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6));
  memory = g_memory_output_stream_new_resizable ();
  packed = g_converter_output_stream_new (memory, gzip);
  if (!g_output_stream_write_all (packed, g_bytes_get_data (image, NULL), g_bytes_get_size (image),
                                  NULL, NULL, error) ||
      !g_output_stream_close (packed, NULL, error))
    return FALSE;
  contents = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));

  _piso_snapshot_screenshot_remove (machine_uuid, name);
  path = g_strconcat (base, suffix, NULL);
  return g_file_set_contents_full (path, g_bytes_get_data (contents, NULL), g_bytes_get_size (contents),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

void
_piso_snapshot_screenshot_remove (const char *machine_uuid,
                                  const char *name)
{
  g_autofree char *path = NULL;

  while ((path = _piso_snapshot_screenshot_find (machine_uuid, name, NULL)) != NULL)
    {
      if (g_unlink (path) < 0)
        {
          g_debug ("Could not remove %s: %s", path, g_strerror (errno));
          return;
        }
      g_clear_pointer (&path, g_free);
    }
}

void
_piso_snapshot_screenshots_forget (const char *machine_uuid)
{
  g_autofree char *dir_path = NULL;
  GDir *dir;
  const char *entry;

  if (machine_uuid == NULL || *machine_uuid == '\0')
    return;
  dir_path = _piso_snapshot_screenshot_dir (machine_uuid);
  if ((dir = g_dir_open (dir_path, 0, NULL)) == NULL)
    return;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, entry, NULL);

      g_unlink (path);
    }
  g_dir_close (dir);
  g_rmdir (dir_path);
}

typedef struct
{
  char   *path;
  char   *mime_type;
  GBytes *bytes;
} LoadScreenshot;

static void
load_screenshot_free (LoadScreenshot *load)
{
  g_free (load->path);
  g_free (load->mime_type);
  g_clear_pointer (&load->bytes, g_bytes_unref);
  g_free (load);
}

static void
load_screenshot_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  LoadScreenshot *load = task_data;
  g_autoptr(GFile) file = g_file_new_for_path (load->path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GConverter) gunzip = NULL;
  g_autoptr(GInputStream) unpacked = NULL;
  g_autoptr(GOutputStream) out = NULL;
  GError *error = NULL;

  in = g_file_read (file, cancellable, &error);
  if (in == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  gunzip = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  unpacked = g_converter_input_stream_new (G_INPUT_STREAM (in), gunzip);
  out = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (out, unpacked, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cancellable, &error) < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  load->bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_task_return_boolean (task, TRUE);
}

void
piso_snapshot_load_screenshot_async (PisoSnapshot        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadScreenshot *load;

  g_return_if_fail (PISO_IS_SNAPSHOT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_snapshot_load_screenshot_async);
  load = g_new0 (LoadScreenshot, 1);
  load->path = _piso_snapshot_screenshot_find (self->machine_uuid, self->name, &load->mime_type);
  g_task_set_task_data (task, load, (GDestroyNotify) load_screenshot_free);
  if (load->path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no picture of the screen for the snapshot “%s”."),
                               self->name);
      return;
    }
  g_task_run_in_thread (task, load_screenshot_thread);
}

GBytes *
piso_snapshot_load_screenshot_finish (PisoSnapshot  *self,
                                      GAsyncResult  *result,
                                      char         **mime_type,
                                      GError       **error)
{
  LoadScreenshot *load;

  g_return_val_if_fail (PISO_IS_SNAPSHOT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (mime_type != NULL)
    *mime_type = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  load = g_task_get_task_data (G_TASK (result));
  if (mime_type != NULL)
    *mime_type = g_strdup (load->mime_type);
  return g_bytes_ref (load->bytes);
}
