/* piso-domain-xml.c: reading and editing domain XML with libxml2
 *
 * Walking the tree is several times faster than XPath, and start-up parses
 * one definition per machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-domain-xml"

#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpathInternals.h>

#include "piso-backend-types.h"
#include "piso-domain-xml-private.h"

gboolean
_piso_xml_is_element (xmlNodePtr  node,
                      const char *name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         xmlStrEqual (node->name, (const xmlChar *) name);
}

xmlNodePtr
_piso_xml_child (xmlNodePtr  parent,
                 const char *name)
{
  if (parent == NULL)
    return NULL;
  for (xmlNodePtr n = parent->children; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, name))
      return n;
  return NULL;
}

xmlNodePtr
_piso_xml_ensure_child (xmlNodePtr  parent,
                        const char *name)
{
  xmlNodePtr child = _piso_xml_child (parent, name);

  if (child == NULL)
    child = xmlNewChild (parent, NULL, (const xmlChar *) name, NULL);
  return child;
}

void
_piso_xml_remove (xmlNodePtr node)
{
  if (node == NULL)
    return;
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

void
_piso_xml_remove_children (xmlNodePtr  parent,
                           const char *name)
{
  xmlNodePtr n = parent != NULL ? parent->children : NULL;

  while (n != NULL)
    {
      xmlNodePtr next = n->next;

      if (_piso_xml_is_element (n, name))
        _piso_xml_remove (n);
      n = next;
    }
}

char *
_piso_xml_text (xmlNodePtr node)
{
  xmlChar *content;
  char *ret;

  if (node == NULL || (content = xmlNodeGetContent (node)) == NULL)
    return NULL;

  ret = g_strstrip (g_strdup ((const char *) content));
  xmlFree (content);
  if (ret[0] == '\0')
    g_clear_pointer (&ret, g_free);
  return ret;
}

char *
_piso_xml_child_text (xmlNodePtr  parent,
                      const char *name)
{
  return _piso_xml_text (_piso_xml_child (parent, name));
}

char *
_piso_xml_attr (xmlNodePtr  node,
                const char *name)
{
  xmlChar *value;
  char *ret;

  if (node == NULL || (value = xmlGetProp (node, (const xmlChar *) name)) == NULL)
    return NULL;

  ret = g_strdup ((const char *) value);
  xmlFree (value);
  return ret;
}

char *
_piso_xml_first_attr (xmlNodePtr          node,
                      const char * const *names)
{
  for (guint i = 0; node != NULL && names[i] != NULL; i++)
    {
      char *value = _piso_xml_attr (node, names[i]);

      if (value != NULL)
        return value;
    }
  return NULL;
}

gboolean
_piso_xml_attr_is (xmlNodePtr  node,
                   const char *name,
                   const char *value)
{
  g_autofree char *actual = _piso_xml_attr (node, name);

  return g_strcmp0 (actual, value) == 0;
}

void
_piso_xml_set_attr (xmlNodePtr  node,
                    const char *name,
                    const char *value)
{
  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) value);
}

xmlDocPtr
_piso_xml_parse (const char  *xml,
                 gboolean     keep_blanks,
                 guint       *line,
                 GError     **error)
{
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt ();
  int options = XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR | XML_PARSE_BIG_LINES;
  xmlDocPtr doc;

  if (line != NULL)
    *line = 0;
  if (!keep_blanks)
    options |= XML_PARSE_NOBLANKS;

  /* A context of our own: its error belongs to this call, not to whatever
   * another thread parsed last. */
  doc = xmlCtxtReadMemory (ctxt, xml, strlen (xml), "domain.xml", NULL, options);
  if (doc == NULL || !ctxt->wellFormed)
    {
      const xmlError *err = xmlCtxtGetLastError (ctxt);
      g_autofree char *message = NULL;

      if (err != NULL && err->message != NULL)
        message = g_strstrip (g_strdup (err->message));
      if (err != NULL && err->line > 0)
        {
          if (line != NULL)
            *line = err->line;
          /* Translators: an XML syntax error; %d is the line, %s libxml2's words */
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_XML,
                       _("The XML is not well formed (line %d): %s"), err->line,
                       message != NULL ? message : _("unknown error"));
        }
      else
        g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_XML,
                     _("The XML is not well formed: %s"),
                     message != NULL ? message : _("unknown error"));
      if (doc != NULL)
        xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }

  xmlFreeParserCtxt (ctxt);
  return doc;
}

xmlDocPtr
_piso_xml_parse_root (const char  *xml,
                      const char  *root,
                      GError     **error)
{
  xmlDocPtr doc = _piso_xml_parse (xml, TRUE, NULL, NULL);

  if (doc == NULL || !_piso_xml_is_element (xmlDocGetRootElement (doc), root))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("libvirt sent a description that is not valid XML (expected <%s>)."), root);
      g_clear_pointer (&doc, xmlFreeDoc);
    }
  return doc;
}

xmlDocPtr
_piso_xml_parse_reply (char *xml)
{
  xmlDocPtr doc;

  if (xml == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  doc = _piso_xml_parse (xml, FALSE, NULL, NULL);
  free (xml);
  return doc;
}

static xmlXPathObjectPtr
evaluate (xmlDocPtr   doc,
          xmlNodePtr  context,
          const char *expr)
{
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr result;

  xmlXPathRegisterNs (ctx, (const xmlChar *) PISO_METADATA_PREFIX,
                      (const xmlChar *) PISO_METADATA_NS);
  ctx->node = context != NULL ? context : xmlDocGetRootElement (doc);
  result = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  xmlXPathFreeContext (ctx);
  if (result == NULL)
    g_critical ("Bad XPath expression %s", expr);
  return result;
}

GPtrArray *
_piso_xml_nodes (xmlDocPtr   doc,
                 xmlNodePtr  context,
                 const char *expr)
{
  xmlXPathObjectPtr result = evaluate (doc, context, expr);
  GPtrArray *nodes = g_ptr_array_new ();

  if (result != NULL && result->type == XPATH_NODESET && result->nodesetval != NULL)
    for (int i = 0; i < result->nodesetval->nodeNr; i++)
      g_ptr_array_add (nodes, result->nodesetval->nodeTab[i]);
  if (result != NULL)
    xmlXPathFreeObject (result);
  return nodes;
}

xmlNodePtr
_piso_xml_node (xmlDocPtr   doc,
                xmlNodePtr  context,
                const char *expr)
{
  g_autoptr(GPtrArray) nodes = _piso_xml_nodes (doc, context, expr);

  return nodes->len > 0 ? g_ptr_array_index (nodes, 0) : NULL;
}

char *
_piso_xml_string (xmlDocPtr   doc,
                  xmlNodePtr  context,
                  const char *expr)
{
  g_autofree char *wrapped = g_strdup_printf ("string(%s)", expr);
  xmlXPathObjectPtr result = evaluate (doc, context, wrapped);
  char *value = NULL;

  if (result != NULL && result->type == XPATH_STRING && result->stringval != NULL)
    {
      value = g_strstrip (g_strdup ((const char *) result->stringval));
      if (*value == '\0')
        g_clear_pointer (&value, g_free);
    }
  if (result != NULL)
    xmlXPathFreeObject (result);
  return value;
}

void
_piso_xml_set_text (xmlNodePtr  node,
                    const char *text)
{
  xmlChar *escaped = xmlEncodeSpecialChars (node->doc, (const xmlChar *) (text != NULL ? text : ""));

  xmlNodeSetContent (node, escaped);
  xmlFree (escaped);
}

char *
_piso_xml_to_string (xmlDocPtr doc)
{
  xmlChar *text = NULL;
  int size = 0;
  char *ret;

  xmlDocDumpFormatMemory (doc, &text, &size, 1);
  ret = g_strndup ((const char *) text, size);
  xmlFree (text);
  return ret;
}

char *
_piso_xml_node_to_string (xmlNodePtr node)
{
  xmlBufferPtr buffer = xmlBufferCreate ();
  char *ret;

  xmlNodeDump (buffer, node->doc, node, 0, 1);
  ret = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  return ret;
}

xmlNodePtr
_piso_xml_devices (xmlDocPtr doc)
{
  return _piso_xml_ensure_child (xmlDocGetRootElement (doc), "devices");
}

xmlNodePtr
_piso_xml_find_disk (xmlDocPtr   doc,
                     const char *target)
{
  xmlNodePtr devices = _piso_xml_child (xmlDocGetRootElement (doc), "devices");

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, "disk") &&
        _piso_xml_attr_is (_piso_xml_child (n, "target"), "dev", target))
      return n;
  return NULL;
}

gconstpointer
_piso_find_by_target (GPtrArray  *items,
                      const char *target)
{
  for (guint i = 0; target != NULL && i < items->len; i++)
    {
      const char * const *item_target = g_ptr_array_index (items, i);

      if (g_strcmp0 (*item_target, target) == 0)
        return item_target;
    }
  return NULL;
}

void
_piso_xml_foreach_disk (xmlDocPtr        doc,
                        GPtrArray       *items,
                        PisoXmlDiskFunc  func)
{
  g_autoptr(GPtrArray) disks = _piso_xml_nodes (doc, NULL, "/domain/devices/disk");

  for (guint i = 0; i < disks->len; i++)
    {
      xmlNodePtr node = g_ptr_array_index (disks, i);
      g_autofree char *target = _piso_xml_string (doc, node, "target/@dev");

      func (doc, node, _piso_find_by_target (items, target));
    }
}

xmlNodePtr
_piso_xml_find_interface (xmlDocPtr   doc,
                          const char *mac)
{
  xmlNodePtr devices = _piso_xml_child (xmlDocGetRootElement (doc), "devices");

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    {
      g_autofree char *address = NULL;

      if (!_piso_xml_is_element (n, "interface"))
        continue;
      address = _piso_xml_attr (_piso_xml_child (n, "mac"), "address");
      if (address != NULL && g_ascii_strcasecmp (address, mac) == 0)
        return n;
    }
  return NULL;
}

guint64
_piso_xml_unit_to_kib (guint64     value,
                       const char *unit)
{
  /* libvirt memory units; the default is KiB. */
  if (unit == NULL || g_ascii_strcasecmp (unit, "KiB") == 0 || g_ascii_strcasecmp (unit, "k") == 0)
    return value;
  if (g_ascii_strcasecmp (unit, "b") == 0 || g_ascii_strcasecmp (unit, "bytes") == 0)
    return value / 1024;
  if (g_ascii_strcasecmp (unit, "KB") == 0)
    return value * 1000 / 1024;
  if (g_ascii_strcasecmp (unit, "MiB") == 0 || g_ascii_strcasecmp (unit, "M") == 0)
    return value * 1024;
  if (g_ascii_strcasecmp (unit, "MB") == 0)
    return value * 1000 * 1000 / 1024;
  if (g_ascii_strcasecmp (unit, "GiB") == 0 || g_ascii_strcasecmp (unit, "G") == 0)
    return value * 1024 * 1024;
  if (g_ascii_strcasecmp (unit, "GB") == 0)
    return value * 1000 * 1000 * 1000 / 1024;
  if (g_ascii_strcasecmp (unit, "TiB") == 0 || g_ascii_strcasecmp (unit, "T") == 0)
    return value * 1024 * 1024 * 1024;
  return value;
}

/* ---- what several operations rewrite the same way ----------------------- */

void
_piso_xml_set_nvram (xmlDocPtr   doc,
                     const char *path,
                     gboolean    block)
{
  xmlNodePtr node = _piso_xml_node (doc, NULL, "/domain/os/nvram");
  xmlNodePtr source;

  if (node == NULL)
    return;
  source = _piso_xml_child (node, "source");
  if (path == NULL)
    {
      if (source != NULL)
        _piso_xml_remove (source);
      else
        _piso_xml_set_text (node, NULL);
      return;
    }
  /* The plain form (the path as the text) says only files; a block
   * device needs the <source> form (libvirt 8.5). */
  if (source == NULL && !block)
    {
      _piso_xml_set_text (node, path);
      return;
    }
  if (source == NULL)
    {
      _piso_xml_set_text (node, NULL);
      source = _piso_xml_ensure_child (node, "source");
    }
  else
    {
      xmlUnsetProp (source, (const xmlChar *) "file");
      xmlUnsetProp (source, (const xmlChar *) "dev");
    }
  xmlSetProp (node, (const xmlChar *) "type", (const xmlChar *) (block ? "block" : "file"));
  xmlSetProp (source, (const xmlChar *) (block ? "dev" : "file"), (const xmlChar *) path);
}

void
_piso_xml_set_firmware (xmlDocPtr doc,
                        gboolean  uefi,
                        gboolean  secure_boot)
{
  xmlNodePtr os = _piso_xml_ensure_child (xmlDocGetRootElement (doc), "os");

  /* Firmware autoselection: libvirt picks the firmware file and makes the
   * variable store; explicit paths of the old choice would contradict it. */
  _piso_xml_remove_children (os, "loader");
  _piso_xml_remove_children (os, "nvram");
  _piso_xml_remove_children (os, "firmware");
  if (uefi)
    {
      xmlNodePtr features = xmlNewChild (os, NULL, (const xmlChar *) "firmware", NULL);
      const char *state = secure_boot ? "yes" : "no";
      xmlNodePtr feature;

      _piso_xml_set_attr (os, "firmware", "efi");
      feature = xmlNewChild (features, NULL, (const xmlChar *) "feature", NULL);
      _piso_xml_set_attr (feature, "enabled", state);
      _piso_xml_set_attr (feature, "name", "secure-boot");
      feature = xmlNewChild (features, NULL, (const xmlChar *) "feature", NULL);
      _piso_xml_set_attr (feature, "enabled", state);
      _piso_xml_set_attr (feature, "name", "enrolled-keys");
    }
  else
    xmlUnsetProp (os, (const xmlChar *) "firmware");
}

void
_piso_xml_release_host_bindings (xmlDocPtr doc)
{
  g_autoptr(GPtrArray) vnets = _piso_xml_nodes (doc, NULL, "/domain/devices/interface/target");
  g_autoptr(GPtrArray) graphics = _piso_xml_nodes (doc, NULL, "/domain/devices/graphics[@port]");
  g_autoptr(GPtrArray) sockets =
    _piso_xml_nodes (doc, NULL, "/domain/devices/channel[@type='unix']/source[@path]");

  /* The host-side device name ("vnet3") is the original's. */
  for (guint i = 0; i < vnets->len; i++)
    _piso_xml_remove (g_ptr_array_index (vnets, i));

  for (guint i = 0; i < graphics->len; i++)
    {
      xmlNodePtr node = g_ptr_array_index (graphics, i);

      xmlUnsetProp (node, (const xmlChar *) "port");
      xmlUnsetProp (node, (const xmlChar *) "tlsPort");
      xmlUnsetProp (node, (const xmlChar *) "websocket");
      xmlSetProp (node, (const xmlChar *) "autoport", (const xmlChar *) "yes");
    }

  /* libvirt names agent sockets after the machine when none is given. */
  for (guint i = 0; i < sockets->len; i++)
    xmlUnsetProp (g_ptr_array_index (sockets, i), (const xmlChar *) "path");
}

gboolean
_piso_xml_enum_has_value (xmlNodePtr  parent,
                          const char *name,
                          const char *value)
{
  for (xmlNodePtr e = parent != NULL ? parent->children : NULL; e != NULL; e = e->next)
    {
      if (!_piso_xml_is_element (e, "enum") || !_piso_xml_attr_is (e, "name", name))
        continue;
      for (xmlNodePtr v = e->children; v != NULL; v = v->next)
        {
          g_autofree char *text = _piso_xml_text (v);

          if (_piso_xml_is_element (v, "value") && g_strcmp0 (text, value) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

gboolean
_piso_xml_caps_have_uefi (xmlDocPtr  caps,
                          gboolean   secure_boot,
                          gboolean  *no_uefi_at_all)
{
  xmlNodePtr os = _piso_xml_child (xmlDocGetRootElement (caps), "os");

  *no_uefi_at_all = !_piso_xml_enum_has_value (os, "firmware", "efi");
  if (*no_uefi_at_all)
    return FALSE;
  return !secure_boot || _piso_xml_enum_has_value (_piso_xml_child (os, "loader"), "secure", "yes");
}
