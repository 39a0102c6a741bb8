/* test-machine-hardware.c: changing a machine's hardware from the Hardware view, under Xvfb
 *
 * The section on its own (in a toast window) over a fresh copy of
 * tests/data/devices.xml per test: each change is made as the user makes it
 * (the row's buttons and menus, the dialogs' responses) and checked in the
 * rows, the toast and the backend's definition. With --piso-language=es
 * (test-machine-hardware-es) the same runs in Spanish; screenshots get
 * "-es" added.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "piso-backend-private.h"
#include "piso-alert.h"
#include "piso-format.h"
#include "piso-machine-add-disk.h"
#include "piso-machine-add-interface.h"
#include "piso-machine-boot-group.h"
#include "piso-machine-devices.h"
#include "piso-machine-disk-row.h"
#include "piso-machine-hardware.h"
#include "piso-machine-interface-row.h"
#include "piso-test-utils.h"
#include "piso-ui-test-utils.h"

#define IMAGES "/var/lib/piso-test/images/"
#define ISOS "/var/lib/piso-test/iso/"
#define GIB (G_GUINT64_CONSTANT (1) << 30)

typedef PisoUiTestPageFixture Fixture;

static const PisoUiTestPage fixture_page = { "devices.xml", 860, 900 };

static void
refresh_details (PisoMachine *machine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_machine_refresh_details_async (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_refresh_details_finish (machine, result, &error));
}

/* The Hardware section showing @name, in the fixture's window */
static PisoMachineHardware *
show_hardware (Fixture    *f,
               const char *name)
{
  GtkWidget *hardware = piso_machine_hardware_new ();
  PisoMachine *machine = piso_test_find_machine (f->connection, name);

  refresh_details (machine);
  gtk_window_set_child (f->window, hardware);
  piso_machine_section_set_machine (PISO_MACHINE_SECTION (hardware), machine);
  gtk_window_present (f->window);
  piso_test_spin (200);
  return PISO_MACHINE_HARDWARE (hardware);
}

static GtkWidget *
disk_row (PisoMachineHardware *hardware,
          const char          *target)
{
  GtkWidget *list = piso_ui_test_template_child (GTK_WIDGET (hardware), PISO_TYPE_MACHINE_HARDWARE,
                                                 "disks_list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (PISO_IS_MACHINE_DISK_ROW (row) &&
        g_strcmp0 (piso_disk_get_target (piso_machine_disk_row_get_disk (PISO_MACHINE_DISK_ROW (row))),
                   target) == 0)
      return row;
  return NULL;
}

static GtkWidget *
interface_row (PisoMachineHardware *hardware,
               const char          *mac)
{
  GtkWidget *list = piso_ui_test_template_child (GTK_WIDGET (hardware), PISO_TYPE_MACHINE_HARDWARE,
                                                 "interfaces_list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (PISO_IS_MACHINE_INTERFACE_ROW (row) &&
        g_strcmp0 (piso_net_interface_get_mac (piso_machine_interface_row_get_iface (PISO_MACHINE_INTERFACE_ROW (row))),
                   mac) == 0)
      return row;
  return NULL;
}

static char *
definition (Fixture    *f,
            const char *name)
{
  return piso_test_machine_definition (piso_test_find_machine (f->connection, name));
}

static void
assert_row_shows (GtkWidget  *row,
                  const char *text)
{
  g_autofree char *texts = piso_ui_test_visible_texts (row);

  if (strstr (texts, text) == NULL)
    g_error ("“%s” not shown; the row shows:\n%s", text, texts);
}

typedef struct
{
  Fixture    *f;
  const char *text;
} ToastWait;

static gboolean
toast_says (gpointer user_data)
{
  ToastWait *w = user_data;

  for (guint i = 0; i < w->f->toasts->len; i++)
    if (strstr (g_ptr_array_index (w->f->toasts, i), w->text) != NULL)
      return TRUE;
  return FALSE;
}

static void
wait_toast (Fixture    *f,
            const char *text)
{
  ToastWait w = { f, text };

  piso_test_wait_until (toast_says, &w, 10, text);
  g_test_message ("toast: %s", (char *) g_ptr_array_index (f->toasts, f->toasts->len - 1));
}

typedef struct
{
  PisoMachine *machine;
  const char  *target;
  const char  *path;   /* NULL: empty */
} PathWait;

static gboolean
disk_path_is (gpointer user_data)
{
  PathWait *w = user_data;
  PisoDisk *disk = piso_machine_find_disk (w->machine, w->target);

  return disk != NULL && g_strcmp0 (piso_disk_get_path (disk), w->path) == 0;
}

static gboolean
disk_gone (gpointer user_data)
{
  PathWait *w = user_data;

  return piso_machine_find_disk (w->machine, w->target) == NULL;
}

/* A child of @root of @type whose label (a button's, a check's) is @label */
static GtkWidget *
find_labelled (GtkWidget  *root,
               GType       type,
               const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        {
          GtkWidget *inner = GTK_IS_CHECK_BUTTON (child) ? gtk_check_button_get_child (GTK_CHECK_BUTTON (child))
                                                         : NULL;
          const char *text = GTK_IS_LABEL (inner) ? gtk_label_get_text (GTK_LABEL (inner))
                             : GTK_IS_BUTTON (child) ? gtk_button_get_label (GTK_BUTTON (child)) : NULL;

          if (label == NULL || g_strcmp0 (text, label) == 0)
            return child;
        }
      if ((found = find_labelled (child, type, label)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
toast_shown_any (gpointer user_data)
{
  Fixture *f = user_data;

  return f->toasts->len > 0;
}

/* ---- CD/DVD ---- */

static void
test_cd_insert_eject (Fixture       *f,
                      gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  PathWait inserted = { machine, "sda", ISOS "a.iso" };
  PathWait ejected = { machine, "sda", NULL };
  GtkWidget *row = disk_row (hardware, "sda");
  GtkWidget *eject, *insert;
  g_autofree char *xml = NULL;

  /* An empty drive offers a disc, not an eject */
  g_assert_nonnull (row);
  eject = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_DISK_ROW, "eject_button");
  insert = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_DISK_ROW, "insert_button");
  assert_row_shows (row, _("Empty"));
  g_assert_false (gtk_widget_get_visible (eject));
  g_assert_true (gtk_widget_get_visible (insert));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (insert), ==, _("Insert Disc…"));

  /* The file chooser ends in hardware.set-cd with the chosen file */
  g_assert_true (gtk_widget_activate_action (row, "hardware.set-cd", "(ss)", "sda", ISOS "a.iso"));
  piso_test_wait_until (disk_path_is, &inserted, 10, "a.iso in sda");
  wait_toast (f, _("Disc inserted"));
  xml = definition (f, "off");
  g_assert_nonnull (strstr (xml, ISOS "a.iso"));

  row = disk_row (hardware, "sda");
  eject = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_DISK_ROW, "eject_button");
  insert = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_DISK_ROW, "insert_button");
  assert_row_shows (row, ISOS "a.iso");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (insert), ==, _("Change Disc…"));
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "hardware-cd-inserted");

  /* Eject, clicked */
  piso_ui_test_click (eject);
  piso_test_wait_until (disk_path_is, &ejected, 10, "sda empty");
  wait_toast (f, _("Disc ejected"));
  g_free (xml);
  xml = definition (f, "off");
  g_assert_null (strstr (xml, ISOS "a.iso"));
  assert_row_shows (disk_row (hardware, "sda"), _("Empty"));
}

/* A running machine: libvirt 9.0's test driver updates no running device,
 * so the disc comes at the next start and the toast and row say so; newer
 * ones (Debian 13's 11.3) change it now, and the toast says that. */
static void
test_cd_running (Fixture       *f,
                 gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "on");
  PisoMachine *machine = piso_test_find_machine (f->connection, "on");
  g_autofree char *xml = NULL;
  g_autofree char *pending = g_strdup_printf (_("%s at next start"), "b.iso");
  g_autofree char *done_now = g_strdup_printf (_("%s now."), _("Disc inserted"));
  g_autofree char *done_later = g_strdup_printf ("%s. ", _("Disc inserted"));
  const char *toast;
  GtkWidget *row;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (hardware), "hardware.set-cd", "(ss)",
                                             "sda", ISOS "b.iso"));
  wait_toast (f, _("Disc inserted"));
  toast = g_ptr_array_index (f->toasts, 0);
  xml = piso_test_machine_definition (machine);
  g_assert_nonnull (strstr (xml, ISOS "b.iso"));

  refresh_details (machine);
  piso_test_spin (100);
  row = disk_row (hardware, "sda");
  if (g_strcmp0 (piso_disk_get_path (piso_machine_find_disk (machine, "sda")), ISOS "b.iso") == 0)
    {
      /* Done now */
      g_assert_cmpstr (toast, ==, done_now);
      assert_row_shows (row, ISOS "b.iso");
    }
  else
    {
      /* Now a.iso, b.iso at next start; the toast says why (libvirt's reason) */
      g_assert_true (g_str_has_prefix (toast, done_later));
      g_assert_cmpuint (strlen (toast), >, strlen (done_later) + 10);
      assert_row_shows (row, ISOS "a.iso");
      assert_row_shows (row, pending);
    }
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "hardware-cd-running");
}

/* ---- disks ---- */

static GtkWidget *
open_dialog (Fixture             *f,
             PisoMachineHardware *hardware,
             const char          *action,
             const char          *target)
{
  GtkWidget *alert;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (hardware), action, "s", target));
  piso_test_spin (100);
  alert = piso_alert_get_shown (f->window);
  g_assert_nonnull (alert);
  return alert;
}

static void
test_remove_disk_keeps_shared (Fixture       *f,
                               gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  PathWait gone = { machine, "vdb", NULL };
  g_autofree char *used = g_strdup_printf (_("Also used by “%s”, so it is kept"), "other");
  g_autofree char *xml = NULL;
  GtkWidget *alert = open_dialog (f, hardware, "hardware.remove-disk", "vdb");
  GtkWidget *check = find_labelled (alert, GTK_TYPE_CHECK_BUTTON, used);

  /* The file is another machine's too: not offered */
  g_assert_nonnull (check);
  g_assert_false (gtk_widget_get_sensitive (check));
  g_assert_cmpint (piso_alert_get_response_appearance (alert, "remove"), ==, ADW_RESPONSE_DESTRUCTIVE);
  piso_ui_test_screenshot (alert, "hardware-remove-disk-shared");

  piso_alert_respond (alert, "remove");
  piso_test_wait_until (disk_gone, &gone, 10, "vdb removed");
  wait_toast (f, _("Disk removed"));
  g_assert_null (disk_row (hardware, "vdb"));
  xml = definition (f, "off");
  g_assert_null (strstr (xml, "shared.qcow2"));
  g_assert_true (piso_test_volume_exists (f->connection, IMAGES "shared.qcow2"));
}

static void
test_remove_disk_and_file (Fixture       *f,
                           gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  PathWait gone = { machine, "vda", NULL };
  g_autofree char *label = g_strdup_printf (_("Also delete its file “%s”"), "off.qcow2");
  GtkWidget *alert = open_dialog (f, hardware, "hardware.remove-disk", "vda");
  GtkWidget *check = find_labelled (alert, GTK_TYPE_CHECK_BUTTON, label);

  /* Cancel changes nothing */
  g_assert_nonnull (check);
  g_assert_true (gtk_widget_get_sensitive (check));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  piso_alert_respond (alert, "cancel");
  piso_test_spin (200);
  g_assert_nonnull (piso_machine_find_disk (machine, "vda"));

  alert = open_dialog (f, hardware, "hardware.remove-disk", "vda");
  check = find_labelled (alert, GTK_TYPE_CHECK_BUTTON, label);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  piso_alert_respond (alert, "remove");
  piso_test_wait_until (disk_gone, &gone, 10, "vda removed");
  wait_toast (f, _("Disk removed"));
  g_assert_false (piso_test_volume_exists (f->connection, IMAGES "off.qcow2"));
}

/* Grown as the dialog asks; never shrunk (refused before asking libvirt).
 * The test driver cannot resize volumes: its refusal is shown in words and
 * the disk keeps its size. */
static void
test_grow_disk (Fixture       *f,
                gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  GtkWidget *alert = open_dialog (f, hardware, "hardware.grow-disk", "vda");
  GtkWidget *spin = piso_ui_test_find_descendant (alert, GTK_TYPE_SPIN_BUTTON);
  g_autofree char *before = definition (f, "off");
  g_autofree char *after = NULL;
  g_autofree char *size = piso_format_bytes (10 * GIB);
  g_autofree char *refused = g_strdup_printf (_("Could not grow the disk “%s” of “%s”"), "vda", "off");

  /* Not more than its 10 GiB: refused up front, and said why */
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 5);
  g_assert_false (piso_alert_get_response_enabled (alert, "grow"));
  g_assert_true (gtk_widget_get_visible (g_object_get_data (G_OBJECT (alert), "piso-hint")));
  piso_ui_test_screenshot (alert, "hardware-grow-disk-shrink");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 10);
  g_assert_false (piso_alert_get_response_enabled (alert, "grow"));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 15);
  g_assert_true (piso_alert_get_response_enabled (alert, "grow"));
  g_assert_false (gtk_widget_get_visible (g_object_get_data (G_OBJECT (alert), "piso-hint")));
  piso_ui_test_screenshot (alert, "hardware-grow-disk");
  piso_alert_respond (alert, "grow");
  wait_toast (f, refused);
  g_assert_nonnull (strstr (g_ptr_array_index (f->toasts, 0), "virStorageVolResize"));
  after = definition (f, "off");
  g_assert_cmpstr (after, ==, before);
  piso_test_spin (200);
  assert_row_shows (disk_row (hardware, "vda"), size);
}

/* The backend's refusal reaches the user in words, and nothing changes */
static void
test_refused_shown (Fixture       *f,
                    gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  g_autofree char *before = definition (f, "off");
  g_autofree char *after = NULL;

  /* A CD drive that does not exist (a stale row) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (hardware), "hardware.set-cd", "(ss)",
                                             "vda", ISOS "a.iso"));
  piso_test_wait_until (toast_shown_any, f, 10, "a toast");
  g_test_message ("toast: %s", (char *) g_ptr_array_index (f->toasts, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (f->toasts, 0), "vda"));
  after = definition (f, "off");
  g_assert_cmpstr (after, ==, before);
}

/* ---- network interfaces ---- */

static gboolean
link_is_down (gpointer user_data)
{
  PisoNetInterface *iface = piso_machine_find_interface (user_data, "52:54:00:7e:57:01");

  return iface != NULL && !piso_net_interface_get_link_up (iface);
}

static void
test_interface_link_and_remove (Fixture       *f,
                                gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  GtkWidget *row = interface_row (hardware, "52:54:00:7e:57:01");
  GtkWidget *link = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_INTERFACE_ROW, "link_switch");
  g_autofree char *mac = g_strdup_printf (_("MAC %s"), "52:54:00:7e:57:01");
  g_autofree char *xml = NULL;

  assert_row_shows (row, mac);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (link)));

  /* Unplugged, as a click on the switch does */
  gtk_switch_set_active (GTK_SWITCH (link), FALSE);
  piso_test_wait_until (link_is_down, machine, 10, "the link down");
  wait_toast (f, _("Network cable changed"));
  xml = definition (f, "off");
  g_assert_nonnull (strstr (xml, "<link state='down'/>"));
  row = interface_row (hardware, "52:54:00:7e:57:01");
  link = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_INTERFACE_ROW, "link_switch");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (link)));
  g_assert_false (gtk_switch_get_state (GTK_SWITCH (link)));
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "hardware-link-down");

  /* Removed */
  g_assert_true (gtk_widget_activate_action (row, "hardware.remove-interface", "s",
                                             "52:54:00:7e:57:01"));
  wait_toast (f, _("Network interface removed"));
  piso_test_spin (200);
  g_assert_null (piso_machine_find_interface (machine, "52:54:00:7e:57:01"));
  g_assert_null (interface_row (hardware, "52:54:00:7e:57:01"));
  g_free (xml);
  xml = definition (f, "off");
  g_assert_null (strstr (xml, "52:54:00:7e:57:01"));
}

static gboolean
dialog_loaded (gpointer user_data)
{
  return piso_machine_add_interface_get_loaded (user_data);
}

static gboolean
two_interfaces (gpointer user_data)
{
  return g_list_model_get_n_items (piso_machine_get_interfaces (user_data)) == 2;
}

static void
test_add_interface (Fixture       *f,
                    gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  g_autofree char *bridge = g_strdup_printf (_("Bridge “%s”"), "br0");
  g_autofree char *xml = NULL;
  g_autoptr(PisoNetInterface) added = NULL;
  GtkWidget *add = piso_ui_test_find_actionable (GTK_WIDGET (hardware), "hardware.add-interface");
  GtkWidget *dialog;
  PisoNetSourceKind kind;
  const char *source;

  /* The group's button, named once */
  g_assert_nonnull (add);
  g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                     _("Add Network Interface")));
  piso_ui_test_click (add);
  piso_test_spin (100);
  dialog = piso_alert_get_shown (f->window);
  g_assert_true (PISO_IS_MACHINE_ADD_INTERFACE (dialog));
  piso_test_wait_until (dialog_loaded, dialog, 10, "the networks and bridges");
  g_assert_true (piso_alert_get_response_enabled (dialog, "add"));
  /* The host's network first, then its bridge */
  g_assert_true (piso_machine_add_interface_get_source (PISO_MACHINE_ADD_INTERFACE (dialog), &kind, &source));
  g_assert_cmpint (kind, ==, PISO_NET_SOURCE_NETWORK);
  g_assert_cmpstr (source, ==, "default");
  g_assert_true (piso_machine_add_interface_select (PISO_MACHINE_ADD_INTERFACE (dialog),
                                                    PISO_NET_SOURCE_BRIDGE, "br0"));
  piso_ui_test_screenshot (dialog, "hardware-add-interface");

  piso_alert_respond (dialog, "add");
  piso_test_wait_until (two_interfaces, machine, 60, "a second interface");
  wait_toast (f, _("Network interface added"));
  added = g_list_model_get_item (piso_machine_get_interfaces (machine), 1);
  g_assert_cmpstr (piso_net_interface_get_kind (added), ==, "bridge");
  g_assert_cmpstr (piso_net_interface_get_source (added), ==, "br0");
  /* The model for Debian 12 */
  g_assert_cmpstr (piso_net_interface_get_model (added), ==, "virtio");
  piso_test_spin (100);
  assert_row_shows (interface_row (hardware, piso_net_interface_get_mac (added)), bridge);
  xml = definition (f, "off");
  g_assert_nonnull (strstr (xml, "<source bridge='br0'/>"));
}

static gboolean
on_bridge (gpointer user_data)
{
  PisoNetInterface *iface = piso_machine_find_interface (user_data, "52:54:00:7e:57:01");

  return iface != NULL && g_strcmp0 (piso_net_interface_get_source (iface), "br0") == 0;
}

static void
test_change_interface_source (Fixture       *f,
                              gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  g_autofree char *bridge = g_strdup_printf (_("Bridge “%s”"), "br0");
  g_autofree char *xml = NULL;
  GtkWidget *dialog;
  PisoNetSourceKind kind;
  const char *source;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (hardware), "hardware.change-interface-source",
                                             "s", "52:54:00:7e:57:01"));
  piso_test_spin (100);
  dialog = piso_alert_get_shown (f->window);
  g_assert_true (PISO_IS_MACHINE_ADD_INTERFACE (dialog));
  piso_test_wait_until (dialog_loaded, dialog, 10, "the networks and bridges");
  /* Where it connects now is chosen */
  g_assert_true (piso_machine_add_interface_get_source (PISO_MACHINE_ADD_INTERFACE (dialog), &kind, &source));
  g_assert_cmpint (kind, ==, PISO_NET_SOURCE_NETWORK);
  g_assert_cmpstr (source, ==, "default");
  g_assert_true (piso_machine_add_interface_select (PISO_MACHINE_ADD_INTERFACE (dialog),
                                                    PISO_NET_SOURCE_BRIDGE, "br0"));
  piso_ui_test_screenshot (dialog, "hardware-interface-source");
  piso_alert_respond (dialog, "add");
  piso_test_wait_until (on_bridge, machine, 10, "the interface on br0");
  wait_toast (f, _("Network interface connected"));
  piso_test_spin (100);
  assert_row_shows (interface_row (hardware, "52:54:00:7e:57:01"), bridge);
  xml = definition (f, "off");
  g_assert_nonnull (strstr (xml, "<source bridge='br0'/>"));
  g_assert_null (strstr (xml, "<source network='default'"));
}

static gboolean
add_disk_loaded (gpointer user_data)
{
  return piso_machine_add_disk_get_loaded (user_data);
}

static GtkWidget *
open_add_disk (Fixture             *f,
               PisoMachineHardware *hardware)
{
  GtkWidget *add = piso_ui_test_find_actionable (GTK_WIDGET (hardware), "hardware.add-disk");
  GtkWidget *dialog;

  g_assert_nonnull (add);
  g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                     _("Add Disk")));
  piso_ui_test_click (add);
  piso_test_spin (100);
  dialog = piso_alert_get_shown (f->window);
  g_assert_true (PISO_IS_MACHINE_ADD_DISK (dialog));
  piso_test_wait_until (add_disk_loaded, dialog, 10, "the storage pools");
  return dialog;
}

static gboolean
vdc_added (gpointer user_data)
{
  return piso_machine_find_disk (user_data, "vdc") != NULL;
}

static void
test_add_new_disk (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  GtkWidget *dialog = open_add_disk (f, hardware);
  g_autofree char *xml = NULL;
  const char *pool, *path;
  guint64 capacity;
  PisoDisk *disk;

  /* A new disk in "default", by default */
  g_assert_true (piso_machine_add_disk_get_new (PISO_MACHINE_ADD_DISK (dialog), &pool, &capacity, &path));
  g_assert_cmpstr (pool, ==, "default");
  g_assert_true (piso_alert_get_response_enabled (dialog, "add"));
  g_assert_true (piso_machine_add_disk_set_new (PISO_MACHINE_ADD_DISK (dialog), "default", 5));
  piso_ui_test_screenshot (dialog, "hardware-add-disk");

  piso_alert_respond (dialog, "add");
  /* The bus comes from the OS: the first change loads libosinfo */
  piso_test_wait_until (vdc_added, machine, 60, "vdc");
  wait_toast (f, _("Disk added"));
  disk = piso_machine_find_disk (machine, "vdc");
  /* virtio: what New Machine chooses for Debian 12 */
  g_assert_cmpstr (piso_disk_get_bus (disk), ==, "virtio");
  g_assert_true (g_str_has_prefix (piso_disk_get_path (disk), IMAGES));
  g_assert_true (piso_test_volume_exists (f->connection, piso_disk_get_path (disk)));
  refresh_details (machine);
  g_assert_cmpuint (piso_disk_get_capacity (piso_machine_find_disk (machine, "vdc")), ==, 5 * GIB);
  piso_test_spin (100);
  g_assert_nonnull (disk_row (hardware, "vdc"));
  xml = definition (f, "off");
  g_assert_nonnull (strstr (xml, "<target dev='vdc' bus='virtio'/>"));
}

static void
test_add_existing_disk (Fixture       *f,
                        gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  GtkWidget *dialog = open_add_disk (f, hardware);
  g_autofree char *before = definition (f, "off");
  g_autofree char *after = NULL;
  PathWait added = { machine, "vdc", IMAGES "data.qcow2" };

  /* Another machine's disk: refused, in words, and nothing changes */
  piso_machine_add_disk_set_path (PISO_MACHINE_ADD_DISK (dialog), IMAGES "on.qcow2");
  g_assert_true (piso_alert_get_response_enabled (dialog, "add"));
  piso_alert_respond (dialog, "add");
  piso_test_wait_until (toast_shown_any, f, 10, "the refusal");
  g_test_message ("toast: %s", (char *) g_ptr_array_index (f->toasts, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (f->toasts, 0), IMAGES "on.qcow2"));
  after = definition (f, "off");
  g_assert_cmpstr (after, ==, before);

  dialog = open_add_disk (f, hardware);
  piso_machine_add_disk_set_path (PISO_MACHINE_ADD_DISK (dialog), IMAGES "data.qcow2");
  piso_ui_test_screenshot (dialog, "hardware-add-disk-existing");
  piso_alert_respond (dialog, "add");
  piso_test_wait_until (disk_path_is, &added, 10, "data.qcow2 as vdc");
  wait_toast (f, _("Disk added"));
  g_free (after);
  after = definition (f, "off");
  g_assert_nonnull (strstr (after, IMAGES "data.qcow2"));
}

/* ---- boot ---- */

static gboolean
boot_menu_on (gpointer user_data)
{
  return piso_machine_boot_get_boot_menu (piso_machine_get_boot (user_data));
}

static gboolean
uefi_secure (gpointer user_data)
{
  PisoMachineBoot *boot = piso_machine_get_boot (user_data);

  return piso_machine_boot_get_firmware (boot) == PISO_FIRMWARE_UEFI &&
         piso_machine_boot_get_secure_boot (boot);
}

typedef struct
{
  PisoMachineBootGroup *group;
  const char * const   *order;
} OrderWait;

/* The machine has the order, and the group shows it */
static gboolean
order_shown (gpointer user_data)
{
  OrderWait *w = user_data;
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (
                           gtk_widget_get_ancestor (GTK_WIDGET (w->group), PISO_TYPE_MACHINE_HARDWARE)));
  g_auto(GStrv) order = piso_machine_boot_group_get_order (w->group);

  for (guint i = 1; w->order[i] != NULL; i++)
    if (piso_disk_get_boot_order (piso_machine_find_disk (machine, w->order[i])) != i + 1)
      return FALSE;
  return g_strv_equal ((const char * const *) order, w->order);
}

/* The row of the boot order for device @name: its check, up and down */
static GtkWidget *
order_control (PisoMachineBootGroup *group,
               const char           *format,
               const char           *name)
{
  g_autofree char *label = NULL;
  GtkWidget *found = NULL;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  label = g_strdup_printf (format, name);
#pragma GCC diagnostic pop

  g_ptr_array_add (stack, group);
  while (stack->len > 0 && found == NULL)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if ((GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget)) &&
          gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                              label) == NULL)
        found = widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);
    }
  g_assert_nonnull (found);
  return found;
}

static gboolean
sda_moves_up (gpointer group)
{
  return gtk_widget_get_sensitive (order_control (group, _("Move %s Up"), "sda"));
}

static gboolean
sda_moves_down (gpointer group)
{
  return gtk_widget_get_sensitive (order_control (group, _("Move %s Down"), "sda"));
}

static void
test_boot (Fixture       *f,
           gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "off");
  PisoMachine *machine = piso_test_find_machine (f->connection, "off");
  PisoMachineBootGroup *group = piso_ui_test_template_child (GTK_WIDGET (hardware), PISO_TYPE_MACHINE_HARDWARE,
                                                             "boot_group");
  GtkWidget *menu = piso_ui_test_template_child (GTK_WIDGET (group), PISO_TYPE_MACHINE_BOOT_GROUP,
                                                 "boot_menu_switch");
  GtkWidget *firmware = piso_ui_test_template_child (GTK_WIDGET (group), PISO_TYPE_MACHINE_BOOT_GROUP,
                                                     "firmware_row");
  GtkWidget *order = piso_ui_test_template_child (GTK_WIDGET (group), PISO_TYPE_MACHINE_BOOT_GROUP,
                                                  "order_row");
  const char *disk_only[] = { "vda", NULL };
  const char *disk_cd[] = { "vda", "sda", NULL };
  const char *cd_disk[] = { "sda", "vda", NULL };
  OrderWait w = { group, disk_only };
  g_autofree char *xml = NULL;

  /* <boot dev='hd'/>: the first disk boots */
  piso_test_wait_until (order_shown, &w, 10, "vda booting");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (menu)));
  g_assert_true (gtk_widget_is_sensitive (firmware));

  /* The boot menu, on */
  gtk_switch_set_active (GTK_SWITCH (menu), TRUE);
  piso_test_wait_until (boot_menu_on, machine, 10, "the boot menu on");
  wait_toast (f, _("Boot menu changed"));
  xml = definition (f, "off");
  g_assert_nonnull (strstr (xml, "<bootmenu enable='yes'/>"));

  /* The CD boots too, after the disk; then before it */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (order), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (order_control (group, _("Boot from %s"), "sda")), TRUE);
  w.order = disk_cd;
  piso_test_wait_until (order_shown, &w, 10, "vda then sda");
  piso_test_spin (100);
  /* (offered once the rows show sda among the booting devices) */
  piso_test_wait_until (sda_moves_up, group, 10, "Move sda Up offered");
  piso_ui_test_click (order_control (group, _("Move %s Up"), "sda"));
  w.order = cd_disk;
  piso_test_wait_until (order_shown, &w, 10, "sda then vda");
  g_assert_cmpuint (piso_disk_get_boot_order (piso_machine_find_disk (machine, "sda")), ==, 1);
  g_assert_cmpuint (piso_disk_get_boot_order (piso_machine_find_disk (machine, "vda")), ==, 2);
  g_assert_cmpuint (piso_disk_get_boot_order (piso_machine_find_disk (machine, "vdb")), ==, 0);
  wait_toast (f, _("Boot order changed"));
  /* A device that does not boot has no place in the order to move */
  piso_test_wait_until (sda_moves_down, group, 10, "the rows built again");
  g_assert_false (gtk_widget_get_sensitive (order_control (group, _("Move %s Up"), "vdb")));
  g_assert_false (gtk_widget_get_sensitive (order_control (group, _("Move %s Down"), "vdb")));
  g_assert_false (gtk_widget_get_sensitive (order_control (group, _("Move %s Down"), "vda")));

  /* UEFI with Secure Boot, while off */
  adw_combo_row_set_selected (ADW_COMBO_ROW (firmware), 2);
  if (piso_test_host_offers_uefi (machine))
    {
      piso_test_wait_until (uefi_secure, machine, 30, "UEFI with Secure Boot");
      wait_toast (f, _("Firmware changed"));
      g_free (xml);
      xml = definition (f, "off");
      g_assert_nonnull (strstr (xml, "<os firmware='efi'>"));
    }
  else
    {
      /* Refused, with what to install; the row shows the firmware kept */
      wait_toast (f, "ovmf");
      wait_toast (f, _("Could not change the firmware"));
      piso_test_spin (100);
      g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (firmware)), ==, 0);
      g_free (xml);
      xml = definition (f, "off");
      g_assert_null (strstr (xml, "efi"));
    }
  gtk_widget_set_size_request (GTK_WIDGET (f->window), -1, 1000);
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "hardware-boot");
}

/* A running machine keeps its firmware: the row says when it can change */
static void
test_boot_running (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "on");
  PisoMachineBootGroup *group = piso_ui_test_template_child (GTK_WIDGET (hardware), PISO_TYPE_MACHINE_HARDWARE,
                                                             "boot_group");
  GtkWidget *firmware = piso_ui_test_template_child (GTK_WIDGET (group), PISO_TYPE_MACHINE_BOOT_GROUP,
                                                     "firmware_row");

  g_assert_false (gtk_widget_is_sensitive (firmware));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (firmware)), ==,
                   _("Can be changed while the machine is off"));
}

/* Every control is named once, and reached by the keyboard */
static void
test_controls_named (Fixture       *f,
                     gconstpointer  data)
{
  PisoMachineHardware *hardware = show_hardware (f, "on");
  GtkWidget *row = disk_row (hardware, "sda");
  GtkWidget *eject = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_DISK_ROW, "eject_button");
  GtkWidget *insert = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_DISK_ROW, "insert_button");
  GtkWidget *menu = piso_ui_test_template_child (row, PISO_TYPE_MACHINE_DISK_ROW, "menu_button");
  GtkWidget *nic = interface_row (hardware, "52:54:00:7e:57:02");
  GtkWidget *link = piso_ui_test_template_child (nic, PISO_TYPE_MACHINE_INTERFACE_ROW, "link_switch");
  g_autofree char *menu_name = g_strdup_printf (_("More Actions for %s"), "sda");
  GtkWidget *widgets[] = { eject, insert, menu, link };
  const char *names[] = { _("Eject"), _("Change Disc…"), menu_name, _("Cable Connected") };

  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    {
      g_autofree char *error = NULL;
      GtkWidget *focus = GTK_IS_MENU_BUTTON (widgets[i]) ? gtk_widget_get_first_child (widgets[i])
                                                         : widgets[i];

      g_assert_true (gtk_widget_get_visible (widgets[i]));
      g_assert_true (gtk_widget_is_sensitive (widgets[i]));
      /* Named by its own label only (no text child to read it twice) */
      error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widgets[i]),
                                                  GTK_ACCESSIBLE_PROPERTY_LABEL, names[i]);
      if (error != NULL)
        g_error ("%s: %s", names[i], error);
      g_assert_true (gtk_widget_get_focusable (focus));
    }
  piso_ui_test_screenshot (GTK_WIDGET (f->window), "hardware-running");
}

int
main (int   argc,
      char *argv[])
{
  if (!piso_ui_test_init_checked (&argc, &argv, "/machine-hardware/no-display"))
    return g_test_run ();

#define ADD(path, func) piso_ui_test_add_page_test (path, &fixture_page, func)

  ADD ("/machine-hardware/cd-insert-eject", test_cd_insert_eject);
  ADD ("/machine-hardware/cd-running", test_cd_running);
  ADD ("/machine-hardware/remove-disk-keeps-shared", test_remove_disk_keeps_shared);
  ADD ("/machine-hardware/remove-disk-and-file", test_remove_disk_and_file);
  ADD ("/machine-hardware/grow-disk", test_grow_disk);
  ADD ("/machine-hardware/refused-shown", test_refused_shown);
  ADD ("/machine-hardware/interface-link-and-remove", test_interface_link_and_remove);
  ADD ("/machine-hardware/add-new-disk", test_add_new_disk);
  ADD ("/machine-hardware/add-existing-disk", test_add_existing_disk);
  ADD ("/machine-hardware/add-interface", test_add_interface);
  ADD ("/machine-hardware/change-interface-source", test_change_interface_source);
  ADD ("/machine-hardware/boot", test_boot);
  ADD ("/machine-hardware/boot-running", test_boot_running);
  ADD ("/machine-hardware/controls-named", test_controls_named);

#undef ADD

  return g_test_run ();
}
