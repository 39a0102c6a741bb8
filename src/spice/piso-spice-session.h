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

/* How the guest takes the pointer: as positions (client mode, the server
 * offers it when the guest has an absolute device such as a USB tablet or
 * its agent runs) or as relative motion (server mode). */
typedef enum
{
  PISO_SPICE_MOUSE_MODE_SERVER,
  PISO_SPICE_MOUSE_MODE_CLIENT,
} PisoSpiceMouseMode;

/* The guest's pointer as the cursor channel gives it. */
typedef enum
{
  PISO_SPICE_CURSOR_DEFAULT,   /* no cursor channel, or no shape: the host's default */
  PISO_SPICE_CURSOR_SHAPE,     /* a shape from the guest */
  PISO_SPICE_CURSOR_HIDDEN,    /* the guest hides its pointer */
} PisoSpiceCursorState;

/* Resolution requests settle for this long before they go to the agent. */
#define PISO_SPICE_RESOLUTION_DELAY_MS 400

#define PISO_TYPE_SPICE_MOUSE_MODE (piso_spice_mouse_mode_get_type ())
GType piso_spice_mouse_mode_get_type (void);
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
 *   "cursor-changed"  () the guest's pointer changed shape, was hidden or reset
 *                     (read it with piso_spice_session_get_cursor())
 *   "cursor-move"     (gint x, gint y) the guest moved its pointer (server
 *                     mouse mode: the client draws it there)
 *
 * The session follows its machine: when the machine stops it disconnects with
 * PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, and when it runs again after
 * piso_spice_session_connect() (and no piso_spice_session_disconnect() since)
 * it connects again by itself. Nothing here blocks the main loop: libvirt is
 * asked for sockets and configuration in worker threads. */
PisoSpiceSession          *piso_spice_session_new               (PisoMachine      *machine);
/* One session per machine, shared by everything that shows its screen (the
 * console, a detached console window, the list thumbnail). get_for_machine()
 * returns a new reference and creates the session when none is alive;
 * peek_for_machine() returns the live one without a reference, or NULL.
 * The registry holds no reference: the session goes when its last user
 * drops it. */
PisoSpiceSession          *piso_spice_session_get_for_machine   (PisoMachine      *machine);
PisoSpiceSession          *piso_spice_session_peek_for_machine  (PisoMachine      *machine);
PisoMachine               *piso_spice_session_get_machine       (PisoSpiceSession *self);
PisoSpiceState             piso_spice_session_get_state         (PisoSpiceSession *self);
PisoSpiceDisconnectReason  piso_spice_session_get_disconnect_reason (PisoSpiceSession *self);
/* A translated sentence for the last disconnect reason, or NULL. */
const char                *piso_spice_session_get_error_message (PisoSpiceSession *self);

/* Local connections take their sockets from libvirt (no TCP port needed);
 * remote ones use the host, ports and password of the graphics configuration. */
void                       piso_spice_session_connect           (PisoSpiceSession *self);
void                       piso_spice_session_disconnect        (PisoSpiceSession *self);
/* Counted connect/disconnect for users of a shared session: the first hold
 * connects, the last release disconnects. Each hold needs one release. */
void                       piso_spice_session_hold              (PisoSpiceSession *self);
void                       piso_spice_session_release           (PisoSpiceSession *self);

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
/* The spice-client-glib objects of the current connection (no new
 * reference). The SpiceSession exists while connecting or connected (NULL
 * when disconnected); the main channel is returned only when connected. */
SpiceSession              *piso_spice_session_get_spice_session (PisoSpiceSession *self);
SpiceMainChannel          *piso_spice_session_get_main_channel  (PisoSpiceSession *self);
/* Properties "agent-connected" and "mouse-mode", with notify. Both fall back
 * to FALSE / server when disconnected. */
gboolean                   piso_spice_session_get_agent_connected (PisoSpiceSession *self);
PisoSpiceMouseMode         piso_spice_session_get_mouse_mode    (PisoSpiceSession *self);
/* The guest's pointer. With PISO_SPICE_CURSOR_SHAPE, @pixels (no new
 * reference, valid until the next "cursor-changed") holds width × height
 * pixels of 4 bytes R, G, B, A (not premultiplied) and the hotspot lies
 * inside. HIDDEN may still report the last shape. */
PisoSpiceCursorState       piso_spice_session_get_cursor        (PisoSpiceSession *self,
                                                                 gint             *width,
                                                                 gint             *height,
                                                                 gint             *hot_x,
                                                                 gint             *hot_y,
                                                                 GBytes          **pixels);
/* Where the guest last put its pointer (guest pixels; server mouse mode). */
void                       piso_spice_session_get_cursor_position (PisoSpiceSession *self,
                                                                 gint             *x,
                                                                 gint             *y);
/* Asks the guest's agent to set display 0 to @width × @height guest pixels.
 * Requests settle for PISO_SPICE_RESOLUTION_DELAY_MS (the last one wins);
 * nothing is sent without a connected agent or when the guest already has
 * that size. Sizes are raised to at least 320 × 200 and the width rounded
 * down to a multiple of 8. */
void                       piso_spice_session_request_resolution (PisoSpiceSession *self,
                                                                 gint             width,
                                                                 gint             height);
/* A PC XT (set 1) scancode; 0xE0-prefixed keys as 0x100 | code. Ignored
 * without an inputs channel. */
void                       piso_spice_session_send_key          (PisoSpiceSession *self,
                                                                 guint             scancode,
                                                                 gboolean          press);

G_END_DECLS
