/* test-live-reconnect.c: libvirtd killed and restarted under an open connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <glib/gstdio.h>

#include "piso-live.h"

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;

static void
record_state (PisoConnection *connection,
              GParamSpec     *pspec,
              GArray         *states)
{
  PisoConnectionState state = piso_connection_get_state (connection);

  g_test_message ("connection state %d", state);
  g_array_append_val (states, state);
}

typedef struct
{
  PisoConnection      *connection;
  PisoConnectionState  state;
} ConnectionWait;

static gboolean
connection_in_state (gpointer user_data)
{
  ConnectionWait *w = user_data;

  return piso_connection_get_state (w->connection) == w->state;
}

static guint
index_of (GArray              *states,
          PisoConnectionState  state,
          guint                from)
{
  for (guint i = from; i < states->len; i++)
    if (g_array_index (states, PisoConnectionState, i) == state)
      return i;
  return G_MAXUINT;
}

/* The model's rows by UUID; asserts there are no duplicates. */
static GHashTable *
rows_by_uuid (PisoConnection *connection)
{
  GListModel *machines = piso_connection_get_machines (connection);
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      PisoMachine *machine = g_list_model_get_item (machines, i);
      const char *uuid = piso_machine_get_uuid (machine);

      g_assert_nonnull (uuid);
      if (g_hash_table_contains (rows, uuid))
        g_error ("machine %s (%s) listed twice", piso_machine_get_name (machine), uuid);
      g_hash_table_insert (rows, g_strdup (uuid), machine);
    }

  return rows;
}

/* Writes a definition straight into the stopped daemon's configuration, as if
 * another client had defined the machine while Piso could not see it. */
static char *
define_behind_the_back (const char *name)
{
  g_autofree char *xml = piso_live_domain_xml (live, name, NULL);
  g_autofree char *file = g_strdup_printf ("%s.xml", name);
  g_autofree char *path = g_build_filename (piso_live_daemon_get_dir (live), "etc", "qemu", file, NULL);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name_tag = g_strdup_printf ("<name>%s</name>", name);
  g_autofree char *with_uuid = g_strdup_printf ("%s\n  <uuid>%s</uuid>", name_tag, uuid);
  g_auto(GStrv) parts = g_strsplit (xml, name_tag, 2);
  g_autofree char *full = g_strjoinv (with_uuid, parts);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, full, -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&uuid);
}

static void
undefine_behind_the_back (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.xml", name);
  g_autofree char *path = g_build_filename (piso_live_daemon_get_dir (live), "etc", "qemu", file, NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
test_kill_and_restart (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (PisoConnectionState));
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *running_name = piso_live_unique_name ("running");
  g_autofree char *off_name = piso_live_unique_name ("off");
  g_autofree char *dropped_name = piso_live_unique_name ("dropped");
  g_autofree char *added_name = piso_live_unique_name ("added");
  g_autofree char *added_uuid = NULL;
  g_autoptr(PisoMachine) running = NULL;
  g_autoptr(PisoMachine) off = NULL;
  g_autoptr(PisoMachine) dropped = NULL;
  PisoMachine *added;
  ConnectionWait w;
  guint n_before, reconnecting_at, connected_at;

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  {
    g_autofree char *xml_running = piso_live_domain_xml (live, running_name, NULL);
    g_autofree char *xml_off = piso_live_domain_xml (live, off_name, NULL);
    g_autofree char *xml_dropped = piso_live_domain_xml (live, dropped_name, NULL);

    running = piso_live_define (connection, xml_running);
    off = piso_live_define (connection, xml_off);
    dropped = piso_live_define (connection, xml_dropped);
  }
  piso_live_run_action (running, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (running, PISO_MACHINE_STATE_RUNNING, 30);
  piso_live_wait_guest_ready (live, running_name, 180);

  before = rows_by_uuid (connection);
  n_before = g_hash_table_size (before);
  g_assert_cmpuint (n_before, ==, 3);

  g_signal_connect (connection, "notify::state", G_CALLBACK (record_state), states);

  /* libvirtd goes away: Piso notices at once (the socket closes) and keeps
   * its rows with their last known states. */
  piso_live_daemon_kill (live);
  w = (ConnectionWait) { connection, PISO_CONNECTION_STATE_RECONNECTING };
  piso_test_wait_until (connection_in_state, &w, 30, "the connection to report the drop");
  g_assert_nonnull (piso_connection_get_error_message (connection));
  g_test_message ("drop reported as: %s", piso_connection_get_error_message (connection));
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (connection)), ==, n_before);
  g_assert_false (piso_machine_can (off, PISO_MACHINE_ACTION_START));

  /* Meanwhile one machine is defined and one undefined behind Piso's back. */
  added_uuid = define_behind_the_back (added_name);
  undefine_behind_the_back (dropped_name);
  piso_test_spin (1500);   /* let at least one reconnection attempt fail */

  piso_live_daemon_restart (live);
  w = (ConnectionWait) { connection, PISO_CONNECTION_STATE_CONNECTED };
  piso_test_wait_until (connection_in_state, &w, 60, "the connection to come back");

  reconnecting_at = index_of (states, PISO_CONNECTION_STATE_RECONNECTING, 0);
  g_assert_cmpuint (reconnecting_at, !=, G_MAXUINT);
  connected_at = index_of (states, PISO_CONNECTION_STATE_CONNECTED, reconnecting_at);
  g_assert_cmpuint (connected_at, !=, G_MAXUINT);
  g_assert_cmpuint (index_of (states, PISO_CONNECTION_STATE_DISCONNECTED, 0), ==, G_MAXUINT);

  /* The resync: same objects for the machines that stayed, the new one
   * added, the undefined one gone, nothing twice, the right states. */
  after = rows_by_uuid (connection);
  g_assert_cmpuint (g_hash_table_size (after), ==, 3);
  g_assert_true (g_hash_table_lookup (after, piso_machine_get_uuid (running)) == running);
  g_assert_true (g_hash_table_lookup (after, piso_machine_get_uuid (off)) == off);
  g_assert_null (g_hash_table_lookup (after, piso_machine_get_uuid (dropped)));
  g_assert_null (piso_connection_lookup_machine_by_name (connection, dropped_name));
  added = g_hash_table_lookup (after, added_uuid);
  g_assert_nonnull (added);
  g_assert_cmpstr (piso_machine_get_name (added), ==, added_name);
  g_assert_true (piso_connection_lookup_machine (connection, added_uuid) == added);

  /* guests survive a libvirtd restart */
  g_assert_cmpint (piso_machine_get_state (running), ==, PISO_MACHINE_STATE_RUNNING);
  g_assert_cmpint (piso_machine_get_state (off), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_cmpint (piso_machine_get_state (added), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_true (piso_machine_can (off, PISO_MACHINE_ACTION_START));

  /* Events flow again on the new connection: an ACPI shutdown through Piso
   * reaches shut off. */
  piso_live_run_action (running, piso_machine_shutdown_async, piso_machine_shutdown_finish);
  piso_test_wait_state (running, PISO_MACHINE_STATE_SHUTOFF, 120);

  g_signal_handlers_disconnect_by_data (connection, states);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

  live = piso_live_daemon_start (&skip_reason);

  g_test_add_func ("/live/reconnect/kill-and-restart", test_kill_and_restart);

  ret = g_test_run ();

  piso_live_daemon_free (live);
  g_free (skip_reason);

  return ret;
}
