/* piso-machine-parse.c: reading a domain's definition and state (worker threads)
 *
 * The read side uses libxml2 directly rather than libvirt-gconfig: gconfig
 * has no getters for interface sources, current vCPUs or the libosinfo
 * metadata element, and Piso reads thousands of definitions at start-up, so
 * one parse and a handful of XPath queries per domain is what it can afford.
 * libvirt-gconfig stays the tool for writing XML.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-parse"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "piso-disk.h"
#include "piso-machine-private.h"
#include "piso-net-interface.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

static char *
xpath_string (xmlXPathContextPtr  ctx,
              xmlNodePtr          node,
              const char         *expr)
{
  xmlXPathObjectPtr obj;
  char *ret = NULL;

  ctx->node = node;
  obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  if (obj == NULL)
    return NULL;

  if (obj->type == XPATH_NODESET && obj->nodesetval != NULL && obj->nodesetval->nodeNr > 0)
    {
      xmlChar *content = xmlNodeGetContent (obj->nodesetval->nodeTab[0]);

      if (content != NULL)
        {
          g_autofree char *stripped = g_strstrip (g_strdup ((const char *) content));

          if (stripped[0] != '\0')
            ret = g_steal_pointer (&stripped);
          xmlFree (content);
        }
    }
  else if (obj->type == XPATH_STRING && obj->stringval != NULL && obj->stringval[0] != '\0')
    {
      ret = g_strdup ((const char *) obj->stringval);
    }

  xmlXPathFreeObject (obj);
  return ret;
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
xpath_memory_kib (xmlXPathContextPtr  ctx,
                  xmlNodePtr          root,
                  const char         *element)
{
  g_autofree char *value_expr = g_strdup_printf ("/domain/%s", element);
  g_autofree char *unit_expr = g_strdup_printf ("string(/domain/%s/@unit)", element);
  g_autofree char *value = xpath_string (ctx, root, value_expr);
  g_autofree char *unit = xpath_string (ctx, root, unit_expr);

  if (value == NULL)
    return 0;

  return unit_to_kib (g_ascii_strtoull (value, NULL, 10), unit);
}

static xmlXPathObjectPtr
xpath_nodes (xmlXPathContextPtr  ctx,
             xmlNodePtr          node,
             const char         *expr)
{
  xmlXPathObjectPtr obj;

  ctx->node = node;
  obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  if (obj != NULL && (obj->type != XPATH_NODESET || obj->nodesetval == NULL))
    {
      xmlXPathFreeObject (obj);
      return NULL;
    }
  return obj;
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
  g_clear_pointer (&config->disks, g_ptr_array_unref);
  g_clear_pointer (&config->interfaces, g_ptr_array_unref);
  g_free (config);
}

PisoMachineConfig *
_piso_machine_config_parse (const char  *xml,
                            GError     **error)
{
  g_autoptr(PisoMachineConfig) config = g_new0 (PisoMachineConfig, 1);
  xmlDocPtr doc;
  xmlXPathContextPtr ctx;
  xmlNodePtr root;
  xmlXPathObjectPtr nodes;
  g_autofree char *vcpus = NULL;
  g_autofree char *current_vcpus = NULL;
  g_autofree char *graphics = NULL;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
  if (doc == NULL || (root = xmlDocGetRootElement (doc)) == NULL ||
      !xmlStrEqual (root->name, (const xmlChar *) "domain"))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The machine’s definition is not valid XML"));
      if (doc != NULL)
        xmlFreeDoc (doc);
      return NULL;
    }

  ctx = xmlXPathNewContext (doc);
  xmlXPathRegisterNs (ctx, (const xmlChar *) "libosinfo", (const xmlChar *) LIBOSINFO_NS);

  config->name = xpath_string (ctx, root, "/domain/name");
  config->title = xpath_string (ctx, root, "/domain/title");
  config->description = xpath_string (ctx, root, "/domain/description");
  config->os_id = xpath_string (ctx, root,
                                "string(/domain/metadata/libosinfo:libosinfo/libosinfo:os/@id)");
  vcpus = xpath_string (ctx, root, "/domain/vcpu");
  current_vcpus = xpath_string (ctx, root, "string(/domain/vcpu/@current)");
  config->max_vcpus = vcpus != NULL ? (guint) g_ascii_strtoull (vcpus, NULL, 10) : 1;
  config->vcpus = current_vcpus != NULL ? (guint) g_ascii_strtoull (current_vcpus, NULL, 10)
                                        : config->max_vcpus;
  config->max_memory = xpath_memory_kib (ctx, root, "memory");
  config->memory = xpath_memory_kib (ctx, root, "currentMemory");
  if (config->memory == 0)
    config->memory = config->max_memory;

  graphics = xpath_string (ctx, root, "string(/domain/devices/graphics[1]/@type)");
  config->has_graphics = graphics != NULL;

  config->disks = g_ptr_array_new_with_free_func (g_object_unref);
  if ((nodes = xpath_nodes (ctx, root, "/domain/devices/disk")))
    {
      for (int i = 0; i < nodes->nodesetval->nodeNr; i++)
        {
          xmlNodePtr n = nodes->nodesetval->nodeTab[i];
          g_autofree char *device = xpath_string (ctx, n, "string(@device)");
          g_autofree char *path = xpath_string (ctx, n, "string(source/@file | source/@dev | source/@name | source/@volume)");
          g_autofree char *pool = xpath_string (ctx, n, "string(source/@pool)");
          g_autofree char *target = xpath_string (ctx, n, "string(target/@dev)");
          g_autofree char *bus = xpath_string (ctx, n, "string(target/@bus)");
          g_autofree char *format = xpath_string (ctx, n, "string(driver/@type)");
          g_autofree char *readonly = xpath_string (ctx, n, "name(readonly)");
          PisoDisk *disk = _piso_disk_new (device, path, target, bus, format,
                                           readonly != NULL ||
                                           g_strcmp0 (device, "cdrom") == 0);

          if (pool != NULL)
            _piso_disk_set_volume_info (disk, pool, path, 0, 0);
          g_ptr_array_add (config->disks, disk);
        }
      xmlXPathFreeObject (nodes);
    }

  config->interfaces = g_ptr_array_new_with_free_func (g_object_unref);
  if ((nodes = xpath_nodes (ctx, root, "/domain/devices/interface")))
    {
      for (int i = 0; i < nodes->nodesetval->nodeNr; i++)
        {
          xmlNodePtr n = nodes->nodesetval->nodeTab[i];
          g_autofree char *kind = xpath_string (ctx, n, "string(@type)");
          g_autofree char *mac = xpath_string (ctx, n, "string(mac/@address)");
          g_autofree char *source = xpath_string (ctx, n, "string(source/@network | source/@bridge | source/@dev)");
          g_autofree char *model = xpath_string (ctx, n, "string(model/@type)");

          g_ptr_array_add (config->interfaces, _piso_net_interface_new (mac, kind, source, model));
        }
      xmlXPathFreeObject (nodes);
    }

  xmlXPathFreeContext (ctx);
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
