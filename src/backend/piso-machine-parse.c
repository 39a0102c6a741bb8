/* piso-machine-parse.c: reading a domain's definition and state (worker threads)
 *
 * The read side uses libxml2 directly rather than libvirt-gconfig: gconfig
 * has no getters for interface sources, current vCPUs or the libosinfo
 * metadata element, and Piso reads thousands of definitions at start-up, so
 * it walks each parsed tree once (XPath queries cost three times as much).
 * libvirt-gconfig stays the tool for writing XML.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-parse"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>

#include "piso-disk.h"
#include "piso-machine-private.h"
#include "piso-net-interface.h"
#include "piso-xml-private.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

/* Small DOM helpers: walking the tree is several times faster than XPath,
 * and start-up parses one definition per machine. */

static gboolean
is_element (xmlNodePtr  node,
            const char *name)
{
  return node->type == XML_ELEMENT_NODE && xmlStrEqual (node->name, (const xmlChar *) name);
}

static xmlNodePtr
child_element (xmlNodePtr  parent,
               const char *name)
{
  for (xmlNodePtr n = parent->children; n != NULL; n = n->next)
    if (is_element (n, name))
      return n;
  return NULL;
}

static char *
element_text (xmlNodePtr node)
{
  xmlChar *content;
  char *ret = NULL;

  if (node == NULL || (content = xmlNodeGetContent (node)) == NULL)
    return NULL;

  ret = g_strstrip (g_strdup ((const char *) content));
  xmlFree (content);
  if (ret[0] == '\0')
    g_clear_pointer (&ret, g_free);
  return ret;
}

static char *
child_text (xmlNodePtr  parent,
            const char *name)
{
  return element_text (child_element (parent, name));
}

static char *
attribute (xmlNodePtr  node,
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

/* The first of @names that @node has as an attribute. */
static char *
first_attribute (xmlNodePtr          node,
                 const char * const *names)
{
  for (guint i = 0; node != NULL && names[i] != NULL; i++)
    {
      char *value = attribute (node, names[i]);

      if (value != NULL)
        return value;
    }
  return NULL;
}

static guint64
unit_to_kib (guint64     value,
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

static guint64
memory_kib (xmlNodePtr node)
{
  g_autofree char *value = element_text (node);
  g_autofree char *unit = attribute (node, "unit");

  if (value == NULL)
    return 0;

  return unit_to_kib (g_ascii_strtoull (value, NULL, 10), unit);
}

static char *
libosinfo_id (xmlNodePtr metadata)
{
  if (metadata == NULL)
    return NULL;

  for (xmlNodePtr n = metadata->children; n != NULL; n = n->next)
    {
      if (!is_element (n, "libosinfo") || n->ns == NULL ||
          !xmlStrEqual (n->ns->href, (const xmlChar *) LIBOSINFO_NS))
        continue;

      for (xmlNodePtr os = n->children; os != NULL; os = os->next)
        if (is_element (os, "os"))
          return attribute (os, "id");
    }

  return NULL;
}

/* <piso:clone linked-to='UUID'/>: this machine's disks are overlays on the
 * disks of that one (piso-clone-xml.c writes it). */
static char *
linked_template (xmlNodePtr metadata)
{
  for (xmlNodePtr n = metadata != NULL ? metadata->children : NULL; n != NULL; n = n->next)
    if (is_element (n, "clone") && n->ns != NULL &&
        xmlStrEqual (n->ns->href, (const xmlChar *) PISO_METADATA_NS))
      return attribute (n, "linked-to");
  return NULL;
}

static PisoDisk *
parse_disk (xmlNodePtr node)
{
  static const char * const source_attrs[] = { "file", "dev", "name", "volume", NULL };
  xmlNodePtr source = child_element (node, "source");
  xmlNodePtr target = child_element (node, "target");
  g_autofree char *device = attribute (node, "device");
  g_autofree char *path = first_attribute (source, source_attrs);
  g_autofree char *pool = attribute (source, "pool");
  g_autofree char *dev = attribute (target, "dev");
  g_autofree char *bus = attribute (target, "bus");
  g_autofree char *format = attribute (child_element (node, "driver"), "type");
  gboolean read_only = child_element (node, "readonly") != NULL || g_strcmp0 (device, "cdrom") == 0;
  PisoDisk *disk = _piso_disk_new (device, path, dev, bus, format, read_only);

  if (pool != NULL)
    _piso_disk_set_volume_info (disk, pool, path, 0, 0);

  return disk;
}

static PisoNetInterface *
parse_interface (xmlNodePtr node)
{
  static const char * const source_attrs[] = { "network", "bridge", "dev", NULL };
  g_autofree char *kind = attribute (node, "type");
  g_autofree char *mac = attribute (child_element (node, "mac"), "address");
  g_autofree char *source = first_attribute (child_element (node, "source"), source_attrs);
  g_autofree char *model = attribute (child_element (node, "model"), "type");

  return _piso_net_interface_new (mac, kind, source, model);
}

void
_piso_machine_config_free (PisoMachineConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->name);
  g_free (config->title);
  g_free (config->description);
  g_free (config->os_id);
  g_free (config->linked_to);
  g_clear_pointer (&config->disks, g_ptr_array_unref);
  g_clear_pointer (&config->interfaces, g_ptr_array_unref);
  g_free (config);
}

PisoMachineConfig *
_piso_machine_config_parse (const char  *xml,
                            GError     **error)
{
  g_autoptr(PisoMachineConfig) config = g_new0 (PisoMachineConfig, 1);
  g_autofree char *current_vcpus = NULL;
  g_autofree char *vcpus = NULL;
  xmlNodePtr vcpu;
  xmlNodePtr devices;
  xmlNodePtr root;
  xmlDocPtr doc;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
                       XML_PARSE_NOBLANKS);
  if (doc == NULL || (root = xmlDocGetRootElement (doc)) == NULL || !is_element (root, "domain"))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The machine’s definition is not valid XML"));
      if (doc != NULL)
        xmlFreeDoc (doc);
      return NULL;
    }

  config->name = child_text (root, "name");
  config->title = child_text (root, "title");
  config->description = child_text (root, "description");
  config->os_id = libosinfo_id (child_element (root, "metadata"));
  config->linked_to = linked_template (child_element (root, "metadata"));

  vcpu = child_element (root, "vcpu");
  vcpus = element_text (vcpu);
  current_vcpus = attribute (vcpu, "current");
  config->max_vcpus = vcpus != NULL ? (guint) g_ascii_strtoull (vcpus, NULL, 10) : 1;
  config->vcpus = current_vcpus != NULL ? (guint) g_ascii_strtoull (current_vcpus, NULL, 10)
                                        : config->max_vcpus;
  config->max_memory = memory_kib (child_element (root, "memory"));
  config->memory = memory_kib (child_element (root, "currentMemory"));
  if (config->memory == 0)
    config->memory = config->max_memory;

  config->disks = g_ptr_array_new_with_free_func (g_object_unref);
  config->interfaces = g_ptr_array_new_with_free_func (g_object_unref);

  if ((devices = child_element (root, "devices")) != NULL)
    {
      for (xmlNodePtr n = devices->children; n != NULL; n = n->next)
        {
          if (is_element (n, "disk"))
            {
              g_ptr_array_add (config->disks, parse_disk (n));
              if (child_element (n, "transient") != NULL)
                config->disposable = TRUE;
            }
          else if (is_element (n, "interface"))
            g_ptr_array_add (config->interfaces, parse_interface (n));
          else if (is_element (n, "graphics"))
            config->has_graphics = TRUE;
        }
    }

  xmlFreeDoc (doc);

  return g_steal_pointer (&config);
}

PisoMachineState
_piso_machine_state_from_libvirt (int      state,
                                  gboolean managed_save)
{
  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
      return PISO_MACHINE_STATE_RUNNING;
    case VIR_DOMAIN_PAUSED:
      return PISO_MACHINE_STATE_PAUSED;
    case VIR_DOMAIN_SHUTDOWN:
      return PISO_MACHINE_STATE_SHUTTING_DOWN;
    case VIR_DOMAIN_SHUTOFF:
      return managed_save ? PISO_MACHINE_STATE_SAVED : PISO_MACHINE_STATE_SHUTOFF;
    case VIR_DOMAIN_CRASHED:
      return PISO_MACHINE_STATE_CRASHED;
    case VIR_DOMAIN_PMSUSPENDED:
      return PISO_MACHINE_STATE_SUSPENDED;
    case VIR_DOMAIN_NOSTATE:
    default:
      return PISO_MACHINE_STATE_UNKNOWN;
    }
}

void
_piso_machine_snapshot_free (PisoMachineSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  if (snapshot->handle != NULL)
    virDomainFree (snapshot->handle);
  _piso_machine_config_free (snapshot->config);
  g_free (snapshot);
}

PisoMachineSnapshot *
_piso_machine_snapshot_read (virDomainPtr handle)
{
  PisoMachineSnapshot *snapshot = g_new0 (PisoMachineSnapshot, 1);
  g_autofree char *xml = NULL;
  int state = VIR_DOMAIN_NOSTATE;
  int reason = 0;
  int autostart = 0;
  char *raw_xml;

  virDomainRef (handle);
  snapshot->handle = handle;
  virDomainGetUUIDString (handle, snapshot->uuid);

  if (virDomainGetState (handle, &state, &reason, 0) < 0)
    state = VIR_DOMAIN_NOSTATE;
  snapshot->persistent = virDomainIsPersistent (handle) == 1;
  snapshot->managed_save = snapshot->persistent && virDomainHasManagedSaveImage (handle, 0) == 1;
  if (snapshot->persistent && virDomainGetAutostart (handle, &autostart) == 0)
    snapshot->autostart = autostart != 0;
  snapshot->state = _piso_machine_state_from_libvirt (state, snapshot->managed_save);

  if ((raw_xml = virDomainGetXMLDesc (handle, 0)) != NULL)
    {
      g_autoptr(GError) error = NULL;

      snapshot->config = _piso_machine_config_parse (raw_xml, &error);
      if (snapshot->config == NULL)
        g_debug ("%s: %s", virDomainGetName (handle), error->message);
      free (raw_xml);
    }

  return snapshot;
}
