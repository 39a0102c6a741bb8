/* bench-export.c: exporting and importing a machine through Piso's backend,
 * against qemu-img and virsh
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by hand, as root, with PISO_LIVE_GUEST_DIR naming a built test guest
 * (tests/testbed/make-guest.sh), like the live tests. On a private libvirtd
 * it defines the tiny guest (off) with a 2 GiB qcow2 data disk holding
 * 400 MiB of mixed data (1 MiB pieces, half random bytes, half text), then,
 * three times each, the one or the other first in turn:
 *
 *  - export: PisoExporter writes a bundle (the data disk as a compressed
 *    qcow2 with its SHA-256, the manifest, the definition); the reference is
 *    `qemu-img convert -c -O qcow2` of the same disk followed by
 *    `sha256sum` of the result;
 *  - import: the bundle loaded (every checksum verified), checked against the
 *    host and imported by PisoImporter under a new name; the reference is
 *    `virsh vol-create-as` + `virsh vol-upload` of the reference file and
 *    `virsh define` of a definition using it (no checksum verified). Each
 *    copy is removed with its volumes afterwards.
 *
 * Each timed step starts after a sync, so that none waits for what the one
 * before wrote.
 *
 * The sizes are those of the files: the bundle's (every file in it) and the
 * reference qcow2. The last line has the medians:
 *
 *   piso_export_ms=… ref_export_ms=… bundle_mib=… ref_mib=… piso_import_ms=… ref_import_ms=…
 *
 * Exits 77 when the live environment, virsh, qemu-img or sha256sum is not there.
 */
#define G_LOG_DOMAIN "piso-bench"

#include <stdio.h>

#include <glib/gstdio.h>

#include "piso-backend-private.h"
#include "piso-bench.h"
#include "piso-export-bundle.h"
#include "piso-exporter.h"
#include "piso-importer.h"
#include "piso-live.h"

#define ROUNDS    3
#define DATA_MIB  400
#define TIMEOUT_S 900

static PisoLiveDaemon *live;
static PisoConnection *connection;
static PisoMachine *guest;
static char *uri;
static char *images;     /* the pool's folder */
static char *data_disk;  /* the 2 GiB qcow2 */
static char *work;       /* bundles and reference files */

static guint64
dir_size (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint64 size = 0;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      size += piso_live_file_size (file);
    }
  return size;
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      g_assert_cmpint (g_unlink (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

/* 400 MiB of 1 MiB pieces, random bytes and text in turn, written into a
 * raw file and converted into the 2 GiB qcow2 volume. */
static void
make_data_disk (void)
{
  virStoragePoolPtr pool = piso_live_make_pool (live, connection);
  g_autofree char *raw = g_build_filename (work, "mixed.raw", NULL);
  g_autofree guint32 *piece = g_new (guint32, (1024 * 1024) / sizeof (guint32));
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  char *path;
  FILE *out;
  guint line = 0;

  images = g_build_filename (piso_live_daemon_get_dir (live), "images", NULL);
  out = fopen (raw, "wb");
  g_assert_nonnull (out);
  for (guint mib = 0; mib < DATA_MIB; mib++)
    {
      if (mib % 2 == 0)
        {
          for (gsize i = 0; i < (1024 * 1024) / sizeof (guint32); i++)
            piece[i] = g_rand_int (rand);
        }
      else
        {
          char *text = (char *) piece;
          gsize at = 0;

          /* Log-like lines: compressible, not one byte repeated */
          while (at < 1024 * 1024)
            {
              char buf[128];
              int n = g_snprintf (buf, sizeof buf,
                                  "%08u kernel: eth0: link up, %u Mbps, full duplex, rx %u tx %u\n",
                                  line, 10 * (1 + line % 100), line * 7, line * 13);

              memcpy (text + at, buf, MIN ((gsize) n, 1024 * 1024 - at));
              at += n;
              line++;
            }
        }
      g_assert_cmpuint (fwrite (piece, 1, 1024 * 1024, out), ==, 1024 * 1024);
    }
  g_assert_cmpint (fclose (out), ==, 0);

  path = g_build_filename (images, "data.qcow2", NULL);
  piso_bench_run_tool ((const char *[]) { "qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw, path, NULL });
  piso_bench_run_tool ((const char *[]) { "qemu-img", "resize", "-q", path, "2G", NULL });
  g_assert_cmpint (g_unlink (raw), ==, 0);
  g_assert_cmpint (virStoragePoolRefresh (pool, 0), ==, 0);
  virStoragePoolFree (pool);
  data_disk = path;
}

static void
define_guest (void)
{
  g_autofree char *devices = piso_live_qcow2_disk_xml (data_disk, "vdb");
  g_autofree char *xml = piso_live_domain_xml (live, "bench-export", devices);

  guest = piso_live_define (connection, xml);
}

/* What the previous step wrote reaches the disk before the next is timed:
 * the kernel would otherwise make whichever writes next wait for it (the
 * second import took up to half as long again as the first). */
static void
settle_disk (void)
{
  piso_bench_run_tool ((const char *[]) { "sync", NULL });
}

/* ---- export ---- */

typedef struct
{
  gint64 t0;
  double read_ms;   /* when the progress passed half: the exporter counts a
                     * disk half for reading it, half for compressing it */
} ExportWatch;

static void
export_progress_cb (PisoExporter *exporter,
                    GParamSpec   *pspec,
                    ExportWatch  *watch)
{
  guint64 total = piso_exporter_get_bytes_total (exporter);

  if (watch->read_ms == 0 && total > 0 && piso_exporter_get_bytes_done (exporter) >= total / 2)
    watch->read_ms = piso_bench_ms_since (watch->t0);
}

static double
piso_export (const char *bundle)
{
  g_autoptr(PisoExporter) exporter = piso_exporter_new (guest);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ExportWatch watch = { 0, 0 };

  settle_disk ();
  watch.t0 = g_get_monotonic_time ();

  g_signal_connect (exporter, "notify::bytes-done", G_CALLBACK (export_progress_cb), &watch);
  piso_exporter_run_async (exporter, bundle, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_exporter_run_finish (exporter, result, &error));
  g_assert_no_error (error);
  g_print ("  piso export: half of the progress (the disk read) at %.0f ms, done at %.0f ms\n",
           watch.read_ms, piso_bench_ms_since (watch.t0));
  return piso_bench_ms_since (watch.t0);
}

static double
ref_export (const char *file)
{
  gint64 t0;

  settle_disk ();
  t0 = g_get_monotonic_time ();

  piso_bench_run_tool ((const char *[]) { "qemu-img", "convert", "-q", "-c", "-f", "qcow2", "-O", "qcow2",
                               data_disk, file, NULL });
  piso_bench_run_tool ((const char *[]) { "sha256sum", file, NULL });
  return piso_bench_ms_since (t0);
}

/* ---- import ---- */

static double
piso_import (const char *bundle_path,
             const char *name)
{
  g_autoptr(PisoExportBundle) bundle = piso_export_bundle_new (bundle_path);
  g_autoptr(PisoImporter) importer = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  gboolean blocking = TRUE;
  gint64 t0;
  double loaded_ms;
  double checked_ms;

  settle_disk ();
  t0 = g_get_monotonic_time ();
  /* What the Import dialog does: read and verify, check the host, import */
  piso_export_bundle_load_async (bundle, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  g_assert_true (piso_export_bundle_load_finish (bundle, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  loaded_ms = piso_bench_ms_since (t0);
  piso_export_bundle_check_host_async (bundle, connection, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  problems = piso_export_bundle_check_host_finish (bundle, result, &blocking, &error);
  g_assert_no_error (error);
  g_assert_false (blocking);
  g_clear_object (&result);
  checked_ms = piso_bench_ms_since (t0);

  importer = piso_importer_new (bundle, connection);
  piso_importer_set_name (importer, name);
  piso_importer_set_emulated (importer, piso_export_bundle_get_runs_emulated (bundle));
  piso_importer_run_async (importer, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, TIMEOUT_S);
  machine = piso_importer_run_finish (importer, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (machine);
  g_print ("  piso import: bundle read and verified at %.0f ms, host checked at %.0f ms, "
           "imported at %.0f ms\n", loaded_ms, checked_ms, piso_bench_ms_since (t0));
  return piso_bench_ms_since (t0);
}

static double
ref_import (const char *file,
            const char *name)
{
  g_autofree char *volume = g_strdup_printf ("%s.qcow2", name);
  g_autofree char *path = g_build_filename (images, volume, NULL);
  g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) piso_live_file_size (file));
  g_autofree char *devices = g_strdup_printf ("    <disk type='file' device='disk'>"
                                              "<driver name='qemu' type='qcow2'/><source file='%s'/>"
                                              "<target dev='vdb' bus='virtio'/></disk>", path);
  g_autofree char *xml = piso_live_domain_xml (live, name, devices);
  g_autofree char *xml_file = g_build_filename (work, "ref-domain.xml", NULL);
  gint64 t0;
  double ms;

  g_assert_true (g_file_set_contents (xml_file, xml, -1, NULL));
  settle_disk ();
  t0 = g_get_monotonic_time ();
  piso_bench_run_tool ((const char *[]) { "virsh", "-q", "-c", uri, "vol-create-as", "default", volume, size,
                               "--format", "qcow2", NULL });
  piso_bench_run_tool ((const char *[]) { "virsh", "-q", "-c", uri, "vol-upload", "--pool", "default", volume,
                               file, NULL });
  piso_bench_run_tool ((const char *[]) { "virsh", "-q", "-c", uri, "define", xml_file, NULL });
  ms = piso_bench_ms_since (t0);
  g_assert_cmpint (g_unlink (xml_file), ==, 0);
  return ms;
}

int
main (int    argc,
      char **argv)
{
  double piso_exp[ROUNDS], ref_exp[ROUNDS], piso_imp[ROUNDS], ref_imp[ROUNDS];
  double bundle_mib[ROUNDS], ref_mib[ROUNDS];

  if ((live = piso_bench_daemon_start ("bench-export",
                                       (const char *[]) { "virsh", "qemu-img", "sha256sum", NULL },
                                       "libvirt-clients, qemu-utils, coreutils")) == NULL)
    return 77;
  uri = g_strdup (piso_live_daemon_get_uri (live));
  work = piso_test_make_temp_dir ();
  connection = piso_test_open_connection (uri);
  make_data_disk ();
  define_guest ();

  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autofree char *bundle = g_strdup_printf ("%s/bundle-%u.piso", work, i);
      g_autofree char *ref = g_strdup_printf ("%s/ref-%u.qcow2", work, i);
      g_autofree char *piso_name = g_strdup_printf ("bench-import-%u", i);
      g_autofree char *ref_name = g_strdup_printf ("bench-upload-%u", i);

      /* Who goes first changes every round (the page cache favours the second). */
      if (i % 2 == 0)
        {
          piso_exp[i] = piso_export (bundle);
          ref_exp[i] = ref_export (ref);
          piso_imp[i] = piso_import (bundle, piso_name);
          ref_imp[i] = ref_import (ref, ref_name);
        }
      else
        {
          ref_exp[i] = ref_export (ref);
          piso_exp[i] = piso_export (bundle);
          ref_imp[i] = ref_import (ref, ref_name);
          piso_imp[i] = piso_import (bundle, piso_name);
        }
      bundle_mib[i] = dir_size (bundle) / (1024.0 * 1024.0);
      ref_mib[i] = piso_live_file_size (ref) / (1024.0 * 1024.0);
      g_print ("round %u: piso export %.0f ms (%.1f MiB), reference %.0f ms (%.1f MiB); "
               "piso import %.0f ms, reference %.0f ms\n", i + 1, piso_exp[i], bundle_mib[i],
               ref_exp[i], ref_mib[i], piso_imp[i], ref_imp[i]);
      g_assert_cmpuint (piso_bench_delete_machine (connection, piso_name, images), ==, 1);
      g_assert_cmpuint (piso_bench_delete_machine (connection, ref_name, images), ==, 1);
      remove_dir (bundle);
      g_assert_cmpint (g_unlink (ref), ==, 0);
      piso_test_spin (300);
    }

  piso_connection_close (connection);
  g_clear_object (&connection);
  piso_live_daemon_free (live);
  g_rmdir (work);

  g_print ("ratios: export %.2f, size %.3f, import %.2f\n",
           piso_bench_median (piso_exp, ROUNDS) / piso_bench_median (ref_exp, ROUNDS),
           piso_bench_median (bundle_mib, ROUNDS) / piso_bench_median (ref_mib, ROUNDS),
           piso_bench_median (piso_imp, ROUNDS) / piso_bench_median (ref_imp, ROUNDS));
  g_print ("piso_export_ms=%.0f ref_export_ms=%.0f bundle_mib=%.1f ref_mib=%.1f "
           "piso_import_ms=%.0f ref_import_ms=%.0f\n",
           piso_bench_median (piso_exp, ROUNDS), piso_bench_median (ref_exp, ROUNDS),
           piso_bench_median (bundle_mib, ROUNDS), piso_bench_median (ref_mib, ROUNDS),
           piso_bench_median (piso_imp, ROUNDS), piso_bench_median (ref_imp, ROUNDS));
  return 0;
}
