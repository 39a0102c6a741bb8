/* piso-snapshots-ops.c: take, revert, describe and delete snapshots (worker threads)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshots-ops"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-private.h"
#include "piso-snapshots-private.h"
#include "piso-domain-xml-private.h"

#define SHUTDOWN_POLL_US  (250 * 1000)
/* How often a reverted guest's agent is asked to set its clock, a second
 * apart (it is a courtesy: the guest's own time sync fixes it as well). */
#define AGENT_CLOCK_TRIES 5

static virDomainSnapshotPtr
lookup_snapshot (PisoSnapshotsOp  *op,
                 GError          **error)
{
  virDomainSnapshotPtr snap = virDomainSnapshotLookupByName (op->handle, op->snapshot, 0);

  if (snap == NULL)
    _piso_set_error_from_libvirt (error, _("The snapshot “%s” of “%s” is gone"), op->snapshot, op->name);
  return snap;
}

static gboolean
domain_state (PisoSnapshotsOp  *op,
              int              *state,
              GError          **error)
{
  if (virDomainGetState (op->handle, state, NULL, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the state of “%s”"), op->name);
      return FALSE;
    }
  return TRUE;
}

/* Removes the labels of the @n first @names (snapshots that are gone).
 * Only a courtesy to the list: a failure is logged, a stale label shows
 * nowhere. */
static void
forget_labels (PisoSnapshotsOp    *op,
               const char * const *names,
               guint               n)
{
  g_autoptr(GHashTable) labels = NULL;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  if ((labels = _piso_snapshot_labels_read (op->handle, &error)) == NULL)
    {
      g_debug ("%s", error->message);
      return;
    }
  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    changed |= g_hash_table_remove (labels, names[i]);
  if (changed && !_piso_snapshot_labels_write (op->handle, labels, &error))
    g_warning ("%s", error->message);
}

static gboolean
labels_equal (GHashTable *a,
              GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (value, g_hash_table_lookup (b, key)) != 0)
      return FALSE;
  return TRUE;
}

/* ---- take ---------------------------------------------------------------- */

/* The screen, for the list. QXL answers a screenshot with the frame it had
 * rendered before (QEMU LP#1314293), so the second one is the current
 * screen, as virt-manager found. */
static GBytes *
take_picture (virDomainPtr   handle,
              const char    *name,
              GCancellable  *cancellable,
              char         **mime_type)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_type = NULL;
  GBytes *second;

  first = _piso_domain_screenshot (handle, name, 0, cancellable, &first_type, &error);
  if (first == NULL)
    {
      g_debug ("No picture for the snapshot of %s: %s", name, error->message);
      return NULL;
    }
  second = _piso_domain_screenshot (handle, name, 0, cancellable, mime_type, NULL);
  if (second != NULL)
    return second;
  *mime_type = g_steal_pointer (&first_type);
  return g_steal_pointer (&first);
}

static gboolean
take_snapshot (PisoSnapshotsOp  *op,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autoptr(GString) xml = g_string_new ("<domainsnapshot>");
  g_autofree char *name = g_markup_escape_text (op->snapshot, -1);
  virDomainSnapshotPtr snap;
  unsigned int flags = 0;
  gboolean active;
  int state = VIR_DOMAIN_NOSTATE;
  gint64 start;

  if (!domain_state (op, &state, error))
    return FALSE;
  active = state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_BLOCKED;

  g_string_append_printf (xml, "<name>%s</name>", name);
  if (op->description != NULL && *op->description != '\0')
    {
      g_autofree char *description = g_markup_escape_text (op->description, -1);

      g_string_append_printf (xml, "<description>%s</description>", description);
    }
  if (op->kind == PISO_SNAPSHOT_KIND_EXTERNAL)
    {
      if (active)
        {
          g_autofree char *file = g_markup_escape_text (op->memory_file, -1);

          g_string_append_printf (xml, "<memory snapshot='external' file='%s'/>", file);
        }
      else
        flags |= VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
      flags |= VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC;
    }
  g_string_append (xml, op->disks_xml);
  g_string_append (xml, "</domainsnapshot>");

  start = g_get_monotonic_time ();
  snap = virDomainSnapshotCreateXML (op->handle, xml->str, flags);
  g_debug ("%s: snapshot %s made in %.0f ms", op->name, op->snapshot, (g_get_monotonic_time () - start) / 1000.0);
  if (snap == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not take a snapshot of “%s”"), op->name);
      return FALSE;
    }
  virDomainSnapshotFree (snap);

  /* A label left by a deleted snapshot of the same name (another program
   * deleted it) belongs to that one, not to this one. */
  if (op->forget_label)
    forget_labels (op, (const char * const[]) { op->snapshot }, 1);
  return TRUE;
}

/* The picture of a snapshot of a running machine is taken just after it:
 * the guest stood still while QEMU wrote the snapshot, so the screen is the
 * one it was taken on, and the caller does not wait for two screenshots
 * (they cost as much as a small guest's snapshot). */
typedef struct
{
  virDomainPtr  handle;
  char         *name;
  char         *uuid;
  char         *snapshot;
} Picture;

static void
picture_free (Picture *picture)
{
  g_clear_pointer (&picture->handle, virDomainFree);
  g_free (picture->name);
  g_free (picture->uuid);
  g_free (picture->snapshot);
  g_free (picture);
}

static void
picture_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Picture *picture = task_data;
  g_autoptr(GBytes) image = NULL;
  g_autofree char *mime_type = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  image = take_picture (picture->handle, picture->name, cancellable, &mime_type);
  g_debug ("%s: picture in %.0f ms", picture->name, (g_get_monotonic_time () - start) / 1000.0);
  if (image != NULL &&
      !_piso_snapshot_screenshot_save (picture->uuid, picture->snapshot, image, mime_type, &error))
    g_debug ("Could not keep the picture of %s: %s", picture->snapshot, error->message);
  g_task_return_boolean (task, image != NULL && error == NULL);
}

static void
picture_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PisoSnapshot) snapshot = user_data;

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    _piso_snapshot_screenshot_changed (snapshot);
}

static void
keep_picture (PisoSnapshots *self,
              PisoSnapshot  *snapshot)
{
  PisoMachine *machine = piso_snapshots_get_machine (self);
  g_autoptr(GTask) task = NULL;
  Picture *picture;
  virDomainPtr handle;

  if (machine == NULL || (handle = _piso_machine_ref_handle (machine)) == NULL)
    return;
  picture = g_new0 (Picture, 1);
  picture->handle = handle;
  picture->name = g_strdup (piso_machine_get_display_name (machine));
  picture->uuid = g_strdup (piso_machine_get_uuid (machine));
  picture->snapshot = g_strdup (piso_snapshot_get_name (snapshot));
  task = g_task_new (self, NULL, picture_done, g_object_ref (snapshot));
  g_task_set_source_tag (task, keep_picture);
  g_task_set_task_data (task, picture, (GDestroyNotify) picture_free);
  g_task_run_in_thread (task, picture_thread);
}

static gboolean
shut_down_and_take (PisoSnapshotsOp  *op,
                    GCancellable     *cancellable,
                    GError          **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) op->timeout_s * G_USEC_PER_SEC;
  int state = VIR_DOMAIN_NOSTATE;

  if (!domain_state (op, &state, error))
    return FALSE;
  if (state != VIR_DOMAIN_SHUTOFF && virDomainShutdown (op->handle) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not shut down “%s”"), op->name);
      return FALSE;
    }

  while (state != VIR_DOMAIN_SHUTOFF)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                       _("“%s” did not shut down within %u seconds, so no snapshot was taken. "
                         "Shut it down from inside, or force it off, and take the snapshot then."),
                       op->name, op->timeout_s);
          return FALSE;
        }
      g_usleep (SHUTDOWN_POLL_US);
      if (!domain_state (op, &state, error))
        return FALSE;
    }

  return take_snapshot (op, cancellable, error);
}

/* The <disks> of a new snapshot: every disk named, so that read-only and
 * empty ones are left out explicitly (an ISO is raw and would make libvirt
 * refuse an internal snapshot). */
static char *
disks_xml (const PisoSnapshotMachine *facts,
           PisoSnapshotKind           kind)
{
  g_autoptr(GString) xml = g_string_new ("<disks>");

  for (guint i = 0; i < facts->disks->len; i++)
    {
      const PisoSnapshotDisk *disk = g_ptr_array_index (facts->disks, i);
      g_autofree char *target = NULL;

      if (disk->target == NULL)
        continue;
      target = g_markup_escape_text (disk->target, -1);
      g_string_append_printf (xml, "<disk name='%s' snapshot='%s'/>", target,
                              !_piso_snapshot_disk_matters (disk) ? "no"
                              : kind == PISO_SNAPSHOT_KIND_EXTERNAL ? "external" : "internal");
    }
  g_string_append (xml, "</disks>");
  return g_string_free (g_steal_pointer (&xml), FALSE);
}

/* Where an external snapshot of a running machine keeps its memory: beside
 * its first disk, as virt-manager does. */
static char *
memory_file (const PisoSnapshotMachine *facts,
             const char                *machine_name,
             const char                *snapshot)
{
  for (guint i = 0; i < facts->disks->len; i++)
    {
      const PisoSnapshotDisk *disk = g_ptr_array_index (facts->disks, i);

      if (_piso_snapshot_disk_matters (disk) && g_strcmp0 (disk->type, "file") == 0)
        {
          g_autofree char *dir = g_path_get_dirname (disk->path);
          g_autofree char *base = g_strdup_printf ("%s-%s.mem", machine_name, snapshot);

          return g_build_filename (dir, base, NULL);
        }
    }
  return NULL;
}

typedef struct
{
  char    *name;
  char    *description;
  guint    timeout_s;
  gboolean shut_down;
  gboolean picture;     /* the machine runs: keep a picture of its screen */
} TakeArgs;

static void
take_args_free (TakeArgs *args)
{
  g_free (args->name);
  g_free (args->description);
  g_free (args);
}

static void take_done_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
take_now (PisoSnapshots *self,
          GTask         *task)
{
  TakeArgs *args = g_task_get_task_data (task);
  const PisoSnapshotPolicy *policy = _piso_snapshots_get_policy (self);
  const PisoSnapshotMachine *facts = _piso_snapshots_get_facts (self);
  gpointer source_tag = g_task_get_source_tag (task);
  GError *error = NULL;
  PisoSnapshotsOp *op;
  g_autofree char *name = NULL;

  name = args->name != NULL ? g_strdup (args->name) : piso_snapshots_suggest_name (self);
  if (!piso_snapshots_validate_name (self, name, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (policy->limit != PISO_SNAPSHOT_LIMIT_NONE &&
      !(args->shut_down && policy->limit == PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN))
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR,
                               policy->limit == PISO_SNAPSHOT_LIMIT_WRONG_STATE
                               ? PISO_BACKEND_ERROR_INVALID_STATE : PISO_BACKEND_ERROR_UNSUPPORTED,
                               "%s", policy->message != NULL ? policy->message
                                                             : _("No snapshot can be taken now."));
      return;
    }
  if ((op = _piso_snapshots_op_new (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  op->func = args->shut_down ? shut_down_and_take : take_snapshot;
  args->picture = policy->with_memory && !args->shut_down;
  op->snapshot = g_strdup (name);
  op->description = g_strdup (args->description);
  op->forget_label = g_hash_table_contains (facts->labels, name);
  op->timeout_s = args->timeout_s;
  op->disks_xml = disks_xml (facts, op->kind);
  if (op->kind == PISO_SNAPSHOT_KIND_EXTERNAL)
    op->memory_file = memory_file (facts, piso_machine_get_name (piso_snapshots_get_machine (self)), name);

  /* The caller hears once the list has the snapshot. */
  g_object_set_data_full (G_OBJECT (task), "piso-snapshot-name", g_steal_pointer (&name), g_free);
  _piso_snapshots_run_op (self, op, source_tag, g_task_get_cancellable (task), take_done_cb,
                          g_object_ref (task));
}

static void
take_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PisoSnapshots *self = PISO_SNAPSHOTS (object);
  g_autoptr(GTask) task = user_data;
  const char *name = g_object_get_data (G_OBJECT (task), "piso-snapshot-name");
  GError *error = NULL;
  PisoSnapshot *snapshot;

  if (!_piso_snapshots_op_finish (self, result, g_task_get_source_tag (task), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  snapshot = piso_snapshots_lookup (self, name);
  if (snapshot == NULL)
    g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                             _("The snapshot “%s” was taken but is not in the list."), name);
  else
    {
      if (((TakeArgs *) g_task_get_task_data (task))->picture)
        keep_picture (self, snapshot);
      g_task_return_pointer (task, g_object_ref (snapshot), g_object_unref);
    }
}

static void
take_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    take_now (PISO_SNAPSHOTS (object), task);
}

static void
start_take (PisoSnapshots       *self,
            gpointer             source_tag,
            const char          *name,
            const char          *description,
            gboolean             shut_down,
            guint                timeout_s,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TakeArgs *args = g_new0 (TakeArgs, 1);

  g_return_if_fail (PISO_IS_SNAPSHOTS (self));

  args->name = g_strdup (name);
  args->description = g_strdup (description);
  args->shut_down = shut_down;
  args->timeout_s = timeout_s;
  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, args, (GDestroyNotify) take_args_free);

  /* The policy comes with the list: read it first when it was never read. */
  if (!piso_snapshots_get_loaded (self))
    _piso_snapshots_refresh_then (self, take_loaded_cb, g_steal_pointer (&task));
  else
    take_now (self, task);
}

static PisoSnapshot *
take_finish (PisoSnapshots  *self,
             GAsyncResult   *result,
             gpointer        source_tag,
             GError        **error)
{
  g_return_val_if_fail (PISO_IS_SNAPSHOTS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
piso_snapshots_take_async (PisoSnapshots       *self,
                           const char          *name,
                           const char          *description,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  start_take (self, piso_snapshots_take_async, name, description, FALSE, 0,
              cancellable, callback, user_data);
}

PisoSnapshot *
piso_snapshots_take_finish (PisoSnapshots  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  return take_finish (self, result, piso_snapshots_take_async, error);
}

void
piso_snapshots_shut_down_and_take_async (PisoSnapshots       *self,
                                         const char          *name,
                                         const char          *description,
                                         guint                timeout_s,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  start_take (self, piso_snapshots_shut_down_and_take_async, name, description, TRUE, timeout_s,
              cancellable, callback, user_data);
}

PisoSnapshot *
piso_snapshots_shut_down_and_take_finish (PisoSnapshots  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  return take_finish (self, result, piso_snapshots_shut_down_and_take_async, error);
}

/* ---- revert -------------------------------------------------------------- */

/* After a revert to a running snapshot the guest's clock is where it was
 * then; its agent, when there is one, sets it to now. The agent needs a
 * moment to answer again, and it is only a courtesy: failures are logged. */
static void
set_guest_clock (PisoSnapshotsOp *op)
{
  for (guint i = 0; i < AGENT_CLOCK_TRIES; i++)
    {
      gint64 now = g_get_real_time ();

      if (virDomainSetTime (op->handle, now / G_USEC_PER_SEC,
                            (unsigned int) (now % G_USEC_PER_SEC) * 1000, 0) == 0)
        return;
      g_debug ("Setting the clock of %s: %s", op->name, virGetLastErrorMessage ());
      virResetLastError ();
      g_usleep (G_USEC_PER_SEC);
    }
}

static gboolean
revert_snapshot (PisoSnapshotsOp  *op,
                 GCancellable     *cancellable,
                 GError          **error)
{
  virDomainSnapshotPtr snap = lookup_snapshot (op, error);
  g_autoptr(GHashTable) labels = NULL;
  g_autoptr(GHashTable) reverted = NULL;
  g_autoptr(GError) labels_error = NULL;
  unsigned int flags = 0;
  int state = VIR_DOMAIN_NOSTATE;

  if (snap == NULL)
    return FALSE;

  /* A managed save belongs to the state being left; restoring it later
   * over the reverted disks would corrupt them (virt-manager removes it
   * too). */
  if (virDomainHasManagedSaveImage (op->handle, 0) == 1 &&
      virDomainManagedSaveRemove (op->handle, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not drop the saved state of “%s” before reverting"),
                                    op->name);
      virDomainSnapshotFree (snap);
      return FALSE;
    }
  virResetLastError ();

  /* The definition saved with the snapshot comes back with the labels it
   * had then; the user's names are today's. */
  if ((labels = _piso_snapshot_labels_read (op->handle, &labels_error)) == NULL)
    g_debug ("%s", labels_error->message);

  if ((op->flags & PISO_SNAPSHOT_REVERT_FORCE) != 0)
    flags |= VIR_DOMAIN_SNAPSHOT_REVERT_FORCE;
  if (virDomainRevertToSnapshot (snap, flags) < 0)
    {
      virErrorPtr verr = virGetLastError ();

      if (verr != NULL && verr->code == VIR_ERR_SNAPSHOT_REVERT_RISKY)
        g_set_error (error, PISO_SNAPSHOT_ERROR, PISO_SNAPSHOT_ERROR_RISKY,
                     _("Reverting “%s” to “%s” is risky: %s"), op->name, op->snapshot, verr->message);
      else
        _piso_set_error_from_libvirt (error, _("Could not revert “%s” to “%s”"), op->name, op->snapshot);
      virDomainSnapshotFree (snap);
      return FALSE;
    }
  virDomainSnapshotFree (snap);

  if (labels != NULL &&
      ((reverted = _piso_snapshot_labels_read (op->handle, &labels_error)) == NULL ||
       !labels_equal (labels, reverted)) &&
      !_piso_snapshot_labels_write (op->handle, labels, &labels_error))
    g_warning ("%s", labels_error->message);

  if (op->memory && op->has_agent && domain_state (op, &state, NULL) && state == VIR_DOMAIN_RUNNING)
    set_guest_clock (op);
  return TRUE;
}

static PisoSnapshotsOp *
snapshot_op_new (PisoSnapshots  *self,
                 PisoSnapshot   *snapshot,
                 GError        **error)
{
  PisoSnapshotsOp *op = _piso_snapshots_op_new (self, error);

  if (op != NULL)
    op->snapshot = g_strdup (piso_snapshot_get_name (snapshot));
  return op;
}

void
piso_snapshots_revert_async (PisoSnapshots           *self,
                             PisoSnapshot            *snapshot,
                             PisoSnapshotRevertFlags  flags,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  GError *error = NULL;
  PisoSnapshotsOp *op;

  g_return_if_fail (PISO_IS_SNAPSHOTS (self));
  g_return_if_fail (PISO_IS_SNAPSHOT (snapshot));

  if (!piso_snapshot_get_can_revert (snapshot))
    {
      _piso_snapshots_fail (self, piso_snapshots_revert_async,
                            g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                                         _("This host’s libvirt cannot revert to “%s”: it is an "
                                           "external snapshot, and those can be reverted from "
                                           "libvirt 9.9 on."), piso_snapshot_get_name (snapshot)),
                            callback, user_data);
      return;
    }
  if ((op = snapshot_op_new (self, snapshot, &error)) == NULL)
    {
      _piso_snapshots_fail (self, piso_snapshots_revert_async, error, callback, user_data);
      return;
    }
  op->func = revert_snapshot;
  op->flags = flags;
  op->memory = piso_snapshot_get_has_memory (snapshot);
  _piso_snapshots_run_op (self, op, piso_snapshots_revert_async, cancellable, callback, user_data);
}

gboolean
piso_snapshots_revert_finish (PisoSnapshots  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return _piso_snapshots_op_finish (self, result, piso_snapshots_revert_async, error);
}

/* ---- rename and describe ------------------------------------------------- */

static gboolean
describe_snapshot (PisoSnapshotsOp  *op,
                   GError          **error)
{
  virDomainSnapshotPtr snap = lookup_snapshot (op, error);
  virDomainSnapshotPtr redefined;
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *xml = NULL;
  xmlNodePtr node;
  unsigned int flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
  char *raw;

  if (snap == NULL)
    return FALSE;
  raw = virDomainSnapshotGetXMLDesc (snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
  if (virDomainSnapshotIsCurrent (snap, 0) == 1)
    flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
  virResetLastError ();
  virDomainSnapshotFree (snap);
  if (raw == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the snapshot “%s”"), op->snapshot);
      return FALSE;
    }
  doc = _piso_xml_parse_root (raw, "domainsnapshot", error);
  free (raw);
  if (doc == NULL)
    return FALSE;

  node = _piso_xml_node (doc, NULL, "/domainsnapshot/description");
  if (op->description == NULL || *op->description == '\0')
    {
      if (node != NULL)
        _piso_xml_remove (node);
    }
  else
    _piso_xml_set_text (_piso_xml_ensure_child (xmlDocGetRootElement (doc), "description"),
                        op->description);
  xml = _piso_xml_to_string (doc);

  /* Redefining replaces the metadata only: the snapshot's data stays. */
  redefined = virDomainSnapshotCreateXML (op->handle, xml, flags);
  if (redefined == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not change the description of “%s”"), op->snapshot);
      return FALSE;
    }
  virDomainSnapshotFree (redefined);
  return TRUE;
}

static gboolean
edit_snapshot (PisoSnapshotsOp  *op,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autoptr(GHashTable) labels = NULL;
  virDomainSnapshotPtr snap;

  if (op->describe)
    {
      if (!describe_snapshot (op, error))
        return FALSE;
    }
  else if ((snap = lookup_snapshot (op, error)) == NULL)
    return FALSE;
  else
    virDomainSnapshotFree (snap);

  if ((labels = _piso_snapshot_labels_read (op->handle, error)) == NULL)
    return FALSE;
  if (g_strcmp0 (g_hash_table_lookup (labels, op->snapshot), op->label) == 0)
    return TRUE;
  if (op->label != NULL)
    g_hash_table_replace (labels, g_strdup (op->snapshot), g_strdup (op->label));
  else
    g_hash_table_remove (labels, op->snapshot);
  if (!_piso_snapshot_labels_write (op->handle, labels, error))
    {
      g_prefix_error (error, _("Could not rename “%s”: "), op->snapshot);
      return FALSE;
    }
  return TRUE;
}

static char *
normalized (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));

  return copy[0] != '\0' ? g_steal_pointer (&copy) : NULL;
}

void
piso_snapshots_edit_async (PisoSnapshots       *self,
                           PisoSnapshot        *snapshot,
                           const char          *display_name,
                           const char          *description,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autofree char *label = normalized (display_name);
  g_autofree char *text = normalized (description);
  GError *error = NULL;
  PisoSnapshotsOp *op;

  g_return_if_fail (PISO_IS_SNAPSHOTS (self));
  g_return_if_fail (PISO_IS_SNAPSHOT (snapshot));

  if ((op = snapshot_op_new (self, snapshot, &error)) == NULL)
    {
      _piso_snapshots_fail (self, piso_snapshots_edit_async, error, callback, user_data);
      return;
    }
  op->func = edit_snapshot;
  /* The snapshot's own name needs no label. */
  if (g_strcmp0 (label, piso_snapshot_get_name (snapshot)) != 0)
    op->label = g_steal_pointer (&label);
  op->describe = g_strcmp0 (text, piso_snapshot_get_description (snapshot)) != 0;
  op->description = g_steal_pointer (&text);
  _piso_snapshots_run_op (self, op, piso_snapshots_edit_async, cancellable, callback, user_data);
}

gboolean
piso_snapshots_edit_finish (PisoSnapshots  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  return _piso_snapshots_op_finish (self, result, piso_snapshots_edit_async, error);
}

/* ---- delete -------------------------------------------------------------- */

static gboolean
delete_snapshots (PisoSnapshotsOp  *op,
                  GCancellable     *cancellable,
                  GError          **error)
{
  for (guint i = 0; op->names[i] != NULL; i++)
    {
      virDomainSnapshotPtr snap = virDomainSnapshotLookupByName (op->handle, op->names[i], 0);
      int deleted;

      if (snap == NULL)
        {
          virErrorPtr verr = virGetLastError ();

          /* Already gone is what was asked. */
          if (verr != NULL && verr->code == VIR_ERR_NO_DOMAIN_SNAPSHOT)
            {
              virResetLastError ();
              _piso_snapshot_screenshot_remove (op->uuid, op->names[i]);
              continue;
            }
        }
      deleted = snap != NULL ? virDomainSnapshotDelete (snap, 0) : -1;
      if (snap != NULL)
        virDomainSnapshotFree (snap);
      if (deleted < 0)
        {
          g_autofree char *rest = g_strjoinv ("”, “", op->names + i);

          /* Translators: the last %s is a list of snapshot names */
          _piso_set_error_from_libvirt (error, _("Could not delete the snapshot “%s” of “%s” (not "
                                                 "deleted: “%s”)"),
                                        op->names[i], op->name, rest);
          forget_labels (op, (const char * const *) op->names, i);
          return FALSE;
        }
      _piso_snapshot_screenshot_remove (op->uuid, op->names[i]);
    }
  forget_labels (op, (const char * const *) op->names, g_strv_length (op->names));
  return TRUE;
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  PisoSnapshot *x = *(PisoSnapshot * const *) a;
  PisoSnapshot *y = *(PisoSnapshot * const *) b;
  gint64 tx = piso_snapshot_get_creation_time (x);
  gint64 ty = piso_snapshot_get_creation_time (y);

  return tx == ty ? 0 : tx > ty ? -1 : 1;
}

void
piso_snapshots_delete_async (PisoSnapshots       *self,
                             const char * const  *names,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) ordered = g_strv_builder_new ();
  GError *error = NULL;
  PisoSnapshotsOp *op;

  g_return_if_fail (PISO_IS_SNAPSHOTS (self));
  g_return_if_fail (names != NULL);

  /* Newest first: children go before their parents, so no snapshot is
   * re-parented only to be deleted next. */
  for (guint i = 0; names[i] != NULL; i++)
    {
      PisoSnapshot *snapshot = piso_snapshots_lookup (self, names[i]);

      if (snapshot == NULL)
        {
          _piso_snapshots_fail (self, piso_snapshots_delete_async,
                                g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                                             _("There is no snapshot named “%s”. Nothing was deleted."),
                                             names[i]),
                                callback, user_data);
          return;
        }
      g_ptr_array_add (snapshots, snapshot);
    }
  g_ptr_array_sort (snapshots, compare_newest_first);
  for (guint i = 0; i < snapshots->len; i++)
    g_strv_builder_add (ordered, piso_snapshot_get_name (g_ptr_array_index (snapshots, i)));

  if ((op = _piso_snapshots_op_new (self, &error)) == NULL)
    {
      _piso_snapshots_fail (self, piso_snapshots_delete_async, error, callback, user_data);
      return;
    }
  op->func = delete_snapshots;
  op->names = g_strv_builder_end (ordered);
  _piso_snapshots_run_op (self, op, piso_snapshots_delete_async, cancellable, callback, user_data);
}

gboolean
piso_snapshots_delete_finish (PisoSnapshots  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return _piso_snapshots_op_finish (self, result, piso_snapshots_delete_async, error);
}
