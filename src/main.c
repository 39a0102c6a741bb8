/* main.c: starts Piso
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso"

#include "config.h"

#include <locale.h>
#include <malloc.h>
#include <glib/gi18n.h>

#include "piso-application.h"
#include "piso-renderer.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PisoApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  /* Worker threads read thousands of definitions at start-up; each thread
   * that allocates gets its own malloc arena, which keeps its high-water
   * mark for the life of the process, and threads past the limit share
   * one. Four: libvirt's first listing (a worker) rarely shares with GTK
   * starting up on the main thread, which with two made it up to 40 %
   * slower, and peak memory stays within 5 MiB of two. */
  mallopt (M_ARENA_MAX, 4);

  /* cairo where OpenGL would be software-rendered (measured: see there) */
  piso_renderer_apply_default ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* libvirt's event loop runs on GLib's: register it before any connection */
  if (!piso_backend_init (&error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  app = piso_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
