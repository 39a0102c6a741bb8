/* piso-assistive-watch.c: whether an assistive technology is listening
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-assistive-watch"

#include "config.h"

#include "piso-assistive-watch.h"

#define A11Y_BUS_NAME      "org.a11y.Bus"
#define A11Y_BUS_PATH      "/org/a11y/bus"
#define A11Y_STATUS_IFACE  "org.a11y.Status"
#define REGISTRY_NAME      "org.a11y.atspi.Registry"
#define REGISTRY_PATH      "/org/a11y/atspi/registry"
#define REGISTRY_IFACE     "org.a11y.atspi.Registry"

struct _PisoAssistiveWatch
{
  GObject          parent_instance;

  GCancellable    *cancellable;
  GDBusConnection *session_bus;
  GDBusConnection *a11y_bus;
  guint            status_signal;
  guint            registry_signal;
  guint            launcher_watch;     /* org.a11y.Bus on the session bus */
  guint            registry_watch;     /* the registry on the accessibility bus */

  gboolean         screen_reader_enabled;
  guint            listeners;          /* events registered with the registry */
  gboolean         listeners_querying;
  gboolean         listeners_stale;    /* changed while a query was under way */
  guint            first_answers;      /* of the two: status, listeners */

  gboolean         active;
  gboolean         ready;
};

G_DEFINE_FINAL_TYPE (PisoAssistiveWatch, piso_assistive_watch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACTIVE,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (PisoAssistiveWatch *self)
{
  gboolean active = self->screen_reader_enabled || self->listeners > 0;

  if (active != self->active)
    {
      self->active = active;
      g_debug ("an assistive technology is %s", active ? "listening" : "no longer listening");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
}

/* One of the first two answers came, or failed */
static void
answered (PisoAssistiveWatch *self)
{
  if (self->ready || ++self->first_answers < 2)
    return;
  self->ready = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static gboolean
cancelled (GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- the registry's listeners ---- */

static void query_listeners (PisoAssistiveWatch *self);

static void
listeners_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PisoAssistiveWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source),
                                                             result, &error);
  g_autoptr(GVariant) events = NULL;

  if (cancelled (error))
    return;
  self->listeners_querying = FALSE;
  if (reply == NULL)
    g_debug ("no answer from the accessibility registry: %s", error->message);
  else
    {
      events = g_variant_get_child_value (reply, 0);
      self->listeners = g_variant_n_children (events);
    }
  update (self);
  answered (self);
  if (self->listeners_stale)
    query_listeners (self);
}

static void
query_listeners (PisoAssistiveWatch *self)
{
  if (self->listeners_querying)
    {
      self->listeners_stale = TRUE;
      return;
    }
  self->listeners_querying = TRUE;
  self->listeners_stale = FALSE;
  g_dbus_connection_call (self->a11y_bus, REGISTRY_NAME, REGISTRY_PATH, REGISTRY_IFACE,
                          "GetRegisteredEvents", NULL, G_VARIANT_TYPE ("(a(ss))"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable,
                          listeners_cb, g_object_ref (self));
}

/* A listener came or went (also every listener of a program that quit):
 * counted again rather than followed, so that nothing can drift */
static void
registry_signal_cb (GDBusConnection *connection,
                    const char      *sender,
                    const char      *path,
                    const char      *interface,
                    const char      *signal,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  query_listeners (user_data);
}

/* Nothing here starts the registry (or the accessibility bus): an
 * assistive technology starts them, and a start raced by this watch once
 * left GTK's own registration unanswered, Piso missing from the desktop */
static void
registry_appeared_cb (GDBusConnection *connection,
                      const char      *name,
                      const char      *owner,
                      gpointer         user_data)
{
  query_listeners (user_data);
}

static void
registry_vanished_cb (GDBusConnection *connection,
                      const char      *name,
                      gpointer         user_data)
{
  PisoAssistiveWatch *self = user_data;

  self->listeners = 0;
  update (self);
  answered (self);
}

static void
a11y_bus_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PisoAssistiveWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_dbus_connection_new_for_address_finish (result, &error);

  if (cancelled (error))
    return;
  if (bus == NULL)
    {
      g_debug ("no accessibility bus: %s", error->message);
      answered (self);
      return;
    }
  self->a11y_bus = bus;
  self->registry_signal =
    g_dbus_connection_signal_subscribe (bus, NULL, REGISTRY_IFACE, NULL, REGISTRY_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, registry_signal_cb,
                                        self, NULL);
  self->registry_watch =
    g_bus_watch_name_on_connection (bus, REGISTRY_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    registry_appeared_cb, registry_vanished_cb, self, NULL);
}

static void
address_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PisoAssistiveWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source),
                                                             result, &error);
  const char *address = NULL;

  if (cancelled (error))
    return;
  if (reply == NULL)
    {
      g_debug ("no accessibility bus: %s", error->message);
      answered (self);
      return;
    }
  g_variant_get (reply, "(&s)", &address);
  g_dbus_connection_new_for_address (address,
                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                     NULL, self->cancellable, a11y_bus_cb, g_object_ref (self));
}

/* ---- the desktop's setting ---- */

static void
set_screen_reader_enabled (PisoAssistiveWatch *self,
                           GVariant           *value)
{
  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    self->screen_reader_enabled = g_variant_get_boolean (value);
  update (self);
}

static void
status_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PisoAssistiveWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source),
                                                             result, &error);
  g_autoptr(GVariant) value = NULL;

  if (cancelled (error))
    return;
  if (reply == NULL)
    g_debug ("no screen reader setting: %s", error->message);
  else
    {
      g_variant_get (reply, "(v)", &value);
      set_screen_reader_enabled (self, value);
    }
  answered (self);
}

static void
status_signal_cb (GDBusConnection *connection,
                  const char      *sender,
                  const char      *path,
                  const char      *interface,
                  const char      *signal,
                  GVariant        *parameters,
                  gpointer         user_data)
{
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) value = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  changed = g_variant_get_child_value (parameters, 1);
  value = g_variant_lookup_value (changed, "ScreenReaderEnabled", G_VARIANT_TYPE_BOOLEAN);
  if (value != NULL)
    set_screen_reader_enabled (user_data, value);
}

static void
launcher_appeared_cb (GDBusConnection *connection,
                      const char      *name,
                      const char      *owner,
                      gpointer         user_data)
{
  PisoAssistiveWatch *self = user_data;

  if (self->a11y_bus != NULL)
    return;
  g_dbus_connection_call (connection, A11Y_BUS_NAME, A11Y_BUS_PATH, "org.freedesktop.DBus.Properties",
                          "Get", g_variant_new ("(ss)", A11Y_STATUS_IFACE, "ScreenReaderEnabled"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->cancellable, status_cb, g_object_ref (self));
  g_dbus_connection_call (connection, A11Y_BUS_NAME, A11Y_BUS_PATH, A11Y_BUS_NAME, "GetAddress",
                          NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->cancellable, address_cb, g_object_ref (self));
}

/* No accessibility bus (yet): nothing listens there */
static void
launcher_vanished_cb (GDBusConnection *connection,
                      const char      *name,
                      gpointer         user_data)
{
  PisoAssistiveWatch *self = user_data;

  if (self->registry_watch != 0)
    g_bus_unwatch_name (self->registry_watch);
  if (self->registry_signal != 0)
    g_dbus_connection_signal_unsubscribe (self->a11y_bus, self->registry_signal);
  self->registry_watch = self->registry_signal = 0;
  if (self->a11y_bus != NULL)
    g_dbus_connection_close (self->a11y_bus, NULL, NULL, NULL);
  g_clear_object (&self->a11y_bus);
  self->listeners = 0;
  self->screen_reader_enabled = FALSE;
  update (self);
  answered (self);
  answered (self);
}

static void
session_bus_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PisoAssistiveWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (cancelled (error))
    return;
  if (bus == NULL)
    {
      g_debug ("no session bus: %s", error->message);
      answered (self);
      answered (self);
      return;
    }
  self->session_bus = bus;
  self->status_signal =
    g_dbus_connection_signal_subscribe (bus, A11Y_BUS_NAME, "org.freedesktop.DBus.Properties",
                                        "PropertiesChanged", A11Y_BUS_PATH, A11Y_STATUS_IFACE,
                                        G_DBUS_SIGNAL_FLAGS_NONE, status_signal_cb,
                                        self, NULL);
  self->launcher_watch =
    g_bus_watch_name_on_connection (bus, A11Y_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    launcher_appeared_cb, launcher_vanished_cb, self, NULL);
}

/* ---- the object ---- */

static void
piso_assistive_watch_dispose (GObject *object)
{
  PisoAssistiveWatch *self = PISO_ASSISTIVE_WATCH (object);

  g_cancellable_cancel (self->cancellable);
  if (self->launcher_watch != 0)
    g_bus_unwatch_name (self->launcher_watch);
  if (self->registry_watch != 0)
    g_bus_unwatch_name (self->registry_watch);
  self->launcher_watch = self->registry_watch = 0;
  if (self->status_signal != 0)
    g_dbus_connection_signal_unsubscribe (self->session_bus, self->status_signal);
  if (self->registry_signal != 0)
    g_dbus_connection_signal_unsubscribe (self->a11y_bus, self->registry_signal);
  self->status_signal = self->registry_signal = 0;
  g_clear_object (&self->session_bus);
  if (self->a11y_bus != NULL)
    g_dbus_connection_close (self->a11y_bus, NULL, NULL, NULL);
  g_clear_object (&self->a11y_bus);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (piso_assistive_watch_parent_class)->dispose (object);
}

static void
piso_assistive_watch_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PisoAssistiveWatch *self = PISO_ASSISTIVE_WATCH (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_assistive_watch_class_init (PisoAssistiveWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_assistive_watch_dispose;
  object_class->get_property = piso_assistive_watch_get_property;

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_assistive_watch_init (PisoAssistiveWatch *self)
{
  self->cancellable = g_cancellable_new ();
}

PisoAssistiveWatch *
piso_assistive_watch_new (void)
{
  PisoAssistiveWatch *self = g_object_new (PISO_TYPE_ASSISTIVE_WATCH, NULL);

  /* GTK offers nothing to assistive technologies then: none can be
   * using Piso, and no accessibility bus is started for this */
  if (g_strcmp0 (g_getenv ("GTK_A11Y"), "none") == 0)
    self->ready = TRUE;
  else
    g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, session_bus_cb, g_object_ref (self));
  return self;
}

/* Shared by the whole application, for as long as it runs */
PisoAssistiveWatch *
piso_assistive_watch_get_default (void)
{
  static PisoAssistiveWatch *watch;

  if (watch == NULL)
    watch = piso_assistive_watch_new ();
  return watch;
}

gboolean
piso_assistive_watch_get_active (PisoAssistiveWatch *self)
{
  g_return_val_if_fail (PISO_IS_ASSISTIVE_WATCH (self), FALSE);
  return self->active;
}

gboolean
piso_assistive_watch_get_ready (PisoAssistiveWatch *self)
{
  g_return_val_if_fail (PISO_IS_ASSISTIVE_WATCH (self), FALSE);
  return self->ready;
}
