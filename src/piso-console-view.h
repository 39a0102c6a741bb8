/* piso-console-view.h: a machine's screen, or a page saying why there is none
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"
#include "piso-spice-session.h"

G_BEGIN_DECLS

#define PISO_TYPE_CONSOLE_VIEW (piso_console_view_get_type ())

G_DECLARE_FINAL_TYPE (PisoConsoleView, piso_console_view, PISO, CONSOLE_VIEW, GtkWidget)

/* Connects to the machine's SPICE display while the view is mapped and the
 * machine has graphics; disconnects a few seconds after it stops being
 * mapped (so switching pages back and forth keeps the connection). While the
 * screen cannot be shown, a state page says why ("off", "saved", "paused",
 * "connecting", "error", "no-graphics", "lost"; "display" shows the screen,
 * "none" when there is no machine); the "page" property names it.
 *
 * Widget actions: console.start, console.resume, console.restore (through the
 * machine page's machine.* actions when an ancestor has them, else directly),
 * console.retry, console.send-key "s" (a piso_keymap combo name),
 * console.screenshot, console.detach and console.fullscreen (which emit
 * "detach-requested" / "fullscreen-requested" for the page or window that
 * holds the view; Ctrl+Alt+F too while the guest does not hold the
 * keyboard, otherwise the keys go to the guest). */
GtkWidget        *piso_console_view_new             (void);
PisoMachine      *piso_console_view_get_machine     (PisoConsoleView *self);
void              piso_console_view_set_machine     (PisoConsoleView *self,
                                                     PisoMachine     *machine);
PisoSpiceSession *piso_console_view_get_session     (PisoConsoleView *self);
/* Moves @from's machine and session (still connected) to @self; @from is
 * left without a machine. Used to detach and attach the console. */
void              piso_console_view_take_over       (PisoConsoleView *self,
                                                     PisoConsoleView *from);
const char       *piso_console_view_get_page        (PisoConsoleView *self);
/* The PisoSpiceDisplay (always the same widget) */
GtkWidget        *piso_console_view_get_display     (PisoConsoleView *self);
/* Whether the display holds the keyboard (the toolbar then says how to
 * release it) */
gboolean          piso_console_view_get_grabbed     (PisoConsoleView *self);

/* In a detached window the Detach button brings the console back instead. */
void              piso_console_view_set_detached    (PisoConsoleView *self,
                                                     gboolean         detached);
/* TRUE (fullscreen): the toolbar floats over the screen and only shows
 * while the pointer is at the top edge, and its Fullscreen button leaves
 * fullscreen; FALSE: it sits above the screen. */
void              piso_console_view_set_toolbar_autohide (PisoConsoleView *self,
                                                          gboolean         autohide);
gboolean          piso_console_view_get_toolbar_revealed (PisoConsoleView *self);

/* The guest's screen as it is now, or NULL when there is none */
GdkTexture       *piso_console_view_get_screenshot  (PisoConsoleView *self);
/* "<machine>-<YYYY-MM-DD-HHMMSS>.png" */
char             *piso_console_view_screenshot_name (PisoConsoleView *self,
                                                     GDateTime       *when);
/* Writes the screenshot as PNG to @file (off the main thread). Errors say
 * what happened and what to do. */
void              piso_console_view_save_screenshot_async  (PisoConsoleView     *self,
                                                            GFile               *file,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean          piso_console_view_save_screenshot_finish (PisoConsoleView     *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* Adds a toolbar widget of another feature (USB, clipboard) after the
 * screenshot button; it decides itself whether it is visible. */
void              piso_console_view_add_tool        (PisoConsoleView *self,
                                                     GtkWidget       *tool);

G_END_DECLS
