/* test-install-plan.c: OS catalog, media identification, and the plan of a new machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "piso-test-utils.h"
#include "piso-host-info-private.h"
#include "piso-install-plan.h"

#define DEBIAN_11   "http://debian.org/debian/11"
#define FEDORA_37   "http://fedoraproject.org/fedora/37"
#define UBUNTU_2204 "http://ubuntu.com/ubuntu/22.04"
#define WIN_XP      "http://microsoft.com/win/xp"
#define WIN_11      "http://microsoft.com/win/11"
#define GIB         (G_GUINT64_CONSTANT (1024) * 1024 * 1024)
#define KIB_PER_GIB (G_GUINT64_CONSTANT (1024) * 1024)

/* Temporary files of this run (ISOs, databases, XML), removed at exit. */
static char *iso_dir;

static PisoHostInfo *
make_host (guint64          memory_kib,
           guint            cpus,
           const char      *hypervisor,
           PisoAcceleration acceleration)
{
  PisoHostFacts facts = { 0 };
  PisoHostInfo *host;

  facts.hypervisor = g_strdup (hypervisor);
  facts.arch = g_strdup ("x86_64");
  facts.cpus = cpus;
  facts.memory_kib = memory_kib;
  facts.acceleration = acceleration;
  host = _piso_host_info_new (&facts);
  _piso_host_facts_clear (&facts);
  return host;
}

static PisoInstallPlan *
plan_for_os (const char   *os_id,
             PisoHostInfo *host)
{
  PisoOsCatalog *catalog = piso_test_loaded_catalog ();
  PisoInstallPlan *plan = piso_install_plan_new (NULL);

  piso_install_plan_set_os (plan, os_id, NULL);
  piso_install_plan_apply_os (plan, catalog, host);
  return plan;
}

/* Names -------------------------------------------------------------------- */

static void
test_name_validation (void)
{
  g_autoptr(PisoConnection) conn = piso_test_open_connection ("test:///default");
  g_autofree char *long_name = g_strnfill (101, 'a');
  g_autofree char *max_name = g_strnfill (100, 'a');
  static const char *bad[] = { "", "a/b", ".hidden", " lead", "trail ", "...", "tab\there" };
  static const char *good[] = { "debian11", "My machine", "win-11_test.2", "máquina ñ" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("bad name “%s”", bad[i]);
      g_assert_false (piso_install_validate_name (bad[i], NULL, &error));
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
      g_assert_cmpstr (error->message, !=, "");
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (piso_install_validate_name (long_name, NULL, &error));
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
    g_assert_nonnull (strstr (error->message, "100"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (piso_install_validate_name (NULL, NULL, &error));
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
  }
  g_assert_true (piso_install_validate_name (max_name, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true (piso_install_validate_name (good[i], conn, &error));
      g_assert_no_error (error);
    }

  /* test:///default has a machine named "test": taken on that connection only. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (piso_install_validate_name ("test", NULL, NULL));
    g_assert_false (piso_install_validate_name ("test", conn, &error));
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
    g_assert_nonnull (strstr (error->message, "“test”"));
  }
}

static void
test_name_suggestion (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) conn = piso_test_open_connection (uri);
  PisoOsCatalog *catalog = piso_test_loaded_catalog ();
  g_autoptr(PisoInstallPlan) plan = piso_install_plan_new (conn);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *second = NULL;

  piso_install_plan_set_os (plan, DEBIAN_11, NULL);
  piso_install_plan_apply_os (plan, catalog, NULL);
  g_assert_cmpstr (piso_install_plan_get_name (plan), ==, "debian11");

  /* Once "debian11" exists, the next suggestion is "debian11-2". */
  piso_connection_define_xml_async (conn,
                                    "<domain type='test'><name>debian11</name>"
                                    "<memory unit='MiB'>128</memory>"
                                    "<os><type>hvm</type></os></domain>",
                                    NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  machine = piso_connection_define_xml_finish (conn, result, &error);
  g_assert_no_error (error);
  second = piso_install_plan_suggest_name (plan);
  g_assert_cmpstr (second, ==, "debian11-2");

  /* A name the user typed survives choosing another OS… */
  piso_install_plan_set_name (plan, "mine");
  piso_install_plan_set_os (plan, FEDORA_37, NULL);
  piso_install_plan_apply_os (plan, catalog, NULL);
  g_assert_cmpstr (piso_install_plan_get_name (plan), ==, "mine");
  /* …and clearing it brings suggestions back; a generic OS is a "machine". */
  piso_install_plan_set_name (plan, NULL);
  piso_install_plan_set_os (plan, NULL, NULL);
  piso_install_plan_apply_os (plan, catalog, NULL);
  g_assert_cmpstr (piso_install_plan_get_name (plan), ==, "machine");
}

/* Defaults that depend on the connection (it need not be open). */
static void
test_connection_defaults (void)
{
  static const struct { const char *uri; PisoInstallNetwork network;
                        PisoInstallGraphicsListen listen; } cases[] = {
    { "qemu:///system", PISO_INSTALL_NETWORK_NAT_DEFAULT, PISO_INSTALL_GRAPHICS_LISTEN_NONE },
    { "qemu:///session", PISO_INSTALL_NETWORK_USER, PISO_INSTALL_GRAPHICS_LISTEN_NONE },
    { "qemu+ssh://root@example.org/system", PISO_INSTALL_NETWORK_NAT_DEFAULT,
      PISO_INSTALL_GRAPHICS_LISTEN_LOCALHOST },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PisoConnection) conn = piso_connection_new (cases[i].uri);
      g_autoptr(PisoInstallPlan) plan = piso_install_plan_new (conn);

      g_test_message ("%s", cases[i].uri);
      g_assert_true (piso_install_plan_get_connection (plan) == conn);
      g_assert_cmpint (piso_install_plan_get_network (plan), ==, cases[i].network);
      g_assert_cmpint (piso_install_plan_get_graphics_listen (plan), ==, cases[i].listen);
      if (i == 2)
        g_assert_false (piso_install_plan_get_tpm_available (plan));
    }
}

/* Catalog ------------------------------------------------------------------- */

static void
test_catalog_list (void)
{
  PisoOsCatalog *catalog = piso_test_loaded_catalog ();
  GListModel *oses = piso_os_catalog_get_oses (catalog);
  guint n = g_list_model_get_n_items (oses);
  guint n_eol = 0, debian_11 = G_MAXUINT, debian_10 = G_MAXUINT;
  PisoOsEntry *entry;

  g_assert_cmpuint (n, >, 300);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PisoOsEntry) item = g_list_model_get_item (oses, i);

      g_assert_nonnull (piso_os_entry_get_name (item));
      g_assert_nonnull (piso_os_entry_get_id (item));
      g_assert_nonnull (piso_os_entry_get_search_key (item));
      if (piso_os_entry_get_eol (item))
        n_eol++;
      if (g_strcmp0 (piso_os_entry_get_id (item), DEBIAN_11) == 0)
        debian_11 = i;
      if (g_strcmp0 (piso_os_entry_get_id (item), "http://debian.org/debian/10") == 0)
        debian_10 = i;
    }
  /* Many old releases are past their end of life, not all. */
  g_assert_cmpuint (n_eol, >, 50);
  g_assert_cmpuint (n_eol, <, n);
  /* A family together, newest first. */
  g_assert_cmpuint (debian_11, !=, G_MAXUINT);
  g_assert_cmpuint (debian_10, ==, debian_11 + 1);

  entry = piso_os_catalog_lookup (catalog, DEBIAN_11);
  g_assert_nonnull (entry);
  g_assert_cmpstr (piso_os_entry_get_name (entry), ==, "Debian 11");
  g_assert_cmpstr (piso_os_entry_get_short_id (entry), ==, "debian11");
  g_assert_cmpstr (piso_os_entry_get_vendor (entry), ==, "Debian Project");
  g_assert_cmpstr (piso_os_entry_get_family (entry), ==, "linux");
  g_assert_cmpstr (piso_os_entry_get_release_date (entry), ==, "2021-08-14");
  g_assert_nonnull (strstr (piso_os_entry_get_search_key (entry), "bullseye"));
  g_assert_true (piso_os_entry_get_eol (piso_os_catalog_lookup (catalog, WIN_XP)));
  g_assert_null (piso_os_catalog_lookup (catalog, "http://example.com/no-such-os"));
}

/* A database of its own: what the list shows does not depend on osinfo-db's
 * version. Two loads at once share one worker. */
static void
test_catalog_own_db (void)
{
  g_autofree char *dir = g_build_filename (iso_dir, "osinfo", "os", "example.org", NULL);
  g_autofree char *root = g_build_filename (iso_dir, "osinfo", NULL);
  g_autoptr(PisoOsCatalog) catalog = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *oses;
  /* libosinfo wants each OS in os/<vendor>/<name>-<version>.xml */
  static const struct { const char *file, *os; } files[] = {
    { "ex-1.xml",
      "<os id='http://example.org/ex/1'><short-id>ex1</short-id><name>Example 1</name>"
      "<vendor>Example</vendor><family>linux</family><distro>ex</distro><version>1</version>"
      "<release-date>2001-01-01</release-date><eol-date>2005-01-01</eol-date></os>" },
    { "ex-2.xml",
      "<os id='http://example.org/ex/2'><short-id>ex2</short-id><name>Example 2</name>"
      "<vendor>Example</vendor><family>linux</family><distro>ex</distro><version>2</version>"
      "<release-date>2020-01-01</release-date><eol-date>2999-01-01</eol-date>"
      "<logo>https://example.org/logo.svg</logo></os>" },
    { "ex-3.xml",
      "<os id='http://example.org/ex/3'><short-id>ex3</short-id><name>Example 3 Beta</name>"
      "<distro>ex</distro><release-status>prerelease</release-status></os>" },
    { "ab-1.xml",
      "<os id='http://example.org/ab/1'><short-id>ab1</short-id><name>Abc 1</name>"
      "<distro>ab</distro><release-date>1999-01-01</release-date></os>" },
  };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].file, NULL);
      g_autofree char *text = g_strdup_printf ("<libosinfo version='0.0.1'>%s</libosinfo>\n",
                                               files[i].os);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
    }

  catalog = piso_os_catalog_new (root);
  g_assert_false (piso_os_catalog_is_loaded (catalog));
  oses = piso_os_catalog_get_oses (catalog);
  g_assert_cmpuint (g_list_model_get_n_items (oses), ==, 0);

  piso_os_catalog_load_async (catalog, NULL, piso_test_store_result_cb, &first);
  piso_os_catalog_load_async (catalog, NULL, piso_test_store_result_cb, &second);
  piso_test_wait_result (&first, 30);
  piso_test_wait_result (&second, 30);
  g_assert_true (piso_os_catalog_load_finish (catalog, first, &error));
  g_assert_no_error (error);
  g_assert_true (piso_os_catalog_load_finish (catalog, second, &error));
  g_assert_no_error (error);

  /* "Abc" before "Example"; inside "Example", the highest version first; the
   * pre-release only through lookup. */
  g_assert_cmpuint (g_list_model_get_n_items (oses), ==, 3);
  {
    g_autoptr(PisoOsEntry) e0 = g_list_model_get_item (oses, 0);
    g_autoptr(PisoOsEntry) e1 = g_list_model_get_item (oses, 1);
    g_autoptr(PisoOsEntry) e2 = g_list_model_get_item (oses, 2);

    g_assert_cmpstr (piso_os_entry_get_short_id (e0), ==, "ab1");
    g_assert_cmpstr (piso_os_entry_get_short_id (e1), ==, "ex2");
    g_assert_cmpstr (piso_os_entry_get_short_id (e2), ==, "ex1");
    g_assert_false (piso_os_entry_get_eol (e0));
    g_assert_false (piso_os_entry_get_eol (e1));
    g_assert_true (piso_os_entry_get_eol (e2));
    g_assert_cmpstr (piso_os_entry_get_logo_url (e1), ==, "https://example.org/logo.svg");
    g_assert_null (piso_os_entry_get_logo_url (e2));
  }
  g_assert_nonnull (piso_os_catalog_lookup (catalog, "http://example.org/ex/3"));

  /* An empty database is an error that says what to install. */
  {
    g_autofree char *empty = g_build_filename (iso_dir, "empty-osinfo", NULL);
    g_autoptr(PisoOsCatalog) none = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
    none = piso_os_catalog_new (empty);
    piso_os_catalog_load_async (none, NULL, piso_test_store_result_cb, &result);
    piso_test_wait_result (&result, 30);
    g_assert_false (piso_os_catalog_load_finish (none, result, &error));
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "osinfo-db"));
    g_assert_false (piso_os_catalog_is_loaded (none));
  }
}

static void
test_catalog_resources (void)
{
  PisoOsCatalog *catalog = piso_test_loaded_catalog ();
  PisoOsResources min, rec;

  /* Debian 11 names its own resources ("all" architectures). */
  g_assert_true (piso_os_catalog_get_resources (catalog, DEBIAN_11, "x86_64", &min, &rec));
  g_assert_cmpuint (min.memory, ==, KIB_PER_GIB);
  g_assert_cmpuint (min.vcpus, ==, 1);
  g_assert_cmpuint (min.storage, ==, 10 * GIB);
  g_assert_cmpuint (rec.storage, ==, 20 * GIB);
  g_assert_cmpuint (rec.memory, >=, min.memory);

  /* Windows 11 on x86_64: 4 GiB, 2 CPUs, 64 GiB at least. */
  g_assert_true (piso_os_catalog_get_resources (catalog, WIN_11, "x86_64", &min, &rec));
  g_assert_cmpuint (min.memory, ==, 4 * KIB_PER_GIB);
  g_assert_cmpuint (min.vcpus, ==, 2);
  g_assert_cmpuint (min.storage, ==, 64 * GIB);

  g_assert_false (piso_os_catalog_get_resources (catalog, "http://example.com/x", NULL, &min, &rec));
  g_assert_cmpuint (min.memory, ==, 0);
}

static void
test_catalog_maximum_installer (void)
{
  PisoOsCatalog *catalog = piso_test_loaded_catalog ();
  PisoOsResources max;
  gboolean eject = FALSE;
  guint reboots = 0;

  /* Rocky Linux 9 names its limits: 768 CPUs on x86_64. */
  g_assert_true (piso_os_catalog_get_maximum (catalog, "http://rockylinux.org/rocky/9", "x86_64", &max));
  g_assert_cmpuint (max.vcpus, ==, 768);
  g_assert_cmpuint (max.memory, >, 0);
  /* Debian 11 names none. */
  g_assert_true (piso_os_catalog_get_maximum (catalog, DEBIAN_11, "x86_64", &max));
  g_assert_cmpuint (max.vcpus, ==, 0);
  g_assert_false (piso_os_catalog_get_maximum (catalog, "http://example.com/x", NULL, &max));

  /* Windows XP's installer reboots twice before the installed system runs. */
  piso_os_catalog_get_installer (catalog, WIN_XP, "i686", &reboots, &eject);
  g_assert_cmpuint (reboots, ==, 2);
  g_assert_true (eject);
  piso_os_catalog_get_installer (catalog, DEBIAN_11, "x86_64", &reboots, &eject);
  g_assert_cmpuint (reboots, ==, 1);
  g_assert_true (eject);
  reboots = 0;
  piso_os_catalog_get_installer (catalog, NULL, NULL, &reboots, &eject);
  g_assert_cmpuint (reboots, ==, 1);
}

static void
test_catalog_devices_firmware (void)
{
  PisoOsCatalog *catalog = piso_test_loaded_catalog ();
  PisoOsDeviceFlags debian = piso_os_catalog_get_devices (catalog, DEBIAN_11);
  PisoOsDeviceFlags xp = piso_os_catalog_get_devices (catalog, WIN_XP);

  /* Debian 11's own entry names only virtio-gpu and virtio-fs; the rest
   * comes through its derives-from chain. */
  g_assert_true (debian & PISO_OS_DEVICE_VIRTIO_BLOCK);
  g_assert_true (debian & PISO_OS_DEVICE_VIRTIO_NET);
  g_assert_true (debian & PISO_OS_DEVICE_VIRTIO_GPU);
  g_assert_false (xp & (PISO_OS_DEVICE_VIRTIO_BLOCK | PISO_OS_DEVICE_VIRTIO_NET |
                        PISO_OS_DEVICE_VIRTIO_GPU | PISO_OS_DEVICE_Q35));
  g_assert_true (xp & PISO_OS_DEVICE_E1000);
  g_assert_cmpint (piso_os_catalog_get_devices (catalog, NULL), ==, PISO_OS_DEVICE_NONE);

  g_assert_cmpint (piso_os_catalog_get_firmware (catalog, WIN_11, "x86_64"), ==,
                   PISO_OS_FIRMWARE_EFI_REQUIRED);
  g_assert_cmpint (piso_os_catalog_get_firmware (catalog, DEBIAN_11, "x86_64"), ==,
                   PISO_OS_FIRMWARE_EFI_SUPPORTED);
  g_assert_cmpint (piso_os_catalog_get_firmware (catalog, WIN_XP, "x86_64"), ==,
                   PISO_OS_FIRMWARE_UNKNOWN);
}

/* Media identification on ISOs made with xorriso ------------------------ */

static char *
make_iso (const char *volume_id,
          const char *publisher)
{
  g_autofree char *content = g_build_filename (iso_dir, "content", NULL);
  g_autofree char *readme = g_build_filename (content, "README.txt", NULL);
  g_autofree char *base = g_compute_checksum_for_string (G_CHECKSUM_SHA1, volume_id, -1);
  g_autofree char *iso_name = g_strconcat (base, ".iso", NULL);
  char *iso = g_build_filename (iso_dir, iso_name, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_cmpint (g_mkdir_with_parents (content, 0700), ==, 0);
  g_assert_true (g_file_set_contents (readme, "Piso test media\n", -1, NULL));

  g_ptr_array_add (argv, (char *)"xorriso");
  g_ptr_array_add (argv, (char *)"-as");
  g_ptr_array_add (argv, (char *)"mkisofs");
  g_ptr_array_add (argv, (char *)"-quiet");
  g_ptr_array_add (argv, (char *)"-V");
  g_ptr_array_add (argv, (char *)volume_id);
  if (publisher != NULL)
    {
      g_ptr_array_add (argv, (char *)"-publisher");
      g_ptr_array_add (argv, (char *)publisher);
    }
  g_ptr_array_add (argv, (char *)"-o");
  g_ptr_array_add (argv, iso);
  g_ptr_array_add (argv, content);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xorriso failed: %s", err);
  return iso;
}

static PisoOsEntry *
identify (const char  *path,
          GError     **error)
{
  PisoOsCatalog *catalog = piso_test_loaded_catalog ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  piso_os_catalog_identify_media_async (catalog, file, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return piso_os_catalog_identify_media_finish (catalog, result, error);
}

static void
test_identify_media (void)
{
  /* Volume identifiers the real images carry (osinfo-db matches on them). */
  static const struct { const char *volume_id, *publisher, *os_id, *name; } cases[] = {
    { "Debian 11.5.0 amd64 n", NULL, DEBIAN_11, "Debian 11" },
    { "Fedora-WS-Live-37-1-7", NULL, FEDORA_37, "Fedora Linux 37" },
    { "Ubuntu 22.04.1 LTS amd64", NULL, UBUNTU_2204, "Ubuntu 22.04 LTS" },
    { "CCCOMA_X64FRE_EN-US_DV9", "MICROSOFT CORPORATION", WIN_11, "Microsoft Windows 11" },
  };

  g_autofree char *xorriso = g_find_program_in_path ("xorriso");

  if (xorriso == NULL)
    {
      g_test_skip ("xorriso is not installed (build-aux/piso-dev.sh installs it)");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *iso = make_iso (cases[i].volume_id, cases[i].publisher);
      g_autoptr(PisoOsEntry) entry = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("volume id “%s”", cases[i].volume_id);
      entry = identify (iso, &error);
      g_assert_no_error (error);
      g_assert_nonnull (entry);
      g_assert_cmpstr (piso_os_entry_get_id (entry), ==, cases[i].os_id);
      g_assert_cmpstr (piso_os_entry_get_name (entry), ==, cases[i].name);
    }

  /* An ISO nobody knows: recognised as nothing, no error. */
  {
    g_autofree char *iso = make_iso ("PISO_HOME_VIDEOS", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(PisoOsEntry) entry = identify (iso, &error);

    g_assert_no_error (error);
    g_assert_null (entry);
  }
  /* Not an ISO at all (a raw disk image full of zeros): nothing either. */
  {
    g_autofree char *raw = g_build_filename (iso_dir, "disk.img", NULL);
    g_autofree char *zeros = g_malloc0 (64 * 1024);
    g_autoptr(GError) error = NULL;
    g_autoptr(PisoOsEntry) entry = NULL;

    g_assert_true (g_file_set_contents (raw, zeros, 64 * 1024, NULL));
    entry = identify (raw, &error);
    g_assert_no_error (error);
    g_assert_null (entry);
  }
  /* A missing file: an error that names it. */
  {
    g_autofree char *missing = g_build_filename (iso_dir, "missing.iso", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(PisoOsEntry) entry = identify (missing, &error);

    g_assert_null (entry);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "missing.iso"));
  }
}

/* OS → devices, firmware, resources --------------------------------------- */

/* The devices the plan chose for its OS */
static void
assert_devices (PisoInstallPlan        *plan,
                PisoInstallMachineType  machine_type,
                PisoInstallDiskBus      disk_bus,
                PisoInstallNetModel     net_model,
                PisoInstallVideoModel   video_model,
                PisoInstallFirmware     firmware)
{
  g_assert_cmpint (piso_install_plan_get_machine_type (plan), ==, machine_type);
  g_assert_cmpint (piso_install_plan_get_disk_bus (plan), ==, disk_bus);
  g_assert_cmpint (piso_install_plan_get_net_model (plan), ==, net_model);
  g_assert_cmpint (piso_install_plan_get_video_model (plan), ==, video_model);
  g_assert_cmpint (piso_install_plan_get_firmware (plan), ==, firmware);
}

static void
test_devices_modern_linux (void)
{
  g_autoptr(PisoHostInfo) host = make_host (16 * KIB_PER_GIB, 8, "QEMU", PISO_ACCELERATION_KVM);
  g_autoptr(PisoInstallPlan) plan = plan_for_os (DEBIAN_11, host);

  g_assert_cmpstr (piso_install_plan_get_os_name (plan), ==, "Debian 11");
  /* UEFI supported → preferred; no TPM unless swtpm is installed. */
  assert_devices (plan, PISO_INSTALL_MACHINE_Q35, PISO_INSTALL_DISK_BUS_VIRTIO,
                  PISO_INSTALL_NET_MODEL_VIRTIO, PISO_INSTALL_VIDEO_VIRTIO, PISO_INSTALL_FIRMWARE_UEFI);
  g_assert_false (piso_install_plan_get_uefi_required (plan));
  g_assert_cmpint (piso_install_plan_get_tpm (plan), ==, piso_install_plan_get_tpm_available (plan));
  g_assert_cmpstr (piso_install_plan_get_domain_type (plan), ==, "kvm");
  g_assert_null (piso_install_plan_get_warning (plan));

  /* Without UEFI firmware on the host, BIOS. */
  piso_install_plan_set_uefi_available (plan, FALSE);
  piso_install_plan_apply_os (plan, piso_test_loaded_catalog (), host);
  g_assert_cmpint (piso_install_plan_get_firmware (plan), ==, PISO_INSTALL_FIRMWARE_BIOS);
  g_assert_false (piso_install_plan_get_tpm (plan));
}

static void
test_devices_old_and_generic (void)
{
  g_autoptr(PisoInstallPlan) xp = plan_for_os (WIN_XP, NULL);
  g_autoptr(PisoInstallPlan) generic = plan_for_os (NULL, NULL);
  g_autoptr(PisoInstallPlan) win11 = plan_for_os (WIN_11, NULL);
  gboolean rng = TRUE;

  /* Windows XP predates q35's AHCI and virtio: "pc" machine, IDE, e1000, QXL. */
  assert_devices (xp, PISO_INSTALL_MACHINE_PC, PISO_INSTALL_DISK_BUS_IDE,
                  PISO_INSTALL_NET_MODEL_E1000, PISO_INSTALL_VIDEO_QXL, PISO_INSTALL_FIRMWARE_BIOS);
  g_object_get (xp, "rng", &rng, NULL);
  g_assert_false (rng);
  /* No host: emulation. */
  g_assert_cmpstr (piso_install_plan_get_domain_type (xp), ==, "qemu");

  /* A generic OS: q35 with SATA, e1000 and QXL, BIOS. */
  g_assert_cmpstr (piso_install_plan_get_os_name (generic), ==, "Unknown operating system");
  assert_devices (generic, PISO_INSTALL_MACHINE_Q35, PISO_INSTALL_DISK_BUS_SATA,
                  PISO_INSTALL_NET_MODEL_E1000, PISO_INSTALL_VIDEO_QXL, PISO_INSTALL_FIRMWARE_BIOS);

  /* Windows 11 needs UEFI: choosing BIOS warns. */
  g_assert_true (piso_install_plan_get_uefi_required (win11));
  g_assert_cmpint (piso_install_plan_get_firmware (win11), ==, PISO_INSTALL_FIRMWARE_UEFI);
  g_assert_cmpint (piso_install_plan_get_net_model (win11), ==, PISO_INSTALL_NET_MODEL_E1000E);
  g_assert_null (piso_install_plan_get_warning (win11));
  piso_install_plan_set_firmware (win11, PISO_INSTALL_FIRMWARE_BIOS);
  g_assert_nonnull (strstr (piso_install_plan_get_warning (win11), "UEFI"));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* GLib separates number and unit with a no-break space. */
static gboolean
contains_size (const char *text,
               guint64     bytes,
               const char *after)
{
  g_autofree char *size = piso_format_size (bytes);
  g_autofree char *needle = g_strconcat (size, after, NULL);

  g_test_message ("looking for “%s” in “%s”", needle, text);
  return text != NULL && strstr (text, needle) != NULL;
}

static void
test_capping_and_warnings (void)
{
  g_autoptr(PisoHostInfo) small = make_host (4 * KIB_PER_GIB, 1, "QEMU", PISO_ACCELERATION_NONE);
  g_autoptr(PisoHostInfo) big = make_host (64 * KIB_PER_GIB, 16, "QEMU", PISO_ACCELERATION_KVM);
  g_autoptr(PisoInstallPlan) plan = plan_for_os (WIN_11, big);
  PisoOsResources min, rec, max;
  guint warning_notifies = 0;

  /* A big host gives the recommendation as it is. */
  piso_install_plan_get_limits (plan, &min, &rec, &max);
  g_assert_cmpuint (piso_install_plan_get_memory (plan), ==, rec.memory);
  g_assert_cmpuint (piso_install_plan_get_vcpus (plan), ==, rec.vcpus);
  g_assert_cmpuint (piso_install_plan_get_disk_size (plan), ==, rec.storage);
  g_assert_cmpuint (max.memory, ==, 64 * KIB_PER_GIB);
  g_assert_cmpuint (max.vcpus, ==, 16);
  g_assert_null (piso_install_plan_get_warning (plan));

  /* A 4 GiB, 1 CPU host with 30 GiB free: 3 GiB (3/4 of the host), 1 vCPU,
   * a 30 GiB disk, all below Windows 11's minimum: one warning per item. */
  piso_install_plan_set_free_space (plan, 30 * GIB);
  piso_install_plan_apply_os (plan, piso_test_loaded_catalog (), small);
  g_assert_cmpuint (piso_install_plan_get_memory (plan), ==, 3 * KIB_PER_GIB);
  g_assert_cmpuint (piso_install_plan_get_vcpus (plan), ==, 1);
  g_assert_cmpuint (piso_install_plan_get_disk_size (plan), ==, 30 * GIB);
  g_assert_cmpstr (piso_install_plan_get_domain_type (plan), ==, "qemu");
  g_assert_nonnull (piso_install_plan_get_warning (plan));
  g_assert_true (contains_size (piso_install_plan_get_warning (plan), 4 * GIB, " of memory"));
  g_assert_nonnull (strstr (piso_install_plan_get_warning (plan), "2 virtual CPUs"));
  g_assert_true (contains_size (piso_install_plan_get_warning (plan), 64 * GIB, ";"));

  /* The warning follows the values, with one notify per change. */
  g_signal_connect (plan, "notify::warning", G_CALLBACK (count_notify), &warning_notifies);
  piso_install_plan_set_memory (plan, 4 * KIB_PER_GIB);
  g_assert_cmpuint (warning_notifies, ==, 1);
  g_assert_null (strstr (piso_install_plan_get_warning (plan), "of memory;"));
  piso_install_plan_set_vcpus (plan, 2);
  piso_install_plan_set_disk_size (plan, 64 * GIB);
  /* 64 GiB no longer fits in the 30 GiB free: a different warning. */
  g_assert_nonnull (strstr (piso_install_plan_get_warning (plan), "free space"));
  piso_install_plan_set_free_space (plan, 100 * GIB);
  g_assert_null (piso_install_plan_get_warning (plan));
  g_assert_cmpuint (warning_notifies, ==, 4);

  /* Importing an image makes no new disk: no disk warning. */
  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_IMPORT);
  g_assert_cmpuint (piso_install_plan_get_disk_size (plan), ==, 0);
  g_assert_null (piso_install_plan_get_warning (plan));
}

/* XML ----------------------------------------------------------------------- */

/* libvirt's own schema (virt-xml-validate, no daemon needed) accepts it. */
static void
assert_schema_valid (const char *xml)
{
  g_autofree char *validator = g_find_program_in_path ("virt-xml-validate");
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  static guint counter;

  g_test_message ("%s", xml);
  if (validator == NULL)
    {
      g_test_message ("virt-xml-validate not found: schema not checked");
      return;
    }

  path = g_strdup_printf ("%s/domain-%u.xml", iso_dir, ++counter);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  {
    const char *argv[] = { validator, path, "domain", NULL };
    g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                  &out, NULL, &status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("libvirt's schema rejects the XML: %s", out);
}

static void
test_xml_linux_kvm (void)
{
  g_autoptr(PisoHostInfo) host = make_host (16 * KIB_PER_GIB, 8, "QEMU", PISO_ACCELERATION_KVM);
  g_autoptr(PisoInstallPlan) plan = plan_for_os (DEBIAN_11, host);
  PisoInstallStorage storage = { "/var/lib/libvirt/images/debian11.qcow2", "qcow2",
                                 "/srv/iso/debian & co.iso" };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  PisoTestXml x = { 0 };

  piso_install_plan_set_source_path (plan, storage.media_path);
  g_object_set (plan, "tpm", TRUE, NULL);
  text = piso_install_plan_build_xml (plan, &storage, &error);
  g_assert_no_error (error);
  assert_schema_valid (text);
  piso_test_xml_parse (&x, text);

  piso_test_assert_xml_string (&x, "/domain/@type", "kvm");
  piso_test_assert_xml_string (&x, "/domain/name", "debian11");
  piso_test_assert_xml_string (&x, "/domain/metadata/lo:libosinfo/lo:os/@id", DEBIAN_11);
  {
    g_autofree char *memory = g_strdup_printf ("%" G_GUINT64_FORMAT, piso_install_plan_get_memory (plan));
    g_autofree char *twice = g_strdup_printf ("%" G_GUINT64_FORMAT, 2 * piso_install_plan_get_memory (plan));
    g_autofree char *vcpus = g_strdup_printf ("%u", piso_install_plan_get_vcpus (plan));

    /* Room for live changes: the balloon up to twice the memory, vCPUs
     * hotplugged up to the host's 8. */
    g_assert_cmpuint (piso_install_plan_get_vcpus (plan), <, 8);
    piso_test_assert_xml_string (&x, "/domain/memory[@unit='KiB']", twice);
    piso_test_assert_xml_string (&x, "/domain/currentMemory[@unit='KiB']", memory);
    piso_test_assert_xml_string (&x, "/domain/vcpu", "8");
    piso_test_assert_xml_string (&x, "/domain/vcpu/@current", vcpus);
    piso_test_assert_xml_string (&x, "//memballoon/@model", "virtio");
  }
  /* An install run: the installer's reboot stops it, Piso finishes it. */
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "destroy");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "installing");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@reboots", "0");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@installer-reboots", "1");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@eject", "yes");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@installer", "sda");
  piso_test_assert_xml_string (&x, "/domain/os/@firmware", "efi");
  /* Unsigned installers boot: no Secure Boot unless the OS needs UEFI. */
  piso_test_assert_xml_string (&x, "/domain/os/firmware/feature[@name='secure-boot']/@enabled", "no");
  piso_test_assert_xml_string (&x, "/domain/os/type/@machine", "q35");
  piso_test_assert_xml_string (&x, "/domain/cpu/@mode", "host-passthrough");
  /* Installer first on SATA, then the virtio disk. */
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/source/@file", "/srv/iso/debian & co.iso");
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/target/@bus", "sata");
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/boot/@order", "1");
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/readonly", 1);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/driver/@type", "qcow2");
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/target/@bus", "virtio");
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/target/@dev", "vda");
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "2");
  piso_test_assert_xml_string (&x, "//interface[@type='network']/source/@network", "default");
  piso_test_assert_xml_string (&x, "//interface/model/@type", "virtio");
  /* Local SPICE: no port at all. */
  piso_test_assert_xml_count (&x, "//graphics[@type='spice']/listen[@type='none']", 1);
  piso_test_assert_xml_count (&x, "//graphics/@port", 0);
  piso_test_assert_xml_string (&x, "//video/model/@type", "virtio");
  piso_test_assert_xml_string (&x, "//channel[@type='spicevmc']/target/@name", "com.redhat.spice.0");
  piso_test_assert_xml_count (&x, "//redirdev[@bus='usb'][@type='spicevmc']", 2);
  piso_test_assert_xml_count (&x, "//input[@type='tablet'][@bus='usb']", 1);
  piso_test_assert_xml_string (&x, "//sound/@model", "ich9");
  piso_test_assert_xml_string (&x, "//rng[@model='virtio']/backend[@model='random']", "/dev/urandom");
  piso_test_assert_xml_string (&x, "//tpm/@model", "tpm-crb");
  piso_test_assert_xml_string (&x, "//tpm/backend/@version", "2.0");
  piso_test_assert_xml_count (&x, "//serial[@type='pty']", 1);
  piso_test_assert_xml_count (&x, "//console[@type='pty']/target[@type='serial']", 1);
  piso_test_assert_xml_count (&x, "//log", 0);
  piso_test_xml_clear (&x);
}

static void
test_xml_generic_user_net (void)
{
  g_autoptr(PisoHostInfo) host = make_host (8 * KIB_PER_GIB, 4, "QEMU", PISO_ACCELERATION_NONE);
  g_autoptr(PisoInstallPlan) plan = plan_for_os (NULL, host);
  PisoInstallStorage storage = { "/pool/machine.qcow2", NULL, "/tmp/piso.iso" };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  PisoTestXml x = { 0 };

  piso_install_plan_set_network (plan, PISO_INSTALL_NETWORK_USER);
  g_object_set (plan, "graphics-listen", PISO_INSTALL_GRAPHICS_LISTEN_LOCALHOST, NULL);
  text = piso_install_plan_build_xml (plan, &storage, &error);
  g_assert_no_error (error);
  assert_schema_valid (text);
  piso_test_xml_parse (&x, text);

  piso_test_assert_xml_string (&x, "/domain/@type", "qemu");
  piso_test_assert_xml_count (&x, "/domain/cpu", 0);
  /* No OS to name, but an install to follow. */
  piso_test_assert_xml_count (&x, "/domain/metadata/lo:libosinfo", 0);
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "installing");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@installer", "sdb");
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "destroy");
  /* An OS Piso knows nothing about gets no room it may not use. */
  piso_test_assert_xml_string (&x, "/domain/memory", "2097152");
  piso_test_assert_xml_string (&x, "/domain/currentMemory", "2097152");
  piso_test_assert_xml_string (&x, "/domain/vcpu", "2");
  piso_test_assert_xml_count (&x, "/domain/vcpu/@current", 0);
  piso_test_assert_xml_count (&x, "/domain/os/@firmware", 0);
  piso_test_assert_xml_count (&x, "/domain/os/firmware", 0);
  piso_test_assert_xml_count (&x, "//tpm", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/target/@bus", "sata");
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/target/@dev", "sda");
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/target/@dev", "sdb");
  piso_test_assert_xml_count (&x, "//interface[@type='user']/model[@type='e1000']", 1);
  piso_test_assert_xml_string (&x, "//graphics/listen/@type", "address");
  piso_test_assert_xml_string (&x, "//graphics/listen/@address", "127.0.0.1");
  piso_test_assert_xml_string (&x, "//video/model/@type", "qxl");
  piso_test_xml_clear (&x);

  /* An incomplete plan is refused with a reason. */
  g_clear_pointer (&text, g_free);
  storage.media_path = NULL;
  text = piso_install_plan_build_xml (plan, &storage, &error);
  g_assert_null (text);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
  g_clear_error (&error);
  piso_install_plan_set_name (plan, "bad/name");
  text = piso_install_plan_build_xml (plan, NULL, &error);
  g_assert_null (text);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
}

static void
test_xml_windows_xp (void)
{
  g_autoptr(PisoInstallPlan) plan = plan_for_os (WIN_XP, NULL);
  PisoInstallStorage storage = { "/pool/xp.qcow2", "qcow2", "/isos/xp.iso" };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  PisoTestXml x = { 0 };

  text = piso_install_plan_build_xml (plan, &storage, &error);
  g_assert_no_error (error);
  assert_schema_valid (text);
  piso_test_xml_parse (&x, text);
  piso_test_assert_xml_string (&x, "/domain/os/type/@machine", "pc");
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/target/@dev", "hda");
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/target/@dev", "hdc");
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/target/@bus", "ide");
  piso_test_assert_xml_string (&x, "/domain/clock/@offset", "localtime");
  piso_test_assert_xml_count (&x, "//rng", 0);
  piso_test_assert_xml_string (&x, "//memballoon/@model", "none");
  /* Windows' installer needs its CD through two reboots. */
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@installer-reboots", "2");
  piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@installer", "hdc");
  {
    g_autofree char *current = piso_test_xml_string (&x, "/domain/currentMemory");
    piso_test_assert_xml_string (&x, "/domain/memory", current);
  }
  piso_test_assert_xml_count (&x, "/domain/vcpu/@current", 0);
  piso_test_xml_clear (&x);

  /* An imported disk is installed already: a plain definition. */
  g_clear_pointer (&text, g_free);
  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_IMPORT);
  text = piso_install_plan_build_xml (plan, &storage, &error);
  g_assert_no_error (error);
  piso_test_xml_parse (&x, text);
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "restart");
  piso_test_assert_xml_count (&x, "/domain/metadata/piso:install", 0);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']", 0);
  piso_test_xml_clear (&x);

  /* Installer media with no disk to install onto (a live system). */
  g_clear_pointer (&text, g_free);
  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_MEDIA);
  storage.disk_path = NULL;
  piso_install_plan_set_disk_size (plan, 0);
  text = piso_install_plan_build_xml (plan, &storage, &error);
  g_assert_no_error (error);
  piso_test_xml_parse (&x, text);
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "restart");
  piso_test_assert_xml_count (&x, "/domain/metadata/piso:install", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='cdrom']/boot/@order", "1");
  piso_test_xml_clear (&x);
}

static void
test_xml_windows_11 (void)
{
  g_autoptr(PisoHostInfo) kvm_host = make_host (32 * KIB_PER_GIB, 8, "QEMU", PISO_ACCELERATION_KVM);
  g_autoptr(PisoHostInfo) tcg_host = make_host (32 * KIB_PER_GIB, 8, "QEMU",
                                                PISO_ACCELERATION_KVM_UNUSABLE);
  PisoInstallStorage storage = { "/pool/win11.qcow2", "qcow2", "/isos/Win11_EnglishInternational_x64.iso" };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PisoInstallPlan) plan = plan_for_os (WIN_11, i == 0 ? kvm_host : tcg_host);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      PisoTestXml x = { 0 };

      text = piso_install_plan_build_xml (plan, &storage, &error);
      g_assert_no_error (error);
      assert_schema_valid (text);
      piso_test_xml_parse (&x, text);
      piso_test_assert_xml_string (&x, "/domain/@type", i == 0 ? "kvm" : "qemu");
      piso_test_assert_xml_string (&x, "/domain/os/@firmware", "efi");
      piso_test_assert_xml_string (&x, "/domain/os/firmware/feature[@name='secure-boot']/@enabled", "yes");
      piso_test_assert_xml_string (&x, "/domain/os/firmware/feature[@name='enrolled-keys']/@enabled", "yes");
      piso_test_assert_xml_string (&x, "/domain/clock/@offset", "localtime");
      piso_test_assert_xml_string (&x, "//interface/model/@type", "e1000e");
      piso_test_assert_xml_string (&x, "//disk[@device='disk']/target/@bus", "sata");
      /* Hyper-V enlightenments only where KVM implements them. */
      piso_test_assert_xml_count (&x, "/domain/features/hyperv/relaxed[@state='on']", i == 0 ? 1 : 0);
      piso_test_assert_xml_count (&x, "/domain/clock/timer[@name='hypervclock']", i == 0 ? 1 : 0);
      piso_test_xml_clear (&x);
    }
}

/* The test driver defines what build_xml makes, for every source kind. */
static void
test_xml_defines_on_test_driver (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) conn = piso_test_open_connection (uri);
  static const struct { const char *os_id; PisoInstallSourceKind kind; gboolean tpm; } cases[] = {
    { DEBIAN_11, PISO_INSTALL_SOURCE_MEDIA, TRUE },
    { WIN_XP, PISO_INSTALL_SOURCE_MEDIA, FALSE },
    { NULL, PISO_INSTALL_SOURCE_EMPTY, FALSE },
    { WIN_11, PISO_INSTALL_SOURCE_IMPORT, TRUE },
  };
  g_autoptr(PisoHostInfo) host = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_connection_query_host_async (conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  host = piso_connection_query_host_finish (conn, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PisoInstallPlan) plan = piso_install_plan_new (conn);
      PisoInstallStorage storage = { "/var/lib/piso-test/images/new.qcow2", "qcow2",
                                     "/var/lib/piso-test/installer.iso" };
      g_autoptr(PisoMachine) machine = NULL;
      g_autofree char *xml = NULL;
      g_autofree char *name = NULL;
      guint before = g_list_model_get_n_items (piso_connection_get_machines (conn));

      piso_install_plan_set_source_kind (plan, cases[i].kind);
      piso_install_plan_set_os (plan, cases[i].os_id, NULL);
      piso_install_plan_apply_os (plan, piso_test_loaded_catalog (), host);
      piso_install_plan_set_tpm (plan, cases[i].tpm);
      if (cases[i].kind == PISO_INSTALL_SOURCE_EMPTY)
        storage.media_path = NULL;
      g_assert_cmpstr (piso_install_plan_get_domain_type (plan), ==, "test");

      xml = piso_install_plan_build_xml (plan, &storage, &error);
      g_assert_no_error (error);
      assert_schema_valid (xml);
      name = g_strdup (piso_install_plan_get_name (plan));

      piso_connection_define_xml_async (conn, xml, NULL, piso_test_store_result_cb, &result);
      piso_test_wait_result (&result, 10);
      machine = piso_connection_define_xml_finish (conn, result, &error);
      g_clear_object (&result);
      if (error != NULL)
        g_test_message ("%s", xml);
      g_assert_no_error (error);
      g_assert_true (PISO_IS_MACHINE (machine));
      g_assert_cmpstr (piso_machine_get_name (machine), ==, name);
      g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (conn)), ==, before + 1);

      /* The name is now taken: validation says so, the next suggestion differs. */
      g_assert_false (piso_install_validate_name (name, conn, NULL));
      {
        g_autofree char *next = piso_install_plan_suggest_name (plan);
        g_assert_cmpstr (next, !=, name);
      }
    }
}

static void
test_describe (void)
{
  g_autoptr(PisoInstallPlan) plan = plan_for_os (DEBIAN_11, NULL);
  g_autoptr(GPtrArray) items = NULL;
  const char *fields[] = { "name", "os-id", NULL, "vcpus", "memory", "disk-size",
                           "firmware", "network" };
  g_autofree char *three_gib = NULL;
  g_autofree char *disk_size = NULL;

  piso_install_plan_set_source_path (plan, "/isos/debian-11.5.0-amd64-netinst.iso");
  piso_install_plan_set_memory (plan, 3 * KIB_PER_GIB);
  piso_install_plan_set_vcpus (plan, 1);
  piso_install_plan_set_disk_size (plan, 25 * GIB);
  piso_install_plan_set_firmware (plan, PISO_INSTALL_FIRMWARE_BIOS);
  items = piso_install_plan_describe (plan);
  /* Sizes read as everywhere else in Piso. */
  three_gib = piso_format_size (3 * GIB);
  disk_size = piso_format_size (25 * GIB);

  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (fields));
  for (guint i = 0; i < items->len; i++)
    {
      PisoInstallSummaryItem *item = items->pdata[i];
      g_test_message ("%s: %s", item->label, item->value);
      g_assert_cmpstr (item->field, ==, fields[i]);
      g_assert_cmpstr (item->label, !=, "");
    }
#define VALUE(i) (((PisoInstallSummaryItem *)items->pdata[i])->value)
  g_assert_cmpstr (VALUE (0), ==, "debian11");
  g_assert_cmpstr (VALUE (1), ==, "Debian 11");
  g_assert_nonnull (strstr (VALUE (2), "debian-11.5.0-amd64-netinst.iso"));
  g_assert_cmpstr (VALUE (3), ==, "1 virtual CPU");
  g_assert_cmpstr (VALUE (4), ==, three_gib);
  g_assert_true (g_str_has_prefix (VALUE (5), disk_size));
  g_assert_cmpstr (VALUE (6), ==, "BIOS");
  g_assert_nonnull (strstr (VALUE (7), "NAT"));
#undef VALUE
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));
  iso_dir = piso_test_make_temp_dir ();

  g_test_add_func ("/install-plan/name/validation", test_name_validation);
  g_test_add_func ("/install-plan/name/suggestion", test_name_suggestion);
  g_test_add_func ("/install-plan/plan/connection-defaults", test_connection_defaults);
  g_test_add_func ("/install-plan/catalog/list", test_catalog_list);
  g_test_add_func ("/install-plan/catalog/own-db", test_catalog_own_db);
  g_test_add_func ("/install-plan/catalog/resources", test_catalog_resources);
  g_test_add_func ("/install-plan/catalog/maximum-installer", test_catalog_maximum_installer);
  g_test_add_func ("/install-plan/catalog/devices-firmware", test_catalog_devices_firmware);
  g_test_add_func ("/install-plan/catalog/identify-media", test_identify_media);
  g_test_add_func ("/install-plan/devices/modern-linux", test_devices_modern_linux);
  g_test_add_func ("/install-plan/devices/old-and-generic", test_devices_old_and_generic);
  g_test_add_func ("/install-plan/resources/capping", test_capping_and_warnings);
  g_test_add_func ("/install-plan/xml/linux-kvm", test_xml_linux_kvm);
  g_test_add_func ("/install-plan/xml/generic-user-net", test_xml_generic_user_net);
  g_test_add_func ("/install-plan/xml/windows-xp", test_xml_windows_xp);
  g_test_add_func ("/install-plan/xml/windows-11", test_xml_windows_11);
  g_test_add_func ("/install-plan/xml/test-driver-defines", test_xml_defines_on_test_driver);
  g_test_add_func ("/install-plan/summary/describe", test_describe);

  ret = g_test_run ();
  g_free (iso_dir);
  return ret;
}
