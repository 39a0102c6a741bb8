/* piso-machine-row.c: one machine in the list (a recycled GtkListView row)
 *
 * Rows are bound and unbound as the list scrolls, so binding must be cheap:
 * a few label updates and three signal handlers, no libvirt calls. The
 * statistics hold (one bulk libvirt call per interval for all held machines
 * of a connection) is taken only while a running machine is bound.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-row"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-graph.h"
#include "piso-machine-row.h"

struct _PisoMachineRow
{
  GtkWidget       parent_instance;

  PisoMachine    *machine;
  PisoConnection *held_connection;   /* set while a stats hold is taken */

  /* template */
  PisoGraph      *cpu_graph;
  GtkLabel       *detail_label;
  GtkLabel       *name_label;
  GtkImage       *state_image;
  GtkLabel       *state_label;
};

G_DEFINE_FINAL_TYPE (PisoMachineRow, piso_machine_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_machine_row_release_stats (PisoMachineRow *self)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  if (self->held_connection == NULL)
    return;

  piso_connection_release_stats (self->held_connection, self->machine);
  g_clear_object (&self->held_connection);
}

static void
piso_machine_row_update_state (PisoMachineRow *self)
{
  PisoMachineState state;
  gboolean running;
  const char *os_name;

  g_assert (PISO_IS_MACHINE_ROW (self));
  g_assert (self->machine != NULL);

  state = piso_machine_get_state (self->machine);
  running = state == PISO_MACHINE_STATE_RUNNING;
  os_name = piso_machine_get_os_name (self->machine);

  gtk_image_set_from_icon_name (self->state_image, piso_format_state_icon (state));
  if (running)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_image), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->state_image), "dim-label");

  /* The second line names the OS when known; the state is then on the right,
   * where a running machine shows its CPU sparkline instead. */
  if (os_name != NULL)
    gtk_label_set_text (self->detail_label, os_name);
  else
    gtk_label_set_text (self->detail_label, piso_machine_get_state_label (self->machine));
  gtk_label_set_text (self->state_label, piso_machine_get_state_label (self->machine));
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), os_name != NULL && !running);
  gtk_widget_set_visible (GTK_WIDGET (self->cpu_graph), running);

  if (running && self->held_connection == NULL)
    {
      self->held_connection = g_object_ref (piso_machine_get_connection (self->machine));
      piso_connection_hold_stats (self->held_connection, self->machine);
    }
  else if (!running)
    piso_machine_row_release_stats (self);

  {
    g_autofree char *label = g_strdup_printf ("%s, %s",
                                              piso_machine_get_display_name (self->machine),
                                              piso_machine_get_state_label (self->machine));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    -1);
  }
}

static void
piso_machine_row_update_name (PisoMachineRow *self)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  /* No tooltip here: setting one queries the pointer from the X server,
   * which for every row bound while scrolling adds up to stalls. */
  gtk_label_set_text (self->name_label, piso_machine_get_display_name (self->machine));
}

static void
piso_machine_row_notify_cb (PisoMachineRow *self,
                            GParamSpec     *pspec,
                            PisoMachine    *machine)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "os-name"))
    piso_machine_row_update_state (self);
  else if (g_str_equal (pspec->name, "display-name") || g_str_equal (pspec->name, "name"))
    {
      piso_machine_row_update_name (self);
      piso_machine_row_update_state (self);
    }
}

static void
piso_machine_row_stats_updated_cb (PisoMachineRow *self,
                                   PisoMachine    *machine)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  piso_graph_queue_update (self->cpu_graph);
}

void
piso_machine_row_set_machine (PisoMachineRow *self,
                              PisoMachine    *machine)
{
  g_return_if_fail (PISO_IS_MACHINE_ROW (self));
  g_return_if_fail (machine == NULL || PISO_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    {
      piso_machine_row_release_stats (self);
      g_signal_handlers_disconnect_by_data (self->machine, self);
      piso_graph_set_history (self->cpu_graph, NULL);
      g_clear_object (&self->machine);
    }

  if (machine != NULL)
    {
      self->machine = g_object_ref (machine);
      g_signal_connect_swapped (machine, "notify",
                                G_CALLBACK (piso_machine_row_notify_cb), self);
      g_signal_connect_swapped (machine, "stats-updated",
                                G_CALLBACK (piso_machine_row_stats_updated_cb), self);
      piso_graph_set_history (self->cpu_graph, piso_machine_get_stats_history (machine));
      piso_machine_row_update_name (self);
      piso_machine_row_update_state (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

PisoMachine *
piso_machine_row_get_machine (PisoMachineRow *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ROW (self), NULL);

  return self->machine;
}

static void
piso_machine_row_dispose (GObject *object)
{
  PisoMachineRow *self = (PisoMachineRow *)object;
  GtkWidget *child;

  piso_machine_row_set_machine (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_ROW);
  /* Unnamed template children (the label boxes) are ours to unparent */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (piso_machine_row_parent_class)->dispose (object);
}

static void
piso_machine_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PisoMachineRow *self = PISO_MACHINE_ROW (object);

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
piso_machine_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PisoMachineRow *self = PISO_MACHINE_ROW (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      piso_machine_row_set_machine (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_row_class_init (PisoMachineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_row_dispose;
  object_class->get_property = piso_machine_row_get_property;
  object_class->set_property = piso_machine_row_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, PISO_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineRow, cpu_graph);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineRow, state_image);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineRow, state_label);

  gtk_widget_class_set_css_name (widget_class, "pisomachinerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (PISO_TYPE_GRAPH);
}

static void
piso_machine_row_init (PisoMachineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
piso_machine_row_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_ROW, NULL);
}
