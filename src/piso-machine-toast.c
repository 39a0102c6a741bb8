/* piso-machine-toast.c: how the machine page and its sections report failures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-toast"

#include "config.h"

#include "piso-backend.h"
#include "piso-machine-toast.h"

void
piso_machine_toast (GtkWidget  *widget,
                    const char *message)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  if (!gtk_widget_activate_action (widget, "win.toast", "s", message))
    g_debug ("No win.toast action to show: %s", message);
}

void
piso_machine_toast_error (GtkWidget    *widget,
                          const char   *context,
                          const GError *error)
{
  g_autofree char *message = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (context != NULL);
  g_return_if_fail (error != NULL);

  if ((error->domain == PISO_BACKEND_ERROR && error->code != PISO_BACKEND_ERROR_INVALID_NAME) ||
      g_str_has_prefix (error->message, context))
    message = g_strdup (error->message);
  else
    message = g_strdup_printf ("%s: %s", context, error->message);

  piso_machine_toast (widget, message);
}
