/* bench-snapshot.c: snapshots, reverts, clones and disposable starts through
 * Piso's backend, against virsh and virt-clone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by hand, as root, with PISO_LIVE_GUEST_DIR naming a built test guest
 * (tests/testbed/make-guest.sh, with virtio_blk), like the live tests. On a
 * private libvirtd it defines the tiny guest with 512 MiB and a 2 GiB qcow2
 * disk holding 500 MiB of data, then, alternating Piso and the other tool:
 *
 *  - with the guest running, five times each: a snapshot with memory
 *    (piso_snapshots_take_async, which also keeps a picture of the screen;
 *    `virsh snapshot-create-as`), then a revert to it
 *    (piso_snapshots_revert_async; `virsh snapshot-revert`), the one or
 *    the other first in turn (the first snapshot after a revert is slow);
 *  - with the guest off (its snapshots deleted), three times each: a full
 *    clone (PisoCloner; `virt-clone --auto-clone`) and a linked clone
 *    (PisoCloner, linked), each clone deleted with its disks afterwards;
 *  - five times each: a normal start and a disposable one, until the
 *    machine runs (then it is forced off). With --starts only these.
 *
 * The last line has the medians:
 *
 *   piso_snap_ms=… virsh_snap_ms=… piso_revert_ms=… virsh_revert_ms=…
 *   piso_clone_ms=… virt_clone_ms=… piso_linked_clone_ms=… disposable_start_ms=… normal_start_ms=…
 *
 * Exits 77 when the live environment, virsh or virt-clone is not there.
 */
#define G_LOG_DOMAIN "piso-bench"

#include <stdio.h>

#include <glib/gstdio.h>

#include "piso-backend-private.h"
#include "piso-bench.h"
#include "piso-cloner.h"
#include "piso-disposable.h"
#include "piso-live.h"
#include "piso-snapshots.h"

#define SNAPSHOT_ROUNDS 5
#define ROUNDS          3
#define START_ROUNDS    5     /* starts vary by a second under TCG: more of them */
#define TIMEOUT_S       600

static PisoLiveDaemon *live;
static PisoConnection *connection;
static PisoMachine *guest;
static char *uri;
static char *disk;

/* The disk: 2 GiB, 500 MiB of it written (qemu-io, a pattern). */
static void
make_disk (void)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  g_autofree char *images = g_build_filename (piso_live_daemon_get_dir (live), "images", NULL);
  g_autofree char *xml = g_strdup_printf ("<pool type='dir'><name>default</name><target><path>%s</path>"
                                          "</target></pool>", images);
  const char *write[] = { "qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 500M", NULL, NULL };
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  char *path;

  g_assert_cmpint (g_mkdir (images, 0755), ==, 0);
  pool = virStoragePoolCreateXML (handle, xml, 0);
  g_assert_nonnull (pool);
  vol = virStorageVolCreateXML (pool, "<volume><name>bench.qcow2</name><capacity unit='GiB'>2</capacity>"
                                      "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  path = virStorageVolGetPath (vol);
  disk = g_strdup (path);
  free (path);
  write[5] = disk;
  piso_bench_run_tool (write);
  virStoragePoolRefresh (pool, 0);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  virConnectClose (handle);
}

static void
define_guest (void)
{
  g_autofree char *devices = piso_live_qcow2_disk_xml (disk, "vda");
  g_autofree char *xml = piso_live_domain_xml (live, "bench-snap", devices);
  g_autoptr(GString) out = g_string_new (xml);

  g_assert_cmpuint (g_string_replace (out, "<memory unit='MiB'>256</memory>",
                                      "<memory unit='MiB'>512</memory>", 1), ==, 1);
  guest = piso_live_define (connection, out->str);
}

static void
wait_ready (void)
{
  PisoLiveConsole *console = piso_live_console_open (guest);

  piso_test_wait_until (piso_live_console_ready, console, TIMEOUT_S, "the guest's ready line");
  piso_live_console_close (console);
}

static void
force_off (PisoMachine *machine)
{
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 60);
}

/* ---- snapshots ---- */

static double
piso_take (PisoSnapshots *snapshots,
           const char    *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoSnapshot) snapshot = NULL;
  gint64 t0 = g_get_monotonic_time ();

  piso_snapshots_take_async (snapshots, name, NULL, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  snapshot = piso_snapshots_take_finish (snapshots, result, &error);
  g_assert_no_error (error);
  return piso_bench_ms_since (t0);
}

static double
piso_revert (PisoSnapshots *snapshots,
             const char    *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  piso_snapshots_revert_async (snapshots, piso_snapshots_lookup (snapshots, name),
                               PISO_SNAPSHOT_REVERT_NONE, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_snapshots_revert_finish (snapshots, result, &error));
  g_assert_no_error (error);
  return piso_bench_ms_since (t0);
}

static void
bench_snapshots (double *piso_snap,
                 double *virsh_snap,
                 double *piso_rev,
                 double *virsh_rev)
{
  PisoSnapshots *snapshots = piso_snapshots_get_for_machine (guest);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_live_run_action (guest, piso_machine_start_async, piso_machine_start_finish);
  wait_ready ();
  piso_snapshots_refresh_async (snapshots, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_snapshots_refresh_finish (snapshots, result, &error));
  g_clear_object (&result);

  for (guint i = 0; i < SNAPSHOT_ROUNDS; i++)
    {
      g_autofree char *piso_name = g_strdup_printf ("piso-%u", i);
      g_autofree char *virsh_name = g_strdup_printf ("virsh-%u", i);
      const char *create[] = { "virsh", "-q", "-c", uri, "snapshot-create-as", "bench-snap", virsh_name, NULL };
      const char *revert[] = { "virsh", "-q", "-c", uri, "snapshot-revert", "bench-snap", virsh_name, NULL };

      /* Who goes first changes every round: QEMU's first snapshot after a
       * revert (QEMU restarted with -loadvm) takes several times longer
       * than the next one, whoever asks (seen with virsh alone). */
      if (i % 2 == 0)
        {
          piso_snap[i] = piso_take (snapshots, piso_name);
          virsh_snap[i] = piso_bench_time_tool (create);
          piso_rev[i] = piso_revert (snapshots, piso_name);
          virsh_rev[i] = piso_bench_time_tool (revert);
        }
      else
        {
          virsh_snap[i] = piso_bench_time_tool (create);
          piso_snap[i] = piso_take (snapshots, piso_name);
          virsh_rev[i] = piso_bench_time_tool (revert);
          piso_rev[i] = piso_revert (snapshots, piso_name);
        }
      g_print ("snapshot round %u: piso take %.0f ms, virsh take %.0f ms, piso revert %.0f ms, "
               "virsh revert %.0f ms\n", i + 1, piso_snap[i], virsh_snap[i], piso_rev[i], virsh_rev[i]);
      g_ptr_array_add (names, g_steal_pointer (&piso_name));
      g_ptr_array_add (names, g_steal_pointer (&virsh_name));
    }

  /* Off and without snapshots for the clones (a copy drops them anyway). */
  force_off (guest);
  g_ptr_array_add (names, NULL);
  piso_snapshots_refresh_async (snapshots, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_snapshots_refresh_finish (snapshots, result, &error));
  g_clear_object (&result);
  piso_snapshots_delete_async (snapshots, (const char * const *) names->pdata, NULL,
                               piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_snapshots_delete_finish (snapshots, result, &error));
  g_assert_no_error (error);
}

/* ---- clones ---- */

static double
piso_clone (const char *name,
            gboolean    linked)
{
  g_autoptr(PisoCloner) cloner = piso_cloner_new (guest);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  gint64 t0 = g_get_monotonic_time ();

  piso_cloner_prepare_async (cloner, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_cloner_prepare_finish (cloner, result, &error));
  g_clear_object (&result);
  piso_cloner_set_name (cloner, name);
  piso_cloner_set_linked (cloner, linked);
  piso_cloner_run_async (cloner, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  machine = piso_cloner_run_finish (cloner, result, &error);
  g_assert_no_error (error);
  return piso_bench_ms_since (t0);
}

static void
bench_clones (double *piso_full,
              double *virt_clone,
              double *piso_linked)
{
  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autofree char *full = g_strdup_printf ("bench-full-%u", i);
      g_autofree char *vc = g_strdup_printf ("bench-virt-clone-%u", i);
      g_autofree char *linked = g_strdup_printf ("bench-linked-%u", i);
      const char *argv[] = { "virt-clone", "--connect", uri, "--original", "bench-snap", "--name", vc,
                             "--auto-clone", NULL };

      piso_full[i] = piso_clone (full, FALSE);
      piso_bench_delete_machine (connection, full, NULL);
      virt_clone[i] = piso_bench_time_tool (argv);
      piso_bench_delete_machine (connection, vc, NULL);
      piso_linked[i] = piso_clone (linked, TRUE);
      piso_bench_delete_machine (connection, linked, NULL);
      g_print ("clone round %u: piso full %.0f ms, virt-clone %.0f ms, piso linked %.0f ms\n",
               i + 1, piso_full[i], virt_clone[i], piso_linked[i]);
      piso_test_spin (300);
    }
}

/* ---- starts ---- */

static double
normal_start (void)
{
  gint64 t0 = g_get_monotonic_time ();
  double ms;

  piso_live_run_action (guest, piso_machine_start_async, piso_machine_start_finish);
  ms = piso_bench_ms_since (t0);
  force_off (guest);
  return ms;
}

static double
disposable_start (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  double ms;

  piso_machine_start_disposable_async (guest, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_machine_start_disposable_finish (guest, result, NULL, &error));
  g_assert_no_error (error);
  ms = piso_bench_ms_since (t0);
  force_off (guest);
  return ms;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache = NULL;
  double piso_snap[SNAPSHOT_ROUNDS], virsh_snap[SNAPSHOT_ROUNDS];
  double piso_rev[SNAPSHOT_ROUNDS], virsh_rev[SNAPSHOT_ROUNDS];
  double piso_full[ROUNDS], vc[ROUNDS], piso_linked[ROUNDS];
  double normal[START_ROUNDS], disposable[START_ROUNDS];

  if ((live = piso_bench_daemon_start ("bench-snapshot", (const char *[]) { "virsh", "virt-clone", NULL },
                                       "libvirt-clients, virtinst")) == NULL)
    return 77;
  /* Snapshot pictures go to a cache of the benchmark's own. */
  cache = piso_test_make_temp_dir ();
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  uri = g_strdup (piso_live_daemon_get_uri (live));
  connection = piso_test_open_connection (uri);
  make_disk ();
  define_guest ();

  /* --starts: only the starts (while tuning them); the last line then
   * has only their figures */
  if (argc > 1 && g_strcmp0 (argv[1], "--starts") == 0)
    {
      for (guint i = 0; i < START_ROUNDS; i++)
        {
          normal[i] = normal_start ();
          disposable[i] = disposable_start ();
          g_print ("start round %u: normal %.0f ms, disposable %.0f ms\n", i + 1, normal[i], disposable[i]);
        }
      g_print ("disposable_start_ms=%.0f normal_start_ms=%.0f\n",
               piso_bench_median (disposable, START_ROUNDS), piso_bench_median (normal, START_ROUNDS));
      return 0;
    }

  bench_snapshots (piso_snap, virsh_snap, piso_rev, virsh_rev);
  bench_clones (piso_full, vc, piso_linked);
  for (guint i = 0; i < START_ROUNDS; i++)
    {
      normal[i] = normal_start ();
      disposable[i] = disposable_start ();
      g_print ("start round %u: normal %.0f ms, disposable %.0f ms\n", i + 1, normal[i], disposable[i]);
    }

  piso_connection_close (connection);
  g_clear_object (&connection);
  piso_live_daemon_free (live);

  g_print ("piso_snap_ms=%.0f virsh_snap_ms=%.0f piso_revert_ms=%.0f virsh_revert_ms=%.0f "
           "piso_clone_ms=%.0f virt_clone_ms=%.0f piso_linked_clone_ms=%.0f "
           "disposable_start_ms=%.0f normal_start_ms=%.0f\n",
           piso_bench_median (piso_snap, SNAPSHOT_ROUNDS), piso_bench_median (virsh_snap, SNAPSHOT_ROUNDS),
           piso_bench_median (piso_rev, SNAPSHOT_ROUNDS), piso_bench_median (virsh_rev, SNAPSHOT_ROUNDS),
           piso_bench_median (piso_full, ROUNDS), piso_bench_median (vc, ROUNDS),
           piso_bench_median (piso_linked, ROUNDS),
           piso_bench_median (disposable, START_ROUNDS), piso_bench_median (normal, START_ROUNDS));
  return 0;
}
