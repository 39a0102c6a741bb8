/* piso-connection-private.h: shared between piso-connection*.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-connection.h"
#include "piso-machine-private.h"
#include "piso-ssh-session.h"
#include "piso-stats-sampler.h"

G_BEGIN_DECLS

/* Lifecycle, then device removed / removal failed / added, tray, disk and
 * balloon changes (piso-connection-events.c). */
#define PISO_CONNECTION_N_EVENTS 7

/* Identifies which (re)connection a libvirt callback belongs to: callbacks
 * from an older handle are ignored. */
typedef struct
{
  GWeakRef self;
  guint    generation;
} PisoConnectionTicket;

struct _PisoConnection
{
  GObject              parent_instance;

  char                *uri;
  char                *display_name;
  PisoConnectionState  state;
  char                *error_message;

  GListStore          *machines;
  GHashTable          *by_uuid;         /* uuid → PisoMachine (the store holds the ref) */
  GHashTable          *pending_adds;    /* uuid → PendingAdd, reads in flight for new domains */

  virConnectPtr        handle;
  GVirConnection      *gvir;
  int                  event_ids[PISO_CONNECTION_N_EVENTS];
  PisoConnectionTicket *close_ticket;   /* registered with the handle */
  guint                generation;

  gboolean             ever_connected;
  gboolean             closed;
  gboolean             connecting;
  gboolean             loading;         /* listing in flight: events are queued */
  gboolean             reading_configs; /* listed; definitions being read */
  GQueue               pending_events;  /* QueuedEvent */
  GPtrArray           *open_tasks;      /* GTask waiting for the first outcome */

  guint                retry_source;
  guint                clone_links_source;  /* idle: recompute the linked clones */
  guint                backoff_s;

  PisoStatsSampler    *sampler;

  PisoSshSession      *ssh;             /* the host's login, for "…+ssh://" URIs */
  GPtrArray           *prompts;         /* PisoSshPrompt: libvirt's questions in flight */
};

void _piso_connection_handle_event (PisoConnection *self,
                                    virDomainPtr    dom,
                                    int             event,
                                    int             detail);
void _piso_connection_replay_events (PisoConnection *self);
void _piso_connection_queue_event   (PisoConnection *self,
                                     virDomainPtr    dom,
                                     int             event,
                                     int             detail);
void _piso_connection_clear_events  (PisoConnection *self);
/* Adds a machine for @snapshot or updates the one with its UUID. */
PisoMachine *_piso_connection_ensure_machine (PisoConnection      *self,
                                              PisoMachineSnapshot *snapshot);
void _piso_connection_remove_machine (PisoConnection *self,
                                      PisoMachine    *machine);

/* libvirt callbacks (piso-connection-events.c), opaque = PisoConnectionTicket */
int  _piso_connection_lifecycle_cb  (virConnectPtr conn,
                                     virDomainPtr  dom,
                                     int           event,
                                     int           detail,
                                     void         *opaque);
void _piso_connection_ticket_free   (void         *opaque);
/* Worker thread: registers every event Piso follows on @handle, the
 * lifecycle one with @ticket (libvirt owns it then), the others with
 * copies. FALSE (libvirt's error set) when the lifecycle one failed. */
gboolean _piso_connection_register_events   (virConnectPtr          handle,
                                             PisoConnectionTicket  *ticket,
                                             int                    ids[PISO_CONNECTION_N_EVENTS]);
void     _piso_connection_deregister_events (virConnectPtr          handle,
                                             int                    ids[PISO_CONNECTION_N_EVENTS]);

/* Worker thread: virConnectOpenAuth with libvirt's credentials asked
 * through the connection's "prompt" (piso-connection-auth.c); @ticket names
 * the attempt, so a superseded one's questions are cancelled. */
virConnectPtr _piso_connection_open_auth (const char           *uri,
                                          PisoConnectionTicket *ticket);
/* Main thread: keeps @prompt until it is answered and emits "prompt". */
void _piso_connection_add_prompt (PisoConnection *self,
                                  PisoSshPrompt  *prompt);

G_END_DECLS
