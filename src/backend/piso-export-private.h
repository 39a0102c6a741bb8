/* piso-export-private.h: the bundle's manifest and definition, shared by
 * the exporter, the bundle reader and tests
 *
 * A bundle is a folder:
 *   manifest.ini     what the machine is, every file with its SHA-256
 *   domain.xml       the inactive, migratable definition without anything
 *                    that belongs to the host it came from
 *   disk-<dev>.qcow2 each disk, flattened and compressed
 *   nvram.<ext>      the UEFI variables, when the machine has them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"
#include "piso-export-bundle.h"
#include "piso-exporter.h"

G_BEGIN_DECLS

#define PISO_EXPORT_FORMAT_VERSION 1
#define PISO_EXPORT_MANIFEST       "manifest.ini"
#define PISO_EXPORT_DOMAIN         "domain.xml"

typedef struct
{
  /* in the manifest */
  char     *target;        /* "vda" */
  char     *role;          /* "system" (the first disk), "data" */
  char     *bus;           /* "virtio", "sata"… */
  char     *file;          /* "disk-vda.qcow2", in the bundle */
  char     *format;        /* of the file: "qcow2" */
  guint64   virtual_size;  /* bytes the guest sees */
  guint64   size;          /* bytes of the file */
  char     *sha256;
  gboolean  read_only;

  /* where it comes from (export only) */
  char     *source_type;   /* "file", "block", "volume" */
  char     *source_path;   /* file, device or volume name */
  char     *source_pool;   /* type='volume' */
  char     *source_format; /* "qcow2", "raw" */
} PisoExportDisk;

typedef struct
{
  char *model;             /* "virtio", "e1000e" */
  char *kind;              /* "network", "bridge", "user", "direct"… */
  char *source;            /* the network or bridge it was on, or NULL */
  char *mac;               /* its MAC address (for a move), or NULL */
} PisoExportNic;

typedef struct
{
  guint      format_version;
  char      *piso_version;
  char      *name;
  /* The machine's UUID: only a move keeps it (and the NICs' MACs); the
   * definition has neither */
  char      *uuid;
  char      *title;
  char      *description;
  char      *os_id;          /* libosinfo's id, or NULL */
  char      *arch;
  char      *machine_type;
  char      *domain_type;    /* "kvm", "qemu" */
  gboolean   uefi;
  gboolean   secure_boot;
  gboolean   tpm;
  guint      vcpus;
  guint64    memory_kib;
  char      *domain_sha256;
  char      *nvram_file;     /* "nvram.fd", or NULL */
  char      *nvram_format;
  char      *nvram_sha256;
  guint64    nvram_size;
  char      *nvram_source;   /* export only: the host's file */
  GPtrArray *disks;          /* PisoExportDisk */
  GPtrArray *nics;           /* PisoExportNic */
  GPtrArray *notes;          /* char*: translated, what the bundle leaves out */
} PisoExportManifest;

void                _piso_export_manifest_free  (PisoExportManifest  *manifest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoExportManifest, _piso_export_manifest_free)

/* What an export of the definition @xml (inactive, migratable) holds:
 * every disk with media that is not a CD or floppy, the NICs, the firmware
 * variables; notes for what is left out. Refuses (translated @error) a
 * disk Piso cannot read through libvirt (a network disk). Checksums and
 * sizes are filled in by the export. */
PisoExportManifest *_piso_export_manifest_new   (const char          *xml,
                                                 GError             **error);
/* The definition as written to the bundle: no UUID (also in SMBIOS), MAC
 * address, generation ID, emulator, security label, graphics port, agent
 * socket or log path of the host; firmware autoselected (UEFI with its
 * Secure Boot choice, or BIOS); each exported disk a file of the bundle
 * (its name, relative), CD and floppy media ejected. */
char               *_piso_export_scrub_xml      (const char          *xml,
                                                 const PisoExportManifest *manifest,
                                                 GError             **error);
/* The manifest as text (a GKeyFile), and back; parsing checks the format
 * version and that every file name stays inside the bundle. */
char               *_piso_export_manifest_to_data (const PisoExportManifest *manifest,
                                                   gsize               *length);
PisoExportManifest *_piso_export_manifest_parse (const char          *data,
                                                 gsize                length,
                                                 GError             **error);
/* Whether the manifest says what its definition @xml says (name, vCPUs,
 * memory, firmware, disks): a manifest edited by hand fails, with
 * @error naming the first difference. */
gboolean            _piso_export_manifest_matches (const PisoExportManifest *manifest,
                                                   const char          *xml,
                                                   GError             **error);
/* The bundle's definition @xml for the importing host: named @name, of
 * @virt_type ("kvm", "qemu"; NULL keeps it), each disk the volume of @pool
 * that @volumes maps its bundle file name to, the UEFI variables at
 * @nvram_path (or NULL) in @nvram_format ("raw", "qcow2"). libvirt gives
 * it a new UUID and MAC addresses. */
char               *_piso_export_import_xml     (const char          *xml,
                                                 const char          *name,
                                                 const char          *virt_type,
                                                 const char          *pool,
                                                 GHashTable          *volumes,
                                                 const char          *nvram_path,
                                                 const char          *nvram_format,
                                                 GError             **error);
/* How the exporter learns the free bytes of the file system holding
 * @folder: FALSE when it cannot tell (then it does not check). Tests set
 * their own (NULL: the file system's, through GIO). */
typedef gboolean (*PisoFreeSpaceFunc) (const char *folder,
                                       guint64    *free_bytes);
void                _piso_exporter_set_free_space_func (PisoFreeSpaceFunc func);

/* @xml (a definition) with @manifest's UUID and MAC addresses (a move) */
char               *_piso_export_keep_identity  (const char          *xml,
                                                 const PisoExportManifest *manifest,
                                                 GError             **error);
/* @xml (a definition) with the network cards on each virtual network that
 * @networks maps (bundle network -> this host's network, "" for user-mode
 * networking) moved there. A card on a network @networks lacks fails. */
char               *_piso_export_map_networks   (const char          *xml,
                                                 GHashTable          *networks,
                                                 GError             **error);
/* The SHA-256 of @path (hex); @progress gets the bytes read so far
 * (may be NULL). */
char               *_piso_export_file_sha256    (const char          *path,
                                                 void               (*progress) (guint64  bytes,
                                                                                 gpointer data),
                                                 gpointer             data,
                                                 GCancellable        *cancellable,
                                                 GError             **error);

/* A loaded bundle's manifest (NULL before), and its folder. */
const PisoExportManifest *_piso_export_bundle_get_manifest (PisoExportBundle *bundle);

/* Where a loaded bundle's files are: its folder, or the folder a .tar
 * bundle was unpacked into. */
const char               *_piso_export_bundle_get_folder   (PisoExportBundle *bundle);

/* Whether the exporter reads disks through the connection even when it is
 * local (as for a remote host): for tests of that path. */
void                      _piso_exporter_set_download_only (PisoExporter     *self,
                                                            gboolean          download_only);

G_END_DECLS
