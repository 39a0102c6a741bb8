/* piso-snapshot-labels.c: the names the user gives snapshots (worker threads)
 *
 * An internal snapshot's libvirt name is also its tag inside the qcow2
 * files, so libvirt cannot rename it, and a snapshot's XML has no room for
 * other programs' data (only <description>, which stays the user's
 * description). The name the user sees is therefore kept in the domain's own
 * metadata, one element of Piso's, as GNOME Boxes keeps a label:
 *
 *   <piso:snapshots xmlns:piso="…/snapshot-labels/1">
 *     <piso:snapshot name="snapshot1">Before the upgrade</piso:snapshot>
 *   </piso:snapshots>
 *
 * A revert puts back the definition saved with the snapshot, metadata
 * included: the revert writes the labels back afterwards.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshot-labels"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <libxml/parser.h>

#include "piso-snapshot-private.h"
#include "piso-domain-xml-private.h"

static void
add_labels (GHashTable *labels,
            xmlNodePtr  element)
{
  for (xmlNodePtr n = element->children; n != NULL; n = n->next)
    {
      g_autofree char *name = NULL;
      g_autofree char *label = NULL;

      if (!_piso_xml_is_element (n, "snapshot"))
        continue;
      name = _piso_xml_attr (n, "name");
      label = _piso_xml_text (n);
      if (name != NULL && label != NULL)
        g_hash_table_replace (labels, g_steal_pointer (&name), g_steal_pointer (&label));
    }
}

static GHashTable *
labels_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

GHashTable *
_piso_snapshot_labels_parse (xmlDocPtr doc)
{
  GHashTable *labels = labels_new ();
  xmlNodePtr metadata = _piso_xml_child (xmlDocGetRootElement (doc), "metadata");

  for (xmlNodePtr n = metadata != NULL ? metadata->children : NULL; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, "snapshots") && n->ns != NULL &&
        xmlStrEqual (n->ns->href, (const xmlChar *) PISO_SNAPSHOT_LABELS_NS))
      add_labels (labels, n);
  return labels;
}

/* Where the labels are read and written: the persistent definition, and
 * the running one too, so that both say the same. */
static unsigned int
affected (virDomainPtr dom)
{
  unsigned int flags = 0;

  if (virDomainIsPersistent (dom) == 1)
    flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (virDomainIsActive (dom) == 1)
    flags |= VIR_DOMAIN_AFFECT_LIVE;
  virResetLastError ();
  return flags;
}

GHashTable *
_piso_snapshot_labels_read (virDomainPtr   dom,
                            GError       **error)
{
  unsigned int flags = affected (dom);
  g_autoptr(xmlDoc) doc = NULL;
  GHashTable *labels;
  char *xml;

  /* One of the two: the persistent one when there is one. */
  if ((flags & VIR_DOMAIN_AFFECT_CONFIG) != 0)
    flags = VIR_DOMAIN_AFFECT_CONFIG;
  xml = virDomainGetMetadata (dom, VIR_DOMAIN_METADATA_ELEMENT, PISO_SNAPSHOT_LABELS_NS, flags);
  if (xml == NULL)
    {
      virErrorPtr verr = virGetLastError ();

      if (verr != NULL && verr->code == VIR_ERR_NO_DOMAIN_METADATA)
        {
          virResetLastError ();
          return labels_new ();
        }
      _piso_set_error_from_libvirt (error, _("Could not read the snapshot names of “%s”"),
                                    virDomainGetName (dom));
      return NULL;
    }
  doc = xmlReadMemory (xml, (int) strlen (xml), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  free (xml);
  labels = labels_new ();
  if (doc != NULL && xmlDocGetRootElement (doc) != NULL)
    add_labels (labels, xmlDocGetRootElement (doc));
  return labels;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

gboolean
_piso_snapshot_labels_write (virDomainPtr   dom,
                             GHashTable    *labels,
                             GError       **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree const char **names = NULL;
  g_autofree char *xml = NULL;
  xmlNodePtr root;
  guint n = 0;

  if (labels != NULL && g_hash_table_size (labels) > 0)
    {
      doc = xmlNewDoc ((const xmlChar *) "1.0");
      root = xmlNewDocNode (doc, NULL, (const xmlChar *) "snapshots", NULL);
      xmlDocSetRootElement (doc, root);
      /* Sorted: the same labels always make the same definition. */
      names = (const char **) g_hash_table_get_keys_as_array (labels, &n);
      qsort (names, n, sizeof (char *), compare_keys);
      for (guint i = 0; i < n; i++)
        {
          xmlNodePtr node = xmlNewTextChild (root, NULL, (const xmlChar *) "snapshot",
                                             g_hash_table_lookup (labels, names[i]));

          xmlSetProp (node, (const xmlChar *) "name", (const xmlChar *) names[i]);
        }
      xml = _piso_xml_node_to_string (root);
    }

  if (virDomainSetMetadata (dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
                            xml != NULL ? PISO_SNAPSHOT_LABELS_PREFIX : NULL,
                            PISO_SNAPSHOT_LABELS_NS, affected (dom)) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not save the snapshot names of “%s”"),
                                    virDomainGetName (dom));
      return FALSE;
    }
  return TRUE;
}
