/* piso-console-page.h: the machine page's Console view, inline or detached
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-console-view.h"
#include "piso-console-window.h"

G_BEGIN_DECLS

#define PISO_TYPE_CONSOLE_PAGE (piso_console_page_get_type ())

G_DECLARE_FINAL_TYPE (PisoConsolePage, piso_console_page, PISO, CONSOLE_PAGE, AdwBin)

/* Shows the machine's console, or — while that machine's console is in a
 * window of its own — a page saying so with a button to bring it back. One
 * detached window per machine; they stay open while other machines are
 * shown here. Actions: console-page.attach, console-page.present. */
GtkWidget         *piso_console_page_new         (void);
PisoMachine       *piso_console_page_get_machine (PisoConsolePage *self);
void               piso_console_page_set_machine (PisoConsolePage *self,
                                                  PisoMachine     *machine);
PisoConsoleView   *piso_console_page_get_view    (PisoConsolePage *self);
/* The detached window of the shown machine, or NULL */
PisoConsoleWindow *piso_console_page_get_window  (PisoConsolePage *self);
void               piso_console_page_detach      (PisoConsolePage *self,
                                                  gboolean         fullscreen);
void               piso_console_page_attach      (PisoConsolePage *self);

/* The machine page's view stack ("console", "overview" and other pages): the page
 * picks Console for running machines and Overview for the others until the
 * user picks one for the shown machine. @title (may be NULL) switches it
 * while a machine is shown; @bar takes over when @title is too narrow. */
/* Switches the view stack to the console, as if the user had picked it */
void               piso_console_page_show           (PisoConsolePage      *self);
void               piso_console_page_set_view_stack (PisoConsolePage      *self,
                                                     AdwViewStack         *stack,
                                                     AdwViewSwitcherTitle *title,
                                                     AdwViewSwitcherBar   *bar);

G_END_DECLS
