/* piso-install-plan.h: the description of a machine to create
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PisoInstallPlan holds every choice of the New Machine assistant and turns
 * them into libvirt domain XML. It has no side effects on libvirt: creating
 * the machine is PisoCreator's job. Main thread only.
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-os-catalog.h"

G_BEGIN_DECLS

typedef enum
{
  PISO_INSTALL_SOURCE_MEDIA,   /* installer ISO/IMG (source-path) */
  PISO_INSTALL_SOURCE_IMPORT,  /* existing disk image (source-path) */
  PISO_INSTALL_SOURCE_URL,     /* download (source-url → source-path once done) */
  PISO_INSTALL_SOURCE_EMPTY,   /* nothing to boot yet */
} PisoInstallSourceKind;

typedef enum
{
  PISO_INSTALL_FIRMWARE_BIOS,
  PISO_INSTALL_FIRMWARE_UEFI,
} PisoInstallFirmware;

typedef enum
{
  PISO_INSTALL_NETWORK_NAT_DEFAULT,  /* libvirt network "default" */
  PISO_INSTALL_NETWORK_USER,         /* user-mode networking (session connections) */
  PISO_INSTALL_NETWORK_NONE,
} PisoInstallNetwork;

typedef enum
{
  PISO_INSTALL_DISK_BUS_VIRTIO,
  PISO_INSTALL_DISK_BUS_SATA,
  PISO_INSTALL_DISK_BUS_IDE,     /* only with the "pc" machine (old OSes without AHCI) */
} PisoInstallDiskBus;

typedef enum
{
  PISO_INSTALL_MACHINE_Q35,      /* default */
  PISO_INSTALL_MACHINE_PC,       /* i440fx, for OSes older than q35 (Windows XP …) */
} PisoInstallMachineType;

typedef enum
{
  PISO_INSTALL_NET_MODEL_VIRTIO,
  PISO_INSTALL_NET_MODEL_E1000E,
  PISO_INSTALL_NET_MODEL_E1000,
} PisoInstallNetModel;

typedef enum
{
  PISO_INSTALL_VIDEO_VIRTIO,
  PISO_INSTALL_VIDEO_QXL,
} PisoInstallVideoModel;

typedef enum
{
  PISO_INSTALL_GRAPHICS_LISTEN_NONE,       /* no TCP port at all (local connections) */
  PISO_INSTALL_GRAPHICS_LISTEN_LOCALHOST,  /* TCP on 127.0.0.1 only (remote: tunnelled) */
} PisoInstallGraphicsListen;

/* Filled by PisoCreator for build_xml; NULL fields are left out. */
typedef struct
{
  const char *disk_path;    /* the machine's disk (new volume or imported image) */
  const char *disk_format;  /* "qcow2", "raw" … (NULL: qcow2) */
  const char *media_path;   /* installer ISO/IMG attached as CD-ROM */
  const char * const *extra_disk_paths; /* qcow2 disks after the first, NULL-terminated */
} PisoInstallStorage;

/* One line of the review page. @field names the plan property that
 * "Customize" changes ("name", "os-id", "vcpus", "memory", "disk-size",
 * "firmware", "network"), or NULL. */
typedef struct
{
  char *label;  /* translated: "Memory" */
  char *value;  /* translated: "4 GiB" */
  char *field;
} PisoInstallSummaryItem;

void piso_install_summary_item_free (PisoInstallSummaryItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoInstallSummaryItem, piso_install_summary_item_free)

#define PISO_TYPE_INSTALL_PLAN (piso_install_plan_get_type ())

G_DECLARE_FINAL_TYPE (PisoInstallPlan, piso_install_plan, PISO, INSTALL_PLAN, GObject)

/* @connection (may be NULL) gives the defaults that depend on it: graphics
 * listening (none for local, 127.0.0.1 for remote), network (user-mode for
 * session URIs, else NAT "default") and name uniqueness. */
PisoInstallPlan          *piso_install_plan_new                (PisoConnection        *connection);
PisoConnection           *piso_install_plan_get_connection     (PisoInstallPlan       *self);

/* Properties, all read-write with notify on change unless noted. */
PisoInstallSourceKind     piso_install_plan_get_source_kind    (PisoInstallPlan       *self);
void                      piso_install_plan_set_source_kind    (PisoInstallPlan       *self,
                                                                PisoInstallSourceKind  kind);
const char               *piso_install_plan_get_source_path    (PisoInstallPlan       *self);
void                      piso_install_plan_set_source_path    (PisoInstallPlan       *self,
                                                                const char            *path);
const char               *piso_install_plan_get_source_url     (PisoInstallPlan       *self);
void                      piso_install_plan_set_source_url     (PisoInstallPlan       *self,
                                                                const char            *url);
gboolean                  piso_install_plan_get_import_in_place(PisoInstallPlan       *self);
void                      piso_install_plan_set_import_in_place(PisoInstallPlan       *self,
                                                                gboolean               in_place);

/* Import only: further qcow2 images (NULL-terminated; NULL for none) that
 * the creator copies into the pool and attaches after the first disk, in
 * order, on the same bus (an appliance's data disks). Not a property. */
const char * const       *piso_install_plan_get_extra_disks    (PisoInstallPlan       *self);
void                      piso_install_plan_set_extra_disks    (PisoInstallPlan       *self,
                                                                const char * const    *paths);

/* "os-id" (NULL = generic OS) and "os-name" (display; "Unknown OS" when NULL). */
const char               *piso_install_plan_get_os_id          (PisoInstallPlan       *self);
const char               *piso_install_plan_get_os_name        (PisoInstallPlan       *self);
/* Sets both; use apply_os to also update resources and devices. */
void                      piso_install_plan_set_os             (PisoInstallPlan       *self,
                                                                const char            *os_id,
                                                                const char            *os_name);

/* "name": the machine name. Until set explicitly, apply_os fills it with a
 * unique suggestion ("debian12", "debian12-2" …). */
const char               *piso_install_plan_get_name           (PisoInstallPlan       *self);
void                      piso_install_plan_set_name           (PisoInstallPlan       *self,
                                                                const char            *name);
guint                     piso_install_plan_get_vcpus          (PisoInstallPlan       *self);
void                      piso_install_plan_set_vcpus          (PisoInstallPlan       *self,
                                                                guint                  vcpus);
guint64                   piso_install_plan_get_memory         (PisoInstallPlan       *self); /* KiB */
void                      piso_install_plan_set_memory         (PisoInstallPlan       *self,
                                                                guint64                memory_kib);
guint64                   piso_install_plan_get_disk_size      (PisoInstallPlan       *self); /* bytes; 0 = no new disk */
void                      piso_install_plan_set_disk_size      (PisoInstallPlan       *self,
                                                                guint64                bytes);

PisoInstallFirmware       piso_install_plan_get_firmware       (PisoInstallPlan       *self);
void                      piso_install_plan_set_firmware       (PisoInstallPlan       *self,
                                                                PisoInstallFirmware    firmware);
/* "tpm": an emulated TPM 2.0 (UEFI only; needs swtpm on the host). */
gboolean                  piso_install_plan_get_tpm            (PisoInstallPlan       *self);
void                      piso_install_plan_set_tpm            (PisoInstallPlan       *self,
                                                                gboolean               tpm);
PisoInstallNetwork        piso_install_plan_get_network        (PisoInstallPlan       *self);
void                      piso_install_plan_set_network        (PisoInstallPlan       *self,
                                                                PisoInstallNetwork     network);

/* Devices: "machine-type", "disk-bus", "net-model", "video-model", "graphics-listen" (enums);
 * "graphics", "agent-channel", "usb-redirection", "tablet", "sound", "rng"
 * (booleans, TRUE by default). Set through g_object_set or these. */
PisoInstallMachineType    piso_install_plan_get_machine_type   (PisoInstallPlan       *self);
PisoInstallDiskBus        piso_install_plan_get_disk_bus       (PisoInstallPlan       *self);
PisoInstallNetModel       piso_install_plan_get_net_model      (PisoInstallPlan       *self);
PisoInstallVideoModel     piso_install_plan_get_video_model    (PisoInstallPlan       *self);
PisoInstallGraphicsListen piso_install_plan_get_graphics_listen(PisoInstallPlan       *self);

/* "domain-type" (string): "kvm" when the host has usable KVM (then the CPU
 * is host-passthrough), "qemu" otherwise, "test" on libvirt's test driver;
 * set by apply_os from the host. */
const char               *piso_install_plan_get_domain_type    (PisoInstallPlan       *self);
/* "arch" (string, default "x86_64"): guest architecture, from the host. */
const char               *piso_install_plan_get_arch           (PisoInstallPlan       *self);

/* Read-only figures for the resources page (0 = unknown/unlimited):
 * "min-memory", "recommended-memory", "max-memory" (KiB), "min-vcpus",
 * "recommended-vcpus", "max-vcpus", "min-disk-size", "recommended-disk-size",
 * "max-disk-size" (bytes: the free space given below). */
void                      piso_install_plan_get_limits         (PisoInstallPlan       *self,
                                                                PisoOsResources       *minimum,
                                                                PisoOsResources       *recommended,
                                                                PisoOsResources       *maximum);
/* "free-space" (bytes, 0 = unknown): free space in the pool, caps disk-size. */
void                      piso_install_plan_set_free_space     (PisoInstallPlan       *self,
                                                                guint64                bytes);
/* "uefi-required" (read-only): the OS does not boot with BIOS. */
gboolean                  piso_install_plan_get_uefi_required  (PisoInstallPlan       *self);
/* "uefi-available" (read-write, default TRUE): the host has UEFI firmware
 * for guests (the creator may clear it from libvirt's domain capabilities);
 * apply_os only prefers UEFI when it is TRUE. */
gboolean                  piso_install_plan_get_uefi_available (PisoInstallPlan       *self);
void                      piso_install_plan_set_uefi_available (PisoInstallPlan       *self,
                                                                gboolean               available);
/* "tpm-available" (read-only): swtpm was found in PATH. */
gboolean                  piso_install_plan_get_tpm_available  (PisoInstallPlan       *self);
/* "warning" (read-only, translated): set while memory, vCPUs or disk are
 * below the OS's minimum, or the host had less than recommended; else NULL. */
const char               *piso_install_plan_get_warning        (PisoInstallPlan       *self);

/* Sets resources (recommended, capped by host memory/CPUs and free space),
 * devices (virtio where the OS supports it, else SATA/e1000/QXL; the "pc"
 * machine with IDE for OSes that predate q35 and virtio), firmware
 * (UEFI when the OS needs or prefers it; TPM when also swtpm is in PATH),
 * "domain-type"/"arch" from @host, and a suggested name unless one was set.
 * @catalog must be loaded; @host may be NULL (no caps, qemu type). */
void                      piso_install_plan_apply_os           (PisoInstallPlan       *self,
                                                                PisoOsCatalog         *catalog,
                                                                PisoHostInfo          *host);

/* A name not used on the plan's connection, from the OS short id
 * ("debian12", "debian12-2" …; "machine" for a generic OS). */
char                     *piso_install_plan_suggest_name       (PisoInstallPlan       *self);

/* Checks a machine name: characters libvirt accepts (not empty, no "/",
 * no leading ".", at most 100 characters …) and, with @connection, not
 * already used there. PISO_BACKEND_ERROR_INVALID_NAME with a translated
 * message saying what to change. */
gboolean                  piso_install_validate_name           (const char            *name,
                                                                PisoConnection        *connection,
                                                                GError               **error);

/* The complete domain XML for the plan and @storage (may be NULL: no disk,
 * no media). Fails with INVALID_NAME or FAILED (translated) when the plan is
 * incomplete (no name, media kind without media path …). Installer media
 * with a disk make an install run, finished by Piso when the installer
 * restarts the machine (piso-machine-install.h). Linux guests with a balloon
 * get room to grow while running: <memory> up to twice the memory and <vcpu>
 * up to the host's CPUs (both within the host's and the OS's limits), the
 * current values being the plan's. */
char                     *piso_install_plan_build_xml          (PisoInstallPlan       *self,
                                                                const PisoInstallStorage *storage,
                                                                GError               **error);

/* The review page's summary: a GPtrArray of PisoInstallSummaryItem
 * (name, OS, CPU, memory, disk, firmware, network, source). */
GPtrArray                *piso_install_plan_describe           (PisoInstallPlan       *self);

G_END_DECLS
