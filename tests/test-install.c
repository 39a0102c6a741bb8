/* test-install.c: an install from media finishing by itself, on libvirt's test driver
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The definitions of each step (pure XML), then PisoMachine following
 * install runs that New Machine's plan defines: the installer's reboot
 * (virDomainReboot on the domain itself: the test driver honours
 * <on_reboot>destroy</on_reboot> as QEMU does) counted and the machine
 * started again, the installer removed after the last one; stops the user
 * forces or asks Piso for not counted; a stop found when Piso connects
 * counted once, the machine left off; Remove Installer Media and dismissing
 * the finished install. test:///default is shared by every connection of
 * the process, so a raw libvirt connection can act while Piso is away.
 */
#include "config.h"

#include "piso-backend-private.h"
#include "piso-install-plan.h"
#include "piso-machine-install-private.h"
#include "piso-test-utils.h"

#define DEBIAN_11 "http://debian.org/debian/11"
#define WIN_XP    "http://microsoft.com/win/xp"
#define ISO       "/var/lib/piso-test/installer.iso"

/* New Machine's definition of @name installing @os_id from ISO onto a new
 * disk, for libvirt's test driver. */
static char *
install_xml (const char *os_id,
             const char *name)
{
  g_autoptr(PisoInstallPlan) plan = piso_install_plan_new (NULL);
  g_autofree char *disk = g_strdup_printf ("/var/lib/piso-test/images/%s.qcow2", name);
  PisoInstallStorage storage = { disk, "qcow2", ISO };
  g_autoptr(GError) error = NULL;
  char *xml;

  piso_install_plan_set_os (plan, os_id, NULL);
  piso_install_plan_apply_os (plan, piso_test_loaded_catalog (), NULL);
  piso_install_plan_set_name (plan, name);
  g_object_set (plan, "domain-type", "test", NULL);
  xml = piso_install_plan_build_xml (plan, &storage, &error);
  g_assert_no_error (error);
  return xml;
}

/* The inactive definition still boots the installer, @reboots counted. */
static void
assert_installing (PisoMachine *machine,
                   const char  *reboots)
{
  g_autofree char *xml = piso_test_machine_definition (machine);
  PisoTestXml x = { 0 };

  g_assert_cmpint (piso_machine_get_install_phase (machine), ==, PISO_MACHINE_INSTALL_PHASE_INSTALLING);
  piso_test_xml_parse (&x, xml);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "installing");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@reboots", reboots);
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "destroy");
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/source/@file", ISO);
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/boot/@order", "1");
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "2");
  piso_test_xml_clear (&x);
}

/* The inactive definition boots the installed disk, the drive empty. */
static void
assert_finished (PisoMachine *machine,
                 const char  *reboots)
{
  g_autofree char *xml = piso_test_machine_definition (machine);
  PisoTestXml x = { 0 };

  g_assert_cmpint (piso_machine_get_install_phase (machine), ==, PISO_MACHINE_INSTALL_PHASE_FINISHED);
  piso_test_xml_parse (&x, xml);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "finished");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@reboots", reboots);
  piso_test_assert_xml_count (&x, "/domain/metadata/piso:install/@stop-counted", 0);
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "restart");
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']", 1);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/boot", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "1");
  piso_test_xml_clear (&x);
}

/* ---- the steps, as XML ----------------------------------------------------- */

static char *
step (const char      *xml,
      PisoInstallStep  kind,
      gboolean         expect_finished)
{
  g_autoptr(GError) error = NULL;
  gboolean finished = !expect_finished;
  char *next = _piso_install_xml_step (xml, kind, &finished, &error);

  g_assert_no_error (error);
  g_assert_nonnull (next);
  g_assert_cmpint (finished, ==, expect_finished);
  return next;
}

static void
test_xml_steps (void)
{
  g_autofree char *linux_run = install_xml (DEBIAN_11, "steps-linux");
  g_autofree char *xp_run = install_xml (WIN_XP, "steps-xp");
  g_autofree char *done = NULL;
  g_autofree char *first = NULL;
  g_autofree char *found = NULL;
  g_autofree char *second = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *by_hand = NULL;
  g_autoptr(GError) error = NULL;
  PisoTestXml x = { 0 };

  /* One reboot finishes Linux: installer out of the boot order, emptied. */
  done = step (linux_run, PISO_INSTALL_STEP_COUNT, TRUE);
  piso_test_xml_parse (&x, done);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "finished");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@reboots", "1");
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "restart");
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/target[@dev='sda']", 1);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/boot", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "1");
  /* The rest of the definition is untouched. */
  piso_test_assert_xml_string (&x, "/domain/metadata/lo:libosinfo/lo:os/@id", DEBIAN_11);
  piso_test_assert_xml_string (&x, "/domain/on_poweroff", "destroy");
  piso_test_xml_clear (&x);

  /* A finished install has no further step. */
  g_assert_null (_piso_install_xml_step (done, PISO_INSTALL_STEP_COUNT, NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* Windows XP keeps its CD, first, through the first of its two reboots. */
  first = step (xp_run, PISO_INSTALL_STEP_COUNT, FALSE);
  piso_test_xml_parse (&x, first);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "installing");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@reboots", "1");
  piso_test_assert_xml_count (&x, "/domain/metadata/piso:install/@stop-counted", 0);
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "destroy");
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/source/@file", ISO);
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/boot/@order", "1");
  piso_test_xml_clear (&x);
  second = step (first, PISO_INSTALL_STEP_COUNT, TRUE);
  piso_test_xml_parse (&x, second);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@reboots", "2");
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/target/@dev", "hda");
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "1");
  piso_test_xml_clear (&x);

  /* A stop found off is marked, and the next counted reboot clears it. */
  found = step (xp_run, PISO_INSTALL_STEP_COUNT_UNSEEN, FALSE);
  piso_test_xml_parse (&x, found);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@stop-counted", "yes");
  piso_test_xml_clear (&x);
  g_clear_pointer (&second, g_free);
  second = step (found, PISO_INSTALL_STEP_COUNT, TRUE);
  piso_test_xml_parse (&x, second);
  piso_test_assert_xml_count (&x, "/domain/metadata/piso:install/@stop-counted", 0);
  piso_test_xml_clear (&x);

  /* Media libosinfo says must stay: out of the boot order, not ejected —
   * unless the user removes it. */
  {
    g_autoptr(GString) no_eject = g_string_new (linux_run);

    g_assert_cmpuint (g_string_replace (no_eject, "eject='yes'", "eject='no'", 1), ==, 1);
    kept = step (no_eject->str, PISO_INSTALL_STEP_COUNT, TRUE);
    by_hand = step (no_eject->str, PISO_INSTALL_STEP_FINISH, TRUE);
  }
  piso_test_xml_parse (&x, kept);
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/source/@file", ISO);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/boot", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "1");
  piso_test_xml_clear (&x);
  piso_test_xml_parse (&x, by_hand);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@reboots", "0");
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
  piso_test_xml_clear (&x);

  /* A definition booting by <os><boot dev>: the hard disk goes first. */
  {
    const char *by_dev =
      "<domain type='test'><name>by-dev</name><metadata>"
      "<piso:install xmlns:piso='" PISO_INSTALL_NS "' phase='installing' reboots='0' "
      "installer-reboots='1' eject='yes' installer='hdc'/></metadata>"
      "<os><type>hvm</type><boot dev='cdrom'/><boot dev='network'/><boot dev='hd'/></os>"
      "<on_reboot>destroy</on_reboot><devices>"
      "<disk type='file' device='cdrom'><source file='" ISO "'/><target dev='hdc' bus='ide'/></disk>"
      "<disk type='file' device='disk'><source file='/a.img'/><target dev='hda' bus='ide'/></disk>"
      "</devices></domain>";
    g_autofree char *next = step (by_dev, PISO_INSTALL_STEP_COUNT, TRUE);

    piso_test_xml_parse (&x, next);
    piso_test_assert_xml_string (&x, "/domain/os/boot[1]/@dev", "hd");
    piso_test_assert_xml_string (&x, "/domain/os/boot[2]/@dev", "cdrom");
    piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
    piso_test_xml_clear (&x);
  }

  /* Not Piso's install: refused. */
  g_assert_null (_piso_install_xml_step ("<domain type='test'><name>x</name></domain>",
                                         PISO_INSTALL_STEP_FINISH, NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_null (_piso_install_xml_step ("not xml", PISO_INSTALL_STEP_FINISH, NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
}

/* ---- machines ---------------------------------------------------------------- */

typedef struct
{
  PisoConnection *conn;
  virConnectPtr   other;   /* keeps test:///default alive; acts behind Piso's back */
  char           *name;
  PisoMachine    *machine;
  guint           starts;  /* times Piso saw the machine go from off to running */
  gboolean        was_off;
} Fixture;

static void
count_starts (PisoMachine *machine,
              GParamSpec  *pspec,
              Fixture     *f)
{
  PisoMachineState state = piso_machine_get_state (machine);

  if (state == PISO_MACHINE_STATE_SHUTOFF)
    f->was_off = TRUE;
  else if (state == PISO_MACHINE_STATE_RUNNING && f->was_off)
    {
      f->was_off = FALSE;
      f->starts++;
    }
}

static void
watch (Fixture     *f,
       PisoMachine *machine)
{
  f->machine = machine;
  f->starts = 0;
  f->was_off = piso_machine_get_state (machine) == PISO_MACHINE_STATE_SHUTOFF;
  g_signal_connect (machine, "notify::state", G_CALLBACK (count_starts), f);
}

static PisoMachine *
find (Fixture *f)
{
  PisoMachine *machine = piso_connection_lookup_machine_by_name (f->conn, f->name);

  g_assert_nonnull (machine);
  return machine;
}

/* Defines the install of @os_id through Piso and starts it. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  os_id)
{
  static guint counter;
  g_autofree char *xml = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoMachine) machine = NULL;

  f->other = virConnectOpen ("test:///default");
  g_assert_nonnull (f->other);
  f->conn = piso_test_open_connection ("test:///default");
  f->name = g_strdup_printf ("install-%u", ++counter);
  xml = install_xml (os_id, f->name);

  piso_connection_define_xml_async (f->conn, xml, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  machine = piso_connection_define_xml_finish (f->conn, result, &error);
  g_assert_no_error (error);
  watch (f, find (f));
  g_assert_true (PISO_TEST_RUN (f->machine, start, &error));
  g_assert_no_error (error);
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_cmpint (piso_machine_get_install_phase (f->machine), ==,
                   PISO_MACHINE_INSTALL_PHASE_INSTALLING);
  g_assert_true (piso_machine_can (f->machine, PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA));
  /* The model's reads of the new machine, which may have begun before it
   * started, have landed. */
  piso_test_spin (300);
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_RUNNING, 10);
  f->starts = 0;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  virDomainPtr dom = virDomainLookupByName (f->other, f->name);

  if (f->machine != NULL)
    g_signal_handlers_disconnect_by_data (f->machine, f);
  if (dom != NULL)
    {
      virDomainDestroy (dom);
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
  virResetLastError ();
  piso_connection_close (f->conn);
  g_clear_object (&f->conn);
  virConnectClose (f->other);
  g_free (f->name);
}

/* What the installer does: the guest restarts itself. */
static void
installer_reboots (Fixture *f)
{
  virDomainPtr dom = virDomainLookupByName (f->other, f->name);

  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainReboot (dom, 0), ==, 0);
  virDomainFree (dom);
}

static gboolean
started_again (gpointer data)
{
  Fixture *f = data;

  return f->starts > 0 && piso_machine_get_state (f->machine) == PISO_MACHINE_STATE_RUNNING;
}

static gboolean
finished (gpointer data)
{
  Fixture *f = data;

  return started_again (f) &&
         piso_machine_get_install_phase (f->machine) == PISO_MACHINE_INSTALL_PHASE_FINISHED;
}

static void
test_reboot_finishes (Fixture       *f,
                      gconstpointer  data)
{
  installer_reboots (f);
  piso_test_wait_until (finished, f, 10, "the installed system's start");
  g_assert_cmpuint (f->starts, ==, 1);
  assert_finished (f->machine, "1");
  g_assert_false (piso_machine_can (f->machine, PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA));

  /* The installed system restarts as any machine does, and when it shuts
   * itself down it stays off. */
  installer_reboots (f);
  piso_test_spin (300);
  g_assert_cmpint (piso_machine_get_state (f->machine), ==, PISO_MACHINE_STATE_RUNNING);
  assert_finished (f->machine, "1");
  {
    virDomainPtr dom = virDomainLookupByName (f->other, f->name);

    g_assert_cmpint (virDomainShutdown (dom), ==, 0);
    virDomainFree (dom);
  }
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_SHUTOFF, 10);
  piso_test_spin (300);
  g_assert_cmpint (piso_machine_get_state (f->machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_cmpuint (f->starts, ==, 1);
}

static void
test_multi_reboot (Fixture       *f,
                   gconstpointer  data)
{
  installer_reboots (f);
  piso_test_wait_until (started_again, f, 10, "the install's second run");
  piso_test_spin (200);
  g_assert_cmpuint (f->starts, ==, 1);
  assert_installing (f->machine, "1");

  f->starts = 0;
  installer_reboots (f);
  piso_test_wait_until (finished, f, 10, "the installed system's start");
  assert_finished (f->machine, "2");
}

static void
test_user_stops_ignored (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* Forced off: stays off, not counted; the next start installs on. */
  g_assert_true (PISO_TEST_RUN (f->machine, force_off, &error));
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_SHUTOFF, 10);
  piso_test_spin (300);
  g_assert_cmpuint (f->starts, ==, 0);
  g_assert_cmpint (piso_machine_get_state (f->machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  assert_installing (f->machine, "0");

  /* Shut down through Piso: the same. */
  g_assert_true (PISO_TEST_RUN (f->machine, start, &error));
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_RUNNING, 10);
  f->starts = 0;
  g_assert_true (PISO_TEST_RUN (f->machine, shutdown, &error));
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_SHUTOFF, 10);
  piso_test_spin (300);
  g_assert_cmpuint (f->starts, ==, 0);
  assert_installing (f->machine, "0");

  /* Restarted through Piso: started again, not counted. */
  g_assert_true (PISO_TEST_RUN (f->machine, start, &error));
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_RUNNING, 10);
  f->starts = 0;
  g_assert_true (PISO_TEST_RUN (f->machine, reboot, &error));
  piso_test_wait_until (started_again, f, 10, "the restart the user asked for");
  assert_installing (f->machine, "0");

  /* Saved and restored: the run goes on. */
  g_assert_true (PISO_TEST_RUN (f->machine, save, &error));
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_SAVED, 10);
  piso_test_spin (300);
  assert_installing (f->machine, "0");
  g_assert_true (PISO_TEST_RUN (f->machine, restore, &error));
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_no_error (error);

  /* And the installer's own reboot still finishes it. */
  f->starts = 0;
  installer_reboots (f);
  piso_test_wait_until (finished, f, 10, "the installed system's start");
  assert_finished (f->machine, "1");
}

static gboolean
phase_is (PisoMachine             *machine,
          PisoMachineInstallPhase  phase)
{
  return piso_machine_get_install_phase (machine) == phase;
}

static gboolean
reboots_counted (gpointer data)
{
  Fixture *f = data;
  g_autofree char *xml = piso_test_machine_definition (f->machine);
  g_autofree char *reboots = NULL;
  PisoTestXml x = { 0 };

  piso_test_xml_parse (&x, xml);
  reboots = piso_test_xml_string (&x, "/domain/metadata/piso:install/@reboots");
  piso_test_xml_clear (&x);
  return g_strcmp0 (reboots, "1") == 0;
}

static gboolean
install_finished (gpointer machine)
{
  return phase_is (machine, PISO_MACHINE_INSTALL_PHASE_FINISHED);
}

static gboolean
install_dismissed (gpointer machine)
{
  return phase_is (machine, PISO_MACHINE_INSTALL_PHASE_NONE);
}

/* Piso goes away (its connection closed) and comes back; meanwhile the
 * guest shuts itself down when @guest_stops. */
static void
reconnect (Fixture  *f,
           gboolean  guest_stops)
{
  virDomainPtr dom = virDomainLookupByName (f->other, f->name);

  g_signal_handlers_disconnect_by_data (f->machine, f);
  f->machine = NULL;
  piso_connection_close (f->conn);
  g_clear_object (&f->conn);

  g_assert_nonnull (dom);
  if (guest_stops)
    g_assert_cmpint (virDomainShutdown (dom), ==, 0);
  virDomainFree (dom);
  f->conn = piso_test_open_connection ("test:///default");
  watch (f, find (f));
}

static void
test_found_off (Fixture       *f,
                gconstpointer  data)
{
  reconnect (f, TRUE);
  piso_test_wait_until (install_finished, f->machine, 10, "the install counted as finished");
  piso_test_spin (300);
  /* Counted, the installer removed, but not started. */
  g_assert_cmpint (piso_machine_get_state (f->machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_cmpuint (f->starts, ==, 0);
  assert_finished (f->machine, "1");
}

static void
test_found_off_counted_once (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  reconnect (f, TRUE);
  piso_test_wait_until (reboots_counted, f, 10, "the stop counted");
  assert_installing (f->machine, "1");

  /* Another Piso later: the same stop is not counted again. */
  reconnect (f, FALSE);
  piso_test_spin (500);
  assert_installing (f->machine, "1");
  g_assert_cmpint (piso_machine_get_state (f->machine), ==, PISO_MACHINE_STATE_SHUTOFF);

  /* The user starts it; its reboot, seen, is the second. */
  g_assert_true (PISO_TEST_RUN (f->machine, start, &error));
  piso_test_wait_state (f->machine, PISO_MACHINE_STATE_RUNNING, 10);
  f->starts = 0;
  installer_reboots (f);
  piso_test_wait_until (finished, f, 10, "the installed system's start");
  assert_finished (f->machine, "2");
}

static void
test_remove_installer_media (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *live = NULL;
  PisoTestXml x = { 0 };

  /* While the installer runs: the next start's definition, the run goes on. */
  g_assert_true (PISO_TEST_RUN (f->machine, remove_installer_media, &error));
  g_assert_no_error (error);
  piso_test_wait_until (install_finished, f->machine, 10, "the phase to follow");
  assert_finished (f->machine, "0");
  g_assert_cmpint (piso_machine_get_state (f->machine), ==, PISO_MACHINE_STATE_RUNNING);
  live = piso_test_machine_xml (f->machine);
  piso_test_xml_parse (&x, live);
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "destroy");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "finished");
  piso_test_xml_clear (&x);

  /* Not twice. */
  g_assert_false (PISO_TEST_RUN (f->machine, remove_installer_media, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* Dismissed while the run goes on: only the next start's definition
   * loses Piso's metadata; the run keeps its own (Piso follows its reboot). */
  g_assert_true (PISO_TEST_RUN (f->machine, dismiss_install, &error));
  g_assert_no_error (error);
  {
    g_autofree char *xml = piso_test_machine_definition (f->machine);
    g_assert_null (strstr (xml, PISO_INSTALL_NS));
  }
  piso_test_spin (200);
  g_assert_true (phase_is (f->machine, PISO_MACHINE_INSTALL_PHASE_FINISHED));

  /* The run's reboot: started again, from the disk, Piso's part done. */
  installer_reboots (f);
  piso_test_wait_until (started_again, f, 10, "the installed system's start");
  piso_test_wait_until (install_dismissed, f->machine, 10, "the phase to go");
  g_free (live);
  live = piso_test_machine_xml (f->machine);
  piso_test_xml_parse (&x, live);
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "restart");
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "1");
  piso_test_xml_clear (&x);
  g_assert_false (piso_machine_can (f->machine, PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA));
}

static void
test_dismiss (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* Not before the install finished. */
  g_assert_false (PISO_TEST_RUN (f->machine, dismiss_install, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);

  installer_reboots (f);
  piso_test_wait_until (finished, f, 10, "the installed system's start");
  g_assert_true (PISO_TEST_RUN (f->machine, dismiss_install, &error));
  g_assert_no_error (error);
  piso_test_wait_until (install_dismissed, f->machine, 10, "the phase to go");
  {
    g_autofree char *xml = piso_test_machine_definition (f->machine);
    g_autofree char *live = piso_test_machine_xml (f->machine);

    g_assert_null (strstr (xml, PISO_INSTALL_NS));
    g_assert_null (strstr (live, PISO_INSTALL_NS));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

  g_test_add_func ("/install/xml/steps", test_xml_steps);
  g_test_add ("/install/machine/reboot-finishes", Fixture, DEBIAN_11,
              fixture_setup, test_reboot_finishes, fixture_teardown);
  g_test_add ("/install/machine/multi-reboot", Fixture, WIN_XP,
              fixture_setup, test_multi_reboot, fixture_teardown);
  g_test_add ("/install/machine/user-stops-ignored", Fixture, DEBIAN_11,
              fixture_setup, test_user_stops_ignored, fixture_teardown);
  g_test_add ("/install/machine/found-off", Fixture, DEBIAN_11,
              fixture_setup, test_found_off, fixture_teardown);
  g_test_add ("/install/machine/found-off-counted-once", Fixture, WIN_XP,
              fixture_setup, test_found_off_counted_once, fixture_teardown);
  g_test_add ("/install/machine/remove-installer-media", Fixture, DEBIAN_11,
              fixture_setup, test_remove_installer_media, fixture_teardown);
  g_test_add ("/install/machine/dismiss", Fixture, DEBIAN_11,
              fixture_setup, test_dismiss, fixture_teardown);

  return g_test_run ();
}
