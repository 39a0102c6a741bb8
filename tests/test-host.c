/* test-host.c: host facts, acceleration detection, host usage and the OS database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "piso-test-utils.h"
#include "piso-host-info-private.h"

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
  g_assert_cmpstr (piso_os_db_get_name (db, "http://debian.org/debian/11"), ==, "Debian 11");
  g_assert_null (piso_os_db_get_name (db, "http://debian.org/debian/sid-next"));
  g_assert_null (piso_os_db_get_name (db, "http://example.com/no-such-os/1"));
  g_assert_null (piso_os_db_get_name (db, NULL));

  /* Already loaded: nothing more happens. */
  piso_os_db_ensure_loaded (db);
  piso_test_spin (50);
  g_assert_cmpuint (loaded, ==, 1);

  g_signal_handler_disconnect (db, handler);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  g_test_add_func ("/host/info", test_host_info);
  g_test_add_func ("/host/not-connected", test_host_not_connected);
  g_test_add_func ("/host/usage", test_host_usage);
  g_test_add_func ("/host/acceleration/detect", test_acceleration_detect);
  g_test_add_func ("/host/acceleration/text", test_acceleration_text);
  g_test_add_func ("/host/format-version", test_format_version);
  g_test_add_func ("/host/os-db", test_os_db);

  return g_test_run ();
}
