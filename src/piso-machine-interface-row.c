/* piso-machine-interface-row.c: one network interface of a machine, in the Hardware section
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-interface-row"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-interface-row.h"

struct _PisoMachineInterfaceRow
{
  AdwActionRow      parent_instance;

  PisoNetInterface *iface;

  /* Template children */
  GtkSwitch        *link_switch;
  GtkMenuButton    *menu_button;
};

G_DEFINE_FINAL_TYPE (PisoMachineInterfaceRow, piso_machine_interface_row, ADW_TYPE_ACTION_ROW)

static gboolean
piso_machine_interface_row_link_cb (GtkSwitch               *link_switch,
                                    gboolean                 state,
                                    PisoMachineInterfaceRow *self)
{
  const char *mac = piso_net_interface_get_mac (self->iface);

  g_assert (PISO_IS_MACHINE_INTERFACE_ROW (self));

  if (mac != NULL && state != piso_net_interface_get_link_up (self->iface))
    gtk_widget_activate_action (GTK_WIDGET (self), "hardware.set-link", "(sb)", mac, state);

  /* The state follows the interface's "link-up", not the click */
  return TRUE;
}

static void
piso_machine_interface_row_update_actions (PisoMachineInterfaceRow *self)
{
  const char *mac = piso_net_interface_get_mac (self->iface);
  const char *kind = piso_net_interface_get_kind (self->iface);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) source = NULL;
  g_autoptr(GMenuItem) remove = NULL;
  g_autofree char *menu_name = NULL;

  /* The switch shows the model; toggling it asks for the other state, and
   * the model (or a refusal) sets it back to the truth. */
  g_signal_handlers_block_by_func (self->link_switch, piso_machine_interface_row_link_cb, self);
  gtk_switch_set_active (self->link_switch, piso_net_interface_get_link_up (self->iface));
  gtk_switch_set_state (self->link_switch, piso_net_interface_get_link_up (self->iface));
  g_signal_handlers_unblock_by_func (self->link_switch, piso_machine_interface_row_link_cb, self);

  gtk_widget_set_visible (GTK_WIDGET (self->link_switch), mac != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->menu_button), mac != NULL);
  if (mac == NULL)
    return;

  /* Only networks and bridges are chosen here; other kinds are shown as
   * they are and can be removed. */
  if (g_strcmp0 (kind, "network") == 0 || g_strcmp0 (kind, "bridge") == 0)
    {
      source = g_menu_item_new (_("Connect To…"), NULL);
      g_menu_item_set_action_and_target (source, "hardware.change-interface-source", "s", mac);
      g_menu_append_item (menu, source);
    }
  remove = g_menu_item_new (_("Remove"), NULL);
  g_menu_item_set_action_and_target (remove, "hardware.remove-interface", "s", mac);
  g_menu_append_item (menu, remove);
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));

  /* Translators: %s is a hardware address ("52:54:00:12:34:56") */
  menu_name = g_strdup_printf (_("More Actions for %s"), mac);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), menu_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, menu_name,
                                  -1);
}

static void
piso_machine_interface_row_update (PisoMachineInterfaceRow *self)
{
  PisoNetInterface *iface = self->iface;
  const char *model = piso_net_interface_get_model (iface);
  const char *mac = piso_net_interface_get_mac (iface);
  const char * const *addresses = piso_net_interface_get_addresses (iface);
  g_autofree char *title = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  g_assert (PISO_IS_MACHINE_INTERFACE_ROW (self));

  /* Every type libvirt has, in words (the backend's description). */
  title = piso_net_interface_describe (iface);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);

  if (mac != NULL)
    /* Translators: %s is a hardware address ("52:54:00:12:34:56") */
    g_string_append_printf (subtitle, _("MAC %s"), mac);
  if (model != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, model);
    }

  /* The guest's addresses on it, on a line of their own */
  joined = g_strjoinv (", ", (char **) addresses);
  if (joined[0] != '\0')
    {
      g_string_append_c (subtitle, '\n');
      g_string_append (subtitle, joined);
    }

  switch (piso_net_interface_get_pending (iface))
    {
    case PISO_DEVICE_PENDING_ADD:
      g_string_append (subtitle, " · ");
      g_string_append (subtitle, _("added at next start"));
      break;
    case PISO_DEVICE_PENDING_REMOVE:
      g_string_append (subtitle, " · ");
      g_string_append (subtitle, _("removed at next start"));
      break;
    case PISO_DEVICE_PENDING_CHANGE:
      g_string_append (subtitle, " · ");
      g_string_append (subtitle, _("changes at next start"));
      break;
    case PISO_DEVICE_PENDING_NONE:
    default:
      break;
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);


  piso_machine_interface_row_update_actions (self);
}

GtkWidget *
piso_machine_interface_row_new (PisoNetInterface *iface)
{
  PisoMachineInterfaceRow *self;

  g_return_val_if_fail (PISO_IS_NET_INTERFACE (iface), NULL);

  self = g_object_new (PISO_TYPE_MACHINE_INTERFACE_ROW, NULL);
  self->iface = g_object_ref (iface);
  /* Addresses arrive later (refresh_details) */
  g_signal_connect_object (iface, "notify",
                           G_CALLBACK (piso_machine_interface_row_update),
                           self, G_CONNECT_SWAPPED);
  piso_machine_interface_row_update (self);

  return GTK_WIDGET (self);
}

PisoNetInterface *
piso_machine_interface_row_get_iface (PisoMachineInterfaceRow *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_INTERFACE_ROW (self), NULL);

  return self->iface;
}

static void
piso_machine_interface_row_dispose (GObject *object)
{
  PisoMachineInterfaceRow *self = (PisoMachineInterfaceRow *)object;

  if (self->iface != NULL)
    g_signal_handlers_disconnect_by_data (self->iface, self);
  g_clear_object (&self->iface);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_INTERFACE_ROW);

  G_OBJECT_CLASS (piso_machine_interface_row_parent_class)->dispose (object);
}

static void
piso_machine_interface_row_class_init (PisoMachineInterfaceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_interface_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-interface-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInterfaceRow, link_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInterfaceRow, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_interface_row_link_cb);
}

static void
piso_machine_interface_row_init (PisoMachineInterfaceRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
