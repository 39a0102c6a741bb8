/* piso-connection-header.c: a connection's heading in the machine list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-connection-header"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-connection-header.h"
#include "piso-spinner.h"

struct _PisoConnectionHeader
{
  GtkWidget       parent_instance;

  PisoConnection *connection;

  /* template */
  GtkLabel       *detail_label;
  GtkMenuButton  *menu_button;
  GtkLabel       *name_label;
  GtkSpinner     *spinner;
  GtkStack       *state_stack;
  GtkImage       *state_image;
};

G_DEFINE_FINAL_TYPE (PisoConnectionHeader, piso_connection_header, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_connection_header_update (PisoConnectionHeader *self)
{
  PisoConnectionState state;
  guint n_machines;
  g_autofree char *detail = NULL;
  const char *icon_name = "network-server-symbolic";
  gboolean busy = FALSE;

  g_assert (PISO_IS_CONNECTION_HEADER (self));
  g_assert (self->connection != NULL);

  state = piso_connection_get_state (self->connection);
  n_machines = g_list_model_get_n_items (piso_connection_get_machines (self->connection));

  switch (state)
    {
    case PISO_CONNECTION_STATE_CONNECTING:
      detail = g_strdup (_("Connecting…"));
      busy = TRUE;
      break;
    case PISO_CONNECTION_STATE_RECONNECTING:
      detail = g_strdup (_("Reconnecting…"));
      busy = TRUE;
      break;
    case PISO_CONNECTION_STATE_FAILED:
      detail = g_strdup (_("Not connected"));
      icon_name = "dialog-warning-symbolic";
      break;
    case PISO_CONNECTION_STATE_DISCONNECTED:
      detail = g_strdup (_("Disconnected"));
      icon_name = "dialog-warning-symbolic";
      break;
    case PISO_CONNECTION_STATE_CONNECTED:
    default:
      if (n_machines == 0)
        detail = g_strdup (_("No machines"));
      else
        detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u machine", "%u machines",
                                               n_machines),
                                  n_machines);
      break;
    }

  gtk_label_set_text (self->detail_label, detail);
  gtk_image_set_from_icon_name (self->state_image, icon_name);
  piso_spinner_set_busy (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->state_stack, busy ? "spinner" : "icon");

  {
    g_autofree char *label = g_strdup_printf ("%s, %s",
                                              piso_connection_get_display_name (self->connection),
                                              detail);
    piso_a11y_name_list_row (GTK_WIDGET (self), label, NULL);
  }
}

static void
piso_connection_header_update_name (PisoConnectionHeader *self)
{
  g_assert (PISO_IS_CONNECTION_HEADER (self));

  gtk_label_set_text (self->name_label, piso_connection_get_display_name (self->connection));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label),
                               piso_connection_get_uri (self->connection));
}

static void
piso_connection_header_update_menu (PisoConnectionHeader *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;
  const char *uri = piso_connection_get_uri (self->connection);

  g_assert (PISO_IS_CONNECTION_HEADER (self));

  item = g_menu_item_new (_("_Remove Connection…"), NULL);
  g_menu_item_set_action_and_target_value (item, "app.remove-connection",
                                           g_variant_new_string (uri));
  g_menu_append_item (menu, item);
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));
}

static void
piso_connection_header_notify_cb (PisoConnectionHeader *self,
                                  GParamSpec           *pspec,
                                  PisoConnection       *connection)
{
  g_assert (PISO_IS_CONNECTION_HEADER (self));

  if (g_str_equal (pspec->name, "display-name"))
    piso_connection_header_update_name (self);
  else if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "n-machines"))
    piso_connection_header_update (self);
}

void
piso_connection_header_set_connection (PisoConnectionHeader *self,
                                       PisoConnection       *connection)
{
  g_return_if_fail (PISO_IS_CONNECTION_HEADER (self));
  g_return_if_fail (connection == NULL || PISO_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      g_clear_object (&self->connection);
      piso_spinner_set_busy (self->spinner, FALSE);
    }

  if (connection != NULL)
    {
      self->connection = g_object_ref (connection);
      g_signal_connect_swapped (connection, "notify",
                                G_CALLBACK (piso_connection_header_notify_cb), self);
      piso_connection_header_update_name (self);
      piso_connection_header_update_menu (self);
      piso_connection_header_update (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

PisoConnection *
piso_connection_header_get_connection (PisoConnectionHeader *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION_HEADER (self), NULL);

  return self->connection;
}

static void
piso_connection_header_dispose (GObject *object)
{
  PisoConnectionHeader *self = (PisoConnectionHeader *)object;
  GtkWidget *child;

  piso_connection_header_set_connection (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_CONNECTION_HEADER);
  /* Unnamed template children (the label boxes) are ours to unparent */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (piso_connection_header_parent_class)->dispose (object);
}

static void
piso_connection_header_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PisoConnectionHeader *self = PISO_CONNECTION_HEADER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_connection_header_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PisoConnectionHeader *self = PISO_CONNECTION_HEADER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      piso_connection_header_set_connection (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_connection_header_class_init (PisoConnectionHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_connection_header_dispose;
  object_class->get_property = piso_connection_header_get_property;
  object_class->set_property = piso_connection_header_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, PISO_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-connection-header.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionHeader, detail_label);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionHeader, menu_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionHeader, name_label);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionHeader, spinner);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionHeader, state_stack);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionHeader, state_image);

  gtk_widget_class_set_css_name (widget_class, "pisoconnectionheader");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
piso_connection_header_init (PisoConnectionHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
piso_connection_header_new (void)
{
  return g_object_new (PISO_TYPE_CONNECTION_HEADER, NULL);
}
