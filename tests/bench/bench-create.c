/* bench-create.c: creating and booting the test ISO through Piso's creator
 * and through virt-install
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by hand, as root, with PISO_LIVE_GUEST_DIR naming a built test guest
 * (tests/testbed/make-guest.sh), like the live tests. It starts a private
 * libvirtd and, three times each and one after the other, creates a machine
 * from piso-guest.iso (512 MiB, 1 vCPU, no disk, no network) with
 * PisoCreator and with `virt-install --noautoconsole` with the same options,
 * and reads the guest's serial console until its "PISO-GUEST-READY" line.
 * The last line is
 *
 *   piso_start_ms=… virt_install_start_ms=… piso_ready_ms=… virt_install_ready_ms=… ratio=…
 *
 * start: until the machine is defined and started (the creator's result;
 * virt-install's exit); ready: until the ready line; ratio = piso_ready /
 * virt_install_ready; all medians. Exits 77 when the live environment or
 * virt-install is not there.
 */
#define G_LOG_DOMAIN "piso-bench"

#include <stdio.h>

#include "piso-backend-private.h"
#include "piso-creator.h"
#include "piso-bench.h"
#include "piso-install-plan.h"

#define ROUNDS 3
#define READY_TIMEOUT_S 120

/* Opens the serial console of @name and waits for the ready line; returns
 * the monotonic time it arrived. */
static gint64
wait_ready (virConnectPtr  conn,
            const char    *name)
{
  virDomainPtr dom = virDomainLookupByName (conn, name);
  PisoLiveConsole *console;
  gint64 ready_at;

  if (dom == NULL)
    g_error ("no machine %s: %s", name, virGetLastErrorMessage ());
  console = piso_live_console_open_domain (dom);
  piso_test_wait_until (piso_live_console_ready, console, READY_TIMEOUT_S, "the guest's ready line");
  ready_at = console->ready_at;
  piso_live_console_close (console);

  /* Stop and remove it so the next round has the host to itself. */
  virDomainDestroy (dom);
  virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_NVRAM);
  virResetLastError ();
  virDomainFree (dom);
  return ready_at;
}

static gint64 piso_t0;

/* virt-install gets the same domain type as Piso's plan ("qemu" here, where
 * /dev/kvm exists but cannot be used). */
static char *domain_type;

static void
run_piso (PisoConnection *connection,
          const char     *iso,
          const char     *name,
          double         *start_ms,
          double         *ready_ms)
{
  g_autoptr(PisoInstallPlan) plan = piso_install_plan_new (connection);
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  virConnectPtr conn = _piso_connection_ref_handle (connection);
  gint64 t0, started;

  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_MEDIA);
  piso_install_plan_set_source_path (plan, iso);
  piso_install_plan_set_name (plan, name);
  piso_install_plan_set_vcpus (plan, 1);
  piso_install_plan_set_memory (plan, 512 * 1024);
  piso_install_plan_set_disk_size (plan, 0);
  piso_install_plan_set_network (plan, PISO_INSTALL_NETWORK_NONE);
  if (domain_type == NULL)
    g_object_get (plan, "domain-type", &domain_type, NULL);
  creator = piso_creator_new (connection, plan);
  piso_bench_print_stages (creator, &piso_t0);

  t0 = piso_t0 = g_get_monotonic_time ();
  piso_creator_run_async (creator, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  machine = piso_creator_run_finish (creator, result, &error);
  if (machine == NULL)
    g_error ("Piso could not create %s: %s", name, error->message);
  started = g_get_monotonic_time ();

  *start_ms = (started - t0) / 1000.0;
  *ready_ms = (wait_ready (conn, name) - t0) / 1000.0;
  virConnectClose (conn);
}

static void
run_virt_install (PisoConnection *connection,
                  PisoLiveDaemon *live,
                  const char     *iso,
                  const char     *name,
                  double         *start_ms,
                  double         *ready_ms)
{
  const char *args[] = {
    "--name", name, "--memory", "512", "--vcpus", "1",
    "--cdrom", iso, "--disk", "none", "--network", "none",
    "--graphics", "spice,listen=none", "--osinfo", "detect=on,require=off",
    "--virt-type", domain_type,
    "--noautoconsole", NULL
  };
  virConnectPtr conn = _piso_connection_ref_handle (connection);
  gint64 t0, started;

  t0 = g_get_monotonic_time ();
  piso_bench_virt_install_wait (piso_bench_virt_install_start (live, args));
  started = g_get_monotonic_time ();

  *start_ms = (started - t0) / 1000.0;
  *ready_ms = (wait_ready (conn, name) - t0) / 1000.0;
  virConnectClose (conn);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *iso = NULL;
  g_autoptr(PisoConnection) connection = NULL;
  double piso_start[ROUNDS], piso_ready[ROUNDS], vi_start[ROUNDS], vi_ready[ROUNDS];
  PisoLiveDaemon *live;

  if ((live = piso_bench_daemon_start ("bench-create", (const char *[]) { "virt-install", NULL },
                                       "virtinst")) == NULL)
    return 77;
  iso = g_build_filename (g_getenv ("PISO_LIVE_GUEST_DIR"), "piso-guest.iso", NULL);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));

  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autofree char *piso_name = g_strdup_printf ("bench-piso-%u", i);
      g_autofree char *vi_name = g_strdup_printf ("bench-virt-install-%u", i);

      run_piso (connection, iso, piso_name, &piso_start[i], &piso_ready[i]);
      g_print ("round %u: piso start %.0f ms, ready %.0f ms\n", i + 1, piso_start[i], piso_ready[i]);
      run_virt_install (connection, live, iso, vi_name, &vi_start[i], &vi_ready[i]);
      g_print ("round %u: virt-install start %.0f ms, ready %.0f ms\n", i + 1, vi_start[i], vi_ready[i]);
    }

  piso_connection_close (connection);
  g_clear_object (&connection);
  piso_live_daemon_free (live);

  g_print ("piso_start_ms=%.0f virt_install_start_ms=%.0f piso_ready_ms=%.0f "
           "virt_install_ready_ms=%.0f ratio=%.3f\n",
           piso_bench_median (piso_start, ROUNDS), piso_bench_median (vi_start, ROUNDS),
           piso_bench_median (piso_ready, ROUNDS), piso_bench_median (vi_ready, ROUNDS),
           piso_bench_median (piso_ready, ROUNDS) / piso_bench_median (vi_ready, ROUNDS));
  return 0;
}
