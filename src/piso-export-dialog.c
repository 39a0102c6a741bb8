/* piso-export-dialog.c: asks where to export a machine, then writes the bundle
 *
 * The work is the PisoExporter's (piso-exporter.h): it writes under a hidden
 * name and renames when complete, so a failed or cancelled export leaves
 * nothing; the dialog chooses the destination and shows the progress.
 *
 * A running machine is paused while its disks are read rather than
 * snapshotted first: a snapshot would need qcow2 disks, a pool able to hold
 * the overlay and a block commit afterwards (not on every host, and a commit
 * that fails leaves the machine on an overlay), while a pause works for any
 * disk and the exporter resumes the machine in every case. The guest agent,
 * when there is one, freezes the file systems first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-export-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-export-dialog.h"
#include "piso-folder-chooser.h"
#include "piso-format.h"
#include "piso-machine-toast.h"
#include "piso-window.h"

struct _PisoExportDialog
{
  AdwWindow       parent_instance;

  PisoExporter   *exporter;
  GFile          *folder;
  char           *destination;
  /* The widget whose window gets the toast (weak) */
  GtkWidget      *parent;
  /* Set while the bundle is written */
  GCancellable   *cancellable;
  /* Disposed: a late answer has nothing to show */
  gboolean        closed;

  /* Template children */
  GtkLabel       *amount_label;
  GtkButton      *cancel_button;
  GtkButton      *choose_button;
  GtkButton      *export_button;
  GtkLabel       *failure_label;
  AdwActionRow   *folder_row;
  AdwEntryRow    *name_row;
  GtkProgressBar *progress_bar;
  GtkLabel       *running_label;
  GtkStack       *stack;
  GtkLabel       *status_label;
  AdwWindowTitle *window_title;
};

G_DEFINE_FINAL_TYPE (PisoExportDialog, piso_export_dialog, ADW_TYPE_WINDOW)

static PisoMachine *
piso_export_dialog_machine (PisoExportDialog *self)
{
  return piso_exporter_get_machine (self->exporter);
}

/* A bundle folder's name: one path component, not hidden */
static gboolean
piso_export_dialog_name_ok (const char *name)
{
  return name[0] != '\0' && name[0] != '.' && strchr (name, '/') == NULL;
}

static void
piso_export_dialog_update (PisoExportDialog *self)
{
  PisoMachine *machine = piso_export_dialog_machine (self);
  PisoMachineState state = piso_machine_get_state (machine);
  gboolean running = state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED;
  gboolean exportable = state == PISO_MACHINE_STATE_SHUTOFF || running;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  if (state == PISO_MACHINE_STATE_RUNNING)
    {
      /* Translators: %s is a machine's name */
      g_autofree char *text = g_strdup_printf (_("“%s” is running. Piso pauses it while its disks are "
                                                 "read, so that they do not change halfway, and lets "
                                                 "it run on afterwards. The copy starts as after a "
                                                 "power cut, unless the guest agent could freeze its "
                                                 "file systems first."),
                                               piso_machine_get_display_name (machine));

      gtk_label_set_label (self->running_label, text);
    }
  else if (!exportable)
    /* Translators: %s is a machine's name */
    {
      g_autofree char *text = g_strdup_printf (_("“%s” cannot be exported now: shut it down (or "
                                                 "start it) first."),
                                               piso_machine_get_display_name (machine));

      gtk_label_set_label (self->running_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->running_label),
                          state == PISO_MACHINE_STATE_RUNNING || !exportable);
  /* The button says what it does to a running machine: the confirmation. */
  gtk_button_set_label (self->export_button,
                        state == PISO_MACHINE_STATE_RUNNING ? _("Pause and _Export") : _("_Export"));
  piso_exporter_set_pause_running (self->exporter, running);

  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button),
                            self->cancellable == NULL && exportable && self->folder != NULL &&
                            piso_export_dialog_name_ok (name));
}

/* The destination folder */

static void
piso_export_dialog_chosen_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(PisoExportDialog) self = user_data;
  g_autoptr(GFile) folder = piso_folder_chooser_choose_finish (result);

  if (folder != NULL && !self->closed)
    piso_export_dialog_set_folder (self, folder);
}

static void
piso_export_dialog_choose_cb (PisoExportDialog *self)
{
  piso_folder_chooser_choose_async (GTK_WINDOW (self), _("Choose Where to Export"), _("_Select"),
                                    NULL, piso_export_dialog_chosen_cb, g_object_ref (self));
}

void
piso_export_dialog_set_folder (PisoExportDialog *self,
                               GFile            *folder)
{
  g_autofree char *shown = NULL;

  g_return_if_fail (PISO_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (folder));

  g_set_object (&self->folder, folder);
  shown = g_file_get_parse_name (folder);
  adw_action_row_set_subtitle (self->folder_row, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->failure_label), FALSE);
  piso_export_dialog_update (self);
}

/* Writing the bundle */

static void
piso_export_dialog_progress_cb (PisoExportDialog *self)
{
  guint64 done = piso_exporter_get_bytes_done (self->exporter);
  guint64 total = piso_exporter_get_bytes_total (self->exporter);
  g_autofree char *amount = NULL;

  if (total == 0)
    {
      gtk_progress_bar_pulse (self->progress_bar);
      gtk_label_set_label (self->amount_label, "");
      return;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) done / (double) total));
  amount = piso_format_transfer (done, total, piso_exporter_get_seconds_left (self->exporter));
  gtk_label_set_label (self->amount_label, amount);
}

static void
piso_export_dialog_set_running (PisoExportDialog *self,
                                gboolean          running)
{
  if (running)
    self->cancellable = g_cancellable_new ();
  else
    g_clear_object (&self->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_stack_set_visible_child_name (self->stack, running ? "progress" : "form");
  piso_export_dialog_update (self);
}

static void
piso_export_dialog_run_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(PisoExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GtkRoot *root;

  g_signal_handlers_disconnect_by_func (self->exporter, piso_export_dialog_progress_cb, self);
  if (!piso_exporter_run_finish (PISO_EXPORTER (object), result, &error))
    {
      if (self->closed)
        return;
      g_clear_pointer (&self->destination, g_free);
      piso_export_dialog_set_running (self, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->failure_label,
                             _("The export was cancelled. Nothing of it was kept."));
      else
        gtk_label_set_label (self->failure_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->failure_label), TRUE);
      piso_a11y_announce (GTK_WIDGET (self->failure_label),
                          gtk_label_get_label (self->failure_label));
      gtk_widget_grab_focus (GTK_WIDGET (self->choose_button));
      return;
    }
  if (self->closed || self->parent == NULL)
    return;

  /* Translators: %s is a machine's name */
  message = g_strdup_printf (_("Exported “%s”"),
                             piso_machine_get_display_name (piso_export_dialog_machine (self)));
  root = gtk_widget_get_root (self->parent);
  if (PISO_IS_WINDOW (root))
    piso_window_show_folder_toast (PISO_WINDOW (root), message, self->folder);
  else
    piso_machine_toast (self->parent, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
piso_export_dialog_export_cb (PisoExportDialog *self)
{
  g_autofree char *status = NULL;
  g_autofree char *folder = NULL;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->export_button)))
    return;

  folder = g_file_get_path (self->folder);
  if (folder == NULL)
    {
      gtk_label_set_label (self->failure_label,
                           _("Piso can only export into a folder of this computer."));
      gtk_widget_set_visible (GTK_WIDGET (self->failure_label), TRUE);
      return;
    }
  g_free (self->destination);
  self->destination = g_build_filename (folder, gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                                        NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->failure_label), FALSE);
  piso_export_dialog_set_running (self, TRUE);

  /* Translators: %s is a machine's name */
  status = g_strdup_printf (_("Exporting “%s”…"),
                            piso_machine_get_display_name (piso_export_dialog_machine (self)));
  gtk_label_set_label (self->status_label, status);
  piso_a11y_announce (GTK_WIDGET (self->status_label), status);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->amount_label, "");
  g_signal_connect_swapped (self->exporter, "notify::bytes-done",
                            G_CALLBACK (piso_export_dialog_progress_cb), self);
  g_signal_connect_swapped (self->exporter, "notify::bytes-total",
                            G_CALLBACK (piso_export_dialog_progress_cb), self);
  gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  piso_exporter_run_async (self->exporter, self->destination, self->cancellable,
                           piso_export_dialog_run_cb, g_object_ref (self));
}

/* Cancel (and Escape, and the window's close) */

static void
piso_export_dialog_cancel_cb (PisoExportDialog *self)
{
  if (self->cancellable != NULL)
    {
      /* The exporter removes what it wrote, then the dialog says so. */
      g_cancellable_cancel (self->cancellable);
      gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
      gtk_label_set_label (self->status_label, _("Cancelling…"));
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
piso_export_dialog_close_request (GtkWindow *window)
{
  PisoExportDialog *self = PISO_EXPORT_DIALOG (window);

  if (self->cancellable == NULL)
    return GTK_WINDOW_CLASS (piso_export_dialog_parent_class)->close_request (window);
  piso_export_dialog_cancel_cb (self);
  return TRUE;
}

static void
piso_export_dialog_name_changed_cb (PisoExportDialog *self)
{
  piso_export_dialog_update (self);
}

static void
piso_export_dialog_dispose (GObject *object)
{
  PisoExportDialog *self = (PisoExportDialog *)object;

  self->closed = TRUE;
  if (self->exporter != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->exporter, self);
      g_signal_handlers_disconnect_by_data (piso_export_dialog_machine (self), self);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->parent);

  G_OBJECT_CLASS (piso_export_dialog_parent_class)->dispose (object);
}

static void
piso_export_dialog_finalize (GObject *object)
{
  PisoExportDialog *self = (PisoExportDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->exporter);
  g_clear_object (&self->folder);
  g_free (self->destination);

  G_OBJECT_CLASS (piso_export_dialog_parent_class)->finalize (object);
}

static void
piso_export_dialog_class_init (PisoExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = piso_export_dialog_dispose;
  object_class->finalize = piso_export_dialog_finalize;
  window_class->close_request = piso_export_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pisovm/Piso/ui/piso-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, amount_label);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, failure_label);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, running_label);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, piso_export_dialog_cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_export_dialog_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_export_dialog_export_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_export_dialog_name_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
piso_export_dialog_init (PisoExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PisoExportDialog *
piso_export_dialog_new (PisoMachine *machine,
                        GtkWidget   *parent)
{
  PisoExportDialog *self;
  g_autofree char *title = NULL;
  GtkRoot *root;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);

  self = g_object_new (PISO_TYPE_EXPORT_DIALOG, NULL);
  self->exporter = piso_exporter_new (machine);
  g_set_weak_pointer (&self->parent, parent);
  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));

  /* Translators: %s is a machine's name */
  title = g_strdup_printf (_("Export “%s”"), piso_machine_get_display_name (machine));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  adw_action_row_set_subtitle (self->folder_row, _("No folder chosen"));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), piso_machine_get_name (machine));
  g_signal_connect_object (machine, "notify::state", G_CALLBACK (piso_export_dialog_update),
                           self, G_CONNECT_SWAPPED);
  piso_export_dialog_update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->choose_button));
  return self;
}

PisoExporter *
piso_export_dialog_get_exporter (PisoExportDialog *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_DIALOG (self), NULL);

  return self->exporter;
}

const char *
piso_export_dialog_get_destination (PisoExportDialog *self)
{
  g_return_val_if_fail (PISO_IS_EXPORT_DIALOG (self), NULL);

  return self->destination;
}
