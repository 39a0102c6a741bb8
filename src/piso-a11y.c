/* piso-a11y.c: accessible names GTK gets wrong on some versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-a11y"

#include "config.h"

#include "piso-a11y.h"

void
piso_a11y_name_buttons_by_labels (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  /* Newer GTK names them through the label child only: resetting a name
   * it never set changes nothing there. */
  if (GTK_IS_BUTTON (root) &&
      gtk_button_get_use_underline (GTK_BUTTON (root)) &&
      gtk_button_get_label (GTK_BUTTON (root)) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    piso_a11y_name_buttons_by_labels (child);
}

void
piso_a11y_announce (GtkWidget  *widget,
                    const char *message)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  g_object_set_data_full (G_OBJECT (widget), "piso-a11y-announcement",
                          g_strdup (message), g_free);

#if GTK_CHECK_VERSION (4, 14, 0)
  gtk_accessible_announce (GTK_ACCESSIBLE (widget), message,
                           GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
#else
  /* An alert that appears is read out (its "showing" state changes). */
  if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)) == GTK_ACCESSIBLE_ROLE_ALERT &&
      gtk_widget_get_visible (widget))
    {
      gtk_widget_set_visible (widget, FALSE);
      gtk_widget_set_visible (widget, TRUE);
    }
#endif
}

const char *
piso_a11y_get_last_announcement (GtkWidget *widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  return g_object_get_data (G_OBJECT (widget), "piso-a11y-announcement");
}
