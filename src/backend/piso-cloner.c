/* piso-cloner.c: a new machine from a shut-off one (full or linked clone)
 *
 * Like PisoCreator: the blocking work runs in a worker thread that records
 * everything it makes (volumes, transient pools), the definition is made on
 * the main thread through the connection, and a failure or a cancel removes
 * exactly what this run made, in a worker again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-cloner"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-clone-private.h"
#include "piso-connection.h"
#include "piso-machine-private.h"
#include "piso-net-interface.h"
#include "piso-snapshot-private.h"
#include "piso-storage.h"
#include "piso-domain-xml-private.h"
#include "piso-format-size.h"

#define PROGRESS_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

/* ---- PisoCloneDisk ------------------------------------------------------- */

struct _PisoCloneDisk
{
  GObject              parent_instance;

  char                *target;
  char                *device;
  char                *type;
  char                *path;
  char                *pool;
  char                *format;
  gboolean             read_only;
  gboolean             shareable;
  gboolean             transient;
  gboolean             can_copy;
  guint64              capacity;
  guint64              allocation;
  PisoCloneDiskAction  action;
};

G_DEFINE_FINAL_TYPE (PisoCloneDisk, piso_clone_disk, G_TYPE_OBJECT)

enum {
  DISK_PROP_0,
  DISK_PROP_ACTION,
  DISK_PROP_NOTE,
  DISK_N_PROPS
};

static GParamSpec *disk_properties[DISK_N_PROPS];

static void
piso_clone_disk_finalize (GObject *object)
{
  PisoCloneDisk *self = PISO_CLONE_DISK (object);

  g_free (self->target);
  g_free (self->device);
  g_free (self->type);
  g_free (self->path);
  g_free (self->pool);
  g_free (self->format);
  G_OBJECT_CLASS (piso_clone_disk_parent_class)->finalize (object);
}

static void
piso_clone_disk_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PisoCloneDisk *self = PISO_CLONE_DISK (object);

  switch (prop_id)
    {
    case DISK_PROP_ACTION: g_value_set_enum (value, self->action); break;
    case DISK_PROP_NOTE: g_value_set_string (value, piso_clone_disk_get_note (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_clone_disk_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case DISK_PROP_ACTION: piso_clone_disk_set_action (PISO_CLONE_DISK (object), g_value_get_enum (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_clone_disk_class_init (PisoCloneDiskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = piso_clone_disk_finalize;
  object_class->get_property = piso_clone_disk_get_property;
  object_class->set_property = piso_clone_disk_set_property;

  disk_properties[DISK_PROP_ACTION] =
    g_param_spec_enum ("action", NULL, NULL, PISO_TYPE_CLONE_DISK_ACTION, PISO_CLONE_DISK_COPY,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  disk_properties[DISK_PROP_NOTE] =
    g_param_spec_string ("note", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, DISK_N_PROPS, disk_properties);
}

static void
piso_clone_disk_init (PisoCloneDisk *self)
{
}

const char *piso_clone_disk_get_target (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), NULL); return self->target; }
const char *piso_clone_disk_get_device (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), NULL); return self->device; }
const char *piso_clone_disk_get_path (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), NULL); return self->path; }
const char *piso_clone_disk_get_format (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), NULL); return self->format; }
gboolean piso_clone_disk_get_read_only (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), FALSE); return self->read_only; }
guint64 piso_clone_disk_get_allocation (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), 0); return self->allocation; }
guint64 piso_clone_disk_get_capacity (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), 0); return self->capacity; }
gboolean piso_clone_disk_get_can_copy (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), FALSE); return self->can_copy; }
PisoCloneDiskAction piso_clone_disk_get_action (PisoCloneDisk *self) { g_return_val_if_fail (PISO_IS_CLONE_DISK (self), PISO_CLONE_DISK_SKIP); return self->action; }

void
piso_clone_disk_set_action (PisoCloneDisk       *self,
                            PisoCloneDiskAction  action)
{
  g_return_if_fail (PISO_IS_CLONE_DISK (self));
  g_return_if_fail (action != PISO_CLONE_DISK_COPY || self->can_copy);

  if (self->action == action)
    return;
  self->action = action;
  g_object_notify_by_pspec (G_OBJECT (self), disk_properties[DISK_PROP_ACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), disk_properties[DISK_PROP_NOTE]);
}

const char *
piso_clone_disk_get_note (PisoCloneDisk *self)
{
  g_return_val_if_fail (PISO_IS_CLONE_DISK (self), NULL);

  switch (self->action)
    {
    case PISO_CLONE_DISK_SHARE:
      if (self->path == NULL)
        return _("An empty drive: the clone gets one too.");
      if (self->read_only || self->shareable || self->transient)
        return NULL;
      return _("Both machines will write to the same image: running them at the same time can "
               "destroy its data.");
    case PISO_CLONE_DISK_SKIP:
      if (!self->can_copy && self->path != NULL)
        return _("Piso cannot copy this disk (it is not a file or storage volume on the host).");
      return NULL;
    case PISO_CLONE_DISK_COPY:
    default:
      return NULL;
    }
}

/* ---- PisoCloner ---------------------------------------------------------- */

struct _PisoCloner
{
  GObject              parent_instance;

  PisoMachine         *source;
  gboolean             prepared;
  gboolean             running;
  char                *name;
  gboolean             linked;
  GListStore          *disks;
  gboolean             has_tpm;
  char                *nvram;
  PisoClonerStage      stage;
  double               progress;
  guint64              bytes_done;
  guint64              bytes_total;
  gint64               seconds_left;
  char                *status_text;
};

G_DEFINE_FINAL_TYPE (PisoCloner, piso_cloner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_NAME,
  PROP_LINKED,
  PROP_DISKS,
  PROP_HAS_TPM,
  PROP_HAS_NVRAM,
  PROP_BYTES_TO_COPY,
  PROP_STAGE,
  PROP_PROGRESS,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_SECONDS_LEFT,
  PROP_STATUS_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_cloner_dispose (GObject *object)
{
  PisoCloner *self = PISO_CLONER (object);

  g_clear_object (&self->source);
  G_OBJECT_CLASS (piso_cloner_parent_class)->dispose (object);
}

static void
piso_cloner_finalize (GObject *object)
{
  PisoCloner *self = PISO_CLONER (object);

  g_free (self->name);
  g_clear_object (&self->disks);
  g_free (self->nvram);
  g_free (self->status_text);
  G_OBJECT_CLASS (piso_cloner_parent_class)->finalize (object);
}

static void
piso_cloner_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PisoCloner *self = PISO_CLONER (object);

  switch (prop_id)
    {
    case PROP_SOURCE: g_value_set_object (value, self->source); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_LINKED: g_value_set_boolean (value, self->linked); break;
    case PROP_DISKS: g_value_set_object (value, self->disks); break;
    case PROP_HAS_TPM: g_value_set_boolean (value, self->has_tpm); break;
    case PROP_HAS_NVRAM: g_value_set_boolean (value, self->nvram != NULL); break;
    case PROP_BYTES_TO_COPY: g_value_set_uint64 (value, piso_cloner_get_bytes_to_copy (self)); break;
    case PROP_STAGE: g_value_set_enum (value, self->stage); break;
    case PROP_PROGRESS: g_value_set_double (value, self->progress); break;
    case PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    case PROP_SECONDS_LEFT: g_value_set_int64 (value, self->seconds_left); break;
    case PROP_STATUS_TEXT: g_value_set_string (value, self->status_text); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_cloner_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PisoCloner *self = PISO_CLONER (object);

  switch (prop_id)
    {
    case PROP_SOURCE: self->source = g_value_dup_object (value); break;
    case PROP_NAME: piso_cloner_set_name (self, g_value_get_string (value)); break;
    case PROP_LINKED: piso_cloner_set_linked (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_cloner_class_init (PisoClonerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_cloner_dispose;
  object_class->finalize = piso_cloner_finalize;
  object_class->get_property = piso_cloner_get_property;
  object_class->set_property = piso_cloner_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, PISO_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_LINKED] = g_param_spec_boolean ("linked", NULL, NULL, FALSE, rw);
  properties[PROP_DISKS] = g_param_spec_object ("disks", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_HAS_TPM] = g_param_spec_boolean ("has-tpm", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_NVRAM] = g_param_spec_boolean ("has-nvram", NULL, NULL, FALSE, ro);
  properties[PROP_BYTES_TO_COPY] =
    g_param_spec_uint64 ("bytes-to-copy", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_STAGE] =
    g_param_spec_enum ("stage", NULL, NULL, PISO_TYPE_CLONER_STAGE, PISO_CLONER_STAGE_PREPARING, ro);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, -1, 1, -1, ro);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_SECONDS_LEFT] =
    g_param_spec_int64 ("seconds-left", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_STATUS_TEXT] = g_param_spec_string ("status-text", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bytes_changed_cb (PisoCloner *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TO_COPY]);
}

static void
piso_cloner_init (PisoCloner *self)
{
  self->disks = g_list_store_new (PISO_TYPE_CLONE_DISK);
  self->progress = -1;
  self->seconds_left = -1;
}

PisoCloner *
piso_cloner_new (PisoMachine *source)
{
  g_return_val_if_fail (PISO_IS_MACHINE (source), NULL);

  return g_object_new (PISO_TYPE_CLONER, "source", source, NULL);
}

PisoMachine *piso_cloner_get_source (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), NULL); return self->source; }
const char *piso_cloner_get_name (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), NULL); return self->name; }
gboolean piso_cloner_get_linked (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), FALSE); return self->linked; }
GListModel *piso_cloner_get_disks (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), NULL); return G_LIST_MODEL (self->disks); }
gboolean piso_cloner_get_has_tpm (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), FALSE); return self->has_tpm; }
gboolean piso_cloner_get_has_nvram (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), FALSE); return self->nvram != NULL; }
PisoClonerStage piso_cloner_get_stage (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), PISO_CLONER_STAGE_PREPARING); return self->stage; }
double piso_cloner_get_progress (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), -1); return self->progress; }
guint64 piso_cloner_get_bytes_done (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), 0); return self->bytes_done; }
guint64 piso_cloner_get_bytes_total (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), 0); return self->bytes_total; }
gint64 piso_cloner_get_seconds_left (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), -1); return self->seconds_left; }
const char *piso_cloner_get_status_text (PisoCloner *self) { g_return_val_if_fail (PISO_IS_CLONER (self), NULL); return self->status_text; }

void
piso_cloner_set_name (PisoCloner *self,
                      const char *name)
{
  g_return_if_fail (PISO_IS_CLONER (self));

  if (piso_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

void
piso_cloner_set_linked (PisoCloner *self,
                        gboolean    linked)
{
  g_return_if_fail (PISO_IS_CLONER (self));

  linked = !!linked;
  if (self->linked == linked)
    return;
  self->linked = linked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINKED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TO_COPY]);
}

guint64
piso_cloner_get_bytes_to_copy (PisoCloner *self)
{
  guint64 total = 0;

  g_return_val_if_fail (PISO_IS_CLONER (self), 0);

  if (self->linked)
    return 0;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->disks)); i++)
    {
      g_autoptr(PisoCloneDisk) disk = g_list_model_get_item (G_LIST_MODEL (self->disks), i);

      if (disk->action == PISO_CLONE_DISK_COPY)
        total += disk->allocation;
    }
  return total;
}

/* ---- stage and progress, from any thread --------------------------------- */

/* Tests' stand-ins (piso-clone-private.h), or NULL. */
static const PisoCloneTestHooks *test_hooks;

void
_piso_clone_set_test_hooks (const PisoCloneTestHooks *hooks)
{
  test_hooks = hooks;
}

static gint64
job_clock (void)
{
  return test_hooks != NULL && test_hooks->now_us != NULL ? test_hooks->now_us ()
                                                          : g_get_monotonic_time ();
}

static char *
stage_text (PisoClonerStage stage,
            guint64         total)
{
  switch (stage)
    {
    case PISO_CLONER_STAGE_PREPARING:
      return g_strdup (_("Preparing…"));
    case PISO_CLONER_STAGE_COPYING:
      /* the amount and the time left are the bytes-done and seconds-left */
      return g_strdup (total > 0 ? _("Copying the disks…") : _("Making the disks…"));
    case PISO_CLONER_STAGE_DEFINING:
      return g_strdup (_("Setting up the new machine…"));
    case PISO_CLONER_STAGE_DONE:
    default:
      return g_strdup (_("The clone is ready."));
    }
}

typedef struct
{
  PisoCloner      *cloner;
  PisoClonerStage  stage;
  guint64          done;
  guint64          total;
  gint64           seconds_left;
} StageUpdate;

static gboolean
apply_stage_update (gpointer data)
{
  StageUpdate *update = data;
  PisoCloner *self = update->cloner;
  double progress = update->total > 0 ? MIN (1.0, (double) update->done / update->total) : -1;
  g_autofree char *text = stage_text (update->stage, update->total);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->stage != update->stage)
    {
      self->stage = update->stage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  piso_set_uint64_prop (self, &self->bytes_total, update->total, properties[PROP_BYTES_TOTAL]);
  piso_set_uint64_prop (self, &self->bytes_done, update->done, properties[PROP_BYTES_DONE]);
  if (self->seconds_left != update->seconds_left)
    {
      self->seconds_left = update->seconds_left;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_LEFT]);
    }
  if (piso_set_str (&self->status_text, text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

static void
stage_update_free (gpointer data)
{
  StageUpdate *update = data;

  g_object_unref (update->cloner);
  g_free (update);
}

static void
set_stage (PisoCloner      *self,
           PisoClonerStage  stage)
{
  StageUpdate update = { self, stage, 0, 0, -1 };

  apply_stage_update (&update);
}

/* ---- prepare ------------------------------------------------------------- */

typedef struct
{
  virDomainPtr  handle;
  char         *name;
  GPtrArray    *disks;     /* PisoCloneDisk */
  gboolean      has_tpm;
  char         *nvram;
} Inspection;

static void
inspection_free (Inspection *inspection)
{
  g_clear_pointer (&inspection->handle, virDomainFree);
  g_free (inspection->name);
  g_clear_pointer (&inspection->disks, g_ptr_array_unref);
  g_free (inspection->nvram);
  g_free (inspection);
}

/* The original must be off with nothing saved: a copy of disks in use is
 * a copy of a machine caught mid-write. */
static gboolean
check_off (virDomainPtr   handle,
           const char    *name,
           GError       **error)
{
  int state = VIR_DOMAIN_NOSTATE;

  if (virDomainGetState (handle, &state, NULL, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the state of “%s”"), name);
      return FALSE;
    }
  if (state != VIR_DOMAIN_SHUTOFF)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("“%s” must be shut down to be cloned."), name);
      return FALSE;
    }
  if (virDomainHasManagedSaveImage (handle, 0) == 1)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("“%s” has a saved state: start it and shut it down, or discard the saved "
                     "state, to clone it."), name);
      return FALSE;
    }
  virResetLastError ();
  return TRUE;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Inspection *inspection = task_data;
  virConnectPtr conn = virDomainGetConnect (inspection->handle);
  g_autoptr(PisoSnapshotMachine) facts = NULL;
  g_autofree char *xml = NULL;
  GError *error = NULL;

  if (!check_off (inspection->handle, inspection->name, &error) ||
      (xml = _piso_domain_inactive_xml (inspection->handle, inspection->name, &error)) == NULL ||
      (facts = _piso_snapshot_machine_parse (xml, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  inspection->has_tpm = facts->has_tpm;
  inspection->nvram = g_strdup (facts->nvram);
  inspection->disks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < facts->disks->len; i++)
    {
      const PisoSnapshotDisk *fact = g_ptr_array_index (facts->disks, i);
      PisoCloneDisk *disk = g_object_new (PISO_TYPE_CLONE_DISK, NULL);
      gboolean local = g_strcmp0 (fact->type, "file") == 0 || g_strcmp0 (fact->type, "block") == 0 ||
                       g_strcmp0 (fact->type, "volume") == 0;

      disk->target = g_strdup (fact->target);
      disk->device = g_strdup (fact->device);
      disk->type = g_strdup (fact->type);
      disk->path = g_strdup (fact->path);
      disk->pool = g_strdup (fact->pool);
      disk->format = g_strdup (fact->format);
      disk->read_only = fact->read_only;
      disk->shareable = fact->shareable;
      disk->transient = fact->transient;

      if (fact->path != NULL && local)
        {
          g_autoptr(GError) local_error = NULL;
          virStoragePoolPtr made_pool = NULL;
          virStorageVolPtr vol = piso_storage_volume_for_source (conn, fact->type, fact->path, fact->pool,
                                                                 &made_pool, &local_error);
          virStorageVolInfo info;

          /* A block device outside any pool has no volume: not copied. */
          disk->can_copy = vol != NULL;
          if (vol != NULL && virStorageVolGetInfo (vol, &info) == 0)
            {
              disk->capacity = info.capacity;
              disk->allocation = info.allocation;
            }
          if (vol != NULL)
            virStorageVolFree (vol);
          /* Only its size was wanted now; the run reaches it again. */
          piso_storage_drop_pool (made_pool);
          virResetLastError ();
        }

      /* virt-clone's defaults: what is read-only, shared or empty is shared. */
      if (fact->path == NULL || fact->read_only || fact->shareable || fact->transient)
        disk->action = PISO_CLONE_DISK_SHARE;
      else if (disk->can_copy)
        disk->action = PISO_CLONE_DISK_COPY;
      else
        disk->action = PISO_CLONE_DISK_SKIP;
      g_ptr_array_add (inspection->disks, disk);
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
name_taken (const char *name,
            gpointer    data)
{
  return data != NULL && piso_connection_lookup_machine_by_name (data, name) != NULL;
}

static void
prepare_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PisoCloner *self = PISO_CLONER (object);
  g_autoptr(GTask) outer = user_data;
  Inspection *inspection = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      return;
    }

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < inspection->disks->len; i++)
    g_signal_connect_object (g_ptr_array_index (inspection->disks, i), "notify::action",
                             G_CALLBACK (bytes_changed_cb), self, G_CONNECT_SWAPPED);
  g_list_store_splice (self->disks, 0, g_list_model_get_n_items (G_LIST_MODEL (self->disks)),
                       inspection->disks->pdata, inspection->disks->len);
  if (self->has_tpm != inspection->has_tpm)
    {
      self->has_tpm = inspection->has_tpm;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_TPM]);
    }
  if (piso_set_str (&self->nvram, inspection->nvram))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_NVRAM]);
  if (self->name == NULL)
    {
      g_autofree char *name = _piso_clone_free_name (piso_machine_get_name (self->source), name_taken,
                                                     piso_machine_get_connection (self->source));

      piso_cloner_set_name (self, name);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TO_COPY]);
  self->prepared = TRUE;
  g_object_thaw_notify (G_OBJECT (self));

  g_task_return_boolean (outer, TRUE);
}

void
piso_cloner_prepare_async (PisoCloner          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  Inspection *inspection;
  virDomainPtr handle;
  GError *error = NULL;

  g_return_if_fail (PISO_IS_CLONER (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, piso_cloner_prepare_async);
  if ((handle = _piso_machine_ref_handle_or_error (self->source, &error)) == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  inspection = g_new0 (Inspection, 1);
  inspection->handle = handle;
  inspection->name = g_strdup (piso_machine_get_display_name (self->source));
  inner = g_task_new (self, cancellable, prepare_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (inner, piso_cloner_prepare_async);
  g_task_set_task_data (inner, inspection, (GDestroyNotify) inspection_free);
  g_task_run_in_thread (inner, prepare_thread);
}

gboolean
piso_cloner_prepare_finish (PisoCloner    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (PISO_IS_CLONER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- run ----------------------------------------------------------------- */

/* Everything one run knows; the worker fills in what it made. */
typedef struct
{
  PisoCloner     *cloner;
  GMainContext   *context;
  PisoConnection *connection;
  virConnectPtr   conn;
  virDomainPtr    handle;
  char           *source_name;
  char           *source_uuid;
  char           *name;
  char           *uuid;
  gboolean        linked;
  GPtrArray      *disks;        /* PisoCloneDisk: what prepare read (not changed after) */
  GArray         *actions;      /* PisoCloneDiskAction per disk, as chosen when the run began */
  GHashTable     *macs;         /* in use on the connection */

  /* made by this run, undone on failure */
  GPtrArray      *volumes;      /* virStorageVolPtr */
  GPtrArray      *pools;        /* virStoragePoolPtr: transient, dropped at the end */
  PisoMachine    *machine;

  char           *xml;          /* the clone's definition */
  guint64         done;
  guint64         total;
  guint64         copy_base;    /* bytes of the copies finished before this one */
  gint64          started;      /* when the copies began (job_clock) */
  gint64          last_report;
} CloneJob;

static void
clone_job_free (CloneJob *job)
{
  g_clear_object (&job->cloner);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_object (&job->connection);
  g_clear_pointer (&job->handle, virDomainFree);
  g_clear_pointer (&job->conn, virConnectClose);
  g_free (job->source_name);
  g_free (job->source_uuid);
  g_free (job->name);
  g_free (job->uuid);
  g_clear_pointer (&job->disks, g_ptr_array_unref);
  g_clear_pointer (&job->actions, g_array_unref);
  g_clear_pointer (&job->macs, g_hash_table_unref);
  g_clear_pointer (&job->volumes, g_ptr_array_unref);
  if (job->pools != NULL)
    {
      for (guint i = 0; i < job->pools->len; i++)
        piso_storage_drop_pool (g_ptr_array_index (job->pools, i));
      g_ptr_array_unref (job->pools);
    }
  g_clear_object (&job->machine);
  g_free (job->xml);
  g_free (job);
}

static void
job_report (CloneJob        *job,
            PisoClonerStage  stage,
            guint64          done)
{
  StageUpdate *update;
  gint64 now = job_clock ();

  if (done < job->total && now - job->last_report < PROGRESS_INTERVAL_US)
    return;
  job->last_report = now;
  if (job->started == 0)
    job->started = now;

  update = g_new0 (StageUpdate, 1);
  update->cloner = g_object_ref (job->cloner);
  update->stage = stage;
  update->done = done;
  update->total = job->total;
  update->seconds_left = job->total > 0 ? _piso_progress_seconds_left (now - job->started, done, job->total)
                                        : -1;
  _piso_run_in_context (job->context, apply_stage_update,
                        update, stage_update_free);
}

static void
copy_progress (guint64  done,
               guint64  total,
               gpointer user_data)
{
  CloneJob *job = user_data;

  job_report (job, PISO_CLONER_STAGE_COPYING, job->copy_base + MIN (done, total));
}

/* The pool a volume lives in (for the copy's new volume). */
static virStoragePoolPtr
volume_pool (virStorageVolPtr   vol,
             GError           **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByVolume (vol);

  if (pool == NULL)
    _piso_set_error_from_libvirt (error, _("Could not find the storage pool of “%s”"),
                                  virStorageVolGetName (vol));
  return pool;
}

/* "qcow2" for "web.qcow2", or @fallback. */
static char *
extension_of (const char *name,
              const char *fallback)
{
  g_autofree char *base = g_path_get_basename (name);
  const char *dot = strrchr (base, '.');

  return g_strdup (dot != NULL && dot != base && dot[1] != '\0' ? dot + 1 : fallback);
}

static gboolean
copy_disk (CloneJob           *job,
           PisoCloneDisk      *disk,
           guint               index,
           PisoCloneDiskPlan  *plan,
           GCancellable       *cancellable,
           GError            **error)
{
  virStoragePoolPtr made_pool = NULL;
  virStoragePoolPtr pool = NULL;
  virStorageVolPtr source;
  virStorageVolPtr copy = NULL;
  g_autofree char *base = NULL;
  g_autofree char *ext = NULL;
  g_autofree char *vol_name = NULL;
  g_autofree char *source_path = NULL;
  const char *format = disk->format != NULL ? disk->format : "raw";
  virStorageVolInfo info;
  gboolean ok = FALSE;

  source = piso_storage_volume_for_source (job->conn, disk->type, disk->path, disk->pool, &made_pool, error);
  if (source == NULL)
    return FALSE;
  if (made_pool != NULL)
    g_ptr_array_add (job->pools, made_pool);
  if ((pool = volume_pool (source, error)) == NULL ||
      (source_path = virStorageVolGetPath (source)) == NULL ||
      virStorageVolGetInfo (source, &info) < 0)
    {
      if (error != NULL && *error == NULL)
        _piso_set_error_from_libvirt (error, _("Could not read the disk “%s”"), disk->path);
      goto out;
    }

  /* "web-clone.qcow2" for the first disk, "web-clone-vdb.qcow2" after;
   * a linked clone's disks are qcow2 whatever the original's format. */
  if (job->linked || g_strcmp0 (format, "qcow2") == 0)
    ext = g_strdup ("qcow2");
  else
    ext = extension_of (virStorageVolGetName (source), "img");
  base = index == 0 ? g_strdup (job->name) : g_strdup_printf ("%s-%s", job->name, disk->target);
  if ((vol_name = piso_storage_unique_volume_name (pool, base, ext, error)) == NULL)
    goto out;

  if (job->linked)
    copy = piso_storage_create_overlay (pool, vol_name, source_path, format, info.capacity, error);
  else
    copy = (test_hooks != NULL && test_hooks->copy != NULL ? test_hooks->copy
                                                           : piso_storage_copy_volume)
             (pool, source, vol_name, format, copy_progress, job, cancellable, error);
  if (copy == NULL)
    goto out;
  g_ptr_array_add (job->volumes, copy);
  job->copy_base += job->linked ? 0 : disk->allocation;

  plan->new_path = virStorageVolGetPath (copy);
  plan->new_format = g_strdup (job->linked ? "qcow2" : format);
  if (g_strcmp0 (disk->type, "volume") == 0)
    plan->new_volume = g_strdup (virStorageVolGetName (copy));
  ok = plan->new_path != NULL;
  if (!ok)
    _piso_set_error_from_libvirt (error, _("Could not find the file of the disk “%s”"), vol_name);

out:
  if (pool != NULL)
    virStoragePoolFree (pool);
  virStorageVolFree (source);
  return ok;
}

/* The clone's own UEFI variables: a copy of the original's, next to them. */
static char *
copy_nvram (CloneJob      *job,
            const char    *path,
            GCancellable  *cancellable,
            GError       **error)
{
  virStoragePoolPtr made_pool = NULL;
  virStoragePoolPtr pool = NULL;
  virStorageVolPtr source;
  virStorageVolPtr copy = NULL;
  g_autofree char *base = g_strdup_printf ("%s_VARS", job->name);
  g_autofree char *vol_name = NULL;
  g_autofree char *ext = NULL;
  char *new_path = NULL;

  source = piso_storage_volume_for_path (job->conn, path, &made_pool, error);
  if (source == NULL)
    return NULL;
  if (made_pool != NULL)
    g_ptr_array_add (job->pools, made_pool);
  ext = extension_of (path, "fd");
  if ((pool = volume_pool (source, error)) != NULL &&
      (vol_name = piso_storage_unique_volume_name (pool, base, ext, error)) != NULL &&
      (copy = piso_storage_copy_volume (pool, source, vol_name, "raw", NULL, NULL, cancellable, error)) != NULL)
    {
      g_ptr_array_add (job->volumes, copy);
      if ((new_path = virStorageVolGetPath (copy)) == NULL)
        _piso_set_error_from_libvirt (error, _("Could not find the file of the disk “%s”"), vol_name);
    }
  if (pool != NULL)
    virStoragePoolFree (pool);
  virStorageVolFree (source);
  return new_path;
}

/* Worker: checks, copies and the new definition's text. */
static gboolean
make_copies (CloneJob      *job,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func ((GDestroyNotify) _piso_clone_disk_plan_free);
  g_autoptr(PisoSnapshotMachine) facts = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *nvram = NULL;
  guint copied = 0;
  PisoCloneXmlPlan xml_plan = { 0 };

  if (!check_off (job->handle, job->source_name, error) ||
      !_piso_check_name_free (job->conn, job->name, error))
    return FALSE;
  if ((xml = _piso_domain_inactive_xml (job->handle, job->source_name, error)) == NULL ||
      (facts = _piso_snapshot_machine_parse (xml, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < job->disks->len; i++)
    {
      PisoCloneDisk *disk = g_ptr_array_index (job->disks, i);

      if (g_array_index (job->actions, PisoCloneDiskAction, i) == PISO_CLONE_DISK_COPY && !job->linked)
        job->total += disk->allocation;
    }
  job_report (job, PISO_CLONER_STAGE_COPYING, 0);

  for (guint i = 0; i < job->disks->len; i++)
    {
      PisoCloneDisk *disk = g_ptr_array_index (job->disks, i);
      PisoCloneDiskPlan *plan = g_new0 (PisoCloneDiskPlan, 1);

      plan->target = g_strdup (disk->target);
      plan->action = g_array_index (job->actions, PisoCloneDiskAction, i);
      g_ptr_array_add (plans, plan);
      if (plan->action != PISO_CLONE_DISK_COPY)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !copy_disk (job, disk, copied++, plan, cancellable, error))
        return FALSE;
    }

  if (facts->nvram != NULL &&
      (g_cancellable_set_error_if_cancelled (cancellable, error) ||
       (nvram = copy_nvram (job, facts->nvram, cancellable, error)) == NULL))
    return FALSE;
  job_report (job, PISO_CLONER_STAGE_COPYING, job->total);

  xml_plan.old_name = job->source_name;
  xml_plan.name = job->name;
  xml_plan.uuid = job->uuid;
  xml_plan.nvram_path = nvram;
  xml_plan.linked_to = job->linked ? job->source_uuid : NULL;
  xml_plan.disks = plans;
  xml_plan.macs = job->macs;
  job->xml = _piso_clone_rewrite_xml (xml, &xml_plan, error);
  return job->xml != NULL;
}

/* Worker: removes what this run made, newest first. */
static void
rollback (CloneJob *job)
{
  piso_storage_delete_volumes (job->volumes);
  if (job->machine != NULL)
    _piso_domain_undo_define (job->conn, piso_machine_get_uuid (job->machine), job->name);
  else
    /* A definition whose answer never came back is removed as well. */
    _piso_domain_undo_define (job->conn, job->uuid, job->name);
}

static void
run_finished (GTask *task)
{
  PisoCloner *self = g_task_get_source_object (task);

  self->running = FALSE;
  set_stage (self, PISO_CLONER_STAGE_PREPARING);
}

/* Undoes the run in a worker thread, then fails @task with @error. */
static void
run_fail (GTask  *owned_task,
          GError *error)
{
  _piso_fail_after_undo (owned_task, error, (PisoUndoFunc) rollback,
                         g_task_get_task_data (owned_task), run_finished);
}

static void
define_done (GTask  *owned_task,
             GError *error)
{
  g_autoptr(GTask) task = owned_task;
  CloneJob *job = g_task_get_task_data (task);

  if (error != NULL)
    {
      run_fail (g_steal_pointer (&task), error);
      return;
    }
  set_stage (job->cloner, PISO_CLONER_STAGE_DONE);
  job->cloner->running = FALSE;
  g_task_return_pointer (task, g_object_ref (job->machine), g_object_unref);
}

static void
copies_done (GTask  *owned_task,
             GError *error)
{
  CloneJob *job = g_task_get_task_data (owned_task);

  if (error != NULL)
    {
      run_fail (owned_task, error);
      return;
    }
  set_stage (job->cloner, PISO_CLONER_STAGE_DEFINING);
  _piso_define_for_task (owned_task, job->connection, job->xml, &job->machine, define_done);
}

/* Every MAC address on the connection, so the clone's are new. */
static GHashTable *
macs_in_use (PisoConnection *connection)
{
  GHashTable *macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GListModel *machines = piso_connection_get_machines (connection);

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (machines, i);
      GListModel *interfaces = piso_machine_get_interfaces (machine);

      for (guint j = 0; j < g_list_model_get_n_items (interfaces); j++)
        {
          g_autoptr(PisoNetInterface) iface = g_list_model_get_item (interfaces, j);
          const char *mac = piso_net_interface_get_mac (iface);

          if (mac != NULL)
            g_hash_table_add (macs, g_ascii_strdown (mac, -1));
        }
    }
  return macs;
}

void
piso_cloner_run_async (PisoCloner          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PisoConnection *connection;
  virDomainPtr handle = NULL;
  CloneJob *job;

  g_return_if_fail (PISO_IS_CLONER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_cloner_run_async);
  /* The rollback decides the result; GTask must not replace it by "cancelled". */
  g_task_set_check_cancellable (task, FALSE);

  connection = piso_machine_get_connection (self->source);
  if (self->running)
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                 _("This clone is already being made."));
  else if (!self->prepared)
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                 "piso_cloner_prepare_async() first");
  else if (piso_machine_validate_name (self->name, &error) && connection != NULL &&
           piso_connection_lookup_machine_by_name (connection, self->name) != NULL)
    g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                 _("A machine named “%s” already exists. Choose another name."), self->name);
  else
    handle = _piso_machine_ref_handle_or_error (self->source, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job = g_new0 (CloneJob, 1);
  job->cloner = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->connection = g_object_ref (connection);
  /* The machine's own connection handle, so both are the same daemon. */
  job->conn = virDomainGetConnect (handle);
  virConnectRef (job->conn);
  job->handle = handle;
  job->source_name = g_strdup (piso_machine_get_name (self->source));
  job->source_uuid = g_strdup (piso_machine_get_uuid (self->source));
  job->name = g_strdup (self->name);
  job->uuid = g_uuid_string_random ();
  job->linked = self->linked;
  job->disks = g_ptr_array_new_with_free_func (g_object_unref);
  job->actions = g_array_new (FALSE, FALSE, sizeof (PisoCloneDiskAction));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->disks)); i++)
    {
      PisoCloneDisk *disk = g_list_model_get_item (G_LIST_MODEL (self->disks), i);

      g_ptr_array_add (job->disks, disk);
      g_array_append_val (job->actions, disk->action);
    }
  job->macs = macs_in_use (connection);
  job->volumes = g_ptr_array_new ();
  job->pools = g_ptr_array_new ();
  g_task_set_task_data (task, job, (GDestroyNotify) clone_job_free);

  self->running = TRUE;
  set_stage (self, PISO_CLONER_STAGE_PREPARING);
  _piso_run_step_in_thread (g_steal_pointer (&task), piso_cloner_run_async,
                            (PisoStepFunc) make_copies, copies_done);
}

PisoMachine *
piso_cloner_run_finish (PisoCloner    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (PISO_IS_CLONER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
