/* piso-a11y.h: accessible names GTK gets wrong on some versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Lets every button below @root (or @root) that was made with a mnemonic
 * label ("_Cancel") be named by its label child alone. GTK 4.8 also gives
 * such a button its raw label as a name of its own, which screen readers
 * read before the child's: "_Cancel Cancel". Call it once the buttons
 * exist (after a dialog's responses are added); a label set later brings
 * the raw name back. */
void        piso_a11y_name_buttons_by_labels (GtkWidget  *root);

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
