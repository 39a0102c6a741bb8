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

  /* one connection attempt: all below is replaced by the next */
  SpiceSession              *session;
  GCancellable              *cancellable;
  GPtrArray                 *channels;   /* SpiceChannel, with our handlers */
  SpiceChannel              *main_channel;
  SpiceChannel              *display;    /* display 0 */
  SpiceInputsChannel        *inputs;

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
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PRIMARY_CREATE,
  SIGNAL_PRIMARY_DESTROY,
  SIGNAL_INVALIDATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_state (PisoSpiceSession *self,
           PisoSpiceState    state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
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
    self->main_channel = NULL;
  if ((gpointer) channel == (gpointer) self->inputs)
    self->inputs = NULL;
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

  if (SPICE_IS_MAIN_CHANNEL (channel))
    self->main_channel = channel;
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
    self->inputs = SPICE_INPUTS_CHANNEL (channel);

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
}

static void
piso_spice_session_init (PisoSpiceSession *self)
{
  self->channels = g_ptr_array_new_with_free_func (g_object_unref);
}
