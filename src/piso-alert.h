/* piso-alert.h: questions and messages in a dialog (heading, body, responses)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * From libadwaita 1.5 on an alert is an AdwAlertDialog; before, an
 * AdwMessageDialog (libadwaita 1.2, Debian 12). The two share their model
 * (heading, body, responses with an appearance, a default and a close
 * response, an extra child) and their "response" signal, so callers write
 * one thing for both. libadwaita 1.6 deprecated AdwMessageDialog, and 1.7's
 * measures its heading narrower than the heading needs (GTK warns about it
 * for every such dialog), so newer libadwaita must not get one.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#if ADW_CHECK_VERSION (1, 5, 0)
/* What a dialog class with an alert's look derives from */
typedef AdwAlertDialog      PisoAlertParent;
typedef AdwAlertDialogClass PisoAlertParentClass;
#define PISO_TYPE_ALERT_PARENT ADW_TYPE_ALERT_DIALOG
#else
typedef AdwMessageDialog      PisoAlertParent;
typedef AdwMessageDialogClass PisoAlertParentClass;
#define PISO_TYPE_ALERT_PARENT ADW_TYPE_MESSAGE_DIALOG
#endif
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoAlertParent, g_object_unref)

#define PISO_IS_ALERT(obj) G_TYPE_CHECK_INSTANCE_TYPE ((obj), PISO_TYPE_ALERT_PARENT)

/* A new alert with @heading and @body (either may be NULL); connect to its
 * "response" signal (void (*) (GtkWidget *alert, const char *response,
 * gpointer user_data)), then piso_alert_present() it. */
GtkWidget            *piso_alert_new                     (const char            *heading,
                                                          const char            *body);
void                  piso_alert_set_heading             (GtkWidget             *alert,
                                                          const char            *heading);
const char           *piso_alert_get_heading             (GtkWidget             *alert);
void                  piso_alert_set_body                (GtkWidget             *alert,
                                                          const char            *body);
const char           *piso_alert_get_body                (GtkWidget             *alert);
/* @label with a mnemonic underscore ("_Delete") */
void                  piso_alert_add_response            (GtkWidget             *alert,
                                                          const char            *id,
                                                          const char            *label);
/* @label with a mnemonic underscore, for a response added before */
void                  piso_alert_set_response_label      (GtkWidget             *alert,
                                                          const char            *id,
                                                          const char            *label);
void                  piso_alert_set_response_appearance (GtkWidget             *alert,
                                                          const char            *id,
                                                          AdwResponseAppearance  appearance);
AdwResponseAppearance piso_alert_get_response_appearance (GtkWidget             *alert,
                                                          const char            *id);
void                  piso_alert_set_response_enabled    (GtkWidget             *alert,
                                                          const char            *id,
                                                          gboolean               enabled);
gboolean              piso_alert_get_response_enabled    (GtkWidget             *alert,
                                                          const char            *id);
/* The response Enter gives, and the one closing (Escape) gives */
void                  piso_alert_set_default_response    (GtkWidget             *alert,
                                                          const char            *id);
void                  piso_alert_set_close_response      (GtkWidget             *alert,
                                                          const char            *id);
void                  piso_alert_set_extra_child         (GtkWidget             *alert,
                                                          GtkWidget             *child);
/* Shows @alert over the window of @parent (any widget in it). */
void                  piso_alert_present                 (GtkWidget             *alert,
                                                          GtkWidget             *parent);
/* The window @alert was presented over (also while it answers), or NULL. */
GtkWindow            *piso_alert_get_window              (GtkWidget             *alert);
/* Gives the keyboard focus to the button of response @id (the safe choice
 * of a destructive question), once presented */
void                  piso_alert_focus_response          (GtkWidget             *alert,
                                                          const char            *id);
/* Gives the keyboard focus to @widget inside @alert (an entry of its extra
 * child), once presented */
void                  piso_alert_focus_widget            (GtkWidget             *alert,
                                                          GtkWidget             *widget);
/* Answers @alert as a click on the response @id would (it closes). */
void                  piso_alert_respond                 (GtkWidget             *alert,
                                                          const char            *id);
/* The alert shown over @window now, or NULL. */
GtkWidget            *piso_alert_get_shown               (GtkWindow             *window);

G_END_DECLS
