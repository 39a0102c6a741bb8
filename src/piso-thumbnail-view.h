/* piso-thumbnail-view.h: a machine's screen, small, in a fixed-size slot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PISO_TYPE_THUMBNAIL_VIEW (piso_thumbnail_view_get_type ())

G_DECLARE_FINAL_TYPE (PisoThumbnailView, piso_thumbnail_view, PISO, THUMBNAIL_VIEW, GtkWidget)

GtkWidget  *piso_thumbnail_view_new         (void);
GdkTexture *piso_thumbnail_view_get_texture (PisoThumbnailView *self);
/* NULL shows the empty slot (a faint frame: no screen to show). */
void        piso_thumbnail_view_set_texture (PisoThumbnailView *self,
                                             GdkTexture        *texture);

G_END_DECLS
