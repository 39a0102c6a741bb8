/* piso-display-backdrop.h: a window background painted around the console
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*PisoSnapshotFunc) (GtkWidget   *widget,
                                  GtkSnapshot *snapshot);

/* A window that may show a PisoSpiceDisplay calls attach once (at init) and
 * draws through piso_display_backdrop_snapshot() from its snapshot vfunc,
 * passing its parent class's snapshot. While the window is drawn by the
 * cairo renderer it then paints its own background, leaving out the part
 * its mapped display covers with opaque pixels: there cairo can replay the
 * console's frame straight into GTK's frame image (see the .c file). Other
 * windows look and draw exactly as before. */
void     piso_display_backdrop_attach    (GtkWindow        *window);
void     piso_display_backdrop_snapshot  (GtkWidget        *window,
                                          GtkSnapshot      *snapshot,
                                          PisoSnapshotFunc  snapshot_children);

/* PisoSpiceDisplay says when it is shown in @window, and when no more (the
 * window leaves out the last one mapped). */
void     piso_display_backdrop_display_mapped   (GtkWindow *window,
                                                 GtkWidget *display);
void     piso_display_backdrop_display_unmapped (GtkWindow *window,
                                                 GtkWidget *display);

/* After a frame: whether the window left a hole in its background for its
 * display, where (window coordinates), and whether nothing else in the
 * window was drawn under that hole before the display (so that cairo's
 * frame image is still clear when the display's frame is painted). */
gboolean piso_display_backdrop_get_hole  (GtkWidget        *window,
                                          graphene_rect_t  *hole,
                                          gboolean         *nothing_below);

/* The walk behind it, for tests: finds @target in @content through
 * containers, translations and rectangle clips only, and returns the part
 * of @target_rect (in @target's coordinates) it covers, in @content's
 * coordinates. @nothing_below: no node drawn before @target intersects it. */
gboolean piso_display_backdrop_find_hole (GskRenderNode         *content,
                                          GskRenderNode         *target,
                                          const graphene_rect_t *target_rect,
                                          graphene_rect_t       *hole,
                                          gboolean              *nothing_below);

G_END_DECLS
