/* piso-machine-row.c: one machine in the list (a recycled GtkListView row)
 *
 * Rows are bound and unbound as the list scrolls, so binding must be cheap:
 * a few label updates and three signal handlers, no libvirt calls. The
 * statistics hold (one bulk libvirt call per interval for all held machines
 * of a connection) is taken only while a running machine is bound, and so is
 * the thumbnail watch (the scheduler decides when the row is really on
 * screen and refreshes it at a low rate).
 *
 * GTK 4.8's list view builds ~200 rows at once on the first frame, so the
 * row is built in code (its GtkBuilder template cost ~3× more per row) and
 * the widgets only some rows need (the state label, the CPU sparkline) are
 * made the first time the row needs them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-row"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-format.h"
#include "piso-graph.h"
#include "piso-machine-row.h"
#include "piso-thumbnail-scheduler.h"
#include "piso-thumbnail-view.h"

struct _PisoMachineRow
{
  GtkWidget       parent_instance;

  PisoMachine    *machine;
  PisoConnection *held_connection;   /* set while a stats hold is taken */

  GtkImage       *state_image;
  PisoThumbnailView *thumbnail;
  GtkLabel       *name_label;
  GtkLabel       *detail_label;
  GtkLabel       *state_label;       /* NULL until a row first shows it */
  PisoGraph      *cpu_graph;         /* NULL until a running machine is bound */

  guint           state_dimmed : 1;
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
piso_machine_row_thumbnail_cb (GtkWidget  *widget,
                               GdkTexture *texture)
{
  PisoMachineRow *self = PISO_MACHINE_ROW (widget);

  piso_thumbnail_view_set_texture (self->thumbnail, texture);
}

static gboolean
state_has_screen (PisoMachineState state)
{
  return state == PISO_MACHINE_STATE_RUNNING ||
         state == PISO_MACHINE_STATE_PAUSED ||
         state == PISO_MACHINE_STATE_SHUTTING_DOWN;
}

static void
piso_machine_row_update_thumbnail (PisoMachineRow *self)
{
  PisoThumbnailScheduler *scheduler = piso_thumbnail_scheduler_get_default ();

  g_assert (PISO_IS_MACHINE_ROW (self));

  if (self->machine != NULL && state_has_screen (piso_machine_get_state (self->machine)))
    {
      GdkTexture *known = piso_thumbnail_scheduler_watch (scheduler, GTK_WIDGET (self),
                                                          self->machine,
                                                          piso_machine_row_thumbnail_cb);

      piso_thumbnail_view_set_texture (self->thumbnail, known);
    }
  else
    {
      piso_thumbnail_scheduler_unwatch (scheduler, GTK_WIDGET (self));
      if (self->machine != NULL)
        piso_thumbnail_scheduler_forget (scheduler, self->machine);
      piso_thumbnail_view_set_texture (self->thumbnail, NULL);
    }
}

/* gtk_label_set_text() re-lays the label out and queues a resize even for
 * the same text: rebinding a recycled row to the same kind of machine should
 * not redo that. */
static void
set_label_text (GtkLabel   *label,
                const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

/* What the row's labels show is read in its name (piso_a11y_name_list_row):
 * in the accessible tree Orca 48 read them again after it ("build, Off.
 * build. Off."). GTK 4.18 leaves out a presentation, not what is hidden. */
static GtkWidget *
piso_machine_row_label_new (void)
{
  return g_object_new (GTK_TYPE_LABEL,
                       "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                       NULL);
}

static GtkLabel *
piso_machine_row_ensure_state_label (PisoMachineRow *self)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  if (self->state_label == NULL)
    {
      GtkWidget *label = piso_machine_row_label_new ();

      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_insert_after (label, GTK_WIDGET (self),
                               gtk_widget_get_next_sibling (GTK_WIDGET (self->thumbnail)));
      self->state_label = GTK_LABEL (label);
    }
  return self->state_label;
}

static void
piso_machine_row_ensure_graph (PisoMachineRow *self)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  if (self->cpu_graph == NULL)
    {
      /* Decorative here: the page's Resources view has the figures */
      GtkWidget *graph = g_object_new (PISO_TYPE_GRAPH,
                                       "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                       NULL);

      piso_graph_set_compact (PISO_GRAPH (graph), TRUE);
      piso_graph_set_series (PISO_GRAPH (graph), PISO_STATS_CPU_PERCENT);
      gtk_widget_set_valign (graph, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (graph, 56, 22);
      gtk_widget_set_visible (graph, FALSE);
      gtk_widget_set_parent (graph, GTK_WIDGET (self));   /* always the last child */
      self->cpu_graph = PISO_GRAPH (graph);
      piso_graph_set_history (self->cpu_graph, piso_machine_get_stats_history (self->machine));
    }
}

static void
piso_machine_row_update_state (PisoMachineRow *self)
{
  PisoMachineState state;
  gboolean running;
  gboolean show_state;
  const char *os_name;
  const char *state_text;
  const char *icon_name;

  g_assert (PISO_IS_MACHINE_ROW (self));
  g_assert (self->machine != NULL);

  state = piso_machine_get_state (self->machine);
  running = state == PISO_MACHINE_STATE_RUNNING;
  os_name = piso_machine_get_os_name (self->machine);
  state_text = piso_machine_get_state_label (self->machine);

  icon_name = piso_format_state_icon (state);
  if (g_strcmp0 (gtk_image_get_icon_name (self->state_image), icon_name) != 0)
    gtk_image_set_from_icon_name (self->state_image, icon_name);
  if (running == self->state_dimmed)
    {
      if (running)
        gtk_widget_remove_css_class (GTK_WIDGET (self->state_image), "dim-label");
      else
        gtk_widget_add_css_class (GTK_WIDGET (self->state_image), "dim-label");
      self->state_dimmed = !running;
    }

  /* The second line names the OS when known; the state is then on the right,
   * where a running machine shows its CPU sparkline instead. A disposable
   * run or a template says so there instead: that matters more. */
  if (piso_machine_get_disposable (self->machine))
    set_label_text (self->detail_label, _("Disposable — changes are discarded at shutdown"));
  else if (piso_machine_get_is_template (self->machine))
    set_label_text (self->detail_label, _("Template of linked clones"));
  else
    set_label_text (self->detail_label, os_name != NULL ? os_name : state_text);
  show_state = os_name != NULL && !running;
  if (show_state)
    set_label_text (piso_machine_row_ensure_state_label (self), state_text);
  if (self->state_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->state_label), show_state);
  if (running)
    piso_machine_row_ensure_graph (self);
  if (self->cpu_graph != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->cpu_graph), running);

  if (running && self->held_connection == NULL)
    {
      self->held_connection = g_object_ref (piso_machine_get_connection (self->machine));
      piso_connection_hold_stats (self->held_connection, self->machine);
    }
  else if (!running)
    piso_machine_row_release_stats (self);

  piso_machine_row_update_thumbnail (self);

  {
    g_autofree char *label = g_strdup_printf ("%s, %s",
                                              piso_machine_get_display_name (self->machine),
                                              piso_machine_get_state_label (self->machine));

    const char *description = NULL;

    if (piso_machine_get_disposable (self->machine) || piso_machine_get_is_template (self->machine))
      {
        char *longer = g_strdup_printf ("%s, %s", label, gtk_label_get_text (self->detail_label));

        g_free (label);
        label = longer;
      }
    else
      description = os_name;  /* the second line, when it is not the state */
    piso_a11y_name_list_row (GTK_WIDGET (self), label, description);
  }
}

static void
piso_machine_row_update_name (PisoMachineRow *self)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  /* No tooltip here: setting one queries the pointer from the X server,
   * which for every row bound while scrolling adds up to stalls. */
  set_label_text (self->name_label, piso_machine_get_display_name (self->machine));
}

static void
piso_machine_row_notify_cb (PisoMachineRow *self,
                            GParamSpec     *pspec,
                            PisoMachine    *machine)
{
  g_assert (PISO_IS_MACHINE_ROW (self));

  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "os-name") ||
      g_str_equal (pspec->name, "disposable") || g_str_equal (pspec->name, "is-template"))
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

  if (self->cpu_graph != NULL)
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
      piso_thumbnail_scheduler_unwatch (piso_thumbnail_scheduler_get_default (),
                                        GTK_WIDGET (self));
      piso_thumbnail_view_set_texture (self->thumbnail, NULL);
      g_signal_handlers_disconnect_by_data (self->machine, self);
      if (self->cpu_graph != NULL)
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
      if (self->cpu_graph != NULL)
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
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->state_image = NULL;
  self->thumbnail = NULL;
  self->name_label = NULL;
  self->detail_label = NULL;
  self->state_label = NULL;
  self->cpu_graph = NULL;

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

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pisomachinerow");
  /* Its list item, which the keyboard focuses, is named and described by
   * what it shows (piso_a11y_name_list_row): as a group under it, Orca 48
   * added "grouping" to every row it read. Not a presentation, which would
   * take its context menu out of the accessible tree. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
}

/* [state icon] [thumbnail] [name / OS or state] ([state]) ([CPU sparkline]) */
static void
piso_machine_row_init (PisoMachineRow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidget *box;

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (widget)), 12);

  self->state_image = g_object_new (GTK_TYPE_IMAGE,
                                    "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                    "valign", GTK_ALIGN_CENTER,
                                    NULL);
  gtk_widget_set_parent (GTK_WIDGET (self->state_image), widget);

  self->thumbnail = PISO_THUMBNAIL_VIEW (piso_thumbnail_view_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->thumbnail), GTK_ALIGN_CENTER);
  gtk_widget_set_parent (GTK_WIDGET (self->thumbnail), widget);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_set_parent (box, widget);

  self->name_label = GTK_LABEL (piso_machine_row_label_new ());
  gtk_label_set_xalign (self->name_label, 0);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "heading");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->name_label));
  self->detail_label = GTK_LABEL (piso_machine_row_label_new ());
  gtk_label_set_xalign (self->detail_label, 0);
  gtk_label_set_ellipsize (self->detail_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->detail_label));
}

GtkWidget *
piso_machine_row_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_ROW, NULL);
}
