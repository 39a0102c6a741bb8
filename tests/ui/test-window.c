/* test-window.c: the main window under Xvfb — list, filter, sort, actions,
 * toasts, empty state, connection banner, folding — with screenshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test-window"

#include "config.h"

#include "piso-alert.h"
#include "piso-application.h"
#include <math.h>

#include "piso-connection-dialog.h"
#include "piso-format.h"
#include "piso-graph.h"
#include "piso-machine-controls.h"
#include "piso-machine-page.h"
#include "piso-machine-row.h"
#include "piso-connection-header.h"
#include "piso-settings.h"
#include "piso-spinner.h"
#include "piso-a11y.h"
#include "piso-a11y.h"
#include "piso-window-private.h"
#include "piso-ui-test-utils.h"

#define N_MACHINES 40

typedef struct
{
  PisoApplication *app;
  PisoWindow      *window;
  PisoConnection  *connection;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GSettings *settings;

  if (!piso_ui_test_skip_unless_display ())
    return;

  f->app = piso_ui_test_new_application ();

  /* The memory settings backend lives as long as the process: start clean */
  settings = piso_settings_get_gsettings (piso_application_get_settings (f->app));
  g_settings_reset (settings, PISO_SETTING_SORT_BY);
  g_settings_reset (settings, PISO_SETTING_WINDOW_WIDTH);
  g_settings_reset (settings, PISO_SETTING_WINDOW_HEIGHT);
  g_settings_reset (settings, PISO_SETTING_CONNECTIONS);

  f->window = piso_ui_test_present_window (f->app, 1100, 720);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->app == NULL)
    return;

  g_clear_object (&f->connection);
  gtk_window_destroy (GTK_WINDOW (f->window));
  piso_test_spin (50);
  g_clear_object (&f->app);
}

static void
fixture_open (Fixture *f,
              guint    n_machines)
{
  g_autofree char *uri = piso_ui_test_write_node_file (n_machines);
  g_autoptr(GError) error = NULL;

  f->connection = piso_application_add_connection (f->app, uri, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->connection);
  g_object_ref (f->connection);

  piso_ui_test_wait_machines (f->connection, n_machines, "the machines of the fixture");
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 2000);
}

static guint
list_n_items (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (_piso_window_get_list_model (f->window)));
}

typedef struct
{
  Fixture *f;
  guint    n_items;
} CountCheck;

static gboolean
list_has_n_items (gpointer user_data)
{
  CountCheck *check = user_data;

  return list_n_items (check->f) == check->n_items;
}

static void
wait_list_n_items (Fixture *f,
                   guint    n_items)
{
  CountCheck check = { f, n_items };
  g_autofree char *what = g_strdup_printf ("%u items in the list", n_items);

  piso_test_wait_until (list_has_n_items, &check, 10, what);
}

static gpointer
list_get_item (Fixture *f,
               guint    position)
{
  return g_list_model_get_item (G_LIST_MODEL (_piso_window_get_list_model (f->window)), position);
}

typedef struct
{
  Fixture     *f;
  PisoMachine *machine;
  guint        after;
} PositionCheck;

/* Whether the machine is listed below position @after */
static gboolean
list_has_machine_after (gpointer user_data)
{
  PositionCheck *check = user_data;

  for (guint i = check->after + 1; i < list_n_items (check->f); i++)
    {
      g_autoptr(GObject) item = list_get_item (check->f, i);

      if (item == (GObject *) check->machine)
        return TRUE;
    }
  return FALSE;
}

static PisoMachine *
find_machine (Fixture    *f,
              const char *name)
{
  PisoMachine *machine = piso_connection_lookup_machine_by_name (f->connection, name);

  g_assert_nonnull (machine);
  return machine;
}

/* The rows the list view shows, top to bottom: (y, widget) */
typedef struct
{
  double     y;
  GtkWidget *child;
} ShownRow;

static int
shown_row_compare (gconstpointer a,
                   gconstpointer b)
{
  const ShownRow *ra = a, *rb = b;

  return ra->y < rb->y ? -1 : ra->y > rb->y ? 1 : 0;
}

static GArray *
collect_shown_rows (Fixture *f)
{
  GtkWidget *list_view = GTK_WIDGET (_piso_window_get_list_view (f->window));
  GtkWidget *viewport = gtk_widget_get_parent (list_view);
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (ShownRow));
  int viewport_height = gtk_widget_get_height (viewport);

  for (GtkWidget *item = gtk_widget_get_first_child (list_view);
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *child = gtk_widget_get_first_child (item);
      graphene_point_t point;

      if (child == NULL || !gtk_widget_get_child_visible (item) || !gtk_widget_get_mapped (item))
        continue;
      if (!PISO_IS_MACHINE_ROW (child) && !PISO_IS_CONNECTION_HEADER (child))
        continue;
      if (!gtk_widget_compute_point (item, viewport, &GRAPHENE_POINT_INIT (0, 0), &point))
        continue;
      if (point.y < 0 || point.y >= viewport_height)
        continue;

      g_array_append_val (rows, ((ShownRow) { point.y, child }));
    }

  g_array_sort (rows, shown_row_compare);
  return rows;
}

static void
assert_shown_rows_match_model (Fixture *f)
{
  g_autoptr(GArray) rows = collect_shown_rows (f);

  /* A 720 px window shows well over ten rows */
  g_assert_cmpuint (rows->len, >=, 10);

  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *child = g_array_index (rows, ShownRow, i).child;
      g_autoptr(GObject) item = list_get_item (f, i);

      if (PISO_IS_MACHINE (item))
        {
          g_assert_true (PISO_IS_MACHINE_ROW (child));
          g_assert_true (piso_machine_row_get_machine (PISO_MACHINE_ROW (child)) ==
                         PISO_MACHINE (item));
          g_assert_true (piso_ui_test_has_label (child,
                                                 piso_machine_get_display_name (PISO_MACHINE (item))));
        }
      else
        {
          g_assert_true (PISO_IS_CONNECTION (item));
          g_assert_true (PISO_IS_CONNECTION_HEADER (child));
          g_assert_true (piso_ui_test_has_label (child,
                                                 piso_connection_get_display_name (PISO_CONNECTION (item))));
        }
    }
}

/* ---- the list ---- */

static void
test_window_list (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GObject) first = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(GString) previous = NULL;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);

  /* N machines and the connection's header */
  wait_list_n_items (f, N_MACHINES + 1);
  first = list_get_item (f, 0);
  g_assert_true (PISO_IS_CONNECTION (first));
  g_assert_true ((gpointer) first == (gpointer) f->connection);

  /* Sorted by name, naturally ("build-03" < "db-02" < … < "web-37") */
  for (guint i = 1; i <= N_MACHINES; i++)
    {
      g_autoptr(PisoMachine) machine = list_get_item (f, i);
      g_autofree char *key = NULL;

      g_assert_true (PISO_IS_MACHINE (machine));
      key = g_utf8_collate_key_for_filename (piso_machine_get_display_name (machine), -1);
      if (previous != NULL)
        g_assert_cmpstr (previous->str, <=, key);
      else
        previous = g_string_new (NULL);
      g_string_assign (previous, key);
    }

  /* The realized rows show the model's items in order */
  assert_shown_rows_match_model (f);

  /* Nothing selected yet: the details pane invites to choose */
  g_assert_cmpstr (_piso_window_get_content_page (f->window), ==, "machine");
  g_assert_null (piso_machine_page_get_machine (PISO_MACHINE_PAGE (_piso_window_get_machine_page (f->window))));

  shot = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-populated");
}

/* ---- a long list comes a screenful first ---- */

#define N_STAGED 300

typedef struct
{
  Fixture     *f;
  guint        first_count;    /* list items when the first machine rows were drawn */
  guint        first_rows;     /* row widgets the list view had made then */
  gboolean     selected;       /* choosing a machine not yet shown worked */
  guint        count_after;    /* list items right after that */
  PisoMachine *chosen;
} StagedCheck;

static void
staged_after_paint_cb (GdkFrameClock *clock,
                       StagedCheck   *check)
{
  Fixture *f = check->f;
  guint n = list_n_items (f);
  GListModel *machines;

  if (check->first_count != 0 || f->connection == NULL || n <= 1)
    return;
  check->first_count = n;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (_piso_window_get_list_view (f->window)));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    check->first_rows++;

  /* A machine the list does not show yet: selecting it shows everything */
  machines = piso_connection_get_machines (f->connection);
  for (guint i = 0; i < g_list_model_get_n_items (machines) && check->chosen == NULL; i++)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (machines, i);
      gboolean listed = FALSE;

      for (guint j = 0; j < n && !listed; j++)
        {
          g_autoptr(GObject) item = list_get_item (f, j);

          listed = item == (GObject *) machine;
        }
      if (!listed)
        check->chosen = g_steal_pointer (&machine);
    }
  if (check->chosen != NULL)
    check->selected = _piso_window_select_item (f->window, check->chosen);
  check->count_after = list_n_items (f);
}

static void
test_window_staged_list (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  StagedCheck check = { f };
  GdkFrameClock *clock;
  GtkSelectionModel *selection;
  gulong handler;
  guint screenful;

  if (f->app == NULL)
    return;

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (staged_after_paint_cb), &check);

  uri = piso_ui_test_write_node_file (N_STAGED);
  f->connection = g_object_ref (piso_application_add_connection (f->app, uri, FALSE, &error));
  g_assert_no_error (error);
  piso_ui_test_wait_machines (f->connection, N_STAGED, "the machines of the fixture");
  wait_list_n_items (f, N_STAGED + 1);
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 2000);
  g_signal_handler_disconnect (clock, handler);

  /* The first frame with machines had a screenful of rows (the window is
   * 720 px high, a row at least 40 px), not the 200 GTK would make for the
   * whole list at once (4.8 and 4.18 alike) */
  screenful = 720 / 40 + 1;
  g_test_message ("GTK %u.%u, first frame with machines: %u list items, %u row widgets",
                  gtk_get_major_version (), gtk_get_minor_version (),
                  check.first_count, check.first_rows);
  g_assert_cmpuint (check.first_count, >, 1);
  g_assert_cmpuint (check.first_count, <=, screenful + 1);
  g_assert_cmpuint (check.first_count, >=, 720 / 60);
  g_assert_cmpuint (check.first_rows, >=, 720 / 60);
  g_assert_cmpuint (check.first_rows, <=, screenful + 1);

  /* Choosing a machine further down at once shows the whole list */
  g_assert_nonnull (check.chosen);
  g_assert_true (check.selected);
  g_assert_cmpuint (check.count_after, ==, N_STAGED + 1);
  selection = _piso_window_get_list_model (f->window);
  g_assert_true (gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (selection)) ==
                 (gpointer) check.chosen);
  g_clear_object (&check.chosen);

  /* And the top of the list is right */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection), GTK_INVALID_LIST_POSITION);
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (_piso_window_get_list_view (f->window))), 0);
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 3, 2000);
  assert_shown_rows_match_model (f);
}

static void
test_window_filter (Fixture       *f,
                    gconstpointer  data)
{
  GtkEditable *entry;
  g_autofree char *shot = NULL;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);
  wait_list_n_items (f, N_MACHINES + 1);

  /* Ctrl+F's action opens the search bar */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL));
  entry = _piso_window_get_search_entry (f->window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (entry)) ||
                 gtk_widget_get_visible (GTK_WIDGET (entry)));

  /* "web" names 10 of 40 (1, 5, 9, …, 37): header + 10 */
  gtk_editable_set_text (entry, "web");
  wait_list_n_items (f, 1 + 10);
  for (guint i = 1; i <= 10; i++)
    {
      g_autoptr(PisoMachine) machine = list_get_item (f, i);

      g_assert_true (g_str_has_prefix (piso_machine_get_name (machine), "web-"));
    }
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 1000);
  shot = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-filtered");

  /* Case-insensitive, and titles count too */
  gtk_editable_set_text (entry, "ACCOUNTING");
  wait_list_n_items (f, 1 + 1);
  {
    g_autoptr(PisoMachine) machine = list_get_item (f, 1);

    g_assert_cmpstr (piso_machine_get_name (machine), ==, "build-07");
  }

  /* Narrower text, then no match at all: the header goes too */
  gtk_editable_set_text (entry, "web-0");
  wait_list_n_items (f, 1 + 3);   /* web-01, web-05, web-09 */
  gtk_editable_set_text (entry, "no such machine");
  wait_list_n_items (f, 0);

  /* Escape / closing the search shows everything again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL));
  wait_list_n_items (f, N_MACHINES + 1);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
}

static void
test_window_sort_by_state (Fixture       *f,
                           gconstpointer  data)
{
  PisoSettings *settings;
  int previous_rank = 0;
  guint n_running = 0;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);
  wait_list_n_items (f, N_MACHINES + 1);

  settings = piso_application_get_settings (f->app);
  piso_settings_set_sort_by (settings, PISO_SORT_BY_STATE);
  piso_test_spin (50);

  /* Running first, then paused, then off */
  for (guint i = 1; i <= N_MACHINES; i++)
    {
      g_autoptr(PisoMachine) machine = list_get_item (f, i);
      PisoMachineState state = piso_machine_get_state (machine);
      int rank = state == PISO_MACHINE_STATE_RUNNING ? 0 :
                 state == PISO_MACHINE_STATE_PAUSED ? 1 : 2;

      g_assert_cmpint (rank, >=, previous_rank);
      previous_rank = rank;
      if (rank == 0)
        n_running++;
    }
  g_assert_cmpuint (n_running, ==, 26);
  {
    g_autoptr(PisoMachine) first = list_get_item (f, 1);

    g_assert_cmpint (piso_machine_get_state (first), ==, PISO_MACHINE_STATE_RUNNING);
  }

  /* A machine that stops moves down to the others that are off */
  {
    PisoMachine *machine = find_machine (f, "db-02");
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PisoMachine) last = NULL;

    piso_machine_force_off_async (machine, NULL, piso_test_store_result_cb, &result);
    piso_test_wait_result (&result, 10);
    g_assert_true (piso_machine_force_off_finish (machine, result, &error));
    g_assert_no_error (error);
    piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 10);

    /* Off machines sorted by name: "build-04" < "db-02" … (the list is
     * sorted again on the main loop after the state's change) */
    piso_test_wait_until (list_has_machine_after, &(PositionCheck) { f, machine, 26 }, 10,
                          "db-02 among the machines that are off");
    last = list_get_item (f, N_MACHINES);
    g_assert_cmpint (piso_machine_get_state (last), ==, PISO_MACHINE_STATE_SHUTOFF);
  }

  /* And back by name: titles count ("Accounting Server" is build-07) */
  piso_settings_set_sort_by (settings, PISO_SORT_BY_NAME);
  piso_test_spin (50);
  {
    g_autoptr(PisoMachine) first = list_get_item (f, 1);
    g_autoptr(PisoMachine) second = list_get_item (f, 2);

    g_assert_cmpstr (piso_machine_get_display_name (first), ==, "Accounting Server");
    g_assert_cmpstr (piso_machine_get_name (second), ==, "build-03");
  }
}

/* ---- actions on the machine page ---- */

typedef struct
{
  GtkWidget  *page;
  const char *action_name;
} PrimaryCheck;

/* The header's primary button runs @action_name and can be clicked */
static gboolean
primary_is (gpointer user_data)
{
  PrimaryCheck *check = user_data;
  GtkWidget *controls = piso_ui_test_find_descendant (check->page, PISO_TYPE_MACHINE_CONTROLS);
  GtkWidget *button = piso_ui_test_find_actionable (controls, check->action_name);

  return gtk_widget_get_mapped (controls) &&
         g_strcmp0 (piso_machine_controls_get_primary_action (PISO_MACHINE_CONTROLS (controls)),
                    check->action_name) == 0 &&
         button != NULL && gtk_widget_is_sensitive (button);
}

static void
wait_primary (GtkWidget  *page,
              const char *action_name)
{
  PrimaryCheck check = { page, action_name };

  piso_test_wait_until (primary_is, &check, 10, action_name);
}

static void
test_window_actions (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *page;
  PisoMachine *machine;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shot = NULL;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);
  wait_list_n_items (f, N_MACHINES + 1);
  page = _piso_window_get_machine_page (f->window);

  /* A running machine: its header offers Shut Down */
  machine = find_machine (f, "db-02");
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_RUNNING);
  g_assert_true (_piso_window_select_item (f->window, machine));
  g_assert_cmpstr (_piso_window_get_content_page (f->window), ==, "machine");
  g_assert_true (piso_machine_page_get_machine (PISO_MACHINE_PAGE (page)) == machine);
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 1000);

  wait_primary (page, "machine.shutdown");
  shot = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-machine-running");

  /* Paused through the backend: the page follows the event */
  piso_machine_pause_async (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_pause_finish (machine, result, &error));
  g_assert_no_error (error);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_PAUSED, 10);

  wait_primary (page, "machine.resume");
  /* and screen readers are told, through the window's live region */
  g_assert_cmpstr (piso_a11y_get_last_announcement (GTK_WIDGET (f->window->live_label)), ==,
                   "db-02: Paused");

  /* A shut-off machine: Start */
  machine = find_machine (f, "mail-04");
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_true (_piso_window_select_item (f->window, machine));
  wait_primary (page, "machine.start");

  /* Selecting the connection's header shows its host page, titled by it */
  g_assert_true (_piso_window_select_item (f->window, f->connection));
  g_assert_cmpstr (_piso_window_get_content_page (f->window), ==, "host");
  g_assert_true (piso_ui_test_has_label (GTK_WIDGET (f->window),
                                         piso_connection_get_display_name (f->connection)));
}

static gboolean
shows_moved_machine (gpointer user_data)
{
  Fixture *f = user_data;
  PisoMachine *shown = piso_machine_page_get_machine (PISO_MACHINE_PAGE (_piso_window_get_machine_page (f->window)));

  return shown != NULL && g_strcmp0 (piso_machine_get_name (shown), "moved-here") == 0;
}

/* A machine moved to this host is listed when the host's events come,
 * which can be after the move ended: the window selects it then */
static void
test_window_show_when_listed (Fixture       *f,
                              gconstpointer  data)
{
  static const char uuid[] = "0c0ffee0-0000-4000-8000-00000000d00d";
  g_autofree char *xml = NULL;
  g_autofree char *with_uuid = NULL;
  g_autoptr(PisoMachine) moved = NULL;
  g_auto(GStrv) parts = NULL;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);
  wait_list_n_items (f, N_MACHINES + 1);
  piso_window_show_machine_when_listed (f->window, f->connection, uuid);
  g_assert_false (shows_moved_machine (f));

  xml = piso_test_domain_xml ("moved-here", NULL);
  parts = g_strsplit (xml, "</name>", 2);
  with_uuid = g_strdup_printf ("%s</name><uuid>%s</uuid>%s", parts[0], uuid, parts[1]);
  moved = piso_test_define (f->connection, with_uuid);
  g_assert_cmpstr (piso_machine_get_uuid (moved), ==, uuid);
  piso_test_wait_until (shows_moved_machine, f, 10, "the moved machine shown");
  g_assert_true (piso_machine_page_get_machine (PISO_MACHINE_PAGE (_piso_window_get_machine_page (f->window))) == moved);
}

static gboolean
has_toast (gpointer user_data)
{
  return _piso_window_get_last_toast (user_data) != NULL;
}

static void
test_window_toast (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *page;
  PisoMachine *machine;
  AdwToast *toast;
  const char *message;
  g_autofree char *title = NULL;
  g_autofree char *shot = NULL;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);
  wait_list_n_items (f, N_MACHINES + 1);
  page = _piso_window_get_machine_page (f->window);

  /* Renaming a machine to the name of another: libvirt refuses */
  machine = find_machine (f, "mail-04");
  g_assert_true (_piso_window_select_item (f->window, machine));
  g_assert_null (_piso_window_get_last_toast (f->window));
  g_assert_true (gtk_widget_activate_action (page, "machine.rename", "s", "web-01"));
  piso_test_wait_until (has_toast, f->window, 10, "a toast");

  toast = _piso_window_get_last_toast (f->window);
  message = _piso_window_get_last_toast_message (f->window);
  g_test_message ("Toast: %s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "mail-04"));
  g_assert_nonnull (strstr (message, "web-01"));

  /* The title is the message, or its first part when long; markup-escaped */
  g_assert_true (pango_parse_markup (adw_toast_get_title (toast), -1, 0, NULL, &title, NULL, NULL));
  g_assert_true (g_str_has_prefix (message, title));
  g_assert_cmpuint (strlen (title), >, 0);
#if ADW_CHECK_VERSION (1, 6, 0)
  /* libadwaita announces the toast itself: not a second time through the
   * window's live region */
  g_assert_cmpstr (piso_a11y_get_last_announcement (GTK_WIDGET (f->window->live_label)), !=,
                   message);
#else
  /* Screen readers are told the whole message */
  g_assert_cmpstr (piso_a11y_get_last_announcement (GTK_WIDGET (f->window->live_label)), ==,
                   message);
#endif

  /* The machine kept its name */
  g_assert_cmpstr (piso_machine_get_name (machine), ==, "mail-04");

  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 3, 1000);
  shot = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-toast");

  /* A long message gets a short title and its details behind a button */
  piso_window_show_toast (f->window,
                          "Could not start “mail-04”: internal error: process exited while "
                          "connecting to monitor: qemu-system-x86_64: -drive file=/var/lib/"
                          "libvirt/images/mail-04.qcow2: Could not open: Permission denied");
  toast = _piso_window_get_last_toast (f->window);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Could not start “mail-04”");
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Details");

  /* Markup in a message is shown as text */
  piso_window_show_toast (f->window, "a <b> & c");
  toast = _piso_window_get_last_toast (f->window);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "a &lt;b&gt; &amp; c");
}

/* ---- empty state, banner, folding ---- */

/* The empty state's buttons, in order: visible ones only */
static void
collect_visible_buttons (GtkWidget *root,
                         GPtrArray *out)
{
  if (!gtk_widget_get_visible (root))
    return;
  if (GTK_IS_BUTTON (root))
    g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_visible_buttons (child, out);
}

static GtkWidget *
empty_page (Fixture *f)
{
  return piso_ui_test_template_child (GTK_WIDGET (f->window), PISO_TYPE_WINDOW, "empty_page");
}

static void
test_window_empty (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autofree char *shot = NULL;
  g_autofree char *texts = NULL;
  GtkWidget *button;

  if (f->app == NULL)
    return;

  /* No connection at all: adding one is the way on */
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 1, 1000);
  g_assert_cmpstr (_piso_window_get_content_page (f->window), ==, "empty");
  g_assert_true (piso_ui_test_has_label (GTK_WIDGET (f->window), "No Connections"));
  collect_visible_buttons (empty_page (f), buttons);
  g_assert_cmpuint (buttons->len, ==, 1);
  button = g_ptr_array_index (buttons, 0);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.add-connection");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  shot = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-no-connections");
  g_clear_pointer (&shot, g_free);

  /* A connection without machines: New Machine leads, Add Connection second */
  fixture_open (f, 0);
  wait_list_n_items (f, 1);
  g_assert_cmpstr (_piso_window_get_content_page (f->window), ==, "empty");
  g_assert_true (piso_ui_test_has_label (GTK_WIDGET (f->window), "No Virtual Machines"));
  /* It does not send people to other programs */
  texts = piso_ui_test_visible_texts (empty_page (f));
  g_assert_null (strstr (texts, "virsh"));
  g_assert_null (strstr (texts, "virt-manager"));

  g_ptr_array_set_size (buttons, 0);
  collect_visible_buttons (empty_page (f), buttons);
  g_assert_cmpuint (buttons->len, ==, 2);
  button = g_ptr_array_index (buttons, 0);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.new-machine");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_New Machine…");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_true (gtk_widget_is_sensitive (button));
  piso_ui_test_assert_named_by (button, gtk_button_get_child (GTK_BUTTON (button)), "New Machine…");
  button = g_ptr_array_index (buttons, 1);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.add-connection");
  g_assert_false (gtk_widget_has_css_class (button, "suggested-action"));
  piso_ui_test_assert_named_by (button, gtk_button_get_child (GTK_BUTTON (button)), "Add Connection…");

  shot = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-empty");
}

typedef struct
{
  PisoConnection   *connection;
  PisoConnectionState state;
} StateCheck;

static gboolean
connection_in_state (gpointer user_data)
{
  StateCheck *check = user_data;

  return piso_connection_get_state (check->connection) == check->state;
}

static gboolean
revealer_revealed (gpointer user_data)
{
  return gtk_revealer_get_child_revealed (user_data);
}

static void
test_window_banner (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GtkRevealer *banner;
  GtkWidget *retry;
  const char *reason;
  StateCheck check;
  g_autofree char *shot = NULL;

  if (f->app == NULL)
    return;

  f->connection = piso_application_add_connection (f->app, "test:///nonexistent/piso/file.xml",
                                                   FALSE, &error);
  g_assert_no_error (error);
  g_object_ref (f->connection);

  check.connection = f->connection;
  check.state = PISO_CONNECTION_STATE_FAILED;
  piso_test_wait_until (connection_in_state, &check, 30, "the connection to fail");

  banner = _piso_window_get_banner (f->window, f->connection);
  g_assert_nonnull (banner);
  piso_test_wait_until (revealer_revealed, banner, 5, "the banner");

  /* It names the connection and libvirt's reason, and offers to retry */
  reason = piso_connection_get_error_message (f->connection);
  g_assert_nonnull (reason);
  g_assert_true (piso_ui_test_has_label (GTK_WIDGET (banner), reason));
  {
    g_autofree char *title = g_strdup_printf ("Could not connect to %s",
                                              piso_connection_get_display_name (f->connection));
    g_assert_true (piso_ui_test_has_label (GTK_WIDGET (banner), title));
  }
  retry = piso_ui_test_find_descendant (GTK_WIDGET (banner), GTK_TYPE_BUTTON);
  g_assert_nonnull (retry);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (retry)), ==, "_Retry");

  /* Only a banner: no dialog opened */
  {
    GList *windows = gtk_application_get_windows (GTK_APPLICATION (f->app));

    g_assert_cmpuint (g_list_length (windows), ==, 1);
  }

  /* The empty state says why nothing is listed */
  g_assert_cmpstr (_piso_window_get_content_page (f->window), ==, "empty");
  g_assert_true (piso_ui_test_has_label (GTK_WIDGET (f->window), "Not Connected"));

  shot = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-banner");

  /* Retry tries again, and fails again with the same banner */
  g_signal_emit_by_name (retry, "clicked");
  piso_test_wait_until (connection_in_state, &check, 30, "the retry to fail");
  g_assert_true (gtk_revealer_get_reveal_child (banner));
}

static gboolean
window_folded (gpointer user_data)
{
  return _piso_window_get_folded (user_data);
}

static void
test_window_narrow (Fixture       *f,
                    gconstpointer  data)
{
  PisoMachine *machine;
  g_autofree char *shot_list = NULL;
  g_autofree char *shot_details = NULL;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);
  wait_list_n_items (f, N_MACHINES + 1);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 400, 720);
  piso_test_wait_until (window_folded, f->window, 10, "the window to fold");
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 1000);
  shot_list = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-narrow-list");

  /* Choosing a machine goes to its details, with a way back */
  machine = find_machine (f, "web-05");
  g_assert_true (_piso_window_select_item (f->window, machine));
  piso_test_spin (400);   /* the leaflet's transition */
  shot_details = piso_ui_test_save_screenshot (GTK_WIDGET (f->window), "window-narrow-details");
  g_assert_true (piso_ui_test_has_label (_piso_window_get_machine_page (f->window),
                                         piso_machine_get_display_name (machine)));

  /* Going back unselects, so the same row can be chosen again */
  {
    GtkWidget *back = NULL;
    GtkWidget *root = GTK_WIDGET (f->window);
    g_autoptr(GPtrArray) stack = g_ptr_array_new ();

    g_ptr_array_add (stack, root);
    while (stack->len > 0 && back == NULL)
      {
        GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

        if (GTK_IS_BUTTON (w) &&
            g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (w)), "go-previous-symbolic") == 0 &&
            gtk_widget_get_mapped (w))
          back = w;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
    g_assert_nonnull (back);
    g_signal_emit_by_name (back, "clicked");
  }
  piso_test_spin (400);
  g_assert_null (gtk_single_selection_get_selected_item (
                   GTK_SINGLE_SELECTION (_piso_window_get_list_model (f->window))));
}

/* ---- add connection dialog ---- */

static void
test_connection_dialog (Fixture       *f,
                        gconstpointer  data)
{
  PisoConnectionDialog *dialog;
  g_autofree char *shot = NULL;

  if (f->app == NULL)
    return;

  dialog = PISO_CONNECTION_DIALOG (piso_connection_dialog_new ());
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (f->window));
  gtk_window_present (GTK_WINDOW (dialog));

  g_assert_false (piso_connection_dialog_get_valid (dialog));
  /* The URI field is a GtkEntry read once as its row's title (libadwaita
   * 1.2's AdwEntryRow gave screen readers neither focus nor label) */
  {
    GtkWidget *entry = piso_ui_test_template_child (GTK_WIDGET (dialog), PISO_TYPE_CONNECTION_DIALOG,
                                                    "uri_entry");
    GtkWidget *row = gtk_widget_get_ancestor (entry, ADW_TYPE_ACTION_ROW);
    GtkWidget *title = NULL;

    g_assert_true (GTK_IS_ENTRY (entry));
    for (GtkWidget *w = gtk_widget_get_first_child (row); w != NULL && title == NULL; )
      {
        if (GTK_IS_LABEL (w) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (w)), "Connection URI") == 0)
          title = w;
        else if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != NULL && w != row && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            w = (w == NULL || w == row) ? NULL : gtk_widget_get_next_sibling (w);
          }
      }
    piso_ui_test_assert_named_by (entry, title, "Connection URI");
  }

  piso_connection_dialog_set_uri (dialog, "not a uri");
  g_assert_false (piso_connection_dialog_get_valid (dialog));

  piso_connection_dialog_set_uri (dialog, "qemu+ssh://user@host/system");
  g_assert_true (piso_connection_dialog_get_valid (dialog));

  piso_connection_dialog_set_uri (dialog, "test:///default");
  g_assert_true (piso_connection_dialog_get_valid (dialog));

  piso_connection_dialog_set_uri (dialog, "bogus://");
  g_assert_false (piso_connection_dialog_get_valid (dialog));
  piso_ui_test_wait_frames (GTK_WIDGET (dialog), 2, 1000);
  shot = piso_ui_test_save_screenshot (GTK_WIDGET (dialog), "connection-dialog-invalid");

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* ---- connections: add through the dialog, remove with confirmation ---- */

/* The last toplevel of @type (dialogs are not application windows) */
static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  gpointer found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (window), type))
        found = window;
    }

  return found;
}

/* A toplevel that is not shown, or NULL */
static gpointer
find_hidden_toplevel (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (!gtk_widget_get_visible (window))
        return window;
    }

  return NULL;
}

static void
test_window_add_remove_connection (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *uri = NULL;
  PisoConnectionDialog *dialog;
  GtkWidget *confirm;
  PisoManager *manager;
  PisoSettings *settings;
  g_auto(GStrv) saved = NULL;
  g_auto(GStrv) saved_after = NULL;
  PisoConnection *connection;

  if (f->app == NULL)
    return;

  manager = piso_application_get_manager (f->app);
  settings = piso_application_get_settings (f->app);
  uri = piso_ui_test_write_node_file (3);

  /* app.add-connection opens the dialog; a valid URI is added and saved */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "add-connection", NULL);
  dialog = find_toplevel (PISO_TYPE_CONNECTION_DIALOG);
  g_assert_nonnull (dialog);
  piso_connection_dialog_set_uri (dialog, uri);
  g_assert_true (piso_connection_dialog_get_valid (dialog));
  g_signal_emit_by_name (dialog, "connection-chosen", uri);
  gtk_window_destroy (GTK_WINDOW (dialog));

  connection = piso_manager_lookup (manager, uri);
  g_assert_nonnull (connection);
  saved = piso_settings_dup_connections (settings);
  g_assert_true (g_strv_contains ((const char * const *)saved, uri));
  wait_list_n_items (f, 1 + 3);

  /* app.remove-connection asks first; cancelling keeps it */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "remove-connection",
                                  g_variant_new_string (uri));
  confirm = piso_alert_get_shown (GTK_WINDOW (f->window));
  g_assert_nonnull (confirm);
  g_assert_cmpstr (piso_alert_get_heading (confirm), ==, "Remove Connection?");
  piso_alert_respond (confirm, "cancel");
  piso_test_spin (50);
  g_assert_nonnull (piso_manager_lookup (manager, uri));

  /* Removing closes it and forgets it; the machines leave the list */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "remove-connection",
                                  g_variant_new_string (uri));
  confirm = piso_alert_get_shown (GTK_WINDOW (f->window));
  g_assert_nonnull (confirm);
  piso_alert_respond (confirm, "remove");
  piso_test_spin (50);
  g_assert_null (piso_manager_lookup (manager, uri));
  saved_after = piso_settings_dup_connections (settings);
  g_assert_false (g_strv_contains ((const char * const *)saved_after, uri));
  wait_list_n_items (f, 0);
  g_assert_cmpstr (_piso_window_get_content_page (f->window), ==, "empty");
}

/* ---- about, shortcuts ---- */

/* ---- the window's size is remembered ---- */

static void
test_window_size_saved (Fixture       *f,
                        gconstpointer  data)
{
  PisoSettings *settings;
  PisoWindow *second;
  int width = 0, height = 0;
  gboolean maximized = TRUE;

  if (f->app == NULL)
    return;

  settings = piso_application_get_settings (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 913, 611);
  piso_ui_test_wait_frames (GTK_WIDGET (f->window), 2, 2000);

  /* Closing saves it (the fixture then has no window to destroy) */
  gtk_window_close (GTK_WINDOW (f->window));
  piso_settings_get_window_size (settings, &width, &height, &maximized);
  g_assert_cmpint (width, ==, 913);
  g_assert_cmpint (height, ==, 611);
  g_assert_false (maximized);

  /* … and the next window opens with it */
  second = piso_window_new (f->app);
  f->window = second;
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 913);
  g_assert_cmpint (height, ==, 611);
}

static void
test_window_about_shortcuts (Fixture       *f,
                             gconstpointer  data)
{
  GtkWindow *shortcuts;
  AdwAboutWindow *about;

  if (f->app == NULL)
    return;

  /* No toplevel waits hidden (GTK 4.8's AT-SPI root crashes when a screen
   * reader asks past the visible windows and the last one is hidden): the
   * shortcuts window is built when asked for and goes when closed */
  g_assert_null (find_hidden_toplevel ());
  g_assert_false (g_action_group_has_action (G_ACTION_GROUP (f->window), "show-help-overlay"));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "shortcuts", NULL);
  shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (shortcuts)));
  g_assert_true (gtk_window_get_transient_for (shortcuts) == GTK_WINDOW (f->window));
  gtk_window_close (shortcuts);
  g_assert_null (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));
  g_assert_null (find_hidden_toplevel ());

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Piso");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  gtk_window_destroy (GTK_WINDOW (about));

  /* Accelerators */
  {
    g_auto(GStrv) quit = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "app.quit");
    g_auto(GStrv) search = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "win.search");
    g_auto(GStrv) shortcuts_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app),
                                                                             "app.shortcuts");

    g_assert_cmpstr (quit[0], ==, "<Control>q");
    g_assert_cmpstr (search[0], ==, "<Control>f");
    g_assert_cmpstr (shortcuts_accels[0], ==, "<Control>question");
  }
}

/* ---- formatting and the graph widget ---- */

static void
test_format (void)
{
  struct { guint64 kib; const char *text; } memory[] = {
    { 512 * 1024, "512 MiB" },
    { 4 * 1024 * 1024, "4 GiB" },
    { 1536 * 1024, "1.5 GiB" },
    { 100, "100 KiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (memory); i++)
    {
      g_autofree char *text = piso_format_memory_kib (memory[i].kib);

      g_assert_cmpstr (text, ==, memory[i].text);
    }

  {
    g_autofree char *a = piso_format_rate (1200000);
    g_autofree char *b = piso_format_rate (NAN);
    g_autofree char *c = piso_format_percent (37.4);
    g_autofree char *d = piso_format_percent (-1);
    g_autofree char *e = piso_format_percent (NAN);

    /* rates in the same binary units as every other size */
    g_assert_cmpstr (a, ==, "1.1 MiB/s");
    g_assert_cmpstr (b, ==, "\xe2\x80\x94");
    g_assert_cmpstr (c, ==, "37 %");
    g_assert_cmpstr (d, ==, "\xe2\x80\x94");
    g_assert_cmpstr (e, ==, "\xe2\x80\x94");
  }

  for (int state = PISO_MACHINE_STATE_UNKNOWN; state <= PISO_MACHINE_STATE_SAVED; state++)
    {
      const char *icon = piso_format_state_icon (state);

      g_assert_true (g_str_has_suffix (icon, "-symbolic"));
    }
}

/* How many pixels of @texture are close to @color */
static guint
count_pixels (GdkTexture    *texture,
              const GdkRGBA *color)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc (width * height * 4);
  guint count = 0;

  gdk_texture_download (texture, data, width * 4);
  for (int i = 0; i < width * height; i++)
    {
      /* GDK_MEMORY_DEFAULT: B G R A, premultiplied; opaque lines here */
      guchar b = data[i * 4], g = data[i * 4 + 1], r = data[i * 4 + 2];

      if (ABS (r - color->red * 255) < 40 && ABS (g - color->green * 255) < 40 &&
          ABS (b - color->blue * 255) < 40)
        count++;
    }

  return count;
}

static GdkTexture *
render_widget (GtkWidget *widget,
               int        width,
               int        height)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();

  g_assert_true (gsk_renderer_realize (renderer, NULL, NULL));
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_widget_snapshot_child (gtk_widget_get_parent (widget), widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  {
    GdkTexture *texture = gsk_renderer_render_texture (renderer, node,
                                                       &GRAPHENE_RECT_INIT (0, 0, width, height));
    gsk_renderer_unrealize (renderer);
    return texture;
  }
}

static void
test_graph (void)
{
  g_autoptr(PisoStatsHistory) history = piso_stats_history_new ();
  GtkWidget *window, *graph;
  GdkRGBA accent = { 0.21, 0.52, 0.89, 1 };
  g_autoptr(GdkTexture) with_data = NULL;
  g_autoptr(GdkTexture) with_gap = NULL;
  g_autofree char *shot = NULL;
  guint full, gapped;

  if (!piso_ui_test_skip_unless_display ())
    return;

  /* A ramp, then a gap of unknown values, then the ramp again */
  for (guint i = 0; i < 120; i++)
    {
      double values[PISO_STATS_N_SERIES];

      for (guint s = 0; s < PISO_STATS_N_SERIES; s++)
        values[s] = (i >= 40 && i < 80) ? NAN : (double) (i % 40) * 2.5;
      piso_stats_history_append (history, values);
    }

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 140);
  graph = piso_graph_new ();
  piso_graph_set_title (PISO_GRAPH (graph), "CPU");
  piso_graph_set_series (PISO_GRAPH (graph), PISO_STATS_CPU_PERCENT);
  piso_graph_set_history (PISO_GRAPH (graph), history);
  gtk_window_set_child (GTK_WINDOW (window), graph);
  gtk_window_present (GTK_WINDOW (window));
  piso_ui_test_wait_frames (graph, 2, 2000);
  shot = piso_ui_test_save_screenshot (graph, "graph-cpu");

  g_assert_cmpint (gtk_widget_get_width (graph), >, 100);
  {
    GtkStyleContext *context;

    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    context = gtk_widget_get_style_context (graph);
    gtk_style_context_lookup_color (context, "accent_color", &accent);
    G_GNUC_END_IGNORE_DEPRECATIONS
  }

  with_data = render_widget (graph, gtk_widget_get_width (graph), gtk_widget_get_height (graph));
  full = count_pixels (with_data, &accent);
  g_assert_cmpuint (full, >, 50);

  /* Where the values are unknown, nothing is drawn: an all-NAN history
   * draws no line at all */
  piso_stats_history_clear (history);
  for (guint i = 0; i < 60; i++)
    {
      double values[PISO_STATS_N_SERIES];

      for (guint s = 0; s < PISO_STATS_N_SERIES; s++)
        values[s] = NAN;
      piso_stats_history_append (history, values);
    }
  piso_graph_queue_update (PISO_GRAPH (graph));
  piso_ui_test_wait_frames (graph, 1, 1000);
  with_gap = render_widget (graph, gtk_widget_get_width (graph), gtk_widget_get_height (graph));
  gapped = count_pixels (with_gap, &accent);
  g_assert_cmpuint (gapped, <, full / 10);

  /* The compact sparkline has no labels and a small size */
  piso_graph_set_compact (PISO_GRAPH (graph), TRUE);
  {
    int min, nat;

    gtk_widget_measure (graph, GTK_ORIENTATION_VERTICAL, -1, &min, &nat, NULL, NULL);
    g_assert_cmpint (nat, <=, 32);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}


/* ---- spinners wait before they spin ---- */

static void
test_spinner_delay (void)
{
  GtkWidget *window;
  GtkSpinner *spinner;

  if (!piso_ui_test_skip_unless_display ())
    return;

  window = gtk_window_new ();
  spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (spinner));
  gtk_window_present (GTK_WINDOW (window));

  /* A short wait shows nothing */
  piso_spinner_set_busy (spinner, TRUE);
  g_assert_false (gtk_spinner_get_spinning (spinner));
  piso_test_spin (PISO_SPINNER_DELAY_MS / 2);
  g_assert_false (gtk_spinner_get_spinning (spinner));
  piso_spinner_set_busy (spinner, FALSE);
  piso_test_spin (PISO_SPINNER_DELAY_MS);
  g_assert_false (gtk_spinner_get_spinning (spinner));

  /* A long one spins, from the delay on, however often it is said */
  piso_spinner_set_busy (spinner, TRUE);
  piso_test_spin (PISO_SPINNER_DELAY_MS / 2);
  piso_spinner_set_busy (spinner, TRUE);
  piso_test_spin (PISO_SPINNER_DELAY_MS / 2 + 200);
  g_assert_true (gtk_spinner_get_spinning (spinner));

  /* and stops at once */
  piso_spinner_set_busy (spinner, FALSE);
  g_assert_false (gtk_spinner_get_spinning (spinner));

  /* A spinner destroyed while it waits leaves nothing behind to fire */
  piso_spinner_set_busy (spinner, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  piso_test_spin (PISO_SPINNER_DELAY_MS + 100);
}

/* ---- a row's context menu and accessible name ---- */

static GtkWidget *
row_of_machine (Fixture     *f,
                PisoMachine *machine)
{
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (_piso_window_get_list_view (f->window)));
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *child = gtk_widget_get_first_child (item);

      if (PISO_IS_MACHINE_ROW (child) &&
          piso_machine_row_get_machine (PISO_MACHINE_ROW (child)) == machine)
        return child;
    }
  return NULL;
}

/* The list's shortcut that opens a row's menu (Menu, Shift+F10) */
static GtkShortcut *
row_menu_shortcut (GtkWidget *list_view)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (list_view);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (controller) &&
          g_list_model_get_n_items (G_LIST_MODEL (controller)) > 0)
        {
          GtkShortcut *shortcut = g_list_model_get_item (G_LIST_MODEL (controller), 0);

          g_object_unref (shortcut);  /* the controller holds it */
          return shortcut;
        }
    }
  return NULL;
}

static gboolean
no_row_menu (gpointer user_data)
{
  return _piso_window_get_row_menu (user_data) == NULL;
}

static void
test_window_row_menu (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *list_view;
  GtkWidget *page;
  GtkWidget *row;
  GtkWidget *menu;
  GtkShortcut *shortcut;
  PisoMachine *machine;
  g_autofree char *name = NULL;
  g_autofree char *triggers = NULL;
  g_autofree char *shot = NULL;
  const char *error;

  if (f->app == NULL)
    return;

  fixture_open (f, N_MACHINES);
  wait_list_n_items (f, N_MACHINES + 1);
  list_view = GTK_WIDGET (_piso_window_get_list_view (f->window));
  page = _piso_window_get_machine_page (f->window);
  machine = find_machine (f, "db-02");
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_RUNNING);
  row = row_of_machine (f, machine);
  g_assert_nonnull (row);

  /* The list item, which the keyboard focuses, reads the machine's name
   * and state (a screen reader said nothing there) */
  name = g_strdup_printf ("%s, %s", piso_machine_get_display_name (machine),
                          piso_machine_get_state_label (machine));
  error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (gtk_widget_get_parent (row)),
                                              GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  if (error != NULL)
    g_error ("the list item of db-02: %s", error);

  /* Menu or Shift+F10 on the focused row: the machine is chosen and its
   * actions open at the row */
  shortcut = row_menu_shortcut (list_view);
  g_assert_nonnull (shortcut);
  triggers = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
  g_assert_nonnull (strstr (triggers, "Menu"));
  g_assert_nonnull (strstr (triggers, "<Shift>F10"));
  gtk_widget_grab_focus (gtk_widget_get_parent (row));
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                               GTK_SHORTCUT_ACTION_EXCLUSIVE, list_view, NULL));
  menu = _piso_window_get_row_menu (f->window);
  g_assert_nonnull (menu);
  g_assert_true (gtk_widget_get_parent (menu) == row);
  piso_test_wait_until (piso_ui_test_widget_visible, menu, 5, "the row's menu to open");
  g_assert_true (piso_machine_page_get_machine (PISO_MACHINE_PAGE (page)) == machine);

  /* The page's actions: those a running machine can do, its console */
  for (guint i = 0; i < 5; i++)
    {
      const char *offered[] = { "Shut Down", "Show Console", "Pause", "Force Off…", "Delete…" };
      GtkWidget *item = piso_ui_test_find_model_button (menu, offered[i]);

      if (item == NULL || !gtk_widget_get_visible (item) || !gtk_widget_get_sensitive (item))
        g_error ("the row's menu does not offer %s", offered[i]);
    }
  {
    GtkWidget *start = piso_ui_test_find_model_button (menu, "Start");

    g_assert_true (start == NULL || !gtk_widget_get_visible (start));
  }
  piso_test_spin (300);
  shot = piso_ui_test_save_screenshot_with_popover (GTK_WIDGET (f->window), GTK_POPOVER (menu),
                                                    "window-row-menu");
  g_test_message ("screenshot: %s", shot);

  /* An item does it to that machine; the menu goes */
  piso_ui_test_click (piso_ui_test_find_model_button (menu, "Pause"));
  piso_test_wait_state (machine, PISO_MACHINE_STATE_PAUSED, 10);
  piso_test_wait_until (no_row_menu, f->window, 5, "the row's menu to go");

  /* The list item's name follows the state */
  g_free (name);
  name = g_strdup_printf ("%s, %s", piso_machine_get_display_name (machine),
                          piso_machine_get_state_label (machine));
  error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (gtk_widget_get_parent (row)),
                                              GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  if (error != NULL)
    g_error ("the list item of db-02, paused: %s", error);
}

int
main (int   argc,
      char *argv[])
{
  /* Each test makes an application; GtkApplication keeps a reference to
   * itself until it shuts down, which only g_application_run() does, so a
   * test's application would still own its D-Bus path when the next one
   * registers. Off the bus they run as plain non-unique applications. */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  /* Accessible names are checked: GTK's in-memory accessibility backend */
  g_setenv ("GTK_A11Y", "test", TRUE);

  piso_ui_test_init (&argc, &argv);

  g_test_add ("/ui/window/list", Fixture, NULL,
              fixture_setup, test_window_list, fixture_teardown);
  g_test_add ("/ui/window/staged-list", Fixture, NULL,
              fixture_setup, test_window_staged_list, fixture_teardown);
  g_test_add ("/ui/window/filter", Fixture, NULL,
              fixture_setup, test_window_filter, fixture_teardown);
  g_test_add ("/ui/window/sort-by-state", Fixture, NULL,
              fixture_setup, test_window_sort_by_state, fixture_teardown);
  g_test_add ("/ui/window/actions", Fixture, NULL,
              fixture_setup, test_window_actions, fixture_teardown);
  g_test_add ("/ui/window/row-menu", Fixture, NULL,
              fixture_setup, test_window_row_menu, fixture_teardown);
  g_test_add ("/ui/window/toast", Fixture, NULL,
              fixture_setup, test_window_toast, fixture_teardown);
  g_test_add ("/ui/window/empty", Fixture, NULL,
              fixture_setup, test_window_empty, fixture_teardown);
  g_test_add ("/ui/window/banner", Fixture, NULL,
              fixture_setup, test_window_banner, fixture_teardown);
  g_test_add ("/ui/window/narrow", Fixture, NULL,
              fixture_setup, test_window_narrow, fixture_teardown);
  g_test_add ("/ui/connection-dialog", Fixture, NULL,
              fixture_setup, test_connection_dialog, fixture_teardown);

  g_test_add ("/ui/window/add-remove-connection", Fixture, NULL,
              fixture_setup, test_window_add_remove_connection, fixture_teardown);
  g_test_add ("/ui/window/show-when-listed", Fixture, NULL,
              fixture_setup, test_window_show_when_listed, fixture_teardown);
  g_test_add ("/ui/window/about-shortcuts", Fixture, NULL,
              fixture_setup, test_window_about_shortcuts, fixture_teardown);
  g_test_add ("/ui/window/size-saved", Fixture, NULL,
              fixture_setup, test_window_size_saved, fixture_teardown);
  g_test_add_func ("/ui/format", test_format);
  g_test_add_func ("/ui/spinner-delay", test_spinner_delay);
  g_test_add_func ("/ui/graph", test_graph);

  return g_test_run ();
}
