/* piso-export-appliance.h: an appliance exported by VirtualBox or VMware
 * (OVA, or OVF with its files), read, checked and converted for import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-install-plan.h"

G_BEGIN_DECLS

#define PISO_TYPE_EXPORT_APPLIANCE (piso_export_appliance_get_type ())

G_DECLARE_FINAL_TYPE (PisoExportAppliance, piso_export_appliance, PISO, EXPORT_APPLIANCE, GObject)

/* The appliance at @path: an .ova (a tar) or an .ovf descriptor next to
 * its disk files (and .mf manifest). */
PisoExportAppliance *piso_export_appliance_new             (const char            *path);
const char          *piso_export_appliance_get_path        (PisoExportAppliance   *self);

/* Reads the descriptor, checks every file against the .mf manifest's
 * SHA-1 or SHA-256 digest (when the appliance has one: a mismatch fails
 * before any disk is converted) and converts every disk (VMDK, VHD, VDI…)
 * to a qcow2 image in a private folder of Piso's cache, which lives as
 * long as this object (a PisoCreator copies the images into a pool).
 * Runs in a worker thread; a failure or cancel leaves nothing behind.
 * Progress: bytes-done of bytes-total (each disk's file read, then
 * converted). */
void                 piso_export_appliance_load_async      (PisoExportAppliance   *self,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
gboolean             piso_export_appliance_load_finish     (PisoExportAppliance   *self,
                                                            GAsyncResult          *result,
                                                            GError               **error);
guint64              piso_export_appliance_get_bytes_done  (PisoExportAppliance   *self);
guint64              piso_export_appliance_get_bytes_total (PisoExportAppliance   *self);

/* Once loaded: what the descriptor says. The OS type is VirtualBox's or
 * VMware's ("Debian11_64"); the OS id libosinfo's, NULL when unknown. */
const char          *piso_export_appliance_get_name        (PisoExportAppliance   *self);
const char          *piso_export_appliance_get_os_type     (PisoExportAppliance   *self);
const char          *piso_export_appliance_get_os_id       (PisoExportAppliance   *self);
gboolean             piso_export_appliance_get_windows     (PisoExportAppliance   *self);
gboolean             piso_export_appliance_get_uefi        (PisoExportAppliance   *self);
guint                piso_export_appliance_get_vcpus       (PisoExportAppliance   *self);
guint64              piso_export_appliance_get_memory_kib  (PisoExportAppliance   *self);
guint                piso_export_appliance_get_n_nics      (PisoExportAppliance   *self);
/* The converted disks, in the machine's order (qcow2 files), and the
 * bytes each one's guest sees. */
const char * const  *piso_export_appliance_get_disks       (PisoExportAppliance   *self);
guint64              piso_export_appliance_get_disk_capacity (PisoExportAppliance *self,
                                                              guint                index);
/* Translated lines for the user: what was not carried over (devices,
 * VMware settings, more than one NIC), that the appliance had no
 * manifest to check, and for Windows that virtio drivers may be needed
 * (virt-v2v converts fully). */
const char * const  *piso_export_appliance_get_notes       (PisoExportAppliance   *self);

/* A New Machine plan with the appliance's values filled in: an import of
 * its first disk with the others as extra disks, its name (made unique on
 * @connection), OS (@catalog's entry, else a generic OS), vCPUs, memory,
 * firmware (UEFI when the appliance had it and @host offers it), a sound
 * card only if it had one, no network when it had no NIC. Devices follow
 * the OS as in the assistant, except that a Windows guest keeps SATA disks
 * and an e1000e NIC (it has no virtio drivers yet). @catalog must be
 * loaded; @host may be NULL. Main thread. */
PisoInstallPlan     *piso_export_appliance_build_plan      (PisoExportAppliance   *self,
                                                            PisoConnection        *connection,
                                                            PisoOsCatalog         *catalog,
                                                            PisoHostInfo          *host);

G_END_DECLS
