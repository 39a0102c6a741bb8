/* piso-machine-boot-group.c: the Hardware view's Boot group: boot menu, firmware, TPM, boot order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-boot-group"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-boot-group.h"

typedef struct
{
  char     *name;     /* disk target or MAC: what set_boot_order takes */
  char     *label;
  guint     order;    /* 0: does not boot */
} BootEntry;

struct _PisoMachineBootGroup
{
  AdwPreferencesGroup  parent_instance;

  PisoMachine         *machine;
  /* BootEntry, as shown: the booting ones first, in their order */
  GPtrArray           *entries;
  GPtrArray           *order_rows;
  guint                rebuild_source;
  /* Set while the widgets are set from the model: no change is asked */
  gboolean             updating;

  /* Template children */
  GtkSwitch           *boot_menu_switch;
  AdwComboRow         *firmware_row;
  AdwExpanderRow      *order_row;
  AdwActionRow        *tpm_row;
  GtkSwitch           *tpm_switch;
};

G_DEFINE_FINAL_TYPE (PisoMachineBootGroup, piso_machine_boot_group, ADW_TYPE_PREFERENCES_GROUP)

enum { FIRMWARE_BIOS, FIRMWARE_UEFI, FIRMWARE_UEFI_SECURE };

static void
boot_entry_free (gpointer data)
{
  BootEntry *entry = data;

  g_free (entry->name);
  g_free (entry->label);
  g_free (entry);
}

static int
boot_entry_compare (gconstpointer a,
                    gconstpointer b)
{
  const BootEntry *x = *(BootEntry **) a;
  const BootEntry *y = *(BootEntry **) b;

  /* Booting devices first, by order; the others keep their place */
  if (x->order == 0 || y->order == 0)
    return (x->order == 0) - (y->order == 0);
  return (x->order > y->order) - (x->order < y->order);
}

static void
piso_machine_boot_group_ask (PisoMachineBootGroup *self,
                             GPtrArray            *entries)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) order = NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      BootEntry *entry = g_ptr_array_index (entries, i);

      if (entry->order > 0)
        g_strv_builder_add (builder, entry->name);
    }
  order = g_strv_builder_end (builder);
  gtk_widget_activate_action (GTK_WIDGET (self), "hardware.set-boot-order", "^as", order);
}

static void piso_machine_boot_group_queue_rebuild (PisoMachineBootGroup *self);

static void
piso_machine_boot_group_check_cb (GtkCheckButton       *check,
                                  PisoMachineBootGroup *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "piso-index"));
  BootEntry *entry;

  if (self->updating || index >= self->entries->len)
    return;

  entry = g_ptr_array_index (self->entries, index);
  entry->order = gtk_check_button_get_active (check) ? G_MAXUINT : 0;
  piso_machine_boot_group_ask (self, self->entries);
  /* Shown as the machine has it until the change lands */
  piso_machine_boot_group_queue_rebuild (self);
}

static void
piso_machine_boot_group_move_cb (GtkButton            *button,
                                 PisoMachineBootGroup *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "piso-index"));
  int step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "piso-step"));
  guint other = index;

  if (index >= self->entries->len)
    return;

  /* It passes the next booting device that way: a device ticked a moment
   * ago still sits among those that do not boot until the rows are built
   * again, and trading places with one of those would change nothing (seen:
   * "Move Up" just after ticking left the order as it was) */
  do
    other += step;
  while (other < self->entries->len && ((BootEntry *) g_ptr_array_index (self->entries, other))->order == 0);
  if (other >= self->entries->len)
    return;

  /* The two swap places; the booting ones keep the new order */
  {
    gpointer tmp = self->entries->pdata[index];

    self->entries->pdata[index] = self->entries->pdata[other];
    self->entries->pdata[other] = tmp;
  }
  piso_machine_boot_group_ask (self, self->entries);
  piso_machine_boot_group_queue_rebuild (self);
}

static GtkWidget *
piso_machine_boot_group_move_button (PisoMachineBootGroup *self,
                                     const char           *icon,
                                     const char           *name,
                                     guint                 index,
                                     int                   step,
                                     gboolean              sensitive)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_widget_set_sensitive (button, sensitive);
  g_object_set_data (G_OBJECT (button), "piso-index", GUINT_TO_POINTER (index));
  g_object_set_data (G_OBJECT (button), "piso-step", GINT_TO_POINTER (step));
  g_signal_connect (button, "clicked", G_CALLBACK (piso_machine_boot_group_move_cb), self);
  return button;
}

/* Older definitions name device kinds (<os><boot dev='hd'/>): the first
 * device of each kind boots, in that order. */
static void
piso_machine_boot_group_apply_boot_devices (PisoMachineBootGroup *self,
                                            GPtrArray            *kinds)
{
  const char * const *devices = piso_machine_boot_get_boot_devices (piso_machine_get_boot (self->machine));

  for (guint i = 0; devices != NULL && devices[i] != NULL; i++)
    for (guint j = 0; j < self->entries->len; j++)
      {
        BootEntry *entry = g_ptr_array_index (self->entries, j);

        if (entry->order == 0 && g_strcmp0 (g_ptr_array_index (kinds, j), devices[i]) == 0)
          {
            entry->order = i + 1;
            break;
          }
      }
}

static void
piso_machine_boot_group_rebuild (PisoMachineBootGroup *self)
{
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();
  gboolean any_order = FALSE;
  GListModel *disks;
  GListModel *interfaces;

  g_clear_handle_id (&self->rebuild_source, g_source_remove);

  for (guint i = 0; i < self->order_rows->len; i++)
    adw_expander_row_remove (self->order_row, g_ptr_array_index (self->order_rows, i));
  g_ptr_array_set_size (self->order_rows, 0);
  g_ptr_array_set_size (self->entries, 0);

  if (self->machine == NULL)
    return;

  disks = piso_machine_get_disks (self->machine);
  for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);
      const char *device = piso_disk_get_device (disk);
      BootEntry *entry;

      if (piso_disk_get_target (disk) == NULL ||
          (g_strcmp0 (device, "disk") != 0 && g_strcmp0 (device, "cdrom") != 0))
        continue;
      entry = g_new0 (BootEntry, 1);
      entry->name = g_strdup (piso_disk_get_target (disk));
      /* Translators: a disk's target ("vda") and what it is ("Disk", "CD/DVD drive") */
      entry->label = g_strdup_printf (_("%s · %s"), entry->name, piso_disk_get_device_label (disk));
      entry->order = piso_disk_get_boot_order (disk);
      any_order |= entry->order > 0;
      g_ptr_array_add (self->entries, entry);
      g_ptr_array_add (kinds, (gpointer) (g_strcmp0 (device, "cdrom") == 0 ? "cdrom" : "hd"));
    }

  interfaces = piso_machine_get_interfaces (self->machine);
  for (guint i = 0; i < g_list_model_get_n_items (interfaces); i++)
    {
      g_autoptr(PisoNetInterface) iface = g_list_model_get_item (interfaces, i);
      BootEntry *entry;

      if (piso_net_interface_get_mac (iface) == NULL)
        continue;
      entry = g_new0 (BootEntry, 1);
      entry->name = g_strdup (piso_net_interface_get_mac (iface));
      /* Translators: %s is a hardware address: booting from the network */
      entry->label = g_strdup_printf (_("Network %s"), entry->name);
      entry->order = piso_net_interface_get_boot_order (iface);
      any_order |= entry->order > 0;
      g_ptr_array_add (self->entries, entry);
      g_ptr_array_add (kinds, (gpointer) "network");
    }

  if (!any_order)
    piso_machine_boot_group_apply_boot_devices (self, kinds);
  g_ptr_array_sort (self->entries, boot_entry_compare);

  self->updating = TRUE;
  for (guint i = 0; i < self->entries->len; i++)
    {
      BootEntry *entry = g_ptr_array_index (self->entries, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *boots = g_strdup_printf (_("Boot from %s"), entry->name);
      g_autofree char *up = g_strdup_printf (_("Move %s Up"), entry->name);
      g_autofree char *down = g_strdup_printf (_("Move %s Down"), entry->name);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry->label);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), entry->order > 0);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, boots, -1);
      g_object_set_data (G_OBJECT (check), "piso-index", GUINT_TO_POINTER (i));
      g_signal_connect (check, "toggled", G_CALLBACK (piso_machine_boot_group_check_cb), self);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      /* Only booting devices have a place in the order to change (they
       * come first) */
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 piso_machine_boot_group_move_button (self, "go-up-symbolic", up, i, -1,
                                                                      entry->order > 0 && i > 0));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 piso_machine_boot_group_move_button (self, "go-down-symbolic", down, i, 1,
                                                                      entry->order > 0 && i + 1 < self->entries->len &&
                                                                      ((BootEntry *) g_ptr_array_index (self->entries, i + 1))->order > 0));
      adw_expander_row_add_row (self->order_row, row);
      g_ptr_array_add (self->order_rows, row);
    }
  self->updating = FALSE;
}

static void
piso_machine_boot_group_queue_rebuild (PisoMachineBootGroup *self)
{
  GListModel *models[2];

  /* Devices come and go, and their boot order changes, in bursts: once */
  if (self->rebuild_source == 0)
    self->rebuild_source = g_idle_add_once ((GSourceOnceFunc) piso_machine_boot_group_rebuild, self);

  if (self->machine == NULL)
    return;
  models[0] = piso_machine_get_disks (self->machine);
  models[1] = piso_machine_get_interfaces (self->machine);
  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    for (guint i = 0; i < g_list_model_get_n_items (models[m]); i++)
      {
        g_autoptr(GObject) item = g_list_model_get_item (models[m], i);

        g_signal_handlers_disconnect_by_func (item, piso_machine_boot_group_queue_rebuild, self);
        g_signal_connect_object (item, "notify::boot-order",
                                 G_CALLBACK (piso_machine_boot_group_queue_rebuild), self,
                                 G_CONNECT_SWAPPED);
      }
}

static void
piso_machine_boot_group_update (PisoMachineBootGroup *self)
{
  PisoMachineBoot *boot;
  gboolean off;
  guint firmware;

  if (self->machine == NULL)
    return;

  boot = piso_machine_get_boot (self->machine);
  off = piso_machine_get_state (self->machine) == PISO_MACHINE_STATE_SHUTOFF;
  firmware = piso_machine_boot_get_firmware (boot) == PISO_FIRMWARE_BIOS ? FIRMWARE_BIOS
             : piso_machine_boot_get_secure_boot (boot) ? FIRMWARE_UEFI_SECURE : FIRMWARE_UEFI;

  self->updating = TRUE;
  gtk_switch_set_active (self->boot_menu_switch, piso_machine_boot_get_boot_menu (boot));
  gtk_switch_set_state (self->boot_menu_switch, piso_machine_boot_get_boot_menu (boot));
  adw_combo_row_set_selected (self->firmware_row, firmware);
  gtk_switch_set_active (self->tpm_switch, piso_machine_boot_get_tpm (boot));
  gtk_switch_set_state (self->tpm_switch, piso_machine_boot_get_tpm (boot));
  self->updating = FALSE;

  /* The firmware is chosen while the machine is off */
  gtk_widget_set_sensitive (GTK_WIDGET (self->firmware_row), off);
  gtk_widget_set_sensitive (GTK_WIDGET (self->tpm_row), off);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->firmware_row),
                               off ? "" : _("Can be changed while the machine is off"));
  adw_action_row_set_subtitle (self->tpm_row,
                               piso_machine_boot_get_tpm_available (boot)
                               ? _("A TPM 2.0 chip for the guest, as Windows 11 requires")
                               : _("Needs swtpm on this computer"));
  gtk_widget_set_visible (GTK_WIDGET (self->tpm_row),
                          piso_machine_boot_get_tpm_available (boot) || piso_machine_boot_get_tpm (boot));
  gtk_widget_set_sensitive (GTK_WIDGET (self->tpm_switch),
                            piso_machine_boot_get_tpm_available (boot) || piso_machine_boot_get_tpm (boot));
}

static void
piso_machine_boot_group_ask_firmware (PisoMachineBootGroup *self,
                                      gboolean              tpm)
{
  guint selected = adw_combo_row_get_selected (self->firmware_row);

  gtk_widget_activate_action (GTK_WIDGET (self), "hardware.set-firmware", "(ubb)",
                              selected == FIRMWARE_BIOS ? PISO_FIRMWARE_BIOS : PISO_FIRMWARE_UEFI,
                              selected == FIRMWARE_UEFI_SECURE, tpm);
}

static void
piso_machine_boot_group_firmware_cb (PisoMachineBootGroup *self)
{
  if (self->updating || self->machine == NULL)
    return;
  piso_machine_boot_group_ask_firmware (self, piso_machine_boot_get_tpm (piso_machine_get_boot (self->machine)));
}

static gboolean
piso_machine_boot_group_tpm_cb (PisoMachineBootGroup *self,
                                gboolean              state)
{
  if (!self->updating && self->machine != NULL)
    piso_machine_boot_group_ask_firmware (self, state);
  /* The state follows the model */
  return TRUE;
}

static gboolean
piso_machine_boot_group_boot_menu_cb (PisoMachineBootGroup *self,
                                      gboolean              state)
{
  if (!self->updating && self->machine != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "hardware.set-boot-menu", "b", state);
  return TRUE;
}

void
piso_machine_boot_group_set_machine (PisoMachineBootGroup *self,
                                     PisoMachine          *machine)
{
  g_return_if_fail (PISO_IS_MACHINE_BOOT_GROUP (self));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->machine, self);
      g_signal_handlers_disconnect_by_data (piso_machine_get_boot (self->machine), self);
      g_signal_handlers_disconnect_by_data (piso_machine_get_disks (self->machine), self);
      g_signal_handlers_disconnect_by_data (piso_machine_get_interfaces (self->machine), self);
    }
  g_set_object (&self->machine, machine);

  if (machine != NULL)
    {
      g_signal_connect_object (machine, "notify::state",
                               G_CALLBACK (piso_machine_boot_group_update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (piso_machine_get_boot (machine), "notify",
                               G_CALLBACK (piso_machine_boot_group_update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (piso_machine_get_boot (machine), "notify::boot-devices",
                               G_CALLBACK (piso_machine_boot_group_queue_rebuild), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (piso_machine_get_disks (machine), "items-changed",
                               G_CALLBACK (piso_machine_boot_group_queue_rebuild), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (piso_machine_get_interfaces (machine), "items-changed",
                               G_CALLBACK (piso_machine_boot_group_queue_rebuild), self, G_CONNECT_SWAPPED);
    }

  piso_machine_boot_group_update (self);
  piso_machine_boot_group_queue_rebuild (self);
  piso_machine_boot_group_rebuild (self);
}

void
piso_machine_boot_group_sync (PisoMachineBootGroup *self)
{
  g_return_if_fail (PISO_IS_MACHINE_BOOT_GROUP (self));

  piso_machine_boot_group_update (self);
  piso_machine_boot_group_queue_rebuild (self);
}

GStrv
piso_machine_boot_group_get_order (PisoMachineBootGroup *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (PISO_IS_MACHINE_BOOT_GROUP (self), NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      BootEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->order > 0)
        g_strv_builder_add (builder, entry->name);
    }
  return g_strv_builder_end (builder);
}

static void
piso_machine_boot_group_dispose (GObject *object)
{
  PisoMachineBootGroup *self = (PisoMachineBootGroup *)object;

  piso_machine_boot_group_set_machine (self, NULL);
  g_clear_handle_id (&self->rebuild_source, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_BOOT_GROUP);

  G_OBJECT_CLASS (piso_machine_boot_group_parent_class)->dispose (object);
}

static void
piso_machine_boot_group_finalize (GObject *object)
{
  PisoMachineBootGroup *self = (PisoMachineBootGroup *)object;

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->order_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (piso_machine_boot_group_parent_class)->finalize (object);
}

static void
piso_machine_boot_group_class_init (PisoMachineBootGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_boot_group_dispose;
  object_class->finalize = piso_machine_boot_group_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-boot-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineBootGroup, boot_menu_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineBootGroup, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineBootGroup, order_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineBootGroup, tpm_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineBootGroup, tpm_switch);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_boot_group_boot_menu_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_boot_group_firmware_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_boot_group_tpm_cb);
}

static void
piso_machine_boot_group_init (PisoMachineBootGroup *self)
{
  self->entries = g_ptr_array_new_with_free_func (boot_entry_free);
  self->order_rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}
