/* piso-host-info.c: facts about a connection's host, in plain words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-host-info"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-host-info-private.h"

struct _PisoHostInfo
{
  GObject       parent_instance;
  PisoHostFacts facts;
};

G_DEFINE_FINAL_TYPE (PisoHostInfo, piso_host_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOSTNAME,
  PROP_HYPERVISOR,
  PROP_HYPERVISOR_VERSION,
  PROP_LIBVIRT_VERSION,
  PROP_CPU_MODEL,
  PROP_ARCH,
  PROP_CPUS,
  PROP_SOCKETS,
  PROP_CORES,
  PROP_THREADS,
  PROP_MHZ,
  PROP_MEMORY,
  PROP_ACCELERATION,
  PROP_ACCELERATION_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_piso_host_facts_clear (PisoHostFacts *facts)
{
  g_clear_pointer (&facts->hostname, g_free);
  g_clear_pointer (&facts->hypervisor, g_free);
  g_clear_pointer (&facts->hypervisor_version, g_free);
  g_clear_pointer (&facts->libvirt_version, g_free);
  g_clear_pointer (&facts->cpu_model, g_free);
  g_clear_pointer (&facts->arch, g_free);
  g_clear_pointer (&facts->acceleration_text, g_free);
}

static void
piso_host_info_finalize (GObject *object)
{
  PisoHostInfo *self = (PisoHostInfo *)object;

  _piso_host_facts_clear (&self->facts);

  G_OBJECT_CLASS (piso_host_info_parent_class)->finalize (object);
}

static void
piso_host_info_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PisoHostInfo *self = PISO_HOST_INFO (object);

  switch (prop_id)
    {
    case PROP_HOSTNAME: g_value_set_string (value, self->facts.hostname); break;
    case PROP_HYPERVISOR: g_value_set_string (value, self->facts.hypervisor); break;
    case PROP_HYPERVISOR_VERSION: g_value_set_string (value, self->facts.hypervisor_version); break;
    case PROP_LIBVIRT_VERSION: g_value_set_string (value, self->facts.libvirt_version); break;
    case PROP_CPU_MODEL: g_value_set_string (value, self->facts.cpu_model); break;
    case PROP_ARCH: g_value_set_string (value, self->facts.arch); break;
    case PROP_CPUS: g_value_set_uint (value, self->facts.cpus); break;
    case PROP_SOCKETS: g_value_set_uint (value, self->facts.sockets); break;
    case PROP_CORES: g_value_set_uint (value, self->facts.cores); break;
    case PROP_THREADS: g_value_set_uint (value, self->facts.threads); break;
    case PROP_MHZ: g_value_set_uint (value, self->facts.mhz); break;
    case PROP_MEMORY: g_value_set_uint64 (value, self->facts.memory_kib); break;
    case PROP_ACCELERATION: g_value_set_enum (value, self->facts.acceleration); break;
    case PROP_ACCELERATION_TEXT: g_value_set_string (value, self->facts.acceleration_text); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_host_info_class_init (PisoHostInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_host_info_finalize;
  object_class->get_property = piso_host_info_get_property;

  properties[PROP_HOSTNAME] = g_param_spec_string ("hostname", NULL, NULL, NULL, flags);
  properties[PROP_HYPERVISOR] = g_param_spec_string ("hypervisor", NULL, NULL, NULL, flags);
  properties[PROP_HYPERVISOR_VERSION] =
    g_param_spec_string ("hypervisor-version", NULL, NULL, NULL, flags);
  properties[PROP_LIBVIRT_VERSION] =
    g_param_spec_string ("libvirt-version", NULL, NULL, NULL, flags);
  properties[PROP_CPU_MODEL] = g_param_spec_string ("cpu-model", NULL, NULL, NULL, flags);
  properties[PROP_ARCH] = g_param_spec_string ("arch", NULL, NULL, NULL, flags);
  properties[PROP_CPUS] = g_param_spec_uint ("cpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SOCKETS] = g_param_spec_uint ("sockets", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_CORES] = g_param_spec_uint ("cores", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_THREADS] = g_param_spec_uint ("threads", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MHZ] = g_param_spec_uint ("mhz", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MEMORY] =
    g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_ACCELERATION] =
    g_param_spec_enum ("acceleration", NULL, NULL, PISO_TYPE_ACCELERATION,
                       PISO_ACCELERATION_UNKNOWN, flags);
  properties[PROP_ACCELERATION_TEXT] =
    g_param_spec_string ("acceleration-text", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_host_info_init (PisoHostInfo *self)
{
}

PisoHostInfo *
_piso_host_info_new (const PisoHostFacts *facts)
{
  PisoHostInfo *self = g_object_new (PISO_TYPE_HOST_INFO, NULL);

  g_return_val_if_fail (facts != NULL, self);

  self->facts = *facts;
  self->facts.hostname = g_strdup (facts->hostname);
  self->facts.hypervisor = g_strdup (facts->hypervisor);
  self->facts.hypervisor_version = g_strdup (facts->hypervisor_version);
  self->facts.libvirt_version = g_strdup (facts->libvirt_version);
  self->facts.cpu_model = g_strdup (facts->cpu_model);
  self->facts.arch = g_strdup (facts->arch);
  self->facts.acceleration_text = g_strdup (facts->acceleration_text);
  if (self->facts.acceleration_text == NULL)
    self->facts.acceleration_text = _piso_acceleration_describe (facts->acceleration,
                                                                 PISO_ACCELERATION_SOURCE_LOCAL);

  return self;
}

char *
_piso_format_libvirt_version (unsigned long version)
{
  return g_strdup_printf ("%lu.%lu.%lu", version / 1000000, (version / 1000) % 1000,
                          version % 1000);
}

char *
_piso_acceleration_describe (PisoAcceleration       acceleration,
                             PisoAccelerationSource source)
{
  gboolean remote = source == PISO_ACCELERATION_SOURCE_REMOTE;

  switch (acceleration)
    {
    case PISO_ACCELERATION_KVM:
      if (remote)
        return g_strdup (_("The remote host reports hardware acceleration (KVM): machines run at "
                           "nearly the speed of the real computer."));
      return g_strdup (_("Machines run with hardware acceleration (KVM), at nearly the speed of "
                         "the real computer."));

    case PISO_ACCELERATION_KVM_UNUSABLE:
      return g_strdup (_("/dev/kvm exists, but no hardware virtualization module (kvm_intel or "
                         "kvm_amd) is loaded: machines will run emulated, which is much slower."));

    case PISO_ACCELERATION_NONE:
      if (remote)
        return g_strdup (_("The remote host reports no hardware acceleration (KVM): machines "
                           "will run emulated, which is much slower."));
      if (source == PISO_ACCELERATION_SOURCE_LOCAL_BUT_LIBVIRT_REFUSES)
        return g_strdup (_("A hardware virtualization module is loaded, but libvirt cannot use "
                           "KVM: machines will run emulated, which is much slower."));
      return g_strdup (_("This computer offers no hardware virtualization (/dev/kvm is missing): "
                         "machines will run emulated, which is much slower."));

    case PISO_ACCELERATION_NOT_APPLICABLE:
      return g_strdup (_("This hypervisor does not use hardware acceleration."));

    case PISO_ACCELERATION_UNKNOWN:
    default:
      return g_strdup (_("Piso could not find out whether hardware acceleration is available."));
    }
}

PisoAcceleration
piso_host_detect_local_acceleration (const char *sysfs_root,
                                     const char *dev_root)
{
  g_autofree char *kvm_dev = NULL;
  g_autofree char *kvm_intel = NULL;
  g_autofree char *kvm_amd = NULL;

  if (sysfs_root == NULL)
    sysfs_root = "/";
  if (dev_root == NULL)
    dev_root = "/";

  kvm_dev = g_build_filename (dev_root, "dev", "kvm", NULL);
  if (!g_file_test (kvm_dev, G_FILE_TEST_EXISTS))
    return PISO_ACCELERATION_NONE;

  /* Other providers of /dev/kvm (kvm_pvm on some cloud machines) make QEMU
   * crawl: only the real VT-x / AMD-V modules count. */
  kvm_intel = g_build_filename (sysfs_root, "sys", "module", "kvm_intel", NULL);
  kvm_amd = g_build_filename (sysfs_root, "sys", "module", "kvm_amd", NULL);
  if (g_file_test (kvm_intel, G_FILE_TEST_IS_DIR) || g_file_test (kvm_amd, G_FILE_TEST_IS_DIR))
    return PISO_ACCELERATION_KVM;

  return PISO_ACCELERATION_KVM_UNUSABLE;
}

#define DEFINE_STRING_GETTER(field) \
  const char * \
  piso_host_info_get_##field (PisoHostInfo *self) \
  { \
    g_return_val_if_fail (PISO_IS_HOST_INFO (self), NULL); \
    return self->facts.field; \
  }

#define DEFINE_UINT_GETTER(type, field, member) \
  type \
  piso_host_info_get_##field (PisoHostInfo *self) \
  { \
    g_return_val_if_fail (PISO_IS_HOST_INFO (self), 0); \
    return self->facts.member; \
  }

DEFINE_STRING_GETTER (hostname)
DEFINE_STRING_GETTER (hypervisor)
DEFINE_STRING_GETTER (hypervisor_version)
DEFINE_STRING_GETTER (libvirt_version)
DEFINE_STRING_GETTER (cpu_model)
DEFINE_STRING_GETTER (arch)
DEFINE_STRING_GETTER (acceleration_text)
DEFINE_UINT_GETTER (guint, cpus, cpus)
DEFINE_UINT_GETTER (guint, sockets, sockets)
DEFINE_UINT_GETTER (guint, cores, cores)
DEFINE_UINT_GETTER (guint, threads, threads)
DEFINE_UINT_GETTER (guint, mhz, mhz)
DEFINE_UINT_GETTER (guint64, memory, memory_kib)

PisoAcceleration
piso_host_info_get_acceleration (PisoHostInfo *self)
{
  g_return_val_if_fail (PISO_IS_HOST_INFO (self), PISO_ACCELERATION_UNKNOWN);

  return self->facts.acceleration;
}
