/* bench-migrate.c: a live migration through PisoMigration against
 * `virsh migrate` with the same flags
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by hand, as root, with PISO_LIVE_GUEST_DIR naming a built test guest,
 * like the live tests. Two private libvirtds (the live tests' migratable
 * pair, host UUIDs and migration ports of their own) stand for two hosts;
 * the tiny guest runs with 512 MiB on A. Three rounds, alternating: Piso
 * moves it A → B (PisoMigration: live, persistent on B, undefined on A,
 * memory over tcp://127.0.0.1), then
 *
 *   virsh -c B migrate --live --persistent --undefinesource DOM A tcp://127.0.0.1
 *
 * moves it back. Each is timed from the call to its end (Piso: from
 * piso_migration_run_async to its result, its pre-flight checks included;
 * virsh: its run, while this program's connections to both daemons take
 * their events as they do during Piso's, as they would in Piso).
 * Before each Piso move, the pre-flight checks alone are timed too ("check
 * alone", not part of either figure). Before the rounds, virsh moves the
 * guest to B and back untimed: the first move of a guest that has just
 * booted, into a daemon that has started no QEMU yet, takes 1–3 s longer
 * whoever makes it (Piso's first round did). The last line has the medians:
 *
 *   piso_migrate_ms=… virsh_migrate_ms=…
 *
 * Exits 77 when the live environment or virsh is not there.
 */
#define G_LOG_DOMAIN "piso-bench"

#include <stdio.h>

#include "piso-backend-private.h"
#include "piso-bench.h"
#include "piso-live.h"

#define ROUNDS 3

static double
piso_move (PisoMachine    *machine,
           PisoConnection *destination)
{
  g_autoptr(PisoMigration) migration = piso_migration_new (machine, destination);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  piso_migration_check_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 300);
  if (!piso_migration_check_finish (migration, result, &error))
    g_error ("Piso: %s", error->message);
  g_clear_object (&result);
  printf ("check alone: %.0f ms\n", piso_bench_ms_since (t0));
  t0 = g_get_monotonic_time ();
  piso_migration_run_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 300);
  if (!piso_migration_run_finish (migration, result, &error))
    g_error ("Piso: %s", error->message);
  return piso_bench_ms_since (t0);
}

int
main (int    argc,
      char **argv)
{
  const char *tools[] = { "virsh", NULL };
  g_autoptr(PisoConnection) a = NULL;
  g_autoptr(PisoConnection) b = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autofree char *name = NULL;
  g_autofree char *template = NULL;
  g_autoptr(GString) xml = NULL;
  double piso_ms[ROUNDS], virsh_ms[ROUNDS];
  PisoLiveDaemon *host_a, *host_b;

  if ((host_a = piso_bench_migratable_daemon_start (argv[0], 0, tools, "libvirt-clients")) == NULL)
    return 77;
  if ((host_b = piso_bench_migratable_daemon_start (argv[0], 1, tools, "libvirt-clients")) == NULL)
    {
      piso_live_daemon_free (host_a);
      return 77;
    }
  a = piso_test_open_connection (piso_live_daemon_get_uri (host_a));
  b = piso_test_open_connection (piso_live_daemon_get_uri (host_b));

  name = piso_live_unique_name ("bench-move");
  template = piso_live_domain_xml (host_a, name, NULL);
  xml = g_string_new (template);
  g_assert_cmpuint (g_string_replace (xml, "<memory unit='MiB'>256</memory>",
                                      "<memory unit='MiB'>512</memory>", 1), ==, 1);
  machine = piso_live_define (a, xml->str);
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_live_wait_guest_ready (host_a, name, 180);

  {
    const char *there[] = { "virsh", "-q", "-c", piso_live_daemon_get_uri (host_a), "migrate",
                            "--live", "--persistent", "--undefinesource", name,
                            piso_live_daemon_get_uri (host_b), "tcp://127.0.0.1", NULL };
    const char *back[] = { "virsh", "-q", "-c", piso_live_daemon_get_uri (host_b), "migrate",
                           "--live", "--persistent", "--undefinesource", name,
                           piso_live_daemon_get_uri (host_a), "tcp://127.0.0.1", NULL };

    printf ("warm-up: virsh there %.0f ms", piso_bench_time_tool_iterating (there));
    piso_test_wait_listed (b, name, TRUE, 60);
    printf (", back %.0f ms\n", piso_bench_time_tool_iterating (back));
  }

  for (guint i = 0; i < ROUNDS; i++)
    {
      const char *virsh[] = { "virsh", "-q", "-c", piso_live_daemon_get_uri (host_b), "migrate",
                              "--live", "--persistent", "--undefinesource", name,
                              piso_live_daemon_get_uri (host_a), "tcp://127.0.0.1", NULL };
      PisoMachine *here;

      piso_test_wait_listed (a, name, TRUE, 60);
      here = piso_connection_lookup_machine_by_name (a, name);
      piso_test_wait_state (here, PISO_MACHINE_STATE_RUNNING, 60);
      piso_ms[i] = piso_move (here, b);
      piso_test_wait_listed (b, name, TRUE, 60);
      piso_test_wait_listed (a, name, FALSE, 60);

      virsh_ms[i] = piso_bench_time_tool_iterating (virsh);
      printf ("round %u: piso %.0f ms, virsh %.0f ms\n", i + 1, piso_ms[i], virsh_ms[i]);
      fflush (stdout);
    }

  g_clear_object (&machine);
  g_clear_object (&b);
  g_clear_object (&a);
  piso_live_daemon_free (host_b);
  piso_live_daemon_free (host_a);
  printf ("piso_migrate_ms=%.0f virsh_migrate_ms=%.0f\n",
          piso_bench_median (piso_ms, ROUNDS), piso_bench_median (virsh_ms, ROUNDS));
  return 0;
}
