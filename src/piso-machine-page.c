/* piso-machine-page.c: the details of one machine, and its actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-page"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-console-page.h"
#include "piso-delete-dialog.h"
#include "piso-format.h"
#include "piso-graph.h"
#include "piso-machine-page.h"

#define N_GRAPHS 4

struct _PisoMachinePage
{
  AdwBin            parent_instance;

  PisoMachine      *machine;
  /* The machine's connection, kept while the machine is shown */
  PisoConnection   *connection;
  /* Cancelled when another machine is shown */
  GCancellable     *cancellable;
  GPtrArray        *disk_rows;
  GPtrArray        *interface_rows;
  PisoGraph        *graphs[N_GRAPHS];

  /* The statistics hold taken, to release exactly that one */
  PisoConnection   *stats_connection;
  PisoMachine      *stats_machine;

  PisoMachineState  last_state;
  guint             vanished : 1;

  /* Template children */
  GtkFlowBox           *actions_box;
  GtkSwitch            *autostart_switch;
  PisoConsolePage      *console_page;
  AdwActionRow         *autostart_row;
  AdwActionRow         *description_row;
  AdwPreferencesGroup  *disks_group;
  GtkGrid              *graphs_grid;
  AdwPreferencesGroup  *interfaces_group;
  GtkLabel             *machine_name_label;
  GtkLabel             *memory_label;
  GtkLabel             *name_label;
  GtkLabel             *os_label;
  AdwPreferencesGroup  *performance_group;
  GtkLabel             *persistent_label;
  GtkStack             *stack;
  GtkImage             *state_image;
  GtkLabel             *state_label;
  AdwViewSwitcherBar   *switcher_bar;
  GtkLabel             *uuid_label;
  AdwStatusPage        *vanished_status;
  GtkLabel             *vcpus_label;
  AdwViewStack         *view_stack;
};

G_DEFINE_FINAL_TYPE (PisoMachinePage, piso_machine_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Lifecycle calls, by the action that runs them (force-off after its
 * confirmation) */
typedef void     (*LifecycleAsync)  (PisoMachine         *machine,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
typedef gboolean (*LifecycleFinish) (PisoMachine         *machine,
                                     GAsyncResult        *result,
                                     GError             **error);

typedef struct
{
  const char        *action_name;
  PisoMachineAction  action;
  LifecycleAsync     async;
  LifecycleFinish    finish;
} Lifecycle;

static const Lifecycle lifecycles[] = {
  { "machine.start", PISO_MACHINE_ACTION_START,
    piso_machine_start_async, piso_machine_start_finish },
  { "machine.shutdown", PISO_MACHINE_ACTION_SHUTDOWN,
    piso_machine_shutdown_async, piso_machine_shutdown_finish },
  { "machine.reboot", PISO_MACHINE_ACTION_REBOOT,
    piso_machine_reboot_async, piso_machine_reboot_finish },
  { "machine.pause", PISO_MACHINE_ACTION_PAUSE,
    piso_machine_pause_async, piso_machine_pause_finish },
  { "machine.resume", PISO_MACHINE_ACTION_RESUME,
    piso_machine_resume_async, piso_machine_resume_finish },
  { "machine.save", PISO_MACHINE_ACTION_SAVE,
    piso_machine_save_async, piso_machine_save_finish },
  { "machine.restore", PISO_MACHINE_ACTION_RESTORE,
    piso_machine_restore_async, piso_machine_restore_finish },
  { "machine.force-off", PISO_MACHINE_ACTION_FORCE_OFF,
    piso_machine_force_off_async, piso_machine_force_off_finish },
};

/* "Could not start “name”": the context of a failure message */
static char *
lifecycle_failure (PisoMachineAction  action,
                   const char        *name)
{
  switch (action)
    {
    case PISO_MACHINE_ACTION_START:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not start “%s”"), name);
    case PISO_MACHINE_ACTION_SHUTDOWN:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not shut down “%s”"), name);
    case PISO_MACHINE_ACTION_REBOOT:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not reboot “%s”"), name);
    case PISO_MACHINE_ACTION_PAUSE:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not pause “%s”"), name);
    case PISO_MACHINE_ACTION_RESUME:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not resume “%s”"), name);
    case PISO_MACHINE_ACTION_SAVE:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not save “%s”"), name);
    case PISO_MACHINE_ACTION_RESTORE:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not restore “%s”"), name);
    case PISO_MACHINE_ACTION_FORCE_OFF:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not force off “%s”"), name);
    case PISO_MACHINE_ACTION_RENAME:
    case PISO_MACHINE_ACTION_DELETE:
    case PISO_MACHINE_ACTION_SET_AUTOSTART:
    default:
      break;
    }

  g_return_val_if_reached (g_strdup (name));
}

/* Actions whose enabled state follows piso_machine_can() */
static const struct
{
  const char        *action_name;
  PisoMachineAction  action;
} action_states[] = {
  { "machine.start", PISO_MACHINE_ACTION_START },
  { "machine.shutdown", PISO_MACHINE_ACTION_SHUTDOWN },
  { "machine.reboot", PISO_MACHINE_ACTION_REBOOT },
  { "machine.force-off", PISO_MACHINE_ACTION_FORCE_OFF },
  { "machine.pause", PISO_MACHINE_ACTION_PAUSE },
  { "machine.resume", PISO_MACHINE_ACTION_RESUME },
  { "machine.save", PISO_MACHINE_ACTION_SAVE },
  { "machine.restore", PISO_MACHINE_ACTION_RESTORE },
  { "machine.rename", PISO_MACHINE_ACTION_RENAME },
  { "machine.delete", PISO_MACHINE_ACTION_DELETE },
  { "machine.autostart", PISO_MACHINE_ACTION_SET_AUTOSTART },
};

static const struct
{
  PisoStatsSeries  series;
  int              secondary;
  const char      *title;
} graph_defs[N_GRAPHS] = {
  { PISO_STATS_CPU_PERCENT, -1, N_("Processor") },
  { PISO_STATS_MEMORY_USED_KIB, -1, N_("Memory Used") },
  /* The values are shown in the same order as the titles say */
  { PISO_STATS_DISK_READ_BPS, PISO_STATS_DISK_WRITE_BPS, N_("Disk Read / Write") },
  { PISO_STATS_NET_RX_BPS, PISO_STATS_NET_TX_BPS, N_("Network Received / Sent") },
};

/* Shows @message in the window's toast overlay. */
static void
piso_machine_page_toast (GtkWidget  *widget,
                         const char *message)
{
  g_assert (GTK_IS_WIDGET (widget));

  if (!gtk_widget_activate_action (widget, "win.toast", "s", message))
    g_debug ("No win.toast action to show: %s", message);
}

/* Toasts "@context: libvirt's reason". The backend's own errors already
 * carry such a context ("Could not start “x”: …") and are shown as they
 * are; names it refused before asking libvirt, and errors from elsewhere,
 * get @context added. */
static void
piso_machine_page_report_error (GtkWidget    *widget,
                                const char   *context,
                                const GError *error)
{
  g_autofree char *message = NULL;

  g_assert (GTK_IS_WIDGET (widget));
  g_assert (error != NULL);

  if ((error->domain == PISO_BACKEND_ERROR && error->code != PISO_BACKEND_ERROR_INVALID_NAME) ||
      g_str_has_prefix (error->message, context))
    message = g_strdup (error->message);
  else
    message = g_strdup_printf ("%s: %s", context, error->message);

  piso_machine_page_toast (widget, message);
}

static gboolean
piso_machine_page_is_connected (PisoMachinePage *self)
{
  return self->connection != NULL &&
         piso_connection_get_state (self->connection) == PISO_CONNECTION_STATE_CONNECTED;
}

static void
piso_machine_page_release_stats (PisoMachinePage *self)
{
  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (self->stats_machine != NULL)
    piso_connection_release_stats (self->stats_connection, self->stats_machine);

  g_clear_object (&self->stats_machine);
  g_clear_object (&self->stats_connection);
}

/* Statistics are sampled only while the page is on screen and the machine
 * runs: one hold per page, released on unmap, change or stop. */
static void
piso_machine_page_update_stats_hold (PisoMachinePage *self)
{
  gboolean want;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  want = self->machine != NULL &&
         self->connection != NULL &&
         !self->vanished &&
         gtk_widget_get_mapped (GTK_WIDGET (self)) &&
         piso_machine_get_state (self->machine) == PISO_MACHINE_STATE_RUNNING;

  if (want && self->stats_machine == self->machine)
    return;

  piso_machine_page_release_stats (self);

  if (want)
    {
      self->stats_connection = g_object_ref (self->connection);
      self->stats_machine = g_object_ref (self->machine);
      piso_connection_hold_stats (self->stats_connection, self->stats_machine);
    }
}

static void
piso_machine_page_update_actions (PisoMachinePage *self)
{
  gboolean can_autostart;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (action_states); i++)
    {
      gboolean enabled = self->machine != NULL &&
                         !self->vanished &&
                         piso_machine_can (self->machine, action_states[i].action);

      gtk_widget_action_set_enabled (GTK_WIDGET (self), action_states[i].action_name, enabled);
    }

  can_autostart = self->machine != NULL &&
                  !self->vanished &&
                  piso_machine_can (self->machine, PISO_MACHINE_ACTION_SET_AUTOSTART);
  gtk_widget_set_sensitive (GTK_WIDGET (self->autostart_row), can_autostart);
}

static void
piso_machine_page_update_state (PisoMachinePage *self)
{
  PisoMachineState state;
  g_autofree char *label = NULL;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (self->machine == NULL)
    return;

  state = piso_machine_get_state (self->machine);

  if (piso_machine_page_is_connected (self))
    label = g_strdup (piso_machine_get_state_label (self->machine));
  else
    /* Translators: %s is a machine state ("Running"); the connection is down */
    label = g_strdup_printf (_("%s when last seen — not connected"),
                             piso_machine_get_state_label (self->machine));

  gtk_image_set_from_icon_name (self->state_image, piso_format_state_icon (state));
  gtk_label_set_label (self->state_label, label);

  gtk_widget_set_visible (GTK_WIDGET (self->performance_group),
                          state == PISO_MACHINE_STATE_RUNNING);

  piso_machine_page_update_actions (self);
  piso_machine_page_update_stats_hold (self);

  /* Addresses appear once a guest runs: look again when it starts. */
  if (state == PISO_MACHINE_STATE_RUNNING &&
      self->last_state != PISO_MACHINE_STATE_RUNNING &&
      self->last_state != PISO_MACHINE_STATE_UNKNOWN)
    piso_machine_refresh_details_async (self->machine, self->cancellable, NULL, NULL);

  self->last_state = state;
}

static void
piso_machine_page_update_autostart (PisoMachinePage *self)
{
  gboolean autostart;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  autostart = self->machine != NULL && piso_machine_get_autostart (self->machine);

  /* state-set lets this through, since it matches the machine. */
  gtk_switch_set_active (self->autostart_switch, autostart);
  gtk_switch_set_state (self->autostart_switch, autostart);
}

static void
piso_machine_page_update_overview (PisoMachinePage *self)
{
  PisoMachine *machine = self->machine;
  const char *os;
  const char *description;
  guint vcpus, max_vcpus;
  guint64 memory, max_memory;
  g_autofree char *vcpus_text = NULL;
  g_autofree char *memory_text = NULL;
  g_autofree char *current = NULL;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (machine == NULL)
    return;

  gtk_label_set_label (self->name_label, piso_machine_get_display_name (machine));
  gtk_label_set_label (self->machine_name_label, piso_machine_get_name (machine));

  os = piso_machine_get_os_name (machine);
  if (os == NULL)
    os = piso_machine_get_os_id (machine);
  if (os == NULL)
    os = _("Unknown");
  gtk_label_set_label (self->os_label, os);

  vcpus = piso_machine_get_vcpus (machine);
  max_vcpus = piso_machine_get_max_vcpus (machine);
  if (max_vcpus > vcpus)
    /* Translators: virtual processors in use, of the most the machine may use */
    vcpus_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u virtual CPU of up to %u",
                                               "%u virtual CPUs of up to %u", vcpus),
                                  vcpus, max_vcpus);
  else
    vcpus_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u virtual CPU",
                                               "%u virtual CPUs", vcpus),
                                  vcpus);
  gtk_label_set_label (self->vcpus_label, vcpus_text);

  memory = piso_machine_get_memory (machine);
  max_memory = piso_machine_get_max_memory (machine);
  current = piso_format_memory_kib (memory);
  if (max_memory > memory)
    {
      g_autofree char *maximum = piso_format_memory_kib (max_memory);

      /* Translators: current memory, of the most the machine may use */
      memory_text = g_strdup_printf (_("%s of up to %s"), current, maximum);
    }
  else
    memory_text = g_steal_pointer (&current);
  gtk_label_set_label (self->memory_label, memory_text);

  gtk_label_set_label (self->persistent_label,
                       piso_machine_get_persistent (machine)
                       ? _("Persistent")
                       : _("Transient: removed when it stops"));
  gtk_label_set_label (self->uuid_label, piso_machine_get_uuid (machine));

  description = piso_machine_get_description (machine);
  gtk_widget_set_visible (GTK_WIDGET (self->description_row),
                          description != NULL && description[0] != '\0');
  adw_action_row_set_subtitle (self->description_row, description != NULL ? description : "");

  for (guint i = 0; i < N_GRAPHS; i++)
    if (graph_defs[i].series == PISO_STATS_MEMORY_USED_KIB)
      piso_graph_set_max_value (self->graphs[i], (double) piso_machine_get_memory (machine));
}

static void
piso_machine_page_clear_rows (AdwPreferencesGroup *group,
                              GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static GtkWidget *
piso_machine_page_new_placeholder_row (const char *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "dim-label");
  return row;
}

static void
piso_machine_page_update_disk_row (AdwActionRow *row,
                                   GParamSpec   *pspec,
                                   PisoDisk     *disk)
{
  const char *path = piso_disk_get_path (disk);
  const char *target = piso_disk_get_target (disk);
  const char *bus = piso_disk_get_bus (disk);
  const char *format = piso_disk_get_format (disk);
  gboolean cdrom = g_strcmp0 (piso_disk_get_device (disk), "cdrom") == 0;
  guint64 capacity = piso_disk_get_capacity (disk);
  guint64 allocation = piso_disk_get_allocation (disk);
  GtkLabel *size_label = g_object_get_data (G_OBJECT (row), "piso-size-label");
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *title = NULL;

  g_assert (ADW_IS_ACTION_ROW (row));
  g_assert (PISO_IS_DISK (disk));

  if (target != NULL && bus != NULL)
    title = g_strdup_printf ("%s · %s", target, bus);
  else
    title = g_strdup (target != NULL ? target : cdrom ? _("CD/DVD Drive") : _("Disk"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  if (path != NULL)
    adw_action_row_set_subtitle (row, path);
  else if (cdrom)
    adw_action_row_set_subtitle (row, _("Empty"));
  else
    adw_action_row_set_subtitle (row, _("No file"));

  if (format != NULL)
    g_string_append (details, format);

  if (capacity > 0)
    {
      g_autofree char *cap = piso_format_bytes (capacity);

      if (details->len > 0)
        g_string_append (details, " · ");

      if (allocation > 0)
        {
          g_autofree char *alloc = piso_format_bytes (allocation);

          /* Translators: space used on the host, of the disk's size */
          g_string_append_printf (details, _("%s used of %s"), alloc, cap);
        }
      else
        g_string_append (details, cap);
    }

  if (piso_disk_get_read_only (disk) && path != NULL)
    {
      if (details->len > 0)
        g_string_append (details, " · ");
      g_string_append (details, _("read-only"));
    }

  gtk_label_set_label (size_label, details->str);
  gtk_widget_set_visible (GTK_WIDGET (size_label), details->len > 0);
}

static void
piso_machine_page_rebuild_disks (PisoMachinePage *self)
{
  GListModel *disks;
  guint n;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  piso_machine_page_clear_rows (self->disks_group, self->disk_rows);

  if (self->machine == NULL)
    return;

  disks = piso_machine_get_disks (self->machine);
  n = g_list_model_get_n_items (disks);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);
      gboolean cdrom = g_strcmp0 (piso_disk_get_device (disk), "cdrom") == 0;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (cdrom ? "drive-optical-symbolic"
                                                            : "drive-harddisk-symbolic");
      GtkWidget *size_label = gtk_label_new (NULL);

      /* Paths and names are not markup */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      cdrom ? _("CD/DVD drive") : _("Disk"),
                                      -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

      gtk_label_set_xalign (GTK_LABEL (size_label), 1.0f);
      gtk_widget_add_css_class (size_label, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), size_label);
      g_object_set_data (G_OBJECT (row), "piso-size-label", size_label);

      piso_machine_page_update_disk_row (ADW_ACTION_ROW (row), NULL, disk);
      /* Sizes and volumes arrive later (refresh_details): follow them. The
       * handler goes away with the row. */
      g_signal_connect_object (disk, "notify",
                               G_CALLBACK (piso_machine_page_update_disk_row),
                               row, G_CONNECT_SWAPPED);

      adw_preferences_group_add (self->disks_group, row);
      g_ptr_array_add (self->disk_rows, row);
    }

  if (n == 0)
    {
      GtkWidget *row = piso_machine_page_new_placeholder_row (_("No disks"));

      adw_preferences_group_add (self->disks_group, row);
      g_ptr_array_add (self->disk_rows, row);
    }
}

static void
piso_machine_page_update_interface_row (AdwActionRow     *row,
                                        GParamSpec       *pspec,
                                        PisoNetInterface *iface)
{
  const char *kind = piso_net_interface_get_kind (iface);
  const char *source = piso_net_interface_get_source (iface);
  const char *model = piso_net_interface_get_model (iface);
  const char *mac = piso_net_interface_get_mac (iface);
  const char * const *addresses = piso_net_interface_get_addresses (iface);
  GtkLabel *addresses_label = g_object_get_data (G_OBJECT (row), "piso-addresses-label");
  g_autofree char *title = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  g_assert (ADW_IS_ACTION_ROW (row));
  g_assert (PISO_IS_NET_INTERFACE (iface));

  if (g_strcmp0 (kind, "network") == 0 && source != NULL)
    /* Translators: %s is a libvirt virtual network's name */
    title = g_strdup_printf (_("Virtual network “%s”"), source);
  else if (g_strcmp0 (kind, "bridge") == 0 && source != NULL)
    /* Translators: %s is a host bridge device ("br0") */
    title = g_strdup_printf (_("Bridge “%s”"), source);
  else if (g_strcmp0 (kind, "direct") == 0 && source != NULL)
    /* Translators: %s is a host network device ("eth0") */
    title = g_strdup_printf (_("Direct to “%s”"), source);
  else if (g_strcmp0 (kind, "user") == 0)
    title = g_strdup (_("User-mode networking"));
  else if (source != NULL)
    title = g_strdup_printf ("%s “%s”", kind != NULL ? kind : "", source);
  else
    title = g_strdup (kind != NULL ? kind : _("Network interface"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  if (mac != NULL)
    /* Translators: %s is a hardware address ("52:54:00:12:34:56") */
    g_string_append_printf (subtitle, _("MAC %s"), mac);
  if (model != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, model);
    }
  adw_action_row_set_subtitle (row, subtitle->str);

  joined = g_strjoinv ("\n", (char **) addresses);
  gtk_label_set_label (addresses_label, joined);
  gtk_widget_set_visible (GTK_WIDGET (addresses_label), joined[0] != '\0');
}

static void
piso_machine_page_rebuild_interfaces (PisoMachinePage *self)
{
  GListModel *interfaces;
  guint n;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  piso_machine_page_clear_rows (self->interfaces_group, self->interface_rows);

  if (self->machine == NULL)
    return;

  interfaces = piso_machine_get_interfaces (self->machine);
  n = g_list_model_get_n_items (interfaces);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PisoNetInterface) iface = g_list_model_get_item (interfaces, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("network-wired-symbolic");
      GtkWidget *addresses_label = gtk_label_new (NULL);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Network interface"),
                                      -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

      gtk_label_set_selectable (GTK_LABEL (addresses_label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (addresses_label), 1.0f);
      gtk_label_set_justify (GTK_LABEL (addresses_label), GTK_JUSTIFY_RIGHT);
      gtk_widget_add_css_class (addresses_label, "dim-label");
      gtk_widget_set_tooltip_text (addresses_label, _("Addresses of the guest on this interface"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), addresses_label);
      g_object_set_data (G_OBJECT (row), "piso-addresses-label", addresses_label);

      piso_machine_page_update_interface_row (ADW_ACTION_ROW (row), NULL, iface);
      g_signal_connect_object (iface, "notify",
                               G_CALLBACK (piso_machine_page_update_interface_row),
                               row, G_CONNECT_SWAPPED);

      adw_preferences_group_add (self->interfaces_group, row);
      g_ptr_array_add (self->interface_rows, row);
    }

  if (n == 0)
    {
      GtkWidget *row = piso_machine_page_new_placeholder_row (_("No network interfaces"));

      adw_preferences_group_add (self->interfaces_group, row);
      g_ptr_array_add (self->interface_rows, row);
    }
}

static void
piso_machine_page_set_vanished (PisoMachinePage *self)
{
  g_autofree char *title = NULL;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (self->vanished)
    return;

  self->vanished = TRUE;
  g_cancellable_cancel (self->cancellable);
  piso_console_page_set_machine (self->console_page, NULL);

  /* Translators: %s is a machine's name */
  title = g_strdup_printf (_("“%s” No Longer Exists"),
                           piso_machine_get_display_name (self->machine));
  adw_status_page_set_title (self->vanished_status, title);
  gtk_stack_set_visible_child_name (self->stack, "vanished");

  piso_machine_page_update_actions (self);
  piso_machine_page_update_stats_hold (self);
}

static void
piso_machine_page_machines_changed_cb (PisoMachinePage *self,
                                       guint            position,
                                       guint            removed,
                                       guint            added,
                                       GListModel      *machines)
{
  PisoMachine *found;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (removed == 0 || self->machine == NULL || self->vanished)
    return;

  found = piso_connection_lookup_machine (self->connection,
                                          piso_machine_get_uuid (self->machine));
  if (found != self->machine)
    piso_machine_page_set_vanished (self);
}

static void
piso_machine_page_machine_notify_cb (PisoMachinePage *self,
                                     GParamSpec      *pspec,
                                     PisoMachine     *machine)
{
  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (g_str_equal (pspec->name, "state"))
    piso_machine_page_update_state (self);
  else if (g_str_equal (pspec->name, "autostart"))
    piso_machine_page_update_autostart (self);
  else if (g_str_equal (pspec->name, "cpu-percent"))
    return;

  /* Other facts (title, memory, persistence…) feed the overview and can
   * change what is allowed. */
  piso_machine_page_update_overview (self);
  piso_machine_page_update_actions (self);
}

static void
piso_machine_page_connection_notify_state_cb (PisoMachinePage *self,
                                              GParamSpec      *pspec,
                                              PisoConnection  *connection)
{
  g_assert (PISO_IS_MACHINE_PAGE (self));

  piso_machine_page_update_state (self);
}

static void
piso_machine_page_stats_updated_cb (PisoMachinePage *self,
                                    PisoMachine     *machine)
{
  g_assert (PISO_IS_MACHINE_PAGE (self));

  for (guint i = 0; i < N_GRAPHS; i++)
    piso_graph_queue_update (self->graphs[i]);
}

static void
piso_machine_page_refresh_details_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Details are a bonus (sizes, addresses): their absence is not an error
   * the user must act on. */
  if (!piso_machine_refresh_details_finish (PISO_MACHINE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not refresh details of %s: %s",
             piso_machine_get_name (PISO_MACHINE (object)), error->message);
}

static void
piso_machine_page_disconnect (PisoMachinePage *self)
{
  g_assert (PISO_IS_MACHINE_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  piso_machine_page_release_stats (self);

  if (self->machine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->machine, self);
      g_signal_handlers_disconnect_by_data (piso_machine_get_disks (self->machine), self);
      g_signal_handlers_disconnect_by_data (piso_machine_get_interfaces (self->machine), self);
    }

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      g_signal_handlers_disconnect_by_data (piso_connection_get_machines (self->connection), self);
    }

  g_clear_object (&self->connection);
}

static void
piso_machine_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (piso_machine_page_parent_class)->map (widget);
  piso_machine_page_update_stats_hold (PISO_MACHINE_PAGE (widget));
}

static void
piso_machine_page_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (piso_machine_page_parent_class)->unmap (widget);
  piso_machine_page_update_stats_hold (PISO_MACHINE_PAGE (widget));
}

/* Lifecycle actions */

typedef struct
{
  PisoMachinePage *self;
  const Lifecycle *lifecycle;
  char            *name;
} LifecycleCall;

static void
lifecycle_call_free (LifecycleCall *call)
{
  g_clear_object (&call->self);
  g_free (call->name);
  g_free (call);
}

static void
piso_machine_page_lifecycle_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  LifecycleCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!call->lifecycle->finish (PISO_MACHINE (object), result, &error))
    {
      g_autofree char *context = lifecycle_failure (call->lifecycle->action, call->name);

      piso_machine_page_report_error (GTK_WIDGET (call->self), context, error);
    }

  lifecycle_call_free (call);
}

static void
piso_machine_page_run_lifecycle (PisoMachinePage *self,
                                 PisoMachine     *machine,
                                 const char      *action_name)
{
  LifecycleCall *call;

  g_assert (PISO_IS_MACHINE_PAGE (self));
  g_assert (PISO_IS_MACHINE (machine));

  for (guint i = 0; i < G_N_ELEMENTS (lifecycles); i++)
    {
      if (!g_str_equal (lifecycles[i].action_name, action_name))
        continue;

      call = g_new0 (LifecycleCall, 1);
      call->self = g_object_ref (self);
      call->lifecycle = &lifecycles[i];
      call->name = g_strdup (piso_machine_get_display_name (machine));
      /* Not the page's cancellable: an action the user asked for goes on
       * when another machine is shown. */
      lifecycles[i].async (machine, NULL, piso_machine_page_lifecycle_cb, call);
      return;
    }

  g_assert_not_reached ();
}

static void
piso_machine_page_lifecycle_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);

  if (self->machine == NULL)
    return;

  piso_machine_page_run_lifecycle (self, self->machine, action_name);
}

static GtkWindow *
piso_machine_page_get_window (PisoMachinePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
piso_machine_page_force_off_response_cb (PisoMachinePage *self,
                                         const char      *response,
                                         AdwMessageDialog *dialog)
{
  PisoMachine *machine = g_object_get_data (G_OBJECT (dialog), "piso-machine");

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (g_strcmp0 (response, "force-off") == 0)
    piso_machine_page_run_lifecycle (self, machine, "machine.force-off");
}

static void
piso_machine_page_force_off_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (self->machine == NULL)
    return;

  /* Translators: %s is a machine's name */
  heading = g_strdup_printf (_("Force Off “%s”?"), piso_machine_get_display_name (self->machine));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (piso_machine_page_get_window (self), heading,
                                                       _("The machine stops at once, as if its power cable was pulled. Data the guest has not saved is lost.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "force-off", _("_Force Off"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "force-off", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "piso-machine",
                          g_object_ref (self->machine), g_object_unref);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (piso_machine_page_force_off_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
piso_machine_page_delete_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);
  GtkWidget *dialog;

  if (self->machine == NULL)
    return;

  dialog = piso_delete_dialog_new (self->machine);
  piso_alert_present (dialog, GTK_WIDGET (self));
}

/* Rename */

typedef struct
{
  PisoMachinePage *self;
  char            *old_name;
} RenameCall;

static void
piso_machine_page_rename_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  RenameCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_machine_rename_finish (PISO_MACHINE (object), result, &error))
    {
      /* Translators: %s is a machine's name */
      g_autofree char *context = g_strdup_printf (_("Could not rename “%s”"), call->old_name);

      piso_machine_page_report_error (GTK_WIDGET (call->self), context, error);
    }

  g_object_unref (call->self);
  g_free (call->old_name);
  g_free (call);
}

static void
piso_machine_page_rename_to (PisoMachinePage *self,
                             PisoMachine     *machine,
                             const char      *new_name)
{
  RenameCall *call;

  g_assert (PISO_IS_MACHINE_PAGE (self));
  g_assert (PISO_IS_MACHINE (machine));

  call = g_new0 (RenameCall, 1);
  call->self = g_object_ref (self);
  call->old_name = g_strdup (piso_machine_get_name (machine));
  piso_machine_rename_async (machine, new_name, NULL, piso_machine_page_rename_cb, call);
}

static void
piso_machine_page_rename_entry_changed_cb (AdwMessageDialog *dialog,
                                          GtkEditable      *entry)
{
  PisoMachine *machine = g_object_get_data (G_OBJECT (dialog), "piso-machine");
  GtkLabel *error_label = g_object_get_data (G_OBJECT (dialog), "piso-error-label");
  const char *text = gtk_editable_get_text (entry);
  g_autoptr(GError) error = NULL;
  gboolean valid;

  valid = piso_machine_validate_name (text, &error);

  /* Taken names are known here already: say so before libvirt does. */
  if (valid && g_strcmp0 (text, piso_machine_get_name (machine)) != 0)
    {
      PisoConnection *connection = piso_machine_get_connection (machine);

      if (connection != NULL && piso_connection_lookup_machine_by_name (connection, text) != NULL)
        {
          valid = FALSE;
          g_set_error (&error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                       /* Translators: %s is a machine's name */
                       _("A machine named “%s” already exists."), text);
        }
    }

  /* Say why only once the user typed something. */
  gtk_label_set_label (error_label, error != NULL && text[0] != '\0' ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (error_label), error != NULL && text[0] != '\0');
  if (error != NULL && text[0] != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");

  adw_message_dialog_set_response_enabled (dialog, "rename",
                                           valid &&
                                           g_strcmp0 (text, piso_machine_get_name (machine)) != 0);
}

static void
piso_machine_page_rename_response_cb (PisoMachinePage  *self,
                                      const char       *response,
                                      AdwMessageDialog *dialog)
{
  PisoMachine *machine = g_object_get_data (G_OBJECT (dialog), "piso-machine");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "piso-entry");

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (g_strcmp0 (response, "rename") == 0)
    piso_machine_page_rename_to (self, machine, gtk_editable_get_text (entry));
}

static void
piso_machine_page_open_rename_dialog (PisoMachinePage *self)
{
  AdwMessageDialog *dialog;
  GtkWidget *box;
  GtkWidget *entry;
  GtkWidget *error_label;
  g_autofree char *heading = NULL;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  /* Translators: %s is a machine's name */
  heading = g_strdup_printf (_("Rename “%s”"), piso_machine_get_name (self->machine));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (piso_machine_page_get_window (self), heading,
                                                       _("The new name must be unique on this connection. The title shown in lists, if the machine has one, stays the same.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), piso_machine_get_name (self->machine));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New name"),
                                  -1);
  gtk_box_append (GTK_BOX (box), entry);

  error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (error_label), 0.0f);
  gtk_widget_add_css_class (error_label, "error");
  gtk_widget_set_visible (error_label, FALSE);
  gtk_box_append (GTK_BOX (box), error_label);

  adw_message_dialog_set_extra_child (dialog, box);

  g_object_set_data_full (G_OBJECT (dialog), "piso-machine",
                          g_object_ref (self->machine), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "piso-entry", entry);
  g_object_set_data (G_OBJECT (dialog), "piso-error-label", error_label);

  g_signal_connect_object (entry, "changed",
                           G_CALLBACK (piso_machine_page_rename_entry_changed_cb),
                           dialog, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (piso_machine_page_rename_response_cb),
                           self, G_CONNECT_SWAPPED);
  piso_machine_page_rename_entry_changed_cb (dialog, GTK_EDITABLE (entry));

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
}

static void
piso_machine_page_rename_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);
  const char *new_name = g_variant_get_string (parameter, NULL);

  if (self->machine == NULL)
    return;

  if (new_name[0] == '\0')
    piso_machine_page_open_rename_dialog (self);
  else
    piso_machine_page_rename_to (self, self->machine, new_name);
}

/* Autostart */

typedef struct
{
  PisoMachinePage *self;
  char            *name;
  gboolean         autostart;
} AutostartCall;

static void
piso_machine_page_set_autostart_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  AutostartCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_machine_set_autostart_finish (PISO_MACHINE (object), result, &error))
    {
      g_autofree char *context = NULL;

      if (call->autostart)
        /* Translators: %s is a machine's name */
        context = g_strdup_printf (_("Could not make “%s” start with the host"), call->name);
      else
        /* Translators: %s is a machine's name */
        context = g_strdup_printf (_("Could not stop “%s” from starting with the host"), call->name);

      piso_machine_page_report_error (GTK_WIDGET (call->self), context, error);
    }

  /* Show what the machine says now, whatever happened. */
  if (call->self->machine == PISO_MACHINE (object))
    piso_machine_page_update_autostart (call->self);

  g_object_unref (call->self);
  g_free (call->name);
  g_free (call);
}

static void
piso_machine_page_set_autostart (PisoMachinePage *self,
                                 gboolean         autostart)
{
  AutostartCall *call;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (self->machine == NULL)
    return;

  call = g_new0 (AutostartCall, 1);
  call->self = g_object_ref (self);
  call->name = g_strdup (piso_machine_get_display_name (self->machine));
  call->autostart = autostart;
  piso_machine_set_autostart_async (self->machine, autostart, NULL,
                                    piso_machine_page_set_autostart_cb, call);
}

static void
piso_machine_page_autostart_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  piso_machine_page_set_autostart (PISO_MACHINE_PAGE (widget), g_variant_get_boolean (parameter));
}

static gboolean
piso_machine_page_autostart_state_set_cb (PisoMachinePage *self,
                                          gboolean         state,
                                          GtkSwitch       *sw)
{
  g_assert (PISO_IS_MACHINE_PAGE (self));

  /* Already what the machine says (page sync): let the switch follow. */
  if (self->machine == NULL || state == piso_machine_get_autostart (self->machine))
    return FALSE;

  /* The user flipped it: the switch's state follows once libvirt agreed. */
  piso_machine_page_set_autostart (self, state);
  return TRUE;
}

/* GObject */

GtkWidget *
piso_machine_page_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_PAGE, NULL);
}

PisoMachine *
piso_machine_page_get_machine (PisoMachinePage *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_PAGE (self), NULL);

  return self->machine;
}

void
piso_machine_page_set_machine (PisoMachinePage *self,
                               PisoMachine     *machine)
{
  g_return_if_fail (PISO_IS_MACHINE_PAGE (self));
  g_return_if_fail (machine == NULL || PISO_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  piso_machine_page_disconnect (self);
  g_set_object (&self->machine, machine);
  self->vanished = FALSE;
  self->last_state = PISO_MACHINE_STATE_UNKNOWN;
  piso_console_page_set_machine (self->console_page, machine);

  if (machine != NULL)
    {
      PisoStatsHistory *history = piso_machine_get_stats_history (machine);

      self->cancellable = g_cancellable_new ();
      self->connection = piso_machine_get_connection (machine);
      if (self->connection != NULL)
        g_object_ref (self->connection);

      g_signal_connect_object (machine, "notify",
                               G_CALLBACK (piso_machine_page_machine_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (machine, "stats-updated",
                               G_CALLBACK (piso_machine_page_stats_updated_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (piso_machine_get_disks (machine), "items-changed",
                               G_CALLBACK (piso_machine_page_rebuild_disks),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (piso_machine_get_interfaces (machine), "items-changed",
                               G_CALLBACK (piso_machine_page_rebuild_interfaces),
                               self, G_CONNECT_SWAPPED);

      if (self->connection != NULL)
        {
          g_signal_connect_object (self->connection, "notify::state",
                                   G_CALLBACK (piso_machine_page_connection_notify_state_cb),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (piso_connection_get_machines (self->connection),
                                   "items-changed",
                                   G_CALLBACK (piso_machine_page_machines_changed_cb),
                                   self, G_CONNECT_SWAPPED);
        }

      for (guint i = 0; i < N_GRAPHS; i++)
        piso_graph_set_history (self->graphs[i], history);

      piso_machine_page_update_overview (self);
      piso_machine_page_update_autostart (self);
      piso_machine_page_rebuild_disks (self);
      piso_machine_page_rebuild_interfaces (self);
      piso_machine_page_update_state (self);

      gtk_stack_set_visible_child_name (self->stack, "details");

      piso_machine_refresh_details_async (machine, self->cancellable,
                                          piso_machine_page_refresh_details_cb, NULL);
    }
  else
    {
      for (guint i = 0; i < N_GRAPHS; i++)
        piso_graph_set_history (self->graphs[i], NULL);

      piso_machine_page_rebuild_disks (self);
      piso_machine_page_rebuild_interfaces (self);
      piso_machine_page_update_actions (self);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

static void
piso_machine_page_show_console_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  piso_console_page_show (PISO_MACHINE_PAGE (widget)->console_page);
}

void
piso_machine_page_set_view_switcher (PisoMachinePage      *self,
                                     AdwViewSwitcherTitle *title)
{
  g_return_if_fail (PISO_IS_MACHINE_PAGE (self));

  piso_console_page_set_view_stack (self->console_page, self->view_stack, title,
                                    self->switcher_bar);
}

static void
piso_machine_page_dispose (GObject *object)
{
  PisoMachinePage *self = (PisoMachinePage *)object;

  piso_machine_page_disconnect (self);
  g_clear_object (&self->machine);

  /* The stack is AdwBin's child: let AdwBin drop it, not the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_PAGE);

  G_OBJECT_CLASS (piso_machine_page_parent_class)->dispose (object);
}

static void
piso_machine_page_finalize (GObject *object)
{
  PisoMachinePage *self = (PisoMachinePage *)object;

  g_clear_pointer (&self->disk_rows, g_ptr_array_unref);
  g_clear_pointer (&self->interface_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (piso_machine_page_parent_class)->finalize (object);
}

static void
piso_machine_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      piso_machine_page_set_machine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_page_class_init (PisoMachinePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_page_dispose;
  object_class->finalize = piso_machine_page_finalize;
  object_class->get_property = piso_machine_page_get_property;
  object_class->set_property = piso_machine_page_set_property;

  widget_class->map = piso_machine_page_map;
  widget_class->unmap = piso_machine_page_unmap;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL,
                         PISO_TYPE_MACHINE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, actions_box);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, autostart_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, console_page);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, description_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, disks_group);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, graphs_grid);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, interfaces_group);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, machine_name_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, memory_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, name_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, os_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, performance_group);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, persistent_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, state_image);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, state_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, uuid_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, vanished_status);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, vcpus_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, view_stack);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_page_autostart_state_set_cb);

  gtk_widget_class_install_action (widget_class, "machine.start", NULL,
                                   piso_machine_page_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.shutdown", NULL,
                                   piso_machine_page_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.reboot", NULL,
                                   piso_machine_page_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.force-off", NULL,
                                   piso_machine_page_force_off_action);
  gtk_widget_class_install_action (widget_class, "machine.pause", NULL,
                                   piso_machine_page_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.resume", NULL,
                                   piso_machine_page_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.save", NULL,
                                   piso_machine_page_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.restore", NULL,
                                   piso_machine_page_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.rename", "s",
                                   piso_machine_page_rename_action);
  gtk_widget_class_install_action (widget_class, "machine.delete", NULL,
                                   piso_machine_page_delete_action);
  gtk_widget_class_install_action (widget_class, "machine.autostart", "b",
                                   piso_machine_page_autostart_action);
  gtk_widget_class_install_action (widget_class, "machine.show-console", NULL,
                                   piso_machine_page_show_console_action);

  g_type_ensure (PISO_TYPE_GRAPH);
  g_type_ensure (PISO_TYPE_CONSOLE_PAGE);
}

static void
piso_machine_page_init (PisoMachinePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The flow box only lays the buttons out. Focus goes straight to the
   * buttons, and a cell is skipped while its button is insensitive
   * (otherwise GtkFlowBox stops keyboard focus there). */
  for (GtkWidget *cell = gtk_widget_get_first_child (GTK_WIDGET (self->actions_box));
       cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      gtk_widget_set_focusable (cell, FALSE);
      g_object_bind_property (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (cell)), "sensitive",
                              cell, "sensitive",
                              G_BINDING_SYNC_CREATE);
    }

  self->disk_rows = g_ptr_array_new ();
  self->interface_rows = g_ptr_array_new ();

  for (guint i = 0; i < N_GRAPHS; i++)
    {
      self->graphs[i] = PISO_GRAPH (piso_graph_new ());
      piso_graph_set_title (self->graphs[i], _(graph_defs[i].title));
      piso_graph_set_series (self->graphs[i], graph_defs[i].series);
      piso_graph_set_secondary_series (self->graphs[i], graph_defs[i].secondary);
      if (graph_defs[i].series == PISO_STATS_CPU_PERCENT)
        piso_graph_set_max_value (self->graphs[i], 100.0);
      gtk_widget_set_hexpand (GTK_WIDGET (self->graphs[i]), TRUE);
      /* CPU and memory side by side; the two-line graphs get the whole
       * width, so their title and both values fit. */
      if (graph_defs[i].secondary < 0)
        gtk_grid_attach (self->graphs_grid, GTK_WIDGET (self->graphs[i]), i % 2, 0, 1, 1);
      else
        gtk_grid_attach (self->graphs_grid, GTK_WIDGET (self->graphs[i]), 0, i, 2, 1);
    }

  piso_machine_page_update_actions (self);
  piso_console_page_set_view_stack (self->console_page, self->view_stack, NULL, self->switcher_bar);
}
