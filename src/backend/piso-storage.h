/* piso-storage.h: storage pools and volumes for creating machines
 *
 * Blocking helpers over libvirt handles: call them from worker threads
 * (PisoCreator does). Messages are translated and carry the numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

#define PISO_STORAGE_DEFAULT_POOL "default"

/* Progress of a copy: bytes done of @total (0 when unknown). Called in the
 * copying thread. */
typedef void (*PisoStorageProgress) (guint64  done,
                                     guint64  total,
                                     gpointer user_data);

/* Where the standard "default" dir pool lives: /var/lib/libvirt/images for
 * system connections, $XDG_DATA_HOME/libvirt/images for session ones. */
char             *piso_storage_standard_pool_path   (gboolean            session);

/* The "default" pool or NULL (then @error is set only when libvirt failed
 * for another reason than "no such pool"). */
virStoragePoolPtr piso_storage_lookup_default_pool  (virConnectPtr       conn,
                                                     GError            **error);
/* Defines the standard "default" dir pool at @path, builds its directory
 * when missing, starts it and marks it autostart. *@made_dir is TRUE when
 * the directory did not exist before (for a rollback). */
virStoragePoolPtr piso_storage_define_default_pool  (virConnectPtr       conn,
                                                     const char         *path,
                                                     gboolean           *made_dir,
                                                     GError            **error);
/* Starts an inactive pool and marks it autostart. */
gboolean          piso_storage_start_pool           (virStoragePoolPtr   pool,
                                                     GError            **error);
/* Undoes piso_storage_define_default_pool: stops and undefines the pool,
 * removes the directory when @made_dir and it is empty. */
void              piso_storage_undefine_pool        (virStoragePoolPtr   pool,
                                                     gboolean            made_dir);
/* The pool's target directory (from its XML). */
char             *piso_storage_pool_path            (virStoragePoolPtr   pool,
                                                     GError            **error);
/* Free bytes in an active pool (virStoragePoolGetInfo after a refresh). */
gboolean          piso_storage_pool_available       (virStoragePoolPtr   pool,
                                                     guint64            *available,
                                                     GError            **error);
/* Refuses (PISO_BACKEND_ERROR_FAILED) with both numbers in the message when
 * @needed is more than @available. */
gboolean          piso_storage_check_space          (const char         *pool_name,
                                                     guint64             needed,
                                                     guint64             available,
                                                     GError            **error);
/* "@base.@ext", else "@base-2.@ext", "@base-3.@ext"… : the first name that
 * no volume of @pool has and no file in its directory has. */
char             *piso_storage_unique_volume_name   (virStoragePoolPtr   pool,
                                                     const char         *base,
                                                     const char         *ext,
                                                     GError            **error);
/* A new volume @name; fails when the name exists (never reused). */
virStorageVolPtr  piso_storage_create_volume        (virStoragePoolPtr   pool,
                                                     const char         *name,
                                                     const char         *format,
                                                     guint64             capacity,
                                                     GError            **error);
/* Creates volume @name (format @format, capacity @capacity) and uploads
 * @local_path into it through a virStream, reporting progress and stopping
 * at cancellation. On failure the new volume is deleted. */
virStorageVolPtr  piso_storage_upload               (virStoragePoolPtr   pool,
                                                     const char         *local_path,
                                                     const char         *name,
                                                     const char         *format,
                                                     guint64             capacity,
                                                     PisoStorageProgress progress,
                                                     gpointer            progress_data,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
/* The storage volume at @path, refreshing the active pools once (files
 * copied behind libvirt's back appear then; *@refreshed, FALSE at first,
 * records it for the next lookups). NULL when no pool has it. */
virStorageVolPtr  piso_storage_find_volume          (virConnectPtr       conn,
                                                     const char         *path,
                                                     gboolean           *refreshed);
/* Deletes a volume this run made (and frees the handle). */
void              piso_storage_delete_volume        (virStorageVolPtr    vol);
/* Deletes each volume of @volumes (virStorageVolPtr that a run made), the
 * newest (last) first, and empties it. */
void              piso_storage_delete_volumes       (GPtrArray          *volumes);

/* The volume of @path, for copying it through libvirt. When no pool holds
 * it, a transient pool over its folder is made and returned in @made_pool
 * (drop it with piso_storage_drop_pool once done; the files stay). */
virStorageVolPtr  piso_storage_volume_for_path      (virConnectPtr       conn,
                                                     const char         *path,
                                                     virStoragePoolPtr  *made_pool,
                                                     GError            **error);
/* The volume behind a disk source: by pool and name for a type='volume'
 * disk (@path is the volume's name then), else as piso_storage_volume_for_path. */
virStorageVolPtr  piso_storage_volume_for_source    (virConnectPtr       conn,
                                                     const char         *type,
                                                     const char         *path,
                                                     const char         *pool_name,
                                                     virStoragePoolPtr  *made_pool,
                                                     GError            **error);
/* Whether the volume's image has a backing file (an overlay, a linked
 * clone, an external snapshot): its bytes alone are not the disk. */
gboolean          piso_storage_has_backing_chain    (virStorageVolPtr    vol);
/* The size of @vol's file (what a download of it gives), 0 when unknown. */
guint64           piso_storage_volume_file_size     (virStorageVolPtr    vol);
/* Copies the bytes of @source (a volume of one connection) into @target (a
 * volume of another, at least as large) through libvirt streams, holes
 * as holes where both daemons can; progress in bytes of @source's file.
 * Blocks (worker thread); a cancel aborts both streams. @target is left
 * as it is on failure (the caller deletes it). */
gboolean          piso_storage_copy_between         (virStorageVolPtr    source,
                                                     virStorageVolPtr    target,
                                                     PisoStorageProgress progress,
                                                     gpointer            progress_data,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
/* Stops (and so forgets) a transient pool; NULL does nothing. */
void              piso_storage_drop_pool            (virStoragePoolPtr   pool);
/* Copies @source into a new volume @name of @pool in @format (libvirt's
 * own copy, as virt-clone's: qcow2 goes through qemu-img convert, which
 * also flattens a backing chain). @progress gets the bytes written so far
 * of the source's allocation, measured every 200 ms from another thread.
 * libvirt's copy cannot be interrupted: a cancel is seen before it starts
 * and after it ends (the copy is then deleted). Its type is
 * PisoStorageCopyFunc, which tests' stand-ins share (piso-clone-private.h). */
typedef virStorageVolPtr PisoStorageCopyFunc        (virStoragePoolPtr   pool,
                                                     virStorageVolPtr    source,
                                                     const char         *name,
                                                     const char         *format,
                                                     PisoStorageProgress progress,
                                                     gpointer            progress_data,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
PisoStorageCopyFunc piso_storage_copy_volume;
/* A new qcow2 volume @name whose backing file is @backing_path (format
 * @backing_format): it starts empty and reads through to the backing file. */
virStorageVolPtr  piso_storage_create_overlay       (virStoragePoolPtr   pool,
                                                     const char         *name,
                                                     const char         *backing_path,
                                                     const char         *backing_format,
                                                     guint64             capacity,
                                                     GError            **error);

/* The image format of @path by its magic bytes: "qcow2", "vmdk", "vdi" or
 * "raw"; NULL with @error when unreadable. */
char             *piso_storage_detect_format        (const char         *path,
                                                     GError            **error);
/* qemu-img's virtual size of @path (bytes), and whether it has a backing
 * file (such an image cannot be copied alone). */
gboolean          piso_storage_image_info           (const char         *path,
                                                     const char         *format,
                                                     guint64            *virtual_size,
                                                     gboolean           *has_backing,
                                                     GError            **error);
/* Converts @src (format @format) into a qcow2 file @dest with qemu-img
 * (flattened; with @compress, every cluster compressed), reporting progress
 * in 1/10000ths; @dest is removed on failure or cancellation. */
gboolean          piso_storage_convert_to_qcow2     (const char         *src,
                                                     const char         *format,
                                                     const char         *dest,
                                                     gboolean            compress,
                                                     PisoStorageProgress progress,
                                                     gpointer            progress_data,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
/* The same, compressed, reading @src even while a machine holds it open
 * (qemu-img -U), as a volume download reads it. */
gboolean          piso_storage_convert_shared_to_qcow2 (const char         *src,
                                                        const char         *format,
                                                        const char         *dest,
                                                        PisoStorageProgress progress,
                                                        gpointer            progress_data,
                                                        GCancellable       *cancellable,
                                                        GError            **error);

/* The user QEMU runs as for the system instance: `user` in @qemu_conf
 * (/etc/libvirt/qemu.conf when NULL), else "libvirt-qemu" ("qemu" when that
 * account does not exist). */
char             *piso_storage_qemu_user            (const char         *qemu_conf);
/* Whether @user can read @path and traverse every directory above it. When
 * not, @blocker is set to the first path that stops it. */
gboolean          piso_storage_user_can_read        (const char         *user,
                                                     const char         *path,
                                                     char              **blocker);

G_END_DECLS
