/* bench-install.c: installing from the test guest's installer ISO through
 * Piso's creator and through virt-install, until the installed system runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by hand, as root, with PISO_LIVE_GUEST_DIR naming a built test guest
 * (tests/testbed/make-guest.sh: piso-guest-installer.iso), like the live
 * tests. It starts a private libvirtd and, three times each and alternating,
 * creates a machine from the installer ISO (512 MiB, 1 vCPU, a new empty
 * 64 MiB disk, no network, BIOS) with PisoCreator and with virt-install with
 * the same options. The guest's installer writes the guest onto the disk and
 * reboots; with no other action the machine must come back running the
 * installed system, whose serial console says "PISO-GUEST-READY … installed=1".
 *
 * virt-install runs with --noautoconsole --wait -1: with --noautoconsole
 * alone it exits as soon as the installer runs ("You can reconnect to the
 * console to complete the installation process") and nothing starts the
 * machine again after the installer's reboot; --wait makes it watch the
 * machine (once a second) and start it again, as Piso does on libvirt's
 * event. The last line is
 *
 *   piso_installed_ms=… virt_install_installed_ms=… ratio=…
 *
 * from the call (PisoCreator's run, virt-install's start) to the installed
 * system's ready line; medians; ratio = Piso / virt-install. Both follow the
 * machine's runs through Piso's model of the connection (a second run's
 * serial console is opened when libvirt says it started). Exits 77 when the
 * live environment or virt-install is not there.
 */
#define G_LOG_DOMAIN "piso-bench"

#include "piso-backend-private.h"
#include "piso-bench.h"
#include "piso-creator.h"
#include "piso-install-plan.h"

#define ROUNDS 3
#define INSTALLED_TIMEOUT_S 600
#define DISK_MIB 64     /* virt-install's --disk size=0.0625 (GiB) */

/* Waits for @runs' installed system, then deletes the machine and its disk
 * so the next round has the host to itself; returns when the ready line came.
 * Prints the install run's end, the next start and the ready line, in ms
 * since @t0. */
static gint64
wait_installed (PisoLiveRuns *runs,
                const char   *who,
                gint64        t0)
{
  PisoMachine *machine = g_object_ref (runs->machine);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) storage = g_ptr_array_new ();
  GListModel *disks = piso_machine_get_disks (machine);
  gint64 ready_at;

  piso_test_wait_until (piso_live_runs_ready_again, runs, INSTALLED_TIMEOUT_S,
                        "the ready line after the installer's reboot");
  if (!runs->console->installed)
    g_error ("%s: the machine came back to the installer, not the installed system", who);
  ready_at = runs->console->ready_at;
  g_print ("  %s: installer stopped at %.0f ms, started again at %.0f ms, installed ready at %.0f ms\n",
           who, (runs->stopped_at - t0) / 1000.0, (runs->started_at - t0) / 1000.0,
           (ready_at - t0) / 1000.0);
  piso_live_runs_free (runs);

  for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);

      if (g_strcmp0 (piso_disk_get_device (disk), "disk") == 0)
        g_ptr_array_add (storage, (gpointer) piso_disk_get_path (disk));
    }
  g_ptr_array_add (storage, NULL);
  piso_machine_delete_async (machine, (const char * const *) storage->pdata, NULL,
                             piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  if (!piso_machine_delete_finish (machine, result, &error))
    g_error ("%s: could not delete the machine: %s", who, error->message);
  g_object_unref (machine);
  return ready_at;
}

static gint64 piso_t0;

/* virt-install gets the domain type of Piso's plan ("qemu" where /dev/kvm
 * cannot be used). */
static char *domain_type;

static double
run_piso (PisoConnection *connection,
          const char     *iso,
          const char     *name)
{
  g_autoptr(PisoInstallPlan) plan = piso_install_plan_new (connection);
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0;

  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_MEDIA);
  piso_install_plan_set_source_path (plan, iso);
  piso_install_plan_set_name (plan, name);
  piso_install_plan_set_vcpus (plan, 1);
  piso_install_plan_set_memory (plan, 512 * 1024);
  piso_install_plan_set_disk_size (plan, DISK_MIB * G_GUINT64_CONSTANT (1024) * 1024);
  piso_install_plan_set_network (plan, PISO_INSTALL_NETWORK_NONE);
  if (domain_type == NULL)
    g_object_get (plan, "domain-type", &domain_type, NULL);
  creator = piso_creator_new (connection, plan);
  /* The private daemon has no storage pool until the first creation. */
  piso_creator_set_consent (creator, PISO_CREATOR_PROBLEM_NO_POOL);
  piso_bench_print_stages (creator, &piso_t0);

  t0 = piso_t0 = g_get_monotonic_time ();
  piso_creator_run_async (creator, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  machine = piso_creator_run_finish (creator, result, &error);
  if (machine == NULL)
    g_error ("Piso could not create %s: %s", name, error->message);

  return (wait_installed (piso_live_runs_follow (machine), "Piso", t0) - t0) / 1000.0;
}

static gboolean
machine_listed (gpointer data)
{
  gpointer *args = data;

  return piso_connection_lookup_machine_by_name (args[0], args[1]) != NULL;
}

static double
run_virt_install (PisoConnection *connection,
                  PisoLiveDaemon *live,
                  const char     *iso,
                  const char     *name)
{
  const char *args[] = {
    "--name", name, "--memory", "512", "--vcpus", "1",
    "--cdrom", iso, "--disk", "size=0.0625", "--network", "none",
    "--graphics", "spice,listen=none", "--osinfo", "detect=on,require=off",
    "--virt-type", domain_type,
    "--noautoconsole", "--wait", "-1", NULL
  };
  gpointer lookup[] = { connection, (gpointer) name };
  PisoLiveRuns *runs;
  GSubprocess *process;
  gint64 t0, ready_at;

  t0 = g_get_monotonic_time ();
  process = piso_bench_virt_install_start (live, args);
  piso_test_wait_until (machine_listed, lookup, 60, "virt-install's machine");
  runs = piso_live_runs_follow (piso_connection_lookup_machine_by_name (connection, name));
  piso_test_wait_until (piso_live_runs_ready_again, runs, INSTALLED_TIMEOUT_S,
                        "the ready line after the installer's reboot");
  ready_at = runs->console->ready_at;
  /* virt-install exits once it has started the machine again. */
  piso_bench_virt_install_wait (process);
  wait_installed (runs, "virt-install", t0);
  return (ready_at - t0) / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *iso = NULL;
  g_autoptr(PisoConnection) connection = NULL;
  double piso[ROUNDS], virt_install[ROUNDS];
  PisoLiveDaemon *live;

  if ((live = piso_bench_daemon_start ("bench-install", (const char *[]) { "virt-install", NULL },
                                       "virtinst")) == NULL)
    return 77;
  iso = g_build_filename (g_getenv ("PISO_LIVE_GUEST_DIR"), "piso-guest-installer.iso", NULL);
  if (!g_file_test (iso, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("bench-install: skipped: no %s (rebuild the guest: tests/testbed/make-guest.sh)\n",
                  iso);
      piso_live_daemon_free (live);
      return 77;
    }
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));

  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autofree char *piso_name = g_strdup_printf ("bench-install-piso-%u", i);
      g_autofree char *vi_name = g_strdup_printf ("bench-install-virt-install-%u", i);

      piso[i] = run_piso (connection, iso, piso_name);
      g_print ("round %u: piso installed %.0f ms\n", i + 1, piso[i]);
      virt_install[i] = run_virt_install (connection, live, iso, vi_name);
      g_print ("round %u: virt-install installed %.0f ms\n", i + 1, virt_install[i]);
    }

  piso_connection_close (connection);
  g_clear_object (&connection);
  piso_live_daemon_free (live);

  g_print ("piso_installed_ms=%.0f virt_install_installed_ms=%.0f ratio=%.3f\n",
           piso_bench_median (piso, ROUNDS), piso_bench_median (virt_install, ROUNDS),
           piso_bench_median (piso, ROUNDS) / piso_bench_median (virt_install, ROUNDS));
  return 0;
}
