/* piso-net-interface.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-net-interface"

#include "config.h"

#include "piso-net-interface.h"
#include "piso-machine-private.h"

struct _PisoNetInterface
{
  GObject   parent_instance;
  char     *mac;
  char     *kind;
  char     *source;
  char     *model;
  GStrv     addresses;
};

G_DEFINE_FINAL_TYPE (PisoNetInterface, piso_net_interface, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAC,
  PROP_KIND,
  PROP_SOURCE,
  PROP_MODEL,
  PROP_ADDRESSES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_net_interface_finalize (GObject *object)
{
  PisoNetInterface *self = (PisoNetInterface *)object;

  g_free (self->mac);
  g_free (self->kind);
  g_free (self->source);
  g_free (self->model);
  g_strfreev (self->addresses);

  G_OBJECT_CLASS (piso_net_interface_parent_class)->finalize (object);
}

static void
piso_net_interface_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PisoNetInterface *self = PISO_NET_INTERFACE (object);

  switch (prop_id)
    {
    case PROP_MAC: g_value_set_string (value, self->mac); break;
    case PROP_KIND: g_value_set_string (value, self->kind); break;
    case PROP_SOURCE: g_value_set_string (value, self->source); break;
    case PROP_MODEL: g_value_set_string (value, self->model); break;
    case PROP_ADDRESSES: g_value_set_boxed (value, self->addresses); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_net_interface_class_init (PisoNetInterfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_net_interface_finalize;
  object_class->get_property = piso_net_interface_get_property;

  properties[PROP_MAC] = g_param_spec_string ("mac", NULL, NULL, NULL, flags);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, flags);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, flags);
  properties[PROP_ADDRESSES] = g_param_spec_boxed ("addresses", NULL, NULL, G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_net_interface_init (PisoNetInterface *self)
{
  self->addresses = g_new0 (char *, 1);
}

PisoNetInterface *
_piso_net_interface_new (const char *mac,
                         const char *kind,
                         const char *source,
                         const char *model)
{
  PisoNetInterface *self = g_object_new (PISO_TYPE_NET_INTERFACE, NULL);

  self->mac = g_strdup (mac);
  self->kind = g_strdup (kind);
  self->source = g_strdup (source);
  self->model = g_strdup (model);

  return self;
}

gboolean
_piso_net_interface_equal (PisoNetInterface *a,
                           PisoNetInterface *b)
{
  return g_strcmp0 (a->mac, b->mac) == 0 &&
         g_strcmp0 (a->kind, b->kind) == 0 &&
         g_strcmp0 (a->source, b->source) == 0 &&
         g_strcmp0 (a->model, b->model) == 0;
}

void
_piso_net_interface_set_addresses (PisoNetInterface   *self,
                                   const char * const *addresses)
{
  static const char * const none[] = { NULL };

  if (addresses == NULL)
    addresses = none;

  g_return_if_fail (PISO_IS_NET_INTERFACE (self));

  if (g_strv_equal ((const char * const *) self->addresses, addresses))
    return;

  g_strfreev (self->addresses);
  self->addresses = g_strdupv ((char **) addresses);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESSES]);
}

const char *piso_net_interface_get_mac (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->mac; }
const char *piso_net_interface_get_kind (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->kind; }
const char *piso_net_interface_get_source (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->source; }
const char *piso_net_interface_get_model (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->model; }
const char * const *piso_net_interface_get_addresses (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return (const char * const *) self->addresses; }
