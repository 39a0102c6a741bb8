/* piso-migration-check.c: what must hold before a machine moves
 *
 * Everything here runs in a worker thread on its own references to the two
 * connections, and reads the machine afresh from the source's daemon (not
 * the main thread's model, which may be a moment behind). Each refusal
 * names what is wrong and what to do about it; libvirt would refuse most
 * of these too, but later (after the destination started a QEMU) and in
 * its own words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-migration"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "piso-domain-xml-private.h"
#include "piso-migration-private.h"
#include "piso-snapshot-private.h"

void
_piso_migration_hosts_clear (PisoMigrationHosts *hosts)
{
  g_clear_pointer (&hosts->dom, _piso_domain_unref);
  g_clear_pointer (&hosts->source, virConnectClose);
  g_clear_pointer (&hosts->destination, virConnectClose);
  g_clear_pointer (&hosts->name, g_free);
  g_clear_pointer (&hosts->source_label, g_free);
  g_clear_pointer (&hosts->destination_label, g_free);
  g_clear_pointer (&hosts->source_uri, g_free);
  g_clear_pointer (&hosts->destination_uri, g_free);
}

static void
refuse (GError     **error,
        const char  *format,
        ...) G_GNUC_PRINTF (2, 3);

static void
refuse (GError     **error,
        const char  *format,
        ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                                                format, args));
  va_end (args);
}

/* ---- the hosts ----------------------------------------------------------- */

/* The host's capabilities, parsed; NULL with @error naming @label. */
static xmlDocPtr
read_capabilities (virConnectPtr   conn,
                   const char     *label,
                   GError        **error)
{
  char *caps = virConnectGetCapabilities (conn);
  xmlDocPtr doc;

  if (caps == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read what %s can run"), label);
      return NULL;
    }
  if ((doc = _piso_xml_parse_reply (caps)) == NULL)
    g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                 _("Could not read what %s can run: its answer is not a capabilities document."),
                 label);
  return doc;
}

static char *
hypervisor_of (virConnectPtr conn)
{
  const char *type = virConnectGetType (conn);

  virResetLastError ();
  return g_strdup (type);
}

/* libvirt compares the hosts' UUIDs too, but only once the destination has
 * prepared, and in words that do not say where the UUID comes from. Two
 * daemons without one (the test driver) are the same host when their URIs
 * are the same. */
static gboolean
check_other_host (PisoMigrationHosts  *hosts,
                  xmlDocPtr            source_caps,
                  xmlDocPtr            destination_caps,
                  GError             **error)
{
  g_autofree char *source_uuid = _piso_xml_string (source_caps, NULL, "/capabilities/host/uuid");
  g_autofree char *destination_uuid = _piso_xml_string (destination_caps, NULL,
                                                        "/capabilities/host/uuid");
  gboolean same;

  if (hosts->same_connection)
    {
      refuse (error, _("“%s” is already on %s. Choose another host."),
              hosts->name, hosts->destination_label);
      return FALSE;
    }
  if (source_uuid != NULL && destination_uuid != NULL)
    same = g_ascii_strcasecmp (source_uuid, destination_uuid) == 0;
  else
    same = source_uuid == NULL && destination_uuid == NULL &&
           g_str_equal (hosts->source_uri, hosts->destination_uri);
  if (!same)
    return TRUE;

  if (source_uuid != NULL)
    /* Translators: the first two %s are connections, the last a UUID */
    refuse (error, _("%s and %s are the same host (host UUID %s). Choose another host. If they "
                     "are different computers, give each one’s libvirt daemon its own host_uuid "
                     "in libvirtd.conf."),
            hosts->source_label, hosts->destination_label, source_uuid);
  else
    refuse (error, _("%s and %s are the same host. Choose another host."),
            hosts->source_label, hosts->destination_label);
  return FALSE;
}

static gboolean
check_hypervisor (PisoMigrationHosts  *hosts,
                  GError             **error)
{
  g_autofree char *source = hypervisor_of (hosts->source);
  g_autofree char *destination = hypervisor_of (hosts->destination);

  if (source == NULL || destination == NULL || g_ascii_strcasecmp (source, destination) == 0)
    return TRUE;
  /* Translators: "QEMU/KVM runs QEMU machines and Test driver runs Test ones: …" */
  refuse (error, _("%s runs %s machines and %s runs %s ones: a machine can only move between "
                   "hosts with the same hypervisor. Choose another host."),
          hosts->source_label, source, hosts->destination_label, destination);
  return FALSE;
}

/* An identifier from a definition, safe to put between quotes in XPath. */
static gboolean
plain_word (const char *word)
{
  if (word == NULL || *word == '\0')
    return FALSE;
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* Only when the source lists what the machine is: some drivers (the test
 * driver) run machines their capabilities do not mention. */
static gboolean
check_guest_type (PisoMigrationHosts  *hosts,
                  xmlDocPtr            domain,
                  xmlDocPtr            source_caps,
                  xmlDocPtr            destination_caps,
                  GError             **error)
{
  g_autofree char *arch = _piso_xml_string (domain, NULL, "/domain/os/type/@arch");
  g_autofree char *type = _piso_xml_string (domain, NULL, "/domain/@type");
  g_autofree char *expr = NULL;

  if (!plain_word (arch) || !plain_word (type))
    return TRUE;
  expr = g_strdup_printf ("/capabilities/guest/arch[@name='%s']/domain[@type='%s']", arch, type);
  if (_piso_xml_node (source_caps, NULL, expr) == NULL ||
      _piso_xml_node (destination_caps, NULL, expr) != NULL)
    return TRUE;
  /* Translators: "Test driver cannot run x86_64 machines of type “kvm”, which …" */
  refuse (error, _("%s cannot run %s machines of type “%s”, which “%s” is. Choose a host with "
                   "the same architecture and acceleration."),
          hosts->destination_label, arch, type, hosts->name);
  return FALSE;
}

/* Where the hypervisor can tell (QEMU), whether the destination's processor
 * has what the machine's CPU model needs. A host-passthrough CPU has no
 * model to compare; a machine without <cpu> gets the hypervisor's default,
 * which every host of the same hypervisor has. */
static gboolean
check_cpu (PisoMigrationHosts  *hosts,
           xmlDocPtr            domain,
           GError             **error)
{
  xmlNodePtr cpu = _piso_xml_node (domain, NULL, "/domain/cpu[model]");
  g_autofree char *mode = _piso_xml_attr (cpu, "mode");
  g_autofree char *arch = _piso_xml_string (domain, NULL, "/domain/os/type/@arch");
  g_autofree char *machine = _piso_xml_string (domain, NULL, "/domain/os/type/@machine");
  g_autofree char *type = _piso_xml_string (domain, NULL, "/domain/@type");
  g_autofree char *cpu_xml = NULL;
  virErrorPtr verr;
  int result;

  if (cpu == NULL || (mode != NULL && !g_str_equal (mode, "custom") && !g_str_equal (mode, "host-model")))
    return TRUE;
  cpu_xml = _piso_xml_node_to_string (cpu);
  result = virConnectCompareHypervisorCPU (hosts->destination, NULL, arch, machine, type, cpu_xml,
                                           VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE);
  if (result != VIR_CPU_COMPARE_ERROR && result != VIR_CPU_COMPARE_INCOMPATIBLE)
    return TRUE;

  verr = virGetLastError ();
  if (result == VIR_CPU_COMPARE_ERROR && (verr == NULL || verr->code != VIR_ERR_CPU_INCOMPATIBLE))
    {
      /* the hypervisor cannot compare (the test driver, an older libvirt) */
      virResetLastError ();
      return TRUE;
    }
  /* Translators: the first %s is a connection, the second a machine, the last the hypervisor's reason */
  refuse (error, _("The processor of %s lacks features that “%s” uses (%s). Choose a host with "
                   "the same or a newer processor, or give the machine a more common processor "
                   "model."),
          hosts->destination_label, hosts->name,
          verr != NULL && verr->message != NULL ? verr->message : _("incompatible processor"));
  virResetLastError ();
  return FALSE;
}

static gboolean
check_not_there (PisoMigrationHosts  *hosts,
                 GError             **error)
{
  char uuid[VIR_UUID_STRING_BUFLEN];
  const char *name = virDomainGetName (hosts->dom);
  virDomainPtr there;

  if (virDomainGetUUIDString (hosts->dom, uuid) == 0 &&
      (there = virDomainLookupByUUIDString (hosts->destination, uuid)) != NULL)
    {
      g_autofree char *other = g_strdup (virDomainGetName (there));

      virDomainFree (there);
      refuse (error, _("%s already has a machine with the identity (UUID) of “%s”: “%s”. Remove "
                       "one of the two first."),
              hosts->destination_label, hosts->name, other);
      return FALSE;
    }
  if (name != NULL && (there = virDomainLookupByName (hosts->destination, name)) != NULL)
    {
      virDomainFree (there);
      refuse (error, _("%s already has a machine called “%s”. Rename one of the two first."),
              hosts->destination_label, name);
      return FALSE;
    }
  virResetLastError ();
  return TRUE;
}

/* ---- the machine --------------------------------------------------------- */

static gboolean
check_state (PisoMigrationHosts  *hosts,
             gboolean            *active,
             GError             **error)
{
  int state = VIR_DOMAIN_NOSTATE, reason = 0;

  if (virDomainGetState (hosts->dom, &state, &reason, 0) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the state of “%s”"), hosts->name);
      return FALSE;
    }
  *active = state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED;
  if (*active)
    return TRUE;
  if (state == VIR_DOMAIN_SHUTOFF)
    {
      if (virDomainHasManagedSaveImage (hosts->dom, 0) != 1)
        {
          virResetLastError ();
          return TRUE;
        }
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("“%s” was saved with its memory on %s. Start it (or discard the saved "
                     "state) before moving it."), hosts->name, hosts->source_label);
      return FALSE;
    }
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
               _("“%s” can only move while it runs, is paused or is shut off. Wait until it "
                 "has started or stopped."), hosts->name);
  return FALSE;
}

static gboolean
check_snapshots (PisoMigrationHosts  *hosts,
                 GError             **error)
{
  int n = virDomainSnapshotNum (hosts->dom, 0);

  virResetLastError ();
  if (n <= 0)
    return TRUE;
  refuse (error, g_dngettext (GETTEXT_PACKAGE,
                              "“%s” has a snapshot, which libvirt cannot move to another host. "
                              "Delete it first, or export the machine and import it there.",
                              "“%s” has %d snapshots, which libvirt cannot move to another host. "
                              "Delete them first, or export the machine and import it there.",
                              n),
          hosts->name, n);
  return FALSE;
}

/* Devices whose state lives on this host: QEMU cannot send them. */
static gboolean
check_devices (PisoMigrationHosts  *hosts,
               xmlDocPtr            domain,
               GError             **error)
{
  if (_piso_xml_node (domain, NULL, "/domain/devices/hostdev | "
                                    "/domain/devices/interface[@type='hostdev']") != NULL)
    {
      refuse (error, _("“%s” uses a device of this host (passed through to it), which cannot move "
                       "with a running machine. Remove the device or shut the machine down first."),
              hosts->name);
      return FALSE;
    }
  if (_piso_xml_node (domain, NULL, "/domain/devices/filesystem[driver/@type='virtiofs']") != NULL)
    {
      refuse (error, _("“%s” shares a folder of this host through virtiofs, which cannot move with "
                       "a running machine. Remove the shared folder or shut the machine down "
                       "first."),
              hosts->name);
      return FALSE;
    }
  return TRUE;
}

/* Whether the destination's daemon sees @disk: as one of its volumes, or,
 * on this computer, as a file. */
static gboolean
disk_is_there (PisoMigrationHosts     *hosts,
               const PisoSnapshotDisk *disk)
{
  gboolean there = FALSE;

  if (g_strcmp0 (disk->type, "volume") == 0)
    {
      virStoragePoolPtr pool = disk->pool != NULL ?
                               virStoragePoolLookupByName (hosts->destination, disk->pool) : NULL;
      virStorageVolPtr vol = pool != NULL ? virStorageVolLookupByName (pool, disk->path) : NULL;

      there = vol != NULL;
      if (vol != NULL)
        virStorageVolFree (vol);
      if (pool != NULL)
        virStoragePoolFree (pool);
    }
  else
    {
      virStorageVolPtr vol = virStorageVolLookupByPath (hosts->destination, disk->path);

      there = vol != NULL;
      if (vol != NULL)
        virStorageVolFree (vol);
      else if (hosts->destination_local)
        there = g_file_test (disk->path, G_FILE_TEST_EXISTS);
    }
  virResetLastError ();
  return there;
}

static gboolean
check_disks (PisoMigrationHosts  *hosts,
             const char          *xml,
             gboolean             active,
             GError             **error)
{
  g_autoptr(PisoSnapshotMachine) facts = _piso_snapshot_machine_parse (xml, error);

  if (facts == NULL)
    return FALSE;
  for (guint i = 0; i < facts->disks->len; i++)
    {
      const PisoSnapshotDisk *disk = g_ptr_array_index (facts->disks, i);

      /* network disks are reached from any host */
      if (disk->path == NULL || g_strcmp0 (disk->type, "network") == 0 || disk_is_there (hosts, disk))
        continue;
      if (active)
        /* Translators: "The disk /var/lib/…/a.qcow2 of “Debian” is not on host2: …" */
        refuse (error, _("The disk %s of “%s” is not on %s: a running machine can only move "
                         "between hosts that share its disks (the same path on both, e.g. on "
                         "network storage). Put the disk on shared storage, or shut the machine "
                         "down and export it."),
                disk->path, hosts->name, hosts->destination_label);
      else
        refuse (error, _("The disk %s of “%s” is not on %s. Put the disk on storage both hosts "
                         "share, or export the machine and import it there."),
                disk->path, hosts->name, hosts->destination_label);
      return FALSE;
    }
  return TRUE;
}

gboolean
_piso_migration_check (PisoMigrationHosts  *hosts,
                       gboolean            *active,
                       GError             **error)
{
  g_autoptr(xmlDoc) source_caps = NULL;
  g_autoptr(xmlDoc) destination_caps = NULL;
  g_autoptr(xmlDoc) domain = NULL;
  g_autofree char *xml = NULL;
  char *raw;

  if (!check_state (hosts, active, error))
    return FALSE;
  if ((source_caps = read_capabilities (hosts->source, hosts->source_label, error)) == NULL ||
      (destination_caps = read_capabilities (hosts->destination, hosts->destination_label,
                                             error)) == NULL ||
      !check_other_host (hosts, source_caps, destination_caps, error) ||
      !check_hypervisor (hosts, error))
    return FALSE;

  /* What the destination would get: the running definition without what
   * belongs to this host's instance alone, or the persistent one. */
  raw = virDomainGetXMLDesc (hosts->dom, *active ? VIR_DOMAIN_XML_MIGRATABLE
                                                 : VIR_DOMAIN_XML_INACTIVE);
  if (raw == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the definition of “%s”"), hosts->name);
      return FALSE;
    }
  xml = g_strdup (raw);
  free (raw);
  if ((domain = _piso_xml_parse_root (xml, "domain", error)) == NULL)
    return FALSE;

  return check_guest_type (hosts, domain, source_caps, destination_caps, error) &&
         check_cpu (hosts, domain, error) &&
         check_not_there (hosts, error) &&
         check_snapshots (hosts, error) &&
         (!*active || check_devices (hosts, domain, error)) &&
         check_disks (hosts, xml, *active, error);
}
