/* piso-machine-resources.c: the machine page's Resources: memory and processors,
 * now and at next start
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Four fields (memory, maximum memory, vCPUs, maximum vCPUs) show the
 * definition's values (what the machine has from its next start, which is
 * also what it runs with unless a change could not be made live); each
 * row's subtitle says where a change applies and what the running machine
 * has when that differs. A change is sent a moment after the user stops
 * changing a field (one call for several clicks of the arrows); while it is
 * on its way the field keeps the user's value. A refused change shows
 * libvirt's reason and the field goes back to the machine's value. (Enter
 * or leaving a field makes the typed text its value; GTK 4.8's spin
 * buttons have no "activate" to send it sooner.)
 */
#define G_LOG_DOMAIN "piso-machine-resources"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-format.h"
#include "piso-machine-resources.h"
#include "piso-machine-toast.h"

/* How long after the last change of a field it is sent */
#define SEND_DELAY_MS 700
/* The largest values the fields offer; libvirt refuses what the hypervisor
 * cannot do, and says why. */
#define MAX_MEMORY_MIB (4u * 1024 * 1024)
#define MAX_VCPUS      1024
#define MIN_MEMORY_MIB 128

typedef enum
{
  FIELD_MEMORY,
  FIELD_MAX_MEMORY,
  FIELD_VCPUS,
  FIELD_MAX_VCPUS,
  N_FIELDS
} FieldKind;

typedef struct
{
  GtkSpinButton *spin;
  AdwActionRow  *row;
  guint          send_source;  /* waiting to send the user's value */
  guint          busy : 1;     /* a change is on its way */
  guint          again : 1;    /* changed again meanwhile */
} Field;

struct _PisoMachineResources
{
  PisoMachineSection     parent_instance;

  PisoMachineAllocation *allocation;
  Field                  fields[N_FIELDS];
  gboolean               syncing;
  gboolean               restart_pending;

  /* Template children */
  AdwActionRow          *max_memory_row;
  GtkSpinButton         *max_memory_spin;
  AdwActionRow          *max_vcpus_row;
  GtkSpinButton         *max_vcpus_spin;
  AdwActionRow          *memory_row;
  GtkSpinButton         *memory_spin;
  GtkBox                *restart_banner;
  GtkRevealer           *restart_revealer;
  AdwActionRow          *vcpus_row;
  GtkSpinButton         *vcpus_spin;
};

G_DEFINE_FINAL_TYPE (PisoMachineResources, piso_machine_resources, PISO_TYPE_MACHINE_SECTION)

static void piso_machine_resources_send (PisoMachineResources *self,
                                         FieldKind             kind);

static guint64
mib_to_kib (double mib)
{
  return (guint64) (mib + 0.5) * 1024;
}

static double
kib_to_mib (guint64 kib)
{
  return (double) ((kib + 512) / 1024);
}

/* The value the definition has for @kind, in the field's unit */
static double
model_value (PisoMachineResources *self,
             FieldKind             kind)
{
  PisoMachineAllocation *a = self->allocation;

  switch (kind)
    {
    case FIELD_MEMORY: return kib_to_mib (piso_machine_allocation_get_next_memory (a));
    case FIELD_MAX_MEMORY: return kib_to_mib (piso_machine_allocation_get_next_max_memory (a));
    case FIELD_VCPUS: return piso_machine_allocation_get_next_vcpus (a);
    case FIELD_MAX_VCPUS: return piso_machine_allocation_get_next_max_vcpus (a);
    case N_FIELDS:
    default:
      g_assert_not_reached ();
    }
}

static void
set_subtitle (Field      *field,
              const char *text)
{
  adw_action_row_set_subtitle (field->row, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (field->spin),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
}

/* Where a change of each field applies, and what the running machine has
 * when it is not what it gets at the next start */
static void
piso_machine_resources_update_subtitles (PisoMachineResources *self)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  PisoMachineAllocation *a = self->allocation;
  gboolean running = piso_machine_get_state (machine) == PISO_MACHINE_STATE_RUNNING;
  guint64 memory = piso_machine_allocation_get_memory (a);
  guint64 max_memory = piso_machine_allocation_get_max_memory (a);
  guint64 next_memory = piso_machine_allocation_get_next_memory (a);
  guint64 next_max_memory = piso_machine_allocation_get_next_max_memory (a);
  guint vcpus = piso_machine_allocation_get_vcpus (a);
  guint max_vcpus = piso_machine_allocation_get_max_vcpus (a);
  guint next_vcpus = piso_machine_allocation_get_next_vcpus (a);
  guint next_max_vcpus = piso_machine_allocation_get_next_max_vcpus (a);
  g_autofree char *memory_text = NULL;
  g_autofree char *max_memory_text = NULL;
  g_autofree char *vcpus_text = NULL;
  g_autofree char *max_vcpus_text = NULL;

  /* Memory: live through the balloon up to the running maximum */
  if (running && (next_memory > max_memory ||
                  (!piso_machine_allocation_get_memory_live (a) && next_memory != memory)))
    {
      g_autofree char *now = NULL;
      g_autofree char *next = NULL;

      piso_format_memory_kib_pair (memory, next_memory, &now, &next);
      /* Translators: memory the running machine has, and what it gets at its next start */
      memory_text = g_strdup_printf (_("%s now, %s from the next start"), now, next);
    }
  else if (running && piso_machine_allocation_get_memory_live (a))
    {
      g_autofree char *maximum = piso_format_memory_kib (max_memory);

      /* Translators: %s is the most memory the running machine can have, e.g. "4 GiB" */
      memory_text = g_strdup_printf (_("Changes apply now, up to %s"), maximum);
    }
  else
    /* Off, or no memory balloon */
    memory_text = g_strdup (_("Changes apply at the next start"));
  set_subtitle (&self->fields[FIELD_MEMORY], memory_text);

  if (running && next_max_memory != max_memory)
    {
      g_autofree char *now = NULL;
      g_autofree char *next = NULL;

      piso_format_memory_kib_pair (max_memory, next_max_memory, &now, &next);
      max_memory_text = g_strdup_printf (_("%s now, %s from the next start"), now, next);
    }
  else
    max_memory_text = g_strdup (_("Changes apply at the next start"));
  set_subtitle (&self->fields[FIELD_MAX_MEMORY], max_memory_text);

  /* vCPUs: live within the running maximum */
  if (running && next_vcpus != vcpus)
    /* Translators: virtual CPUs the running machine has, and what it gets at its next start */
    vcpus_text = g_strdup_printf (_("%u now, %u from the next start"), vcpus, next_vcpus);
  else if (running && piso_machine_allocation_get_vcpus_live (a))
    /* Translators: %u is the most virtual CPUs the running machine can have */
    vcpus_text = g_strdup_printf (_("Changes apply now, up to %u"), max_vcpus);
  else
    vcpus_text = g_strdup (_("Changes apply at the next start"));
  set_subtitle (&self->fields[FIELD_VCPUS], vcpus_text);

  if (running && next_max_vcpus != max_vcpus)
    max_vcpus_text = g_strdup_printf (_("%u now, %u from the next start"), max_vcpus, next_max_vcpus);
  else
    max_vcpus_text = g_strdup (_("Changes apply at the next start"));
  set_subtitle (&self->fields[FIELD_MAX_VCPUS], max_vcpus_text);
}

/* Puts the machine's values in the fields the user is not changing */
static void
piso_machine_resources_sync_fields (PisoMachineResources *self)
{
  double upper[N_FIELDS], lower[N_FIELDS];

  lower[FIELD_MEMORY] = MIN (MIN_MEMORY_MIB, model_value (self, FIELD_MEMORY));
  upper[FIELD_MEMORY] = model_value (self, FIELD_MAX_MEMORY);
  lower[FIELD_MAX_MEMORY] = MIN (MIN_MEMORY_MIB, model_value (self, FIELD_MAX_MEMORY));
  upper[FIELD_MAX_MEMORY] = MAX (MAX_MEMORY_MIB, model_value (self, FIELD_MAX_MEMORY));
  lower[FIELD_VCPUS] = 1;
  upper[FIELD_VCPUS] = model_value (self, FIELD_MAX_VCPUS);
  lower[FIELD_MAX_VCPUS] = 1;
  upper[FIELD_MAX_VCPUS] = MAX (MAX_VCPUS, model_value (self, FIELD_MAX_VCPUS));

  self->syncing = TRUE;
  for (guint i = 0; i < N_FIELDS; i++)
    {
      Field *field = &self->fields[i];

      if (field->send_source != 0 || field->busy)
        continue;

      gtk_spin_button_set_range (field->spin, lower[i], MAX (lower[i], upper[i]));
      gtk_spin_button_set_value (field->spin, model_value (self, i));
    }
  self->syncing = FALSE;
}

static void
piso_machine_resources_update_restart (PisoMachineResources *self)
{
  gboolean pending = piso_machine_allocation_get_restart_pending (self->allocation);

  gtk_revealer_set_reveal_child (self->restart_revealer, pending);
  gtk_widget_set_visible (GTK_WIDGET (self->restart_revealer), pending);
  if (pending && !self->restart_pending)
    piso_a11y_announce (GTK_WIDGET (self->restart_banner),
                        _("Some changes apply when the machine restarts"));
  self->restart_pending = pending;
}

static void
piso_machine_resources_refresh (PisoMachineResources *self)
{
  PisoMachineSection *section = PISO_MACHINE_SECTION (self);
  PisoMachine *machine = piso_machine_section_get_machine (section);
  gboolean connected, persistent;

  g_assert (PISO_IS_MACHINE_RESOURCES (self));

  if (machine == NULL || self->allocation == NULL)
    return;

  connected = piso_machine_section_is_connected (section);
  persistent = piso_machine_get_persistent (machine);
  gtk_widget_set_sensitive (GTK_WIDGET (self->memory_row), connected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->vcpus_row), connected);
  /* A machine without a definition has no next start to change */
  gtk_widget_set_sensitive (GTK_WIDGET (self->max_memory_row), connected && persistent);
  gtk_widget_set_sensitive (GTK_WIDGET (self->max_vcpus_row), connected && persistent);

  piso_machine_resources_sync_fields (self);
  piso_machine_resources_update_subtitles (self);
  piso_machine_resources_update_restart (self);
}

static void
piso_machine_resources_update (PisoMachineSection *section,
                               GParamSpec         *pspec)
{
  if (pspec == NULL ||
      g_str_equal (pspec->name, "state") ||
      g_str_equal (pspec->name, "persistent"))
    piso_machine_resources_refresh (PISO_MACHINE_RESOURCES (section));
}

static void
piso_machine_resources_forget_edits (PisoMachineResources *self)
{
  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_clear_handle_id (&self->fields[i].send_source, g_source_remove);
      self->fields[i].busy = FALSE;
      self->fields[i].again = FALSE;
    }
}

static void
piso_machine_resources_machine_changed (PisoMachineSection *section)
{
  PisoMachineResources *self = PISO_MACHINE_RESOURCES (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);

  /* Edits of the machine shown before are sent (or dropped) already */
  piso_machine_resources_forget_edits (self);
  if (self->allocation != NULL)
    g_signal_handlers_disconnect_by_data (self->allocation, self);
  g_clear_object (&self->allocation);

  if (machine != NULL)
    {
      self->allocation = g_object_ref (piso_machine_get_allocation (machine));
      g_signal_connect_object (self->allocation, "notify",
                               G_CALLBACK (piso_machine_resources_refresh),
                               self, G_CONNECT_SWAPPED);
    }
  self->restart_pending = self->allocation != NULL &&
                          piso_machine_allocation_get_restart_pending (self->allocation);
}

/* Sending a change */

typedef struct
{
  PisoMachineResources *self;
  PisoMachineAllocation *allocation;  /* the machine's when sent */
  FieldKind             kind;
} SendCall;

static void
piso_machine_resources_send_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  SendCall *call = user_data;
  PisoMachineResources *self = call->self;
  PisoMachine *machine = PISO_MACHINE (object);
  Field *field = &self->fields[call->kind];
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  gboolean current = call->allocation == self->allocation;

  switch (call->kind)
    {
    case FIELD_MEMORY:
      change = piso_machine_set_memory_finish (machine, result, &error);
      break;
    case FIELD_MAX_MEMORY:
      change = piso_machine_set_max_memory_finish (machine, result, &error);
      break;
    case FIELD_VCPUS:
      change = piso_machine_set_vcpus_finish (machine, result, &error);
      break;
    case FIELD_MAX_VCPUS:
      change = piso_machine_set_max_vcpus_finish (machine, result, &error);
      break;
    case N_FIELDS:
    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    /* libvirt's reason, in the words the backend gives it */
    piso_machine_toast_error (GTK_WIDGET (self), _("Could not change the machine"), error);
  else if (piso_change_get_message (change) != NULL)
    {
      piso_machine_toast (GTK_WIDGET (self), piso_change_get_message (change));
      piso_a11y_announce (GTK_WIDGET (self), piso_change_get_message (change));
    }

  if (current)
    {
      field->busy = FALSE;
      if (field->again && field->send_source == 0)
        {
          field->again = FALSE;
          piso_machine_resources_send (self, call->kind);
        }
      else if (error != NULL)
        /* Back to what the machine has */
        piso_machine_resources_refresh (self);
    }

  g_object_unref (call->allocation);
  g_object_unref (call->self);
  g_free (call);
}

static void
piso_machine_resources_send (PisoMachineResources *self,
                             FieldKind             kind)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  Field *field = &self->fields[kind];
  double value = gtk_spin_button_get_value (field->spin);
  SendCall *call;

  g_assert (PISO_IS_MACHINE_RESOURCES (self));

  if (machine == NULL || self->allocation == NULL)
    return;
  if (field->busy)
    {
      field->again = TRUE;
      return;
    }
  if (value == model_value (self, kind))
    return;

  call = g_new0 (SendCall, 1);
  call->self = g_object_ref (self);
  call->allocation = g_object_ref (self->allocation);
  call->kind = kind;
  field->busy = TRUE;

  /* Not cancelled when another machine is shown: the user asked for it */
  switch (kind)
    {
    case FIELD_MEMORY:
      piso_machine_set_memory_async (machine, mib_to_kib (value), NULL,
                                     piso_machine_resources_send_cb, call);
      break;
    case FIELD_MAX_MEMORY:
      piso_machine_set_max_memory_async (machine, mib_to_kib (value), NULL,
                                         piso_machine_resources_send_cb, call);
      break;
    case FIELD_VCPUS:
      piso_machine_set_vcpus_async (machine, (guint) value, NULL,
                                    piso_machine_resources_send_cb, call);
      break;
    case FIELD_MAX_VCPUS:
      piso_machine_set_max_vcpus_async (machine, (guint) value, NULL,
                                        piso_machine_resources_send_cb, call);
      break;
    case N_FIELDS:
    default:
      g_assert_not_reached ();
    }
}

static FieldKind
piso_machine_resources_field_of (PisoMachineResources *self,
                                 GtkSpinButton        *spin)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (self->fields[i].spin == spin)
      return i;

  g_assert_not_reached ();
}

typedef struct
{
  PisoMachineResources *self;
  FieldKind             kind;
} SendLater;

static gboolean
piso_machine_resources_send_later_cb (gpointer user_data)
{
  SendLater *later = user_data;

  later->self->fields[later->kind].send_source = 0;
  piso_machine_resources_send (later->self, later->kind);
  return G_SOURCE_REMOVE;
}

static void
piso_machine_resources_value_changed_cb (PisoMachineResources *self,
                                         GtkSpinButton        *spin)
{
  FieldKind kind = piso_machine_resources_field_of (self, spin);
  Field *field = &self->fields[kind];
  SendLater *later;

  g_assert (PISO_IS_MACHINE_RESOURCES (self));

  if (self->syncing)
    return;

  g_clear_handle_id (&field->send_source, g_source_remove);
  later = g_new0 (SendLater, 1);
  later->self = self;
  later->kind = kind;
  field->send_source = g_timeout_add_full (G_PRIORITY_DEFAULT, SEND_DELAY_MS,
                                           piso_machine_resources_send_later_cb,
                                           later, g_free);
}

GtkWidget *
piso_machine_resources_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_RESOURCES, NULL);
}

static void
piso_machine_resources_dispose (GObject *object)
{
  PisoMachineResources *self = (PisoMachineResources *)object;

  piso_machine_resources_forget_edits (self);
  if (self->allocation != NULL)
    g_signal_handlers_disconnect_by_data (self->allocation, self);
  g_clear_object (&self->allocation);

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

  section_class->machine_changed = piso_machine_resources_machine_changed;
  section_class->update = piso_machine_resources_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-resources.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, max_memory_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, max_memory_spin);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, max_vcpus_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, max_vcpus_spin);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, memory_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, memory_spin);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, restart_banner);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, restart_revealer);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, vcpus_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineResources, vcpus_spin);
}

static void
piso_machine_resources_init (PisoMachineResources *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->fields[FIELD_MEMORY] = (Field) { self->memory_spin, self->memory_row };
  self->fields[FIELD_MAX_MEMORY] = (Field) { self->max_memory_spin, self->max_memory_row };
  self->fields[FIELD_VCPUS] = (Field) { self->vcpus_spin, self->vcpus_row };
  self->fields[FIELD_MAX_VCPUS] = (Field) { self->max_vcpus_spin, self->max_vcpus_row };

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_signal_connect_object (self->fields[i].spin, "value-changed",
                               G_CALLBACK (piso_machine_resources_value_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->restart_revealer), FALSE);
}
