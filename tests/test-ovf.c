/* test-ovf.c: appliances (OVA, OVF) read, checked, converted and planned
 *
 * The descriptor is tests/data/ovf/appliance.ovf (as VMware writes one:
 * two disks listed out of order, a NIC, a sound card, a CD drive, VMCI and
 * VMware settings); the disks are real VMDKs that qemu-img makes here,
 * the .mf and the .ova (a plain tar) are made by the test, so a changed
 * digest or file is refused as it would be in the wild.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "piso-test-utils.h"

#include "piso-export-appliance.h"
#include "piso-export-ovf-private.h"
#include "piso-install-plan.h"
#include "piso-os-catalog.h"
#include "piso-storage.h"

#define MIB (G_GUINT64_CONSTANT (1024) * 1024)

static gboolean
load (PisoExportAppliance *appliance,
      GCancellable        *cancellable,
      GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_export_appliance_load_async (appliance, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  return piso_export_appliance_load_finish (appliance, result, error);
}

static void
assert_xml_string (PisoTestXml *x,
                   const char  *xpath,
                   const char  *expected)
{
  g_autofree char *value = piso_test_xml_string (x, xpath);

  g_assert_cmpstr (value, ==, expected);
}

static gboolean
has_note (PisoExportAppliance *appliance,
          const char          *words)
{
  const char * const *notes = piso_export_appliance_get_notes (appliance);

  for (guint i = 0; notes != NULL && notes[i] != NULL; i++)
    if (strstr (notes[i], words) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_descriptor (void)
{
  g_autofree char *text = piso_test_ovf_fixture ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoOvfDescriptor) ovf = _piso_ovf_parse (text, strlen (text), &error);
  PisoOvfDisk *disk;
  PisoOvfNic *nic;
  g_autofree char *left_out = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (ovf->name, ==, "Appliance Web");
  g_assert_cmpuint (ovf->vcpus, ==, 3);
  g_assert_cmpuint (ovf->memory_kib, ==, 1536 * 1024);
  g_assert_cmpstr (ovf->os_type, ==, "debian11_64Guest");
  g_assert_cmpstr (ovf->os_id, ==, "http://debian.org/debian/11");
  g_assert_false (ovf->windows);
  g_assert_true (ovf->uefi);
  g_assert_true (ovf->sound);

  /* The machine's order (by place on the controller), not the items'. */
  g_assert_cmpuint (ovf->disks->len, ==, 2);
  disk = g_ptr_array_index (ovf->disks, 0);
  g_assert_cmpstr (disk->id, ==, "vmdisk1");
  g_assert_cmpstr (disk->file, ==, "appliance-disk1.vmdk");
  g_assert_cmpuint (disk->capacity, ==, 16 * MIB);
  disk = g_ptr_array_index (ovf->disks, 1);
  g_assert_cmpstr (disk->id, ==, "vmdisk2");
  g_assert_cmpstr (disk->file, ==, "appliance-disk2.vmdk");
  g_assert_cmpuint (disk->capacity, ==, 8 * MIB);

  g_assert_cmpuint (ovf->nics->len, ==, 1);
  nic = g_ptr_array_index (ovf->nics, 0);
  g_assert_cmpstr (nic->model, ==, "VmxNet3");
  g_assert_cmpstr (nic->network, ==, "VM Network");

  /* The CD drive, VMCI and VMware's own settings are not carried over;
   * the controllers and the sound card are (as Piso's own). */
  g_ptr_array_add (ovf->left_out, NULL);
  left_out = g_strjoinv ("|", (char **) ovf->left_out->pdata);
  g_ptr_array_remove_index (ovf->left_out, ovf->left_out->len - 1);
  g_assert_cmpuint (ovf->left_out->len, ==, 3);
  g_assert_nonnull (strstr (left_out, "CD-ROM 1"));
  g_assert_nonnull (strstr (left_out, "VirtualVMCIDevice (vmware.vmci)"));
  g_assert_nonnull (strstr (left_out, "2 VMware-specific settings"));
  g_assert_null (strstr (left_out, "SCSI"));
  g_assert_null (strstr (left_out, "Sound"));

  /* VirtualBox's names, Windows, and names Piso does not know. */
  g_assert_cmpstr (_piso_ovf_os_id ("Windows10_64"), ==, "http://microsoft.com/win/10");
  g_assert_cmpstr (_piso_ovf_os_id ("windows9_64Guest"), ==, "http://microsoft.com/win/10");
  g_assert_cmpstr (_piso_ovf_os_id ("Debian11_64"), ==, "http://debian.org/debian/11");
  g_assert_null (_piso_ovf_os_id ("Plan9_64"));
  g_assert_null (_piso_ovf_os_id (NULL));
}

static void
test_descriptor_refused (void)
{
  g_autofree char *text = piso_test_ovf_fixture ();
  struct { const char *from, *to, *words; } cases[] = {
    { "ovf:href=\"appliance-disk2.vmdk\"", "ovf:href=\"../../etc/passwd\"", "leaves the appliance" },
    { "ovf:href=\"appliance-disk2.vmdk\"", "ovf:href=\"/etc/passwd\"", "leaves the appliance" },
    { "ovf:fileRef=\"file2\"", "ovf:fileRef=\"file9\"", "has no file" },
    { "<Envelope ", "<Other ", "not an OVF envelope" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) parts = g_strsplit (text, cases[i].from, -1);
      g_autofree char *changed = g_strjoinv (cases[i].to, parts);
      g_autoptr(GError) error = NULL;
      g_autoptr(PisoOvfDescriptor) ovf = NULL;

      if (g_str_equal (cases[i].from, "<Envelope "))
        {
          g_auto(GStrv) end = g_strsplit (changed, "</Envelope>", -1);
          g_free (changed);
          changed = g_strjoinv ("</Other>", end);
        }
      ovf = _piso_ovf_parse (changed, strlen (changed), &error);
      g_assert_null (ovf);
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, cases[i].words));
    }
}

static void
test_ova (PisoTestFixture *f,
          gconstpointer    data)
{
  g_autofree char *dir = piso_test_make_appliance (NULL, TRUE);
  g_autofree char *ova = piso_test_make_ova (dir);
  g_autoptr(PisoExportAppliance) appliance = piso_export_appliance_new (ova);
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *disks;
  const char * const *extra;
  g_autofree char *xml = NULL;
  g_autofree char *listing = NULL;
  PisoTestXml x;
  guint64 size = 0;
  gboolean backing = TRUE;

  g_assert_true (load (appliance, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (piso_export_appliance_get_bytes_done (appliance), ==,
                    piso_export_appliance_get_bytes_total (appliance));
  g_assert_cmpuint (piso_export_appliance_get_bytes_total (appliance), >, 0);

  /* Both disks converted to qcow2, each with its own size and content. */
  disks = piso_export_appliance_get_disks (appliance);
  g_assert_cmpuint (g_strv_length ((char **) disks), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *format = piso_storage_detect_format (disks[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (format, ==, "qcow2");
      g_assert_true (piso_storage_image_info (disks[i], "qcow2", &size, &backing, &error));
      g_assert_no_error (error);
      g_assert_false (backing);
      g_assert_cmpuint (size, ==, piso_export_appliance_get_disk_capacity (appliance, i));
    }
  g_assert_cmpuint (piso_export_appliance_get_disk_capacity (appliance, 0), ==, 16 * MIB);
  {
    g_autofree char *raw = g_build_filename (dir, "check.raw", NULL);
    const char *argv[] = { "qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", disks[1], raw, NULL };
    g_autofree char *content = NULL;
    gsize length;

    piso_test_spawn (argv);
    g_assert_true (g_file_get_contents (raw, &content, &length, NULL));
    g_assert_cmpuint (length, ==, 8 * MIB);
    g_assert_cmpint (content[0], ==, 'D');
    g_assert_cmpint (content[MIB - 1], ==, 'D');
    g_assert_cmpint (content[MIB], ==, 0);
  }

  g_assert_true (has_note (appliance, "Not carried over: Device: VirtualVMCIDevice"));
  g_assert_true (has_note (appliance, "CD-ROM 1"));
  g_assert_false (has_note (appliance, "virtio drivers"));
  g_assert_false (has_note (appliance, "no manifest"));

  /* The New Machine plan with the appliance's values. */
  plan = piso_export_appliance_build_plan (appliance, f->conn, piso_test_loaded_catalog (), NULL);
  g_assert_cmpint (piso_install_plan_get_source_kind (plan), ==, PISO_INSTALL_SOURCE_IMPORT);
  g_assert_cmpstr (piso_install_plan_get_source_path (plan), ==, disks[0]);
  extra = piso_install_plan_get_extra_disks (plan);
  g_assert_nonnull (extra);
  g_assert_cmpstr (extra[0], ==, disks[1]);
  g_assert_null (extra[1]);
  g_assert_cmpstr (piso_install_plan_get_name (plan), ==, "Appliance Web");
  g_assert_cmpstr (piso_install_plan_get_os_id (plan), ==, "http://debian.org/debian/11");
  g_assert_cmpuint (piso_install_plan_get_vcpus (plan), ==, 3);
  g_assert_cmpuint (piso_install_plan_get_memory (plan), ==, 1536 * 1024);
  g_assert_cmpint (piso_install_plan_get_firmware (plan), ==, PISO_INSTALL_FIRMWARE_UEFI);
  g_assert_cmpint (piso_install_plan_get_disk_bus (plan), ==, PISO_INSTALL_DISK_BUS_VIRTIO);
  g_assert_cmpint (piso_install_plan_get_network (plan), !=, PISO_INSTALL_NETWORK_NONE);
  {
    gboolean sound = FALSE;

    g_object_get (plan, "sound", &sound, NULL);
    g_assert_true (sound);
  }

  /* Both disks in the definition, the system disk first and booted. */
  {
    const char *extra_paths[] = { "/pool/appliance-disk2.qcow2", NULL };
    PisoInstallStorage storage = { "/pool/appliance.qcow2", "qcow2", NULL, extra_paths };

    xml = piso_install_plan_build_xml (plan, &storage, &error);
    g_assert_no_error (error);
  }
  piso_test_xml_parse (&x, xml);
  g_assert_cmpuint (piso_test_xml_count (&x, "/domain/devices/disk[@device='disk']"), ==, 2);
  assert_xml_string (&x, "/domain/devices/disk[target/@dev='vda']/source/@file", "/pool/appliance.qcow2");
  assert_xml_string (&x, "/domain/devices/disk[target/@dev='vdb']/source/@file", "/pool/appliance-disk2.qcow2");
  g_assert_cmpuint (piso_test_xml_count (&x, "/domain/devices/disk[target/@dev='vda']/boot"), ==, 1);
  g_assert_cmpuint (piso_test_xml_count (&x, "/domain/devices/disk[target/@dev='vdb']/boot"), ==, 0);
  piso_test_xml_clear (&x);

  /* The converted disks live as long as the appliance. */
  listing = piso_test_cache_listing ();
  g_assert_nonnull (strstr (listing, "appliance-"));
  g_clear_object (&appliance);
  g_clear_pointer (&listing, g_free);
  listing = piso_test_cache_listing ();
  g_assert_cmpstr (listing, ==, "");
}

static void
test_tampered (void)
{
  g_autofree char *dir = piso_test_make_appliance (NULL, TRUE);
  g_autofree char *mf = g_build_filename (dir, "appliance.mf", NULL);
  g_autofree char *disk2 = g_build_filename (dir, "appliance-disk2.vmdk", NULL);
  g_autofree char *d2 = piso_test_file_digest (disk2, G_CHECKSUM_SHA1);
  g_autofree char *wrong = g_strdup (d2);
  g_autofree char *ova = NULL;
  g_autofree char *listing = NULL;

  /* One digest of the manifest changed: the disk no longer matches. */
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  piso_test_replace_in_file (mf, d2, wrong);
  ova = piso_test_make_ova (dir);

  for (guint i = 0; i < 2; i++)
    {
      const char *path = i == 0 ? ova : NULL;
      g_autofree char *ovf = g_build_filename (dir, "appliance.ovf", NULL);
      g_autoptr(PisoExportAppliance) appliance = piso_export_appliance_new (path != NULL ? path : ovf);
      g_autoptr(GError) error = NULL;

      g_assert_false (load (appliance, NULL, &error));
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "appliance-disk2.vmdk does not match its digest"));
      /* Refused before any disk was converted, and nothing kept. */
      listing = piso_test_cache_listing ();
      g_assert_cmpstr (listing, ==, "");
      g_clear_pointer (&listing, g_free);
    }

  /* A file the manifest does not name; a file of the manifest missing. */
  {
    g_autofree char *ovf = g_build_filename (dir, "appliance.ovf", NULL);
    g_autoptr(PisoExportAppliance) appliance = piso_export_appliance_new (ovf);
    g_autoptr(GError) error = NULL;

    piso_test_replace_in_file (mf, "SHA1(appliance-disk2.vmdk)", "SHA1(other.vmdk)");
    g_assert_false (load (appliance, NULL, &error));
    g_assert_nonnull (strstr (error->message, "has no digest for appliance-disk2.vmdk"));
  }
  {
    g_autofree char *ovf = g_build_filename (dir, "appliance.ovf", NULL);
    g_autoptr(PisoExportAppliance) appliance = piso_export_appliance_new (ovf);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (g_unlink (disk2), ==, 0);
    g_assert_false (load (appliance, NULL, &error));
    g_assert_nonnull (strstr (error->message, "the file appliance-disk2.vmdk is missing"));
  }
  listing = piso_test_cache_listing ();
  g_assert_cmpstr (listing, ==, "");
}

static void
test_unknown_os (PisoTestFixture *f,
                 gconstpointer    data)
{
  g_autofree char *unknown = piso_test_ovf_fixture_for ("plan9_64Guest");
  g_autofree char *dir = NULL;
  g_autofree char *ovf = NULL;
  g_autoptr(PisoExportAppliance) appliance = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  /* An OVF next to its disks, without a manifest. */
  dir = piso_test_make_appliance (unknown, FALSE);
  ovf = g_build_filename (dir, "appliance.ovf", NULL);
  appliance = piso_export_appliance_new (ovf);
  g_assert_true (load (appliance, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (piso_export_appliance_get_os_id (appliance));
  g_assert_cmpstr (piso_export_appliance_get_os_type (appliance), ==, "plan9_64Guest");
  g_assert_true (has_note (appliance, "does not know the operating system “plan9_64Guest”"));
  g_assert_true (has_note (appliance, "no manifest"));

  plan = piso_export_appliance_build_plan (appliance, f->conn, piso_test_loaded_catalog (), NULL);
  g_assert_null (piso_install_plan_get_os_id (plan));
  g_assert_cmpuint (piso_install_plan_get_vcpus (plan), ==, 3);
  g_assert_cmpuint (piso_install_plan_get_memory (plan), ==, 1536 * 1024);
  g_assert_cmpint (piso_install_plan_get_disk_bus (plan), ==, PISO_INSTALL_DISK_BUS_SATA);
  {
    g_autofree char *xml = NULL;
    const char *extra_paths[] = { "/pool/b.qcow2", NULL };
    PisoInstallStorage storage = { "/pool/a.qcow2", "qcow2", NULL, extra_paths };
    PisoTestXml x;

    xml = piso_install_plan_build_xml (plan, &storage, &error);
    g_assert_no_error (error);
    piso_test_xml_parse (&x, xml);
    assert_xml_string (&x, "/domain/devices/disk[target/@dev='sdb']/source/@file", "/pool/b.qcow2");
    piso_test_xml_clear (&x);
  }
}

static void
test_windows (PisoTestFixture *f,
              gconstpointer    data)
{
  g_autofree char *windows = piso_test_ovf_fixture_for ("windows9_64Guest");
  g_autofree char *dir = piso_test_make_appliance (windows, TRUE);
  g_autofree char *ova = piso_test_make_ova (dir);
  g_autoptr(PisoExportAppliance) appliance = piso_export_appliance_new (ova);
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (load (appliance, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (piso_export_appliance_get_windows (appliance));
  g_assert_true (has_note (appliance, "virtio drivers"));
  g_assert_true (has_note (appliance, "virt-v2v"));

  /* No virtio drivers in it yet: devices Windows has drivers for. */
  plan = piso_export_appliance_build_plan (appliance, f->conn, piso_test_loaded_catalog (), NULL);
  g_assert_cmpstr (piso_install_plan_get_os_id (plan), ==, "http://microsoft.com/win/10");
  g_assert_cmpint (piso_install_plan_get_disk_bus (plan), ==, PISO_INSTALL_DISK_BUS_SATA);
  g_assert_cmpint (piso_install_plan_get_net_model (plan), ==, PISO_INSTALL_NET_MODEL_E1000E);
}

static void
test_cancel (void)
{
  g_autofree char *dir = piso_test_make_appliance (NULL, TRUE);
  g_autofree char *ova = piso_test_make_ova (dir);
  g_autoptr(PisoExportAppliance) appliance = piso_export_appliance_new (ova);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (load (appliance, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  listing = piso_test_cache_listing ();
  g_assert_cmpstr (listing, ==, "");

  /* Not a tar, and not an appliance at all. */
  {
    g_autofree char *bad = g_build_filename (dir, "bad.ova", NULL);
    g_autoptr(PisoExportAppliance) other = piso_export_appliance_new (bad);

    g_clear_error (&error);
    g_assert_true (g_file_set_contents (bad, "not a tar", -1, NULL));
    g_assert_false (load (other, NULL, &error));
    g_assert_nonnull (strstr (error->message, "is not an appliance archive"));
  }
  {
    g_autoptr(PisoExportAppliance) other = piso_export_appliance_new ("/nowhere/machine.iso");

    g_clear_error (&error);
    g_assert_false (load (other, NULL, &error));
    g_assert_nonnull (strstr (error->message, "is not an appliance"));
  }
  g_clear_pointer (&listing, g_free);
  listing = piso_test_cache_listing ();
  g_assert_cmpstr (listing, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_test_isolate_cache ();
  piso_backend_init (NULL);

  g_test_add_func ("/ovf/descriptor", test_descriptor);
  g_test_add_func ("/ovf/descriptor-refused", test_descriptor_refused);
  PISO_TEST_ADD_BASIC ("/ovf/ova", test_ova);
  g_test_add_func ("/ovf/tampered", test_tampered);
  PISO_TEST_ADD_BASIC ("/ovf/unknown-os", test_unknown_os);
  PISO_TEST_ADD_BASIC ("/ovf/windows", test_windows);
  g_test_add_func ("/ovf/cancel", test_cancel);

  return g_test_run ();
}
