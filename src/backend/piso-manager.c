/* piso-manager.c: the list of connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-manager"

#include "config.h"

#include <unistd.h>

#include "piso-connection.h"
#include "piso-ssh-prompt.h"
#include "piso-manager.h"

struct _PisoManager
{
  GObject     parent_instance;
  GListStore *connections;
  GHashTable *ssh_sessions;   /* "user@host:port" → PisoSshSession */
};

G_DEFINE_FINAL_TYPE (PisoManager, piso_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { PROMPT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
piso_manager_dispose (GObject *object)
{
  PisoManager *self = (PisoManager *)object;

  if (self->connections != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->connections)); i++)
      {
        g_autoptr(PisoConnection) connection =
          g_list_model_get_item (G_LIST_MODEL (self->connections), i);

        g_signal_handlers_disconnect_by_data (connection, self);
        piso_connection_close (connection);
      }
  g_clear_object (&self->connections);
  if (self->ssh_sessions != NULL)
    {
      GHashTableIter iter;
      gpointer session;

      g_hash_table_iter_init (&iter, self->ssh_sessions);
      while (g_hash_table_iter_next (&iter, NULL, &session))
        g_signal_handlers_disconnect_by_data (session, self);
    }
  g_clear_pointer (&self->ssh_sessions, g_hash_table_unref);

  G_OBJECT_CLASS (piso_manager_parent_class)->dispose (object);
}

static void
piso_manager_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PisoManager *self = PISO_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CONNECTIONS:
      g_value_set_object (value, self->connections);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_manager_class_init (PisoManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_manager_dispose;
  object_class->get_property = piso_manager_get_property;

  properties[PROP_CONNECTIONS] =
    g_param_spec_object ("connections", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PisoManager::prompt:
   * @prompt: a question from a host's SSH login or from libvirt
   * @host: the host (as the URI names it) the question is about
   *
   * Answer it with the prompt's methods, now or later. Nobody listening:
   * the question is cancelled and the connection fails with a plain error.
   */
  signals[PROMPT] =
    g_signal_new ("prompt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, PISO_TYPE_SSH_PROMPT, G_TYPE_STRING);
}

static void
piso_manager_init (PisoManager *self)
{
  self->connections = g_list_store_new (PISO_TYPE_CONNECTION);
  self->ssh_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static void
forward_prompt (PisoManager   *self,
                PisoSshPrompt *prompt,
                const char    *host)
{
  g_assert (PISO_IS_MANAGER (self));

  g_signal_emit (self, signals[PROMPT], 0, prompt, host);
  if (!g_signal_has_handler_pending (self, signals[PROMPT], 0, FALSE) &&
      !piso_ssh_prompt_get_finished (prompt) &&
      piso_ssh_prompt_get_kind (prompt) != PISO_SSH_PROMPT_SECURITY_KEY_TOUCH)
    piso_ssh_prompt_cancel (prompt);
}

static void
session_prompt_cb (PisoSshSession *session,
                   PisoSshPrompt  *prompt,
                   PisoManager    *self)
{
  forward_prompt (self, prompt, piso_ssh_session_get_host (session));
}

static void
connection_prompt_cb (PisoConnection *connection,
                      PisoSshPrompt  *prompt,
                      PisoManager    *self)
{
  g_autoptr(GUri) parsed = g_uri_parse (piso_connection_get_uri (connection),
                                        G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS, NULL);
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;

  forward_prompt (self, prompt, host != NULL && *host != '\0' ? host : NULL);
}

PisoSshSession *
piso_manager_ensure_ssh_session (PisoManager *self,
                                 const char  *uri)
{
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  PisoSshSession *session;

  g_return_val_if_fail (PISO_IS_MANAGER (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  if ((key = piso_ssh_session_key_for_uri (uri)) == NULL)
    return NULL;
  if ((session = g_hash_table_lookup (self->ssh_sessions, key)) != NULL)
    return session;

  /* Without a private runtime directory, libvirt's own ssh runs as before. */
  if ((session = piso_ssh_session_new (uri, &error)) == NULL)
    {
      g_warning ("No SSH session for %s: %s", uri, error->message);
      return NULL;
    }
  g_signal_connect (session, "prompt", G_CALLBACK (session_prompt_cb), self);
  g_hash_table_insert (self->ssh_sessions, g_steal_pointer (&key), session);
  return session;
}

/* The last connection to a host is gone: so is its login. */
static void
drop_unused_session (PisoManager    *self,
                     PisoSshSession *session)
{
  GHashTableIter iter;
  gpointer value;

  g_assert (PISO_IS_MANAGER (self));

  if (session == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->connections)); i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (piso_connection_get_ssh_session (connection) == session)
        return;
    }
  g_hash_table_iter_init (&iter, self->ssh_sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == session)
      {
        g_signal_handlers_disconnect_by_data (session, self);
        g_hash_table_iter_remove (&iter);
        return;
      }
}

PisoManager *
piso_manager_new (void)
{
  return g_object_new (PISO_TYPE_MANAGER, NULL);
}

GListModel *
piso_manager_get_connections (PisoManager *self)
{
  g_return_val_if_fail (PISO_IS_MANAGER (self), NULL);
  return G_LIST_MODEL (self->connections);
}

PisoConnection *
piso_manager_lookup (PisoManager *self,
                     const char  *uri)
{
  g_return_val_if_fail (PISO_IS_MANAGER (self), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->connections)); i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (g_strcmp0 (piso_connection_get_uri (connection), uri) == 0)
        return connection;
    }

  return NULL;
}

PisoConnection *
piso_manager_add (PisoManager  *self,
                  const char   *uri,
                  GError      **error)
{
  g_autoptr(PisoConnection) connection = NULL;
  PisoConnection *existing;

  g_return_val_if_fail (PISO_IS_MANAGER (self), NULL);

  if (!piso_connection_validate_uri (uri, error))
    return NULL;

  if ((existing = piso_manager_lookup (self, uri)) != NULL)
    return existing;

  connection = piso_connection_new (uri);
  piso_connection_set_ssh_session (connection, piso_manager_ensure_ssh_session (self, uri));
  g_signal_connect (connection, "prompt", G_CALLBACK (connection_prompt_cb), self);
  g_list_store_append (self->connections, connection);
  /* The outcome shows in the connection's state and error message. */
  piso_connection_open_async (connection, NULL, NULL, NULL);

  return connection;
}

void
piso_manager_remove (PisoManager    *self,
                     PisoConnection *connection)
{
  guint position;

  g_return_if_fail (PISO_IS_MANAGER (self));
  g_return_if_fail (PISO_IS_CONNECTION (connection));

  if (g_list_store_find (self->connections, connection, &position))
    {
      g_object_ref (connection);
      g_signal_handlers_disconnect_by_data (connection, self);
      g_list_store_remove (self->connections, position);
      piso_connection_close (connection);
      drop_unused_session (self, piso_connection_get_ssh_session (connection));
      g_object_unref (connection);
    }
}

GStrv
piso_manager_get_default_uris (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean system_socket = g_file_test ("/run/libvirt/libvirt-sock", G_FILE_TEST_EXISTS) ||
                           g_file_test ("/var/run/libvirt/libvirt-sock", G_FILE_TEST_EXISTS);

  /* Like GNOME Boxes: the system instance when it is there, and the user's
   * own session. For root the session URI is the system instance, so it is
   * listed once. */
  if (system_socket || geteuid () == 0)
    g_strv_builder_add (builder, "qemu:///system");
  if (geteuid () != 0)
    g_strv_builder_add (builder, "qemu:///session");

  return g_strv_builder_end (builder);
}
