/* piso-snapshot-policy.c: which kind of snapshot a machine gets, and why
 *
 * The rules follow what libvirt really does (see manage-anchors.md §1):
 *  - internal snapshots live in qcow2 disks: any state with BIOS firmware;
 *  - with UEFI (pflash) firmware libvirt refuses them while the machine runs
 *    unless it is 10.10 or newer and the NVRAM is qcow2; while off they are
 *    taken, but the firmware variables are not in them;
 *  - external snapshots (overlay files) can be reverted from 9.9 on, only
 *    for disks that are plain files;
 *  - one machine never mixes both (libvirt before 11.0 could then delete
 *    the image that held the internal ones).
 * The decision is a pure function of facts read in worker threads, so the
 * tests run it for libvirt 9.0 and 11.3 alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshot-policy"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-connection.h"
#include "piso-snapshot-private.h"
#include "piso-domain-xml-private.h"

/* ---- facts from the definition ------------------------------------------ */

static void
snapshot_disk_free (PisoSnapshotDisk *disk)
{
  g_free (disk->target);
  g_free (disk->device);
  g_free (disk->type);
  g_free (disk->format);
  g_free (disk->path);
  g_free (disk->pool);
  g_free (disk);
}

void
_piso_snapshot_machine_free (PisoSnapshotMachine *machine)
{
  if (machine == NULL)
    return;
  g_clear_pointer (&machine->disks, g_ptr_array_unref);
  g_clear_pointer (&machine->labels, g_hash_table_unref);
  g_free (machine->nvram);
  g_free (machine);
}

PisoSnapshotMachine *
_piso_snapshot_machine_parse (const char  *xml,
                              GError     **error)
{
  g_autoptr(xmlDoc) doc = _piso_xml_parse_root (xml, "domain", error);
  g_autoptr(PisoSnapshotMachine) machine = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *nvram_format = NULL;

  if (doc == NULL)
    return NULL;

  machine = g_new0 (PisoSnapshotMachine, 1);
  machine->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) snapshot_disk_free);
  machine->labels = _piso_snapshot_labels_parse (doc);
  machine->uefi = _piso_xml_node (doc, NULL, "/domain/os/loader[@type='pflash']") != NULL ||
                  _piso_xml_node (doc, NULL, "/domain/os[@firmware='efi']") != NULL;
  machine->nvram = _piso_xml_string (doc, NULL, "/domain/os/nvram/source/@file");
  if (machine->nvram == NULL)
    machine->nvram = _piso_xml_string (doc, NULL, "/domain/os/nvram/text()");
  nvram_format = _piso_xml_string (doc, NULL, "/domain/os/nvram/@format");
  machine->has_tpm = _piso_xml_node (doc, NULL, "/domain/devices/tpm") != NULL;
  machine->nvram_qcow2 = g_strcmp0 (nvram_format, "qcow2") == 0;
  machine->has_agent =
    _piso_xml_node (doc, NULL, "/domain/devices/channel/target[@name='org.qemu.guest_agent.0']") != NULL;

  disks = _piso_xml_nodes (doc, NULL, "/domain/devices/disk");
  for (guint i = 0; i < disks->len; i++)
    {
      xmlNodePtr node = g_ptr_array_index (disks, i);
      PisoSnapshotDisk *disk = g_new0 (PisoSnapshotDisk, 1);

      disk->type = _piso_xml_attr (node, "type");
      disk->device = _piso_xml_attr (node, "device");
      disk->target = _piso_xml_string (doc, node, "target/@dev");
      disk->format = _piso_xml_string (doc, node, "driver/@type");
      disk->path = _piso_xml_string (doc, node, "source/@file | source/@dev | source/@volume"
                                                " | source/@name");
      disk->pool = _piso_xml_string (doc, node, "source/@pool");
      disk->read_only = _piso_xml_node (doc, node, "readonly") != NULL ||
                        g_strcmp0 (disk->device, "cdrom") == 0;
      disk->transient = _piso_xml_node (doc, node, "transient") != NULL;
      disk->shareable = _piso_xml_node (doc, node, "shareable") != NULL;
      g_ptr_array_add (machine->disks, disk);
    }

  return g_steal_pointer (&machine);
}

gboolean
_piso_snapshot_disk_matters (const PisoSnapshotDisk *disk)
{
  return !disk->read_only && disk->path != NULL;
}

/* ---- the host ----------------------------------------------------------- */

gboolean
_piso_snapshot_host_probe (virConnectPtr      conn,
                           PisoSnapshotHost  *host,
                           GError           **error)
{
  unsigned long version = 0;
  char *caps;

  if (virConnectGetLibVersion (conn, &version) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not ask the host which libvirt it runs"));
      return FALSE;
    }
  host->lib_version = version;

  /* Since 9.9 the host capabilities announce that external snapshots can
   * be reverted; virt-manager and Cockpit look for the same element. */
  caps = virConnectGetCapabilities (conn);
  host->external_caps = caps != NULL && strstr (caps, "<externalSnapshot/>") != NULL;
  free (caps);
  virResetLastError ();
  return TRUE;
}

#define HOST_KEY "piso-snapshot-host"

const PisoSnapshotHost *
_piso_snapshot_host_get (PisoConnection *connection)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (connection), NULL);

  return g_object_get_data (G_OBJECT (connection), HOST_KEY);
}

void
_piso_snapshot_host_set (PisoConnection         *connection,
                         const PisoSnapshotHost *host)
{
  g_return_if_fail (PISO_IS_CONNECTION (connection));

  g_object_set_data_full (G_OBJECT (connection), HOST_KEY,
                          g_memdup2 (host, sizeof *host), g_free);
}

gboolean
_piso_snapshot_host_can_revert (const PisoSnapshotHost *host,
                                PisoSnapshotKind        kind)
{
  if (kind != PISO_SNAPSHOT_KIND_EXTERNAL)
    return TRUE;
  return host->lib_version >= PISO_LIBVIRT_EXTERNAL_REVERT;
}

static gboolean
host_has_external (const PisoSnapshotHost *host)
{
  return host->lib_version >= PISO_LIBVIRT_EXTERNAL_REVERT && host->external_caps;
}

static char *
version_text (guint64 version)
{
  return g_strdup_printf ("%u.%u.%u", (guint) (version / 1000000),
                          (guint) (version / 1000 % 1000), (guint) (version % 1000));
}

/* ---- the decision ------------------------------------------------------- */

void
_piso_snapshot_policy_clear (PisoSnapshotPolicy *policy)
{
  g_clear_pointer (&policy->message, g_free);
  g_clear_pointer (&policy->note, g_free);
  policy->kind = PISO_SNAPSHOT_KIND_NONE;
  policy->limit = PISO_SNAPSHOT_LIMIT_UNKNOWN;
  policy->with_memory = FALSE;
}

static void
refuse (PisoSnapshotPolicy *policy,
        PisoSnapshotLimit   limit,
        char               *message)
{
  policy->kind = limit == PISO_SNAPSHOT_LIMIT_UNSUPPORTED || limit == PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2
                 ? PISO_SNAPSHOT_KIND_NONE : policy->kind;
  policy->limit = limit;
  policy->message = message;
  policy->with_memory = FALSE;
}

/* The disks of @machine that @reject picks, as "vda, vdb". */
static char *
disk_list (const PisoSnapshotMachine *machine,
           gboolean (*reject) (const PisoSnapshotDisk *disk))
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < machine->disks->len; i++)
    {
      const PisoSnapshotDisk *disk = g_ptr_array_index (machine->disks, i);

      if (!_piso_snapshot_disk_matters (disk) || !reject (disk))
        continue;
      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, disk->target != NULL ? disk->target : disk->path);
    }
  return list->len > 0 ? g_string_free (g_steal_pointer (&list), FALSE) : NULL;
}

static gboolean disk_is_transient (const PisoSnapshotDisk *d) { return d->transient; }
static gboolean disk_is_network (const PisoSnapshotDisk *d) { return g_strcmp0 (d->type, "network") == 0; }
static gboolean disk_is_other_type (const PisoSnapshotDisk *d)
{
  return g_strcmp0 (d->type, "file") != 0 && g_strcmp0 (d->type, "block") != 0 &&
         g_strcmp0 (d->type, "volume") != 0 && g_strcmp0 (d->type, "network") != 0;
}
static gboolean disk_not_qcow2 (const PisoSnapshotDisk *d) { return g_strcmp0 (d->format, "qcow2") != 0; }
/* Piso converts files and pool volumes; a raw block device stays raw. */
static gboolean disk_not_convertible (const PisoSnapshotDisk *d)
{
  return disk_not_qcow2 (d) && g_strcmp0 (d->type, "block") == 0;
}
static gboolean disk_not_file (const PisoSnapshotDisk *d) { return g_strcmp0 (d->type, "file") != 0; }

static gboolean
machine_is_active (PisoMachineState state)
{
  return state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED;
}

/* The kind is chosen; now whether the machine's state allows it. */
static void
allow_in_state (PisoSnapshotPolicy *policy,
                PisoSnapshotKind    kind,
                gboolean            only_off,
                PisoMachineState    state,
                const char         *name)
{
  policy->kind = kind;

  switch (state)
    {
    case PISO_MACHINE_STATE_RUNNING:
    case PISO_MACHINE_STATE_PAUSED:
      if (only_off)
        {
          refuse (policy, PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN,
                  g_strdup_printf (_("This host’s libvirt takes snapshots of “%s” only while it is "
                                     "off, because it starts with UEFI firmware. Shut it down to "
                                     "take one."), name));
          return;
        }
      policy->limit = PISO_SNAPSHOT_LIMIT_NONE;
      policy->with_memory = TRUE;
      return;

    case PISO_MACHINE_STATE_SHUTOFF:
    case PISO_MACHINE_STATE_SAVED:
      policy->limit = PISO_SNAPSHOT_LIMIT_NONE;
      return;

    case PISO_MACHINE_STATE_UNKNOWN:
    case PISO_MACHINE_STATE_SHUTTING_DOWN:
    case PISO_MACHINE_STATE_CRASHED:
    case PISO_MACHINE_STATE_SUSPENDED:
    default:
      refuse (policy, PISO_SNAPSHOT_LIMIT_WRONG_STATE,
              g_strdup_printf (_("A snapshot of “%s” can be taken when it is running, paused or "
                                 "off."), name));
      return;
    }
}

static void
decide_kind (const PisoSnapshotHost    *host,
             const PisoSnapshotMachine *machine,
             PisoSnapshotKind           existing,
             PisoMachineState           state,
             const char                *name,
             PisoSnapshotPolicy        *policy)
{
  g_autofree char *transient = disk_list (machine, disk_is_transient);
  g_autofree char *network = disk_list (machine, disk_is_network);
  g_autofree char *other = disk_list (machine, disk_is_other_type);
  g_autofree char *raw = disk_list (machine, disk_not_qcow2);
  g_autofree char *raw_block = disk_list (machine, disk_not_convertible);
  g_autofree char *not_files = disk_list (machine, disk_not_file);
  gboolean internal_ok = raw == NULL;
  gboolean external_ok = host_has_external (host) && not_files == NULL;
  gboolean uefi_live = host->lib_version >= PISO_LIBVIRT_UEFI_INTERNAL_LIVE && machine->nvram_qcow2;
  gboolean has_disk = FALSE;

  for (guint i = 0; i < machine->disks->len && !has_disk; i++)
    has_disk = _piso_snapshot_disk_matters (g_ptr_array_index (machine->disks, i));

  if (transient != NULL)
    {
      if (machine_is_active (state))
        refuse (policy, PISO_SNAPSHOT_LIMIT_UNSUPPORTED,
                g_strdup_printf (_("“%s” runs disposable: what it writes is thrown away when it "
                                   "shuts down, so there is nothing to keep in a snapshot."), name));
      else
        refuse (policy, PISO_SNAPSHOT_LIMIT_UNSUPPORTED,
                /* Translators: the last %s is a list of disks, e.g. "vda, vdb" */
                g_strdup_printf (_("“%s” cannot have snapshots: its disk %s throws its changes "
                                   "away at every shutdown (transient). Make the disk keep its "
                                   "changes to take snapshots."), name, transient));
      return;
    }
  if (network != NULL || other != NULL)
    {
      refuse (policy, PISO_SNAPSHOT_LIMIT_UNSUPPORTED,
              g_strdup_printf (_("“%s” cannot have snapshots: its disk %s is not a file or volume on "
                                 "this host (network or other storage), and Piso cannot keep "
                                 "snapshots of it."), name, network != NULL ? network : other));
      return;
    }
  if (!has_disk)
    {
      refuse (policy, PISO_SNAPSHOT_LIMIT_UNSUPPORTED,
              g_strdup_printf (_("“%s” has no writable disk to keep a snapshot in. Add a qcow2 "
                                 "disk to take snapshots."), name));
      return;
    }

  /* Never mix: the kind of the snapshots it has decides. */
  if (existing == PISO_SNAPSHOT_KIND_EXTERNAL)
    {
      if (!external_ok)
        {
          g_autofree char *version = version_text (host->lib_version);

          refuse (policy, PISO_SNAPSHOT_LIMIT_UNSUPPORTED,
                  not_files != NULL
                  ? g_strdup_printf (_("“%s” has external snapshots, but its disk %s is not a plain "
                                       "file, so no more can be taken."), name, not_files)
                  : g_strdup_printf (_("“%s” has external snapshots (made by another program), and "
                                       "this host’s libvirt %s cannot revert those: it needs 9.9 or "
                                       "newer. Piso does not add internal ones beside them."),
                                     name, version));
          return;
        }
      allow_in_state (policy, PISO_SNAPSHOT_KIND_EXTERNAL, FALSE, state, name);
      return;
    }

  if (existing == PISO_SNAPSHOT_KIND_INTERNAL || !machine->uefi || uefi_live)
    {
      if (internal_ok)
        {
          allow_in_state (policy, PISO_SNAPSHOT_KIND_INTERNAL, machine->uefi && !uefi_live,
                          state, name);
          return;
        }
      if (existing == PISO_SNAPSHOT_KIND_NONE && external_ok)
        {
          allow_in_state (policy, PISO_SNAPSHOT_KIND_EXTERNAL, FALSE, state, name);
          return;
        }
    }
  else if (external_ok)
    {
      /* UEFI with libvirt that cannot snapshot it running: external
       * snapshots work in every state. */
      allow_in_state (policy, PISO_SNAPSHOT_KIND_EXTERNAL, FALSE, state, name);
      return;
    }
  else if (internal_ok)
    {
      allow_in_state (policy, PISO_SNAPSHOT_KIND_INTERNAL, TRUE, state, name);
      return;
    }

  /* Raw images: internal snapshots need qcow2. */
  if (raw_block != NULL)
    {
      refuse (policy, PISO_SNAPSHOT_LIMIT_UNSUPPORTED,
              g_strdup_printf (_("“%s” cannot have snapshots: its disk %s is a raw block device, "
                                 "and snapshots need qcow2 images."), name, raw_block));
      return;
    }
  if (machine_is_active (state))
    refuse (policy, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2,
            g_strdup_printf (_("“%s” cannot have snapshots yet: its disk %s is a raw image, and "
                               "snapshots need qcow2. Shut it down and Piso can convert it."),
                             name, raw));
  else if (state == PISO_MACHINE_STATE_SAVED)
    refuse (policy, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2,
            g_strdup_printf (_("“%s” cannot have snapshots yet: its disk %s is a raw image, and "
                               "snapshots need qcow2. Start it and shut it down (or discard its "
                               "saved state), then Piso can convert it."), name, raw));
  else
    refuse (policy, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2,
            g_strdup_printf (_("“%s” cannot have snapshots yet: its disk %s is a raw image, and "
                               "snapshots need qcow2. Piso can convert it to qcow2 (the raw image "
                               "is removed once the copy is in use)."), name, raw));
}

void
_piso_snapshot_policy_decide (const PisoSnapshotHost    *host,
                              const PisoSnapshotMachine *machine,
                              PisoSnapshotKind           existing,
                              PisoMachineState           state,
                              const char                *name,
                              PisoSnapshotPolicy        *policy)
{
  PisoSnapshotKind kind;

  _piso_snapshot_policy_clear (policy);
  decide_kind (host, machine, existing, state, name, policy);

  /* What snapshots leave out, whether or not one can be taken now. */
  kind = policy->kind != PISO_SNAPSHOT_KIND_NONE ? policy->kind : existing;
  if (machine->uefi && kind != PISO_SNAPSHOT_KIND_NONE &&
      !(kind == PISO_SNAPSHOT_KIND_INTERNAL && machine->nvram_qcow2 &&
        host->lib_version >= PISO_LIBVIRT_UEFI_INTERNAL_LIVE))
    policy->note = g_strdup (_("The firmware’s settings (UEFI variables) are not part of the "
                               "snapshots: reverting keeps the current ones."));
  else if (state == PISO_MACHINE_STATE_SAVED && policy->limit == PISO_SNAPSHOT_LIMIT_NONE)
    policy->note = g_strdup (_("The saved memory state is not part of a snapshot taken now."));
}
