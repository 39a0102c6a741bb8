/* piso-console-window.h: a machine's console in a window of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-console-view.h"

G_BEGIN_DECLS

#define PISO_TYPE_CONSOLE_WINDOW (piso_console_window_get_type ())

G_DECLARE_FINAL_TYPE (PisoConsoleWindow, piso_console_window, PISO, CONSOLE_WINDOW, AdwWindow)

/* The window takes over a console view's machine and session (the screen
 * stays connected). Its Attach button and closing it emit "attach-requested"
 * just before it goes away, so the page can take the console back.
 * Fullscreen hides the header bar; the console's toolbar then shows when the
 * pointer reaches the top edge. The console's Ctrl+Alt+F (while the guest
 * does not hold the keyboard) toggles fullscreen; Esc and F11 always go to
 * the guest. */
GtkWidget       *piso_console_window_new       (void);
PisoConsoleView *piso_console_window_get_view  (PisoConsoleWindow *self);
PisoMachine     *piso_console_window_get_machine (PisoConsoleWindow *self);
void             piso_console_window_take_over (PisoConsoleWindow *self,
                                                PisoConsoleView   *from);
void             piso_console_window_toggle_fullscreen (PisoConsoleWindow *self);

G_END_DECLS
