/* piso-application.c: the application, its connections and app-wide actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-application"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-alert.h"
#include "piso-application.h"
#include "piso-connection-dialog.h"
#include "piso-resources.h"
#include "piso-ssh-prompt-dialog.h"
#include "piso-window.h"

struct _PisoApplication
{
  AdwApplication  parent_instance;

  PisoManager    *manager;
  PisoSettings   *settings;
  gboolean        connections_opened;
};

G_DEFINE_FINAL_TYPE (PisoApplication, piso_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Open the libvirt connection URI instead of the saved ones (can be repeated)"), N_("URI") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open a demo host with sample machines (no hypervisor needed)"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

static PisoWindow *
piso_application_get_window (PisoApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return PISO_IS_WINDOW (window) ? PISO_WINDOW (window) : NULL;
}

static void
piso_application_report (PisoApplication *self,
                         const char      *message)
{
  PisoWindow *window = piso_application_get_window (self);

  if (window != NULL)
    piso_window_show_toast (window, message);
  else
    g_printerr ("%s\n", message);
}

PisoConnection *
piso_application_add_connection (PisoApplication *self,
                                 const char      *uri,
                                 gboolean         persist,
                                 GError         **error)
{
  PisoConnection *connection;

  g_return_val_if_fail (PISO_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  connection = piso_manager_add (self->manager, uri, error);
  if (connection == NULL)
    return NULL;

  piso_connection_set_stats_interval (connection,
                                      piso_settings_get_stats_interval (self->settings));
  if (persist)
    piso_settings_add_connection (self->settings, uri);

  return connection;
}

void
piso_application_remove_connection (PisoApplication *self,
                                    const char      *uri)
{
  PisoConnection *connection;

  g_return_if_fail (PISO_IS_APPLICATION (self));
  g_return_if_fail (uri != NULL);

  piso_settings_remove_connection (self->settings, uri);
  if ((connection = piso_manager_lookup (self->manager, uri)) != NULL)
    piso_manager_remove (self->manager, connection);
}

static void piso_application_stats_interval_cb (PisoApplication *self);

/* A host's SSH login or libvirt asks something: over the window in front. */
static void
piso_application_prompt_cb (PisoApplication *self,
                            PisoSshPrompt   *prompt,
                            const char      *host)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  g_assert (PISO_IS_APPLICATION (self));

  if (window == NULL)
    {
      /* No window to ask in: the login fails and the row says so. */
      if (piso_ssh_prompt_get_kind (prompt) != PISO_SSH_PROMPT_SECURITY_KEY_TOUCH)
        piso_ssh_prompt_cancel (prompt);
      return;
    }
  piso_alert_present (piso_ssh_prompt_dialog_new (prompt, host), GTK_WIDGET (window));
}

/* Backend only: usable before GTK starts (see handle_local_options) */
static void
piso_application_ensure_backend (PisoApplication *self)
{
  if (self->manager != NULL)
    return;

  self->manager = piso_manager_new ();
  g_signal_connect_object (self->manager, "prompt", G_CALLBACK (piso_application_prompt_cb),
                           self, G_CONNECT_SWAPPED);
  self->settings = piso_settings_new ();
  g_signal_connect_object (self->settings, "notify::stats-interval",
                           G_CALLBACK (piso_application_stats_interval_cb), self,
                           G_CONNECT_SWAPPED);
}

/* The saved connections; the first time, the defaults, which are saved */
static GStrv
piso_application_dup_saved_uris (PisoApplication *self)
{
  if (!piso_settings_get_connections_initialized (self->settings))
    {
      g_auto(GStrv) defaults = piso_manager_get_default_uris ();

      piso_settings_set_connections (self->settings, (const char * const *)defaults);
      piso_settings_set_connections_initialized (self->settings, TRUE);
    }

  return piso_settings_dup_connections (self->settings);
}

static void
piso_application_open_saved_connections (PisoApplication *self)
{
  g_auto(GStrv) uris = NULL;

  g_assert (PISO_IS_APPLICATION (self));

  uris = piso_application_dup_saved_uris (self);
  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (piso_application_add_connection (self, uris[i], FALSE, &error) == NULL)
        piso_application_report (self, error->message);
    }
}

static void
piso_application_stats_interval_cb (PisoApplication *self)
{
  GListModel *connections = piso_manager_get_connections (self->manager);
  guint interval = piso_settings_get_stats_interval (self->settings);

  g_assert (PISO_IS_APPLICATION (self));

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (connections, i);

      piso_connection_set_stats_interval (connection, interval);
    }
}

/* ---- actions ---- */

static void
piso_application_quit_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  PisoApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing (not destroying) lets each window save its size */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
piso_application_about_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  PisoApplication *self = user_data;
  static const char *developers[] = { "The Piso contributors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Piso"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Piso contributors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("See, start and stop the virtual machines of this computer and of other hosts, through libvirt."),
                        "website", "https://github.com/pisovm/piso",
                        "issue-url", "https://github.com/pisovm/piso/issues",
                        "developers", developers,
                        /* Translators: your name and e-mail, one translator per line */
                        "translator-credits", _("translator-credits"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* Built when asked for and destroyed when closed, rather than GTK's help
 * overlay (gtk/help-overlay.ui), which GtkApplication builds at start and
 * keeps hidden: a hidden window last among the toplevels crashes GTK 4.8
 * when a screen reader asks for the application's child past the visible
 * ones (its AT-SPI root hands out the hidden window's missing path) */
static void
piso_application_shortcuts_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  PisoApplication *self = user_data;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *window;

  builder = gtk_builder_new_from_resource ("/io/github/pisovm/Piso/ui/piso-shortcuts-window.ui");
  window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (window, gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_set_hide_on_close (window, FALSE);
  gtk_window_present (window);
}

static void
piso_application_connection_chosen_cb (PisoApplication      *self,
                                       const char           *uri,
                                       PisoConnectionDialog *dialog)
{
  g_autoptr(GError) error = NULL;

  g_assert (PISO_IS_APPLICATION (self));

  if (piso_application_add_connection (self, uri, TRUE, &error) == NULL)
    piso_application_report (self, error->message);
}

static void
piso_application_add_connection_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  PisoApplication *self = user_data;
  GtkWidget *dialog = piso_connection_dialog_new ();

  gtk_window_set_transient_for (GTK_WINDOW (dialog),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  g_signal_connect_object (dialog, "connection-chosen",
                           G_CALLBACK (piso_application_connection_chosen_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
piso_application_remove_response_cb (GtkWidget       *alert,
                                     const char      *response,
                                     PisoApplication *self)
{
  const char *uri = g_object_get_data (G_OBJECT (alert), "piso-uri");

  if (g_strcmp0 (response, "remove") == 0)
    piso_application_remove_connection (self, uri);
}

static void
piso_application_remove_connection_action (GSimpleAction *action,
                                           GVariant      *parameter,
                                           gpointer       user_data)
{
  PisoApplication *self = user_data;
  const char *uri = g_variant_get_string (parameter, NULL);
  PisoConnection *connection = piso_manager_lookup (self->manager, uri);
  g_autofree char *body = NULL;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *alert;

  if (connection == NULL)
    return;

  body = g_strdup_printf (_("Piso will close the connection to “%s” (%s) and stop listing its "
                            "machines. Nothing on the host changes: its machines keep running."),
                          piso_connection_get_display_name (connection), uri);
  alert = piso_alert_new (_("Remove Connection?"), body);
  piso_alert_add_response (alert, "cancel", _("_Cancel"));
  piso_alert_add_response (alert, "remove", _("_Remove"));
  piso_alert_set_response_appearance (alert, "remove", ADW_RESPONSE_DESTRUCTIVE);
  piso_alert_set_default_response (alert, "cancel");
  piso_alert_set_close_response (alert, "cancel");
  g_object_set_data_full (G_OBJECT (alert), "piso-uri", g_strdup (uri), g_free);
  g_signal_connect_object (alert, "response",
                           G_CALLBACK (piso_application_remove_response_cb), self, 0);
  piso_alert_present (alert, window != NULL ? GTK_WIDGET (window) : NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", piso_application_quit_action },
  { "about", piso_application_about_action },
  { "shortcuts", piso_application_shortcuts_action },
  { "add-connection", piso_application_add_connection_action },
  { "remove-connection", piso_application_remove_connection_action, "s" },
};

/* ---- GApplication ---- */

static char *
piso_application_dup_demo_uri (GError **error)
{
  const char *env = g_getenv ("PISO_DEMO_FILE");
  g_autofree char *path = g_canonicalize_filename (env != NULL && *env ? env
                                                   : PKGDATADIR "/piso-demo.xml", NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("The demo file %s does not exist"), path);
      return NULL;
    }

  return g_strconcat ("test://", path, NULL);
}

/* Whether the command line chooses the connections (they then replace the
 * saved ones, even when a demo file is missing) */
static gboolean
piso_application_options_name_connections (GVariantDict *options)
{
  return g_variant_dict_contains (options, "connect") || g_variant_dict_contains (options, "demo");
}

/* The connections named on the command line (--connect, --demo), in order;
 * an empty list when there are none. */
static GStrv
piso_application_dup_option_uris (GVariantDict  *options,
                                  GError       **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) connect = NULL;

  if (g_variant_dict_lookup (options, "connect", "^as", &connect))
    g_strv_builder_addv (builder, (const char **)connect);
  if (g_variant_dict_contains (options, "demo"))
    {
      g_autofree char *demo_uri = piso_application_dup_demo_uri (error);

      if (demo_uri != NULL)
        g_strv_builder_add (builder, demo_uri);
    }

  return g_strv_builder_end (builder);
}

/* Runs before GTK starts up. Opening a connection needs no display, and
 * libvirt's first answer (a second with thousands of machines) is the
 * longest wait before the list shows, so local connections start opening
 * here and GTK starts meanwhile; command_line() adds the same URIs again and
 * gets these. Remote ones wait for command_line(): they may ask for a
 * password, and this process may yet hand its command line to a Piso that
 * is already running, and exit. */
static void
piso_application_open_local_early (PisoApplication *self,
                                   GVariantDict    *options)
{
  g_auto(GStrv) uris = NULL;

  piso_application_ensure_backend (self);

  uris = piso_application_options_name_connections (options)
         ? piso_application_dup_option_uris (options, NULL)
         : piso_application_dup_saved_uris (self);
  for (guint i = 0; uris[i] != NULL; i++)
    if (piso_connection_uri_is_local (uris[i]))
      piso_application_add_connection (self, uris[i], FALSE, NULL);
}

static int
piso_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  piso_application_open_local_early (PISO_APPLICATION (app), options);

  return G_APPLICATION_CLASS (piso_application_parent_class)->handle_local_options (app, options);
}

static int
piso_application_command_line (GApplication            *app,
                               GApplicationCommandLine *command_line)
{
  PisoApplication *self = PISO_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autoptr(GError) demo_error = NULL;
  g_auto(GStrv) uris = piso_application_dup_option_uris (options, &demo_error);
  int status = 0;

  if (demo_error != NULL)
    {
      g_application_command_line_printerr (command_line, "%s\n", demo_error->message);
      status = 1;
    }

  if (piso_application_options_name_connections (options))
    {
      /* Command-line connections replace the saved ones and are not saved */
      self->connections_opened = TRUE;
      for (guint i = 0; uris[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;

          if (piso_application_add_connection (self, uris[i], FALSE, &error) == NULL)
            {
              g_application_command_line_printerr (command_line, "%s\n", error->message);
              piso_application_report (self, error->message);
              status = 1;
            }
        }
    }
  else if (!self->connections_opened)
    {
      self->connections_opened = TRUE;
      piso_application_open_saved_connections (self);
    }

  /* The window after the connections have started opening in their worker
   * threads: building it overlaps with libvirt's work instead of delaying
   * it, and machines fill in as they come. */
  g_application_activate (app);

  return status;
}

static void
piso_application_activate (GApplication *app)
{
  PisoApplication *self = PISO_APPLICATION (app);
  PisoWindow *window = piso_application_get_window (self);

  if (window == NULL)
    window = piso_window_new (self);

  gtk_window_present (GTK_WINDOW (window));
}

static void
piso_application_startup (GApplication *app)
{
  PisoApplication *self = PISO_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *new_machine_accels[] = { "<Control>n", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (piso_application_parent_class)->startup (app);
  piso_a11y_init ();

  /* Not in init: "piso --version" needs neither */
  piso_application_ensure_backend (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-machine",
                                         new_machine_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts",
                                         shortcuts_accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
piso_application_dispose (GObject *object)
{
  PisoApplication *self = (PisoApplication *)object;

  g_clear_object (&self->manager);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (piso_application_parent_class)->dispose (object);
}

static void
piso_application_class_init (PisoApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = piso_application_dispose;

  app_class->handle_local_options = piso_application_handle_local_options;
  app_class->command_line = piso_application_command_line;
  app_class->activate = piso_application_activate;
  app_class->startup = piso_application_startup;

  /* The resources live in the static UI library; referencing them keeps
   * them (and their automatic registration) in every binary that links it.
   * Not a g_assert(): release builds compile those out, and the reference. */
  if (piso_get_resource () == NULL)
    g_error ("Piso's compiled resources are missing");
}

static void
piso_application_init (PisoApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Manage the virtual machines of libvirt hosts."));
}

PisoApplication *
piso_application_new (void)
{
  return g_object_new (PISO_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/pisovm/Piso",
                       NULL);
}

PisoManager *
piso_application_get_manager (PisoApplication *self)
{
  g_return_val_if_fail (PISO_IS_APPLICATION (self), NULL);

  return self->manager;
}

PisoSettings *
piso_application_get_settings (PisoApplication *self)
{
  g_return_val_if_fail (PISO_IS_APPLICATION (self), NULL);

  return self->settings;
}
