/* piso-a11y.h: accessible names GTK gets wrong on some versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Corrects, for every widget once it is realized, the accessible names
 * GTK gets wrong on some versions: a button made with a mnemonic label
 * ("_Cancel") is named by its label child alone, now and after its label
 * changes (GTK 4.8 also gives it its raw label, read first: "_Cancel
 * Cancel"); what has no name (an icon button's image, an empty label, a
 * stack page without a title) is read as nothing, not by its class name
 * as on GTK 4.8. Call once, after gtk_init(). */
void        piso_a11y_init                   (void);

/* Sets @text, its markup taken out when @use_markup (what a label shows),
 * as @widget's accessible description. */
void        piso_a11y_describe               (GtkWidget  *widget,
                                              const char *text,
                                              gboolean    use_markup);

/* Names @row (a GtkListView item's child: a machine, a connection) and the
 * list item holding it, which is what the keyboard focuses and screen
 * readers read: "Web Server, Running", and describes them with what else
 * the row shows (its operating system), or nothing when @description is
 * NULL. Again when the row is rebound. */
void        piso_a11y_name_list_row          (GtkWidget  *row,
                                              const char *label,
                                              const char *description);

/* Sets @button's label to @label, when different, without the moment in
 * which GTK 4.8 names the button by its raw label ("_Back Back"), which a
 * screen reader on it reads out. For labels that change. */
void        piso_a11y_set_button_label       (GtkButton   *button,
                                              const char  *label);

/* Lets a screen reader on @row (a list row showing a value: "Memory",
 * "2 GiB") read @value with it, now and after it changes, with one Tab stop
 * for both: @value, selectable by the pointer, no longer takes the focus. */
void        piso_a11y_row_reads_value        (GtkWidget   *row,
                                              GtkLabel    *value);

/* Makes Tab leave @list (to the next control after it) instead of going
 * through its items one by one, which arrows do: on GTK 4.8 every item of
 * a long list (hundreds of operating systems, of machines) was a Tab stop,
 * a trap for keyboard users. GTK 4.12 and later do it themselves when
 * asked (GTK_LIST_TAB_ITEM). */
void        piso_a11y_list_tab_leaves        (GtkListView *list);

/* Tells screen readers that something changed (an install finished, a
 * change applies only at next start). GTK 4.14 and later announce
 * @message through @widget. GTK 4.8 has no announcements: there @widget
 * should be an alert (GTK_ACCESSIBLE_ROLE_ALERT) that shows @message,
 * which is shown again so that screen readers read it as a new alert. */
void        piso_a11y_announce               (GtkWidget  *widget,
                                              const char *message);
/* The last message announced through @widget, or NULL (for tests). */
const char *piso_a11y_get_last_announcement  (GtkWidget  *widget);

G_END_DECLS
