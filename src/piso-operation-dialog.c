/* piso-operation-dialog.c: a dialog that runs one long operation with progress and Cancel
 *
 * What the Clone, Export and Import dialogs share: the cancellable of what
 * runs, Cancel that cancels it (the backend then removes what it made and
 * the dialog says so) or else closes, the window's close and Escape refused
 * while something runs, the progress page and the failure label.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-operation-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-format.h"
#include "piso-machine-toast.h"
#include "piso-operation-dialog.h"
#include "piso-window.h"

typedef struct
{
  /* The widget whose window gets the toast (weak) */
  GtkWidget      *parent;
  /* Set while the operation runs */
  GCancellable   *cancellable;
  /* Disposed: a late answer has nothing to show */
  gboolean        closed;

  /* Template children of the subclass */
  GtkLabel       *amount_label;
  GtkButton      *cancel_button;
  GtkLabel       *failure_label;
  GtkProgressBar *progress_bar;
  GtkStack       *stack;
  GtkLabel       *status_label;
} PisoOperationDialogPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PisoOperationDialog, piso_operation_dialog, ADW_TYPE_WINDOW)

static void
piso_operation_dialog_update (PisoOperationDialog *self)
{
  PisoOperationDialogClass *klass = PISO_OPERATION_DIALOG_GET_CLASS (self);

  if (klass->update != NULL)
    klass->update (self);
}

/* Cancel (and Escape, and the window's close) */

static void
piso_operation_dialog_cancel_cb (PisoOperationDialog *self)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  if (priv->cancellable != NULL)
    {
      /* What runs ends first; the backend then removes what it made. */
      g_cancellable_cancel (priv->cancellable);
      gtk_widget_set_sensitive (GTK_WIDGET (priv->cancel_button), FALSE);
      gtk_label_set_label (priv->status_label, _("Cancelling…"));
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
piso_operation_dialog_close_request (GtkWindow *window)
{
  PisoOperationDialog *self = PISO_OPERATION_DIALOG (window);
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  if (priv->cancellable == NULL)
    return GTK_WINDOW_CLASS (piso_operation_dialog_parent_class)->close_request (window);
  /* Not while it runs: cancel it, then the dialog says so. */
  piso_operation_dialog_cancel_cb (self);
  return TRUE;
}

static void
piso_operation_dialog_dispose (GObject *object)
{
  PisoOperationDialog *self = (PisoOperationDialog *)object;
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  priv->closed = TRUE;
  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
  g_clear_weak_pointer (&priv->parent);

  G_OBJECT_CLASS (piso_operation_dialog_parent_class)->dispose (object);
}

static void
piso_operation_dialog_finalize (GObject *object)
{
  PisoOperationDialog *self = (PisoOperationDialog *)object;
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_clear_object (&priv->cancellable);

  G_OBJECT_CLASS (piso_operation_dialog_parent_class)->finalize (object);
}

static void
piso_operation_dialog_class_init (PisoOperationDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = piso_operation_dialog_dispose;
  object_class->finalize = piso_operation_dialog_finalize;
  window_class->close_request = piso_operation_dialog_close_request;
  klass->form_page = "form";

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
piso_operation_dialog_init (PisoOperationDialog *self)
{
}

void
piso_operation_dialog_class_bind_template (GtkWidgetClass *widget_class)
{
  g_return_if_fail (g_type_is_a (G_TYPE_FROM_CLASS (widget_class), PISO_TYPE_OPERATION_DIALOG));

#define BIND(name) \
  gtk_widget_class_bind_template_child_full (widget_class, #name, FALSE, \
                                             G_PRIVATE_OFFSET (PisoOperationDialog, name))
  BIND (amount_label);
  BIND (cancel_button);
  BIND (failure_label);
  BIND (progress_bar);
  BIND (stack);
  BIND (status_label);
#undef BIND
  gtk_widget_class_bind_template_callback_full (widget_class, "piso_operation_dialog_cancel_cb",
                                                G_CALLBACK (piso_operation_dialog_cancel_cb));
}

void
piso_operation_dialog_set_parent (PisoOperationDialog *self,
                                  GtkWidget           *parent)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);
  GtkRoot *root;

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));
  g_return_if_fail (parent == NULL || GTK_IS_WIDGET (parent));

  g_set_weak_pointer (&priv->parent, parent);
  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));
}

GtkWidget *
piso_operation_dialog_get_parent (PisoOperationDialog *self)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_val_if_fail (PISO_IS_OPERATION_DIALOG (self), NULL);

  return priv->parent;
}

gboolean
piso_operation_dialog_get_closed (PisoOperationDialog *self)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_val_if_fail (PISO_IS_OPERATION_DIALOG (self), TRUE);

  return priv->closed;
}

GCancellable *
piso_operation_dialog_get_cancellable (PisoOperationDialog *self)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_val_if_fail (PISO_IS_OPERATION_DIALOG (self), NULL);

  return priv->cancellable;
}

gboolean
piso_operation_dialog_get_running (PisoOperationDialog *self)
{
  return piso_operation_dialog_get_cancellable (self) != NULL;
}

GtkButton *
piso_operation_dialog_get_cancel_button (PisoOperationDialog *self)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_val_if_fail (PISO_IS_OPERATION_DIALOG (self), NULL);

  return priv->cancel_button;
}

GtkStack *
piso_operation_dialog_get_stack (PisoOperationDialog *self)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_val_if_fail (PISO_IS_OPERATION_DIALOG (self), NULL);

  return priv->stack;
}

GCancellable *
piso_operation_dialog_start (PisoOperationDialog *self,
                             const char          *status)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_val_if_fail (PISO_IS_OPERATION_DIALOG (self), NULL);
  g_return_val_if_fail (status != NULL, NULL);

  g_clear_object (&priv->cancellable);
  priv->cancellable = g_cancellable_new ();
  gtk_widget_set_visible (GTK_WIDGET (priv->failure_label), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (priv->cancel_button), TRUE);
  gtk_label_set_label (priv->status_label, status);
  gtk_progress_bar_set_fraction (priv->progress_bar, 0);
  gtk_label_set_label (priv->amount_label, "");
  gtk_widget_set_visible (GTK_WIDGET (priv->amount_label), FALSE);
  gtk_stack_set_visible_child_name (priv->stack, "progress");
  piso_operation_dialog_update (self);
  if (status[0] != '\0')
    piso_a11y_announce (GTK_WIDGET (priv->status_label), status);
  gtk_widget_grab_focus (GTK_WIDGET (priv->cancel_button));
  return priv->cancellable;
}

void
piso_operation_dialog_stop (PisoOperationDialog *self)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));

  g_clear_object (&priv->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (priv->cancel_button), TRUE);
  piso_operation_dialog_update (self);
}

void
piso_operation_dialog_set_progress (PisoOperationDialog *self,
                                    double               fraction,
                                    const char          *status)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));

  if (status != NULL)
    gtk_label_set_label (priv->status_label, status);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (priv->progress_bar, MIN (1.0, fraction));
  else
    gtk_progress_bar_pulse (priv->progress_bar);
}

void
piso_operation_dialog_set_amount (PisoOperationDialog *self,
                                  guint64              done,
                                  guint64              total,
                                  gint64               seconds_left)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);
  g_autofree char *amount = NULL;

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));

  if (total > 0)
    amount = piso_format_transfer (done, total, seconds_left);
  gtk_label_set_label (priv->amount_label, amount != NULL ? amount : "");
  gtk_widget_set_visible (GTK_WIDGET (priv->amount_label), amount != NULL);
}

void
piso_operation_dialog_set_transfer (PisoOperationDialog *self,
                                    guint64              done,
                                    guint64              total,
                                    gint64               seconds_left)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));

  if (total == 0)
    gtk_progress_bar_pulse (priv->progress_bar);
  else
    gtk_progress_bar_set_fraction (priv->progress_bar, MIN (1.0, (double) done / (double) total));
  piso_operation_dialog_set_amount (self, done, total, seconds_left);
}

void
piso_operation_dialog_set_failure (PisoOperationDialog *self,
                                   const char          *message)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));

  gtk_label_set_label (priv->failure_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (priv->failure_label), message != NULL);
  if (message != NULL)
    piso_a11y_announce (GTK_WIDGET (priv->failure_label), message);
}

void
piso_operation_dialog_fail (PisoOperationDialog *self,
                            const GError        *error,
                            const char          *cancelled,
                            GtkWidget           *focus)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));
  g_return_if_fail (error != NULL);

  piso_operation_dialog_stop (self);
  gtk_stack_set_visible_child_name (priv->stack, PISO_OPERATION_DIALOG_GET_CLASS (self)->form_page);
  piso_operation_dialog_set_failure (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                           ? cancelled : error->message);
  if (focus != NULL)
    gtk_widget_grab_focus (focus);
}

void
piso_operation_dialog_succeed (PisoOperationDialog *self,
                               const char          *message,
                               PisoMachine         *machine,
                               GFile               *folder)
{
  PisoOperationDialogPrivate *priv = piso_operation_dialog_get_instance_private (self);

  g_return_if_fail (PISO_IS_OPERATION_DIALOG (self));
  g_return_if_fail (message != NULL);

  if (priv->parent != NULL)
    {
      GtkRoot *root = gtk_widget_get_root (priv->parent);

      if (PISO_IS_WINDOW (root) && folder != NULL)
        piso_window_show_folder_toast (PISO_WINDOW (root), message, folder);
      else
        piso_machine_toast (priv->parent, message);
      if (PISO_IS_WINDOW (root) && machine != NULL)
        piso_window_show_machine (PISO_WINDOW (root), machine);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}
