/* piso-disk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-disk"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-disk.h"
#include "piso-machine-private.h"

struct _PisoDisk
{
  GObject           parent_instance;
  PisoDiskFields    f;
  char             *pool;
  char             *volume;
  guint64           capacity;
  guint64           allocation;
};

G_DEFINE_FINAL_TYPE (PisoDisk, piso_disk, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DEVICE,
  PROP_DEVICE_LABEL,
  PROP_SOURCE_TYPE,
  PROP_PATH,
  PROP_PROTOCOL,
  PROP_SOURCE_NAME,
  PROP_HOSTS,
  PROP_SOURCE_DESCRIPTION,
  PROP_TARGET,
  PROP_BUS,
  PROP_FORMAT,
  PROP_READ_ONLY,
  PROP_POOL,
  PROP_VOLUME,
  PROP_CAPACITY,
  PROP_ALLOCATION,
  PROP_BOOT_ORDER,
  PROP_TRAY_OPEN,
  PROP_PENDING,
  PROP_NEXT_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_piso_disk_fields_clear (PisoDiskFields *f)
{
  g_clear_pointer (&f->device, g_free);
  g_clear_pointer (&f->source_type, g_free);
  g_clear_pointer (&f->path, g_free);
  g_clear_pointer (&f->protocol, g_free);
  g_clear_pointer (&f->source_name, g_free);
  g_clear_pointer (&f->hosts, g_free);
  g_clear_pointer (&f->nvme_address, g_free);
  g_clear_pointer (&f->nvme_namespace, g_free);
  g_clear_pointer (&f->target, g_free);
  g_clear_pointer (&f->bus, g_free);
  g_clear_pointer (&f->format, g_free);
  g_clear_pointer (&f->pool, g_free);
  g_clear_pointer (&f->alias, g_free);
  g_clear_pointer (&f->next_source, g_free);
}

static void
piso_disk_finalize (GObject *object)
{
  PisoDisk *self = (PisoDisk *)object;

  _piso_disk_fields_clear (&self->f);
  g_free (self->pool);
  g_free (self->volume);

  G_OBJECT_CLASS (piso_disk_parent_class)->finalize (object);
}

static void
piso_disk_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PisoDisk *self = PISO_DISK (object);

  switch (prop_id)
    {
    case PROP_DEVICE: g_value_set_string (value, self->f.device); break;
    case PROP_DEVICE_LABEL: g_value_set_string (value, piso_disk_get_device_label (self)); break;
    case PROP_SOURCE_TYPE: g_value_set_string (value, self->f.source_type); break;
    case PROP_PATH: g_value_set_string (value, self->f.path); break;
    case PROP_PROTOCOL: g_value_set_string (value, self->f.protocol); break;
    case PROP_SOURCE_NAME: g_value_set_string (value, self->f.source_name); break;
    case PROP_HOSTS: g_value_set_string (value, self->f.hosts); break;
    case PROP_SOURCE_DESCRIPTION: g_value_take_string (value, piso_disk_describe_source (self)); break;
    case PROP_TARGET: g_value_set_string (value, self->f.target); break;
    case PROP_BUS: g_value_set_string (value, self->f.bus); break;
    case PROP_FORMAT: g_value_set_string (value, self->f.format); break;
    case PROP_READ_ONLY: g_value_set_boolean (value, self->f.read_only); break;
    case PROP_POOL: g_value_set_string (value, self->pool); break;
    case PROP_VOLUME: g_value_set_string (value, self->volume); break;
    case PROP_CAPACITY: g_value_set_uint64 (value, self->capacity); break;
    case PROP_ALLOCATION: g_value_set_uint64 (value, self->allocation); break;
    case PROP_BOOT_ORDER: g_value_set_uint (value, self->f.boot_order); break;
    case PROP_TRAY_OPEN: g_value_set_boolean (value, self->f.tray_open); break;
    case PROP_PENDING: g_value_set_enum (value, self->f.pending); break;
    case PROP_NEXT_SOURCE: g_value_set_string (value, self->f.next_source); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_disk_class_init (PisoDiskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_disk_finalize;
  object_class->get_property = piso_disk_get_property;

  properties[PROP_DEVICE] = g_param_spec_string ("device", NULL, NULL, NULL, flags);
  properties[PROP_DEVICE_LABEL] = g_param_spec_string ("device-label", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_TYPE] = g_param_spec_string ("source-type", NULL, NULL, NULL, flags);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_PROTOCOL] = g_param_spec_string ("protocol", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_NAME] = g_param_spec_string ("source-name", NULL, NULL, NULL, flags);
  properties[PROP_HOSTS] = g_param_spec_string ("hosts", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_DESCRIPTION] =
    g_param_spec_string ("source-description", NULL, NULL, NULL, flags);
  properties[PROP_TARGET] = g_param_spec_string ("target", NULL, NULL, NULL, flags);
  properties[PROP_BUS] = g_param_spec_string ("bus", NULL, NULL, NULL, flags);
  properties[PROP_FORMAT] = g_param_spec_string ("format", NULL, NULL, NULL, flags);
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, FALSE, flags);
  properties[PROP_POOL] = g_param_spec_string ("pool", NULL, NULL, NULL, flags);
  properties[PROP_VOLUME] = g_param_spec_string ("volume", NULL, NULL, NULL, flags);
  properties[PROP_CAPACITY] = g_param_spec_uint64 ("capacity", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_ALLOCATION] = g_param_spec_uint64 ("allocation", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BOOT_ORDER] = g_param_spec_uint ("boot-order", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TRAY_OPEN] = g_param_spec_boolean ("tray-open", NULL, NULL, FALSE, flags);
  properties[PROP_PENDING] =
    g_param_spec_enum ("pending", NULL, NULL, PISO_TYPE_DEVICE_PENDING, PISO_DEVICE_PENDING_NONE, flags);
  properties[PROP_NEXT_SOURCE] = g_param_spec_string ("next-source", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_disk_init (PisoDisk *self)
{
}

PisoDisk *
_piso_disk_new (PisoDiskFields *fields)
{
  PisoDisk *self = g_object_new (PISO_TYPE_DISK, NULL);

  self->f = *fields;
  memset (fields, 0, sizeof *fields);
  if (self->f.device == NULL)
    self->f.device = g_strdup ("disk");
  /* A volume disk names its pool in the definition already. */
  self->pool = g_strdup (self->f.pool);
  if (self->f.pool != NULL)
    self->volume = g_strdup (self->f.path);

  return self;
}

const PisoDiskFields *
_piso_disk_get_fields (PisoDisk *self)
{
  return &self->f;
}

gboolean
_piso_disk_fields_same_source (const PisoDiskFields *a,
                               const PisoDiskFields *b)
{
  return g_strcmp0 (a->source_type, b->source_type) == 0 &&
         g_strcmp0 (a->path, b->path) == 0 &&
         g_strcmp0 (a->protocol, b->protocol) == 0 &&
         g_strcmp0 (a->source_name, b->source_name) == 0 &&
         g_strcmp0 (a->hosts, b->hosts) == 0 &&
         g_strcmp0 (a->nvme_address, b->nvme_address) == 0 &&
         g_strcmp0 (a->nvme_namespace, b->nvme_namespace) == 0 &&
         g_strcmp0 (a->pool, b->pool) == 0;
}

/* What a restart would change: the settings the definition and the running
 * machine can disagree on (aliases and trays only exist while running). */
gboolean
_piso_disk_fields_same_setup (const PisoDiskFields *a,
                              const PisoDiskFields *b)
{
  return _piso_disk_fields_same_source (a, b) &&
         g_strcmp0 (a->device, b->device) == 0 &&
         g_strcmp0 (a->target, b->target) == 0 &&
         g_strcmp0 (a->bus, b->bus) == 0 &&
         g_strcmp0 (a->format, b->format) == 0 &&
         a->read_only == b->read_only &&
         a->boot_order == b->boot_order;
}

gboolean
_piso_disk_equal (PisoDisk *a,
                  PisoDisk *b)
{
  return _piso_disk_fields_same_setup (&a->f, &b->f) &&
         g_strcmp0 (a->f.alias, b->f.alias) == 0 &&
         a->f.tray_open == b->f.tray_open &&
         a->f.pending == b->f.pending &&
         g_strcmp0 (a->f.next_source, b->f.next_source) == 0;
}

void
_piso_disk_set_volume_info (PisoDisk   *self,
                            const char *pool,
                            const char *volume,
                            guint64     capacity,
                            guint64     allocation)
{
  g_return_if_fail (PISO_IS_DISK (self));

  if (piso_set_str (&self->pool, pool))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL]);
  if (piso_set_str (&self->volume, volume))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME]);
  if (self->capacity != capacity)
    {
      self->capacity = capacity;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
    }
  if (self->allocation != allocation)
    {
      self->allocation = allocation;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOCATION]);
    }
}

const char *
piso_disk_get_device_label (PisoDisk *self)
{
  const char *device;

  g_return_val_if_fail (PISO_IS_DISK (self), NULL);

  device = self->f.device;
  if (g_strcmp0 (device, "cdrom") == 0)
    return _("CD/DVD drive");
  if (g_strcmp0 (device, "floppy") == 0)
    return _("Floppy drive");
  if (g_strcmp0 (device, "lun") == 0)
    /* Translators: a host SCSI device passed to the guest as it is */
    return _("SCSI LUN");
  return _("Disk");
}

static const char *
protocol_label (const char *protocol)
{
  static const struct { const char *protocol; const char *label; } labels[] = {
    { "rbd", N_("Ceph RBD") },
    { "iscsi", N_("iSCSI") },
    { "nbd", N_("NBD") },
    { "gluster", N_("GlusterFS") },
    { "sheepdog", N_("Sheepdog") },
    { "vxhs", N_("VxHS") },
    { "nfs", N_("NFS") },
    { "ssh", N_("SSH") },
    { "http", N_("HTTP") },
    { "https", N_("HTTPS") },
    { "ftp", N_("FTP") },
    { "ftps", N_("FTPS") },
    { "tftp", N_("TFTP") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (protocol, labels[i].protocol) == 0)
      return _(labels[i].label);
  return protocol;
}

char *
_piso_disk_fields_describe (const PisoDiskFields *f)
{
  const char *type = f->source_type;

  if (g_strcmp0 (type, "network") == 0)
    {
      const char *protocol = protocol_label (f->protocol != NULL ? f->protocol : "?");

      if (f->source_name != NULL && f->hosts != NULL)
        /* Translators: a network disk: "Ceph RBD “pool/image” on mon1:6789" */
        return g_strdup_printf (_("%s “%s” on %s"), protocol, f->source_name, f->hosts);
      if (f->hosts != NULL)
        /* Translators: a network disk: "NBD on 192.0.2.1:10809" */
        return g_strdup_printf (_("%s on %s"), protocol, f->hosts);
      if (f->source_name != NULL)
        /* Translators: a network disk without a host: "Ceph RBD “pool/image”" */
        return g_strdup_printf (_("%s “%s”"), protocol, f->source_name);
      /* Translators: a network disk of which nothing else is known: "iSCSI network disk" */
      return g_strdup_printf (_("%s network disk"), protocol);
    }

  if (g_strcmp0 (type, "nvme") == 0)
    {
      if (f->nvme_namespace != NULL)
        /* Translators: "NVMe namespace 1 of host device 0000:01:00.0" */
        return g_strdup_printf (_("NVMe namespace %s of host device %s"), f->nvme_namespace,
                                f->nvme_address != NULL ? f->nvme_address : "?");
      /* Translators: "NVMe host device 0000:01:00.0" */
      return g_strdup_printf (_("NVMe host device %s"), f->nvme_address != NULL ? f->nvme_address : "?");
    }

  if (f->path == NULL)
    return g_strdup (g_strcmp0 (f->device, "cdrom") == 0 || g_strcmp0 (f->device, "floppy") == 0
                     ? C_("drive", "Empty") : _("No source"));

  if (g_strcmp0 (type, "block") == 0)
    /* Translators: a disk backed by a host device: "Block device /dev/sdb" */
    return g_strdup_printf (_("Block device %s"), f->path);
  if (g_strcmp0 (type, "dir") == 0)
    /* Translators: a host folder shown to the guest as a disk */
    return g_strdup_printf (_("Folder %s"), f->path);
  if (g_strcmp0 (type, "vhostuser") == 0)
    /* Translators: a disk served by another process over a socket */
    return g_strdup_printf (_("vhost-user socket %s"), f->path);
  if (g_strcmp0 (type, "volume") == 0)
    /* Translators: "Volume “data.qcow2” in storage pool “default”" */
    return g_strdup_printf (_("Volume “%s” in storage pool “%s”"), f->path,
                            f->pool != NULL ? f->pool : "?");
  /* A file: its path says it all. */
  return g_strdup (f->path);
}

char *
piso_disk_describe_source (PisoDisk *self)
{
  g_return_val_if_fail (PISO_IS_DISK (self), NULL);
  return _piso_disk_fields_describe (&self->f);
}

const char *piso_disk_get_device (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.device; }
const char *piso_disk_get_source_type (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.source_type; }
const char *piso_disk_get_path (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.path; }
const char *piso_disk_get_protocol (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.protocol; }
const char *piso_disk_get_source_name (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.source_name; }
const char *piso_disk_get_hosts (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.hosts; }
const char *piso_disk_get_target (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.target; }
const char *piso_disk_get_bus (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.bus; }
const char *piso_disk_get_format (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.format; }
gboolean piso_disk_get_read_only (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), FALSE); return self->f.read_only; }
const char *piso_disk_get_pool (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->pool; }
const char *piso_disk_get_volume (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->volume; }
guint64 piso_disk_get_capacity (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), 0); return self->capacity; }
guint64 piso_disk_get_allocation (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), 0); return self->allocation; }
guint piso_disk_get_boot_order (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), 0); return self->f.boot_order; }
gboolean piso_disk_get_tray_open (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), FALSE); return self->f.tray_open; }
PisoDevicePending piso_disk_get_pending (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), PISO_DEVICE_PENDING_NONE); return self->f.pending; }
const char *piso_disk_get_next_source (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->f.next_source; }
