/* piso-machine-boot.h: how a machine starts: firmware, boot order, boot menu
 *
 * The values are the definition's (they only matter when the machine
 * starts). Main thread; one per machine, from piso_machine_get_boot().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-machine-change.h"

G_BEGIN_DECLS

typedef enum
{
  PISO_FIRMWARE_BIOS,
  PISO_FIRMWARE_UEFI,
} PisoFirmware;

#define PISO_TYPE_MACHINE_BOOT (piso_machine_boot_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineBoot, piso_machine_boot, PISO, MACHINE_BOOT, GObject)

/* Properties (read-only, notify): "firmware", "secure-boot", "tpm",
 * "boot-menu", "arch", "machine-type", "foreign-arch", "tpm-available". */
PisoFirmware  piso_machine_boot_get_firmware      (PisoMachineBoot *self);
gboolean      piso_machine_boot_get_secure_boot   (PisoMachineBoot *self);
/* An emulated TPM (<tpm> with the emulator backend, swtpm). */
gboolean      piso_machine_boot_get_tpm           (PisoMachineBoot *self);
gboolean      piso_machine_boot_get_boot_menu     (PisoMachineBoot *self);
/* The guest architecture ("x86_64", "aarch64"…) and machine type
 * ("pc-q35-7.2"), or NULL. */
const char   *piso_machine_boot_get_arch          (PisoMachineBoot *self);
const char   *piso_machine_boot_get_machine_type  (PisoMachineBoot *self);
/* The guest architecture when it is not the host's (so the machine is
 * emulated whatever the host's acceleration), else NULL. Known once the
 * machine's details were read (piso_machine_refresh_details_async). */
const char   *piso_machine_boot_get_foreign_arch  (PisoMachineBoot *self);
/* Whether an emulated TPM can be added: swtpm is installed on this host
 * and the connection is local (the same check as New Machine's). */
gboolean      piso_machine_boot_get_tpm_available (PisoMachineBoot *self);
/* The boot devices of definitions that use <os><boot dev='…'/> (older
 * ones): "hd", "cdrom", "network", "fd", in order; empty when devices
 * carry their own <boot order> (PisoDisk/PisoNetInterface "boot-order"). */
const char * const *piso_machine_boot_get_boot_devices (PisoMachineBoot *self);

/* The boot order: @devices names disks by target ("vda", "sda") and
 * network interfaces by MAC address, first to boot first; devices not
 * named do not boot. Written as per-device <boot order> (replacing any
 * <os><boot dev>), for the next start (QEMU reads it at start). Unknown
 * names are refused (PISO_BACKEND_ERROR_FAILED) and nothing changes. */
void        piso_machine_set_boot_order_async   (PisoMachine         *self,
                                                 const char * const  *devices,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
PisoChange *piso_machine_set_boot_order_finish  (PisoMachine         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* The firmware's boot menu (<os><bootmenu enable>), from the next start. */
void        piso_machine_set_boot_menu_async    (PisoMachine         *self,
                                                 gboolean             enabled,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
PisoChange *piso_machine_set_boot_menu_finish   (PisoMachine         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* BIOS or UEFI (firmware autoselection; @secure_boot only with UEFI) and an
 * emulated TPM 2.0 (needs tpm-available). Only while the machine is off
 * and has no snapshots (their saved state was made with the old firmware):
 * otherwise PISO_BACKEND_ERROR_INVALID_STATE and nothing changes. UEFI on
 * a host without UEFI firmware for the machine is refused with
 * PISO_BACKEND_ERROR_UNSUPPORTED. */
void        piso_machine_set_firmware_async     (PisoMachine         *self,
                                                 PisoFirmware         firmware,
                                                 gboolean             secure_boot,
                                                 gboolean             tpm,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
PisoChange *piso_machine_set_firmware_finish    (PisoMachine         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
