/* test-migrate-dialog.c: Move to Another Host… under Xvfb
 *
 * Two copies of tests/data/basic.xml are two hosts that see the same
 * storage pool. "Move to Another Host…" is there only with another
 * connection (in a list row's menu too); its dialog lists the other
 * connected ones, and says so when none is. A machine the other host already has (the copies share their
 * machines) is refused before anything is tried, the reason shown and Move
 * off; a new shut-off machine passes the checks and moves (toast, listed
 * there, gone here); the test driver cannot move a running machine, and the
 * dialog says that it keeps running where it was. A shut-off machine whose
 * disk the other host lacks is offered its pools. With --piso-language=es
 * (test-migrate-dialog-es) the same runs in Spanish; screenshots get "-es".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "piso-backend-private.h"
#include "piso-machine-page.h"
#include "piso-migrate-dialog.h"
#include "piso-test-utils.h"
#include "piso-ui-test-utils.h"

typedef PisoUiTestPageFixture Fixture;

static const PisoUiTestPage fixture_page = { "basic.xml", 860, 700 };

#define DISK_THERE "<disk type='file' device='disk'><source file='/var/lib/piso-test/images/alpha.qcow2'/>" \
                   "<target dev='vda' bus='virtio'/></disk>"

/* The fixture's connection and @other (may be NULL) as the window's list */
static GListStore *
connections_of (Fixture        *f,
                PisoConnection *other)
{
  GListStore *store = g_list_store_new (PISO_TYPE_CONNECTION);

  g_list_store_append (store, f->connection);
  if (other != NULL)
    g_list_store_append (store, other);
  return store;
}

static PisoMachine *
define (PisoConnection *connection,
        const char     *name)
{
  g_autofree char *xml = piso_test_domain_xml (name, DISK_THERE);

  return piso_test_define (connection, xml);
}

static gboolean
can_migrate (gpointer machine)
{
  return piso_machine_can (machine, PISO_MACHINE_ACTION_MIGRATE);
}

/* The page of @name with @connections as the ones it may move to */
static PisoMachinePage *
show_page (Fixture    *f,
           const char *name,
           GListStore *connections)
{
  PisoMachinePage *page = piso_ui_test_show_machine_page (f, name);

  piso_machine_page_set_connections (page, G_LIST_MODEL (connections));
  piso_test_wait_until (can_migrate, piso_connection_lookup_machine_by_name (f->connection, name), 10,
                        "the machine to be read");
  piso_test_spin (100);
  return page;
}

static PisoMigrateDialog *
open_migrate (PisoMachinePage *page)
{
  return piso_ui_test_open_toplevel (GTK_WIDGET (page), "machine.migrate", PISO_TYPE_MIGRATE_DIALOG);
}

static gboolean
action_enabled (PisoMachinePage *page)
{
  return g_action_group_get_action_enabled (piso_machine_page_get_actions (page), "migrate");
}

typedef struct
{
  PisoMigrateDialog *dialog;
  const char        *words;
} LabelWait;

static gboolean
check_says (gpointer user_data)
{
  LabelWait *w = user_data;
  GtkLabel *label = piso_ui_test_child (w->dialog, "check_label");

  return strstr (gtk_label_get_label (label), w->words) != NULL;
}

static gboolean
failure_says (gpointer user_data)
{
  LabelWait *w = user_data;
  GtkLabel *label = piso_ui_test_child (w->dialog, "failure_label");

  return gtk_widget_get_visible (GTK_WIDGET (label)) &&
         strstr (gtk_label_get_label (label), w->words) != NULL;
}

/* The words of the translated @format between its @n-th and next "%s" */
static char *
format_part (const char *format,
             guint       n)
{
  g_auto(GStrv) parts = g_strsplit (_(format), "%s", -1);

  g_assert_cmpuint (g_strv_length (parts), >, n);
  return g_strdup (parts[n]);
}

/* A refused destination, then one that works: the machine moves. */
static void
test_refused_then_moves (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(GListStore) connections = connections_of (f, other);
  g_autoptr(PisoMachine) mover = define (f->connection, "mover");
  g_autofree char *uuid_taken = format_part ("%s already has a machine with the identity (UUID) of “%s”: “%s”. "
                                             "Remove one of the two first.", 1);
  g_autofree char *can_move = format_part ("“%s” can move to %s.", 1);
  PisoMachinePage *page = show_page (f, "charlie", connections);
  PisoMigrateDialog *dialog;
  LabelWait w;

  g_assert_true (action_enabled (page));
  dialog = open_migrate (page);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (piso_ui_test_child (dialog, "destination_row"))),
                    ==, 1);
  w = (LabelWait) { dialog, uuid_taken };
  piso_test_wait_until (check_says, &w, 10, "the refusal");
  g_assert_true (gtk_widget_has_css_class (piso_ui_test_child (dialog, "check_label"), "error"));
  g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "move_button")));
  /* shut off: no "temporary" */
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "temporary_row")));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "migrate-dialog-refused");
  gtk_window_destroy (GTK_WINDOW (dialog));
  piso_test_spin (50);

  piso_machine_page_set_machine (page, mover);
  piso_test_spin (100);
  dialog = open_migrate (page);
  w = (LabelWait) { dialog, can_move };
  piso_test_wait_until (check_says, &w, 10, "the checks to pass");
  g_assert_false (gtk_widget_has_css_class (piso_ui_test_child (dialog, "check_label"), "error"));
  g_assert_true (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "move_button")));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "migrate-dialog");
  /* The destination's name reads whole (libadwaita cuts a value at 20
   * characters: "Controlador de prueba…") */
  piso_ui_test_assert_not_ellipsized (piso_ui_test_child (dialog, "destination_row"));

  piso_ui_test_click (piso_ui_test_child (dialog, "move_button"));
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_MIGRATE_DIALOG), 20,
                        "the move to finish");
  piso_test_wait_until (piso_ui_test_page_fixture_has_toast, f, 5, "the toast");
  g_test_message ("toast: %s", (char *) g_ptr_array_index (f->toasts, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (f->toasts, 0), "mover"));
  piso_test_wait_listed (other, "mover", TRUE, 10);
  piso_test_wait_listed (f->connection, "mover", FALSE, 10);
}

/* A running machine: "temporary" is offered; the test driver cannot move
 * it, and the dialog says it keeps running where it was. */
static void
test_running_fails (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(GListStore) connections = connections_of (f, other);
  g_autoptr(PisoMachine) runner = define (f->connection, "runner");
  g_autoptr(GError) error = NULL;
  g_autofree char *can_move = format_part ("“%s” can move to %s.", 1);
  g_autofree char *keeps_running = format_part ("%s. It keeps running on %s.", 1);
  PisoMachinePage *page;
  PisoMigrateDialog *dialog;
  LabelWait w;

  g_assert_true (PISO_TEST_RUN (runner, start, &error));
  piso_test_wait_state (runner, PISO_MACHINE_STATE_RUNNING, 30);
  page = show_page (f, "runner", connections);
  dialog = open_migrate (page);
  g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "temporary_row")));
  w = (LabelWait) { dialog, can_move };
  piso_test_wait_until (check_says, &w, 10, "the checks to pass");
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "migrate-dialog-running");

  piso_ui_test_click (piso_ui_test_child (dialog, "move_button"));
  w = (LabelWait) { dialog, keeps_running };
  piso_test_wait_until (failure_says, &w, 20, "the failure");
  g_test_message ("failure: %s", gtk_label_get_label (piso_ui_test_child (dialog, "failure_label")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (piso_ui_test_child (dialog, "stack")), ==, "form");
  g_assert_cmpint (piso_machine_get_state (runner), ==, PISO_MACHINE_STATE_RUNNING);
  g_assert_null (piso_connection_lookup_machine_by_name (other, "runner"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
pool_row_shown (gpointer dialog)
{
  return gtk_widget_get_visible (piso_ui_test_child (dialog, "pool_row"));
}

/* The pool row, once shown with "default" chosen (and set on the move). */
static AdwComboRow *
wait_pools_offered (PisoMigrateDialog *dialog)
{
  AdwComboRow *pool_row = piso_ui_test_child (dialog, "pool_row");

  piso_test_wait_until (pool_row_shown, dialog, 10, "the pools offered");
  g_assert_cmpstr (gtk_string_object_get_string (adw_combo_row_get_selected_item (pool_row)), ==,
                   "default");
  g_assert_cmpstr (piso_migration_get_storage_pool (piso_migrate_dialog_get_migration (dialog)), ==,
                   "default");
  return pool_row;
}

/* A running machine whose disk the other host lacks: the other host's
 * pools are offered ("default" chosen) and the checks run again with it;
 * the test driver's 1 TiB disks do not fit there, which the dialog says. */
static void
test_copy_storage_offered (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(GListStore) connections = connections_of (f, other);
  g_autofree char *xml = piso_test_domain_xml ("copier", "<disk type='file' device='disk'><source "
                                                         "file='/var/lib/piso-test/images/nowhere.qcow2'/>"
                                                         "<target dev='vda' bus='virtio'/></disk>");
  g_autoptr(PisoMachine) copier = piso_test_define (f->connection, xml);
  g_autoptr(GError) error = NULL;
  g_autofree char *no_room = format_part ("Not enough space: the disk needs %s, but the storage pool "
                                          "“%s” has %s free. Make the disk smaller or free some space.", 1);
  PisoMachinePage *page;
  PisoMigrateDialog *dialog;
  AdwComboRow *pool_row;
  LabelWait w;

  g_assert_true (PISO_TEST_RUN (copier, start, &error));
  piso_test_wait_state (copier, PISO_MACHINE_STATE_RUNNING, 30);
  page = show_page (f, "copier", connections);
  dialog = open_migrate (page);
  pool_row = wait_pools_offered (dialog);
  w = (LabelWait) { dialog, no_room };
  piso_test_wait_until (check_says, &w, 10, "the check with the pool");
  g_assert_true (gtk_widget_has_css_class (piso_ui_test_child (dialog, "check_label"), "error"));
  g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "move_button")));
  piso_ui_test_assert_not_ellipsized (GTK_WIDGET (pool_row));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "migrate-dialog-copy-storage");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A shut-off machine whose disk (a volume of this host's pool) the other
 * host lacks: its pools are offered too, the check passes with "default"
 * (the disk's small file fits), Move is on; the test driver cannot stream
 * volumes, so the move fails, leaves no volume there and the machine
 * here. */
static void
test_shut_off_copy_offered (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(GListStore) connections = connections_of (f, other);
  virConnectPtr handle = _piso_connection_ref_handle (f->connection);
  virStoragePoolPtr pool = virStoragePoolLookupByName (handle, "default");
  g_autofree char *xml = piso_test_domain_xml ("parked", "<disk type='volume' device='disk'>"
                                                         "<driver name='qemu' type='qcow2'/>"
                                                         "<source pool='default' volume='parked.qcow2'/>"
                                                         "<target dev='vda' bus='virtio'/></disk>");
  g_autoptr(PisoMachine) parked = NULL;
  g_autofree char *copied = format_part ("“%s” can move to %s, its disks copied into the storage pool "
                                         "“%s” there.", 2);
  g_autofree char *failed = format_part ("Could not copy into the disk “%s”", 0);
  PisoMachinePage *page;
  PisoMigrateDialog *dialog;
  AdwComboRow *pool_row;
  virStorageVolPtr vol;
  int volumes;
  LabelWait w;

  g_assert_nonnull (pool);
  vol = virStorageVolCreateXML (pool, "<volume><name>parked.qcow2</name><capacity unit='GiB'>20</capacity>"
                                      "<allocation unit='MiB'>300</allocation>"
                                      "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  virConnectClose (handle);
  handle = _piso_connection_ref_handle (other);
  pool = virStoragePoolLookupByName (handle, "default");
  volumes = virStoragePoolNumOfVolumes (pool);
  parked = piso_test_define (f->connection, xml);

  page = show_page (f, "parked", connections);
  dialog = open_migrate (page);
  pool_row = wait_pools_offered (dialog);
  w = (LabelWait) { dialog, copied };
  piso_test_wait_until (check_says, &w, 10, "the check with the pool");
  g_assert_false (gtk_widget_has_css_class (piso_ui_test_child (dialog, "check_label"), "error"));
  g_assert_true (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "move_button")));
  g_assert_false (gtk_widget_get_visible (piso_ui_test_child (dialog, "temporary_row")));
  piso_ui_test_assert_not_ellipsized (GTK_WIDGET (pool_row));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "migrate-dialog-shut-off-copy");

  piso_ui_test_click (piso_ui_test_child (dialog, "move_button"));
  w = (LabelWait) { dialog, failed };
  piso_test_wait_until (failure_says, &w, 20, "the failure");
  g_test_message ("failure: %s", gtk_label_get_label (piso_ui_test_child (dialog, "failure_label")));
  /* libvirt's reason kept */
  g_assert_nonnull (strstr (gtk_label_get_label (piso_ui_test_child (dialog, "failure_label")),
                            "virStorageVolUpload"));
  g_assert_cmpint (virStoragePoolNumOfVolumes (pool), ==, volumes);
  virStoragePoolFree (pool);
  virConnectClose (handle);
  g_assert_nonnull (piso_connection_lookup_machine_by_name (f->connection, "parked"));
  g_assert_null (piso_connection_lookup_machine_by_name (other, "parked"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Whether @menu (or one of its sections) has an item for @action */
static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autofree char *name = NULL;

      if (section != NULL && menu_has_action (section, action))
        return TRUE;
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        return TRUE;
    }
  return FALSE;
}

/* With one connection the action is off (and hidden from the menu); with
 * another that is not connected, the dialog says what to do. */
static void
test_no_other_host (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GListStore) alone = connections_of (f, NULL);
  g_autoptr(PisoConnection) closed = piso_connection_new ("test:///default");
  g_autoptr(GListStore) with_closed = connections_of (f, closed);
  g_autofree char *none = format_part ("No other host is connected. Connect to the host “%s” should "
                                       "move to (Add Connection… in the main menu), then choose it here.", 0);
  PisoMachinePage *page = show_page (f, "charlie", alone);
  PisoMigrateDialog *dialog;
  LabelWait w;

  g_assert_false (action_enabled (page));
  piso_machine_page_set_connections (page, G_LIST_MODEL (with_closed));
  g_assert_true (action_enabled (page));
  {
    /* also in a list row's menu */
    g_autoptr(GMenuModel) menu = piso_machine_page_new_context_menu (page);

    g_assert_true (menu_has_action (menu, "machine.migrate"));
  }
  dialog = open_migrate (page);
  w = (LabelWait) { dialog, none };
  g_assert_true (check_says (&w));
  g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "destination_row")));
  g_assert_false (gtk_widget_get_sensitive (piso_ui_test_child (dialog, "move_button")));
  g_assert_null (piso_migrate_dialog_get_migration (dialog));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "migrate-dialog-no-host");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  if (!piso_ui_test_init_checked (&argc, &argv, "/migrate-dialog/no-display"))
    return g_test_run ();
  piso_ui_test_load_style ();

#define ADD(path, func) piso_ui_test_add_page_test (path, &fixture_page, func)

  ADD ("/migrate-dialog/refused-then-moves", test_refused_then_moves);
  ADD ("/migrate-dialog/running-fails", test_running_fails);
  ADD ("/migrate-dialog/no-other-host", test_no_other_host);
  ADD ("/migrate-dialog/copy-storage-offered", test_copy_storage_offered);
  ADD ("/migrate-dialog/shut-off-copy-offered", test_shut_off_copy_offered);

#undef ADD

  return g_test_run ();
}
