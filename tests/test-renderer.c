/* test-renderer.c: the renderer Piso picks when the user picked none
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gtk/gtk.h>

#include "piso-renderer.h"
#include "piso-test-utils.h"

/* A fresh DRI directory holding @device (if any), removed at exit. */
static char *
make_dri_dir (const char *device)
{
  char *dir = piso_test_make_temp_dir ();

  if (device != NULL)
    {
      g_autofree char *path = g_build_filename (dir, device, NULL);

      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  return dir;
}

static void
test_no_gpu (void)
{
  char *missing = g_build_filename (g_get_tmp_dir (), "piso-no-such-dri-dir", NULL);
  char *empty = make_dri_dir (NULL);
  char *card_only = make_dri_dir ("card0");

  g_unsetenv ("LIBGL_ALWAYS_SOFTWARE");
  g_assert_cmpstr (piso_renderer_default (missing), ==, "cairo");
  g_assert_cmpstr (piso_renderer_default (empty), ==, "cairo");
  /* a display controller alone renders nothing */
  g_assert_cmpstr (piso_renderer_default (card_only), ==, "cairo");
  g_free (missing);
  g_free (empty);
  g_free (card_only);
}

static void
test_gpu (void)
{
  char *dri = make_dri_dir ("renderD128");

  g_unsetenv ("LIBGL_ALWAYS_SOFTWARE");
  g_assert_null (piso_renderer_default (dri));
  g_setenv ("LIBGL_ALWAYS_SOFTWARE", "0", TRUE);
  g_assert_null (piso_renderer_default (dri));
  /* Mesa told to render in software */
  g_setenv ("LIBGL_ALWAYS_SOFTWARE", "1", TRUE);
  g_assert_cmpstr (piso_renderer_default (dri), ==, "cairo");
  g_unsetenv ("LIBGL_ALWAYS_SOFTWARE");
  g_free (dri);
}

static void
test_apply (void)
{
  const char *value;
  const char *variable = piso_renderer_gl_switch (&value);

  /* The switch of the GTK this runs with: GTK 4.8's, or 4.16's and later */
  if (gtk_get_minor_version () >= 16)
    {
      g_assert_cmpstr (variable, ==, "GDK_DISABLE");
      g_assert_cmpstr (value, ==, "gl");
    }
  else
    {
      g_assert_cmpstr (variable, ==, "GDK_DEBUG");
      g_assert_cmpstr (value, ==, "gl-disable");
    }

  /* the user's choice is kept */
  g_setenv ("GSK_RENDERER", "gl", TRUE);
  g_unsetenv (variable);
  piso_renderer_apply_default ();
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "gl");
  g_assert_null (g_getenv (variable));

  /* cairo skips GDK's OpenGL set-up, unless the user set the variable */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  piso_renderer_apply_default ();
  g_assert_cmpstr (g_getenv (variable), ==, value);
  g_setenv (variable, "misc", TRUE);
  piso_renderer_apply_default ();
  g_assert_cmpstr (g_getenv (variable), ==, "misc");

  /* none chosen: this host's own default, whichever it is */
  g_unsetenv ("GSK_RENDERER");
  g_unsetenv (variable);
  piso_renderer_apply_default ();
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, piso_renderer_default ("/dev/dri"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/renderer/no-gpu", test_no_gpu);
  g_test_add_func ("/renderer/gpu", test_gpu);
  g_test_add_func ("/renderer/apply", test_apply);
  return g_test_run ();
}
