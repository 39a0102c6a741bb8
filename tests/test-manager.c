/* test-manager.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include <unistd.h>

static gboolean
is_connected (gpointer data)
{
  return piso_connection_get_state (data) == PISO_CONNECTION_STATE_CONNECTED;
}

static void
test_add_remove (void)
{
  PisoManager *manager = piso_manager_new ();
  GListModel *connections = piso_manager_get_connections (manager);
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(GError) error = NULL;
  PisoConnection *conn;

  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 0);

  conn = piso_manager_add (manager, uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conn);
  g_assert_true (piso_manager_add (manager, uri, NULL) == conn);
  g_assert_true (piso_manager_lookup (manager, uri) == conn);
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 1);
  piso_test_wait_until (is_connected, conn, 10, "the connection");
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (conn)), ==, 7);

  g_assert_null (piso_manager_add (manager, "not a uri", &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI);
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 1);

  g_object_ref (conn);
  piso_manager_remove (manager, conn);
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 0);
  g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_DISCONNECTED);
  g_assert_finalize_object (conn);
  g_assert_finalize_object (manager);
}

static void
test_default_uris (void)
{
  g_auto(GStrv) uris = piso_manager_get_default_uris ();

  if (geteuid () == 0)
    {
      /* For root qemu:///session is the system instance: listed once. */
      g_assert_cmpuint (g_strv_length (uris), ==, 1);
      g_assert_cmpstr (uris[0], ==, "qemu:///system");
    }
  else
    g_assert_true (g_strv_contains ((const char * const *) uris, "qemu:///session"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  g_test_add_func ("/manager/add-remove", test_add_remove);
  g_test_add_func ("/manager/default-uris", test_default_uris);

  return g_test_run ();
}
