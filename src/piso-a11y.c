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
