/* piso-migration.c: a machine moved to another host
 *
 * libvirt-glib has no migration call, so this uses libvirt's C API on the
 * handles of the machine and of the destination's connection, each call in
 * a worker thread. A running machine moves with virDomainMigrate3 in the
 * "managed direct" way (the way virt-manager does it): Piso holds both
 * connections and drives the steps; the memory goes straight from the
 * source's QEMU to the destination's over TCP. The data address is given
 * explicitly (VIR_MIGRATE_PARAM_URI): without one the destination offers
 * its own host name, which libvirt refuses when it resolves to localhost,
 * and no trust between the two hosts is needed (peer-to-peer would have
 * the source's daemon log in to the destination with its own credentials).
 *
 * While the transfer runs, a timeout on the main loop reads the job's
 * statistics every half second, each read in a worker thread of its own
 * (the main loop never waits for a daemon); a cancel is sent the same way,
 * as virDomainAbortJob. On failure or abort libvirt resumes the machine on
 * the source.
 *
 * When the destination does not see a running machine's disks, they can
 * be copied while it moves ("copy-storage"): Piso makes a volume of the
 * same format and virtual size for each in the pool chosen on the
 * destination, hands the destination a definition that points at them
 * (DEST_XML, and PERSIST_XML for the definition kept there) and has QEMU
 * mirror the disks before the memory (NON_SHARED_DISK with the disks
 * named in MIGRATE_DISKS, the same on libvirt 9.0 and 11.x). A failed or
 * cancelled run deletes the volumes it made; the source's disks stay
 * after a move, as libvirt leaves them (they are the user's files, and
 * undefining a machine never deletes its storage).
 *
 * A shut-off machine has no memory to send: its definition is defined on
 * the destination, and removed from the source once that worked. Disks
 * the destination does not see are copied first, into the pool chosen
 * there: each into a new, empty volume of the size of its file, through
 * libvirt's streams (a download on the source's connection fed, chunk by
 * chunk in the worker thread, into an upload on the destination's; holes
 * stay holes where both daemons can send them, piso_storage_copy_between),
 * so this works between any two hosts Piso is connected to, without them
 * trusting each other. The bytes are the image file's (a qcow2 arrives as
 * the same qcow2); a disk with a backing file is refused (its file alone
 * is not the disk: export and import flattens it). Progress is the bytes
 * copied of all the files, read by the same half-second timeout; a cancel
 * aborts both streams. A failed or cancelled copy, or a failed definition,
 * deletes every volume made on the destination, and the machine stays as
 * it was on the source; after a move the source's disk files stay too.
 * The UEFI variables file travels the same way, into the same pool, and
 * the destination's definition names the copy; a TPM's state does not
 * (libvirt has no way to reach it: the pre-flight says so).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-migration"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "piso-connection.h"
#include "piso-machine.h"
#include "piso-migration-private.h"
#include "piso-storage.h"

#define POLL_INTERVAL_MS 500

typedef struct
{
  PisoMigrationHosts hosts;
  gboolean           temporary;
  guint64            bandwidth;
  char              *data_uri;    /* where the source's QEMU sends to, or NULL */
  gint               transferring;/* atomic: the migration call runs */

  /* a shut-off machine's disks being copied (worker thread, under @lock) */
  GMutex             lock;
  gboolean           copying;
  guint64            copied;      /* of the disks done before this one */
  guint64            copy_done;
  guint64            copy_total;
  gint64             copy_started;/* monotonic µs */
} MigrationJob;

struct _PisoMigration
{
  GObject         parent_instance;

  PisoMachine    *machine;
  PisoConnection *destination;
  gboolean        temporary;
  guint64         bandwidth;
  char           *storage_pool;
  gboolean        needs_storage;
  GStrv           storage_pools;
  char           *notice;
  guint64         bytes_done;
  guint64         bytes_total;
  gint64          seconds_left;

  /* while a run or check is under way (main thread) */
  gboolean        running;
  MigrationJob   *job;           /* owned by the run's task */
  GCancellable   *cancellable;
  GSource        *poll;
  gboolean        polling;
  gboolean        abort_sent;
};

G_DEFINE_FINAL_TYPE (PisoMigration, piso_migration, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_DESTINATION,
  PROP_TEMPORARY,
  PROP_BANDWIDTH,
  PROP_STORAGE_POOL,
  PROP_NEEDS_STORAGE,
  PROP_NOTICE,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_SECONDS_LEFT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
stop_polling (PisoMigration *self)
{
  if (self->poll != NULL)
    g_source_destroy (self->poll);
  g_clear_pointer (&self->poll, g_source_unref);
}

static void
piso_migration_dispose (GObject *object)
{
  PisoMigration *self = PISO_MIGRATION (object);

  stop_polling (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->machine);
  g_clear_object (&self->destination);
  G_OBJECT_CLASS (piso_migration_parent_class)->dispose (object);
}

static void
piso_migration_finalize (GObject *object)
{
  PisoMigration *self = PISO_MIGRATION (object);

  g_free (self->storage_pool);
  g_strfreev (self->storage_pools);
  g_free (self->notice);
  G_OBJECT_CLASS (piso_migration_parent_class)->finalize (object);
}

static void
piso_migration_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PisoMigration *self = PISO_MIGRATION (object);

  switch (prop_id)
    {
    case PROP_MACHINE: g_value_set_object (value, self->machine); break;
    case PROP_DESTINATION: g_value_set_object (value, self->destination); break;
    case PROP_TEMPORARY: g_value_set_boolean (value, self->temporary); break;
    case PROP_BANDWIDTH: g_value_set_uint64 (value, self->bandwidth); break;
    case PROP_STORAGE_POOL: g_value_set_string (value, self->storage_pool); break;
    case PROP_NEEDS_STORAGE: g_value_set_boolean (value, self->needs_storage); break;
    case PROP_NOTICE: g_value_set_string (value, self->notice); break;
    case PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    case PROP_SECONDS_LEFT: g_value_set_int64 (value, self->seconds_left); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_migration_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PisoMigration *self = PISO_MIGRATION (object);

  switch (prop_id)
    {
    case PROP_MACHINE: self->machine = g_value_dup_object (value); break;
    case PROP_DESTINATION: self->destination = g_value_dup_object (value); break;
    case PROP_TEMPORARY: piso_migration_set_temporary (self, g_value_get_boolean (value)); break;
    case PROP_BANDWIDTH: piso_migration_set_bandwidth (self, g_value_get_uint64 (value)); break;
    case PROP_STORAGE_POOL: piso_migration_set_storage_pool (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_migration_class_init (PisoMigrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_migration_dispose;
  object_class->finalize = piso_migration_finalize;
  object_class->get_property = piso_migration_get_property;
  object_class->set_property = piso_migration_set_property;

  properties[PROP_MACHINE] = g_param_spec_object ("machine", NULL, NULL, PISO_TYPE_MACHINE, construct);
  properties[PROP_DESTINATION] =
    g_param_spec_object ("destination", NULL, NULL, PISO_TYPE_CONNECTION, construct);
  properties[PROP_TEMPORARY] = g_param_spec_boolean ("temporary", NULL, NULL, FALSE, rw);
  properties[PROP_BANDWIDTH] = g_param_spec_uint64 ("bandwidth", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_STORAGE_POOL] = g_param_spec_string ("storage-pool", NULL, NULL, NULL, rw);
  properties[PROP_NEEDS_STORAGE] = g_param_spec_boolean ("needs-storage", NULL, NULL, FALSE, ro);
  properties[PROP_NOTICE] = g_param_spec_string ("notice", NULL, NULL, NULL, ro);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_SECONDS_LEFT] = g_param_spec_int64 ("seconds-left", NULL, NULL, -1, G_MAXINT64, -1, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_migration_init (PisoMigration *self)
{
  self->seconds_left = -1;
}

PisoMigration *
piso_migration_new (PisoMachine    *machine,
                    PisoConnection *destination)
{
  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (PISO_IS_CONNECTION (destination), NULL);

  return g_object_new (PISO_TYPE_MIGRATION, "machine", machine, "destination", destination, NULL);
}

PisoMachine *piso_migration_get_machine (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), NULL); return self->machine; }
PisoConnection *piso_migration_get_destination (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), NULL); return self->destination; }
gboolean piso_migration_get_temporary (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), FALSE); return self->temporary; }
guint64 piso_migration_get_bandwidth (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), 0); return self->bandwidth; }
guint64 piso_migration_get_bytes_done (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), 0); return self->bytes_done; }
guint64 piso_migration_get_bytes_total (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), 0); return self->bytes_total; }
gint64 piso_migration_get_seconds_left (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), -1); return self->seconds_left; }
const char *piso_migration_get_storage_pool (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), NULL); return self->storage_pool; }
gboolean piso_migration_get_needs_storage (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), FALSE); return self->needs_storage; }
const char * const *piso_migration_get_storage_pools (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), NULL); return (const char * const *) self->storage_pools; }
const char *piso_migration_get_notice (PisoMigration *self) { g_return_val_if_fail (PISO_IS_MIGRATION (self), NULL); return self->notice; }

void
piso_migration_set_storage_pool (PisoMigration *self,
                                 const char    *pool)
{
  g_return_if_fail (PISO_IS_MIGRATION (self));

  if (piso_set_str (&self->storage_pool, pool))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORAGE_POOL]);
}

/* Main thread: what the last checks found (@hosts), for the caller. */
static void
set_findings (PisoMigration      *self,
              PisoMigrationHosts *hosts)
{
  g_object_freeze_notify (G_OBJECT (self));
  piso_set_bool_prop (self, &self->needs_storage, hosts->needs_storage, properties[PROP_NEEDS_STORAGE]);
  g_strfreev (self->storage_pools);
  self->storage_pools = g_strdupv (hosts->pools);
  if (piso_set_str (&self->notice, hosts->notice))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTICE]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
piso_migration_set_temporary (PisoMigration *self,
                              gboolean       temporary)
{
  g_return_if_fail (PISO_IS_MIGRATION (self));

  piso_set_bool_prop (self, &self->temporary, temporary, properties[PROP_TEMPORARY]);
}

void
piso_migration_set_bandwidth (PisoMigration *self,
                              guint64        mib_per_s)
{
  g_return_if_fail (PISO_IS_MIGRATION (self));

  piso_set_uint64_prop (self, &self->bandwidth, mib_per_s, properties[PROP_BANDWIDTH]);
}

static void
set_progress (PisoMigration *self,
              guint64        done,
              guint64        total,
              gint64         seconds_left)
{
  g_object_freeze_notify (G_OBJECT (self));
  piso_set_uint64_prop (self, &self->bytes_total, total, properties[PROP_BYTES_TOTAL]);
  piso_set_uint64_prop (self, &self->bytes_done, MIN (done, total), properties[PROP_BYTES_DONE]);
  if (self->seconds_left != seconds_left)
    {
      self->seconds_left = seconds_left;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_LEFT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- the job ------------------------------------------------------------- */

static void
migration_job_free (MigrationJob *job)
{
  _piso_migration_hosts_clear (&job->hosts);
  g_free (job->data_uri);
  g_mutex_clear (&job->lock);
  g_free (job);
}

/* Where the source's QEMU sends the memory: the destination's address as
 * the destination's URI names it; between two daemons on this computer
 * (containers, tests), the loopback; from another host to this one, NULL:
 * the destination's daemon then offers its host name itself. */
static char *
data_uri_for (const char *source_uri,
              const char *destination_uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (destination_uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS,
                                        NULL);
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;

  if (!piso_connection_uri_is_local (destination_uri) && host != NULL)
    return strchr (host, ':') != NULL ? g_strdup_printf ("tcp://[%s]", host)
                                      : g_strdup_printf ("tcp://%s", host);
  if (piso_connection_uri_is_local (source_uri))
    return g_strdup ("tcp://127.0.0.1");
  return NULL;
}

/* Main thread: the job's references and words, or NULL with @error. */
static MigrationJob *
migration_job_new (PisoMigration  *self,
                   GError        **error)
{
  PisoConnection *source = piso_machine_get_connection (self->machine);
  const char *source_label = piso_connection_get_display_name (source);
  const char *destination_label = piso_connection_get_display_name (self->destination);
  g_autoptr(GError) local_error = NULL;
  virDomainPtr dom;
  virConnectPtr destination;
  MigrationJob *job;

  if ((dom = _piso_machine_ref_handle_or_error (self->machine, error)) == NULL)
    return NULL;
  if ((destination = _piso_connection_ref_handle (self->destination)) == NULL)
    {
      virDomainFree (dom);
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                   _("Not connected to %s. Connect to it first."), destination_label);
      return NULL;
    }

  job = g_new0 (MigrationJob, 1);
  g_mutex_init (&job->lock);
  job->hosts.dom = dom;
  job->hosts.source = virDomainGetConnect (dom);
  virConnectRef (job->hosts.source);
  job->hosts.destination = destination;
  job->hosts.name = g_strdup (piso_machine_get_display_name (self->machine));
  job->hosts.source_uri = g_strdup (piso_connection_get_uri (source));
  job->hosts.destination_uri = g_strdup (piso_connection_get_uri (self->destination));
  /* two "QEMU/KVM" would say nothing: then their URIs */
  if (g_str_equal (source_label, destination_label) && source != self->destination)
    {
      source_label = job->hosts.source_uri;
      destination_label = job->hosts.destination_uri;
    }
  job->hosts.source_label = g_strdup (source_label);
  job->hosts.destination_label = g_strdup (destination_label);
  job->hosts.same_connection = source == self->destination;
  job->hosts.source_local = piso_connection_is_local (source);
  job->hosts.destination_local = piso_connection_is_local (self->destination);
  job->hosts.pool = g_strdup (self->storage_pool);
  job->temporary = self->temporary;
  job->bandwidth = self->bandwidth;
  job->data_uri = data_uri_for (job->hosts.source_uri, job->hosts.destination_uri);
  return job;
}

/* ---- pre-flight ---------------------------------------------------------- */

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  MigrationJob *job = task_data;
  GError *error = NULL;
  gboolean active;

  if (_piso_migration_check (&job->hosts, &active, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
piso_migration_check_async (PisoMigration       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MigrationJob *job;
  GError *error = NULL;

  g_return_if_fail (PISO_IS_MIGRATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_migration_check_async);
  if ((job = migration_job_new (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, job, (GDestroyNotify) migration_job_free);
  g_task_run_in_thread (task, check_thread);
}

gboolean
piso_migration_check_finish (PisoMigration  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (PISO_IS_MIGRATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  set_findings (self, &((MigrationJob *) g_task_get_task_data (G_TASK (result)))->hosts);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- progress and abort -------------------------------------------------- */

typedef struct
{
  virDomainPtr dom;
  gboolean     abort;        /* send the abort first */
  gboolean     aborted;      /* … and it was taken */
  gboolean     have_stats;
  guint64      done;
  guint64      total;
  gint64       seconds_left;
} Poll;

static void
poll_free (Poll *poll)
{
  g_clear_pointer (&poll->dom, _piso_domain_unref);
  g_free (poll);
}

static void
poll_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Poll *poll = task_data;
  virTypedParameterPtr params = NULL;
  int n = 0, type = VIR_DOMAIN_JOB_NONE;

  /* Too early (the job has not begun) is refused: the next poll retries. */
  if (poll->abort)
    poll->aborted = virDomainAbortJob (poll->dom) == 0;
  if (virDomainGetJobStats (poll->dom, &type, &params, &n, 0) == 0 && type != VIR_DOMAIN_JOB_NONE)
    {
      unsigned long long done = 0, total = 0, remaining = 0, bps = 0;

      poll->have_stats =
        virTypedParamsGetULLong (params, n, VIR_DOMAIN_JOB_DATA_PROCESSED, &done) == 1 &&
        virTypedParamsGetULLong (params, n, VIR_DOMAIN_JOB_DATA_TOTAL, &total) == 1 &&
        total > 0;
      poll->done = done;
      poll->total = total;
      poll->seconds_left = -1;
      if (virTypedParamsGetULLong (params, n, VIR_DOMAIN_JOB_DATA_REMAINING, &remaining) == 1 &&
          virTypedParamsGetULLong (params, n, VIR_DOMAIN_JOB_MEMORY_BPS, &bps) == 1 && bps > 0)
        poll->seconds_left = (gint64) ((remaining + bps - 1) / bps);
    }
  virTypedParamsFree (params, n);
  virResetLastError ();
  g_task_return_boolean (task, TRUE);
}

static void
poll_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  PisoMigration *self = PISO_MIGRATION (object);
  Poll *poll = g_task_get_task_data (G_TASK (result));

  g_assert (PISO_IS_MIGRATION (self));

  self->polling = FALSE;
  if (poll->aborted)
    self->abort_sent = TRUE;
  if (self->running && poll->have_stats)
    set_progress (self, poll->done, poll->total, poll->seconds_left);
}

/* Main thread: the progress of a shut-off machine's disks being copied,
 * with the time left at the rate so far; FALSE when none are. */
static gboolean
copy_progress (PisoMigration *self)
{
  MigrationJob *job = self->job;
  guint64 done, total;
  gint64 elapsed, seconds_left = -1;
  gboolean copying;

  g_mutex_lock (&job->lock);
  copying = job->copying;
  done = job->copy_done;
  total = job->copy_total;
  elapsed = g_get_monotonic_time () - job->copy_started;
  g_mutex_unlock (&job->lock);
  if (!copying)
    return FALSE;
  if (done > 0 && total >= done && elapsed > 0)
    seconds_left = (gint64) ((double) (total - done) * elapsed / done / G_USEC_PER_SEC + 0.5);
  set_progress (self, done, total, seconds_left);
  return TRUE;
}

static gboolean
poll_tick (gpointer user_data)
{
  PisoMigration *self = user_data;
  g_autoptr(GTask) task = NULL;
  Poll *poll;

  g_assert (PISO_IS_MIGRATION (self));

  if (self->job != NULL && copy_progress (self))
    return G_SOURCE_CONTINUE;
  if (self->polling || self->job == NULL || !g_atomic_int_get (&self->job->transferring))
    return G_SOURCE_CONTINUE;

  poll = g_new0 (Poll, 1);
  poll->dom = self->job->hosts.dom;
  virDomainRef (poll->dom);
  poll->abort = !self->abort_sent && self->cancellable != NULL &&
                g_cancellable_is_cancelled (self->cancellable);
  self->polling = TRUE;
  task = g_task_new (self, NULL, poll_done, NULL);
  g_task_set_source_tag (task, poll_tick);
  g_task_set_task_data (task, poll, (GDestroyNotify) poll_free);
  g_task_run_in_thread (task, poll_thread);
  return G_SOURCE_CONTINUE;
}

/* ---- the run ------------------------------------------------------------- */

/* @error (libvirt's reason, in context) and where the machine is now. */
static void
fail_with_libvirt (MigrationJob  *job,
                   GCancellable  *cancellable,
                   GError       **error)
{
  /* kept: the next call (asking whether it runs) resets it */
  virErrorPtr verr = virSaveLastError ();
  gboolean still_running = virDomainIsActive (job->hosts.dom) == 1;
  g_autofree char *context = NULL;

  virResetLastError ();
  if (g_cancellable_is_cancelled (cancellable) ||
      (verr != NULL && verr->code == VIR_ERR_OPERATION_ABORTED))
    {
      if (still_running)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     _("Moving “%s” was cancelled: it keeps running on %s."),
                     job->hosts.name, job->hosts.source_label);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     _("Moving “%s” was cancelled."), job->hosts.name);
      virFreeError (verr);
      return;
    }

  if (verr != NULL && verr->code == VIR_ERR_MIGRATE_UNSAFE)
    {
      /* libvirt's "may lead to data corruption if disks use cache other
       * than none or directsync" or "without shared storage is unsafe",
       * said with what to do */
      if (verr->message != NULL && strstr (verr->message, "cache") != NULL)
        g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                     _("“%s” did not move: a disk it keeps on storage the hosts share is cached "
                       "by the host, and moving the machine while it runs could corrupt it. Set "
                       "the cache mode of its disks to “none” and restart the machine, or shut it "
                       "down and move it. It keeps running on %s."),
                     job->hosts.name, job->hosts.source_label);
      else
        g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                     _("“%s” did not move: libvirt finds that %s does not share its disks. Choose "
                       "a storage pool there to copy them into. It keeps running on %s."),
                     job->hosts.name, job->hosts.destination_label, job->hosts.source_label);
      virFreeError (verr);
      return;
    }

  /* Translators: "Could not move “Debian” to QEMU/KVM on host2" (then the reason) */
  context = g_strdup_printf (_("Could not move “%s” to %s"), job->hosts.name,
                             job->hosts.destination_label);
  _piso_set_error_from_virerror (error, verr, context);
  virFreeError (verr);
  if (still_running && error != NULL && *error != NULL)
    {
      g_autofree char *reason = (*error)->message;

      /* Translators: after a reason: "…: connection refused. It keeps running on QEMU/KVM." */
      (*error)->message = g_strdup_printf (_("%s. It keeps running on %s."),
                                           reason, job->hosts.source_label);
    }
}

/* The copies' volumes in the destination's pool, each of the same format
 * and virtual size as its disk (QEMU mirrors into an image that exists);
 * with @whole_files, empty raw volumes of the size of each disk's file,
 * which receive its bytes (the image's own format comes with them: a new
 * image's metadata under the holes of the copy would corrupt it). */
static gboolean
make_copy_volume (MigrationJob       *job,
                  virStoragePoolPtr   pool,
                  PisoMigrationCopy  *copy,
                  gboolean            whole_file,
                  GError            **error)
{
  g_autofree char *base = g_path_get_basename (copy->source_path);
  char *dot = strrchr (base, '.');
  const char *ext = dot != NULL && dot != base ? dot + 1 : copy->format;
  g_autofree char *stem = g_strndup (base, dot != NULL && dot != base ? (gsize) (dot - base)
                                                                      : strlen (base));
  g_autofree char *name = piso_storage_unique_volume_name (pool, stem, ext, error);
  virStorageVolInfo info;
  char *path;

  if (name == NULL ||
      (copy->vol = piso_storage_create_volume (pool, name, whole_file ? "raw" : copy->format,
                                               whole_file ? copy->file_size : copy->capacity,
                                               error)) == NULL)
    return FALSE;
  path = virStorageVolGetPath (copy->vol);
  copy->new_path = g_strdup (path);
  free (path);
  copy->block = virStorageVolGetInfo (copy->vol, &info) == 0 && info.type == VIR_STORAGE_VOL_BLOCK;
  virResetLastError ();
  if (copy->new_path == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not create the disk “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
make_copies (MigrationJob  *job,
             gboolean       whole_files,
             GError       **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (job->hosts.destination, job->hosts.pool);
  gboolean ok = TRUE;

  if (pool == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not open the storage pool “%s” of %s"),
                                    job->hosts.pool, job->hosts.destination_label);
      return FALSE;
    }
  for (guint i = 0; ok && i < job->hosts.copies->len; i++)
    ok = make_copy_volume (job, pool, g_ptr_array_index (job->hosts.copies, i), whole_files, error);
  if (ok && job->hosts.nvram != NULL)
    ok = make_copy_volume (job, pool, job->hosts.nvram, TRUE, error);
  virStoragePoolFree (pool);
  return ok;
}

/* After a failed or cancelled run: the volumes this run made go. */
static void
delete_copies (MigrationJob *job)
{
  for (guint i = 0; job->hosts.copies != NULL && i < job->hosts.copies->len; i++)
    {
      PisoMigrationCopy *copy = g_ptr_array_index (job->hosts.copies, i);

      piso_storage_delete_volume (g_steal_pointer (&copy->vol));
    }
  if (job->hosts.nvram != NULL)
    piso_storage_delete_volume (g_steal_pointer (&job->hosts.nvram->vol));
}

/* The definition the destination gets (@flags: of virDomainGetXMLDesc),
 * its disks pointing at their copies. */
static gboolean
add_copied_xml (MigrationJob          *job,
                unsigned int           flags,
                const char            *param,
                virTypedParameterPtr  *params,
                int                   *n,
                int                   *max,
                GError               **error)
{
  char *raw = virDomainGetXMLDesc (job->hosts.dom, flags);
  g_autofree char *xml = NULL;

  if (raw == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the definition of “%s”"), job->hosts.name);
      return FALSE;
    }
  xml = _piso_migration_rewrite_disks (raw, job->hosts.copies, NULL, error);
  free (raw);
  if (xml == NULL)
    return FALSE;
  if (virTypedParamsAddString (params, n, max, param, xml) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not move “%s”"), job->hosts.name);
      return FALSE;
    }
  return TRUE;
}

/* Copy-storage: the volumes, the definitions naming them and the disks to
 * mirror. */
static gboolean
add_copy_storage (MigrationJob          *job,
                  unsigned int          *flags,
                  virTypedParameterPtr  *params,
                  int                   *n,
                  int                   *max,
                  GError               **error)
{
  if (!make_copies (job, FALSE, error) ||
      !add_copied_xml (job, VIR_DOMAIN_XML_MIGRATABLE, VIR_MIGRATE_PARAM_DEST_XML,
                       params, n, max, error) ||
      (!job->temporary &&
       !add_copied_xml (job, VIR_DOMAIN_XML_MIGRATABLE | VIR_DOMAIN_XML_INACTIVE,
                        VIR_MIGRATE_PARAM_PERSIST_XML, params, n, max, error)))
    return FALSE;
  for (guint i = 0; i < job->hosts.copies->len; i++)
    {
      PisoMigrationCopy *copy = g_ptr_array_index (job->hosts.copies, i);

      if (virTypedParamsAddString (params, n, max, VIR_MIGRATE_PARAM_MIGRATE_DISKS, copy->target) < 0)
        {
          _piso_set_error_from_libvirt (error, _("Could not move “%s”"), job->hosts.name);
          return FALSE;
        }
    }
  *flags |= VIR_MIGRATE_NON_SHARED_DISK;
  return TRUE;
}

static gboolean
migrate_live (MigrationJob  *job,
              GCancellable  *cancellable,
              GError       **error)
{
  virTypedParameterPtr params = NULL;
  int n = 0, max = 0;
  unsigned int flags = VIR_MIGRATE_LIVE;
  virDomainPtr moved;

  if (!job->temporary)
    flags |= VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
  if ((job->data_uri != NULL &&
       virTypedParamsAddString (&params, &n, &max, VIR_MIGRATE_PARAM_URI, job->data_uri) < 0) ||
      (job->bandwidth > 0 &&
       virTypedParamsAddULLong (&params, &n, &max, VIR_MIGRATE_PARAM_BANDWIDTH, job->bandwidth) < 0))
    {
      virTypedParamsFree (params, n);
      _piso_set_error_from_libvirt (error, _("Could not move “%s”"), job->hosts.name);
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      (job->hosts.copies->len > 0 && !add_copy_storage (job, &flags, &params, &n, &max, error)) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      virTypedParamsFree (params, n);
      delete_copies (job);
      return FALSE;
    }
  g_atomic_int_set (&job->transferring, 1);
  moved = virDomainMigrate3 (job->hosts.dom, job->hosts.destination, params, n, flags);
  g_atomic_int_set (&job->transferring, 0);
  virTypedParamsFree (params, n);

  if (moved == NULL)
    {
      fail_with_libvirt (job, cancellable, error);
      delete_copies (job);
      return FALSE;
    }
  virDomainFree (moved);
  return TRUE;
}

typedef struct
{
  MigrationJob *job;
  GCancellable *cancellable;
} CopyRun;

/* After each chunk: the progress, then, with a bandwidth set, a wait until
 * the copy is no faster than it (in short naps, so that a cancel is seen
 * at once by the next chunk). */
static void
copy_progress_cb (guint64  done,
                  guint64  total,
                  gpointer user_data)
{
  CopyRun *run = user_data;
  MigrationJob *job = run->job;
  gint64 due;

  g_mutex_lock (&job->lock);
  job->copy_done = job->copied + done;
  due = job->copy_started + (gint64) ((double) job->copy_done * G_USEC_PER_SEC /
                                      (job->bandwidth > 0 ? job->bandwidth * 1024 * 1024 : 1));
  g_mutex_unlock (&job->lock);
  while (job->bandwidth > 0 && g_get_monotonic_time () < due &&
         !g_cancellable_is_cancelled (run->cancellable))
    g_usleep (MIN (due - g_get_monotonic_time (), 20000) + 1);
}

/* The source's volume of @copy (with any transient pool made to reach a
 * loose file, as the UEFI variables' file always is), counted in the
 * copies' total size. */
static gboolean
find_source (MigrationJob       *job,
             PisoMigrationCopy  *copy,
             GPtrArray          *volumes,
             GPtrArray          *made_pools,
             GError            **error)
{
  virStoragePoolPtr made_pool = NULL;
  virStorageVolPtr vol = piso_storage_volume_for_source (job->hosts.source, copy->source_type,
                                                         copy->source_path, copy->source_pool,
                                                         &made_pool, error);

  if (made_pool != NULL)
    g_ptr_array_add (made_pools, made_pool);
  if (vol == NULL)
    return FALSE;
  g_ptr_array_add (volumes, vol);
  if (copy->target != NULL && piso_storage_has_backing_chain (vol))
    {
      /* Translators: "The disk /…/a.qcow2 of “Debian” has a backing file: …" */
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                   _("The disk %s of “%s” has a backing file (it is a linked clone or has "
                     "external snapshots), so its file alone is not the disk. Export the "
                     "machine and import it on %s instead."),
                   copy->source_path, job->hosts.name, job->hosts.destination_label);
      return FALSE;
    }
  copy->file_size = piso_storage_volume_file_size (vol);
  job->copy_total += copy->file_size;
  return TRUE;
}

/* The source's volume of each disk to copy, then of the UEFI variables. */
static gboolean
find_sources (MigrationJob  *job,
              GPtrArray     *volumes,
              GPtrArray     *made_pools,
              GError       **error)
{
  for (guint i = 0; i < job->hosts.copies->len; i++)
    if (!find_source (job, g_ptr_array_index (job->hosts.copies, i), volumes, made_pools, error))
      return FALSE;
  return job->hosts.nvram == NULL || find_source (job, job->hosts.nvram, volumes, made_pools, error);
}

/* A shut-off machine's disks that the destination does not see, each
 * copied into a new volume of the chosen pool through libvirt's streams. */
static gboolean
copy_disks (MigrationJob  *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GPtrArray) volumes = g_ptr_array_new_with_free_func (_piso_volume_unref);
  g_autoptr(GPtrArray) made_pools = g_ptr_array_new_with_free_func ((GDestroyNotify) piso_storage_drop_pool);
  CopyRun run = { job, cancellable };
  gboolean ok;

  ok = find_sources (job, volumes, made_pools, error) &&
       !g_cancellable_set_error_if_cancelled (cancellable, error) &&
       make_copies (job, TRUE, error);
  if (ok)
    {
      g_mutex_lock (&job->lock);
      job->copying = TRUE;
      job->copy_started = g_get_monotonic_time ();
      g_mutex_unlock (&job->lock);
    }
  for (guint i = 0; ok && i < volumes->len; i++)
    {
      PisoMigrationCopy *copy = i < job->hosts.copies->len ? g_ptr_array_index (job->hosts.copies, i)
                                                           : job->hosts.nvram;

      ok = piso_storage_copy_between (g_ptr_array_index (volumes, i), copy->vol, copy_progress_cb,
                                      &run, cancellable, error);
      g_mutex_lock (&job->lock);
      job->copied += copy->file_size;
      job->copy_done = job->copied;
      g_mutex_unlock (&job->lock);
    }
  g_mutex_lock (&job->lock);
  job->copying = FALSE;
  g_mutex_unlock (&job->lock);
  if (!ok && g_cancellable_is_cancelled (cancellable))
    {
      g_clear_error (error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Moving “%s” was cancelled."),
                   job->hosts.name);
    }
  return ok;
}

/* The definition the destination gets: the persistent one, its copied
 * disks pointing at their copies. */
static char *
offline_xml (MigrationJob  *job,
             GError       **error)
{
  g_autofree char *xml = _piso_domain_inactive_xml (job->hosts.dom, job->hosts.name, error);

  if (xml == NULL || (job->hosts.copies->len == 0 && job->hosts.nvram == NULL))
    return g_steal_pointer (&xml);
  return _piso_migration_rewrite_disks (xml, job->hosts.copies, job->hosts.nvram, error);
}

static gboolean
migrate_offline (MigrationJob  *job,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree char *xml = NULL;
  virDomainPtr defined;
  g_autoptr(GError) undefine_error = NULL;

  if (((job->hosts.copies->len > 0 || job->hosts.nvram != NULL) &&
       !copy_disks (job, cancellable, error)) ||
      (xml = offline_xml (job, error)) == NULL ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      delete_copies (job);
      return FALSE;
    }
  if ((defined = virDomainDefineXML (job->hosts.destination, xml)) == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not define “%s” on %s"),
                                    job->hosts.name, job->hosts.destination_label);
      delete_copies (job);
      return FALSE;
    }
  if (job->temporary)
    {
      virDomainFree (defined);
      return TRUE;
    }

  /* The files beside the definition (UEFI variables, TPM state) stay, as
   * the disks do: the destination's definition names its copies, or the
   * same files where it sees them. */
  if (_piso_domain_undefine (job->hosts.dom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM |
                                             VIR_DOMAIN_UNDEFINE_KEEP_TPM) == 0)
    {
      virDomainFree (defined);
      return TRUE;
    }

  /* Not in two places: the copy goes again. */
  _piso_set_error_from_libvirt (&undefine_error, _("Could not remove “%s” from %s"),
                                job->hosts.name, job->hosts.source_label);
  if (virDomainUndefine (defined) < 0)
    g_warning ("Could not remove %s from %s again: %s", job->hosts.name,
               job->hosts.destination_label, virGetLastErrorMessage ());
  virResetLastError ();
  virDomainFree (defined);
  delete_copies (job);
  /* Translators: the reason, then where the machine stays */
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED, _("%s. It stays on %s."),
               undefine_error->message, job->hosts.source_label);
  return FALSE;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  MigrationJob *job = task_data;
  GError *error = NULL;
  gboolean active = FALSE;
  gboolean ok;

  ok = _piso_migration_check (&job->hosts, &active, &error) &&
       (active ? migrate_live (job, cancellable, &error)
               : migrate_offline (job, cancellable, &error));
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_completed (PisoMigration *self,
               GParamSpec    *pspec,
               GTask         *task)
{
  g_assert (PISO_IS_MIGRATION (self));

  self->running = FALSE;
  self->job = NULL;
  self->abort_sent = FALSE;
  stop_polling (self);
  g_clear_object (&self->cancellable);
  if (!g_task_had_error (task) && self->bytes_total > 0)
    set_progress (self, self->bytes_total, self->bytes_total, 0);
}

void
piso_migration_run_async (PisoMigration       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MigrationJob *job;
  GError *error = NULL;

  g_return_if_fail (PISO_IS_MIGRATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_migration_run_async);
  /* Whether the machine moved decides the result, not the cancel alone. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->running)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               _("This move is already under way."));
      return;
    }
  if ((job = migration_job_new (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->running = TRUE;
  self->job = job;
  g_set_object (&self->cancellable, cancellable);
  set_progress (self, 0, 0, -1);
  {
    g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

    self->poll = g_timeout_source_new (POLL_INTERVAL_MS);
    g_source_set_callback (self->poll, poll_tick, self, NULL);
    g_source_attach (self->poll, context);
  }
  /* Notified once the callback has run, on this thread. */
  g_signal_connect_object (task, "notify::completed", G_CALLBACK (run_completed), self,
                           G_CONNECT_SWAPPED);
  g_task_set_task_data (task, job, (GDestroyNotify) migration_job_free);
  g_task_run_in_thread (task, run_thread);
}

gboolean
piso_migration_run_finish (PisoMigration  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (PISO_IS_MIGRATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
