/* piso-machine-controls.c: the machine page header's lifecycle controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-controls"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-controls.h"

typedef struct
{
  const char *action_name;
  const char *label;
  const char *icon_name;
  const char *tooltip;
} Primary;

enum { PRIMARY_START, PRIMARY_SHUTDOWN, PRIMARY_RESUME, PRIMARY_RESTORE };

static const Primary primaries[] = {
  [PRIMARY_START] = { "machine.start", N_("_Start"), "media-playback-start-symbolic",
                      N_("Start the machine") },
  [PRIMARY_SHUTDOWN] = { "machine.shutdown", N_("Shut _Down"), "system-shutdown-symbolic",
                         N_("Ask the guest system to shut down, as if its power button was pressed") },
  [PRIMARY_RESUME] = { "machine.resume", N_("_Resume"), "media-playback-start-symbolic",
                       N_("Let the paused machine run again") },
  [PRIMARY_RESTORE] = { "machine.restore", N_("Res_tore"), "document-revert-symbolic",
                        N_("Start the machine from its saved state, where it left off") },
};

struct _PisoMachineControls
{
  AdwBin          parent_instance;

  const Primary  *primary;
  gboolean        compact;
  /* Focus moved from the primary button to the menu while it could not act */
  gboolean        focus_parked;

  /* Template children */
  GtkMenuButton  *menu_button;
  GtkButton      *primary_button;
  GtkImage       *primary_image;
  GtkLabel       *primary_label;
};

G_DEFINE_FINAL_TYPE (PisoMachineControls, piso_machine_controls, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_COMPACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const Primary *
primary_for_state (PisoMachineState state)
{
  switch (state)
    {
    case PISO_MACHINE_STATE_RUNNING:
    case PISO_MACHINE_STATE_SHUTTING_DOWN:
      return &primaries[PRIMARY_SHUTDOWN];
    case PISO_MACHINE_STATE_PAUSED:
    case PISO_MACHINE_STATE_SUSPENDED:
      return &primaries[PRIMARY_RESUME];
    case PISO_MACHINE_STATE_SAVED:
      return &primaries[PRIMARY_RESTORE];
    case PISO_MACHINE_STATE_SHUTOFF:
    case PISO_MACHINE_STATE_CRASHED:
    case PISO_MACHINE_STATE_UNKNOWN:
    default:
      return &primaries[PRIMARY_START];
    }
}

/* What AdwButtonContent and icon buttons get from GTK, for the header
 * bar's styles (flat icon, padding) */
static void
piso_machine_controls_update_style (PisoMachineControls *self)
{
  GtkWidget *button = GTK_WIDGET (self->primary_button);

  gtk_widget_remove_css_class (button, self->compact ? "image-text-button" : "image-button");
  gtk_widget_add_css_class (button, self->compact ? "image-button" : "image-text-button");
}

void
piso_machine_controls_set_state (PisoMachineControls *self,
                                 PisoMachineState     state)
{
  const Primary *primary;

  g_return_if_fail (PISO_IS_MACHINE_CONTROLS (self));

  primary = primary_for_state (state);
  if (primary == self->primary)
    return;

  /* One button whose action changes: keyboard focus stays on it when the
   * state moves on (Start, then Shut Down). */
  self->primary = primary;
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->primary_button), primary->action_name);
  gtk_label_set_label (self->primary_label, _(primary->label));
  gtk_image_set_from_icon_name (self->primary_image, primary->icon_name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->primary_button), _(primary->tooltip));
  /* Its accessible name is the label's, through the "labelled by" relation
   * that the mnemonic sets (also when only the icon shows). No name of its
   * own: GTK 4.8 would read it before the label's, twice in all. */
}

static gboolean
has_focus_within (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

gboolean
piso_machine_controls_primary_has_focus (PisoMachineControls *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_CONTROLS (self), FALSE);

  return has_focus_within (GTK_WIDGET (self->primary_button));
}

void
piso_machine_controls_settle_focus (PisoMachineControls *self,
                                    gboolean             primary_had_focus)
{
  GtkWidget *primary;

  g_return_if_fail (PISO_IS_MACHINE_CONTROLS (self));

  primary = GTK_WIDGET (self->primary_button);
  /* An insensitive button loses the focus to the window, and the next Tab
   * starts over at the main menu: the machine's menu (Force Off) is next. */
  if (primary_had_focus && !gtk_widget_is_sensitive (primary))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->menu_button));
      self->focus_parked = TRUE;
    }
  else if (self->focus_parked && gtk_widget_is_sensitive (primary))
    {
      if (has_focus_within (GTK_WIDGET (self->menu_button)))
        gtk_widget_grab_focus (primary);
      self->focus_parked = FALSE;
    }
}

GMenuModel *
piso_machine_controls_new_context_menu (PisoMachineControls *self)
{
  GMenu *menu;
  g_autoptr(GMenu) primary = g_menu_new ();
  g_autoptr(GMenuItem) console = NULL;
  GMenuModel *more;

  g_return_val_if_fail (PISO_IS_MACHINE_CONTROLS (self), NULL);

  menu = g_menu_new ();
  /* The primary button's actions, those that can be done */
  for (guint i = 0; i < G_N_ELEMENTS (primaries); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(primaries[i].label), primaries[i].action_name);

      g_menu_item_set_attribute (item, "hidden-when", "s", "action-disabled");
      g_menu_append_item (primary, item);
    }
  console = g_menu_item_new (_("Show _Console"), "machine.show-console");
  g_menu_append_item (primary, console);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (primary));

  /* Then the header menu's sections */
  more = gtk_menu_button_get_menu_model (self->menu_button);
  for (int i = 0; i < g_menu_model_get_n_items (more); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (more, i, G_MENU_LINK_SECTION);

      if (section != NULL)
        g_menu_append_section (menu, NULL, section);
    }
  return G_MENU_MODEL (menu);
}

gboolean
piso_machine_controls_get_compact (PisoMachineControls *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_CONTROLS (self), FALSE);

  return self->compact;
}

void
piso_machine_controls_set_compact (PisoMachineControls *self,
                                   gboolean             compact)
{
  g_return_if_fail (PISO_IS_MACHINE_CONTROLS (self));

  compact = !!compact;
  if (self->compact == compact)
    return;

  self->compact = compact;
  piso_machine_controls_update_style (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPACT]);
}

static gboolean
piso_machine_controls_invert (gpointer unused,
                              gboolean value)
{
  return !value;
}

const char *
piso_machine_controls_get_primary_action (PisoMachineControls *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_CONTROLS (self), NULL);

  return self->primary->action_name;
}

GtkWidget *
piso_machine_controls_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_CONTROLS, NULL);
}

static void
piso_machine_controls_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_MACHINE_CONTROLS);

  G_OBJECT_CLASS (piso_machine_controls_parent_class)->dispose (object);
}

static void
piso_machine_controls_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PisoMachineControls *self = PISO_MACHINE_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_controls_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  PisoMachineControls *self = PISO_MACHINE_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_COMPACT:
      piso_machine_controls_set_compact (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_controls_class_init (PisoMachineControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_controls_dispose;
  object_class->get_property = piso_machine_controls_get_property;
  object_class->set_property = piso_machine_controls_set_property;

  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineControls, menu_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineControls, primary_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineControls, primary_image);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineControls, primary_label);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_controls_invert);
}

static void
piso_machine_controls_init (PisoMachineControls *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  piso_machine_controls_set_state (self, PISO_MACHINE_STATE_SHUTOFF);
  piso_machine_controls_update_style (self);
}
