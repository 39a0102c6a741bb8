/* piso-list-stager.h: shows a long list to its view a screenful first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PISO_TYPE_LIST_STAGER (piso_list_stager_get_type ())

G_DECLARE_FINAL_TYPE (PisoListStager, piso_list_stager, PISO, LIST_STAGER, GObject)

PisoListStager *piso_list_stager_new        (GListModel     *model,
                                             GtkWidget      *view);
GListModel     *piso_list_stager_get_model  (PisoListStager *self);
void            piso_list_stager_reveal_all (PisoListStager *self);

G_END_DECLS
