/* piso-exporter.h: a machine written out as a bundle of files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

#define PISO_TYPE_EXPORTER (piso_exporter_get_type ())

G_DECLARE_FINAL_TYPE (PisoExporter, piso_exporter, PISO, EXPORTER, GObject)

PisoExporter *piso_exporter_new               (PisoMachine         *machine);
PisoMachine  *piso_exporter_get_machine       (PisoExporter        *self);

/* A running machine is exported paused (FALSE: refused unless shut off).
 * Paused, its disks do not change while they are read; the guest agent,
 * when there is one, flushes and freezes the guest's file systems first.
 * The bundle holds the disks, not the memory: it starts as after a power
 * cut unless the agent froze it. The machine runs on once the disks are
 * read (also after a failure or cancel). */
gboolean      piso_exporter_get_pause_running (PisoExporter        *self);
void          piso_exporter_set_pause_running (PisoExporter        *self,
                                               gboolean             pause_running);

/* Progress of a run: the disks' bytes (their allocation on the host) read
 * and compressed so far, of the total; an estimate of the seconds left
 * (-1 while unknown). Notified on the thread that started the run. */
guint64       piso_exporter_get_bytes_done    (PisoExporter        *self);
guint64       piso_exporter_get_bytes_total   (PisoExporter        *self);
gint64        piso_exporter_get_seconds_left  (PisoExporter        *self);

/* Writes the bundle into the new folder @destination (it must not exist),
 * or, when @destination ends in ".tar", into that new single tar file
 * holding the same files (made as the folder, then packed):
 * manifest.ini, domain.xml, each disk as a compressed qcow2 read through
 * libvirt (so a remote host's machine exports over its connection), the
 * UEFI variables. Everything is written under a hidden temporary name next
 * to @destination and renamed when complete: a failure or a cancel leaves
 * nothing behind, and never something that looks like a bundle. */
void          piso_exporter_run_async         (PisoExporter        *self,
                                               const char          *destination,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean      piso_exporter_run_finish        (PisoExporter        *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
