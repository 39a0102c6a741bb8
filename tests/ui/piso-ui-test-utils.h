/* piso-ui-test-utils.h: helpers for Piso's UI tests (Xvfb, GDK_BACKEND=x11)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-application.h"
#include "piso-console-view.h"
#include "piso-machine-page.h"
#include "piso-test-utils.h"
#include "piso-window.h"

G_BEGIN_DECLS

/* g_test_init + gtk_init_check + piso_backend_init. Returns whether a display
 * is available; without one, every test must call piso_ui_test_skip_unless
 * and skips cleanly. */
gboolean    piso_ui_test_init              (int          *argc,
                                            char       ***argv);
/* TRUE when the test can run; otherwise marks it skipped (call and return). */
gboolean    piso_ui_test_skip_unless_display (void);
/* A test program's start, in the language asked: piso_ui_test_parse_language,
 * GTK_A11Y=test (accessible names are checked) and piso_ui_test_init. FALSE
 * without a display, having added the one test @no_display_path that skips:
 * then only g_test_run() is left to do. */
gboolean    piso_ui_test_init_checked      (int          *argc,
                                            char       ***argv,
                                            const char   *no_display_path);

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
/* The same for @name with the language's suffix ("-es", see
 * piso_ui_test_parse_language) once what a change brought settled; the path
 * goes to the test's log. */
void        piso_ui_test_screenshot        (GtkWidget    *widget,
                                            const char   *name);
/* The same, with @popover (open, in @widget's window) drawn over @widget
 * where it is on screen: popovers are surfaces of their own. */
char       *piso_ui_test_save_screenshot_with_popover (GtkWidget  *widget,
                                                       GtkPopover *popover,
                                                       const char *name);

/* Depth-first search below @root (or @root) for a GtkActionable whose
 * action-name is @action_name (NULL: any). */
GtkWidget  *piso_ui_test_find_actionable   (GtkWidget    *root,
                                            const char   *action_name);
/* The first button below @root whose label is @label (with its mnemonic
 * underscore, as set: "_Cancel"), or NULL */
GtkWidget  *piso_ui_test_find_button_with_label (GtkWidget *root,
                                                 const char *label);
/* A menu item below @root (a popover) reading @text, mnemonic removed: menu
 * items are GtkModelButtons driven by the menu tracker, not actionables */
GtkWidget  *piso_ui_test_find_model_button (GtkWidget    *root,
                                            const char   *text);
/* The first descendant of @root (or @root) of @type, in tree order */
GtkWidget  *piso_ui_test_find_descendant   (GtkWidget    *root,
                                            GType         type);
/* Emits the "drop" of @widget's file drop target with @files (GFiles) as
 * a drag and drop would; whether it was accepted */
gboolean    piso_ui_test_drop_files        (GtkWidget    *widget,
                                            GSList       *files);
/* Appends the texts of all visible GtkLabels below @root to @texts */
void        piso_ui_test_collect_labels    (GtkWidget    *root,
                                            GPtrArray    *texts);
/* Whether one of the visible labels below @root reads @text */
gboolean    piso_ui_test_has_label         (GtkWidget    *root,
                                            const char   *text);

/* Takes --piso-language=LANG and --piso-localedir=DIR out of the arguments
 * (call before piso_ui_test_init). With both, the test runs in LANG with the
 * build's catalogues (DIR/LANG/LC_MESSAGES/piso.mo) and this returns "-LANG",
 * to add to screenshot names; else "". */
const char *piso_ui_test_parse_language    (int          *argc,
                                            char       ***argv);

/* Loads the application's style sheet (banners…) for the default display,
 * as PisoApplication does: for tests that show widgets without it. */
void        piso_ui_test_load_style        (void);

/* A new non-unique PisoApplication, registered (asserted). */
PisoApplication *piso_ui_test_new_application (void);

/* A new PisoWindow of @app with the given default size, presented */
PisoWindow *piso_ui_test_present_window    (PisoApplication *app,
                                            int           width,
                                            int           height);

/* A new GtkWindow of the given default size with a "win.toast" action (a
 * string parameter) standing in for PisoWindow's toast overlay: each toast's
 * text is appended to @toasts. */
GtkWindow  *piso_ui_test_toast_window      (int           width,
                                            int           height,
                                            GPtrArray    *toasts);
/* A connection to a test-driver @uri and a toast window (see above) to put
 * pages in */
typedef struct
{
  PisoConnection *connection;
  GtkWindow      *window;
  GPtrArray      *toasts;
} PisoUiTestPageFixture;

void        piso_ui_test_page_fixture_open  (PisoUiTestPageFixture *f,
                                             const char            *uri,
                                             int                    width,
                                             int                    height);
/* Destroys every toplevel and closes the connection. */
void        piso_ui_test_page_fixture_close (PisoUiTestPageFixture *f);
/* A new machine page showing @f's machine @name (asserted to exist) in
 * @f's window, presented */
PisoMachinePage *piso_ui_test_show_machine_page (PisoUiTestPageFixture *f,
                                                 const char            *name);
/* piso_test_wait_until() check on a PisoUiTestPageFixture: a toast came */
gboolean    piso_ui_test_page_fixture_has_toast (gpointer        fixture);

/* Where a test of a page or section starts: a fresh copy of
 * tests/data/@node_file on the test driver and a toast window of this size */
typedef struct
{
  const char *node_file;
  int         width;
  int         height;
} PisoUiTestPage;

typedef void (*PisoUiTestPageFunc) (PisoUiTestPageFixture *f,
                                    gconstpointer          data);

/* g_test_add() of @test on a fixture opened as @page says, closed after it;
 * @test gets @page as its data. */
void        piso_ui_test_add_page_test     (const char           *path,
                                            const PisoUiTestPage *page,
                                            PisoUiTestPageFunc    test);

/* Destroys every toplevel window except @keep (may be NULL). */
void        piso_ui_test_destroy_toplevels (GtkWindow    *keep);
/* The first toplevel window of @type, or NULL. */
GtkWindow  *piso_ui_test_find_toplevel     (GType         type);
/* piso_test_wait_until() check: no toplevel of the type GSIZE_TO_POINTER (@type) */
gboolean    piso_ui_test_no_toplevel       (gpointer      type);
/* Activates @action on @widget and returns the toplevel of @type it opened
 * (asserted), once drawn */
gpointer    piso_ui_test_open_toplevel     (GtkWidget    *widget,
                                            const char   *action,
                                            GType         type);
/* Waits until @connection is connected and lists @n_machines machines. */
void        piso_ui_test_wait_machines     (PisoConnection *connection,
                                            guint         n_machines,
                                            const char   *what);

/* Asserts that no label shown below @root (a row) is cut short with an
 * ellipsis: what it says can be read whole (@root must be laid out). */
void        piso_ui_test_assert_not_ellipsized (GtkWidget *root);
/* The texts of the visible labels below @root, one per line, no-break spaces
 * (between a size's number and unit) made plain spaces */
char       *piso_ui_test_visible_texts     (GtkWidget    *root);
/* A template child of @widget's class @type (asserted to exist). Template
 * children carry no buildable id at run time: this goes through the class's
 * template bindings. */
gpointer    piso_ui_test_template_child    (GtkWidget    *widget,
                                            GType         type,
                                            const char   *name);
/* The same for a template child of @widget's own class */
gpointer    piso_ui_test_child             (gpointer      widget,
                                            const char   *name);
/* Asserts that @widget's accessible name is read once, as @text: it has no
 * name of its own (GTK 4.8 reads that before its "labelled by" labels) and
 * is labelled by @label alone, whose text is @text, without a mnemonic's
 * underscore. Needs GTK_A11Y=test (set it before piso_ui_test_init). */
void        piso_ui_test_assert_named_by   (GtkWidget    *widget,
                                            GtkWidget    *label,
                                            const char   *text);
/* Asserts that @button is visible and sensitive, and clicks it. */
void        piso_ui_test_click             (GtkWidget    *button);
/* piso_test_wait_until() checks on a GtkWidget */
gboolean    piso_ui_test_widget_sensitive  (gpointer      widget);
gboolean    piso_ui_test_widget_visible    (gpointer      widget);

/* Waits until @view shows its @page page ("off", "display", …). */
void        piso_ui_test_wait_console_page (PisoConsoleView *view,
                                            const char   *page,
                                            guint         timeout_s);
#ifdef GDK_WINDOWING_X11
/* Moves the X pointer (xdotool) to (@x, @y) of @widget. */
void        piso_ui_test_pointer_to        (GtkWidget    *widget,
                                            double        x,
                                            double        y);
#endif

G_END_DECLS
