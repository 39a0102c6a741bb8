/* piso-a11y.c: accessible names GTK gets wrong on some versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-a11y"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

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

static void
piso_a11y_button_icon_cb (GtkButton  *button,
                          GParamSpec *pspec,
                          gpointer    user_data)
{
  /* An icon button is labelled by its image, which has no name: GTK 4.8
   * read it as its class, "GtkImage New Machine", and joins it to the
   * button's own name as a trailing space. The button's own name is
   * enough. (GTK sets the relation again with each new icon, before this.) */
  if (gtk_button_get_icon_name (button) != NULL)
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* GTK 4.8 names whatever has no name of its own by its class, and screen
 * readers read that: Orca said "GtkImage New Machine push button" (an icon
 * button is labelled by its image) and "GtkStackPage panel" on entering a
 * page. An empty name is read as nothing, as newer GTK has it. */
static void
piso_a11y_name_nothing (gpointer accessible)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (accessible),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                  -1);
}

static void
piso_a11y_stack_pages_cb (GListModel *pages,
                          guint       position,
                          guint       removed,
                          guint       added,
                          gpointer    user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) page = g_list_model_get_item (pages, i);

      /* (one with a title is named by it) */
      if (gtk_stack_page_get_title (GTK_STACK_PAGE (page)) == NULL)
        piso_a11y_name_nothing (page);
    }
}

static GtkWidget *
piso_a11y_first_list_box (GtkWidget *widget)
{
  if (GTK_IS_LIST_BOX (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = piso_a11y_first_list_box (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A menu is read as it opens ("More Actions menu"), by its button's label
 * or, for an icon, its tooltip */
static void
piso_a11y_name_menu (GtkWidget     *menu,
                     GtkMenuButton *button)
{
  const char *label = gtk_menu_button_get_label (button);
  g_autofree char *name = NULL;

  if (label != NULL && gtk_menu_button_get_use_underline (button))
    {
      GString *text = g_string_new (NULL);

      /* "Send _Key" is read "Send Key"; "__" is an underscore */
      for (const char *c = label; *c != '\0'; c++)
        {
          if (*c == '_' && *++c == '\0')
            break;
          g_string_append_c (text, *c);
        }
      name = g_string_free (text, FALSE);
    }
  else if (label != NULL)
    name = g_strdup (label);
  else
    name = g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (button)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name != NULL ? name : "",
                                  -1);
}

void
piso_a11y_describe (GtkWidget  *widget,
                    const char *text,
                    gboolean    use_markup)
{
  g_autofree char *plain = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (!use_markup || !pango_parse_markup (text, -1, 0, NULL, &plain, NULL, NULL))
    plain = g_strdup (text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, plain,
                                  -1);
}

/* A row's subtitle is its description (libadwaita relates them), which
 * GTK 4.8 does not pass on: Orca read "Start With the Host" without "Start
 * this machine when the host starts". Set as the row's own description it
 * is read on every version, the same text where GTK follows the relation. */
static void
piso_a11y_row_subtitle_cb (AdwActionRow *row,
                           GParamSpec   *pspec,
                           gpointer      user_data)
{
  const char *subtitle = adw_action_row_get_subtitle (row);

  if (subtitle == NULL || *subtitle == '\0')
    {
      /* (only a description this set: a row reading its value has its own) */
      if (g_object_steal_data (G_OBJECT (row), "piso-a11y-subtitle") != NULL)
        gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      return;
    }
  g_object_set_data (G_OBJECT (row), "piso-a11y-subtitle", GINT_TO_POINTER (TRUE));
  piso_a11y_describe (GTK_WIDGET (row), subtitle,
                      adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
}

#if !GTK_CHECK_VERSION (4, 12, 0)
static void
piso_a11y_weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static gboolean
piso_a11y_refocus_cb (gpointer user_data)
{
  /* (not held: a dialog closed meanwhile goes as it would) */
  g_autoptr(GtkWindow) window = g_weak_ref_get (user_data);
  GtkWidget *focus;

  if (window == NULL)
    return G_SOURCE_REMOVE;
  g_object_steal_data (G_OBJECT (window), "piso-a11y-refocus");
  focus = gtk_window_get_focus (window);
  /* (not a text field: focusing one again selects its text; nor in a menu
   * that has just opened, which speaks for itself) */
  if (focus != NULL && gtk_window_is_active (window) && !GTK_IS_EDITABLE (focus) &&
      gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) == NULL)
    {
      g_object_ref (focus);
      gtk_window_set_focus (window, NULL);
      gtk_window_set_focus (window, focus);
      g_object_unref (focus);
    }
  return G_SOURCE_REMOVE;
}

/* A window that becomes active (a dialog that opens, the main window when
 * one closes) says nothing of the focus it already has on GTK 4.8, and Orca
 * only said "Delete “build”? dialog" or "Piso frame": the focus is given
 * again a moment later (Orca also passes over a window GTK reports showing
 * only once it is active), and Orca then reads the focused control. */
static void
piso_a11y_window_active_cb (GtkWindow  *window,
                            GParamSpec *pspec,
                            gpointer    user_data)
{
  GWeakRef *ref;

  if (!gtk_window_is_active (window) ||
      g_object_get_data (G_OBJECT (window), "piso-a11y-refocus") != NULL)
    return;
  ref = g_new0 (GWeakRef, 1);
  g_object_set_data (G_OBJECT (window), "piso-a11y-refocus", GINT_TO_POINTER (TRUE));
  g_weak_ref_init (ref, window);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 300, piso_a11y_refocus_cb, ref, piso_a11y_weak_ref_free);
}
#endif

static gboolean
piso_a11y_realize_hook (GSignalInvocationHint *hint,
                        guint                  n_params,
                        const GValue          *params,
                        gpointer               user_data)
{
  GtkWidget *widget = g_value_get_object (&params[0]);

  if (GTK_IS_BUTTON (widget) &&
      g_object_get_data (G_OBJECT (widget), "piso-a11y-named") == NULL)
    {
      /* Named by its label child alone, now and after its label changes;
       * newer GTK names them so already, where resetting a name it never
       * set changes nothing */
      g_object_set_data (G_OBJECT (widget), "piso-a11y-named", GINT_TO_POINTER (TRUE));
      piso_a11y_button_label_cb (GTK_BUTTON (widget), NULL, NULL);
      g_signal_connect (widget, "notify::label", G_CALLBACK (piso_a11y_button_label_cb), NULL);
      piso_a11y_button_icon_cb (GTK_BUTTON (widget), NULL, NULL);
      g_signal_connect (widget, "notify::icon-name", G_CALLBACK (piso_a11y_button_icon_cb), NULL);
    }
  else if (GTK_IS_IMAGE (widget) &&
           gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)) == GTK_ACCESSIBLE_ROLE_PRESENTATION)
    piso_a11y_name_nothing (widget);
  else if (GTK_IS_LABEL (widget) && *gtk_label_get_label (GTK_LABEL (widget)) == '\0')
    piso_a11y_name_nothing (widget);

#if !GTK_CHECK_VERSION (4, 12, 0)
  if (GTK_IS_WINDOW (widget) &&
      g_object_get_data (G_OBJECT (widget), "piso-a11y-window") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "piso-a11y-window", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::is-active", G_CALLBACK (piso_a11y_window_active_cb), NULL);
    }
#endif

  if (ADW_IS_ACTION_ROW (widget) &&
      g_object_get_data (G_OBJECT (widget), "piso-a11y-described") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "piso-a11y-described", GINT_TO_POINTER (TRUE));
      piso_a11y_row_subtitle_cb (ADW_ACTION_ROW (widget), NULL, NULL);
      g_signal_connect (widget, "notify::subtitle", G_CALLBACK (piso_a11y_row_subtitle_cb), NULL);
    }

  if (ADW_IS_PREFERENCES_GROUP (widget) || ADW_IS_EXPANDER_ROW (widget))
    {
      /* Their rows' list, the first list in them, is read on the way to a
       * row ("GtkListBox, list with 5 items" on GTK 4.8). A group names it
       * by its title, when it has one. */
      GtkWidget *list = piso_a11y_first_list_box (widget);

      if (ADW_IS_EXPANDER_ROW (widget) && list != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (list),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                                        -1);
      else if (list != NULL)
        {
          const char *title = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget));

          if (title == NULL || *title == '\0')
            piso_a11y_name_nothing (list);
        }
    }
  else if (GTK_IS_POPOVER_MENU (widget) && GTK_IS_MENU_BUTTON (gtk_widget_get_parent (widget)))
    piso_a11y_name_menu (widget, GTK_MENU_BUTTON (gtk_widget_get_parent (widget)));
  else if (ADW_IS_VIEW_SWITCHER (widget))
    /* Read on the way to a view's tab ("AdwViewSwitcher" on GTK 4.8) */
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Views"),
                                    -1);

  if (GTK_IS_STACK (widget) &&
      g_object_get_data (G_OBJECT (widget), "piso-a11y-pages") == NULL)
    {
      /* Every page is in the accessible tree, shown or not */
      GListModel *pages = G_LIST_MODEL (gtk_stack_get_pages (GTK_STACK (widget)));

      g_object_set_data_full (G_OBJECT (widget), "piso-a11y-pages", pages, g_object_unref);
      piso_a11y_stack_pages_cb (pages, 0, 0, g_list_model_get_n_items (pages), NULL);
      g_signal_connect (pages, "items-changed", G_CALLBACK (piso_a11y_stack_pages_cb), NULL);
    }

  return TRUE;
}

void
piso_a11y_set_button_label (GtkButton  *button,
                            const char *label)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_BUTTON (button));
  g_return_if_fail (label != NULL);

  if (g_strcmp0 (gtk_button_get_label (button), label) == 0)
    return;
  /* A label made by gtk_button_set_label() is its child's text (what
   * gtk_button_get_label() returns): changing that text changes no name of
   * the button's, where gtk_button_set_label() on GTK 4.8 first names the
   * button by the raw label, and a screen reader on it says "_Back Back" */
  child = gtk_button_get_child (button);
  if (gtk_button_get_label (button) != NULL && GTK_IS_LABEL (child))
    gtk_label_set_label (GTK_LABEL (child), label);
  else
    gtk_button_set_label (button, label);
}

void
piso_a11y_init (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      /* (a signal exists once its class does) */
      gpointer widget_class = g_type_class_ref (GTK_TYPE_WIDGET);

      g_signal_add_emission_hook (g_signal_lookup ("realize", GTK_TYPE_WIDGET), 0,
                                  piso_a11y_realize_hook, NULL, NULL);
      g_type_class_unref (widget_class);
      g_once_init_leave (&installed, 1);
    }
}

static void
piso_a11y_value_changed_cb (GtkLabel   *value,
                            GParamSpec *pspec,
                            GtkWidget  *row)
{
  /* A screen reader speaks a new description of what has the focus: a
   * live value (the host's processor use) would be read out every second */
  if (pspec != NULL && gtk_widget_has_focus (row))
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, gtk_label_get_text (value),
                                  -1);
}

void
piso_a11y_row_reads_value (GtkWidget *row,
                           GtkLabel  *value)
{
  g_return_if_fail (GTK_IS_WIDGET (row));
  g_return_if_fail (GTK_IS_LABEL (value));

  /* (Not focusable is not enough: GTK 4.8's selectable label claims a Tab
   * it cannot take, and Tab stays on the row.) */
  gtk_widget_set_focusable (GTK_WIDGET (value), FALSE);
  gtk_widget_set_can_focus (GTK_WIDGET (value), FALSE);
  /* The row is described by its subtitle (libadwaita 1.7), which comes
   * before a description of its own: the value is its description here */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);
  piso_a11y_value_changed_cb (value, NULL, row);
  g_signal_connect_object (value, "notify::label", G_CALLBACK (piso_a11y_value_changed_cb), row, 0);
}

void
piso_a11y_name_list_row (GtkWidget  *row,
                         const char *label,
                         const char *description)
{
  GtkWidget *item;

  g_return_if_fail (GTK_IS_WIDGET (row));

  if (description == NULL)
    description = "";
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  /* The list item holding it has the keyboard focus, and no name of its
   * own: screen readers said nothing there */
  item = gtk_widget_get_parent (row);
  if (item != NULL &&
      gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (item)) == GTK_ACCESSIBLE_ROLE_LIST_ITEM)
    gtk_accessible_update_property (GTK_ACCESSIBLE (item),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
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
