/* piso-machine-devices.h: adding, removing and changing disks, CDs and
 * network interfaces
 *
 * Each call changes the definition first (so the change stays), then the
 * running machine where libvirt can do it live; the PisoChange says where
 * it took effect and, when the running machine could not take it, why
 * (it then applies at the next start). A refused change leaves the
 * definition as it was. Removals from a running machine wait for libvirt's
 * DEVICE_REMOVED event (or DEVICE_REMOVAL_FAILED) before they report.
 * Disks are named by their target ("vda", "sda"), interfaces by their MAC.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-machine-change.h"

G_BEGIN_DECLS

/* ---- disks ---- */

/* The disk with target @target in piso_machine_get_disks(), or NULL
 * (transfer none). */
PisoDisk   *piso_machine_find_disk               (PisoMachine         *self,
                                                  const char          *target);

/* A new, empty qcow2 volume of @capacity bytes in @pool (NULL: "default"),
 * named after the machine ("web-2.qcow2"), attached on @bus ("virtio",
 * "sata", "scsi", "ide"; NULL: what New Machine would choose for the
 * machine's operating system, or its first disk's bus for an unknown OS).
 * The pool must have the space. When the definition refuses the disk, the
 * new volume is removed again. _finish sets @target to the new disk's
 * target ("vdb") when not NULL. */
void        piso_machine_add_new_disk_async      (PisoMachine         *self,
                                                  const char          *pool,
                                                  guint64              capacity,
                                                  const char          *bus,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PisoChange *piso_machine_add_new_disk_finish     (PisoMachine         *self,
                                                  GAsyncResult        *result,
                                                  char               **target,
                                                  GError             **error);
/* An existing image at @path (a file on the machine's host; its format is
 * read from the storage pool or the file) as a disk, or with @cdrom as a
 * new CD/DVD drive holding it (@path may then be NULL: an empty drive). A
 * writable disk that another machine of the connection uses is refused
 * (PISO_BACKEND_ERROR_DISK_IN_USE); a missing file too. */
void        piso_machine_add_existing_disk_async (PisoMachine         *self,
                                                  const char          *path,
                                                  gboolean             cdrom,
                                                  const char          *bus,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PisoChange *piso_machine_add_existing_disk_finish(PisoMachine         *self,
                                                  GAsyncResult        *result,
                                                  char               **target,
                                                  GError             **error);
/* Removes disk @target. The file stays unless @delete_storage, and then
 * only when it is a storage volume that no other machine of the connection
 * uses (else PISO_BACKEND_ERROR_NOT_A_VOLUME / _DISK_IN_USE and nothing
 * changes), and only once the running machine has let the disk go: when it
 * keeps it until it restarts, the file is kept and the PisoChange says so. */
void        piso_machine_remove_disk_async       (PisoMachine         *self,
                                                  const char          *target,
                                                  gboolean             delete_storage,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PisoChange *piso_machine_remove_disk_finish      (PisoMachine         *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Grows disk @target to @capacity bytes: the running machine's disk
 * (virDomainBlockResize, the guest sees the new size at once) or, while
 * off, its storage volume. Never shrinks: a @capacity not above the
 * current size is refused (PISO_BACKEND_ERROR_FAILED), as is a disk of
 * another machine too (a shared disk) or a CD. The guest's partitions and
 * file systems stay as they were: grow them inside the guest. */
void        piso_machine_grow_disk_async         (PisoMachine         *self,
                                                  const char          *target,
                                                  guint64              capacity,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PisoChange *piso_machine_grow_disk_finish        (PisoMachine         *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Puts the disc image @path in CD/DVD drive @target (replacing the one in
 * it), or ejects it when @path is NULL. On a running machine the drive's
 * tray is handled as QEMU requires (on libvirt 9.0 a change fails with
 * "tray is not open": Piso ejects, waits for the tray, then inserts). A
 * guest that locks its tray refuses: the change then applies at next start
 * and the PisoChange has force-possible; @force ejects regardless of the
 * lock (VIR_DOMAIN_DEVICE_MODIFY_FORCE). */
void        piso_machine_set_cd_media_async      (PisoMachine         *self,
                                                  const char          *target,
                                                  const char          *path,
                                                  gboolean             force,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PisoChange *piso_machine_set_cd_media_finish     (PisoMachine         *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* ---- network interfaces ---- */

typedef enum
{
  PISO_NET_SOURCE_NETWORK,   /* a libvirt virtual network, by name */
  PISO_NET_SOURCE_BRIDGE,    /* a host bridge, by name */
} PisoNetSourceKind;

/* The interface with MAC address @mac (any case) in
 * piso_machine_get_interfaces(), or NULL (transfer none). */
PisoNetInterface *piso_machine_find_interface    (PisoMachine         *self,
                                                  const char          *mac);

/* A new interface on network or bridge @source, with the model New Machine
 * would choose for the machine's OS (NULL @model) and a new MAC address
 * (libvirt's). _finish sets @mac to it when not NULL. */
void        piso_machine_add_interface_async     (PisoMachine         *self,
                                                  PisoNetSourceKind    kind,
                                                  const char          *source,
                                                  const char          *model,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PisoChange *piso_machine_add_interface_finish    (PisoMachine         *self,
                                                  GAsyncResult        *result,
                                                  char               **mac,
                                                  GError             **error);
void        piso_machine_remove_interface_async  (PisoMachine         *self,
                                                  const char          *mac,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PisoChange *piso_machine_remove_interface_finish (PisoMachine         *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Connects interface @mac to another network or bridge. */
void        piso_machine_set_interface_source_async  (PisoMachine         *self,
                                                      const char          *mac,
                                                      PisoNetSourceKind    kind,
                                                      const char          *source,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
PisoChange *piso_machine_set_interface_source_finish (PisoMachine         *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* Plugs (@up) or unplugs the virtual cable of interface @mac; the guest
 * sees its link go up or down at once while it runs. */
void        piso_machine_set_interface_link_async    (PisoMachine         *self,
                                                      const char          *mac,
                                                      gboolean             up,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
PisoChange *piso_machine_set_interface_link_finish   (PisoMachine         *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
