/* piso-stats-sampler.c: one bulk statistics call per interval for a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Views hold the machines they show. While at least one held machine runs
 * and the connection is up, a timer fires every interval; each tick hands
 * the domain handles of the held running machines to ONE worker-thread call
 * of virDomainListGetStats, and the raw counters come back to the main
 * thread, where rates are computed against the previous reading of the same
 * machine and appended to its history. With nothing to sample no timer
 * exists, so an idle Piso does not wake up.
 */
#define G_LOG_DOMAIN "piso-stats-sampler"

#include "config.h"

#include <math.h>
#include <string.h>

#include "piso-machine.h"
#include "piso-stats-history.h"
#include "piso-stats-sampler.h"
#include "piso-stats-sampler-private.h"

#define DEFAULT_INTERVAL_MS 2000
#define MIN_INTERVAL_MS     250

#define STATS_GROUPS (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
                      VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_INTERFACE | \
                      VIR_DOMAIN_STATS_BLOCK | VIR_DOMAIN_STATS_VCPU)

/* Cumulative counters of one machine at one instant, as libvirt gave them. */
typedef struct
{
  char     uuid[VIR_UUID_STRING_BUFLEN];
  gint64   time_ns;      /* monotonic clock, taken when the call returned */
  gboolean has_cpu_time;
  guint64  cpu_time_ns;
  guint    vcpus;        /* 0 when unknown */
  double   memory_kib;   /* NAN when unknown */
  gint64   rd_bytes;     /* -1 when unknown */
  gint64   wr_bytes;
  gint64   rx_bytes;
  gint64   tx_bytes;
} RawSample;

typedef struct
{
  PisoStatsSampler *sampler;       /* unowned: the sampler owns the hold */
  PisoMachine      *machine;       /* weak; NULL once finalized */
  char             *uuid;
  guint             count;
  gulong            state_handler;
} Hold;

struct _PisoStatsSampler
{
  GObject         parent_instance;

  PisoConnection *connection;      /* unowned: the connection owns us */
  GHashTable     *holds;           /* PisoMachine* → Hold* */
  GHashTable     *previous;        /* uuid → RawSample* */
  GCancellable   *cancellable;     /* of the call in flight, if any */
  guint           interval_ms;
  guint           timeout_id;
  guint           prime_id;        /* idle: first call right after the timer starts */
  guint           n_calls;
  guint           last_n_domains;
  gboolean        active;
  gboolean        in_flight;
};

G_DEFINE_FINAL_TYPE (PisoStatsSampler, piso_stats_sampler, G_TYPE_OBJECT)

/* What travels to the worker thread and back. Owns nothing of the sampler. */
typedef struct
{
  GWeakRef      sampler;
  virDomainPtr *doms;              /* NULL-terminated, owned references */
  guint         n_doms;
} StatsCall;

static void piso_stats_sampler_update_schedule (PisoStatsSampler *self);

static void
stats_call_free (StatsCall *call)
{
  g_weak_ref_clear (&call->sampler);
  for (guint i = 0; call->doms != NULL && i < call->n_doms; i++)
    virDomainFree (call->doms[i]);
  g_free (call->doms);
  g_free (call);
}

/* Pure computations ---------------------------------------------------- */

double
piso_stats_compute_cpu_percent (guint64 cpu_time_prev_ns,
                                guint64 cpu_time_now_ns,
                                guint64 dt_ns,
                                guint   n_vcpus)
{
  double percent;

  if (dt_ns == 0 || n_vcpus == 0 || cpu_time_now_ns < cpu_time_prev_ns)
    return NAN;

  percent = 100.0 * (double) (cpu_time_now_ns - cpu_time_prev_ns)
            / ((double) dt_ns * (double) n_vcpus);

  /* The two clocks are read at slightly different moments: a busy guest
   * can appear a little above 100 %. */
  return CLAMP (percent, 0.0, 100.0);
}

double
piso_stats_compute_rate (gint64  prev,
                         gint64  now,
                         guint64 dt_ns)
{
  if (prev < 0 || now < 0 || dt_ns == 0 || now < prev)
    return NAN;

  return (double) (now - prev) * 1e9 / (double) dt_ns;
}

/* Worker thread ---------------------------------------------------------- */

static gboolean
param_get_u64 (const virTypedParameter *param,
               guint64                 *value)
{
  switch (param->type)
    {
    case VIR_TYPED_PARAM_ULLONG:
      *value = param->value.ul;
      return TRUE;
    case VIR_TYPED_PARAM_UINT:
      *value = param->value.ui;
      return TRUE;
    case VIR_TYPED_PARAM_LLONG:
      *value = param->value.l < 0 ? 0 : (guint64) param->value.l;
      return param->value.l >= 0;
    case VIR_TYPED_PARAM_INT:
      *value = param->value.i < 0 ? 0 : (guint64) param->value.i;
      return param->value.i >= 0;
    default:
      return FALSE;
    }
}

/* "block.3.rd.bytes" has prefix "block." and suffix ".rd.bytes" */
static gboolean
is_device_counter (const char *field,
                   const char *prefix,
                   const char *suffix)
{
  return g_str_has_prefix (field, prefix) && g_str_has_suffix (field, suffix);
}

static void
add_counter (gint64  *sum,
             guint64  value)
{
  *sum = (*sum < 0 ? 0 : *sum) + (gint64) MIN (value, (guint64) G_MAXINT64 / 2);
}

static void
raw_sample_from_record (RawSample               *sample,
                        virDomainStatsRecordPtr  record,
                        gint64                   time_ns)
{
  gboolean has_available = FALSE, has_unused = FALSE, has_current = FALSE, has_rss = FALSE;
  guint64 available = 0, unused = 0, current = 0, rss = 0;

  memset (sample, 0, sizeof *sample);
  if (virDomainGetUUIDString (record->dom, sample->uuid) < 0)
    sample->uuid[0] = '\0';
  sample->time_ns = time_ns;
  sample->memory_kib = NAN;
  sample->rd_bytes = sample->wr_bytes = sample->rx_bytes = sample->tx_bytes = -1;

  for (int i = 0; i < record->nparams; i++)
    {
      const virTypedParameter *param = &record->params[i];
      const char *field = param->field;
      guint64 value;

      if (!param_get_u64 (param, &value))
        continue;

      if (strcmp (field, "cpu.time") == 0)
        {
          sample->has_cpu_time = TRUE;
          sample->cpu_time_ns = value;
        }
      else if (strcmp (field, "vcpu.current") == 0)
        sample->vcpus = (guint) MIN (value, G_MAXUINT);
      else if (strcmp (field, "balloon.available") == 0)
        has_available = TRUE, available = value;
      else if (strcmp (field, "balloon.unused") == 0)
        has_unused = TRUE, unused = value;
      else if (strcmp (field, "balloon.current") == 0)
        has_current = TRUE, current = value;
      else if (strcmp (field, "balloon.rss") == 0)
        has_rss = TRUE, rss = value;
      else if (is_device_counter (field, "block.", ".rd.bytes"))
        add_counter (&sample->rd_bytes, value);
      else if (is_device_counter (field, "block.", ".wr.bytes"))
        add_counter (&sample->wr_bytes, value);
      else if (is_device_counter (field, "net.", ".rx.bytes"))
        add_counter (&sample->rx_bytes, value);
      else if (is_device_counter (field, "net.", ".tx.bytes"))
        add_counter (&sample->tx_bytes, value);
    }

  /* With the guest's balloon driver reporting, "available − unused" is what
   * the guest itself uses; otherwise the allocation (or, failing that, the
   * host memory the process occupies) is the best we know. */
  if (has_available && has_unused && available >= unused)
    sample->memory_kib = (double) (available - unused);
  else if (has_current)
    sample->memory_kib = (double) current;
  else if (has_rss)
    sample->memory_kib = (double) rss;
}

static void
stats_call_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  StatsCall *call = task_data;
  virDomainStatsRecordPtr *records = NULL;
  g_autoptr(GArray) samples = NULL;
  gint64 time_ns;
  int n;

  n = virDomainListGetStats (call->doms, STATS_GROUPS, &records, 0);
  time_ns = g_get_monotonic_time () * 1000;

  if (n < 0)
    {
      GError *error = NULL;

      /* Only logged, never shown: not translated. */
      _piso_set_error_from_libvirt (&error, "Could not read machine statistics");
      g_task_return_error (task, error);
      return;
    }

  samples = g_array_sized_new (FALSE, FALSE, sizeof (RawSample), (guint) n);
  for (int i = 0; i < n; i++)
    {
      RawSample sample;

      raw_sample_from_record (&sample, records[i], time_ns);
      if (sample.uuid[0] != '\0')
        g_array_append_val (samples, sample);
    }
  virDomainStatsRecordListFree (records);

  /* Drop the handles here rather than on the main thread: the last
   * reference to a remote connection may talk to the daemon. */
  for (guint i = 0; i < call->n_doms; i++)
    virDomainFree (call->doms[i]);
  g_clear_pointer (&call->doms, g_free);
  call->n_doms = 0;

  g_task_return_pointer (task, g_steal_pointer (&samples), (GDestroyNotify) g_array_unref);
}

/* Main thread ------------------------------------------------------------ */

static void
apply_sample (PisoStatsSampler *self,
              Hold             *hold,
              const RawSample  *sample)
{
  RawSample *prev = g_hash_table_lookup (self->previous, sample->uuid);
  double values[PISO_STATS_N_SERIES];
  guint64 dt_ns;
  guint vcpus;

  g_assert (hold->machine != NULL);

  if (prev == NULL || sample->time_ns <= prev->time_ns)
    {
      /* The first reading of a machine only primes the counters. */
      g_hash_table_insert (self->previous, g_strdup (sample->uuid),
                           g_memdup2 (sample, sizeof *sample));
      return;
    }

  dt_ns = (guint64) (sample->time_ns - prev->time_ns);
  vcpus = sample->vcpus != 0 ? sample->vcpus : piso_machine_get_vcpus (hold->machine);

  if (prev->has_cpu_time && sample->has_cpu_time)
    values[PISO_STATS_CPU_PERCENT] =
      piso_stats_compute_cpu_percent (prev->cpu_time_ns, sample->cpu_time_ns, dt_ns, vcpus);
  else
    values[PISO_STATS_CPU_PERCENT] = NAN;
  values[PISO_STATS_MEMORY_USED_KIB] = sample->memory_kib;
  values[PISO_STATS_DISK_READ_BPS] = piso_stats_compute_rate (prev->rd_bytes, sample->rd_bytes, dt_ns);
  values[PISO_STATS_DISK_WRITE_BPS] = piso_stats_compute_rate (prev->wr_bytes, sample->wr_bytes, dt_ns);
  values[PISO_STATS_NET_RX_BPS] = piso_stats_compute_rate (prev->rx_bytes, sample->rx_bytes, dt_ns);
  values[PISO_STATS_NET_TX_BPS] = piso_stats_compute_rate (prev->tx_bytes, sample->tx_bytes, dt_ns);

  *prev = *sample;

  _piso_machine_append_stats (hold->machine, values);
}

static void
stats_call_done (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  StatsCall *call = g_task_get_task_data (G_TASK (result));
  g_autoptr(PisoStatsSampler) self = g_weak_ref_get (&call->sampler);
  g_autoptr(GHashTable) by_uuid = NULL;
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  Hold *hold;

  samples = g_task_propagate_pointer (G_TASK (result), &error);

  if (self == NULL)
    return;

  self->in_flight = FALSE;
  g_clear_object (&self->cancellable);

  if (samples == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s: %s", piso_connection_get_uri (self->connection), error->message);
      return;
    }

  /* Deactivated while the call ran: these counters may be stale. */
  if (!self->active)
    return;

  by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, self->holds);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &hold))
    g_hash_table_insert (by_uuid, hold->uuid, hold);

  for (guint i = 0; i < samples->len; i++)
    {
      const RawSample *sample = &g_array_index (samples, RawSample, i);

      hold = g_hash_table_lookup (by_uuid, sample->uuid);

      /* Released, or stopped while the call was running. */
      if (hold == NULL || hold->machine == NULL ||
          piso_machine_get_state (hold->machine) != PISO_MACHINE_STATE_RUNNING)
        {
          g_hash_table_remove (self->previous, sample->uuid);
          continue;
        }

      apply_sample (self, hold, sample);
    }
}

static gboolean
hold_is_running (Hold *hold)
{
  return hold->machine != NULL &&
         piso_machine_get_state (hold->machine) == PISO_MACHINE_STATE_RUNNING;
}

/* Starts one bulk call for every held running machine, unless one is in flight. */
static void
piso_stats_sampler_sample (PisoStatsSampler *self)
{
  g_autoptr(GPtrArray) doms = NULL;
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  StatsCall *call;
  Hold *hold;

  g_assert (PISO_IS_STATS_SAMPLER (self));

  if (self->in_flight || !self->active)
    return;

  doms = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->holds);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &hold))
    {
      virDomainPtr handle;

      if (!hold_is_running (hold))
        continue;
      handle = _piso_machine_ref_handle (hold->machine);
      if (handle != NULL)
        g_ptr_array_add (doms, handle);
    }

  if (doms->len == 0)
    return;

  call = g_new0 (StatsCall, 1);
  g_weak_ref_init (&call->sampler, self);
  call->n_doms = doms->len;
  g_ptr_array_add (doms, NULL);
  call->doms = (virDomainPtr *) g_ptr_array_free (g_steal_pointer (&doms), FALSE);

  self->in_flight = TRUE;
  self->n_calls++;
  self->last_n_domains = call->n_doms;
  self->cancellable = g_cancellable_new ();

  /* No source object: a call in flight must not keep the sampler alive. */
  task = g_task_new (NULL, self->cancellable, stats_call_done, NULL);
  g_task_set_source_tag (task, piso_stats_sampler_sample);
  g_task_set_name (task, "[piso] domain statistics");
  g_task_set_task_data (task, call, (GDestroyNotify) stats_call_free);
  g_task_run_in_thread (task, stats_call_thread);
}

static gboolean
piso_stats_sampler_tick (gpointer user_data)
{
  PisoStatsSampler *self = user_data;

  /* A slow daemon: skip this tick rather than queue calls. */
  if (!self->in_flight)
    piso_stats_sampler_sample (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
piso_stats_sampler_wants_timer (PisoStatsSampler *self)
{
  GHashTableIter iter;
  Hold *hold;

  if (!self->active)
    return FALSE;

  g_hash_table_iter_init (&iter, self->holds);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &hold))
    if (hold_is_running (hold))
      return TRUE;

  return FALSE;
}

static gboolean
piso_stats_sampler_prime (gpointer user_data)
{
  PisoStatsSampler *self = user_data;

  self->prime_id = 0;
  piso_stats_sampler_sample (self);

  return G_SOURCE_REMOVE;
}

static void
piso_stats_sampler_update_schedule (PisoStatsSampler *self)
{
  gboolean wanted = piso_stats_sampler_wants_timer (self);

  if (wanted && self->timeout_id == 0)
    {
      self->timeout_id = g_timeout_add (self->interval_ms, piso_stats_sampler_tick, self);
      g_source_set_name_by_id (self->timeout_id, "[piso] statistics timer");
      /* Prime soon, so the first values appear after one interval; from an
       * idle, so that a view holding many rows at once makes one call. */
      self->prime_id = g_idle_add (piso_stats_sampler_prime, self);
      g_source_set_name_by_id (self->prime_id, "[piso] statistics priming");
    }
  else if (!wanted)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      g_clear_handle_id (&self->prime_id, g_source_remove);
    }
}

/* Holds ---------------------------------------------------------------- */

static void
hold_machine_finalized (gpointer  user_data,
                        GObject  *where_the_object_was)
{
  Hold *hold = user_data;
  PisoStatsSampler *self = hold->sampler;

  /* A view forgot its release: forget the machine without touching it. */
  g_debug ("Machine %s finalized while its statistics were held", hold->uuid);
  hold->machine = NULL;
  hold->state_handler = 0;
  g_hash_table_remove (self->previous, hold->uuid);
  g_hash_table_remove (self->holds, where_the_object_was);
  piso_stats_sampler_update_schedule (self);
}

static void
hold_free (Hold *hold)
{
  if (hold->machine != NULL)
    {
      g_clear_signal_handler (&hold->state_handler, hold->machine);
      g_object_weak_unref (G_OBJECT (hold->machine), hold_machine_finalized, hold);
    }
  g_free (hold->uuid);
  g_free (hold);
}

static void
hold_state_changed (PisoMachine *machine,
                    GParamSpec  *pspec,
                    Hold        *hold)
{
  PisoStatsSampler *self = hold->sampler;

  g_assert (PISO_IS_MACHINE (machine));

  /* A new QEMU process starts its counters from zero. */
  if (piso_machine_get_state (machine) != PISO_MACHINE_STATE_RUNNING)
    g_hash_table_remove (self->previous, hold->uuid);

  piso_stats_sampler_update_schedule (self);
}

void
piso_stats_sampler_hold (PisoStatsSampler *self,
                         PisoMachine      *machine)
{
  Hold *hold;

  g_return_if_fail (PISO_IS_STATS_SAMPLER (self));
  g_return_if_fail (PISO_IS_MACHINE (machine));

  hold = g_hash_table_lookup (self->holds, machine);
  if (hold != NULL)
    {
      hold->count++;
      return;
    }

  hold = g_new0 (Hold, 1);
  hold->sampler = self;
  hold->machine = machine;
  hold->uuid = g_strdup (piso_machine_get_uuid (machine));
  hold->count = 1;
  hold->state_handler = g_signal_connect (machine, "notify::state",
                                          G_CALLBACK (hold_state_changed), hold);
  g_object_weak_ref (G_OBJECT (machine), hold_machine_finalized, hold);
  g_hash_table_insert (self->holds, machine, hold);

  piso_stats_sampler_update_schedule (self);
}

void
piso_stats_sampler_release (PisoStatsSampler *self,
                            PisoMachine      *machine)
{
  Hold *hold;

  g_return_if_fail (PISO_IS_STATS_SAMPLER (self));
  g_return_if_fail (PISO_IS_MACHINE (machine));

  hold = g_hash_table_lookup (self->holds, machine);
  if (hold == NULL)
    {
      g_critical ("%s: statistics of “%s” were not held", G_STRFUNC,
                  piso_machine_get_name (machine));
      return;
    }

  if (--hold->count > 0)
    return;

  g_hash_table_remove (self->previous, hold->uuid);
  g_hash_table_remove (self->holds, machine);
  piso_stats_sampler_update_schedule (self);
}

guint
piso_stats_sampler_get_interval (PisoStatsSampler *self)
{
  g_return_val_if_fail (PISO_IS_STATS_SAMPLER (self), 0);

  return self->interval_ms;
}

void
piso_stats_sampler_set_interval (PisoStatsSampler *self,
                                 guint             interval_ms)
{
  g_return_if_fail (PISO_IS_STATS_SAMPLER (self));

  interval_ms = MAX (interval_ms, MIN_INTERVAL_MS);
  if (self->interval_ms == interval_ms)
    return;

  self->interval_ms = interval_ms;
  if (self->timeout_id != 0)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      self->timeout_id = g_timeout_add (self->interval_ms, piso_stats_sampler_tick, self);
      g_source_set_name_by_id (self->timeout_id, "[piso] statistics timer");
    }
}

void
piso_stats_sampler_set_active (PisoStatsSampler *self,
                               gboolean          active)
{
  g_return_if_fail (PISO_IS_STATS_SAMPLER (self));

  active = !!active;
  if (self->active == active)
    return;

  self->active = active;
  if (!active)
    {
      /* Counters read before a drop may belong to another QEMU process. */
      g_hash_table_remove_all (self->previous);
      if (self->cancellable != NULL)
        g_cancellable_cancel (self->cancellable);
    }

  piso_stats_sampler_update_schedule (self);
}

guint
_piso_stats_sampler_get_n_calls (PisoStatsSampler *self)
{
  g_return_val_if_fail (PISO_IS_STATS_SAMPLER (self), 0);

  return self->n_calls;
}

guint
_piso_stats_sampler_get_last_n_domains (PisoStatsSampler *self)
{
  g_return_val_if_fail (PISO_IS_STATS_SAMPLER (self), 0);

  return self->last_n_domains;
}

gboolean
_piso_stats_sampler_is_scheduled (PisoStatsSampler *self)
{
  g_return_val_if_fail (PISO_IS_STATS_SAMPLER (self), FALSE);

  return self->timeout_id != 0;
}

guint
_piso_stats_sampler_get_n_held (PisoStatsSampler *self)
{
  g_return_val_if_fail (PISO_IS_STATS_SAMPLER (self), 0);

  return g_hash_table_size (self->holds);
}

/* GObject -------------------------------------------------------------- */

static void
piso_stats_sampler_dispose (GObject *object)
{
  PisoStatsSampler *self = (PisoStatsSampler *)object;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->prime_id, g_source_remove);
  /* The thread finishes on its own; its result then finds no sampler. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->in_flight = FALSE;
  g_hash_table_remove_all (self->holds);
  g_hash_table_remove_all (self->previous);

  G_OBJECT_CLASS (piso_stats_sampler_parent_class)->dispose (object);
}

static void
piso_stats_sampler_finalize (GObject *object)
{
  PisoStatsSampler *self = (PisoStatsSampler *)object;

  g_clear_pointer (&self->holds, g_hash_table_unref);
  g_clear_pointer (&self->previous, g_hash_table_unref);

  G_OBJECT_CLASS (piso_stats_sampler_parent_class)->finalize (object);
}

static void
piso_stats_sampler_class_init (PisoStatsSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_stats_sampler_dispose;
  object_class->finalize = piso_stats_sampler_finalize;
}

static void
piso_stats_sampler_init (PisoStatsSampler *self)
{
  self->holds = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) hold_free);
  self->previous = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->active = FALSE;  /* the connection activates it once connected */
}

PisoStatsSampler *
piso_stats_sampler_new (PisoConnection *connection)
{
  PisoStatsSampler *self;

  g_return_val_if_fail (PISO_IS_CONNECTION (connection), NULL);

  self = g_object_new (PISO_TYPE_STATS_SAMPLER, NULL);
  self->connection = connection;

  return self;
}
