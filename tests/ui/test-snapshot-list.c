/* test-snapshot-list.c: the machine page's Snapshots view under Xvfb
 *
 * Takes, reverts and deletes snapshots of a running test-driver machine
 * through the view's actions and dialogs, and checks the rows; a machine
 * with a raw disk offers Convert to qcow2. With --piso-language=es
 * (test-snapshot-list-es) the same runs in Spanish; screenshots get "-es".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "piso-alert.h"
#include "piso-snapshot-list.h"
#include "piso-snapshot-row.h"
#include "piso-test-utils.h"
#include "piso-ui-test-utils.h"

typedef PisoUiTestPageFixture Fixture;

/* Each test on a fresh copy of its node file */
static const PisoUiTestPage fixture_page = { "pages.xml", 860, 900 };

static gboolean
snapshots_loaded (gpointer snapshots)
{
  return piso_snapshots_get_loaded (snapshots);
}

/* The Snapshots view of @name, once the snapshots are listed */
static PisoSnapshotList *
show_snapshots (Fixture        *f,
                const char     *name,
                PisoSnapshots **snapshots)
{
  PisoSnapshotList *list = PISO_SNAPSHOT_LIST (piso_snapshot_list_new ());
  PisoMachine *machine = piso_connection_lookup_machine_by_name (f->connection, name);

  g_assert_nonnull (machine);
  gtk_window_set_child (f->window, GTK_WIDGET (list));
  gtk_window_present (f->window);
  piso_machine_section_set_machine (PISO_MACHINE_SECTION (list), machine);

  *snapshots = piso_snapshots_get_for_machine (machine);
  piso_test_wait_until (snapshots_loaded, *snapshots, 10, "the snapshots to be listed");
  piso_test_spin (100);
  return list;
}

/* The rows the view shows, in order */
static GPtrArray *
rows_of (PisoSnapshotList *list)
{
  GtkListBox *box = piso_ui_test_template_child (GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST,
                                                 "snapshots_list");
  GPtrArray *rows = g_ptr_array_new ();
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (box, i)) != NULL; i++)
    if (PISO_IS_SNAPSHOT_ROW (row))
      g_ptr_array_add (rows, row);
  return rows;
}

static PisoSnapshotRow *
row_named (PisoSnapshotList *list,
           const char       *name)
{
  g_autoptr(GPtrArray) rows = rows_of (list);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), name) == 0)
      return g_ptr_array_index (rows, i);
  return NULL;
}

static gboolean
row_is_current (PisoSnapshotRow *row)
{
  GtkWidget *label = piso_ui_test_template_child (GTK_WIDGET (row), PISO_TYPE_SNAPSHOT_ROW,
                                                  "current_label");

  return gtk_widget_get_visible (label);
}

/* "snapshot1* | snapshot2": the rows' titles, the current one starred */
static char *
rows_text (PisoSnapshotList *list)
{
  g_autoptr(GPtrArray) rows = rows_of (list);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    g_string_append_printf (text, "%s%s%s", i > 0 ? " | " : "",
                            adw_preferences_row_get_title (g_ptr_array_index (rows, i)),
                            row_is_current (g_ptr_array_index (rows, i)) ? "*" : "");
  return g_string_free (text, FALSE);
}

typedef struct
{
  PisoSnapshotList *list;
  const char       *expected;
} RowsWait;

static gboolean
rows_are (gpointer user_data)
{
  RowsWait *wait = user_data;
  g_autofree char *text = rows_text (wait->list);

  return g_strcmp0 (text, wait->expected) == 0;
}

static void
wait_rows (PisoSnapshotList *list,
           const char       *expected)
{
  RowsWait wait = { list, expected };
  g_autofree char *text = NULL;

  GtkWidget *take_button = piso_ui_test_template_child (GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST,
                                                        "take_button");

  piso_test_wait_until (rows_are, &wait, 10, expected);
  /* and the operation that got there has ended: the view takes again */
  piso_test_wait_until (piso_ui_test_widget_sensitive, take_button, 10, "the view to be idle");
  text = rows_text (list);
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_label (GtkWidget  *widget,
              const char *expected)
{
  g_autofree char *error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                               GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                               expected);

  if (error != NULL)
    g_error ("accessible name: %s", error);
}

/* Named by its label alone, read without the mnemonic's underscore */
static void
assert_button_named (GtkWidget  *button,
                     const char *label)
{
  g_auto(GStrv) parts = g_strsplit (label, "_", -1);
  g_autofree char *text = g_strjoinv ("", parts);

  piso_ui_test_assert_named_by (button, gtk_button_get_child (GTK_BUTTON (button)), text);
}

static gboolean
subtitle_has (PisoSnapshotRow *row,
              const char      *text)
{
  return strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), text) != NULL;
}

/* Takes a snapshot through the dialog: its name field starts with the free
 * name @suggested; @description is typed in. */
static void
take_through_dialog (Fixture          *f,
                     PisoSnapshotList *list,
                     const char       *suggested,
                     const char       *description,
                     const char       *screenshot)
{
  GtkWidget *dialog;
  GtkEditable *name_entry;
  GtkEditable *description_entry;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.take", NULL));
  dialog = piso_alert_get_shown (f->window);
  g_assert_nonnull (dialog);
  name_entry = g_object_get_data (G_OBJECT (dialog), "piso-name-entry");
  description_entry = g_object_get_data (G_OBJECT (dialog), "piso-description-entry");
  g_assert_cmpstr (gtk_editable_get_text (name_entry), ==, suggested);
  g_assert_true (piso_alert_get_response_enabled (dialog, "take"));

  /* A name already taken cannot be confirmed */
  if (g_strcmp0 (suggested, "snapshot1") != 0)
    {
      gtk_editable_set_text (name_entry, "snapshot1");
      g_assert_false (piso_alert_get_response_enabled (dialog, "take"));
      gtk_editable_set_text (name_entry, suggested);
    }
  gtk_editable_set_text (description_entry, description);
  if (screenshot != NULL)
    {
      gtk_widget_set_size_request (dialog, 420, -1);
      piso_ui_test_screenshot (dialog, screenshot);
    }
  piso_alert_respond (dialog, "take");
}

/* The close button of the toast the view shows (libadwaita's toast widget
 * has one, with the window-close icon) */
static GtkWidget *
find_close_button (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (child)), "window-close-symbolic") == 0)
        return child;
      if ((found = find_close_button (child)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
toast_close_button (PisoSnapshotList *list)
{
  GtkWidget *overlay = adw_bin_get_child (ADW_BIN (list));
  GtkWidget *close = find_close_button (overlay);

  g_assert_nonnull (close);
  return close;
}

static gboolean
renamed (gpointer snapshot)
{
  return g_strcmp0 (piso_snapshot_get_display_name (snapshot), "Clean install") == 0 &&
         g_strcmp0 (piso_snapshot_get_description (snapshot), "Debian 12, nothing else") == 0;
}

static gboolean
snapshot2_gone (gpointer snapshots)
{
  return piso_snapshots_lookup (snapshots, "snapshot2") == NULL;
}

static gboolean
pictures_shown (gpointer user_data)
{
  GtkWidget **pictures = user_data;

  return gtk_widget_get_visible (pictures[0]) && gtk_widget_get_visible (pictures[1]) &&
         gtk_widget_get_width (pictures[0]) > 0 && gtk_widget_get_width (pictures[1]) > 0;
}

static void
test_take_revert_delete (Fixture       *f,
                         gconstpointer  data)
{
  PisoSnapshots *snapshots = NULL;
  PisoSnapshotList *list = show_snapshots (f, "web", &snapshots);
  GtkWidget *take_button = piso_ui_test_template_child (GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST,
                                                        "take_button");
  AdwActionRow *kind_row = piso_ui_test_template_child (GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST,
                                                        "kind_row");
  PisoSnapshotRow *first, *second;
  GtkWidget *dialog;
  GtkWidget *undo;

  /* Nothing yet; what a snapshot of this machine keeps */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (snapshots)), ==, 0);
  g_assert_true (piso_ui_test_has_label (GTK_WIDGET (list),
                                         _("No snapshots yet. A snapshot keeps the machine as it is now, to come back to later.")));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (kind_row),
                            _("A snapshot taken now keeps the disks and the running memory.")));
  assert_button_named (take_button, _("_Take Snapshot…"));
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "snapshots-empty");

  /* Take two: the second is current, and was taken after the first */
  take_through_dialog (f, list, "snapshot1", "Before the upgrade", "snapshots-take-dialog");
  wait_rows (list, "snapshot1*");
  take_through_dialog (f, list, "snapshot2", "", NULL);
  wait_rows (list, "snapshot1 | snapshot2*");
  first = row_named (list, "snapshot1");
  second = row_named (list, "snapshot2");
  g_assert_true (subtitle_has (first, _("Running, with its memory")));
  g_assert_true (subtitle_has (first, "Before the upgrade"));
  {
    g_autofree char *after = g_strdup_printf (_("after “%s”"), "snapshot1");

    g_assert_true (subtitle_has (second, after));
    g_assert_false (subtitle_has (first, "“"));
  }
  {
    g_autofree char *name = g_strdup_printf (_("Revert to “%s”"), "snapshot1");
    GtkWidget *revert = piso_ui_test_template_child (GTK_WIDGET (first), PISO_TYPE_SNAPSHOT_ROW,
                                                     "revert_button");

    assert_label (revert, name);
    g_assert_true (gtk_widget_get_focusable (revert));
  }
  /* Each shows the screen it was taken on, in boxes of one size whatever
   * the screen's shape: the texts start at the same place */
  {
    GtkWidget *pictures[] = {
      piso_ui_test_template_child (GTK_WIDGET (first), PISO_TYPE_SNAPSHOT_ROW, "picture"),
      piso_ui_test_template_child (GTK_WIDGET (second), PISO_TYPE_SNAPSHOT_ROW, "picture"),
    };

    piso_test_wait_until (pictures_shown, pictures, 10, "both snapshots' pictures");
    piso_test_spin (100);
    g_assert_cmpint (gtk_widget_get_width (pictures[0]), ==, gtk_widget_get_width (pictures[1]));
    g_assert_cmpint (gtk_widget_get_width (pictures[0]), ==, 80);
  }
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "snapshots-list");

  /* Revert asks first; cancelled, nothing changes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.revert", "s", "snapshot1"));
  dialog = piso_alert_get_shown (f->window);
  g_assert_nonnull (dialog);
  g_assert_cmpint (piso_alert_get_response_appearance (dialog, "revert"), ==, ADW_RESPONSE_DESTRUCTIVE);
  gtk_widget_set_size_request (dialog, 420, -1);
  piso_ui_test_screenshot (dialog, "snapshots-revert-dialog");
  piso_alert_respond (dialog, "cancel");
  piso_test_spin (200);
  wait_rows (list, "snapshot1 | snapshot2*");
  g_assert_true (piso_snapshot_get_current (piso_snapshots_lookup (snapshots, "snapshot2")));

  /* Confirmed: the machine builds on the first again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.revert", "s", "snapshot1"));
  piso_alert_respond (piso_alert_get_shown (f->window), "revert");
  wait_rows (list, "snapshot1* | snapshot2");
  g_assert_true (piso_snapshot_get_current (piso_snapshots_lookup (snapshots, "snapshot1")));

  /* Renamed (in Piso: libvirt keeps "snapshot1") with a new description,
   * through one dialog that starts with what it shows now */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.edit", "s", "snapshot1"));
  dialog = piso_alert_get_shown (f->window);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "piso-name-entry")),
                   ==, "snapshot1");
  g_assert_cmpstr (gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "piso-description-entry")),
                   ==, "Before the upgrade");
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "piso-name-entry"), "Clean install");
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "piso-description-entry"),
                         "Debian 12, nothing else");
  gtk_widget_set_size_request (dialog, 420, -1);
  piso_ui_test_screenshot (dialog, "snapshots-rename-dialog");
  piso_alert_respond (dialog, "save");
  piso_test_wait_until (renamed, piso_snapshots_lookup (snapshots, "snapshot1"), 10, "the new name");
  wait_rows (list, "Clean install* | snapshot2");
  first = row_named (list, "Clean install");
  g_assert_true (subtitle_has (first, "Debian 12, nothing else"));
  g_assert_false (subtitle_has (first, "Before the upgrade"));
  {
    g_autofree char *after = g_strdup_printf (_("after “%s”"), "Clean install");
    g_autofree char *name = g_strdup_printf (_("Rename or describe “%s”"), "Clean install");

    /* The child names its parent as the list does */
    g_assert_true (subtitle_has (row_named (list, "snapshot2"), after));
    assert_label (piso_ui_test_template_child (GTK_WIDGET (first), PISO_TYPE_SNAPSHOT_ROW,
                                               "edit_button"), name);
  }
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "snapshots-renamed");

  /* Delete hides the row at once but removes nothing before the Undo toast
   * goes: undone, it is back */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.delete", "s", "snapshot2"));
  wait_rows (list, "Clean install*");
  g_assert_nonnull (piso_snapshots_lookup (snapshots, "snapshot2"));
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "snapshots-undo");
  undo = piso_ui_test_find_button_with_label (GTK_WIDGET (list), _("Undo"));
  g_assert_nonnull (undo);
  piso_ui_test_click (undo);
  wait_rows (list, "Clean install* | snapshot2");

  /* Let go: deleted */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.delete", "s", "snapshot2"));
  wait_rows (list, "Clean install*");
  piso_ui_test_click (toast_close_button (list));
  piso_test_wait_until (snapshot2_gone, snapshots, 10, "snapshot2 to be deleted");
  g_assert_null (piso_snapshots_lookup (snapshots, "snapshot2"));
  wait_rows (list, "Clean install*");
}

static gboolean
limit_none (gpointer snapshots)
{
  return piso_snapshots_get_limit (snapshots) == PISO_SNAPSHOT_LIMIT_NONE;
}

static void
test_raw_disks (Fixture       *f,
                gconstpointer  data)
{
  PisoSnapshots *snapshots = NULL;
  PisoSnapshotList *list = show_snapshots (f, "build", &snapshots);
  GtkWidget *limit_row = piso_ui_test_template_child (GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST,
                                                      "limit_row");
  GtkWidget *convert = piso_ui_test_template_child (GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST,
                                                    "convert_button");
  GtkWidget *take_button = piso_ui_test_template_child (GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST,
                                                        "take_button");
  GtkWidget *dialog;

  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2);
  g_assert_true (gtk_widget_get_visible (limit_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (limit_row)), ==,
                   piso_snapshots_get_limit_message (snapshots));
  /* Off: it may convert, and take nothing until then */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (piso_ui_test_template_child (
                     GTK_WIDGET (list), PISO_TYPE_SNAPSHOT_LIST, "kind_row"))), ==,
                   _("None: this machine cannot have snapshots as it is"));
  g_assert_true (gtk_widget_get_visible (convert));
  g_assert_true (gtk_widget_is_sensitive (convert));
  assert_button_named (convert, _("C_onvert to qcow2…"));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.take", NULL) &&
                  piso_alert_get_shown (f->window) != NULL);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "snapshots-raw");

  /* Converted after a confirmation (Cancel by default): snapshots may be
   * taken, and the row that said why not is gone */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "snapshots.convert", NULL));
  dialog = piso_alert_get_shown (f->window);
  g_assert_nonnull (dialog);
  piso_alert_respond (dialog, "convert");
  piso_test_wait_until (limit_none, snapshots, 20, "the disks to be converted");
  piso_test_wait_until (piso_ui_test_widget_sensitive, take_button, 10, "Take to be offered");
  g_assert_false (gtk_widget_get_visible (limit_row));
  g_assert_false (gtk_widget_get_visible (convert));
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "snapshots-converted");
}

int
main (int   argc,
      char *argv[])
{
  if (!piso_ui_test_init_checked (&argc, &argv, "/snapshot-list/no-display"))
    return g_test_run ();

  piso_ui_test_add_page_test ("/snapshot-list/take-revert-delete", &fixture_page,
                              test_take_revert_delete);
  piso_ui_test_add_page_test ("/snapshot-list/raw-disks", &fixture_page, test_raw_disks);

  return g_test_run ();
}
