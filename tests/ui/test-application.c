/* test-application.c: what the command line opens, and when
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real application (g_application_run) with a command line, as
 * "piso" does: local connections start opening before GTK starts up, and
 * command-line connections are opened once, without the saved ones.
 */
#define G_LOG_DOMAIN "piso-test-application"

#include "config.h"

#include "piso-application.h"
#include "piso-settings.h"
#include "piso-ui-test-utils.h"

typedef struct
{
  PisoApplication *app;
  char           **uris_at_startup;   /* the manager's connections when GTK had just started */
  guint            quit_id;
} Run;

static char **
dup_connection_uris (PisoApplication *app)
{
  PisoManager *manager = piso_application_get_manager (app);
  GListModel *connections = manager != NULL ? piso_manager_get_connections (manager) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; connections != NULL && i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (connections, i);

      g_strv_builder_add (builder, piso_connection_get_uri (connection));
    }
  return g_strv_builder_end (builder);
}

/* After GtkApplication's own startup (GTK initialised): which connections
 * exist already */
static void
startup_cb (GApplication *app,
            Run          *run)
{
  run->uris_at_startup = dup_connection_uris (PISO_APPLICATION (app));
}

static gboolean
quit_when_settled_cb (gpointer user_data)
{
  Run *run = user_data;
  GListModel *connections = piso_manager_get_connections (piso_application_get_manager (run->app));

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (connections, i);
      PisoConnectionState state = piso_connection_get_state (connection);

      if (state == PISO_CONNECTION_STATE_CONNECTING || state == PISO_CONNECTION_STATE_RECONNECTING)
        return G_SOURCE_CONTINUE;
    }

  run->quit_id = 0;
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static int
run_application (Run        *run,
                 const char *first_arg,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *) "piso");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  run->app = piso_application_new ();
  g_application_set_flags (G_APPLICATION (run->app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (run->app, "startup", G_CALLBACK (startup_cb), run);
  run->quit_id = g_timeout_add (20, quit_when_settled_cb, run);

  status = g_application_run (G_APPLICATION (run->app), argv->len - 1, (char **) argv->pdata);

  g_clear_handle_id (&run->quit_id, g_source_remove);
  return status;
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->uris_at_startup, g_strfreev);
  g_clear_object (&run->app);
  /* Let the closed connections' workers finish */
  piso_test_spin (50);
}

static void
test_command_line_connect (void)
{
  g_autofree char *uri = NULL;
  g_auto(GStrv) uris = NULL;
  Run run = { 0 };
  int status;

  if (!piso_ui_test_skip_unless_display ())
    return;

  uri = piso_ui_test_write_node_file (3);
  status = run_application (&run, "--connect", uri, NULL);
  g_assert_cmpint (status, ==, 0);

  /* A local connection was already opening when GTK started */
  g_assert_nonnull (run.uris_at_startup);
  g_assert_cmpstrv (run.uris_at_startup, ((const char *[]) { uri, NULL }));

  /* and the command line's own handling added it once, not twice */
  uris = dup_connection_uris (run.app);
  g_assert_cmpstrv (uris, ((const char *[]) { uri, NULL }));

  run_clear (&run);
}

static void
test_command_line_bad_demo (void)
{
  g_auto(GStrv) uris = NULL;
  Run run = { 0 };

  if (!piso_ui_test_skip_unless_display ())
    return;

  /* A missing demo file is reported, and the saved connections (here the
   * defaults) are not opened instead, neither early nor late */
  g_setenv ("PISO_DEMO_FILE", "/nonexistent/piso-demo.xml", TRUE);
  run_application (&run, "--demo", NULL);
  g_unsetenv ("PISO_DEMO_FILE");

  g_assert_cmpstrv (run.uris_at_startup, ((const char *[]) { NULL }));
  uris = dup_connection_uris (run.app);
  g_assert_cmpstrv (uris, ((const char *[]) { NULL }));

  run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  /* Off the bus: each run is a plain non-unique application (test-window.c) */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");

  piso_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/application/command-line-connect", test_command_line_connect);
  g_test_add_func ("/ui/application/command-line-bad-demo", test_command_line_bad_demo);

  return g_test_run ();
}
