/* piso-machine-overview.c: the machine page's Overview: what the machine is, its state and use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-overview"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-format.h"
#include "piso-graph.h"
#include "piso-machine-overview.h"
#include "piso-machine-toast.h"

#define N_GRAPHS 4

struct _PisoMachineOverview
{
  PisoMachineSection   parent_instance;

  PisoGraph           *graphs[N_GRAPHS];

  /* Template children */
  GtkSwitch           *autostart_switch;
  AdwActionRow        *autostart_row;
  AdwActionRow        *description_row;
  GtkGrid             *graphs_grid;
  GtkLabel            *machine_name_label;
  GtkLabel            *name_label;
  AdwActionRow        *name_row;
  GtkLabel            *os_label;
  AdwActionRow        *os_row;
  AdwPreferencesGroup *performance_group;
  GtkLabel            *persistent_label;
  AdwActionRow        *persistent_row;
  GtkImage            *state_image;
  GtkLabel            *state_label;
  GtkLabel            *uuid_label;
  AdwActionRow        *uuid_row;

  /* The machine and state last shown: a change of state is announced */
  gconstpointer        shown_machine;
  PisoMachineState     shown_state;
};

G_DEFINE_FINAL_TYPE (PisoMachineOverview, piso_machine_overview, PISO_TYPE_MACHINE_SECTION)

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

static void
piso_machine_overview_update_state (PisoMachineOverview *self,
                                    PisoMachine         *machine)
{
  PisoMachineState state = piso_machine_get_state (machine);
  g_autofree char *label = NULL;

  if (piso_machine_section_is_connected (PISO_MACHINE_SECTION (self)))
    label = g_strdup (piso_machine_get_state_label (machine));
  else
    /* Translators: %s is a machine state ("Running"); the connection is down */
    label = g_strdup_printf (_("%s when last seen — not connected"),
                             piso_machine_get_state_label (machine));

  gtk_image_set_from_icon_name (self->state_image, piso_format_state_icon (state));
  gtk_label_set_label (self->state_label, label);

  if (self->shown_machine == machine && self->shown_state != state)
    {
      /* Translators: told to screen readers when a machine's state
       * changes: "Web Server: Running" */
      g_autofree char *message = g_strdup_printf (_("%s: %s"),
                                                  piso_machine_get_display_name (machine),
                                                  label);

      gtk_widget_activate_action (GTK_WIDGET (self), "win.announce", "s", message);
    }
  self->shown_machine = machine;
  self->shown_state = state;

  gtk_widget_set_visible (GTK_WIDGET (self->performance_group),
                          state == PISO_MACHINE_STATE_RUNNING);
  gtk_widget_set_sensitive (GTK_WIDGET (self->autostart_row),
                            piso_machine_can (machine, PISO_MACHINE_ACTION_SET_AUTOSTART));
}

static void
piso_machine_overview_update_autostart (PisoMachineOverview *self)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  gboolean autostart = machine != NULL && piso_machine_get_autostart (machine);

  /* state-set lets this through, since it matches the machine. */
  gtk_switch_set_active (self->autostart_switch, autostart);
  gtk_switch_set_state (self->autostart_switch, autostart);
}

static void
piso_machine_overview_update_facts (PisoMachineOverview *self,
                                    PisoMachine         *machine)
{
  const char *os;
  const char *description;

  gtk_label_set_label (self->name_label, piso_machine_get_display_name (machine));
  /* Values are ellipsized when the row is narrow: the whole on hover */
  gtk_label_set_label (self->machine_name_label, piso_machine_get_name (machine));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->machine_name_label), piso_machine_get_name (machine));

  os = piso_machine_get_os_name (machine);
  if (os == NULL)
    os = piso_machine_get_os_id (machine);
  if (os == NULL)
    os = _("Unknown");
  gtk_label_set_label (self->os_label, os);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->os_label), os);

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
piso_machine_overview_update (PisoMachineSection *section,
                              GParamSpec         *pspec)
{
  PisoMachineOverview *self = PISO_MACHINE_OVERVIEW (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);

  if (machine == NULL)
    return;

  /* Only libvirt's answer moves the switch (not another fact arriving
   * while the user's change is on its way) */
  if (pspec == NULL || g_str_equal (pspec->name, "autostart"))
    piso_machine_overview_update_autostart (self);

  piso_machine_overview_update_facts (self, machine);
  piso_machine_overview_update_state (self, machine);
}

static void
piso_machine_overview_stats_updated_cb (PisoMachineOverview *self,
                                        PisoMachine         *machine)
{
  g_assert (PISO_IS_MACHINE_OVERVIEW (self));

  for (guint i = 0; i < N_GRAPHS; i++)
    piso_graph_queue_update (self->graphs[i]);
}

static void
piso_machine_overview_machine_changed (PisoMachineSection *section)
{
  PisoMachineOverview *self = PISO_MACHINE_OVERVIEW (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);
  PisoStatsHistory *history = NULL;

  if (machine != NULL)
    {
      history = piso_machine_get_stats_history (machine);
      g_signal_connect_object (machine, "stats-updated",
                               G_CALLBACK (piso_machine_overview_stats_updated_cb),
                               self, G_CONNECT_SWAPPED);
    }

  for (guint i = 0; i < N_GRAPHS; i++)
    piso_graph_set_history (self->graphs[i], history);
}

/* Autostart */

typedef struct
{
  PisoMachineOverview *self;
  char                *name;
  gboolean             autostart;
} AutostartCall;

static void
piso_machine_overview_set_autostart_cb (GObject      *object,
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

      piso_machine_toast_error (GTK_WIDGET (call->self), context, error);
    }

  /* Show what the machine says now, whatever happened. */
  if (piso_machine_section_get_machine (PISO_MACHINE_SECTION (call->self)) == PISO_MACHINE (object))
    piso_machine_overview_update_autostart (call->self);

  g_object_unref (call->self);
  g_free (call->name);
  g_free (call);
}

static gboolean
piso_machine_overview_autostart_state_set_cb (PisoMachineOverview *self,
                                              gboolean             state,
                                              GtkSwitch           *sw)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  AutostartCall *call;

  g_assert (PISO_IS_MACHINE_OVERVIEW (self));

  /* Already what the machine says (a sync): let the switch follow. */
  if (machine == NULL || state == piso_machine_get_autostart (machine))
    return FALSE;

  /* The user flipped it: the switch's state follows once libvirt agreed. */
  call = g_new0 (AutostartCall, 1);
  call->self = g_object_ref (self);
  call->name = g_strdup (piso_machine_get_display_name (machine));
  call->autostart = state;
  piso_machine_set_autostart_async (machine, state, NULL,
                                    piso_machine_overview_set_autostart_cb, call);
  return TRUE;
}

/* GObject */

GtkWidget *
piso_machine_overview_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_OVERVIEW, NULL);
}

static void
piso_machine_overview_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_MACHINE_OVERVIEW);

  G_OBJECT_CLASS (piso_machine_overview_parent_class)->dispose (object);
}

static void
piso_machine_overview_class_init (PisoMachineOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_machine_overview_dispose;

  section_class->machine_changed = piso_machine_overview_machine_changed;
  section_class->update = piso_machine_overview_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-overview.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, autostart_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, description_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, graphs_grid);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, machine_name_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, name_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, name_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, os_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, os_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, performance_group);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, persistent_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, persistent_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, state_image);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, state_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, uuid_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineOverview, uuid_row);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_overview_autostart_state_set_cb);

  g_type_ensure (PISO_TYPE_GRAPH);
}

static void
piso_machine_overview_init (PisoMachineOverview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* A screen reader on a row reads its value too: "Name, build" */
  piso_a11y_row_reads_value (GTK_WIDGET (self->name_row), self->machine_name_label);
  piso_a11y_row_reads_value (GTK_WIDGET (self->os_row), self->os_label);
  piso_a11y_row_reads_value (GTK_WIDGET (self->persistent_row), self->persistent_label);
  piso_a11y_row_reads_value (GTK_WIDGET (self->uuid_row), self->uuid_label);

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

  gtk_widget_set_sensitive (GTK_WIDGET (self->autostart_row), FALSE);
}
