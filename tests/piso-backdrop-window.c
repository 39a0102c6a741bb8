/* piso-backdrop-window.c: a plain window drawn as Piso's windows are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-backdrop-window.h"

#include "piso-display-backdrop.h"

struct _PisoBackdropWindow
{
  GtkWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (PisoBackdropWindow, piso_backdrop_window, GTK_TYPE_WINDOW)

static void
piso_backdrop_window_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  piso_display_backdrop_snapshot (widget, snapshot,
                                  GTK_WIDGET_CLASS (piso_backdrop_window_parent_class)->snapshot);
}

static void
piso_backdrop_window_class_init (PisoBackdropWindowClass *klass)
{
  GTK_WIDGET_CLASS (klass)->snapshot = piso_backdrop_window_snapshot;
}

static void
piso_backdrop_window_init (PisoBackdropWindow *self)
{
  piso_display_backdrop_attach (GTK_WINDOW (self));
}

GtkWidget *
piso_backdrop_window_new (void)
{
  return g_object_new (PISO_TYPE_BACKDROP_WINDOW, NULL);
}
