/* test-clone-dialog.c: Clone…, Run Disposable and templates on the machine page under Xvfb
 *
 * On tests/data/clone.xml ("base" off, with a TPM, UEFI variables and four
 * drives; "busy" running): the Clone dialog proposes a free name, refuses a
 * taken one with the reason, makes a full clone (new MAC addresses, its own
 * disks) and a linked one (the original becomes a template: the page says
 * so and names the clone, Start and Delete are refused); Run Disposable
 * starts "base" so and the page and the list row say so. With
 * --piso-language=es (test-clone-dialog-es) the same runs in Spanish;
 * screenshots get "-es".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "piso-application.h"
#include "piso-backend-private.h"
#include "piso-clone-dialog.h"
#include "piso-clone-private.h"
#include "piso-format.h"
#include "piso-machine-page.h"
#include "piso-machine-row.h"
#include "piso-machine-state-banner.h"
#include "piso-test-utils.h"
#include "piso-ui-test-utils.h"
#include "piso-window-private.h"

typedef PisoUiTestPageFixture Fixture;

static const char *shot_suffix = "";

#define BASE_MAC "52:54:00:aa:00:01"
/* The overlay of a disposable run of "base" that a crash left */
#define LEFTOVER "base.qcow2.TRANSIENT-base"

static const PisoUiTestPage fixture_page = { "clone.xml", 860, 760 };

static PisoMachine *
machine_named (Fixture    *f,
               const char *name)
{
  return piso_connection_lookup_machine_by_name (f->connection, name);
}

/* The machine page showing @name's Overview */
static PisoMachinePage *
show_page (Fixture    *f,
           const char *name)
{
  PisoMachinePage *page = piso_ui_test_show_machine_page (f, name);
  GtkWidget *stack;

  stack = piso_ui_test_find_descendant (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "overview");
  piso_test_spin (200);
  return page;
}

static gboolean
dialog_ready (gpointer dialog)
{
  return piso_clone_dialog_get_ready (dialog);
}

/* Opens Clone… from the page and waits until the dialog shows the choices */
static PisoCloneDialog *
open_dialog (PisoMachinePage *page)
{
  PisoCloneDialog *dialog = piso_ui_test_open_toplevel (GTK_WIDGET (page), "machine.clone",
                                                        PISO_TYPE_CLONE_DIALOG);

  piso_test_wait_until (dialog_ready, dialog, 10, "the clone dialog to read the machine");
  piso_ui_test_wait_frames (GTK_WIDGET (dialog), 2, 2000);
  return dialog;
}

/* Waits until the dialog closed */
static void
wait_no_dialog (double      seconds,
                const char *what)
{
  piso_test_wait_until (piso_ui_test_no_toplevel, GSIZE_TO_POINTER (PISO_TYPE_CLONE_DIALOG),
                        seconds, what);
}

/* Clicks Clone and waits until the dialog closed with a toast, the clone
 * listed under @name */
static PisoMachine *
clone_now (Fixture         *f,
           PisoCloneDialog *dialog,
           const char      *name)
{
  PisoMachine *clone;

  piso_ui_test_click (piso_ui_test_child (dialog, "clone_button"));
  wait_no_dialog (20, "the clone dialog to finish");
  piso_test_wait_until (piso_ui_test_page_fixture_has_toast, f, 5, "the toast");
  g_test_message ("toast: %s", (char *) g_ptr_array_index (f->toasts, 0));
  /* Translators' words: the toast names both machines */
  g_assert_nonnull (strstr (g_ptr_array_index (f->toasts, 0), name));
  clone = machine_named (f, name);
  g_assert_nonnull (clone);
  g_assert_cmpint (piso_machine_get_state (clone), ==, PISO_MACHINE_STATE_SHUTOFF);
  return clone;
}

static void
test_offered (Fixture       *f,
              gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "busy");

  /* A running machine is not cloned, nor run disposable */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (page), "machine.clone", NULL) &&
                  piso_ui_test_find_toplevel (PISO_TYPE_CLONE_DIALOG) != NULL);
  g_assert_null (piso_ui_test_find_toplevel (PISO_TYPE_CLONE_DIALOG));

  piso_machine_page_set_machine (page, machine_named (f, "base"));
  piso_test_spin (100);

  /* Closed before it read the machine: the late answer is dropped */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.clone", NULL));
  gtk_window_close (piso_ui_test_find_toplevel (PISO_TYPE_CLONE_DIALOG));
  g_assert_null (piso_ui_test_find_toplevel (PISO_TYPE_CLONE_DIALOG));
  piso_test_spin (500);

  g_assert_nonnull (open_dialog (page));
}

static void
test_name (Fixture       *f,
           gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "base");
  PisoCloneDialog *dialog = open_dialog (page);
  GtkEditable *name_entry = piso_ui_test_child (dialog, "name_entry");
  GtkWidget *error_label = piso_ui_test_child (dialog, "name_error_label");
  GtkWidget *clone_button = piso_ui_test_child (dialog, "clone_button");
  g_autofree char *taken = NULL;
  GtkWidget *disks_group = piso_ui_test_child (dialog, "disks_group");
  guint n_rows = 0;

  /* The free default, the notes for the TPM and the UEFI variables */
  g_assert_cmpstr (gtk_editable_get_text (name_entry), ==, "base-clone");
  g_assert_true (gtk_widget_get_sensitive (clone_button));
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "tpm_label")));
  g_assert_true (gtk_widget_get_visible (piso_ui_test_child (dialog, "nvram_label")));
  /* One row per drive, each with Copy / Share / Leave Out; the empty
   * drive cannot be copied */
  for (GtkWidget *row = piso_ui_test_find_descendant (disks_group, ADW_TYPE_ACTION_ROW);
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      {
        const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
        GtkWidget *copy = piso_ui_test_find_button_with_label (row, _("Copy"));

        g_assert_nonnull (copy);
        g_assert_nonnull (piso_ui_test_find_button_with_label (row, _("Share")));
        g_assert_nonnull (piso_ui_test_find_button_with_label (row, _("Leave Out")));
        g_assert_cmpint (gtk_widget_get_sensitive (copy), ==, g_strcmp0 (title, _("Empty drive")) != 0);
        n_rows++;
      }
  g_assert_cmpuint (n_rows, ==, 4);
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "clone-dialog");

  /* A taken name: refused with the reason, Clone insensitive */
  gtk_editable_set_text (name_entry, "busy");
  piso_test_spin (50);
  taken = g_strdup_printf (_("A machine named “%s” already exists."), "busy");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==, taken);
  g_assert_false (gtk_widget_get_sensitive (clone_button));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "clone-dialog-taken");

  gtk_editable_set_text (name_entry, "");
  piso_test_spin (50);
  g_assert_false (gtk_widget_get_sensitive (clone_button));

  gtk_editable_set_text (name_entry, "base-2");
  piso_test_spin (50);
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_get_sensitive (clone_button));

  /* Cancel closes it, and nothing was made */
  piso_ui_test_click (piso_ui_test_child (dialog, "cancel_button"));
  wait_no_dialog (5, "the dialog to close");
  g_assert_null (machine_named (f, "base-2"));
}

static void
test_full (Fixture       *f,
           gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "base");
  PisoCloneDialog *dialog = open_dialog (page);
  g_autofree char *xml = NULL;
  PisoMachine *clone;

  clone = clone_now (f, dialog, "base-clone");
  xml = piso_test_machine_xml (clone);
  /* A MAC of its own; its disk is a copy, not the original's */
  g_assert_null (strstr (xml, BASE_MAC));
  g_assert_nonnull (strstr (xml, "<mac address="));
  g_assert_null (strstr (xml, "/var/lib/piso-test/images/base.qcow2'"));
  /* A full clone leaves the original as it was */
  g_assert_false (piso_machine_get_is_template (machine_named (f, "base")));
  g_assert_null (piso_machine_get_linked_to (clone));
}

static gboolean
is_template (gpointer machine)
{
  return piso_machine_get_is_template (machine);
}

static void
test_linked (Fixture       *f,
             gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "base");
  PisoCloneDialog *dialog = open_dialog (page);
  PisoMachine *base = machine_named (f, "base");
  PisoMachineStateBanner *banner;
  GtkWidget *template_box;
  GtkLabel *description;
  g_autofree char *xml = NULL;
  PisoMachine *clone;
  GtkWidget *row;

  gtk_switch_set_active (piso_ui_test_child (dialog, "linked_switch"), TRUE);
  g_assert_true (piso_cloner_get_linked (piso_clone_dialog_get_cloner (dialog)));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "clone-dialog-linked");
  clone = clone_now (f, dialog, "base-clone");
  xml = piso_test_machine_xml (clone);
  g_assert_null (strstr (xml, BASE_MAC));

  /* The original is a template now: the page says so and names the clone */
  piso_test_wait_until (is_template, base, 10, "the original to become a template");
  g_assert_cmpstr (piso_machine_get_linked_to (clone), ==, piso_machine_get_uuid (base));
  piso_test_spin (200);
  banner = PISO_MACHINE_STATE_BANNER (piso_ui_test_find_descendant (GTK_WIDGET (page),
                                                                    PISO_TYPE_MACHINE_STATE_BANNER));
  template_box = piso_ui_test_template_child (GTK_WIDGET (banner), PISO_TYPE_MACHINE_STATE_BANNER,
                                              "template_box");
  description = piso_ui_test_template_child (GTK_WIDGET (banner), PISO_TYPE_MACHINE_STATE_BANNER,
                                             "template_description");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (banner)));
  g_assert_true (gtk_widget_get_visible (template_box));
  g_assert_true (piso_ui_test_has_label (template_box, _("Template of linked clones")));
  {
    g_autofree char *quoted = g_strdup_printf (_("“%s”"), "base-clone");

    g_assert_nonnull (strstr (gtk_label_get_label (description), quoted));
  }

  /* Start and Delete are refused (the header's Start is insensitive, the
   * banner says why); Run Disposable stays offered. */
  {
    GtkWidget *start = piso_ui_test_find_actionable (GTK_WIDGET (page), "machine.start");
    GtkMenuButton *menu = GTK_MENU_BUTTON (piso_ui_test_find_descendant (GTK_WIDGET (page),
                                                                         GTK_TYPE_MENU_BUTTON));
    g_auto(GStrv) parts = g_strsplit (_("_Run Disposable"), "_", -1);
    g_autofree char *run_disposable = g_strjoinv ("", parts);
    g_autofree char *path = NULL;
    g_autofree char *shot = g_strconcat ("clone-template-menu", shot_suffix, NULL);

    g_assert_nonnull (start);
    g_assert_false (gtk_widget_get_sensitive (start));
    g_assert_false (piso_machine_can (base, PISO_MACHINE_ACTION_START));
    g_assert_false (piso_machine_can (base, PISO_MACHINE_ACTION_DELETE));
    gtk_menu_button_popup (menu);
    piso_test_spin (300);
    /* Shown only while it can be done */
    g_assert_true (piso_ui_test_has_label (GTK_WIDGET (gtk_menu_button_get_popover (menu)),
                                           run_disposable));
    path = piso_ui_test_save_screenshot_with_popover (GTK_WIDGET (f->window),
                                                      gtk_menu_button_get_popover (menu),
                                                      shot);
    g_test_message ("screenshot: %s", path);
    gtk_menu_button_popdown (menu);
  }
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "clone-template");

  /* The clone's page names its template */
  piso_machine_page_set_machine (page, clone);
  piso_test_spin (200);
  {
    /* Translators' words, as the banner has them */
    g_autofree char *linked = g_strdup_printf (_("Linked clone of “%s”"), "Base system");

    g_assert_true (gtk_widget_get_visible (template_box));
    g_assert_true (piso_ui_test_has_label (template_box, linked));
  }
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "clone-linked-page");
  piso_machine_page_set_machine (page, base);

  /* The list row says it too */
  row = piso_machine_row_new ();
  piso_machine_row_set_machine (PISO_MACHINE_ROW (row), base);
  g_assert_true (piso_ui_test_has_label (row, _("Template of linked clones")));
  g_object_ref_sink (row);
  g_object_unref (row);
}

static gboolean
is_disposable (gpointer machine)
{
  return piso_machine_get_disposable (machine);
}

static void
test_disposable (Fixture       *f,
                 gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "base");
  PisoMachine *base = machine_named (f, "base");
  PisoMachineStateBanner *banner;
  GtkWidget *disposable_box;
  GtkWidget *row;
  GtkWidget *box;
  g_autofree char *row_text = NULL;

  /* A host crash left the overlay of an earlier disposable run: it is
   * removed, and the user is told. */
  {
    virConnectPtr handle = _piso_connection_ref_handle (f->connection);
    virStoragePoolPtr pool = virStoragePoolLookupByName (handle, "default");
    virStorageVolPtr vol;

    vol = virStorageVolCreateXML (pool, "<volume><name>" LEFTOVER "</name>"
                                        "<capacity>1048576</capacity>"
                                        "<target><format type='qcow2'/></target></volume>", 0);
    g_assert_nonnull (vol);
    virStorageVolFree (vol);
    virStoragePoolFree (pool);
    virConnectClose (handle);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.start-disposable", NULL));
  piso_test_wait_state (base, PISO_MACHINE_STATE_RUNNING, 10);
  piso_test_wait_until (is_disposable, base, 10, "the disposable mark");
  piso_test_wait_until (piso_ui_test_page_fixture_has_toast, f, 5, "the word on the leftover");
  g_assert_nonnull (strstr (g_ptr_array_index (f->toasts, 0), "/var/lib/piso-test/images/" LEFTOVER));
  g_assert_false (piso_test_volume_exists (f->connection, "/var/lib/piso-test/images/" LEFTOVER));
  piso_test_spin (200);

  banner = PISO_MACHINE_STATE_BANNER (piso_ui_test_find_descendant (GTK_WIDGET (page),
                                                                    PISO_TYPE_MACHINE_STATE_BANNER));
  disposable_box = piso_ui_test_template_child (GTK_WIDGET (banner), PISO_TYPE_MACHINE_STATE_BANNER,
                                                "disposable_box");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (banner)));
  g_assert_true (gtk_widget_get_visible (disposable_box));
  g_assert_true (piso_ui_test_has_label (disposable_box, _("Disposable — changes are discarded at shutdown")));
  /* Not cloned while it runs */
  g_assert_false (piso_machine_can (base, PISO_MACHINE_ACTION_CLONE));

  /* The list row, beside the page */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  row = piso_machine_row_new ();
  piso_machine_row_set_machine (PISO_MACHINE_ROW (row), base);
  gtk_box_append (GTK_BOX (box), row);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_widget_set_vexpand (GTK_WIDGET (page), TRUE);
  g_object_ref (page);
  gtk_window_set_child (f->window, NULL);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (page));
  g_object_unref (page);
  gtk_window_set_child (f->window, box);
  piso_test_spin (200);
  row_text = piso_ui_test_visible_texts (row);
  g_test_message ("row: %s", row_text);
  g_assert_true (piso_ui_test_has_label (row, _("Disposable — changes are discarded at shutdown")));
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "disposable-badge");

  /* At the end of the run the marks go */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (PISO_TEST_RUN (base, force_off, &error));
    g_assert_no_error (error);
  }
  piso_test_wait_state (base, PISO_MACHINE_STATE_SHUTOFF, 10);
  piso_test_spin (300);
  g_assert_false (gtk_widget_get_visible (disposable_box));
  g_assert_false (piso_ui_test_has_label (row, _("Disposable — changes are discarded at shutdown")));
}

static gboolean
failure_shown (gpointer dialog)
{
  return gtk_widget_get_visible (piso_ui_test_child (dialog, "failure_label")) &&
         gtk_widget_get_sensitive (piso_ui_test_child (dialog, "clone_button"));
}

/* Cancel while the clone is defined (the disks were copied): the cloner
 * removes everything, the dialog says so and keeps the choices. */
static void
cancel_when_defining (PisoCloner *cloner,
                      GParamSpec *pspec,
                      GtkWidget  *cancel_button)
{
  if (piso_cloner_get_stage (cloner) == PISO_CLONER_STAGE_DEFINING &&
      gtk_widget_get_sensitive (cancel_button))
    piso_ui_test_click (cancel_button);
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "base");
  PisoCloneDialog *dialog = open_dialog (page);
  GtkWidget *failure_label = piso_ui_test_child (dialog, "failure_label");

  g_signal_connect (piso_clone_dialog_get_cloner (dialog), "notify::stage",
                    G_CALLBACK (cancel_when_defining), piso_ui_test_child (dialog, "cancel_button"));
  piso_ui_test_click (piso_ui_test_child (dialog, "clone_button"));
  piso_test_wait_until (failure_shown, dialog, 20, "the cancel to be reported");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (failure_label)), ==,
                   _("The clone was cancelled. Nothing it made was kept."));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (piso_ui_test_child (dialog, "stack")), ==, "form");
  g_assert_cmpstr (gtk_editable_get_text (piso_ui_test_child (dialog, "name_entry")), ==, "base-clone");
  g_assert_null (machine_named (f, "base-clone"));
  g_assert_cmpuint (f->toasts->len, ==, 0);
}

/* A copy held at a known point: the stand-in copier (in the cloner's
 * thread) says a quarter of the first disk is copied, a minute after the
 * start on a clock of the test's own, then waits until the test lets it go
 * on with the real copy. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean held;      /* the copier is waiting */
  gboolean released;  /* the test let it go on */
  guint64  done;      /* what the copier said it copied */
  gint64   now_us;
} CopyGate;

static CopyGate gate;

static gint64
gate_clock (void)
{
  return g_atomic_int_get (&gate.held) ? gate.now_us + 60 * G_USEC_PER_SEC : gate.now_us;
}

static virStorageVolPtr
gate_copy (virStoragePoolPtr    pool,
           virStorageVolPtr     source,
           const char          *name,
           const char          *format,
           PisoStorageProgress  progress,
           gpointer             progress_data,
           GCancellable        *cancellable,
           GError             **error)
{
  virStorageVolInfo info;

  g_assert_cmpint (virStorageVolGetInfo (source, &info), ==, 0);
  g_mutex_lock (&gate.mutex);
  if (!gate.released)
    {
      /* A quarter of the first disk, a minute after the start */
      gate.done = info.allocation / 4;
      g_atomic_int_set (&gate.held, TRUE);
      progress (gate.done, info.allocation, progress_data);
      while (!gate.released)
        g_cond_wait (&gate.cond, &gate.mutex);
    }
  g_mutex_unlock (&gate.mutex);
  return piso_storage_copy_volume (pool, source, name, format, progress, progress_data,
                                   cancellable, error);
}

static void
gate_release (void)
{
  g_mutex_lock (&gate.mutex);
  gate.released = TRUE;
  g_cond_signal (&gate.cond);
  g_mutex_unlock (&gate.mutex);
}

static gboolean
gate_held (gpointer unused)
{
  return g_atomic_int_get (&gate.held);
}

static gboolean
amount_is (gpointer user_data)
{
  GtkLabel *label = GTK_LABEL (((gpointer *) user_data)[0]);

  return g_strcmp0 (gtk_label_get_label (label), ((gpointer *) user_data)[1]) == 0;
}

/* While a disk is copied: what is done of how much, the time left and
 * Cancel; Cancel then removes what the clone made. */
static void
test_copying (Fixture       *f,
              gconstpointer  data)
{
  static const PisoCloneTestHooks hooks = { gate_copy, gate_clock };
  PisoMachinePage *page = show_page (f, "base");
  PisoCloneDialog *dialog = open_dialog (page);
  PisoCloner *cloner = piso_clone_dialog_get_cloner (dialog);
  GtkWidget *amount_label = piso_ui_test_child (dialog, "amount_label");
  GtkWidget *cancel = piso_ui_test_child (dialog, "cancel_button");
  guint64 total;
  guint64 done;
  g_autofree char *expected = NULL;
  gpointer wait[2];

  g_mutex_init (&gate.mutex);
  g_cond_init (&gate.cond);
  gate.now_us = 1000 * G_USEC_PER_SEC;
  _piso_clone_set_test_hooks (&hooks);

  piso_ui_test_click (piso_ui_test_child (dialog, "clone_button"));
  /* What the dialog says is what the cloner reports for the held copy:
   * the copier's quarter of the first disk, out of all the disks to copy */
  piso_test_wait_until (gate_held, NULL, 10, "the copy to be held");
  total = piso_cloner_get_bytes_to_copy (cloner);
  done = gate.done;
  g_assert_cmpuint (done, >, 0);
  g_assert_cmpuint (total, >, done);
  /* the rate of the minute so far, for the rest */
  expected = piso_format_transfer (done, total,
                                   (gint64) ((double) 60 * G_USEC_PER_SEC * (total - done) / done /
                                             G_USEC_PER_SEC));
  wait[0] = amount_label;
  wait[1] = expected;
  piso_test_wait_until (amount_is, wait, 10, expected);
  g_test_message ("held: %s", expected);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (piso_ui_test_child (dialog, "stack")), ==, "progress");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (piso_ui_test_child (dialog, "status_label"))), ==,
                   _("Copying the disks…"));
  g_assert_true (gtk_widget_get_sensitive (cancel));
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (piso_ui_test_child (dialog, "progress_bar")),
                                  (double) done / total, 0.01);
  piso_ui_test_wait_frames (GTK_WIDGET (dialog), 2, 2000);
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "clone-dialog-copying");

  /* Cancel: the copy cannot be interrupted; once it ends, all goes */
  piso_ui_test_click (cancel);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (piso_ui_test_child (dialog, "status_label"))), ==,
                   _("Cancelling…"));
  gate_release ();
  piso_test_wait_until (failure_shown, dialog, 20, "the cancel to be reported");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (piso_ui_test_child (dialog, "failure_label"))), ==,
                   _("The clone was cancelled. Nothing it made was kept."));
  g_assert_null (machine_named (f, "base-clone"));
  _piso_clone_set_test_hooks (NULL);
  g_mutex_clear (&gate.mutex);
  g_cond_clear (&gate.cond);
}

/* A disk the backend cannot read when it copies: its reason is shown in the
 * dialog, and nothing is made */
static void
test_failed (Fixture       *f,
             gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "base");
  PisoCloneDialog *dialog = open_dialog (page);
  virConnectPtr handle = _piso_connection_ref_handle (f->connection);
  virStorageVolPtr vol = virStorageVolLookupByPath (handle, "/var/lib/piso-test/images/base-data.img");
  const char *message;

  g_assert_nonnull (vol);
  g_assert_cmpint (virStorageVolDelete (vol, 0), ==, 0);
  virStorageVolFree (vol);
  virConnectClose (handle);

  piso_ui_test_click (piso_ui_test_child (dialog, "clone_button"));
  piso_test_wait_until (failure_shown, dialog, 20, "the failure to be shown");
  message = gtk_label_get_label (GTK_LABEL (piso_ui_test_child (dialog, "failure_label")));
  g_test_message ("failure: %s", message);
  g_assert_nonnull (strstr (message, "base-data.img"));
  g_assert_null (machine_named (f, "base-clone"));
  piso_ui_test_screenshot (GTK_WIDGET (dialog), "clone-dialog-failed");
}

typedef struct
{
  PisoWindow  *window;
  PisoMachine *clone;
} WindowShows;

static gboolean
window_shows (gpointer user_data)
{
  WindowShows *w = user_data;
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (_piso_window_get_list_model (w->window));
  GtkWidget *page = _piso_window_get_machine_page (w->window);

  return gtk_single_selection_get_selected_item (selection) == (gpointer) w->clone &&
         g_strcmp0 (_piso_window_get_content_page (w->window), "machine") == 0 &&
         piso_machine_page_get_machine (PISO_MACHINE_PAGE (page)) == w->clone;
}

static gboolean
can_clone (gpointer machine)
{
  return piso_machine_can (machine, PISO_MACHINE_ACTION_CLONE);
}

static gboolean
has_base (gpointer connection)
{
  return piso_connection_lookup_machine_by_name (connection, "base") != NULL;
}

/* In Piso's own window (not the stand-in of the other tests): once the clone
 * is made, the list selects it and the page shows it. */
static void
test_in_window (void)
{
  g_autoptr(PisoApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = piso_test_fixture_uri ("clone.xml");
  PisoConnection *connection;
  PisoCloneDialog *dialog;
  WindowShows w = { NULL, NULL };

  if (!piso_ui_test_skip_unless_display ())
    return;
  app = piso_ui_test_new_application ();
  w.window = piso_ui_test_present_window (app, 1100, 760);
  connection = piso_application_add_connection (app, uri, FALSE, &error);
  g_assert_no_error (error);
  piso_test_wait_until (has_base, connection, 10, "the machines of the fixture");
  g_assert_true (_piso_window_select_item (w.window, piso_connection_lookup_machine_by_name (connection, "base")));
  w.clone = piso_connection_lookup_machine_by_name (connection, "base");
  piso_test_wait_until (window_shows, &w, 10, "the window to show the original");
  /* (whether it is persistent comes with its first read) */
  piso_test_wait_until (can_clone, w.clone, 10, "the original to be read");
  piso_test_spin (100);

  dialog = open_dialog (PISO_MACHINE_PAGE (_piso_window_get_machine_page (w.window)));
  piso_ui_test_click (piso_ui_test_child (dialog, "clone_button"));
  wait_no_dialog (20, "the clone dialog to finish");
  w.clone = piso_connection_lookup_machine_by_name (connection, "base-clone");
  g_assert_nonnull (w.clone);
  piso_test_wait_until (window_shows, &w, 10, "the window to show the clone");
  g_assert_nonnull (strstr (_piso_window_get_last_toast_message (w.window), "base-clone"));
  piso_ui_test_screenshot (GTK_WIDGET (w.window), "clone-in-window");

  gtk_window_destroy (GTK_WINDOW (w.window));
  piso_test_spin (50);
}

int
main (int   argc,
      char *argv[])
{
  if (!piso_ui_test_init_checked (&argc, &argv, "/clone-dialog/no-display"))
    return g_test_run ();
  /* (the language's suffix, parsed above) for the popover's screenshot */
  shot_suffix = piso_ui_test_parse_language (&argc, &argv);
  /* The application's style sheet (banners) */
  piso_ui_test_load_style ();

#define ADD(path, func) piso_ui_test_add_page_test (path, &fixture_page, func)

  ADD ("/clone-dialog/offered", test_offered);
  ADD ("/clone-dialog/name", test_name);
  ADD ("/clone-dialog/full", test_full);
  ADD ("/clone-dialog/cancelled", test_cancelled);
  ADD ("/clone-dialog/copying", test_copying);
  ADD ("/clone-dialog/failed", test_failed);
  ADD ("/clone-dialog/linked", test_linked);
  ADD ("/clone-dialog/disposable", test_disposable);

#undef ADD
  g_test_add_func ("/clone-dialog/in-window", test_in_window);

  return g_test_run ();
}
