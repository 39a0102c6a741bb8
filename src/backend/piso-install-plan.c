/* piso-install-plan.c: the description of a machine to create
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The XML building lives in piso-install-plan-xml.c, the review summary in
 * piso-install-plan-describe.c; both read the struct from
 * piso-install-plan-private.h.
 */
#define G_LOG_DOMAIN "piso-install-plan"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-connection.h"
#include "piso-format-size.h"
#include "piso-host-info.h"
#include "piso-install-plan-private.h"
#include "piso-machine.h"

#include <string.h>

/* Defaults for an OS the database knows nothing about (or a generic one). */
#define GENERIC_MEMORY_KIB   (2 * 1024 * 1024)
#define GENERIC_VCPUS        2
#define GENERIC_STORAGE      (G_GUINT64_CONSTANT (20) * 1024 * 1024 * 1024)

G_DEFINE_FINAL_TYPE (PisoInstallPlan, piso_install_plan, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SOURCE_KIND,
  PROP_SOURCE_PATH,
  PROP_SOURCE_URL,
  PROP_IMPORT_IN_PLACE,
  PROP_OS_ID,
  PROP_OS_NAME,
  PROP_NAME,
  PROP_VCPUS,
  PROP_MEMORY,
  PROP_DISK_SIZE,
  PROP_FIRMWARE,
  PROP_TPM,
  PROP_NETWORK,
  PROP_MACHINE_TYPE,
  PROP_DISK_BUS,
  PROP_NET_MODEL,
  PROP_VIDEO_MODEL,
  PROP_GRAPHICS_LISTEN,
  PROP_GRAPHICS,
  PROP_AGENT_CHANNEL,
  PROP_USB_REDIRECTION,
  PROP_TABLET,
  PROP_SOUND,
  PROP_RNG,
  PROP_DOMAIN_TYPE,
  PROP_ARCH,
  PROP_MIN_MEMORY,
  PROP_RECOMMENDED_MEMORY,
  PROP_MAX_MEMORY,
  PROP_MIN_VCPUS,
  PROP_RECOMMENDED_VCPUS,
  PROP_MAX_VCPUS,
  PROP_MIN_DISK_SIZE,
  PROP_RECOMMENDED_DISK_SIZE,
  PROP_MAX_DISK_SIZE,
  PROP_FREE_SPACE,
  PROP_UEFI_REQUIRED,
  PROP_UEFI_AVAILABLE,
  PROP_TPM_AVAILABLE,
  PROP_WARNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_warning (PisoInstallPlan *self);

void
piso_install_summary_item_free (PisoInstallSummaryItem *item)
{
  if (item == NULL)
    return;
  g_free (item->label);
  g_free (item->value);
  g_free (item->field);
  g_free (item);
}

/* --- helpers that notify only on change --- */

static void
set_string (PisoInstallPlan  *self,
            char            **field,
            const char       *value,
            guint             prop)
{
  if (piso_set_str (field, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* --- GObject --- */

static void
piso_install_plan_dispose (GObject *object)
{
  PisoInstallPlan *self = (PisoInstallPlan *)object;

  g_clear_object (&self->connection);

  G_OBJECT_CLASS (piso_install_plan_parent_class)->dispose (object);
}

static void
piso_install_plan_finalize (GObject *object)
{
  PisoInstallPlan *self = (PisoInstallPlan *)object;

  g_free (self->source_path);
  g_free (self->source_url);
  g_strfreev (self->extra_disks);
  g_free (self->os_id);
  g_free (self->os_name);
  g_free (self->os_family);
  g_free (self->os_short_id);
  g_free (self->name);
  g_free (self->domain_type);
  g_free (self->arch);
  g_free (self->warning);

  G_OBJECT_CLASS (piso_install_plan_parent_class)->finalize (object);
}

static void
piso_install_plan_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PisoInstallPlan *self = PISO_INSTALL_PLAN (object);

  switch (prop_id)
    {
    case PROP_CONNECTION: g_value_set_object (value, self->connection); break;
    case PROP_SOURCE_KIND: g_value_set_enum (value, self->source_kind); break;
    case PROP_SOURCE_PATH: g_value_set_string (value, self->source_path); break;
    case PROP_SOURCE_URL: g_value_set_string (value, self->source_url); break;
    case PROP_IMPORT_IN_PLACE: g_value_set_boolean (value, self->import_in_place); break;
    case PROP_OS_ID: g_value_set_string (value, self->os_id); break;
    case PROP_OS_NAME: g_value_set_string (value, piso_install_plan_get_os_name (self)); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_VCPUS: g_value_set_uint (value, self->vcpus); break;
    case PROP_MEMORY: g_value_set_uint64 (value, self->memory); break;
    case PROP_DISK_SIZE: g_value_set_uint64 (value, self->disk_size); break;
    case PROP_FIRMWARE: g_value_set_enum (value, self->firmware); break;
    case PROP_TPM: g_value_set_boolean (value, self->tpm); break;
    case PROP_NETWORK: g_value_set_enum (value, self->network); break;
    case PROP_MACHINE_TYPE: g_value_set_enum (value, self->machine_type); break;
    case PROP_DISK_BUS: g_value_set_enum (value, self->disk_bus); break;
    case PROP_NET_MODEL: g_value_set_enum (value, self->net_model); break;
    case PROP_VIDEO_MODEL: g_value_set_enum (value, self->video_model); break;
    case PROP_GRAPHICS_LISTEN: g_value_set_enum (value, self->graphics_listen); break;
    case PROP_GRAPHICS: g_value_set_boolean (value, self->graphics); break;
    case PROP_AGENT_CHANNEL: g_value_set_boolean (value, self->agent_channel); break;
    case PROP_USB_REDIRECTION: g_value_set_boolean (value, self->usb_redirection); break;
    case PROP_TABLET: g_value_set_boolean (value, self->tablet); break;
    case PROP_SOUND: g_value_set_boolean (value, self->sound); break;
    case PROP_RNG: g_value_set_boolean (value, self->rng); break;
    case PROP_DOMAIN_TYPE: g_value_set_string (value, self->domain_type); break;
    case PROP_ARCH: g_value_set_string (value, self->arch); break;
    case PROP_MIN_MEMORY: g_value_set_uint64 (value, self->minimum.memory); break;
    case PROP_RECOMMENDED_MEMORY: g_value_set_uint64 (value, self->recommended.memory); break;
    case PROP_MAX_MEMORY: g_value_set_uint64 (value, self->maximum.memory); break;
    case PROP_MIN_VCPUS: g_value_set_uint (value, self->minimum.vcpus); break;
    case PROP_RECOMMENDED_VCPUS: g_value_set_uint (value, self->recommended.vcpus); break;
    case PROP_MAX_VCPUS: g_value_set_uint (value, self->maximum.vcpus); break;
    case PROP_MIN_DISK_SIZE: g_value_set_uint64 (value, self->minimum.storage); break;
    case PROP_RECOMMENDED_DISK_SIZE: g_value_set_uint64 (value, self->recommended.storage); break;
    case PROP_MAX_DISK_SIZE: g_value_set_uint64 (value, self->maximum.storage); break;
    case PROP_FREE_SPACE: g_value_set_uint64 (value, self->free_space); break;
    case PROP_UEFI_REQUIRED: g_value_set_boolean (value, self->uefi_required); break;
    case PROP_UEFI_AVAILABLE: g_value_set_boolean (value, self->uefi_available); break;
    case PROP_TPM_AVAILABLE: g_value_set_boolean (value, self->tpm_available); break;
    case PROP_WARNING: g_value_set_string (value, self->warning); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_install_plan_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PisoInstallPlan *self = PISO_INSTALL_PLAN (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_SOURCE_KIND:
      piso_install_plan_set_source_kind (self, g_value_get_enum (value));
      break;
    case PROP_SOURCE_PATH:
      piso_install_plan_set_source_path (self, g_value_get_string (value));
      break;
    case PROP_SOURCE_URL:
      piso_install_plan_set_source_url (self, g_value_get_string (value));
      break;
    case PROP_IMPORT_IN_PLACE:
      piso_install_plan_set_import_in_place (self, g_value_get_boolean (value));
      break;
    case PROP_OS_ID:
      /* A new OS drops the old display name; set "os-name" after it. */
      piso_install_plan_set_os (self, g_value_get_string (value),
                                g_strcmp0 (self->os_id, g_value_get_string (value)) == 0
                                ? self->os_name : NULL);
      break;
    case PROP_OS_NAME:
      piso_install_plan_set_os (self, self->os_id, g_value_get_string (value));
      break;
    case PROP_NAME:
      piso_install_plan_set_name (self, g_value_get_string (value));
      break;
    case PROP_VCPUS:
      piso_install_plan_set_vcpus (self, g_value_get_uint (value));
      break;
    case PROP_MEMORY:
      piso_install_plan_set_memory (self, g_value_get_uint64 (value));
      break;
    case PROP_DISK_SIZE:
      piso_install_plan_set_disk_size (self, g_value_get_uint64 (value));
      break;
    case PROP_FIRMWARE:
      piso_install_plan_set_firmware (self, g_value_get_enum (value));
      break;
    case PROP_TPM:
      piso_install_plan_set_tpm (self, g_value_get_boolean (value));
      break;
    case PROP_NETWORK:
      piso_install_plan_set_network (self, g_value_get_enum (value));
      break;
    case PROP_MACHINE_TYPE:
      piso_set_uint_prop (self, &self->machine_type, g_value_get_enum (value), properties[prop_id]);
      break;
    case PROP_DISK_BUS:
      piso_set_uint_prop (self, &self->disk_bus, g_value_get_enum (value), properties[prop_id]);
      break;
    case PROP_NET_MODEL:
      piso_set_uint_prop (self, &self->net_model, g_value_get_enum (value), properties[prop_id]);
      break;
    case PROP_VIDEO_MODEL:
      piso_set_uint_prop (self, &self->video_model, g_value_get_enum (value), properties[prop_id]);
      break;
    case PROP_GRAPHICS_LISTEN:
      piso_set_uint_prop (self, &self->graphics_listen, g_value_get_enum (value),
                          properties[prop_id]);
      break;
    case PROP_GRAPHICS:
      piso_set_bool_prop (self, &self->graphics, g_value_get_boolean (value), properties[prop_id]);
      break;
    case PROP_AGENT_CHANNEL:
      piso_set_bool_prop (self, &self->agent_channel, g_value_get_boolean (value),
                          properties[prop_id]);
      break;
    case PROP_USB_REDIRECTION:
      piso_set_bool_prop (self, &self->usb_redirection, g_value_get_boolean (value),
                          properties[prop_id]);
      break;
    case PROP_TABLET:
      piso_set_bool_prop (self, &self->tablet, g_value_get_boolean (value), properties[prop_id]);
      break;
    case PROP_SOUND:
      piso_set_bool_prop (self, &self->sound, g_value_get_boolean (value), properties[prop_id]);
      break;
    case PROP_RNG:
      piso_set_bool_prop (self, &self->rng, g_value_get_boolean (value), properties[prop_id]);
      break;
    case PROP_DOMAIN_TYPE:
      set_string (self, &self->domain_type, g_value_get_string (value), prop_id);
      break;
    case PROP_ARCH:
      set_string (self, &self->arch, g_value_get_string (value), prop_id);
      break;
    case PROP_FREE_SPACE:
      piso_install_plan_set_free_space (self, g_value_get_uint64 (value));
      break;
    case PROP_UEFI_AVAILABLE:
      piso_install_plan_set_uefi_available (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
connection_is_session (PisoConnection *connection)
{
  const char *uri = piso_connection_get_uri (connection);
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  return parsed != NULL && g_strcmp0 (g_uri_get_path (parsed), "/session") == 0;
}

static void
piso_install_plan_constructed (GObject *object)
{
  PisoInstallPlan *self = (PisoInstallPlan *)object;

  G_OBJECT_CLASS (piso_install_plan_parent_class)->constructed (object);

  self->tpm_available = piso_connection_can_emulate_tpm (self->connection);

  if (self->connection != NULL)
    {
      /* Remote SPICE goes through an SSH tunnel to 127.0.0.1; local
       * clients get a file descriptor from libvirt: no port at all. */
      self->graphics_listen = piso_connection_is_local (self->connection)
                              ? PISO_INSTALL_GRAPHICS_LISTEN_NONE
                              : PISO_INSTALL_GRAPHICS_LISTEN_LOCALHOST;
      /* A session daemon cannot use libvirt's system networks. */
      self->network = connection_is_session (self->connection)
                      ? PISO_INSTALL_NETWORK_USER
                      : PISO_INSTALL_NETWORK_NAT_DEFAULT;
    }
}

static void
piso_install_plan_class_init (PisoInstallPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = piso_install_plan_dispose;
  object_class->finalize = piso_install_plan_finalize;
  object_class->get_property = piso_install_plan_get_property;
  object_class->set_property = piso_install_plan_set_property;
  object_class->constructed = piso_install_plan_constructed;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, PISO_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE_KIND] =
    g_param_spec_enum ("source-kind", NULL, NULL, PISO_TYPE_INSTALL_SOURCE_KIND,
                       PISO_INSTALL_SOURCE_MEDIA, rw);
  properties[PROP_SOURCE_PATH] = g_param_spec_string ("source-path", NULL, NULL, NULL, rw);
  properties[PROP_SOURCE_URL] = g_param_spec_string ("source-url", NULL, NULL, NULL, rw);
  properties[PROP_IMPORT_IN_PLACE] = g_param_spec_boolean ("import-in-place", NULL, NULL, FALSE, rw);
  properties[PROP_OS_ID] = g_param_spec_string ("os-id", NULL, NULL, NULL, rw);
  properties[PROP_OS_NAME] = g_param_spec_string ("os-name", NULL, NULL, NULL, rw);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_VCPUS] = g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, GENERIC_VCPUS, rw);
  properties[PROP_MEMORY] =
    g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, GENERIC_MEMORY_KIB, rw);
  properties[PROP_DISK_SIZE] =
    g_param_spec_uint64 ("disk-size", NULL, NULL, 0, G_MAXUINT64, GENERIC_STORAGE, rw);
  properties[PROP_FIRMWARE] =
    g_param_spec_enum ("firmware", NULL, NULL, PISO_TYPE_INSTALL_FIRMWARE,
                       PISO_INSTALL_FIRMWARE_BIOS, rw);
  properties[PROP_TPM] = g_param_spec_boolean ("tpm", NULL, NULL, FALSE, rw);
  properties[PROP_NETWORK] =
    g_param_spec_enum ("network", NULL, NULL, PISO_TYPE_INSTALL_NETWORK,
                       PISO_INSTALL_NETWORK_NAT_DEFAULT, rw);
  properties[PROP_MACHINE_TYPE] =
    g_param_spec_enum ("machine-type", NULL, NULL, PISO_TYPE_INSTALL_MACHINE_TYPE,
                       PISO_INSTALL_MACHINE_Q35, rw);
  properties[PROP_DISK_BUS] =
    g_param_spec_enum ("disk-bus", NULL, NULL, PISO_TYPE_INSTALL_DISK_BUS,
                       PISO_INSTALL_DISK_BUS_SATA, rw);
  properties[PROP_NET_MODEL] =
    g_param_spec_enum ("net-model", NULL, NULL, PISO_TYPE_INSTALL_NET_MODEL,
                       PISO_INSTALL_NET_MODEL_E1000, rw);
  properties[PROP_VIDEO_MODEL] =
    g_param_spec_enum ("video-model", NULL, NULL, PISO_TYPE_INSTALL_VIDEO_MODEL,
                       PISO_INSTALL_VIDEO_QXL, rw);
  properties[PROP_GRAPHICS_LISTEN] =
    g_param_spec_enum ("graphics-listen", NULL, NULL, PISO_TYPE_INSTALL_GRAPHICS_LISTEN,
                       PISO_INSTALL_GRAPHICS_LISTEN_NONE, rw);
  properties[PROP_GRAPHICS] = g_param_spec_boolean ("graphics", NULL, NULL, TRUE, rw);
  properties[PROP_AGENT_CHANNEL] = g_param_spec_boolean ("agent-channel", NULL, NULL, TRUE, rw);
  properties[PROP_USB_REDIRECTION] = g_param_spec_boolean ("usb-redirection", NULL, NULL, TRUE, rw);
  properties[PROP_TABLET] = g_param_spec_boolean ("tablet", NULL, NULL, TRUE, rw);
  properties[PROP_SOUND] = g_param_spec_boolean ("sound", NULL, NULL, TRUE, rw);
  properties[PROP_RNG] = g_param_spec_boolean ("rng", NULL, NULL, TRUE, rw);
  properties[PROP_DOMAIN_TYPE] = g_param_spec_string ("domain-type", NULL, NULL, "qemu", rw);
  properties[PROP_ARCH] = g_param_spec_string ("arch", NULL, NULL, "x86_64", rw);
  properties[PROP_MIN_MEMORY] = g_param_spec_uint64 ("min-memory", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_RECOMMENDED_MEMORY] =
    g_param_spec_uint64 ("recommended-memory", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_MAX_MEMORY] = g_param_spec_uint64 ("max-memory", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_MIN_VCPUS] = g_param_spec_uint ("min-vcpus", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RECOMMENDED_VCPUS] =
    g_param_spec_uint ("recommended-vcpus", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MAX_VCPUS] = g_param_spec_uint ("max-vcpus", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MIN_DISK_SIZE] =
    g_param_spec_uint64 ("min-disk-size", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_RECOMMENDED_DISK_SIZE] =
    g_param_spec_uint64 ("recommended-disk-size", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_MAX_DISK_SIZE] =
    g_param_spec_uint64 ("max-disk-size", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_FREE_SPACE] = g_param_spec_uint64 ("free-space", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_UEFI_REQUIRED] = g_param_spec_boolean ("uefi-required", NULL, NULL, FALSE, ro);
  properties[PROP_UEFI_AVAILABLE] = g_param_spec_boolean ("uefi-available", NULL, NULL, TRUE, rw);
  properties[PROP_TPM_AVAILABLE] = g_param_spec_boolean ("tpm-available", NULL, NULL, FALSE, ro);
  properties[PROP_WARNING] = g_param_spec_string ("warning", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_install_plan_init (PisoInstallPlan *self)
{
  self->source_kind = PISO_INSTALL_SOURCE_MEDIA;
  self->vcpus = GENERIC_VCPUS;
  self->memory = GENERIC_MEMORY_KIB;
  self->disk_size = GENERIC_STORAGE;
  self->firmware = PISO_INSTALL_FIRMWARE_BIOS;
  self->network = PISO_INSTALL_NETWORK_NAT_DEFAULT;
  self->machine_type = PISO_INSTALL_MACHINE_Q35;
  self->disk_bus = PISO_INSTALL_DISK_BUS_SATA;
  self->net_model = PISO_INSTALL_NET_MODEL_E1000;
  self->video_model = PISO_INSTALL_VIDEO_QXL;
  self->graphics_listen = PISO_INSTALL_GRAPHICS_LISTEN_NONE;
  self->graphics = TRUE;
  self->agent_channel = TRUE;
  self->usb_redirection = TRUE;
  self->tablet = TRUE;
  self->sound = TRUE;
  self->rng = TRUE;
  self->uefi_available = TRUE;
  self->installer_reboots = 1;
  self->eject_after_install = TRUE;
  self->domain_type = g_strdup ("qemu");
  self->arch = g_strdup ("x86_64");
}

PisoInstallPlan *
piso_install_plan_new (PisoConnection *connection)
{
  g_return_val_if_fail (connection == NULL || PISO_IS_CONNECTION (connection), NULL);

  return g_object_new (PISO_TYPE_INSTALL_PLAN, "connection", connection, NULL);
}

/* --- accessors --- */

PisoConnection *
piso_install_plan_get_connection (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->connection;
}

PisoInstallSourceKind
piso_install_plan_get_source_kind (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_SOURCE_MEDIA);
  return self->source_kind;
}

void
piso_install_plan_set_source_kind (PisoInstallPlan       *self,
                                   PisoInstallSourceKind  kind)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));

  if (self->source_kind == kind)
    return;

  self->source_kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_KIND]);

  /* An imported image is the disk: no new one by default. */
  if (kind == PISO_INSTALL_SOURCE_IMPORT)
    piso_install_plan_set_disk_size (self, 0);
  else if (self->disk_size == 0)
    piso_install_plan_set_disk_size (self, self->recommended.storage != 0
                                           ? self->recommended.storage : GENERIC_STORAGE);
  update_warning (self);
}

const char *
piso_install_plan_get_source_path (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->source_path;
}

void
piso_install_plan_set_source_path (PisoInstallPlan *self,
                                   const char      *path)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  set_string (self, &self->source_path, path, PROP_SOURCE_PATH);
}

const char * const *
piso_install_plan_get_extra_disks (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);

  return (const char * const *) self->extra_disks;
}

void
piso_install_plan_set_extra_disks (PisoInstallPlan    *self,
                                   const char * const *paths)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));

  g_strfreev (self->extra_disks);
  self->extra_disks = paths != NULL && paths[0] != NULL ? g_strdupv ((char **) paths) : NULL;
}

const char *
piso_install_plan_get_source_url (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->source_url;
}

void
piso_install_plan_set_source_url (PisoInstallPlan *self,
                                  const char      *url)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  set_string (self, &self->source_url, url, PROP_SOURCE_URL);
}

gboolean
piso_install_plan_get_import_in_place (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), FALSE);
  return self->import_in_place;
}

void
piso_install_plan_set_import_in_place (PisoInstallPlan *self,
                                       gboolean         in_place)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_bool_prop (self, &self->import_in_place, in_place, properties[PROP_IMPORT_IN_PLACE]);
}

const char *
piso_install_plan_get_os_id (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->os_id;
}

const char *
piso_install_plan_get_os_name (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);

  if (self->os_name != NULL)
    return self->os_name;
  if (self->os_id != NULL)
    return self->os_id;
  return _("Unknown operating system");
}

void
piso_install_plan_set_os (PisoInstallPlan *self,
                          const char      *os_id,
                          const char      *os_name)
{
  g_autofree char *name_copy = g_strdup (os_name);

  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));

  if (g_strcmp0 (self->os_id, os_id) != 0)
    {
      /* What apply_os learnt about the previous OS no longer holds. */
      g_clear_pointer (&self->os_family, g_free);
      g_clear_pointer (&self->os_short_id, g_free);
      self->os_maximum = (PisoOsResources) { 0 };
      self->installer_reboots = 1;
      self->eject_after_install = TRUE;
    }
  set_string (self, &self->os_id, os_id, PROP_OS_ID);
  set_string (self, &self->os_name, name_copy, PROP_OS_NAME);
}

const char *
piso_install_plan_get_name (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->name;
}

void
piso_install_plan_set_name (PisoInstallPlan *self,
                            const char      *name)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));

  /* An explicit name sticks; clearing it lets apply_os suggest again. */
  self->name_set = name != NULL && name[0] != '\0';
  set_string (self, &self->name, name, PROP_NAME);
}

guint
piso_install_plan_get_vcpus (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), 0);
  return self->vcpus;
}

void
piso_install_plan_set_vcpus (PisoInstallPlan *self,
                             guint            vcpus)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_uint_prop (self, &self->vcpus, vcpus, properties[PROP_VCPUS]);
  update_warning (self);
}

guint64
piso_install_plan_get_memory (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), 0);
  return self->memory;
}

void
piso_install_plan_set_memory (PisoInstallPlan *self,
                              guint64          memory_kib)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_uint64_prop (self, &self->memory, memory_kib, properties[PROP_MEMORY]);
  update_warning (self);
}

guint64
piso_install_plan_get_disk_size (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), 0);
  return self->disk_size;
}

void
piso_install_plan_set_disk_size (PisoInstallPlan *self,
                                 guint64          bytes)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_uint64_prop (self, &self->disk_size, bytes, properties[PROP_DISK_SIZE]);
  update_warning (self);
}

PisoInstallFirmware
piso_install_plan_get_firmware (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_FIRMWARE_BIOS);
  return self->firmware;
}

void
piso_install_plan_set_firmware (PisoInstallPlan     *self,
                                PisoInstallFirmware  firmware)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_uint_prop (self, &self->firmware, firmware, properties[PROP_FIRMWARE]);
  update_warning (self);
}

gboolean
piso_install_plan_get_tpm (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), FALSE);
  return self->tpm;
}

void
piso_install_plan_set_tpm (PisoInstallPlan *self,
                           gboolean         tpm)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_bool_prop (self, &self->tpm, tpm, properties[PROP_TPM]);
}

PisoInstallNetwork
piso_install_plan_get_network (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_NETWORK_NONE);
  return self->network;
}

void
piso_install_plan_set_network (PisoInstallPlan    *self,
                               PisoInstallNetwork  network)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_uint_prop (self, &self->network, network, properties[PROP_NETWORK]);
}

PisoInstallMachineType
piso_install_plan_get_machine_type (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_MACHINE_Q35);
  return self->machine_type;
}

PisoInstallDiskBus
piso_install_plan_get_disk_bus (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_DISK_BUS_SATA);
  return self->disk_bus;
}

PisoInstallNetModel
piso_install_plan_get_net_model (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_NET_MODEL_E1000);
  return self->net_model;
}

PisoInstallVideoModel
piso_install_plan_get_video_model (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_VIDEO_QXL);
  return self->video_model;
}

PisoInstallGraphicsListen
piso_install_plan_get_graphics_listen (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), PISO_INSTALL_GRAPHICS_LISTEN_NONE);
  return self->graphics_listen;
}

const char *
piso_install_plan_get_domain_type (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->domain_type;
}

const char *
piso_install_plan_get_arch (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->arch;
}

void
piso_install_plan_get_limits (PisoInstallPlan *self,
                              PisoOsResources *minimum,
                              PisoOsResources *recommended,
                              PisoOsResources *maximum)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));

  if (minimum != NULL)
    *minimum = self->minimum;
  if (recommended != NULL)
    *recommended = self->recommended;
  if (maximum != NULL)
    *maximum = self->maximum;
}

void
piso_install_plan_set_free_space (PisoInstallPlan *self,
                                  guint64          bytes)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));

  piso_set_uint64_prop (self, &self->free_space, bytes, properties[PROP_FREE_SPACE]);
  piso_set_uint64_prop (self, &self->maximum.storage, bytes, properties[PROP_MAX_DISK_SIZE]);
  update_warning (self);
}

gboolean
piso_install_plan_get_uefi_required (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), FALSE);
  return self->uefi_required;
}

gboolean
piso_install_plan_get_uefi_available (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), FALSE);
  return self->uefi_available;
}

void
piso_install_plan_set_uefi_available (PisoInstallPlan *self,
                                      gboolean         available)
{
  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  piso_set_bool_prop (self, &self->uefi_available, available, properties[PROP_UEFI_AVAILABLE]);
  update_warning (self);
}

gboolean
piso_install_plan_get_tpm_available (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), FALSE);
  return self->tpm_available;
}

const char *
piso_install_plan_get_warning (PisoInstallPlan *self)
{
  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);
  return self->warning;
}

/* Whether the plan makes a new disk of disk-size bytes. */
gboolean
_piso_install_plan_creates_disk (PisoInstallPlan *self)
{
  return self->source_kind != PISO_INSTALL_SOURCE_IMPORT && self->disk_size > 0;
}

static char *
format_kib (guint64 kib)
{
  return piso_format_size (kib * 1024);
}

/* One sentence per problem, so the resources page can show them all. */
static void
update_warning (PisoInstallPlan *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *os = piso_install_plan_get_os_name (self);

  if (self->minimum.memory > 0 && self->memory < self->minimum.memory)
    {
      g_autofree char *min = format_kib (self->minimum.memory);
      /* TRANSLATORS: "Debian 11 needs at least 1 GiB of memory…" */
      g_string_append_printf (text, _("%s needs at least %s of memory; it may fail to install "
                                      "or run with less."), os, min);
    }
  else if (self->recommended.memory > 0 && self->memory < self->recommended.memory &&
           self->maximum.memory > 0 && self->recommended.memory * 4 / 3 > self->maximum.memory)
    {
      g_autofree char *rec = format_kib (self->recommended.memory);
      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (self->os_id != NULL)
        g_string_append_printf (text, _("This host has too little memory for the %s recommended "
                                        "for %s; the machine may be slow."), rec, os);
      else
        g_string_append_printf (text, _("This host has too little memory for the %s Piso "
                                        "recommends; the machine may be slow."), rec);
    }

  if (self->minimum.vcpus > 0 && self->vcpus < self->minimum.vcpus)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%s needs at least %u virtual CPU.",
                                                 "%s needs at least %u virtual CPUs.",
                                                 self->minimum.vcpus),
                              os, self->minimum.vcpus);
    }

  if (_piso_install_plan_creates_disk (self))
    {
      if (self->minimum.storage > 0 && self->disk_size < self->minimum.storage)
        {
          g_autofree char *min = piso_format_size (self->minimum.storage);
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append_printf (text, _("%s needs a disk of at least %s; the installer may "
                                          "refuse a smaller one."), os, min);
        }
      if (self->free_space > 0 && self->disk_size > self->free_space)
        {
          g_autofree char *free_text = piso_format_size (self->free_space);
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append_printf (text, _("The disk is larger than the free space in the "
                                          "storage pool (%s). Choose a smaller disk or free "
                                          "some space."), free_text);
        }
    }

  if (self->uefi_required && self->firmware != PISO_INSTALL_FIRMWARE_UEFI)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, _("%s only starts with UEFI firmware."), os);
    }

  set_string (self, &self->warning, text->len > 0 ? text->str : NULL, PROP_WARNING);
}

/* --- names --- */

gboolean
piso_install_validate_name (const char      *name,
                            PisoConnection  *connection,
                            GError         **error)
{
  g_return_val_if_fail (connection == NULL || PISO_IS_CONNECTION (connection), FALSE);

  /* Empty, "/", control characters, length, only dots or spaces. */
  if (!piso_machine_validate_name (name, error))
    return FALSE;

  /* The name also names the disk file in the pool: no hidden files. */
  if (name[0] == '.')
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                           _("The name cannot start with “.”: remove the dot."));
      return FALSE;
    }
  if (g_unichar_isspace (g_utf8_get_char (name)) ||
      g_unichar_isspace (g_utf8_get_char (g_utf8_find_prev_char (name, name + strlen (name)))))
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                           _("The name cannot start or end with a space: remove it."));
      return FALSE;
    }

  if (connection != NULL && piso_connection_lookup_machine_by_name (connection, name) != NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("A machine named “%s” already exists. Choose another name."), name);
      return FALSE;
    }

  return TRUE;
}

char *
piso_install_plan_suggest_name (PisoInstallPlan *self)
{
  const char *base;

  g_return_val_if_fail (PISO_IS_INSTALL_PLAN (self), NULL);

  /* Not translated: machine names end up in file names and scripts. */
  base = self->os_short_id != NULL ? self->os_short_id : "machine";

  if (self->connection == NULL || piso_connection_lookup_machine_by_name (self->connection, base) == NULL)
    return g_strdup (base);

  for (guint i = 2; i < G_MAXUINT; i++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s-%u", base, i);

      if (piso_connection_lookup_machine_by_name (self->connection, candidate) == NULL)
        return g_steal_pointer (&candidate);
    }

  g_assert_not_reached ();
  return NULL;
}

/* --- applying an OS --- */

static const char *
domain_type_for_host (PisoHostInfo *host)
{
  if (host == NULL)
    return "qemu";
  if (g_strcmp0 (piso_host_info_get_hypervisor (host), "Test") == 0)
    return "test";
  if (piso_host_info_get_acceleration (host) == PISO_ACCELERATION_KVM)
    return "kvm";
  return "qemu";
}

void
piso_install_plan_apply_os (PisoInstallPlan *self,
                            PisoOsCatalog   *catalog,
                            PisoHostInfo    *host)
{
  PisoOsResources min = { 0 }, rec = { 0 }, max = { 0 }, os_max = { 0 };
  guint installer_reboots = 1;
  gboolean eject = TRUE;
  PisoOsDeviceFlags devices = PISO_OS_DEVICE_NONE;
  PisoOsFirmware firmware = PISO_OS_FIRMWARE_UNKNOWN;
  PisoOsEntry *entry = NULL;
  gboolean generic, virtio, uefi;
  guint64 memory, storage;
  guint vcpus;

  g_return_if_fail (PISO_IS_INSTALL_PLAN (self));
  g_return_if_fail (PISO_IS_OS_CATALOG (catalog));
  g_return_if_fail (host == NULL || PISO_IS_HOST_INFO (host));

  g_object_freeze_notify (G_OBJECT (self));

  /* The host decides the domain type and the architecture. */
  set_string (self, &self->domain_type, domain_type_for_host (host), PROP_DOMAIN_TYPE);
  if (host != NULL && piso_host_info_get_arch (host) != NULL)
    set_string (self, &self->arch, piso_host_info_get_arch (host), PROP_ARCH);

  if (self->os_id != NULL)
    entry = piso_os_catalog_lookup (catalog, self->os_id);
  generic = entry == NULL;
  if (entry != NULL)
    {
      if (self->os_name == NULL)
        set_string (self, &self->os_name, piso_os_entry_get_name (entry), PROP_OS_NAME);
      piso_set_str (&self->os_family, piso_os_entry_get_family (entry));
      piso_set_str (&self->os_short_id, piso_os_entry_get_short_id (entry));
      piso_os_catalog_get_resources (catalog, self->os_id, self->arch, &min, &rec);
      piso_os_catalog_get_maximum (catalog, self->os_id, self->arch, &os_max);
      piso_os_catalog_get_installer (catalog, self->os_id, self->arch, &installer_reboots, &eject);
      devices = piso_os_catalog_get_devices (catalog, self->os_id);
      firmware = piso_os_catalog_get_firmware (catalog, self->os_id, self->arch);
    }
  else
    {
      g_clear_pointer (&self->os_family, g_free);
      g_clear_pointer (&self->os_short_id, g_free);
    }

  /* --- resources --- */
  if (rec.memory == 0)
    rec.memory = MAX (min.memory, GENERIC_MEMORY_KIB);
  if (rec.vcpus == 0)
    rec.vcpus = MAX (min.vcpus, GENERIC_VCPUS);
  if (rec.storage == 0)
    rec.storage = MAX (min.storage, GENERIC_STORAGE);

  memory = rec.memory;
  vcpus = rec.vcpus;
  storage = rec.storage;
  if (host != NULL)
    {
      max.memory = piso_host_info_get_memory (host);
      max.vcpus = piso_host_info_get_cpus (host);
      /* Leave the host a quarter of its memory: a guest that makes the
       * host swap is slower than a guest with less memory. */
      if (max.memory > 0)
        memory = MIN (memory, max.memory / 4 * 3);
      if (max.vcpus > 0)
        vcpus = MIN (vcpus, max.vcpus);
    }
  max.storage = self->free_space;
  if (self->free_space > 0)
    storage = MIN (storage, self->free_space);

  self->minimum = min;
  self->recommended = rec;
  self->maximum = max;
  self->os_maximum = os_max;
  self->installer_reboots = installer_reboots;
  self->eject_after_install = eject;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIN_MEMORY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOMMENDED_MEMORY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_MEMORY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIN_VCPUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOMMENDED_VCPUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_VCPUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIN_DISK_SIZE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOMMENDED_DISK_SIZE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DISK_SIZE]);

  piso_set_uint64_prop (self, &self->memory, memory, properties[PROP_MEMORY]);
  piso_set_uint_prop (self, &self->vcpus, MAX (vcpus, 1), properties[PROP_VCPUS]);
  piso_set_uint64_prop (self, &self->disk_size,
                        self->source_kind == PISO_INSTALL_SOURCE_IMPORT ? 0 : storage,
                        properties[PROP_DISK_SIZE]);

  /* --- devices --- */
  /* A generic OS gets what any x86 OS of this century drives: SATA, e1000
   * and QXL (which also works as plain VGA). */
  virtio = (devices & (PISO_OS_DEVICE_VIRTIO_BLOCK | PISO_OS_DEVICE_VIRTIO_NET)) != 0;
  uefi = firmware == PISO_OS_FIRMWARE_EFI_REQUIRED ||
         (firmware == PISO_OS_FIRMWARE_EFI_SUPPORTED && self->uefi_available);

  /* OSes that predate q35 (and have no virtio drivers) lack AHCI drivers:
   * Windows XP on q35 cannot see its installation CD. */
  if (generic || virtio || uefi || (devices & PISO_OS_DEVICE_Q35) != 0)
    piso_set_uint_prop (self, &self->machine_type, PISO_INSTALL_MACHINE_Q35,
                        properties[PROP_MACHINE_TYPE]);
  else
    piso_set_uint_prop (self, &self->machine_type, PISO_INSTALL_MACHINE_PC,
                        properties[PROP_MACHINE_TYPE]);

  if (devices & PISO_OS_DEVICE_VIRTIO_BLOCK)
    piso_set_uint_prop (self, &self->disk_bus, PISO_INSTALL_DISK_BUS_VIRTIO,
                        properties[PROP_DISK_BUS]);
  else if (self->machine_type == PISO_INSTALL_MACHINE_Q35)
    piso_set_uint_prop (self, &self->disk_bus, PISO_INSTALL_DISK_BUS_SATA,
                        properties[PROP_DISK_BUS]);
  else
    piso_set_uint_prop (self, &self->disk_bus, PISO_INSTALL_DISK_BUS_IDE,
                        properties[PROP_DISK_BUS]);

  if (devices & PISO_OS_DEVICE_VIRTIO_NET)
    piso_set_uint_prop (self, &self->net_model, PISO_INSTALL_NET_MODEL_VIRTIO,
                        properties[PROP_NET_MODEL]);
  else if (devices & PISO_OS_DEVICE_E1000E)
    piso_set_uint_prop (self, &self->net_model, PISO_INSTALL_NET_MODEL_E1000E,
                        properties[PROP_NET_MODEL]);
  else
    piso_set_uint_prop (self, &self->net_model, PISO_INSTALL_NET_MODEL_E1000,
                        properties[PROP_NET_MODEL]);

  if (devices & PISO_OS_DEVICE_VIRTIO_GPU)
    piso_set_uint_prop (self, &self->video_model, PISO_INSTALL_VIDEO_VIRTIO,
                        properties[PROP_VIDEO_MODEL]);
  else
    piso_set_uint_prop (self, &self->video_model, PISO_INSTALL_VIDEO_QXL,
                        properties[PROP_VIDEO_MODEL]);

  /* An unknown PCI device makes old Windows ask for drivers at every boot. */
  piso_set_bool_prop (self, &self->rng, generic || (devices & PISO_OS_DEVICE_VIRTIO_RNG) != 0,
                      properties[PROP_RNG]);

  /* --- firmware --- */
  self->uefi_required = firmware == PISO_OS_FIRMWARE_EFI_REQUIRED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UEFI_REQUIRED]);
  piso_set_uint_prop (self, &self->firmware,
                      uefi ? PISO_INSTALL_FIRMWARE_UEFI : PISO_INSTALL_FIRMWARE_BIOS,
                      properties[PROP_FIRMWARE]);
  piso_set_bool_prop (self, &self->tpm, uefi && self->tpm_available, properties[PROP_TPM]);

  /* --- name --- */
  if (!self->name_set)
    {
      g_autofree char *name = piso_install_plan_suggest_name (self);
      set_string (self, &self->name, name, PROP_NAME);
    }

  update_warning (self);
  g_object_thaw_notify (G_OBJECT (self));
}
