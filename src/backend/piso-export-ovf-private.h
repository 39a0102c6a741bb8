/* piso-export-ovf-private.h: an OVF descriptor and its .mf manifest read
 * into plain data, an appliance's files in a tar (OVA), shared by
 * PisoExportAppliance and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char    *id;            /* DiskSection's ovf:diskId: "vmdisk1" */
  char    *file;          /* its file (References' href): "disk1.vmdk" */
  guint64  file_size;     /* the file's ovf:size (0 when not said) */
  guint64  capacity;      /* bytes the guest sees */
  char    *format;        /* ovf:format as written (a URL naming vmdk, vhd…) */
  guint64  parent;        /* the controller's InstanceID and the place on it: */
  guint64  address;       /* the machine's order (G_MAXUINT64: not attached) */
} PisoOvfDisk;

typedef struct
{
  char *model;            /* ResourceSubType: "E1000", "VmxNet3"… or NULL */
  char *network;          /* Connection: the network it was on */
} PisoOvfNic;

typedef struct
{
  char      *name;
  char      *os_type;     /* vmw:osType, vbox:OSType or the OS description */
  char      *os_id;       /* libosinfo id mapped from os_type, or NULL */
  gboolean   windows;
  gboolean   uefi;
  gboolean   sound;
  guint      vcpus;
  guint64    memory_kib;
  GPtrArray *disks;       /* PisoOvfDisk, in the order the machine has them */
  GPtrArray *nics;        /* PisoOvfNic */
  GPtrArray *left_out;    /* char*: translated, a device or setting not carried over */
} PisoOvfDescriptor;

void               _piso_ovf_descriptor_free (PisoOvfDescriptor *ovf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoOvfDescriptor, _piso_ovf_descriptor_free)

/* Reads an OVF descriptor (OVF 1.x and 2.0, as VirtualBox and VMware
 * write them): the first virtual system's CPUs, memory, disks (with their
 * files), NICs, operating system and firmware. Fails (translated) on text
 * that is not an OVF envelope, a disk without its file, or a file name
 * that leaves the appliance's folder. */
PisoOvfDescriptor *_piso_ovf_parse           (const char         *data,
                                              gsize               length,
                                              GError            **error);
/* The libosinfo id for a VirtualBox or VMware OS type ("Debian11_64",
 * "debian11_64Guest"), or NULL when Piso does not know it. */
const char        *_piso_ovf_os_id           (const char         *os_type);

/* A .mf manifest: file name -> "SHA1:<hex>" or "SHA256:<hex>" (lower case). */
GHashTable        *_piso_ovf_parse_manifest  (const char         *data,
                                              gsize               length,
                                              GError            **error);

/* One regular file in a tar (ustar, GNU or pax headers). */
typedef struct
{
  char    *name;
  guint64  offset;        /* of its data in the tar */
  guint64  size;
} PisoTarEntry;

void               _piso_tar_entry_free      (PisoTarEntry       *entry);
/* The regular files of the tar @path (PisoTarEntry), in order; fails
 * (translated) on something that is not a tar. */
GPtrArray         *_piso_tar_list            (const char         *path,
                                              GCancellable       *cancellable,
                                              GError            **error);

/* Copies @size bytes at @offset of @src into the new file @dest (NULL:
 * only read), computing the SHA-1 and SHA-256 of what it reads (hex, may
 * be NULL). @progress gets the bytes read so far. @dest is removed on
 * failure or cancel. */
gboolean           _piso_copy_range          (const char         *src,
                                              guint64             offset,
                                              guint64             size,
                                              const char         *dest,
                                              char              **sha1,
                                              char              **sha256,
                                              void              (*progress) (guint64  bytes,
                                                                             gpointer data),
                                              gpointer            data,
                                              GCancellable       *cancellable,
                                              GError            **error);

/* Unpacks the tar @path's regular files whose names are plain (no folder,
 * not hidden) into the existing folder @dir; fails (translated) on any
 * other name, as a bundle has none. */
gboolean           _piso_tar_unpack          (const char         *path,
                                              const char         *dir,
                                              GCancellable       *cancellable,
                                              GError            **error);
/* Writes the files @names of the folder @dir, in order, as the new tar
 * @dest (ustar; base-256 sizes past 8 GiB); @dest is removed on failure. */
gboolean           _piso_tar_pack            (const char         *dir,
                                              const char * const *names,
                                              const char         *dest,
                                              GCancellable       *cancellable,
                                              GError            **error);
/* A private folder "<prefix>-XXXXXX" in Piso's cache, and its removal with
 * the files in it (it has no subfolders). */
char              *_piso_make_cache_dir      (const char         *prefix,
                                              GError            **error);
void               _piso_remove_flat_dir     (const char         *dir);

G_END_DECLS
