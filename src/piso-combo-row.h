/* piso-combo-row.h: combo rows whose choice is always read whole
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows @row's choice (a GtkStringList's string, or what the row's
 * expression gives; call it once the model is set) whole: not
 * cut at 20 characters as libadwaita's own value does ("Controlador de
 * prueba…"), and never squeezed by a long subtitle to "…" (Spanish
 * "Red en …"); the subtitle wraps instead. */
void piso_combo_row_show_whole_value (AdwComboRow *row);

G_END_DECLS
