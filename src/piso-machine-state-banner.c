/* piso-machine-state-banner.c: the machine page's word on a disposable run or a template
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-state-banner"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-machine-state-banner.h"

struct _PisoMachineStateBanner
{
  PisoMachineSection  parent_instance;

  /* The disposable mark last shown, to announce a new run */
  gboolean            disposable;
  /* The machine's linked clones, named in the template's message */
  GListModel         *clones;
  /* Waits for a shutdown the guest may ignore (piso_machine_state_banner_set_shutdown_patience) */
  guint               shutdown_patience_ms;
  guint               stalled_source;

  /* Template children */
  GtkBox             *stalled_box;
  GtkLabel           *stalled_title;
  GtkButton          *force_off_button;
  GtkBox             *disposable_box;
  GtkLabel           *disposable_title;
  GtkBox             *template_box;
  GtkLabel           *template_description;
  GtkLabel           *template_title;
};

G_DEFINE_FINAL_TYPE (PisoMachineStateBanner, piso_machine_state_banner, PISO_TYPE_MACHINE_SECTION)

static void piso_machine_state_banner_update_visible (PisoMachineStateBanner *self);

static void
piso_machine_state_banner_refresh (PisoMachineStateBanner *self)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  gboolean disposable = machine != NULL && piso_machine_get_disposable (machine);
  gboolean template = machine != NULL && piso_machine_get_is_template (machine);
  PisoConnection *connection = piso_machine_section_get_connection (PISO_MACHINE_SECTION (self));
  const char *linked_to = machine != NULL ? piso_machine_get_linked_to (machine) : NULL;
  PisoMachine *base = linked_to != NULL && connection != NULL
                      ? piso_connection_lookup_machine (connection, linked_to) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->disposable_box), disposable);
  if (disposable && !self->disposable)
    piso_a11y_announce (GTK_WIDGET (self->disposable_box),
                        gtk_label_get_label (self->disposable_title));
  self->disposable = disposable;

  if (template)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autofree char *description = NULL;
      guint n = g_list_model_get_n_items (self->clones);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PisoMachine) clone = g_list_model_get_item (self->clones, i);

          if (i > 0)
            g_string_append (names, ", ");
          /* Translators: a machine's name in quotes */
          g_string_append_printf (names, _("“%s”"), piso_machine_get_display_name (clone));
        }
      description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  /* Translators: %s is a machine's name */
                                                  "The linked clone %s builds on its disks: it cannot start or be deleted while the clone exists. Run it disposable to use it without changing them.",
                                                  /* Translators: %s is a list of machine names */
                                                  "The linked clones %s build on its disks: it cannot start or be deleted while they exist. Run it disposable to use it without changing them.",
                                                  n),
                                     names->str);
      gtk_label_set_label (self->template_title, _("Template of linked clones"));
      gtk_label_set_label (self->template_description, description);
    }
  else if (base != NULL)
    {
      /* Translators: %s is a machine's name */
      g_autofree char *title = g_strdup_printf (_("Linked clone of “%s”"),
                                                piso_machine_get_display_name (base));

      gtk_label_set_label (self->template_title, title);
      gtk_label_set_label (self->template_description,
                           _("Its disks build on the disks of that machine, which cannot start or be deleted while this clone exists."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->template_box), template || base != NULL);

  piso_machine_state_banner_update_visible (self);
}

static void
piso_machine_state_banner_update_visible (PisoMachineStateBanner *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self),
                          gtk_widget_get_visible (GTK_WIDGET (self->disposable_box)) ||
                          gtk_widget_get_visible (GTK_WIDGET (self->template_box)) ||
                          gtk_widget_get_visible (GTK_WIDGET (self->stalled_box)));
}

static gboolean
piso_machine_state_banner_stalled_cb (gpointer user_data)
{
  PisoMachineStateBanner *self = user_data;
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  g_autofree char *title = NULL;

  self->stalled_source = 0;
  if (machine == NULL || piso_machine_get_state (machine) != PISO_MACHINE_STATE_SHUTTING_DOWN)
    return G_SOURCE_REMOVE;

  /* Translators: %s is a machine's name */
  title = g_strdup_printf (_("“%s” has not shut down yet"), piso_machine_get_display_name (machine));
  gtk_label_set_label (self->stalled_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->stalled_box), TRUE);
  piso_machine_state_banner_update_visible (self);
  piso_a11y_announce (GTK_WIDGET (self->stalled_box), title);
  return G_SOURCE_REMOVE;
}

/* A shutdown that is under way shows the offer of Force Off after a while;
 * any other state takes it away. */
static void
piso_machine_state_banner_update_shutdown (PisoMachineStateBanner *self)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  gboolean stopping = machine != NULL &&
                      piso_machine_get_state (machine) == PISO_MACHINE_STATE_SHUTTING_DOWN;

  if (stopping)
    {
      if (self->stalled_source == 0 && !gtk_widget_get_visible (GTK_WIDGET (self->stalled_box)))
        self->stalled_source = g_timeout_add (self->shutdown_patience_ms,
                                              piso_machine_state_banner_stalled_cb, self);
      return;
    }

  g_clear_handle_id (&self->stalled_source, g_source_remove);
  if (gtk_widget_get_visible (GTK_WIDGET (self->stalled_box)))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->stalled_box), FALSE);
      piso_machine_state_banner_update_visible (self);
    }
}

void
piso_machine_state_banner_set_shutdown_patience (PisoMachineStateBanner *self,
                                                 guint                   milliseconds)
{
  g_return_if_fail (PISO_IS_MACHINE_STATE_BANNER (self));

  self->shutdown_patience_ms = milliseconds;
}

static void
piso_machine_state_banner_update (PisoMachineSection *section,
                                  GParamSpec         *pspec)
{
  if (pspec == NULL || g_str_equal (pspec->name, "state"))
    piso_machine_state_banner_update_shutdown (PISO_MACHINE_STATE_BANNER (section));
  if (pspec == NULL || g_str_equal (pspec->name, "disposable") ||
      g_str_equal (pspec->name, "is-template") || g_str_equal (pspec->name, "linked-clones") ||
      g_str_equal (pspec->name, "linked-to"))
    piso_machine_state_banner_refresh (PISO_MACHINE_STATE_BANNER (section));
}

static void
piso_machine_state_banner_machine_changed (PisoMachineSection *section)
{
  PisoMachineStateBanner *self = PISO_MACHINE_STATE_BANNER (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);

  if (self->clones != NULL)
    g_signal_handlers_disconnect_by_data (self->clones, self);
  g_clear_object (&self->clones);

  /* Another machine's shutdown is not this one's */
  g_clear_handle_id (&self->stalled_source, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->stalled_box), FALSE);

  /* A run that was on before the machine was shown is not news. */
  self->disposable = machine != NULL && piso_machine_get_disposable (machine);
  if (machine != NULL)
    {
      self->clones = g_object_ref (piso_machine_get_linked_clones (machine));
      g_signal_connect_object (self->clones, "items-changed",
                               G_CALLBACK (piso_machine_state_banner_refresh),
                               self, G_CONNECT_SWAPPED);
    }
}

GtkWidget *
piso_machine_state_banner_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_STATE_BANNER, NULL);
}

static void
piso_machine_state_banner_dispose (GObject *object)
{
  PisoMachineStateBanner *self = (PisoMachineStateBanner *)object;

  if (self->clones != NULL)
    g_signal_handlers_disconnect_by_data (self->clones, self);
  g_clear_object (&self->clones);
  g_clear_handle_id (&self->stalled_source, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_MACHINE_STATE_BANNER);

  G_OBJECT_CLASS (piso_machine_state_banner_parent_class)->dispose (object);
}

static void
piso_machine_state_banner_class_init (PisoMachineStateBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_machine_state_banner_dispose;

  section_class->machine_changed = piso_machine_state_banner_machine_changed;
  section_class->update = piso_machine_state_banner_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-state-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, disposable_box);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, disposable_title);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, template_box);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, template_description);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, template_title);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, stalled_box);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, stalled_title);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineStateBanner, force_off_button);
}

static void
piso_machine_state_banner_init (PisoMachineStateBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  self->shutdown_patience_ms = 30 * 1000;
}
