/* piso-spice-session.c: a SPICE connection to a machine's screen (GLib only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-spice"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt-gconfig/libvirt-gconfig.h>

#include "piso-connection.h"
#include "piso-machine.h"
#include "piso-spice-session.h"

G_DEFINE_ENUM_TYPE (PisoSpiceMouseMode, piso_spice_mouse_mode,
  G_DEFINE_ENUM_VALUE (PISO_SPICE_MOUSE_MODE_SERVER, "server"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_MOUSE_MODE_CLIENT, "client"))

G_DEFINE_ENUM_TYPE (PisoSpiceState, piso_spice_state,
  G_DEFINE_ENUM_VALUE (PISO_SPICE_STATE_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_STATE_CONNECTED, "connected"))

G_DEFINE_ENUM_TYPE (PisoSpiceDisconnectReason, piso_spice_disconnect_reason,
  G_DEFINE_ENUM_VALUE (PISO_SPICE_DISCONNECT_REASON_NONE, "none"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, "machine-stopped"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS, "no-graphics"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_DISCONNECT_REASON_NETWORK, "network"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_DISCONNECT_REASON_AUTH, "auth"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_DISCONNECT_REASON_TLS, "tls"),
  G_DEFINE_ENUM_VALUE (PISO_SPICE_DISCONNECT_REASON_FAILED, "failed"))

struct _PisoSpiceSession
{
  GObject                    parent_instance;

  PisoMachine               *machine;
  PisoSpiceState             state;
  PisoSpiceDisconnectReason  reason;
  char                      *error_message;
  /* connect() called and no disconnect() since: follow the machine */
  gboolean                   wanted;
  guint                      holds;      /* piso_spice_session_hold() users */

  /* one connection attempt: all below is replaced by the next */
  SpiceSession              *session;
  GCancellable              *cancellable;
  GPtrArray                 *channels;   /* SpiceChannel, with our handlers */
  SpiceChannel              *main_channel;
  SpiceChannel              *display;    /* display 0 */
  SpiceInputsChannel        *inputs;

  SpiceChannel              *cursor_channel;

  /* a remote machine reached through its host's SSH login: each channel's
   * socket is "ssh -W address:port" through the master */
  PisoSshSession            *tunnel_ssh;
  char                      *tunnel_address;
  guint                      tunnel_port;

  gboolean                   agent_connected;
  gboolean                   has_inputs;   /* as last notified */
  PisoSpiceMouseMode         mouse_mode;

  /* the guest's pointer: its shape (RGBA, NULL: default), shown or hidden,
   * and in server mouse mode its position */
  PisoSpiceCursorState       cursor_state;
  GBytes                    *cursor_pixels;
  gint                       cursor_width;
  gint                       cursor_height;
  gint                       cursor_hot_x;
  gint                       cursor_hot_y;
  gint                       cursor_x;
  gint                       cursor_y;

  /* a resolution the agent should set, sent when the requests settle */
  guint                      resolution_timeout;
  gint                       wanted_width;
  gint                       wanted_height;

  gboolean                   has_primary;
  gint                       primary_format;
  gint                       primary_width;
  gint                       primary_height;
  gint                       primary_stride;
  guint8                    *primary_data;
};

G_DEFINE_FINAL_TYPE (PisoSpiceSession, piso_spice_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MACHINE,
  PROP_STATE,
  PROP_DISCONNECT_REASON,
  PROP_ERROR_MESSAGE,
  PROP_AGENT_CONNECTED,
  PROP_MOUSE_MODE,
  PROP_HAS_INPUTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PRIMARY_CREATE,
  SIGNAL_PRIMARY_DESTROY,
  SIGNAL_INVALIDATE,
  SIGNAL_CURSOR_CHANGED,
  SIGNAL_CURSOR_MOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The inputs channel may come before or after the main channel connects. */
static void
update_has_inputs (PisoSpiceSession *self)
{
  gboolean has_inputs = piso_spice_session_get_inputs (self) != NULL;

  if (self->has_inputs == has_inputs)
    return;
  self->has_inputs = has_inputs;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_INPUTS]);
}

static void
set_state (PisoSpiceSession *self,
           PisoSpiceState    state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  update_has_inputs (self);
}

static const char *
reason_message (PisoSpiceDisconnectReason reason)
{
  switch (reason)
    {
    case PISO_SPICE_DISCONNECT_REASON_NONE:
      return NULL;
    case PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED:
      return _("The machine is not running.");
    case PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS:
      return _("The machine has no SPICE display.");
    case PISO_SPICE_DISCONNECT_REASON_NETWORK:
      return _("The connection to the machine’s display was lost or could not be made.");
    case PISO_SPICE_DISCONNECT_REASON_AUTH:
      return _("The machine’s display refused the password.");
    case PISO_SPICE_DISCONNECT_REASON_TLS:
      return _("The secure connection to the machine’s display failed.");
    case PISO_SPICE_DISCONNECT_REASON_FAILED:
    default:
      return _("Could not connect to the machine’s display.");
    }
}

/* @message: a more precise sentence than the reason's, or NULL */
static void
set_reason (PisoSpiceSession          *self,
            PisoSpiceDisconnectReason  reason,
            const char                *message)
{
  const char *text = message != NULL ? message : reason_message (reason);

  if (self->reason != reason)
    {
      self->reason = reason;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCONNECT_REASON]);
    }
  if (g_strcmp0 (self->error_message, text) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
}

static void
set_agent_connected (PisoSpiceSession *self,
                     gboolean          connected)
{
  connected = !!connected;
  if (self->agent_connected == connected)
    return;
  self->agent_connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_CONNECTED]);
}

static void
set_mouse_mode (PisoSpiceSession   *self,
                PisoSpiceMouseMode  mode)
{
  if (self->mouse_mode == mode)
    return;
  self->mouse_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MOUSE_MODE]);
}

/* Reads both from the main channel (they change together on connect). */
static void
update_main_state (PisoSpiceSession *self)
{
  gboolean agent = FALSE;
  int mode = SPICE_MOUSE_MODE_SERVER;

  if (self->main_channel != NULL && self->state == PISO_SPICE_STATE_CONNECTED)
    g_object_get (self->main_channel, "agent-connected", &agent, "mouse-mode", &mode, NULL);
  set_agent_connected (self, agent);
  set_mouse_mode (self, mode == SPICE_MOUSE_MODE_CLIENT ? PISO_SPICE_MOUSE_MODE_CLIENT
                                                        : PISO_SPICE_MOUSE_MODE_SERVER);
}

static void
main_update_cb (SpiceChannel     *channel,
                PisoSpiceSession *self)
{
  update_main_state (self);
}

static void
set_cursor (PisoSpiceSession     *self,
            PisoSpiceCursorState  state,
            gint                  width,
            gint                  height,
            gint                  hot_x,
            gint                  hot_y,
            GBytes               *pixels)
{
  self->cursor_state = state;
  g_clear_pointer (&self->cursor_pixels, g_bytes_unref);
  if (pixels != NULL)
    self->cursor_pixels = g_bytes_ref (pixels);
  self->cursor_width = width;
  self->cursor_height = height;
  self->cursor_hot_x = hot_x;
  self->cursor_hot_y = hot_y;
  g_signal_emit (self, signals[SIGNAL_CURSOR_CHANGED], 0);
}

static void
cursor_set_cb (SpiceChannel     *channel,
               gint              width,
               gint              height,
               gint              hot_x,
               gint              hot_y,
               gpointer          rgba,
               PisoSpiceSession *self)
{
  g_autoptr(GBytes) pixels = NULL;

  /* NULL data: a cursor type the library cannot convert, use the default */
  if (rgba == NULL || width <= 0 || height <= 0)
    {
      set_cursor (self, PISO_SPICE_CURSOR_DEFAULT, 0, 0, 0, 0, NULL);
      return;
    }
  pixels = g_bytes_new (rgba, (gsize) width * height * 4);
  set_cursor (self, PISO_SPICE_CURSOR_SHAPE, width, height,
              CLAMP (hot_x, 0, width - 1), CLAMP (hot_y, 0, height - 1), pixels);
}

static void
cursor_hide_cb (SpiceChannel     *channel,
                PisoSpiceSession *self)
{
  if (self->cursor_state == PISO_SPICE_CURSOR_HIDDEN)
    return;
  /* keep the shape: a later "set" from the cache may not resend it */
  self->cursor_state = PISO_SPICE_CURSOR_HIDDEN;
  g_signal_emit (self, signals[SIGNAL_CURSOR_CHANGED], 0);
}

static void
cursor_reset_cb (SpiceChannel     *channel,
                 PisoSpiceSession *self)
{
  set_cursor (self, PISO_SPICE_CURSOR_DEFAULT, 0, 0, 0, 0, NULL);
}

static void
cursor_move_cb (SpiceChannel     *channel,
                gint              x,
                gint              y,
                PisoSpiceSession *self)
{
  self->cursor_x = x;
  self->cursor_y = y;
  g_signal_emit (self, signals[SIGNAL_CURSOR_MOVE], 0, x, y);
}

static void
drop_primary (PisoSpiceSession *self)
{
  if (!self->has_primary)
    return;
  self->has_primary = FALSE;
  self->primary_data = NULL;
  g_signal_emit (self, signals[SIGNAL_PRIMARY_DESTROY], 0);
}

static void
forget_channel (PisoSpiceSession *self,
                SpiceChannel     *channel)
{
  g_signal_handlers_disconnect_by_data (channel, self);
  if (channel == self->display)
    {
      drop_primary (self);
      self->display = NULL;
    }
  if (channel == self->main_channel)
    {
      self->main_channel = NULL;
      update_main_state (self);
    }
  if ((gpointer) channel == (gpointer) self->inputs)
    {
      self->inputs = NULL;
      update_has_inputs (self);
    }
  if (channel == self->cursor_channel)
    {
      self->cursor_channel = NULL;
      set_cursor (self, PISO_SPICE_CURSOR_DEFAULT, 0, 0, 0, 0, NULL);
    }
}

/* Ends the current attempt (if any) without touching state or reason. */
static void
teardown (PisoSpiceSession *self)
{
  SpiceSession *session = g_steal_pointer (&self->session);

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }

  if (self->channels != NULL)
    {
      for (guint i = 0; i < self->channels->len; i++)
        forget_channel (self, g_ptr_array_index (self->channels, i));
      g_ptr_array_set_size (self->channels, 0);
    }
  drop_primary (self);
  self->display = NULL;
  self->main_channel = NULL;
  self->inputs = NULL;
  update_has_inputs (self);
  self->cursor_channel = NULL;
  g_clear_object (&self->tunnel_ssh);
  g_clear_pointer (&self->tunnel_address, g_free);
  self->tunnel_port = 0;
  g_clear_handle_id (&self->resolution_timeout, g_source_remove);
  update_main_state (self);
  if (self->cursor_state != PISO_SPICE_CURSOR_DEFAULT)
    set_cursor (self, PISO_SPICE_CURSOR_DEFAULT, 0, 0, 0, 0, NULL);

  if (session != NULL)
    {
      g_signal_handlers_disconnect_by_data (session, self);
      spice_session_disconnect (session);
      g_object_unref (session);
    }
}

static void
fail (PisoSpiceSession          *self,
      PisoSpiceDisconnectReason  reason,
      const char                *message)
{
  teardown (self);
  set_reason (self, reason, message);
  set_state (self, PISO_SPICE_STATE_DISCONNECTED);
}

static gboolean
machine_runs (PisoSpiceSession *self)
{
  PisoMachineState state = piso_machine_get_state (self->machine);

  return state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED;
}

/* ---- primary surface ---- */

static void
display_primary_create_cb (SpiceChannel     *channel,
                           gint              format,
                           gint              width,
                           gint              height,
                           gint              stride,
                           gint              shmid,
                           gpointer          data,
                           PisoSpiceSession *self)
{
  drop_primary (self);
  self->has_primary = TRUE;
  self->primary_format = format;
  self->primary_width = width;
  self->primary_height = height;
  self->primary_stride = stride;
  self->primary_data = data;
  g_debug ("primary surface %dx%d format %d stride %d", width, height, format, stride);
  g_signal_emit (self, signals[SIGNAL_PRIMARY_CREATE], 0, format, width, height, stride, data);
}

static void
display_primary_destroy_cb (SpiceChannel     *channel,
                            PisoSpiceSession *self)
{
  drop_primary (self);
}

static void
display_invalidate_cb (SpiceChannel     *channel,
                       gint              x,
                       gint              y,
                       gint              w,
                       gint              h,
                       PisoSpiceSession *self)
{
  if (self->has_primary)
    g_signal_emit (self, signals[SIGNAL_INVALIDATE], 0, x, y, w, h);
}

/* ---- sockets from libvirt ---- */

static void
open_fd_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GVirDomain *domain = task_data;
  g_autoptr(GError) error = NULL;
  int fd;

  fd = gvir_domain_open_graphics_fd (domain, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH, &error);
  if (fd < 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, fd);
}

typedef struct
{
  PisoSpiceSession *self;      /* owned */
  SpiceChannel     *channel;   /* owned */
  GCancellable     *cancellable; /* owned: the attempt it belongs to */
} FdRequest;

static void
fd_request_free (FdRequest *request)
{
  g_object_unref (request->self);
  g_object_unref (request->channel);
  g_object_unref (request->cancellable);
  g_free (request);
}

static void
open_fd_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  FdRequest *request = user_data;
  PisoSpiceSession *self = request->self;
  g_autoptr(GError) error = NULL;
  int fd;

  fd = (int) g_task_propagate_int (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (request->cancellable) ||
      self->channels == NULL ||
      !g_ptr_array_find (self->channels, request->channel, NULL))
    {
      /* the attempt ended meanwhile */
      if (fd >= 0)
        g_close (fd, NULL);
    }
  else if (fd < 0)
    {
      g_debug ("no socket from libvirt: %s", error->message);
      if (!machine_runs (self))
        fail (self, PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, NULL);
      else
        fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
    }
  else if (!spice_channel_open_fd (request->channel, fd))
    {
      g_close (fd, NULL);
      fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
    }

  fd_request_free (request);
}

static void
channel_open_fd_cb (SpiceChannel     *channel,
                    gint              with_tls,
                    PisoSpiceSession *self)
{
  g_autoptr(GTask) task = NULL;
  FdRequest *request;

  request = g_new0 (FdRequest, 1);
  request->self = g_object_ref (self);
  request->channel = g_object_ref (channel);
  request->cancellable = g_object_ref (self->cancellable);

  /* the callback decides what to do with the fd, even when cancelled */
  task = g_task_new (NULL, NULL, open_fd_done, request);
  g_task_set_source_tag (task, channel_open_fd_cb);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_object_ref (piso_machine_get_gvir (self->machine)),
                        g_object_unref);
  g_task_run_in_thread (task, open_fd_thread);
}

/* ---- sockets through the host's SSH login ---- */

static void
channel_tunnel_fd_cb (SpiceChannel     *channel,
                      gint              with_tls,
                      PisoSpiceSession *self)
{
  g_autoptr(GError) error = NULL;
  int fd;

  if (self->tunnel_ssh == NULL)
    return;
  /* Only starts ssh (no round trip): fine on the main thread. */
  g_debug ("%s: tunnel to %s:%u", G_OBJECT_TYPE_NAME (channel), self->tunnel_address,
           self->tunnel_port);
  fd = piso_ssh_session_open_tunnel (self->tunnel_ssh, self->tunnel_address, self->tunnel_port,
                                     &error);
  if (fd < 0)
    {
      g_debug ("no tunnel: %s", error->message);
      fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
    }
  else if (!spice_channel_open_fd (channel, fd))
    {
      g_close (fd, NULL);
      fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
    }
}

/* ---- channels ---- */

static void
channel_event_cb (SpiceChannel      *channel,
                  SpiceChannelEvent  event,
                  PisoSpiceSession  *self)
{
  g_debug ("%s event %d", G_OBJECT_TYPE_NAME (channel), event);

  switch (event)
    {
    case SPICE_CHANNEL_OPENED:
      if (channel == self->main_channel)
        {
          set_reason (self, PISO_SPICE_DISCONNECT_REASON_NONE, NULL);
          set_state (self, PISO_SPICE_STATE_CONNECTED);
          update_main_state (self);
        }
      break;
    case SPICE_CHANNEL_CLOSED:
      if (channel == self->main_channel)
        fail (self, machine_runs (self) ? PISO_SPICE_DISCONNECT_REASON_NETWORK
                                        : PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, NULL);
      break;
    case SPICE_CHANNEL_ERROR_AUTH:
      fail (self, PISO_SPICE_DISCONNECT_REASON_AUTH, NULL);
      break;
    case SPICE_CHANNEL_ERROR_TLS:
      fail (self, PISO_SPICE_DISCONNECT_REASON_TLS, NULL);
      break;
    case SPICE_CHANNEL_ERROR_CONNECT:
    case SPICE_CHANNEL_ERROR_IO:
    case SPICE_CHANNEL_ERROR_LINK:
      /* a secondary channel failing (e.g. one the host does not allow)
       * leaves the screen usable */
      if (channel == self->main_channel || channel == self->display)
        fail (self, machine_runs (self) ? PISO_SPICE_DISCONNECT_REASON_NETWORK
                                        : PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, NULL);
      break;
    case SPICE_CHANNEL_NONE:
    case SPICE_CHANNEL_SWITCHING:
    default:
      break;
    }
}

static void
session_channel_new_cb (SpiceSession     *session,
                        SpiceChannel     *channel,
                        PisoSpiceSession *self)
{
  int id = 0;

  g_object_get (channel, "channel-id", &id, NULL);
  g_ptr_array_add (self->channels, g_object_ref (channel));

  g_signal_connect (channel, "channel-event", G_CALLBACK (channel_event_cb), self);
  if (piso_connection_is_local (piso_machine_get_connection (self->machine)))
    g_signal_connect (channel, "open-fd", G_CALLBACK (channel_open_fd_cb), self);
  else if (self->tunnel_ssh != NULL)
    g_signal_connect (channel, "open-fd", G_CALLBACK (channel_tunnel_fd_cb), self);

  if (SPICE_IS_MAIN_CHANNEL (channel))
    {
      self->main_channel = channel;
      g_signal_connect (channel, "main-agent-update", G_CALLBACK (main_update_cb), self);
      g_signal_connect (channel, "main-mouse-update", G_CALLBACK (main_update_cb), self);
    }
  else if (SPICE_IS_DISPLAY_CHANNEL (channel) && id == 0 && self->display == NULL)
    {
      SpiceDisplayPrimary primary;

      self->display = channel;
      g_signal_connect (channel, "display-primary-create",
                        G_CALLBACK (display_primary_create_cb), self);
      g_signal_connect (channel, "display-primary-destroy",
                        G_CALLBACK (display_primary_destroy_cb), self);
      g_signal_connect (channel, "display-invalidate",
                        G_CALLBACK (display_invalidate_cb), self);
      if (spice_display_channel_get_primary (channel, 0, &primary))
        display_primary_create_cb (channel, primary.format, primary.width, primary.height,
                                   primary.stride, primary.shmid, primary.data, self);
    }
  else if (SPICE_IS_INPUTS_CHANNEL (channel) && self->inputs == NULL)
    {
      self->inputs = SPICE_INPUTS_CHANNEL (channel);
      update_has_inputs (self);
    }
  else if (SPICE_IS_CURSOR_CHANNEL (channel) && self->cursor_channel == NULL)
    {
      self->cursor_channel = channel;
      g_signal_connect (channel, "cursor-set", G_CALLBACK (cursor_set_cb), self);
      g_signal_connect (channel, "cursor-hide", G_CALLBACK (cursor_hide_cb), self);
      g_signal_connect (channel, "cursor-reset", G_CALLBACK (cursor_reset_cb), self);
      g_signal_connect (channel, "cursor-move", G_CALLBACK (cursor_move_cb), self);
    }

  if (!SPICE_IS_MAIN_CHANNEL (channel))
    spice_channel_connect (channel);
}

static void
session_channel_destroy_cb (SpiceSession     *session,
                            SpiceChannel     *channel,
                            PisoSpiceSession *self)
{
  forget_channel (self, channel);
  g_ptr_array_remove (self->channels, channel);
}

static void
new_spice_session (PisoSpiceSession *self)
{
  self->session = spice_session_new ();
  g_signal_connect (self->session, "channel-new", G_CALLBACK (session_channel_new_cb), self);
  g_signal_connect (self->session, "channel-destroy",
                    G_CALLBACK (session_channel_destroy_cb), self);
}

/* ---- remote: host, ports and password from the graphics configuration ---- */

typedef struct
{
  gboolean  found;
  int       port;
  int       tls_port;
  char     *password;
  char     *listen;     /* the listen address, when the XML names one */
} SpiceGraphics;

static void
spice_graphics_free (SpiceGraphics *graphics)
{
  g_free (graphics->password);
  g_free (graphics->listen);
  g_free (graphics);
}

static void
replace_str (char       **slot,
             const char  *value)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

static int
parse_port (const char *text)
{
  gint64 port;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, -1, 65535, &port, NULL))
    return -1;
  return (int) port;
}

static void
graphics_start_element (GMarkupParseContext  *context,
                        const char           *element_name,
                        const char          **attribute_names,
                        const char          **attribute_values,
                        gpointer              user_data,
                        GError              **error)
{
  SpiceGraphics *graphics = user_data;

  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      const char *name = attribute_names[i];
      const char *value = attribute_values[i];

      if (g_str_equal (element_name, "graphics"))
        {
          if (g_str_equal (name, "port"))
            graphics->port = parse_port (value);
          else if (g_str_equal (name, "tlsPort"))
            graphics->tls_port = parse_port (value);
          else if (g_str_equal (name, "passwd"))
            replace_str (&graphics->password, value);
          else if (g_str_equal (name, "listen") && graphics->listen == NULL)
            replace_str (&graphics->listen, value);
        }
      else if (g_str_equal (element_name, "listen") && g_str_equal (name, "address"))
        replace_str (&graphics->listen, value);
    }
}

static void
read_graphics_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GVirDomain *domain = task_data;
  GVirConfigDomain *config;
  g_autoptr(GError) error = NULL;
  SpiceGraphics *graphics = g_new0 (SpiceGraphics, 1);
  GList *devices;

  graphics->port = graphics->tls_port = -1;

  config = gvir_domain_get_config (domain, GVIR_DOMAIN_XML_SECURE, &error);
  if (config == NULL)
    {
      spice_graphics_free (graphics);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  devices = gvir_config_domain_get_devices (config);
  for (GList *l = devices; l != NULL && !graphics->found; l = l->next)
    {
      static const GMarkupParser parser = { graphics_start_element, NULL, NULL, NULL, NULL };
      g_autoptr(GMarkupParseContext) context = NULL;
      g_autofree char *xml = NULL;

      if (!GVIR_CONFIG_IS_DOMAIN_GRAPHICS_SPICE (l->data))
        continue;
      graphics->found = TRUE;
      /* libvirt-gconfig has getters only for the port: read the element */
      xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (l->data));
      context = g_markup_parse_context_new (&parser, G_MARKUP_DEFAULT_FLAGS, graphics, NULL);
      if (!g_markup_parse_context_parse (context, xml, -1, NULL))
        graphics->port = graphics->tls_port = -1;
    }
  g_list_free_full (devices, g_object_unref);
  g_object_unref (config);

  g_task_return_pointer (task, graphics, (GDestroyNotify) spice_graphics_free);
}

static gboolean
is_wildcard (const char *address)
{
  return address == NULL || *address == '\0' ||
         g_str_equal (address, "0.0.0.0") || g_str_equal (address, "::") ||
         g_str_equal (address, "127.0.0.1") || g_str_equal (address, "::1") ||
         g_str_equal (address, "localhost");
}

static char *
connection_host (PisoSpiceSession *self)
{
  const char *uri = piso_connection_get_uri (piso_machine_get_connection (self->machine));
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return NULL;
  return g_strdup (g_uri_get_host (parsed));
}

static void
read_graphics_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FdRequest *request = user_data;   /* channel unused: the session itself */
  PisoSpiceSession *self = request->self;
  g_autoptr(GError) error = NULL;
  SpiceGraphics *graphics = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *host = NULL;
  PisoSshSession *ssh = piso_connection_get_ssh_session (piso_machine_get_connection (self->machine));

  if (g_cancellable_is_cancelled (request->cancellable))
    ;
  else if (graphics == NULL)
    {
      g_debug ("no configuration: %s", error->message);
      fail (self, machine_runs (self) ? PISO_SPICE_DISCONNECT_REASON_FAILED
                                      : PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, NULL);
    }
  else if (!graphics->found)
    fail (self, PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS, NULL);
  else if (graphics->port <= 0 && graphics->tls_port <= 0)
    fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED,
          _("The machine’s display accepts no network connections, and this host is remote."));
  else if (ssh != NULL && graphics->port <= 0)
    fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED,
          _("The machine’s display accepts only encrypted (TLS) connections, which Piso cannot "
            "reach through the SSH login. Give it a plain port listening on 127.0.0.1."));
  else if (ssh != NULL)
    {
      /* One login for every channel: never a direct connection, never
       * OpenGraphicsFD (it would end a remote connection). */
      new_spice_session (self);
      self->tunnel_ssh = g_object_ref (ssh);
      self->tunnel_address = g_strdup (is_wildcard (graphics->listen) ? "127.0.0.1"
                                                                     : graphics->listen);
      self->tunnel_port = (guint) graphics->port;
      g_object_set (self->session, "password", graphics->password, NULL);
      if (!spice_session_open_fd (self->session, -1))
        fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
    }
  else if ((host = is_wildcard (graphics->listen) ? connection_host (self)
                                                  : g_strdup (graphics->listen)) == NULL)
    fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
  else
    {
      g_autofree char *port = graphics->port > 0 ? g_strdup_printf ("%d", graphics->port) : NULL;
      g_autofree char *tls_port = graphics->tls_port > 0 ? g_strdup_printf ("%d", graphics->tls_port)
                                                         : NULL;

      new_spice_session (self);
      g_object_set (self->session,
                    "host", host,
                    "port", port,
                    "tls-port", tls_port,
                    "password", graphics->password,
                    NULL);
      if (!spice_session_connect (self->session))
        fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
    }

  if (graphics != NULL)
    spice_graphics_free (graphics);
  g_object_unref (request->self);
  g_object_unref (request->cancellable);
  g_free (request);
}

/* ---- connecting ---- */

static void
start_attempt (PisoSpiceSession *self)
{
  teardown (self);

  if (!piso_machine_get_has_graphics (self->machine))
    {
      fail (self, PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS, NULL);
      return;
    }
  if (!machine_runs (self) || piso_machine_get_gvir (self->machine) == NULL)
    {
      fail (self, PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, NULL);
      return;
    }

  self->cancellable = g_cancellable_new ();
  set_reason (self, PISO_SPICE_DISCONNECT_REASON_NONE, NULL);
  set_state (self, PISO_SPICE_STATE_CONNECTING);

  if (piso_connection_is_local (piso_machine_get_connection (self->machine)))
    {
      /* every channel, the main one included, asks for its socket by "open-fd" */
      new_spice_session (self);
      if (!spice_session_open_fd (self->session, -1))
        fail (self, PISO_SPICE_DISCONNECT_REASON_FAILED, NULL);
    }
  else
    {
      g_autoptr(GTask) task = NULL;
      FdRequest *request = g_new0 (FdRequest, 1);

      request->self = g_object_ref (self);
      request->cancellable = g_object_ref (self->cancellable);
      task = g_task_new (NULL, NULL, read_graphics_done, request);
      g_task_set_source_tag (task, start_attempt);
      g_task_set_check_cancellable (task, FALSE);
      g_task_set_task_data (task, g_object_ref (piso_machine_get_gvir (self->machine)),
                            g_object_unref);
      g_task_run_in_thread (task, read_graphics_thread);
    }
}

void
piso_spice_session_connect (PisoSpiceSession *self)
{
  g_return_if_fail (PISO_IS_SPICE_SESSION (self));

  self->wanted = TRUE;
  if (self->state != PISO_SPICE_STATE_DISCONNECTED)
    return;
  start_attempt (self);
}

void
piso_spice_session_disconnect (PisoSpiceSession *self)
{
  g_return_if_fail (PISO_IS_SPICE_SESSION (self));

  self->wanted = FALSE;
  teardown (self);
  set_reason (self, PISO_SPICE_DISCONNECT_REASON_NONE, NULL);
  set_state (self, PISO_SPICE_STATE_DISCONNECTED);
}

void
piso_spice_session_hold (PisoSpiceSession *self)
{
  g_return_if_fail (PISO_IS_SPICE_SESSION (self));

  if (self->holds++ == 0)
    piso_spice_session_connect (self);
}

void
piso_spice_session_release (PisoSpiceSession *self)
{
  g_return_if_fail (PISO_IS_SPICE_SESSION (self));
  g_return_if_fail (self->holds > 0);

  if (--self->holds == 0)
    piso_spice_session_disconnect (self);
}

static void
machine_state_cb (PisoMachine      *machine,
                  GParamSpec       *pspec,
                  PisoSpiceSession *self)
{
  if (!machine_runs (self))
    {
      /* also replaces a network error seen while QEMU went away */
      if (self->state != PISO_SPICE_STATE_DISCONNECTED || self->wanted)
        fail (self, PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED, NULL);
    }
  else if (self->wanted && self->state == PISO_SPICE_STATE_DISCONNECTED &&
           self->reason == PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED)
    start_attempt (self);
}

/* ---- accessors ---- */

PisoMachine *
piso_spice_session_get_machine (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), NULL);
  return self->machine;
}

PisoSpiceState
piso_spice_session_get_state (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), PISO_SPICE_STATE_DISCONNECTED);
  return self->state;
}

PisoSpiceDisconnectReason
piso_spice_session_get_disconnect_reason (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), PISO_SPICE_DISCONNECT_REASON_NONE);
  return self->reason;
}

const char *
piso_spice_session_get_error_message (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), NULL);
  return self->error_message;
}

gboolean
piso_spice_session_get_primary (PisoSpiceSession  *self,
                                gint              *format,
                                gint              *width,
                                gint              *height,
                                gint              *stride,
                                guint8           **data)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), FALSE);

  if (!self->has_primary)
    return FALSE;
  if (format != NULL)
    *format = self->primary_format;
  if (width != NULL)
    *width = self->primary_width;
  if (height != NULL)
    *height = self->primary_height;
  if (stride != NULL)
    *stride = self->primary_stride;
  if (data != NULL)
    *data = self->primary_data;
  return TRUE;
}

SpiceSession *
piso_spice_session_get_spice_session (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), NULL);
  return self->session;
}

SpiceMainChannel *
piso_spice_session_get_main_channel (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), NULL);
  if (self->state != PISO_SPICE_STATE_CONNECTED || self->main_channel == NULL)
    return NULL;
  return SPICE_MAIN_CHANNEL (self->main_channel);
}

gboolean
piso_spice_session_get_agent_connected (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), FALSE);
  return self->agent_connected;
}

PisoSpiceMouseMode
piso_spice_session_get_mouse_mode (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), PISO_SPICE_MOUSE_MODE_SERVER);
  return self->mouse_mode;
}

PisoSpiceCursorState
piso_spice_session_get_cursor (PisoSpiceSession  *self,
                               gint              *width,
                               gint              *height,
                               gint              *hot_x,
                               gint              *hot_y,
                               GBytes           **pixels)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), PISO_SPICE_CURSOR_DEFAULT);

  if (width != NULL)
    *width = self->cursor_width;
  if (height != NULL)
    *height = self->cursor_height;
  if (hot_x != NULL)
    *hot_x = self->cursor_hot_x;
  if (hot_y != NULL)
    *hot_y = self->cursor_hot_y;
  if (pixels != NULL)
    *pixels = self->cursor_pixels;
  return self->cursor_state;
}

void
piso_spice_session_get_cursor_position (PisoSpiceSession *self,
                                        gint             *x,
                                        gint             *y)
{
  g_return_if_fail (PISO_IS_SPICE_SESSION (self));

  if (x != NULL)
    *x = self->cursor_x;
  if (y != NULL)
    *y = self->cursor_y;
}

static gboolean
resolution_timeout_cb (gpointer user_data)
{
  PisoSpiceSession *self = user_data;
  SpiceMainChannel *main_channel = piso_spice_session_get_main_channel (self);

  self->resolution_timeout = 0;
  if (main_channel == NULL || !self->agent_connected)
    return G_SOURCE_REMOVE;
  if (self->has_primary && self->primary_width == self->wanted_width &&
      self->primary_height == self->wanted_height)
    return G_SOURCE_REMOVE;

  g_debug ("asking the agent for %dx%d", self->wanted_width, self->wanted_height);
  spice_main_channel_update_display_enabled (main_channel, 0, TRUE, FALSE);
  spice_main_channel_update_display (main_channel, 0, 0, 0,
                                     self->wanted_width, self->wanted_height, FALSE);
  spice_main_channel_send_monitor_config (main_channel);
  return G_SOURCE_REMOVE;
}

void
piso_spice_session_request_resolution (PisoSpiceSession *self,
                                       gint              width,
                                       gint              height)
{
  g_return_if_fail (PISO_IS_SPICE_SESSION (self));

  /* the agent and QXL want sizes that are not tiny, and widths the guest's
   * drivers handle (a multiple of 8 is safe for all of them) */
  width = MAX (width, 320) & ~7;
  height = MAX (height, 200);
  if (!self->agent_connected)
    return;
  if (self->resolution_timeout != 0 && width == self->wanted_width &&
      height == self->wanted_height)
    return;
  self->wanted_width = width;
  self->wanted_height = height;
  /* a window being dragged bigger sends many sizes: only the last counts */
  g_clear_handle_id (&self->resolution_timeout, g_source_remove);
  self->resolution_timeout = g_timeout_add (PISO_SPICE_RESOLUTION_DELAY_MS,
                                            resolution_timeout_cb, self);
}

SpiceInputsChannel *
piso_spice_session_get_inputs (PisoSpiceSession *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (self), NULL);
  return self->state == PISO_SPICE_STATE_CONNECTED ? self->inputs : NULL;
}

void
piso_spice_session_send_key (PisoSpiceSession *self,
                             guint             scancode,
                             gboolean          press)
{
  SpiceInputsChannel *inputs;

  g_return_if_fail (PISO_IS_SPICE_SESSION (self));

  inputs = piso_spice_session_get_inputs (self);
  if (inputs == NULL)
    return;
  if (press)
    spice_inputs_channel_key_press (inputs, scancode);
  else
    spice_inputs_channel_key_release (inputs, scancode);
}

/* ---- GObject ---- */

PisoSpiceSession *
piso_spice_session_new (PisoMachine *machine)
{
  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);
  return g_object_new (PISO_TYPE_SPICE_SESSION, "machine", machine, NULL);
}

/* machine → its shared session; no references either way (the session holds
 * its machine, so the key lives as long as the entry) */
static GHashTable *shared_sessions;

static void
shared_session_gone (gpointer  machine,
                     GObject  *where_the_session_was)
{
  if (shared_sessions != NULL &&
      g_hash_table_lookup (shared_sessions, machine) == (gpointer) where_the_session_was)
    g_hash_table_remove (shared_sessions, machine);
}

PisoSpiceSession *
piso_spice_session_peek_for_machine (PisoMachine *machine)
{
  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  if (shared_sessions == NULL)
    return NULL;
  return g_hash_table_lookup (shared_sessions, machine);
}

PisoSpiceSession *
piso_spice_session_get_for_machine (PisoMachine *machine)
{
  PisoSpiceSession *session;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  session = piso_spice_session_peek_for_machine (machine);
  if (session != NULL)
    return g_object_ref (session);

  if (shared_sessions == NULL)
    shared_sessions = g_hash_table_new (NULL, NULL);
  session = piso_spice_session_new (machine);
  g_hash_table_insert (shared_sessions, machine, session);
  g_object_weak_ref (G_OBJECT (session), shared_session_gone, machine);
  return session;
}

static void
piso_spice_session_constructed (GObject *object)
{
  PisoSpiceSession *self = PISO_SPICE_SESSION (object);

  G_OBJECT_CLASS (piso_spice_session_parent_class)->constructed (object);

  g_signal_connect_object (self->machine, "notify::state",
                           G_CALLBACK (machine_state_cb), self, G_CONNECT_DEFAULT);
}

static void
piso_spice_session_dispose (GObject *object)
{
  PisoSpiceSession *self = PISO_SPICE_SESSION (object);

  self->wanted = FALSE;
  teardown (self);
  g_clear_object (&self->machine);

  G_OBJECT_CLASS (piso_spice_session_parent_class)->dispose (object);
}

static void
piso_spice_session_finalize (GObject *object)
{
  PisoSpiceSession *self = PISO_SPICE_SESSION (object);

  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->cursor_pixels, g_bytes_unref);
  g_free (self->error_message);

  G_OBJECT_CLASS (piso_spice_session_parent_class)->finalize (object);
}

static void
piso_spice_session_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PisoSpiceSession *self = PISO_SPICE_SESSION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_DISCONNECT_REASON:
      g_value_set_enum (value, self->reason);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_AGENT_CONNECTED:
      g_value_set_boolean (value, self->agent_connected);
      break;
    case PROP_MOUSE_MODE:
      g_value_set_enum (value, self->mouse_mode);
      break;
    case PROP_HAS_INPUTS:
      g_value_set_boolean (value, self->has_inputs);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_spice_session_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PisoSpiceSession *self = PISO_SPICE_SESSION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      self->machine = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_spice_session_class_init (PisoSpiceSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = piso_spice_session_constructed;
  object_class->dispose = piso_spice_session_dispose;
  object_class->finalize = piso_spice_session_finalize;
  object_class->get_property = piso_spice_session_get_property;
  object_class->set_property = piso_spice_session_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, PISO_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PISO_TYPE_SPICE_STATE,
                       PISO_SPICE_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISCONNECT_REASON] =
    g_param_spec_enum ("disconnect-reason", NULL, NULL, PISO_TYPE_SPICE_DISCONNECT_REASON,
                       PISO_SPICE_DISCONNECT_REASON_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGENT_CONNECTED] =
    g_param_spec_boolean ("agent-connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MOUSE_MODE] =
    g_param_spec_enum ("mouse-mode", NULL, NULL, PISO_TYPE_SPICE_MOUSE_MODE,
                       PISO_SPICE_MOUSE_MODE_SERVER,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* piso_spice_session_get_inputs() is not NULL */
  properties[PROP_HAS_INPUTS] =
    g_param_spec_boolean ("has-inputs", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PRIMARY_CREATE] =
    g_signal_new ("primary-create", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 5,
                  G_TYPE_INT, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT, G_TYPE_POINTER);
  signals[SIGNAL_PRIMARY_DESTROY] =
    g_signal_new ("primary-destroy", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_INVALIDATE] =
    g_signal_new ("invalidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_INT, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT);
  signals[SIGNAL_CURSOR_CHANGED] =
    g_signal_new ("cursor-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CURSOR_MOVE] =
    g_signal_new ("cursor-move", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
}

static void
piso_spice_session_init (PisoSpiceSession *self)
{
  self->channels = g_ptr_array_new_with_free_func (g_object_unref);
}
