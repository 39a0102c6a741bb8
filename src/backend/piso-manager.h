/* piso-manager.h: the connections Piso has open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-ssh-session.h"

G_BEGIN_DECLS

#define PISO_TYPE_MANAGER (piso_manager_get_type ())

G_DECLARE_FINAL_TYPE (PisoManager, piso_manager, PISO, MANAGER, GObject)

PisoManager    *piso_manager_new              (void);
/* A GListModel of PisoConnection, in the order they were added */
GListModel     *piso_manager_get_connections  (PisoManager *self);
/* Adds and starts opening @uri; returns the existing connection if @uri is
 * already there. Returns NULL with @error when the URI is invalid. */
PisoConnection *piso_manager_add              (PisoManager *self,
                                               const char  *uri,
                                               GError     **error);
void            piso_manager_remove           (PisoManager    *self,
                                               PisoConnection *connection);
PisoConnection *piso_manager_lookup           (PisoManager *self,
                                               const char  *uri);
/* The SSH login shared by every "…+ssh://" connection to the host of @uri
 * (same user, host and port), made on first use; NULL for other URIs. Its
 * questions and those of libvirt reach the manager's "prompt" signal. */
PisoSshSession *piso_manager_ensure_ssh_session (PisoManager *self,
                                                 const char  *uri);
/* URIs to open by default: qemu:///system when its socket answers, and
 * qemu:///session for a normal user (for root it is the system instance). */
GStrv           piso_manager_get_default_uris (void);

G_END_DECLS
