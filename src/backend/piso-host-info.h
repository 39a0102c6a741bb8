/* piso-host-info.h: facts about a connection's host, in plain words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

#define PISO_TYPE_HOST_INFO (piso_host_info_get_type ())

G_DECLARE_FINAL_TYPE (PisoHostInfo, piso_host_info, PISO, HOST_INFO, GObject)

const char       *piso_host_info_get_hostname           (PisoHostInfo *self);
/* "QEMU", "Test" … and "7.2.0" */
const char       *piso_host_info_get_hypervisor         (PisoHostInfo *self);
const char       *piso_host_info_get_hypervisor_version (PisoHostInfo *self);
const char       *piso_host_info_get_libvirt_version    (PisoHostInfo *self);
const char       *piso_host_info_get_cpu_model          (PisoHostInfo *self);
const char       *piso_host_info_get_arch               (PisoHostInfo *self);
guint             piso_host_info_get_cpus               (PisoHostInfo *self); /* logical */
guint             piso_host_info_get_sockets            (PisoHostInfo *self);
guint             piso_host_info_get_cores              (PisoHostInfo *self); /* per socket */
guint             piso_host_info_get_threads            (PisoHostInfo *self); /* per core */
guint             piso_host_info_get_mhz                (PisoHostInfo *self);
guint64           piso_host_info_get_memory             (PisoHostInfo *self); /* KiB */
PisoAcceleration  piso_host_info_get_acceleration       (PisoHostInfo *self);
/* A translated sentence that says what the acceleration state means for
 * the user ("Machines run with hardware acceleration (KVM)." / "…emulated,
 * which is much slower…") */
const char       *piso_host_info_get_acceleration_text  (PisoHostInfo *self);

/* The acceleration check for this host, for local connections:
 * /dev/kvm must exist and kvm_intel or kvm_amd be loaded (kvm_pvm and other
 * providers do not count). @sysfs_root and @dev_root default to "/" and
 * exist for tests. */
PisoAcceleration  piso_host_detect_local_acceleration   (const char   *sysfs_root,
                                                         const char   *dev_root);

G_END_DECLS
