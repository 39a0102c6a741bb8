/* piso-operation-dialog.h: a dialog that runs one long operation with progress and Cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_OPERATION_DIALOG (piso_operation_dialog_get_type ())

G_DECLARE_DERIVABLE_TYPE (PisoOperationDialog, piso_operation_dialog, PISO, OPERATION_DIALOG, AdwWindow)

/* The Clone, Export and Import dialogs' shared part. Their templates hold
 * template children named cancel_button, failure_label, stack (with a page
 * "progress") and, on that page, status_label, progress_bar and
 * amount_label; piso_operation_dialog_class_bind_template() binds them. The
 * base then owns the cancellable of the running operation, Cancel (which
 * cancels what runs, else closes), Escape and the window's close (refused
 * while something runs: it cancels instead), the progress and the failure
 * shown when the operation ends. */
struct _PisoOperationDialogClass
{
  AdwWindowClass parent_class;

  /* The page the failure label is on, shown again after a failure */
  const char *form_page;
  /* Called when the running state changed (to update the buttons) */
  void      (*update) (PisoOperationDialog *self);
};

/* Binds the shared template children (call after setting the template) */
void          piso_operation_dialog_class_bind_template (GtkWidgetClass *widget_class);

/* The widget whose window gets the toast (weak); the dialog goes over its
 * window */
void          piso_operation_dialog_set_parent      (PisoOperationDialog *self,
                                                     GtkWidget           *parent);
GtkWidget    *piso_operation_dialog_get_parent      (PisoOperationDialog *self);
/* Whether the dialog was disposed: a late answer has nothing to show */
gboolean      piso_operation_dialog_get_closed      (PisoOperationDialog *self);
/* The running operation's cancellable, or NULL */
GCancellable *piso_operation_dialog_get_cancellable (PisoOperationDialog *self);
gboolean      piso_operation_dialog_get_running     (PisoOperationDialog *self);
/* The shared template children a subclass also changes */
GtkButton    *piso_operation_dialog_get_cancel_button (PisoOperationDialog *self);
GtkStack     *piso_operation_dialog_get_stack       (PisoOperationDialog *self);

/* Starts an operation: a new cancellable (returned, owned by the dialog),
 * the progress page with @status (announced), Cancel focused */
GCancellable *piso_operation_dialog_start           (PisoOperationDialog *self,
                                                     const char          *status);
/* The operation ended: no cancellable, Cancel closes again */
void          piso_operation_dialog_stop            (PisoOperationDialog *self);
/* The progress: @fraction (< 0: unknown, the bar pulses) and @status (NULL:
 * as it was) */
void          piso_operation_dialog_set_progress    (PisoOperationDialog *self,
                                                     double               fraction,
                                                     const char          *status);
/* The line under the bar: @done of @total bytes and the time left (< 0:
 * unknown); hidden when @total is 0 */
void          piso_operation_dialog_set_amount      (PisoOperationDialog *self,
                                                     guint64              done,
                                                     guint64              total,
                                                     gint64               seconds_left);
/* The progress as bytes: the bar (pulsing when @total is 0) and the amount */
void          piso_operation_dialog_set_transfer    (PisoOperationDialog *self,
                                                     guint64              done,
                                                     guint64              total,
                                                     gint64               seconds_left);
/* Stops, shows the form page again with @error's message (or @cancelled
 * when it was cancelled) in the failure label, announced, and focuses
 * @focus (may be NULL) */
void          piso_operation_dialog_fail            (PisoOperationDialog *self,
                                                     const GError        *error,
                                                     const char          *cancelled,
                                                     GtkWidget           *focus);
/* Shows or hides @message in the failure label */
void          piso_operation_dialog_set_failure     (PisoOperationDialog *self,
                                                     const char          *message);
/* The operation succeeded: toasts @message through the parent's window
 * (with "Open Folder" for @folder, may be NULL), shows @machine (may be
 * NULL) there when it is a PisoWindow, and closes the dialog */
void          piso_operation_dialog_succeed         (PisoOperationDialog *self,
                                                     const char          *message,
                                                     PisoMachine         *machine,
                                                     GFile               *folder);

G_END_DECLS
