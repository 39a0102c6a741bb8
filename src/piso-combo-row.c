/* piso-combo-row.c: combo rows whose choice is always read whole
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-combo-row"

#include "config.h"

#include "piso-combo-row.h"

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         AdwComboRow              *row)
{
  GObject *object = gtk_list_item_get_item (item);
  GtkExpression *expression = adw_combo_row_get_expression (row);
  g_auto(GValue) value = G_VALUE_INIT;
  const char *text = NULL;

  /* The row's expression names its items, as libadwaita's label does */
  if (expression != NULL && object != NULL && gtk_expression_evaluate (expression, object, &value))
    text = g_value_get_string (&value);
  else if (GTK_IS_STRING_OBJECT (object))
    text = gtk_string_object_get_string (GTK_STRING_OBJECT (object));
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

void
piso_combo_row_show_whole_value (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  /* A label that does not ellipsize asks for its whole text as its
   * minimum: the row's title and subtitle take what is left (libadwaita's
   * value label ellipsizes, and lost that contest). The popup's list keeps
   * libadwaita's own rows. */
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  /* (the row owns the factory: it outlives every bind) */
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), row);
  if (adw_combo_row_get_list_factory (row) == NULL)
    adw_combo_row_set_list_factory (row, adw_combo_row_get_factory (row));
  adw_combo_row_set_factory (row, factory);
}
