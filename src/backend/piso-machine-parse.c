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

#include "piso-disk.h"
#include "piso-domain-xml-private.h"
#include "piso-machine-boot.h"
#include "piso-machine-private.h"
#include "piso-net-interface.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

static guint64
memory_kib (xmlNodePtr node)
{
  g_autofree char *value = _piso_xml_text (node);
  g_autofree char *unit = _piso_xml_attr (node, "unit");

  if (value == NULL)
    return 0;

  return _piso_xml_unit_to_kib (g_ascii_strtoull (value, NULL, 10), unit);
}

static char *
libosinfo_id (xmlNodePtr metadata)
{
  if (metadata == NULL)
    return NULL;

  for (xmlNodePtr n = metadata->children; n != NULL; n = n->next)
    {
      if (!_piso_xml_is_element (n, "libosinfo") || n->ns == NULL ||
          !xmlStrEqual (n->ns->href, (const xmlChar *) LIBOSINFO_NS))
        continue;

      for (xmlNodePtr os = n->children; os != NULL; os = os->next)
        if (_piso_xml_is_element (os, "os"))
          return _piso_xml_attr (os, "id");
    }

  return NULL;
}

static guint
boot_order (xmlNodePtr device)
{
  g_autofree char *order = _piso_xml_attr (_piso_xml_child (device, "boot"), "order");

  return order != NULL ? (guint) g_ascii_strtoull (order, NULL, 10) : 0;
}

/* "0000:03:00.1" from <address type='pci' domain= bus= slot= function=/>. */
static char *
pci_address (xmlNodePtr address)
{
  g_autofree char *domain = _piso_xml_attr (address, "domain");
  g_autofree char *bus = _piso_xml_attr (address, "bus");
  g_autofree char *slot = _piso_xml_attr (address, "slot");
  g_autofree char *function = _piso_xml_attr (address, "function");

  if (address == NULL || bus == NULL || slot == NULL)
    return NULL;

  return g_strdup_printf ("%04" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER "x:%02"
                          G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER "x",
                          domain != NULL ? g_ascii_strtoll (domain, NULL, 0) : 0,
                          g_ascii_strtoll (bus, NULL, 0), g_ascii_strtoll (slot, NULL, 0),
                          function != NULL ? g_ascii_strtoll (function, NULL, 0) : 0);
}

/* "mon1:6789, mon2:6789" or a unix socket, from a network disk's <host>s. */
static char *
network_hosts (xmlNodePtr source)
{
  g_autoptr(GString) hosts = g_string_new (NULL);

  for (xmlNodePtr n = source != NULL ? source->children : NULL; n != NULL; n = n->next)
    {
      g_autofree char *name = NULL;
      g_autofree char *port = NULL;
      g_autofree char *socket = NULL;

      if (!_piso_xml_is_element (n, "host"))
        continue;
      name = _piso_xml_attr (n, "name");
      port = _piso_xml_attr (n, "port");
      socket = _piso_xml_attr (n, "socket");
      if (hosts->len > 0)
        g_string_append (hosts, ", ");
      if (socket != NULL)
        g_string_append (hosts, socket);
      else if (name != NULL && port != NULL)
        g_string_append_printf (hosts, strchr (name, ':') != NULL ? "[%s]:%s" : "%s:%s", name, port);
      else if (name != NULL)
        g_string_append (hosts, name);
    }

  return hosts->len > 0 ? g_string_free (g_steal_pointer (&hosts), FALSE) : NULL;
}

/* <piso:clone linked-to='UUID'/>: this machine's disks are overlays on the
 * disks of that one (piso-clone-xml.c writes it). */
static char *
linked_template (xmlNodePtr metadata)
{
  for (xmlNodePtr n = metadata != NULL ? metadata->children : NULL; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, "clone") && n->ns != NULL &&
        xmlStrEqual (n->ns->href, (const xmlChar *) PISO_METADATA_NS))
      return _piso_xml_attr (n, "linked-to");
  return NULL;
}

static PisoDisk *
parse_disk (xmlNodePtr node)
{
  static const char * const source_attrs[] = { "file", "dev", "dir", "volume", "path", NULL };
  PisoDiskFields f = { 0 };
  xmlNodePtr source = _piso_xml_child (node, "source");
  xmlNodePtr target = _piso_xml_child (node, "target");

  f.device = _piso_xml_attr (node, "device");
  f.source_type = _piso_xml_attr (node, "type");
  f.target = _piso_xml_attr (target, "dev");
  f.bus = _piso_xml_attr (target, "bus");
  f.format = _piso_xml_attr (_piso_xml_child (node, "driver"), "type");
  f.alias = _piso_xml_attr (_piso_xml_child (node, "alias"), "name");
  f.boot_order = boot_order (node);
  f.read_only = _piso_xml_child (node, "readonly") != NULL || g_strcmp0 (f.device, "cdrom") == 0;
  f.tray_open = _piso_xml_attr_is (target, "tray", "open");

  if (g_strcmp0 (f.source_type, "network") == 0)
    {
      f.protocol = _piso_xml_attr (source, "protocol");
      f.source_name = _piso_xml_attr (source, "name");
      f.hosts = network_hosts (source);
    }
  else if (g_strcmp0 (f.source_type, "nvme") == 0)
    {
      f.nvme_address = pci_address (_piso_xml_child (source, "address"));
      f.nvme_namespace = _piso_xml_attr (source, "namespace");
    }
  else
    {
      f.path = _piso_xml_first_attr (source, source_attrs);
      if (g_strcmp0 (f.source_type, "volume") == 0)
        f.pool = _piso_xml_attr (source, "pool");
    }

  return _piso_disk_new (&f);
}

static char *
address_port (xmlNodePtr node)
{
  g_autofree char *address = _piso_xml_attr (node, "address");
  g_autofree char *port = _piso_xml_attr (node, "port");

  if (address == NULL && port == NULL)
    return NULL;
  if (port == NULL)
    return g_steal_pointer (&address);
  return g_strdup_printf (address != NULL && strchr (address, ':') != NULL ? "[%s]:%s" : "%s:%s",
                          address != NULL ? address : "", port);
}

static PisoNetInterface *
parse_interface (xmlNodePtr node)
{
  static const char * const any_source[] = { "network", "bridge", "dev", "path", "switchid", NULL };
  PisoNetFields f = { 0 };
  xmlNodePtr source = _piso_xml_child (node, "source");
  const char *kind;

  f.kind = _piso_xml_attr (node, "type");
  f.mac = _piso_xml_attr (_piso_xml_child (node, "mac"), "address");
  f.model = _piso_xml_attr (_piso_xml_child (node, "model"), "type");
  f.host_device = _piso_xml_attr (_piso_xml_child (node, "target"), "dev");
  f.alias = _piso_xml_attr (_piso_xml_child (node, "alias"), "name");
  f.boot_order = boot_order (node);
  f.link_down = _piso_xml_attr_is (_piso_xml_child (node, "link"), "state", "down");

  kind = f.kind != NULL ? f.kind : "";
  if (g_str_equal (kind, "network"))
    f.source = _piso_xml_attr (source, "network");
  else if (g_str_equal (kind, "bridge"))
    f.source = _piso_xml_attr (source, "bridge");
  else if (g_str_equal (kind, "direct"))
    {
      f.source = _piso_xml_attr (source, "dev");
      f.source_mode = _piso_xml_attr (source, "mode");
    }
  else if (g_str_equal (kind, "hostdev"))
    f.source = pci_address (_piso_xml_child (source, "address"));
  else if (g_str_equal (kind, "vhostuser"))
    {
      f.source = _piso_xml_attr (source, "path");
      f.source_mode = _piso_xml_attr (source, "mode");
    }
  else if (g_str_equal (kind, "server") || g_str_equal (kind, "client") ||
           g_str_equal (kind, "mcast") || g_str_equal (kind, "udp"))
    {
      f.source = address_port (source);
      f.local = address_port (_piso_xml_child (source, "local"));
    }
  else if (g_str_equal (kind, "vdpa"))
    f.source = _piso_xml_attr (source, "dev");
  else if (!g_str_equal (kind, "user") && !g_str_equal (kind, "ethernet") &&
           !g_str_equal (kind, "null"))
    f.source = _piso_xml_first_attr (source, any_source);

  return _piso_net_interface_new (&f);
}

static void
parse_os (PisoMachineConfig *config,
          xmlNodePtr         os)
{
  g_autoptr(GPtrArray) boot_devices = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *firmware = _piso_xml_attr (os, "firmware");
  xmlNodePtr type = _piso_xml_child (os, "type");
  xmlNodePtr loader = _piso_xml_child (os, "loader");

  config->arch = _piso_xml_attr (type, "arch");
  config->machine_type = _piso_xml_attr (type, "machine");
  config->boot_menu = _piso_xml_attr_is (_piso_xml_child (os, "bootmenu"), "enable", "yes");

  /* Autoselected (firmware='efi') or an explicit pflash loader (OVMF). */
  if (g_strcmp0 (firmware, "efi") == 0 || _piso_xml_attr_is (loader, "type", "pflash"))
    config->firmware = PISO_FIRMWARE_UEFI;
  else
    config->firmware = PISO_FIRMWARE_BIOS;
  config->secure_boot = _piso_xml_attr_is (loader, "secure", "yes");
  for (xmlNodePtr n = _piso_xml_child (os, "firmware") != NULL
                      ? _piso_xml_child (os, "firmware")->children : NULL; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, "feature") && _piso_xml_attr_is (n, "name", "secure-boot"))
      config->secure_boot = _piso_xml_attr_is (n, "enabled", "yes");

  for (xmlNodePtr n = os != NULL ? os->children : NULL; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, "boot"))
      {
        char *dev = _piso_xml_attr (n, "dev");

        if (dev != NULL)
          g_ptr_array_add (boot_devices, dev);
      }
  g_ptr_array_add (boot_devices, NULL);
  config->boot_devices = (GStrv) g_ptr_array_free (g_steal_pointer (&boot_devices), FALSE);
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
  g_free (config->arch);
  g_free (config->machine_type);
  g_strfreev (config->boot_devices);
  g_clear_pointer (&config->next_start, _piso_machine_config_free);
  g_clear_pointer (&config->disks, g_ptr_array_unref);
  g_clear_pointer (&config->interfaces, g_ptr_array_unref);
  _piso_install_record_clear (&config->install);
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

  doc = _piso_xml_parse (xml, FALSE, NULL, NULL);
  if (doc == NULL || (root = xmlDocGetRootElement (doc)) == NULL || !_piso_xml_is_element (root, "domain"))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The machine’s definition is not valid XML"));
      if (doc != NULL)
        xmlFreeDoc (doc);
      return NULL;
    }

  config->name = _piso_xml_child_text (root, "name");
  config->title = _piso_xml_child_text (root, "title");
  config->description = _piso_xml_child_text (root, "description");
  config->os_id = libosinfo_id (_piso_xml_child (root, "metadata"));
  _piso_install_record_parse (root, &config->install);
  config->linked_to = linked_template (_piso_xml_child (root, "metadata"));

  vcpu = _piso_xml_child (root, "vcpu");
  vcpus = _piso_xml_text (vcpu);
  current_vcpus = _piso_xml_attr (vcpu, "current");
  config->max_vcpus = vcpus != NULL ? (guint) g_ascii_strtoull (vcpus, NULL, 10) : 1;
  config->vcpus = current_vcpus != NULL ? (guint) g_ascii_strtoull (current_vcpus, NULL, 10)
                                        : config->max_vcpus;
  config->max_memory = memory_kib (_piso_xml_child (root, "memory"));
  config->memory = memory_kib (_piso_xml_child (root, "currentMemory"));
  if (config->memory == 0)
    config->memory = config->max_memory;
  parse_os (config, _piso_xml_child (root, "os"));

  config->disks = g_ptr_array_new_with_free_func (g_object_unref);
  config->interfaces = g_ptr_array_new_with_free_func (g_object_unref);

  if ((devices = _piso_xml_child (root, "devices")) != NULL)
    {
      for (xmlNodePtr n = devices->children; n != NULL; n = n->next)
        {
          if (_piso_xml_is_element (n, "disk"))
            {
              g_ptr_array_add (config->disks, parse_disk (n));
              if (_piso_xml_child (n, "transient") != NULL)
                config->disposable = TRUE;
            }
          else if (_piso_xml_is_element (n, "interface"))
            g_ptr_array_add (config->interfaces, parse_interface (n));
          else if (_piso_xml_is_element (n, "graphics"))
            config->has_graphics = TRUE;
          else if (_piso_xml_is_element (n, "tpm"))
            config->tpm = TRUE;
          else if (_piso_xml_is_element (n, "memballoon"))
            config->has_balloon = !_piso_xml_attr_is (n, "model", "none");
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

/* Devices of the running machine and of its next start in one list, each
 * marked with how the next start differs; disks matched by target,
 * interfaces by MAC. */
static void
merge_next_start (PisoMachineConfig *live)
{
  PisoMachineConfig *next = live->next_start;
  g_autoptr(GHashTable) matched = NULL;

  if (next == NULL)
    return;

  matched = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < live->disks->len; i++)
    {
      PisoDiskFields *f = (PisoDiskFields *) _piso_disk_get_fields (g_ptr_array_index (live->disks, i));
      PisoDisk *other = NULL;

      for (guint j = 0; j < next->disks->len && other == NULL; j++)
        {
          PisoDisk *candidate = g_ptr_array_index (next->disks, j);

          if (!g_hash_table_contains (matched, candidate) &&
              g_strcmp0 (_piso_disk_get_fields (candidate)->target, f->target) == 0)
            other = candidate;
        }
      if (other == NULL)
        f->pending = PISO_DEVICE_PENDING_REMOVE;
      else
        {
          const PisoDiskFields *o = _piso_disk_get_fields (other);

          g_hash_table_add (matched, other);
          if (!_piso_disk_fields_same_setup (f, o))
            {
              f->pending = PISO_DEVICE_PENDING_CHANGE;
              if (!_piso_disk_fields_same_source (f, o))
                f->next_source = _piso_disk_fields_describe (o);
            }
        }
    }
  for (guint j = 0; j < next->disks->len; j++)
    {
      PisoDisk *disk = g_ptr_array_index (next->disks, j);

      if (g_hash_table_contains (matched, disk))
        continue;
      ((PisoDiskFields *) _piso_disk_get_fields (disk))->pending = PISO_DEVICE_PENDING_ADD;
      g_ptr_array_add (live->disks, g_object_ref (disk));
    }

  g_hash_table_remove_all (matched);
  for (guint i = 0; i < live->interfaces->len; i++)
    {
      PisoNetFields *f = (PisoNetFields *) _piso_net_interface_get_fields (g_ptr_array_index (live->interfaces, i));
      PisoNetInterface *other = NULL;

      for (guint j = 0; j < next->interfaces->len && other == NULL; j++)
        {
          PisoNetInterface *candidate = g_ptr_array_index (next->interfaces, j);
          const char *mac = _piso_net_interface_get_fields (candidate)->mac;

          if (!g_hash_table_contains (matched, candidate) && mac != NULL && f->mac != NULL &&
              g_ascii_strcasecmp (mac, f->mac) == 0)
            other = candidate;
        }
      if (other == NULL)
        f->pending = PISO_DEVICE_PENDING_REMOVE;
      else
        {
          g_hash_table_add (matched, other);
          if (!_piso_net_fields_same_setup (f, _piso_net_interface_get_fields (other)))
            f->pending = PISO_DEVICE_PENDING_CHANGE;
        }
    }
  for (guint j = 0; j < next->interfaces->len; j++)
    {
      PisoNetInterface *iface = g_ptr_array_index (next->interfaces, j);

      if (g_hash_table_contains (matched, iface))
        continue;
      ((PisoNetFields *) _piso_net_interface_get_fields (iface))->pending = PISO_DEVICE_PENDING_ADD;
      g_ptr_array_add (live->interfaces, g_object_ref (iface));
    }
}

gboolean
_piso_machine_config_restart_pending (PisoMachineConfig *config)
{
  PisoMachineConfig *next = config->next_start;

  if (next == NULL)
    return FALSE;

  /* The balloon gives the running machine its next-start memory while it
   * runs, unless that is above its running maximum; the amount it reaches
   * now is the balloon's business (a guest may keep a little more). */
  if (next->memory > config->max_memory || config->max_memory != next->max_memory ||
      config->vcpus != next->vcpus || config->max_vcpus != next->max_vcpus ||
      config->firmware != next->firmware || config->secure_boot != next->secure_boot ||
      config->tpm != next->tpm || config->boot_menu != next->boot_menu ||
      !g_strv_equal ((const char * const *) config->boot_devices,
                     (const char * const *) next->boot_devices))
    return TRUE;

  for (guint i = 0; i < config->disks->len; i++)
    if (piso_disk_get_pending (g_ptr_array_index (config->disks, i)) != PISO_DEVICE_PENDING_NONE)
      return TRUE;
  for (guint i = 0; i < config->interfaces->len; i++)
    if (piso_net_interface_get_pending (g_ptr_array_index (config->interfaces, i)) != PISO_DEVICE_PENDING_NONE)
      return TRUE;

  return FALSE;
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

  /* A running machine's definition for its next start can differ (changes
   * libvirt could not make live): read it too, to show both. */
  if (snapshot->config != NULL && snapshot->persistent &&
      (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_BLOCKED ||
       state == VIR_DOMAIN_SHUTDOWN || state == VIR_DOMAIN_PMSUSPENDED || state == VIR_DOMAIN_CRASHED))
    {
      if ((raw_xml = virDomainGetXMLDesc (handle, VIR_DOMAIN_XML_INACTIVE)) != NULL)
        {
          snapshot->config->next_start = _piso_machine_config_parse (raw_xml, NULL);
          free (raw_xml);
        }
      virResetLastError ();
    }
  if (snapshot->config != NULL)
    {
      snapshot->config->next_start_read = TRUE;
      merge_next_start (snapshot->config);
    }

  return snapshot;
}
