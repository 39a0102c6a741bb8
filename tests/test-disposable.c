/* test-disposable.c: disposable runs on the test driver
 *
 * The test driver keeps no disks, so what the guest writes is checked live
 * (tests/live/test-live-snapshots.c); here: the definition stays, the run
 * is marked, leftovers of a crashed run are removed and reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include "piso-backend-private.h"
#include "piso-disposable.h"

#define IMAGES "/var/lib/piso-test/images/"

typedef PisoTestFixture Fixture;

static gboolean
start_disposable (PisoMachine   *machine,
                  char        ***removed,
                  GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_machine_start_disposable_async (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_machine_start_disposable_finish (machine, result, removed, error);
}

static gboolean
is_disposable (gpointer machine)
{
  return piso_machine_get_disposable (machine);
}

static gboolean
not_disposable (gpointer machine)
{
  return !piso_machine_get_disposable (machine);
}

static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  g_autofree char *before = piso_test_machine_definition (charlie);
  g_autofree char *during = NULL;
  g_autofree char *after = NULL;
  g_autofree char *live = NULL;
  g_auto(GStrv) removed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (piso_machine_get_disposable (charlie));
  g_assert_true (start_disposable (charlie, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (removed), ==, 0);
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_RUNNING, 10);
  piso_test_wait_until (is_disposable, charlie, 10, "the disposable mark");

  /* It runs with a transient disk; its definition did not change. */
  live = piso_test_machine_xml (charlie);
  g_assert_nonnull (strstr (live, "<transient/>"));
  during = piso_test_machine_definition (charlie);
  g_assert_cmpstr (during, ==, before);
  g_assert_true (piso_machine_get_persistent (charlie));

  g_assert_true (PISO_TEST_RUN (charlie, force_off, &error));
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_SHUTOFF, 10);
  piso_test_wait_until (not_disposable, charlie, 10, "the disposable mark to go");
  after = piso_test_machine_definition (charlie);
  g_assert_cmpstr (after, ==, before);
}

static void
test_leftover_removed (Fixture       *f,
                       gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  virConnectPtr conn = _piso_connection_ref_handle (f->conn);
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default");
  virStorageVolPtr vol;
  g_auto(GStrv) removed = NULL;
  g_autoptr(GError) error = NULL;

  /* A host crash left the overlay of a disposable run. */
  vol = virStorageVolCreateXML (pool, "<volume><name>charlie.qcow2.TRANSIENT-charlie</name>"
                                      "<capacity>1048576</capacity>"
                                      "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);

  g_assert_true (start_disposable (charlie, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (removed), ==, 1);
  g_assert_cmpstr (removed[0], ==, IMAGES "charlie.qcow2.TRANSIENT-charlie");
  vol = virStorageVolLookupByPath (conn, IMAGES "charlie.qcow2.TRANSIENT-charlie");
  g_assert_null (vol);
  virResetLastError ();
  virStoragePoolFree (pool);
  virConnectClose (conn);
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (piso_machine_can (piso_test_find_machine (f->conn, "charlie"),
                                   PISO_MACHINE_ACTION_START_DISPOSABLE));
  g_assert_false (piso_machine_can (piso_test_find_machine (f->conn, "alpha"),
                                    PISO_MACHINE_ACTION_START_DISPOSABLE));
  g_assert_false (piso_machine_can (piso_test_find_machine (f->conn, "delta"),
                                    PISO_MACHINE_ACTION_START_DISPOSABLE));

  /* Running, or with a saved state: not now. */
  g_assert_false (start_disposable (piso_test_find_machine (f->conn, "alpha"), NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (start_disposable (piso_test_find_machine (f->conn, "delta"), NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

#define ADD(path, func) PISO_TEST_ADD_BASIC (path, func)
  ADD ("/disposable/run", test_run);
  ADD ("/disposable/leftover-removed", test_leftover_removed);
  ADD ("/disposable/refusals", test_refusals);
#undef ADD

  return g_test_run ();
}
