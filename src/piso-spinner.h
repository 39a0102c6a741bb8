/* piso-spinner.h: spinners that show only for waits worth showing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A wait shorter than this shows no spinner at all */
#define PISO_SPINNER_DELAY_MS 600

void piso_spinner_set_busy (GtkSpinner *spinner,
                            gboolean    busy);

G_END_DECLS
