/* piso-pointer-lock.h: locks the pointer to a Wayland surface and reports
 * its relative motion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PISO_TYPE_POINTER_LOCK (piso_pointer_lock_get_type ())

G_DECLARE_FINAL_TYPE (PisoPointerLock, piso_pointer_lock, PISO, POINTER_LOCK, GObject)

PisoPointerLock *piso_pointer_lock_new           (GdkDisplay      *display);
gboolean         piso_pointer_lock_get_supported (PisoPointerLock *self);
gboolean         piso_pointer_lock_get_locked    (PisoPointerLock *self);
void             piso_pointer_lock_lock          (PisoPointerLock *self,
                                                  GdkSurface      *surface);
void             piso_pointer_lock_unlock        (PisoPointerLock *self);

G_END_DECLS
