/* test-live-migrate.c: PisoMigration between two private libvirtds
 *
 * Two daemons on this computer stand for two hosts: each has a host UUID
 * and a port range for incoming migrations of its own. The tiny guest runs
 * on A with a qcow2 disk in A's pool; a refused move (to A itself), a
 * cancelled copy-storage one (its bandwidth held down so it is still
 * sending when the cancel comes: nothing is left on B), then a real
 * copy-storage move to B's pool, after which the guest's shell answers on
 * B, its clock runs on, B has the copy and A still has its file. A
 * shut-off machine moves by its definition, and one whose disk B does not
 * see has it copied into B's pool (a cancelled copy leaves nothing on B).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <glib/gstdio.h>
#include <string.h>

#include "piso-backend-private.h"
#include "piso-live.h"

static PisoLiveDaemon *host_a;   /* NULL: no live environment, skip */
static PisoLiveDaemon *host_b;
static char *skip_reason;

static gboolean
bytes_sent (gpointer migration)
{
  return piso_migration_get_bytes_done (migration) > 0;
}

static GError *
check (PisoMachine    *machine,
       PisoConnection *destination)
{
  g_autoptr(PisoMigration) migration = piso_migration_new (machine, destination);
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  piso_migration_check_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  g_assert_false (piso_migration_check_finish (migration, result, &error));
  return error;
}

/* Whether @name is defined on @daemon, asked of the daemon itself. */
static gboolean
daemon_has (PisoLiveDaemon *daemon,
            const char     *name)
{
  virConnectPtr conn = virConnectOpen (piso_live_daemon_get_uri (daemon));
  virDomainPtr dom;

  g_assert_nonnull (conn);
  dom = virDomainLookupByName (conn, name);
  if (dom != NULL)
    virDomainFree (dom);
  virResetLastError ();
  virConnectClose (conn);
  return dom != NULL;
}

static int
pool_volumes (PisoLiveDaemon *daemon)
{
  return piso_test_pool_volumes (piso_live_daemon_get_uri (daemon), "default");
}

static int
active_pools (PisoLiveDaemon *daemon)
{
  virConnectPtr conn = virConnectOpen (piso_live_daemon_get_uri (daemon));
  int n;

  g_assert_nonnull (conn);
  n = virConnectNumOfStoragePools (conn);
  virConnectClose (conn);
  return n;
}

/* The first match of @pattern's group in @name's definition on @daemon. */
static char *
definition_part (PisoLiveDaemon *daemon,
                 const char     *name,
                 const char     *pattern)
{
  virConnectPtr conn = virConnectOpen (piso_live_daemon_get_uri (daemon));
  virDomainPtr dom = virDomainLookupByName (conn, name);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  char *xml;
  char *part;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, 0);
  if (!g_regex_match (regex, xml, 0, &match))
    g_error ("No %s in the definition of %s: %s", pattern, name, xml);
  part = g_match_info_fetch (match, 1);
  free (xml);
  virDomainFree (dom);
  virConnectClose (conn);
  return part;
}

/* The source file of @name's disk vda on @daemon. */
static char *
disk_source (PisoLiveDaemon *daemon,
             const char     *name)
{
  return definition_part (daemon, name, "<source file='([^']+)'");
}

static double
guest_uptime (PisoLiveConsole *console)
{
  g_autofree char *out = piso_live_console_run (console, "cat /proc/uptime", 30);

  return g_ascii_strtod (out, NULL);
}

static void
test_live (void)
{
  g_autoptr(PisoConnection) a = NULL;
  g_autoptr(PisoConnection) a_again = NULL;
  g_autoptr(PisoConnection) b = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = piso_live_unique_name ("move");
  g_autofree char *disk = NULL;
  g_autofree char *disk_xml = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *echo = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *b_images = NULL;
  virStoragePoolPtr pool;
  PisoLiveConsole *console;
  PisoMachine *moved;
  double before, after;
  gint64 start;

  PISO_LIVE_REQUIRE (host_a, skip_reason);

  a = piso_test_open_connection (piso_live_daemon_get_uri (host_a));
  a_again = piso_test_open_connection (piso_live_daemon_get_uri (host_a));
  b = piso_test_open_connection (piso_live_daemon_get_uri (host_b));

  /* a qcow2 disk in A's pool "default"; B has an empty "default" */
  pool = piso_live_make_pool (host_a, a);
  disk = piso_live_make_volume (pool, "<volume><name>data.qcow2</name><capacity unit='MiB'>64</capacity>"
                                      "<target><format type='qcow2'/></target></volume>");
  virStoragePoolFree (pool);
  virStoragePoolFree (piso_live_make_pool (host_b, b));
  b_images = g_build_filename (piso_live_daemon_get_dir (host_b), "images", NULL);

  disk_xml = piso_live_qcow2_disk_xml (disk, "vda");
  xml = piso_live_domain_xml (host_a, name, disk_xml);
  machine = piso_live_define (a, xml);
  uuid = g_strdup (piso_machine_get_uuid (machine));
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_live_wait_guest_ready (host_a, name, 180);

  /* Refused before anything moves: the same connection, and another
   * connection to the same daemon (the same host UUID). */
  error = check (machine, a);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "is already on"));
  g_clear_error (&error);
  error = check (machine, a_again);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "are the same host (host UUID 00000000-0000-4000-8000-000000000001)"));
  g_clear_error (&error);

  /* B sees A's file, but on a local disk: libvirt would refuse to leave it
   * in place, so a pool of B to copy it into is asked for. */
  migration = piso_migration_new (machine, b);
  piso_migration_check_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  g_assert_false (piso_migration_check_finish (migration, result, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "choose a storage pool there"));
  g_assert_true (piso_migration_get_needs_storage (migration));
  g_assert_true (g_strv_contains (piso_migration_get_storage_pools (migration), "default"));
  g_clear_error (&error);
  g_clear_object (&result);
  g_clear_object (&migration);

  /* A copy-storage move cancelled while it sends at 1 MiB/s: still running
   * on A, not on B, and the volume made for it on B is gone. */
  migration = piso_migration_new (machine, b);
  piso_migration_set_bandwidth (migration, 1);
  piso_migration_set_storage_pool (migration, "default");
  cancellable = g_cancellable_new ();
  piso_migration_run_async (migration, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_until (bytes_sent, migration, 60, "the first bytes sent");
  g_assert_cmpuint (piso_migration_get_bytes_total (migration), >=,
                    piso_migration_get_bytes_done (migration));
  g_assert_cmpint (pool_volumes (host_b), ==, 1);
  g_cancellable_cancel (cancellable);
  piso_test_wait_result (&result, 60);
  g_assert_false (piso_migration_run_finish (migration, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "keeps running on"));
  g_clear_error (&error);
  g_clear_object (&result);
  g_clear_object (&migration);
  piso_test_spin (500);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_RUNNING);
  g_assert_nonnull (piso_connection_lookup_machine_by_name (a, name));
  g_assert_false (daemon_has (host_b, name));
  g_assert_cmpint (pool_volumes (host_b), ==, 0);
  console = piso_live_console_open (machine);
  echo = piso_live_console_run (console, "echo still-$((6*7))", 30);
  g_assert_cmpstr (echo, ==, "still-42");
  piso_live_console_close (console);

  /* Moved with its disk copied into B's pool: running and defined on B
   * with the copy as its disk, gone from A; A keeps its file (libvirt
   * never deletes a source's storage, and neither does Piso). */
  migration = piso_migration_new (machine, b);
  piso_migration_set_storage_pool (migration, "default");
  start = g_get_monotonic_time ();
  piso_migration_run_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  piso_migration_run_finish (migration, result, &error);
  g_assert_no_error (error);
  g_test_message ("copy-storage migration took %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_clear_object (&result);
  g_clear_object (&migration);
  piso_test_wait_listed (b, name, TRUE, 30);
  piso_test_wait_listed (a, name, FALSE, 30);
  g_assert_false (daemon_has (host_a, name));
  moved = piso_connection_lookup_machine_by_name (b, name);
  g_assert_cmpstr (piso_machine_get_uuid (moved), ==, uuid);
  piso_test_wait_state (moved, PISO_MACHINE_STATE_RUNNING, 30);
  g_assert_true (piso_machine_get_persistent (moved));
  g_assert_cmpint (pool_volumes (host_b), ==, 1);
  copy = disk_source (host_b, name);
  g_assert_true (g_str_has_prefix (copy, b_images));
  g_assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));

  /* The same guest, alive: its shell answers on B's console and its clock
   * runs on from where it was. */
  console = piso_live_console_open (moved);
  before = guest_uptime (console);
  g_assert_cmpfloat (before, >, 1.0);
  piso_test_spin (1500);
  after = guest_uptime (console);
  g_assert_cmpfloat (after, >, before + 1.0);
  piso_live_console_close (console);
}

static void
test_shut_off (void)
{
  g_autoptr(PisoConnection) a = NULL;
  g_autoptr(PisoConnection) b = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = piso_live_unique_name ("off");
  g_autofree char *xml = NULL;
  PisoMachine *moved;

  PISO_LIVE_REQUIRE (host_a, skip_reason);

  a = piso_test_open_connection (piso_live_daemon_get_uri (host_a));
  b = piso_test_open_connection (piso_live_daemon_get_uri (host_b));
  xml = piso_live_domain_xml (host_a, name, NULL);
  machine = piso_live_define (a, xml);

  migration = piso_migration_new (machine, b);
  piso_migration_run_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  piso_migration_run_finish (migration, result, &error);
  g_assert_no_error (error);
  piso_test_wait_listed (b, name, TRUE, 30);
  piso_test_wait_listed (a, name, FALSE, 30);
  moved = piso_connection_lookup_machine_by_name (b, name);
  g_assert_cmpint (piso_machine_get_state (moved), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_true (piso_machine_get_persistent (moved));
  g_assert_false (daemon_has (host_a, name));
}

typedef struct
{
  PisoMigration  *migration;
  GAsyncResult  **result;
} Run;

/* Some bytes sent, or the run is over already (too soon). */
static gboolean
bytes_sent_or_over (gpointer data)
{
  Run *run = data;

  return *run->result != NULL || bytes_sent (run->migration);
}

/* @daemon's pool "default", made when it has none yet. */
static void
ensure_default_pool (PisoLiveDaemon *daemon,
                     PisoConnection *connection)
{
  virConnectPtr conn = virConnectOpen (piso_live_daemon_get_uri (daemon));
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default");

  virResetLastError ();
  if (pool == NULL)
    pool = piso_live_make_pool (daemon, connection);
  virStoragePoolFree (pool);
  virConnectClose (conn);
}

/* qemu-io's answer to @command on the qcow2 image @path. */
static char *
qemu_io (const char *path,
         const char *command)
{
  const char *argv[] = { "qemu-io", "-f", "qcow2", "-c", command, path, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

#define VARS_SIZE (528 * 1024)

/* A shut-off machine whose disk B does not see (a volume of a pool only A
 * has): a move with B's pool chosen, cancelled while the disk is copied
 * (1 MiB/s), leaves no volume on B and the machine on A; then a move copies
 * the disk, byte for byte with the guest's data, into B's pool, where the
 * machine is defined with it as its disk, gone from A, whose file stays.
 * Its UEFI variables (a file in a folder that is no pool) go the same way. */
static void
test_shut_off_copy (void)
{
  g_autoptr(PisoConnection) a = NULL;
  g_autoptr(PisoConnection) b = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = piso_live_unique_name ("offcopy");
  g_autofree char *folder = NULL;
  g_autofree char *pool_xml = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *written = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *read = NULL;
  g_autofree char *b_images = NULL;
  g_autofree char *original = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *vars_dir = NULL;
  g_autofree char *vars_path = NULL;
  g_autofree char *vars = NULL;
  g_autofree char *vars_copy = NULL;
  g_autofree char *copied_vars = NULL;
  gsize original_size, copied_size, copied_vars_size;
  virConnectPtr handle;
  virStoragePoolPtr pool;
  int b_volumes;
  int pools_before;

  PISO_LIVE_REQUIRE (host_a, skip_reason);

  a = piso_test_open_connection (piso_live_daemon_get_uri (host_a));
  b = piso_test_open_connection (piso_live_daemon_get_uri (host_b));
  ensure_default_pool (host_b, b);
  b_images = g_build_filename (piso_live_daemon_get_dir (host_b), "images", NULL);
  b_volumes = pool_volumes (host_b);

  folder = g_build_filename (piso_live_daemon_get_dir (host_a), "only-a", NULL);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  pool_xml = g_strdup_printf ("<pool type='dir'><name>only-a</name><target><path>%s</path></target></pool>",
                              folder);
  handle = _piso_connection_ref_handle (a);
  pool = virStoragePoolCreateXML (handle, pool_xml, 0);
  g_assert_nonnull (pool);
  virConnectClose (handle);
  disk = piso_live_make_volume (pool, "<volume><name>data.qcow2</name><capacity unit='MiB'>64</capacity>"
                                      "<target><format type='qcow2'/></target></volume>");
  /* 4 MiB of the guest's data: 4 s at 1 MiB/s, time to cancel */
  written = qemu_io (disk, "write -P 0x5a 8M 4M");
  g_assert_nonnull (strstr (written, "wrote 4194304/4194304 bytes"));
  g_assert_cmpint (virStoragePoolRefresh (pool, 0), ==, 0);
  virStoragePoolFree (pool);

  /* its UEFI variables, in a folder of their own that is no pool (as
   * libvirt's nvram folder is not) */
  vars_dir = g_build_filename (piso_live_daemon_get_dir (host_a), "nvram", NULL);
  g_assert_cmpint (g_mkdir_with_parents (vars_dir, 0755), ==, 0);
  vars_path = g_strdup_printf ("%s/%s_VARS.fd", vars_dir, name);
  vars = g_malloc (VARS_SIZE);
  for (gsize i = 0; i < VARS_SIZE; i++)
    vars[i] = (char) (i * 7 + 3);
  g_assert_true (g_file_set_contents (vars_path, vars, VARS_SIZE, NULL));

  xml = piso_live_domain_xml (host_a, name,
                              "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
                              "<source pool='only-a' volume='data.qcow2'/>"
                              "<target dev='vda' bus='virtio'/></disk>");
  {
    g_autofree char *uefi = g_strdup_printf ("<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
                                             "<nvram>%s</nvram></os>", vars_path);
    g_autoptr(GString) with_uefi = g_string_new (xml);

    g_string_replace (with_uefi, "</os>", uefi, 1);
    machine = piso_live_define (a, with_uefi->str);
  }
  pools_before = active_pools (host_a);

  /* not seen by B: a pool is asked for */
  error = check (machine, b);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "choose a storage pool there to copy the disks into"));
  g_clear_error (&error);

  /* cancelled while the disk is copied */
  migration = piso_migration_new (machine, b);
  piso_migration_set_storage_pool (migration, "default");
  piso_migration_set_bandwidth (migration, 1);
  cancellable = g_cancellable_new ();
  piso_migration_run_async (migration, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_until (bytes_sent_or_over, &(Run) { migration, &result }, 30, "the first bytes copied");
  if (result != NULL)
    {
      piso_migration_run_finish (migration, result, &error);
      g_assert_no_error (error);
      g_error ("the copy ended before it was cancelled");
    }
  g_assert_cmpuint (piso_migration_get_bytes_total (migration), >, 4 * 1024 * 1024);
  g_assert_cmpuint (piso_migration_get_bytes_done (migration), <,
                    piso_migration_get_bytes_total (migration));
  /* the disk's and the variables' volumes */
  g_assert_cmpint (pool_volumes (host_b), ==, b_volumes + 2);
  g_cancellable_cancel (cancellable);
  piso_test_wait_result (&result, 30);
  g_assert_false (piso_migration_run_finish (migration, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_clear_object (&migration);
  g_assert_cmpint (pool_volumes (host_b), ==, b_volumes);
  g_assert_false (daemon_has (host_b, name));
  g_assert_true (daemon_has (host_a, name));

  /* moved, its disk copied */
  migration = piso_migration_new (machine, b);
  piso_migration_set_storage_pool (migration, "default");
  piso_migration_run_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  piso_migration_run_finish (migration, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (piso_migration_get_bytes_done (migration), ==,
                    piso_migration_get_bytes_total (migration));
  piso_test_wait_listed (b, name, TRUE, 30);
  piso_test_wait_listed (a, name, FALSE, 30);
  g_assert_false (daemon_has (host_a, name));
  g_assert_cmpint (piso_machine_get_state (piso_connection_lookup_machine_by_name (b, name)), ==,
                   PISO_MACHINE_STATE_SHUTOFF);
  g_assert_cmpint (pool_volumes (host_b), ==, b_volumes + 2);
  copy = disk_source (host_b, name);
  g_assert_true (g_str_has_prefix (copy, b_images));
  g_assert_true (g_file_get_contents (disk, &original, &original_size, NULL));
  g_assert_true (g_file_get_contents (copy, &copied, &copied_size, NULL));
  g_assert_cmpuint (copied_size, ==, original_size);
  g_assert_true (memcmp (original, copied, original_size) == 0);
  read = qemu_io (copy, "read -P 0x5a 8M 4M");
  g_assert_nonnull (strstr (read, "read 4194304/4194304 bytes"));
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));

  /* the variables too, byte for byte; the source's file stays */
  vars_copy = definition_part (host_b, name, "<nvram[^>]*>([^<]+)</nvram>");
  g_assert_true (g_str_has_prefix (vars_copy, b_images));
  g_assert_true (g_file_get_contents (vars_copy, &copied_vars, &copied_vars_size, NULL));
  g_assert_cmpuint (copied_vars_size, ==, VARS_SIZE);
  g_assert_true (memcmp (vars, copied_vars, VARS_SIZE) == 0);
  g_assert_true (g_file_test (vars_path, G_FILE_TEST_IS_REGULAR));
  /* the pool made to reach them is gone */
  g_assert_cmpint (active_pools (host_a), ==, pools_before);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

  host_a = piso_live_daemon_start_migratable (0, &skip_reason);
  if (host_a != NULL)
    host_b = piso_live_daemon_start_migratable (1, &skip_reason);

  g_test_add_func ("/live/migrate/running", test_live);
  g_test_add_func ("/live/migrate/shut-off", test_shut_off);
  g_test_add_func ("/live/migrate/shut-off-copy", test_shut_off_copy);
  status = g_test_run ();

  piso_live_daemon_free (host_b);
  piso_live_daemon_free (host_a);
  g_free (skip_reason);
  return status;
}
