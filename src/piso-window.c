/* piso-window.c: the main window, machine list and details side by side
 *
 * The list is one GtkListView over a flat model: for each connection of the
 * manager, a PisoConnectionGroup lists the connection itself (its header
 * row) followed by its machines, filtered and sorted. All groups share one
 * filter and one sorter, owned by the window. The machines' models come
 * from the backend, which adds a connection's initial listing in a single
 * items-changed, so the first frame costs one sort per connection. The
 * list's sorting, filtering, search and rows are in piso-window-list.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-window"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-alert.h"
#include "piso-display-backdrop.h"
#include "piso-folder-chooser.h"
#include "piso-import-dialog.h"
#include "piso-new-machine-window.h"
#include "piso-spinner.h"
#include "piso-window-private.h"

/* Toast titles longer than this get a short title and a "Details" button */
#define TOAST_TITLE_MAX_CHARS 80

typedef struct
{
  PisoWindow     *window;
  PisoConnection *connection;
  GtkRevealer    *revealer;
  GtkLabel       *title_label;
  GtkLabel       *reason_label;
} Banner;

G_DEFINE_FINAL_TYPE (PisoWindow, piso_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SORT_BY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- new machine ---- */

/* Where a new machine goes: the selected row's connection when it is
 * connected, else the first connected one. */
static PisoConnection *
piso_window_new_machine_connection (PisoWindow *self)
{
  gpointer item = self->selection ? gtk_single_selection_get_selected_item (self->selection) : NULL;
  PisoConnection *connection = NULL;
  GListModel *connections;

  if (PISO_IS_MACHINE (item))
    connection = piso_machine_get_connection (item);
  else if (PISO_IS_CONNECTION (item))
    connection = item;
  if (connection != NULL &&
      piso_connection_get_state (connection) == PISO_CONNECTION_STATE_CONNECTED)
    return connection;

  if (self->manager == NULL)
    return NULL;
  connections = piso_manager_get_connections (self->manager);
  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(PisoConnection) candidate = g_list_model_get_item (connections, i);

      if (piso_connection_get_state (candidate) == PISO_CONNECTION_STATE_CONNECTED)
        return candidate;
    }

  return NULL;
}

static void
piso_window_update_new_machine (PisoWindow *self)
{
  gboolean connected = piso_window_new_machine_connection (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-machine", connected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-machine", connected);
}

static void
piso_window_show_pending_machine (PisoWindow *self)
{
  if (self->pending_machine == NULL || self->selection == NULL ||
      !_piso_window_select_item (self, self->pending_machine))
    return;

  /* Where a keyboard user goes on from: the new machine's row */
  _piso_window_focus_machine (self, self->pending_machine);
  g_clear_object (&self->pending_machine);
  /* The console helper's page action; nothing happens without it */
  gtk_widget_activate_action (GTK_WIDGET (self->machine_page), "machine.show-console", NULL);
}

void
piso_window_show_machine (PisoWindow  *self,
                          PisoMachine *machine)
{
  g_return_if_fail (PISO_IS_WINDOW (self));
  g_return_if_fail (PISO_IS_MACHINE (machine));

  /* A search could hide it */
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  g_set_object (&self->pending_machine, machine);
  /* A new machine may reach the list a little after its creation */
  piso_window_show_pending_machine (self);
}

static void
piso_window_stop_awaiting (PisoWindow *self)
{
  if (self->awaited_connection != NULL)
    g_clear_signal_handler (&self->awaited_handler,
                            piso_connection_get_machines (self->awaited_connection));
  g_clear_handle_id (&self->awaited_timeout, g_source_remove);
  g_clear_object (&self->awaited_connection);
  g_clear_pointer (&self->awaited_uuid, g_free);
}

static void
piso_window_awaited_changed_cb (PisoWindow *self)
{
  PisoMachine *machine = piso_connection_lookup_machine (self->awaited_connection,
                                                         self->awaited_uuid);

  if (machine == NULL)
    return;
  g_object_ref (machine);
  piso_window_stop_awaiting (self);
  piso_window_show_machine (self, machine);
  g_object_unref (machine);
}

static gboolean
piso_window_awaited_timeout_cb (gpointer user_data)
{
  PisoWindow *self = user_data;

  self->awaited_timeout = 0;
  piso_window_stop_awaiting (self);
  return G_SOURCE_REMOVE;
}

void
piso_window_show_machine_when_listed (PisoWindow     *self,
                                      PisoConnection *connection,
                                      const char     *uuid)
{
  g_return_if_fail (PISO_IS_WINDOW (self));
  g_return_if_fail (PISO_IS_CONNECTION (connection));
  g_return_if_fail (uuid != NULL);

  piso_window_stop_awaiting (self);
  self->awaited_connection = g_object_ref (connection);
  self->awaited_uuid = g_strdup (uuid);
  self->awaited_handler = g_signal_connect_swapped (piso_connection_get_machines (connection),
                                                    "items-changed",
                                                    G_CALLBACK (piso_window_awaited_changed_cb),
                                                    self);
  self->awaited_timeout = g_timeout_add_seconds (30, piso_window_awaited_timeout_cb, self);
  piso_window_awaited_changed_cb (self);
}

static void
piso_window_open_new_machine (PisoWindow *self,
                              GFile      *media)
{
  PisoConnection *connection = piso_window_new_machine_connection (self);
  GtkWidget *assistant;

  if (connection == NULL)
    {
      piso_window_show_toast (self, _("Connect to a host first: new machines are made on a "
                                      "connected host."));
      return;
    }

  assistant = piso_new_machine_window_new (GTK_WINDOW (self), connection);
  if (media != NULL)
    piso_new_machine_window_set_media (PISO_NEW_MACHINE_WINDOW (assistant), media);
  g_signal_connect_object (assistant, "machine-created",
                           G_CALLBACK (piso_window_show_machine), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
}

static void
piso_window_new_machine_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  piso_window_open_new_machine (PISO_WINDOW (widget), NULL);
}

/* ---- import ---- */

void
piso_window_import_bundle (PisoWindow *self,
                           GFile      *folder)
{
  PisoConnection *connection;

  g_return_if_fail (PISO_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));

  /* Where a new machine would go: the selected one's host */
  connection = piso_window_new_machine_connection (self);
  if (connection == NULL)
    {
      piso_window_show_toast (self, _("Connect to a host first: machines are imported into a "
                                      "connected host."));
      return;
    }
  gtk_window_present (GTK_WINDOW (piso_import_dialog_new (connection, folder, GTK_WIDGET (self))));
}

static void
piso_window_import_chosen_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(PisoWindow) self = user_data;
  g_autoptr(GFile) chosen = piso_folder_chooser_choose_finish (result);
  GSList files = { chosen, NULL };
  g_autoptr(GFile) bundle = chosen != NULL ? piso_import_dialog_find_bundle (&files) : NULL;

  if (bundle != NULL && gtk_widget_get_realized (GTK_WIDGET (self)))
    piso_window_import_bundle (self, bundle);
}

static void
piso_window_import_machine_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  g_autoptr(GtkFileFilter) filter = piso_import_dialog_new_filter ();

  piso_folder_chooser_choose_file_async (GTK_WINDOW (widget), _("Choose a Bundle or Appliance to Import"),
                                         _("_Import"), filter, NULL, piso_window_import_chosen_cb,
                                         g_object_ref (widget));
}

gboolean
_piso_window_drop_files (PisoWindow *self,
                         GSList     *files)
{
  g_autoptr(GFile) bundle = piso_import_dialog_find_bundle (files);
  GFile *file = files != NULL ? files->data : NULL;
  g_autofree char *name = file ? g_file_get_basename (file) : NULL;
  g_autofree char *lower = name ? g_ascii_strdown (name, -1) : NULL;

  g_return_val_if_fail (PISO_IS_WINDOW (self), FALSE);

  /* A machine's bundle, or an appliance (OVA, OVF), opens Import Machine with it */
  if (bundle != NULL)
    {
      piso_window_import_bundle (self, bundle);
      return TRUE;
    }
  if (lower == NULL || !(g_str_has_suffix (lower, ".iso") || g_str_has_suffix (lower, ".img")))
    {
      piso_window_show_toast (self, _("Drop an installer’s ISO or IMG file here to make a new "
                                      "machine from it, or a machine’s bundle or an appliance (OVA, "
                                      "OVF) to import it."));
      return FALSE;
    }

  piso_window_open_new_machine (self, file);
  return TRUE;
}

static gboolean
piso_window_drop_cb (PisoWindow    *self,
                     const GValue  *value,
                     double         x,
                     double         y,
                     GtkDropTarget *target)
{
  g_assert (PISO_IS_WINDOW (self));

  return _piso_window_drop_files (self, g_value_get_boxed (value));
}

/* ---- content pane ---- */

typedef struct
{
  guint    n_connections;
  guint    n_machines;
  gboolean any_connecting;
  gboolean any_connected;
} Census;

static void
piso_window_census (PisoWindow *self,
                    Census     *census)
{
  GListModel *connections = piso_manager_get_connections (self->manager);

  memset (census, 0, sizeof *census);
  census->n_connections = g_list_model_get_n_items (connections);
  for (guint i = 0; i < census->n_connections; i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (connections, i);
      PisoConnectionState state = piso_connection_get_state (connection);

      census->n_machines += g_list_model_get_n_items (piso_connection_get_machines (connection));
      if (state == PISO_CONNECTION_STATE_CONNECTING)
        census->any_connecting = TRUE;
      else if (state == PISO_CONNECTION_STATE_CONNECTED)
        census->any_connected = TRUE;
    }
}

/* What the empty state says depends on why there is nothing to list */
static void
piso_window_update_empty_page (PisoWindow   *self,
                               const Census *census)
{
  if (census->n_connections == 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Connections"));
      adw_status_page_set_description (self->empty_page,
                                       _("Add a connection to a libvirt host to see its "
                                         "virtual machines."));
    }
  else if (!census->any_connected)
    {
      adw_status_page_set_title (self->empty_page, _("Not Connected"));
      adw_status_page_set_description (self->empty_page,
                                       _("Piso could not reach libvirt. The reason is shown "
                                         "above the list, with a button to try again."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Virtual Machines"));
      adw_status_page_set_description (self->empty_page,
                                       _("Create a machine from an installer, a disk image or a "
                                         "download, or add a connection to another host."));
    }

  /* New machines need a connected host: there, New Machine leads and Add
   * Connection comes second; elsewhere a connection is what is missing. */
  gtk_widget_set_visible (GTK_WIDGET (self->empty_new_machine_button), census->any_connected);
  if (census->any_connected)
    gtk_widget_remove_css_class (GTK_WIDGET (self->empty_add_connection_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->empty_add_connection_button), "suggested-action");
}

static gboolean
piso_window_has_connection (PisoWindow     *self,
                            PisoConnection *connection)
{
  return connection != NULL && g_hash_table_contains (self->banners, connection);
}

/* The shared header of the pages other than the machine's (which has its
 * own): the connection's name and URI on its host page, else nothing */
static void
piso_window_set_host_title (PisoWindow     *self,
                            PisoConnection *connection)
{
  g_clear_pointer (&self->title_binding, g_binding_unbind);

  if (connection != NULL)
    self->title_binding = g_object_bind_property (connection, "display-name",
                                                  self->other_title, "title",
                                                  G_BINDING_SYNC_CREATE);
  else
    adw_window_title_set_title (self->other_title, NULL);
  adw_window_title_set_subtitle (self->other_title,
                                 connection != NULL ? piso_connection_get_uri (connection) : NULL);
}

static void
piso_window_update_content (PisoWindow *self)
{
  gpointer item = gtk_single_selection_get_selected_item (self->selection);
  const char *page = _piso_window_get_content_page (self);

  if (PISO_IS_MACHINE (item))
    {
      piso_machine_page_set_machine (self->machine_page, item);
      page = "machine";
    }
  else if (PISO_IS_CONNECTION (item))
    {
      piso_machine_page_set_machine (self->machine_page, NULL);
      if (self->host_page == NULL)
        {
          /* Created with its connection, so its buttons have their target
           * before they look for their action; and not at startup. */
          self->host_page = PISO_HOST_PAGE (piso_host_page_new ());
          piso_host_page_set_connection (self->host_page, item);
          adw_bin_set_child (self->host_bin, GTK_WIDGET (self->host_page));
          piso_window_set_host_title (self, item);
        }
      else if (piso_host_page_get_connection (self->host_page) != item)
        {
          piso_host_page_set_connection (self->host_page, item);
          piso_window_set_host_title (self, item);
        }
      page = "host";
    }
  else
    {
      Census census;

      piso_window_census (self, &census);
      if (census.n_machines == 0)
        {
          page = census.any_connecting ? "connecting" : "empty";
          piso_window_update_empty_page (self, &census);
        }
      else if (g_strcmp0 (page, "machine") == 0 &&
               piso_machine_page_get_machine (self->machine_page) != NULL)
        ; /* keep showing it (the page says when it vanished) */
      else if (g_strcmp0 (page, "host") == 0 && self->host_page != NULL &&
               piso_window_has_connection (self,
                                           piso_host_page_get_connection (self->host_page)))
        ; /* keep showing the host */
      else
        {
          page = "machine";
          piso_machine_page_set_machine (self->machine_page, NULL);
        }

      if (g_strcmp0 (page, "machine") != 0 && g_strcmp0 (page, "host") != 0)
        piso_machine_page_set_machine (self->machine_page, NULL);
    }

  /* Nothing hidden keeps a stale connection (and its host polling) alive */
  if (g_strcmp0 (page, "host") != 0)
    {
      if (self->host_page != NULL)
        piso_host_page_set_connection (self->host_page, NULL);
      piso_window_set_host_title (self, NULL);
    }

  piso_spinner_set_busy (self->connecting_spinner, g_strcmp0 (page, "connecting") == 0);
  if (g_strcmp0 (page, "machine") == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "machine");
  else
    {
      gtk_stack_set_visible_child_name (self->other_stack, page);
      gtk_stack_set_visible_child_name (self->content_stack, "other");
    }
  piso_window_update_new_machine (self);
}

static void
piso_window_after_paint_cb (PisoWindow    *self,
                            GdkFrameClock *clock)
{
  g_assert (PISO_IS_WINDOW (self));

  /* The marker benchmarks wait for (G_MESSAGES_DEBUG=piso-window) */
  g_debug ("First frame with machines drawn (%u rows)",
           g_list_model_get_n_items (G_LIST_MODEL (self->flat)));
  g_clear_signal_handler (&self->first_paint_handler, clock);
  self->first_paint_done = TRUE;
}

static void
piso_window_watch_first_paint (PisoWindow *self)
{
  GdkFrameClock *clock;
  guint n_connections;

  if (self->first_paint_done || self->first_paint_handler != 0 ||
      self->flat == NULL || self->manager == NULL)
    return;

  /* More rows than headers: some machine is in the list */
  n_connections = g_list_model_get_n_items (piso_manager_get_connections (self->manager));
  if (g_list_model_get_n_items (G_LIST_MODEL (self->flat)) <= n_connections)
    return;

  if ((clock = gtk_widget_get_frame_clock (GTK_WIDGET (self))) == NULL)
    return;

  self->first_paint_handler = g_signal_connect_object (clock, "after-paint",
                                                       G_CALLBACK (piso_window_after_paint_cb),
                                                       self, G_CONNECT_SWAPPED);
}

void
_piso_window_update_sidebar (PisoWindow *self)
{
  gboolean no_results = self->search_folded != NULL &&
                        g_list_model_get_n_items (G_LIST_MODEL (self->flat)) == 0;

  gtk_stack_set_visible_child_name (self->sidebar_stack, no_results ? "no-results" : "list");
  piso_window_watch_first_paint (self);
  piso_window_show_pending_machine (self);
}

static void
piso_window_selection_changed_cb (PisoWindow *self)
{
  g_assert (PISO_IS_WINDOW (self));

  piso_window_update_content (self);

  if (gtk_single_selection_get_selected_item (self->selection) != NULL &&
      adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
piso_window_list_activate_cb (PisoWindow  *self,
                              guint        position,
                              GtkListView *list_view)
{
  g_assert (PISO_IS_WINDOW (self));

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
piso_window_leaflet_changed_cb (PisoWindow *self)
{
  g_assert (PISO_IS_WINDOW (self));

  /* Back on the list of a folded window: the same row can be chosen again */
  if (adw_leaflet_get_folded (self->leaflet) &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "sidebar") == 0)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static void
piso_window_back_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  adw_leaflet_navigate (PISO_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* ---- banners ---- */

static void
banner_update (Banner *banner)
{
  PisoConnectionState state = piso_connection_get_state (banner->connection);
  const char *name = piso_connection_get_display_name (banner->connection);
  const char *reason = piso_connection_get_error_message (banner->connection);
  g_autofree char *title = NULL;

  if (state == PISO_CONNECTION_STATE_FAILED)
    /* Translators: %s is a connection's name, e.g. "QEMU/KVM" */
    title = g_strdup_printf (_("Could not connect to %s"), name);
  else if (state == PISO_CONNECTION_STATE_RECONNECTING)
    /* Translators: %s is a connection's name, e.g. "QEMU/KVM" */
    title = g_strdup_printf (_("Connection to %s lost, reconnecting…"), name);

  if (title != NULL)
    {
      gtk_label_set_text (banner->title_label, title);
      gtk_label_set_text (banner->reason_label, reason ? reason : "");
      gtk_widget_set_visible (GTK_WIDGET (banner->reason_label), reason != NULL && *reason);
    }
  gtk_revealer_set_reveal_child (banner->revealer, title != NULL);
}

static void
banner_retry_cb (GtkButton *button,
                 Banner    *banner)
{
  piso_connection_retry (banner->connection);
}

static void
piso_window_connection_notify_cb (PisoWindow     *self,
                                  GParamSpec     *pspec,
                                  PisoConnection *connection)
{
  Banner *banner;

  g_assert (PISO_IS_WINDOW (self));

  if ((banner = g_hash_table_lookup (self->banners, connection)) != NULL &&
      (g_str_equal (pspec->name, "state") ||
       g_str_equal (pspec->name, "error-message") ||
       g_str_equal (pspec->name, "display-name")))
    banner_update (banner);

  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "n-machines"))
    piso_window_update_content (self);
}

static Banner *
banner_new (PisoWindow     *self,
            PisoConnection *connection)
{
  Banner *banner = g_new0 (Banner, 1);
  GtkWidget *box, *labels, *button;

  banner->window = self;
  banner->connection = g_object_ref (connection);

  banner->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (banner->title_label, TRUE);
  /* Wrapping labels ask for their whole text's width: keep the sidebar narrow */
  gtk_label_set_max_width_chars (banner->title_label, 20);
  gtk_label_set_xalign (banner->title_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (banner->title_label), "heading");

  banner->reason_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (banner->reason_label, TRUE);
  gtk_label_set_wrap_mode (banner->reason_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (banner->reason_label, 20);
  gtk_label_set_xalign (banner->reason_label, 0);
  gtk_label_set_selectable (banner->reason_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (banner->reason_label), "caption");

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (banner->title_label));
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (banner->reason_label));

  button = gtk_button_new_with_mnemonic (_("_Retry"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Try to connect again now"));
  g_signal_connect (button, "clicked", G_CALLBACK (banner_retry_cb), banner);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (box, "piso-banner");
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), button);

  banner->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (banner->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_revealer_set_child (banner->revealer, box);
  gtk_box_append (self->banners_box, GTK_WIDGET (banner->revealer));

  g_signal_connect_swapped (connection, "notify",
                            G_CALLBACK (piso_window_connection_notify_cb), self);
  banner_update (banner);

  return banner;
}

static void
banner_free (gpointer data)
{
  Banner *banner = data;

  g_signal_handlers_disconnect_by_func (banner->connection,
                                        piso_window_connection_notify_cb, banner->window);
  if (gtk_widget_get_parent (GTK_WIDGET (banner->revealer)) != NULL)
    gtk_box_remove (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (banner->revealer))),
                    GTK_WIDGET (banner->revealer));
  g_clear_object (&banner->connection);
  g_free (banner);
}

static void
piso_window_connections_changed_cb (PisoWindow *self)
{
  GListModel *connections = piso_manager_get_connections (self->manager);
  guint n_connections = g_list_model_get_n_items (connections);
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  g_assert (PISO_IS_WINDOW (self));

  for (guint i = 0; i < n_connections; i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (connections, i);

      g_hash_table_add (present, connection);
      if (!g_hash_table_contains (self->banners, connection))
        g_hash_table_insert (self->banners, g_object_ref (connection),
                             banner_new (self, connection));
    }

  g_hash_table_iter_init (&iter, self->banners);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (present, key))
      g_hash_table_iter_remove (&iter);

  piso_window_update_content (self);
}

/* ---- toasts ---- */

static void
piso_window_toast_details_cb (PisoWindow *self,
                              AdwToast   *toast)
{
  const char *message = g_object_get_data (G_OBJECT (toast), "piso-message");
  const char *heading = g_object_get_data (G_OBJECT (toast), "piso-heading");
  GtkWidget *alert;

  g_assert (PISO_IS_WINDOW (self));

  alert = piso_alert_new (heading, message);
  piso_alert_add_response (alert, "close", _("_Close"));
  piso_alert_present (alert, GTK_WIDGET (self));
}

/* Shows @toast (taking it), remembered for tests as the last one */
static void
piso_window_add_toast (PisoWindow *self,
                       AdwToast   *toast,
                       const char *message)
{
  g_set_object (&self->last_toast, toast);
  g_free (self->last_toast_message);
  self->last_toast_message = g_strdup (message);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
#if !ADW_CHECK_VERSION (1, 6, 0)
  /* libadwaita before 1.6 shows a toast without telling screen readers;
   * from 1.6 on the overlay announces it itself, and a second announcement
   * here would have it read twice */
  _piso_window_announce (self, message);
#endif
}

void
piso_window_show_toast (PisoWindow *self,
                        const char *message)
{
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *markup = NULL;
  gboolean long_message;

  g_return_if_fail (PISO_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  /* Backend messages read "Could not start “web”: libvirt's reason". A
   * toast is one line: a long one keeps its first part as title and the
   * whole text behind "Details". */
  long_message = g_utf8_strlen (message, -1) > TOAST_TITLE_MAX_CHARS;
  if (long_message)
    {
      const char *colon = strstr (message, ": ");

      if (colon != NULL && g_utf8_strlen (message, colon - message) <= TOAST_TITLE_MAX_CHARS)
        heading = g_strndup (message, colon - message);
      else
        heading = g_strdup (_("The action failed"));
    }
  else
    heading = g_strdup (message);

  /* Toast titles are markup: libvirt's text must not be parsed as such */
  markup = g_markup_escape_text (heading, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 8);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);

  if (long_message)
    {
      g_object_set_data_full (G_OBJECT (toast), "piso-message", g_strdup (message), g_free);
      g_object_set_data_full (G_OBJECT (toast), "piso-heading", g_strdup (heading), g_free);
      adw_toast_set_button_label (toast, _("_Details"));
      g_signal_connect_object (toast, "button-clicked",
                               G_CALLBACK (piso_window_toast_details_cb), self,
                               G_CONNECT_SWAPPED);
    }

  piso_window_add_toast (self, g_steal_pointer (&toast), message);
}

static void
piso_window_open_folder_cb (PisoWindow *self,
                            AdwToast   *toast)
{
  GFile *folder = g_object_get_data (G_OBJECT (toast), "piso-folder");
  g_autofree char *uri = g_file_get_uri (folder);

  g_assert (PISO_IS_WINDOW (self));

  /* The file manager's D-Bus activation or the desktop's default handler */
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

void
piso_window_show_folder_toast (PisoWindow *self,
                               const char *message,
                               GFile      *folder)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (PISO_IS_WINDOW (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (G_IS_FILE (folder));

  markup = g_markup_escape_text (message, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 8);
  g_object_set_data_full (G_OBJECT (toast), "piso-folder", g_object_ref (folder), g_object_unref);
  adw_toast_set_button_label (toast, _("_Open Folder"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (piso_window_open_folder_cb),
                           self, G_CONNECT_SWAPPED);
  piso_window_add_toast (self, toast, message);
}

void
_piso_window_announce (PisoWindow *self,
                       const char *message)
{
  g_return_if_fail (PISO_IS_WINDOW (self));

  gtk_label_set_label (self->live_label, message);
  piso_a11y_announce (GTK_WIDGET (self->live_label), message);
}

static void
piso_window_announce_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  _piso_window_announce (PISO_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
piso_window_toast_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  piso_window_show_toast (PISO_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* ---- GObject ---- */

static gboolean
piso_window_close_request (GtkWindow *window)
{
  PisoWindow *self = PISO_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  if (self->settings != NULL)
    piso_settings_set_window_size (self->settings, width, height,
                                   gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (piso_window_parent_class)->close_request (window);
}

/* The manager and settings come from the application, which GObject sets
 * after construction: the list is built when it arrives. */
static void
piso_window_application_cb (PisoWindow *self)
{
  GtkApplication *app;
  GListModel *connections;
  GtkMapListModel *map;
  GtkListItemFactory *factory;
  int width, height;
  gboolean maximized;

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (self->manager != NULL || app == NULL)
    return;
  g_return_if_fail (PISO_IS_APPLICATION (app));

  self->manager = g_object_ref (piso_application_get_manager (PISO_APPLICATION (app)));
  self->settings = g_object_ref (piso_application_get_settings (PISO_APPLICATION (app)));

  piso_settings_get_window_size (self->settings, &width, &height, &maximized);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (maximized)
    gtk_window_maximize (GTK_WINDOW (self));

  _piso_window_sort_by_changed_cb (self);
  g_signal_connect_object (self->settings, "notify::sort-by",
                           G_CALLBACK (_piso_window_sort_by_changed_cb), self,
                           G_CONNECT_SWAPPED);

  /* connections → [header + machines] per connection → one flat list */
  connections = piso_manager_get_connections (self->manager);
  piso_machine_page_set_connections (self->machine_page, connections);
  map = gtk_map_list_model_new (g_object_ref (connections),
                                _piso_window_map_connection, self, NULL);
  self->flat = gtk_flatten_list_model_new (G_LIST_MODEL (map));
  self->stager = piso_list_stager_new (G_LIST_MODEL (self->flat), GTK_WIDGET (self->list_view));
  self->selection = gtk_single_selection_new (g_object_ref (piso_list_stager_get_model (self->stager)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (piso_window_selection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flat, "items-changed",
                           G_CALLBACK (_piso_window_update_sidebar), self,
                           G_CONNECT_SWAPPED);

  factory = _piso_window_list_new_factory (self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  piso_a11y_list_tab_leaves (self->list_view);

  g_signal_connect_object (connections, "items-changed",
                           G_CALLBACK (piso_window_connections_changed_cb), self,
                           G_CONNECT_SWAPPED);
  piso_window_connections_changed_cb (self);
}

static void
piso_window_dispose (GObject *object)
{
  PisoWindow *self = (PisoWindow *)object;

  g_clear_handle_id (&self->resort_source, g_source_remove);
  g_clear_handle_id (&self->refilter_source, g_source_remove);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (piso_manager_get_connections (self->manager), self);
  g_clear_object (&self->selection);
  g_clear_object (&self->stager);
  g_clear_object (&self->flat);
  g_clear_pointer (&self->banners, g_hash_table_unref);
  g_clear_pointer (&self->title_binding, g_binding_unbind);

  /* Groups still referenced elsewhere must not call back into us */
  if (self->watcher != NULL)
    piso_machine_watcher_detach (self->watcher);
  g_clear_pointer (&self->watcher, piso_machine_watcher_unref);
  if (self->filter != NULL)
    gtk_custom_filter_set_filter_func (self->filter, NULL, NULL, NULL);
  if (self->sorter != NULL)
    gtk_custom_sorter_set_sort_func (self->sorter, NULL, NULL, NULL);
  g_clear_object (&self->filter);
  g_clear_object (&self->sorter);

  g_clear_object (&self->last_toast);
  g_clear_object (&self->pending_machine);
  piso_window_stop_awaiting (self);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_WINDOW);

  G_OBJECT_CLASS (piso_window_parent_class)->dispose (object);
}

static void
piso_window_finalize (GObject *object)
{
  PisoWindow *self = (PisoWindow *)object;

  g_clear_pointer (&self->search_folded, g_free);
  g_clear_pointer (&self->last_toast_message, g_free);

  G_OBJECT_CLASS (piso_window_parent_class)->finalize (object);
}

static void
piso_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PisoWindow *self = PISO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SORT_BY:
      g_value_set_string (value, _piso_window_get_sort_by (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PisoWindow *self = PISO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SORT_BY:
      _piso_window_set_sort_by (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_window_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  piso_display_backdrop_snapshot (widget, snapshot,
                                  GTK_WIDGET_CLASS (piso_window_parent_class)->snapshot);
}

static void
piso_window_class_init (PisoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = piso_window_dispose;
  object_class->finalize = piso_window_finalize;
  object_class->get_property = piso_window_get_property;
  object_class->set_property = piso_window_set_property;

  /* "name" or "state", stored in the settings */
  properties[PROP_SORT_BY] =
    g_param_spec_string ("sort-by", NULL, NULL, "name",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  window_class->close_request = piso_window_close_request;
  widget_class->snapshot = piso_window_snapshot;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, banners_box);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, live_label);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, empty_add_connection_button);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, empty_new_machine_button);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, host_bin);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, machine_page);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, other_stack);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, other_title);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, PisoWindow, toast_overlay);

  gtk_widget_class_bind_template_callback (widget_class, piso_window_leaflet_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_window_list_activate_cb);

  gtk_widget_class_install_action (widget_class, "win.toast", "s", piso_window_toast_action);
  gtk_widget_class_install_action (widget_class, "win.announce", "s", piso_window_announce_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, piso_window_back_action);
  gtk_widget_class_install_action (widget_class, "win.new-machine", NULL,
                                   piso_window_new_machine_action);
  gtk_widget_class_install_action (widget_class, "win.import-machine", NULL,
                                   piso_window_import_machine_action);
  _piso_window_list_class_init (widget_class);

  g_type_ensure (PISO_TYPE_HOST_PAGE);
  g_type_ensure (PISO_TYPE_MACHINE_PAGE);
}

static void
piso_window_init (PisoWindow *self)
{
  GtkDropTarget *drop_target;

  gtk_widget_init_template (GTK_WIDGET (self));
  piso_display_backdrop_attach (GTK_WINDOW (self));

  _piso_window_list_init (self);
  self->banners = g_hash_table_new_full (NULL, NULL, g_object_unref, banner_free);

  g_signal_connect (self, "notify::application", G_CALLBACK (piso_window_application_cb), NULL);

  /* An installer ISO dropped on the window opens New Machine with it, a
   * bundle Import Machine */
  drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop_target, "drop", G_CALLBACK (piso_window_drop_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop_target));
  piso_window_update_new_machine (self);
  g_signal_connect (self, "map", G_CALLBACK (piso_window_watch_first_paint), NULL);
}

PisoWindow *
piso_window_new (PisoApplication *application)
{
  g_return_val_if_fail (PISO_IS_APPLICATION (application), NULL);

  return g_object_new (PISO_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/* ---- for tests ---- */

GtkSelectionModel *
_piso_window_get_list_model (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

GtkListView *
_piso_window_get_list_view (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return self->list_view;
}

GtkEditable *
_piso_window_get_search_entry (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}

const char *
_piso_window_get_content_page (PisoWindow *self)
{
  const char *page;

  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  page = gtk_stack_get_visible_child_name (self->content_stack);
  if (g_strcmp0 (page, "other") == 0)
    page = gtk_stack_get_visible_child_name (self->other_stack);
  return page;
}

GtkWidget *
_piso_window_get_machine_page (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->machine_page);
}

GtkWidget *
_piso_window_get_host_page (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->host_page);
}

AdwToast *
_piso_window_get_last_toast (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return self->last_toast;
}

const char *
_piso_window_get_last_toast_message (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return self->last_toast_message;
}

GtkRevealer *
_piso_window_get_banner (PisoWindow     *self,
                         PisoConnection *connection)
{
  Banner *banner;

  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  banner = g_hash_table_lookup (self->banners, connection);
  return banner != NULL ? banner->revealer : NULL;
}

gboolean
_piso_window_get_folded (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), FALSE);

  return adw_leaflet_get_folded (self->leaflet);
}

gboolean
_piso_window_select_item (PisoWindow *self,
                          gpointer    item)
{
  guint n_items;

  g_return_val_if_fail (PISO_IS_WINDOW (self), FALSE);

  if (self->stager != NULL)
    piso_list_stager_reveal_all (self->stager);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GObject) candidate = g_list_model_get_item (G_LIST_MODEL (self->selection), i);

      if (candidate == item)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }

  return FALSE;
}
