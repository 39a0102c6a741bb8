/* piso-connection.c: opening, listing, dropping and reconnecting
 *
 * libvirt-glib's GVirConnection is used as the handle's GObject face, but
 * Piso opens the connection and registers its own event callbacks: gvir's
 * own callback makes synchronous libvirt calls on the main loop and does
 * not know rename events, and it has no close callback, so it cannot see
 * libvirtd going away.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-connection"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-backend-enums.h"
#include "piso-connection-private.h"
#include "piso-disk.h"

#define BACKOFF_MAX_S 30

G_DEFINE_FINAL_TYPE (PisoConnection, piso_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_DISPLAY_NAME,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_MACHINES,
  PROP_N_MACHINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { PROMPT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void connect_attempt (PisoConnection *self);
static void close_cb (virConnectPtr conn, int reason, void *opaque);

static void
set_state (PisoConnection      *self,
           PisoConnectionState  state,
           const char          *error_message)
{
  gboolean state_changed = self->state != state;

  if (piso_set_str (&self->error_message, error_message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);

  if (!state_changed)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->machines)); i++)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);

      _piso_machine_connection_state_changed (machine);
    }
}

static void
machines_changed_cb (PisoConnection *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MACHINES]);
}

typedef struct
{
  virConnectPtr         handle;
  int                   event_ids[PISO_CONNECTION_N_EVENTS];
  PisoConnectionTicket *close_ticket;  /* NULL when none was registered */
} CloseData;

static void
close_handle_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CloseData *data = task_data;

  /* Deregistering frees the callbacks' tickets; on a dead connection it
   * fails, and the close below frees them instead. */
  _piso_connection_deregister_events (data->handle, data->event_ids);
  if (data->close_ticket != NULL &&
      virConnectUnregisterCloseCallback (data->handle, close_cb) < 0)
    virResetLastError ();
  virConnectClose (data->handle);
  /* Unregistering waits for a running callback, so nothing uses it now. */
  if (data->close_ticket != NULL)
    _piso_connection_ticket_free (data->close_ticket);
  g_free (data);
  g_task_return_boolean (task, TRUE);
}

static void
close_handle_in_thread (virConnectPtr         handle,
                        const int            *event_ids,
                        PisoConnectionTicket *close_ticket)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  CloseData *data = g_new0 (CloseData, 1);

  data->handle = handle;
  memcpy (data->event_ids, event_ids, sizeof data->event_ids);
  data->close_ticket = close_ticket;
  g_task_set_source_tag (task, close_handle_in_thread);
  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, close_handle_thread);
}

/* Drops the handle; its callbacks are ignored from now on (generation). The
 * close happens in a thread: on a remote connection it is a round trip. */
static void
release_handle (PisoConnection *self)
{
  virConnectPtr handle = g_steal_pointer (&self->handle);
  PisoConnectionTicket *close_ticket = g_steal_pointer (&self->close_ticket);
  int event_ids[PISO_CONNECTION_N_EVENTS];

  memcpy (event_ids, self->event_ids, sizeof event_ids);
  self->generation++;
  self->reading_configs = FALSE;
  for (guint i = 0; i < PISO_CONNECTION_N_EVENTS; i++)
    self->event_ids[i] = -1;
  g_clear_object (&self->gvir);

  if (handle != NULL)
    close_handle_in_thread (handle, event_ids, close_ticket);
  else if (close_ticket != NULL)
    _piso_connection_ticket_free (close_ticket);
}

static void
complete_open_tasks (PisoConnection *self,
                     const GError   *error)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->open_tasks);

  self->open_tasks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
prompt_finished_cb (PisoSshPrompt  *prompt,
                    GParamSpec     *pspec,
                    PisoConnection *self)
{
  g_assert (PISO_IS_CONNECTION (self));

  g_signal_handlers_disconnect_by_data (prompt, self);
  g_ptr_array_remove (self->prompts, prompt);
}

static void
cancel_prompts (PisoConnection *self)
{
  g_autoptr(GPtrArray) prompts = NULL;

  if (self->prompts == NULL || self->prompts->len == 0)
    return;
  prompts = g_steal_pointer (&self->prompts);
  self->prompts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < prompts->len; i++)
    {
      g_signal_handlers_disconnect_by_data (prompts->pdata[i], self);
      piso_ssh_prompt_cancel (prompts->pdata[i]);
    }
}

void
_piso_connection_add_prompt (PisoConnection *self,
                             PisoSshPrompt  *prompt)
{
  g_assert (PISO_IS_CONNECTION (self));

  g_ptr_array_add (self->prompts, g_object_ref (prompt));
  g_signal_connect (prompt, "notify::finished", G_CALLBACK (prompt_finished_cb), self);
  g_signal_emit (self, signals[PROMPT], 0, prompt);
  /* Nobody to ask: the login fails rather than waits. */
  if (!g_signal_has_handler_pending (self, signals[PROMPT], 0, FALSE) &&
      !piso_ssh_prompt_get_finished (prompt))
    piso_ssh_prompt_cancel (prompt);
}

static void
piso_connection_dispose (GObject *object)
{
  PisoConnection *self = (PisoConnection *)object;

  self->closed = TRUE;
  cancel_prompts (self);
  g_clear_pointer (&self->prompts, g_ptr_array_unref);
  g_clear_object (&self->ssh);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->clone_links_source, g_source_remove);
  g_clear_object (&self->sampler);
  _piso_connection_clear_events (self);
  release_handle (self);

  if (self->open_tasks != NULL && self->open_tasks->len > 0)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("The connection was closed"));
      complete_open_tasks (self, error);
    }
  g_clear_pointer (&self->open_tasks, g_ptr_array_unref);

  if (self->machines != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->machines, self);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->machines)); i++)
        {
          g_autoptr(PisoMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);

          _piso_machine_set_handle (machine, NULL);
        }
    }
  g_clear_pointer (&self->by_uuid, g_hash_table_unref);
  g_clear_pointer (&self->pending_adds, g_hash_table_unref);
  g_clear_object (&self->machines);

  G_OBJECT_CLASS (piso_connection_parent_class)->dispose (object);
}

static void
piso_connection_finalize (GObject *object)
{
  PisoConnection *self = (PisoConnection *)object;

  g_free (self->uri);
  g_free (self->display_name);
  g_free (self->error_message);

  G_OBJECT_CLASS (piso_connection_parent_class)->finalize (object);
}

static void
piso_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PisoConnection *self = PISO_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI: g_value_set_string (value, self->uri); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, self->display_name); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_MACHINES: g_value_set_object (value, self->machines); break;
    case PROP_N_MACHINES:
      g_value_set_uint (value, self->machines ? g_list_model_get_n_items (G_LIST_MODEL (self->machines)) : 0);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_connection_class_init (PisoConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_connection_dispose;
  object_class->finalize = piso_connection_finalize;
  object_class->get_property = piso_connection_get_property;

  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PISO_TYPE_CONNECTION_STATE,
                       PISO_CONNECTION_STATE_DISCONNECTED, flags);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  properties[PROP_MACHINES] = g_param_spec_object ("machines", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_N_MACHINES] = g_param_spec_uint ("n-machines", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PisoConnection::prompt:
   * @prompt: a question of libvirt's own (user name, password of a SASL
   *   host) while the connection opens; answer it with its methods. Nobody
   *   listening: the question is cancelled and the attempt fails.
   */
  signals[PROMPT] =
    g_signal_new ("prompt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PISO_TYPE_SSH_PROMPT);
}

static void
piso_connection_init (PisoConnection *self)
{
  self->prompts = g_ptr_array_new_with_free_func (g_object_unref);
  self->machines = g_list_store_new (PISO_TYPE_MACHINE);
  self->by_uuid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending_adds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->open_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < PISO_CONNECTION_N_EVENTS; i++)
    self->event_ids[i] = -1;
  g_queue_init (&self->pending_events);
  g_signal_connect_swapped (self->machines, "items-changed",
                            G_CALLBACK (machines_changed_cb), self);
  self->sampler = piso_stats_sampler_new (self);
}

/* URIs */

static const char * const known_drivers[] = {
  "qemu", "test", "xen", "lxc", "vbox", "vmwareplayer", "vmwarews", "vmwarefusion",
  "esx", "gsx", "vpx", "bhyve", "ch", "openvz", "hyperv", "vz", NULL
};
static const char * const known_transports[] = {
  "unix", "ssh", "libssh", "libssh2", "tcp", "tls", "ext", NULL
};

gboolean
piso_connection_validate_uri (const char  *uri,
                              GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_auto(GStrv) scheme_parts = NULL;
  const char *path;
  const char *example = _("Use a URI such as qemu:///system, qemu:///session or qemu+ssh://user@host/system.");

  if (uri == NULL || *uri == '\0')
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   "%s %s", _("The URI is empty."), example);
      return FALSE;
    }

  if (strpbrk (uri, " \t\n") != NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   "%s %s", _("The URI cannot contain spaces."), example);
      return FALSE;
    }

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS, NULL);
  if (parsed == NULL || g_uri_get_scheme (parsed) == NULL || strstr (uri, ":/") == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   "%s %s", _("This is not a libvirt URI."), example);
      return FALSE;
    }

  scheme_parts = g_strsplit (g_uri_get_scheme (parsed), "+", 2);
  if (!g_strv_contains (known_drivers, scheme_parts[0]))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   _("“%s” is not a hypervisor driver libvirt knows. %s"), scheme_parts[0], example);
      return FALSE;
    }
  if (scheme_parts[1] != NULL && !g_strv_contains (known_transports, scheme_parts[1]))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   _("“%s” is not a transport libvirt knows (use ssh, tls, tcp or unix). %s"),
                   scheme_parts[1], example);
      return FALSE;
    }
  if (scheme_parts[1] != NULL && g_strcmp0 (scheme_parts[1], "unix") != 0 &&
      g_strcmp0 (scheme_parts[1], "ext") != 0 &&
      (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0'))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   _("A remote connection needs a host name, as in %s://user@host/system."),
                   g_uri_get_scheme (parsed));
      return FALSE;
    }

  path = g_uri_get_path (parsed);
  if (g_str_equal (scheme_parts[0], "qemu") &&
      g_strcmp0 (path, "/system") != 0 && g_strcmp0 (path, "/session") != 0 &&
      g_strcmp0 (path, "/embed") != 0)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   _("A QEMU connection ends in /system or /session, not “%s”. %s"),
                   path != NULL ? path : "", example);
      return FALSE;
    }
  if (g_str_equal (scheme_parts[0], "test") &&
      (path == NULL || path[0] != '/' || path[1] == '\0'))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_URI,
                   "%s", _("A test driver URI is test:///default or test:// followed by the absolute path of a file."));
      return FALSE;
    }

  return TRUE;
}

static char *
make_display_name (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS, NULL);
  g_auto(GStrv) scheme_parts = NULL;
  const char *host;
  const char *path;

  if (parsed == NULL || g_uri_get_scheme (parsed) == NULL)
    return g_strdup (uri);

  scheme_parts = g_strsplit (g_uri_get_scheme (parsed), "+", 2);
  host = g_uri_get_host (parsed);
  path = g_uri_get_path (parsed);
  if (host != NULL && *host == '\0')
    host = NULL;

  if (g_str_equal (scheme_parts[0], "test"))
    {
      g_autofree char *base = NULL;

      if (g_strcmp0 (path, "/default") == 0)
        return g_strdup (_("Test driver"));
      base = g_path_get_basename (path);
      /* TRANSLATORS: %s is a file name */
      return g_strdup_printf (_("Test driver (%s)"), base);
    }

  if (g_str_equal (scheme_parts[0], "qemu"))
    {
      if (host != NULL && g_strcmp0 (path, "/session") == 0)
        /* TRANSLATORS: %s is a host name */
        return g_strdup_printf (_("QEMU/KVM user session on %s"), host);
      if (host != NULL)
        /* TRANSLATORS: %s is a host name */
        return g_strdup_printf (_("QEMU/KVM on %s"), host);
      if (g_strcmp0 (path, "/session") == 0)
        return g_strdup (_("QEMU/KVM user session"));
      return g_strdup (_("QEMU/KVM"));
    }

  if (host != NULL)
    return g_strdup_printf ("%s (%s)", scheme_parts[0], host);
  return g_strdup (uri);
}

PisoConnection *
piso_connection_new (const char *uri)
{
  PisoConnection *self;

  g_return_val_if_fail (uri != NULL, NULL);

  self = g_object_new (PISO_TYPE_CONNECTION, NULL);
  self->uri = g_strdup (uri);
  self->display_name = make_display_name (uri);

  return self;
}

const char *
piso_connection_get_uri (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  return self->uri;
}

const char *
piso_connection_get_display_name (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  return self->display_name;
}

PisoConnectionState
piso_connection_get_state (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), PISO_CONNECTION_STATE_DISCONNECTED);
  return self->state;
}

const char *
piso_connection_get_error_message (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  return self->error_message;
}

GListModel *
piso_connection_get_machines (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  return G_LIST_MODEL (self->machines);
}

PisoMachine *
piso_connection_lookup_machine (PisoConnection *self,
                                const char     *uuid)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  return self->by_uuid ? g_hash_table_lookup (self->by_uuid, uuid) : NULL;
}

PisoMachine *
piso_connection_lookup_machine_by_name (PisoConnection *self,
                                        const char     *name)
{
  GHashTableIter iter;
  PisoMachine *machine;

  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_hash_table_iter_init (&iter, self->by_uuid);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &machine))
    if (g_strcmp0 (piso_machine_get_name (machine), name) == 0)
      return machine;

  return NULL;
}

gboolean
piso_connection_check_machine_name (PisoConnection  *self,
                                    const char      *name,
                                    PisoMachine     *renamed,
                                    GError         **error)
{
  PisoMachine *holder;

  g_return_val_if_fail (PISO_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (renamed == NULL || PISO_IS_MACHINE (renamed), FALSE);

  if (!piso_machine_validate_name (name, error))
    return FALSE;
  holder = piso_connection_lookup_machine_by_name (self, name);
  if (holder != NULL && holder != renamed)
    {
      /* Translators: %s is a machine's name */
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("A machine named “%s” already exists."), name);
      return FALSE;
    }
  return TRUE;
}

GVirConnection *
piso_connection_get_gvir (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  return self->gvir;
}

/* No host, or this one: nothing to authenticate to, no network */
gboolean
piso_connection_uri_is_local (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *host;

  g_return_val_if_fail (uri != NULL, FALSE);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS, NULL);
  if (parsed == NULL)
    return FALSE;
  host = g_uri_get_host (parsed);
  return host == NULL || *host == '\0' || g_str_equal (host, "localhost");
}

gboolean
piso_connection_is_local (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), FALSE);

  return piso_connection_uri_is_local (self->uri);
}

gboolean
_piso_connection_is_connected (PisoConnection *self)
{
  return self->state == PISO_CONNECTION_STATE_CONNECTED && self->handle != NULL;
}

virConnectPtr
_piso_connection_ref_handle (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);

  if (self->handle == NULL)
    return NULL;

  virConnectRef (self->handle);
  return self->handle;
}

gboolean
_piso_connection_path_used_by_other (PisoConnection  *self,
                                     PisoMachine     *except,
                                     const char      *path,
                                     char           **other_name)
{
  GHashTableIter iter;
  PisoMachine *machine;

  g_hash_table_iter_init (&iter, self->by_uuid);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &machine))
    {
      GListModel *disks;

      if (machine == except)
        continue;

      disks = piso_machine_get_disks (machine);
      for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
        {
          g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);

          if (g_strcmp0 (piso_disk_get_path (disk), path) == 0)
            {
              if (other_name != NULL)
                *other_name = g_strdup (piso_machine_get_display_name (machine));
              return TRUE;
            }
        }
    }

  return FALSE;
}

/* Machines in the model */

PisoMachine *
_piso_connection_ensure_machine (PisoConnection      *self,
                                 PisoMachineSnapshot *snapshot)
{
  PisoMachine *machine = g_hash_table_lookup (self->by_uuid, snapshot->uuid);

  if (machine != NULL)
    {
      _piso_machine_apply_snapshot (machine, snapshot);
      return machine;
    }

  machine = _piso_machine_new (self, snapshot);
  g_hash_table_insert (self->by_uuid, g_strdup (snapshot->uuid), machine);
  g_list_store_append (self->machines, machine);
  g_object_unref (machine);
  _piso_connection_queue_clone_links (self);

  return machine;
}

void
_piso_connection_remove_machine (PisoConnection *self,
                                 PisoMachine    *machine)
{
  guint position;

  if (!g_hash_table_remove (self->by_uuid, piso_machine_get_uuid (machine)))
    return;

  g_object_ref (machine);
  if (g_list_store_find (self->machines, machine, &position))
    g_list_store_remove (self->machines, position);
  /* Views that still show it see it become unavailable, not crash. */
  _piso_machine_set_handle (machine, NULL);
  {
    g_autoptr(GPtrArray) none = g_ptr_array_new ();

    _piso_machine_set_linked_clones (machine, none);
  }
  _piso_connection_queue_clone_links (self);
  g_object_unref (machine);
}

/* Opening and listing (worker thread) */

typedef struct
{
  char                 *uri;
  char                 *open_uri;      /* through the SSH session's master, or NULL */
  char                 *ssh_host;      /* for the diagnosis of an SSH connection */
  guint                 ssh_port;
  PisoConnectionTicket *ticket;        /* handed to libvirt once registered */
  PisoConnectionTicket *close_ticket;
  gboolean              close_registered;
  virConnectPtr         handle;
  int                   event_ids[PISO_CONNECTION_N_EVENTS];
  GPtrArray            *snapshots;     /* PisoMachineSnapshot */
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->uri);
  g_free (data->open_uri);
  g_free (data->ssh_host);
  /* A failed or superseded attempt: close first, then nothing can call back. */
  if (data->handle != NULL)
    virConnectClose (data->handle);
  if (data->ticket != NULL)
    _piso_connection_ticket_free (data->ticket);
  if (data->close_ticket != NULL)
    _piso_connection_ticket_free (data->close_ticket);
  g_clear_pointer (&data->snapshots, g_ptr_array_unref);
  g_free (data);
}

static GHashTable *
list_uuids (virConnectPtr conn,
            unsigned int  flags)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  virDomainPtr *doms = NULL;
  int n = virConnectListAllDomains (conn, &doms, flags);

  for (int i = 0; i < n; i++)
    {
      char uuid[VIR_UUID_STRING_BUFLEN];

      virDomainGetUUIDString (doms[i], uuid);
      g_hash_table_add (set, g_strdup (uuid));
      virDomainFree (doms[i]);
    }
  free (doms);

  return set;
}

/* One listing call, a few bulk calls for flags and state, then one XML read
 * per domain: the per-domain state calls of a naïve listing would be
 * thousands of round trips on a remote host. */
static GPtrArray *
read_all_machines (virConnectPtr   conn,
                   GError        **error)
{
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) _piso_machine_snapshot_free);
  g_autoptr(GHashTable) persistent = NULL;
  g_autoptr(GHashTable) autostart = NULL;
  g_autoptr(GHashTable) managed_save = NULL;
  g_autoptr(GHashTable) states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  virDomainStatsRecordPtr *records = NULL;
  virDomainPtr *doms = NULL;
  int n;
  int n_records;

  n = virConnectListAllDomains (conn, &doms, 0);
  if (n < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not list the machines"));
      return NULL;
    }

  persistent = list_uuids (conn, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
  autostart = list_uuids (conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART);
  managed_save = list_uuids (conn, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE);

  n_records = virConnectGetAllDomainStats (conn, VIR_DOMAIN_STATS_STATE, &records, 0);
  for (int i = 0; i < n_records; i++)
    {
      char uuid[VIR_UUID_STRING_BUFLEN];
      int state = VIR_DOMAIN_NOSTATE;

      virDomainGetUUIDString (records[i]->dom, uuid);
      for (int j = 0; j < records[i]->nparams; j++)
        if (g_str_equal (records[i]->params[j].field, "state.state"))
          state = records[i]->params[j].value.i;
      g_hash_table_insert (states, g_strdup (uuid), GINT_TO_POINTER (state + 1));
    }
  if (records != NULL)
    virDomainStatsRecordListFree (records);
  virResetLastError ();

  for (int i = 0; i < n; i++)
    {
      PisoMachineSnapshot *snapshot = g_new0 (PisoMachineSnapshot, 1);
      gpointer state_plus_one;

      snapshot->handle = doms[i];
      virDomainGetUUIDString (doms[i], snapshot->uuid);
      snapshot->persistent = g_hash_table_contains (persistent, snapshot->uuid);
      snapshot->autostart = g_hash_table_contains (autostart, snapshot->uuid);
      snapshot->managed_save = g_hash_table_contains (managed_save, snapshot->uuid);

      state_plus_one = g_hash_table_lookup (states, snapshot->uuid);
      if (state_plus_one != NULL)
        snapshot->state = _piso_machine_state_from_libvirt (GPOINTER_TO_INT (state_plus_one) - 1,
                                                            snapshot->managed_save);
      else
        {
          int state = VIR_DOMAIN_NOSTATE;

          virDomainGetState (doms[i], &state, NULL, 0);
          snapshot->state = _piso_machine_state_from_libvirt (state, snapshot->managed_save);
        }

      /* Definitions come afterwards (read_configs_thread): names and
       * states are enough to show the list, and one XML round trip per
       * machine is most of the cost of a listing, remote or not. */
      g_ptr_array_add (snapshots, snapshot);
    }
  free (doms);

  return g_steal_pointer (&snapshots);
}

/* What to do about the usual reasons a local daemon cannot be reached. */
static const char *
open_failure_hint (const char  *uri,
                   virErrorPtr  verr)
{
  gboolean local_qemu = g_str_has_prefix (uri, "qemu:///");

  if (verr == NULL || verr->message == NULL || !local_qemu)
    return NULL;

  if (strstr (verr->message, "No such file") != NULL ||
      strstr (verr->message, "Connection refused") != NULL)
    return g_str_has_prefix (uri, "qemu:///session")
      ? _("The user’s libvirt daemon could not be started: check that libvirt’s QEMU driver is installed")
      : _("The libvirt daemon is not running: start it (for example “sudo systemctl start libvirtd”) and press Retry");

  if (strstr (verr->message, "Permission denied") != NULL ||
      strstr (verr->message, "authentication") != NULL ||
      strstr (verr->message, "polkit") != NULL)
    return _("Your user is not allowed to manage the system’s machines: add it to the “libvirt” group, log in again and press Retry");

  return NULL;
}

/* Worker thread: a failed attempt closes what it opened here, not on the
 * main thread (a remote close is a round trip). */
static void
abandon_handle (OpenData *data)
{
  _piso_connection_deregister_events (data->handle, data->event_ids);
  if (data->close_registered &&
      virConnectUnregisterCloseCallback (data->handle, close_cb) < 0)
    virResetLastError ();
  data->close_registered = FALSE;
  virConnectClose (g_steal_pointer (&data->handle));
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 opened;

  /* libvirt's own questions go to the UI; the close ticket names this
   * attempt for them (it lives as long as the attempt). */
  data->handle = _piso_connection_open_auth (data->open_uri != NULL ? data->open_uri : data->uri,
                                             data->close_ticket);
  opened = g_get_monotonic_time ();
  if (data->handle == NULL && data->ssh_host != NULL)
    {
      /* ssh's and the remote shell's words, read into a plain explanation. */
      g_debug ("%s: %s", data->uri, virGetLastErrorMessage ());
      g_task_return_error (task, piso_ssh_error_new (virGetLastErrorMessage (), data->ssh_host,
                                                         data->ssh_port));
      return;
    }
  if (data->handle == NULL)
    {
      const char *hint = open_failure_hint (data->uri, virGetLastError ());

      _piso_set_error_from_libvirt (&error, _("Could not connect to %s"), data->uri);
      if (hint != NULL)
        {
          g_autofree char *message = g_strdup_printf ("%s. %s", error->message, hint);

          g_free (error->message);
          error->message = g_steal_pointer (&message);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Register before listing so no change is missed; events that arrive
   * while the listing runs are queued on the main thread and replayed. */
  if (!_piso_connection_register_events (data->handle, data->ticket, data->event_ids))
    {
      _piso_set_error_from_libvirt (&error, _("Could not follow the machines of %s"), data->uri);
      abandon_handle (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->ticket = NULL; /* libvirt owns it now */

  /* Not every driver frees a close callback's data when it is unregistered,
   * so the ticket stays Piso's and is freed after the unregistration. */
  if (virConnectRegisterCloseCallback (data->handle, close_cb, data->close_ticket, NULL) == 0)
    data->close_registered = TRUE;
  else
    virResetLastError ();

  /* Lets libvirt notice a host that went away without closing the socket. */
  if (!g_str_has_prefix (data->uri, "test:") && virConnectSetKeepAlive (data->handle, 5, 3) < 0)
    virResetLastError ();

  data->snapshots = read_all_machines (data->handle, &error);
  if (data->snapshots == NULL)
    {
      abandon_handle (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("%s: opened in %.0f ms, %u machines read in %.0f ms", data->uri,
           (opened - start) / 1000.0, data->snapshots->len,
           (g_get_monotonic_time () - opened) / 1000.0);

  g_task_return_boolean (task, TRUE);
}

static PisoConnectionTicket *
ticket_new (PisoConnection *self)
{
  PisoConnectionTicket *ticket = g_new0 (PisoConnectionTicket, 1);

  g_weak_ref_init (&ticket->self, self);
  ticket->generation = self->generation;
  return ticket;
}

static void schedule_retry (PisoConnection *self);

static void
apply_listing (PisoConnection *self,
               GPtrArray      *snapshots)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->machines));

  for (guint i = 0; i < snapshots->len; i++)
    {
      PisoMachineSnapshot *snapshot = g_ptr_array_index (snapshots, i);
      PisoMachine *machine = g_hash_table_lookup (self->by_uuid, snapshot->uuid);

      if (g_hash_table_contains (seen, snapshot->uuid))
        continue;

      if (machine != NULL)
        _piso_machine_apply_snapshot (machine, snapshot);
      else
        {
          machine = _piso_machine_new (self, snapshot);
          g_hash_table_insert (self->by_uuid, g_strdup (snapshot->uuid), machine);
          g_ptr_array_add (added, machine);
        }
      g_hash_table_add (seen, (gpointer) piso_machine_get_uuid (machine));
    }

  /* Machines that went away while the connection was down. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i - 1);

      if (!g_hash_table_contains (seen, piso_machine_get_uuid (machine)))
        _piso_connection_remove_machine (self, machine);
    }

  /* One items-changed for the whole listing: views sort and filter once. */
  if (added->len > 0)
    g_list_store_splice (self->machines,
                         g_list_model_get_n_items (G_LIST_MODEL (self->machines)), 0,
                         added->pdata, added->len);
}

static PisoConnectionTicket *ticket_new (PisoConnection *self);

/* Definitions of the listed machines, read in one batch once the list is
 * shown. A machine that an event changed meanwhile is left to the refresh
 * that event queued. */
typedef struct
{
  PisoMachine       *machine;
  virDomainPtr       handle;        /* owned reference */
  guint              event_serial;  /* the machine's when the read started */
  PisoMachineConfig *config;        /* NULL if the XML could not be read */
} ConfigRead;

static void
config_read_free (ConfigRead *read)
{
  g_clear_object (&read->machine);
  g_clear_pointer (&read->handle, _piso_domain_unref);
  g_clear_pointer (&read->config, _piso_machine_config_free);
  g_free (read);
}

static void
read_configs_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GPtrArray *reads = task_data;

  for (guint i = 0; i < reads->len; i++)
    {
      ConfigRead *read = g_ptr_array_index (reads, i);
      char *xml = virDomainGetXMLDesc (read->handle, 0);

      if (xml != NULL)
        {
          read->config = _piso_machine_config_parse (xml, NULL);
          free (xml);
        }
      else
        {
          /* It may have vanished since the listing. */
          virResetLastError ();
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
read_configs_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PisoConnectionTicket *ticket = user_data;
  g_autoptr(PisoConnection) self = g_weak_ref_get (&ticket->self);
  GPtrArray *reads = g_task_get_task_data (G_TASK (result));
  guint generation = ticket->generation;
  gint64 start = g_get_monotonic_time ();

  _piso_connection_ticket_free (ticket);

  /* Gone, or superseded: the newer attempt reads (and reports) its own. */
  if (self == NULL || self->closed || generation != self->generation)
    return;

  for (guint i = 0; i < reads->len; i++)
    {
      ConfigRead *read = g_ptr_array_index (reads, i);

      if (read->config != NULL &&
          g_hash_table_lookup (self->by_uuid, piso_machine_get_uuid (read->machine)) == read->machine)
        _piso_machine_apply_config (read->machine, read->handle, read->event_serial, read->config);
    }
  g_debug ("%s: %u definitions applied in %.1f ms", self->uri, reads->len,
           (g_get_monotonic_time () - start) / 1000.0);

  self->reading_configs = FALSE;
  set_state (self, PISO_CONNECTION_STATE_CONNECTED, NULL);
  complete_open_tasks (self, NULL);
}

static void
read_configs (PisoConnection *self)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *reads = g_ptr_array_new_with_free_func ((GDestroyNotify) config_read_free);
  GListModel *machines = G_LIST_MODEL (self->machines);

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      ConfigRead *read = g_new0 (ConfigRead, 1);

      read->machine = g_list_model_get_item (machines, i);
      read->handle = _piso_machine_ref_handle (read->machine);
      read->event_serial = _piso_machine_get_event_serial (read->machine);
      if (read->handle == NULL)
        config_read_free (read);
      else
        g_ptr_array_add (reads, read);
    }

  /* The read does not keep the connection alive: it may be dropped meanwhile. */
  self->reading_configs = TRUE;
  task = g_task_new (NULL, NULL, read_configs_cb, ticket_new (self));
  g_task_set_source_tag (task, read_configs);
  g_task_set_task_data (task, reads, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, read_configs_thread);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PisoConnection *self = PISO_CONNECTION (object);
  OpenData *data = g_task_get_task_data (G_TASK (result));
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;

  if (self->closed || generation != self->generation)
    {
      /* Superseded or closed meanwhile: let go of what the attempt opened,
       * off the main thread. */
      if (data->handle != NULL)
        close_handle_in_thread (g_steal_pointer (&data->handle), data->event_ids,
                                data->close_registered ? g_steal_pointer (&data->close_ticket) : NULL);
      return;
    }

  self->connecting = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->loading = FALSE;
      _piso_connection_clear_events (self);
      g_debug ("%s: %s", self->uri, error->message);
      set_state (self,
                 self->ever_connected ? PISO_CONNECTION_STATE_RECONNECTING
                                      : PISO_CONNECTION_STATE_FAILED,
                 error->message);
      complete_open_tasks (self, error);
      if (self->ever_connected)
        schedule_retry (self);
      return;
    }

  self->handle = g_steal_pointer (&data->handle);
  memcpy (self->event_ids, data->event_ids, sizeof self->event_ids);
  if (data->close_registered)
    self->close_ticket = g_steal_pointer (&data->close_ticket);
  self->gvir = g_object_new (GVIR_TYPE_CONNECTION, "uri", self->uri, "handle", self->handle, NULL);
  self->backoff_s = 0;

  {
    gint64 start = g_get_monotonic_time ();

    apply_listing (self, data->snapshots);
    g_debug ("%s: listing applied in %.1f ms", self->uri,
             (g_get_monotonic_time () - start) / 1000.0);
  }
  self->loading = FALSE;
  self->ever_connected = TRUE;
  _piso_connection_replay_events (self);
  piso_stats_sampler_set_active (self->sampler, TRUE);

  /* The list shows now; "connected" (and whoever waits for the
   * connection) comes once the definitions are read too. */
  read_configs (self);
}

static void
start_open_thread (PisoConnection *self)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  data = g_new0 (OpenData, 1);
  data->uri = g_strdup (self->uri);
  if (self->ssh != NULL)
    {
      data->open_uri = piso_ssh_session_wrap_uri (self->ssh, self->uri);
      data->ssh_host = g_strdup (piso_ssh_session_get_host (self->ssh));
      data->ssh_port = piso_ssh_session_get_port (self->ssh);
    }
  data->ticket = ticket_new (self);
  data->close_ticket = ticket_new (self);
  for (guint i = 0; i < PISO_CONNECTION_N_EVENTS; i++)
    data->event_ids[i] = -1;

  task = g_task_new (self, NULL, open_cb, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (task, connect_attempt);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

/* The host's SSH login is done (or failed): libvirt goes through it. */
static void
ssh_connected_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PisoConnectionTicket *ticket = user_data;
  g_autoptr(PisoConnection) self = g_weak_ref_get (&ticket->self);
  guint generation = ticket->generation;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  _piso_connection_ticket_free (ticket);
  ok = piso_ssh_session_connect_finish (PISO_SSH_SESSION (object), result, &error);
  if (self == NULL || self->closed || generation != self->generation)
    return;

  if (ok)
    {
      start_open_thread (self);
      return;
    }

  /* A refused password or host key needs the user, not a timer: the row
   * says what happened and offers Retry. */
  g_debug ("%s: SSH login failed: %s", self->uri, error->message);
  self->connecting = FALSE;
  self->loading = FALSE;
  _piso_connection_clear_events (self);
  set_state (self, PISO_CONNECTION_STATE_FAILED, error->message);
  complete_open_tasks (self, error);
}

static void
connect_attempt (PisoConnection *self)
{
  if (self->closed || self->connecting || self->reading_configs)
    return;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  release_handle (self);
  _piso_connection_clear_events (self);
  cancel_prompts (self);

  self->connecting = TRUE;
  self->loading = TRUE;
  set_state (self,
             self->ever_connected ? PISO_CONNECTION_STATE_RECONNECTING
                                  : PISO_CONNECTION_STATE_CONNECTING,
             self->ever_connected ? self->error_message : NULL);

  if (self->ssh != NULL && !piso_ssh_session_get_connected (self->ssh))
    piso_ssh_session_connect_async (self->ssh, NULL, ssh_connected_cb, ticket_new (self));
  else
    start_open_thread (self);
}

static gboolean
retry_timeout_cb (gpointer user_data)
{
  PisoConnection *self = user_data;

  self->retry_source = 0;
  connect_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (PisoConnection *self)
{
  if (self->closed)
    return;

  self->backoff_s = self->backoff_s == 0 ? 1 : MIN (self->backoff_s * 2, BACKOFF_MAX_S);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_seconds (self->backoff_s, retry_timeout_cb, self);
}

static const char *
close_reason_text (int reason)
{
  switch (reason)
    {
    case VIR_CONNECT_CLOSE_REASON_EOF:
      return _("The libvirt daemon closed the connection (it may have been restarted or stopped). Piso is reconnecting.");
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
      return _("The host stopped answering. Piso is reconnecting.");
    case VIR_CONNECT_CLOSE_REASON_CLIENT:
      return _("The connection was closed.");
    case VIR_CONNECT_CLOSE_REASON_ERROR:
    default:
      return _("The connection to the host was lost. Piso is reconnecting.");
    }
}

typedef struct
{
  PisoConnectionTicket *ticket;
  int                   reason;
} DropData;

static gboolean
handle_drop_idle (gpointer user_data)
{
  DropData *drop = user_data;
  g_autoptr(PisoConnection) self = g_weak_ref_get (&drop->ticket->self);

  if (self != NULL && !self->closed && drop->ticket->generation == self->generation &&
      self->handle != NULL)
    {
      g_debug ("%s: connection dropped (reason %d)", self->uri, drop->reason);

      piso_stats_sampler_set_active (self->sampler, FALSE);
      release_handle (self);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->machines)); i++)
        {
          g_autoptr(PisoMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);

          _piso_machine_set_handle (machine, NULL);
        }
      set_state (self, PISO_CONNECTION_STATE_RECONNECTING, close_reason_text (drop->reason));
      schedule_retry (self);
    }

  _piso_connection_ticket_free (drop->ticket);
  g_free (drop);
  return G_SOURCE_REMOVE;
}

static void
close_cb (virConnectPtr  conn,
          int            reason,
          void          *opaque)
{
  PisoConnectionTicket *ticket = opaque;
  DropData *drop = g_new0 (DropData, 1);
  g_autoptr(GObject) self = g_weak_ref_get (&ticket->self);

  /* libvirt forbids closing the connection from inside this callback. */
  drop->ticket = g_new0 (PisoConnectionTicket, 1);
  g_weak_ref_init (&drop->ticket->self, self);
  drop->ticket->generation = ticket->generation;
  drop->reason = reason;
  g_idle_add (handle_drop_idle, drop);
}

void
piso_connection_set_ssh_session (PisoConnection *self,
                                 PisoSshSession *session)
{
  g_return_if_fail (PISO_IS_CONNECTION (self));
  g_return_if_fail (session == NULL || PISO_IS_SSH_SESSION (session));

  g_set_object (&self->ssh, session);
}

PisoSshSession *
piso_connection_get_ssh_session (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  return self->ssh;
}

void
piso_connection_open_async (PisoConnection      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_connection_open_async);

  if (self->closed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The connection was closed"));
      return;
    }

  if (self->state == PISO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->open_tasks, g_steal_pointer (&task));
  connect_attempt (self);
}

gboolean
piso_connection_open_finish (PisoConnection  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
piso_connection_retry (PisoConnection *self)
{
  g_return_if_fail (PISO_IS_CONNECTION (self));

  if (self->closed || self->state == PISO_CONNECTION_STATE_CONNECTED || self->connecting ||
      self->reading_configs)
    return;

  connect_attempt (self);
}

void
piso_connection_close (PisoConnection *self)
{
  g_return_if_fail (PISO_IS_CONNECTION (self));

  if (self->closed)
    return;

  self->closed = TRUE;
  cancel_prompts (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  piso_stats_sampler_set_active (self->sampler, FALSE);
  _piso_connection_clear_events (self);
  release_handle (self);
  if (self->open_tasks->len > 0)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                     _("The connection was closed"));
      complete_open_tasks (self, error);
    }
  g_list_store_remove_all (self->machines);
  g_hash_table_remove_all (self->by_uuid);
  set_state (self, PISO_CONNECTION_STATE_DISCONNECTED, NULL);
}

/* Define */

typedef struct
{
  virConnectPtr handle;
  char         *xml;
} DefineData;

static void
define_data_free (DefineData *data)
{
  virConnectClose (data->handle);
  g_free (data->xml);
  g_free (data);
}

static void
define_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DefineData *data = task_data;
  g_autoptr(GError) error = NULL;
  virDomainPtr dom = virDomainDefineXML (data->handle, data->xml);
  PisoMachineSnapshot *snapshot;

  if (dom == NULL)
    {
      _piso_set_error_from_libvirt (&error, _("Could not define the machine"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  snapshot = _piso_machine_snapshot_read (dom);
  virDomainFree (dom);
  g_task_return_pointer (task, snapshot, (GDestroyNotify) _piso_machine_snapshot_free);
}

void
piso_connection_define_xml_async (PisoConnection      *self,
                                  const char          *xml,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DefineData *data;

  g_return_if_fail (PISO_IS_CONNECTION (self));
  g_return_if_fail (xml != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_connection_define_xml_async);

  if (self->handle == NULL)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                               _("Not connected to %s."), self->display_name);
      return;
    }

  data = g_new0 (DefineData, 1);
  data->handle = _piso_connection_ref_handle (self);
  data->xml = g_strdup (xml);
  g_task_set_task_data (task, data, (GDestroyNotify) define_data_free);
  g_task_run_in_thread (task, define_thread);
}

PisoMachine *
piso_connection_define_xml_finish (PisoConnection  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_autoptr(PisoMachineSnapshot) snapshot = NULL;

  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  snapshot = g_task_propagate_pointer (G_TASK (result), error);
  if (snapshot == NULL)
    return NULL;

  if (self->closed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The connection was closed"));
      return NULL;
    }

  return g_object_ref (_piso_connection_ensure_machine (self, snapshot));
}

/* Statistics are the sampler's; these forward to it. */

void
piso_connection_hold_stats (PisoConnection *self,
                            PisoMachine    *machine)
{
  g_return_if_fail (PISO_IS_CONNECTION (self));
  piso_stats_sampler_hold (self->sampler, machine);
}

void
piso_connection_release_stats (PisoConnection *self,
                               PisoMachine    *machine)
{
  g_return_if_fail (PISO_IS_CONNECTION (self));
  piso_stats_sampler_release (self->sampler, machine);
}

guint
piso_connection_get_stats_interval (PisoConnection *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), 0);
  return piso_stats_sampler_get_interval (self->sampler);
}

void
piso_connection_set_stats_interval (PisoConnection *self,
                                    guint           interval_ms)
{
  g_return_if_fail (PISO_IS_CONNECTION (self));
  piso_stats_sampler_set_interval (self->sampler, interval_ms);
}
