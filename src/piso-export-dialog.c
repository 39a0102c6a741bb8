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

struct _PisoExportDialog
{
  PisoOperationDialog parent_instance;

  PisoExporter   *exporter;
  GFile          *folder;
  char           *destination;

  /* Template children (and the base's, see piso-operation-dialog.h) */
  GtkButton      *choose_button;
  GtkButton      *export_button;
  AdwActionRow   *folder_row;
  AdwActionRow   *name_row;
  GtkEntry       *name_entry;
  GtkLabel       *running_label;
  AdwWindowTitle *window_title;
};

G_DEFINE_FINAL_TYPE (PisoExportDialog, piso_export_dialog, PISO_TYPE_OPERATION_DIALOG)

#define BASE(self) PISO_OPERATION_DIALOG (self)

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
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));

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
  piso_a11y_set_button_label (self->export_button,
                              state == PISO_MACHINE_STATE_RUNNING ? _("Pause and _Export") : _("_Export"));
  piso_exporter_set_pause_running (self->exporter, running);

  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button),
                            !piso_operation_dialog_get_running (BASE (self)) && exportable && self->folder != NULL &&
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

  if (folder != NULL && !piso_operation_dialog_get_closed (BASE (self)))
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
  piso_operation_dialog_set_failure (BASE (self), NULL);
  piso_export_dialog_update (self);
}

/* Writing the bundle */

static void
piso_export_dialog_progress_cb (PisoExportDialog *self)
{
  piso_operation_dialog_set_transfer (BASE (self), piso_exporter_get_bytes_done (self->exporter),
                                      piso_exporter_get_bytes_total (self->exporter),
                                      piso_exporter_get_seconds_left (self->exporter));
}

static void
piso_export_dialog_run_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(PisoExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_signal_handlers_disconnect_by_func (self->exporter, piso_export_dialog_progress_cb, self);
  if (!piso_exporter_run_finish (PISO_EXPORTER (object), result, &error))
    {
      if (piso_operation_dialog_get_closed (BASE (self)))
        return;
      g_clear_pointer (&self->destination, g_free);
      piso_operation_dialog_fail (BASE (self), error,
                                  _("The export was cancelled. Nothing of it was kept."),
                                  GTK_WIDGET (self->choose_button));
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;

  /* Translators: %s is a machine's name */
  message = g_strdup_printf (_("Exported “%s”"),
                             piso_machine_get_display_name (piso_export_dialog_machine (self)));
  piso_operation_dialog_succeed (BASE (self), message, NULL, self->folder);
}

static void
piso_export_dialog_export_cb (PisoExportDialog *self)
{
  g_autofree char *status = NULL;
  g_autofree char *folder = NULL;
  GCancellable *cancellable;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->export_button)))
    return;

  folder = g_file_get_path (self->folder);
  if (folder == NULL)
    {
      piso_operation_dialog_set_failure (BASE (self),
                                         _("Piso can only export into a folder of this computer."));
      return;
    }
  g_free (self->destination);
  self->destination = g_build_filename (folder, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)),
                                        NULL);

  /* Translators: %s is a machine's name */
  status = g_strdup_printf (_("Exporting “%s”…"),
                            piso_machine_get_display_name (piso_export_dialog_machine (self)));
  cancellable = piso_operation_dialog_start (BASE (self), status);
  g_signal_connect_swapped (self->exporter, "notify::bytes-done",
                            G_CALLBACK (piso_export_dialog_progress_cb), self);
  g_signal_connect_swapped (self->exporter, "notify::bytes-total",
                            G_CALLBACK (piso_export_dialog_progress_cb), self);
  piso_exporter_run_async (self->exporter, self->destination, cancellable,
                           piso_export_dialog_run_cb, g_object_ref (self));
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

  if (self->exporter != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->exporter, self);
      g_signal_handlers_disconnect_by_data (piso_export_dialog_machine (self), self);
    }

  G_OBJECT_CLASS (piso_export_dialog_parent_class)->dispose (object);
}

static void
piso_export_dialog_finalize (GObject *object)
{
  PisoExportDialog *self = (PisoExportDialog *)object;

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
  PisoOperationDialogClass *operation_class = PISO_OPERATION_DIALOG_CLASS (klass);

  object_class->dispose = piso_export_dialog_dispose;
  object_class->finalize = piso_export_dialog_finalize;
  operation_class->update = (void (*) (PisoOperationDialog *)) piso_export_dialog_update;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pisovm/Piso/ui/piso-export-dialog.ui");
  piso_operation_dialog_class_bind_template (widget_class);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, running_label);
  gtk_widget_class_bind_template_child (widget_class, PisoExportDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, piso_export_dialog_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_export_dialog_export_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_export_dialog_name_changed_cb);
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

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);

  self = g_object_new (PISO_TYPE_EXPORT_DIALOG, NULL);
  self->exporter = piso_exporter_new (machine);
  piso_operation_dialog_set_parent (BASE (self), parent);

  /* Translators: %s is a machine's name */
  title = g_strdup_printf (_("Export “%s”"), piso_machine_get_display_name (machine));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  adw_action_row_set_subtitle (self->folder_row, _("No folder chosen"));
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), piso_machine_get_name (machine));
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
