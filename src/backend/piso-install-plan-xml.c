/* piso-install-plan-xml.c: a PisoInstallPlan as libvirt domain XML, and in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The XML follows libvirt's domain format (https://libvirt.org/formatdomain.html)
 * with the defaults a desktop machine wants: q35, SPICE without a TCP port
 * for local connections, the agent channel, USB redirection, a tablet for an
 * absolute pointer, and devices chosen by apply_os for the OS.
 */
#define G_LOG_DOMAIN "piso-install-plan"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format-size.h"
#include "piso-install-plan-private.h"
#include "piso-machine-install-private.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

static void G_GNUC_PRINTF (3, 4)
append (GString    *xml,
        guint       indent,
        const char *format,
        ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_markup_vprintf_escaped (format, args);
  va_end (args);

  for (guint i = 0; i < indent; i++)
    g_string_append (xml, "  ");
  g_string_append (xml, line);
  g_string_append_c (xml, '\n');
}

static const char *
disk_bus_name (guint bus)
{
  switch (bus)
    {
    case PISO_INSTALL_DISK_BUS_VIRTIO: return "virtio";
    case PISO_INSTALL_DISK_BUS_IDE: return "ide";
    case PISO_INSTALL_DISK_BUS_SATA:
    default: return "sata";
    }
}

/* Target names per bus: the first disk on a bus is vda/sda/hda. IDE puts
 * the CD-ROM on the secondary master (hdc), where old installers look. */
static const char *
target_dev (guint    bus,
            gboolean cdrom,
            gboolean disk_on_same_bus)
{
  switch (bus)
    {
    case PISO_INSTALL_DISK_BUS_VIRTIO: return "vda";
    case PISO_INSTALL_DISK_BUS_IDE: return cdrom ? "hdc" : "hda";
    case PISO_INSTALL_DISK_BUS_SATA:
    default: return cdrom && disk_on_same_bus ? "sdb" : "sda";
    }
}

static const char *
net_model_name (guint model)
{
  switch (model)
    {
    case PISO_INSTALL_NET_MODEL_VIRTIO: return "virtio";
    case PISO_INSTALL_NET_MODEL_E1000E: return "e1000e";
    case PISO_INSTALL_NET_MODEL_E1000:
    default: return "e1000";
    }
}

static gboolean
is_x86 (const char *arch)
{
  return g_strcmp0 (arch, "x86_64") == 0 || g_strcmp0 (arch, "i686") == 0;
}

static gboolean
check_plan (PisoInstallPlan          *self,
            const PisoInstallStorage *storage,
            GError                  **error)
{
  const char *media = storage != NULL ? storage->media_path : NULL;
  const char *disk = storage != NULL ? storage->disk_path : NULL;
  const char *problem = NULL;

  if (!piso_install_validate_name (self->name, NULL, error))
    return FALSE;

  /* The first thing missing is the one to tell. */
  if (self->memory < 1024 || self->vcpus == 0)
    problem = _("The machine needs at least 1 MiB of memory and one virtual CPU.");
  else if ((self->source_kind == PISO_INSTALL_SOURCE_MEDIA ||
            self->source_kind == PISO_INSTALL_SOURCE_URL) && media == NULL)
    problem = _("There is no installer media. Choose an ISO or IMG file.");
  else if (self->source_kind == PISO_INSTALL_SOURCE_IMPORT && disk == NULL)
    problem = _("There is no disk image to import. Choose one.");
  else if (self->source_kind != PISO_INSTALL_SOURCE_IMPORT && self->disk_size > 0 && disk == NULL)
    problem = _("The machine’s disk has not been created yet.");

  if (problem != NULL)
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED, problem);
      return FALSE;
    }
  return TRUE;
}

/* The bus of the installer's CD-ROM: SATA, IDE on the old "pc" machine. */
static guint
cdrom_bus (PisoInstallPlan *self)
{
  return self->machine_type == PISO_INSTALL_MACHINE_PC
         ? PISO_INSTALL_DISK_BUS_IDE : PISO_INSTALL_DISK_BUS_SATA;
}

static const char *
cdrom_target (PisoInstallPlan          *self,
              const PisoInstallStorage *storage)
{
  gboolean disk = storage != NULL && storage->disk_path != NULL;

  return target_dev (cdrom_bus (self), TRUE, disk && self->disk_bus == cdrom_bus (self));
}

/* Installer media and a disk to install onto: the machine is defined for an
 * install run, which its installer's reboot ends (piso-machine-install.h). */
static gboolean
installs (PisoInstallPlan          *self,
          const PisoInstallStorage *storage)
{
  return storage != NULL && storage->media_path != NULL && storage->disk_path != NULL &&
         (self->source_kind == PISO_INSTALL_SOURCE_MEDIA ||
          self->source_kind == PISO_INSTALL_SOURCE_URL);
}

/* The balloon is a virtio device: only where the OS knows virtio. */
static gboolean
has_balloon (PisoInstallPlan *self)
{
  return self->disk_bus == PISO_INSTALL_DISK_BUS_VIRTIO ||
         self->net_model == PISO_INSTALL_NET_MODEL_VIRTIO;
}

/* Room to give a running machine more memory (the balloon, up to <memory>)
 * and more processors (vCPU hotplug, up to <vcpu>): for Linux guests, whose
 * balloon driver returns the memory not yet given and which bring hotplugged
 * CPUs online. Windows without its balloon driver would use the whole
 * maximum, and its desktop editions do not take hotplugged CPUs. Twice the
 * memory (the guest sizes its page tables for the maximum) and every host
 * CPU, within the host's limits (the same quarter of its memory apply_os
 * leaves it) and the OS's. */
static gboolean
grows_live (PisoInstallPlan *self)
{
  return g_strcmp0 (self->os_family, "linux") == 0;
}

static guint64
memory_ceiling (PisoInstallPlan *self)
{
  guint64 ceiling = self->memory * 2;

  if (!grows_live (self) || !has_balloon (self))
    return self->memory;
  if (self->maximum.memory > 0)
    ceiling = MIN (ceiling, self->maximum.memory / 4 * 3);
  if (self->os_maximum.memory > 0)
    ceiling = MIN (ceiling, self->os_maximum.memory);
  return MAX (ceiling, self->memory);
}

static guint
vcpu_ceiling (PisoInstallPlan *self)
{
  guint ceiling = self->maximum.vcpus;

  if (!grows_live (self) || ceiling == 0)
    return self->vcpus;
  if (self->os_maximum.vcpus > 0)
    ceiling = MIN (ceiling, self->os_maximum.vcpus);
  return MAX (ceiling, self->vcpus);
}

static void
append_disks (PisoInstallPlan          *self,
              const PisoInstallStorage *storage,
              GString                  *xml)
{
  const char *media = storage != NULL ? storage->media_path : NULL;
  const char *disk = storage != NULL ? storage->disk_path : NULL;
  gboolean with_media = media != NULL && self->source_kind != PISO_INSTALL_SOURCE_IMPORT;
  guint order = 1;

  /* Boot from the installer first. When there is a disk to install onto,
   * the installer's reboot ends the install run and Piso takes the
   * installer out of the boot order (piso-machine-install.c). */
  if (with_media)
    {
      append (xml, 2, "<disk type='file' device='cdrom'>");
      append (xml, 3, "<driver name='qemu' type='raw'/>");
      append (xml, 3, "<source file='%s'/>", media);
      append (xml, 3, "<target dev='%s' bus='%s'/>", cdrom_target (self, storage),
              disk_bus_name (cdrom_bus (self)));
      append (xml, 3, "<readonly/>");
      append (xml, 3, "<boot order='%u'/>", order++);
      append (xml, 2, "</disk>");
    }

  if (disk != NULL)
    {
      const char *format = storage->disk_format != NULL ? storage->disk_format : "qcow2";

      append (xml, 2, "<disk type='file' device='disk'>");
      /* discard: space the guest frees goes back to the pool */
      append (xml, 3, "<driver name='qemu' type='%s' discard='unmap'/>", format);
      append (xml, 3, "<source file='%s'/>", disk);
      append (xml, 3, "<target dev='%s' bus='%s'/>",
              target_dev (self->disk_bus, FALSE, FALSE), disk_bus_name (self->disk_bus));
      append (xml, 3, "<boot order='%u'/>", order++);
      append (xml, 2, "</disk>");

      /* An appliance's further disks follow on the same bus: vdb, vdc… */
      for (guint i = 0; storage->extra_disk_paths != NULL && storage->extra_disk_paths[i] != NULL; i++)
        {
          g_autofree char *dev = g_strdup (target_dev (self->disk_bus, FALSE, FALSE));

          dev[2] = (char) ('b' + MIN (i, 23));
          append (xml, 2, "<disk type='file' device='disk'>");
          append (xml, 3, "<driver name='qemu' type='qcow2' discard='unmap'/>");
          append (xml, 3, "<source file='%s'/>", storage->extra_disk_paths[i]);
          append (xml, 3, "<target dev='%s' bus='%s'/>", dev, disk_bus_name (self->disk_bus));
          append (xml, 2, "</disk>");
        }
    }
}

static void
append_network (PisoInstallPlan *self,
                GString         *xml)
{
  switch (self->network)
    {
    case PISO_INSTALL_NETWORK_NAT_DEFAULT:
      append (xml, 2, "<interface type='network'>");
      append (xml, 3, "<source network='default'/>");
      break;
    case PISO_INSTALL_NETWORK_USER:
      append (xml, 2, "<interface type='user'>");
      break;
    case PISO_INSTALL_NETWORK_NONE:
    default:
      return;
    }
  append (xml, 3, "<model type='%s'/>", net_model_name (self->net_model));
  append (xml, 2, "</interface>");
}

static void
append_graphics (PisoInstallPlan *self,
                 GString         *xml)
{
  gboolean pc = self->machine_type == PISO_INSTALL_MACHINE_PC;

  if (self->graphics)
    {
      if (self->graphics_listen == PISO_INSTALL_GRAPHICS_LISTEN_NONE)
        {
          /* Clients get a socket from libvirt (virDomainOpenGraphicsFD):
           * nothing listens on the network. */
          append (xml, 2, "<graphics type='spice'>");
          append (xml, 3, "<listen type='none'/>");
        }
      else
        {
          append (xml, 2, "<graphics type='spice' autoport='yes'>");
          append (xml, 3, "<listen type='address' address='127.0.0.1'/>");
        }
      append (xml, 3, "<image compression='off'/>");
      append (xml, 2, "</graphics>");
    }

  append (xml, 2, "<video>");
  if (self->video_model == PISO_INSTALL_VIDEO_VIRTIO)
    append (xml, 3, "<model type='virtio' heads='1' primary='yes'/>");
  else
    append (xml, 3, "<model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/>");
  append (xml, 2, "</video>");

  if (self->graphics && self->agent_channel)
    {
      append (xml, 2, "<channel type='spicevmc'>");
      append (xml, 3, "<target type='virtio' name='com.redhat.spice.0'/>");
      append (xml, 2, "</channel>");
    }

  /* USB 3 on q35; old OSes on "pc" know UHCI. */
  if (pc)
    append (xml, 2, "<controller type='usb' model='piix3-uhci'/>");
  else
    append (xml, 2, "<controller type='usb' model='qemu-xhci' ports='15'/>");
  if (self->graphics && self->usb_redirection)
    {
      append (xml, 2, "<redirdev bus='usb' type='spicevmc'/>");
      append (xml, 2, "<redirdev bus='usb' type='spicevmc'/>");
    }
  if (self->tablet)
    append (xml, 2, "<input type='tablet' bus='usb'/>");
  if (self->sound)
    append (xml, 2, "<sound model='%s'/>", pc ? "ac97" : "ich9");
}

char *
piso_install_plan_build_xml (PisoInstallPlan          *self,
                             const PisoInstallStorage *storage,
                             GError                  **error)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  gboolean kvm, uefi, windows, x86;
  const char *machine;

  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);

  if (!check_plan (self, storage, error))
    return NULL;

  kvm = g_strcmp0 (self->domain_type, "kvm") == 0;
  uefi = self->firmware == PISO_INSTALL_FIRMWARE_UEFI;
  windows = g_strcmp0 (self->os_family, "winnt") == 0 || g_strcmp0 (self->os_family, "win9x") == 0;
  x86 = is_x86 (self->arch);
  if (x86)
    machine = self->machine_type == PISO_INSTALL_MACHINE_PC ? "pc" : "q35";
  else
    machine = "virt";

  append (xml, 0, "<domain type='%s'>", self->domain_type);
  append (xml, 1, "<name>%s</name>", self->name);

  if (self->os_id != NULL || installs (self, storage))
    {
      append (xml, 1, "<metadata>");
      /* Lets Piso, virt-manager and Boxes name the OS later. */
      if (self->os_id != NULL)
        {
          append (xml, 2, "<libosinfo:libosinfo xmlns:libosinfo='%s'>", LIBOSINFO_NS);
          append (xml, 3, "<libosinfo:os id='%s'/>", self->os_id);
          append (xml, 2, "</libosinfo:libosinfo>");
        }
      if (installs (self, storage))
        {
          g_autofree char *install = _piso_install_metadata_new (self->installer_reboots,
                                                                 self->eject_after_install,
                                                                 cdrom_target (self, storage));

          g_string_append_printf (xml, "    %s\n", install);
        }
      append (xml, 1, "</metadata>");
    }

  append (xml, 1, "<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>", memory_ceiling (self));
  append (xml, 1, "<currentMemory unit='KiB'>%" G_GUINT64_FORMAT "</currentMemory>", self->memory);
  if (vcpu_ceiling (self) > self->vcpus)
    append (xml, 1, "<vcpu placement='static' current='%u'>%u</vcpu>", self->vcpus,
            vcpu_ceiling (self));
  else
    append (xml, 1, "<vcpu placement='static'>%u</vcpu>", self->vcpus);

  /* Firmware autoselection: libvirt picks an OVMF build that matches the
   * machine and keeps a per-machine copy of its variables. */
  if (uefi)
    append (xml, 1, "<os firmware='efi'>");
  else
    append (xml, 1, "<os>");
  append (xml, 2, "<type arch='%s' machine='%s'>hvm</type>", self->arch, machine);
  if (uefi)
    {
      /* Secure Boot with Microsoft's keys refuses unsigned boot loaders
       * (many installers); only OSes that need UEFI (Windows 11) get it. */
      const char *state = self->uefi_required ? "yes" : "no";

      append (xml, 2, "<firmware>");
      append (xml, 3, "<feature enabled='%s' name='secure-boot'/>", state);
      append (xml, 3, "<feature enabled='%s' name='enrolled-keys'/>", state);
      append (xml, 2, "</firmware>");
    }
  append (xml, 1, "</os>");

  append (xml, 1, "<features>");
  append (xml, 2, "<acpi/>");
  if (x86)
    append (xml, 2, "<apic/>");
  if (windows && x86 && kvm)
    {
      /* Enlightenments that make Windows much faster under KVM (TCG does
       * not implement them). */
      append (xml, 2, "<hyperv mode='custom'>");
      append (xml, 3, "<relaxed state='on'/>");
      append (xml, 3, "<vapic state='on'/>");
      append (xml, 3, "<spinlocks state='on' retries='8191'/>");
      append (xml, 2, "</hyperv>");
    }
  if (x86 && g_strcmp0 (self->domain_type, "test") != 0)
    append (xml, 2, "<vmport state='off'/>");
  append (xml, 1, "</features>");

  /* The host's CPU as it is: only meaningful (and possible) with KVM; TCG
   * emulates its default model. */
  if (kvm)
    append (xml, 1, "<cpu mode='host-passthrough' check='none' migratable='on'/>");

  /* Windows keeps the hardware clock in local time. */
  append (xml, 1, "<clock offset='%s'>", windows ? "localtime" : "utc");
  if (x86)
    {
      append (xml, 2, "<timer name='rtc' tickpolicy='catchup'/>");
      append (xml, 2, "<timer name='pit' tickpolicy='delay'/>");
      append (xml, 2, "<timer name='hpet' present='no'/>");
      if (windows && kvm)
        append (xml, 2, "<timer name='hypervclock' present='yes'/>");
    }
  append (xml, 1, "</clock>");

  append (xml, 1, "<on_poweroff>destroy</on_poweroff>");
  append (xml, 1, "<on_reboot>%s</on_reboot>", installs (self, storage) ? "destroy" : "restart");
  append (xml, 1, "<on_crash>destroy</on_crash>");
  append (xml, 1, "<pm>");
  append (xml, 2, "<suspend-to-mem enabled='no'/>");
  append (xml, 2, "<suspend-to-disk enabled='no'/>");
  append (xml, 1, "</pm>");

  append (xml, 1, "<devices>");
  append_disks (self, storage, xml);
  append_network (self, xml);
  append_graphics (self, xml);

  /* A serial console for text-mode guests and for debugging boots. */
  append (xml, 2, "<serial type='pty'>");
  append (xml, 3, "<target port='0'/>");
  append (xml, 2, "</serial>");
  append (xml, 2, "<console type='pty'>");
  append (xml, 3, "<target type='serial' port='0'/>");
  append (xml, 2, "</console>");

  if (self->rng)
    {
      append (xml, 2, "<rng model='virtio'>");
      append (xml, 3, "<backend model='random'>/dev/urandom</backend>");
      append (xml, 2, "</rng>");
    }
  if (self->tpm)
    {
      append (xml, 2, "<tpm model='%s'>", x86 ? "tpm-crb" : "tpm-tis");
      append (xml, 3, "<backend type='emulator' version='2.0'/>");
      append (xml, 2, "</tpm>");
    }
  append (xml, 2, "<memballoon model='%s'/>", has_balloon (self) ? "virtio" : "none");
  append (xml, 1, "</devices>");
  append (xml, 0, "</domain>");

  return g_string_free (g_steal_pointer (&xml), FALSE);
}

/* --- the review page --- */

static void
add_item (GPtrArray  *items,
          const char *label,
          char       *value,
          const char *field)
{
  PisoInstallSummaryItem *item = g_new0 (PisoInstallSummaryItem, 1);

  item->label = g_strdup (label);
  item->value = value;
  item->field = g_strdup (field);
  g_ptr_array_add (items, item);
}

static char *
describe_source (PisoInstallPlan *self)
{
  g_autofree char *file = self->source_path != NULL
                          ? g_filename_display_basename (self->source_path) : NULL;

  switch (self->source_kind)
    {
    case PISO_INSTALL_SOURCE_MEDIA:
      return g_strdup_printf (_("Installer %s"), file != NULL ? file : "—");
    case PISO_INSTALL_SOURCE_IMPORT:
      if (self->import_in_place)
        return g_strdup_printf (_("Disk image %s, used where it is"), file != NULL ? file : "—");
      return g_strdup_printf (_("Disk image %s, copied into the storage pool"),
                              file != NULL ? file : "—");
    case PISO_INSTALL_SOURCE_URL:
      return g_strdup_printf (_("Download from %s"),
                              self->source_url != NULL ? self->source_url : "—");
    case PISO_INSTALL_SOURCE_EMPTY:
    default:
      return g_strdup (_("None: install an operating system later"));
    }
}

static char *
describe_network (PisoInstallPlan *self)
{
  switch (self->network)
    {
    case PISO_INSTALL_NETWORK_NAT_DEFAULT:
      return g_strdup (_("Shared with the host through the “default” network (NAT)"));
    case PISO_INSTALL_NETWORK_USER:
      return g_strdup (_("User-mode networking: reaches the internet, not reachable from "
                         "other machines"));
    case PISO_INSTALL_NETWORK_NONE:
    default:
      return g_strdup (C_("network", "None"));
    }
}

GPtrArray *
piso_install_plan_describe (PisoInstallPlan *self)
{
  GPtrArray *items;
  char *disk;

  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify)piso_install_summary_item_free);

  add_item (items, _("Name"), g_strdup (self->name != NULL ? self->name : "—"), "name");
  add_item (items, _("Operating system"), g_strdup (piso_install_plan_get_os_name (self)), "os-id");
  add_item (items, _("Source"), describe_source (self), NULL);
  add_item (items, _("CPU"),
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u virtual CPU", "%u virtual CPUs",
                                          self->vcpus), self->vcpus),
            "vcpus");
  add_item (items, _("Memory"),
            piso_format_size (self->memory * 1024), "memory");

  if (self->source_kind == PISO_INSTALL_SOURCE_IMPORT)
    disk = g_strdup (_("The imported disk image"));
  else if (self->disk_size == 0)
    disk = g_strdup (C_("disk", "None"));
  else
    {
      g_autofree char *size = piso_format_size (self->disk_size);
      /* TRANSLATORS: "20 GiB, new in the storage pool" */
      disk = g_strdup_printf (_("%s, new in the storage pool"), size);
    }
  add_item (items, _("Disk"), disk, "disk-size");

  if (self->firmware == PISO_INSTALL_FIRMWARE_UEFI)
    add_item (items, _("Firmware"),
              g_strdup (self->tpm ? _("UEFI with an emulated TPM") : _("UEFI")), "firmware");
  else
    add_item (items, _("Firmware"), g_strdup (_("BIOS")), "firmware");

  add_item (items, _("Network"), describe_network (self), "network");

  return items;
}
