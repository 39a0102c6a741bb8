/* piso-machine-allocation.h: memory and processors, now and at next start
 *
 * A running machine has two sets of figures: what it runs with now (the
 * balloon's memory, the vCPUs online) and what its definition gives it at
 * the next start. PisoMachineAllocation shows both, follows libvirt's events
 * (BALLOON_CHANGE, definition changes) and says whether the running machine
 * differs from its next start in anything Piso shows ("Some changes apply
 * when the machine restarts"). Main thread; one per machine, from
 * piso_machine_get_allocation().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-machine-change.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_ALLOCATION (piso_machine_allocation_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineAllocation, piso_machine_allocation, PISO, MACHINE_ALLOCATION, GObject)

/* Properties (read-only, notify): "memory", "max-memory" (KiB, now: the
 * running machine's, or the definition's while it is off), "next-memory",
 * "next-max-memory" (KiB, the definition's), "vcpus", "max-vcpus",
 * "next-vcpus", "next-max-vcpus", "memory-live", "vcpus-live",
 * "restart-pending". */
guint64   piso_machine_allocation_get_memory          (PisoMachineAllocation *self);
guint64   piso_machine_allocation_get_max_memory      (PisoMachineAllocation *self);
guint64   piso_machine_allocation_get_next_memory     (PisoMachineAllocation *self);
guint64   piso_machine_allocation_get_next_max_memory (PisoMachineAllocation *self);
guint     piso_machine_allocation_get_vcpus           (PisoMachineAllocation *self);
guint     piso_machine_allocation_get_max_vcpus       (PisoMachineAllocation *self);
guint     piso_machine_allocation_get_next_vcpus      (PisoMachineAllocation *self);
guint     piso_machine_allocation_get_next_max_vcpus  (PisoMachineAllocation *self);
/* Whether the running machine can change its memory now (it runs and has a
 * memory balloon) and its vCPUs (it runs with more vCPU slots than one). */
gboolean  piso_machine_allocation_get_memory_live     (PisoMachineAllocation *self);
gboolean  piso_machine_allocation_get_vcpus_live      (PisoMachineAllocation *self);
/* TRUE while the machine runs with a setup that only a restart changes to
 * its definition's: maximum memory (or a memory above the running
 * maximum), vCPUs, firmware, Secure Boot, TPM, boot settings or devices
 * (see the disks' and interfaces' "pending"). A current memory the balloon
 * is still moving towards does not count. Known once the machine's
 * details were read (piso_machine_refresh_details_async) or it changed. */
gboolean  piso_machine_allocation_get_restart_pending (PisoMachineAllocation *self);

/* Memory the machine has (KiB). Off: the definition. Running: the
 * definition, then the balloon (up to the running maximum); above the
 * running maximum the change applies at next start (if the definition's
 * maximum allows it), and the PisoChange says so. More than the
 * definition's maximum is refused (PISO_BACKEND_ERROR_FAILED, nothing
 * changed): raise the maximum first. */
void        piso_machine_set_memory_async      (PisoMachine          *self,
                                                guint64               kib,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PisoChange *piso_machine_set_memory_finish     (PisoMachine          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
/* The most memory the machine may have (KiB), from its next start (QEMU
 * cannot change it live). A current memory above it is lowered with it. */
void        piso_machine_set_max_memory_async  (PisoMachine          *self,
                                                guint64               kib,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PisoChange *piso_machine_set_max_memory_finish (PisoMachine          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
/* Virtual CPUs: the definition, then, while running, vCPU hot(un)plug
 * within the running maximum (the new vCPUs are hot-pluggable). More than
 * the definition's maximum is refused. Removing vCPUs live needs the guest
 * to let them go; when it does not, the change applies at next start. */
void        piso_machine_set_vcpus_async       (PisoMachine          *self,
                                                guint                 vcpus,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PisoChange *piso_machine_set_vcpus_finish      (PisoMachine          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
/* The most vCPUs the machine may have, from its next start. */
void        piso_machine_set_max_vcpus_async   (PisoMachine          *self,
                                                guint                 vcpus,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PisoChange *piso_machine_set_max_vcpus_finish  (PisoMachine          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
