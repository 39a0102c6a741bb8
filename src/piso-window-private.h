/* piso-window-private.h: PisoWindow's insides, shared by its files, and
 * what tests may look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-connection-group.h"
#include "piso-host-page.h"
#include "piso-list-stager.h"
#include "piso-machine-page.h"
#include "piso-settings.h"
#include "piso-window.h"

G_BEGIN_DECLS

struct _PisoWindow
{
  AdwApplicationWindow  parent_instance;

  PisoManager          *manager;
  PisoSettings         *settings;

  GtkCustomFilter      *filter;
  GtkCustomSorter      *sorter;
  PisoListStager       *stager;     /* between flat and selection */
  GtkSingleSelection   *selection;
  GtkFlattenListModel  *flat;
  PisoMachineWatcher   *watcher;
  char                 *search_folded;     /* casefolded search text, NULL when none */
  PisoSortBy            sort_by;
  guint                 resort_source;
  guint                 refilter_source;
  gulong                first_paint_handler;  /* until the list is first drawn full */
  gboolean              first_paint_done;

  GHashTable           *banners;           /* PisoConnection → Banner */
  GBinding             *title_binding;
  AdwToast             *last_toast;
  char                 *last_toast_message;
  PisoMachine          *pending_machine;   /* to select once it is listed */
  PisoConnection       *awaited_connection; /* lists the awaited machine soon */
  char                 *awaited_uuid;
  gulong                awaited_handler;
  guint                 awaited_timeout;
  GtkWidget            *row_menu;          /* weak: a row's open context menu */

  /* template */
  GtkBox               *banners_box;
  GtkLabel             *live_label;
  GtkSpinner           *connecting_spinner;
  GtkStack             *content_stack;
  GtkButton            *empty_add_connection_button;
  GtkButton            *empty_new_machine_button;
  AdwStatusPage        *empty_page;
  AdwBin               *host_bin;
  PisoHostPage         *host_page;         /* made when first needed */
  AdwLeaflet           *leaflet;
  GtkListView          *list_view;
  PisoMachinePage      *machine_page;
  GtkStack             *other_stack;
  AdwWindowTitle       *other_title;
  GtkSearchBar         *search_bar;
  GtkToggleButton      *search_button;
  GtkSearchEntry       *search_entry;
  GtkStack             *sidebar_stack;
  AdwToastOverlay      *toast_overlay;
};

/* piso-window.c */
/* The sidebar's page (the list, or "no results") and the first frame */
void                _piso_window_update_sidebar      (PisoWindow     *self);

/* piso-window-list.c: the machine list */
void                _piso_window_list_class_init     (GtkWidgetClass *widget_class);
/* The shared filter and sorter, the machine watcher, the search bar */
void                _piso_window_list_init           (PisoWindow     *self);
/* A GtkMapListModel function: a connection → its PisoConnectionGroup */
gpointer            _piso_window_map_connection      (gpointer        item,
                                                      gpointer        user_data);
/* Rows: a PisoMachineRow or PisoConnectionHeader per item */
GtkListItemFactory *_piso_window_list_new_factory    (PisoWindow     *self);
/* The "sort-by" property ("name" or "state"), kept in the settings */
const char         *_piso_window_get_sort_by         (PisoWindow     *self);
void                _piso_window_set_sort_by         (PisoWindow     *self,
                                                      const char     *sort_by);
/* Follows the setting: re-sorts and notifies "sort-by" */
void                _piso_window_sort_by_changed_cb  (PisoWindow     *self);

/* For tests */

/* The flat list (connection headers and machines), a GtkSingleSelection */
GtkSelectionModel *_piso_window_get_list_model       (PisoWindow     *self);
GtkListView       *_piso_window_get_list_view        (PisoWindow     *self);
GtkEditable       *_piso_window_get_search_entry     (PisoWindow     *self);
/* "machine", "host", "empty" or "connecting" */
const char        *_piso_window_get_content_page     (PisoWindow     *self);
GtkWidget         *_piso_window_get_machine_page     (PisoWindow     *self);
GtkWidget         *_piso_window_get_host_page        (PisoWindow     *self);
/* The last toast shown, and the full message it stands for */
AdwToast          *_piso_window_get_last_toast       (PisoWindow     *self);
const char        *_piso_window_get_last_toast_message (PisoWindow   *self);
/* Moves the keyboard focus to the list item of @machine (selected) */
void                _piso_window_focus_machine       (PisoWindow     *self,
                                                      PisoMachine    *machine);
/* Tells screen readers @message (a toast's, a machine's new state) through
 * the window's live region (piso_a11y_announce); also "win.announce" */
void                _piso_window_announce            (PisoWindow     *self,
                                                      const char     *message);
/* The banner of @connection; NULL when it has none */
GtkRevealer       *_piso_window_get_banner           (PisoWindow     *self,
                                                      PisoConnection *connection);
gboolean           _piso_window_get_folded           (PisoWindow     *self);
/* The context menu last opened on a list row, while it exists */
GtkWidget         *_piso_window_get_row_menu         (PisoWindow     *self);
/* What dropping @files (GFiles) on the window does: the first one's
 * installer ISO opens New Machine, a bundle Import Machine (any of them);
 * FALSE, with a toast saying what can be dropped, for anything else. */
gboolean           _piso_window_drop_files           (PisoWindow     *self,
                                                      GSList         *files);
/* Selects @item (a PisoMachine or PisoConnection) as a click would */
gboolean           _piso_window_select_item          (PisoWindow     *self,
                                                      gpointer        item);

G_END_DECLS
