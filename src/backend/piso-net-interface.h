/* piso-net-interface.h: a network interface of a machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "piso-backend-types.h"
#include "piso-machine-change.h"

G_BEGIN_DECLS

#define PISO_TYPE_NET_INTERFACE (piso_net_interface_get_type ())

G_DECLARE_FINAL_TYPE (PisoNetInterface, piso_net_interface, PISO, NET_INTERFACE, GObject)

const char         *piso_net_interface_get_mac       (PisoNetInterface *self);
/* libvirt's type: "network", "bridge", "user", "direct", "ethernet",
 * "hostdev", "vhostuser", "server", "client", "mcast", "udp", "vdpa",
 * "null", "vds"… */
const char         *piso_net_interface_get_kind      (PisoNetInterface *self);
/* The same in words ("Virtual network", "Bridge", "Host device (PCI
 * passthrough)", "Socket server"…), for every type libvirt has; an unknown
 * type reads "Unknown type “x”". Translated; never NULL. */
const char         *piso_net_interface_get_kind_label(PisoNetInterface *self);
/* What it connects to: the network, bridge or host interface name, the
 * PCI address of a host device, the socket path of vhost-user, the
 * address:port of a socket interface, the vDPA device; NULL for
 * user-mode and unconnected interfaces. */
const char         *piso_net_interface_get_source    (PisoNetInterface *self);
/* The kind and source together in words: "Virtual network “default”",
 * "Bridge “br0”", "Direct to “eth0” (vepa mode)", "Socket client of
 * 192.0.2.1:5558", "UDP to 192.0.2.1:5558 from 127.0.0.1:5557"…
 * Translated; never NULL. */
char               *piso_net_interface_describe      (PisoNetInterface *self);
/* Device model ("virtio", "e1000e"), or NULL */
const char         *piso_net_interface_get_model     (PisoNetInterface *self);
/* The host side of the running interface ("vnet3"), or NULL. */
const char         *piso_net_interface_get_host_device (PisoNetInterface *self);
/* FALSE when its link is set down (<link state='down'/>): the guest sees
 * an unplugged cable. */
gboolean            piso_net_interface_get_link_up   (PisoNetInterface *self);
/* Position in the boot order (<boot order='N'/>), 0 when not a boot device. */
guint               piso_net_interface_get_boot_order(PisoNetInterface *self);
/* How the definition for the next start differs from the running machine. */
PisoDevicePending   piso_net_interface_get_pending   (PisoNetInterface *self);
/* IPv4/IPv6 addresses with prefix ("192.168.122.5/24"); empty until
 * piso_machine_refresh_details_async found some. Never NULL. */
const char * const *piso_net_interface_get_addresses (PisoNetInterface *self);

G_END_DECLS
