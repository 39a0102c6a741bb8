/* piso-xml.c: reading and editing libvirt XML by XPath
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-xml"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/xpathInternals.h>

#include "piso-backend-private.h"
#include "piso-xml-private.h"

xmlDocPtr
_piso_xml_parse (const char  *xml,
                 const char  *root,
                 GError     **error)
{
  xmlDocPtr doc;
  xmlNodePtr node;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = xmlReadMemory (xml, strlen (xml), "libvirt.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
  if (doc == NULL || (node = xmlDocGetRootElement (doc)) == NULL ||
      !xmlStrEqual (node->name, (const xmlChar *) root))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("libvirt sent a description that is not valid XML (expected <%s>)."), root);
      if (doc != NULL)
        xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

char *
_piso_xml_to_string (xmlDocPtr doc)
{
  g_autoptr(GString) out = g_string_new (NULL);
  xmlBufferPtr buffer = xmlBufferCreate ();

  xmlNodeDump (buffer, doc, xmlDocGetRootElement (doc), 0, 0);
  g_string_append_len (out, (const char *) xmlBufferContent (buffer), xmlBufferLength (buffer));
  xmlBufferFree (buffer);
  return g_string_free (g_steal_pointer (&out), FALSE);
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

char *
_piso_xml_get_attr (xmlNodePtr  node,
                    const char *name)
{
  xmlChar *value;
  char *copy;

  if (node == NULL || (value = xmlGetProp (node, (const xmlChar *) name)) == NULL)
    return NULL;
  copy = g_strdup ((const char *) value);
  xmlFree (value);
  return copy;
}

xmlNodePtr
_piso_xml_ensure_child (xmlNodePtr  parent,
                        const char *name)
{
  for (xmlNodePtr n = parent->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && n->ns == NULL && xmlStrEqual (n->name, (const xmlChar *) name))
      return n;
  return xmlNewChild (parent, NULL, (const xmlChar *) name, NULL);
}

void
_piso_xml_set_text (xmlNodePtr  node,
                    const char *text)
{
  xmlChar *escaped = xmlEncodeSpecialChars (node->doc, (const xmlChar *) (text != NULL ? text : ""));

  xmlNodeSetContent (node, escaped);
  xmlFree (escaped);
}

void
_piso_xml_remove (xmlNodePtr node)
{
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}
