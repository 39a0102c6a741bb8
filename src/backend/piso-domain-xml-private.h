/* piso-domain-xml-private.h: reading and editing domain XML with libxml2
 *
 * One set of DOM helpers for the parser (piso-machine-parse.c) and for the
 * changes Piso makes to a definition (piso-machine-edit.c and the device,
 * resource and boot operations). Changes edit libvirt's own XML in place, so
 * whatever Piso does not know about (other tools' settings, metadata) is
 * written back untouched. Safe in worker threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* Piso's own element in a domain's <metadata> (prefix "piso" in XPath). */
#define PISO_METADATA_NS     "https://pisovm.github.io/xmlns/piso/1.0"
#define PISO_METADATA_PREFIX "piso"
/* Another one, the user's names for the machine's snapshots (its own
 * namespace: virDomainSetMetadata replaces one element per namespace).
 * Copies of the machine (clones, exports) leave it out with the snapshots. */
#define PISO_SNAPSHOT_LABELS_NS     "https://pisovm.github.io/xmlns/libvirt/snapshot-labels/1"
#define PISO_SNAPSHOT_LABELS_PREFIX "piso"
#define PISO_SNAPSHOT_LABELS_XPATH  "/domain/metadata/*[namespace-uri()='" PISO_SNAPSHOT_LABELS_NS "']"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

gboolean    _piso_xml_is_element     (xmlNodePtr          node,
                                      const char         *name);
/* The first child element called @name, or NULL. */
xmlNodePtr  _piso_xml_child          (xmlNodePtr          parent,
                                      const char         *name);
/* The first child element called @name, made (appended) when missing. */
xmlNodePtr  _piso_xml_ensure_child   (xmlNodePtr          parent,
                                      const char         *name);
/* Removes (and frees) every child element called @name. */
void        _piso_xml_remove_children(xmlNodePtr          parent,
                                      const char         *name);
/* Unlinks and frees @node. */
void        _piso_xml_remove         (xmlNodePtr          node);
/* The stripped text of @node, NULL when empty or missing. */
char       *_piso_xml_text           (xmlNodePtr          node);
char       *_piso_xml_child_text     (xmlNodePtr          parent,
                                      const char         *name);
/* An attribute's value, or NULL (also for a NULL @node). */
char       *_piso_xml_attr           (xmlNodePtr          node,
                                      const char         *name);
/* The first of @names that @node has. */
char       *_piso_xml_first_attr     (xmlNodePtr          node,
                                      const char * const *names);
gboolean    _piso_xml_attr_is        (xmlNodePtr          node,
                                      const char         *name,
                                      const char         *value);
void        _piso_xml_set_attr       (xmlNodePtr          node,
                                      const char         *name,
                                      const char         *value);
/* Parses a domain document (no network access). With @keep_blanks the
 * text keeps its line numbers as written (the XML editor); without, blank
 * text nodes are dropped (faster, and edits indent the same either way).
 * Errors say what and where in @error (PISO_BACKEND_ERROR_INVALID_XML) and
 * set @line when it is known (else 0). */
xmlDocPtr   _piso_xml_parse          (const char         *xml,
                                      gboolean            keep_blanks,
                                      guint              *line,
                                      GError            **error);
/* A document libvirt sent (blanks kept), checked to have the root element
 * @root; NULL with a translated @error otherwise. */
xmlDocPtr   _piso_xml_parse_root     (const char         *xml,
                                      const char         *root,
                                      GError            **error);
/* A document a libvirt call returned (@xml: its text, freed here with
 * free()), parsed; NULL, libvirt's error cleared, when the call failed or
 * the text does not parse: for reads that have a fallback. */
xmlDocPtr   _piso_xml_parse_reply    (char               *xml);
/* XPath, for the one-at-a-time reads and rewrites of the snapshot, clone
 * and disposable code where it says plainly which element is meant: the
 * nodes @expr selects from @context (the root when NULL), in document
 * order (the array does not own them); the first of them or NULL; and
 * string(@expr), stripped, NULL when empty. */
GPtrArray  *_piso_xml_nodes          (xmlDocPtr           doc,
                                      xmlNodePtr          context,
                                      const char         *expr);
xmlNodePtr  _piso_xml_node           (xmlDocPtr           doc,
                                      xmlNodePtr          context,
                                      const char         *expr);
char       *_piso_xml_string         (xmlDocPtr           doc,
                                      xmlNodePtr          context,
                                      const char         *expr);
/* Replaces the text content of @node (escaped). */
void        _piso_xml_set_text       (xmlNodePtr          node,
                                      const char         *text);
/* The document as text, and one element as text (for device calls). */
char       *_piso_xml_to_string      (xmlDocPtr           doc);
char       *_piso_xml_node_to_string (xmlNodePtr          node);
/* <devices> of a <domain> document (made when missing). */
xmlNodePtr  _piso_xml_devices        (xmlDocPtr           doc);
/* The <disk> whose <target dev> is @target, or NULL. */
xmlNodePtr  _piso_xml_find_disk      (xmlDocPtr           doc,
                                      const char         *target);
/* Per-disk plans are structs whose first member is `char *target` ("vda",
 * PisoCloneDiskPlan, PisoExportDisk): the one of @items for @target, or
 * NULL (also for a NULL @target). */
gconstpointer _piso_find_by_target   (GPtrArray          *items,
                                      const char         *target);
/* Calls @func for each <disk> of the domain in @doc, in document order,
 * with the item of @items for its target (NULL when none); @func may
 * remove the disk. */
typedef void (*PisoXmlDiskFunc)      (xmlDocPtr           doc,
                                      xmlNodePtr          disk,
                                      gconstpointer       item);
void        _piso_xml_foreach_disk   (xmlDocPtr           doc,
                                      GPtrArray          *items,
                                      PisoXmlDiskFunc     func);
/* The <interface> whose <mac address> is @mac (any case), or NULL. */
xmlNodePtr  _piso_xml_find_interface (xmlDocPtr           doc,
                                      const char         *mac);
/* Sizes in libvirt's units ("KiB" when @unit is NULL) as KiB. */
guint64     _piso_xml_unit_to_kib    (guint64             value,
                                      const char         *unit);

/* Autoselected firmware: UEFI (with or without Secure Boot and enrolled
 * keys) or BIOS; explicit loader and variable paths are dropped, so libvirt
 * picks this host's files. */
void        _piso_xml_set_firmware   (xmlDocPtr           doc,
                                      gboolean            uefi,
                                      gboolean            secure_boot);
/* Points the UEFI variables (<os><nvram>) at @path, a file, or at a block
 * device (@block); NULL drops the path, so that libvirt makes fresh
 * variables from the firmware's template. Nothing without an <nvram>. */
void        _piso_xml_set_nvram      (xmlDocPtr           doc,
                                      const char         *path,
                                      gboolean            block);
/* Drops what binds a definition to one host's running instance: the host
 * side names of NICs ("vnet3"), fixed graphics ports (back to automatic)
 * and agent socket paths (libvirt names them after the machine). For
 * clones and exported bundles. */
void        _piso_xml_release_host_bindings (xmlDocPtr    doc);
/* Domain capabilities: whether <enum name=@name> under @parent lists @value. */
gboolean    _piso_xml_enum_has_value (xmlNodePtr          parent,
                                      const char         *name,
                                      const char         *value);
/* Whether domain capabilities @caps offer UEFI firmware (with Secure Boot
 * when @secure_boot); @no_uefi_at_all when none at all (then installing
 * ovmf helps). */
gboolean    _piso_xml_caps_have_uefi (xmlDocPtr           caps,
                                      gboolean            secure_boot,
                                      gboolean           *no_uefi_at_all);

G_END_DECLS
