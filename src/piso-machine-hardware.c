/* piso-machine-hardware.c: the machine page's Hardware: disks and network interfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-hardware"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-disk-row.h"
#include "piso-machine-hardware.h"
#include "piso-machine-interface-row.h"

struct _PisoMachineHardware
{
  PisoMachineSection  parent_instance;

  /* Template children */
  GtkListBox         *disks_list;
  GtkListBox         *interfaces_list;
};

G_DEFINE_FINAL_TYPE (PisoMachineHardware, piso_machine_hardware, PISO_TYPE_MACHINE_SECTION)

static GtkWidget *
piso_machine_hardware_create_disk_row (gpointer item,
                                       gpointer user_data)
{
  return piso_machine_disk_row_new (item);
}

static GtkWidget *
piso_machine_hardware_create_interface_row (gpointer item,
                                            gpointer user_data)
{
  return piso_machine_interface_row_new (item);
}

/* "No disks": shown by the list while it is empty */
static void
piso_machine_hardware_set_placeholder (GtkListBox *list,
                                       const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_list_box_set_placeholder (list, label);
}

static void
piso_machine_hardware_machine_changed (PisoMachineSection *section)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);

  gtk_list_box_bind_model (self->disks_list,
                           machine != NULL ? piso_machine_get_disks (machine) : NULL,
                           piso_machine_hardware_create_disk_row, NULL, NULL);
  gtk_list_box_bind_model (self->interfaces_list,
                           machine != NULL ? piso_machine_get_interfaces (machine) : NULL,
                           piso_machine_hardware_create_interface_row, NULL, NULL);
}

GtkWidget *
piso_machine_hardware_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_HARDWARE, NULL);
}

static void
piso_machine_hardware_dispose (GObject *object)
{
  PisoMachineHardware *self = (PisoMachineHardware *)object;

  if (self->disks_list != NULL)
    gtk_list_box_bind_model (self->disks_list, NULL, NULL, NULL, NULL);
  if (self->interfaces_list != NULL)
    gtk_list_box_bind_model (self->interfaces_list, NULL, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_HARDWARE);

  G_OBJECT_CLASS (piso_machine_hardware_parent_class)->dispose (object);
}

static void
piso_machine_hardware_class_init (PisoMachineHardwareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_machine_hardware_dispose;

  section_class->machine_changed = piso_machine_hardware_machine_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-hardware.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineHardware, disks_list);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineHardware, interfaces_list);
}

static void
piso_machine_hardware_init (PisoMachineHardware *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  piso_machine_hardware_set_placeholder (self->disks_list, _("No disks"));
  piso_machine_hardware_set_placeholder (self->interfaces_list, _("No network interfaces"));
}
