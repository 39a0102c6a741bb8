/* piso-machine-add-interface.c: asks where a new or existing network interface connects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-add-interface"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-add-interface.h"

typedef struct
{
  PisoNetSourceKind  kind;
  char              *name;
} Source;

struct _PisoMachineAddInterface
{
  PisoAlertParent  parent_instance;

  PisoMachine     *machine;
  char            *mac;
  GCancellable    *cancellable;
  /* Source, in the order of source_labels */
  GArray          *sources;
  gboolean         loaded;

  /* Template children */
  GtkDropDown     *source_dropdown;
  GtkStringList   *source_labels;
  GtkLabel        *status_label;
};

G_DEFINE_FINAL_TYPE (PisoMachineAddInterface, piso_machine_add_interface, PISO_TYPE_ALERT_PARENT)

static void
source_clear (gpointer data)
{
  Source *source = data;

  g_free (source->name);
}

static void
piso_machine_add_interface_append (PisoMachineAddInterface *self,
                                   PisoNetSourceKind        kind,
                                   const char * const      *names)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      Source source = { kind, g_strdup (names[i]) };
      g_autofree char *label = kind == PISO_NET_SOURCE_BRIDGE
                               ? g_strdup_printf (_("Bridge “%s”"), names[i])
                               : g_strdup_printf (_("Virtual network “%s”"), names[i]);

      g_array_append_val (self->sources, source);
      gtk_string_list_append (self->source_labels, label);
    }
}

static void
piso_machine_add_interface_listed_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(PisoMachineAddInterface) self = user_data;
  g_auto(GStrv) networks = NULL;
  g_auto(GStrv) bridges = NULL;
  g_autoptr(GError) error = NULL;
  PisoNetInterface *current;

  if (!piso_connection_list_device_sources_finish (PISO_CONNECTION (object), result,
                                                   NULL, NULL, &networks, &bridges, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->loaded = TRUE;
      /* Translators: %s is libvirt's reason */
      g_autofree char *text = g_strdup_printf (_("Could not list the networks and bridges: %s"),
                                               error->message);
      gtk_label_set_label (self->status_label, text);
      return;
    }

  self->loaded = TRUE;
  piso_machine_add_interface_append (self, PISO_NET_SOURCE_NETWORK, (const char * const *) networks);
  piso_machine_add_interface_append (self, PISO_NET_SOURCE_BRIDGE, (const char * const *) bridges);

  if (self->sources->len == 0)
    {
      gtk_label_set_label (self->status_label,
                           _("This host has no virtual networks or bridges to connect to."));
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->source_dropdown), TRUE);
  piso_alert_set_response_enabled (GTK_WIDGET (self), "add", TRUE);

  /* Changing where an interface connects starts from where it does now */
  current = self->mac != NULL ? piso_machine_find_interface (self->machine, self->mac) : NULL;
  if (current != NULL && piso_net_interface_get_source (current) != NULL)
    piso_machine_add_interface_select (self,
                                       g_strcmp0 (piso_net_interface_get_kind (current), "bridge") == 0
                                       ? PISO_NET_SOURCE_BRIDGE : PISO_NET_SOURCE_NETWORK,
                                       piso_net_interface_get_source (current));
}

GtkWidget *
piso_machine_add_interface_new (PisoMachine *machine,
                                const char  *mac)
{
  PisoMachineAddInterface *self;
  PisoConnection *connection;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  self = g_object_new (PISO_TYPE_MACHINE_ADD_INTERFACE, NULL);
  self->machine = g_object_ref (machine);
  self->mac = g_strdup (mac);

  if (mac != NULL)
    {
      g_autofree char *body = NULL;

      /* The address goes in the body: in the large heading it is one word
       * too wide for a narrow dialog */
      heading = g_strdup (_("Connect a Network Interface"));
      /* Translators: %s is a hardware address ("52:54:00:12:34:56") */
      body = g_strdup_printf (_("Where the interface with the address %s connects."), mac);
      piso_alert_set_body (GTK_WIDGET (self), body);
      piso_alert_set_response_label (GTK_WIDGET (self), "add", _("C_onnect"));
    }
  else
    {
      heading = g_strdup_printf (_("Add a Network Interface to “%s”"),
                                 piso_machine_get_display_name (machine));
      piso_alert_set_body (GTK_WIDGET (self),
                           _("The interface gets a new hardware address and the model the operating system works best with."));
    }
  piso_alert_set_heading (GTK_WIDGET (self), heading);

  connection = piso_machine_get_connection (machine);
  if (connection != NULL)
    piso_connection_list_device_sources_async (connection, self->cancellable,
                                               piso_machine_add_interface_listed_cb,
                                               g_object_ref (self));

  return GTK_WIDGET (self);
}

const char *
piso_machine_add_interface_get_mac (PisoMachineAddInterface *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ADD_INTERFACE (self), NULL);

  return self->mac;
}

gboolean
piso_machine_add_interface_get_source (PisoMachineAddInterface  *self,
                                       PisoNetSourceKind        *kind,
                                       const char              **source)
{
  guint selected;
  Source *chosen;

  g_return_val_if_fail (PISO_IS_MACHINE_ADD_INTERFACE (self), FALSE);

  selected = gtk_drop_down_get_selected (self->source_dropdown);
  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->sources->len)
    return FALSE;

  chosen = &g_array_index (self->sources, Source, selected);
  *kind = chosen->kind;
  *source = chosen->name;
  return TRUE;
}

gboolean
piso_machine_add_interface_select (PisoMachineAddInterface *self,
                                   PisoNetSourceKind        kind,
                                   const char              *source)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ADD_INTERFACE (self), FALSE);

  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *each = &g_array_index (self->sources, Source, i);

      if (each->kind == kind && g_strcmp0 (each->name, source) == 0)
        {
          gtk_drop_down_set_selected (self->source_dropdown, i);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
piso_machine_add_interface_get_loaded (PisoMachineAddInterface *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ADD_INTERFACE (self), FALSE);

  return self->loaded;
}

static void
piso_machine_add_interface_dispose (GObject *object)
{
  PisoMachineAddInterface *self = (PisoMachineAddInterface *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->machine);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_ADD_INTERFACE);

  G_OBJECT_CLASS (piso_machine_add_interface_parent_class)->dispose (object);
}

static void
piso_machine_add_interface_finalize (GObject *object)
{
  PisoMachineAddInterface *self = (PisoMachineAddInterface *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->sources, g_array_unref);
  g_free (self->mac);

  G_OBJECT_CLASS (piso_machine_add_interface_parent_class)->finalize (object);
}

static void
piso_machine_add_interface_class_init (PisoMachineAddInterfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_add_interface_dispose;
  object_class->finalize = piso_machine_add_interface_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-add-interface.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddInterface, source_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddInterface, source_labels);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddInterface, status_label);
}

static void
piso_machine_add_interface_init (PisoMachineAddInterface *self)
{
  self->cancellable = g_cancellable_new ();
  self->sources = g_array_new (FALSE, TRUE, sizeof (Source));
  g_array_set_clear_func (self->sources, source_clear);

  gtk_widget_init_template (GTK_WIDGET (self));
}
