/* piso-console-page.c: the machine page's Console view, inline or detached
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-console-page"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-console-page.h"

struct _PisoConsolePage
{
  AdwBin            parent_instance;

  PisoMachine      *machine;
  /* PisoConsoleWindow, one per detached machine */
  GPtrArray        *windows;
  /* The machine page's, to pick its default view (weak pointers) */
  AdwViewStack         *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  GBinding             *bar_binding;
  guint             user_picked : 1;
  guint             picking : 1;

  /* Template children */
  GtkStack         *stack;
  PisoConsoleView  *view;
};

G_DEFINE_FINAL_TYPE (PisoConsolePage, piso_console_page, ADW_TYPE_BIN)

static PisoConsoleWindow *
piso_console_page_find_window (PisoConsolePage *self,
                               PisoMachine     *machine)
{
  if (machine == NULL)
    return NULL;

  for (guint i = 0; i < self->windows->len; i++)
    {
      PisoConsoleWindow *window = g_ptr_array_index (self->windows, i);

      if (piso_console_window_get_machine (window) == machine)
        return window;
    }

  return NULL;
}

static void
piso_console_page_update (PisoConsolePage *self)
{
  PisoConsoleWindow *window = piso_console_page_find_window (self, self->machine);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console-page.attach", window != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console-page.present", window != NULL);

  if (window != NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "detached");
    }
  else
    {
      piso_console_view_set_machine (self->view, self->machine);
      gtk_stack_set_visible_child_name (self->stack, "view");
    }
}

/* Console for a running machine, Overview for one that is off; the user's
 * own choice wins until another machine is shown. A machine that stops
 * keeps its console (which then says so, with a Start button); one that
 * starts brings its console up. */
static void
piso_console_page_pick_view (PisoConsolePage *self,
                             gboolean         shown_now)
{
  PisoMachineState state;
  gboolean runs;

  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title,
                                       self->machine != NULL ? self->view_stack : NULL);

  if (self->view_stack == NULL || self->machine == NULL || self->user_picked)
    return;

  state = piso_machine_get_state (self->machine);
  runs = state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED ||
         state == PISO_MACHINE_STATE_SHUTTING_DOWN || state == PISO_MACHINE_STATE_SUSPENDED;
  if (!runs && !shown_now)
    return;

  self->picking = TRUE;
  adw_view_stack_set_visible_child_name (self->view_stack, runs ? "console" : "overview");
  self->picking = FALSE;
}

static void
piso_console_page_state_cb (PisoConsolePage *self)
{
  piso_console_page_pick_view (self, FALSE);
}

static void
piso_console_page_view_picked_cb (PisoConsolePage *self)
{
  if (!self->picking && self->machine != NULL)
    self->user_picked = TRUE;
}

static void
piso_console_page_window_attach_cb (PisoConsolePage   *self,
                                    PisoConsoleWindow *window)
{
  g_assert (PISO_IS_CONSOLE_PAGE (self));

  /* The connection comes back with it when its machine is the one shown */
  if (self->machine != NULL && piso_console_window_get_machine (window) == self->machine)
    piso_console_view_take_over (self->view, piso_console_window_get_view (window));

  g_signal_handlers_disconnect_by_data (window, self);
  g_ptr_array_remove (self->windows, window);
  piso_console_page_update (self);
}

/* Destroyed without asking to attach (the application quits) */
static void
piso_console_page_window_destroy_cb (PisoConsolePage   *self,
                                     PisoConsoleWindow *window)
{
  g_signal_handlers_disconnect_by_data (window, self);
  g_ptr_array_remove (self->windows, window);
  piso_console_page_update (self);
}

void
piso_console_page_detach (PisoConsolePage *self,
                          gboolean         fullscreen)
{
  PisoConsoleWindow *window;

  g_return_if_fail (PISO_IS_CONSOLE_PAGE (self));

  if (self->machine == NULL)
    return;

  window = piso_console_page_find_window (self, self->machine);
  if (window == NULL)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      window = PISO_CONSOLE_WINDOW (piso_console_window_new ());
      if (GTK_IS_WINDOW (root))
        gtk_window_set_application (GTK_WINDOW (window),
                                    gtk_window_get_application (GTK_WINDOW (root)));
      piso_console_window_take_over (window, self->view);
      g_signal_connect_object (window, "attach-requested",
                               G_CALLBACK (piso_console_page_window_attach_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (window, "destroy",
                               G_CALLBACK (piso_console_page_window_destroy_cb),
                               self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->windows, window);
    }

  piso_console_page_update (self);
  if (fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
}

void
piso_console_page_attach (PisoConsolePage *self)
{
  PisoConsoleWindow *window;

  g_return_if_fail (PISO_IS_CONSOLE_PAGE (self));

  window = piso_console_page_find_window (self, self->machine);
  if (window != NULL)
    gtk_window_close (GTK_WINDOW (window));
}

static void
piso_console_page_detach_cb (PisoConsolePage *self)
{
  piso_console_page_detach (self, FALSE);
}

static void
piso_console_page_fullscreen_cb (PisoConsolePage *self)
{
  piso_console_page_detach (self, TRUE);
}

static void
piso_console_page_attach_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  piso_console_page_attach (PISO_CONSOLE_PAGE (widget));
}

static void
piso_console_page_present_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  PisoConsolePage *self = PISO_CONSOLE_PAGE (widget);
  PisoConsoleWindow *window = piso_console_page_find_window (self, self->machine);

  if (window != NULL)
    gtk_window_present (GTK_WINDOW (window));
}

GtkWidget *
piso_console_page_new (void)
{
  return g_object_new (PISO_TYPE_CONSOLE_PAGE, NULL);
}

PisoMachine *
piso_console_page_get_machine (PisoConsolePage *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_PAGE (self), NULL);

  return self->machine;
}

void
piso_console_page_set_machine (PisoConsolePage *self,
                               PisoMachine     *machine)
{
  g_return_if_fail (PISO_IS_CONSOLE_PAGE (self));
  g_return_if_fail (machine == NULL || PISO_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine, piso_console_page_state_cb, self);
  g_set_object (&self->machine, machine);
  if (machine != NULL)
    g_signal_connect_object (machine, "notify::state",
                             G_CALLBACK (piso_console_page_state_cb),
                             self, G_CONNECT_SWAPPED);

  self->user_picked = FALSE;
  piso_console_page_update (self);
  piso_console_page_pick_view (self, TRUE);
}

void
piso_console_page_show (PisoConsolePage *self)
{
  g_return_if_fail (PISO_IS_CONSOLE_PAGE (self));

  if (self->view_stack == NULL || self->machine == NULL)
    return;

  self->user_picked = TRUE;
  adw_view_stack_set_visible_child_name (self->view_stack, "console");
}

void
piso_console_page_set_view_stack (PisoConsolePage      *self,
                                  AdwViewStack         *stack,
                                  AdwViewSwitcherTitle *title,
                                  AdwViewSwitcherBar   *bar)
{
  g_return_if_fail (PISO_IS_CONSOLE_PAGE (self));
  g_return_if_fail (stack == NULL || ADW_IS_VIEW_STACK (stack));
  g_return_if_fail (title == NULL || ADW_IS_VIEW_SWITCHER_TITLE (title));
  g_return_if_fail (bar == NULL || ADW_IS_VIEW_SWITCHER_BAR (bar));

  if (self->view_stack != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->view_stack, self);
      g_object_remove_weak_pointer (G_OBJECT (self->view_stack), (gpointer *) &self->view_stack);
    }
  if (self->switcher_title != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->switcher_title),
                                  (gpointer *) &self->switcher_title);
  /* A reference of our own: the binding goes by itself when the title or
   * the bar is finalized first. */
  if (self->bar_binding != NULL)
    g_binding_unbind (self->bar_binding);
  g_clear_object (&self->bar_binding);

  self->view_stack = stack;
  self->switcher_title = title;
  if (stack != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (stack), (gpointer *) &self->view_stack);
      g_signal_connect_object (stack, "notify::visible-child-name",
                               G_CALLBACK (piso_console_page_view_picked_cb),
                               self, G_CONNECT_SWAPPED);
    }
  if (title != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (title), (gpointer *) &self->switcher_title);
      if (bar != NULL)
        self->bar_binding = g_object_ref (g_object_bind_property (title, "title-visible",
                                                                  bar, "reveal",
                                                                  G_BINDING_SYNC_CREATE));
    }

  piso_console_page_pick_view (self, TRUE);
}

PisoConsoleView *
piso_console_page_get_view (PisoConsolePage *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_PAGE (self), NULL);

  return self->view;
}

PisoConsoleWindow *
piso_console_page_get_window (PisoConsolePage *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_PAGE (self), NULL);

  return piso_console_page_find_window (self, self->machine);
}

static void
piso_console_page_dispose (GObject *object)
{
  PisoConsolePage *self = (PisoConsolePage *)object;

  /* Detached consoles go with the window that owns them */
  while (self->windows != NULL && self->windows->len > 0)
    {
      PisoConsoleWindow *window = g_ptr_array_index (self->windows, self->windows->len - 1);

      g_signal_handlers_disconnect_by_data (window, self);
      g_ptr_array_remove_index (self->windows, self->windows->len - 1);
      gtk_window_destroy (GTK_WINDOW (window));
    }
  piso_console_page_set_view_stack (self, NULL, NULL, NULL);
  piso_console_page_set_machine (self, NULL);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_CONSOLE_PAGE);

  G_OBJECT_CLASS (piso_console_page_parent_class)->dispose (object);
}

static void
piso_console_page_finalize (GObject *object)
{
  PisoConsolePage *self = (PisoConsolePage *)object;

  g_clear_pointer (&self->windows, g_ptr_array_unref);

  G_OBJECT_CLASS (piso_console_page_parent_class)->finalize (object);
}

static void
piso_console_page_class_init (PisoConsolePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_console_page_dispose;
  object_class->finalize = piso_console_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-console-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoConsolePage, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoConsolePage, view);
  gtk_widget_class_bind_template_callback (widget_class, piso_console_page_detach_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_console_page_fullscreen_cb);

  gtk_widget_class_install_action (widget_class, "console-page.attach", NULL,
                                   piso_console_page_attach_action);
  gtk_widget_class_install_action (widget_class, "console-page.present", NULL,
                                   piso_console_page_present_action);

  g_type_ensure (PISO_TYPE_CONSOLE_VIEW);
}

static void
piso_console_page_init (PisoConsolePage *self)
{
  self->windows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  piso_console_page_update (self);
}
