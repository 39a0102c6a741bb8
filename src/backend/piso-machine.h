/* piso-machine.h: one virtual machine (wraps GVirDomain)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libvirt-gobject/libvirt-gobject.h>

#include "piso-backend-types.h"
#include "piso-machine-install.h"
#include "piso-machine-boot.h"
#include "piso-machine-allocation.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE (piso_machine_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachine, piso_machine, PISO, MACHINE, GObject)

/* All getters are cheap (cached values updated from libvirt events on the
 * main thread); every property has explicit notify. */
PisoConnection   *piso_machine_get_connection      (PisoMachine *self);
const char       *piso_machine_get_name            (PisoMachine *self);
const char       *piso_machine_get_title           (PisoMachine *self);
/* The title when set, else the name. */
const char       *piso_machine_get_display_name    (PisoMachine *self);
const char       *piso_machine_get_description     (PisoMachine *self);
const char       *piso_machine_get_uuid            (PisoMachine *self);
PisoMachineState  piso_machine_get_state           (PisoMachine *self);
/* A translated word for the state ("Running", "Off", …). */
const char       *piso_machine_get_state_label     (PisoMachine *self);
/* libosinfo id from the domain metadata (e.g. "http://debian.org/debian/12"), or NULL */
const char       *piso_machine_get_os_id           (PisoMachine *self);
/* The OS name from libosinfo's database once loaded, or NULL. */
const char       *piso_machine_get_os_name         (PisoMachine *self);
guint             piso_machine_get_vcpus           (PisoMachine *self);
guint             piso_machine_get_max_vcpus       (PisoMachine *self);
guint64           piso_machine_get_memory          (PisoMachine *self); /* KiB, current */
guint64           piso_machine_get_max_memory      (PisoMachine *self); /* KiB */
gboolean          piso_machine_get_autostart       (PisoMachine *self);
gboolean          piso_machine_get_persistent      (PisoMachine *self);
gboolean          piso_machine_get_has_managed_save(PisoMachine *self);
gboolean          piso_machine_get_has_graphics    (PisoMachine *self);
/* GListModel of PisoDisk / PisoNetInterface, replaced in place on updates.
 * A running machine's lists also hold the devices its definition adds or
 * removes at the next start (see their "pending"). */
GListModel       *piso_machine_get_disks           (PisoMachine *self);
GListModel       *piso_machine_get_interfaces      (PisoMachine *self);
/* Memory and vCPUs now and at next start (piso-machine-allocation.h), and
 * how it boots (piso-machine-boot.h): one object each for the machine's
 * life ("allocation" and "boot" properties). */
PisoMachineAllocation *piso_machine_get_allocation   (PisoMachine *self);
PisoMachineBoot  *piso_machine_get_boot            (PisoMachine *self);
/* Latest CPU use in percent of the machine's vCPUs (0–100), -1 when not sampled */
double            piso_machine_get_cpu_percent     (PisoMachine *self);
/* Samples taken while a view holds statistics (see piso_connection_hold_stats) */
PisoStatsHistory *piso_machine_get_stats_history   (PisoMachine *self);
GVirDomain       *piso_machine_get_gvir            (PisoMachine *self);

/* The machine runs with disks that keep nothing (libvirt <transient/>: a
 * disposable run, see piso-disposable.h): for the "disposable" badge. */
gboolean          piso_machine_get_disposable      (PisoMachine *self);
/* For a linked clone, the UUID of the machine whose disks its disks build
 * on (its template), else NULL. */
const char       *piso_machine_get_linked_to       (PisoMachine *self);
/* The linked clones of this machine (PisoMachine), kept up to date. While
 * there are any it is a template: it cannot start (only run disposable) or
 * be deleted (piso_machine_can says so, and Start/Delete refuse). */
GListModel       *piso_machine_get_linked_clones   (PisoMachine *self);
gboolean          piso_machine_get_is_template     (PisoMachine *self);

/* Whether @action makes sense now (state and connection); for sensitivity. */
gboolean          piso_machine_can                 (PisoMachine       *self,
                                                    PisoMachineAction  action);

/* Lifecycle. Each runs in a worker thread; _finish returns FALSE with a
 * PISO_BACKEND_ERROR or libvirt's reason. State changes arrive by events.
 * Start and restore refuse a template of linked clones (_INVALID_STATE). */
void      piso_machine_start_async         (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_start_finish        (PisoMachine *self, GAsyncResult *result, GError **error);
void      piso_machine_shutdown_async      (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_shutdown_finish     (PisoMachine *self, GAsyncResult *result, GError **error);
void      piso_machine_reboot_async        (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_reboot_finish       (PisoMachine *self, GAsyncResult *result, GError **error);
void      piso_machine_force_off_async     (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_force_off_finish    (PisoMachine *self, GAsyncResult *result, GError **error);
void      piso_machine_pause_async         (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_pause_finish        (PisoMachine *self, GAsyncResult *result, GError **error);
void      piso_machine_resume_async        (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_resume_finish       (PisoMachine *self, GAsyncResult *result, GError **error);
/* Managed save: the machine's memory goes to disk and it stops. */
void      piso_machine_save_async          (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_save_finish         (PisoMachine *self, GAsyncResult *result, GError **error);
/* Starts from the managed save image. */
void      piso_machine_restore_async       (PisoMachine *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_restore_finish      (PisoMachine *self, GAsyncResult *result, GError **error);
void      piso_machine_set_autostart_async (PisoMachine *self, gboolean autostart,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_set_autostart_finish(PisoMachine *self, GAsyncResult *result, GError **error);
/* Only while shut off (libvirt's rule); @new_name is validated first. */
void      piso_machine_rename_async        (PisoMachine *self, const char *new_name,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_rename_finish       (PisoMachine *self, GAsyncResult *result, GError **error);
/* Removes the definition (forcing the machine off first if it runs), its
 * managed save, snapshot metadata (internal snapshots live inside its disk
 * images and go with them), NVRAM and the pictures kept with its snapshots.
 * Disk images are kept, except the paths in @remove_storage (NULL or empty
 * keeps all), which must be among this machine's disks or the files of its
 * external snapshots (piso_snapshot_get_files, once its snapshots are
 * listed), be storage volumes, and not be used by any other machine of the
 * connection: all is checked before anything is removed, and a refusal
 * removes nothing. A template of linked clones is not deleted. */
void      piso_machine_delete_async        (PisoMachine *self,
                                            const char * const *remove_storage,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_delete_finish       (PisoMachine *self, GAsyncResult *result, GError **error);
/* Re-reads the definition, disk sizes and interface addresses (DHCP leases,
 * then the guest agent). Views call this when they show the machine. */
void      piso_machine_refresh_details_async  (PisoMachine *self, GCancellable *cancellable,
                                               GAsyncReadyCallback callback, gpointer user_data);
gboolean  piso_machine_refresh_details_finish (PisoMachine *self, GAsyncResult *result, GError **error);

/* Names libvirt and Piso accept: 1–100 characters, no '/', not only dots or
 * white space, no control characters. */
gboolean  piso_machine_validate_name       (const char *name, GError **error);

/* A screenshot of display @screen (0 for the first) while the machine runs,
 * taken in a worker thread through a virStream. Returns the image as libvirt
 * sends it and its MIME type in @mime_type (QEMU: "image/x-portable-pixmap",
 * the test driver: "image/png"). Errors: PISO_BACKEND_ERROR_INVALID_STATE when
 * the machine is not running, _UNSUPPORTED when the hypervisor cannot,
 * _NOT_CONNECTED, _VANISHED, or libvirt's reason. */
void      piso_machine_screenshot_async    (PisoMachine *self, guint screen,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
GBytes   *piso_machine_screenshot_finish   (PisoMachine *self, GAsyncResult *result,
                                            char **mime_type, GError **error);

G_END_DECLS
