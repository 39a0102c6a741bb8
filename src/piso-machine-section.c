/* piso-machine-section.c: a view of the machine page (Overview, Resources, Hardware…)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-section"

#include "config.h"

#include "piso-machine-section.h"

typedef struct
{
  PisoMachine    *machine;
  PisoConnection *connection;
} PisoMachineSectionPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PisoMachineSection, piso_machine_section, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_machine_section_update (PisoMachineSection *self,
                             GParamSpec         *pspec)
{
  PisoMachineSectionClass *klass = PISO_MACHINE_SECTION_GET_CLASS (self);

  if (klass->update != NULL)
    klass->update (self, pspec);
}

static void
piso_machine_section_machine_notify_cb (PisoMachineSection *self,
                                        GParamSpec         *pspec,
                                        PisoMachine        *machine)
{
  g_assert (PISO_IS_MACHINE_SECTION (self));

  if (!g_str_equal (pspec->name, "cpu-percent"))
    piso_machine_section_update (self, pspec);
}

static void
piso_machine_section_connection_notify_cb (PisoMachineSection *self,
                                           GParamSpec         *pspec,
                                           PisoConnection     *connection)
{
  g_assert (PISO_IS_MACHINE_SECTION (self));

  piso_machine_section_update (self, NULL);
}

static void
piso_machine_section_disconnect (PisoMachineSection *self)
{
  PisoMachineSectionPrivate *priv = piso_machine_section_get_instance_private (self);

  if (priv->machine != NULL)
    g_signal_handlers_disconnect_by_data (priv->machine, self);
  if (priv->connection != NULL)
    g_signal_handlers_disconnect_by_data (priv->connection, self);
  g_clear_object (&priv->connection);
}

PisoMachine *
piso_machine_section_get_machine (PisoMachineSection *self)
{
  PisoMachineSectionPrivate *priv;

  g_return_val_if_fail (PISO_IS_MACHINE_SECTION (self), NULL);

  priv = piso_machine_section_get_instance_private (self);
  return priv->machine;
}

PisoConnection *
piso_machine_section_get_connection (PisoMachineSection *self)
{
  PisoMachineSectionPrivate *priv;

  g_return_val_if_fail (PISO_IS_MACHINE_SECTION (self), NULL);

  priv = piso_machine_section_get_instance_private (self);
  return priv->connection;
}

gboolean
piso_machine_section_is_connected (PisoMachineSection *self)
{
  PisoConnection *connection = piso_machine_section_get_connection (self);

  return connection != NULL &&
         piso_connection_get_state (connection) == PISO_CONNECTION_STATE_CONNECTED;
}

void
piso_machine_section_set_machine (PisoMachineSection *self,
                                  PisoMachine        *machine)
{
  PisoMachineSectionPrivate *priv;
  PisoMachineSectionClass *klass;

  g_return_if_fail (PISO_IS_MACHINE_SECTION (self));
  g_return_if_fail (machine == NULL || PISO_IS_MACHINE (machine));

  priv = piso_machine_section_get_instance_private (self);
  klass = PISO_MACHINE_SECTION_GET_CLASS (self);

  if (priv->machine == machine)
    return;

  piso_machine_section_disconnect (self);
  g_set_object (&priv->machine, machine);

  if (machine != NULL)
    {
      g_set_object (&priv->connection, piso_machine_get_connection (machine));
      g_signal_connect_object (machine, "notify",
                               G_CALLBACK (piso_machine_section_machine_notify_cb),
                               self, G_CONNECT_SWAPPED);
      if (priv->connection != NULL)
        g_signal_connect_object (priv->connection, "notify::state",
                                 G_CALLBACK (piso_machine_section_connection_notify_cb),
                                 self, G_CONNECT_SWAPPED);
    }

  if (klass->machine_changed != NULL)
    klass->machine_changed (self);
  piso_machine_section_update (self, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

static void
piso_machine_section_dispose (GObject *object)
{
  PisoMachineSection *self = (PisoMachineSection *)object;
  PisoMachineSectionPrivate *priv = piso_machine_section_get_instance_private (self);

  piso_machine_section_disconnect (self);
  g_clear_object (&priv->machine);

  G_OBJECT_CLASS (piso_machine_section_parent_class)->dispose (object);
}

static void
piso_machine_section_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PisoMachineSection *self = PISO_MACHINE_SECTION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, piso_machine_section_get_machine (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_section_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PisoMachineSection *self = PISO_MACHINE_SECTION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      piso_machine_section_set_machine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_section_class_init (PisoMachineSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_machine_section_dispose;
  object_class->get_property = piso_machine_section_get_property;
  object_class->set_property = piso_machine_section_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL,
                         PISO_TYPE_MACHINE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_machine_section_init (PisoMachineSection *self)
{
}
