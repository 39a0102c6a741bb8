/* piso-a11y.c: accessible names GTK gets wrong on some versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-a11y"

#include "config.h"

#include "piso-a11y.h"

static void
piso_a11y_button_label_cb (GtkButton  *button,
                           GParamSpec *pspec,
                           gpointer    user_data)
{
  /* (GTK 4.8 sets the raw name again with each new label, before this) */
  if (gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

void
piso_a11y_name_buttons_by_labels (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  /* Newer GTK names them through the label child only: resetting a name
   * it never set changes nothing there. */
  if (GTK_IS_BUTTON (root))
    {
      piso_a11y_button_label_cb (GTK_BUTTON (root), NULL, NULL);
      if (g_object_get_data (G_OBJECT (root), "piso-a11y-named") == NULL)
        {
          g_object_set_data (G_OBJECT (root), "piso-a11y-named", GINT_TO_POINTER (TRUE));
          g_signal_connect (root, "notify::label", G_CALLBACK (piso_a11y_button_label_cb), NULL);
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    piso_a11y_name_buttons_by_labels (child);
}

void
piso_a11y_name_list_row (GtkWidget  *row,
                         const char *label)
{
  GtkWidget *item;

  g_return_if_fail (GTK_IS_WIDGET (row));

  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  /* The list item holding it has the keyboard focus, and no name of its
   * own: screen readers said nothing there */
  item = gtk_widget_get_parent (row);
  if (item != NULL &&
      gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (item)) == GTK_ACCESSIBLE_ROLE_LIST_ITEM)
    gtk_accessible_update_property (GTK_ACCESSIBLE (item),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    -1);
}

#if !GTK_CHECK_VERSION (4, 12, 0)
static gboolean
piso_a11y_list_tab_key_cb (GtkEventControllerKey *keys,
                           guint                  keyval,
                           guint                  keycode,
                           GdkModifierType        state,
                           gpointer               user_data)
{
  GtkWidget *list = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (keys));
  GtkDirectionType direction;
  GtkRoot *root;

  if (keyval != GDK_KEY_Tab && keyval != GDK_KEY_KP_Tab && keyval != GDK_KEY_ISO_Left_Tab)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  root = gtk_widget_get_root (list);
  if (root == NULL)
    return FALSE;
  direction = (keyval == GDK_KEY_ISO_Left_Tab || (state & GDK_SHIFT_MASK) != 0)
              ? GTK_DIR_TAB_BACKWARD : GTK_DIR_TAB_FORWARD;
  /* The window's own focus chain, with the list passed over: a widget
   * that cannot take focus is skipped with all its items */
  gtk_widget_set_can_focus (list, FALSE);
  gtk_widget_child_focus (GTK_WIDGET (root), direction);
  gtk_widget_set_can_focus (list, TRUE);
  return TRUE;
}
#endif

void
piso_a11y_list_tab_leaves (GtkListView *list)
{
  g_return_if_fail (GTK_IS_LIST_VIEW (list));

#if GTK_CHECK_VERSION (4, 12, 0)
  gtk_list_view_set_tab_behavior (list, GTK_LIST_TAB_ITEM);
#else
  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (piso_a11y_list_tab_key_cb), NULL);
    gtk_widget_add_controller (GTK_WIDGET (list), keys);
  }
#endif
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
