/* piso-spice-display.c: a GTK4 widget showing a SPICE session's screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-spice-display"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#ifdef PISO_HAVE_X11
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#endif
#ifdef PISO_HAVE_WAYLAND
#include <gdk/wayland/gdkwayland.h>
#endif

#include "piso-spice-display-private.h"

#include "piso-display-geometry.h"
#include "piso-display-backdrop.h"
#include "piso-keymap.h"
#include "piso-surface-format.h"
#include "piso-gtk-version.h"

#define SCANCODE_LEFT_CTRL  0x1d
#define SCANCODE_RIGHT_CTRL 0x11d
#define SCANCODE_LEFT_ALT   0x38
#define SCANCODE_RIGHT_ALT  0x138

G_DEFINE_FINAL_TYPE (PisoSpiceDisplay, piso_spice_display, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_GRABBED,
  PROP_RESIZE_GUEST,
  PROP_GRAB_DESKTOP_KEYS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_grab (PisoSpiceDisplay *self);
static void update_cursor (PisoSpiceDisplay *self);
static void request_guest_size (PisoSpiceDisplay *self);

static void
piso_spice_display_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  request_guest_size (PISO_SPICE_DISPLAY (widget));
}

/* ---- the guest's pointer ---- */

static void
cursor_changed_cb (PisoSpiceSession *session,
                   PisoSpiceDisplay *self)
{
  PisoSpiceCursorState state;
  GBytes *pixels = NULL;
  int width, height, hot_x, hot_y;

  g_clear_object (&self->guest_cursor);
  g_clear_object (&self->cursor_texture);
  self->cursor_hidden = FALSE;

  state = piso_spice_session_get_cursor (session, &width, &height, &hot_x, &hot_y, &pixels);
  if (pixels != NULL && width > 0 && height > 0)
    {
      self->cursor_texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8,
                                                     pixels, (gsize) width * 4);
      self->cursor_hot_x = hot_x;
      self->cursor_hot_y = hot_y;
    }
  if (state == PISO_SPICE_CURSOR_HIDDEN)
    {
      self->cursor_hidden = TRUE;
      self->guest_cursor = gdk_cursor_new_from_name ("none", NULL);
    }
  else if (state == PISO_SPICE_CURSOR_SHAPE && self->cursor_texture != NULL)
    self->guest_cursor = gdk_cursor_new_from_texture (self->cursor_texture, hot_x, hot_y, NULL);

  update_cursor (self);
  if (self->data != NULL)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cursor_move_cb (PisoSpiceSession *session,
                gint              x,
                gint              y,
                PisoSpiceDisplay *self)
{
  if (self->cursor_texture != NULL &&
      piso_spice_session_get_mouse_mode (session) == PISO_SPICE_MOUSE_MODE_SERVER)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
server_mode (PisoSpiceDisplay *self)
{
  return self->session != NULL &&
         piso_spice_session_get_mouse_mode (self->session) == PISO_SPICE_MOUSE_MODE_SERVER;
}

/* Client mode: the guest's shape is the pointer. Server mode: the widget
 * draws the guest's pointer where the guest has it, and the host's pointer
 * is hidden while grabbed (it is warped around and means nothing). */
static void
update_cursor (PisoSpiceDisplay *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (server_mode (self))
    {
      if (self->mouse_grabbed)
        gtk_widget_set_cursor_from_name (widget, "none");
      else
        gtk_widget_set_cursor (widget, NULL);
    }
  else
    gtk_widget_set_cursor (widget, self->guest_cursor);
}

/* ---- grabs ---- */

/* GTK 4 inhibits system shortcuts on Wayland only; on X11 an active
 * keyboard grab keeps Alt+Tab and friends from the window manager. */
static void
x11_grab_keyboard (PisoSpiceDisplay *self,
                   GdkSurface       *surface,
                   gboolean          grab)
{
#ifdef PISO_HAVE_X11
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));

  if (!GDK_IS_X11_DISPLAY (display) || grab == self->x11_grabbed)
    return;
  if (grab)
    {
      if (surface == NULL)
        return;
      self->x11_grabbed =
        XGrabKeyboard (gdk_x11_display_get_xdisplay (display), gdk_x11_surface_get_xid (surface),
                       True, GrabModeAsync, GrabModeAsync, CurrentTime) == GrabSuccess;
      if (!self->x11_grabbed)
        g_debug ("the X keyboard grab failed");
    }
  else
    {
      XUngrabKeyboard (gdk_x11_display_get_xdisplay (display), CurrentTime);
      self->x11_grabbed = FALSE;
    }
  gdk_display_flush (display);
#endif
}

static void
set_grabbed (PisoSpiceDisplay *self,
             gboolean          grabbed)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;
  /* Keys the desktop would act on are taken from it only when allowed:
   * a screen reader's own keys are among them */
  gboolean take_desktop_keys = grabbed && self->grab_desktop_keys;

  if (take_desktop_keys && self->inhibited == NULL && GDK_IS_TOPLEVEL (surface))
    {
      self->inhibited = g_object_ref (GDK_TOPLEVEL (surface));
      gdk_toplevel_inhibit_system_shortcuts (self->inhibited, NULL);
    }
  else if (!take_desktop_keys && self->inhibited != NULL)
    {
      gdk_toplevel_restore_system_shortcuts (self->inhibited);
      g_clear_object (&self->inhibited);
    }
  x11_grab_keyboard (self, surface, take_desktop_keys);

  if (self->grabbed == grabbed)
    return;
  self->grabbed = grabbed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRABBED]);
}

static gboolean
window_active (PisoSpiceDisplay *self)
{
  return self->window != NULL && gtk_window_is_active (self->window);
}

static void
set_mouse_grabbed (PisoSpiceDisplay *self,
                   gboolean          grabbed)
{
  if (self->mouse_grabbed == grabbed)
    return;
  self->mouse_grabbed = grabbed;
  self->have_last = FALSE;
  self->rest_x = self->rest_y = 0;
  update_cursor (self);
#ifdef PISO_HAVE_WAYLAND
  if (self->pointer_lock != NULL)
    {
      GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
      GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;

      if (grabbed && surface != NULL)
        piso_pointer_lock_lock (self->pointer_lock, surface);
      else
        piso_pointer_lock_unlock (self->pointer_lock);
    }
#endif
}

static void
update_grab (PisoSpiceDisplay *self)
{
  gboolean connected = self->session != NULL &&
                       piso_spice_session_get_inputs (self->session) != NULL;
  gboolean want;

  if (!connected || !window_active (self) || !gtk_widget_get_mapped (GTK_WIDGET (self)) ||
      !server_mode (self))
    set_mouse_grabbed (self, FALSE);
  want = connected && window_active (self) && !self->grab_released &&
         (self->pointer_inside || self->mouse_grabbed);
  set_grabbed (self, want);
}

void
piso_spice_display_release_grab (PisoSpiceDisplay *self)
{
  g_return_if_fail (PISO_IS_SPICE_DISPLAY (self));

  self->grab_released = TRUE;
  set_mouse_grabbed (self, FALSE);
  update_grab (self);
}

gboolean
piso_spice_display_get_grab_desktop_keys (PisoSpiceDisplay *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), FALSE);
  return self->grab_desktop_keys;
}

/* Whether a grab also takes the keys that the desktop acts on, before any
 * window sees them (the window manager's Alt+Tab, a screen reader's own
 * keys): an X11 keyboard grab, or the Wayland shortcuts inhibitor. A
 * change applies to a grab under way. */
void
piso_spice_display_set_grab_desktop_keys (PisoSpiceDisplay *self,
                                          gboolean          grab_desktop_keys)
{
  g_return_if_fail (PISO_IS_SPICE_DISPLAY (self));

  grab_desktop_keys = !!grab_desktop_keys;
  if (self->grab_desktop_keys == grab_desktop_keys)
    return;
  self->grab_desktop_keys = grab_desktop_keys;
  set_grabbed (self, self->grabbed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAB_DESKTOP_KEYS]);
}

gboolean
piso_spice_display_get_grabbed (PisoSpiceDisplay *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), FALSE);
  return self->grabbed;
}

const char *
piso_spice_display_get_grab_hint (PisoSpiceDisplay *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), NULL);
  return _("Press Ctrl+Alt to release");
}

static void
window_active_cb (GtkWindow        *window,
                  GParamSpec       *pspec,
                  PisoSpiceDisplay *self)
{
  update_grab (self);
}

static void
mouse_mode_cb (PisoSpiceSession *session,
               GParamSpec       *pspec,
               PisoSpiceDisplay *self)
{
  update_grab (self);
  update_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- the guest's size ---- */

static double
device_scale (PisoSpiceDisplay *self)
{
#if GTK_CHECK_VERSION (4, 12, 0)
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;

  /* the real (fractional) scale, so 150 % asks for 1.5× the logical size */
  if (surface != NULL)
    {
      PISO_NEWER_GTK_BEGIN
      return gdk_surface_get_scale (surface);
      PISO_NEWER_GTK_END
    }
#endif
  return MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
}

void
_piso_spice_display_get_fitting_guest_size (PisoSpiceDisplay *self,
                                            int              *width,
                                            int              *height)
{
  g_return_if_fail (PISO_IS_SPICE_DISPLAY (self));

  *width = self->fitting_width;
  *height = self->fitting_height;
}

/* Asks the guest for the size that fills the widget pixel for pixel on the
 * screen (its size in device pixels): after each allocation and each change
 * of the window's scale. */
static void
request_guest_size (PisoSpiceDisplay *self)
{
  double scale = device_scale (self);
  int width = (int) round (gtk_widget_get_width (GTK_WIDGET (self)) * scale);
  int height = (int) round (gtk_widget_get_height (GTK_WIDGET (self)) * scale);

  self->fitting_width = width;
  self->fitting_height = height;
  if (!self->resize_guest || self->session == NULL || width <= 0 || height <= 0 ||
      !piso_spice_session_get_agent_connected (self->session))
    return;
  self->requested_width = width;
  self->requested_height = height;
  piso_spice_session_request_resolution (self->session, width, height);
}

static void
agent_connected_cb (PisoSpiceSession *session,
                    GParamSpec       *pspec,
                    PisoSpiceDisplay *self)
{
  request_guest_size (self);
}

gboolean
piso_spice_display_get_resize_guest (PisoSpiceDisplay *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), FALSE);
  return self->resize_guest;
}

void
piso_spice_display_set_resize_guest (PisoSpiceDisplay *self,
                                     gboolean          resize_guest)
{
  g_return_if_fail (PISO_IS_SPICE_DISPLAY (self));

  resize_guest = !!resize_guest;
  if (self->resize_guest == resize_guest)
    return;
  self->resize_guest = resize_guest;
  request_guest_size (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIZE_GUEST]);
}

/* ---- keyboard ---- */

static gboolean
is_held (PisoSpiceDisplay *self,
         guint             code)
{
  return (self->held[code / 8] & (1u << (code % 8))) != 0;
}

static void
release_keys (PisoSpiceDisplay *self)
{
  for (guint code = 0; code < N_SCANCODES; code++)
    if (is_held (self, code))
      {
        self->held[code / 8] &= (guint8) ~(1u << (code % 8));
        if (self->session != NULL)
          piso_spice_session_send_key (self->session, code, FALSE);
      }
}

static gboolean
is_ctrl_or_alt (guint code)
{
  return code == SCANCODE_LEFT_CTRL || code == SCANCODE_RIGHT_CTRL ||
         code == SCANCODE_LEFT_ALT || code == SCANCODE_RIGHT_ALT;
}

/* Only a Ctrl and an Alt held */
static gboolean
is_ctrl_alt_only (PisoSpiceDisplay *self)
{
  gboolean ctrl = FALSE, alt = FALSE;

  for (guint code = 0; code < N_SCANCODES; code++)
    if (is_held (self, code))
      {
        if (code == SCANCODE_LEFT_CTRL || code == SCANCODE_RIGHT_CTRL)
          ctrl = TRUE;
        else if (code == SCANCODE_LEFT_ALT || code == SCANCODE_RIGHT_ALT)
          alt = TRUE;
        else
          return FALSE;
      }
  return ctrl && alt;
}

static void
give_focus_away (PisoSpiceDisplay *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (root == NULL)
    return;
  /* (the guest is told the keys are up when the focus leaves) */
  if (!gtk_widget_child_focus (GTK_WIDGET (root), GTK_DIR_TAB_FORWARD))
    {
      /* past the last control: from the first, as Tab goes on */
      gtk_root_set_focus (root, NULL);
      gtk_widget_child_focus (GTK_WIDGET (root), GTK_DIR_TAB_FORWARD);
    }
}

gboolean
_piso_spice_display_handle_keycode (PisoSpiceDisplay *self,
                                    guint             x11_keycode,
                                    gboolean          press)
{
  guint code;

  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), FALSE);

  code = piso_keymap_x11_keycode_to_scancode (x11_keycode);
  if (code == 0 || code >= N_SCANCODES)
    return FALSE;

  if (press)
    self->held[code / 8] |= (guint8) (1u << (code % 8));
  else if (is_held (self, code))
    self->held[code / 8] &= (guint8) ~(1u << (code % 8));
  else
    return TRUE;   /* its press went elsewhere (or was released on focus loss) */

  if (self->session != NULL)
    piso_spice_session_send_key (self->session, code, press);

  /* Ctrl+Alt, pressed together and let go with no other key: give the
   * keyboard and the pointer back. The focus goes on to the next control:
   * every other key goes to the guest, Tab too, so for someone on the
   * keyboard alone this is the way out. */
  if (press)
    self->release_armed = is_ctrl_alt_only (self);
  else if (self->release_armed && is_ctrl_or_alt (code))
    {
      self->release_armed = FALSE;
      if (self->grabbed || self->mouse_grabbed)
        piso_spice_display_release_grab (self);
      if (gtk_widget_has_focus (GTK_WIDGET (self)))
        give_focus_away (self);
    }
  return TRUE;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                PisoSpiceDisplay      *self)
{
  return _piso_spice_display_handle_keycode (self, keycode, TRUE);
}

static void
key_released_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 PisoSpiceDisplay      *self)
{
  _piso_spice_display_handle_keycode (self, keycode, FALSE);
}

static void
focus_leave_cb (GtkEventControllerFocus *controller,
                PisoSpiceDisplay        *self)
{
  release_keys (self);
  set_mouse_grabbed (self, FALSE);
  update_grab (self);
}

/* ---- mouse ---- */

static SpiceInputsChannel *
get_inputs (PisoSpiceDisplay *self)
{
  return self->session != NULL ? piso_spice_session_get_inputs (self->session) : NULL;
}

/* Client mode: the pointer is sent as a position. */
static void
send_position (PisoSpiceDisplay *self,
               double            x,
               double            y)
{
  SpiceInputsChannel *inputs = get_inputs (self);
  PisoDisplayGeometry geometry;
  int gx, gy;

  if (inputs == NULL || !_piso_spice_display_get_geometry (self, &geometry))
    return;
  /* outside the image only while dragging, clamped to its edge */
  if (!piso_display_geometry_widget_to_guest (&geometry, x, y, &gx, &gy) &&
      self->button_state == 0)
    return;
  spice_inputs_channel_position (inputs, gx, gy, 0, self->button_state);
}

#ifdef PISO_HAVE_X11
/* Puts the host's pointer back in the middle of the widget, so it never
 * reaches the edge of the screen while the guest follows its motion. */
static void
warp_to_centre (PisoSpiceDisplay *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;
  GdkDisplay *display = gtk_widget_get_display (widget);
  graphene_point_t centre, in_native;
  double nx, ny;
  int scale;

  if (surface == NULL || !GDK_IS_X11_DISPLAY (display))
    return;
  centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                gtk_widget_get_height (widget) / 2.0);
  if (!gtk_widget_compute_point (widget, GTK_WIDGET (native), &centre, &in_native))
    return;
  gtk_native_get_surface_transform (native, &nx, &ny);
  scale = gdk_surface_get_scale_factor (surface);
  XWarpPointer (gdk_x11_display_get_xdisplay (display), None,
                gdk_x11_surface_get_xid (surface), 0, 0, 0, 0,
                (int) ((in_native.x + nx) * scale), (int) ((in_native.y + ny) * scale));
  gdk_display_flush (display);
  self->last_x = centre.x;
  self->last_y = centre.y;
}
#endif

/* Server mode: the pointer is sent as motion, only while grabbed. */
static void
send_relative (PisoSpiceDisplay *self,
               double            dx,
               double            dy)
{
  SpiceInputsChannel *inputs = get_inputs (self);
  PisoDisplayGeometry geometry;
  int guest_dx, guest_dy;

  _piso_spice_display_get_geometry (self, &geometry);
  if (inputs != NULL &&
      piso_display_geometry_relative_motion (&geometry, dx, dy, &self->rest_x, &self->rest_y,
                                             &guest_dx, &guest_dy))
    spice_inputs_channel_motion (inputs, guest_dx, guest_dy, self->button_state);
}

static void
send_motion (PisoSpiceDisplay *self,
             double            x,
             double            y)
{
  if (!self->have_last)
    {
      self->last_x = x;
      self->last_y = y;
      self->have_last = TRUE;
      return;
    }
  send_relative (self, x - self->last_x, y - self->last_y);
  self->last_x = x;
  self->last_y = y;

#ifdef PISO_HAVE_X11
  {
    double w = gtk_widget_get_width (GTK_WIDGET (self));
    double h = gtk_widget_get_height (GTK_WIDGET (self));

    /* away from the middle by a quarter of the widget: bring it back */
    if (fabs (x - w / 2) > w / 4 || fabs (y - h / 2) > h / 4)
      warp_to_centre (self);
  }
#endif
}

#ifdef PISO_HAVE_WAYLAND
/* Wayland: the compositor holds the pointer still and tells its motion. */
static void
relative_motion_cb (PisoPointerLock  *lock,
                    double            dx,
                    double            dy,
                    PisoSpiceDisplay *self)
{
  if (self->mouse_grabbed && server_mode (self))
    send_relative (self, dx, dy);
}

/* The compositor ended the lock (the window lost the focus, say): the
 * pointer is the host's again. */
static void
pointer_locked_cb (PisoPointerLock  *lock,
                   GParamSpec       *pspec,
                   PisoSpiceDisplay *self)
{
  if (!piso_pointer_lock_get_locked (lock) && self->mouse_grabbed)
    {
      set_mouse_grabbed (self, FALSE);
      update_grab (self);
    }
}
#endif

/**
 * piso_spice_display_get_pointer_locked:
 *
 * Returns: whether the compositor holds the pointer still for server mouse
 *   mode (Wayland; on X11 the display brings the pointer back itself).
 */
gboolean
piso_spice_display_get_pointer_locked (PisoSpiceDisplay *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), FALSE);
#ifdef PISO_HAVE_WAYLAND
  return self->pointer_lock != NULL && piso_pointer_lock_get_locked (self->pointer_lock);
#else
  return FALSE;
#endif
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           PisoSpiceDisplay         *self)
{
  if (server_mode (self))
    {
      /* locked, the motion comes as relative-motion (and no motion
       * events should come at all) */
      if (piso_spice_display_get_pointer_locked (self))
        return;
      if (self->mouse_grabbed)
        send_motion (self, x, y);
    }
  else
    send_position (self, x, y);
}

static void
enter_cb (GtkEventControllerMotion *controller,
          double                    x,
          double                    y,
          PisoSpiceDisplay         *self)
{
  self->pointer_inside = TRUE;
  update_grab (self);
}

static void
leave_cb (GtkEventControllerMotion *controller,
          PisoSpiceDisplay         *self)
{
  self->pointer_inside = FALSE;
  if (!self->mouse_grabbed)
    self->grab_released = FALSE;
  update_grab (self);
}

static int
spice_button (guint gdk_button)
{
  switch (gdk_button)
    {
    case GDK_BUTTON_PRIMARY:   return SPICE_MOUSE_BUTTON_LEFT;
    case GDK_BUTTON_MIDDLE:    return SPICE_MOUSE_BUTTON_MIDDLE;
    case GDK_BUTTON_SECONDARY: return SPICE_MOUSE_BUTTON_RIGHT;
    case 8:                    return SPICE_MOUSE_BUTTON_SIDE;
    case 9:                    return SPICE_MOUSE_BUTTON_EXTRA;
    default:                   return SPICE_MOUSE_BUTTON_INVALID;
    }
}

static void
button_cb (GtkGestureClick  *gesture,
           double            x,
           double            y,
           gboolean          press,
           PisoSpiceDisplay *self)
{
  int button = spice_button (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)));
  SpiceInputsChannel *inputs;
  int mask;

  if (press)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self));
      self->grab_released = FALSE;
      /* server mode: the first click only takes the pointer */
      if (server_mode (self) && !self->mouse_grabbed && get_inputs (self) != NULL)
        {
          set_mouse_grabbed (self, TRUE);
          update_grab (self);
#ifdef PISO_HAVE_X11
          warp_to_centre (self);
          self->have_last = TRUE;
#endif
          return;
        }
      update_grab (self);
    }
  if (button == SPICE_MOUSE_BUTTON_INVALID)
    return;

  mask = 1 << (button - 1);
  if (press == ((self->button_state & mask) != 0))
    return;
  if (!server_mode (self))
    send_position (self, x, y);
  else if (!self->mouse_grabbed)
    return;
  self->button_state ^= mask;

  inputs = get_inputs (self);
  if (inputs == NULL)
    return;
  if (press)
    spice_inputs_channel_button_press (inputs, button, self->button_state);
  else
    spice_inputs_channel_button_release (inputs, button, self->button_state);
}

static void
pressed_cb (GtkGestureClick  *gesture,
            int               n_press,
            double            x,
            double            y,
            PisoSpiceDisplay *self)
{
  button_cb (gesture, x, y, TRUE, self);
}

static void
released_cb (GtkGestureClick  *gesture,
             int               n_press,
             double            x,
             double            y,
             PisoSpiceDisplay *self)
{
  button_cb (gesture, x, y, FALSE, self);
}

static void
release_buttons (PisoSpiceDisplay *self)
{
  SpiceInputsChannel *inputs = get_inputs (self);

  for (int button = SPICE_MOUSE_BUTTON_LEFT; button <= SPICE_MOUSE_BUTTON_EXTRA; button++)
    {
      int mask = 1 << (button - 1);

      if (!(self->button_state & mask))
        continue;
      self->button_state &= ~mask;
      if (inputs != NULL)
        spice_inputs_channel_button_release (inputs, button, self->button_state);
    }
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           PisoSpiceDisplay         *self)
{
  SpiceInputsChannel *inputs = get_inputs (self);
  int button;
  int steps;

  if (inputs == NULL || dy == 0)
    return inputs != NULL;
  if (server_mode (self) && !self->mouse_grabbed)
    return TRUE;

  button = dy < 0 ? SPICE_MOUSE_BUTTON_UP : SPICE_MOUSE_BUTTON_DOWN;
  steps = MAX (1, (int) ABS (dy));
  for (int i = 0; i < steps; i++)
    {
      spice_inputs_channel_button_press (inputs, button,
                                         self->button_state | (1 << (button - 1)));
      spice_inputs_channel_button_release (inputs, button, self->button_state);
    }
  return TRUE;
}

/* ---- session ---- */

PisoSpiceSession *
piso_spice_display_get_session (PisoSpiceDisplay *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), NULL);

  return self->session;
}

void
piso_spice_display_set_session (PisoSpiceDisplay *self,
                                PisoSpiceSession *session)
{
  gint format, width, height, stride;
  guint8 *data;

  g_return_if_fail (PISO_IS_SPICE_DISPLAY (self));
  g_return_if_fail (session == NULL || PISO_IS_SPICE_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      release_keys (self);
      release_buttons (self);
      g_clear_signal_handler (&self->create_id, self->session);
      g_clear_signal_handler (&self->destroy_id, self->session);
      g_clear_signal_handler (&self->invalidate_id, self->session);
      g_clear_signal_handler (&self->cursor_id, self->session);
      g_clear_signal_handler (&self->cursor_move_id, self->session);
      g_clear_signal_handler (&self->mouse_mode_id, self->session);
      g_clear_signal_handler (&self->agent_id, self->session);
      g_clear_signal_handler (&self->inputs_id, self->session);
      g_clear_object (&self->session);
    }
  memset (self->held, 0, sizeof self->held);
  self->button_state = 0;

  if (session != NULL)
    {
      self->session = g_object_ref (session);
      self->create_id = g_signal_connect (session, "primary-create",
                                          G_CALLBACK (_piso_spice_display_primary_create_cb), self);
      self->destroy_id = g_signal_connect (session, "primary-destroy",
                                           G_CALLBACK (_piso_spice_display_primary_destroy_cb), self);
      self->invalidate_id = g_signal_connect (session, "invalidate",
                                              G_CALLBACK (_piso_spice_display_invalidate_cb), self);
      self->cursor_id = g_signal_connect (session, "cursor-changed",
                                          G_CALLBACK (cursor_changed_cb), self);
      self->cursor_move_id = g_signal_connect (session, "cursor-move",
                                               G_CALLBACK (cursor_move_cb), self);
      /* inputs come and go with the connection: the grab follows the state */
      self->mouse_mode_id = g_signal_connect (session, "notify::mouse-mode",
                                              G_CALLBACK (mouse_mode_cb), self);
      self->agent_id = g_signal_connect (session, "notify::agent-connected",
                                         G_CALLBACK (agent_connected_cb), self);
      self->inputs_id = g_signal_connect (session, "notify::has-inputs",
                                         G_CALLBACK (mouse_mode_cb), self);
    }

  if (session != NULL &&
      piso_spice_session_get_primary (session, &format, &width, &height, &stride, &data))
    _piso_spice_display_set_primary (self, format, width, height, stride, data);
  else
    _piso_spice_display_set_primary (self, 0, 0, 0, 0, NULL);

  if (session != NULL)
    cursor_changed_cb (session, self);
  else
    {
      g_clear_object (&self->guest_cursor);
      g_clear_object (&self->cursor_texture);
      update_cursor (self);
    }
  set_mouse_grabbed (self, FALSE);
  update_grab (self);
  request_guest_size (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

guint64
piso_spice_display_get_frames_drawn (PisoSpiceDisplay *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_DISPLAY (self), 0);

  return self->frames_drawn;
}

GtkWidget *
piso_spice_display_new (PisoSpiceSession *session)
{
  return g_object_new (PISO_TYPE_SPICE_DISPLAY, "session", session, NULL);
}

/* ---- GObject ---- */

static void
scale_changed_cb (GObject          *object,
                  GParamSpec       *pspec,
                  PisoSpiceDisplay *self)
{
  request_guest_size (self);
}

static void
piso_spice_display_map (GtkWidget *widget)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (piso_spice_display_parent_class)->map (widget);

  /* the same size in more (or fewer) device pixels: the window moved to
   * another monitor, or its scale was changed (a fractional one from GTK
   * 4.12 on) */
#if GTK_CHECK_VERSION (4, 12, 0)
  self->scale_surface = g_object_ref (gtk_native_get_surface (gtk_widget_get_native (widget)));
  self->scale_id = g_signal_connect (self->scale_surface, "notify::scale",
                                     G_CALLBACK (scale_changed_cb), self);
#else
  self->scale_id = g_signal_connect (widget, "notify::scale-factor",
                                     G_CALLBACK (scale_changed_cb), self);
#endif

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      self->window = g_object_ref (GTK_WINDOW (root));
      self->active_id = g_signal_connect (root, "notify::is-active",
                                          G_CALLBACK (window_active_cb), self);
      piso_display_backdrop_display_mapped (self->window, widget);
    }
#ifdef PISO_HAVE_WAYLAND
  /* made before any click, so the compositor's globals are in by then */
  if (self->pointer_lock == NULL && GDK_IS_WAYLAND_DISPLAY (gtk_widget_get_display (widget)))
    {
      self->pointer_lock = piso_pointer_lock_new (gtk_widget_get_display (widget));
      g_signal_connect (self->pointer_lock, "relative-motion",
                        G_CALLBACK (relative_motion_cb), self);
      g_signal_connect (self->pointer_lock, "notify::locked",
                        G_CALLBACK (pointer_locked_cb), self);
    }
#endif
  update_grab (self);
}

static void
piso_spice_display_unmap (GtkWidget *widget)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (widget);

  release_keys (self);
  release_buttons (self);
  self->pointer_inside = FALSE;
  set_mouse_grabbed (self, FALSE);
  set_grabbed (self, FALSE);
  if (self->window != NULL)
    {
      piso_display_backdrop_display_unmapped (self->window, GTK_WIDGET (self));
      g_clear_signal_handler (&self->active_id, self->window);
      g_clear_object (&self->window);
    }
  g_clear_pointer (&self->frame_node, gsk_render_node_unref);
#if GTK_CHECK_VERSION (4, 12, 0)
  g_clear_signal_handler (&self->scale_id, self->scale_surface);
  g_clear_object (&self->scale_surface);
#else
  g_clear_signal_handler (&self->scale_id, widget);
#endif

  GTK_WIDGET_CLASS (piso_spice_display_parent_class)->unmap (widget);
}

static void
piso_spice_display_dispose (GObject *object)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (object);

  piso_spice_display_set_session (self, NULL);
  _piso_spice_display_clear_tiles (self);
  g_clear_pointer (&self->upload_pool, piso_x11_upload_pool_free);
  g_clear_pointer (&self->frame_node, gsk_render_node_unref);
  g_clear_object (&self->guest_cursor);
  g_clear_object (&self->cursor_texture);
  set_grabbed (self, FALSE);
  if (self->window != NULL)
    {
      piso_display_backdrop_display_unmapped (self->window, GTK_WIDGET (self));
      g_clear_signal_handler (&self->active_id, self->window);
      g_clear_object (&self->window);
    }
#ifdef PISO_HAVE_WAYLAND
  if (self->pointer_lock != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->pointer_lock, self);
      g_clear_object (&self->pointer_lock);
    }
#endif

  G_OBJECT_CLASS (piso_spice_display_parent_class)->dispose (object);
}

static void
piso_spice_display_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_GRABBED:
      g_value_set_boolean (value, self->grabbed);
      break;
    case PROP_RESIZE_GUEST:
      g_value_set_boolean (value, self->resize_guest);
      break;
    case PROP_GRAB_DESKTOP_KEYS:
      g_value_set_boolean (value, self->grab_desktop_keys);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_spice_display_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      piso_spice_display_set_session (self, g_value_get_object (value));
      break;
    case PROP_RESIZE_GUEST:
      piso_spice_display_set_resize_guest (self, g_value_get_boolean (value));
      break;
    case PROP_GRAB_DESKTOP_KEYS:
      piso_spice_display_set_grab_desktop_keys (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_spice_display_class_init (PisoSpiceDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_spice_display_dispose;
  object_class->get_property = piso_spice_display_get_property;
  /* A picture of the guest's screen, which screen readers read out when it
   * takes the focus (a plain widget is passed over as layout) */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "pisospicedisplay");
  object_class->set_property = piso_spice_display_set_property;

  widget_class->snapshot = _piso_spice_display_snapshot;
  widget_class->size_allocate = piso_spice_display_size_allocate;
  widget_class->map = piso_spice_display_map;
  widget_class->unmap = piso_spice_display_unmap;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         PISO_TYPE_SPICE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRABBED] =
    g_param_spec_boolean ("grabbed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESIZE_GUEST] =
    g_param_spec_boolean ("resize-guest", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRAB_DESKTOP_KEYS] =
    g_param_spec_boolean ("grab-desktop-keys", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_spice_display_init (PisoSpiceDisplay *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *click;

  self->resize_guest = TRUE;
  self->grab_desktop_keys = TRUE;

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "enter", G_CALLBACK (enter_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (widget, controller);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  g_signal_connect (click, "released", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL |
                                                GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (widget, controller);
}
