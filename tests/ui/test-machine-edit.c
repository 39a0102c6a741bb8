/* test-machine-edit.c: the machine page's edits under Xvfb: the install
 * banner, Resources (memory and processors now and at next start) and the
 * definition as XML, on the test driver (tests/data/edits.xml, fresh per test)
 *
 * Each test also runs in Spanish (test-machine-edit-es); screenshots get
 * "-es" added.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "piso-a11y.h"
#include "piso-backend-private.h"
#include "piso-format.h"
#include "piso-machine-install-banner.h"
#include "piso-machine-page.h"
#include "piso-machine-resources.h"
#include "piso-machine-xml-view.h"
#include "piso-test-utils.h"
#include "piso-ui-test-utils.h"

#define MIB 1024ull
#define GIB (1024ull * 1024)

typedef PisoUiTestPageFixture Fixture;

/* Each test on a fresh copy of its node file */
static const PisoUiTestPage fixture_page = { "edits.xml", 860, 760 };

static PisoMachine *
machine_named (Fixture    *f,
               const char *name)
{
  PisoMachine *machine = piso_connection_lookup_machine_by_name (f->connection, name);

  g_assert_nonnull (machine);
  return machine;
}

static AdwViewStack *
view_stack_of (PisoMachinePage *page)
{
  GtkWidget *stack = piso_ui_test_find_descendant (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK);

  g_assert_nonnull (stack);
  return ADW_VIEW_STACK (stack);
}

static GtkWidget *
show_view (PisoMachinePage *page,
           const char      *view)
{
  AdwViewStack *stack = view_stack_of (page);

  adw_view_stack_set_visible_child_name (stack, view);
  piso_test_spin (100);
  return adw_view_stack_get_child_by_name (stack, view);
}

static PisoMachinePage *
show_page (Fixture    *f,
           const char *name,
           const char *view)
{
  PisoMachinePage *page = PISO_MACHINE_PAGE (piso_machine_page_new ());

  gtk_window_set_child (f->window, GTK_WIDGET (page));
  gtk_window_present (f->window);
  piso_machine_page_set_machine (page, machine_named (f, name));
  show_view (page, view);
  piso_test_spin (300);
  return page;
}

static void
assert_shows (GtkWidget  *root,
              const char *text)
{
  g_autofree char *texts = piso_ui_test_visible_texts (root);

  if (strstr (texts, text) == NULL)
    g_error ("“%s” not shown; shown:\n%s", text, texts);
}

static char *
definition (PisoMachine *machine)
{
  return piso_test_machine_definition (machine);
}

/* ---- the install banner ---- */

static PisoMachineInstallBanner *
banner_of (PisoMachinePage *page)
{
  GtkWidget *banner = piso_ui_test_find_descendant (GTK_WIDGET (page),
                                                    PISO_TYPE_MACHINE_INSTALL_BANNER);

  g_assert_nonnull (banner);
  return PISO_MACHINE_INSTALL_BANNER (banner);
}

static gpointer
banner_child (PisoMachinePage *page,
              const char      *name)
{
  return piso_ui_test_template_child (GTK_WIDGET (banner_of (page)),
                                      PISO_TYPE_MACHINE_INSTALL_BANNER, name);
}

static gboolean
phase_finished (gpointer machine)
{
  return piso_machine_get_install_phase (machine) == PISO_MACHINE_INSTALL_PHASE_FINISHED;
}

static gboolean
widget_hidden (gpointer widget)
{
  return !gtk_widget_get_visible (widget);
}

static void
test_install_banner (Fixture       *f,
                     gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "installer", "overview");
  PisoMachine *machine = machine_named (f, "installer");
  GtkWidget *banner = GTK_WIDGET (banner_of (page));
  GtkWidget *remove = banner_child (page, "remove_button");
  GtkWidget *dismiss = banner_child (page, "dismiss_button");
  GtkWidget *box = banner_child (page, "banner_box");
  g_autofree char *installing = g_strdup_printf (_("Installing from “%s”"),
                                                 "debian-12.8.0-amd64-netinst.iso");

  /* In an install run: what it installs from, and the way out by hand */
  g_assert_cmpint (piso_machine_get_install_phase (machine), ==,
                   PISO_MACHINE_INSTALL_PHASE_INSTALLING);
  g_assert_true (gtk_widget_get_mapped (banner));
  assert_shows (banner, installing);
  g_assert_true (gtk_widget_get_visible (remove));
  g_assert_false (gtk_widget_get_visible (dismiss));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (box)), ==,
                   GTK_ACCESSIBLE_ROLE_ALERT);
  piso_ui_test_assert_named_by (remove, banner_child (page, "remove_label"),
                                _("Remove Installer Media"));
  /* It fits a folded window (360 px) */
  {
    int minimum;

    gtk_widget_measure (banner, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    if (minimum > 360)
      g_error ("The install banner needs %d px, more than a folded window's 360", minimum);
  }
  /* The page's action is enabled (the header's menu shows it too) */
  g_assert_true (gtk_widget_get_sensitive (remove));
  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA));
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-installing");
  /* On every view */
  show_view (page, "console");
  g_assert_true (gtk_widget_get_mapped (banner));

  /* A shown machine's phase is not news */
  g_assert_null (piso_a11y_get_last_announcement (box));

  /* Narrow: the text and the button wrap */
  show_view (page, "overview");
  gtk_window_set_default_size (f->window, 360, 700);
  piso_machine_page_set_folded (page, TRUE);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-installing-narrow");
}

static void
test_install_remove_media (Fixture       *f,
                           gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "installer", "overview");
  PisoMachine *machine = machine_named (f, "installer");
  GtkWidget *banner = GTK_WIDGET (banner_of (page));
  GtkWidget *remove = banner_child (page, "remove_button");
  GtkWidget *dismiss = banner_child (page, "dismiss_button");
  GtkWidget *box = banner_child (page, "banner_box");
  const char *finished = _("Installation finished — installer removed");
  g_autofree char *xml = NULL;
  PisoTestXml x;

  /* The user finished the install by hand */
  piso_ui_test_click (remove);
  piso_test_wait_until (phase_finished, machine, 10, "the install to be finished");
  piso_test_spin (100);
  assert_shows (banner, finished);
  g_assert_cmpstr (piso_a11y_get_last_announcement (box), ==, finished);
  g_assert_false (gtk_widget_get_visible (remove));
  g_assert_true (gtk_widget_get_visible (dismiss));
  g_assert_false (piso_machine_can (machine, PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA));

  /* The next start is from the disk, the installer's drive empty */
  xml = definition (machine);
  piso_test_xml_parse (&x, xml);
  piso_test_assert_xml_count (&x, "//disk[@device='cdrom']/source", 0);
  piso_test_assert_xml_string (&x, "//disk[@device='disk']/boot/@order", "1");
  piso_test_assert_xml_string (&x, "/domain/on_reboot", "restart");
  piso_test_xml_clear (&x);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-install-finished");

  /* Read: dismissed, the metadata gone from the next start (the run keeps
   * its own until the installer's reboot, which Piso still follows) */
  piso_ui_test_click (dismiss);
  piso_test_wait_until (widget_hidden, banner, 10, "the install message to go");
  g_clear_pointer (&xml, g_free);
  xml = definition (machine);
  g_assert_null (strstr (xml, "piso:install"));
  g_assert_cmpuint (f->toasts->len, ==, 0);
}

static void
test_install_finished_shown (Fixture       *f,
                             gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "installed", "overview");
  GtkWidget *banner = GTK_WIDGET (banner_of (page));

  assert_shows (banner, _("Installation finished — installer removed"));
  g_assert_true (gtk_widget_get_visible (banner_child (page, "dismiss_button")));

  /* A machine without an install shows no banner */
  piso_machine_page_set_machine (page, machine_named (f, "web"));
  piso_test_spin (300);
  g_assert_false (gtk_widget_get_visible (banner));
}

/* ---- Resources ---- */

static gpointer
resources_child (GtkWidget  *resources,
                 const char *name)
{
  return piso_ui_test_template_child (resources, PISO_TYPE_MACHINE_RESOURCES, name);
}

static double
spin_value (GtkWidget  *resources,
            const char *name)
{
  return gtk_spin_button_get_value (resources_child (resources, name));
}

static void
wait_property (PisoMachine *machine,
               const char  *property,
               guint64      value)
{
  piso_test_wait_property (piso_machine_get_allocation (machine), property, value);
}

/* As a user would: a new value typed into the field and Enter */
static void
type_value (GtkWidget  *resources,
            const char *name,
            const char *text)
{
  GtkSpinButton *spin = resources_child (resources, name);

  gtk_widget_grab_focus (GTK_WIDGET (spin));
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  gtk_spin_button_update (spin);
}

static const char *
subtitle (GtkWidget  *resources,
          const char *row)
{
  return adw_action_row_get_subtitle (resources_child (resources, row));
}

typedef struct
{
  Fixture *f;
  guint    seen;   /* toasts before */
} ToastWait;

static gboolean
has_new_toast (gpointer user_data)
{
  ToastWait *w = user_data;

  return w->f->toasts->len > w->seen;
}

static void
test_resources_running (Fixture       *f,
                        gconstpointer  data)
{
  ToastWait toasts = { f, 0 };
  PisoMachinePage *page = show_page (f, "web", "resources");
  PisoMachine *machine = machine_named (f, "web");
  GtkWidget *resources = show_view (page, "resources");
  GtkWidget *banner = resources_child (resources, "restart_banner");
  g_autofree char *two_gib = piso_format_memory_kib (2 * GIB);
  g_autofree char *four_gib = piso_format_memory_kib (4 * GIB);
  g_autofree char *live_memory = g_strdup_printf (_("Changes apply now, up to %s"), two_gib);
  g_autofree char *live_vcpus = g_strdup_printf (_("Changes apply now, up to %u"), 4);
  g_autofree char *max_pending = g_strdup_printf (_("%s now, %s from the next start"),
                                                  two_gib, four_gib);
  g_autofree char *xml = NULL;
  PisoTestXml x;

  /* What it has, and where a change applies */
  g_assert_cmpfloat (spin_value (resources, "memory_spin"), ==, 1024);
  g_assert_cmpfloat (spin_value (resources, "max_memory_spin"), ==, 2048);
  g_assert_cmpfloat (spin_value (resources, "vcpus_spin"), ==, 1);
  g_assert_cmpfloat (spin_value (resources, "max_vcpus_spin"), ==, 4);
  g_assert_cmpstr (subtitle (resources, "memory_row"), ==, live_memory);
  g_assert_cmpstr (subtitle (resources, "vcpus_row"), ==, live_vcpus);
  g_assert_cmpstr (subtitle (resources, "max_memory_row"), ==, _("Changes apply at the next start"));
  g_assert_false (gtk_widget_get_mapped (banner));
  /* Each field is named once, by its own name (not also by its row) */
  for (guint i = 0; i < 4; i++)
    {
      const char *spins[] = { "memory_spin", "max_memory_spin", "vcpus_spin", "max_vcpus_spin" };
      GtkAccessible *spin = resources_child (resources, spins[i]);

      g_assert_true (gtk_test_accessible_has_property (spin, GTK_ACCESSIBLE_PROPERTY_LABEL));
      g_assert_false (gtk_test_accessible_has_relation (spin, GTK_ACCESSIBLE_RELATION_LABELLED_BY));
      g_assert_true (gtk_test_accessible_has_property (spin, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
    }

  /* Memory now (the balloon) and kept */
  type_value (resources, "memory_spin", "1536");
  wait_property (machine, "memory", 1536 * MIB);
  wait_property (machine, "next-memory", 1536 * MIB);

  /* Processors now */
  toasts.seen = f->toasts->len;
  type_value (resources, "vcpus_spin", "2");
  wait_property (machine, "vcpus", 2);
  wait_property (machine, "next-vcpus", 2);
  /* …with a word that the guest may use them only after a restart */
  piso_test_wait_until (has_new_toast, &toasts, 10, "the toast about added processors");
  g_assert_cmpstr (g_ptr_array_index (f->toasts, f->toasts->len - 1), ==,
                   _("The processors are added now; some guest systems, recent Linux versions among them, start using added processors only after a restart."));

  /* The maximum at the next start: the page says the machine must restart */
  type_value (resources, "max_memory_spin", "4096");
  wait_property (machine, "next-max-memory", 4 * GIB);
  wait_property (machine, "restart-pending", TRUE);
  piso_test_spin (300);
  g_assert_true (gtk_widget_get_mapped (banner));
  assert_shows (banner, _("Some changes apply when the machine restarts"));
  g_assert_cmpstr (piso_a11y_get_last_announcement (banner), ==,
                   _("Some changes apply when the machine restarts"));
  g_assert_cmpstr (subtitle (resources, "max_memory_row"), ==, max_pending);
  /* The memory field may now go up to the new maximum */
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (resources_child (resources, "memory_spin"))), ==, 4096);

  xml = definition (machine);
  piso_test_xml_parse (&x, xml);
  piso_test_assert_xml_string (&x, "/domain/currentMemory", "1572864");
  piso_test_assert_xml_string (&x, "/domain/memory", "4194304");
  piso_test_assert_xml_string (&x, "/domain/vcpu/@current", "2");
  piso_test_xml_clear (&x);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-resources");
}


static void
test_resources_refused (Fixture       *f,
                        gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "web", "resources");
  PisoMachine *machine = machine_named (f, "web");
  GtkWidget *resources = show_view (page, "resources");
  g_autofree char *before = definition (machine);
  g_autofree char *after = NULL;
  const char *toast;

  /* More processors than the hypervisor allows: libvirt's reason, and the
   * field shows the machine's value again */
  type_value (resources, "max_vcpus_spin", "40");
  g_assert_cmpfloat (spin_value (resources, "max_vcpus_spin"), ==, 40);
  piso_test_wait_until (piso_ui_test_page_fixture_has_toast, f, 10, "the refusal");
  piso_test_spin (200);
  toast = g_ptr_array_index (f->toasts, 0);
  g_test_message ("toast: %s", toast);
  g_assert_nonnull (strstr (toast, "40 > 32"));
  g_assert_cmpfloat (spin_value (resources, "max_vcpus_spin"), ==, 4);
  after = definition (machine);
  g_assert_cmpstr (after, ==, before);
}

static void
test_resources_off (Fixture       *f,
                    gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "db", "resources");
  PisoMachine *machine = machine_named (f, "db");
  GtkWidget *resources = show_view (page, "resources");
  const char *later = _("Changes apply at the next start");
  g_autofree char *xml = NULL;
  PisoTestXml x;

  g_assert_cmpstr (subtitle (resources, "memory_row"), ==, later);
  g_assert_cmpstr (subtitle (resources, "vcpus_row"), ==, later);
  g_assert_cmpstr (subtitle (resources, "max_vcpus_row"), ==, later);

  type_value (resources, "vcpus_spin", "3");
  wait_property (machine, "next-vcpus", 3);
  type_value (resources, "max_memory_spin", "3072");
  wait_property (machine, "next-max-memory", 3 * GIB);
  piso_test_spin (200);
  /* Off: nothing waits for a restart */
  g_assert_false (gtk_widget_get_mapped (resources_child (resources, "restart_banner")));
  g_assert_cmpuint (f->toasts->len, ==, 0);

  xml = definition (machine);
  piso_test_xml_parse (&x, xml);
  piso_test_assert_xml_string (&x, "/domain/vcpu/@current", "3");
  piso_test_assert_xml_string (&x, "/domain/memory", "3145728");
  piso_test_xml_clear (&x);

  /* Narrow: the fields fit a folded window */
  gtk_window_set_default_size (f->window, 360, 700);
  piso_machine_page_set_folded (page, TRUE);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-resources-off-narrow");
}


/* ---- XML ---- */

static gpointer
xml_child (GtkWidget  *view,
           const char *name)
{
  return piso_ui_test_template_child (view, PISO_TYPE_MACHINE_XML_VIEW, name);
}

static GtkTextBuffer *
xml_buffer (GtkWidget *view)
{
  return gtk_text_view_get_buffer (xml_child (view, "source_view"));
}

static char *
xml_text (GtkWidget *view)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (xml_buffer (view), &start, &end);
  return gtk_text_buffer_get_text (xml_buffer (view), &start, &end, FALSE);
}

static gboolean
xml_loaded (gpointer view)
{
  g_autofree char *text = xml_text (view);

  return strstr (text, "<name>db</name>") != NULL;
}

/* The user replaces @old by @new in the text (as typing would) */
static void
xml_edit (GtkWidget  *view,
          const char *old,
          const char *new)
{
  GtkTextBuffer *buffer = xml_buffer (view);
  GtkTextIter start, end, match_start, match_end;

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, old, 0, &match_start, &match_end, NULL));
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &match_start, &match_end);
  gtk_text_buffer_insert (buffer, &match_start, new, -1);
  gtk_text_buffer_end_user_action (buffer);
  gtk_text_buffer_get_end_iter (buffer, &end);
}

static guint
line_of (const char *text,
         const char *what)
{
  const char *found = strstr (text, what);
  guint line = 1;

  g_assert_nonnull (found);
  for (const char *p = text; p < found; p++)
    if (*p == '\n')
      line++;
  return line;
}

static gboolean
message_shown (gpointer view)
{
  return gtk_widget_get_visible (xml_child (view, "message_revealer")) &&
         gtk_revealer_get_reveal_child (xml_child (view, "message_revealer"));
}

static gboolean
saved (gpointer view)
{
  return !gtk_text_buffer_get_modified (xml_buffer (view)) && message_shown (view);
}

static void
test_xml_view (Fixture       *f,
               gconstpointer  data)
{
  PisoMachinePage *page = show_page (f, "db", "xml");
  PisoMachine *machine = machine_named (f, "db");
  GtkWidget *view = show_view (page, "xml");
  GtkSourceView *source = xml_child (view, "source_view");
  GtkWidget *edit_switch = xml_child (view, "edit_switch");
  GtkWidget *save = xml_child (view, "save_button");
  GtkWidget *revert = xml_child (view, "revert_button");
  const char *message;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  GtkTextIter cursor;

  /* The definition, highlighted as XML, read-only */
  piso_test_wait_until (xml_loaded, view, 10, "the definition to show");
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (xml_buffer (view)))),
                   ==, "xml");
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (source)));
  g_assert_false (gtk_widget_get_sensitive (save));
  g_assert_false (gtk_widget_get_sensitive (revert));
  g_assert_true (gtk_widget_get_sensitive (edit_switch));
  piso_ui_test_assert_named_by (edit_switch, xml_child (view, "edit_label"), _("Allow Editing"));
  /* It fits a folded window (360 px) */
  {
    int minimum;

    gtk_widget_measure (view, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
  }
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-xml");

  /* Editing on; something libvirt does not know */
  gtk_switch_set_active (GTK_SWITCH (edit_switch), TRUE);
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (source)));
  before = definition (machine);
  xml_edit (view, "</devices>", "  <frobnicate/>\n  </devices>");
  g_assert_true (gtk_widget_get_sensitive (save));
  /* Editing stays on until the text is saved or reverted */
  g_assert_false (gtk_widget_get_sensitive (edit_switch));

  /* Refused: libvirt's reason, the line marked, the text kept, nothing written */
  piso_ui_test_click (save);
  piso_test_wait_until (message_shown, view, 10, "the refusal");
  message = gtk_label_get_label (xml_child (view, "message_label"));
  g_test_message ("refused: %s", message);
  g_assert_nonnull (strstr (message, "frobnicate"));
  text = xml_text (view);
  g_assert_nonnull (strstr (text, "<frobnicate/>"));
  gtk_text_buffer_get_iter_at_mark (xml_buffer (view), &cursor,
                                    gtk_text_buffer_get_insert (xml_buffer (view)));
  g_assert_cmpint (gtk_text_iter_get_line (&cursor) + 1, ==, line_of (text, "<frobnicate/>"));
  g_assert_true (gtk_text_iter_has_tag (&cursor, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (xml_buffer (view)), "piso-error")));
  g_assert_true (gtk_text_buffer_get_modified (xml_buffer (view)));
  after = definition (machine);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpstr (piso_a11y_get_last_announcement (xml_child (view, "message_box")), ==, message);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-xml-refused");

  /* Corrected, with a part libvirt drops: saved, and the dropped part named */
  xml_edit (view, "  <frobnicate/>\n", "");
  xml_edit (view, "<target dev='vda' bus='virtio'/>",
            "<target dev='vda' bus='virtio'/>\n      <alias name='mydisk'/>");
  xml_edit (view, "<currentMemory unit='KiB'>1048576</currentMemory>",
            "<currentMemory unit='KiB'>786432</currentMemory>");
  g_clear_pointer (&text, g_free);
  text = xml_text (view);
  {
    g_autofree char *dropped = g_strdup_printf (_("Element <%s> in <%s> (line %ld)"), "alias", "disk",
                                                (long) line_of (text, "<alias name='mydisk'/>"));

    piso_ui_test_click (save);
    piso_test_wait_until (saved, view, 10, "the definition to be saved");
    message = gtk_label_get_label (xml_child (view, "message_label"));
    g_test_message ("saved: %s", message);
    g_assert_nonnull (strstr (message, dropped));
  }
  g_clear_pointer (&after, g_free);
  after = definition (machine);
  g_assert_nonnull (strstr (after, "<currentMemory unit='KiB'>786432</currentMemory>"));
  g_assert_null (strstr (after, "mydisk"));
  piso_test_spin (500);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "machine-edit-xml-dropped");

  /* A change libvirt keeps whole: said in a toast, the message gone */
  g_assert_cmpuint (f->toasts->len, ==, 0);
  xml_edit (view, "<currentMemory unit='KiB'>786432</currentMemory>",
            "<currentMemory unit='KiB'>655360</currentMemory>");
  piso_ui_test_click (save);
  piso_test_wait_until (piso_ui_test_page_fixture_has_toast, f, 10, "the saved definition's toast");
  g_assert_cmpstr (g_ptr_array_index (f->toasts, 0), ==, _("Definition saved"));
  g_assert_false (message_shown (view));
  g_clear_pointer (&after, g_free);
  after = definition (machine);
  g_assert_nonnull (strstr (after, "<currentMemory unit='KiB'>655360</currentMemory>"));

  /* Revert: the saved definition again */
  xml_edit (view, "<name>db</name>", "<name>db2</name>");
  g_assert_true (gtk_widget_get_sensitive (revert));
  piso_ui_test_click (revert);
  piso_test_wait_until (xml_loaded, view, 10, "the saved definition");
  g_assert_false (gtk_text_buffer_get_modified (xml_buffer (view)));
  g_assert_true (gtk_widget_get_sensitive (edit_switch));
  g_clear_pointer (&after, g_free);
  after = definition (machine);
  g_assert_nonnull (strstr (after, "<name>db</name>"));
}

int
main (int   argc,
      char *argv[])
{
  if (!piso_ui_test_init_checked (&argc, &argv, "/machine-edit/no-display"))
    return g_test_run ();

  /* The application's style sheet (banners) */
  piso_ui_test_load_style ();

#define ADD(path, func) piso_ui_test_add_page_test (path, &fixture_page, func)

  ADD ("/machine-edit/install-banner", test_install_banner);
  ADD ("/machine-edit/install-remove-media", test_install_remove_media);
  ADD ("/machine-edit/install-finished-shown", test_install_finished_shown);
  ADD ("/machine-edit/resources-running", test_resources_running);
  ADD ("/machine-edit/resources-refused", test_resources_refused);
  ADD ("/machine-edit/resources-off", test_resources_off);
  ADD ("/machine-edit/xml-view", test_xml_view);

#undef ADD

  return g_test_run ();
}
