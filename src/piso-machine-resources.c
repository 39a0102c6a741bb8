/* piso-machine-resources.c: the machine page's Resources: processors and memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-resources"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-machine-resources.h"

struct _PisoMachineResources
{
  PisoMachineSection  parent_instance;

  /* Template children */
  GtkLabel           *memory_label;
  GtkLabel           *vcpus_label;
};

G_DEFINE_FINAL_TYPE (PisoMachineResources, piso_machine_resources, PISO_TYPE_MACHINE_SECTION)

static void
piso_machine_resources_update (PisoMachineSection *section,
                               GParamSpec         *pspec)
{
  PisoMachineResources *self = PISO_MACHINE_RESOURCES (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);
  guint vcpus, max_vcpus;
  guint64 memory, max_memory;
  g_autofree char *vcpus_text = NULL;
  g_autofree char *memory_text = NULL;
  g_autofree char *current = NULL;

  if (machine == NULL)
    return;

  vcpus = piso_machine_get_vcpus (machine);
  max_vcpus = piso_machine_get_max_vcpus (machine);
  if (max_vcpus > vcpus)
    /* Translators: virtual processors in use, of the most the machine may use */
    vcpus_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u virtual CPU of up to %u",
                                               "%u virtual CPUs of up to %u", vcpus),
                                  vcpus, max_vcpus);
  else
    vcpus_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u virtual CPU",
                                               "%u virtual CPUs", vcpus),
                                  vcpus);
  gtk_label_set_label (self->vcpus_label, vcpus_text);

  memory = piso_machine_get_memory (machine);
  max_memory = piso_machine_get_max_memory (machine);
  if (max_memory > memory)
    {
      g_autofree char *maximum = NULL;

      /* Never "3.8 GiB of up to 3.8 GiB": the pair reads differently. */
      piso_format_memory_kib_pair (memory, max_memory, &current, &maximum);
      /* Translators: current memory, of the most the machine may use */
      memory_text = g_strdup_printf (_("%s of up to %s"), current, maximum);
    }
  else
    memory_text = piso_format_memory_kib (memory);
  gtk_label_set_label (self->memory_label, memory_text);
}

GtkWidget *
piso_machine_resources_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_RESOURCES, NULL);
}

static void
piso_machine_resources_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_MACHINE_RESOURCES);

  G_OBJECT_CLASS (piso_machine_resources_parent_class)->dispose (object);
}

static void
piso_machine_resources_class_init (PisoMachineResourcesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_machine_resources_dispose;

  section_class->update = piso_machine_resources_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-resources.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, memory_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, vcpus_label);
}

static void
piso_machine_resources_init (PisoMachineResources *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
