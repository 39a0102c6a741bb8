/* main.c: starts Piso
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "piso-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PisoApplication) app = NULL;
  g_autoptr(GError) error = NULL;

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
