/* test-stats.c: statistics history, rate computations and the sampler's scheduling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "piso-test-utils.h"
#include "piso-stats-sampler-private.h"

#define FAST_INTERVAL_MS 250

/* History ---------------------------------------------------------------- */

static void
fill (double values[PISO_STATS_N_SERIES],
      double v)
{
  for (guint s = 0; s < PISO_STATS_N_SERIES; s++)
    values[s] = v + s;
}

static void
test_history_empty (void)
{
  g_autoptr(PisoStatsHistory) history = piso_stats_history_new ();

  g_assert_cmpuint (piso_stats_history_get_n_samples (history), ==, 0);
  g_assert_true (isnan (piso_stats_history_get_latest (history, PISO_STATS_CPU_PERCENT)));
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_NET_RX_BPS), ==, 0.0);
}

static void
test_history_order (void)
{
  g_autoptr(PisoStatsHistory) history = piso_stats_history_new ();
  double values[PISO_STATS_N_SERIES];

  for (guint i = 0; i < 3; i++)
    {
      fill (values, 10.0 * i);
      piso_stats_history_append (history, values);
    }

  g_assert_cmpuint (piso_stats_history_get_n_samples (history), ==, 3);
  for (guint i = 0; i < 3; i++)
    for (guint s = 0; s < PISO_STATS_N_SERIES; s++)
      g_assert_cmpfloat (piso_stats_history_get (history, s, i), ==, 10.0 * i + s);
  g_assert_cmpfloat (piso_stats_history_get_latest (history, PISO_STATS_DISK_WRITE_BPS), ==,
                     20.0 + PISO_STATS_DISK_WRITE_BPS);
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_CPU_PERCENT), ==, 20.0);
}

static void
test_history_wrap (void)
{
  g_autoptr(PisoStatsHistory) history = piso_stats_history_new ();
  const guint extra = 25;
  double values[PISO_STATS_N_SERIES];

  for (guint i = 0; i < PISO_STATS_HISTORY_LENGTH + extra; i++)
    {
      fill (values, i);
      piso_stats_history_append (history, values);
      g_assert_cmpuint (piso_stats_history_get_n_samples (history), ==,
                        MIN (i + 1, PISO_STATS_HISTORY_LENGTH));
    }

  /* The oldest samples were overwritten; order is still oldest first. */
  for (guint i = 0; i < PISO_STATS_HISTORY_LENGTH; i++)
    g_assert_cmpfloat (piso_stats_history_get (history, PISO_STATS_CPU_PERCENT, i), ==,
                       (double) (extra + i));
  g_assert_cmpfloat (piso_stats_history_get_latest (history, PISO_STATS_MEMORY_USED_KIB), ==,
                     PISO_STATS_HISTORY_LENGTH + extra - 1 + PISO_STATS_MEMORY_USED_KIB);
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_CPU_PERCENT), ==,
                     PISO_STATS_HISTORY_LENGTH + extra - 1);

  /* A small value after wrapping: the max is the largest one still stored. */
  fill (values, 0);
  for (guint i = 0; i < PISO_STATS_HISTORY_LENGTH - 1; i++)
    piso_stats_history_append (history, values);
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_CPU_PERCENT), ==,
                     PISO_STATS_HISTORY_LENGTH + extra - 1);
  piso_stats_history_append (history, values);
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_CPU_PERCENT), ==, 0.0);

  piso_stats_history_clear (history);
  g_assert_cmpuint (piso_stats_history_get_n_samples (history), ==, 0);
  g_assert_true (isnan (piso_stats_history_get_latest (history, PISO_STATS_CPU_PERCENT)));
  fill (values, 7);
  piso_stats_history_append (history, values);
  g_assert_cmpfloat (piso_stats_history_get (history, PISO_STATS_CPU_PERCENT, 0), ==, 7.0);
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_CPU_PERCENT), ==, 7.0);
}

static void
test_history_nan (void)
{
  g_autoptr(PisoStatsHistory) history = piso_stats_history_new ();
  double values[PISO_STATS_N_SERIES];

  for (guint s = 0; s < PISO_STATS_N_SERIES; s++)
    values[s] = NAN;
  piso_stats_history_append (history, values);
  g_assert_true (isnan (piso_stats_history_get (history, PISO_STATS_DISK_READ_BPS, 0)));
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_DISK_READ_BPS), ==, 0.0);

  values[PISO_STATS_DISK_READ_BPS] = 4096;
  piso_stats_history_append (history, values);
  values[PISO_STATS_DISK_READ_BPS] = NAN;
  piso_stats_history_append (history, values);

  g_assert_cmpuint (piso_stats_history_get_n_samples (history), ==, 3);
  g_assert_cmpfloat (piso_stats_history_get_max (history, PISO_STATS_DISK_READ_BPS), ==, 4096);
  g_assert_true (isnan (piso_stats_history_get_latest (history, PISO_STATS_DISK_READ_BPS)));
}

static void
test_history_boxed (void)
{
  PisoStatsHistory *history = piso_stats_history_new ();
  PisoStatsHistory *copy = g_boxed_copy (PISO_TYPE_STATS_HISTORY, history);
  double values[PISO_STATS_N_SERIES] = { 1, 2, 3, 4, 5, 6 };

  /* Boxed copies are references to the same ring. */
  g_assert_true (copy == history);
  piso_stats_history_append (history, values);
  g_assert_cmpuint (piso_stats_history_get_n_samples (copy), ==, 1);
  g_boxed_free (PISO_TYPE_STATS_HISTORY, copy);
  g_assert_cmpfloat (piso_stats_history_get_latest (history, PISO_STATS_NET_TX_BPS), ==, 6);
  piso_stats_history_unref (history);
}

/* Pure computations ---------------------------------------------------- */

#define S_NS G_GUINT64_CONSTANT (1000000000)

static void
test_compute_cpu_percent (void)
{
  static const struct {
    guint64 prev, now, dt;
    guint   vcpus;
    double  expected;   /* NAN: unknown */
  } cases[] = {
    { 0, S_NS, S_NS, 1, 100.0 },                   /* one vCPU busy for the whole second */
    { 0, S_NS / 2, S_NS, 1, 50.0 },
    { 0, S_NS, S_NS, 2, 50.0 },                    /* one of two vCPUs busy */
    { 5 * S_NS, 5 * S_NS + 3 * S_NS, 2 * S_NS, 4, 37.5 },
    { 10, 10, S_NS, 1, 0.0 },                      /* idle */
    { 0, S_NS + S_NS / 100, S_NS, 1, 100.0 },      /* clock jitter: clamped */
    { 0, 8 * S_NS, S_NS, 2, 100.0 },
    { S_NS, 0, S_NS, 1, NAN },                     /* went backwards: new process */
    { 0, S_NS, 0, 1, NAN },                        /* no time passed */
    { 0, S_NS, S_NS, 0, NAN },                     /* no vCPUs known */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double got = piso_stats_compute_cpu_percent (cases[i].prev, cases[i].now,
                                                   cases[i].dt, cases[i].vcpus);

      g_test_message ("case %u: %f (expected %f)", i, got, cases[i].expected);
      if (isnan (cases[i].expected))
        g_assert_true (isnan (got));
      else
        g_assert_cmpfloat_with_epsilon (got, cases[i].expected, 1e-9);
    }
}

static void
test_compute_rate (void)
{
  static const struct {
    gint64  prev, now;
    guint64 dt;
    double  expected;
  } cases[] = {
    { 0, 1000, S_NS, 1000.0 },
    { 1000, 5096, 2 * S_NS, 2048.0 },
    { 1 << 20, 1 << 20, S_NS, 0.0 },
    { 0, 1000, S_NS / 4, 4000.0 },
    { G_GINT64_CONSTANT (1) << 40, (G_GINT64_CONSTANT (1) << 40) + 500, S_NS / 2, 1000.0 },
    { 5000, 100, S_NS, NAN },      /* counter reset: guest reboot, unplug */
    { -1, 100, S_NS, NAN },        /* unknown before */
    { 100, -1, S_NS, NAN },        /* unknown now */
    { 0, 100, 0, NAN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double got = piso_stats_compute_rate (cases[i].prev, cases[i].now, cases[i].dt);

      g_test_message ("case %u: %f (expected %f)", i, got, cases[i].expected);
      if (isnan (cases[i].expected))
        g_assert_true (isnan (got));
      else
        g_assert_cmpfloat_with_epsilon (got, cases[i].expected, 1e-6);
    }
}

/* Sampler scheduling on the test driver ---------------------------------- */

typedef struct
{
  PisoConnection   *conn;
  PisoStatsSampler *sampler;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uri = piso_test_fixture_uri ("host.xml");

  f->conn = piso_test_open_connection (uri);
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (f->conn)), ==, 6);
  f->sampler = piso_stats_sampler_new (f->conn);
  piso_stats_sampler_set_interval (f->sampler, FAST_INTERVAL_MS);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->sampler);
  piso_connection_close (f->conn);
  g_object_unref (f->conn);
}

static PisoMachine *
machine (Fixture    *f,
         const char *name)
{
  PisoMachine *m = piso_connection_lookup_machine_by_name (f->conn, name);

  g_assert_nonnull (m);
  return m;
}

static const char * const all_names[] = { "run-1", "run-2", "run-3", "run-4", "paused", "off" };

static gboolean
call_done (gpointer user_data)
{
  PisoMachine *m = user_data;

  /* The first reading primes, the second appends. */
  return piso_stats_history_get_n_samples (piso_machine_get_stats_history (m)) >= 1;
}

static void
test_sampler_one_call_per_interval (Fixture       *f,
                                    gconstpointer  data)
{
  guint calls, samples;
  gint64 start;
  double elapsed_intervals;

  /* Inactive (not connected yet as far as the sampler knows): no timer. */
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));
  piso_stats_sampler_hold (f->sampler, machine (f, "run-1"));
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));
  piso_stats_sampler_release (f->sampler, machine (f, "run-1"));

  piso_stats_sampler_set_active (f->sampler, TRUE);
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));
  g_assert_cmpuint (_piso_stats_sampler_get_n_calls (f->sampler), ==, 0);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (all_names); i++)
    piso_stats_sampler_hold (f->sampler, machine (f, all_names[i]));
  g_assert_true (_piso_stats_sampler_is_scheduled (f->sampler));
  g_assert_cmpuint (_piso_stats_sampler_get_n_held (f->sampler), ==, 6);

  /* Holding primes on the next main loop iteration: one call for the four
   * running machines held together. */
  g_assert_cmpuint (_piso_stats_sampler_get_n_calls (f->sampler), ==, 0);
  piso_test_spin (10);
  g_assert_cmpuint (_piso_stats_sampler_get_n_calls (f->sampler), ==, 1);
  g_assert_cmpuint (_piso_stats_sampler_get_last_n_domains (f->sampler), ==, 4);

  piso_test_wait_until (call_done, machine (f, "run-4"), 10, "a first sample");
  piso_test_spin (4 * FAST_INTERVAL_MS);

  calls = _piso_stats_sampler_get_n_calls (f->sampler);
  elapsed_intervals = (double) (g_get_monotonic_time () - start) / (FAST_INTERVAL_MS * 1000.0);
  g_test_message ("%u calls in %.2f intervals", calls, elapsed_intervals);
  /* One call per interval for all machines, plus the priming one; a slow
   * CI machine may skip a tick but never makes one call per machine. */
  g_assert_cmpuint (calls, >=, 3);
  g_assert_cmpfloat (calls, <=, elapsed_intervals + 1.5);
  g_assert_cmpuint (_piso_stats_sampler_get_last_n_domains (f->sampler), ==, 4);

  for (guint i = 0; i < 4; i++)
    {
      PisoStatsHistory *history = piso_machine_get_stats_history (machine (f, all_names[i]));

      samples = piso_stats_history_get_n_samples (history);
      g_assert_cmpuint (samples, >=, calls - 2);
      g_assert_cmpuint (samples, <=, calls - 1);
      /* The test driver's bulk statistics have only state.*: unknown values. */
      g_assert_true (isnan (piso_stats_history_get_latest (history, PISO_STATS_CPU_PERCENT)));
      g_assert_true (isnan (piso_stats_history_get_latest (history, PISO_STATS_NET_RX_BPS)));
    }
  g_assert_cmpuint (piso_stats_history_get_n_samples (
                      piso_machine_get_stats_history (machine (f, "paused"))), ==, 0);
  g_assert_cmpuint (piso_stats_history_get_n_samples (
                      piso_machine_get_stats_history (machine (f, "off"))), ==, 0);

  /* Inactive: the timer goes, the holds stay. */
  piso_stats_sampler_set_active (f->sampler, FALSE);
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));
  g_assert_cmpuint (_piso_stats_sampler_get_n_held (f->sampler), ==, 6);
  piso_test_spin (FAST_INTERVAL_MS / 2);
  calls = _piso_stats_sampler_get_n_calls (f->sampler);
  piso_test_spin (3 * FAST_INTERVAL_MS);
  g_assert_cmpuint (_piso_stats_sampler_get_n_calls (f->sampler), ==, calls);

  piso_stats_sampler_set_active (f->sampler, TRUE);
  g_assert_true (_piso_stats_sampler_is_scheduled (f->sampler));

  /* Nothing held: no timer, no calls. */
  for (guint i = 0; i < G_N_ELEMENTS (all_names); i++)
    piso_stats_sampler_release (f->sampler, machine (f, all_names[i]));
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));
  g_assert_cmpuint (_piso_stats_sampler_get_n_held (f->sampler), ==, 0);
  piso_test_spin (FAST_INTERVAL_MS / 2);
  calls = _piso_stats_sampler_get_n_calls (f->sampler);
  piso_test_spin (3 * FAST_INTERVAL_MS);
  g_assert_cmpuint (_piso_stats_sampler_get_n_calls (f->sampler), ==, calls);
}

static void
test_sampler_counted_holds (Fixture       *f,
                            gconstpointer  data)
{
  PisoMachine *m = machine (f, "run-2");

  piso_stats_sampler_set_active (f->sampler, TRUE);
  piso_stats_sampler_hold (f->sampler, m);
  piso_stats_sampler_hold (f->sampler, m);
  g_assert_cmpuint (_piso_stats_sampler_get_n_held (f->sampler), ==, 1);
  piso_stats_sampler_release (f->sampler, m);
  g_assert_cmpuint (_piso_stats_sampler_get_n_held (f->sampler), ==, 1);
  g_assert_true (_piso_stats_sampler_is_scheduled (f->sampler));
  piso_stats_sampler_release (f->sampler, m);
  g_assert_cmpuint (_piso_stats_sampler_get_n_held (f->sampler), ==, 0);
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));

  /* Only stopped machines held: nothing to sample, no timer. */
  piso_stats_sampler_hold (f->sampler, machine (f, "off"));
  piso_stats_sampler_hold (f->sampler, machine (f, "paused"));
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));
  piso_stats_sampler_release (f->sampler, machine (f, "off"));
  piso_stats_sampler_release (f->sampler, machine (f, "paused"));
}

static void
test_sampler_follows_state (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PisoMachine *m = machine (f, "paused");

  piso_stats_sampler_set_active (f->sampler, TRUE);
  piso_stats_sampler_hold (f->sampler, m);
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));

  piso_machine_resume_async (m, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_resume_finish (m, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  piso_test_wait_state (m, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_true (_piso_stats_sampler_is_scheduled (f->sampler));

  piso_machine_force_off_async (m, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_force_off_finish (m, result, &error));
  g_assert_no_error (error);
  piso_test_wait_state (m, PISO_MACHINE_STATE_SHUTOFF, 10);
  g_assert_false (_piso_stats_sampler_is_scheduled (f->sampler));

  piso_stats_sampler_release (f->sampler, m);
}

static void
test_sampler_stop_in_flight (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("host.xml");
  PisoConnection *conn = piso_test_open_connection (uri);
  PisoStatsSampler *sampler = piso_stats_sampler_new (conn);
  PisoMachine *m = piso_connection_lookup_machine_by_name (conn, "run-1");
  gint64 start;

  piso_stats_sampler_set_active (sampler, TRUE);
  piso_stats_sampler_hold (sampler, m);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (_piso_stats_sampler_get_n_calls (sampler), ==, 1);

  /* The call is in flight: dropping the sampler returns at once, and the
   * result arriving later finds nobody. */
  start = g_get_monotonic_time ();
  g_assert_finalize_object (sampler);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 50 * 1000);
  piso_test_spin (300);

  piso_connection_close (conn);
  g_object_unref (conn);
}

static void
test_sampler_machine_finalized (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("host.xml");
  PisoConnection *conn = piso_test_open_connection (uri);
  PisoStatsSampler *sampler = piso_stats_sampler_new (conn);
  PisoMachine *m = piso_connection_lookup_machine_by_name (conn, "run-1");
  GWeakRef weak;

  g_weak_ref_init (&weak, m);
  piso_stats_sampler_set_active (sampler, TRUE);
  piso_stats_sampler_hold (sampler, m);
  piso_test_spin (FAST_INTERVAL_MS);

  /* A view that forgets to release must not leave a dangling machine
   * behind: once the connection lets its machines go, the hold goes too. */
  piso_connection_close (conn);
  g_object_unref (conn);
  piso_test_spin (100);
  if (g_weak_ref_get (&weak) == NULL)
    {
      g_assert_cmpuint (_piso_stats_sampler_get_n_held (sampler), ==, 0);
      g_assert_false (_piso_stats_sampler_is_scheduled (sampler));
    }
  else
    {
      g_object_unref (m);
      g_test_incomplete ("the machine outlived its connection");
    }
  g_weak_ref_clear (&weak);
  g_assert_finalize_object (sampler);
}

/* Through the connection, as views use it. */
static gboolean
has_two_samples (gpointer user_data)
{
  return piso_stats_history_get_n_samples (piso_machine_get_stats_history (user_data)) >= 2;
}

static void
test_connection_hold_stats (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("host.xml");
  PisoConnection *conn = piso_test_open_connection (uri);
  PisoMachine *m = piso_connection_lookup_machine_by_name (conn, "run-3");

  g_assert_cmpuint (piso_connection_get_stats_interval (conn), ==, 2000);
  piso_connection_set_stats_interval (conn, FAST_INTERVAL_MS);
  g_assert_cmpuint (piso_connection_get_stats_interval (conn), ==, FAST_INTERVAL_MS);

  piso_connection_hold_stats (conn, m);
  piso_test_wait_until (has_two_samples, m, 10, "two samples of run-3");
  piso_connection_release_stats (conn, m);

  piso_connection_close (conn);
  g_object_unref (conn);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  g_test_add_func ("/stats/history/empty", test_history_empty);
  g_test_add_func ("/stats/history/order", test_history_order);
  g_test_add_func ("/stats/history/wrap", test_history_wrap);
  g_test_add_func ("/stats/history/nan", test_history_nan);
  g_test_add_func ("/stats/history/boxed", test_history_boxed);
  g_test_add_func ("/stats/compute/cpu-percent", test_compute_cpu_percent);
  g_test_add_func ("/stats/compute/rate", test_compute_rate);
  g_test_add ("/stats/sampler/one-call-per-interval", Fixture, NULL,
              fixture_setup, test_sampler_one_call_per_interval, fixture_teardown);
  g_test_add ("/stats/sampler/counted-holds", Fixture, NULL,
              fixture_setup, test_sampler_counted_holds, fixture_teardown);
  g_test_add ("/stats/sampler/follows-state", Fixture, NULL,
              fixture_setup, test_sampler_follows_state, fixture_teardown);
  g_test_add_func ("/stats/sampler/stop-in-flight", test_sampler_stop_in_flight);
  g_test_add_func ("/stats/sampler/machine-finalized", test_sampler_machine_finalized);
  g_test_add_func ("/stats/connection/hold-stats", test_connection_hold_stats);

  return g_test_run ();
}
