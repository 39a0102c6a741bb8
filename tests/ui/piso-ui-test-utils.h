/* piso-ui-test-utils.h: helpers for Piso's UI tests (Xvfb, GDK_BACKEND=x11)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-test-utils.h"

G_BEGIN_DECLS

/* g_test_init + gtk_init_check + piso_backend_init. Returns whether a display
 * is available; without one, every test must call piso_ui_test_skip_unless
 * and skips cleanly. */
gboolean    piso_ui_test_init              (int          *argc,
                                            char       ***argv);
/* TRUE when the test can run; otherwise marks it skipped (call and return). */
gboolean    piso_ui_test_skip_unless_display (void);

/* Writes a libvirt test-driver node file with @n_machines machines into a
 * fresh temporary directory and returns "test://…" for it. Names cycle
 * through "web", "db", "build", "mail" ("web-01", "db-02", …); i % 4 == 0 is
 * shut off, i % 10 == 1 paused, the rest running. Machine 7, when present,
 * has the title "Accounting Server". Removed at exit. */
char       *piso_ui_test_write_node_file   (guint         n_machines);

/* Iterates the main loop until @widget was drawn at least @frames times
 * more (a frame clock "after-paint"), or @timeout_ms passed. */
void        piso_ui_test_wait_frames       (GtkWidget    *widget,
                                            guint         frames,
                                            guint         timeout_ms);
/* Renders @widget (as it is on screen) to PISO_SCREENSHOT_DIR/@name.png
 * (or G_TEST_BUILDDIR/screenshots) and returns the path. */
char       *piso_ui_test_save_screenshot   (GtkWidget    *widget,
                                            const char   *name);

/* Depth-first search below @root (or @root) for a GtkActionable whose
 * action-name is @action_name (NULL: any). */
GtkWidget  *piso_ui_test_find_actionable   (GtkWidget    *root,
                                            const char   *action_name);
/* The first descendant of @root (or @root) of @type, in tree order */
GtkWidget  *piso_ui_test_find_descendant   (GtkWidget    *root,
                                            GType         type);
/* Appends the texts of all visible GtkLabels below @root to @texts */
void        piso_ui_test_collect_labels    (GtkWidget    *root,
                                            GPtrArray    *texts);
/* Whether one of the visible labels below @root reads @text */
gboolean    piso_ui_test_has_label         (GtkWidget    *root,
                                            const char   *text);

G_END_DECLS
