/* piso-renderer.c: which GTK renderer Piso starts with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where OpenGL can only be software-rendered (llvmpipe: no GPU, a virtual
 * machine, Xvfb), GTK's GL renderer costs Piso far more than its cairo one,
 * measured on the same machine (README, "Benchmarks"): with 1000 machines
 * the list shows in 0.6 s instead of 0.8-1.0 s with 113 MiB instead of
 * 241 MiB, and a console repainting 26 times a second costs 3 % of a core
 * instead of 19 %. So with no GPU Piso asks for cairo, unless the user chose
 * a renderer (GSK_RENDERER). A GPU is recognised by a DRI render node, the
 * device Mesa needs for hardware rendering under both X11 and Wayland.
 */
#define G_LOG_DOMAIN "piso"

#include "config.h"

#include <gtk/gtk.h>

#include "piso-renderer.h"

static gboolean
has_render_node (const char *dri_dir)
{
  g_autoptr(GDir) dir = g_dir_open (dri_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

/* "cairo" when OpenGL would be software-rendered (no render node in
 * @dri_dir, or Mesa told to: LIBGL_ALWAYS_SOFTWARE), else NULL: GTK's own
 * choice. */
const char *
piso_renderer_default (const char *dri_dir)
{
  const char *software = g_getenv ("LIBGL_ALWAYS_SOFTWARE");

  if ((software != NULL && *software != '\0' && g_strcmp0 (software, "0") != 0) ||
      !has_render_node (dri_dir))
    return "cairo";
  return NULL;
}

const char *
piso_renderer_gl_switch (const char **value)
{
  /* GTK 4.16 moved the switch from GDK_DEBUG=gl-disable to GDK_DISABLE=gl
   * (4.18 only warns "Unrecognized value" at the old one, and sets GL up) */
  if (gtk_get_major_version () == 4 && gtk_get_minor_version () >= 16)
    {
      *value = "gl";
      return "GDK_DISABLE";
    }
  *value = "gl-disable";
  return "GDK_DEBUG";
}

/* Before GTK starts: sets GSK_RENDERER when the user did not. With cairo
 * also skips GDK's OpenGL set-up on X11, which otherwise maps Mesa and LLVM
 * (about 50 MiB) for nothing, unless the user set that switch's variable. */
void
piso_renderer_apply_default (void)
{
  const char *renderer = g_getenv ("GSK_RENDERER");
  const char *value;
  const char *variable = piso_renderer_gl_switch (&value);

  if (renderer == NULL || *renderer == '\0')
    {
      renderer = piso_renderer_default ("/dev/dri");
      if (renderer != NULL)
        g_setenv ("GSK_RENDERER", renderer, TRUE);
    }
  if (g_strcmp0 (renderer, "cairo") == 0 && g_getenv (variable) == NULL)
    g_setenv (variable, value, FALSE);
}
