/* test-live-export.c: exporting the tiny guest through a private libvirtd
 *
 * The guest with two data disks in a pool: a qcow2 one holding 160 MiB of
 * one byte (it must come out compressed) and a raw volume that is mostly
 * holes (read as a sparse stream). Checked:
 *  - the off machine's bundle: its files, every checksum (the bundle reader
 *    checks them, and qemu-img says each disk is a plain qcow2), each
 *    exported disk holding exactly what the original holds (qemu-img
 *    compare), the compression, the progress, and this host able to run it;
 *  - a cancel in the middle leaves neither files nor volumes;
 *  - the bundle imported back under a new name (new UUID and MAC): a
 *    cancelled import leaves no volume and no machine; the copy boots to
 *    the ready line and reads the original's data;
 *  - the running copy: refused, then exported paused, and running on
 *    afterwards (its shell answers). One boot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "piso-backend-private.h"
#include "piso-export-bundle.h"
#include "piso-export-private.h"
#include "piso-exporter.h"
#include "piso-importer.h"
#include "piso-live.h"

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;
static char *off_bundle;       /* the off machine's bundle */

static struct
{
  PisoConnection  *connection;
  PisoMachine     *machine;
  PisoMachine     *machine_under_test;   /* what export() exports: the machine when NULL */
  char            *name;
  char            *qcow2;      /* the data disks' files */
  char            *raw;
} guest;

static void
qemu_io (const char *format,
         const char *path,
         const char *command)
{
  const char *argv[] = { "qemu-io", "-f", format, "-c", command, path, NULL };

  piso_test_spawn (argv);
}

/* A "default" dir pool in the daemon's folder with the two data disks. */
static void
make_pool (void)
{
  virStoragePoolPtr pool = piso_live_make_pool (live, guest.connection);

  guest.qcow2 = piso_live_make_volume (pool, "<volume><name>data.qcow2</name><capacity unit='MiB'>256</capacity>"
                                             "<target><format type='qcow2'/></target></volume>");
  guest.raw = piso_live_make_volume (pool, "<volume><name>data.img</name><capacity unit='MiB'>64</capacity>"
                                           "<allocation>0</allocation><target><format type='raw'/></target></volume>");
  qemu_io ("qcow2", guest.qcow2, "write -q -P 0x41 0 160M");
  qemu_io ("raw", guest.raw, "write -q -P 0x52 32M 1M");
  virStoragePoolRefresh (pool, 0);
  virStoragePoolFree (pool);
}

static void
ensure_guest (void)
{
  g_autofree char *vda = NULL;
  g_autofree char *disks = NULL;

  if (guest.machine != NULL)
    return;

  guest.name = piso_live_unique_name ("export");
  guest.connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  make_pool ();
  vda = piso_live_qcow2_disk_xml (guest.qcow2, "vda");
  disks = g_strconcat (vda, "    <disk type='volume' device='disk'><driver name='qemu' type='raw'/>"
                            "<source pool='default' volume='data.img'/><target dev='vdb' bus='virtio'/></disk>\n",
                       NULL);
  guest.machine = piso_live_define_guest (live, guest.connection, guest.name, disks, "52:54:00:e7:00:01");
}

typedef struct
{
  guint         updates;
  gboolean      estimated;     /* a time left was given */
  GCancellable *cancel_at_first;
} Watch;

static void
progress_cb (PisoExporter *exporter,
             GParamSpec   *pspec,
             Watch        *watch)
{
  watch->updates++;
  watch->estimated |= piso_exporter_get_seconds_left (exporter) > 0;
  if (watch->cancel_at_first != NULL && piso_exporter_get_bytes_done (exporter) > 0)
    g_cancellable_cancel (watch->cancel_at_first);
}

/* Disks read through the connection, as from a remote host. */
static gboolean download_only;

static gboolean
export (const char    *destination,
        gboolean       pause_running,
        Watch         *watch,
        GError       **error)
{
  g_autoptr(PisoExporter) exporter =
    piso_exporter_new (guest.machine_under_test != NULL ? guest.machine_under_test : guest.machine);
  g_autoptr(GAsyncResult) result = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  piso_exporter_set_pause_running (exporter, pause_running);
  _piso_exporter_set_download_only (exporter, download_only);
  if (watch != NULL)
    g_signal_connect (exporter, "notify::bytes-done", G_CALLBACK (progress_cb), watch);
  piso_exporter_run_async (exporter, destination, watch != NULL ? watch->cancel_at_first : NULL,
                           piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  ok = piso_exporter_run_finish (exporter, result, error);
  g_test_message ("export %s in %.0f ms", ok ? "done" : "failed", (g_get_monotonic_time () - start) / 1000.0);
  if (ok)
    g_assert_cmpuint (piso_exporter_get_bytes_done (exporter), ==, piso_exporter_get_bytes_total (exporter));
  return ok;
}

static PisoExportBundle *
load_bundle (const char *path)
{
  g_autoptr(PisoExportBundle) bundle = piso_export_bundle_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_export_bundle_load_async (bundle, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  piso_export_bundle_load_finish (bundle, result, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&bundle);
}

/* The exported image holds what the original holds, byte for byte (-U:
 * the running guest holds its lock; it does not write to these disks). */
static void
assert_same_contents (const char *original,
                      const char *format,
                      const char *exported)
{
  const char *argv[] = { "qemu-img", "compare", "-q", "-U", "-f", format, "-F", "qcow2", original, exported, NULL };

  piso_test_spawn (argv);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
test_export_off (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *files = NULL;
  g_autofree char *vda = NULL;
  g_autofree char *vdb = NULL;
  g_autofree char *manifest = NULL;
  g_autoptr(PisoExportBundle) bundle = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  gboolean blocking = TRUE;
  Watch watch = { 0 };
  const char *xml;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();

  dir = piso_test_make_temp_dir ();
  destination = g_build_filename (dir, "guest.piso", NULL);
  off_bundle = g_strdup (destination);
  g_assert_true (export (destination, FALSE, &watch, &error));
  g_assert_no_error (error);
  g_test_message ("%u progress updates", watch.updates);
  g_assert_cmpuint (watch.updates, >, 1);

  files = piso_test_list_dir (destination);
  g_assert_cmpstr (files, ==, "disk-vda.qcow2 disk-vdb.qcow2 domain.xml manifest.ini");
  vda = g_build_filename (destination, "disk-vda.qcow2", NULL);
  vdb = g_build_filename (destination, "disk-vdb.qcow2", NULL);
  assert_same_contents (guest.qcow2, "qcow2", vda);
  assert_same_contents (guest.raw, "raw", vdb);
  /* 160 MiB of one byte, compressed. */
  g_test_message ("vda %" G_GUINT64_FORMAT " bytes, vdb %" G_GUINT64_FORMAT " bytes",
                  file_size (vda), file_size (vdb));
  g_assert_cmpuint (file_size (vda), <, 8 * 1024 * 1024);
  g_assert_cmpuint (file_size (vdb), <, 2 * 1024 * 1024);

  /* Every checksum, and each disk a plain qcow2 of the right size. */
  bundle = load_bundle (destination);
  g_assert_cmpuint (piso_export_bundle_get_n_disks (bundle), ==, 2);
  g_assert_cmpuint (piso_export_bundle_get_disks_size (bundle), ==, (256 + 64) * 1024 * 1024);
  xml = piso_export_bundle_get_domain_xml (bundle);
  g_assert_null (strstr (xml, "52:54:00:e7:00:01"));
  g_assert_null (strstr (xml, piso_live_daemon_get_dir (live)));
  g_assert_null (strstr (xml, piso_machine_get_uuid (guest.machine)));
  g_assert_nonnull (strstr (xml, "file=\"disk-vda.qcow2\""));
  g_assert_nonnull (strstr (xml, "file=\"disk-vdb.qcow2\""));
  manifest = g_build_filename (destination, "manifest.ini", NULL);
  {
    g_autofree char *text = NULL;
    g_autofree char *sha = NULL;
    g_autofree char *data = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (vda, &data, &length, NULL));
    sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
    g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, sha));
  }

  /* This host can run what it exported. */
  piso_export_bundle_check_host_async (bundle, guest.connection, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  problems = piso_export_bundle_check_host_finish (bundle, result, &blocking, &error);
  g_assert_no_error (error);
  for (guint i = 0; problems[i] != NULL; i++)
    g_test_message ("host: %s", problems[i]);
  g_assert_false (blocking);
}

/* The same disks through the volume download (a remote host's way). */
static void
test_export_downloaded (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *vda = NULL;
  g_autofree char *vdb = NULL;
  g_autoptr(GError) error = NULL;
  Watch watch = { 0 };

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();

  dir = piso_test_make_temp_dir ();
  destination = g_build_filename (dir, "guest.piso", NULL);
  download_only = TRUE;
  g_assert_true (export (destination, FALSE, &watch, &error));
  download_only = FALSE;
  g_assert_no_error (error);
  g_assert_cmpuint (watch.updates, >, 1);
  vda = g_build_filename (destination, "disk-vda.qcow2", NULL);
  vdb = g_build_filename (destination, "disk-vdb.qcow2", NULL);
  assert_same_contents (guest.qcow2, "qcow2", vda);
  assert_same_contents (guest.raw, "raw", vdb);
  for (const char *const *file = (const char *const[]) { "disk-vda.qcow2", "disk-vdb.qcow2", "domain.xml",
                                                         "manifest.ini", NULL }; *file != NULL; file++)
    {
      g_autofree char *path = g_build_filename (destination, *file, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (destination), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *dir = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *pool_before = NULL;
  g_autofree char *pool_after = NULL;
  g_autofree char *files = NULL;
  g_autoptr(GError) error = NULL;
  Watch watch = { 0 };

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();

  dir = piso_test_make_temp_dir ();
  destination = g_build_filename (dir, "guest.piso", NULL);
  pool_before = piso_test_pool_snapshot (guest.connection, "default", PISO_TEST_POOL_REFRESH);
  watch.cancel_at_first = cancellable;
  g_assert_false (export (destination, FALSE, &watch, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  files = piso_test_list_dir (dir);
  g_assert_cmpstr (files, ==, "");
  pool_after = piso_test_pool_snapshot (guest.connection, "default", PISO_TEST_POOL_REFRESH);
  g_assert_cmpstr (pool_after, ==, pool_before);
}

static PisoMachine *
import (PisoExportBundle  *bundle,
        gboolean           emulated,
        GCancellable      *cancel_at_first,
        GError           **error)
{
  g_autoptr(PisoImporter) importer = piso_importer_new (bundle, guest.connection);
  g_autoptr(GAsyncResult) result = NULL;
  gint64 start = g_get_monotonic_time ();
  PisoMachine *machine;

  /* The original is still there: the copy gets a name of its own. */
  g_assert_cmpstr (piso_importer_get_name (importer), !=, guest.name);
  g_assert_true (g_str_has_prefix (piso_importer_get_name (importer), guest.name));
  piso_importer_set_emulated (importer, emulated);
  if (cancel_at_first != NULL)
    g_signal_connect_swapped (importer, "notify::bytes-done", G_CALLBACK (g_cancellable_cancel), cancel_at_first);
  piso_importer_run_async (importer, cancel_at_first, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  machine = piso_importer_run_finish (importer, result, error);
  g_test_message ("import %s in %.0f ms", machine != NULL ? "done" : "failed",
                  (g_get_monotonic_time () - start) / 1000.0);
  return machine;
}

/* The bundle of the off machine, imported back under a new name: a cancel
 * leaves nothing; then it boots, reads the data of the original, and is
 * exported again while running (refused, then paused), running on after. */
static void
test_import_and_running (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PisoExportBundle) bundle = NULL;
  g_autoptr(PisoExportBundle) again = NULL;
  g_autoptr(PisoMachine) copy = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  g_autofree char *pool_before = NULL;
  g_autofree char *pool_after = NULL;
  g_autofree char *machines_before = NULL;
  g_autofree char *machines_after = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *vda = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *xml = NULL;
  gboolean blocking = TRUE;
  gboolean emulated = FALSE;
  PisoLiveConsole *console;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();
  g_assert_nonnull (off_bundle);   /* test_export_off made it */

  bundle = load_bundle (off_bundle);
  piso_export_bundle_check_host_async (bundle, guest.connection, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  problems = piso_export_bundle_check_host_finish (bundle, result, &blocking, &error);
  g_assert_no_error (error);
  g_assert_false (blocking);
  for (guint i = 0; problems[i] != NULL; i++)
    emulated |= strstr (problems[i], "KVM") != NULL;
  /* What Import Machine passes on: the check's word, not its text */
  g_assert_cmpint (piso_export_bundle_get_runs_emulated (bundle), ==, emulated);

  pool_before = piso_test_pool_snapshot (guest.connection, "default", PISO_TEST_POOL_REFRESH);
  machines_before = piso_test_machines_snapshot (guest.connection);
  g_assert_null (import (bundle, emulated, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  pool_after = piso_test_pool_snapshot (guest.connection, "default", PISO_TEST_POOL_REFRESH);
  machines_after = piso_test_machines_snapshot (guest.connection);
  g_assert_cmpstr (pool_after, ==, pool_before);
  g_assert_cmpstr (machines_after, ==, machines_before);

  copy = import (bundle, emulated, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_machine_get_uuid (copy), !=, piso_machine_get_uuid (guest.machine));
  xml = piso_test_machine_definition (copy);
  g_assert_null (strstr (xml, "52:54:00:e7:00:01"));
  g_assert_nonnull (strstr (xml, "52:54:00:"));

  piso_live_run_action (copy, piso_machine_start_async, piso_machine_start_finish);
  console = piso_live_console_open (copy);
  piso_test_wait_until (piso_live_console_ready, console, 240, "the imported guest's ready line");
  /* Its first disk is the original's data disk: 160 MiB of 'A'. */
  answer = piso_live_console_run (console, "head -c 8 /dev/vda; echo", 60);
  g_assert_cmpstr (answer, ==, "AAAAAAAA");

  dir = piso_test_make_temp_dir ();
  destination = g_build_filename (dir, "running.piso", NULL);
  guest.machine_under_test = copy;
  g_assert_false (export (destination, FALSE, NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (g_file_test (destination, G_FILE_TEST_EXISTS));

  g_assert_true (export (destination, TRUE, NULL, &error));
  g_assert_no_error (error);
  piso_test_wait_state (copy, PISO_MACHINE_STATE_RUNNING, 30);
  g_clear_pointer (&answer, g_free);
  answer = piso_live_console_run (console, "echo still-$((20+22))", 60);
  g_assert_cmpstr (answer, ==, "still-42");

  again = load_bundle (destination);
  vda = g_build_filename (destination, "disk-vda.qcow2", NULL);
  assert_same_contents (guest.qcow2, "qcow2", vda);
  piso_live_console_close (console);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);
  live = piso_live_daemon_start (&skip_reason);

  /* In this order: the last one imports the first one's bundle and boots it. */
  g_test_add_func ("/live/export/off", test_export_off);
  g_test_add_func ("/live/export/downloaded", test_export_downloaded);
  g_test_add_func ("/live/export/cancelled", test_cancelled);
  g_test_add_func ("/live/export/import-and-running", test_import_and_running);

  status = g_test_run ();

  g_clear_object (&guest.connection);
  piso_live_daemon_free (live);
  return status;
}
