/* piso-window-private.h: what tests may look at inside PisoWindow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-window.h"

G_BEGIN_DECLS

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
/* The banner of @connection; NULL when it has none */
GtkRevealer       *_piso_window_get_banner           (PisoWindow     *self,
                                                      PisoConnection *connection);
gboolean           _piso_window_get_folded           (PisoWindow     *self);
/* Selects @item (a PisoMachine or PisoConnection) as a click would */
gboolean           _piso_window_select_item          (PisoWindow     *self,
                                                      gpointer        item);

G_END_DECLS
