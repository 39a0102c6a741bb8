/* piso-alert.c: questions and messages in a dialog (heading, body, responses)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-alert"

#include "config.h"

#include "piso-alert.h"
#include "piso-a11y.h"
#include "piso-gtk-version.h"

/* (libadwaita 1.5's calls, behind the version check: see piso-gtk-version.h) */
#if ADW_CHECK_VERSION (1, 5, 0)
PISO_NEWER_GTK_BEGIN
# define ALERT(w) ADW_ALERT_DIALOG (w)
# define ALERT_CALL(name, ...) adw_alert_dialog_##name (ALERT (alert), ##__VA_ARGS__)
#else
# define ALERT(w) ADW_MESSAGE_DIALOG (w)
# define ALERT_CALL(name, ...) adw_message_dialog_##name (ALERT (alert), ##__VA_ARGS__)
#endif

GtkWidget *
piso_alert_new (const char *heading,
                const char *body)
{
#if ADW_CHECK_VERSION (1, 5, 0)
  return GTK_WIDGET (adw_alert_dialog_new (heading, body));
#else
  GtkWidget *alert = adw_message_dialog_new (NULL, heading, body);

  gtk_window_set_modal (GTK_WINDOW (alert), TRUE);
  return alert;
#endif
}

void
piso_alert_set_heading (GtkWidget  *alert,
                        const char *heading)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_heading, heading);
}

const char *
piso_alert_get_heading (GtkWidget *alert)
{
  g_return_val_if_fail (PISO_IS_ALERT (alert), NULL);
  return ALERT_CALL (get_heading);
}

void
piso_alert_set_body (GtkWidget  *alert,
                     const char *body)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_body, body);
}

const char *
piso_alert_get_body (GtkWidget *alert)
{
  g_return_val_if_fail (PISO_IS_ALERT (alert), NULL);
  return ALERT_CALL (get_body);
}

void
piso_alert_add_response (GtkWidget  *alert,
                         const char *id,
                         const char *label)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (add_response, id, label);
}

void
piso_alert_set_response_appearance (GtkWidget             *alert,
                                    const char            *id,
                                    AdwResponseAppearance  appearance)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_response_appearance, id, appearance);
}

AdwResponseAppearance
piso_alert_get_response_appearance (GtkWidget  *alert,
                                    const char *id)
{
  g_return_val_if_fail (PISO_IS_ALERT (alert), ADW_RESPONSE_DEFAULT);
  return ALERT_CALL (get_response_appearance, id);
}

void
piso_alert_set_response_enabled (GtkWidget  *alert,
                                 const char *id,
                                 gboolean    enabled)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_response_enabled, id, enabled);
}

void
piso_alert_set_response_label (GtkWidget  *alert,
                               const char *id,
                               const char *label)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_response_label, id, label);
}

gboolean
piso_alert_get_response_enabled (GtkWidget  *alert,
                                 const char *id)
{
  g_return_val_if_fail (PISO_IS_ALERT (alert), FALSE);
  return ALERT_CALL (get_response_enabled, id);
}

void
piso_alert_set_default_response (GtkWidget  *alert,
                                 const char *id)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_default_response, id);
}

void
piso_alert_set_close_response (GtkWidget  *alert,
                               const char *id)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_close_response, id);
}

void
piso_alert_set_extra_child (GtkWidget *alert,
                            GtkWidget *child)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  ALERT_CALL (set_extra_child, child);
}

#if ADW_CHECK_VERSION (1, 5, 0)
static void
piso_alert_weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* A dialog inside the window gives the focus back, when it closes, to the
 * widget that had it. Opened from a popover menu (a list row's menu), that
 * is the menu's item, gone by then, and the focus would fall to the
 * window's first control: the widget the menu was opened from is where the
 * user was. (GTK 4.8's dialogs are windows of their own, and the main
 * window keeps the focus the closing menu gave back.) */
static GtkWidget *
piso_alert_menu_opener (GtkRoot *root)
{
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *popover = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) : NULL;
  GtkWidget *widget = popover != NULL ? gtk_widget_get_parent (popover) : NULL;

  while (widget != NULL && !gtk_widget_get_focusable (widget))
    widget = gtk_widget_get_parent (widget);
  return widget;
}

static void
piso_alert_closed_cb (GtkWidget *alert)
{
  GWeakRef *ref = g_object_get_data (G_OBJECT (alert), "piso-alert-return-focus");
  g_autoptr(GtkWidget) widget = ref != NULL ? g_weak_ref_get (ref) : NULL;

  if (widget != NULL && gtk_widget_get_mapped (widget))
    gtk_widget_grab_focus (widget);
}
#endif

#if !ADW_CHECK_VERSION (1, 5, 0)
static void
piso_alert_body_cb (AdwMessageDialog *alert,
                    GParamSpec       *pspec,
                    gpointer          user_data)
{
  piso_a11y_describe (GTK_WIDGET (alert), adw_message_dialog_get_body (alert),
                      adw_message_dialog_get_body_use_markup (alert));
}
#endif

void
piso_alert_present (GtkWidget *alert,
                    GtkWidget *parent)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  g_return_if_fail (parent == NULL || GTK_IS_WIDGET (parent));

#if ADW_CHECK_VERSION (1, 5, 0)
  {
    /* Over a window that is not libadwaita's, the dialog's root is a window
     * libadwaita makes for it: remember the one the caller meant. */
    GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
    GWeakRef *ref = g_new0 (GWeakRef, 1);

    GtkWidget *opener = piso_alert_menu_opener (root);

    g_weak_ref_init (ref, GTK_IS_WINDOW (root) ? root : NULL);
    g_object_set_data_full (G_OBJECT (alert), "piso-alert-window", ref, piso_alert_weak_ref_free);
    if (opener != NULL)
      {
        GWeakRef *opener_ref = g_new0 (GWeakRef, 1);

        g_weak_ref_init (opener_ref, opener);
        g_object_set_data_full (G_OBJECT (alert), "piso-alert-return-focus", opener_ref,
                                piso_alert_weak_ref_free);
        g_signal_connect (alert, "closed", G_CALLBACK (piso_alert_closed_cb), NULL);
      }
    adw_dialog_present (ADW_DIALOG (alert), parent);
  }
#else
  if (parent != NULL && GTK_IS_WINDOW (gtk_widget_get_root (parent)))
    gtk_window_set_transient_for (GTK_WINDOW (alert), GTK_WINDOW (gtk_widget_get_root (parent)));
  /* Read with its heading as it opens (libadwaita 1.5's alert relates them) */
  piso_alert_body_cb (ADW_MESSAGE_DIALOG (alert), NULL, NULL);
  g_signal_connect (alert, "notify::body", G_CALLBACK (piso_alert_body_cb), NULL);
  gtk_window_present (GTK_WINDOW (alert));
#endif
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
piso_alert_focus_response (GtkWidget  *alert,
                           const char *id)
{
  GtkWidget *button;

  g_return_if_fail (PISO_IS_ALERT (alert));

  button = find_button (alert, ALERT_CALL (get_response_label, id));
  g_return_if_fail (button != NULL);
  piso_alert_focus_widget (alert, button);
}


void
piso_alert_focus_widget (GtkWidget *alert,
                         GtkWidget *widget)
{
  g_return_if_fail (PISO_IS_ALERT (alert));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* The dialog's own focus widget: a plain grab made while the dialog is
   * being presented is replaced by the dialog's first focus */
#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_set_focus (ADW_DIALOG (alert), widget);
#else
  gtk_window_set_focus (GTK_WINDOW (alert), widget);
#endif
}

GtkWindow *
piso_alert_get_window (GtkWidget *alert)
{
  g_return_val_if_fail (PISO_IS_ALERT (alert), NULL);

#if ADW_CHECK_VERSION (1, 5, 0)
  {
    GWeakRef *ref = g_object_get_data (G_OBJECT (alert), "piso-alert-window");
    g_autoptr(GtkWindow) window = ref != NULL ? g_weak_ref_get (ref) : NULL;
    GtkRoot *root = gtk_widget_get_root (alert);

    /* (libadwaita may close the dialog before it emits the response) */
    if (window != NULL)
      return window;  /* a toplevel: GTK holds it while it is shown */
    return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  }
#else
  return gtk_window_get_transient_for (GTK_WINDOW (alert));
#endif
}

void
piso_alert_respond (GtkWidget  *alert,
                    const char *id)
{
  g_autofree char *detailed = g_strdup_printf ("response::%s", id);

  g_return_if_fail (PISO_IS_ALERT (alert));

  g_object_ref (alert);
  g_signal_emit_by_name (alert, detailed, id);
#if ADW_CHECK_VERSION (1, 5, 0)
  adw_dialog_force_close (ADW_DIALOG (alert));
#else
  gtk_window_destroy (GTK_WINDOW (alert));
#endif
  g_object_unref (alert);
}

GtkWidget *
piso_alert_get_shown (GtkWindow *window)
{
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *dialog = NULL;
  g_autoptr(GListModel) toplevels = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);

  if (ADW_IS_APPLICATION_WINDOW (window))
    dialog = adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (window));
  else if (ADW_IS_WINDOW (window))
    dialog = adw_window_get_visible_dialog (ADW_WINDOW (window));
  if (dialog != NULL)
    return PISO_IS_ALERT (dialog) ? GTK_WIDGET (dialog) : NULL;

  /* over a window that is not libadwaita's, a dialog gets a window of its
   * own, transient for the other */
  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      GtkWidget *child;

      if (gtk_window_get_transient_for (toplevel) != window ||
          !gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        continue;
      for (child = gtk_widget_get_first_child (GTK_WIDGET (toplevel)); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        if (PISO_IS_ALERT (child))
          return child;
    }
  return NULL;
#else
  g_autoptr(GListModel) toplevels = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (PISO_IS_ALERT (toplevel) && gtk_window_get_transient_for (toplevel) == window &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return GTK_WIDGET (toplevel);
    }
  return NULL;
#endif
}

#if ADW_CHECK_VERSION (1, 5, 0)
PISO_NEWER_GTK_END
#endif
