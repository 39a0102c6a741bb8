/* piso-renderer.h: which GTK renderer Piso starts with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *piso_renderer_default       (const char *dri_dir);
void        piso_renderer_apply_default (void);
/* The environment variable (returned) and @value that keep GDK from setting
 * OpenGL up, for the GTK this runs with. */
const char *piso_renderer_gl_switch     (const char **value);

G_END_DECLS
