/* piso-os-catalog.h: libosinfo's full database for creating machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list of machines only needs OS names (PisoOsDb, a fast reader). Creating
 * a machine needs the rest: media identification, resources, devices and
 * firmware. PisoOsCatalog loads libosinfo's whole database once, in a worker
 * thread, the first time it is asked for. Main thread API unless noted.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What an OS's drivers support, from libosinfo's device links. */
typedef enum /*< flags >*/
{
  PISO_OS_DEVICE_NONE          = 0,
  PISO_OS_DEVICE_VIRTIO_BLOCK  = 1 << 0,  /* virtio-blk disk */
  PISO_OS_DEVICE_VIRTIO_NET    = 1 << 1,
  PISO_OS_DEVICE_VIRTIO_GPU    = 1 << 2,  /* virtio video */
  PISO_OS_DEVICE_QXL           = 1 << 3,
  PISO_OS_DEVICE_E1000E        = 1 << 4,
  PISO_OS_DEVICE_E1000         = 1 << 5,
  PISO_OS_DEVICE_VIRTIO_RNG    = 1 << 6,
  PISO_OS_DEVICE_USB_TABLET    = 1 << 7,
  PISO_OS_DEVICE_ICH9_SOUND    = 1 << 8,  /* ich9-hda */
  PISO_OS_DEVICE_Q35           = 1 << 9,  /* the q35 chipset (AHCI/SATA, PCIe) */
} PisoOsDeviceFlags;

typedef enum
{
  PISO_OS_FIRMWARE_UNKNOWN,       /* the database says nothing: BIOS is the safe choice */
  PISO_OS_FIRMWARE_BIOS_ONLY,     /* UEFI not supported */
  PISO_OS_FIRMWARE_EFI_SUPPORTED, /* both work; UEFI preferred */
  PISO_OS_FIRMWARE_EFI_REQUIRED,  /* BIOS not supported (e.g. Windows 11) */
} PisoOsFirmware;

/* Resources from the OS database; 0 means "not known". */
typedef struct
{
  guint64 memory;   /* KiB */
  guint   vcpus;
  guint64 storage;  /* bytes */
} PisoOsResources;

/* --- PisoOsEntry: one operating system, an item of the catalog's list --- */

#define PISO_TYPE_OS_ENTRY (piso_os_entry_get_type ())

G_DECLARE_FINAL_TYPE (PisoOsEntry, piso_os_entry, PISO, OS_ENTRY, GObject)

/* Properties (read-only, construct-only): id, short-id, name, vendor, family,
 * distro, version, release-date, eol, logo-url, search-key. */
const char *piso_os_entry_get_id           (PisoOsEntry *self); /* "http://debian.org/debian/12" */
const char *piso_os_entry_get_short_id     (PisoOsEntry *self); /* "debian12" */
const char *piso_os_entry_get_name         (PisoOsEntry *self); /* "Debian 12" */
const char *piso_os_entry_get_vendor       (PisoOsEntry *self); /* "Debian Project" or NULL */
const char *piso_os_entry_get_family       (PisoOsEntry *self); /* "linux", "winnt" … or NULL */
const char *piso_os_entry_get_distro       (PisoOsEntry *self); /* "debian", "win" … or NULL */
const char *piso_os_entry_get_version      (PisoOsEntry *self); /* "12" or NULL */
const char *piso_os_entry_get_release_date (PisoOsEntry *self); /* "2023-06-10" or NULL */
/* TRUE when the vendor no longer supports it (eol-date in the past); lists
 * hide these by default. */
gboolean    piso_os_entry_get_eol          (PisoOsEntry *self);
/* The logo's http(s) URL if the database has one, else NULL. */
const char *piso_os_entry_get_logo_url     (PisoOsEntry *self);
/* Lower-case "name short-id vendor" for a search filter. */
const char *piso_os_entry_get_search_key   (PisoOsEntry *self);

/* --- PisoOsCatalog --- */

#define PISO_TYPE_OS_CATALOG (piso_os_catalog_get_type ())

G_DECLARE_FINAL_TYPE (PisoOsCatalog, piso_os_catalog, PISO, OS_CATALOG, GObject)

/* The shared catalog (not loaded until asked). */
PisoOsCatalog    *piso_os_catalog_get_default          (void);
/* A catalog over libosinfo's database at @system_dir only (tests); NULL: default paths. */
PisoOsCatalog    *piso_os_catalog_new                  (const char           *system_dir);

/* Property "loaded" (bool, notify). */
gboolean          piso_os_catalog_is_loaded            (PisoOsCatalog        *self);
/* Loads the database in a worker thread (once; later calls wait for or reuse it). */
void              piso_os_catalog_load_async           (PisoOsCatalog        *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean          piso_os_catalog_load_finish          (PisoOsCatalog        *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Property "oses": a GListModel of PisoOsEntry, newest releases of each
 * family first, sorted by name otherwise; empty until loaded. Includes
 * end-of-life entries (flagged by "eol"). */
GListModel       *piso_os_catalog_get_oses             (PisoOsCatalog        *self);
/* The entry for a libosinfo id or NULL (transfer none). */
PisoOsEntry      *piso_os_catalog_lookup               (PisoOsCatalog        *self,
                                                        const char           *os_id);

/* Identifies installer media (ISO/IMG) from its volume descriptor with
 * libosinfo; loads the catalog first if needed. Reading the file happens in a
 * worker thread. _finish returns the entry (transfer full), or NULL without
 * error when the media is readable but not recognised; G_IO_ERROR errors when
 * it cannot be read, with a translated message. */
void              piso_os_catalog_identify_media_async (PisoOsCatalog        *self,
                                                        GFile                *media,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
PisoOsEntry      *piso_os_catalog_identify_media_finish(PisoOsCatalog        *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Minimum and recommended resources for @os_id on @arch ("x86_64"; NULL = any),
 * following the OS's derives-from chain. Fields the database lacks stay 0.
 * Returns FALSE when the catalog is not loaded or the OS unknown. */
gboolean          piso_os_catalog_get_resources        (PisoOsCatalog        *self,
                                                        const char           *os_id,
                                                        const char           *arch,
                                                        PisoOsResources      *minimum,
                                                        PisoOsResources      *recommended);
/* The most the OS supports ("maximum resources": memory, vCPUs) for @arch,
 * following derives-from; fields it does not limit stay 0. FALSE when the
 * catalog is not loaded or the OS unknown. */
gboolean          piso_os_catalog_get_maximum          (PisoOsCatalog        *self,
                                                        const char           *os_id,
                                                        const char           *arch,
                                                        PisoOsResources      *maximum);
/* How the OS's installer media for @arch behave: the number of times the
 * installer reboots before the installed system runs (at least 1; Windows
 * needs its media for 2) and whether the media can be ejected once the
 * install is done. An unknown OS gets 1 and TRUE. */
void              piso_os_catalog_get_installer        (PisoOsCatalog        *self,
                                                        const char           *os_id,
                                                        const char           *arch,
                                                        guint                *reboots,
                                                        gboolean             *eject);
/* Devices the OS supports out of the box (NONE for unknown or NULL @os_id). */
PisoOsDeviceFlags piso_os_catalog_get_devices          (PisoOsCatalog        *self,
                                                        const char           *os_id);
/* UEFI/BIOS support for @os_id on @arch. */
PisoOsFirmware    piso_os_catalog_get_firmware         (PisoOsCatalog        *self,
                                                        const char           *os_id,
                                                        const char           *arch);

G_END_DECLS
