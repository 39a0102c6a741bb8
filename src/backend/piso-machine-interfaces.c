/* piso-machine-interfaces.c: adding, removing and changing network interfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-interfaces"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-devices.h"
#include "piso-machine-edit-private.h"
#include "piso-net-interface.h"

typedef struct
{
  char              *mac;       /* the interface to change; for additions, the new MAC (output) */
  PisoNetSourceKind  kind;
  char              *source;
  char              *model;
  gboolean           up;
} NetRequest;

static void
net_request_free (NetRequest *request)
{
  g_free (request->mac);
  g_free (request->source);
  g_free (request->model);
  g_free (request);
}

PisoNetInterface *
piso_machine_find_interface (PisoMachine *self,
                             const char  *mac)
{
  GListModel *interfaces;

  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  g_return_val_if_fail (mac != NULL, NULL);

  interfaces = piso_machine_get_interfaces (self);
  for (guint i = 0; i < g_list_model_get_n_items (interfaces); i++)
    {
      g_autoptr(PisoNetInterface) iface = g_list_model_get_item (interfaces, i);
      const char *address = piso_net_interface_get_mac (iface);

      if (address != NULL && g_ascii_strcasecmp (address, mac) == 0)
        return iface;   /* the model keeps its reference */
    }
  return NULL;
}

static const char *
kind_name (PisoNetSourceKind kind)
{
  return kind == PISO_NET_SOURCE_BRIDGE ? "bridge" : "network";
}

/* <interface type=…><source network|bridge=…/>: type and source, keeping
 * the rest (model, MAC, link, boot order). */
static void
set_source (xmlNodePtr         iface,
            PisoNetSourceKind  kind,
            const char        *source)
{
  _piso_xml_set_attr (iface, "type", kind_name (kind));
  _piso_xml_remove_children (iface, "source");
  _piso_xml_set_attr (xmlNewChild (iface, NULL, (const xmlChar *) "source", NULL), kind_name (kind),
                      source);
}

static void
set_link (xmlNodePtr iface,
          gboolean   up)
{
  _piso_xml_set_attr (_piso_xml_ensure_child (iface, "link"), "state", up ? "up" : "down");
}

static GHashTable *
macs_of (xmlDocPtr doc)
{
  GHashTable *macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  xmlNodePtr devices = _piso_xml_child (xmlDocGetRootElement (doc), "devices");

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    {
      char *mac = _piso_xml_is_element (n, "interface")
                  ? _piso_xml_attr (_piso_xml_child (n, "mac"), "address") : NULL;

      if (mac != NULL)
        g_hash_table_add (macs, g_ascii_strdown (mac, -1));
      g_free (mac);
    }
  return macs;
}

/* The MAC libvirt gave the interface it just added to the definition. */
static char *
new_mac (PisoEdit   *edit,
         GHashTable *before)
{
  g_autoptr(xmlDoc) doc = _piso_xml_parse_reply (virDomainGetXMLDesc (edit->handle,
                                                                      VIR_DOMAIN_XML_INACTIVE));
  g_autoptr(GHashTable) after = NULL;
  GHashTableIter iter;
  const char *mac;

  if (doc == NULL)
    return NULL;

  after = macs_of (doc);
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, (gpointer *) &mac, NULL))
    if (!g_hash_table_contains (before, mac))
      return g_strdup (mac);
  return NULL;
}

static gboolean
op_add_interface (PisoEdit  *edit,
                  gpointer   data,
                  GError   **error)
{
  NetRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not add a network interface to “%s”"), edit->name);
  g_autofree char *xml = NULL;
  xmlNodePtr iface = xmlNewNode (NULL, (const xmlChar *) "interface");

  set_source (iface, request->kind, request->source);
  _piso_xml_set_attr (xmlNewChild (iface, NULL, (const xmlChar *) "model", NULL), "type", request->model);

  if (edit->next != NULL)
    {
      g_autoptr(GHashTable) before = macs_of (edit->next);

      /* libvirt picks the MAC (its prefix, unique on the host); the running
       * machine must get the same one. */
      xmlAddChild (_piso_xml_devices (edit->next), iface);
      if (!_piso_edit_define (edit, context, error))
        return FALSE;
      request->mac = new_mac (edit, before);
      if (request->mac != NULL)
        _piso_xml_set_attr (xmlNewChild (iface, NULL, (const xmlChar *) "mac", NULL), "address",
                            request->mac);
      xml = _piso_xml_node_to_string (iface);
    }
  else
    {
      xml = _piso_xml_node_to_string (iface);
      xmlFreeNode (iface);
    }

  if (!edit->active)
    return TRUE;
  if (!_piso_edit_live_result (edit, virDomainAttachDeviceFlags (edit->handle, xml, VIR_DOMAIN_AFFECT_LIVE),
                               context, error))
    return FALSE;

  if (request->mac == NULL && (edit->scope & PISO_CHANGE_SCOPE_NOW) != 0)
    {
      /* A transient machine: the running XML has the new MAC. */
      g_autoptr(GHashTable) before = macs_of (edit->live);
      char *live_xml = virDomainGetXMLDesc (edit->handle, 0);
      g_autoptr(xmlDoc) doc = live_xml != NULL ? _piso_xml_parse (live_xml, FALSE, NULL, NULL) : NULL;
      g_autoptr(GHashTable) after = doc != NULL ? macs_of (doc) : NULL;
      GHashTableIter iter;
      const char *mac;

      free (live_xml);
      virResetLastError ();
      if (after != NULL)
        {
          g_hash_table_iter_init (&iter, after);
          while (request->mac == NULL && g_hash_table_iter_next (&iter, (gpointer *) &mac, NULL))
            if (!g_hash_table_contains (before, mac))
              request->mac = g_strdup (mac);
        }
    }
  return TRUE;
}

static gboolean
op_remove_interface (PisoEdit  *edit,
                     gpointer   data,
                     GError   **error)
{
  NetRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not remove the network interface %s of “%s”"),
                                              request->mac, edit->name);
  xmlNodePtr next_iface = edit->next != NULL ? _piso_xml_find_interface (edit->next, request->mac) : NULL;
  xmlNodePtr live_iface = edit->live != NULL ? _piso_xml_find_interface (edit->live, request->mac) : NULL;

  if (next_iface == NULL && live_iface == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("%s: it has no such interface."), context);
      return FALSE;
    }
  if (next_iface != NULL)
    {
      _piso_xml_remove (next_iface);
      if (!_piso_edit_define (edit, context, error))
        return FALSE;
    }
  if (live_iface != NULL && _piso_edit_detach_live (edit, live_iface, context, error) == PISO_DETACH_FAILED)
    return FALSE;
  return TRUE;
}

typedef void (*IfaceChange) (xmlNodePtr iface, NetRequest *request);

static void
change_source (xmlNodePtr  iface,
               NetRequest *request)
{
  set_source (iface, request->kind, request->source);
}

static void
change_link (xmlNodePtr  iface,
             NetRequest *request)
{
  set_link (iface, request->up);
}

/* Applies @change to the interface in the definition, then to a copy of
 * the running one, which libvirt updates in place. */
static gboolean
update_interface (PisoEdit     *edit,
                  NetRequest   *request,
                  IfaceChange   change,
                  const char   *context,
                  GError      **error)
{
  xmlNodePtr next_iface = edit->next != NULL ? _piso_xml_find_interface (edit->next, request->mac) : NULL;
  xmlNodePtr live_iface = edit->live != NULL ? _piso_xml_find_interface (edit->live, request->mac) : NULL;
  g_autofree char *xml = NULL;
  xmlNodePtr copy;

  if (next_iface == NULL && live_iface == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("%s: it has no such interface."), context);
      return FALSE;
    }
  if (next_iface != NULL)
    {
      change (next_iface, request);
      if (!_piso_edit_define (edit, context, error))
        return FALSE;
    }
  if (live_iface == NULL)
    {
      _piso_edit_next_start_only (edit);
      return TRUE;
    }

  copy = xmlDocCopyNode (live_iface, edit->live, 1);
  change (copy, request);
  xml = _piso_xml_node_to_string (copy);
  xmlFreeNode (copy);
  return _piso_edit_live_result (edit, virDomainUpdateDeviceFlags (edit->handle, xml, VIR_DOMAIN_AFFECT_LIVE),
                                 context, error);
}

static gboolean
op_set_interface_source (PisoEdit  *edit,
                         gpointer   data,
                         GError   **error)
{
  NetRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not connect the network interface %s of “%s” elsewhere"),
                                              request->mac, edit->name);

  return update_interface (edit, request, change_source, context, error);
}

static gboolean
op_set_interface_link (PisoEdit  *edit,
                       gpointer   data,
                       GError   **error)
{
  NetRequest *request = data;
  g_autofree char *context =
    request->up ? g_strdup_printf (_("Could not plug the network cable of %s of “%s”"), request->mac, edit->name)
                : g_strdup_printf (_("Could not unplug the network cable of %s of “%s”"), request->mac, edit->name);

  return update_interface (edit, request, change_link, context, error);
}

static GError *
check_source (PisoMachine       *self,
              PisoNetSourceKind  kind,
              const char        *source)
{
  if (source != NULL && source[0] != '\0')
    return NULL;
  return g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                      kind == PISO_NET_SOURCE_BRIDGE
                      ? _("Could not connect a network interface of “%s”: choose a bridge.")
                      : _("Could not connect a network interface of “%s”: choose a network."),
                      piso_machine_get_display_name (self));
}

void
piso_machine_add_interface_async (PisoMachine         *self,
                                  PisoNetSourceKind    kind,
                                  const char          *source,
                                  const char          *model,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  NetRequest *request;
  GError *error;

  g_return_if_fail (PISO_IS_MACHINE (self));

  if ((error = check_source (self, kind, source)) != NULL)
    {
      _piso_machine_edit_refuse (self, piso_machine_add_interface_async, error, callback, user_data);
      return;
    }

  request = g_new0 (NetRequest, 1);
  request->kind = kind;
  request->source = g_strdup (source);
  request->model = g_strdup (model);
  _piso_machine_run_edit_for_os (self, piso_machine_add_interface_async, op_add_interface, request,
                                 (GDestroyNotify) net_request_free, NULL, &request->model,
                                 cancellable, callback, user_data);
}

PisoChange *
piso_machine_add_interface_finish (PisoMachine   *self,
                                   GAsyncResult  *result,
                                   char         **mac,
                                   GError       **error)
{
  PisoChange *change = _piso_machine_edit_finish (self, result, piso_machine_add_interface_async, error);
  NetRequest *request = _piso_machine_edit_get_data (result);

  if (change != NULL && mac != NULL)
    *mac = g_strdup (request->mac);
  return change;
}

static void
run_interface_op (PisoMachine         *self,
                  gpointer             source_tag,
                  PisoEditFunc         func,
                  NetRequest          *request,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  _piso_machine_run_edit (self, source_tag, func, request, (GDestroyNotify) net_request_free,
                          cancellable, callback, user_data);
}

void
piso_machine_remove_interface_async (PisoMachine         *self,
                                     const char          *mac,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  NetRequest *request;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (mac != NULL);

  request = g_new0 (NetRequest, 1);
  request->mac = g_strdup (mac);
  run_interface_op (self, piso_machine_remove_interface_async, op_remove_interface, request,
                    cancellable, callback, user_data);
}

PisoChange *
piso_machine_remove_interface_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_remove_interface_async, error);
}

void
piso_machine_set_interface_source_async (PisoMachine         *self,
                                         const char          *mac,
                                         PisoNetSourceKind    kind,
                                         const char          *source,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  NetRequest *request;
  GError *error;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (mac != NULL);

  if ((error = check_source (self, kind, source)) != NULL)
    {
      _piso_machine_edit_refuse (self, piso_machine_set_interface_source_async, error, callback,
                                 user_data);
      return;
    }

  request = g_new0 (NetRequest, 1);
  request->mac = g_strdup (mac);
  request->kind = kind;
  request->source = g_strdup (source);
  run_interface_op (self, piso_machine_set_interface_source_async, op_set_interface_source, request,
                    cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_interface_source_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_interface_source_async, error);
}

void
piso_machine_set_interface_link_async (PisoMachine         *self,
                                       const char          *mac,
                                       gboolean             up,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  NetRequest *request;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (mac != NULL);

  request = g_new0 (NetRequest, 1);
  request->mac = g_strdup (mac);
  request->up = !!up;
  run_interface_op (self, piso_machine_set_interface_link_async, op_set_interface_link, request,
                    cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_interface_link_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_interface_link_async, error);
}
