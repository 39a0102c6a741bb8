/* test-live-lifecycle.c: Piso's backend driving real guests on a private libvirtd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <math.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "piso-live.h"

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;


static PisoConnection *
open_connection (void)
{
  return piso_test_open_connection (piso_live_daemon_get_uri (live));
}

static void
record_state (PisoMachine *machine,
              GParamSpec  *pspec,
              GArray      *states)
{
  PisoMachineState state = piso_machine_get_state (machine);

  g_array_append_val (states, state);
}

static gboolean
array_contains (GArray           *states,
                PisoMachineState  state)
{
  for (guint i = 0; i < states->len; i++)
    if (g_array_index (states, PisoMachineState, i) == state)
      return TRUE;
  return FALSE;
}

static gboolean
in_model (PisoConnection *connection,
          PisoMachine    *machine)
{
  GListModel *machines = piso_connection_get_machines (connection);

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(PisoMachine) item = g_list_model_get_item (machines, i);

      if (item == machine)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  PisoConnection *connection;
  const char     *name;
} NameWait;

static gboolean
name_listed (gpointer user_data)
{
  NameWait *w = user_data;

  return piso_connection_lookup_machine_by_name (w->connection, w->name) != NULL;
}

static gboolean
name_gone (gpointer user_data)
{
  return !name_listed (user_data);
}

static void
delete_machine (PisoMachine         *machine,
                const char * const  *remove_storage,
                GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_machine_delete_async (machine, remove_storage, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  piso_machine_delete_finish (machine, result, error);
}

/* Deletes @machine through Piso and waits for its row to go. */
static void
delete_and_wait (PisoConnection *connection,
                 PisoMachine    *machine)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (piso_machine_get_name (machine));
  NameWait w = { connection, name };

  delete_machine (machine, NULL, &error);
  g_assert_no_error (error);
  piso_test_wait_until (name_gone, &w, 30, "the deleted machine's row to go");
  g_assert_false (in_model (connection, machine));
}

static PisoMachine *
define_guest (PisoConnection *connection,
              const char     *name,
              const char     *devices)
{
  g_autofree char *xml = piso_live_domain_xml (live, name, devices);
  PisoMachine *machine = piso_live_define (connection, xml);

  g_assert_cmpstr (piso_machine_get_name (machine), ==, name);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_true (piso_machine_get_persistent (machine));
  g_assert_true (piso_connection_lookup_machine_by_name (connection, name) == machine);
  g_assert_true (in_model (connection, machine));

  return machine;
}

static void
start_and_wait_ready (PisoMachine *machine)
{
  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_START));
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_live_wait_guest_ready (live, piso_machine_get_name (machine), 180);
}

/* Define, start, wait for the guest to boot, ACPI shutdown: the states come
 * from libvirt's events into the model. */
static void
test_boot_and_acpi_shutdown (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (PisoMachineState));
  g_autofree char *name = piso_live_unique_name ("acpi");

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = open_connection ();
  machine = define_guest (connection, name, NULL);
  g_signal_connect (machine, "notify::state", G_CALLBACK (record_state), states);

  start_and_wait_ready (machine);
  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_SHUTDOWN));
  g_assert_false (piso_machine_can (machine, PISO_MACHINE_ACTION_START));

  piso_live_run_action (machine, piso_machine_shutdown_async, piso_machine_shutdown_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 120);
  g_assert_true (array_contains (states, PISO_MACHINE_STATE_RUNNING));
  g_assert_cmpint (g_array_index (states, PisoMachineState, states->len - 1), ==,
                   PISO_MACHINE_STATE_SHUTOFF);

  g_signal_handlers_disconnect_by_data (machine, states);
  delete_and_wait (connection, machine);
}

static gboolean
has_no_managed_save (gpointer machine)
{
  return !piso_machine_get_has_managed_save (machine);
}

/* Pause, resume, managed save, restore and force off on a booted guest. */
static void
test_pause_save_force_off (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autofree char *name = piso_live_unique_name ("pause");

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = open_connection ();
  machine = define_guest (connection, name, NULL);
  start_and_wait_ready (machine);

  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_PAUSE));
  g_assert_false (piso_machine_can (machine, PISO_MACHINE_ACTION_RESUME));
  piso_live_run_action (machine, piso_machine_pause_async, piso_machine_pause_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_PAUSED, 30);
  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_RESUME));

  piso_live_run_action (machine, piso_machine_resume_async, piso_machine_resume_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);

  piso_live_run_action (machine, piso_machine_save_async, piso_machine_save_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SAVED, 60);
  g_assert_true (piso_machine_get_has_managed_save (machine));
  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_RESTORE));

  piso_live_run_action (machine, piso_machine_restore_async, piso_machine_restore_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 60);

  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_FORCE_OFF));
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 60);
  /* The image goes once libvirt has restored it; the refresh that learns
   * it may come a moment after the state events. */
  piso_test_wait_until (has_no_managed_save, machine, 30, "the managed save image to be gone");
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_SHUTOFF);

  delete_and_wait (connection, machine);
}

/* Another client (a separate libvirt connection, like virsh) changes things;
 * Piso learns about each change through libvirt's events. */
static void
test_other_client (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autofree char *name = piso_live_unique_name ("other");
  g_autofree char *xml = NULL;
  PisoMachine *machine;
  virConnectPtr other;
  virDomainPtr dom;
  NameWait w;

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = open_connection ();
  w = (NameWait) { connection, name };
  other = virConnectOpen (piso_live_daemon_get_uri (live));
  g_assert_nonnull (other);

  xml = piso_live_domain_xml (live, name, NULL);
  dom = virDomainDefineXML (other, xml);
  g_assert_nonnull (dom);
  piso_test_wait_until (name_listed, &w, 30, "a machine defined elsewhere to appear");
  machine = piso_connection_lookup_machine_by_name (connection, name);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_SHUTOFF);

  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);

  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_PAUSED, 30);

  g_assert_cmpint (virDomainResume (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);

  /* A burst of changes: whatever Piso re-reads meanwhile must not leave a
   * stale state behind once the events have settled. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (virDomainSuspend (dom), ==, 0);
      g_assert_cmpint (virDomainResume (dom), ==, 0);
    }
  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_PAUSED, 30);
  piso_test_spin (2000);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_PAUSED);
  g_assert_cmpint (virDomainResume (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_test_spin (2000);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_RUNNING);

  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);

  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  piso_test_wait_until (name_gone, &w, 30, "a machine undefined elsewhere to go");

  virDomainFree (dom);
  virConnectClose (other);
}

static char *
disk_xml (const char *path,
          const char *target)
{
  return g_strdup_printf ("    <disk type='file' device='disk'>\n"
                          "      <driver name='qemu' type='qcow2'/>\n"
                          "      <source file='%s'/>\n"
                          "      <target dev='%s' bus='virtio'/>\n"
                          "    </disk>", path, target);
}

static char *
create_volume (virStoragePoolPtr pool,
               const char       *name)
{
  g_autofree char *xml = g_strdup_printf ("<volume><name>%s</name>"
                                          "<capacity unit='MiB'>16</capacity>"
                                          "<target><format type='qcow2'/></target>"
                                          "</volume>", name);
  virStorageVolPtr vol = virStorageVolCreateXML (pool, xml, 0);
  char *path;

  g_assert_nonnull (vol);
  path = virStorageVolGetPath (vol);
  virStorageVolFree (vol);

  return path;
}

/* Delete keeps disk images unless asked, removes the listed volumes when
 * asked, and refuses (removing nothing) for a volume another machine uses or
 * a file that is not a volume. */
static void
test_delete_storage (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pool_dir = NULL;
  g_autofree char *pool_xml = NULL;
  g_autofree char *keep = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *shared = NULL;
  g_autofree char *loose = NULL;
  g_autofree char *keep_name = piso_live_unique_name ("keep");
  g_autofree char *gone_name = piso_live_unique_name ("gone");
  g_autofree char *user1_name = piso_live_unique_name ("user1");
  g_autofree char *user2_name = piso_live_unique_name ("user2");
  g_autofree char *loose_name = piso_live_unique_name ("loose");
  g_autoptr(PisoMachine) keep_m = NULL;
  g_autoptr(PisoMachine) gone_m = NULL;
  g_autoptr(PisoMachine) user1 = NULL;
  g_autoptr(PisoMachine) user2 = NULL;
  g_autoptr(PisoMachine) loose_m = NULL;
  virConnectPtr other;
  virStoragePoolPtr pool;

  PISO_LIVE_REQUIRE (live, skip_reason);

  /* A storage pool to hold the images (set up as any other client would). */
  pool_dir = g_build_filename (piso_live_daemon_get_dir (live), "pool", NULL);
  g_assert_cmpint (g_mkdir_with_parents (pool_dir, 0755), ==, 0);
  other = virConnectOpen (piso_live_daemon_get_uri (live));
  g_assert_nonnull (other);
  pool_xml = g_strdup_printf ("<pool type='dir'><name>piso-live-%d</name>"
                              "<target><path>%s</path></target></pool>",
                              (int) getpid (), pool_dir);
  pool = virStoragePoolCreateXML (other, pool_xml, 0);
  g_assert_nonnull (pool);
  keep = create_volume (pool, "keep.qcow2");
  gone = create_volume (pool, "gone.qcow2");
  shared = create_volume (pool, "shared.qcow2");
  loose = g_build_filename (piso_live_daemon_get_dir (live), "loose.qcow2", NULL);
  g_assert_true (g_file_set_contents (loose, "not a volume", -1, NULL));

  connection = open_connection ();
#define DEFINE_WITH(var, name, ...) \
  G_STMT_START { \
    g_autofree char *devs = g_strjoin ("\n", __VA_ARGS__, NULL); \
    var = define_guest (connection, name, devs); \
  } G_STMT_END
  {
    g_autofree char *d_keep = disk_xml (keep, "vda");
    g_autofree char *d_gone = disk_xml (gone, "vda");
    g_autofree char *d_shared_a = disk_xml (shared, "vda");
    g_autofree char *d_shared_b = disk_xml (shared, "vdb");
    g_autofree char *d_loose = disk_xml (loose, "vda");

    DEFINE_WITH (keep_m, keep_name, d_keep);
    DEFINE_WITH (gone_m, gone_name, d_gone);
    DEFINE_WITH (user1, user1_name, d_shared_a);
    DEFINE_WITH (user2, user2_name, d_keep, d_shared_b);
    DEFINE_WITH (loose_m, loose_name, d_loose);
  }
#undef DEFINE_WITH

  /* No storage asked for: the image stays. */
  delete_and_wait (connection, keep_m);
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));

  /* Asked for: the volume goes. */
  {
    const char *remove[] = { gone, NULL };
    NameWait w = { connection, gone_name };

    delete_machine (gone_m, remove, &error);
    g_assert_no_error (error);
    piso_test_wait_until (name_gone, &w, 30, "the deleted machine's row to go");
    g_assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
  }

  /* A volume another machine uses: refused, nothing removed. */
  {
    const char *remove[] = { shared, NULL };

    delete_machine (user1, remove, &error);
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_DISK_IN_USE);
    g_clear_error (&error);
    g_assert_true (g_file_test (shared, G_FILE_TEST_EXISTS));
    g_assert_true (piso_connection_lookup_machine_by_name (connection, user1_name) == user1);
  }

  /* A file that is no storage volume: refused, nothing removed. */
  {
    const char *remove[] = { loose, NULL };

    delete_machine (loose_m, remove, &error);
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_A_VOLUME);
    g_clear_error (&error);
    g_assert_true (g_file_test (loose, G_FILE_TEST_EXISTS));
    g_assert_true (piso_connection_lookup_machine_by_name (connection, loose_name) == loose_m);
  }

  /* Once the other user is gone, the shared volume can go too. */
  delete_and_wait (connection, user1);
  {
    const char *remove[] = { shared, NULL };
    NameWait w = { connection, user2_name };

    delete_machine (user2, remove, &error);
    g_assert_no_error (error);
    piso_test_wait_until (name_gone, &w, 30, "the deleted machine's row to go");
    g_assert_false (g_file_test (shared, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));
  }
  delete_and_wait (connection, loose_m);

  virStoragePoolDestroy (pool);
  virStoragePoolFree (pool);
  virConnectClose (other);
}

typedef struct
{
  PisoMachine *machine;
  guint        n_samples;
} StatsWait;

static gboolean
stats_arrived (gpointer user_data)
{
  StatsWait *w = user_data;
  PisoStatsHistory *history = piso_machine_get_stats_history (w->machine);

  return history != NULL && piso_stats_history_get_n_samples (history) >= w->n_samples &&
         !isnan (piso_stats_history_get_latest (history, PISO_STATS_CPU_PERCENT));
}

/* The sampler gives real numbers for a running guest while it is held. */
static void
test_stats (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autofree char *name = piso_live_unique_name ("stats");
  PisoStatsHistory *history;
  StatsWait w;
  double cpu, memory;

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = open_connection ();
  machine = define_guest (connection, name, NULL);
  start_and_wait_ready (machine);

  piso_connection_set_stats_interval (connection, 500);
  piso_connection_hold_stats (connection, machine);
  w = (StatsWait) { machine, 3 };
  piso_test_wait_until (stats_arrived, &w, 60, "statistics samples");

  history = piso_machine_get_stats_history (machine);
  cpu = piso_stats_history_get_latest (history, PISO_STATS_CPU_PERCENT);
  memory = piso_stats_history_get_latest (history, PISO_STATS_MEMORY_USED_KIB);
  g_test_message ("cpu %.1f %%, memory %.0f KiB after %u samples", cpu, memory,
                  piso_stats_history_get_n_samples (history));
  g_assert_cmpfloat (cpu, >=, 0.0);
  g_assert_cmpfloat (cpu, <=, 100.0);
  g_assert_false (isnan (memory));
  g_assert_cmpfloat (memory, >, 16 * 1024.0);
  g_assert_cmpfloat (memory, <=, 256 * 1024.0);
  g_assert_cmpfloat (piso_machine_get_cpu_percent (machine), >=, 0.0);

  piso_connection_release_stats (connection, machine);
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 60);
  delete_and_wait (connection, machine);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

  live = piso_live_daemon_start (&skip_reason);

  g_test_add_func ("/live/lifecycle/boot-acpi-shutdown", test_boot_and_acpi_shutdown);
  g_test_add_func ("/live/lifecycle/pause-save-force-off", test_pause_save_force_off);
  g_test_add_func ("/live/lifecycle/other-client", test_other_client);
  g_test_add_func ("/live/lifecycle/delete-storage", test_delete_storage);
  g_test_add_func ("/live/lifecycle/stats", test_stats);

  ret = g_test_run ();

  piso_live_daemon_free (live);
  g_free (skip_reason);

  return ret;
}
