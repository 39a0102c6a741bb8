/* test-live-install.c: an install from media finishes by itself, on a real libvirtd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * New Machine's backend (PisoCreator) creates two machines from the test
 * guest's installer ISO, as from any user's ISO: one with BIOS (SeaBIOS),
 * one with UEFI (OVMF), each with a new empty disk. Both boot at once (two
 * guests under TCG take the time of one on two cores). With no other action
 * the installer writes the guest onto the disk and reboots; Piso ends the
 * install run, and the machine comes back booting the installed system,
 * whose ready line says installed=1. The persistent definition then has the
 * CD-ROM empty and out of the boot order, the disk first and
 * <on_reboot>restart</on_reboot>.
 */
#define G_LOG_DOMAIN "piso-test"

#include <libvirt/libvirt.h>

#include "piso-backend-private.h"
#include "piso-creator.h"
#include "piso-install-plan.h"
#include "piso-live.h"
#include "piso-os-catalog.h"

#define MiB (G_GUINT64_CONSTANT (1024) * 1024)
#define TIMEOUT_S 300

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;

typedef struct
{
  const char   *what;
  PisoMachine  *machine;
  PisoLiveRuns *runs;
  gint64        t0;
} Install;

static PisoInstallPlan *
user_plan (PisoConnection      *connection,
           PisoHostInfo        *host,
           PisoInstallFirmware  firmware,
           const char          *what)
{
  PisoOsCatalog *catalog = piso_os_catalog_get_default ();
  g_autoptr(GFile) iso = g_file_new_for_path (piso_live_guest_installer_iso ());
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PisoOsEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = piso_live_unique_name (what);
  PisoInstallPlan *plan = piso_install_plan_new (connection);

  /* What New Machine does with a dropped ISO: libosinfo does not know this
   * one, so the plan is for a generic OS (SATA disk and CD-ROM, q35). */
  piso_os_catalog_identify_media_async (catalog, iso, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  entry = piso_os_catalog_identify_media_finish (catalog, result, &error);
  g_assert_no_error (error);
  g_assert_null (entry);
  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_MEDIA);
  piso_install_plan_set_source_path (plan, piso_live_guest_installer_iso ());
  piso_install_plan_apply_os (plan, catalog, host);

  /* The user's choices: small, and no network (none is defined here). */
  piso_install_plan_set_name (plan, name);
  piso_install_plan_set_vcpus (plan, 1);
  piso_install_plan_set_memory (plan, 512 * 1024);
  piso_install_plan_set_disk_size (plan, 64 * MiB);
  piso_install_plan_set_network (plan, PISO_INSTALL_NETWORK_NONE);
  piso_install_plan_set_firmware (plan, firmware);
  return plan;
}

static void
create (PisoConnection      *connection,
        PisoHostInfo        *host,
        PisoInstallFirmware  firmware,
        Install             *install)
{
  g_autoptr(PisoInstallPlan) plan = user_plan (connection, host, firmware, install->what);
  g_autoptr(PisoCreator) creator = piso_creator_new (connection, plan);
  g_autoptr(GError) error = NULL;

  /* The private daemon has no storage pool until the first creation makes it. */
  piso_creator_set_consent (creator, PISO_CREATOR_PROBLEM_NO_POOL);
  install->t0 = g_get_monotonic_time ();
  install->machine = piso_test_creator_run (creator, NULL, 180, &error);
  g_assert_no_error (error);
  g_assert_nonnull (install->machine);
  install->runs = piso_live_runs_follow (install->machine);
  g_assert_cmpint (piso_machine_get_install_phase (install->machine), ==,
                   PISO_MACHINE_INSTALL_PHASE_INSTALLING);
}

static gboolean
both_ready_again (gpointer data)
{
  Install *installs = data;

  return piso_live_runs_ready_again (installs[0].runs) &&
         piso_live_runs_ready_again (installs[1].runs);
}

static void
assert_installed (Install *install)
{
  g_autofree char *xml = piso_test_machine_definition (install->machine);
  PisoLiveConsole *console = install->runs->console;
  PisoTestXml x = { 0 };

  g_test_message ("%s: the install run ended after %.1f s, the installed system's ready "
                  "line after %.1f s", install->what,
                  (install->runs->stopped_at - install->t0) / (double) G_USEC_PER_SEC,
                  (console->ready_at - install->t0) / (double) G_USEC_PER_SEC);
  /* The installer ran once, then the installed system (not the installer
   * again, which would print PISO-INSTALLER-START and no installed=1). */
  g_assert_cmpuint (install->runs->runs, ==, 2);
  g_assert_true (console->installed);
  g_assert_cmpstr (console->ready_name, ==, "piso-guest");
  g_assert_null (strstr (console->text->str, "PISO-INSTALLER"));
  g_assert_cmpint (piso_machine_get_install_phase (install->machine), ==,
                   PISO_MACHINE_INSTALL_PHASE_FINISHED);

  g_test_message ("%s", xml);
  piso_test_xml_parse (&x, xml);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']", 1);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/boot", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "1");
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "restart");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "finished");
  piso_test_xml_clear (&x);
}

static void
test_install_finishes (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoHostInfo) host = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Install installs[2] = { { .what = "install-bios" }, { .what = "install-uefi" } };

  PISO_LIVE_REQUIRE (live, skip_reason);
  if (!g_file_test (piso_live_guest_installer_iso (), G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("no piso-guest-installer.iso: rebuild the guest (tests/testbed/make-guest.sh)");
      return;
    }
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  piso_connection_query_host_async (connection, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  host = piso_connection_query_host_finish (connection, result, &error);
  g_assert_no_error (error);

  create (connection, host, PISO_INSTALL_FIRMWARE_BIOS, &installs[0]);
  create (connection, host, PISO_INSTALL_FIRMWARE_UEFI, &installs[1]);

  piso_test_wait_until (both_ready_again, installs, TIMEOUT_S,
                        "both machines' ready lines after their installers' reboot");
  for (guint i = 0; i < G_N_ELEMENTS (installs); i++)
    {
      assert_installed (&installs[i]);
      piso_live_runs_free (installs[i].runs);
      piso_live_run_action (installs[i].machine, piso_machine_force_off_async,
                            piso_machine_force_off_finish);
      g_object_unref (installs[i].machine);
    }
  piso_connection_close (connection);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));
  live = piso_live_daemon_start (&skip_reason);

  g_test_add_func ("/live/install/finishes-by-itself", test_install_finishes);

  ret = g_test_run ();

  piso_live_daemon_free (live);
  g_free (skip_reason);
  return ret;
}
