/* piso-spice-display.c: a GTK4 widget showing a SPICE session's screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-spice-display"

#include "config.h"

#include "piso-spice-display.h"

#include "piso-display-geometry.h"
#include "piso-keymap.h"
#include "piso-surface-format.h"

/* GTK 4.8 cannot update part of a texture: the surface is cut into tiles,
 * each its own texture, and only the damaged ones are converted again. */
#define TILE_SIZE 256

/* Scancodes go up to 0x100 | 0x7f. */
#define N_SCANCODES 0x200

struct _PisoSpiceDisplay
{
  GtkWidget         parent_instance;

  PisoSpiceSession *session;
  gulong            create_id;
  gulong            destroy_id;
  gulong            invalidate_id;

  /* The primary surface (owned by the session) */
  gint              format;
  gint              width;
  gint              height;
  gint              stride;
  const guint8     *data;

  /* cols × rows tiles; NULL or dirty ones are converted at the next snapshot */
  int               cols;
  int               rows;
  GdkTexture      **tiles;
  gboolean         *dirty;

  gboolean          draw_queued;   /* a redraw is queued and not drawn yet */
  gboolean          new_content;   /* damage arrived since the last snapshot */
  guint64           frames_drawn;

  guint8            held[N_SCANCODES / 8];
  gint              button_state;  /* SPICE_MOUSE_BUTTON_MASK_* */
};

G_DEFINE_FINAL_TYPE (PisoSpiceDisplay, piso_spice_display, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- surface and tiles ---- */

static void
clear_tiles (PisoSpiceDisplay *self)
{
  for (int i = 0; i < self->cols * self->rows; i++)
    g_clear_object (&self->tiles[i]);
  g_clear_pointer (&self->tiles, g_free);
  g_clear_pointer (&self->dirty, g_free);
  self->cols = 0;
  self->rows = 0;
}

static void
queue_frame (PisoSpiceDisplay *self)
{
  self->new_content = TRUE;
  if (!self->draw_queued)
    {
      self->draw_queued = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
set_primary (PisoSpiceDisplay *self,
             gint              format,
             gint              width,
             gint              height,
             gint              stride,
             const guint8     *data)
{
  clear_tiles (self);
  self->data = NULL;
  self->width = self->height = 0;

  if (data != NULL && width > 0 && height > 0)
    {
      if (!piso_surface_format_is_supported ((guint) format))
        {
          g_warning ("Unsupported SPICE surface format %d", format);
        }
      else
        {
          self->format = format;
          self->width = width;
          self->height = height;
          self->stride = stride;
          self->data = data;
          self->cols = (width + TILE_SIZE - 1) / TILE_SIZE;
          self->rows = (height + TILE_SIZE - 1) / TILE_SIZE;
          self->tiles = g_new0 (GdkTexture *, (gsize) self->cols * self->rows);
          self->dirty = g_new0 (gboolean, (gsize) self->cols * self->rows);
        }
    }
  queue_frame (self);
}

static void
primary_create_cb (PisoSpiceSession *session,
                   gint              format,
                   gint              width,
                   gint              height,
                   gint              stride,
                   gpointer          data,
                   PisoSpiceDisplay *self)
{
  set_primary (self, format, width, height, stride, data);
}

static void
primary_destroy_cb (PisoSpiceSession *session,
                    PisoSpiceDisplay *self)
{
  set_primary (self, 0, 0, 0, 0, NULL);
}

static void
invalidate_cb (PisoSpiceSession *session,
               gint              x,
               gint              y,
               gint              width,
               gint              height,
               PisoSpiceDisplay *self)
{
  int x0, y0, x1, y1;

  if (self->data == NULL)
    return;

  x0 = MAX (x, 0);
  y0 = MAX (y, 0);
  x1 = MIN (x + width, self->width);
  y1 = MIN (y + height, self->height);
  if (x1 <= x0 || y1 <= y0)
    return;

  for (int row = y0 / TILE_SIZE; row <= (y1 - 1) / TILE_SIZE; row++)
    for (int col = x0 / TILE_SIZE; col <= (x1 - 1) / TILE_SIZE; col++)
      self->dirty[row * self->cols + col] = TRUE;

  queue_frame (self);
}

static GdkTexture *
convert_tile (PisoSpiceDisplay *self,
              int               col,
              int               row)
{
  g_autoptr(GBytes) bytes = NULL;
  int x = col * TILE_SIZE;
  int y = row * TILE_SIZE;
  int w = MIN (TILE_SIZE, self->width - x);
  int h = MIN (TILE_SIZE, self->height - y);
  gsize dest_stride = (gsize) w * PISO_SURFACE_FORMAT_DEST_BPP;
  guint8 *pixels = g_malloc (dest_stride * h);

  piso_surface_format_convert (self->data, self->stride, self->format,
                               x, y, w, h, pixels, dest_stride);
  bytes = g_bytes_new_take (pixels, dest_stride * h);

  return gdk_memory_texture_new (w, h, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, dest_stride);
}

/* ---- geometry ---- */

static gboolean
get_geometry (PisoSpiceDisplay    *self,
              PisoDisplayGeometry *geometry)
{
  GtkWidget *widget = GTK_WIDGET (self);

  *geometry = (PisoDisplayGeometry) {
    .guest_width = self->width,
    .guest_height = self->height,
    .widget_width = gtk_widget_get_width (widget),
    .widget_height = gtk_widget_get_height (widget),
    .scale_factor = gtk_widget_get_scale_factor (widget),
    .scale_to_fit = TRUE,
  };
  if (self->data == NULL)
    return FALSE;
  piso_display_geometry_update (geometry);

  return !piso_display_geometry_is_empty (geometry);
}

static void
piso_spice_display_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (widget);
  PisoDisplayGeometry geometry;
  GdkRGBA black = { 0, 0, 0, 1 };
  double sx, sy;

  self->draw_queued = FALSE;

  gtk_snapshot_append_color (snapshot, &black,
                             &GRAPHENE_RECT_INIT (0, 0,
                                                  gtk_widget_get_width (widget),
                                                  gtk_widget_get_height (widget)));
  if (!get_geometry (self, &geometry))
    return;

  if (self->new_content)
    {
      self->new_content = FALSE;
      self->frames_drawn++;
    }

  sx = geometry.dest_width / self->width;
  sy = geometry.dest_height / self->height;

  for (int row = 0; row < self->rows; row++)
    for (int col = 0; col < self->cols; col++)
      {
        int i = row * self->cols + col;
        int x = col * TILE_SIZE;
        int y = row * TILE_SIZE;
        int w, h;

        if (self->tiles[i] == NULL || self->dirty[i])
          {
            g_clear_object (&self->tiles[i]);
            self->tiles[i] = convert_tile (self, col, row);
            self->dirty[i] = FALSE;
          }
        w = gdk_texture_get_width (self->tiles[i]);
        h = gdk_texture_get_height (self->tiles[i]);
        gtk_snapshot_append_texture (snapshot, self->tiles[i],
                                     &GRAPHENE_RECT_INIT (geometry.dest_x + x * sx,
                                                          geometry.dest_y + y * sy,
                                                          w * sx, h * sy));
      }
}

/* ---- keyboard ---- */

static void
release_keys (PisoSpiceDisplay *self)
{
  for (guint code = 0; code < N_SCANCODES; code++)
    if (self->held[code / 8] & (1u << (code % 8)))
      {
        self->held[code / 8] &= (guint8) ~(1u << (code % 8));
        if (self->session != NULL)
          piso_spice_session_send_key (self->session, code, FALSE);
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
  else if (self->held[code / 8] & (1u << (code % 8)))
    self->held[code / 8] &= (guint8) ~(1u << (code % 8));
  else
    return TRUE;   /* its press went elsewhere (or was released on focus loss) */

  if (self->session != NULL)
    piso_spice_session_send_key (self->session, code, press);
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
}

/* ---- mouse ---- */

static SpiceInputsChannel *
get_inputs (PisoSpiceDisplay *self)
{
  return self->session != NULL ? piso_spice_session_get_inputs (self->session) : NULL;
}

/* The guest has an absolute pointing device (a USB tablet), so the pointer
 * is always sent as a position (SPICE client mouse mode). */
static void
send_position (PisoSpiceDisplay *self,
               double            x,
               double            y)
{
  SpiceInputsChannel *inputs = get_inputs (self);
  PisoDisplayGeometry geometry;
  int gx, gy;

  if (inputs == NULL || !get_geometry (self, &geometry))
    return;
  /* outside the image only while dragging, clamped to its edge */
  if (!piso_display_geometry_widget_to_guest (&geometry, x, y, &gx, &gy) &&
      self->button_state == 0)
    return;
  spice_inputs_channel_position (inputs, gx, gy, 0, self->button_state);
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           PisoSpiceDisplay         *self)
{
  send_position (self, x, y);
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
    gtk_widget_grab_focus (GTK_WIDGET (self));
  if (button == SPICE_MOUSE_BUTTON_INVALID)
    return;

  mask = 1 << (button - 1);
  if (press == ((self->button_state & mask) != 0))
    return;
  send_position (self, x, y);
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
      g_clear_object (&self->session);
    }
  memset (self->held, 0, sizeof self->held);
  self->button_state = 0;

  if (session != NULL)
    {
      self->session = g_object_ref (session);
      self->create_id = g_signal_connect (session, "primary-create",
                                          G_CALLBACK (primary_create_cb), self);
      self->destroy_id = g_signal_connect (session, "primary-destroy",
                                           G_CALLBACK (primary_destroy_cb), self);
      self->invalidate_id = g_signal_connect (session, "invalidate",
                                              G_CALLBACK (invalidate_cb), self);
    }

  if (session != NULL &&
      piso_spice_session_get_primary (session, &format, &width, &height, &stride, &data))
    set_primary (self, format, width, height, stride, data);
  else
    set_primary (self, 0, 0, 0, 0, NULL);

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
piso_spice_display_unmap (GtkWidget *widget)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (widget);

  release_keys (self);
  release_buttons (self);

  GTK_WIDGET_CLASS (piso_spice_display_parent_class)->unmap (widget);
}

static void
piso_spice_display_dispose (GObject *object)
{
  PisoSpiceDisplay *self = PISO_SPICE_DISPLAY (object);

  piso_spice_display_set_session (self, NULL);
  clear_tiles (self);

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
  object_class->set_property = piso_spice_display_set_property;

  widget_class->snapshot = piso_spice_display_snapshot;
  widget_class->unmap = piso_spice_display_unmap;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         PISO_TYPE_SPICE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_spice_display_init (PisoSpiceDisplay *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *click;

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
