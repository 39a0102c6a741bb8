/* piso-machine-install-banner.c: the machine page's word on an install from media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-install-banner"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-machine-install-banner.h"
#include "piso-machine-toast.h"

struct _PisoMachineInstallBanner
{
  PisoMachineSection  parent_instance;

  /* The phase last shown, to announce a new one */
  PisoMachineInstallPhase phase;
  /* The machine's disks: the installer's file is among them */
  GListModel         *disks;

  /* Template children */
  GtkBox             *banner_box;
  GtkLabel           *description_label;
  GtkButton          *dismiss_button;
  GtkButton          *remove_button;
  GtkLabel           *remove_label;
  GtkLabel           *title_label;
};

G_DEFINE_FINAL_TYPE (PisoMachineInstallBanner, piso_machine_install_banner, PISO_TYPE_MACHINE_SECTION)

/* Set on a machine whose finished install the user dismissed. Dismissed
 * while the install run still goes on, the phase stays FINISHED until the
 * machine restarts (Piso still follows that run's reboot): the message
 * stays hidden meanwhile. */
#define DISMISSED_KEY "piso-install-dismissed"

static void
piso_machine_install_banner_refresh (PisoMachineInstallBanner *self)
{
  PisoMachineSection *section = PISO_MACHINE_SECTION (self);
  PisoMachine *machine = piso_machine_section_get_machine (section);
  PisoMachineInstallPhase phase = PISO_MACHINE_INSTALL_PHASE_NONE;
  g_autofree char *title = NULL;
  const char *description = NULL;

  g_assert (PISO_IS_MACHINE_INSTALL_BANNER (self));

  if (machine != NULL)
    {
      phase = piso_machine_get_install_phase (machine);
      if (phase != PISO_MACHINE_INSTALL_PHASE_FINISHED)
        g_object_set_data (G_OBJECT (machine), DISMISSED_KEY, NULL);
      else if (g_object_get_data (G_OBJECT (machine), DISMISSED_KEY) != NULL)
        phase = PISO_MACHINE_INSTALL_PHASE_NONE;
    }

  if (phase == PISO_MACHINE_INSTALL_PHASE_INSTALLING)
    {
      const char *media = piso_machine_get_installer_media (machine);

      if (media != NULL)
        {
          g_autofree char *file = g_path_get_basename (media);

          /* Translators: %s is the installer's file name, e.g. "debian-12.iso" */
          title = g_strdup_printf (_("Installing from “%s”"), file);
        }
      else
        title = g_strdup (_("Installing from installer media"));
      description = _("When the installer restarts the machine, Piso removes the installer media and starts the installed system.");
    }
  else if (phase == PISO_MACHINE_INSTALL_PHASE_FINISHED)
    {
      title = g_strdup (_("Installation finished — installer removed"));
      description = _("The machine starts from its disk.");
    }

  if (title != NULL)
    {
      gtk_label_set_label (self->title_label, title);
      gtk_label_set_label (self->description_label, description);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->remove_button),
                          phase == PISO_MACHINE_INSTALL_PHASE_INSTALLING);
  gtk_widget_set_visible (GTK_WIDGET (self->dismiss_button),
                          phase == PISO_MACHINE_INSTALL_PHASE_FINISHED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dismiss_button),
                            piso_machine_section_is_connected (section));
  /* The revealer is the section's child: not a bound template child, which
   * gtk_widget_dispose_template() would unparent before AdwBin does */
  gtk_revealer_set_reveal_child (GTK_REVEALER (adw_bin_get_child (ADW_BIN (self))), title != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self), title != NULL);

  /* Said when it happens (machine_changed takes a new machine's phase as
   * known) */
  if (phase != self->phase && title != NULL)
    piso_a11y_announce (GTK_WIDGET (self->banner_box), title);
  self->phase = phase;
}

static void
piso_machine_install_banner_update (PisoMachineSection *section,
                                    GParamSpec         *pspec)
{
  /* Other facts of the machine do not change what this says. */
  if (pspec == NULL || g_str_equal (pspec->name, "install-phase"))
    piso_machine_install_banner_refresh (PISO_MACHINE_INSTALL_BANNER (section));
}

static void
piso_machine_install_banner_machine_changed (PisoMachineSection *section)
{
  PisoMachineInstallBanner *self = PISO_MACHINE_INSTALL_BANNER (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);

  if (self->disks != NULL)
    g_signal_handlers_disconnect_by_data (self->disks, self);
  g_clear_object (&self->disks);

  self->phase = PISO_MACHINE_INSTALL_PHASE_NONE;
  if (machine != NULL && g_object_get_data (G_OBJECT (machine), DISMISSED_KEY) == NULL)
    self->phase = piso_machine_get_install_phase (machine);
  /* The installer's file shows once the disks are read. */
  if (machine != NULL)
    {
      self->disks = g_object_ref (piso_machine_get_disks (machine));
      g_signal_connect_object (self->disks, "items-changed",
                               G_CALLBACK (piso_machine_install_banner_refresh),
                               self, G_CONNECT_SWAPPED);
    }
}

static void
piso_machine_install_banner_dismiss_cb (GObject      *object,
                                        GAsyncResult *result,
                                        gpointer      user_data)
{
  g_autoptr(PisoMachineInstallBanner) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_machine_dismiss_install_finish (PISO_MACHINE (object), result, &error))
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->dismiss_button), TRUE);
      piso_machine_toast_error (GTK_WIDGET (self), _("Could not dismiss the message"), error);
      return;
    }

  g_object_set_data (object, DISMISSED_KEY, GINT_TO_POINTER (TRUE));
  if (piso_machine_section_get_machine (PISO_MACHINE_SECTION (self)) == PISO_MACHINE (object))
    piso_machine_install_banner_refresh (self);
}

static void
piso_machine_install_banner_dismiss_clicked_cb (PisoMachineInstallBanner *self,
                                                GtkButton                *button)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));

  g_assert (PISO_IS_MACHINE_INSTALL_BANNER (self));

  if (machine == NULL)
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->dismiss_button), FALSE);
  piso_machine_dismiss_install_async (machine, NULL, piso_machine_install_banner_dismiss_cb,
                                      g_object_ref (self));
}

GtkWidget *
piso_machine_install_banner_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_INSTALL_BANNER, NULL);
}

static void
piso_machine_install_banner_dispose (GObject *object)
{
  PisoMachineInstallBanner *self = (PisoMachineInstallBanner *)object;

  if (self->disks != NULL)
    g_signal_handlers_disconnect_by_data (self->disks, self);
  g_clear_object (&self->disks);

  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_MACHINE_INSTALL_BANNER);

  G_OBJECT_CLASS (piso_machine_install_banner_parent_class)->dispose (object);
}

static void
piso_machine_install_banner_class_init (PisoMachineInstallBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_machine_install_banner_dispose;

  section_class->machine_changed = piso_machine_install_banner_machine_changed;
  section_class->update = piso_machine_install_banner_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-install-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInstallBanner, banner_box);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInstallBanner, description_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInstallBanner, dismiss_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInstallBanner, remove_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInstallBanner, remove_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineInstallBanner, title_label);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_install_banner_dismiss_clicked_cb);
}

static void
piso_machine_install_banner_init (PisoMachineInstallBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
