/* piso-name-row.c: a new machine's name as typed, checked
 *
 * Clone and Import name a new machine the same way (and say the same
 * things of a bad name).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-name-row"

#include "config.h"

#include "piso-name-row.h"

gboolean
piso_name_row_check (GtkEntry       *entry,
                     GtkLabel       *error_label,
                     PisoConnection *connection)
{
  const char *text;
  g_autoptr(GError) error = NULL;
  gboolean say;

  g_return_val_if_fail (GTK_IS_ENTRY (entry), FALSE);
  g_return_val_if_fail (GTK_IS_LABEL (error_label), FALSE);

  text = gtk_editable_get_text (GTK_EDITABLE (entry));
  if (connection != NULL)
    piso_connection_check_machine_name (connection, text, NULL, &error);
  else
    piso_machine_validate_name (text, &error);

  /* Say why only once there is something to say it of. */
  say = error != NULL && text[0] != '\0';
  gtk_label_set_label (error_label, say ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (error_label), say);
  if (say)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  return error == NULL;
}
