/* test-live-snapshots.c: snapshots, disposable runs and clones of a real guest
 *
 * The tiny guest with a qcow2 data disk, on a private libvirtd. Markers are
 * written to the data disk's first bytes over the serial shell (or, while
 * the machine is off, with qemu-io) and read back the same ways:
 *  - a snapshot of the running guest, a changed marker, a revert: the old
 *    marker is back and the guest runs on without a reboot (same boot ID,
 *    its uptime carries on from the snapshot), and the name the snapshot
 *    was given in Piso meanwhile stays;
 *  - the same for a snapshot of the machine while off;
 *  - a disposable run's writes are gone after it shuts down, while a normal
 *    run's stay;
 *  - a full and a linked clone both boot, each with a MAC address of its
 *    own; the linked one reads the original's data through its overlay and
 *    the original cannot start meanwhile;
 *  - a cancelled clone leaves the pool as it was.
 * Four boots in all (the two clones boot together).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "piso-backend-private.h"
#include "piso-cloner.h"
#include "piso-disposable.h"
#include "piso-live.h"
#include "piso-snapshot-private.h"
#include "piso-snapshots.h"

#define MAC      "52:54:00:5a:57:01"
#define MARK_LEN 11

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;

static struct
{
  PisoConnection  *connection;
  PisoMachine     *machine;
  PisoLiveConsole *console;
  char            *name;
  char            *data;       /* the data disk's file */
} guest;

/* ---- the guest ---- */

static char *
run (const char *command)
{
  return piso_live_console_run (guest.console, command, 60);
}

static void
write_mark (const char *mark)
{
  /* The guest's only disk is vda (whatever libvirt's target says), and
   * must be one: a missing /dev/vda would just become a file in /dev. */
  g_autofree char *command = g_strdup_printf ("[ -b /dev/vda ] && printf '%s' | dd of=/dev/vda "
                                              "conv=notrunc 2>/dev/null && sync && echo written", mark);
  g_autofree char *answer = run (command);

  g_assert_cmpstr (answer, ==, "written");
}

/* What the guest reads from its data disk (its page cache dropped first). */
static char *
read_mark (void)
{
  g_autofree char *command = g_strdup_printf ("echo 3 > /proc/sys/vm/drop_caches; [ -b /dev/vda ] && "
                                              "head -c %d /dev/vda", MARK_LEN);

  return run (command);
}

/* What the data disk holds, read on the host while the machine is off. */
static char *
host_read_mark (void)
{
  g_autofree char *dir = g_dir_make_tmp ("piso-mark-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "mark", NULL);
  g_autofree char *of = g_strdup_printf ("of=%s", out);
  g_autofree char *iff = g_strdup_printf ("if=%s", guest.data);
  const char *argv[] = { "qemu-img", "dd", "-f", "qcow2", "-O", "raw", "bs=11", "count=1", iff, of, NULL };
  char *mark = NULL;

  piso_test_spawn (argv);
  g_assert_true (g_file_get_contents (out, &mark, NULL, NULL));
  g_unlink (out);
  g_rmdir (dir);
  return mark;
}

/* Writes @byte over the marker on the host (the machine is off). */
static void
host_overwrite_mark (char byte)
{
  g_autofree char *write = g_strdup_printf ("write -P 0x%02x 0 %d", byte, MARK_LEN);
  const char *argv[] = { "qemu-io", "-f", "qcow2", "-c", write, guest.data, NULL };

  piso_test_spawn (argv);
}

/* Starts @machine; libvirt's reason when it cannot. */
static void
start (PisoMachine *machine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_machine_start_async (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  piso_machine_start_finish (machine, result, &error);
  g_assert_no_error (error);
}

static void
open_console (void)
{
  g_clear_pointer (&guest.console, piso_live_console_close);
  guest.console = piso_live_console_open (guest.machine);
}

static void
wait_ready (PisoLiveConsole *console,
            const char      *what)
{
  gint64 start = g_get_monotonic_time ();

  piso_test_wait_until (piso_live_console_ready, console, 240, what);
  g_test_message ("%s after %.1f s", what, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

static void
shut_down (PisoMachine *machine)
{
  piso_live_run_action (machine, piso_machine_shutdown_async, piso_machine_shutdown_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 120);
}

/* A "default" dir pool in the daemon's folder with the 64 MiB data disk. */
static void
make_pool (void)
{
  virStoragePoolPtr pool = piso_live_make_pool (live, guest.connection);

  guest.data = piso_live_make_volume (pool, "<volume><name>data.qcow2</name><capacity unit='MiB'>64</capacity>"
                                            "<target><format type='qcow2'/></target></volume>");
  virStoragePoolFree (pool);
}

static void
ensure_guest (void)
{
  g_autofree char *vda = NULL;

  if (guest.machine != NULL)
    return;

  guest.name = piso_live_unique_name ("snap");
  guest.connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  make_pool ();
  vda = piso_live_qcow2_disk_xml (guest.data, "vda");
  guest.machine = piso_live_define_guest (live, guest.connection, guest.name, vda, MAC);
}

static PisoSnapshot *
take (PisoSnapshots *snapshots,
      const char    *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PisoSnapshot *snapshot;
  gint64 start = g_get_monotonic_time ();

  piso_snapshots_take_async (snapshots, name, NULL, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  snapshot = piso_snapshots_take_finish (snapshots, result, &error);
  g_assert_no_error (error);
  g_test_message ("snapshot %s taken in %.0f ms", name, (g_get_monotonic_time () - start) / 1000.0);
  return snapshot;
}

static void
revert (PisoSnapshots *snapshots,
        PisoSnapshot  *snapshot)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  piso_snapshots_revert_async (snapshots, snapshot, PISO_SNAPSHOT_REVERT_NONE, NULL,
                               piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  g_assert_true (piso_snapshots_revert_finish (snapshots, result, &error));
  g_assert_no_error (error);
  g_test_message ("reverted to %s in %.0f ms", piso_snapshot_get_name (snapshot),
                  (g_get_monotonic_time () - start) / 1000.0);
}

/* Renames @snapshot in Piso (libvirt keeps its name). */
static void
rename_snapshot (PisoSnapshots *snapshots,
                 PisoSnapshot  *snapshot,
                 const char    *display_name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_snapshots_edit_async (snapshots, snapshot, display_name, "with marker A", NULL,
                             piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  g_assert_true (piso_snapshots_edit_finish (snapshots, result, &error));
  g_assert_no_error (error);
}

/* The label of @name in the machine's persistent definition. */
static char *
stored_label (const char *name)
{
  g_autoptr(GError) error = NULL;
  virDomainPtr handle = _piso_machine_ref_handle_or_error (guest.machine, &error);
  g_autoptr(GHashTable) labels = NULL;

  g_assert_no_error (error);
  labels = _piso_snapshot_labels_read (handle, &error);
  virDomainFree (handle);
  g_assert_no_error (error);
  return g_strdup (g_hash_table_lookup (labels, name));
}

static gboolean
has_screenshot (gpointer snapshot)
{
  return piso_snapshot_get_has_screenshot (snapshot);
}

static gboolean
is_template (gpointer machine)
{
  return piso_machine_get_is_template (machine);
}

/* ---- tests ---- */

static void
test_running_snapshot (void)
{
  PisoSnapshots *snapshots;
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autofree char *boot_id = NULL;
  g_autofree char *boot_id_after = NULL;
  g_autofree char *uptime = NULL;
  g_autofree char *uptime_after = NULL;
  g_autofree char *mark = NULL;
  g_autofree char *label = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();

  start (guest.machine);
  open_console ();
  wait_ready (guest.console, "the guest's ready line");

  write_mark ("PISO-MARK-A");
  boot_id = run ("cat /proc/sys/kernel/random/boot_id");
  uptime = run ("cut -d' ' -f1 /proc/uptime");
  g_test_message ("boot %s, up %s s", boot_id, uptime);

  snapshots = piso_snapshots_get_for_machine (guest.machine);
  snapshot = take (snapshots, "running");
  g_assert_cmpint (piso_snapshot_get_state (snapshot), ==, PISO_SNAPSHOT_STATE_RUNNING);
  g_assert_cmpint (piso_snapshot_get_kind (snapshot), ==, PISO_SNAPSHOT_KIND_INTERNAL);
  piso_test_wait_until (has_screenshot, snapshot, 60, "the snapshot's picture");
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) picture = NULL;
    g_autofree char *mime_type = NULL;

    /* QEMU's screen as libvirt sent it: PNG (libvirt 9.0 with QEMU 7.2) or PPM. */
    piso_snapshot_load_screenshot_async (snapshot, NULL, piso_test_store_result_cb, &result);
    piso_test_wait_result (&result, 30);
    picture = piso_snapshot_load_screenshot_finish (snapshot, result, &mime_type, NULL);
    g_assert_nonnull (picture);
    g_test_message ("picture: %s, %zu bytes", mime_type, g_bytes_get_size (picture));
    if (g_strcmp0 (mime_type, "image/png") == 0)
      g_assert_cmpmem (g_bytes_get_data (picture, NULL), 4, "\x89PNG", 4);
    else
      {
        g_assert_cmpstr (mime_type, ==, "image/x-portable-pixmap");
        g_assert_cmpmem (g_bytes_get_data (picture, NULL), 2, "P6", 2);
      }
  }
  g_assert_cmpint (piso_machine_get_state (guest.machine), ==, PISO_MACHINE_STATE_RUNNING);

  /* Renamed in Piso while running: the running and the persistent
   * definition both keep the name */
  rename_snapshot (snapshots, snapshot, "Marker A, running");
  g_assert_cmpstr (piso_snapshot_get_name (snapshot), ==, "running");
  g_assert_cmpstr (piso_snapshot_get_display_name (snapshot), ==, "Marker A, running");
  g_assert_cmpstr (piso_snapshot_get_description (snapshot), ==, "with marker A");
  label = stored_label ("running");
  g_assert_cmpstr (label, ==, "Marker A, running");
  g_clear_pointer (&label, g_free);

  write_mark ("PISO-MARK-B");
  mark = read_mark ();
  g_assert_cmpstr (mark, ==, "PISO-MARK-B");
  g_clear_pointer (&mark, g_free);

  revert (snapshots, snapshot);
  piso_test_wait_state (guest.machine, PISO_MACHINE_STATE_RUNNING, 60);
  /* libvirt 9.0 restarts QEMU to load the snapshot: a new console. */
  open_console ();
  mark = read_mark ();
  g_assert_cmpstr (mark, ==, "PISO-MARK-A");
  /* Not booted again: the same boot, its clock going on from the snapshot. */
  boot_id_after = run ("cat /proc/sys/kernel/random/boot_id");
  uptime_after = run ("cut -d' ' -f1 /proc/uptime");
  g_test_message ("after the revert: boot %s, up %s s", boot_id_after, uptime_after);
  g_assert_cmpstr (boot_id_after, ==, boot_id);
  g_assert_cmpfloat (g_ascii_strtod (uptime_after, NULL), >=, g_ascii_strtod (uptime, NULL));
  g_assert_null (strstr (guest.console->text->str, "PISO-GUEST-READY"));
  g_assert_true (piso_snapshot_get_current (snapshot));
  /* QEMU's revert brought back the definition saved with the snapshot,
   * from before the rename: the name given since is still there */
  g_assert_cmpstr (piso_snapshot_get_display_name (snapshot), ==, "Marker A, running");
  label = stored_label ("running");
  g_assert_cmpstr (label, ==, "Marker A, running");
}

static void
test_off_snapshot (void)
{
  PisoSnapshots *snapshots;
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *back = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();
  g_assert_nonnull (guest.console);   /* test_running_snapshot booted it */

  /* A normal run's writes stay. */
  shut_down (guest.machine);
  kept = host_read_mark ();
  g_assert_cmpstr (kept, ==, "PISO-MARK-A");

  snapshots = piso_snapshots_get_for_machine (guest.machine);
  snapshot = take (snapshots, "off");
  g_assert_cmpint (piso_snapshot_get_state (snapshot), ==, PISO_SNAPSHOT_STATE_OFF);
  g_assert_false (piso_snapshot_get_has_memory (snapshot));

  host_overwrite_mark ('Z');
  changed = host_read_mark ();
  g_assert_cmpstr (changed, ==, "ZZZZZZZZZZZ");

  revert (snapshots, snapshot);
  g_assert_cmpint (piso_machine_get_state (guest.machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  back = host_read_mark ();
  g_assert_cmpstr (back, ==, "PISO-MARK-A");
}

static gboolean
is_disposable (gpointer machine)
{
  return piso_machine_get_disposable (machine);
}

static gboolean
is_free (gpointer machine)
{
  return !piso_machine_get_is_template (machine);
}

static gboolean
not_disposable (gpointer machine)
{
  return !piso_machine_get_disposable (machine);
}

static void
test_disposable (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) removed = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *mark = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *leftover = NULL;
  gint64 start;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();
  g_assert_cmpint (piso_machine_get_state (guest.machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  before = piso_test_machine_definition (guest.machine);

  /* A crash once left the overlay of a disposable run behind. */
  leftover = g_strdup_printf ("%s.TRANSIENT-%s", guest.data, guest.name);
  {
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", guest.data,
                           leftover, NULL };

    piso_test_spawn (argv);
  }

  start = g_get_monotonic_time ();
  piso_machine_start_disposable_async (guest.machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  g_assert_true (piso_machine_start_disposable_finish (guest.machine, result, &removed, &error));
  g_assert_no_error (error);
  g_test_message ("disposable start: %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_strv_length (removed), ==, 1);
  g_assert_cmpstr (removed[0], ==, leftover);
  open_console ();
  piso_test_wait_until (is_disposable, guest.machine, 30, "the disposable mark");
  wait_ready (guest.console, "the disposable run's ready line");

  mark = read_mark ();
  g_assert_cmpstr (mark, ==, "PISO-MARK-A");
  g_clear_pointer (&mark, g_free);
  write_mark ("PISO-MARK-D");
  mark = read_mark ();
  g_assert_cmpstr (mark, ==, "PISO-MARK-D");

  /* Gone at shutdown: the disk, the overlay and the definition are as before. */
  shut_down (guest.machine);
  kept = host_read_mark ();
  g_assert_cmpstr (kept, ==, "PISO-MARK-A");
  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  after = piso_test_machine_definition (guest.machine);
  g_assert_cmpstr (after, ==, before);
  g_assert_true (piso_machine_get_persistent (guest.machine));
  /* The definition read after the stop event has no transient disk. */
  piso_test_wait_until (not_disposable, guest.machine, 30, "the disposable mark to go");
}

static PisoCloner *
cloner_for (const char *name,
            gboolean    linked)
{
  PisoCloner *cloner = piso_cloner_new (guest.machine);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_cloner_prepare_async (cloner, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  g_assert_true (piso_cloner_prepare_finish (cloner, result, &error));
  g_assert_no_error (error);
  piso_cloner_set_name (cloner, name);
  piso_cloner_set_linked (cloner, linked);
  return cloner;
}

static PisoMachine *
make_clone (const char *name,
            gboolean    linked)
{
  g_autoptr(PisoCloner) cloner = cloner_for (name, linked);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PisoMachine *machine;
  gint64 start = g_get_monotonic_time ();

  piso_cloner_run_async (cloner, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  machine = piso_cloner_run_finish (cloner, result, &error);
  g_assert_no_error (error);
  g_test_message ("%s clone %s in %.0f ms", linked ? "linked" : "full", name,
                  (g_get_monotonic_time () - start) / 1000.0);
  return machine;
}

static void
test_clones (void)
{
  g_autofree char *full_name = NULL;
  g_autofree char *linked_name = NULL;
  g_autoptr(PisoMachine) full = NULL;
  g_autoptr(PisoMachine) linked = NULL;
  PisoLiveConsole *full_console;
  PisoLiveConsole *linked_console;
  g_autofree char *full_mac = NULL;
  g_autofree char *linked_mac = NULL;
  g_autofree char *mark = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();
  g_assert_cmpint (piso_machine_get_state (guest.machine), ==, PISO_MACHINE_STATE_SHUTOFF);

  full_name = piso_live_unique_name ("full");
  linked_name = piso_live_unique_name ("linked");
  full = make_clone (full_name, FALSE);
  linked = make_clone (linked_name, TRUE);

  /* The original is a template now. */
  piso_test_wait_until (is_template, guest.machine, 10, "the original to be a template");
  g_assert_false (piso_machine_can (guest.machine, PISO_MACHINE_ACTION_START));
  piso_machine_start_async (guest.machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_machine_start_finish (guest.machine, result, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Both boot, at once. */
  start (full);
  full_console = piso_live_console_open (full);
  start (linked);
  linked_console = piso_live_console_open (linked);
  wait_ready (full_console, "the full clone's ready line");
  wait_ready (linked_console, "the linked clone's ready line");

  /* Each has a MAC address of its own, as the guest sees it. */
  full_mac = piso_live_console_run (full_console, "cat /sys/class/net/eth0/address", 60);
  linked_mac = piso_live_console_run (linked_console, "cat /sys/class/net/eth0/address", 60);
  g_test_message ("MAC addresses: original " MAC ", full %s, linked %s", full_mac, linked_mac);
  g_assert_true (g_str_has_prefix (full_mac, "52:54:00:"));
  g_assert_true (g_str_has_prefix (linked_mac, "52:54:00:"));
  g_assert_cmpstr (full_mac, !=, MAC);
  g_assert_cmpstr (linked_mac, !=, MAC);
  g_assert_cmpstr (full_mac, !=, linked_mac);

  /* The linked clone reads the original's data through its overlay. */
  mark = piso_live_console_run (linked_console, "head -c 11 /dev/vda", 60);
  g_assert_cmpstr (mark, ==, "PISO-MARK-A");

  piso_live_console_close (full_console);
  piso_live_console_close (linked_console);
  piso_live_run_action (full, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_live_run_action (linked, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (linked, PISO_MACHINE_STATE_SHUTOFF, 30);

  /* Without its linked clone (deleted with its overlay) it may start again. */
  {
    GListModel *disks = piso_machine_get_disks (linked);
    g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, 0);
    const char *storage[] = { piso_disk_get_path (disk), NULL };

    piso_machine_delete_async (linked, storage, NULL, piso_test_store_result_cb, &result);
    piso_test_wait_result (&result, 60);
    g_assert_true (piso_machine_delete_finish (linked, result, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (storage[0], G_FILE_TEST_EXISTS));
  }
  piso_test_wait_until (is_free, guest.machine, 10, "the original to be free again");
  g_assert_true (piso_machine_can (guest.machine, PISO_MACHINE_ACTION_START));
}

static void
cancel_when_copying (PisoCloner   *cloner,
                     GParamSpec   *pspec,
                     GCancellable *cancellable)
{
  if (piso_cloner_get_stage (cloner) == PISO_CLONER_STAGE_COPYING)
    g_cancellable_cancel (cancellable);
}

static void
test_cancelled_clone (void)
{
  g_autoptr(PisoCloner) cloner = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pool_before = NULL;
  g_autofree char *pool_after = NULL;
  g_autofree char *machines_before = NULL;
  g_autofree char *machines_after = NULL;
  g_autofree char *name = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();

  name = piso_live_unique_name ("cancelled");
  cloner = cloner_for (name, FALSE);
  pool_before = piso_test_pool_snapshot (guest.connection, "default", PISO_TEST_POOL_REFRESH);
  machines_before = piso_test_machines_snapshot (guest.connection);

  g_signal_connect (cloner, "notify::stage", G_CALLBACK (cancel_when_copying), cancellable);
  piso_cloner_run_async (cloner, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  g_assert_null (piso_cloner_run_finish (cloner, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  piso_test_spin (300);

  pool_after = piso_test_pool_snapshot (guest.connection, "default", PISO_TEST_POOL_REFRESH);
  machines_after = piso_test_machines_snapshot (guest.connection);
  g_assert_cmpstr (pool_after, ==, pool_before);
  g_assert_cmpstr (machines_after, ==, machines_before);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The pictures kept with snapshots go to a cache of the test's own. */
  cache = piso_test_make_temp_dir ();
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  piso_backend_init (NULL);
  live = piso_live_daemon_start (&skip_reason);

  /* In this order: each goes on from where the one before left the guest. */
  g_test_add_func ("/live/snapshots/running", test_running_snapshot);
  g_test_add_func ("/live/snapshots/off", test_off_snapshot);
  g_test_add_func ("/live/snapshots/disposable", test_disposable);
  g_test_add_func ("/live/snapshots/clones", test_clones);
  g_test_add_func ("/live/snapshots/cancelled-clone", test_cancelled_clone);

  status = g_test_run ();

  g_clear_pointer (&guest.console, piso_live_console_close);
  g_clear_object (&guest.connection);
  piso_live_daemon_free (live);
  return status;
}
