/* piso-connection-dialog.c: asks for a libvirt URI to add a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-connection-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-backend.h"
#include "piso-connection-dialog.h"

struct _PisoConnectionDialog
{
  AdwWindow    parent_instance;

  gboolean     valid;

  /* template */
  GtkButton   *add_button;
  GtkLabel    *error_label;
  GtkListBox  *examples_list;
  GtkEntry    *uri_entry;
};

G_DEFINE_FINAL_TYPE (PisoConnectionDialog, piso_connection_dialog, ADW_TYPE_WINDOW)

enum {
  CONNECTION_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
piso_connection_dialog_changed_cb (PisoConnectionDialog *self)
{
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (PISO_IS_CONNECTION_DIALOG (self));

  uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->uri_entry))));
  self->valid = *uri != '\0' && piso_connection_validate_uri (uri, &error);

  /* Say what is wrong as soon as there is something to judge */
  gtk_label_set_text (self->error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->uri_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->uri_entry), "error");

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), self->valid);
}

static void
piso_connection_dialog_add_cb (PisoConnectionDialog *self)
{
  g_autofree char *uri = NULL;

  g_assert (PISO_IS_CONNECTION_DIALOG (self));

  if (!self->valid)
    return;

  uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->uri_entry))));
  g_signal_emit (self, signals[CONNECTION_CHOSEN], 0, uri);
  gtk_window_close (GTK_WINDOW (self));
}

static void
piso_connection_dialog_example_cb (PisoConnectionDialog *self,
                                   GtkListBoxRow        *row)
{
  g_assert (PISO_IS_CONNECTION_DIALOG (self));

  piso_connection_dialog_set_uri (self, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  gtk_widget_grab_focus (GTK_WIDGET (self->uri_entry));
}

static void
piso_connection_dialog_class_init (PisoConnectionDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[CONNECTION_CHOSEN] =
    g_signal_new ("connection-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-connection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionDialog, examples_list);
  gtk_widget_class_bind_template_child (widget_class, PisoConnectionDialog, uri_entry);
  gtk_widget_class_bind_template_callback (widget_class, piso_connection_dialog_add_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_connection_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_connection_dialog_example_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
piso_connection_dialog_init (PisoConnectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
piso_connection_dialog_new (void)
{
  return g_object_new (PISO_TYPE_CONNECTION_DIALOG, NULL);
}

const char *
piso_connection_dialog_get_uri (PisoConnectionDialog *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->uri_entry));
}

void
piso_connection_dialog_set_uri (PisoConnectionDialog *self,
                                const char           *uri)
{
  g_return_if_fail (PISO_IS_CONNECTION_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->uri_entry), uri ? uri : "");
  gtk_editable_set_position (GTK_EDITABLE (self->uri_entry), -1);
}

gboolean
piso_connection_dialog_get_valid (PisoConnectionDialog *self)
{
  g_return_val_if_fail (PISO_IS_CONNECTION_DIALOG (self), FALSE);

  return self->valid;
}
