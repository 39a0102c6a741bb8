/* piso-xml-private.h: reading and editing libvirt XML by XPath (snapshots, clones)
 *
 * Machine listing walks its trees by hand for speed (piso-machine-parse.c);
 * these helpers are for the one-at-a-time reads and rewrites of the
 * snapshot, clone and disposable code, where XPath says plainly which
 * element is meant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_BEGIN_DECLS

/* Piso's own element in a domain's <metadata> (prefix "piso" in XPath). */
#define PISO_METADATA_NS     "https://pisovm.github.io/xmlns/piso/1.0"
#define PISO_METADATA_PREFIX "piso"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* Parses @xml and checks that its root element is @root; NULL with a
 * translated @error otherwise. */
xmlDocPtr   _piso_xml_parse       (const char  *xml,
                                   const char  *root,
                                   GError     **error);
/* The document as text, without the XML declaration. */
char       *_piso_xml_to_string   (xmlDocPtr    doc);
/* The nodes @expr selects from @context (the root when NULL), in document
 * order; the array does not own them. */
GPtrArray  *_piso_xml_nodes       (xmlDocPtr    doc,
                                   xmlNodePtr   context,
                                   const char  *expr);
/* The first node @expr selects, or NULL. */
xmlNodePtr  _piso_xml_node        (xmlDocPtr    doc,
                                   xmlNodePtr   context,
                                   const char  *expr);
/* string(@expr), stripped; NULL when empty. */
char       *_piso_xml_string      (xmlDocPtr    doc,
                                   xmlNodePtr   context,
                                   const char  *expr);
/* @node's attribute @name, or NULL. */
char       *_piso_xml_get_attr    (xmlNodePtr   node,
                                   const char  *name);
/* The child element @name of @parent, added (last) when there is none. */
xmlNodePtr  _piso_xml_ensure_child (xmlNodePtr  parent,
                                    const char *name);
/* Replaces the text content of @node (escaped). */
void        _piso_xml_set_text    (xmlNodePtr   node,
                                   const char  *text);
/* Removes and frees @node. */
void        _piso_xml_remove      (xmlNodePtr   node);

G_END_DECLS
