/* piso-machine-change.h: what a change to a machine did, now and at next start
 *
 * Every change Piso makes to a machine (memory, processors, disks, CDs,
 * network interfaces, boot settings) goes to the definition first, so it
 * stays, and then to the running machine where libvirt can do it live
 * (virt-manager's order). What the running machine could not take applies
 * when it next starts, and the result says so: a PisoChange.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Where a change took effect. */
typedef enum /*< flags >*/
{
  PISO_CHANGE_SCOPE_NONE       = 0,
  PISO_CHANGE_SCOPE_NOW        = 1 << 0,  /* the running machine has it */
  PISO_CHANGE_SCOPE_NEXT_START = 1 << 1,  /* the definition has it (kept, or from the next start) */
} PisoChangeScope;

/* How a device of a running machine differs from the definition for its
 * next start. */
typedef enum
{
  PISO_DEVICE_PENDING_NONE,
  PISO_DEVICE_PENDING_ADD,     /* only in the definition: the machine gets it when it restarts */
  PISO_DEVICE_PENDING_REMOVE,  /* only in the running machine: gone when it restarts */
  PISO_DEVICE_PENDING_CHANGE,  /* in both, but its source, medium, link or boot order changes */
} PisoDevicePending;

#define PISO_TYPE_CHANGE (piso_change_get_type ())

typedef struct _PisoChange PisoChange;

GType           piso_change_get_type          (void) G_GNUC_CONST;
PisoChange     *piso_change_copy              (const PisoChange *self);
void            piso_change_free              (PisoChange       *self);
/* NOW and/or NEXT_START. A machine that is off gets NEXT_START; a running
 * one NOW | NEXT_START, or NEXT_START alone when it could not take the
 * change live; a running transient machine (no definition) NOW alone. */
PisoChangeScope piso_change_get_scope         (const PisoChange *self);
/* Whether the running machine has the change (scope has NOW). */
gboolean        piso_change_get_live          (const PisoChange *self);
/* A translated sentence for what the user should know beyond "done", or
 * NULL: why the running machine did not take the change ("Applies when
 * “web” restarts: disk bus 'sata' cannot be hotplugged."), a disk file that
 * was kept, the guest that holds its CD tray locked… */
const char     *piso_change_get_message       (const PisoChange *self);
/* TRUE when the guest refused (it locks its CD tray): the same call with
 * force may take effect now. */
gboolean        piso_change_get_force_possible(const PisoChange *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoChange, piso_change_free)

G_END_DECLS
