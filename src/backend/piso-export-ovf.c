/* piso-export-ovf.c: an OVF descriptor and its .mf manifest read into data
 *
 * The descriptor's hardware is a list of CIM items told apart by their
 * ResourceType (3 CPU, 4 memory, 10 NIC, 17 disk, 35 sound…); VirtualBox
 * and VMware add their own elements (vbox:Machine, vmw:Config) that say
 * the OS type and the firmware. Only local element names are compared:
 * the two write the same things under different namespace prefixes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-export-ovf"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-private.h"
#include "piso-domain-xml-private.h"
#include "piso-export-ovf-private.h"

/* CIM resource types (DMTF CIM_ResourceAllocationSettingData). */
enum
{
  RESOURCE_OTHER = 1,
  RESOURCE_PROCESSOR = 3,
  RESOURCE_MEMORY = 4,
  RESOURCE_IDE = 5,
  RESOURCE_SCSI = 6,
  RESOURCE_ETHERNET = 10,
  RESOURCE_FLOPPY = 14,
  RESOURCE_CD = 15,
  RESOURCE_DVD = 16,
  RESOURCE_DISK = 17,
  RESOURCE_OTHER_STORAGE = 20,  /* VirtualBox's SATA (AHCI) controller */
  RESOURCE_SERIAL = 21,
  RESOURCE_PARALLEL = 22,
  RESOURCE_USB = 23,
  RESOURCE_GRAPHICS = 24,
  RESOURCE_SOUND = 35,
};

/* VirtualBox OS types and VMware guest ids (lower case) and the libosinfo
 * ids they are. An OS not here (or not in the host's osinfo database) is
 * imported as a generic one. */
static const struct
{
  const char *os_type;
  const char *os_id;
} os_types[] = {
  { "debian12_64", "http://debian.org/debian/12" },
  { "debian12_64guest", "http://debian.org/debian/12" },
  { "debian11_64", "http://debian.org/debian/11" },
  { "debian11_64guest", "http://debian.org/debian/11" },
  { "debian10_64", "http://debian.org/debian/10" },
  { "debian10_64guest", "http://debian.org/debian/10" },
  { "ubuntu24_lts_64", "http://ubuntu.com/ubuntu/24.04" },
  { "ubuntu22_lts_64", "http://ubuntu.com/ubuntu/22.04" },
  { "ubuntu20_lts_64", "http://ubuntu.com/ubuntu/20.04" },
  { "rhel9_64guest", "http://redhat.com/rhel/9.0" },
  { "rhel8_64guest", "http://redhat.com/rhel/8.0" },
  { "centos8_64guest", "http://centos.org/centos/8" },
  { "freebsd13_64guest", "http://freebsd.org/freebsd/13.0" },
  { "archlinux_64", "http://archlinux.org/archlinux/rolling" },
  { "windows7_64", "http://microsoft.com/win/7" },
  { "windows7_64guest", "http://microsoft.com/win/7" },
  { "windows10_64", "http://microsoft.com/win/10" },
  { "windows9_64guest", "http://microsoft.com/win/10" },  /* VMware's name for Windows 10 */
  { "windows11_64", "http://microsoft.com/win/11" },
  { "windows11_64guest", "http://microsoft.com/win/11" },
  { "windows2016_64", "http://microsoft.com/win/2k16" },
  { "windows9srv_64guest", "http://microsoft.com/win/2k16" },
  { "windows2019_64", "http://microsoft.com/win/2k19" },
  { "windows2019srv_64guest", "http://microsoft.com/win/2k19" },
  { "windows2022_64", "http://microsoft.com/win/2k22" },
  { "windows2019srvnext_64guest", "http://microsoft.com/win/2k22" },
};

const char *
_piso_ovf_os_id (const char *os_type)
{
  g_autofree char *lower = NULL;

  if (os_type == NULL)
    return NULL;
  lower = g_ascii_strdown (os_type, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (os_types); i++)
    if (g_str_equal (lower, os_types[i].os_type))
      return os_types[i].os_id;
  return NULL;
}

void
_piso_ovf_descriptor_free (PisoOvfDescriptor *ovf)
{
  if (ovf == NULL)
    return;
  g_free (ovf->name);
  g_free (ovf->os_type);
  g_free (ovf->os_id);
  g_clear_pointer (&ovf->disks, g_ptr_array_unref);
  g_clear_pointer (&ovf->nics, g_ptr_array_unref);
  g_clear_pointer (&ovf->left_out, g_ptr_array_unref);
  g_free (ovf);
}

static void
disk_free (PisoOvfDisk *disk)
{
  g_free (disk->id);
  g_free (disk->file);
  g_free (disk->format);
  g_free (disk);
}

static void
nic_free (PisoOvfNic *nic)
{
  g_free (nic->model);
  g_free (nic->network);
  g_free (nic);
}

static gpointer
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("The appliance's description (OVF) cannot be used: %s."), what);
  return NULL;
}

static guint64
parse_number (const char *text)
{
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (g_strstrip ((char *) text), 10, 0, G_MAXUINT64,
                                                   &value, NULL))
    return 0;
  return value;
}

/* Bytes in one unit of a CIM programmatic unit ("byte * 2^20", "MegaBytes",
 * "KB"…); @fallback when missing, 0 when not understood. */
static guint64
unit_bytes (const char *units,
            guint64     fallback)
{
  g_autofree char *compact = NULL;
  GString *s;
  const char *pow;

  if (units == NULL || *units == '\0')
    return fallback;
  s = g_string_new (NULL);
  for (const char *p = units; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (s, g_ascii_tolower (*p));
  compact = g_string_free (s, FALSE);

  if (g_str_equal (compact, "byte") || g_str_equal (compact, "bytes"))
    return 1;
  if (g_str_has_prefix (compact, "byte*2^") && (pow = compact + strlen ("byte*2^")) != NULL)
    {
      guint64 exp = parse_number (pow);

      return exp < 63 ? G_GUINT64_CONSTANT (1) << exp : 0;
    }
  if (g_str_equal (compact, "kilobytes") || g_str_equal (compact, "kb"))
    return 1024;
  if (g_str_equal (compact, "megabytes") || g_str_equal (compact, "mb"))
    return 1024 * 1024;
  if (g_str_equal (compact, "gigabytes") || g_str_equal (compact, "gb"))
    return 1024 * 1024 * 1024;
  return 0;
}

/* A file name of the appliance: a plain relative path inside its folder. */
static gboolean
safe_file_name (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name == NULL || *name == '\0' || g_path_is_absolute (name) || strchr (name, '\\') != NULL ||
      strstr (name, "://") != NULL)
    return FALSE;
  parts = g_strsplit (name, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

/* What the user reads about an item that is not carried over. */
static void
left_out (PisoOvfDescriptor *ovf,
          xmlNodePtr         item,
          const char        *kind)
{
  g_autofree char *element = _piso_xml_child_text (item, "ElementName");
  g_autofree char *subtype = _piso_xml_child_text (item, "ResourceSubType");

  if (element != NULL && subtype != NULL && strstr (element, subtype) == NULL)
    g_ptr_array_add (ovf->left_out, g_strdup_printf ("%s: %s (%s)", kind, element, subtype));
  else if (element != NULL || subtype != NULL)
    g_ptr_array_add (ovf->left_out, g_strdup_printf ("%s: %s", kind,
                                                     element != NULL ? element : subtype));
  else
    g_ptr_array_add (ovf->left_out, g_strdup (kind));
}

static PisoOvfDisk *
disk_for_resource (GPtrArray  *disks,
                   const char *resource)
{
  const char *id;

  if (resource == NULL)
    return NULL;
  /* "ovf:/disk/vmdisk1" (OVF 1.x) or "/disk/vmdisk1" */
  id = strrchr (resource, '/');
  id = id != NULL ? id + 1 : resource;
  for (guint i = 0; i < disks->len; i++)
    {
      PisoOvfDisk *disk = g_ptr_array_index (disks, i);

      if (g_strcmp0 (disk->id, id) == 0)
        return disk;
    }
  return NULL;
}

static int
compare_disks (gconstpointer a,
               gconstpointer b)
{
  const PisoOvfDisk *x = *(PisoOvfDisk * const *) a;
  const PisoOvfDisk *y = *(PisoOvfDisk * const *) b;

  if (x->parent != y->parent)
    return x->parent < y->parent ? -1 : 1;
  if (x->address != y->address)
    return x->address < y->address ? -1 : 1;
  return 0;
}

static void
read_item (PisoOvfDescriptor *ovf,
           xmlNodePtr         item,
           GPtrArray         *section_disks)
{
  g_autofree char *type_text = _piso_xml_child_text (item, "ResourceType");
  guint64 type = parse_number (type_text);

  switch (type)
    {
    case RESOURCE_PROCESSOR:
      {
        g_autofree char *quantity = _piso_xml_child_text (item, "VirtualQuantity");

        ovf->vcpus = (guint) MIN (parse_number (quantity), 4096);
      }
      break;

    case RESOURCE_MEMORY:
      {
        g_autofree char *quantity = _piso_xml_child_text (item, "VirtualQuantity");
        g_autofree char *units = _piso_xml_child_text (item, "AllocationUnits");
        /* CIM's default unit for memory is the megabyte. */
        guint64 unit = unit_bytes (units, 1024 * 1024);

        ovf->memory_kib = parse_number (quantity) * unit / 1024;
      }
      break;

    case RESOURCE_ETHERNET:
      {
        PisoOvfNic *nic = g_new0 (PisoOvfNic, 1);

        nic->model = _piso_xml_child_text (item, "ResourceSubType");
        nic->network = _piso_xml_child_text (item, "Connection");
        g_ptr_array_add (ovf->nics, nic);
      }
      break;

    case RESOURCE_DISK:
      {
        g_autofree char *resource = _piso_xml_child_text (item, "HostResource");
        PisoOvfDisk *disk = disk_for_resource (section_disks, resource);

        g_autofree char *parent = _piso_xml_child_text (item, "Parent");
        g_autofree char *address = _piso_xml_child_text (item, "AddressOnParent");

        if (disk != NULL)
          {
            disk->parent = parse_number (parent);
            disk->address = parse_number (address);
          }
      }
      break;

    case RESOURCE_SOUND:
      ovf->sound = TRUE;
      break;

    /* Piso gives the machine its own controllers, display and USB. */
    case RESOURCE_IDE:
    case RESOURCE_SCSI:
    case RESOURCE_OTHER_STORAGE:
    case RESOURCE_USB:
    case RESOURCE_GRAPHICS:
      break;

    case RESOURCE_CD:
    case RESOURCE_DVD:
      left_out (ovf, item, _("CD/DVD drive (its disc is not part of the appliance)"));
      break;
    case RESOURCE_FLOPPY:
      left_out (ovf, item, _("Floppy drive"));
      break;
    case RESOURCE_SERIAL:
      left_out (ovf, item, _("Serial port"));
      break;
    case RESOURCE_PARALLEL:
      left_out (ovf, item, _("Parallel port"));
      break;
    case RESOURCE_OTHER:
    default:
      left_out (ovf, item, _("Device"));
      break;
    }
}

static void
read_os (PisoOvfDescriptor *ovf,
         xmlNodePtr         section)
{
  /* VMware: <OperatingSystemSection vmw:osType="debian11_64Guest">;
   * VirtualBox: <vbox:OSType>Debian11_64</vbox:OSType>. */
  g_autofree char *vmw = _piso_xml_attr (section, "osType");
  g_autofree char *vbox = _piso_xml_child_text (section, "OSType");
  g_autofree char *description = _piso_xml_child_text (section, "Description");
  const char *os_id;
  g_autofree char *lower = NULL;

  ovf->os_type = g_strdup (vmw != NULL ? vmw : vbox != NULL ? vbox : description);
  os_id = _piso_ovf_os_id (vmw);
  if (os_id == NULL)
    os_id = _piso_ovf_os_id (vbox);
  if (os_id == NULL)
    os_id = _piso_ovf_os_id (description);
  ovf->os_id = g_strdup (os_id);

  lower = g_ascii_strdown (ovf->os_type != NULL ? ovf->os_type : "", -1);
  ovf->windows = (os_id != NULL && strstr (os_id, "microsoft.com") != NULL) ||
                 g_str_has_prefix (lower, "win") || strstr (lower, "windows") != NULL;
}

/* EFI as VMware says it (<vmw:Config vmw:key="firmware" vmw:value="efi"/>)
 * and as VirtualBox does (<vbox:Machine>…<Firmware type="EFI"/>). */
static void
read_firmware (PisoOvfDescriptor *ovf,
               xmlNodePtr         system)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  guint vmware_settings = 0;

  g_ptr_array_add (stack, system);
  while (stack->len > 0)
    {
      xmlNodePtr node = g_ptr_array_steal_index (stack, stack->len - 1);

      for (xmlNodePtr n = node->children; n != NULL; n = n->next)
        {
          if (n->type != XML_ELEMENT_NODE)
            continue;
          if (_piso_xml_is_element (n, "Config") || _piso_xml_is_element (n, "ExtraConfig"))
            {
              g_autofree char *key = _piso_xml_attr (n, "key");
              g_autofree char *value = _piso_xml_attr (n, "value");

              if (g_strcmp0 (key, "firmware") == 0)
                ovf->uefi = g_ascii_strcasecmp (value != NULL ? value : "", "efi") == 0;
              else
                vmware_settings++;
            }
          else if (_piso_xml_is_element (n, "Firmware"))
            {
              g_autofree char *type = _piso_xml_attr (n, "type");

              if (type != NULL && g_ascii_strncasecmp (type, "EFI", 3) == 0)
                ovf->uefi = TRUE;
            }
          else
            g_ptr_array_add (stack, n);
        }
    }
  if (vmware_settings > 0)
    g_ptr_array_add (ovf->left_out,
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "%u VMware-specific setting",
                                                   "%u VMware-specific settings",
                                                   vmware_settings),
                                      vmware_settings));
}

PisoOvfDescriptor *
_piso_ovf_parse (const char  *data,
                 gsize        length,
                 GError     **error)
{
  g_autoptr(PisoOvfDescriptor) ovf = g_new0 (PisoOvfDescriptor, 1);
  g_autoptr(GPtrArray) section_disks = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_free);
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) file_sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *text = g_strndup (data, length);
  xmlNodePtr root, references, disk_section, system, hardware, os;

  g_return_val_if_fail (data != NULL, NULL);

  ovf->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_free);
  ovf->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) nic_free);
  ovf->left_out = g_ptr_array_new_with_free_func (g_free);

  if ((doc = _piso_xml_parse (text, FALSE, NULL, NULL)) == NULL ||
      !_piso_xml_is_element ((root = xmlDocGetRootElement (doc)), "Envelope"))
    return invalid (error, _("it is not an OVF envelope"));

  /* References: file ids to names. */
  if ((references = _piso_xml_child (root, "References")) != NULL)
    for (xmlNodePtr n = references->children; n != NULL; n = n->next)
      if (_piso_xml_is_element (n, "File"))
        {
          g_autofree char *id = _piso_xml_attr (n, "id");
          g_autofree char *href = _piso_xml_attr (n, "href");
          g_autofree char *size = _piso_xml_attr (n, "size");

          if (id == NULL || href == NULL)
            continue;
          if (!safe_file_name (href))
            {
              g_autofree char *what = g_strdup_printf (_("the file name “%s” leaves the appliance"),
                                                       href);
              return invalid (error, what);
            }
          g_hash_table_insert (file_sizes, g_strdup (id), GSIZE_TO_POINTER (parse_number (size)));
          g_hash_table_insert (files, g_steal_pointer (&id), g_steal_pointer (&href));
        }

  if ((disk_section = _piso_xml_child (root, "DiskSection")) != NULL)
    for (xmlNodePtr n = disk_section->children; n != NULL; n = n->next)
      if (_piso_xml_is_element (n, "Disk"))
        {
          PisoOvfDisk *disk = g_new0 (PisoOvfDisk, 1);
          g_autofree char *file_ref = _piso_xml_attr (n, "fileRef");
          g_autofree char *capacity = _piso_xml_attr (n, "capacity");
          g_autofree char *units = _piso_xml_attr (n, "capacityAllocationUnits");

          g_ptr_array_add (section_disks, disk);
          disk->parent = disk->address = G_MAXUINT64;
          disk->id = _piso_xml_attr (n, "diskId");
          disk->format = _piso_xml_attr (n, "format");
          disk->capacity = parse_number (capacity) * unit_bytes (units, 1);
          if (file_ref == NULL || !g_hash_table_contains (files, file_ref))
            {
              /* A disk without a file is an empty one the appliance asks
               * for; Piso imports what is there. */
              g_autofree char *what = g_strdup_printf (_("the disk “%s” has no file"),
                                                       disk->id != NULL ? disk->id : "?");
              return invalid (error, what);
            }
          disk->file = g_strdup (g_hash_table_lookup (files, file_ref));
          disk->file_size = GPOINTER_TO_SIZE (g_hash_table_lookup (file_sizes, file_ref));
        }

  /* The first virtual system (a collection of several is not a machine). */
  system = _piso_xml_child (root, "VirtualSystem");
  if (system == NULL)
    return invalid (error, _("it describes no virtual machine"));
  ovf->name = _piso_xml_child_text (system, "Name");
  if (ovf->name == NULL)
    ovf->name = _piso_xml_attr (system, "id");

  if ((os = _piso_xml_child (system, "OperatingSystemSection")) != NULL)
    read_os (ovf, os);

  hardware = _piso_xml_child (system, "VirtualHardwareSection");
  if (hardware == NULL)
    return invalid (error, _("it has no hardware section"));
  for (xmlNodePtr n = hardware->children; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, "Item") || _piso_xml_is_element (n, "StorageItem") ||
        _piso_xml_is_element (n, "EthernetPortItem"))
      read_item (ovf, n, section_disks);
  read_firmware (ovf, system);

  /* The machine's order: by controller, then place on it (the system disk
   * first); disks the hardware does not attach still belong to it, last. */
  g_ptr_array_sort (section_disks, compare_disks);
  while (section_disks->len > 0)
    g_ptr_array_add (ovf->disks, g_ptr_array_steal_index (section_disks, 0));

  if (ovf->disks->len == 0)
    return invalid (error, _("it has no disk"));
  if (ovf->nics->len > 1)
    g_ptr_array_add (ovf->left_out,
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "%u more network adapter (the machine gets one)",
                                                   "%u more network adapters (the machine gets one)",
                                                   ovf->nics->len - 1),
                                      ovf->nics->len - 1));
  return g_steal_pointer (&ovf);
}

GHashTable *
_piso_ovf_parse_manifest (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *text = g_strndup (data, length);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  /* "SHA256(disk1.vmdk)= 0123…" per line (openssl dgst's format). */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      const char *open, *close, *eq;
      g_autofree char *algo = NULL;
      g_autofree char *digest = NULL;

      if (*line == '\0')
        continue;
      open = strchr (line, '(');
      close = strrchr (line, ')');
      eq = close != NULL ? strchr (close, '=') : NULL;
      if (open == NULL || close == NULL || close < open || eq == NULL)
        goto bad;
      algo = g_ascii_strup (line, open - line);
      digest = g_ascii_strdown (g_strstrip ((char *) eq + 1), -1);
      if ((!g_str_equal (algo, "SHA1") && !g_str_equal (algo, "SHA256")) ||
          strlen (digest) != (g_str_equal (algo, "SHA1") ? 40 : 64))
        goto bad;
      g_hash_table_insert (digests, g_strndup (open + 1, close - open - 1),
                           g_strdup_printf ("%s:%s", algo, digest));
    }
  return g_steal_pointer (&digests);

bad:
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("The appliance's manifest (.mf) cannot be read: it has a line that is not a "
                 "SHA-1 or SHA-256 digest. Nothing was imported."));
  return NULL;
}
