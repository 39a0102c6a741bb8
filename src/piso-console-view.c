/* piso-console-view.c: a machine's screen, or a page saying why there is none
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-console-view"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-console-view.h"
#include "piso-assistive-watch.h"
#include "piso-keymap.h"
#include "piso-spice-clipboard.h"
#include "piso-spinner.h"
#include "piso-spice-display.h"
#include "piso-usb-chooser.h"
#include "piso-gtk-version.h"

/* Seconds a hidden console stays connected: flipping between the Details
 * and Console pages, or detaching, does not reconnect. */
#define DISCONNECT_DELAY_S 5
/* A link that drops while the screen was shown is most often the machine
 * going away, which libvirt reports a moment later: wait that long before
 * calling it an error. */
#define ERROR_GRACE_MS 2000
/* Pixels from the top edge that reveal the floating toolbar */
#define REVEAL_EDGE_PX 3

struct _PisoConsoleView
{
  GtkWidget         parent_instance;

  PisoMachine      *machine;
  PisoSpiceSession *session;
  /* Both follow the session the view holds */
  PisoSpiceClipboard *clipboard;
  GtkWidget        *usb_chooser;
  GtkWidget        *display;
  GCancellable     *cancellable;
  const char       *page;
  /* Drops the session a while after the view was hidden */
  guint             disconnect_id;
  guint             error_grace_id;
  guint             detached : 1;
  guint             autohide : 1;
  guint             grabbed : 1;

  /* Template children */
  GtkSpinner       *connecting_spinner;
  GtkButton        *detach_button;
  AdwBin           *display_bin;
  AdwStatusPage    *error_status;
  GtkBox           *extras_box;
  GtkButton        *fullscreen_button;
  GtkLabel         *grab_label;
  GtkBox           *main_box;
  GtkOverlay       *overlay;
  GtkButton        *retry_button;
  GtkButton        *screenshot_button;
  GtkMenuButton    *send_key_button;
  GtkStack         *stack;
  GtkBox           *toolbar;
  GtkRevealer      *toolbar_revealer;
  GtkMenuButton    *usb_button;
  GtkPopover       *usb_popover;
};

G_DEFINE_FINAL_TYPE (PisoConsoleView, piso_console_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_PAGE,
  PROP_GRABBED,
  N_PROPS
};

enum {
  DETACH_REQUESTED,
  FULLSCREEN_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void piso_console_view_update (PisoConsoleView *self);

/* Shows @message in the window's toast overlay. */
static void
piso_console_view_toast (PisoConsoleView *self,
                         const char      *message)
{
  g_assert (PISO_IS_CONSOLE_VIEW (self));

  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_warning ("%s", message);
}

/* ---- connection ---- */

/* The guest's clipboard is offered the host's text only while the user is
 * at this console: shown, in the active window. */
static void
piso_console_view_update_clipboard (PisoConsoleView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->clipboard != NULL)
    piso_spice_clipboard_set_active (self->clipboard,
                                     gtk_widget_get_mapped (GTK_WIDGET (self)) &&
                                     GTK_IS_WINDOW (root) &&
                                     gtk_window_is_active (GTK_WINDOW (root)));
}

/* Takes @session (a reference) */
static void
piso_console_view_adopt_session (PisoConsoleView  *self,
                                 PisoSpiceSession *session)
{
  g_assert (self->session == NULL);

  self->session = session;
  g_signal_connect_object (session, "notify",
                           G_CALLBACK (piso_console_view_update),
                           self, G_CONNECT_SWAPPED);
  piso_spice_display_set_session (PISO_SPICE_DISPLAY (self->display), session);

  /* Text both ways with the guest's agent (nothing to show for it) */
  self->clipboard = piso_spice_clipboard_new (session, gtk_widget_get_display (GTK_WIDGET (self)));
  piso_console_view_update_clipboard (self);

  /* The USB button only for machines with redirection channels */
  self->usb_chooser = piso_usb_chooser_new (session);
  gtk_popover_set_child (self->usb_popover, self->usb_chooser);
  g_object_bind_property (self->usb_chooser, "has-redirection",
                          self->usb_button, "visible", G_BINDING_SYNC_CREATE);
}

/* The machine's shared session, held while the view shows it (and a few
 * seconds more); the session connects and follows the machine. */
static void
piso_console_view_hold_session (PisoConsoleView *self)
{
  if (self->session != NULL || self->machine == NULL ||
      !piso_machine_get_has_graphics (self->machine))
    return;

  piso_console_view_adopt_session (self, piso_spice_session_get_for_machine (self->machine));
  piso_spice_session_connect (self->session);
}

/* Other users (a thumbnail) may keep it connected; the last one to let go
 * ends the connection. */
static void
piso_console_view_drop_session (PisoConsoleView *self)
{
  g_clear_handle_id (&self->disconnect_id, g_source_remove);
  if (self->session == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->clipboard);
  if (self->usb_chooser != NULL)
    {
      gtk_popover_set_child (self->usb_popover, NULL);
      self->usb_chooser = NULL;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->usb_button), FALSE);
  piso_spice_display_set_session (PISO_SPICE_DISPLAY (self->display), NULL);
  g_clear_object (&self->session);
}

static gboolean
piso_console_view_disconnect_cb (gpointer user_data)
{
  PisoConsoleView *self = user_data;

  self->disconnect_id = 0;
  g_debug ("Console hidden for %d s: letting its session go", DISCONNECT_DELAY_S);
  piso_console_view_drop_session (self);
  piso_console_view_update (self);

  return G_SOURCE_REMOVE;
}

static void
piso_console_view_update_connection (PisoConsoleView *self)
{
  g_assert (PISO_IS_CONSOLE_VIEW (self));

  if (self->machine != NULL && piso_machine_get_has_graphics (self->machine) &&
      gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      g_clear_handle_id (&self->disconnect_id, g_source_remove);
      piso_console_view_hold_session (self);
    }
  else if (self->session != NULL && self->disconnect_id == 0)
    {
      self->disconnect_id = g_timeout_add_seconds (DISCONNECT_DELAY_S,
                                                   piso_console_view_disconnect_cb, self);
    }
}

/* ---- state pages ---- */

/* What the user can do about a failed connection */
static const char *
piso_console_view_error_hint (PisoSpiceDisconnectReason reason)
{
  switch (reason)
    {
    case PISO_SPICE_DISCONNECT_REASON_NETWORK:
      return _("Check that the machine’s host can be reached from this computer, then try again.");
    case PISO_SPICE_DISCONNECT_REASON_AUTH:
      return _("Check the password of the machine’s graphics device, then try again.");
    case PISO_SPICE_DISCONNECT_REASON_TLS:
      return _("Check the host’s SPICE certificates and that this computer trusts them, then try again.");
    case PISO_SPICE_DISCONNECT_REASON_NONE:
    case PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED:
    case PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS:
    case PISO_SPICE_DISCONNECT_REASON_FAILED:
    default:
      return _("Try again. If it keeps failing, the machine’s log on the host says why.");
    }
}

typedef enum
{
  PAGE_NONE,
  PAGE_NO_GRAPHICS,
  PAGE_LOST,
  PAGE_SAVED,
  PAGE_OFF,
  PAGE_PAUSED,
  PAGE_CONNECTING,
  PAGE_DISPLAY,
  PAGE_ERROR,
} Page;

/* The page names ("lost" uses the error page) */
static const char * const page_names[] = {
  "none", "no-graphics", "lost", "saved", "off", "paused", "connecting", "display", "error",
};

static Page
piso_console_view_pick_page (PisoConsoleView *self)
{
  PisoSpiceDisconnectReason reason;

  if (self->machine == NULL)
    return PAGE_NONE;
  if (!piso_machine_get_has_graphics (self->machine))
    return PAGE_NO_GRAPHICS;

  switch (piso_machine_get_state (self->machine))
    {
    case PISO_MACHINE_STATE_UNKNOWN:
      return PAGE_LOST;
    case PISO_MACHINE_STATE_SAVED:
      return PAGE_SAVED;
    case PISO_MACHINE_STATE_SHUTOFF:
    case PISO_MACHINE_STATE_CRASHED:
      return piso_machine_get_has_managed_save (self->machine) ? PAGE_SAVED : PAGE_OFF;
    case PISO_MACHINE_STATE_PAUSED:
      return PAGE_PAUSED;
    case PISO_MACHINE_STATE_RUNNING:
    case PISO_MACHINE_STATE_SHUTTING_DOWN:
    case PISO_MACHINE_STATE_SUSPENDED:
    default:
      break;
    }

  if (self->session == NULL)
    return PAGE_CONNECTING;

  switch (piso_spice_session_get_state (self->session))
    {
    case PISO_SPICE_STATE_CONNECTED:
      return PAGE_DISPLAY;
    case PISO_SPICE_STATE_CONNECTING:
      return PAGE_CONNECTING;
    case PISO_SPICE_STATE_DISCONNECTED:
    default:
      break;
    }

  reason = piso_spice_session_get_disconnect_reason (self->session);
  if (reason == PISO_SPICE_DISCONNECT_REASON_NONE ||
      reason == PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED)
    return PAGE_CONNECTING;   /* hidden and not asked yet, or about to reconnect */
  if (reason == PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS)
    return PAGE_NO_GRAPHICS;
  return PAGE_ERROR;
}

static void
piso_console_view_update_error (PisoConsoleView *self,
                                Page             page)
{
  g_autofree char *description = NULL;

  if (page == PAGE_LOST)
    {
      adw_status_page_set_title (self->error_status, _("Host Not Connected"));
      adw_status_page_set_description (self->error_status,
                                       _("Piso lost the connection to the machine’s host. "
                                         "The screen comes back once the host is reachable again."));
      gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
    }
  else
    {
      PisoSpiceDisconnectReason reason = piso_spice_session_get_disconnect_reason (self->session);
      const char *message = piso_spice_session_get_error_message (self->session);

      if (message == NULL)
        message = _("Could not connect to the machine’s display.");
      /* Translators: what went wrong, then what to do about it */
      description = g_strdup_printf (_("%s %s"), message, piso_console_view_error_hint (reason));
      adw_status_page_set_title (self->error_status, _("Could Not Show the Screen"));
      adw_status_page_set_description (self->error_status, description);
      gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
    }
}

static void
piso_console_view_update_actions (PisoConsoleView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean showing = self->page == page_names[PAGE_DISPLAY];
  gboolean has_machine = self->machine != NULL;

  gtk_widget_action_set_enabled (widget, "console.start",
                                 has_machine && piso_machine_can (self->machine,
                                                                  PISO_MACHINE_ACTION_START));
  gtk_widget_action_set_enabled (widget, "console.resume",
                                 has_machine && piso_machine_can (self->machine,
                                                                  PISO_MACHINE_ACTION_RESUME));
  gtk_widget_action_set_enabled (widget, "console.restore",
                                 has_machine && piso_machine_can (self->machine,
                                                                  PISO_MACHINE_ACTION_RESTORE));
  gtk_widget_action_set_enabled (widget, "console.retry", self->session != NULL);
  gtk_widget_action_set_enabled (widget, "console.send-key", showing);
  gtk_widget_action_set_enabled (widget, "console.screenshot", showing);
  gtk_widget_action_set_enabled (widget, "console.detach", has_machine);
  gtk_widget_action_set_enabled (widget, "console.fullscreen", has_machine);
  /* Keys and screenshots only make sense with a screen */
  gtk_widget_set_visible (GTK_WIDGET (self->send_key_button), showing);
  gtk_widget_set_visible (GTK_WIDGET (self->screenshot_button), showing);
}

static void
piso_console_view_grace_cb (gpointer user_data)
{
  PisoConsoleView *self = user_data;

  self->error_grace_id = 0;
  self->page = NULL;   /* not "display": no new grace */
  piso_console_view_update (self);
}

static void
piso_console_view_update (PisoConsoleView *self)
{
  Page page;
  const char *name;

  g_assert (PISO_IS_CONSOLE_VIEW (self));

  page = piso_console_view_pick_page (self);
  if (page != PAGE_ERROR)
    g_clear_handle_id (&self->error_grace_id, g_source_remove);
  else if (self->page == page_names[PAGE_DISPLAY] && self->error_grace_id == 0)
    self->error_grace_id = g_timeout_add_once (ERROR_GRACE_MS, piso_console_view_grace_cb, self);
  if (page == PAGE_ERROR && self->error_grace_id != 0)
    page = PAGE_DISPLAY;   /* the last picture, for a moment */
  name = page_names[page];
  if (page == PAGE_ERROR || page == PAGE_LOST)
    piso_console_view_update_error (self, page);

  piso_spinner_set_busy (self->connecting_spinner, page == PAGE_CONNECTING);
  gtk_stack_set_visible_child_name (self->stack, page == PAGE_LOST ? "error" : name);
  /* Nothing to detach or enlarge without a screen at all */
  gtk_widget_set_visible (GTK_WIDGET (self->toolbar_revealer),
                          self->machine != NULL && piso_machine_get_has_graphics (self->machine));

  if (self->page != name)
    {
      /* static strings: the names above */
      self->page = name;
      piso_console_view_update_actions (self);
      if (page == PAGE_DISPLAY && gtk_widget_get_mapped (GTK_WIDGET (self)))
        {
          /* Typing goes to the guest once its screen is up, unless the user
           * is elsewhere (walking the machine list with the keyboard). */
          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

          if (self->detached || focus == NULL || focus == GTK_WIDGET (self) ||
              gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
            gtk_widget_grab_focus (self->display);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
    }
  else
    piso_console_view_update_actions (self);
}

static void
piso_console_view_machine_notify_cb (PisoConsoleView *self,
                                     GParamSpec      *pspec,
                                     PisoMachine     *machine)
{
  g_assert (PISO_IS_CONSOLE_VIEW (self));

  /* A graphics device added or removed */
  if (g_str_equal (pspec->name, "has-graphics"))
    {
      if (!piso_machine_get_has_graphics (machine))
        piso_console_view_drop_session (self);
      piso_console_view_update_connection (self);
    }

  piso_console_view_update (self);
}

/* ---- keyboard grab ---- */

/* A grab that takes the whole keyboard would swallow a screen reader's own
 * keys (Orca's Insert+…) and send them to the machine: while an assistive
 * technology listens, the desktop keeps them. Asked once a screen is first
 * shown, long before any grab, and not while the application starts, when
 * GTK registers itself on the same accessibility bus. */
static void
piso_console_view_display_map_cb (GtkWidget *display,
                                  gpointer   user_data)
{
  g_signal_handlers_disconnect_by_func (display, piso_console_view_display_map_cb, user_data);
  g_object_bind_property (piso_assistive_watch_get_default (), "active",
                          display, "grab-desktop-keys",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
}

static void
piso_console_view_grab_notify_cb (PisoConsoleView *self)
{
  PisoSpiceDisplay *display = PISO_SPICE_DISPLAY (self->display);
  gboolean grabbed = piso_spice_display_get_grabbed (display);

  if (grabbed)
    gtk_label_set_label (self->grab_label, piso_spice_display_get_grab_hint (display));
  gtk_widget_set_visible (GTK_WIDGET (self->grab_label), grabbed);

  if (self->grabbed == (guint) grabbed)
    return;
  self->grabbed = grabbed;
  /* How to leave the grab is said, not only shown */
  if (grabbed)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.announce", "s",
                                piso_spice_display_get_grab_hint (display));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRABBED]);
}

/* Ctrl+Alt+F: ahead of the display (which sends every key to the guest),
 * but only while the guest does not hold the keyboard. */
static gboolean
piso_console_view_fullscreen_shortcut_cb (GtkWidget *widget,
                                          GVariant  *args,
                                          gpointer   user_data)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (widget);

  if (self->grabbed || self->machine == NULL)
    return FALSE;

  g_signal_emit (self, signals[FULLSCREEN_REQUESTED], 0);
  return TRUE;
}

/* ---- floating toolbar ---- */

static void
piso_console_view_motion_cb (PisoConsoleView          *self,
                             double                    x,
                             double                    y,
                             GtkEventControllerMotion *motion)
{
  int height;

  if (!self->autohide)
    return;

  height = gtk_widget_get_height (GTK_WIDGET (self->toolbar));
  if (y <= REVEAL_EDGE_PX)
    gtk_revealer_set_reveal_child (self->toolbar_revealer, TRUE);
  else if (y > height + 24 && !gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (self->send_key_button))))
    gtk_revealer_set_reveal_child (self->toolbar_revealer, FALSE);
}

/* ---- screenshot ---- */

GdkTexture *
piso_console_view_get_screenshot (PisoConsoleView *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), NULL);

  if (self->session == NULL)
    return NULL;

  return piso_spice_display_get_screenshot (PISO_SPICE_DISPLAY (self->display));
}

char *
piso_console_view_screenshot_name (PisoConsoleView *self,
                                   GDateTime       *when)
{
  g_autofree char *date = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), NULL);
  g_return_val_if_fail (when != NULL, NULL);

  date = g_date_time_format (when, "%Y-%m-%d-%H%M%S");
  name = g_strdup (self->machine != NULL ? piso_machine_get_name (self->machine) : "screen");
  g_strdelimit (name, "/\\:", '-');

  return g_strdup_printf ("%s-%s.png", name, date);
}

static void
save_screenshot_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GdkTexture *texture = task_data;
  GFile *file = g_object_get_data (G_OBJECT (task), "file");
  g_autoptr(GBytes) png = gdk_texture_save_to_png_bytes (texture);
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents (file, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                cancellable, &error))
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_task_return_new_error (task, error->domain, error->code,
                               /* Translators: a file name, then the system's reason */
                               _("Could not save the screenshot as “%s”: %s. "
                                 "Choose another folder, or make room on the disk."),
                               name, error->message);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
piso_console_view_save_screenshot_async (PisoConsoleView     *self,
                                         GFile               *file,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GdkTexture *texture;

  g_return_if_fail (PISO_IS_CONSOLE_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_console_view_save_screenshot_async);

  texture = piso_console_view_get_screenshot (self);
  if (texture == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("There is no screen to save: the machine’s display is not "
                                 "connected. Start the machine and try again."));
      return;
    }

  g_object_set_data_full (G_OBJECT (task), "file", g_object_ref (file), g_object_unref);
  g_task_set_task_data (task, texture, g_object_unref);
  g_task_run_in_thread (task, save_screenshot_thread);
}

gboolean
piso_console_view_save_screenshot_finish (PisoConsoleView  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
piso_console_view_screenshot_saved_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (object);
  g_autoptr(GError) error = NULL;

  if (!piso_console_view_save_screenshot_finish (self, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        piso_console_view_toast (self, error->message);
    }
  else
    piso_console_view_toast (self, _("Screenshot saved"));
}

static GFile *
piso_console_view_pictures_folder (void)
{
  const char *dir = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    dir = g_get_home_dir ();
  return g_file_new_for_path (dir);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
piso_console_view_file_dialog_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(PisoConsoleView) self = user_data;
  g_autoptr(GFile) file = NULL;

  PISO_NEWER_GTK_BEGIN
  file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, NULL);
  PISO_NEWER_GTK_END
  if (file != NULL)
    piso_console_view_save_screenshot_async (self, file, self->cancellable,
                                             piso_console_view_screenshot_saved_cb, NULL);
}
#else
static void
piso_console_view_file_chooser_cb (PisoConsoleView      *self,
                                   int                   response,
                                   GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      piso_console_view_save_screenshot_async (self, file, self->cancellable,
                                               piso_console_view_screenshot_saved_cb, NULL);
    }
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}
#endif

static void
piso_console_view_screenshot_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = piso_console_view_screenshot_name (self, now);
  g_autoptr(GFile) folder = piso_console_view_pictures_folder ();
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("PNG Images"));
  gtk_file_filter_add_mime_type (filter, "image/png");

#if GTK_CHECK_VERSION (4, 10, 0)
  PISO_NEWER_GTK_BEGIN
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
    g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

    g_list_store_append (filters, filter);
    gtk_file_dialog_set_title (dialog, _("Save Screenshot"));
    gtk_file_dialog_set_initial_name (dialog, name);
    gtk_file_dialog_set_initial_folder (dialog, folder);
    gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
    gtk_file_dialog_save (dialog, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                          self->cancellable, piso_console_view_file_dialog_cb,
                          g_object_ref (self));
  }
  PISO_NEWER_GTK_END
#else
  {
    GtkFileChooserNative *native;

    native = gtk_file_chooser_native_new (_("Save Screenshot"),
                                          GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                          GTK_FILE_CHOOSER_ACTION_SAVE,
                                          _("_Save"), _("_Cancel"));
    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    g_signal_connect_object (native, "response",
                             G_CALLBACK (piso_console_view_file_chooser_cb),
                             self, G_CONNECT_SWAPPED);
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
  }
#endif
}

/* ---- actions ---- */

static void
piso_console_view_send_key_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (widget);
  guint codes[PISO_KEYMAP_COMBO_MAX];
  gsize n;

  if (self->session == NULL)
    return;

  n = piso_keymap_scancodes_for_combo (g_variant_get_string (parameter, NULL),
                                       codes, G_N_ELEMENTS (codes));
  for (gsize i = 0; i < n; i++)
    piso_spice_session_send_key (self->session, codes[i], TRUE);
  for (gsize i = n; i > 0; i--)
    piso_spice_session_send_key (self->session, codes[i - 1], FALSE);

  /* Back to typing into the guest */
  gtk_widget_grab_focus (self->display);
}

typedef struct
{
  PisoConsoleView   *self;
  PisoMachineAction  action;
  char              *name;
} LifecycleCall;

static void
piso_console_view_lifecycle_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  LifecycleCall *call = user_data;
  PisoMachine *machine = PISO_MACHINE (object);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (call->action == PISO_MACHINE_ACTION_START)
    ok = piso_machine_start_finish (machine, result, &error);
  else if (call->action == PISO_MACHINE_ACTION_RESUME)
    ok = piso_machine_resume_finish (machine, result, &error);
  else
    ok = piso_machine_restore_finish (machine, result, &error);

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    piso_console_view_toast (call->self, error->message);

  g_object_unref (call->self);
  g_free (call->name);
  g_free (call);
}

/* The machine page's own action when the view sits in it (one place
 * reports failures), else the call itself (a detached window). */
static void
piso_console_view_lifecycle_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (widget);
  const char *suffix = strchr (action_name, '.') + 1;
  g_autofree char *page_action = g_strconcat ("machine.", suffix, NULL);
  GtkWidget *parent = gtk_widget_get_parent (widget);
  LifecycleCall *call;

  if (self->machine == NULL)
    return;
  if (parent != NULL && gtk_widget_activate_action (parent, page_action, NULL))
    return;

  call = g_new0 (LifecycleCall, 1);
  call->self = g_object_ref (self);
  if (g_str_equal (suffix, "start"))
    {
      call->action = PISO_MACHINE_ACTION_START;
      piso_machine_start_async (self->machine, self->cancellable,
                                piso_console_view_lifecycle_cb, call);
    }
  else if (g_str_equal (suffix, "resume"))
    {
      call->action = PISO_MACHINE_ACTION_RESUME;
      piso_machine_resume_async (self->machine, self->cancellable,
                                 piso_console_view_lifecycle_cb, call);
    }
  else
    {
      call->action = PISO_MACHINE_ACTION_RESTORE;
      piso_machine_restore_async (self->machine, self->cancellable,
                                  piso_console_view_lifecycle_cb, call);
    }
}

static void
piso_console_view_retry_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (widget);

  /* connect() starts a new attempt after a failure */
  if (self->session != NULL)
    piso_spice_session_connect (self->session);
  else
    piso_console_view_update_connection (self);
}

static void
piso_console_view_detach_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  g_signal_emit (widget, signals[DETACH_REQUESTED], 0);
}

static void
piso_console_view_fullscreen_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  g_signal_emit (widget, signals[FULLSCREEN_REQUESTED], 0);
}

/* ---- machine and session ---- */

static void
piso_console_view_release (PisoConsoleView *self)
{
  g_clear_handle_id (&self->error_grace_id, g_source_remove);
  piso_console_view_drop_session (self);
  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_data (self->machine, self);
  g_clear_object (&self->machine);

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
}

/* Takes @machine and @session (either may be NULL) */
static void
piso_console_view_attach (PisoConsoleView  *self,
                          PisoMachine      *machine,
                          PisoSpiceSession *session)
{
  self->machine = machine;

  if (machine != NULL)
    {
      self->cancellable = g_cancellable_new ();
      g_signal_connect_object (machine, "notify",
                               G_CALLBACK (piso_console_view_machine_notify_cb),
                               self, G_CONNECT_SWAPPED);
      if (session != NULL)
        piso_console_view_adopt_session (self, session);
    }
  else
    g_clear_object (&session);

  piso_console_view_update_connection (self);
  piso_console_view_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

GtkWidget *
piso_console_view_new (void)
{
  return g_object_new (PISO_TYPE_CONSOLE_VIEW, NULL);
}

PisoMachine *
piso_console_view_get_machine (PisoConsoleView *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), NULL);

  return self->machine;
}

void
piso_console_view_set_machine (PisoConsoleView *self,
                               PisoMachine     *machine)
{
  g_return_if_fail (PISO_IS_CONSOLE_VIEW (self));
  g_return_if_fail (machine == NULL || PISO_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  piso_console_view_release (self);
  piso_console_view_attach (self, machine != NULL ? g_object_ref (machine) : NULL, NULL);
}

void
piso_console_view_take_over (PisoConsoleView *self,
                             PisoConsoleView *from)
{
  PisoMachine *machine;
  PisoSpiceSession *session;

  g_return_if_fail (PISO_IS_CONSOLE_VIEW (self));
  g_return_if_fail (PISO_IS_CONSOLE_VIEW (from));
  g_return_if_fail (self != from);

  piso_console_view_release (self);

  /* The session stays connected: it only changes hands. */
  machine = from->machine != NULL ? g_object_ref (from->machine) : NULL;
  session = from->session != NULL ? g_object_ref (from->session) : NULL;
  piso_console_view_release (from);
  piso_console_view_update (from);
  g_object_notify_by_pspec (G_OBJECT (from), properties[PROP_MACHINE]);

  piso_console_view_attach (self, machine, session);
}

PisoSpiceSession *
piso_console_view_get_session (PisoConsoleView *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), NULL);

  return self->session;
}

const char *
piso_console_view_get_page (PisoConsoleView *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), NULL);

  return self->page;
}

GtkWidget *
piso_console_view_get_display (PisoConsoleView *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), NULL);

  return self->display;
}

gboolean
piso_console_view_get_grabbed (PisoConsoleView *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), FALSE);

  return self->grabbed;
}

void
piso_console_view_set_detached (PisoConsoleView *self,
                                gboolean         detached)
{
  g_return_if_fail (PISO_IS_CONSOLE_VIEW (self));

  self->detached = !!detached;
  gtk_button_set_icon_name (self->detach_button,
                            detached ? "view-pin-symbolic" : "window-new-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detach_button),
                               detached ? _("Move the console back into the main window")
                                        : _("Show the console in its own window"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->detach_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  detached ? _("Attach") : _("Detach"),
                                  -1);
}

void
piso_console_view_set_toolbar_autohide (PisoConsoleView *self,
                                        gboolean         autohide)
{
  GtkWidget *revealer;

  g_return_if_fail (PISO_IS_CONSOLE_VIEW (self));

  autohide = !!autohide;
  if (self->autohide == (guint) autohide)
    return;

  self->autohide = autohide;
  revealer = g_object_ref (GTK_WIDGET (self->toolbar_revealer));
  if (autohide)
    {
      /* Floats over the screen, so showing it does not resize the guest */
      gtk_box_remove (self->main_box, revealer);
      gtk_overlay_add_overlay (self->overlay, revealer);
      gtk_widget_add_css_class (GTK_WIDGET (self->toolbar), "osd");
      gtk_revealer_set_reveal_child (self->toolbar_revealer, FALSE);
      gtk_button_set_icon_name (self->fullscreen_button, "view-restore-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->fullscreen_button),
                                   _("Leave fullscreen (Ctrl+Alt+F while the keyboard is not grabbed)"));
    }
  else
    {
      gtk_overlay_remove_overlay (self->overlay, revealer);
      gtk_box_prepend (self->main_box, revealer);
      gtk_widget_remove_css_class (GTK_WIDGET (self->toolbar), "osd");
      gtk_revealer_set_reveal_child (self->toolbar_revealer, TRUE);
      gtk_button_set_icon_name (self->fullscreen_button, "view-fullscreen-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->fullscreen_button),
                                   _("Fullscreen (Ctrl+Alt+F while the keyboard is not grabbed)"));
    }
  g_object_unref (revealer);
}

gboolean
piso_console_view_get_toolbar_revealed (PisoConsoleView *self)
{
  g_return_val_if_fail (PISO_IS_CONSOLE_VIEW (self), FALSE);

  return gtk_revealer_get_reveal_child (self->toolbar_revealer);
}

void
piso_console_view_add_tool (PisoConsoleView *self,
                            GtkWidget       *tool)
{
  g_return_if_fail (PISO_IS_CONSOLE_VIEW (self));
  g_return_if_fail (GTK_IS_WIDGET (tool));

  gtk_box_append (self->extras_box, tool);
}

/* ---- GObject ---- */

static void
piso_console_view_map (GtkWidget *widget)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (widget);

  GTK_WIDGET_CLASS (piso_console_view_parent_class)->map (widget);

  g_signal_connect_object (gtk_widget_get_root (widget), "notify::is-active",
                           G_CALLBACK (piso_console_view_update_clipboard),
                           self, G_CONNECT_SWAPPED);
  piso_console_view_update_connection (self);
  piso_console_view_update_clipboard (self);
}

static void
piso_console_view_unmap (GtkWidget *widget)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (widget);

  g_signal_handlers_disconnect_by_func (gtk_widget_get_root (widget),
                                        piso_console_view_update_clipboard, self);

  GTK_WIDGET_CLASS (piso_console_view_parent_class)->unmap (widget);

  piso_console_view_update_connection (self);
  piso_console_view_update_clipboard (self);
}

static void
piso_console_view_dispose (GObject *object)
{
  PisoConsoleView *self = (PisoConsoleView *)object;

  piso_console_view_release (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_CONSOLE_VIEW);

  G_OBJECT_CLASS (piso_console_view_parent_class)->dispose (object);
}

static void
piso_console_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;

    case PROP_PAGE:
      g_value_set_string (value, self->page);
      break;

    case PROP_GRABBED:
      g_value_set_boolean (value, self->grabbed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_console_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PisoConsoleView *self = PISO_CONSOLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      piso_console_view_set_machine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_console_view_class_init (PisoConsoleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_console_view_dispose;
  object_class->get_property = piso_console_view_get_property;
  object_class->set_property = piso_console_view_set_property;

  widget_class->map = piso_console_view_map;
  widget_class->unmap = piso_console_view_unmap;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, PISO_TYPE_MACHINE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_GRABBED] =
    g_param_spec_boolean ("grabbed", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DETACH_REQUESTED] =
    g_signal_new ("detach-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FULLSCREEN_REQUESTED] =
    g_signal_new ("fullscreen-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-console-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, detach_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, display_bin);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, error_status);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, extras_box);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, fullscreen_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, grab_label);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, main_box);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, overlay);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, retry_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, screenshot_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, send_key_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, toolbar);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, toolbar_revealer);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, usb_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConsoleView, usb_popover);

  gtk_widget_class_install_action (widget_class, "console.start", NULL,
                                   piso_console_view_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "console.resume", NULL,
                                   piso_console_view_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "console.restore", NULL,
                                   piso_console_view_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "console.retry", NULL,
                                   piso_console_view_retry_action);
  gtk_widget_class_install_action (widget_class, "console.send-key", "s",
                                   piso_console_view_send_key_action);
  gtk_widget_class_install_action (widget_class, "console.screenshot", NULL,
                                   piso_console_view_screenshot_action);
  gtk_widget_class_install_action (widget_class, "console.detach", NULL,
                                   piso_console_view_detach_action);
  gtk_widget_class_install_action (widget_class, "console.fullscreen", NULL,
                                   piso_console_view_fullscreen_action);
}

/* "ctrl-alt-f5" → "Ctrl+Alt+F5" (translated); NULL for names it does not know */
static char *
piso_console_view_combo_label (const char *name)
{
  guint n;

  if (g_str_equal (name, "ctrl-alt-del"))
    return g_strdup (C_("key combination", "Ctrl+Alt+Del"));
  if (g_str_equal (name, "ctrl-alt-backspace"))
    return g_strdup (C_("key combination", "Ctrl+Alt+Backspace"));
  if (g_str_equal (name, "print"))
    return g_strdup (C_("key combination", "Print Screen"));
  if (sscanf (name, "ctrl-alt-f%u", &n) == 1)
    /* Translators: a key combination; %u is the number of a function key */
    return g_strdup_printf (C_("key combination", "Ctrl+Alt+F%u"), n);
  return NULL;
}

/* The send-key menu in keymap order, function keys in a section of their own */
static GMenuModel *
piso_console_view_build_send_key_menu (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) main_section = g_menu_new ();
  g_autoptr(GMenu) vt_section = g_menu_new ();
  const char * const *names = piso_keymap_get_combo_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *label = piso_console_view_combo_label (names[i]);
      g_autoptr(GMenuItem) item = NULL;

      if (label == NULL)
        continue;
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "console.send-key", "s", names[i]);
      g_menu_append_item (g_str_has_prefix (names[i], "ctrl-alt-f") ? vt_section : main_section,
                          item);
    }

  g_menu_append_section (menu, NULL, G_MENU_MODEL (main_section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (vt_section));

  return G_MENU_MODEL (menu);
}

static void
piso_console_view_init (PisoConsoleView *self)
{
  g_autoptr(GMenuModel) menu = piso_console_view_build_send_key_menu ();
  GtkEventController *motion;
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_menu_button_set_menu_model (self->send_key_button, menu);

  self->display = piso_spice_display_new (NULL);
  gtk_widget_set_hexpand (self->display, TRUE);
  gtk_widget_set_vexpand (self->display, TRUE);
  adw_bin_set_child (self->display_bin, self->display);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->display),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Machine Screen"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("What the machine shows. Keys typed here go to the machine; "
                                    "press Ctrl+Alt to give the keyboard back."),
                                  -1);

  g_signal_connect_object (self->display, "notify::grabbed",
                           G_CALLBACK (piso_console_view_grab_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect (self->display, "map", G_CALLBACK (piso_console_view_display_map_cb), NULL);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_f,
                                                                                  GDK_CONTROL_MASK |
                                                                                  GDK_ALT_MASK),
                                                          gtk_callback_action_new (piso_console_view_fullscreen_shortcut_cb,
                                                                                   NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  motion = gtk_event_controller_motion_new ();
  gtk_event_controller_set_propagation_phase (motion, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (piso_console_view_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  piso_console_view_update (self);
}
