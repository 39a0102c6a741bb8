/* test-lifecycle.c: every lifecycle transition through Piso's API (test driver)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

typedef PisoTestFixture Fixture;

static void
test_start_shutdown (Fixture       *f,
                     gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  g_autoptr(GError) error = NULL;

  g_assert_true (piso_machine_can (charlie, PISO_MACHINE_ACTION_START));
  g_assert_false (piso_machine_can (charlie, PISO_MACHINE_ACTION_SHUTDOWN));
  g_assert_true (PISO_TEST_RUN (charlie, start, &error));
  g_assert_no_error (error);
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_false (piso_machine_can (charlie, PISO_MACHINE_ACTION_START));
  g_assert_true (piso_machine_can (charlie, PISO_MACHINE_ACTION_SHUTDOWN));

  /* Starting twice is refused by libvirt, with its reason. */
  g_assert_false (PISO_TEST_RUN (charlie, start, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "Could not start “Charlie desktop”: "));
  g_assert_nonnull (strstr (error->message, "already running"));
  g_clear_error (&error);

  g_assert_true (PISO_TEST_RUN (charlie, shutdown, &error));
  g_assert_no_error (error);
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_SHUTOFF, 10);
}

static void
test_pause_resume (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  g_autoptr(GError) error = NULL;

  g_assert_true (PISO_TEST_RUN (alpha, pause, &error));
  g_assert_no_error (error);
  piso_test_wait_state (alpha, PISO_MACHINE_STATE_PAUSED, 10);
  g_assert_true (piso_machine_can (alpha, PISO_MACHINE_ACTION_RESUME));
  g_assert_false (piso_machine_can (alpha, PISO_MACHINE_ACTION_PAUSE));

  g_assert_true (PISO_TEST_RUN (alpha, resume, &error));
  g_assert_no_error (error);
  piso_test_wait_state (alpha, PISO_MACHINE_STATE_RUNNING, 10);
}

static void
test_reboot_force_off (Fixture       *f,
                       gconstpointer  data)
{
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  g_autoptr(GError) error = NULL;

  g_assert_true (PISO_TEST_RUN (alpha, reboot, &error));
  g_assert_no_error (error);
  piso_test_spin (100);
  g_assert_cmpint (piso_machine_get_state (alpha), ==, PISO_MACHINE_STATE_RUNNING);

  g_assert_true (piso_machine_can (alpha, PISO_MACHINE_ACTION_FORCE_OFF));
  g_assert_true (PISO_TEST_RUN (alpha, force_off, &error));
  g_assert_no_error (error);
  piso_test_wait_state (alpha, PISO_MACHINE_STATE_SHUTOFF, 10);
  g_assert_false (piso_machine_can (alpha, PISO_MACHINE_ACTION_FORCE_OFF));
}

static gboolean
no_managed_save (gpointer data)
{
  return !piso_machine_get_has_managed_save (data);
}

static void
test_save_restore (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  g_autoptr(GError) error = NULL;

  g_assert_true (piso_machine_can (alpha, PISO_MACHINE_ACTION_SAVE));
  g_assert_true (PISO_TEST_RUN (alpha, save, &error));
  g_assert_no_error (error);
  piso_test_wait_state (alpha, PISO_MACHINE_STATE_SAVED, 10);
  g_assert_true (piso_machine_get_has_managed_save (alpha));
  g_assert_true (piso_machine_can (alpha, PISO_MACHINE_ACTION_RESTORE));
  g_assert_false (piso_machine_can (alpha, PISO_MACHINE_ACTION_START));

  g_assert_true (PISO_TEST_RUN (alpha, restore, &error));
  g_assert_no_error (error);
  piso_test_wait_state (alpha, PISO_MACHINE_STATE_RUNNING, 10);
  piso_test_wait_until (no_managed_save, alpha, 10, "the managed save image to go");

  /* Restoring a machine without a saved state says so. */
  g_assert_false (PISO_TEST_RUN (charlie, restore, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* The fixture's managed save comes back through start as well. */
  g_assert_true (PISO_TEST_RUN (piso_test_find_machine (f->conn, "delta"), start, &error));
  g_assert_no_error (error);
  piso_test_wait_state (piso_test_find_machine (f->conn, "delta"), PISO_MACHINE_STATE_RUNNING, 10);
}

static gboolean
autostart_is (gpointer data)
{
  return piso_machine_get_autostart (data);
}

static void
test_autostart (Fixture       *f,
                gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  PisoMachine *echo = piso_test_find_machine (f->conn, "echo");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (piso_machine_get_autostart (charlie));
  piso_machine_set_autostart_async (charlie, TRUE, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_set_autostart_finish (charlie, result, &error));
  g_assert_no_error (error);
  piso_test_wait_until (autostart_is, charlie, 10, "autostart");
  g_clear_object (&result);

  /* A transient machine cannot start with the host; libvirt says why. */
  g_assert_false (piso_machine_can (echo, PISO_MACHINE_ACTION_SET_AUTOSTART));
  piso_machine_set_autostart_async (echo, TRUE, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_machine_set_autostart_finish (echo, result, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "echo"));
}

static gboolean
name_is_delta2 (gpointer data)
{
  return g_strcmp0 (piso_machine_get_name (data), "charlie-2") == 0;
}

static void
test_rename (Fixture       *f,
             gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  GListModel *machines = piso_connection_get_machines (f->conn);
  guint n = g_list_model_get_n_items (machines);
  g_autofree char *uuid = g_strdup (piso_machine_get_uuid (charlie));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (piso_machine_can (charlie, PISO_MACHINE_ACTION_RENAME));
  g_assert_false (piso_machine_can (piso_test_find_machine (f->conn, "alpha"), PISO_MACHINE_ACTION_RENAME));

  piso_machine_rename_async (charlie, "charlie-2", NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_rename_finish (charlie, result, &error));
  g_assert_no_error (error);
  piso_test_wait_until (name_is_delta2, charlie, 10, "rename");
  piso_test_spin (100);

  /* Same row, same object, no duplicate. */
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, n);
  g_assert_true (piso_connection_lookup_machine (f->conn, uuid) == charlie);
  g_assert_true (piso_connection_lookup_machine_by_name (f->conn, "charlie-2") == charlie);
  g_assert_null (piso_connection_lookup_machine_by_name (f->conn, "charlie"));
  g_clear_object (&result);

  /* It still works after the rename: the handle follows. */
  g_assert_true (PISO_TEST_RUN (charlie, start, &error));
  g_assert_no_error (error);
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_RUNNING, 10);

  /* Refused names: taken, invalid. Nothing changes. */
  piso_machine_rename_async (piso_test_find_machine (f->conn, "foxtrot"), "golf", NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_machine_rename_finish (piso_test_find_machine (f->conn, "foxtrot"), result, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "golf"));
  g_clear_error (&error);
  g_clear_object (&result);

  piso_machine_rename_async (piso_test_find_machine (f->conn, "foxtrot"), "a/b", NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_machine_rename_finish (piso_test_find_machine (f->conn, "foxtrot"), result, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
  g_assert_nonnull (piso_connection_lookup_machine_by_name (f->conn, "foxtrot"));
}

static void
test_transient_vanishes (Fixture       *f,
                         gconstpointer  data)
{
  PisoMachine *echo = piso_test_find_machine (f->conn, "echo");
  GListModel *machines = piso_connection_get_machines (f->conn);
  guint n = g_list_model_get_n_items (machines);
  g_autoptr(PisoMachine) held = g_object_ref (echo);
  g_autoptr(GError) error = NULL;

  g_assert_true (PISO_TEST_RUN (echo, force_off, &error));
  g_assert_no_error (error);
  piso_test_spin (200);
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, n - 1);
  g_assert_null (piso_connection_lookup_machine_by_name (f->conn, "echo"));

  /* The object a view still holds gives clean errors. */
  g_assert_false (piso_machine_can (held, PISO_MACHINE_ACTION_START));
  g_assert_false (PISO_TEST_RUN (held, start, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

#define ADD(path, func) PISO_TEST_ADD_BASIC (path, func)
  ADD ("/lifecycle/start-shutdown", test_start_shutdown);
  ADD ("/lifecycle/pause-resume", test_pause_resume);
  ADD ("/lifecycle/reboot-force-off", test_reboot_force_off);
  ADD ("/lifecycle/save-restore", test_save_restore);
  ADD ("/lifecycle/autostart", test_autostart);
  ADD ("/lifecycle/rename", test_rename);
  ADD ("/lifecycle/transient-vanishes", test_transient_vanishes);
#undef ADD

  return g_test_run ();
}
