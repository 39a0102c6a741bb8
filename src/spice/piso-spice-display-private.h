/* piso-spice-display-private.h: PisoSpiceDisplay's insides, shared by its
 * input (piso-spice-display.c) and drawing (piso-spice-display-draw.c) parts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-display-geometry.h"
#include "piso-spice-display.h"
#include "piso-x11-upload-pool.h"
#ifdef PISO_HAVE_WAYLAND
#include "piso-pointer-lock.h"
#endif

G_BEGIN_DECLS

/* GTK 4.8 cannot update part of a texture: the converted copy of the surface
 * is shown through tiles, each a texture (or, with the cairo renderer, a
 * node) viewing its part, and only the damaged ones are remade and redrawn.
 * (64 px tiles drew no faster in bench-console and showed their edges as
 * faint lines when scaled.) */
#define TILE_SIZE 256

#define BURST_MS 3

/* Scancodes go up to 0x100 | 0x7f. */
#define N_SCANCODES 0x200


typedef struct
{
  GdkTexture    *texture;  /* a view of the converted copy; NULL: make one */
  GskRenderNode *node;     /* cairo renderer: a node painting the surface */
  /* damage not converted yet, in surface pixels; empty when x1 <= x0 */
  int         x0, y0, x1, y1;
} Tile;

struct _PisoSpiceDisplay
{
  GtkWidget         parent_instance;

  PisoSpiceSession *session;
  gulong            create_id;
  gulong            destroy_id;
  gulong            invalidate_id;
  gulong            cursor_id;
  gulong            cursor_move_id;
  gulong            mouse_mode_id;
  gulong            agent_id;
  gulong            inputs_id;

  /* The primary surface (owned by the session) */
  gint              format;
  gint              width;
  gint              height;
  gint              stride;
  const guint8     *data;

  /* Its converted copy (B8G8R8A8, opaque), one row of slack at the end so
   * that every view holds stride × height bytes, as GTK asks. Textures view
   * it without copying; a part is only rewritten after the textures viewing
   * it were replaced, so no texture that is still drawn changes. */
  GBytes           *copy;
  guint8           *copy_data;
  gsize             copy_stride;

  int               cols;
  int               rows;
  Tile             *tiles;
  int               n_damaged;     /* tiles with damage */
  gboolean          tiles_exact;   /* the views were made for 1:1 (no overlap) */
  gboolean          all_changed;   /* the last damage covered every tile */
  /* one texture for the whole screen, after a frame that changed all of it */
  GdkTexture       *whole;
#if GTK_CHECK_VERSION (4, 16, 0)
  /* GTK 4.16 updates a texture in place: one texture for the surface, made
   * from the last one and the region that changed */
  GdkTexture       *update_base;
  cairo_region_t   *update_region;
#endif

  /* With the cairo renderer, textures cost a conversion through floats on
   * every draw (GTK 4.8), so the surface is painted by cairo nodes instead,
   * straight from the guest's pixels (32-bit) or from the copy (16-bit).
   * Nodes are kept while their part does not change, so GTK sees the same
   * node and redraws nothing there. */
  gboolean          cairo_mode;
  cairo_surface_t  *cairo_source;
  GskRenderNode    *whole_node;
  PisoX11UploadPool *upload_pool;  /* cairo on X11: keeps the frame upload's memory */
  graphene_rect_t   nodes_dest;    /* the geometry the nodes were made for */
  gboolean          nodes_exact;   /* … and it is 1:1 */

  GskRenderNode    *frame_node;    /* all the widget drew last */
  int               frame_width;
  int               frame_height;

  gboolean          draw_queued;   /* a redraw is queued and not drawn yet */
  guint             burst_id;      /* waiting for the rest of a burst of updates */
  guint64           frames_drawn;
  /* textures made for the renderer and the pixels it has to upload for them */
  guint64           textures_made;
  guint64           pixels_uploaded;

  /* the guest's pointer */
  GdkCursor        *guest_cursor;  /* NULL: default */
  GdkTexture       *cursor_texture; /* drawn by us in server mode */
  int               cursor_hot_x;
  int               cursor_hot_y;
  gboolean          cursor_hidden;

  /* input */
  guint8            held[N_SCANCODES / 8];
  /* Ctrl and Alt are down with no other key since: letting one go gives
   * the keyboard back (Ctrl+Alt+Del still reaches the guest) */
  gboolean          release_armed;
  gint              button_state;  /* SPICE_MOUSE_BUTTON_MASK_* */
  gboolean          pointer_inside;
  gboolean          grab_released; /* Ctrl+Alt: stay ungrabbed until leave or click */
  gboolean          grabbed;
  gboolean          mouse_grabbed; /* server mode */
  GdkToplevel      *inhibited;     /* where the shortcuts are inhibited */
  gboolean          x11_grabbed;   /* the X keyboard is grabbed (GTK 4 has no X11 inhibit) */
  gboolean          grab_desktop_keys; /* a grab takes the desktop's keys too */
  GtkWindow        *window;        /* watched for "is-active" while mapped */
  gulong            active_id;
  double            last_x;
  double            last_y;
  gboolean          have_last;
  double            rest_x;
  double            rest_y;
#ifdef PISO_HAVE_WAYLAND
  PisoPointerLock  *pointer_lock;  /* Wayland: server mode's motion comes from it */
#endif

  gboolean          resize_guest;
  int               requested_width;
  int               requested_height;
  int               fitting_width;   /* the guest size that fits, as last seen */
  int               fitting_height;
#if GTK_CHECK_VERSION (4, 12, 0)
  GdkSurface       *scale_surface;   /* watched for its scale while mapped */
#endif
  gulong            scale_id;
};

void     _piso_spice_display_clear_tiles        (PisoSpiceDisplay    *self);
void     _piso_spice_display_set_primary        (PisoSpiceDisplay    *self,
                                                 gint                 format,
                                                 gint                 width,
                                                 gint                 height,
                                                 gint                 stride,
                                                 const guint8        *data);
gboolean _piso_spice_display_get_geometry       (PisoSpiceDisplay    *self,
                                                 PisoDisplayGeometry *geometry);
void     _piso_spice_display_snapshot           (GtkWidget           *widget,
                                                 GtkSnapshot         *snapshot);
GskRenderNode *_piso_spice_display_get_frame    (PisoSpiceDisplay    *self,
                                                 graphene_rect_t     *rect);
void     _piso_spice_display_primary_create_cb  (PisoSpiceSession    *session,
                                                 gint                 format,
                                                 gint                 width,
                                                 gint                 height,
                                                 gint                 stride,
                                                 gpointer             data,
                                                 PisoSpiceDisplay    *self);
void     _piso_spice_display_primary_destroy_cb (PisoSpiceSession    *session,
                                                 PisoSpiceDisplay    *self);
void     _piso_spice_display_invalidate_cb      (PisoSpiceSession    *session,
                                                 gint                 x,
                                                 gint                 y,
                                                 gint                 width,
                                                 gint                 height,
                                                 PisoSpiceDisplay    *self);

G_END_DECLS
