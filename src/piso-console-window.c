/* piso-console-window.c: a machine's console in a window of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-console-window"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-console-window.h"
#include "piso-display-backdrop.h"

struct _PisoConsoleWindow
{
  AdwWindow         parent_instance;

  GBinding         *title_binding;
  guint             attached : 1;

  /* Template children */
  AdwHeaderBar     *header_bar;
  AdwToastOverlay  *toast_overlay;
  PisoConsoleView  *view;
  AdwWindowTitle   *window_title;
};

G_DEFINE_FINAL_TYPE (PisoConsoleWindow, piso_console_window, ADW_TYPE_WINDOW)

enum {
  ATTACH_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Once: the page takes the console back before the window goes */
static void
piso_console_window_emit_attach (PisoConsoleWindow *self)
{
  if (self->attached)
    return;

  self->attached = TRUE;
  g_signal_emit (self, signals[ATTACH_REQUESTED], 0);
}

static void
piso_console_window_attach_cb (PisoConsoleWindow *self)
{
  g_assert (PISO_IS_CONSOLE_WINDOW (self));

  piso_console_window_emit_attach (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
piso_console_window_toggle_fullscreen (PisoConsoleWindow *self)
{
  g_return_if_fail (PISO_IS_CONSOLE_WINDOW (self));

  if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
    gtk_window_unfullscreen (GTK_WINDOW (self));
  else
    gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
piso_console_window_toggle_fullscreen_cb (PisoConsoleWindow *self)
{
  piso_console_window_toggle_fullscreen (self);
}

static void
piso_console_window_fullscreened_cb (PisoConsoleWindow *self)
{
  gboolean fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !fullscreen);
  piso_console_view_set_toolbar_autohide (self->view, fullscreen);
}

static void
piso_console_window_toast_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  PisoConsoleWindow *self = PISO_CONSOLE_WINDOW (widget);
  g_autoptr(AdwToast) toast = adw_toast_new (g_variant_get_string (parameter, NULL));

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, g_steal_pointer (&toast));
}

static gboolean
piso_console_window_close_request (GtkWindow *window)
{
  piso_console_window_emit_attach (PISO_CONSOLE_WINDOW (window));

  return GTK_WINDOW_CLASS (piso_console_window_parent_class)->close_request (window);
}

GtkWidget *
piso_console_window_new (void)
{
  return g_object_new (PISO_TYPE_CONSOLE_WINDOW, NULL);
}

PisoConsoleView *
piso_console_window_get_view (PisoConsoleWindow *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_WINDOW (self), NULL);

  return self->view;
}

PisoMachine *
piso_console_window_get_machine (PisoConsoleWindow *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_WINDOW (self), NULL);

  return piso_console_view_get_machine (self->view);
}

void
piso_console_window_take_over (PisoConsoleWindow *self,
                               PisoConsoleView   *from)
{
  PisoMachine *machine;

  g_return_if_fail (PISO_IS_CONSOLE_WINDOW (self));
  g_return_if_fail (PISO_IS_CONSOLE_VIEW (from));

  piso_console_view_take_over (self->view, from);

  if (self->title_binding != NULL)
    g_binding_unbind (self->title_binding);
  g_clear_object (&self->title_binding);
  machine = piso_console_view_get_machine (self->view);
  if (machine != NULL)
    {
      self->title_binding = g_object_ref (g_object_bind_property (machine, "display-name",
                                                                  self->window_title, "title",
                                                                  G_BINDING_SYNC_CREATE));
    }
}

static void
piso_console_window_dispose (GObject *object)
{
  PisoConsoleWindow *self = (PisoConsoleWindow *)object;

  if (self->title_binding != NULL)
    g_binding_unbind (self->title_binding);
  g_clear_object (&self->title_binding);
  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_CONSOLE_WINDOW);

  G_OBJECT_CLASS (piso_console_window_parent_class)->dispose (object);
}

static void
piso_console_window_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  piso_display_backdrop_snapshot (widget, snapshot,
                                  GTK_WIDGET_CLASS (piso_console_window_parent_class)->snapshot);
}

static void
piso_console_window_class_init (PisoConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = piso_console_window_dispose;
  window_class->close_request = piso_console_window_close_request;
  widget_class->snapshot = piso_console_window_snapshot;

  signals[ATTACH_REQUESTED] =
    g_signal_new ("attach-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-console-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleWindow, view);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleWindow, window_title);
  gtk_widget_class_bind_template_callback (widget_class, piso_console_window_attach_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_console_window_toggle_fullscreen_cb);

  gtk_widget_class_install_action (widget_class, "win.toast", "s",
                                   piso_console_window_toast_action);

  g_type_ensure (PISO_TYPE_CONSOLE_VIEW);
}

static void
piso_console_window_init (PisoConsoleWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  piso_display_backdrop_attach (GTK_WINDOW (self));

  piso_console_view_set_detached (self->view, TRUE);
  g_object_bind_property (self->window_title, "title", self, "title", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self, "notify::fullscreened",
                           G_CALLBACK (piso_console_window_fullscreened_cb),
                           self, G_CONNECT_SWAPPED);
}
