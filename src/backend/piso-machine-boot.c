/* piso-machine-boot.c: how a machine starts: firmware, boot order, boot menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-boot"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-backend-enums.h"
#include "piso-connection.h"
#include "piso-machine-boot.h"
#include "piso-machine-edit-private.h"

struct _PisoMachineBoot
{
  GObject       parent_instance;

  PisoFirmware  firmware;
  gboolean      secure_boot;
  gboolean      tpm;
  gboolean      boot_menu;
  gboolean      tpm_available;
  char         *arch;
  char         *machine_type;
  char         *host_arch;
  GStrv         boot_devices;
};

G_DEFINE_FINAL_TYPE (PisoMachineBoot, piso_machine_boot, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FIRMWARE,
  PROP_SECURE_BOOT,
  PROP_TPM,
  PROP_BOOT_MENU,
  PROP_ARCH,
  PROP_MACHINE_TYPE,
  PROP_FOREIGN_ARCH,
  PROP_TPM_AVAILABLE,
  PROP_BOOT_DEVICES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_machine_boot_finalize (GObject *object)
{
  PisoMachineBoot *self = (PisoMachineBoot *)object;

  g_free (self->arch);
  g_free (self->machine_type);
  g_free (self->host_arch);
  g_strfreev (self->boot_devices);

  G_OBJECT_CLASS (piso_machine_boot_parent_class)->finalize (object);
}

static void
piso_machine_boot_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PisoMachineBoot *self = PISO_MACHINE_BOOT (object);

  switch (prop_id)
    {
    case PROP_FIRMWARE: g_value_set_enum (value, self->firmware); break;
    case PROP_SECURE_BOOT: g_value_set_boolean (value, self->secure_boot); break;
    case PROP_TPM: g_value_set_boolean (value, self->tpm); break;
    case PROP_BOOT_MENU: g_value_set_boolean (value, self->boot_menu); break;
    case PROP_ARCH: g_value_set_string (value, self->arch); break;
    case PROP_MACHINE_TYPE: g_value_set_string (value, self->machine_type); break;
    case PROP_FOREIGN_ARCH: g_value_set_string (value, piso_machine_boot_get_foreign_arch (self)); break;
    case PROP_TPM_AVAILABLE: g_value_set_boolean (value, self->tpm_available); break;
    case PROP_BOOT_DEVICES: g_value_set_boxed (value, self->boot_devices); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_boot_class_init (PisoMachineBootClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_machine_boot_finalize;
  object_class->get_property = piso_machine_boot_get_property;

  properties[PROP_FIRMWARE] =
    g_param_spec_enum ("firmware", NULL, NULL, PISO_TYPE_FIRMWARE, PISO_FIRMWARE_BIOS, flags);
  properties[PROP_SECURE_BOOT] = g_param_spec_boolean ("secure-boot", NULL, NULL, FALSE, flags);
  properties[PROP_TPM] = g_param_spec_boolean ("tpm", NULL, NULL, FALSE, flags);
  properties[PROP_BOOT_MENU] = g_param_spec_boolean ("boot-menu", NULL, NULL, FALSE, flags);
  properties[PROP_ARCH] = g_param_spec_string ("arch", NULL, NULL, NULL, flags);
  properties[PROP_MACHINE_TYPE] = g_param_spec_string ("machine-type", NULL, NULL, NULL, flags);
  properties[PROP_FOREIGN_ARCH] = g_param_spec_string ("foreign-arch", NULL, NULL, NULL, flags);
  properties[PROP_TPM_AVAILABLE] = g_param_spec_boolean ("tpm-available", NULL, NULL, FALSE, flags);
  properties[PROP_BOOT_DEVICES] = g_param_spec_boxed ("boot-devices", NULL, NULL, G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_machine_boot_init (PisoMachineBoot *self)
{
  self->boot_devices = g_new0 (char *, 1);
}

PisoMachineBoot *
_piso_machine_boot_new (PisoConnection *connection)
{
  PisoMachineBoot *self = g_object_new (PISO_TYPE_MACHINE_BOOT, NULL);

  self->tpm_available = connection != NULL && piso_connection_can_emulate_tpm (connection);
  return self;
}

static void
notify (PisoMachineBoot *self,
        guint            prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_piso_machine_boot_apply (PisoMachineBoot   *self,
                          PisoMachineConfig *config)
{
  const char *old_foreign = piso_machine_boot_get_foreign_arch (self);
  gboolean foreign_before = old_foreign != NULL;

  /* Boot settings only matter at a start: show the definition's. */
  if (config->next_start != NULL)
    config = config->next_start;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->firmware != config->firmware)
    {
      self->firmware = config->firmware;
      notify (self, PROP_FIRMWARE);
    }
  piso_set_bool_prop (self, &self->secure_boot, config->secure_boot, properties[PROP_SECURE_BOOT]);
  piso_set_bool_prop (self, &self->tpm, config->tpm, properties[PROP_TPM]);
  piso_set_bool_prop (self, &self->boot_menu, config->boot_menu, properties[PROP_BOOT_MENU]);
  if (piso_set_str (&self->arch, config->arch))
    notify (self, PROP_ARCH);
  if (piso_set_str (&self->machine_type, config->machine_type))
    notify (self, PROP_MACHINE_TYPE);
  if (!g_strv_equal ((const char * const *) self->boot_devices,
                     (const char * const *) config->boot_devices))
    {
      g_strfreev (self->boot_devices);
      self->boot_devices = g_strdupv (config->boot_devices);
      notify (self, PROP_BOOT_DEVICES);
    }
  if (foreign_before != (piso_machine_boot_get_foreign_arch (self) != NULL))
    notify (self, PROP_FOREIGN_ARCH);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_piso_machine_boot_set_host_arch (PisoMachineBoot *self,
                                  const char      *arch)
{
  const char *before = piso_machine_boot_get_foreign_arch (self);
  gboolean foreign_before = before != NULL;

  if (piso_set_str (&self->host_arch, arch) &&
      foreign_before != (piso_machine_boot_get_foreign_arch (self) != NULL))
    notify (self, PROP_FOREIGN_ARCH);
}

PisoFirmware piso_machine_boot_get_firmware (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), PISO_FIRMWARE_BIOS); return self->firmware; }
gboolean piso_machine_boot_get_secure_boot (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), FALSE); return self->secure_boot; }
gboolean piso_machine_boot_get_tpm (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), FALSE); return self->tpm; }
gboolean piso_machine_boot_get_boot_menu (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), FALSE); return self->boot_menu; }
const char *piso_machine_boot_get_arch (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), NULL); return self->arch; }
const char *piso_machine_boot_get_machine_type (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), NULL); return self->machine_type; }
gboolean piso_machine_boot_get_tpm_available (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), FALSE); return self->tpm_available; }
const char * const *piso_machine_boot_get_boot_devices (PisoMachineBoot *self) { g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), NULL); return (const char * const *) self->boot_devices; }

/* x86_64 guests on an x86_64 host, and i686 ones too (the same CPUs run
 * them); anything else is another architecture. */
static gboolean
same_arch (const char *guest,
           const char *host)
{
  if (g_strcmp0 (guest, host) == 0)
    return TRUE;
  return g_strcmp0 (host, "x86_64") == 0 && g_strcmp0 (guest, "i686") == 0;
}

const char *
piso_machine_boot_get_foreign_arch (PisoMachineBoot *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_BOOT (self), NULL);

  if (self->arch == NULL || self->host_arch == NULL || same_arch (self->arch, self->host_arch))
    return NULL;
  return self->arch;
}

/* ---- changes ---- */

static gboolean
require_definition (PisoEdit    *edit,
                    const char  *context,
                    GError     **error)
{
  if (edit->next != NULL)
    return TRUE;
  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
               _("%s: a temporary machine starts only once, as it is."), context);
  return FALSE;
}

static gboolean
op_set_boot_order (PisoEdit  *edit,
                   gpointer   data,
                   GError   **error)
{
  const char * const *order = data;
  g_autofree char *context = g_strdup_printf (_("Could not change the boot order of “%s”"), edit->name);
  xmlNodePtr root, devices;

  if (!require_definition (edit, context, error))
    return FALSE;

  root = xmlDocGetRootElement (edit->next);
  devices = _piso_xml_devices (edit->next);

  /* Per-device order replaces <os><boot dev>: libvirt refuses both. */
  _piso_xml_remove_children (_piso_xml_child (root, "os"), "boot");
  for (xmlNodePtr n = devices->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      _piso_xml_remove_children (n, "boot");

  for (guint i = 0; order != NULL && order[i] != NULL; i++)
    {
      xmlNodePtr device = _piso_xml_find_disk (edit->next, order[i]);
      g_autofree char *position = g_strdup_printf ("%u", i + 1);

      if (device == NULL)
        device = _piso_xml_find_interface (edit->next, order[i]);
      if (device == NULL)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                       _("%s: it has no disk or network interface “%s”."), context, order[i]);
          return FALSE;
        }
      _piso_xml_set_attr (xmlNewChild (device, NULL, (const xmlChar *) "boot", NULL), "order", position);
    }

  if (!_piso_edit_define (edit, context, error))
    return FALSE;
  _piso_edit_next_start_only (edit);
  return TRUE;
}

void
piso_machine_set_boot_order_async (PisoMachine         *self,
                                   const char * const  *devices,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  _piso_machine_run_edit (self, piso_machine_set_boot_order_async, op_set_boot_order,
                          g_strdupv ((char **) devices), (GDestroyNotify) g_strfreev,
                          cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_boot_order_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_boot_order_async, error);
}

static gboolean
op_set_boot_menu (PisoEdit  *edit,
                  gpointer   data,
                  GError   **error)
{
  gboolean enabled = GPOINTER_TO_INT (data);
  g_autofree char *context = g_strdup_printf (_("Could not change the boot menu of “%s”"), edit->name);
  xmlNodePtr os;

  if (!require_definition (edit, context, error))
    return FALSE;

  os = _piso_xml_ensure_child (xmlDocGetRootElement (edit->next), "os");
  _piso_xml_set_attr (_piso_xml_ensure_child (os, "bootmenu"), "enable", enabled ? "yes" : "no");
  if (!_piso_edit_define (edit, context, error))
    return FALSE;
  _piso_edit_next_start_only (edit);
  return TRUE;
}

void
piso_machine_set_boot_menu_async (PisoMachine         *self,
                                  gboolean             enabled,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  _piso_machine_run_edit (self, piso_machine_set_boot_menu_async, op_set_boot_menu,
                          GINT_TO_POINTER (!!enabled), NULL, cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_boot_menu_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_boot_menu_async, error);
}

typedef struct
{
  PisoFirmware firmware;
  gboolean     secure_boot;
  gboolean     tpm;
} FirmwareRequest;

/* Whether the host has UEFI firmware (with Secure Boot when asked) for this
 * machine's emulator, architecture and machine type; @no_uefi_at_all when
 * it has none, with or without Secure Boot (then "install ovmf" helps).
 * Drivers without domain capabilities are not asked (@known FALSE). */
static gboolean
host_has_uefi (PisoEdit  *edit,
               gboolean   secure_boot,
               gboolean  *known,
               gboolean  *no_uefi_at_all)
{
  xmlNodePtr root = xmlDocGetRootElement (edit->next);
  xmlNodePtr type = _piso_xml_child (_piso_xml_child (root, "os"), "type");
  g_autofree char *virt = _piso_xml_attr (root, "type");
  g_autofree char *arch = _piso_xml_attr (type, "arch");
  g_autofree char *machine = _piso_xml_attr (type, "machine");
  g_autofree char *emulator = _piso_xml_child_text (_piso_xml_child (root, "devices"), "emulator");
  g_autoptr(xmlDoc) caps = NULL;

  *known = FALSE;
  *no_uefi_at_all = FALSE;
  caps = _piso_xml_parse_reply (virConnectGetDomainCapabilities (virDomainGetConnect (edit->handle),
                                                                  emulator, arch, machine, virt, 0));
  if (caps == NULL)
    return TRUE;

  *known = TRUE;
  return _piso_xml_caps_have_uefi (caps, secure_boot, no_uefi_at_all);
}

static gboolean
op_set_firmware (PisoEdit  *edit,
                 gpointer   data,
                 GError   **error)
{
  FirmwareRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not change the firmware of “%s”"), edit->name);
  gboolean uefi = request->firmware == PISO_FIRMWARE_UEFI;
  gboolean known, no_uefi_at_all;
  xmlNodePtr root, os, devices, tpm = NULL;
  int snapshots;

  if (edit->active)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("%s: turn it off first."), context);
      return FALSE;
    }
  if (!require_definition (edit, context, error))
    return FALSE;

  /* A snapshot's saved state was made with the firmware it had: reverting
   * to it after a switch would not start, or start broken. */
  snapshots = virDomainSnapshotNum (edit->handle, 0);
  if (snapshots < 0)
    virResetLastError ();
  if (snapshots > 0)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%s: it has %d snapshot, made with its current firmware. Delete it first.",
                                "%s: it has %d snapshots, made with its current firmware. Delete them first.",
                                snapshots),
                   context, snapshots);
      return FALSE;
    }

  if (uefi && !host_has_uefi (edit, request->secure_boot, &known, &no_uefi_at_all) && known)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                   request->secure_boot && !no_uefi_at_all
                   ? _("%s: this host has no UEFI firmware with Secure Boot for this machine type.")
                   : _("%s: this host has no UEFI firmware for this machine type (install the “ovmf” package)."),
                   context);
      return FALSE;
    }

  root = xmlDocGetRootElement (edit->next);
  os = _piso_xml_ensure_child (root, "os");
  devices = _piso_xml_devices (edit->next);
  _piso_xml_set_firmware (edit->next, uefi, request->secure_boot);

  for (xmlNodePtr n = devices->children; n != NULL; n = n->next)
    if (_piso_xml_is_element (n, "tpm") &&
        _piso_xml_attr_is (_piso_xml_child (n, "backend"), "type", "emulator"))
      tpm = n;
  if (request->tpm && tpm == NULL)
    {
      g_autofree char *arch = _piso_xml_attr (_piso_xml_child (os, "type"), "arch");
      gboolean x86 = g_strcmp0 (arch, "x86_64") == 0 || g_strcmp0 (arch, "i686") == 0;
      xmlNodePtr backend;

      tpm = xmlNewChild (devices, NULL, (const xmlChar *) "tpm", NULL);
      _piso_xml_set_attr (tpm, "model", x86 ? "tpm-crb" : "tpm-tis");
      backend = xmlNewChild (tpm, NULL, (const xmlChar *) "backend", NULL);
      _piso_xml_set_attr (backend, "type", "emulator");
      _piso_xml_set_attr (backend, "version", "2.0");
    }
  else if (!request->tpm && tpm != NULL)
    _piso_xml_remove (tpm);

  return _piso_edit_define (edit, context, error);
}

void
piso_machine_set_firmware_async (PisoMachine         *self,
                                 PisoFirmware         firmware,
                                 gboolean             secure_boot,
                                 gboolean             tpm,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  PisoMachineBoot *boot;
  FirmwareRequest *request;
  GError *error = NULL;

  g_return_if_fail (PISO_IS_MACHINE (self));

  boot = piso_machine_get_boot (self);
  if (secure_boot && firmware != PISO_FIRMWARE_UEFI)
    error = g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                         _("Could not change the firmware of “%s”: Secure Boot needs UEFI."),
                         piso_machine_get_display_name (self));
  else if (tpm && !piso_machine_boot_get_tpm (boot) && !piso_machine_boot_get_tpm_available (boot))
    error = g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED,
                         _("Could not change the firmware of “%s”: an emulated TPM needs swtpm on this computer (the “swtpm” package), and a local connection."),
                         piso_machine_get_display_name (self));
  if (error != NULL)
    {
      _piso_machine_edit_refuse (self, piso_machine_set_firmware_async, error, callback, user_data);
      return;
    }

  request = g_new0 (FirmwareRequest, 1);
  request->firmware = firmware;
  request->secure_boot = secure_boot;
  request->tpm = tpm;
  _piso_machine_run_edit (self, piso_machine_set_firmware_async, op_set_firmware, request, g_free,
                          cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_firmware_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_firmware_async, error);
}
