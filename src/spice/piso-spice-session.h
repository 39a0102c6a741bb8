/* piso-spice-session.h: a SPICE connection to a machine's screen (GLib only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <spice-client.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

typedef enum
{
  PISO_SPICE_STATE_DISCONNECTED,
  PISO_SPICE_STATE_CONNECTING,
  PISO_SPICE_STATE_CONNECTED,
} PisoSpiceState;

typedef enum
{
  PISO_SPICE_DISCONNECT_REASON_NONE,
  PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED,
  PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS,   /* no SPICE graphics configured */
  PISO_SPICE_DISCONNECT_REASON_NETWORK,       /* could not connect, or the link dropped */
  PISO_SPICE_DISCONNECT_REASON_AUTH,
  PISO_SPICE_DISCONNECT_REASON_TLS,
  PISO_SPICE_DISCONNECT_REASON_FAILED,
} PisoSpiceDisconnectReason;

#define PISO_TYPE_SPICE_STATE (piso_spice_state_get_type ())
GType piso_spice_state_get_type (void);
#define PISO_TYPE_SPICE_DISCONNECT_REASON (piso_spice_disconnect_reason_get_type ())
GType piso_spice_disconnect_reason_get_type (void);

#define PISO_TYPE_SPICE_SESSION (piso_spice_session_get_type ())

G_DECLARE_FINAL_TYPE (PisoSpiceSession, piso_spice_session, PISO, SPICE_SESSION, GObject)

/* Signals (all on the main thread):
 *   "primary-create"  (gint format, gint width, gint height, gint stride, gpointer data)
 *                     the display's primary surface; format is a SpiceSurfaceFmt
 *                     (32 = xRGB: bytes B,G,R,x; 16 = RGB 5-5-5). @data stays
 *                     valid until "primary-destroy".
 *   "primary-destroy" ()
 *   "invalidate"      (gint x, gint y, gint width, gint height) damaged area
 *
 * The session follows its machine: when the machine stops it disconnects with
 * PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, and when it runs again after
 * piso_spice_session_connect() (and no piso_spice_session_disconnect() since)
 * it connects again by itself. Nothing here blocks the main loop: libvirt is
 * asked for sockets and configuration in worker threads. */
PisoSpiceSession          *piso_spice_session_new               (PisoMachine      *machine);
PisoMachine               *piso_spice_session_get_machine       (PisoSpiceSession *self);
PisoSpiceState             piso_spice_session_get_state         (PisoSpiceSession *self);
PisoSpiceDisconnectReason  piso_spice_session_get_disconnect_reason (PisoSpiceSession *self);
/* A translated sentence for the last disconnect reason, or NULL. */
const char                *piso_spice_session_get_error_message (PisoSpiceSession *self);

/* Local connections take their sockets from libvirt (no TCP port needed);
 * remote ones use the host, ports and password of the graphics configuration. */
void                       piso_spice_session_connect           (PisoSpiceSession *self);
void                       piso_spice_session_disconnect        (PisoSpiceSession *self);

/* The primary surface of display 0; FALSE when there is none. Any out
 * argument may be NULL. */
gboolean                   piso_spice_session_get_primary       (PisoSpiceSession *self,
                                                                 gint             *format,
                                                                 gint             *width,
                                                                 gint             *height,
                                                                 gint             *stride,
                                                                 guint8          **data);
/* The inputs channel while connected, else NULL (no new reference). */
SpiceInputsChannel        *piso_spice_session_get_inputs        (PisoSpiceSession *self);
/* A PC XT (set 1) scancode; 0xE0-prefixed keys as 0x100 | code. Ignored
 * without an inputs channel. */
void                       piso_spice_session_send_key          (PisoSpiceSession *self,
                                                                 guint             scancode,
                                                                 gboolean          press);

G_END_DECLS
