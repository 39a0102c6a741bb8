/* piso-spinner.c: spinners that show only for waits worth showing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A spinner that starts at once flashes by on every quick wait, and one
 * that spins redraws its window sixty times a second: while Piso starts,
 * that took CPU from libvirt's first listing on a two-core machine and
 * delayed the list's first frame by about 30 ms (bench-startup, 1000
 * machines). The text next to it already says what is happening.
 */
#define G_LOG_DOMAIN "piso"

#include "config.h"

#include "piso-spinner.h"

#define PENDING_KEY "piso-spinner-pending"

static gboolean
start_spinning_cb (gpointer user_data)
{
  GtkSpinner *spinner = user_data;

  /* Stolen: the source ends by returning, not by the data's notify */
  g_object_steal_data (G_OBJECT (spinner), PENDING_KEY);
  gtk_spinner_start (spinner);
  return G_SOURCE_REMOVE;
}

static void
remove_source (gpointer data)
{
  g_source_remove (GPOINTER_TO_UINT (data));
}

/* Busy: spin from PISO_SPINNER_DELAY_MS on. Not busy: stop now. */
void
piso_spinner_set_busy (GtkSpinner *spinner,
                       gboolean    busy)
{
  g_return_if_fail (GTK_IS_SPINNER (spinner));

  if (!busy)
    {
      g_object_set_data (G_OBJECT (spinner), PENDING_KEY, NULL);
      gtk_spinner_stop (spinner);
      return;
    }

  if (gtk_spinner_get_spinning (spinner) ||
      g_object_get_data (G_OBJECT (spinner), PENDING_KEY) != NULL)
    return;

  /* Removed with the spinner if it goes first */
  g_object_set_data_full (G_OBJECT (spinner), PENDING_KEY,
                          GUINT_TO_POINTER (g_timeout_add (PISO_SPINNER_DELAY_MS,
                                                           start_spinning_cb, spinner)),
                          remove_source);
}
