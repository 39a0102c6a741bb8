/* piso-disposable.h: running a machine so that nothing it writes is kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

/* Starts the shut-off @machine "disposable": every disk it can write gets
 * libvirt's <transient/> overlay for this run only (its definition stays as
 * it is), so whatever the guest writes is gone when it stops, and the
 * machine is as before. piso_machine_get_disposable() is TRUE meanwhile.
 * A template of linked clones may run disposable: its disks are not written.
 * UEFI variables and a TPM's state are not covered (they live outside the
 * disks).
 *
 * An overlay left behind by a host crash would make libvirt refuse the
 * start: Piso removes it first and names it in @removed_leftovers (_finish;
 * NULL-terminated, may be empty) so the UI can tell the user.
 *
 * Refused (PISO_BACKEND_ERROR_UNSUPPORTED) when a writable disk is not a
 * file on the host (network, block device) or is shared with other
 * machines; _INVALID_STATE unless the machine is off with nothing saved. */
void      piso_machine_start_disposable_async  (PisoMachine          *machine,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  piso_machine_start_disposable_finish (PisoMachine          *machine,
                                                GAsyncResult         *result,
                                                char               ***removed_leftovers,
                                                GError              **error);

G_END_DECLS
