/* piso-pointer-lock.c: locks the pointer to a Wayland surface and reports
 * its relative motion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In server mouse mode the guest follows the host pointer's motion, not its
 * position. X11 lets the display warp the pointer back to its middle; Wayland
 * lets no client move the pointer, so there it would stop at the edge of the
 * screen. GTK 4 has no call for what Wayland offers instead (a locked pointer
 * and relative motion), so this asks the compositor for it through the
 * pointer-constraints and relative-pointer protocols, on GTK's own
 * connection, surface and pointer. Its events are dispatched with GTK's, on
 * the main thread.
 */
#define G_LOG_DOMAIN "piso-pointer-lock"

#include "config.h"

#include <gdk/wayland/gdkwayland.h>

#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"

#include "piso-pointer-lock.h"

struct _PisoPointerLock
{
  GObject                                 parent_instance;

  GdkDisplay                             *display;
  struct wl_registry                     *registry;
  struct zwp_pointer_constraints_v1      *constraints;
  struct zwp_relative_pointer_manager_v1 *relative_manager;
  guint32                                 constraints_name;
  guint32                                 relative_manager_name;

  /* asked for before the compositor's globals came */
  GdkSurface                             *pending;

  struct zwp_locked_pointer_v1           *locked_pointer;
  struct zwp_relative_pointer_v1         *relative_pointer;
  gboolean                                locked;
};

G_DEFINE_FINAL_TYPE (PisoPointerLock, piso_pointer_lock, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SUPPORTED,
  PROP_LOCKED,
  N_PROPS
};

enum
{
  RELATIVE_MOTION,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void lock_surface (PisoPointerLock *self,
                          GdkSurface      *surface);

static void
set_locked (PisoPointerLock *self,
            gboolean         locked)
{
  if (self->locked == locked)
    return;
  self->locked = locked;
  g_debug ("pointer %s", locked ? "locked" : "unlocked");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

static void
drop_lock (PisoPointerLock *self)
{
  g_clear_pointer (&self->relative_pointer, zwp_relative_pointer_v1_destroy);
  g_clear_pointer (&self->locked_pointer, zwp_locked_pointer_v1_destroy);
}

/* ---- the lock's events ---- */

static void
locked_cb (void                         *data,
           struct zwp_locked_pointer_v1 *locked_pointer)
{
  set_locked (data, TRUE);
}

/* The compositor took the lock away (another window got the focus, say). It
 * was a one-shot lock: the next grab asks for a new one. */
static void
unlocked_cb (void                         *data,
             struct zwp_locked_pointer_v1 *locked_pointer)
{
  PisoPointerLock *self = data;

  drop_lock (self);
  set_locked (self, FALSE);
}

static const struct zwp_locked_pointer_v1_listener locked_listener = {
  .locked = locked_cb,
  .unlocked = unlocked_cb,
};

static void
relative_motion_cb (void                           *data,
                    struct zwp_relative_pointer_v1 *relative_pointer,
                    uint32_t                        utime_hi,
                    uint32_t                        utime_lo,
                    wl_fixed_t                      dx,
                    wl_fixed_t                      dy,
                    wl_fixed_t                      dx_unaccel,
                    wl_fixed_t                      dy_unaccel)
{
  PisoPointerLock *self = data;

  /* accelerated, as the X11 path's motion is: the host's pointer settings
   * apply in the guest as they do everywhere else */
  if (self->locked)
    g_signal_emit (self, signals[RELATIVE_MOTION], 0,
                   wl_fixed_to_double (dx), wl_fixed_to_double (dy));
}

static const struct zwp_relative_pointer_v1_listener relative_listener = {
  .relative_motion = relative_motion_cb,
};

/* ---- the compositor's globals ---- */

static void
global_cb (void               *data,
           struct wl_registry *registry,
           uint32_t            name,
           const char         *interface,
           uint32_t            version)
{
  PisoPointerLock *self = data;
  gboolean was_supported = piso_pointer_lock_get_supported (self);

  if (g_strcmp0 (interface, zwp_pointer_constraints_v1_interface.name) == 0 &&
      self->constraints == NULL)
    {
      self->constraints = wl_registry_bind (registry, name, &zwp_pointer_constraints_v1_interface, 1);
      self->constraints_name = name;
    }
  else if (g_strcmp0 (interface, zwp_relative_pointer_manager_v1_interface.name) == 0 &&
           self->relative_manager == NULL)
    {
      self->relative_manager = wl_registry_bind (registry, name,
                                                 &zwp_relative_pointer_manager_v1_interface, 1);
      self->relative_manager_name = name;
    }
  else
    return;

  if (!was_supported && piso_pointer_lock_get_supported (self))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUPPORTED]);
      if (self->pending != NULL)
        {
          g_autoptr(GdkSurface) surface = g_steal_pointer (&self->pending);

          lock_surface (self, surface);
        }
    }
}

static void
global_remove_cb (void               *data,
                  struct wl_registry *registry,
                  uint32_t            name)
{
  PisoPointerLock *self = data;

  if (name != self->constraints_name && name != self->relative_manager_name)
    return;
  drop_lock (self);
  set_locked (self, FALSE);
  if (name == self->constraints_name)
    g_clear_pointer (&self->constraints, zwp_pointer_constraints_v1_destroy);
  else
    g_clear_pointer (&self->relative_manager, zwp_relative_pointer_manager_v1_destroy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUPPORTED]);
}

static const struct wl_registry_listener registry_listener = {
  .global = global_cb,
  .global_remove = global_remove_cb,
};

/* ---- locking ---- */

static void
lock_surface (PisoPointerLock *self,
              GdkSurface      *surface)
{
  GdkSeat *seat = gdk_display_get_default_seat (self->display);
  GdkDevice *pointer = seat != NULL ? gdk_seat_get_pointer (seat) : NULL;
  struct wl_pointer *wl_pointer = pointer != NULL ? gdk_wayland_device_get_wl_pointer (pointer) : NULL;
  struct wl_surface *wl_surface = gdk_wayland_surface_get_wl_surface (surface);

  if (wl_pointer == NULL || wl_surface == NULL)
    {
      g_debug ("no pointer or surface to lock");
      return;
    }
  self->locked_pointer =
    zwp_pointer_constraints_v1_lock_pointer (self->constraints, wl_surface, wl_pointer, NULL,
                                             ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_ONESHOT);
  zwp_locked_pointer_v1_add_listener (self->locked_pointer, &locked_listener, self);
  self->relative_pointer =
    zwp_relative_pointer_manager_v1_get_relative_pointer (self->relative_manager, wl_pointer);
  zwp_relative_pointer_v1_add_listener (self->relative_pointer, &relative_listener, self);
  gdk_display_flush (self->display);
}

/**
 * piso_pointer_lock_lock:
 * @surface: the toplevel surface the pointer is in
 *
 * Asks the compositor to keep the pointer where it is on @surface and to
 * report its motion as #PisoPointerLock::relative-motion. The lock holds
 * once #PisoPointerLock:locked is %TRUE (the compositor grants it while the
 * pointer is in @surface and its window has the focus), until
 * piso_pointer_lock_unlock() or the compositor ends it.
 */
void
piso_pointer_lock_lock (PisoPointerLock *self,
                        GdkSurface      *surface)
{
  g_return_if_fail (PISO_IS_POINTER_LOCK (self));
  g_return_if_fail (GDK_IS_WAYLAND_SURFACE (surface));

  if (self->locked_pointer != NULL || self->pending != NULL)
    return;
  if (!piso_pointer_lock_get_supported (self))
    {
      /* the registry's globals are still on their way */
      self->pending = g_object_ref (surface);
      return;
    }
  lock_surface (self, surface);
}

void
piso_pointer_lock_unlock (PisoPointerLock *self)
{
  g_return_if_fail (PISO_IS_POINTER_LOCK (self));

  g_clear_object (&self->pending);
  if (self->locked_pointer == NULL)
    return;
  drop_lock (self);
  gdk_display_flush (self->display);
  set_locked (self, FALSE);
}

/* ---- the object ---- */

/**
 * piso_pointer_lock_get_supported:
 *
 * Returns: whether the compositor offers both protocols (known once its
 *   globals have come, shortly after piso_pointer_lock_new()).
 */
gboolean
piso_pointer_lock_get_supported (PisoPointerLock *self)
{
  g_return_val_if_fail (PISO_IS_POINTER_LOCK (self), FALSE);
  return self->constraints != NULL && self->relative_manager != NULL;
}

gboolean
piso_pointer_lock_get_locked (PisoPointerLock *self)
{
  g_return_val_if_fail (PISO_IS_POINTER_LOCK (self), FALSE);
  return self->locked;
}

/**
 * piso_pointer_lock_new:
 * @display: a Wayland display
 */
PisoPointerLock *
piso_pointer_lock_new (GdkDisplay *display)
{
  PisoPointerLock *self;

  g_return_val_if_fail (GDK_IS_WAYLAND_DISPLAY (display), NULL);

  self = g_object_new (PISO_TYPE_POINTER_LOCK, NULL);
  self->display = g_object_ref (display);
  /* on GTK's queue: the globals come with GTK's next dispatch, no round trip */
  self->registry = wl_display_get_registry (gdk_wayland_display_get_wl_display (display));
  wl_registry_add_listener (self->registry, &registry_listener, self);
  gdk_display_flush (display);
  return self;
}

static void
piso_pointer_lock_dispose (GObject *object)
{
  PisoPointerLock *self = PISO_POINTER_LOCK (object);

  g_clear_object (&self->pending);
  drop_lock (self);
  self->locked = FALSE;
  g_clear_pointer (&self->constraints, zwp_pointer_constraints_v1_destroy);
  g_clear_pointer (&self->relative_manager, zwp_relative_pointer_manager_v1_destroy);
  g_clear_pointer (&self->registry, wl_registry_destroy);
  if (self->display != NULL && !gdk_display_is_closed (self->display))
    gdk_display_flush (self->display);
  g_clear_object (&self->display);

  G_OBJECT_CLASS (piso_pointer_lock_parent_class)->dispose (object);
}

static void
piso_pointer_lock_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PisoPointerLock *self = PISO_POINTER_LOCK (object);

  switch (prop_id)
    {
    case PROP_SUPPORTED:
      g_value_set_boolean (value, piso_pointer_lock_get_supported (self));
      break;
    case PROP_LOCKED:
      g_value_set_boolean (value, self->locked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_pointer_lock_class_init (PisoPointerLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_pointer_lock_dispose;
  object_class->get_property = piso_pointer_lock_get_property;

  properties[PROP_SUPPORTED] =
    g_param_spec_boolean ("supported", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PisoPointerLock::relative-motion:
   * @dx: motion to the right, in surface pixels
   * @dy: motion down, in surface pixels
   *
   * The pointer moved while locked.
   */
  signals[RELATIVE_MOTION] =
    g_signal_new ("relative-motion", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
}

static void
piso_pointer_lock_init (PisoPointerLock *self)
{
}
