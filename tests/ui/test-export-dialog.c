/* test-export-dialog.c: Export… and Import Machine… under Xvfb
 *
 * On tests/data/export.xml: the Export dialog of a shut-off machine asks
 * for a folder (set here as the file chooser would) and writes the bundle
 * (the test driver cannot stream disks: "small" and "empty" have none, the
 * disks' way is test-live-export's); a running machine is said to be paused
 * and the button says so; a cancelled export and a failed one ("web": its
 * disks cannot be read here) leave the folder as it was, with the reason
 * shown. In Piso's window, Import Machine… checks the bundle, proposes a
 * free name, imports it under another one and selects the new machine; a
 * bundle with a changed byte is refused before anything is made; a machine
 * this host cannot run is said so and Import is refused. A .tar bundle, a
 * bundle folder or its manifest dropped on the window opens Import. The
 * chooser offers .ova and .ovf files; an appliance (.ova) dropped on the
 * window is read and shown with its values and notes, and imported as a
 * new machine with its processors, memory and both disks (the test driver
 * has no volume upload: the uploads are recorded instead); a stopped
 * network waits for the user's consent; a cancelled import, and a
 * cancelled read, leave nothing behind; a Windows appliance's review says
 * the virtio drivers. With
 * --piso-language=es (test-export-dialog-es) the same runs in Spanish;
 * screenshots get "-es".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-application.h"
#include "piso-backend-private.h"
#include "piso-export-dialog.h"
#include "piso-export-ovf-private.h"
#include "piso-export-private.h"
#include "piso-format.h"
#include "piso-import-dialog.h"
#include "piso-machine-page.h"
#include "piso-test-utils.h"
#include "piso-ui-test-utils.h"
#include "piso-window-private.h"

typedef PisoUiTestPageFixture Fixture;

static const PisoUiTestPage fixture_page = { "export.xml", 860, 760 };

static PisoMachine *
machine_named (PisoConnection *connection,
               const char     *name)
{
  return piso_connection_lookup_machine_by_name (connection, name);
}

static gboolean
can_export (gpointer machine)
{
  return piso_machine_can (machine, PISO_MACHINE_ACTION_EXPORT);
}

/* The machine page showing @name */
static PisoMachinePage *
show_page (Fixture    *f,
           const char *name)
{
  PisoMachinePage *page = piso_ui_test_show_machine_page (f, name);

  /* (whether it is persistent comes with its first read) */
  piso_test_wait_until (can_export, machine_named (f->connection, name), 10,
                        "the machine to be read");
  piso_test_spin (100);
  return page;
}

/* Opens Export… from the page */
static PisoExportDialog *
open_export (PisoMachinePage *page)
{
  return piso_ui_test_open_toplevel (GTK_WIDGET (page), "machine.export", PISO_TYPE_EXPORT_DIALOG);
}

/* An operation dialog back on its form (the review, for Import) with the
 * failure shown */
static gboolean
shows_form (gpointer dialog)
{
  GtkStack *stack = piso_ui_test_child (dialog, "stack");

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack),
                    PISO_OPERATION_DIALOG_GET_CLASS (dialog)->form_page) == 0 &&
         gtk_widget_get_visible (piso_ui_test_child (dialog, "failure_label"));
}

/* The dialog's controls are named for screen readers, once */
static void
assert_export_names (PisoExportDialog *dialog)
{
  GtkWidget *choose = piso_ui_test_child (dialog, "choose_button");
  GtkWidget *bar = piso_ui_test_child (dialog, "progress_bar");
  g_autofree char *choose_name = NULL;

  g_assert_true (gtk_widget_get_focusable (choose));
  g_object_get (choose, "label", &choose_name, NULL);
  g_assert_cmpstr (choose_name, ==, _("Choose Folder…"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry"))), !=, "");
  g_assert_cmpstr (adw_preferences_row_get_title (piso_ui_test_child (dialog, "name_row")), ==,
                   _("Name of the bundle folder"));
  g_assert_true (GTK_IS_PROGRESS_BAR (bar));
}

/* Export writes the bundle into the chosen folder and toasts; Export
 * waits for a folder. */
static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "small");
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *bundle = g_build_filename (dir, "small", NULL);
  g_autofree char *files = NULL;
  g_autofree char *siblings = NULL;
  PisoExportDialog *dialog = open_export (page);

  assert_export_names (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry"))), ==, "small");
  g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "export_button")));
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "running_label")));
  piso_export_dialog_set_folder (dialog, folder);
  g_assert_true (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "export_button")));
  /* A name that is no folder name: refused */
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "a/b");
  g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "export_button")));
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "small");
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "export-dialog");

  piso_ui_test_click (piso_ui_test_child (dialog, "export_button"));
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_EXPORT_DIALOG), 20,
                        "the export to finish");
  piso_test_wait_until (piso_ui_test_page_fixture_has_toast, f, 5, "the toast");
  g_test_message ("toast: %s", (char *) g_ptr_array_index (f->toasts, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (f->toasts, 0), "Small machine"));

  files = piso_test_list_dir (bundle);
  g_assert_cmpstr (files, ==, "domain.xml manifest.ini");
  siblings = piso_test_list_dir (dir);
  g_assert_cmpstr (siblings, ==, "small");
}

/* A running machine: the dialog says it is paused while read. */
static void
test_running (Fixture       *f,
              gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "busy");
  PisoExportDialog *dialog = open_export (page);
  GtkLabel *running = piso_ui_test_child (dialog, "running_label");

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (running)));
  g_assert_nonnull (strstr (gtk_label_get_label (running), "busy"));
  g_assert_cmpstr (gtk_button_get_label (piso_ui_test_child (dialog, "export_button")), ==,
                   _("Pause and _Export"));
  g_assert_true (piso_exporter_get_pause_running (piso_export_dialog_get_exporter (dialog)));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "export-dialog-running");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A cancelled export and a failed one leave nothing; the dialog says why
 * and stays, the choices kept. */
/* The exporter's worker waits here (its free-space check) until the test
 * has clicked Cancel: "small" has no disk, and its export could otherwise
 * be complete before the click on a loaded machine. */
static gint export_may_go;

static gboolean
free_space_after_cancel (const char *folder,
                         guint64    *free_bytes)
{
  for (guint i = 0; i < 1000 && !g_atomic_int_get (&export_may_go); i++)
    g_usleep (10 * 1000);
  *free_bytes = G_MAXUINT64;
  return TRUE;
}

static void
test_nothing_left (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "small");
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *after_cancel = NULL;
  g_autofree char *after_failure = NULL;
  PisoExportDialog *dialog = open_export (page);
  GtkLabel *failure = piso_ui_test_child (dialog, "failure_label");

  piso_export_dialog_set_folder (dialog, folder);
  /* Cancel while the exporter's thread is held before it writes */
  g_atomic_int_set (&export_may_go, FALSE);
  _piso_exporter_set_free_space_func (free_space_after_cancel);
  piso_ui_test_click (piso_ui_test_child (dialog, "export_button"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (piso_ui_test_child (dialog, "stack")), ==, "progress");
  piso_ui_test_click (piso_ui_test_child (dialog, "cancel_button"));
  g_atomic_int_set (&export_may_go, TRUE);
  piso_test_wait_until (shows_form, dialog, 20, "the cancelled export's message");
  g_assert_cmpstr (gtk_label_get_label (failure), ==,
                   _("The export was cancelled. Nothing of it was kept."));
  _piso_exporter_set_free_space_func (NULL);
  after_cancel = piso_test_list_dir (dir);
  g_assert_cmpstr (after_cancel, ==, "");
  g_assert_true (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "export_button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_spin (50);

  /* "web"'s disks cannot be read through the test driver: a failure */
  piso_machine_page_set_machine (page, machine_named (f->connection, "web"));
  piso_test_spin (100);
  dialog = open_export (page);
  failure = piso_ui_test_child (dialog, "failure_label");
  piso_export_dialog_set_folder (dialog, folder);
  piso_ui_test_click (piso_ui_test_child (dialog, "export_button"));
  piso_test_wait_until (shows_form, dialog, 20, "the failed export's message");
  g_test_message ("failure: %s", gtk_label_get_label (failure));
  {
    /* The backend's words, translated: "Could not read the disk “…”" */
    g_auto(GStrv) parts = g_strsplit (_("Could not read the disk “%s”"), "%s", 2);

    g_assert_nonnull (strstr (gtk_label_get_label (failure), parts[0]));
  }
  /* Read out as it appears */
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (failure)), ==,
                   GTK_ACCESSIBLE_ROLE_ALERT);
  after_failure = piso_test_list_dir (dir);
  g_assert_cmpstr (after_failure, ==, "");
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "export-dialog-failed");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* ---- import, in Piso's window ---- */

typedef struct
{
  PisoWindow  *window;
  PisoMachine *machine;
} WindowShows;

static gboolean
window_shows (gpointer user_data)
{
  WindowShows *w = user_data;
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (_piso_window_get_list_model (w->window));

  return w->machine != NULL && gtk_single_selection_get_selected_item (selection) == (gpointer) w->machine;
}

static gboolean
has_small (gpointer connection)
{
  return machine_named (connection, "small") != NULL;
}

static gboolean
import_settled (gpointer dialog)
{
  GtkStack *stack = piso_ui_test_child (dialog, "stack");
  const char *page = gtk_stack_get_visible_child_name (stack);

  return g_strcmp0 (page, "review") == 0 || g_strcmp0 (page, "refused") == 0;
}

/* The review names the pool the disks go to (a choice among the
 * connection's pools) and says plainly that the machine stays shut off,
 * with the switch that changes both the words and what Import does */
static void
check_pool_and_start (PisoImportDialog *dialog)
{
  AdwComboRow *pool_row = piso_ui_test_child (dialog, "pool_row");
  AdwActionRow *start_row = piso_ui_test_child (dialog, "start_row");
  GtkSwitch *start_switch = piso_ui_test_child (dialog, "start_switch");

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pool_row)));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (pool_row)), ==,
                   _("Storage pool for the disks"));
  g_assert_cmpstr (gtk_string_object_get_string (adw_combo_row_get_selected_item (pool_row)), ==, "default");
  /* The fixture's pools: tiny, default, nvram */
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (pool_row)), ==, 3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (start_row)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (start_switch)));
  g_assert_false (gtk_switch_get_active (start_switch));
  g_assert_cmpstr (adw_action_row_get_subtitle (start_row), ==,
                   _("The machine stays shut off once imported: start it when you are ready."));
  gtk_switch_set_active (start_switch, TRUE);
  g_assert_cmpstr (adw_action_row_get_subtitle (start_row), ==,
                   _("The machine starts as soon as it is imported."));
  gtk_switch_set_active (start_switch, FALSE);
}

/* Where the pool row offers pool @name, or GTK_INVALID_LIST_POSITION */
static guint
pool_position (PisoImportDialog *dialog,
               const char       *name)
{
  GListModel *pools = adw_combo_row_get_model (piso_ui_test_child (dialog, "pool_row"));

  for (guint i = 0; i < g_list_model_get_n_items (pools); i++)
    {
      g_autoptr(GtkStringObject) pool = g_list_model_get_item (pools, i);

      if (g_strcmp0 (gtk_string_object_get_string (pool), name) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
select_pool (PisoImportDialog *dialog,
             const char       *name)
{
  guint position = pool_position (dialog, name);

  g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
  adw_combo_row_set_selected (piso_ui_test_child (dialog, "pool_row"), position);
}

static gboolean
shows_blockers (gpointer dialog)
{
  return gtk_widget_get_visible (piso_ui_test_child (dialog, "blockers_label"));
}

static gboolean
import_enabled (gpointer dialog)
{
  return gtk_widget_get_sensitive (piso_ui_test_child (dialog, "import_button"));
}

/* The Import dialog just opened, once it checked its bundle */
static PisoImportDialog *
settled_import (void)
{
  PisoImportDialog *dialog = PISO_IMPORT_DIALOG (piso_ui_test_find_toplevel (PISO_TYPE_IMPORT_DIALOG));

  g_assert_nonnull (dialog);
  piso_test_wait_until (import_settled, dialog, 20, "the bundle to be checked");
  piso_ui_test_wait_frames (GTK_WIDGET (dialog), 2, 2000);
  return dialog;
}

static PisoImportDialog *
open_import (PisoWindow *window,
             const char *path)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);

  piso_window_import_bundle (window, folder);
  return settled_import ();
}

/* Packs the bundle folder @bundle into the single file @tar, as Export
 * writes one (the manifest first) */
static void
pack_tar (const char *bundle,
          const char *tar)
{
  g_autoptr(GDir) dir = g_dir_open (bundle, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;

  g_assert_nonnull (dir);
  g_ptr_array_add (names, g_strdup ("manifest.ini"));
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, "manifest.ini"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_add (names, NULL);
  g_assert_true (_piso_tar_pack (bundle, (const char * const *) names->pdata, tar, NULL, &error));
  g_assert_no_error (error);
}

/* Dropped on the window: a .tar bundle (after a file that is none) opens
 * Import and imports like a folder; the folder, or its manifest, opens it
 * too; a file that is neither a bundle nor an ISO is refused with a word */
static void
check_drops (PisoWindow     *window,
             PisoConnection *connection,
             const char     *bundle,
             const char     *dir)
{
  g_autofree char *tar = g_build_filename (dir, "small.tar", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *manifest = g_build_filename (bundle, "manifest.ini", NULL);
  g_autoptr(GFile) tar_file = g_file_new_for_path (tar);
  g_autoptr(GFile) text_file = g_file_new_for_path (text);
  g_autoptr(GFile) bundle_file = g_file_new_for_path (bundle);
  g_autoptr(GFile) manifest_file = g_file_new_for_path (manifest);
  GSList second = { tar_file, NULL };
  GSList first = { text_file, &second };
  GSList folder = { bundle_file, NULL };
  GSList just_manifest = { manifest_file, NULL };
  GSList just_text = { text_file, NULL };
  PisoImportDialog *dialog;

  pack_tar (bundle, tar);
  g_assert_true (g_file_set_contents (text, "notes\n", -1, NULL));
  g_assert_true (piso_ui_test_drop_files (GTK_WIDGET (window), &first));
  dialog = settled_import ();
  g_assert_true (piso_import_dialog_get_ready (dialog));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry"))), ==, "small-2");
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "small-from-tar");
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-tar");
  piso_ui_test_click (piso_ui_test_child (dialog, "import_button"));
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_IMPORT_DIALOG), 20,
                        "the import of the .tar to finish");
  g_assert_nonnull (machine_named (connection, "small-from-tar"));
  /* Its unpacked files do not stay in the way of the next: the .tar is
   * left as it was */
  g_assert_true (g_file_test (tar, G_FILE_TEST_IS_REGULAR));

  g_assert_true (piso_ui_test_drop_files (GTK_WIDGET (window), &folder));
  dialog = settled_import ();
  g_assert_true (piso_import_dialog_get_ready (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_spin (50);
  g_assert_true (piso_ui_test_drop_files (GTK_WIDGET (window), &just_manifest));
  dialog = settled_import ();
  g_assert_true (piso_import_dialog_get_ready (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_spin (50);

  g_assert_false (piso_ui_test_drop_files (GTK_WIDGET (window), &just_text));
  g_assert_null (piso_ui_test_find_toplevel (PISO_TYPE_IMPORT_DIALOG));
  g_assert_cmpstr (_piso_window_get_last_toast_message (window), ==,
                   _("Drop an installer’s ISO or IMG file here to make a new machine from it, or a "
                     "machine’s bundle or an appliance (OVA, OVF) to import it."));
  g_assert_cmpint (g_unlink (tar), ==, 0);
  g_assert_cmpint (g_unlink (text), ==, 0);
}

/* Writes @name's bundle into @dir through the Export dialog */
static char *
export_through_dialog (PisoWindow     *window,
                       PisoConnection *connection,
                       const char     *name,
                       const char     *dir)
{
  PisoMachinePage *page = PISO_MACHINE_PAGE (_piso_window_get_machine_page (window));
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  PisoExportDialog *dialog;
  char *bundle;

  g_assert_true (_piso_window_select_item (window, machine_named (connection, name)));
  piso_test_wait_until (can_export, machine_named (connection, name), 10, "the machine to be read");
  piso_test_spin (100);
  dialog = open_export (page);
  piso_export_dialog_set_folder (dialog, folder);
  piso_ui_test_click (piso_ui_test_child (dialog, "export_button"));
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_EXPORT_DIALOG), 20,
                        "the export to finish");
  bundle = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_DIR));
  g_test_message ("toast: %s", _piso_window_get_last_toast_message (window));
  /* With "Open Folder" */
  g_assert_nonnull (adw_toast_get_button_label (_piso_window_get_last_toast (window)));
  return bundle;
}

static gboolean
host_offers_x86_64 (PisoConnection *connection)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  char *caps = virConnectGetCapabilities (handle);
  gboolean offers;

  g_assert_nonnull (caps);
  offers = strstr (caps, "<arch name='x86_64'>") != NULL;
  free (caps);
  virConnectClose (handle);
  return offers;
}

static void
flip_byte (const char *path,
           gsize       offset)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (offset, <, length);
  contents[offset] ^= 0x01;
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

/* Stops @connection's virtual network @name, and with @undefine removes it */
static void
remove_network (PisoConnection *connection,
                const char     *name,
                gboolean        undefine)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  virNetworkPtr network = virNetworkLookupByName (handle, name);

  g_assert_nonnull (network);
  virNetworkDestroy (network);
  if (undefine)
    g_assert_cmpint (virNetworkUndefine (network), ==, 0);
  virNetworkFree (network);
  virConnectClose (handle);
}

/* Starts or stops @connection's storage pool @name */
static void
set_pool_running (PisoConnection *connection,
                  const char     *name,
                  gboolean        running)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  virStoragePoolPtr pool = virStoragePoolLookupByName (handle, name);

  g_assert_nonnull (pool);
  g_assert_cmpint (running ? virStoragePoolCreate (pool, 0) : virStoragePoolDestroy (pool), ==, 0);
  virStoragePoolFree (pool);
  virConnectClose (handle);
}

/* The application of the tests in Piso's window, one for the process: a
 * second could not register on the bus (at the same object path) while
 * the first is still referenced */
static PisoApplication *
window_application (void)
{
  static PisoApplication *app;

  if (app == NULL)
    app = piso_ui_test_new_application ();
  return app;
}

static void
test_import (void)
{
  PisoApplication *app;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = piso_test_fixture_uri ("export.xml");
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *small = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *path = NULL;
  PisoConnection *connection;
  PisoImportDialog *dialog;
  GtkWidget *import_button;
  WindowShows w = { NULL, NULL };

  if (!piso_ui_test_skip_unless_display ())
    return;
  app = window_application ();
  w.window = piso_ui_test_present_window (app, 1100, 760);
  connection = piso_application_add_connection (app, uri, FALSE, &error);
  g_assert_no_error (error);
  piso_test_wait_until (has_small, connection, 10, "the machines of the fixture");
  small = export_through_dialog (w.window, connection, "small", dir);

  /* The review: a free name proposed, what will be made */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (w.window)));
  dialog = open_import (w.window, small);
  g_assert_true (piso_import_dialog_get_ready (dialog));
  import_button = piso_ui_test_child (dialog, "import_button");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry"))), ==, "small-2");
  g_assert_true (gtk_widget_get_sensitive (import_button));
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "blockers_label")));
  g_assert_cmpstr (adw_action_row_get_subtitle (piso_ui_test_child (dialog, "firmware_row")), ==, _("BIOS"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (piso_ui_test_child (dialog, "resources_row")), "2"));
  g_assert_cmpstr (adw_action_row_get_subtitle (piso_ui_test_child (dialog, "disks_row")), ==, _("None"));
  /* Its network card goes to this host's network of the same name */
  {
    GtkWidget *network = piso_ui_test_find_descendant (piso_ui_test_child (dialog, "networks_group"),
                                                       ADW_TYPE_COMBO_ROW);

    g_assert_nonnull (network);
    g_assert_cmpstr (gtk_string_object_get_string (adw_combo_row_get_selected_item (ADW_COMBO_ROW (network))),
                     ==, "default");
    g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "network_label")));
  }
  check_pool_and_start (dialog);
  /* A taken name is refused with the reason, as Rename does */
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "small");
  g_assert_false (gtk_widget_get_sensitive (import_button));
  g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "name_error_label")));
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "small-copy");
  g_assert_true (gtk_widget_get_sensitive (import_button));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-review");
  /* Move: refused while the original (same UUID) is here, with the reason */
  {
    GtkLabel *identity = piso_ui_test_child (dialog, "identity_label");

    g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "move_row")));
    gtk_switch_set_active (piso_ui_test_child (dialog, "move_switch"), TRUE);
    g_test_message ("move: %s", gtk_label_get_label (identity));
    g_assert_nonnull (strstr (gtk_label_get_label (identity), "Small machine"));
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (identity), "error"));
    g_assert_false (gtk_widget_get_sensitive (import_button));
    piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-move");
    gtk_switch_set_active (piso_ui_test_child (dialog, "move_switch"), FALSE);
    g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (identity), "error"));
    g_assert_true (gtk_widget_get_sensitive (import_button));
  }

  piso_ui_test_click (import_button);
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_IMPORT_DIALOG), 20,
                        "the import to finish");
  w.machine = machine_named (connection, "small-copy");
  g_assert_nonnull (w.machine);
  g_assert_cmpint (piso_machine_get_state (w.machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  /* Beside its original, it is listed under its own name */
  g_assert_cmpstr (piso_machine_get_display_name (w.machine), ==, "small-copy");
  piso_test_wait_until (window_shows, &w, 10, "the window to select the imported machine");
  {
    g_autofree char *toast = g_strdup_printf (_("Imported “%s”"), "small-copy");

    g_assert_cmpstr (_piso_window_get_last_toast_message (w.window), ==, toast);
  }
  piso_ui_test_screenshot (GTK_WIDGET (w.window), "import-in-window");
  check_drops (w.window, connection, small, dir);

  /* A changed byte: refused before anything is made */
  tampered = g_build_filename (dir, "tampered", NULL);
  g_assert_cmpint (g_rename (small, tampered), ==, 0);
  path = g_build_filename (tampered, "domain.xml", NULL);
  flip_byte (path, 40);
  dialog = open_import (w.window, tampered);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (piso_ui_test_child (dialog, "stack")), ==, "refused");
  g_test_message ("refused: %s", adw_status_page_get_description (piso_ui_test_child (dialog, "refused_page")));
  g_assert_nonnull (strstr (adw_status_page_get_description (piso_ui_test_child (dialog, "refused_page")),
                            "domain.xml"));
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "import_button")));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-tampered");
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_spin (50);
  g_assert_null (machine_named (connection, "small-3"));

  /* A machine this host may not run (x86_64 on libvirt 9.0's test driver):
   * the reason shown, Import refused */
  empty = export_through_dialog (w.window, connection, "empty", dir);
  dialog = open_import (w.window, empty);
  import_button = piso_ui_test_child (dialog, "import_button");
  if (!host_offers_x86_64 (connection))
    {
      GtkLabel *blockers = piso_ui_test_child (dialog, "blockers_label");

      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (blockers)));
      g_test_message ("blockers: %s", gtk_label_get_label (blockers));
      g_assert_nonnull (strstr (gtk_label_get_label (blockers), "x86_64"));
      g_assert_false (gtk_widget_get_sensitive (import_button));
    }
  else
    g_assert_true (gtk_widget_get_sensitive (import_button));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-host");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* A network this host does not have (any more): its cards get user-mode
   * networking, the choice that always works, and the row says why */
  g_clear_pointer (&small, g_free);
  small = export_through_dialog (w.window, connection, "small", dir);
  remove_network (connection, "default", TRUE);
  dialog = open_import (w.window, small);
  import_button = piso_ui_test_child (dialog, "import_button");
  {
    GtkLabel *network_label = piso_ui_test_child (dialog, "network_label");
    GtkWidget *network = piso_ui_test_find_descendant (piso_ui_test_child (dialog, "networks_group"),
                                                       ADW_TYPE_COMBO_ROW);
    GListModel *choices = adw_combo_row_get_model (ADW_COMBO_ROW (network));
    guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (network));
    const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (network));

    g_test_message ("network row: %s", subtitle);
    g_assert_nonnull (subtitle);
    g_assert_nonnull (strstr (subtitle, "default"));
    /* The last choice is user-mode networking */
    g_assert_cmpuint (selected, ==, g_list_model_get_n_items (choices) - 1);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (network_label)));
    g_assert_true (gtk_widget_get_sensitive (import_button));
    piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-network");
    /* The choice reads whole beside the long subtitle (Spanish: "Red en …") */
    piso_ui_test_assert_not_ellipsized (network);
  }
  piso_ui_test_click (import_button);
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_IMPORT_DIALOG), 20,
                        "the import to finish");
  g_assert_nonnull (machine_named (connection, "small-2"));

  /* A stopped pool is not offered (the upload would be refused); with
   * none running, the review says so and what to do, and Import waits */
  set_pool_running (connection, "nvram", FALSE);
  dialog = open_import (w.window, small);
  g_assert_cmpuint (pool_position (dialog, "nvram"), ==, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (pool_position (dialog, "default"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (pool_position (dialog, "tiny"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_true (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "import_button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_spin (50);
  set_pool_running (connection, "default", FALSE);
  set_pool_running (connection, "tiny", FALSE);
  dialog = open_import (w.window, small);
  {
    GtkLabel *blockers = piso_ui_test_child (dialog, "blockers_label");

    g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (piso_ui_test_child (dialog, "pool_row"))),
                      ==, 0);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (blockers)));
    g_test_message ("no pool: %s", gtk_label_get_label (blockers));
    g_assert_nonnull (strstr (gtk_label_get_label (blockers), "default, nvram, tiny"));
    g_assert_nonnull (strstr (gtk_label_get_label (blockers), "virsh pool-start default"));
    g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "import_button")));
    piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-no-pool");
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_spin (50);
  for (guint i = 0; i < 3; i++)
    set_pool_running (connection, ((const char *[]) { "default", "nvram", "tiny" })[i], TRUE);

  gtk_window_destroy (GTK_WINDOW (w.window));
  piso_test_spin (50);
}

/* ---- an appliance ---- */

/* What the test driver's missing volume upload is replaced by: the files
 * "uploaded", or held until cancelled */
static struct
{
  GMutex     lock;
  GPtrArray *uploaded;   /* "basename size" */
  gboolean   hold;
  gint       holding;
} uploads;

static gboolean
record_upload (virStorageVolPtr  vol,
               const char       *local_path,
               guint64           size,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autofree char *base = g_path_get_basename (local_path);
  gboolean hold;

  g_mutex_lock (&uploads.lock);
  g_ptr_array_add (uploads.uploaded, g_strdup_printf ("%s %" G_GUINT64_FORMAT, base, size));
  hold = uploads.hold;
  g_mutex_unlock (&uploads.lock);
  if (!hold)
    return TRUE;
  g_atomic_int_set (&uploads.holding, 1);
  while (!g_cancellable_is_cancelled (cancellable))
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
upload_held (gpointer data)
{
  return g_atomic_int_get (&uploads.holding) != 0;
}

static gboolean
cache_empty (gpointer data)
{
  g_autofree char *listing = piso_test_cache_listing ();

  return listing[0] == '\0';
}

static gboolean
has_machine (gpointer connection)
{
  return machine_named (connection, "appliance-web") != NULL;
}

/* Whether Import Machine…'s chooser shows a file named @name */
static gboolean
chooser_shows (const char *name)
{
  g_autoptr(GtkFileFilter) filter = piso_import_dialog_new_filter ();
  g_autoptr(GFileInfo) info = g_file_info_new ();

  g_file_info_set_display_name (info, name);
  return gtk_filter_match (GTK_FILTER (filter), info);
}

/* The review of the appliance tests/data/ovf/appliance.ovf describes */
static void
check_appliance_review (PisoImportDialog *dialog)
{
  const char *resources = adw_action_row_get_subtitle (piso_ui_test_child (dialog, "resources_row"));
  const char *disks = adw_action_row_get_subtitle (piso_ui_test_child (dialog, "disks_row"));
  const char *notes = gtk_label_get_label (piso_ui_test_child (dialog, "notes_label"));
  g_autofree char *memory = piso_format_memory_kib (1536 * 1024);
  g_autofree char *disk1 = piso_format_bytes (16 * 1024 * 1024);
  g_autofree char *disk2 = piso_format_bytes (8 * 1024 * 1024);
  g_autofree char *title = g_strdup_printf (_("Import “%s”"), "Appliance Web");

  g_assert_true (piso_import_dialog_get_ready (dialog));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, title);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry"))), ==,
                   "Appliance Web");
  g_test_message ("os: %s; resources: %s; disks: %s; firmware: %s; network: %s",
                  adw_action_row_get_subtitle (piso_ui_test_child (dialog, "os_row")), resources, disks,
                  adw_action_row_get_subtitle (piso_ui_test_child (dialog, "firmware_row")),
                  adw_action_row_get_subtitle (piso_ui_test_child (dialog, "network_row")));
  g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "os_row")));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (piso_ui_test_child (dialog, "os_row")), "Debian"));
  g_assert_cmpstr (adw_preferences_row_get_title (piso_ui_test_child (dialog, "os_row")), ==,
                   _("Operating system"));
  g_assert_nonnull (strstr (resources, "3 "));
  g_assert_nonnull (strstr (resources, memory));
  g_assert_nonnull (strstr (disks, "2 "));
  g_assert_nonnull (strstr (disks, disk1));
  g_assert_nonnull (strstr (disks, disk2));
  g_assert_cmpstr (adw_action_row_get_subtitle (piso_ui_test_child (dialog, "firmware_row")), ==, _("UEFI"));
  g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "network_row")));
  g_assert_cmpstr (adw_action_row_get_subtitle (piso_ui_test_child (dialog, "network_row")), ==,
                   _("Shared with the host through the “default” network (NAT)"));
  /* The pool named and chosen as a bundle's, and whether it starts; no
   * identity to keep */
  check_pool_and_start (dialog);
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "identity_label")));
  /* What was not carried over, in plain words */
  g_test_message ("notes: %s", notes);
  g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "notes_label")));
  g_assert_false (gtk_widget_has_css_class (piso_ui_test_child (dialog, "notes_label"), "dim-label"));
  g_assert_nonnull (strstr (notes, "CD-ROM 1"));
  g_assert_nonnull (strstr (notes, "VirtualVMCIDevice"));
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "blockers_label")));
  g_assert_true (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "import_button")));
}

static void
test_import_appliance (void)
{
  PisoApplication *app;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = piso_test_fixture_uri ("export.xml");
  g_autofree char *dir = piso_test_make_appliance (NULL, TRUE);
  g_autofree char *ova = piso_test_make_ova (dir);
  g_autoptr(GFile) ova_file = g_file_new_for_path (ova);
  g_autofree char *pool_before = NULL;
  GSList dropped = { ova_file, NULL };
  PisoConnection *connection;
  PisoImportDialog *dialog;
  PisoMachine *machine;
  WindowShows w = { NULL, NULL };

  if (!piso_ui_test_skip_unless_display ())
    return;
  /* Import Machine…'s chooser offers appliances beside bundles */
  g_assert_true (chooser_shows ("web.ova"));
  g_assert_true (chooser_shows ("WEB.OVF"));
  g_assert_true (chooser_shows ("small.tar"));
  g_assert_false (chooser_shows ("web.vmdk"));
  uploads.uploaded = g_ptr_array_new_with_free_func (g_free);
  _piso_storage_set_upload_func (record_upload);
  app = window_application ();
  w.window = piso_ui_test_present_window (app, 1100, 760);
  connection = piso_application_add_connection (app, uri, FALSE, &error);
  g_assert_no_error (error);
  piso_ui_test_wait_machines (connection, 4, "the machines of the fixture");
  pool_before = piso_test_pool_snapshot (connection, "default", 0);
  /* Into the selected machine's host */
  g_assert_true (_piso_window_select_item (w.window, machine_named (connection, "small")));

  /* Dropped on the window: read, its disks converted, then the review */
  g_assert_true (piso_ui_test_drop_files (GTK_WIDGET (w.window), &dropped));
  dialog = settled_import ();
  check_appliance_review (dialog);
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-appliance");
  /* Another pool: the host is checked for it (the fixture's "tiny" has
   * 64 KiB free), then "default" again */
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "appliance-web");
  select_pool (dialog, "tiny");
  piso_test_wait_until (shows_blockers, dialog, 20, "the check of the pool “tiny”");
  g_test_message ("tiny: %s", gtk_label_get_label (piso_ui_test_child (dialog, "blockers_label")));
  g_assert_nonnull (strstr (gtk_label_get_label (piso_ui_test_child (dialog, "blockers_label")), "tiny"));
  g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "import_button")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry"))), ==,
                   "appliance-web");
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-appliance-pool");
  select_pool (dialog, "default");
  piso_test_wait_until (import_enabled, dialog, 20, "the check of the pool “default”");
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "blockers_label")));
  /* Started once imported, as the switch now says */
  gtk_switch_set_active (piso_ui_test_child (dialog, "start_switch"), TRUE);

  /* Import: a new machine with the appliance's values and both disks */
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "appliance-web");
  piso_ui_test_click (piso_ui_test_child (dialog, "import_button"));
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_IMPORT_DIALOG), 30,
                        "the appliance's import to finish");
  piso_test_wait_until (has_machine, connection, 10, "the imported machine");
  machine = w.machine = machine_named (connection, "appliance-web");
  piso_test_wait_until (window_shows, &w, 10, "the window to select the imported machine");
  {
    g_autofree char *toast = g_strdup_printf (_("Imported and started “%s”"), "appliance-web");

    g_assert_cmpstr (_piso_window_get_last_toast_message (w.window), ==, toast);
  }
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_RUNNING);
  g_assert_cmpuint (piso_machine_get_vcpus (machine), ==, 3);
  g_assert_cmpuint (piso_machine_get_memory (machine), ==, 1536 * 1024);
  {
    g_autofree char *xml = piso_test_machine_xml (machine);
    g_autofree char *pool_after = piso_test_pool_snapshot (connection, "default", 0);
    PisoTestXml x;

    g_test_message ("pool: %s", pool_after);
    piso_test_xml_parse (&x, xml);
    piso_test_assert_xml_count (&x, "/domain/devices/disk[@device='disk']", 2);
    piso_test_assert_xml_count (&x, "/domain/os[@firmware='efi']", 1);
    piso_test_xml_clear (&x);
    g_assert_nonnull (strstr (pool_after, "appliance-web.qcow2"));
    g_assert_nonnull (strstr (pool_after, "appliance-web-disk2.qcow2"));
  }
  /* Both converted disks went into the pool, the system disk first */
  g_assert_cmpuint (uploads.uploaded->len, ==, 2);
  g_test_message ("uploaded: %s, %s", (char *) g_ptr_array_index (uploads.uploaded, 0),
                  (char *) g_ptr_array_index (uploads.uploaded, 1));
  /* The appliance's converted disks go with the dialog */
  piso_test_wait_until (cache_empty, NULL, 10, "the converted disks to be removed");

  /* The network "default" stopped: Import starts it only once the user
   * agrees, as New Machine's Create */
  remove_network (connection, "default", FALSE);
  piso_window_import_bundle (w.window, ova_file);
  dialog = settled_import ();
  {
    GtkWidget *fix = piso_ui_test_find_descendant (piso_ui_test_child (dialog, "fixes_box"),
                                                   GTK_TYPE_CHECK_BUTTON);
    GtkWidget *import_button = piso_ui_test_child (dialog, "import_button");

    g_test_message ("warnings: %s", gtk_label_get_label (piso_ui_test_child (dialog, "warnings_label")));
    g_assert_nonnull (fix);
    g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "warnings_label")));
    g_assert_nonnull (strstr (gtk_label_get_label (piso_ui_test_child (dialog, "warnings_label")),
                              "default"));
    g_assert_false (gtk_widget_get_sensitive (import_button));
    piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-appliance-consent");
    gtk_check_button_set_active (GTK_CHECK_BUTTON (fix), TRUE);
    g_assert_true (gtk_widget_get_sensitive (import_button));
  }

  /* The switch left off: the machine stays shut off */
  g_assert_false (gtk_switch_get_active (piso_ui_test_child (dialog, "start_switch")));

  /* Cancelled while its disks go into the pool: nothing left */
  g_clear_pointer (&pool_before, g_free);
  pool_before = piso_test_pool_snapshot (connection, "default", 0);
  uploads.hold = TRUE;
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry"))), ==,
                   "Appliance Web");
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "appliance-cancelled");
  piso_ui_test_click (piso_ui_test_child (dialog, "import_button"));
  piso_test_wait_until (upload_held, NULL, 20, "the upload to start");
  piso_ui_test_click (piso_ui_test_child (dialog, "cancel_button"));
  piso_test_wait_until (shows_form, dialog, 20, "the cancelled import's message");
  g_assert_cmpstr (gtk_label_get_label (piso_ui_test_child (dialog, "failure_label")), ==,
                   _("The import was cancelled. Nothing it made was kept."));
  g_assert_null (machine_named (connection, "appliance-cancelled"));
  {
    g_autofree char *pool_after = piso_test_pool_snapshot (connection, "default", 0);

    g_assert_cmpstr (pool_after, ==, pool_before);
  }
  g_assert_true (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "import_button")));
  uploads.hold = FALSE;
  /* Imported with the switch left off: shut off, as the review said */
  gtk_editable_set_text (GTK_EDITABLE (piso_ui_test_child (dialog, "name_entry")), "appliance-off");
  piso_ui_test_click (piso_ui_test_child (dialog, "import_button"));
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_IMPORT_DIALOG), 30,
                        "the appliance's import to finish");
  g_assert_nonnull (machine_named (connection, "appliance-off"));
  g_assert_cmpint (piso_machine_get_state (machine_named (connection, "appliance-off")), ==,
                   PISO_MACHINE_STATE_SHUTOFF);
  piso_test_wait_until (cache_empty, NULL, 10, "the converted disks to be removed");

  /* Cancelled while it is read: refused, nothing kept */
  piso_window_import_bundle (w.window, ova_file);
  dialog = PISO_IMPORT_DIALOG (piso_ui_test_find_toplevel (PISO_TYPE_IMPORT_DIALOG));
  piso_ui_test_click (piso_ui_test_child (dialog, "cancel_button"));
  dialog = settled_import ();
  g_assert_cmpstr (gtk_stack_get_visible_child_name (piso_ui_test_child (dialog, "stack")), ==, "refused");
  g_assert_cmpstr (adw_status_page_get_description (piso_ui_test_child (dialog, "refused_page")), ==,
                   _("Reading the appliance was cancelled. Nothing of it was kept."));
  g_assert_cmpstr (adw_status_page_get_title (piso_ui_test_child (dialog, "refused_page")), ==,
                   _("This Appliance Cannot Be Imported"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_wait_until (cache_empty, NULL, 10, "nothing of the appliance to be kept");
  g_assert_null (machine_named (connection, "Appliance Web"));

  /* Windows: the virtio drivers it lacks, and virt-v2v, are said */
  {
    g_autofree char *windows = piso_test_ovf_fixture_for ("windows9_64Guest");
    g_autofree char *windows_dir = piso_test_make_appliance (windows, TRUE);
    g_autofree char *windows_ova = piso_test_make_ova (windows_dir);
    g_autoptr(GFile) windows_file = g_file_new_for_path (windows_ova);
    const char *notes;

    piso_window_import_bundle (w.window, windows_file);
    dialog = settled_import ();
    notes = gtk_label_get_label (piso_ui_test_child (dialog, "notes_label"));
    g_test_message ("windows: %s", adw_action_row_get_subtitle (piso_ui_test_child (dialog, "os_row")));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (piso_ui_test_child (dialog, "os_row")), "Windows"));
    g_assert_nonnull (strstr (notes, "virtio"));
    g_assert_nonnull (strstr (notes, "virt-v2v"));
    piso_ui_test_screenshot (GTK_WIDGET (dialog), "import-dialog-appliance-windows");
    gtk_window_destroy (GTK_WINDOW (dialog));
    piso_test_wait_until (cache_empty, NULL, 10, "the converted disks to be removed");
  }

  _piso_storage_set_upload_func (NULL);
  g_clear_pointer (&uploads.uploaded, g_ptr_array_unref);
  gtk_window_destroy (GTK_WINDOW (w.window));
  piso_test_spin (50);
}

int
main (int   argc,
      char *argv[])
{
  if (!piso_ui_test_init_checked (&argc, &argv, "/export-dialog/no-display"))
    return g_test_run ();
  piso_ui_test_load_style ();

#define ADD(path, func) piso_ui_test_add_page_test (path, &fixture_page, func)

  ADD ("/export-dialog/export", test_export);
  ADD ("/export-dialog/running", test_running);
  ADD ("/export-dialog/nothing-left", test_nothing_left);

#undef ADD
  g_test_add_func ("/export-dialog/import", test_import);
  g_test_add_func ("/export-dialog/import-appliance", test_import_appliance);

  return g_test_run ();
}
