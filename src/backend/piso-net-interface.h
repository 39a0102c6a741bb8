/* piso-net-interface.h: a network interface of a machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

#define PISO_TYPE_NET_INTERFACE (piso_net_interface_get_type ())

G_DECLARE_FINAL_TYPE (PisoNetInterface, piso_net_interface, PISO, NET_INTERFACE, GObject)

const char         *piso_net_interface_get_mac       (PisoNetInterface *self);
/* "network", "bridge", "user", "direct", … */
const char         *piso_net_interface_get_kind      (PisoNetInterface *self);
/* Network or bridge name, NULL for user-mode */
const char         *piso_net_interface_get_source    (PisoNetInterface *self);
/* Device model ("virtio", "e1000e"), or NULL */
const char         *piso_net_interface_get_model     (PisoNetInterface *self);
/* IPv4/IPv6 addresses with prefix ("192.168.122.5/24"); empty until
 * piso_machine_refresh_details_async found some. Never NULL. */
const char * const *piso_net_interface_get_addresses (PisoNetInterface *self);

G_END_DECLS
