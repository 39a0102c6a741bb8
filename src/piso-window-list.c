/* piso-window-list.c: the main window's machine list: sorting, filtering,
 * search, and its rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-window"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "piso-connection-header.h"
#include "piso-machine-page.h"
#include "piso-machine-row.h"
#include "piso-window-private.h"

/* ------------------------------------------------------------------------ */
/* Per-machine sort key, cached on the machine                              */

typedef struct
{
  char *display_name;   /* the name the key was made from */
  char *collate_key;
  int   rank;           /* the state rank last sorted by */
} SortKey;

static GQuark sort_key_quark;

static void
sort_key_free (gpointer data)
{
  SortKey *key = data;

  g_free (key->display_name);
  g_free (key->collate_key);
  g_free (key);
}

static int
state_rank (PisoMachineState state)
{
  switch (state)
    {
    case PISO_MACHINE_STATE_RUNNING:
    case PISO_MACHINE_STATE_SHUTTING_DOWN:
      return 0;
    case PISO_MACHINE_STATE_PAUSED:
    case PISO_MACHINE_STATE_SUSPENDED:
      return 1;
    case PISO_MACHINE_STATE_CRASHED:
    case PISO_MACHINE_STATE_SAVED:
    case PISO_MACHINE_STATE_SHUTOFF:
    case PISO_MACHINE_STATE_UNKNOWN:
    default:
      return 2;
    }
}

static SortKey *
get_sort_key (PisoMachine *machine)
{
  SortKey *key = g_object_get_qdata (G_OBJECT (machine), sort_key_quark);
  const char *display_name = piso_machine_get_display_name (machine);

  if (key == NULL)
    {
      key = g_new0 (SortKey, 1);
      key->rank = state_rank (piso_machine_get_state (machine));
      g_object_set_qdata_full (G_OBJECT (machine), sort_key_quark, key, sort_key_free);
    }

  if (key->collate_key == NULL || g_strcmp0 (key->display_name, display_name) != 0)
    {
      g_autofree char *folded = g_utf8_casefold (display_name ? display_name : "", -1);

      g_free (key->display_name);
      g_free (key->collate_key);
      key->display_name = g_strdup (display_name);
      /* natural order: "vm-9" before "vm-10" */
      key->collate_key = g_utf8_collate_key_for_filename (folded, -1);
    }

  return key;
}

/* ---- sorting and filtering ---- */

static int
piso_window_sort_func (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  PisoWindow *self = user_data;
  PisoMachine *machine_a = (PisoMachine *)a;
  PisoMachine *machine_b = (PisoMachine *)b;
  SortKey *key_a, *key_b;
  int result;

  if (self != NULL && self->sort_by == PISO_SORT_BY_STATE)
    {
      int rank_a = state_rank (piso_machine_get_state (machine_a));
      int rank_b = state_rank (piso_machine_get_state (machine_b));

      if (rank_a != rank_b)
        return rank_a < rank_b ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
    }

  key_a = get_sort_key (machine_a);
  key_b = get_sort_key (machine_b);
  result = strcmp (key_a->collate_key, key_b->collate_key);
  if (result == 0)
    result = g_strcmp0 (piso_machine_get_name (machine_a), piso_machine_get_name (machine_b));

  return result < 0 ? GTK_ORDERING_SMALLER : result > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static gboolean
contains_folded (const char *haystack,
                 const char *needle_folded)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;

  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle_folded) != NULL;
}

static gboolean
piso_window_filter_func (gpointer item,
                         gpointer user_data)
{
  PisoWindow *self = user_data;
  PisoMachine *machine = item;

  if (self == NULL || self->search_folded == NULL)
    return TRUE;

  return contains_folded (piso_machine_get_name (machine), self->search_folded) ||
         contains_folded (piso_machine_get_title (machine), self->search_folded) ||
         contains_folded (piso_machine_get_os_name (machine), self->search_folded);
}

static gboolean
piso_window_resort_cb (gpointer user_data)
{
  PisoWindow *self = user_data;

  self->resort_source = 0;
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

static gboolean
piso_window_refilter_cb (gpointer user_data)
{
  PisoWindow *self = user_data;

  self->refilter_source = 0;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

/* One re-sort per main loop iteration however many machines changed (a
 * reconnection can change hundreds of states at once). */
static void
piso_window_queue_resort (PisoWindow *self)
{
  if (self->resort_source == 0)
    self->resort_source = g_idle_add_full (G_PRIORITY_DEFAULT, piso_window_resort_cb, self, NULL);
}

static void
piso_window_queue_refilter (PisoWindow *self)
{
  if (self->refilter_source == 0)
    self->refilter_source = g_idle_add_full (G_PRIORITY_DEFAULT, piso_window_refilter_cb, self, NULL);
}

static void
piso_window_machine_notify (PisoWindow  *self,
                            PisoMachine *machine,
                            const char  *property)
{
  g_assert (PISO_IS_WINDOW (self));

  if (g_str_equal (property, "state"))
    {
      SortKey *key = g_object_get_qdata (G_OBJECT (machine), sort_key_quark);
      int rank = state_rank (piso_machine_get_state (machine));

      /* Only a change of rank can move the machine */
      if (key == NULL || key->rank != rank)
        {
          if (key != NULL)
            key->rank = rank;
          if (self->sort_by == PISO_SORT_BY_STATE)
            piso_window_queue_resort (self);
        }
    }
  else if (g_str_equal (property, "display-name"))
    {
      piso_window_queue_resort (self);
      if (self->search_folded != NULL)
        piso_window_queue_refilter (self);
    }
  else if (g_str_equal (property, "name") ||
           g_str_equal (property, "title") ||
           g_str_equal (property, "os-name"))
    {
      if (self->search_folded != NULL)
        piso_window_queue_refilter (self);
    }
}

static void
piso_window_machine_notify_cb (GObject     *owner,
                               PisoMachine *machine,
                               const char  *property)
{
  piso_window_machine_notify (PISO_WINDOW (owner), machine, property);
}

gpointer
_piso_window_map_connection (gpointer item,
                             gpointer user_data)
{
  g_autoptr(PisoConnection) connection = item;
  PisoWindow *self = user_data;

  return piso_connection_group_new (connection,
                                    GTK_FILTER (self->filter),
                                    GTK_SORTER (self->sorter),
                                    self->watcher);
}

/* ---- list rows ---- */

static void
piso_window_bind_cb (PisoWindow               *self,
                     GtkListItem              *list_item,
                     GtkSignalListItemFactory *factory)
{
  gpointer item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (PISO_IS_MACHINE (item))
    {
      if (!PISO_IS_MACHINE_ROW (child))
        {
          child = piso_machine_row_new ();
          gtk_list_item_set_child (list_item, child);
        }
      piso_machine_row_set_machine (PISO_MACHINE_ROW (child), item);
    }
  else if (PISO_IS_CONNECTION (item))
    {
      if (!PISO_IS_CONNECTION_HEADER (child))
        {
          child = piso_connection_header_new ();
          gtk_list_item_set_child (list_item, child);
        }
      piso_connection_header_set_connection (PISO_CONNECTION_HEADER (child), item);
    }
}

static void
piso_window_unbind_cb (PisoWindow               *self,
                       GtkListItem              *list_item,
                       GtkSignalListItemFactory *factory)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (PISO_IS_MACHINE_ROW (child))
    piso_machine_row_set_machine (PISO_MACHINE_ROW (child), NULL);
  else if (PISO_IS_CONNECTION_HEADER (child))
    piso_connection_header_set_connection (PISO_CONNECTION_HEADER (child), NULL);
}

GtkListItemFactory *
_piso_window_list_new_factory (PisoWindow *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect_object (factory, "bind", G_CALLBACK (piso_window_bind_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (piso_window_unbind_cb), self,
                           G_CONNECT_SWAPPED);
  return factory;
}

/* ---- search ---- */

static void
piso_window_search_changed_cb (PisoWindow     *self,
                               GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *old = g_steal_pointer (&self->search_folded);
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_assert (PISO_IS_WINDOW (self));

  if (*stripped != '\0')
    {
      g_autofree char *normalized = g_utf8_normalize (stripped, -1, G_NORMALIZE_ALL);

      self->search_folded = g_utf8_casefold (normalized ? normalized : stripped, -1);
    }

  if (g_strcmp0 (old, self->search_folded) == 0)
    return;

  /* Matches are counted and chosen by position: the whole list, now */
  if (self->stager != NULL)
    piso_list_stager_reveal_all (self->stager);

  if (self->search_folded == NULL)
    /* Without a function the filter matches all: no per-item work at all */
    gtk_custom_filter_set_filter_func (self->filter, NULL, NULL, NULL);
  else if (old == NULL)
    gtk_custom_filter_set_filter_func (self->filter, piso_window_filter_func, self, NULL);
  else if (strstr (self->search_folded, old) != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
  else if (strstr (old, self->search_folded) != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);

  _piso_window_update_sidebar (self);
}

static void
piso_window_search_activate_cb (PisoWindow     *self,
                                GtkSearchEntry *entry)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->flat));

  g_assert (PISO_IS_WINDOW (self));

  piso_list_stager_reveal_all (self->stager);
  /* Enter opens the first match */
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->flat), i);

      if (PISO_IS_MACHINE (item))
        {
          gtk_single_selection_set_selected (self->selection, i);
          break;
        }
    }
}

static void
piso_window_stop_search_cb (PisoWindow     *self,
                            GtkSearchEntry *entry)
{
  g_assert (PISO_IS_WINDOW (self));

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
piso_window_search_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  PisoWindow *self = PISO_WINDOW (widget);
  gboolean enabled = !gtk_search_bar_get_search_mode (self->search_bar);

  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
piso_window_search_mode_cb (PisoWindow *self)
{
  g_assert (PISO_IS_WINDOW (self));

  if (!gtk_search_bar_get_search_mode (self->search_bar))
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* ---- sorting setting ---- */

void
_piso_window_sort_by_changed_cb (PisoWindow *self)
{
  PisoSortBy sort_by = piso_settings_get_sort_by (self->settings);

  g_assert (PISO_IS_WINDOW (self));

  if (sort_by == self->sort_by)
    return;

  self->sort_by = sort_by;
  g_clear_handle_id (&self->resort_source, g_source_remove);
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  g_object_notify (G_OBJECT (self), "sort-by");
}

const char *
_piso_window_get_sort_by (PisoWindow *self)
{
  return self->sort_by == PISO_SORT_BY_STATE ? "state" : "name";
}

void
_piso_window_set_sort_by (PisoWindow *self,
                          const char *sort_by)
{
  if (self->settings != NULL)
    piso_settings_set_sort_by (self->settings,
                               g_strcmp0 (sort_by, "state") == 0 ? PISO_SORT_BY_STATE
                                                                 : PISO_SORT_BY_NAME);
}

/* ---- a row's context menu: right click, long press, Menu, Shift+F10 ---- */

static PisoMachineRow *
row_of (GtkWidget *widget)
{
  /* Keyboard focus is on the list item (the row's parent) */
  if (widget != NULL && PISO_IS_MACHINE_ROW (gtk_widget_get_first_child (widget)))
    return PISO_MACHINE_ROW (gtk_widget_get_first_child (widget));
  while (widget != NULL && !PISO_IS_MACHINE_ROW (widget))
    widget = gtk_widget_get_parent (widget);
  return widget != NULL ? PISO_MACHINE_ROW (widget) : NULL;
}

static gboolean
piso_window_row_menu_unparent_cb (gpointer user_data)
{
  GtkWidget *popover = user_data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);
  return G_SOURCE_REMOVE;
}

static void
piso_window_row_menu_closed_cb (GtkWidget *popover)
{
  /* Unparented once its item's action ran (it runs after "closed") */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, piso_window_row_menu_unparent_cb,
                   g_object_ref (popover), g_object_unref);
}

/* The machine's page shows it, and a menu of the page's actions opens at
 * the row (at @point, in the row's coordinates, when not NULL). In a
 * folded window the page replaces the list: its header's menu is there. */
static gboolean
piso_window_popup_row_menu (PisoWindow           *self,
                            PisoMachineRow       *row,
                            const graphene_point_t *point)
{
  PisoMachine *machine = piso_machine_row_get_machine (row);
  g_autoptr(GMenuModel) model = NULL;
  GtkWidget *popover;

  if (machine == NULL || !_piso_window_select_item (self, machine))
    return FALSE;
  if (adw_leaflet_get_folded (self->leaflet))
    return TRUE;

  model = piso_machine_page_new_context_menu (self->machine_page);
  popover = gtk_popover_menu_new_from_model (model);
  /* Read as it opens: "Web Server menu" */
  gtk_accessible_update_property (GTK_ACCESSIBLE (popover),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, piso_machine_get_display_name (machine),
                                  -1);
  gtk_widget_insert_action_group (popover, "machine",
                                  piso_machine_page_get_actions (self->machine_page));
  gtk_widget_set_parent (popover, GTK_WIDGET (row));
  if (point != NULL)
    {
      GdkRectangle rect = { (int) point->x, (int) point->y, 1, 1 };

      gtk_popover_set_pointing_to (GTK_POPOVER (popover), &rect);
      gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
      gtk_widget_set_halign (popover, GTK_ALIGN_START);
    }
  g_signal_connect (popover, "closed", G_CALLBACK (piso_window_row_menu_closed_cb), NULL);
  g_set_weak_pointer (&self->row_menu, popover);
  gtk_popover_popup (GTK_POPOVER (popover));
  return TRUE;
}

static void
piso_window_row_menu_at (PisoWindow *self,
                         GtkGesture *gesture,
                         double      x,
                         double      y)
{
  GtkWidget *list = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  PisoMachineRow *row = row_of (gtk_widget_pick (list, x, y, GTK_PICK_DEFAULT));
  graphene_point_t point;

  if (row == NULL ||
      !gtk_widget_compute_point (list, GTK_WIDGET (row), &GRAPHENE_POINT_INIT (x, y), &point))
    return;
  if (piso_window_popup_row_menu (self, row, &point))
    gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
piso_window_list_pressed_cb (PisoWindow      *self,
                             int              n_press,
                             double           x,
                             double           y,
                             GtkGestureClick *gesture)
{
  piso_window_row_menu_at (self, GTK_GESTURE (gesture), x, y);
}

static void
piso_window_list_long_pressed_cb (PisoWindow          *self,
                                  double               x,
                                  double               y,
                                  GtkGestureLongPress *gesture)
{
  piso_window_row_menu_at (self, GTK_GESTURE (gesture), x, y);
}

static gboolean
piso_window_row_menu_key_cb (GtkWidget *widget,
                             GVariant  *args,
                             gpointer   user_data)
{
  PisoWindow *self = PISO_WINDOW (gtk_widget_get_root (widget));
  PisoMachineRow *row = row_of (gtk_root_get_focus (GTK_ROOT (self)));

  return row != NULL && piso_window_popup_row_menu (self, row, NULL);
}

static void
piso_window_list_add_row_menu (PisoWindow *self)
{
  GtkWidget *list = GTK_WIDGET (self->list_view);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *long_press = gtk_gesture_long_press_new ();
  GtkEventController *keys = gtk_shortcut_controller_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect_object (click, "pressed", G_CALLBACK (piso_window_list_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (list, GTK_EVENT_CONTROLLER (click));

  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (long_press), GTK_PHASE_CAPTURE);
  g_signal_connect_object (long_press, "pressed", G_CALLBACK (piso_window_list_long_pressed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (list, GTK_EVENT_CONTROLLER (long_press));

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (
                                                            gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                            gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK)),
                                                          gtk_callback_action_new (piso_window_row_menu_key_cb,
                                                                                   NULL, NULL)));
  gtk_widget_add_controller (list, keys);
}

void
_piso_window_focus_machine (PisoWindow  *self,
                            PisoMachine *machine)
{
  GtkWidget *list;
  guint position;

  g_return_if_fail (PISO_IS_WINDOW (self));
  g_return_if_fail (PISO_IS_MACHINE (machine));

  list = GTK_WIDGET (self->list_view);
  position = gtk_single_selection_get_selected (self->selection);
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (list, "list.scroll-to-item", "u", position);
  /* The list item holding its row, once the list shows it */
  for (GtkWidget *item = gtk_widget_get_first_child (list);
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = gtk_widget_get_first_child (item);

      if (row != NULL && PISO_IS_MACHINE_ROW (row) &&
          piso_machine_row_get_machine (PISO_MACHINE_ROW (row)) == machine)
        {
          gtk_widget_grab_focus (item);
          return;
        }
    }
}

GtkWidget *
_piso_window_get_row_menu (PisoWindow *self)
{
  g_return_val_if_fail (PISO_IS_WINDOW (self), NULL);

  return self->row_menu;
}

void
_piso_window_list_class_init (GtkWidgetClass *widget_class)
{
  sort_key_quark = g_quark_from_static_string ("piso-window-sort-key");

  gtk_widget_class_bind_template_callback (widget_class, piso_window_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_window_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_window_stop_search_cb);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, piso_window_search_action);
  /* "name" or "state": the window's "sort-by" property, stored in the settings */
  gtk_widget_class_install_property_action (widget_class, "win.sort-by", "sort-by");
}

void
_piso_window_list_init (PisoWindow *self)
{
  self->watcher = piso_machine_watcher_new (G_OBJECT (self), piso_window_machine_notify_cb);
  self->filter = gtk_custom_filter_new (NULL, NULL, NULL);
  self->sorter = gtk_custom_sorter_new (piso_window_sort_func, self, NULL);

  g_object_bind_property (self->search_button, "active",
                          self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (piso_window_search_mode_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  piso_window_list_add_row_menu (self);
}
