/* piso-net-interface.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-net-interface"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-net-interface.h"
#include "piso-machine-private.h"

struct _PisoNetInterface
{
  GObject             parent_instance;
  PisoNetFields       f;
  char               *kind_label;   /* for unknown types only */
  GStrv               addresses;
};

G_DEFINE_FINAL_TYPE (PisoNetInterface, piso_net_interface, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAC,
  PROP_KIND,
  PROP_KIND_LABEL,
  PROP_SOURCE,
  PROP_DESCRIPTION,
  PROP_MODEL,
  PROP_HOST_DEVICE,
  PROP_LINK_UP,
  PROP_BOOT_ORDER,
  PROP_PENDING,
  PROP_ADDRESSES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_piso_net_fields_clear (PisoNetFields *f)
{
  g_clear_pointer (&f->mac, g_free);
  g_clear_pointer (&f->kind, g_free);
  g_clear_pointer (&f->source, g_free);
  g_clear_pointer (&f->source_mode, g_free);
  g_clear_pointer (&f->local, g_free);
  g_clear_pointer (&f->model, g_free);
  g_clear_pointer (&f->host_device, g_free);
  g_clear_pointer (&f->alias, g_free);
}

static void
piso_net_interface_finalize (GObject *object)
{
  PisoNetInterface *self = (PisoNetInterface *)object;

  _piso_net_fields_clear (&self->f);
  g_free (self->kind_label);
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
    case PROP_MAC: g_value_set_string (value, self->f.mac); break;
    case PROP_KIND: g_value_set_string (value, self->f.kind); break;
    case PROP_KIND_LABEL: g_value_set_string (value, piso_net_interface_get_kind_label (self)); break;
    case PROP_SOURCE: g_value_set_string (value, self->f.source); break;
    case PROP_DESCRIPTION: g_value_take_string (value, piso_net_interface_describe (self)); break;
    case PROP_MODEL: g_value_set_string (value, self->f.model); break;
    case PROP_HOST_DEVICE: g_value_set_string (value, self->f.host_device); break;
    case PROP_LINK_UP: g_value_set_boolean (value, !self->f.link_down); break;
    case PROP_BOOT_ORDER: g_value_set_uint (value, self->f.boot_order); break;
    case PROP_PENDING: g_value_set_enum (value, self->f.pending); break;
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
  properties[PROP_KIND_LABEL] = g_param_spec_string ("kind-label", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, flags);
  properties[PROP_HOST_DEVICE] = g_param_spec_string ("host-device", NULL, NULL, NULL, flags);
  properties[PROP_LINK_UP] = g_param_spec_boolean ("link-up", NULL, NULL, TRUE, flags);
  properties[PROP_BOOT_ORDER] = g_param_spec_uint ("boot-order", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PENDING] =
    g_param_spec_enum ("pending", NULL, NULL, PISO_TYPE_DEVICE_PENDING, PISO_DEVICE_PENDING_NONE, flags);
  properties[PROP_ADDRESSES] = g_param_spec_boxed ("addresses", NULL, NULL, G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_net_interface_init (PisoNetInterface *self)
{
  self->addresses = g_new0 (char *, 1);
}

PisoNetInterface *
_piso_net_interface_new (PisoNetFields *fields)
{
  PisoNetInterface *self = g_object_new (PISO_TYPE_NET_INTERFACE, NULL);

  self->f = *fields;
  memset (fields, 0, sizeof *fields);

  return self;
}

const PisoNetFields *
_piso_net_interface_get_fields (PisoNetInterface *self)
{
  return &self->f;
}

gboolean
_piso_net_fields_same_setup (const PisoNetFields *a,
                             const PisoNetFields *b)
{
  return g_strcmp0 (a->mac, b->mac) == 0 &&
         g_strcmp0 (a->kind, b->kind) == 0 &&
         g_strcmp0 (a->source, b->source) == 0 &&
         g_strcmp0 (a->source_mode, b->source_mode) == 0 &&
         g_strcmp0 (a->local, b->local) == 0 &&
         g_strcmp0 (a->model, b->model) == 0 &&
         a->link_down == b->link_down &&
         a->boot_order == b->boot_order;
}

gboolean
_piso_net_interface_equal (PisoNetInterface *a,
                           PisoNetInterface *b)
{
  return _piso_net_fields_same_setup (&a->f, &b->f) &&
         g_strcmp0 (a->f.host_device, b->f.host_device) == 0 &&
         g_strcmp0 (a->f.alias, b->f.alias) == 0 &&
         a->f.pending == b->f.pending;
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

static const struct
{
  const char *kind;
  const char *label;
} kind_labels[] = {
  { "network", N_("Virtual network") },
  { "bridge", N_("Bridge") },
  /* Translators: QEMU's built-in NAT (slirp or passt), no host setup */
  { "user", N_("User-mode networking") },
  /* Translators: a tap device the host configures by itself */
  { "ethernet", N_("Generic Ethernet (tap)") },
  /* Translators: macvtap, attached to a host interface */
  { "direct", N_("Direct attachment (macvtap)") },
  { "hostdev", N_("Host device (PCI passthrough)") },
  { "vhostuser", N_("vhost-user") },
  { "server", N_("Socket server") },
  { "client", N_("Socket client") },
  { "mcast", N_("Multicast socket") },
  { "udp", N_("UDP socket") },
  { "vdpa", N_("vDPA device") },
  /* Translators: an interface with no connection at all */
  { "null", N_("Not connected") },
  { "vds", N_("VMware distributed switch") },
  { "internal", N_("Internal network") },
};

static const char *
kind_label (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_labels); i++)
    if (g_strcmp0 (kind, kind_labels[i].kind) == 0)
      return _(kind_labels[i].label);
  return NULL;
}

const char *
piso_net_interface_get_kind_label (PisoNetInterface *self)
{
  const char *label;

  g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL);

  if ((label = kind_label (self->f.kind)) != NULL)
    return label;
  if (self->kind_label == NULL)
    /* Translators: a network interface type Piso does not know, e.g. “vds2” */
    self->kind_label = g_strdup_printf (_("Unknown type “%s”"), self->f.kind != NULL ? self->f.kind : "?");
  return self->kind_label;
}

char *
_piso_net_fields_describe (const PisoNetFields *f)
{
  const char *kind = f->kind;
  const char *source = f->source;
  const char *label = kind_label (kind);

  if (source == NULL)
    {
      if (g_strcmp0 (kind, "ethernet") == 0 && f->host_device != NULL)
        /* Translators: "Generic Ethernet (tap) “vnet3”" */
        return g_strdup_printf (_("%s “%s”"), label, f->host_device);
      if (label != NULL)
        return g_strdup (label);
      return g_strdup_printf (_("Unknown type “%s”"), kind != NULL ? kind : "?");
    }

  if (g_strcmp0 (kind, "network") == 0)
    /* Translators: "Virtual network “default”" */
    return g_strdup_printf (_("Virtual network “%s”"), source);
  if (g_strcmp0 (kind, "bridge") == 0)
    return g_strdup_printf (_("Bridge “%s”"), source);
  if (g_strcmp0 (kind, "direct") == 0)
    {
      if (f->source_mode != NULL)
        /* Translators: macvtap: "Direct to “eth0” (bridge mode)" */
        return g_strdup_printf (_("Direct to “%s” (%s mode)"), source, f->source_mode);
      return g_strdup_printf (_("Direct to “%s”"), source);
    }
  if (g_strcmp0 (kind, "hostdev") == 0)
    return g_strdup_printf (_("Host device %s"), source);
  if (g_strcmp0 (kind, "vhostuser") == 0)
    return g_strdup_printf (_("vhost-user socket %s"), source);
  if (g_strcmp0 (kind, "server") == 0)
    /* Translators: "Socket server on 127.0.0.1:5558" */
    return g_strdup_printf (_("Socket server on %s"), source);
  if (g_strcmp0 (kind, "client") == 0)
    /* Translators: "Socket client of 192.0.2.1:5558" */
    return g_strdup_printf (_("Socket client of %s"), source);
  if (g_strcmp0 (kind, "mcast") == 0)
    return g_strdup_printf (_("Multicast socket %s"), source);
  if (g_strcmp0 (kind, "udp") == 0)
    {
      if (f->local != NULL)
        /* Translators: "UDP to 192.0.2.1:5558 from 127.0.0.1:5557" */
        return g_strdup_printf (_("UDP to %s from %s"), source, f->local);
      return g_strdup_printf (_("UDP to %s"), source);
    }
  if (g_strcmp0 (kind, "vdpa") == 0)
    return g_strdup_printf (_("vDPA device %s"), source);
  if (label != NULL)
    /* Translators: an interface type and what it connects to */
    return g_strdup_printf (_("%s “%s”"), label, source);
  /* Translators: an unknown interface type and what it connects to */
  return g_strdup_printf (_("Unknown type “%s”: %s"), kind != NULL ? kind : "?", source);
}

char *
piso_net_interface_describe (PisoNetInterface *self)
{
  g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL);
  return _piso_net_fields_describe (&self->f);
}

const char *piso_net_interface_get_mac (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->f.mac; }
const char *piso_net_interface_get_kind (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->f.kind; }
const char *piso_net_interface_get_source (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->f.source; }
const char *piso_net_interface_get_model (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->f.model; }
const char *piso_net_interface_get_host_device (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return self->f.host_device; }
gboolean piso_net_interface_get_link_up (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), TRUE); return !self->f.link_down; }
guint piso_net_interface_get_boot_order (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), 0); return self->f.boot_order; }
PisoDevicePending piso_net_interface_get_pending (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), PISO_DEVICE_PENDING_NONE); return self->f.pending; }
const char * const *piso_net_interface_get_addresses (PisoNetInterface *self) { g_return_val_if_fail (PISO_IS_NET_INTERFACE (self), NULL); return (const char * const *) self->addresses; }
