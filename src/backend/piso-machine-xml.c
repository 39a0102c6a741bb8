/* piso-machine-xml.c: a machine's definition as libvirt XML, read and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-xml"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/relaxng.h>

#include "piso-machine-edit-private.h"
#include "piso-machine-xml.h"

/* ---- reading ---- */

typedef struct
{
  char *xml;
} XmlRead;

static void
xml_read_free (XmlRead *read)
{
  g_free (read->xml);
  g_free (read);
}

static gboolean
op_get_xml (virDomainPtr   handle,
            GVirDomain    *gvir,
            const char    *name,
            gpointer       data,
            GError       **error)
{
  XmlRead *read = data;
  unsigned int flags = VIR_DOMAIN_XML_SECURE;
  int persistent = virDomainIsPersistent (handle);
  char *xml;

  if (persistent == 1)
    flags |= VIR_DOMAIN_XML_INACTIVE;
  if (persistent < 0 || (xml = virDomainGetXMLDesc (handle, flags)) == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the definition of “%s”"), name);
      return FALSE;
    }
  read->xml = g_strdup (xml);
  free (xml);
  return TRUE;
}

void
piso_machine_get_xml_async (PisoMachine         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  _piso_machine_run_op (self, piso_machine_get_xml_async, op_get_xml, g_new0 (XmlRead, 1),
                        (GDestroyNotify) xml_read_free, cancellable, callback, user_data);
}

char *
piso_machine_get_xml_finish (PisoMachine   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  XmlRead *read;

  if (!_piso_machine_op_finish (self, result, piso_machine_get_xml_async, error))
    return NULL;
  read = g_task_get_task_data (G_TASK (result));
  return g_steal_pointer (&read->xml);
}

/* ---- the schema's word on a refused definition ---- */

static void
ignore_schema_error (void        *user_data,
                     xmlErrorPtr  error)
{
}

static gboolean
valid (xmlRelaxNGValidCtxtPtr  ctxt,
       xmlDocPtr               doc)
{
  /* Quiet: libxml2 prints every error on stderr otherwise. */
  xmlRelaxNGSetValidStructuredErrors (ctxt, (xmlStructuredErrorFunc) ignore_schema_error, NULL);
  return xmlRelaxNGValidateDoc (ctxt, doc) == 0;
}

/* The element in @node's subtree whose attribute, once taken away, makes
 * @doc valid. */
static xmlNodePtr
attribute_culprit (xmlRelaxNGValidCtxtPtr   ctxt,
                   xmlDocPtr                doc,
                   xmlNodePtr               node,
                   char                   **attribute)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (xmlAttrPtr a = node->properties; a != NULL; a = a->next)
    if (a->ns == NULL)
      g_ptr_array_add (names, g_strdup ((const char *) a->name));
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *value = _piso_xml_attr (node, name);
      gboolean fixed;

      xmlUnsetProp (node, (const xmlChar *) name);
      fixed = valid (ctxt, doc);
      _piso_xml_set_attr (node, name, value);
      if (fixed)
        {
          *attribute = g_strdup (name);
          return node;
        }
    }

  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    {
      xmlNodePtr found;

      if (child->type == XML_ELEMENT_NODE &&
          (found = attribute_culprit (ctxt, doc, child, attribute)) != NULL)
        return found;
    }
  return NULL;
}

/* The element under @node that makes @doc invalid: the child that, taken
 * away, makes it valid, narrowed down to its own child or to the element
 * whose attribute is at fault. libxml2's RelaxNG only names the element
 * around an interleave (<devices>, <domain>), often far from the fault. */
static xmlNodePtr
narrow (xmlRelaxNGValidCtxtPtr   ctxt,
        xmlDocPtr                doc,
        xmlNodePtr               node,
        char                   **attribute)
{
  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    {
      xmlNodePtr next = child->next;
      xmlNodePtr parent = child->parent;
      xmlNodePtr inner;
      gboolean fixed;

      if (child->type != XML_ELEMENT_NODE)
        continue;
      xmlUnlinkNode (child);
      fixed = valid (ctxt, doc);
      if (next != NULL)
        xmlAddPrevSibling (next, child);
      else
        xmlAddChild (parent, child);
      if (!fixed)
        continue;
      if ((inner = narrow (ctxt, doc, child, attribute)) != NULL ||
          (inner = attribute_culprit (ctxt, doc, child, attribute)) != NULL)
        return inner;
      return child;
    }
  return NULL;
}

/* Where libvirt's schema (as installed here) finds @doc invalid, and
 * what is at fault there in words: libvirt's own message has neither.
 * 0 when unknown. */
static guint
schema_error_line (xmlDocPtr   doc,
                   char      **detail)
{
  g_autofree char *path = g_build_filename (PISO_LIBVIRT_SCHEMA_DIR, "domain.rng", NULL);
  g_autofree char *attribute = NULL;
  xmlRelaxNGParserCtxtPtr parser;
  xmlRelaxNGValidCtxtPtr ctxt;
  xmlRelaxNGPtr schema;
  xmlNodePtr culprit = NULL;

  *detail = NULL;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return 0;
  parser = xmlRelaxNGNewParserCtxt (path);
  schema = xmlRelaxNGParse (parser);
  xmlRelaxNGFreeParserCtxt (parser);
  if (schema == NULL)
    return 0;

  ctxt = xmlRelaxNGNewValidCtxt (schema);
  if (!valid (ctxt, doc))
    culprit = narrow (ctxt, doc, xmlDocGetRootElement (doc), &attribute);
  xmlRelaxNGFreeValidCtxt (ctxt);
  xmlRelaxNGFree (schema);

  if (culprit == NULL)
    return 0;
  if (attribute != NULL)
    /* Translators: what libvirt's schema refused, e.g. "the attribute “bus” of <target>" */
    *detail = g_strdup_printf (_("the attribute “%s” of <%s>"), attribute, (const char *) culprit->name);
  else
    /* Translators: what libvirt's schema refused, e.g. "the element <frobnicate>" */
    *detail = g_strdup_printf (_("the element <%s>"), (const char *) culprit->name);
  return (guint) xmlGetLineNo (culprit);
}

/* ---- what libvirt dropped ---- */

/* "{namespace}name" for namespaced elements (metadata of other tools). */
static char *
node_name (xmlNodePtr node)
{
  if (node->ns != NULL && node->ns->href != NULL)
    return g_strdup_printf ("{%s}%s", node->ns->href, node->name);
  return g_strdup ((const char *) node->name);
}

static void
collect_paths (xmlNodePtr  node,
               const char *parent,
               GHashTable *paths)
{
  for (xmlNodePtr n = node; n != NULL; n = n->next)
    {
      g_autofree char *name = NULL;
      char *path;

      if (n->type != XML_ELEMENT_NODE)
        continue;
      name = node_name (n);
      path = g_strconcat (parent, "/", name, NULL);
      for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
        g_hash_table_add (paths, g_strconcat (path, "@", (const char *) a->name, NULL));
      collect_paths (n->children, path, paths);
      g_hash_table_add (paths, path);
    }
}

/* libvirt rewrites some things without losing them: "default" means
 * leaving the attribute out, and <vcpu current> equal to the maximum is
 * left out. Those are not reported. */
static gboolean
normalised_away (xmlNodePtr  element,
                 xmlAttrPtr  attribute)
{
  g_autofree char *value = _piso_xml_attr (element, (const char *) attribute->name);

  if (g_strcmp0 (value, "default") == 0)
    return TRUE;
  if (_piso_xml_is_element (element, "vcpu") && xmlStrEqual (attribute->name, (const xmlChar *) "current"))
    {
      g_autofree char *max = _piso_xml_text (element);

      return g_strcmp0 (value, max) == 0;
    }
  return FALSE;
}

static void
find_dropped (xmlNodePtr  node,
              const char *parent,
              GHashTable *kept,
              GPtrArray  *dropped)
{
  for (xmlNodePtr n = node; n != NULL; n = n->next)
    {
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      const char *parent_name;
      long line;

      if (n->type != XML_ELEMENT_NODE)
        continue;
      name = node_name (n);
      path = g_strconcat (parent, "/", name, NULL);
      line = xmlGetLineNo (n);
      parent_name = n->parent != NULL && n->parent->type == XML_ELEMENT_NODE
                    ? (const char *) n->parent->name : NULL;

      if (!g_hash_table_contains (kept, path))
        {
          if (parent_name != NULL)
            /* Translators: a part of the definition libvirt did not keep,
             * e.g. "Element <frobnicate> in <devices> (line 42)" */
            g_ptr_array_add (dropped, g_strdup_printf (_("Element <%s> in <%s> (line %ld)"),
                                                       (const char *) n->name, parent_name, line));
          else
            g_ptr_array_add (dropped, g_strdup_printf (_("Element <%s> (line %ld)"),
                                                       (const char *) n->name, line));
          continue;   /* its contents went with it */
        }

      for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
        {
          g_autofree char *attr_path = g_strconcat (path, "@", (const char *) a->name, NULL);

          if (!g_hash_table_contains (kept, attr_path) && !normalised_away (n, a))
            /* Translators: e.g. "Attribute “cache” of <driver> (line 12)" */
            g_ptr_array_add (dropped, g_strdup_printf (_("Attribute “%s” of <%s> (line %ld)"),
                                                       (const char *) a->name,
                                                       (const char *) n->name, line));
        }
      find_dropped (n->children, path, kept, dropped);
    }
}

/* What of @submitted is nowhere in @stored, by element path and attribute
 * name: values may be rewritten (units, defaults filled in), but a part
 * missing in every place it could be was dropped. */
static GPtrArray *
dropped_parts (xmlDocPtr submitted,
               xmlDocPtr stored)
{
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *dropped = g_ptr_array_new_with_free_func (g_free);

  collect_paths (xmlDocGetRootElement (stored), "", kept);
  find_dropped (xmlDocGetRootElement (submitted), "", kept, dropped);
  return dropped;
}

/* ---- defining ---- */

typedef struct
{
  char      *xml;
  guint      error_line;
  GPtrArray *dropped;
} XmlDefine;

static void
xml_define_free (XmlDefine *define)
{
  g_free (define->xml);
  g_clear_pointer (&define->dropped, g_ptr_array_unref);
  g_free (define);
}

static gboolean
op_define_xml (PisoEdit  *edit,
               gpointer   data,
               GError   **error)
{
  XmlDefine *define = data;
  g_autofree char *context = g_strdup_printf (_("Could not save the definition of “%s”"), edit->name);
  g_autoptr(xmlDoc) submitted = NULL;
  g_autoptr(xmlDoc) stored = NULL;
  g_autofree char *name = NULL;
  g_autofree char *uuid = NULL;
  xmlNodePtr root;
  virDomainPtr dom;

  if (!edit->persistent)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("%s: it is a temporary machine, with no definition to save."), context);
      return FALSE;
    }

  /* Blanks kept: line numbers as the user sees them. */
  submitted = _piso_xml_parse (define->xml, TRUE, &define->error_line, error);
  if (submitted == NULL)
    {
      g_prefix_error (error, "%s: ", context);
      return FALSE;
    }
  root = xmlDocGetRootElement (submitted);
  if (!_piso_xml_is_element (root, "domain"))
    {
      define->error_line = root != NULL ? (guint) xmlGetLineNo (root) : 1;
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_XML,
                   _("%s: a machine’s definition is a <domain> element."), context);
      return FALSE;
    }

  /* Another UUID would define a second machine, another name a rename
   * (which libvirt refuses this way). */
  name = _piso_xml_child_text (root, "name");
  uuid = _piso_xml_child_text (root, "uuid");
  if (uuid == NULL || g_ascii_strcasecmp (uuid, edit->uuid) != 0)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("%s: the definition must keep the machine’s UUID, %s."), context, edit->uuid);
      return FALSE;
    }
  if (g_strcmp0 (name, virDomainGetName (edit->handle)) != 0)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("%s: the definition must keep the name “%s”; rename the machine instead."),
                   context, virDomainGetName (edit->handle));
      return FALSE;
    }

  dom = virDomainDefineXMLFlags (virDomainGetConnect (edit->handle), define->xml,
                                 VIR_DOMAIN_DEFINE_VALIDATE);
  if (dom == NULL)
    {
      /* Anything but a lost connection or machine is the definition's
       * fault: libvirt's parser or schema refused it. */
      _piso_set_error_from_libvirt (error, "%s", context);
      if ((*error)->code == PISO_BACKEND_ERROR_FAILED)
        {
          g_autofree char *detail = NULL;

          (*error)->code = PISO_BACKEND_ERROR_INVALID_XML;
          define->error_line = schema_error_line (submitted, &detail);
          if (define->error_line > 0)
            {
              g_autofree char *message = NULL;

              /* Translators: a refused definition: libvirt's reason, then
               * the line and what is wrong there ("the element <frobnicate>") */
              message = g_strdup_printf (_("%s (line %u: %s)"), g_strchomp ((*error)->message),
                                         define->error_line, detail);
              g_free ((*error)->message);
              (*error)->message = g_steal_pointer (&message);
            }
        }
      return FALSE;
    }
  virDomainFree (dom);
  edit->defined = TRUE;
  edit->scope |= PISO_CHANGE_SCOPE_NEXT_START;
  _piso_edit_next_start_only (edit);

  /* What libvirt kept, against what it was given. */
  stored = _piso_xml_parse_reply (virDomainGetXMLDesc (edit->handle,
                                                       VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE));
  define->dropped = stored != NULL ? dropped_parts (submitted, stored)
                                   : g_ptr_array_new_with_free_func (g_free);
  if (define->dropped->len > 0)
    _piso_edit_note (edit, g_dngettext (GETTEXT_PACKAGE,
                                        "libvirt did not keep %u part of the definition.",
                                        "libvirt did not keep %u parts of the definition.",
                                        define->dropped->len),
                     define->dropped->len);
  return TRUE;
}

void
piso_machine_define_xml_async (PisoMachine         *self,
                               const char          *xml,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  XmlDefine *define;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (xml != NULL);

  define = g_new0 (XmlDefine, 1);
  define->xml = g_strdup (xml);
  _piso_machine_run_edit (self, piso_machine_define_xml_async, op_define_xml, define,
                          (GDestroyNotify) xml_define_free, cancellable, callback, user_data);
}

PisoChange *
piso_machine_define_xml_finish (PisoMachine    *self,
                                GAsyncResult   *result,
                                char         ***dropped,
                                guint          *error_line,
                                GError        **error)
{
  XmlDefine *define = _piso_machine_edit_get_data (result);
  PisoChange *change = _piso_machine_edit_finish (self, result, piso_machine_define_xml_async, error);

  if (error_line != NULL)
    *error_line = change == NULL && define != NULL ? define->error_line : 0;
  if (dropped != NULL)
    {
      GPtrArray *copy = g_ptr_array_new ();

      for (guint i = 0; change != NULL && define->dropped != NULL && i < define->dropped->len; i++)
        g_ptr_array_add (copy, g_strdup (g_ptr_array_index (define->dropped, i)));
      g_ptr_array_add (copy, NULL);
      *dropped = (char **) g_ptr_array_free (copy, FALSE);
    }
  return change;
}
