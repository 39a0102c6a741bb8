/* test-delete.c: delete keeps storage unless asked, and refuses safely
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include "piso-backend-private.h"

#define IMAGES "/var/lib/piso-test/images/"

typedef PisoTestFixture Fixture;

static gboolean
delete_machine (Fixture             *f,
                const char          *name,
                const char * const  *storage,
                GError             **error)
{
  PisoMachine *machine = piso_connection_lookup_machine_by_name (f->conn, name);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_nonnull (machine);
  piso_machine_delete_async (machine, storage, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_machine_delete_finish (machine, result, error);
}

static gboolean
lacks (gpointer data)
{
  gpointer *args = data;

  return piso_connection_lookup_machine_by_name (args[0], args[1]) == NULL;
}

static void
wait_gone (Fixture    *f,
           const char *name)
{
  gpointer args[2] = { f->conn, (gpointer) name };

  piso_test_wait_until (lacks, args, 10, name);
}

static void
test_keeps_storage (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (delete_machine (f, "charlie", NULL, &error));
  g_assert_no_error (error);
  wait_gone (f, "charlie");
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "charlie.qcow2"));
}

static void
test_removes_asked_storage (Fixture       *f,
                            gconstpointer  data)
{
  const char *storage[] = { IMAGES "charlie.qcow2", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (delete_machine (f, "charlie", storage, &error));
  g_assert_no_error (error);
  wait_gone (f, "charlie");
  g_assert_false (piso_test_volume_exists (f->conn, IMAGES "charlie.qcow2"));
  /* Only what was asked. */
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "alpha.qcow2"));
}

static void
test_running_is_forced_off (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (delete_machine (f, "alpha", NULL, &error));
  g_assert_no_error (error);
  wait_gone (f, "alpha");
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "alpha.qcow2"));
}

static void
test_shared_disk_refused (Fixture       *f,
                          gconstpointer  data)
{
  const char *storage[] = { IMAGES "shared.qcow2", NULL };
  guint n = g_list_model_get_n_items (piso_connection_get_machines (f->conn));
  g_autoptr(GError) error = NULL;

  g_assert_false (delete_machine (f, "foxtrot", storage, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_DISK_IN_USE);
  g_assert_nonnull (strstr (error->message, "golf"));
  g_assert_nonnull (strstr (error->message, "Nothing was deleted"));

  /* Nothing was removed. */
  piso_test_spin (100);
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (f->conn)), ==, n);
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "shared.qcow2"));
  g_assert_nonnull (piso_connection_lookup_machine_by_name (f->conn, "foxtrot"));
}

static void
test_foreign_path_refused (Fixture       *f,
                           gconstpointer  data)
{
  const char *not_its_disk[] = { IMAGES "alpha.qcow2", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (delete_machine (f, "charlie", not_its_disk, &error));
  g_assert_nonnull (error);
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "alpha.qcow2"));
  g_assert_nonnull (piso_connection_lookup_machine_by_name (f->conn, "charlie"));
}

static void
test_not_a_volume_refused (Fixture       *f,
                           gconstpointer  data)
{
  const char *xml =
    "<domain type='test'><name>loose</name><memory unit='MiB'>128</memory>"
    "<os><type arch='x86_64'>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/srv/elsewhere/loose.img'/>"
    "<target dev='vda' bus='virtio'/></disk></devices></domain>";
  const char *storage[] = { "/srv/elsewhere/loose.img", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoMachine) machine = NULL;

  piso_connection_define_xml_async (f->conn, xml, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  machine = piso_connection_define_xml_finish (f->conn, result, &error);
  g_assert_no_error (error);

  g_assert_false (delete_machine (f, "loose", storage, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_A_VOLUME);
  piso_test_spin (100);
  /* A refusal removes nothing: the definition is still there. */
  g_assert_nonnull (piso_connection_lookup_machine_by_name (f->conn, "loose"));
  g_clear_object (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

#define ADD(path, func) PISO_TEST_ADD_BASIC (path, func)
  ADD ("/delete/keeps-storage", test_keeps_storage);
  ADD ("/delete/removes-asked-storage", test_removes_asked_storage);
  ADD ("/delete/running-is-forced-off", test_running_is_forced_off);
  ADD ("/delete/shared-disk-refused", test_shared_disk_refused);
  ADD ("/delete/foreign-path-refused", test_foreign_path_refused);
  ADD ("/delete/not-a-volume-refused", test_not_a_volume_refused);
#undef ADD

  return g_test_run ();
}
