/* test-host.c: host facts, acceleration detection, host usage and the OS database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "piso-test-utils.h"
#include "piso-host-info-private.h"
#include "piso-os-db-private.h"

/* Host facts on the test driver ----------------------------------------- */

static PisoHostInfo *
query_host (PisoConnection *conn,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_connection_query_host_async (conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);

  return piso_connection_query_host_finish (conn, result, error);
}

static void
test_host_info (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("host.xml");
  g_autoptr(PisoConnection) conn = piso_test_open_connection (uri);
  g_autoptr(PisoHostInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_libvirt = NULL;
  g_autofree char *hostname = NULL;
  g_autofree char *text = NULL;
  unsigned long lib_version = 0;
  PisoAcceleration acceleration;
  guint cpus;
  guint64 memory;

  info = query_host (conn, &error);
  g_assert_no_error (error);
  g_assert_true (PISO_IS_HOST_INFO (info));

  /* The test driver reports the name of the computer it runs on. */
  g_assert_cmpstr (piso_host_info_get_hostname (info), ==, g_get_host_name ());
  g_assert_cmpstr (piso_host_info_get_hypervisor (info), ==, "Test");
  g_assert_cmpstr (piso_host_info_get_hypervisor_version (info), ==, "0.0.2");
  g_assert_cmpint (virGetVersion (&lib_version, NULL, NULL), ==, 0);
  expected_libvirt = _piso_format_libvirt_version (lib_version);
  g_assert_cmpstr (piso_host_info_get_libvirt_version (info), ==, expected_libvirt);

  /* From the fixture's <node><cpu> and <memory>. */
  g_assert_cmpuint (piso_host_info_get_cpus (info), ==, 12);
  g_assert_cmpuint (piso_host_info_get_sockets (info), ==, 2);
  g_assert_cmpuint (piso_host_info_get_cores (info), ==, 3);
  g_assert_cmpuint (piso_host_info_get_threads (info), ==, 2);
  g_assert_cmpuint (piso_host_info_get_mhz (info), ==, 2800);
  g_assert_cmpuint (piso_host_info_get_memory (info), ==, 16777216);
  g_assert_cmpstr (piso_host_info_get_cpu_model (info), ==, "x86_64");
  /* The test driver's capabilities describe an i686 host. */
  g_assert_cmpstr (piso_host_info_get_arch (info), ==, "i686");

  g_assert_cmpint (piso_host_info_get_acceleration (info), ==, PISO_ACCELERATION_NOT_APPLICABLE);
  g_assert_nonnull (piso_host_info_get_acceleration_text (info));
  g_assert_cmpstr (piso_host_info_get_acceleration_text (info), !=, "");

  /* Every getter is also a read-only property. */
  g_object_get (info,
                "hostname", &hostname,
                "cpus", &cpus,
                "memory", &memory,
                "acceleration", &acceleration,
                "acceleration-text", &text,
                NULL);
  g_assert_cmpstr (hostname, ==, g_get_host_name ());
  g_assert_cmpuint (cpus, ==, 12);
  g_assert_cmpuint (memory, ==, 16777216);
  g_assert_cmpint (acceleration, ==, PISO_ACCELERATION_NOT_APPLICABLE);
  g_assert_cmpstr (text, ==, piso_host_info_get_acceleration_text (info));
  g_assert_true ((g_object_class_find_property (G_OBJECT_GET_CLASS (info), "cpu-model")->flags
                  & G_PARAM_WRITABLE) == 0);

  piso_connection_close (conn);
  g_assert_finalize_object (g_steal_pointer (&info));
}

static void
test_host_not_connected (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("host.xml");
  g_autoptr(PisoConnection) conn = piso_connection_new (uri);
  g_autoptr(PisoHostInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double cpu = 0;
  guint64 used = 1, total = 1;

  info = query_host (conn, &error);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED);
  g_assert_null (info);
  g_clear_error (&error);

  piso_connection_query_host_usage_async (conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_connection_query_host_usage_finish (conn, result, &cpu, &used, &total,
                                                           &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED);
}

static void
test_host_usage (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("host.xml");
  g_autoptr(PisoConnection) conn = piso_test_open_connection (uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double cpu = 0;
  guint64 used = 1, total = 1;

  piso_connection_query_host_usage_async (conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_connection_query_host_usage_finish (conn, result, &cpu, &used, &total,
                                                          &error));
  g_assert_no_error (error);
  g_test_message ("test driver usage: cpu %.1f %%, memory %" G_GUINT64_FORMAT
                  " of %" G_GUINT64_FORMAT " KiB", cpu, used, total);

  /* The test driver has no node memory statistics: unknown, not an error. */
  g_assert_true (cpu == -1 || (cpu >= 0 && cpu <= 100));
  g_assert_cmpuint (used, <=, total);
  if (total == 0)
    g_assert_cmpuint (used, ==, 0);

  piso_connection_close (conn);
}

/* Acceleration --------------------------------------------------------- */

typedef struct
{
  const char       *name;
  gboolean          dev_kvm;
  const char       *modules[3];
  PisoAcceleration  expected;
} AccelCase;

static void
make_dir (const char *root,
          const char *path)
{
  g_autofree char *dir = g_build_filename (root, path, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
test_acceleration_detect (void)
{
  static const AccelCase cases[] = {
    { "kvm_intel", TRUE, { "kvm", "kvm_intel", NULL }, PISO_ACCELERATION_KVM },
    { "kvm_amd", TRUE, { "kvm", "kvm_amd", NULL }, PISO_ACCELERATION_KVM },
    { "kvm_pvm only", TRUE, { "kvm", "kvm_pvm", NULL }, PISO_ACCELERATION_KVM_UNUSABLE },
    { "no module at all", TRUE, { NULL }, PISO_ACCELERATION_KVM_UNUSABLE },
    { "module but no /dev/kvm", FALSE, { "kvm", "kvm_intel", NULL }, PISO_ACCELERATION_NONE },
    { "nothing", FALSE, { NULL }, PISO_ACCELERATION_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sysfs = g_dir_make_tmp ("piso-sysfs-XXXXXX", &error);
      g_autofree char *dev = g_dir_make_tmp ("piso-dev-XXXXXX", &error);
      PisoAcceleration got;

      g_assert_no_error (error);
      make_dir (sysfs, "sys/module/vfio");
      make_dir (dev, "dev");
      for (guint m = 0; cases[i].modules[m] != NULL; m++)
        {
          g_autofree char *module = g_build_filename ("sys", "module", cases[i].modules[m], NULL);
          make_dir (sysfs, module);
        }
      if (cases[i].dev_kvm)
        {
          g_autofree char *kvm = g_build_filename (dev, "dev", "kvm", NULL);
          g_file_set_contents (kvm, "", 0, &error);
          g_assert_no_error (error);
        }

      got = piso_host_detect_local_acceleration (sysfs, dev);
      g_test_message ("%s: %d", cases[i].name, got);
      g_assert_cmpint (got, ==, cases[i].expected);

      remove_tree (sysfs);
      remove_tree (dev);
    }

  /* The real machine: only checks that it answers one of the three. */
  g_assert_cmpint (piso_host_detect_local_acceleration (NULL, NULL), !=, PISO_ACCELERATION_UNKNOWN);
}

static void
test_acceleration_text (void)
{
  g_autofree char *unusable = _piso_acceleration_describe (PISO_ACCELERATION_KVM_UNUSABLE,
                                                           PISO_ACCELERATION_SOURCE_LOCAL);
  g_autofree char *none = _piso_acceleration_describe (PISO_ACCELERATION_NONE,
                                                       PISO_ACCELERATION_SOURCE_LOCAL);
  g_autofree char *remote = _piso_acceleration_describe (PISO_ACCELERATION_KVM,
                                                         PISO_ACCELERATION_SOURCE_REMOTE);
  g_autofree char *local = _piso_acceleration_describe (PISO_ACCELERATION_KVM,
                                                        PISO_ACCELERATION_SOURCE_LOCAL);

  g_assert_nonnull (strstr (unusable, "kvm_intel"));
  g_assert_nonnull (strstr (unusable, "emulated"));
  g_assert_nonnull (strstr (none, "emulated"));
  g_assert_nonnull (strstr (remote, "remote host"));
  g_assert_cmpstr (local, !=, remote);

  for (int a = PISO_ACCELERATION_UNKNOWN; a <= PISO_ACCELERATION_NOT_APPLICABLE; a++)
    for (int s = PISO_ACCELERATION_SOURCE_LOCAL;
         s <= PISO_ACCELERATION_SOURCE_LOCAL_BUT_LIBVIRT_REFUSES; s++)
      {
        g_autofree char *text = _piso_acceleration_describe (a, s);

        g_assert_nonnull (text);
        g_assert_cmpuint (strlen (text), >, 10);
      }
}

static void
test_format_version (void)
{
  g_autofree char *a = _piso_format_libvirt_version (9000000);
  g_autofree char *b = _piso_format_libvirt_version (7002022);
  g_autofree char *c = _piso_format_libvirt_version (2);

  g_assert_cmpstr (a, ==, "9.0.0");
  g_assert_cmpstr (b, ==, "7.2.22");
  g_assert_cmpstr (c, ==, "0.0.2");
}

/* OS database ------------------------------------------------------------ */

static void
loaded_cb (PisoOsDb *db,
           gpointer  user_data)
{
  guint *count = user_data;

  (*count)++;
}

static gboolean
is_loaded (gpointer user_data)
{
  guint *count = user_data;

  return *count > 0;
}

static void
test_os_db (void)
{
  PisoOsDb *db = piso_os_db_get_default ();
  guint loaded = 0;
  gulong handler;
  gint64 start;
  const char *name;

  g_assert_true (piso_os_db_get_default () == db);
  g_assert_false (piso_os_db_is_loaded (db));
  g_assert_null (piso_os_db_get_name (db, "http://debian.org/debian/12"));

  handler = g_signal_connect (db, "loaded", G_CALLBACK (loaded_cb), &loaded);
  start = g_get_monotonic_time ();
  piso_os_db_ensure_loaded (db);
  piso_os_db_ensure_loaded (db);   /* a second call while loading does nothing */
  piso_test_wait_until (is_loaded, &loaded, 60, "the OS database");
  g_test_message ("OS database loaded in %.0f ms",
                  (double) (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (loaded, ==, 1);
  g_assert_true (piso_os_db_is_loaded (db));

  name = piso_os_db_get_name (db, "http://debian.org/debian/12");
  g_test_message ("debian/12 is “%s”", name);
  g_assert_nonnull (name);
  g_assert_nonnull (strstr (name, "Debian"));
  /* osinfo-db 0.20221130 (Debian 12's own) predates Debian 12: the name is
   * made from the newest Debian it knows. Known ids are taken as they are. */
  g_assert_cmpstr (name, ==, "Debian 12");
  g_assert_true (piso_os_db_get_name (db, "http://debian.org/debian/12") == name);
  g_assert_cmpstr (piso_os_db_get_name (db, "http://debian.org/debian/11"), ==, "Debian 11");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://debian.org/debian/10"), ==, "Debian 10");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://fedoraproject.org/fedora/37"), ==,
                   "Fedora Linux 37");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://ubuntu.com/ubuntu/22.04"), ==,
                   "Ubuntu 22.04 LTS");
  /* win-10 also has fragments in win-10.d/ */
  g_assert_cmpstr (piso_os_db_get_name (db, "http://microsoft.com/win/10"), ==,
                   "Microsoft Windows 10");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://microsoft.com/win/2k22"), ==,
                   "Microsoft Windows Server 2022");
  g_assert_null (piso_os_db_get_name (db, "http://debian.org/debian/sid-next"));
  g_assert_null (piso_os_db_get_name (db, "http://example.com/no-such-os/1"));
  g_assert_null (piso_os_db_get_name (db, NULL));

  /* Already loaded: nothing more happens. */
  piso_os_db_ensure_loaded (db);
  piso_test_spin (50);
  g_assert_cmpuint (loaded, ==, 1);

  g_signal_handler_disconnect (db, handler);
}

/* A database in directories of its own ---------------------------------- */

static void
write_file (const char *root,
            const char *path,
            const char *contents)
{
  g_autofree char *file = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (file);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (file, contents, -1, &error);
  g_assert_no_error (error);
}

static void
write_os (const char *root,
          const char *path,
          const char *id,
          const char *name,
          const char *version)
{
  g_autofree char *xml = NULL;

  xml = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<libosinfo version=\"0.0.1\">\n"
                         "  <os id=\"%s\">\n"
                         "    %s%s%s\n"
                         "    %s%s%s\n"
                         "  </os>\n"
                         "</libosinfo>\n",
                         id,
                         name != NULL ? "<name>" : "", name != NULL ? name : "",
                         name != NULL ? "</name>" : "",
                         version != NULL ? "<version>" : "", version != NULL ? version : "",
                         version != NULL ? "</version>" : "");
  write_file (root, path, xml);
}

static void
load_db (PisoOsDb *db)
{
  guint loaded = 0;
  gulong handler = g_signal_connect (db, "loaded", G_CALLBACK (loaded_cb), &loaded);

  piso_os_db_ensure_loaded (db);
  piso_test_wait_until (is_loaded, &loaded, 30, "the OS database");
  g_assert_cmpuint (loaded, ==, 1);
  g_signal_handler_disconnect (db, handler);
}

static PisoOsDb *
load_dirs (const char        *root,
           const char *const *subdirs,
           const char *const *languages)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  PisoOsDb *db;

  for (guint i = 0; subdirs[i] != NULL; i++)
    g_ptr_array_add (dirs, g_build_filename (root, subdirs[i], NULL));
  g_ptr_array_add (dirs, NULL);

  db = _piso_os_db_new_for_dirs ((const char *const *) dirs->pdata, languages);
  load_db (db);

  return db;
}

#define EXOS_1 \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<libosinfo version=\"0.0.1\">\n" \
  "  <os id=\"http://example.org/exos/1\">\n" \
  "    <short-id>exos1</short-id>\n" \
  "    <name xml:lang=\"es\">ExOS uno</name>\n" \
  "    <name>ExOS 1</name>\n" \
  "    <name xml:lang=\"de\">ExOS eins</name>\n" \
  "    <name>ExOS 1 (a second untranslated name)</name>\n" \
  "    <vendor>Example &amp; Co</vendor>\n" \
  "    <version>1</version>\n" \
  "    <derives-from id=\"http://example.org/exos/base\"/>\n" \
  "    <upgrades id=\"http://example.org/exos/base\"/>\n" \
  "    <variant id=\"desktop\">\n" \
  "      <name>ExOS 1 Desktop</name>\n" \
  "      <name xml:lang=\"es\">ExOS 1 Escritorio</name>\n" \
  "    </variant>\n" \
  "    <media arch=\"x86_64\">\n" \
  "      <variant id=\"desktop\"/>\n" \
  "      <url>http://example.org/exos-1.iso</url>\n" \
  "    </media>\n" \
  "  </os>\n" \
  "</libosinfo>\n"

static void
test_os_db_dirs (void)
{
  const char *const all[] = { "system", "no-such-dir", "local", "user", NULL };
  const char *const system_only[] = { "system", NULL };
  const char *const system_local[] = { "system", "local", NULL };
  const char *const spanish[] = { "es_ES.UTF-8", "es_ES", "es", NULL };
  const char *const german_first[] = { "fr", "de", "es", NULL };
  const char *const spanish_first[] = { "es", "de", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("piso-osinfo-XXXXXX", &error);
  g_autoptr(PisoOsDb) db = NULL;
  g_autoptr(PisoOsDb) db_system = NULL;
  g_autoptr(PisoOsDb) db_local = NULL;
  g_autoptr(PisoOsDb) db_es = NULL;
  g_autoptr(PisoOsDb) db_de = NULL;

  g_assert_no_error (error);

  /* exos/1: translated names before and after the untranslated one, names
   * of variants, and what the database must not read. */
  write_file (root, "system/os/example.org/exos-1.xml", EXOS_1);
  /* exos/2: replaced by the local directory, which the user one replaces. */
  write_os (root, "system/os/example.org/exos-2.xml", "http://example.org/exos/2", "ExOS 2", "2");
  write_os (root, "local/os/example.org/exos-2.xml", "http://example.org/exos/2", "ExOS 2 Local",
            "2");
  write_os (root, "user/os/example.org/exos-2.xml", "http://example.org/exos/2", "ExOS 2 User",
            "2");
  /* exos/3: fragments add to the file, in order; one without a name keeps it. */
  write_os (root, "system/os/example.org/exos-3.xml", "http://example.org/exos/3", "ExOS 3", "3");
  write_os (root, "local/os/example.org/exos-3.d/a.xml", "http://example.org/exos/3",
            "ExOS 3 (local fragment)", NULL);
  write_os (root, "local/os/example.org/exos-3.d/b.xml", "http://example.org/exos/3", NULL, NULL);
  write_os (root, "user/os/example.org/exos-3.d/a.xml", "http://example.org/exos/3",
            "ExOS 3 (user fragment)", NULL);
  /* exos/4: a later file replaces the earlier one and its fragments. */
  write_os (root, "system/os/example.org/exos-4.xml", "http://example.org/exos/4", "ExOS 4", "4");
  write_os (root, "system/os/example.org/exos-4.d/rename.xml", "http://example.org/exos/4",
            "ExOS Four", NULL);
  write_os (root, "user/os/example.org/exos-4.xml", "http://example.org/exos/4", "ExOS 4 User",
            "4");
  /* Only in the local directory */
  write_os (root, "local/os/example.org/localos-1.xml", "http://example.org/localos/1",
            "LocalOS 1", "1");
  /* Newer releases are named after the newest known one. */
  write_os (root, "system/os/example.org/fallos-6.xml", "http://example.org/fallos/6", "FallOS 6",
            "6");
  write_os (root, "system/os/example.org/fallos-7.xml", "http://example.org/fallos/7", "FallOS 7",
            "7");
  write_os (root, "system/os/example.org/fallos-rolling.xml", "http://example.org/fallos/rolling",
            "FallOS Rolling", "rolling");
  /* Not read: empty files, other files, schemas, other kinds of entity. */
  write_file (root, "system/os/example.org/empty-1.xml", "");
  write_file (root, "system/os/example.org/README", "<libosinfo/>");
  write_os (root, "system/os/schema/schema-1.xml", "http://schema/1", "Schema 1", "1");
  write_os (root, "system/device/example.org/exos-9.xml", "http://example.org/exos/9", "ExOS 9",
            "9");

  db = load_dirs (root, all, NULL);
  g_assert_true (piso_os_db_is_loaded (db));
  g_assert_false (db == piso_os_db_get_default ());

  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/1"), ==, "ExOS 1");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/2"), ==, "ExOS 2 User");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/3"), ==,
                   "ExOS 3 (user fragment)");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/4"), ==, "ExOS 4 User");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/localos/1"), ==, "LocalOS 1");
  g_assert_null (piso_os_db_get_name (db, "http://example.org/exos/base"));
  g_assert_null (piso_os_db_get_name (db, "http://example.org/empty/1"));
  g_assert_null (piso_os_db_get_name (db, "http://schema/1"));
  g_assert_null (piso_os_db_get_name (db, "http://debian.org/debian/11"));
  g_assert_null (piso_os_db_get_name (db, "desktop"));

  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/fallos/6"), ==, "FallOS 6");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/fallos/10"), ==, "FallOS 10");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/fallos/7.1"), ==, "FallOS 7.1");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/fallos/rolling"), ==,
                   "FallOS Rolling");
  g_assert_null (piso_os_db_get_name (db, "http://example.org/fallos/next"));
  g_assert_null (piso_os_db_get_name (db, "http://example.org/nofamily/2"));

  /* The system directory alone */
  db_system = load_dirs (root, system_only, NULL);
  g_assert_cmpstr (piso_os_db_get_name (db_system, "http://example.org/exos/2"), ==, "ExOS 2");
  g_assert_cmpstr (piso_os_db_get_name (db_system, "http://example.org/exos/3"), ==, "ExOS 3");
  g_assert_cmpstr (piso_os_db_get_name (db_system, "http://example.org/exos/4"), ==, "ExOS Four");
  g_assert_null (piso_os_db_get_name (db_system, "http://example.org/localos/1"));

  /* A fragment without a name leaves the one before it. */
  db_local = load_dirs (root, system_local, NULL);
  g_assert_cmpstr (piso_os_db_get_name (db_local, "http://example.org/exos/2"), ==,
                   "ExOS 2 Local");
  g_assert_cmpstr (piso_os_db_get_name (db_local, "http://example.org/exos/3"), ==,
                   "ExOS 3 (local fragment)");

  /* Translated names: the first of the user's languages that has one */
  db_es = load_dirs (root, all, spanish);
  g_assert_cmpstr (piso_os_db_get_name (db_es, "http://example.org/exos/1"), ==, "ExOS uno");
  g_assert_cmpstr (piso_os_db_get_name (db_es, "http://example.org/exos/2"), ==, "ExOS 2 User");
  db_de = load_dirs (root, all, german_first);
  g_assert_cmpstr (piso_os_db_get_name (db_de, "http://example.org/exos/1"), ==, "ExOS eins");
  g_assert_finalize_object (g_steal_pointer (&db_de));
  db_de = load_dirs (root, all, spanish_first);
  g_assert_cmpstr (piso_os_db_get_name (db_de, "http://example.org/exos/1"), ==, "ExOS uno");

  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_finalize_object (g_steal_pointer (&db_system));
  g_assert_finalize_object (g_steal_pointer (&db_local));
  g_assert_finalize_object (g_steal_pointer (&db_es));
  g_assert_finalize_object (g_steal_pointer (&db_de));
  remove_tree (root);
}

/* Files that libosinfo would refuse are skipped with a warning, the rest is read. */
static void
test_os_db_bad_files (void)
{
  const char *const misplaced[] = { "misplaced", NULL };
  const char *const broken[] = { "broken", NULL };
  const char *const wrong_root[] = { "wrong-root", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("piso-osinfo-XXXXXX", &error);
  g_autoptr(PisoOsDb) db = NULL;

  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      const char *dir = i == 0 ? "misplaced" : i == 1 ? "broken" : "wrong-root";
      g_autofree char *path = g_build_filename (dir, "os/example.org/exos-1.xml", NULL);

      write_os (root, path, "http://example.org/exos/1", "ExOS 1", "1");
    }
  /* other/6 must be in other-6.xml */
  write_os (root, "misplaced/os/example.org/other-5.xml", "http://example.org/other/6",
            "Other 6", "6");
  write_file (root, "broken/os/example.org/broken-2.xml",
              "<libosinfo>\n"
              "  <os id=\"http://example.org/broken/2\"><name>Broken 2</name></os>\n"
              "  <os id=\"http://example.org/broken/2\"><name>Broken 2 again</os>\n"
              "</libosinfo>\n");
  write_file (root, "wrong-root/os/example.org/wrong-2.xml",
              "<osinfo><os id=\"http://example.org/wrong/2\"><name>Wrong 2</name></os></osinfo>");

  g_test_expect_message ("piso-os-db", G_LOG_LEVEL_WARNING,
                         "Skipped http://example.org/other/6 in */other-5.xml: "
                         "it must be in os/example.org/other-6.xml");
  db = load_dirs (root, misplaced, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/1"), ==, "ExOS 1");
  g_assert_null (piso_os_db_get_name (db, "http://example.org/other/6"));
  g_assert_finalize_object (g_steal_pointer (&db));

  g_test_expect_message ("piso-os-db", G_LOG_LEVEL_WARNING,
                         "Skipped a file of the operating system database: */broken-2.xml:3: *");
  db = load_dirs (root, broken, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/1"), ==, "ExOS 1");
  /* Nothing is taken from a broken file, not even what comes before the error. */
  g_assert_null (piso_os_db_get_name (db, "http://example.org/broken/2"));
  g_assert_finalize_object (g_steal_pointer (&db));

  g_test_expect_message ("piso-os-db", G_LOG_LEVEL_WARNING,
                         "Skipped a file of the operating system database: "
                         "*/wrong-2.xml: the root element is <osinfo>, not <libosinfo>");
  db = load_dirs (root, wrong_root, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/1"), ==, "ExOS 1");
  g_assert_null (piso_os_db_get_name (db, "http://example.org/wrong/2"));
  g_assert_finalize_object (g_steal_pointer (&db));

  remove_tree (root);
}

/* The default database reads libosinfo's directories and variables. Each
 * case runs in a subprocess, which sets the environment before anything reads it. */
static void
test_os_db_env_osinfo_dirs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *system = NULL;
  g_autofree char *local = NULL;
  g_autofree char *user = NULL;
  PisoOsDb *db;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  root = g_dir_make_tmp ("piso-osinfo-XXXXXX", &error);
  g_assert_no_error (error);
  system = g_build_filename (root, "system", NULL);
  local = g_build_filename (root, "local", NULL);
  user = g_build_filename (root, "user", NULL);
  write_os (root, "system/os/example.org/exos-1.xml", "http://example.org/exos/1", "ExOS 1", "1");
  write_os (root, "system/os/example.org/exos-2.xml", "http://example.org/exos/2", "ExOS 2", "2");
  write_os (root, "local/os/example.org/exos-2.xml", "http://example.org/exos/2", "ExOS 2 Local",
            "2");
  write_os (root, "user/os/example.org/exos-2.d/user.xml", "http://example.org/exos/2",
            "ExOS 2 User", NULL);

  g_unsetenv ("OSINFO_DATA_DIR");
  g_setenv ("OSINFO_SYSTEM_DIR", system, TRUE);
  g_setenv ("OSINFO_LOCAL_DIR", local, TRUE);
  g_setenv ("OSINFO_USER_DIR", user, TRUE);

  db = piso_os_db_get_default ();
  load_db (db);
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/1"), ==, "ExOS 1");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://example.org/exos/2"), ==, "ExOS 2 User");
  /* $OSINFO_SYSTEM_DIR replaces the system database. */
  g_assert_null (piso_os_db_get_name (db, "http://debian.org/debian/11"));

  remove_tree (root);
}

static void
test_os_db_env_xdg (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *config = NULL;
  PisoOsDb *db;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  root = g_dir_make_tmp ("piso-osinfo-XXXXXX", &error);
  g_assert_no_error (error);
  config = g_build_filename (root, "config", NULL);
  write_os (root, "config/osinfo/os/debian.org/debian-11.xml", "http://debian.org/debian/11",
            "Debian 11 (mine)", "11");
  write_os (root, "config/osinfo/os/microsoft.com/win-10.d/piso.xml", "http://microsoft.com/win/10",
            "Windows 10 (mine)", NULL);

  g_unsetenv ("OSINFO_DATA_DIR");
  g_unsetenv ("OSINFO_SYSTEM_DIR");
  g_unsetenv ("OSINFO_USER_DIR");
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_assert_cmpstr (g_get_user_config_dir (), ==, config);

  db = piso_os_db_get_default ();
  load_db (db);
  /* The user's files over the system database */
  g_assert_cmpstr (piso_os_db_get_name (db, "http://debian.org/debian/11"), ==,
                   "Debian 11 (mine)");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://microsoft.com/win/10"), ==,
                   "Windows 10 (mine)");
  g_assert_cmpstr (piso_os_db_get_name (db, "http://debian.org/debian/10"), ==, "Debian 10");

  remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  /* GLib prefers $LANGUAGE to LC_ALL=C.UTF-8: the names would be translated. */
  g_unsetenv ("LANGUAGE");
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  g_test_add_func ("/host/info", test_host_info);
  g_test_add_func ("/host/not-connected", test_host_not_connected);
  g_test_add_func ("/host/usage", test_host_usage);
  g_test_add_func ("/host/acceleration/detect", test_acceleration_detect);
  g_test_add_func ("/host/acceleration/text", test_acceleration_text);
  g_test_add_func ("/host/format-version", test_format_version);
  g_test_add_func ("/host/os-db", test_os_db);
  g_test_add_func ("/host/os-db/dirs", test_os_db_dirs);
  g_test_add_func ("/host/os-db/bad-files", test_os_db_bad_files);
  g_test_add_func ("/host/os-db/env/osinfo-dirs", test_os_db_env_osinfo_dirs);
  g_test_add_func ("/host/os-db/env/xdg", test_os_db_env_xdg);

  return g_test_run ();
}
