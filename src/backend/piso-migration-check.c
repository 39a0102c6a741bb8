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
#include <sys/vfs.h>

#include "piso-domain-xml-private.h"
#include "piso-migration-private.h"
#include "piso-snapshot-private.h"
#include "piso-storage.h"

void
_piso_migration_copy_free (PisoMigrationCopy *copy)
{
  g_free (copy->target);
  g_free (copy->source_type);
  g_free (copy->source_pool);
  g_free (copy->source_path);
  g_free (copy->format);
  g_clear_pointer (&copy->vol, _piso_volume_unref);
  g_free (copy->new_path);
  g_free (copy);
}

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
  g_clear_pointer (&hosts->pool, g_free);
  g_clear_pointer (&hosts->pools, g_strfreev);
  g_clear_pointer (&hosts->copies, g_ptr_array_unref);
  g_clear_pointer (&hosts->nvram, _piso_migration_copy_free);
  g_clear_pointer (&hosts->notice, g_free);
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

/* @disk's volume on @conn, or NULL (no pool is made for a loose file). */
static virStorageVolPtr
disk_volume_on (virConnectPtr           conn,
                    const PisoSnapshotDisk *disk)
{
  virStorageVolPtr vol = NULL;

  if (g_strcmp0 (disk->type, "volume") == 0)
    {
      virStoragePoolPtr pool = disk->pool != NULL ? virStoragePoolLookupByName (conn, disk->pool) : NULL;

      vol = pool != NULL ? virStorageVolLookupByName (pool, disk->path) : NULL;
      g_clear_pointer (&pool, virStoragePoolFree);
    }
  else
    vol = virStorageVolLookupByPath (conn, disk->path);
  virResetLastError ();
  return vol;
}

/* Whether the destination's daemon holds @disk as one of its volumes;
 * @pool_type gets that pool's type ("dir", "netfs", …) when asked. */
static gboolean
disk_is_volume_there (virConnectPtr            destination,
                      const PisoSnapshotDisk  *disk,
                      char                   **pool_type)
{
  virStorageVolPtr vol = disk_volume_on (destination, disk);
  virStoragePoolPtr pool = vol != NULL && pool_type != NULL ? virStoragePoolLookupByVolume (vol) : NULL;
  gboolean found = vol != NULL;

  if (pool != NULL)
    {
      char *xml = virStoragePoolGetXMLDesc (pool, 0);
      g_autoptr(xmlDoc) doc = xml != NULL ? _piso_xml_parse_reply (xml) : NULL;

      *pool_type = doc != NULL ? _piso_xml_string (doc, NULL, "/pool/@type") : NULL;
    }
  g_clear_pointer (&vol, _piso_volume_unref);
  g_clear_pointer (&pool, virStoragePoolFree);
  virResetLastError ();
  return found;
}

/* Whether the destination's daemon sees @disk: as one of its volumes, or,
 * on this computer, as a file. */
static gboolean
disk_is_there (PisoMigrationHosts     *hosts,
               const PisoSnapshotDisk *disk)
{
  return disk_is_volume_there (hosts->destination, disk, NULL) ||
         (g_strcmp0 (disk->type, "volume") != 0 && hosts->destination_local &&
          g_file_test (disk->path, G_FILE_TEST_EXISTS));
}

/* libvirt's QEMU driver lets a running machine's file stay in place only
 * on a file system shared over the network (NFS, SMB, Ceph…) or a cluster
 * one: -1 when @path cannot be read here, else whether it is one. */
static int
path_on_shared_fs (const char *path)
{
  static const long shared[] = {
    0x6969,       /* NFS */
    0x517B,       /* SMB */
    0xFF534D42,   /* CIFS */
    0xFE534D42,   /* SMB2 */
    0x01161970,   /* GFS2 */
    0x7461636f,   /* OCFS2 */
    0x5346414F,   /* AFS */
    0x00c36400,   /* Ceph */
    0x47504653,   /* GPFS */
  };
  struct statfs fs;

  if (statfs (path, &fs) < 0)
    return -1;
  for (guint i = 0; i < G_N_ELEMENTS (shared); i++)
    if ((long) (unsigned int) fs.f_type == shared[i])
      return 1;
  return 0;
}

/* Whether @disk of a running machine can stay where it is: the
 * destination sees it, and, when this computer can tell (the source is
 * this computer and has the file), it lies on shared storage; a file that
 * two daemons on one computer see on a local disk is not shared for
 * libvirt. */
static gboolean
disk_is_shared (PisoMigrationHosts     *hosts,
                const PisoSnapshotDisk *disk)
{
  if (hosts->source_local && g_strcmp0 (disk->type, "volume") != 0 &&
      g_strcmp0 (disk->type, "block") != 0 && path_on_shared_fs (disk->path) == 0)
    return FALSE;
  return disk_is_there (hosts, disk);
}

/* A writable disk that QEMU can copy while the machine runs. */
static gboolean
disk_copyable (const PisoSnapshotDisk *disk)
{
  return disk->path != NULL && !disk->read_only && !disk->shareable &&
         g_strcmp0 (disk->type, "network") != 0 &&
         (disk->device == NULL || g_str_equal (disk->device, "disk"));
}

/* The cache mode of @disk when it is one that makes moving a running
 * machine unsafe over shared storage (anything but none and directsync;
 * no mode is the hypervisor's default, writeback), else NULL. */
static char *
unsafe_cache_mode (xmlDocPtr               domain,
                   const PisoSnapshotDisk *disk)
{
  xmlNodePtr node = _piso_xml_find_disk (domain, disk->target);
  xmlNodePtr driver = node != NULL ? _piso_xml_child (node, "driver") : NULL;
  g_autofree char *cache = driver != NULL ? _piso_xml_attr (driver, "cache") : NULL;

  if (disk->read_only || disk->shareable)
    return NULL;
  if (cache == NULL)
    return g_strdup ("default");
  if (g_str_equal (cache, "none") || g_str_equal (cache, "directsync"))
    return NULL;
  return g_steal_pointer (&cache);
}

/* Appends @text to the checks' cautions. */
static void
add_notice (PisoMigrationHosts *hosts,
            char               *text)
{
  char *joined = hosts->notice != NULL ? g_strconcat (hosts->notice, "\n", text, NULL) : NULL;

  if (joined != NULL)
    {
      g_free (text);
      text = joined;
    }
  g_free (hosts->notice);
  hosts->notice = text;
}

/* libvirt 9.0 refuses a live move (VIR_ERR_MIGRATE_UNSAFE) when a disk
 * that stays where it is lies on a shared network file system and the
 * host caches it: the destination could read stale blocks. Newer libvirt
 * with a QEMU that drops its caches at the switch lets it go, so where
 * Piso can tell (the disk is a volume of a "netfs" pool on either host)
 * this is a caution before anything moves; libvirt's refusal, if it
 * comes, is put in plain words too (piso-migration.c). */
static void
check_cache (PisoMigrationHosts      *hosts,
             xmlDocPtr                domain,
             const PisoSnapshotDisk  *disk)
{
  g_autofree char *mode = unsafe_cache_mode (domain, disk);
  g_autofree char *source_type = NULL;
  g_autofree char *destination_type = NULL;

  if (mode == NULL)
    return;
  disk_is_volume_there (hosts->source, disk, &source_type);
  disk_is_volume_there (hosts->destination, disk, &destination_type);
  if (g_strcmp0 (source_type, "netfs") != 0 && g_strcmp0 (destination_type, "netfs") != 0)
    return;
  /* Translators: "The disk /nfs/a.qcow2 of “Debian” is on storage … (cache mode “writeback”) …" */
  add_notice (hosts, g_strdup_printf (_("The disk %s of “%s” is on storage both hosts share over "
                                        "the network, and the host caches it (cache mode “%s”): "
                                        "moving the machine while it runs could corrupt the disk, "
                                        "so libvirt may refuse. Setting the disk’s cache mode to "
                                        "“none” (then restarting the machine) makes it safe."),
                                      disk->path, hosts->name, mode));
}

/* The copy of @disk in @pool: its virtual size from the running machine,
 * or, shut off, from the disk's volume (the room a copy of its file needs
 * too), else from the hypervisor reading the image. */
static PisoMigrationCopy *
copy_new (PisoMigrationHosts      *hosts,
          const PisoSnapshotDisk  *disk,
          gboolean                 active,
          GError                 **error)
{
  virStorageVolPtr vol = active ? NULL : disk_volume_on (hosts->source, disk);
  virStorageVolInfo vol_info;
  virDomainBlockInfo info;
  PisoMigrationCopy *copy;
  guint64 capacity;

  if (vol != NULL && virStorageVolGetInfo (vol, &vol_info) == 0)
    capacity = vol_info.capacity;
  else if (virDomainGetBlockInfo (hosts->dom, disk->target, &info, 0) == 0)
    capacity = info.capacity;
  else
    {
      _piso_set_error_from_libvirt (error, _("Could not read the size of the disk %s"), disk->path);
      g_clear_pointer (&vol, _piso_volume_unref);
      return NULL;
    }
  copy = g_new0 (PisoMigrationCopy, 1);
  copy->target = g_strdup (disk->target);
  copy->source_type = g_strdup (disk->type);
  copy->source_pool = g_strdup (disk->pool);
  copy->source_path = g_strdup (disk->path);
  copy->format = g_strdup (disk->format != NULL ? disk->format : "raw");
  copy->capacity = capacity;
  if (vol != NULL)
    copy->file_size = piso_storage_volume_file_size (vol);
  g_clear_pointer (&vol, _piso_volume_unref);
  virResetLastError ();
  return copy;
}

/* The destination's active storage pools, sorted. */
static GStrv
active_pools (virConnectPtr conn)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  virStoragePoolPtr *pools = NULL;
  int n = virConnectListAllStoragePools (conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
  GStrv names;

  for (int i = 0; i < n; i++)
    {
      g_strv_builder_add (builder, virStoragePoolGetName (pools[i]));
      virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
  names = g_strv_builder_end (builder);
  qsort (names, g_strv_length (names), sizeof (char *), (GCompareFunc) g_strcmp0);
  return names;
}

/* The chosen pool is there and running. */
static gboolean
check_pool (PisoMigrationHosts  *hosts,
            GError             **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (hosts->destination, hosts->pool);
  gboolean active;

  if (pool == NULL)
    {
      virResetLastError ();
      refuse (error, _("%s has no storage pool “%s”. Choose another one."),
              hosts->destination_label, hosts->pool);
      return FALSE;
    }
  active = virStoragePoolIsActive (pool) == 1;
  virStoragePoolFree (pool);
  virResetLastError ();
  if (!active)
    refuse (error, _("The storage pool “%s” of %s is not running. Start it there, or choose "
                     "another one."), hosts->pool, hosts->destination_label);
  return active;
}

/* … with room for the copies. */
static gboolean
check_pool_space (PisoMigrationHosts  *hosts,
                  GError             **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (hosts->destination, hosts->pool);
  guint64 needed = 0, available = 0;
  gboolean ok;

  if (pool == NULL)
    return check_pool (hosts, error);
  for (guint i = 0; i < hosts->copies->len; i++)
    {
      PisoMigrationCopy *copy = g_ptr_array_index (hosts->copies, i);

      needed += copy->file_size > 0 ? copy->file_size : copy->capacity;
    }
  if (hosts->nvram != NULL)
    needed += hosts->nvram->file_size;
  ok = piso_storage_pool_available (pool, &available, error) &&
       piso_storage_check_space (hosts->pool, needed, available, error);
  virStoragePoolFree (pool);
  return ok;
}

/* The copy of a shut-off machine's UEFI variables: the file as it is. */
static PisoMigrationCopy *
nvram_copy_new (PisoMigrationHosts         *hosts,
                const PisoSnapshotMachine  *facts)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (hosts->source, facts->nvram);
  PisoMigrationCopy *copy = g_new0 (PisoMigrationCopy, 1);

  copy->source_type = g_strdup ("file");
  copy->source_path = g_strdup (facts->nvram);
  copy->format = g_strdup (facts->nvram_qcow2 ? "qcow2" : "raw");
  /* unknown until the move reaches the file (a pool is made for it then) */
  if (vol != NULL)
    copy->file_size = piso_storage_volume_file_size (vol);
  g_clear_pointer (&vol, _piso_volume_unref);
  virResetLastError ();
  return copy;
}

/* The UEFI variables (firmware settings: boot entries, Secure Boot keys)
 * live in a file beside the definition, not on a disk. A shut-off machine
 * takes them along: they stay where the destination has them as a volume,
 * are copied with the disks into the chosen pool, or, on this same
 * computer without a pool, stay in place (the definition moves, the file
 * is the same one). A running machine cannot take them (its firmware has
 * them open; libvirt does not send the file): a caution says what happens.
 * Sets @missing when a pool must be chosen for them. */
static gboolean
check_nvram (PisoMigrationHosts         *hosts,
             const PisoSnapshotMachine  *facts,
             gboolean                    active,
             gboolean                   *missing,
             GError                    **error)
{
  PisoSnapshotDisk file = { .type = (char *) "file", .path = facts->nvram };
  gboolean local_file;

  g_clear_pointer (&hosts->nvram, _piso_migration_copy_free);
  *missing = FALSE;
  if (facts->nvram == NULL || disk_is_volume_there (hosts->destination, &file, NULL))
    return TRUE;
  local_file = hosts->destination_local && g_file_test (facts->nvram, G_FILE_TEST_EXISTS);
  if (active)
    {
      if (!local_file)
        /* Translators: "The UEFI variables of “Debian” (/var/lib/…/Debian_VARS.fd) are not on host2: …" */
        add_notice (hosts, g_strdup_printf (_("The UEFI variables of “%s” (%s) are not on %s: the "
                                              "machine keeps running there, but its firmware "
                                              "settings (boot entries, Secure Boot keys) go back to "
                                              "their defaults the next time it starts. To take them "
                                              "along, shut it down and move it."),
                                            hosts->name, facts->nvram, hosts->destination_label));
      return TRUE;
    }
  if (hosts->pool != NULL)
    {
      if (hosts->copies->len == 0 && !check_pool (hosts, error))
        return FALSE;
      hosts->nvram = nvram_copy_new (hosts, facts);
      return TRUE;
    }
  if (!local_file)
    {
      hosts->needs_storage = TRUE;
      *missing = TRUE;
    }
  return TRUE;
}

/* A TPM's secrets live in its emulator's state on the source: a running
 * machine's travel with its memory, a shut-off machine's stay behind. */
static void
check_tpm (PisoMigrationHosts         *hosts,
           const PisoSnapshotMachine  *facts,
           gboolean                    active)
{
  if (!facts->has_tpm || active)
    return;
  /* Translators: "“Windows” has a TPM whose secrets stay on QEMU/KVM: …" */
  add_notice (hosts, g_strdup_printf (_("“%s” has a TPM whose secrets stay on %s: on %s it starts "
                                        "with an empty TPM, so anything sealed in it (BitLocker, a "
                                        "disk unlocked by the TPM) will ask for its recovery key. "
                                        "To keep them, move the machine while it runs."),
                                      hosts->name, hosts->source_label, hosts->destination_label));
}

/* The disks: on the destination already (shared storage), or copied into
 * the chosen pool: while a running machine moves, or, for a shut-off one,
 * before it is defined there (those whose the destination sees stay as
 * they are). Read-only disks (installer images) are not copied: they must
 * be there. */
static gboolean
check_disks (PisoMigrationHosts  *hosts,
             xmlDocPtr            domain,
             const char          *xml,
             gboolean             active,
             GError             **error)
{
  g_autoptr(PisoSnapshotMachine) facts = _piso_snapshot_machine_parse (xml, error);
  const PisoSnapshotDisk *missing = NULL;
  gboolean nvram_missing = FALSE;

  if (facts == NULL)
    return FALSE;
  g_clear_pointer (&hosts->copies, g_ptr_array_unref);
  hosts->copies = g_ptr_array_new_with_free_func ((GDestroyNotify) _piso_migration_copy_free);
  for (guint i = 0; i < facts->disks->len; i++)
    {
      const PisoSnapshotDisk *disk = g_ptr_array_index (facts->disks, i);
      gboolean copy;

      /* network disks are reached from any host */
      if (disk->path == NULL || g_strcmp0 (disk->type, "network") == 0)
        continue;
      copy = disk_copyable (disk) &&
             (active ? !disk_is_shared (hosts, disk) : !disk_is_there (hosts, disk));
      if (copy && hosts->pool == NULL)
        {
          hosts->needs_storage = TRUE;
          missing = missing != NULL ? missing : disk;
          continue;
        }
      if (copy)
        {
          PisoMigrationCopy *c;

          if (hosts->copies->len == 0 && !check_pool (hosts, error))
            return FALSE;
          if ((c = copy_new (hosts, disk, active, error)) == NULL)
            return FALSE;
          g_ptr_array_add (hosts->copies, c);
          continue;
        }
      if (!disk_is_there (hosts, disk))
        {
          /* Translators: "The disk /srv/isos/debian.iso of “Debian” is not on host2 …" */
          refuse (error, _("The disk %s of “%s” is not on %s, and it is read-only or shared, "
                           "so it is not copied. Put it at the same path there, or remove it "
                           "from the machine."),
                  disk->path, hosts->name, hosts->destination_label);
          return FALSE;
        }
      if (active)
        check_cache (hosts, domain, disk);
    }

  if (!check_nvram (hosts, facts, active, &nvram_missing, error))
    return FALSE;
  check_tpm (hosts, facts, active);

  if (missing != NULL || nvram_missing)
    {
      hosts->pools = active_pools (hosts->destination);
      if (missing != NULL)
        /* Translators: "The disk /var/lib/…/a.qcow2 of “Debian” is not on host2: …" */
        refuse (error, _("The disk %s of “%s” is not on %s: choose a storage pool there to copy "
                         "the disks into, or put them on storage both hosts share."),
                missing->path, hosts->name, hosts->destination_label);
      else
        /* Translators: "The UEFI variables of “Debian” (/var/lib/…/Debian_VARS.fd) are not on host2: …" */
        refuse (error, _("The UEFI variables of “%s” (%s) are not on %s: choose a storage pool "
                         "there to copy them into."),
                hosts->name, facts->nvram, hosts->destination_label);
      return FALSE;
    }
  return (hosts->copies->len == 0 && hosts->nvram == NULL) || check_pool_space (hosts, error);
}

/* Is @address one every host has (any, loopback)? */
static gboolean
address_is_everywhere (const char *address)
{
  g_autoptr(GInetAddress) inet = address != NULL ? g_inet_address_new_from_string (address) : NULL;

  if (address == NULL || *address == '\0' || g_str_equal (address, "localhost"))
    return TRUE;
  return inet != NULL && (g_inet_address_get_is_any (inet) || g_inet_address_get_is_loopback (inet));
}

/* A console that listens on one address of the source: the destination's
 * QEMU listens on the same one, and fails to start (and the move with it)
 * unless that host has it too. Piso cannot ask another host for its
 * addresses, so this is a caution, not a refusal; the destination's own
 * address (from its URI) is fine. */
static void
check_graphics (PisoMigrationHosts *hosts,
                xmlDocPtr           domain)
{
  g_autoptr(GPtrArray) nodes = _piso_xml_nodes (domain, NULL, "/domain/devices/graphics");
  g_autoptr(GUri) uri = g_uri_parse (hosts->destination_uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS,
                                     NULL);
  const char *destination_host = uri != NULL ? g_uri_get_host (uri) : NULL;

  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    {
      xmlNodePtr graphics = g_ptr_array_index (nodes, i);
      xmlNodePtr listen = _piso_xml_node (domain, graphics, "listen[@type='address']");
      g_autofree char *address = listen != NULL ? _piso_xml_attr (listen, "address")
                                                : _piso_xml_attr (graphics, "listen");

      if (address_is_everywhere (address) || g_strcmp0 (address, destination_host) == 0)
        continue;
      /* Translators: "“Debian”'s screen listens on 192.168.1.5, an address of QEMU/KVM: …" */
      add_notice (hosts, g_strdup_printf (_("The screen of “%s” listens on %s, an address of %s: "
                                         "unless %s has that address too, the move fails there. "
                                         "If it does not, set the display to listen on all "
                                         "addresses or on localhost first."),
                                       hosts->name, address, hosts->source_label,
                                       hosts->destination_label));
      return;
    }
}

G_STATIC_ASSERT (G_STRUCT_OFFSET (PisoMigrationCopy, target) == 0);

static void
rewrite_disk (xmlDocPtr     doc,
              xmlNodePtr    node,
              gconstpointer item)
{
  const PisoMigrationCopy *copy = item;
  xmlNodePtr source;
  xmlNodePtr backing;

  if (copy == NULL)
    return;
  xmlSetProp (node, (const xmlChar *) "type", (const xmlChar *) (copy->block ? "block" : "file"));
  /* a new <source>: the old one's pool, volume or seclabels are the source's */
  if ((source = _piso_xml_child (node, "source")) != NULL)
    _piso_xml_remove (source);
  source = _piso_xml_ensure_child (node, "source");
  xmlSetProp (source, (const xmlChar *) (copy->block ? "dev" : "file"),
              (const xmlChar *) copy->new_path);
  xmlSetProp (_piso_xml_ensure_child (node, "driver"), (const xmlChar *) "type",
              (const xmlChar *) copy->format);
  /* the copy is one image: QEMU flattens the chain into it */
  if ((backing = _piso_xml_node (doc, node, "backingStore")) != NULL)
    _piso_xml_remove (backing);
}

char *
_piso_migration_rewrite_disks (const char               *xml,
                               GPtrArray                *copies,
                               const PisoMigrationCopy  *nvram,
                               GError                  **error)
{
  g_autoptr(xmlDoc) doc = _piso_xml_parse_root (xml, "domain", error);

  if (doc == NULL)
    return NULL;
  _piso_xml_foreach_disk (doc, copies, rewrite_disk);
  if (nvram != NULL)
    _piso_xml_set_nvram (doc, nvram->new_path, nvram->block);
  return _piso_xml_to_string (doc);
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

  hosts->needs_storage = FALSE;
  g_clear_pointer (&hosts->pools, g_strfreev);
  g_clear_pointer (&hosts->notice, g_free);
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

  if (*active)
    check_graphics (hosts, domain);
  return check_guest_type (hosts, domain, source_caps, destination_caps, error) &&
         check_cpu (hosts, domain, error) &&
         check_not_there (hosts, error) &&
         check_snapshots (hosts, error) &&
         (!*active || check_devices (hosts, domain, error)) &&
         check_disks (hosts, domain, xml, *active, error);
}
