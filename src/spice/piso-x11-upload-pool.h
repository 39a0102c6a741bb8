/* piso-x11-upload-pool.h: keeps cairo-xlib's shared memory between frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _PisoX11UploadPool PisoX11UploadPool;

void piso_x11_upload_pool_cover (PisoX11UploadPool **pool,
                                 GtkWidget          *widget);
void piso_x11_upload_pool_free  (PisoX11UploadPool  *pool);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoX11UploadPool, piso_x11_upload_pool_free)

G_END_DECLS
