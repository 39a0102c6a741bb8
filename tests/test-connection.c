/* test-connection.c: listing, properties, URIs and failures on the test driver
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

static PisoMachine *
find (PisoConnection *conn,
      const char     *name)
{
  PisoMachine *machine = piso_connection_lookup_machine_by_name (conn, name);

  g_assert_nonnull (machine);
  return machine;
}

static void
test_listing (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  PisoConnection *conn = piso_test_open_connection (uri);
  GListModel *machines = piso_connection_get_machines (conn);
  struct { const char *name; PisoMachineState state; gboolean persistent; } expected[] = {
    { "alpha", PISO_MACHINE_STATE_RUNNING, TRUE },
    { "bravo", PISO_MACHINE_STATE_PAUSED, TRUE },
    { "charlie", PISO_MACHINE_STATE_SHUTOFF, TRUE },
    { "delta", PISO_MACHINE_STATE_SAVED, TRUE },
    { "echo", PISO_MACHINE_STATE_RUNNING, FALSE },
    { "foxtrot", PISO_MACHINE_STATE_SHUTOFF, TRUE },
    { "golf", PISO_MACHINE_STATE_SHUTOFF, TRUE },
  };

  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, G_N_ELEMENTS (expected));
  g_assert_true (g_list_model_get_item_type (machines) == PISO_TYPE_MACHINE);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      PisoMachine *machine = find (conn, expected[i].name);

      g_assert_cmpint (piso_machine_get_state (machine), ==, expected[i].state);
      g_assert_cmpint (piso_machine_get_persistent (machine), ==, expected[i].persistent);
      g_assert_true (piso_machine_get_connection (machine) == conn);
      g_assert_true (piso_connection_lookup_machine (conn, piso_machine_get_uuid (machine)) == machine);
    }

  g_assert_true (piso_machine_get_has_managed_save (find (conn, "delta")));
  g_assert_false (piso_machine_get_has_managed_save (find (conn, "charlie")));
  g_assert_null (piso_connection_lookup_machine_by_name (conn, "zulu"));
  g_assert_cmpstr (piso_connection_get_display_name (conn), ==, "Test driver (basic.xml)");
  g_assert_nonnull (piso_connection_get_gvir (conn));
  g_assert_true (piso_connection_is_local (conn));

  piso_connection_close (conn);
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, 0);
  g_assert_finalize_object (conn);
}

static void
test_properties (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) conn = piso_test_open_connection (uri);
  PisoMachine *alpha = find (conn, "alpha");
  PisoMachine *bravo = find (conn, "bravo");
  GListModel *disks = piso_machine_get_disks (alpha);
  GListModel *ifaces = piso_machine_get_interfaces (alpha);
  g_autoptr(PisoDisk) disk = NULL;
  g_autoptr(PisoDisk) cdrom = NULL;
  g_autoptr(PisoNetInterface) iface = NULL;

  g_assert_cmpstr (piso_machine_get_title (alpha), ==, "Alpha web server");
  g_assert_cmpstr (piso_machine_get_display_name (alpha), ==, "Alpha web server");
  g_assert_null (piso_machine_get_title (bravo));
  g_assert_cmpstr (piso_machine_get_display_name (bravo), ==, "bravo");
  g_assert_cmpstr (piso_machine_get_uuid (alpha), ==, "7e570000-0000-4000-8000-000000000001");
  g_assert_cmpstr (piso_machine_get_os_id (alpha), ==, "http://debian.org/debian/12");
  g_assert_null (piso_machine_get_os_id (find (conn, "charlie")));
  g_assert_cmpuint (piso_machine_get_vcpus (alpha), ==, 2);
  g_assert_cmpuint (piso_machine_get_max_vcpus (alpha), ==, 2);
  g_assert_cmpuint (piso_machine_get_memory (alpha), ==, 2048 * 1024);
  g_assert_cmpuint (piso_machine_get_max_memory (alpha), ==, 2048 * 1024);
  g_assert_true (piso_machine_get_has_graphics (alpha));
  g_assert_cmpstr (piso_machine_get_state_label (alpha), ==, "Running");

  g_assert_cmpuint (g_list_model_get_n_items (disks), ==, 2);
  disk = g_list_model_get_item (disks, 0);
  g_assert_cmpstr (piso_disk_get_device (disk), ==, "disk");
  g_assert_cmpstr (piso_disk_get_path (disk), ==, "/var/lib/piso-test/images/alpha.qcow2");
  g_assert_cmpstr (piso_disk_get_target (disk), ==, "vda");
  g_assert_cmpstr (piso_disk_get_bus (disk), ==, "virtio");
  g_assert_cmpstr (piso_disk_get_format (disk), ==, "qcow2");
  g_assert_false (piso_disk_get_read_only (disk));
  cdrom = g_list_model_get_item (disks, 1);
  g_assert_cmpstr (piso_disk_get_device (cdrom), ==, "cdrom");
  g_assert_null (piso_disk_get_path (cdrom));
  g_assert_true (piso_disk_get_read_only (cdrom));

  g_assert_cmpuint (g_list_model_get_n_items (ifaces), ==, 1);
  iface = g_list_model_get_item (ifaces, 0);
  g_assert_cmpstr (piso_net_interface_get_mac (iface), ==, "52:54:00:7e:57:01");
  g_assert_cmpstr (piso_net_interface_get_kind (iface), ==, "network");
  g_assert_cmpstr (piso_net_interface_get_source (iface), ==, "default");
  g_assert_cmpstr (piso_net_interface_get_model (iface), ==, "virtio");
  g_assert_cmpuint (g_strv_length ((char **) piso_net_interface_get_addresses (iface)), ==, 0);
}

static void
test_refresh_details (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) conn = piso_test_open_connection (uri);
  PisoMachine *alpha = find (conn, "alpha");
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoDisk) disk = NULL;
  g_autoptr(PisoNetInterface) iface = NULL;

  g_assert_true (PISO_TEST_RUN (alpha, refresh_details, &error));
  g_assert_no_error (error);

  disk = g_list_model_get_item (piso_machine_get_disks (alpha), 0);
  g_assert_cmpstr (piso_disk_get_pool (disk), ==, "default");
  g_assert_cmpstr (piso_disk_get_volume (disk), ==, "alpha.qcow2");
  g_assert_cmpuint (piso_disk_get_capacity (disk), ==, G_GUINT64_CONSTANT (10) << 30);
  g_assert_cmpuint (piso_disk_get_allocation (disk), ==, G_GUINT64_CONSTANT (1) << 30);

  /* The test driver answers every lease query with one fixed address. */
  iface = g_list_model_get_item (piso_machine_get_interfaces (alpha), 0);
  g_assert_cmpuint (g_strv_length ((char **) piso_net_interface_get_addresses (iface)), >=, 1);
  g_assert_true (g_str_has_prefix (piso_net_interface_get_addresses (iface)[0], "192.168.122."));
}

static void
test_validate_uri (void)
{
  const char *good[] = {
    "qemu:///system", "qemu:///session", "qemu+ssh://user@host/system",
    "qemu+tls://host.example.org/system", "test:///default", "test:///tmp/file.xml",
    "qemu+unix:///system?socket=/tmp/sock", "lxc:///",
  };
  const char *bad[] = {
    "", "system", "qemu://", "qemu:///nowhere", "kvm:///system", "qemu+carrier-pigeon://host/system",
    "qemu+ssh:///system", "test://", "qemu:///system extra", "http://example.org/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!piso_connection_validate_uri (good[i], &error))
        g_error ("%s refused: %s", good[i], error->message);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      if (piso_connection_validate_uri (bad[i], &error))
        g_error ("%s accepted", bad[i]);
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI);
      g_assert_cmpuint (strlen (error->message), >, 10);
    }
}

static void
test_open_failure (void)
{
  g_autoptr(PisoConnection) conn = piso_connection_new ("test:///nonexistent/piso/file.xml");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_connection_open_async (conn, NULL, piso_test_store_result_cb, &result);
  g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_CONNECTING);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_connection_open_finish (conn, result, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_FAILED);
  g_assert_nonnull (piso_connection_get_error_message (conn));
  g_assert_nonnull (strstr (piso_connection_get_error_message (conn), "test:///nonexistent/piso/file.xml"));
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (conn)), ==, 0);
  g_assert_null (piso_connection_get_gvir (conn));
}

typedef struct
{
  const char *user;
  const char *password;
  guint       n_user;
  guint       n_password;
} Credentials;

static void
credentials_prompt_cb (PisoConnection *conn,
                       PisoSshPrompt  *prompt,
                       Credentials    *answers)
{
  switch (piso_ssh_prompt_get_kind (prompt))
    {
    case PISO_SSH_PROMPT_USER_NAME:
      g_assert_true (piso_ssh_prompt_get_echo (prompt));
      answers->n_user++;
      piso_ssh_prompt_answer (prompt, answers->user);
      break;
    case PISO_SSH_PROMPT_PASSWORD:
      g_assert_false (piso_ssh_prompt_get_echo (prompt));
      answers->n_password++;
      if (answers->password != NULL)
        piso_ssh_prompt_answer (prompt, answers->password);
      else
        piso_ssh_prompt_cancel (prompt);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* libvirt's own credentials (virConnectOpenAuth) are asked through the
 * connection's "prompt" on the main thread while the opening thread waits;
 * the test driver checks them as a SASL host would. */
static void
test_credentials (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("auth.xml");
  struct { Credentials answers; gboolean opens; } cases[] = {
    { { "alice", "test-secret" }, TRUE },
    { { "alice", "wrong" }, FALSE },
    { { "alice", NULL }, FALSE },     /* the user closed the dialog */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PisoConnection) conn = piso_connection_new (uri);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      Credentials *answers = &cases[i].answers;

      g_signal_connect (conn, "prompt", G_CALLBACK (credentials_prompt_cb), answers);
      piso_connection_open_async (conn, NULL, piso_test_store_result_cb, &result);
      piso_test_wait_result (&result, 10);
      g_assert_cmpint (piso_connection_open_finish (conn, result, &error), ==, cases[i].opens);
      g_assert_cmpuint (answers->n_user, ==, 1);
      g_assert_cmpuint (answers->n_password, ==, 1);
      if (cases[i].opens)
        {
          g_assert_no_error (error);
          g_assert_nonnull (piso_connection_lookup_machine_by_name (conn, "locked"));
        }
      else
        g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_FAILED);
      piso_connection_close (conn);
    }

  /* Nobody to ask (no handler): the attempt fails instead of waiting. */
  {
    g_autoptr(PisoConnection) conn = piso_connection_new (uri);
    g_autoptr(GAsyncResult) result = NULL;

    piso_connection_open_async (conn, NULL, piso_test_store_result_cb, &result);
    piso_test_wait_result (&result, 10);
    g_assert_false (piso_connection_open_finish (conn, result, NULL));
  }
}

static void
test_daemon_not_running (void)
{
  g_autoptr(PisoConnection) conn = piso_connection_new ("qemu:///system?socket=/nonexistent/piso/libvirt-sock");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_connection_open_async (conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_connection_open_finish (conn, result, &error));
  g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_FAILED);
  /* The reason and what to do about it. */
  g_assert_nonnull (strstr (piso_connection_get_error_message (conn), "No such file"));
  g_assert_nonnull (strstr (piso_connection_get_error_message (conn), "The libvirt daemon is not running"));
  g_assert_nonnull (strstr (piso_connection_get_error_message (conn), "Retry"));
}

static gboolean
pointer_is_null (gpointer user_data)
{
  return *(gpointer *) user_data == NULL;
}

static void
test_close_while_opening (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  PisoConnection *conn = piso_connection_new (uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_connection_open_async (conn, NULL, piso_test_store_result_cb, &result);
  piso_connection_close (conn);
  /* The caller hears about it, and nothing is listed afterwards. */
  piso_test_wait_result (&result, 5);
  g_assert_false (piso_connection_open_finish (conn, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  piso_test_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (conn)), ==, 0);
  g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_DISCONNECTED);
  g_clear_object (&result);
  /* The open that was under way holds the connection until libvirt answers
   * it (libvirt 11's test driver takes up to a second to open), then lets
   * go: nothing else may keep it. */
  g_object_add_weak_pointer (G_OBJECT (conn), (gpointer *) &conn);
  g_object_unref (conn);
  piso_test_wait_until (pointer_is_null, &conn, 10, "the closed connection to be finalized");
}

static void
test_display_names (void)
{
  struct { const char *uri; const char *name; } cases[] = {
    { "qemu:///system", "QEMU/KVM" },
    { "qemu:///session", "QEMU/KVM user session" },
    { "qemu+ssh://root@server.example.org/system", "QEMU/KVM on server.example.org" },
    { "test:///default", "Test driver" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PisoConnection) conn = piso_connection_new (cases[i].uri);

      g_assert_cmpstr (piso_connection_get_display_name (conn), ==, cases[i].name);
      g_assert_cmpstr (piso_connection_get_uri (conn), ==, cases[i].uri);
      g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_DISCONNECTED);
    }
}

static void
test_machines_outlive_connection (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  PisoConnection *conn = piso_test_open_connection (uri);
  g_autoptr(PisoMachine) alpha = g_object_ref (find (conn, "alpha"));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (piso_machine_can (alpha, PISO_MACHINE_ACTION_PAUSE));
  g_assert_finalize_object (conn);

  /* A view that still holds the machine sees it unavailable; calls fail cleanly. */
  g_assert_null (piso_machine_get_connection (alpha));
  g_assert_false (piso_machine_can (alpha, PISO_MACHINE_ACTION_PAUSE));
  g_assert_false (PISO_TEST_RUN (alpha, pause, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED);
}

static void
test_validate_name (void)
{
  const char *good[] = { "vm1", "web server", "máquina-ñ", "a.b_c", "x" };
  const char *bad[] = { "", "a/b", "..", "   ", "tab\there" };
  g_autofree char *too_long = g_strnfill (101, 'a');

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (piso_machine_validate_name (good[i], NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (piso_machine_validate_name (bad[i], &error));
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
    }
  g_assert_false (piso_machine_validate_name (too_long, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  g_test_add_func ("/connection/listing", test_listing);
  g_test_add_func ("/connection/credentials", test_credentials);
  g_test_add_func ("/connection/properties", test_properties);
  g_test_add_func ("/connection/refresh-details", test_refresh_details);
  g_test_add_func ("/connection/validate-uri", test_validate_uri);
  g_test_add_func ("/connection/open-failure", test_open_failure);
  g_test_add_func ("/connection/daemon-not-running", test_daemon_not_running);
  g_test_add_func ("/connection/close-while-opening", test_close_while_opening);
  g_test_add_func ("/connection/display-names", test_display_names);
  g_test_add_func ("/connection/machines-outlive-connection", test_machines_outlive_connection);
  g_test_add_func ("/machine/validate-name", test_validate_name);

  return g_test_run ();
}
