/* piso-manager.c: the list of connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-manager"

#include "config.h"

#include <unistd.h>

#include "piso-connection.h"
#include "piso-manager.h"

struct _PisoManager
{
  GObject     parent_instance;
  GListStore *connections;
};

G_DEFINE_FINAL_TYPE (PisoManager, piso_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_manager_dispose (GObject *object)
{
  PisoManager *self = (PisoManager *)object;

  if (self->connections != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->connections)); i++)
      {
        g_autoptr(PisoConnection) connection =
          g_list_model_get_item (G_LIST_MODEL (self->connections), i);

        piso_connection_close (connection);
      }
  g_clear_object (&self->connections);

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
}

static void
piso_manager_init (PisoManager *self)
{
  self->connections = g_list_store_new (PISO_TYPE_CONNECTION);
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
      g_list_store_remove (self->connections, position);
      piso_connection_close (connection);
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
