/* piso-machine-page.c: one machine: its header, Console and sections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-page"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-hardware.h"
#include "piso-machine-overview.h"
#include "piso-machine-page-private.h"
#include "piso-machine-resources.h"
#include "piso-machine-xml-view.h"
#include "piso-snapshot-list.h"

G_DEFINE_FINAL_TYPE (PisoMachinePage, piso_machine_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
piso_machine_page_update_state (PisoMachinePage *self)
{
  PisoMachineState state;
  gboolean had_focus;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (self->machine == NULL)
    return;

  state = piso_machine_get_state (self->machine);
  had_focus = piso_machine_controls_primary_has_focus (self->controls);
  piso_machine_controls_set_state (self->controls, state);

  _piso_machine_page_update_actions (self);
  piso_machine_controls_settle_focus (self->controls, had_focus);
  piso_machine_page_update_stats_hold (self);

  /* Addresses appear once a guest runs: look again when it starts. */
  if (state == PISO_MACHINE_STATE_RUNNING &&
      self->last_state != PISO_MACHINE_STATE_RUNNING &&
      self->last_state != PISO_MACHINE_STATE_UNKNOWN)
    piso_machine_refresh_details_async (self->machine, self->cancellable, NULL, NULL);

  self->last_state = state;
}

/* The header: the machine's name over the view switcher's title (shown
 * when the switcher does not fit) and the controls, while there is one. */
static void
piso_machine_page_update_header (PisoMachinePage *self)
{
  gboolean shown = self->machine != NULL && !self->vanished;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  g_clear_pointer (&self->title_binding, g_binding_unbind);
  if (self->machine != NULL)
    {
      self->title_binding = g_object_bind_property (self->machine, "display-name",
                                                    self->switcher_title, "title",
                                                    G_BINDING_SYNC_CREATE);
      adw_view_switcher_title_set_subtitle (self->switcher_title,
                                            self->connection != NULL
                                            ? piso_connection_get_display_name (self->connection)
                                            : NULL);
    }
  else
    {
      adw_view_switcher_title_set_title (self->switcher_title, NULL);
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->controls), shown);
  /* A vanished machine has no views to switch between */
  if (self->vanished)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
}

/* Every section of the view stack shows the page's machine */
static void
piso_machine_page_set_sections_machine (PisoMachinePage *self,
                                        PisoMachine     *machine)
{
  g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages (self->view_stack);
  guint n_pages = g_list_model_get_n_items (G_LIST_MODEL (pages));

  for (guint i = 0; i < n_pages; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkWidget *child = adw_view_stack_page_get_child (page);

      if (PISO_IS_MACHINE_SECTION (child))
        piso_machine_section_set_machine (PISO_MACHINE_SECTION (child), machine);
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

  piso_machine_page_update_header (self);
  _piso_machine_page_update_actions (self);
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
  else if (!g_str_equal (pspec->name, "cpu-percent"))
    /* Other facts (persistence, availability…) can change what is allowed */
    _piso_machine_page_update_actions (self);
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
  g_clear_pointer (&self->title_binding, g_binding_unbind);
  piso_machine_page_release_stats (self);

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_data (self->machine, self);

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
  piso_machine_page_set_sections_machine (self, machine);
  piso_machine_section_set_machine (PISO_MACHINE_SECTION (self->install_banner), machine);
  piso_machine_section_set_machine (PISO_MACHINE_SECTION (self->state_banner), machine);
  /* Also picks the view, and gives the switcher its stack (or none) */
  piso_console_page_set_machine (self->console_page, machine);

  if (machine != NULL)
    {
      self->cancellable = g_cancellable_new ();
      self->connection = piso_machine_get_connection (machine);
      if (self->connection != NULL)
        g_object_ref (self->connection);

      g_signal_connect_object (machine, "notify",
                               G_CALLBACK (piso_machine_page_machine_notify_cb),
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

      piso_machine_page_update_state (self);
      gtk_stack_set_visible_child_name (self->stack, "machine");

      piso_machine_refresh_details_async (machine, self->cancellable,
                                          piso_machine_page_refresh_details_cb, NULL);
    }
  else
    {
      _piso_machine_page_update_actions (self);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }

  piso_machine_page_update_header (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

gboolean
piso_machine_page_get_folded (PisoMachinePage *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_PAGE (self), FALSE);

  return self->folded;
}

void
piso_machine_page_set_folded (PisoMachinePage *self,
                              gboolean         folded)
{
  g_return_if_fail (PISO_IS_MACHINE_PAGE (self));

  folded = !!folded;
  if (self->folded == folded)
    return;

  self->folded = folded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
}

void
piso_machine_page_set_connections (PisoMachinePage *self,
                                   GListModel      *connections)
{
  g_return_if_fail (PISO_IS_MACHINE_PAGE (self));
  g_return_if_fail (connections == NULL || G_IS_LIST_MODEL (connections));

  if (self->connections != NULL)
    g_signal_handlers_disconnect_by_data (self->connections, self);
  g_set_object (&self->connections, connections);
  if (connections != NULL)
    g_signal_connect_object (connections, "items-changed",
                             G_CALLBACK (_piso_machine_page_update_actions), self, G_CONNECT_SWAPPED);
  _piso_machine_page_update_actions (self);
}

GMenuModel *
piso_machine_page_new_context_menu (PisoMachinePage *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_PAGE (self), NULL);

  return piso_machine_controls_new_context_menu (self->controls);
}

static void
piso_machine_page_dispose (GObject *object)
{
  PisoMachinePage *self = (PisoMachinePage *)object;

  piso_machine_page_disconnect (self);
  g_clear_object (&self->machine);
  if (self->connections != NULL)
    g_signal_handlers_disconnect_by_data (self->connections, self);
  g_clear_object (&self->connections);
  g_clear_object (&self->actions);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_PAGE);

  G_OBJECT_CLASS (piso_machine_page_parent_class)->dispose (object);
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

    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
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

    case PROP_FOLDED:
      piso_machine_page_set_folded (self, g_value_get_boolean (value));
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
  object_class->get_property = piso_machine_page_get_property;
  object_class->set_property = piso_machine_page_set_property;

  widget_class->map = piso_machine_page_map;
  widget_class->unmap = piso_machine_page_unmap;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL,
                         PISO_TYPE_MACHINE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, back_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, console_page);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, controls);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, install_banner);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, state_banner);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, vanished_status);
  gtk_widget_class_bind_template_child (widget_class, PisoMachinePage, view_stack);


  g_type_ensure (PISO_TYPE_CONSOLE_PAGE);
  g_type_ensure (PISO_TYPE_MACHINE_CONTROLS);
  g_type_ensure (PISO_TYPE_MACHINE_HARDWARE);
  g_type_ensure (PISO_TYPE_MACHINE_INSTALL_BANNER);
  g_type_ensure (PISO_TYPE_MACHINE_OVERVIEW);
  g_type_ensure (PISO_TYPE_MACHINE_RESOURCES);
  g_type_ensure (PISO_TYPE_MACHINE_STATE_BANNER);
  g_type_ensure (PISO_TYPE_MACHINE_XML_VIEW);
  g_type_ensure (PISO_TYPE_SNAPSHOT_LIST);
}

static void
piso_machine_page_init (PisoMachinePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  _piso_machine_page_init_actions (self);
  _piso_machine_page_update_actions (self);
  piso_console_page_set_view_stack (self->console_page, self->view_stack,
                                    self->switcher_title, self->switcher_bar);
}
