/* piso-clone-xml.c: the clone's definition, rewritten from the original's
 *
 * What must differ for two machines to live side by side (virt-clone's list,
 * virtinst/cloner.py): name, UUID (in SMBIOS too), MAC addresses, fixed
 * graphics ports, agent sockets, file-backed logs, UEFI variables and the
 * disks. Pure: no libvirt calls, so the tests check it directly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-clone-xml"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-clone-private.h"
#include "piso-domain-xml-private.h"

void
_piso_clone_disk_plan_free (PisoCloneDiskPlan *plan)
{
  g_free (plan->target);
  g_free (plan->new_path);
  g_free (plan->new_volume);
  g_free (plan->new_format);
  g_free (plan);
}

char *
_piso_clone_random_mac (GHashTable *in_use)
{
  for (;;)
    {
      guint32 r = g_random_int ();
      char *mac = g_strdup_printf ("52:54:00:%02x:%02x:%02x", (r >> 16) & 0xff, (r >> 8) & 0xff, r & 0xff);

      if (!g_hash_table_contains (in_use, mac))
        {
          g_hash_table_add (in_use, g_strdup (mac));
          return mac;
        }
      g_free (mac);
    }
}

char *
_piso_clone_free_name (const char  *name,
                       gboolean   (*taken) (const char *name,
                                            gpointer    data),
                       gpointer     data)
{
  g_autofree char *base = g_strdup (name);
  char *suffix = g_strrstr (base, "-clone");

  /* "web-clone3" → "web": its clones are "web-cloneN" too. */
  if (suffix != NULL && suffix != base)
    {
      const char *p = suffix + strlen ("-clone");

      while (g_ascii_isdigit (*p))
        p++;
      if (*p == '\0')
        *suffix = '\0';
    }

  for (guint i = 1; ; i++)
    {
      g_autofree char *candidate = i == 1 ? g_strdup_printf ("%s-clone", base)
                                          : g_strdup_printf ("%s-clone%u", base, i);

      if (!taken (candidate, data))
        return g_steal_pointer (&candidate);
    }
}

static void
set_child_text (xmlNodePtr  parent,
                const char *name,
                const char *text)
{
  _piso_xml_set_text (_piso_xml_ensure_child (parent, name), text);
}

/* A log or file of the original gets one of the clone's own: its name in the
 * file name becomes the clone's, or the clone's name is added. */
static char *
own_file (const char *path,
          const char *old_name,
          const char *name)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *renamed = NULL;
  char *found = strstr (base, old_name);

  if (found != NULL)
    renamed = g_strdup_printf ("%.*s%s%s", (int) (found - base), base, name, found + strlen (old_name));
  else
    {
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        renamed = g_strdup_printf ("%.*s-%s%s", (int) (dot - base), base, name, dot);
      else
        renamed = g_strdup_printf ("%s-%s", base, name);
    }
  return g_build_filename (dir, renamed, NULL);
}

G_STATIC_ASSERT (G_STRUCT_OFFSET (PisoCloneDiskPlan, target) == 0);

static void
rewrite_disk (xmlDocPtr     doc,
              xmlNodePtr    node,
              gconstpointer item)
{
  const PisoCloneDiskPlan *disk = item;
  xmlNodePtr source;
  xmlNodePtr backing;

  if (disk == NULL || disk->action == PISO_CLONE_DISK_SHARE)
    return;
  if (disk->action == PISO_CLONE_DISK_SKIP)
    {
      _piso_xml_remove (node);
      return;
    }

  source = _piso_xml_ensure_child (node, "source");
  if (disk->new_volume != NULL)
    xmlSetProp (source, (const xmlChar *) "volume", (const xmlChar *) disk->new_volume);
  else if (xmlHasProp (source, (const xmlChar *) "dev"))
    xmlSetProp (source, (const xmlChar *) "dev", (const xmlChar *) disk->new_path);
  else
    xmlSetProp (source, (const xmlChar *) "file", (const xmlChar *) disk->new_path);
  if (disk->new_format != NULL)
    xmlSetProp (_piso_xml_ensure_child (node, "driver"), (const xmlChar *) "type",
                (const xmlChar *) disk->new_format);
  /* A chain the original named is the original's: libvirt reads the
   * clone's from its image. */
  if ((backing = _piso_xml_node (doc, node, "backingStore")) != NULL)
    _piso_xml_remove (backing);
}

static void
rewrite_devices (xmlDocPtr               doc,
                 const PisoCloneXmlPlan *plan)
{
  g_autoptr(GPtrArray) macs = _piso_xml_nodes (doc, NULL, "/domain/devices/interface/mac");
  g_autoptr(GPtrArray) files =
    _piso_xml_nodes (doc, NULL, "/domain/devices/*[self::serial or self::console or self::parallel"
                                " or self::channel]/log[@file]"
                                " | /domain/devices/*[(self::serial or self::console or self::parallel)"
                                " and @type='file']/source[@path]");

  for (guint i = 0; i < macs->len; i++)
    {
      g_autofree char *mac = _piso_clone_random_mac (plan->macs);

      xmlSetProp (g_ptr_array_index (macs, i), (const xmlChar *) "address", (const xmlChar *) mac);
    }
  _piso_xml_release_host_bindings (doc);

  for (guint i = 0; i < files->len; i++)
    {
      xmlNodePtr node = g_ptr_array_index (files, i);
      const char *attr = xmlStrEqual (node->name, (const xmlChar *) "log") ? "file" : "path";
      g_autofree char *path = _piso_xml_attr (node, attr);
      g_autofree char *renamed = own_file (path, plan->old_name, plan->name);

      xmlSetProp (node, (const xmlChar *) attr, (const xmlChar *) renamed);
    }
}

static void
rewrite_metadata (xmlDocPtr               doc,
                  const PisoCloneXmlPlan *plan)
{
  g_autoptr(GPtrArray) old = _piso_xml_nodes (doc, NULL, "/domain/metadata/piso:clone | "
                                              PISO_SNAPSHOT_LABELS_XPATH);
  xmlNodePtr root = xmlDocGetRootElement (doc);
  xmlNodePtr metadata;
  xmlNodePtr clone;
  xmlNsPtr ns;

  /* A clone of a linked clone is linked to whom it says, or to nobody; it
   * has no snapshots to name. */
  for (guint i = 0; i < old->len; i++)
    _piso_xml_remove (g_ptr_array_index (old, i));

  if (plan->linked_to == NULL)
    return;
  metadata = _piso_xml_ensure_child (root, "metadata");
  clone = xmlNewChild (metadata, NULL, (const xmlChar *) "clone", NULL);
  ns = xmlNewNs (clone, (const xmlChar *) PISO_METADATA_NS, (const xmlChar *) PISO_METADATA_PREFIX);
  xmlSetNs (clone, ns);
  xmlSetProp (clone, (const xmlChar *) "linked-to", (const xmlChar *) plan->linked_to);
}

char *
_piso_clone_rewrite_xml (const char              *xml,
                         const PisoCloneXmlPlan  *plan,
                         GError                 **error)
{
  g_autoptr(xmlDoc) doc = _piso_xml_parse_root (xml, "domain", error);
  g_autoptr(GPtrArray) smbios = NULL;
  xmlNodePtr root;
  xmlNodePtr node;

  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);

  set_child_text (root, "name", plan->name);
  set_child_text (root, "uuid", plan->uuid);
  /* The list shows the title when there is one: the clone shows its name. */
  if ((node = _piso_xml_node (doc, NULL, "/domain/title")) != NULL)
    _piso_xml_remove (node);
  /* A new generation ID, chosen by libvirt (an empty <genid/> asks for one). */
  if ((node = _piso_xml_node (doc, NULL, "/domain/genid")) != NULL)
    _piso_xml_set_text (node, NULL);
  smbios = _piso_xml_nodes (doc, NULL, "/domain/sysinfo[@type='smbios']/system/entry[@name='uuid']");
  for (guint i = 0; i < smbios->len; i++)
    _piso_xml_set_text (g_ptr_array_index (smbios, i), plan->uuid);

  /* Without a copy, libvirt makes fresh variables from the template. */
  _piso_xml_set_nvram (doc, plan->nvram_path, FALSE);

  _piso_xml_foreach_disk (doc, plan->disks, rewrite_disk);
  rewrite_devices (doc, plan);
  rewrite_metadata (doc, plan);

  return _piso_xml_to_string (doc);
}
