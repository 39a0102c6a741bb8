/* piso-disk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-disk"

#include "config.h"

#include "piso-disk.h"
#include "piso-machine-private.h"

struct _PisoDisk
{
  GObject   parent_instance;
  char     *device;
  char     *path;
  char     *target;
  char     *bus;
  char     *format;
  char     *pool;
  char     *volume;
  guint64   capacity;
  guint64   allocation;
  gboolean  read_only;
};

G_DEFINE_FINAL_TYPE (PisoDisk, piso_disk, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DEVICE,
  PROP_PATH,
  PROP_TARGET,
  PROP_BUS,
  PROP_FORMAT,
  PROP_READ_ONLY,
  PROP_POOL,
  PROP_VOLUME,
  PROP_CAPACITY,
  PROP_ALLOCATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_disk_finalize (GObject *object)
{
  PisoDisk *self = (PisoDisk *)object;

  g_free (self->device);
  g_free (self->path);
  g_free (self->target);
  g_free (self->bus);
  g_free (self->format);
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
    case PROP_DEVICE: g_value_set_string (value, self->device); break;
    case PROP_PATH: g_value_set_string (value, self->path); break;
    case PROP_TARGET: g_value_set_string (value, self->target); break;
    case PROP_BUS: g_value_set_string (value, self->bus); break;
    case PROP_FORMAT: g_value_set_string (value, self->format); break;
    case PROP_READ_ONLY: g_value_set_boolean (value, self->read_only); break;
    case PROP_POOL: g_value_set_string (value, self->pool); break;
    case PROP_VOLUME: g_value_set_string (value, self->volume); break;
    case PROP_CAPACITY: g_value_set_uint64 (value, self->capacity); break;
    case PROP_ALLOCATION: g_value_set_uint64 (value, self->allocation); break;
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
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_TARGET] = g_param_spec_string ("target", NULL, NULL, NULL, flags);
  properties[PROP_BUS] = g_param_spec_string ("bus", NULL, NULL, NULL, flags);
  properties[PROP_FORMAT] = g_param_spec_string ("format", NULL, NULL, NULL, flags);
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, FALSE, flags);
  properties[PROP_POOL] = g_param_spec_string ("pool", NULL, NULL, NULL, flags);
  properties[PROP_VOLUME] = g_param_spec_string ("volume", NULL, NULL, NULL, flags);
  properties[PROP_CAPACITY] = g_param_spec_uint64 ("capacity", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_ALLOCATION] = g_param_spec_uint64 ("allocation", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_disk_init (PisoDisk *self)
{
}

PisoDisk *
_piso_disk_new (const char *device,
                const char *path,
                const char *target,
                const char *bus,
                const char *format,
                gboolean    read_only)
{
  PisoDisk *self = g_object_new (PISO_TYPE_DISK, NULL);

  self->device = g_strdup (device != NULL ? device : "disk");
  self->path = g_strdup (path);
  self->target = g_strdup (target);
  self->bus = g_strdup (bus);
  self->format = g_strdup (format);
  self->read_only = read_only;

  return self;
}

gboolean
_piso_disk_equal (PisoDisk *a,
                  PisoDisk *b)
{
  return g_strcmp0 (a->device, b->device) == 0 &&
         g_strcmp0 (a->path, b->path) == 0 &&
         g_strcmp0 (a->target, b->target) == 0 &&
         g_strcmp0 (a->bus, b->bus) == 0 &&
         g_strcmp0 (a->format, b->format) == 0 &&
         a->read_only == b->read_only;
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

const char *piso_disk_get_device (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->device; }
const char *piso_disk_get_path (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->path; }
const char *piso_disk_get_target (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->target; }
const char *piso_disk_get_bus (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->bus; }
const char *piso_disk_get_format (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->format; }
gboolean piso_disk_get_read_only (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), FALSE); return self->read_only; }
const char *piso_disk_get_pool (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->pool; }
const char *piso_disk_get_volume (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), NULL); return self->volume; }
guint64 piso_disk_get_capacity (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), 0); return self->capacity; }
guint64 piso_disk_get_allocation (PisoDisk *self) { g_return_val_if_fail (PISO_IS_DISK (self), 0); return self->allocation; }
