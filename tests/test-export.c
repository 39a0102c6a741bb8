/* test-export.c: export bundles (manifest, definition, checks) on the test driver
 *
 * The test driver cannot stream volumes, so the disks' way through libvirt
 * and qemu-img is covered by test-live-export; here: what the manifest and
 * definition say, a whole export of a diskless machine, running machines,
 * failure and cancel leaving nothing, and bundles changed after export
 * refused before anything is made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "piso-test-utils.h"

#include "piso-backend-private.h"
#include "piso-export-bundle.h"
#include "piso-export-ovf-private.h"
#include "piso-export-private.h"
#include "piso-exporter.h"
#include "piso-importer.h"

#define FIXTURE "export.xml"

static char *
machine_xml (PisoTestFixture *f,
             const char      *name)
{
  PisoMachine *machine = piso_test_find_machine (f->conn, name);
  virDomainPtr dom = _piso_machine_ref_handle (machine);
  char *raw = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE);
  char *xml = g_strdup (raw);

  g_assert_nonnull (raw);
  free (raw);
  virDomainFree (dom);
  return xml;
}

static void
test_manifest (PisoTestFixture *f,
               gconstpointer    data)
{
  g_autofree char *xml = machine_xml (f, "web");
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoExportManifest) manifest = _piso_export_manifest_new (xml, &error);
  g_autoptr(PisoExportManifest) parsed = NULL;
  g_autofree char *scrubbed = NULL;
  g_autofree char *text = NULL;
  const PisoExportDisk *vda, *vdb;
  const PisoExportNic *nic;
  PisoTestXml x;
  gsize length;

  g_assert_no_error (error);
  g_assert_cmpstr (manifest->name, ==, "web");
  g_assert_cmpstr (manifest->title, ==, "Web server");
  g_assert_cmpstr (manifest->description, ==, "Serves the intranet");
  g_assert_cmpstr (manifest->os_id, ==, "http://debian.org/debian/12");
  g_assert_cmpstr (manifest->arch, ==, "x86_64");
  g_assert_cmpstr (manifest->machine_type, ==, "pc-q35-7.2");
  g_assert_true (manifest->uefi);
  g_assert_true (manifest->secure_boot);
  g_assert_true (manifest->tpm);
  g_assert_cmpuint (manifest->vcpus, ==, 2);
  g_assert_cmpuint (manifest->memory_kib, ==, 2048 * 1024);
  g_assert_cmpstr (manifest->nvram_source, ==, "/var/lib/piso-test/nvram/web_VARS.fd");
  g_assert_cmpstr (manifest->nvram_file, ==, "nvram.fd");

  /* The disks, not the installer ISO; the first is the system disk. */
  g_assert_cmpuint (manifest->disks->len, ==, 2);
  vda = g_ptr_array_index (manifest->disks, 0);
  vdb = g_ptr_array_index (manifest->disks, 1);
  g_assert_cmpstr (vda->target, ==, "vda");
  g_assert_cmpstr (vda->role, ==, "system");
  g_assert_cmpstr (vda->bus, ==, "virtio");
  g_assert_cmpstr (vda->file, ==, "disk-vda.qcow2");
  g_assert_cmpstr (vda->source_format, ==, "qcow2");
  g_assert_cmpstr (vdb->role, ==, "data");
  g_assert_cmpstr (vdb->source_type, ==, "volume");
  g_assert_cmpstr (vdb->source_pool, ==, "default");
  g_assert_cmpstr (vdb->source_path, ==, "web-data.img");
  g_assert_cmpstr (vdb->source_format, ==, "raw");

  g_assert_cmpuint (manifest->nics->len, ==, 2);
  nic = g_ptr_array_index (manifest->nics, 1);
  g_assert_cmpstr (nic->model, ==, "e1000e");
  g_assert_cmpstr (nic->kind, ==, "bridge");
  g_assert_cmpstr (nic->source, ==, "br0");

  /* What is left out is said: the ISO (by its name only) and the TPM's secrets. */
  g_assert_cmpuint (manifest->notes->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (manifest->notes, 0), "installer.iso"));
  g_assert_null (strstr (g_ptr_array_index (manifest->notes, 0), "/var/"));
  g_assert_nonnull (strstr (g_ptr_array_index (manifest->notes, 1), "TPM"));

  /* The definition: nothing of the host survives… */
  scrubbed = _piso_export_scrub_xml (xml, manifest, &error);
  g_assert_no_error (error);
  g_test_message ("%s", scrubbed);
  for (const char * const *host = (const char * const []) { "7e570000", "52:54:00", "/var/", "/usr/",
                                                           "5907", "192.168.1.20", "svirt",
                                                           "selinux", "linked-to", "installer.iso",
                                                           "Before the upgrade",
                                                           NULL };
       *host != NULL; host++)
    {
      g_test_message ("%s", *host);
      g_assert_null (strstr (scrubbed, *host));
    }
  /* …and everything needed to rebuild the machine does. */
  piso_test_xml_parse (&x, scrubbed);
  piso_test_assert_xml_string (&x, "/domain/name", "web");
  piso_test_assert_xml_string (&x, "/domain/title", "Web server");
  piso_test_assert_xml_string (&x, "/domain/description", "Serves the intranet");
  piso_test_assert_xml_count (&x, "/domain/metadata/*[local-name()='libosinfo']", 1);
  piso_test_assert_xml_count (&x, "/domain/uuid", 0);
  piso_test_assert_xml_count (&x, "/domain/genid", 1);
  piso_test_assert_xml_string (&x, "/domain/vcpu", "2");
  piso_test_assert_xml_string (&x, "/domain/os/type/@machine", "pc-q35-7.2");
  piso_test_assert_xml_string (&x, "/domain/os/@firmware", "efi");
  piso_test_assert_xml_string (&x, "/domain/os/firmware/feature[@name='secure-boot']/@enabled", "yes");
  piso_test_assert_xml_count (&x, "/domain/os/loader", 0);
  piso_test_assert_xml_count (&x, "/domain/os/nvram", 0);
  piso_test_assert_xml_count (&x, "/domain/devices/emulator", 0);
  piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vda']/@type", "file");
  piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vda']/source/@file", "disk-vda.qcow2");
  piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vda']/driver/@type", "qcow2");
  piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vdb']/@type", "file");
  piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vdb']/source/@file", "disk-vdb.qcow2");
  piso_test_assert_xml_count (&x, "/domain/devices/disk[target/@dev='vdb']/source/@pool", 0);
  piso_test_assert_xml_count (&x, "/domain/devices/disk[@device='cdrom']", 1);
  piso_test_assert_xml_count (&x, "/domain/devices/disk[@device='cdrom']/source", 0);
  piso_test_assert_xml_count (&x, "/domain/devices/interface", 2);
  piso_test_assert_xml_count (&x, "/domain/devices/interface/mac", 0);
  piso_test_assert_xml_string (&x, "/domain/devices/interface[1]/source/@network", "default");
  piso_test_assert_xml_string (&x, "/domain/devices/interface[2]/model/@type", "e1000e");
  piso_test_assert_xml_string (&x, "/domain/devices/graphics/@autoport", "yes");
  piso_test_assert_xml_count (&x, "/domain/devices/graphics/@port", 0);
  piso_test_assert_xml_count (&x, "/domain/devices/channel/source/@path", 0);
  piso_test_assert_xml_count (&x, "//log", 0);
  piso_test_assert_xml_string (&x, "/domain/devices/console/@type", "pty");
  piso_test_assert_xml_count (&x, "/domain/devices/tpm", 1);
  piso_test_assert_xml_count (&x, "//seclabel", 0);
  piso_test_assert_xml_count (&x, "/domain/sysinfo/system/entry[@name='manufacturer']", 1);
  piso_test_xml_clear (&x);

  /* The manifest as written reads back the same, and matches the definition. */
  text = _piso_export_manifest_to_data (manifest, &length);
  g_assert_null (strstr (text, "/var/"));
  g_free (manifest->domain_sha256);
  manifest->domain_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, scrubbed, -1);
  for (guint i = 0; i < manifest->disks->len; i++)
    ((PisoExportDisk *) g_ptr_array_index (manifest->disks, i))->sha256 = g_strnfill (64, 'a');
  manifest->nvram_sha256 = g_strnfill (64, 'b');
  g_free (text);
  text = _piso_export_manifest_to_data (manifest, &length);
  parsed = _piso_export_manifest_parse (text, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (parsed->name, ==, "web");
  g_assert_cmpstr (parsed->os_id, ==, manifest->os_id);
  g_assert_true (parsed->uefi && parsed->secure_boot && parsed->tpm);
  g_assert_cmpuint (parsed->memory_kib, ==, manifest->memory_kib);
  g_assert_cmpuint (parsed->disks->len, ==, 2);
  g_assert_cmpuint (parsed->nics->len, ==, 2);
  g_assert_cmpuint (parsed->notes->len, ==, 2);
  _piso_export_manifest_matches (parsed, scrubbed, &error);
  g_assert_no_error (error);

  /* On the importing host: its name, its volumes, its variables. */
  {
    g_autoptr(GHashTable) volumes = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree char *imported = NULL;

    g_hash_table_insert (volumes, (gpointer) "disk-vda.qcow2", (gpointer) "copy.qcow2");
    g_hash_table_insert (volumes, (gpointer) "disk-vdb.qcow2", (gpointer) "copy-vdb.qcow2");
    imported = _piso_export_import_xml (scrubbed, "copy", "qemu", "images", volumes,
                                        "/srv/images/copy_VARS.fd", "raw", &error);
    g_assert_no_error (error);
    piso_test_xml_parse (&x, imported);
    piso_test_assert_xml_string (&x, "/domain/name", "copy");
    piso_test_assert_xml_string (&x, "/domain/@type", "qemu");
    piso_test_assert_xml_count (&x, "/domain/uuid", 0);
    piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vdb']/@type", "volume");
    piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vdb']/source/@pool", "images");
    piso_test_assert_xml_string (&x, "/domain/devices/disk[target/@dev='vdb']/source/@volume", "copy-vdb.qcow2");
    piso_test_assert_xml_count (&x, "/domain/devices/disk/source/@file", 0);
    piso_test_assert_xml_string (&x, "/domain/os/nvram", "/srv/images/copy_VARS.fd");
    piso_test_assert_xml_count (&x, "/domain/os/nvram/@format", 0);
    piso_test_assert_xml_string (&x, "/domain/os/@firmware", "efi");
    /* Under another name, the list shows that name, not the original's title */
    piso_test_assert_xml_count (&x, "/domain/title", 0);
    piso_test_xml_clear (&x);
    g_free (imported);
    imported = _piso_export_import_xml (scrubbed, "web", NULL, "images", volumes, NULL, NULL, &error);
    g_assert_no_error (error);
    piso_test_xml_parse (&x, imported);
    piso_test_assert_xml_string (&x, "/domain/title", "Web server");
    piso_test_xml_clear (&x);

    /* A disk the bundle does not hold is refused. */
    g_hash_table_remove (volumes, "disk-vdb.qcow2");
    g_assert_null (_piso_export_import_xml (scrubbed, "copy", NULL, "images", volumes, NULL, NULL, &error));
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
    g_clear_error (&error);
  }
}

/* A manifest whose file names leave the bundle is refused as it is read. */
static void
test_manifest_names (void)
{
  const char *bad[] = { "../../etc/shadow", "/etc/shadow", ".hidden", "a/b.qcow2", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autofree char *text =
        g_strdup_printf ("[Bundle]\nFormatVersion=1\n[Machine]\nName=x\nFirmware=bios\n"
                         "Domain=domain.xml\nDomainSha256=%064d\n"
                         "[Disk vda]\nFile=%s\nFormat=qcow2\nSha256=%064d\n", 0, bad[i], 0);
      g_autoptr(GError) error = NULL;
      g_autoptr(PisoExportManifest) manifest = _piso_export_manifest_parse (text, strlen (text), &error);

      g_assert_null (manifest);
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "disk vda"));
    }

  {
    const char *newer = "[Bundle]\nFormatVersion=99\n[Machine]\nName=x\n";
    g_autoptr(GError) error = NULL;

    g_assert_null (_piso_export_manifest_parse (newer, strlen (newer), &error));
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "newer Piso"));
  }
}

static gboolean
export (PisoTestFixture *f,
        const char      *name,
        const char      *destination,
        gboolean         pause_running,
        GCancellable    *cancellable,
        GError         **error)
{
  g_autoptr(PisoExporter) exporter = piso_exporter_new (piso_test_find_machine (f->conn, name));
  g_autoptr(GAsyncResult) result = NULL;

  piso_exporter_set_pause_running (exporter, pause_running);
  piso_exporter_run_async (exporter, destination, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 20);
  return piso_exporter_run_finish (exporter, result, error);
}

static PisoExportBundle *
load (const char  *path,
      GError     **error)
{
  PisoExportBundle *bundle = piso_export_bundle_new (path);
  g_autoptr(GAsyncResult) result = NULL;

  piso_export_bundle_load_async (bundle, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 20);
  if (!piso_export_bundle_load_finish (bundle, result, error))
    g_clear_object (&bundle);
  return bundle;
}

static gboolean
host_offers_x86_64 (PisoTestFixture *f)
{
  virConnectPtr handle = _piso_connection_ref_handle (f->conn);
  char *caps = virConnectGetCapabilities (handle);
  gboolean offers;

  g_assert_nonnull (caps);
  offers = strstr (caps, "<arch name='x86_64'>") != NULL;
  free (caps);
  virConnectClose (handle);
  return offers;
}

static void
test_export_whole (PisoTestFixture *f,
                   gconstpointer    data)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *destination = g_build_filename (dir, "empty.piso", NULL);
  g_autofree char *files = NULL;
  g_autofree char *siblings = NULL;
  g_autoptr(PisoExportBundle) bundle = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  gboolean blocking = FALSE;

  export (f, "empty", destination, FALSE, NULL, &error);
  g_assert_no_error (error);
  files = piso_test_list_dir (destination);
  g_assert_cmpstr (files, ==, "domain.xml manifest.ini");
  siblings = piso_test_list_dir (dir);
  g_assert_cmpstr (siblings, ==, "empty.piso");

  bundle = load (destination, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_export_bundle_get_name (bundle), ==, "empty");
  g_assert_cmpuint (piso_export_bundle_get_vcpus (bundle), ==, 1);
  g_assert_cmpuint (piso_export_bundle_get_memory_kib (bundle), ==, 512 * 1024);
  g_assert_false (piso_export_bundle_get_uefi (bundle));
  g_assert_cmpuint (piso_export_bundle_get_n_disks (bundle), ==, 0);
  g_assert_null (strstr (piso_export_bundle_get_domain_xml (bundle), "52:54:00"));

  /* An existing destination is never written into. */
  export (f, "empty", destination, FALSE, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* libvirt 9.0's test driver offers i686 guests only: the check says, in
   * words and as a blocker, that this host cannot run the x86_64 machine.
   * A test driver that offers x86_64 runs it. */
  piso_export_bundle_check_host_async (bundle, f->conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  problems = piso_export_bundle_check_host_finish (bundle, result, &blocking, &error);
  g_assert_no_error (error);
  if (host_offers_x86_64 (f))
    {
      g_assert_cmpuint (g_strv_length (problems), ==, 0);
      g_assert_false (blocking);
    }
  else
    {
      g_assert_cmpuint (g_strv_length (problems), ==, 1);
      g_assert_cmpstr (problems[0], ==, "This host cannot run x86_64 machines.");
      g_assert_true (blocking);
    }
}

static void
test_export_tar (PisoTestFixture *f,
                 gconstpointer    data)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *destination = g_build_filename (dir, "empty.tar", NULL);
  g_autofree char *unpacked = g_build_filename (dir, "unpacked", NULL);
  g_autofree char *changed = g_build_filename (dir, "changed.tar", NULL);
  g_autofree char *nested = g_build_filename (dir, "nested.tar", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(PisoExportBundle) bundle = NULL;
  g_autoptr(PisoExportBundle) from_folder = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  /* One file, complete, holding the bundle's files: the manifest first. */
  export (f, "empty", destination, FALSE, NULL, &error);
  g_assert_no_error (error);
  listing = piso_test_list_dir (dir);
  g_assert_cmpstr (listing, ==, "empty.tar");
  g_clear_pointer (&listing, g_free);
  entries = _piso_tar_list (destination, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((PisoTarEntry *) g_ptr_array_index (entries, 0))->name, ==, PISO_EXPORT_MANIFEST);
  g_assert_cmpstr (((PisoTarEntry *) g_ptr_array_index (entries, 1))->name, ==, PISO_EXPORT_DOMAIN);

  /* An existing destination is never replaced. */
  export (f, "empty", destination, FALSE, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* Read back as a bundle; its unpacked files last as long as it. */
  bundle = load (destination, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_export_bundle_get_name (bundle), ==, "empty");
  g_assert_cmpuint (piso_export_bundle_get_memory_kib (bundle), ==, 512 * 1024);
  listing = piso_test_cache_listing ();
  g_assert_true (g_str_has_prefix (listing, "bundle-"));
  g_clear_pointer (&listing, g_free);
  g_clear_object (&bundle);
  listing = piso_test_cache_listing ();
  g_assert_cmpstr (listing, ==, "");
  g_clear_pointer (&listing, g_free);

  /* Any tar reads it (and the folder it makes is the same bundle). */
  {
    const char *argv[] = { "tar", "-C", unpacked, "-xf", destination, NULL };

    g_assert_cmpint (g_mkdir (unpacked, 0700), ==, 0);
    piso_test_spawn (argv);
    from_folder = load (unpacked, &error);
    g_assert_no_error (error);
  }

  /* Changed inside the tar: refused, nothing left in the cache. */
  {
    g_autofree char *xml = g_build_filename (unpacked, PISO_EXPORT_DOMAIN, NULL);
    const char *argv[] = { "tar", "--format=ustar", "-C", unpacked, "-cf", changed,
                           PISO_EXPORT_MANIFEST, PISO_EXPORT_DOMAIN, NULL };

    piso_test_replace_in_file (xml, "<vcpu", "<vcpu current='1'");
    piso_test_spawn (argv);
    bundle = load (changed, &error);
    g_assert_null (bundle);
    g_assert_nonnull (strstr (error->message, "domain.xml does not match its checksum"));
    g_clear_error (&error);
  }
  /* A tar that is not a bundle (files in a folder). */
  {
    const char *argv[] = { "tar", "--format=ustar", "-C", dir, "-cf", nested, "unpacked", NULL };

    piso_test_spawn (argv);
    bundle = load (nested, &error);
    g_assert_null (bundle);
    g_assert_nonnull (strstr (error->message, "which no bundle has"));
    g_clear_error (&error);
  }
  listing = piso_test_cache_listing ();
  g_assert_cmpstr (listing, ==, "");
}

static void
test_running (PisoTestFixture *f,
              gconstpointer    data)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *destination = g_build_filename (dir, "busy.piso", NULL);
  g_autofree char *files = NULL;
  PisoMachine *busy = piso_test_find_machine (f->conn, "busy");
  g_autoptr(GError) error = NULL;

  /* Refused unless the caller chose to pause it. */
  export (f, "busy", destination, FALSE, NULL, &error);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "running"));
  g_clear_error (&error);
  files = piso_test_list_dir (dir);
  g_assert_cmpstr (files, ==, "");

  /* Paused while read, running again afterwards. */
  export (f, "busy", destination, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (destination, G_FILE_TEST_IS_DIR));
  piso_test_wait_state (busy, PISO_MACHINE_STATE_RUNNING, 10);
}

/* A failure (the test driver cannot stream a disk) and a cancel leave the
 * folder as it was: no bundle, no hidden partial one. */
static void
test_nothing_left (PisoTestFixture *f,
                   gconstpointer    data)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *destination = g_build_filename (dir, "web.piso", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *after_failure = NULL;
  g_autofree char *after_cancel = NULL;
  g_autoptr(GError) error = NULL;

  export (f, "web", destination, FALSE, NULL, &error);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  /* What happened, libvirt's reason and what to do */
  g_assert_nonnull (strstr (error->message, "Could not read the disk “web.qcow2”"));
  g_assert_null (strstr (error->message, "unknown error"));
  g_assert_nonnull (strstr (error->message, "Check that the disk’s file still exists"));
  g_assert_null (strstr (error->message, ".."));
  g_clear_error (&error);
  after_failure = piso_test_list_dir (dir);
  g_assert_cmpstr (after_failure, ==, "");

  g_cancellable_cancel (cancellable);
  export (f, "empty", destination, FALSE, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  after_cancel = piso_test_list_dir (dir);
  g_assert_cmpstr (after_cancel, ==, "");
}

/* ---- bundles changed after export --------------------------------------- */

static void
make_qcow2 (const char *path)
{
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, "64M", NULL };

  piso_test_spawn (argv);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

/* A bundle of "web" as an export writes it, with small real disk images. */
static char *
make_bundle_on (PisoTestFixture *f,
                const char      *network)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *original = machine_xml (f, "web");
  g_auto(GStrv) parts = g_strsplit (original, "network='default'", -1);
  g_autofree char *on = g_strdup_printf ("network='%s'", network);
  g_autofree char *xml = g_strjoinv (on, parts);
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoExportManifest) manifest = _piso_export_manifest_new (xml, &error);
  g_autofree char *scrubbed = _piso_export_scrub_xml (xml, manifest, &error);
  g_autofree char *domain = g_build_filename (dir, PISO_EXPORT_DOMAIN, NULL);
  g_autofree char *manifest_path = g_build_filename (dir, PISO_EXPORT_MANIFEST, NULL);
  g_autofree char *nvram = g_build_filename (dir, "nvram.fd", NULL);
  g_autofree char *text = NULL;
  gsize length = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (domain, scrubbed, -1, NULL));
  manifest->domain_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, scrubbed, -1);
  for (guint i = 0; i < manifest->disks->len; i++)
    {
      PisoExportDisk *disk = g_ptr_array_index (manifest->disks, i);
      g_autofree char *path = g_build_filename (dir, disk->file, NULL);
      GStatBuf st;

      make_qcow2 (path);
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      disk->size = st.st_size;
      disk->virtual_size = 64 * 1024 * 1024;
      disk->sha256 = file_sha256 (path);
    }
  g_assert_true (g_file_set_contents (nvram, "variables", -1, NULL));
  manifest->nvram_size = strlen ("variables");
  manifest->nvram_sha256 = file_sha256 (nvram);
  text = _piso_export_manifest_to_data (manifest, &length);
  g_assert_true (g_file_set_contents (manifest_path, text, length, NULL));
  return g_steal_pointer (&dir);
}

static char *
make_bundle (PisoTestFixture *f)
{
  return make_bundle_on (f, "default");
}

static void
assert_refused (const char *dir,
                const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoExportBundle) bundle = load (dir, &error);

  g_assert_null (bundle);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_tampered (PisoTestFixture *f,
               gconstpointer    data)
{
  g_autofree char *good = make_bundle (f);
  g_autofree char *disk_changed = make_bundle (f);
  g_autofree char *disk_missing = make_bundle (f);
  g_autofree char *both_changed = make_bundle (f);
  g_autofree char *memory_edited = make_bundle (f);
  g_autofree char *xml_edited = make_bundle (f);
  g_autofree char *path = NULL;
  g_autoptr(PisoExportBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;

  bundle = load (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_export_bundle_get_title (bundle), ==, "Web server");
  g_assert_cmpuint (piso_export_bundle_get_n_disks (bundle), ==, 2);
  g_assert_cmpuint (piso_export_bundle_get_disks_size (bundle), ==, 2 * 64 * 1024 * 1024);
  g_assert_cmpuint (piso_export_bundle_get_bytes_done (bundle), ==,
                    piso_export_bundle_get_bytes_total (bundle));
  g_assert_cmpuint (g_strv_length ((GStrv) piso_export_bundle_get_notes (bundle)), ==, 2);

  /* A bundle whose NIC was on a network this host lacks: the host check
   * leaves it to the importer's network mapping (test_networks). */
  {
    g_autofree char *elsewhere = make_bundle_on (f, "lab");
    g_autoptr(PisoExportBundle) other = load (elsewhere, &error);
    g_auto(GStrv) networks = NULL;

    g_assert_no_error (error);
    networks = piso_export_bundle_dup_networks (other);
    g_assert_cmpuint (g_strv_length (networks), ==, 1);
    g_assert_cmpstr (networks[0], ==, "lab");
  }

  /* One byte of a disk. */
  path = g_build_filename (disk_changed, "disk-vdb.qcow2", NULL);
  piso_test_flip_byte (path, 100);
  assert_refused (disk_changed, "disk-vdb.qcow2 does not match its checksum");
  g_free (path);

  /* Both disks (checked side by side): the first one is named, always */
  path = g_build_filename (both_changed, "disk-vda.qcow2", NULL);
  piso_test_flip_byte (path, 100);
  g_free (path);
  path = g_build_filename (both_changed, "disk-vdb.qcow2", NULL);
  piso_test_flip_byte (path, 100);
  assert_refused (both_changed, "disk-vda.qcow2 does not match its checksum");
  g_free (path);

  /* A cancelled check says so, not that something is wrong */
  {
    g_autoptr(PisoExportBundle) cancelled = piso_export_bundle_new (good);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;

    g_cancellable_cancel (cancellable);
    piso_export_bundle_load_async (cancelled, cancellable, piso_test_store_result_cb, &result);
    piso_test_wait_result (&result, 20);
    g_assert_false (piso_export_bundle_load_finish (cancelled, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }

  path = g_build_filename (disk_missing, "disk-vda.qcow2", NULL);
  g_assert_cmpint (g_unlink (path), ==, 0);
  assert_refused (disk_missing, "the file disk-vda.qcow2 is missing");
  g_free (path);

  /* The manifest edited (the definition is not): they disagree. */
  path = g_build_filename (memory_edited, PISO_EXPORT_MANIFEST, NULL);
  piso_test_replace_in_file (path, "MemoryKiB=2097152", "MemoryKiB=4194304");
  assert_refused (memory_edited, "disagree about the memory");
  g_free (path);

  /* The definition edited: its checksum. */
  path = g_build_filename (xml_edited, PISO_EXPORT_DOMAIN, NULL);
  piso_test_replace_in_file (path, "<vcpu", "<vcpu current='1'");
  assert_refused (xml_edited, "domain.xml does not match its checksum");
}

/* Imports @bundle as @name; the machine made, or NULL with @error */
static PisoMachine *
import (PisoTestFixture *f,
        PisoImporter    *importer,
        const char      *name,
        GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_importer_set_name (importer, name);
  piso_importer_run_async (importer, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 20);
  return piso_importer_run_finish (importer, result, error);
}

/* Imports as @name, which must succeed, and parses the new machine's
 * definition into @x; the machine */
static PisoMachine *
import_parsed (PisoTestFixture *f,
               PisoImporter    *importer,
               const char      *name,
               PisoTestXml     *x)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  PisoMachine *machine = import (f, importer, name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (machine);
  xml = machine_xml (f, name);
  piso_test_xml_parse (x, xml);
  return machine;
}

/* An importer of the bundle at @path for this host (the bundle in
 * @bundle_out when wanted) */
static PisoImporter *
importer_for (PisoTestFixture   *f,
              const char        *path,
              PisoExportBundle **bundle_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoExportBundle) bundle = load (path, &error);

  g_assert_no_error (error);
  if (bundle_out != NULL)
    *bundle_out = g_object_ref (bundle);
  return piso_importer_new (bundle, f->conn);
}

/* "small" exported into a new folder: the bundle's path */
static char *
export_small (PisoTestFixture *f)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  char *destination = g_build_filename (dir, "small.piso", NULL);
  g_autoptr(GError) error = NULL;

  export (f, "small", destination, FALSE, NULL, &error);
  g_assert_no_error (error);
  return destination;
}

/* Where the network cards go on the importing host: the same network when
 * it has it, another of its networks or user-mode networking as chosen; a
 * network not mapped, or mapped to one the host does not have, refuses the
 * import before anything is made. */
static void
test_networks (PisoTestFixture *f,
               gconstpointer    data)
{
  g_autofree char *destination = export_small (f);
  g_autoptr(PisoImporter) importer = importer_for (f, destination, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) unmapped = NULL;
  const char * const host_networks[] = { "default", NULL };
  const char * const other_networks[] = { "lan", NULL };
  const char *target = NULL;
  PisoTestXml x = { 0 };
  PisoMachine *machine;

  /* Not mapped: refused, saying which network and what to do */
  unmapped = piso_importer_dup_unmapped_networks (importer);
  g_assert_cmpuint (g_strv_length (unmapped), ==, 1);
  g_assert_cmpstr (unmapped[0], ==, "default");
  piso_importer_map_networks_by_name (importer, other_networks);
  g_assert_false (piso_importer_lookup_network (importer, "default", NULL));
  g_assert_null (import (f, importer, "small-unmapped", &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“default”"));
  g_assert_nonnull (strstr (error->message, "user-mode networking"));
  g_clear_error (&error);
  g_assert_null (piso_connection_lookup_machine_by_name (f->conn, "small-unmapped"));

  /* Mapped to a network this host does not have: refused the same way */
  piso_importer_map_network (importer, "default", "lan");
  g_assert_null (import (f, importer, "small-lan", &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "no virtual network “lan”"));
  g_clear_error (&error);
  g_assert_null (piso_connection_lookup_machine_by_name (f->conn, "small-lan"));

  /* User-mode networking: no network, no source */
  piso_importer_map_network (importer, "default", NULL);
  g_assert_true (piso_importer_lookup_network (importer, "default", &target));
  g_assert_null (target);
  machine = import_parsed (f, importer, "small-user", &x);
  piso_test_assert_xml_count (&x, "/domain/devices/interface", 1);
  piso_test_assert_xml_string (&x, "/domain/devices/interface/@type", "user");
  piso_test_assert_xml_count (&x, "/domain/devices/interface/source", 0);
  piso_test_xml_clear (&x);
  g_object_unref (machine);

  /* The same name on this host */
  piso_importer_map_networks_by_name (importer, host_networks);
  g_assert_true (piso_importer_lookup_network (importer, "default", &target));
  g_assert_cmpstr (target, ==, "default");
  machine = import_parsed (f, importer, "small-same", &x);
  piso_test_assert_xml_string (&x, "/domain/devices/interface/@type", "network");
  piso_test_assert_xml_string (&x, "/domain/devices/interface/source/@network", "default");
  piso_test_xml_clear (&x);
  g_object_unref (machine);
  g_clear_object (&importer);
  /* (the workers' last references go) */
  piso_test_spin (100);
}

static gboolean
machine_gone (gpointer user_data)
{
  PisoTestFixture *f = user_data;

  return piso_connection_lookup_machine_by_name (f->conn, "small") == NULL;
}

/* "Move": the machine keeps its UUID and MAC addresses, refused while a
 * machine with that UUID is on the host (here: the original) */
static void
test_move (PisoTestFixture *f,
           gconstpointer    data)
{
  g_autofree char *destination = export_small (f);
  const char * const host_networks[] = { "default", NULL };
  const char *uuid = "7e570000-0000-4000-8000-0000000000e4";
  g_autoptr(PisoExportBundle) bundle = NULL;
  g_autoptr(PisoImporter) importer = importer_for (f, destination, &bundle);
  g_autoptr(GError) error = NULL;
  PisoTestXml x = { 0 };
  PisoMachine *machine;

  /* The definition has no identity; the manifest keeps it for a move */
  g_assert_null (strstr (piso_export_bundle_get_domain_xml (bundle), uuid));
  piso_importer_map_networks_by_name (importer, host_networks);
  g_assert_true (piso_importer_get_can_move (importer));

  /* The original is here: refused, saying which machine and what to do */
  piso_importer_set_move (importer, TRUE);
  g_assert_false (piso_importer_check_move (importer, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“Small machine”"));
  g_assert_nonnull (strstr (error->message, uuid));
  g_clear_error (&error);
  g_assert_null (import (f, importer, "small-moved", &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_null (piso_connection_lookup_machine_by_name (f->conn, "small-moved"));

  /* Once the original is gone, it moves here as it was */
  {
    virConnectPtr handle = _piso_connection_ref_handle (f->conn);
    virDomainPtr original = virDomainLookupByName (handle, "small");

    g_assert_nonnull (original);
    g_assert_cmpint (virDomainUndefine (original), ==, 0);
    virDomainFree (original);
    virConnectClose (handle);
  }
  piso_test_wait_until (machine_gone, f, 10, "the original to go");
  g_assert_true (piso_importer_check_move (importer, &error));
  g_assert_no_error (error);
  machine = import_parsed (f, importer, "small", &x);
  g_assert_cmpstr (piso_machine_get_uuid (machine), ==, uuid);
  piso_test_assert_xml_string (&x, "/domain/uuid", uuid);
  piso_test_assert_xml_string (&x, "/domain/devices/interface/mac/@address", "52:54:00:ee:00:05");
  piso_test_assert_xml_string (&x, "/domain/devices/interface/source/@network", "default");
  piso_test_xml_clear (&x);
  g_object_unref (machine);
  g_clear_object (&importer);
  piso_test_spin (100);
}

static gboolean
fake_free_space (const char *folder,
                 guint64    *free_bytes)
{
  *free_bytes = 100 * 1024;
  return TRUE;
}

/* A destination without room: refused up front with how much is needed
 * and how much is free, nothing written; a .tar needs twice the bundle */
static void
test_export_space (PisoTestFixture *f,
                   gconstpointer    data)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *folder = g_build_filename (dir, "empty.piso", NULL);
  g_autofree char *tar = g_build_filename (dir, "empty.tar", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;

  /* 100 KiB free: a bundle of about 64 KiB fits as a folder, not as a .tar */
  _piso_exporter_set_free_space_func (fake_free_space);
  export (f, "empty", tar, FALSE, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "has 100 KiB free, but the export needs about 128 KiB"));
  g_assert_nonnull (strstr (error->message, "choose another folder"));
  g_clear_error (&error);
  listing = piso_test_list_dir (dir);
  g_assert_cmpstr (listing, ==, "");
  export (f, "empty", folder, FALSE, NULL, &error);
  g_assert_no_error (error);
  _piso_exporter_set_free_space_func (NULL);
}

/* A pool without room for the disks: refused up front, saying how much is
 * needed and how much is free (the test driver's "tiny" pool: 64 KiB) */
static void
test_space (PisoTestFixture *f,
            gconstpointer    data)
{
  g_autofree char *dir = make_bundle (f);
  const char * const host_networks[] = { "default", NULL };
  g_autoptr(PisoImporter) importer = importer_for (f, dir, NULL);
  g_autoptr(GError) error = NULL;

  piso_importer_map_networks_by_name (importer, host_networks);
  piso_importer_set_pool (importer, "tiny");
  g_assert_null (import (f, importer, "web-copy", &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "The storage pool “tiny” has 64 KiB free"));
  g_assert_nonnull (strstr (error->message, "choose another pool"));
  g_assert_null (piso_connection_lookup_machine_by_name (f->conn, "web-copy"));
  g_clear_object (&importer);
  piso_test_spin (100);
}

static void
count_hashed (guint64  bytes,
              gpointer data)
{
  guint64 *hashed = data;

  g_assert_cmpuint (bytes, >, *hashed);
  *hashed = bytes;
}

static void
cancel_when_hashing (guint64  bytes,
                     gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
}

/* The checksum of a file read in several pieces (more than the reader has
 * buffers) by a thread while the pieces before are hashed: the same as
 * GLib's of the whole, with the progress up to its size; cancelled while
 * it is read, it says so; a missing file fails. */
static void
test_file_sha256 (void)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "data.bin", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.bin", NULL);
  gsize size = 9 * 1024 * 1024 + 12345;
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  guint64 hashed = 0;

  for (gsize i = 0; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;
  g_assert_true (g_file_set_contents (path, (const char *) data, size, NULL));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);

  actual = _piso_export_file_sha256 (path, count_hashed, &hashed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, expected);
  g_assert_cmpuint (hashed, ==, size);

  g_assert_null (_piso_export_file_sha256 (path, cancel_when_hashing, cancellable, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (_piso_export_file_sha256 (missing, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_test_isolate_cache ();
  piso_backend_init (NULL);

  PISO_TEST_ADD_FIXTURE ("/export/manifest", FIXTURE, test_manifest);
  g_test_add_func ("/export/manifest-names", test_manifest_names);
  g_test_add_func ("/export/file-sha256", test_file_sha256);
  PISO_TEST_ADD_FIXTURE ("/export/whole", FIXTURE, test_export_whole);
  PISO_TEST_ADD_FIXTURE ("/export/tar", FIXTURE, test_export_tar);
  PISO_TEST_ADD_FIXTURE ("/export/running", FIXTURE, test_running);
  PISO_TEST_ADD_FIXTURE ("/export/nothing-left", FIXTURE, test_nothing_left);
  PISO_TEST_ADD_FIXTURE ("/export/tampered", FIXTURE, test_tampered);
  PISO_TEST_ADD_FIXTURE ("/export/networks", FIXTURE, test_networks);
  PISO_TEST_ADD_FIXTURE ("/export/move", FIXTURE, test_move);
  PISO_TEST_ADD_FIXTURE ("/export/space", FIXTURE, test_space);
  PISO_TEST_ADD_FIXTURE ("/export/export-space", FIXTURE, test_export_space);

  return g_test_run ();
}
