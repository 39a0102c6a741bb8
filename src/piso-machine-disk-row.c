/* piso-machine-disk-row.c: one disk or CD/DVD drive of a machine, in the Hardware section
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-disk-row"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-machine-disk-row.h"

struct _PisoMachineDiskRow
{
  AdwActionRow  parent_instance;

  PisoDisk     *disk;

  /* Template children */
  GtkButton     *eject_button;
  GtkImage      *icon;
  GtkButton     *insert_button;
  GtkMenuButton *menu_button;
};

G_DEFINE_FINAL_TYPE (PisoMachineDiskRow, piso_machine_disk_row, ADW_TYPE_ACTION_ROW)

/* What changes when the machine restarts, said on the row itself */
static void
piso_machine_disk_row_append_pending (PisoMachineDiskRow *self,
                                      GString            *details)
{
  const char *text = NULL;
  g_autofree char *next = NULL;

  switch (piso_disk_get_pending (self->disk))
    {
    case PISO_DEVICE_PENDING_ADD:
      text = _("added at next start");
      break;
    case PISO_DEVICE_PENDING_REMOVE:
      text = _("removed at next start");
      break;
    case PISO_DEVICE_PENDING_CHANGE:
      if (piso_disk_get_next_source (self->disk) != NULL)
        {
          g_autofree char *base = g_path_get_basename (piso_disk_get_next_source (self->disk));

          /* Translators: %s is the file (a disc) the drive has after a restart */
          next = g_strdup_printf (_("%s at next start"), base);
          text = next;
        }
      else
        text = _("changes at next start");
      break;
    case PISO_DEVICE_PENDING_NONE:
    default:
      break;
    }

  if (text == NULL)
    return;
  g_string_append_c (details, '\n');
  g_string_append (details, text);
}

static void
piso_machine_disk_row_update_actions (PisoMachineDiskRow *self,
                                      gboolean            cdrom)
{
  const char *target = piso_disk_get_target (self->disk);
  gboolean has_disc = piso_disk_get_path (self->disk) != NULL;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autofree char *menu_name = NULL;
  const char *insert;

  if (target == NULL)
    {
      /* Nothing to name it by: shown, not changed */
      gtk_widget_set_visible (GTK_WIDGET (self->eject_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->insert_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->menu_button), FALSE);
      return;
    }

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->eject_button), "s", target);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->insert_button), "s", target);
  gtk_widget_set_visible (GTK_WIDGET (self->eject_button), cdrom && has_disc);
  gtk_widget_set_visible (GTK_WIDGET (self->insert_button), cdrom);
  insert = has_disc ? _("Change Disc…") : _("Insert Disc…");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->insert_button), insert);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->insert_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, insert,
                                  -1);

  if (g_strcmp0 (piso_disk_get_device (self->disk), "disk") == 0)
    {
      g_autoptr(GMenuItem) grow = g_menu_item_new (_("Grow…"), NULL);

      g_menu_item_set_action_and_target (grow, "hardware.grow-disk", "s", target);
      g_menu_append_item (menu, grow);
    }
  {
    g_autoptr(GMenuItem) remove = g_menu_item_new (cdrom ? _("Remove Drive…") : _("Remove…"), NULL);

    g_menu_item_set_action_and_target (remove, "hardware.remove-disk", "s", target);
    g_menu_append_item (menu, remove);
  }
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));
  /* Translators: %s names a disk ("vda") */
  menu_name = g_strdup_printf (_("More Actions for %s"), target);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), menu_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, menu_name,
                                  -1);
}

static void
piso_machine_disk_row_update (PisoMachineDiskRow *self)
{
  PisoDisk *disk = self->disk;
  const char *path = piso_disk_get_path (disk);
  const char *target = piso_disk_get_target (disk);
  const char *bus = piso_disk_get_bus (disk);
  const char *format = piso_disk_get_format (disk);
  gboolean cdrom = g_strcmp0 (piso_disk_get_device (disk), "cdrom") == 0;
  guint64 capacity = piso_disk_get_capacity (disk);
  guint64 allocation = piso_disk_get_allocation (disk);
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;

  g_assert (PISO_IS_MACHINE_DISK_ROW (self));

  gtk_image_set_from_icon_name (self->icon, cdrom ? "drive-optical-symbolic"
                                                  : "drive-harddisk-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  cdrom ? _("CD/DVD drive") : _("Disk"),
                                  -1);

  if (target != NULL && bus != NULL)
    title = g_strdup_printf ("%s · %s", target, bus);
  else
    title = g_strdup (target != NULL ? target : cdrom ? _("CD/DVD Drive") : _("Disk"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);

  /* An empty drive has no format or size to speak of */
  if (format != NULL && (path != NULL || !cdrom))
    g_string_append (details, format);

  if (capacity > 0)
    {
      g_autofree char *cap = piso_format_bytes (capacity);

      if (details->len > 0)
        g_string_append (details, " · ");

      /* A disc's space on the host is its size: say it once */
      if (allocation > 0 && !cdrom)
        {
          g_autofree char *alloc = piso_format_bytes (allocation);

          /* Translators: space used on the host, of the disk's size */
          g_string_append_printf (details, _("%s used of %s"), alloc, cap);
        }
      else
        g_string_append (details, cap);
    }

  if (piso_disk_get_read_only (disk) && path != NULL && !cdrom)
    {
      if (details->len > 0)
        g_string_append (details, " · ");
      g_string_append (details, _("read-only"));
    }

  /* What is behind it whatever its source type (file, block device,
   * network disk…), or that a drive is empty; then, on lines of their own
   * (they wrap in a narrow window instead of being cut off), its format
   * and size, and what changes at the next start. */
  description = piso_disk_describe_source (disk);
  {
    g_autoptr(GString) subtitle = g_string_new (description);

    if (details->len > 0)
      {
        g_string_append_c (subtitle, '\n');
        g_string_append (subtitle, details->str);
      }
    piso_machine_disk_row_append_pending (self, subtitle);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);
  }

  piso_machine_disk_row_update_actions (self, cdrom);
}

GtkWidget *
piso_machine_disk_row_new (PisoDisk *disk)
{
  PisoMachineDiskRow *self;

  g_return_val_if_fail (PISO_IS_DISK (disk), NULL);

  self = g_object_new (PISO_TYPE_MACHINE_DISK_ROW, NULL);
  self->disk = g_object_ref (disk);
  /* Sizes and volumes arrive later (refresh_details) */
  g_signal_connect_object (disk, "notify",
                           G_CALLBACK (piso_machine_disk_row_update),
                           self, G_CONNECT_SWAPPED);
  piso_machine_disk_row_update (self);

  return GTK_WIDGET (self);
}

PisoDisk *
piso_machine_disk_row_get_disk (PisoMachineDiskRow *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_DISK_ROW (self), NULL);

  return self->disk;
}

static void
piso_machine_disk_row_dispose (GObject *object)
{
  PisoMachineDiskRow *self = (PisoMachineDiskRow *)object;

  if (self->disk != NULL)
    g_signal_handlers_disconnect_by_data (self->disk, self);
  g_clear_object (&self->disk);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_DISK_ROW);

  G_OBJECT_CLASS (piso_machine_disk_row_parent_class)->dispose (object);
}

static void
piso_machine_disk_row_class_init (PisoMachineDiskRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_disk_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-disk-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineDiskRow, eject_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineDiskRow, icon);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineDiskRow, insert_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineDiskRow, menu_button);
}

static void
piso_machine_disk_row_init (PisoMachineDiskRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
