/* piso-export-bundle.h: a bundle made by Export, read and checked before import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

#define PISO_TYPE_EXPORT_BUNDLE (piso_export_bundle_get_type ())

G_DECLARE_FINAL_TYPE (PisoExportBundle, piso_export_bundle, PISO, EXPORT_BUNDLE, GObject)

/* The bundle in the folder @path, or in the single file @path ending in
 * ".tar" (read by piso_export_bundle_load_async, which unpacks it into
 * Piso's cache for as long as the object lives). */
PisoExportBundle *piso_export_bundle_new              (const char          *path);
const char       *piso_export_bundle_get_path         (PisoExportBundle    *self);
/* The bundle @path names, as piso_export_bundle_new takes it: a folder
 * holding a bundle's manifest, that manifest (its folder), or a .tar file;
 * NULL when @path is none of these (an installer's ISO, say). */
char             *piso_export_bundle_locate           (const char          *path);

/* Reads the manifest and the definition and checks every file against its
 * SHA-256 (and the manifest against the definition) before anything is
 * created; a missing, changed or unsafe file (a disk that is not a plain
 * qcow2 image, a name outside the bundle) fails in plain words. Progress:
 * bytes-done of bytes-total checked. */
void              piso_export_bundle_load_async       (PisoExportBundle    *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean          piso_export_bundle_load_finish      (PisoExportBundle    *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
guint64           piso_export_bundle_get_bytes_done   (PisoExportBundle    *self);
guint64           piso_export_bundle_get_bytes_total  (PisoExportBundle    *self);

/* Once loaded: what the bundle holds. */
const char       *piso_export_bundle_get_name         (PisoExportBundle    *self);
const char       *piso_export_bundle_get_title        (PisoExportBundle    *self);
const char       *piso_export_bundle_get_description  (PisoExportBundle    *self);
const char       *piso_export_bundle_get_os_id        (PisoExportBundle    *self);
gboolean          piso_export_bundle_get_uefi         (PisoExportBundle    *self);
gboolean          piso_export_bundle_get_secure_boot  (PisoExportBundle    *self);
gboolean          piso_export_bundle_get_tpm          (PisoExportBundle    *self);
guint             piso_export_bundle_get_vcpus        (PisoExportBundle    *self);
guint64           piso_export_bundle_get_memory_kib   (PisoExportBundle    *self);
guint             piso_export_bundle_get_n_disks      (PisoExportBundle    *self);
/* The bytes the disks need in a pool (their virtual sizes). */
guint64           piso_export_bundle_get_disks_size   (PisoExportBundle    *self);
/* Translated notes the export wrote (what the bundle leaves out). */
const char * const *piso_export_bundle_get_notes      (PisoExportBundle    *self);
/* The definition as in the bundle (no UUID, MACs or host paths). */
const char       *piso_export_bundle_get_domain_xml   (PisoExportBundle    *self);

/* Whether the host of @connection can run the machine: its architecture, virtualization type, machine type, CPU
 * model and UEFI firmware against the host's (domain) capabilities.
 * Returns (finish) the problems in plain words, an empty list when there is none; blockers and warnings are told
 * apart by @blocking (a machine type this QEMU does not know blocks; no KVM
 * only slows it down). */
void              piso_export_bundle_check_host_async (PisoExportBundle    *self,
                                                       PisoConnection      *connection,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GStrv             piso_export_bundle_check_host_finish (PisoExportBundle   *self,
                                                        GAsyncResult       *result,
                                                        gboolean           *blocking,
                                                        GError            **error);
/* Once loaded: the virtual networks its network cards were on, each once
 * (the importer maps them to this host's: piso_importer_map_network) */
GStrv             piso_export_bundle_dup_networks      (PisoExportBundle  *self);
/* After a host check: the host has no hardware virtualization for the
 * machine, so it is to run emulated (piso_importer_set_emulated). */
gboolean          piso_export_bundle_get_runs_emulated (PisoExportBundle  *self);

G_END_DECLS
