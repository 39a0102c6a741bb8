/* piso-clone-dialog.c: asks how to clone a shut-off machine, then makes the clone
 *
 * The choices are the PisoCloner's (piso-cloner.h): the dialog shows them,
 * sets them and shows the cloner's progress; the cloner removes whatever a
 * failed or cancelled clone made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-clone-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-clone-dialog.h"
#include "piso-format.h"
#include "piso-name-row.h"

struct _PisoCloneDialog
{
  PisoOperationDialog parent_instance;

  PisoCloner     *cloner;
  PisoMachine    *clone;
  gboolean        ready;

  /* Template children (and the base's, see piso-operation-dialog.h) */
  GtkButton      *clone_button;
  AdwPreferencesGroup *disks_group;
  GtkSwitch      *linked_switch;
  AdwActionRow   *linked_row;
  AdwActionRow   *name_row;
  GtkEntry       *name_entry;
  GtkLabel       *name_error_label;
  GtkLabel       *nvram_label;
  GtkLabel       *size_label;
  GtkLabel       *tpm_label;
  AdwWindowTitle *window_title;
};

G_DEFINE_FINAL_TYPE (PisoCloneDialog, piso_clone_dialog, PISO_TYPE_OPERATION_DIALOG)

#define BASE(self) PISO_OPERATION_DIALOG (self)

/* The per-disk choices, in the order of PisoCloneDiskAction */
static const char * const action_labels[] = {
  [PISO_CLONE_DISK_COPY] = N_("Copy"),
  [PISO_CLONE_DISK_SHARE] = N_("Share"),
  [PISO_CLONE_DISK_SKIP] = N_("Leave Out"),
};

#define DISK_KEY "piso-clone-disk"
#define ACTION_KEY "piso-clone-action"

static void
piso_clone_dialog_update (PisoCloneDialog *self)
{
  gboolean running = piso_operation_dialog_get_running (BASE (self));
  gboolean name_ok = self->ready &&
                     piso_name_row_check (self->name_entry, self->name_error_label,
                                          piso_machine_get_connection (piso_cloner_get_source (self->cloner)));
  guint64 bytes = self->ready ? piso_cloner_get_bytes_to_copy (self->cloner) : 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->clone_button), name_ok && !running);

  if (!self->ready)
    gtk_label_set_label (self->size_label, "");
  else if (piso_cloner_get_linked (self->cloner))
    gtk_label_set_label (self->size_label,
                         _("Nothing is copied: the clone’s disks start empty and grow with what it writes."));
  else if (bytes > 0)
    {
      g_autofree char *size = piso_format_bytes (bytes);
      /* Translators: %s is a size ("600 MiB") */
      g_autofree char *text = g_strdup_printf (_("The copies take %s on the host."), size);

      gtk_label_set_label (self->size_label, text);
    }
  else
    gtk_label_set_label (self->size_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->size_label),
                          gtk_label_get_label (self->size_label)[0] != '\0');
}

/* One disk */

static void
piso_clone_dialog_update_disk_row (AdwActionRow *row)
{
  PisoCloneDisk *disk = g_object_get_data (G_OBJECT (row), DISK_KEY);
  const char *note = piso_clone_disk_get_note (disk);
  guint64 allocation = piso_clone_disk_get_allocation (disk);
  g_autoptr(GString) subtitle = g_string_new (piso_clone_disk_get_target (disk));

  if (allocation > 0)
    {
      g_autofree char *size = piso_format_bytes (allocation);

      g_string_truncate (subtitle, 0);
      /* Translators: a disk's target ("vda") and the space it takes on the host ("600 MiB") */
      g_string_append_printf (subtitle, _("%s, %s used"), piso_clone_disk_get_target (disk), size);
    }
  if (note != NULL)
    g_string_append_printf (subtitle, "\n%s", note);
  adw_action_row_set_subtitle (row, subtitle->str);
}

static void
piso_clone_dialog_action_toggled_cb (PisoCloneDialog *self,
                                     GtkToggleButton *button)
{
  PisoCloneDisk *disk = g_object_get_data (G_OBJECT (button), DISK_KEY);
  PisoCloneDiskAction action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), ACTION_KEY));

  if (!gtk_toggle_button_get_active (button))
    return;

  piso_clone_disk_set_action (disk, action);
  piso_clone_dialog_update (self);
}

static GtkWidget *
piso_clone_dialog_disk_row (PisoCloneDialog *self,
                            PisoCloneDisk   *disk)
{
  const char *path = piso_clone_disk_get_path (disk);
  g_autofree char *title = path != NULL ? g_path_get_basename (path) : g_strdup (_("Empty drive"));
  g_autofree char *group_name = NULL;
  GtkWidget *row;
  GtkWidget *box;
  GtkToggleButton *first = NULL;

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data_full (G_OBJECT (row), DISK_KEY, g_object_ref (disk), g_object_unref);

  /* A group named after the disk: its three buttons say what it gets. */
  /* Translators: %s is a disk's file name or "Empty drive" */
  group_name = g_strdup_printf (_("What the clone gets of %s"), title);
  box = g_object_new (GTK_TYPE_BOX,
                      "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP,
                      "valign", GTK_ALIGN_CENTER,
                      NULL);
  gtk_widget_add_css_class (box, "linked");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, group_name,
                                  -1);

  for (guint i = 0; i < G_N_ELEMENTS (action_labels); i++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (_(action_labels[i]));

      g_object_set_data_full (G_OBJECT (button), DISK_KEY, g_object_ref (disk), g_object_unref);
      g_object_set_data (G_OBJECT (button), ACTION_KEY, GINT_TO_POINTER (i));
      if (first == NULL)
        first = GTK_TOGGLE_BUTTON (button);
      else
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), first);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button),
                                    piso_clone_disk_get_action (disk) == (PisoCloneDiskAction) i);
      if (i == PISO_CLONE_DISK_COPY && !piso_clone_disk_get_can_copy (disk))
        {
          gtk_widget_set_sensitive (button, FALSE);
          gtk_widget_set_tooltip_text (button, _("Piso cannot copy this disk (it is not a file or storage volume on the host)."));
        }
      g_signal_connect_object (button, "toggled",
                               G_CALLBACK (piso_clone_dialog_action_toggled_cb),
                               self, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (box), button);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  g_signal_connect_object (disk, "notify::note",
                           G_CALLBACK (piso_clone_dialog_update_disk_row),
                           row, G_CONNECT_SWAPPED);
  piso_clone_dialog_update_disk_row (ADW_ACTION_ROW (row));
  return row;
}

/* Reading the original */

static void
piso_clone_dialog_prepare_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(PisoCloneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GListModel *disks;

  if (!piso_cloner_prepare_finish (PISO_CLONER (object), result, &error))
    {
      if (!piso_operation_dialog_get_closed (BASE (self)))
        piso_operation_dialog_set_failure (BASE (self), error->message);
      return;
    }

  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  disks = piso_cloner_get_disks (self->cloner);
  for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
    {
      g_autoptr(PisoCloneDisk) disk = g_list_model_get_item (disks, i);

      adw_preferences_group_add (self->disks_group, piso_clone_dialog_disk_row (self, disk));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->disks_group), g_list_model_get_n_items (disks) > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->tpm_label), piso_cloner_get_has_tpm (self->cloner));
  gtk_widget_set_visible (GTK_WIDGET (self->nvram_label), piso_cloner_get_has_nvram (self->cloner));

  self->ready = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), piso_cloner_get_name (self->cloner));
  piso_clone_dialog_update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

/* Making the clone */

static void
piso_clone_dialog_progress_cb (PisoCloneDialog *self)
{
  const char *status = piso_cloner_get_status_text (self->cloner);
  guint64 total = piso_cloner_get_bytes_total (self->cloner);

  piso_operation_dialog_set_progress (BASE (self), piso_cloner_get_progress (self->cloner),
                                      status != NULL ? status : "");
  /* Bytes only while disks are copied: the other stages are quick */
  if (piso_cloner_get_stage (self->cloner) != PISO_CLONER_STAGE_COPYING)
    total = 0;
  piso_operation_dialog_set_amount (BASE (self), piso_cloner_get_bytes_done (self->cloner), total,
                                    piso_cloner_get_seconds_left (self->cloner));
}

static void
piso_clone_dialog_run_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(PisoCloneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  PisoMachine *clone;

  g_signal_handlers_disconnect_by_func (self->cloner, piso_clone_dialog_progress_cb, self);
  clone = piso_cloner_run_finish (PISO_CLONER (object), result, &error);
  if (piso_operation_dialog_get_closed (BASE (self)))
    {
      g_clear_object (&clone);
      return;
    }
  if (clone == NULL)
    {
      piso_operation_dialog_fail (BASE (self), error,
                                  _("The clone was cancelled. Nothing it made was kept."), NULL);
      return;
    }

  self->clone = clone;
  /* Translators: the first %s is the original machine's name, the second the clone's */
  message = g_strdup_printf (_("“%s” was cloned as “%s”"),
                             piso_machine_get_display_name (piso_cloner_get_source (self->cloner)),
                             piso_machine_get_name (clone));
  piso_operation_dialog_succeed (BASE (self), message, clone, NULL);
}

static void
piso_clone_dialog_clone_cb (PisoCloneDialog *self)
{
  const char *status;
  GCancellable *cancellable;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->clone_button)))
    return;

  piso_cloner_set_name (self->cloner, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  status = piso_cloner_get_status_text (self->cloner);
  cancellable = piso_operation_dialog_start (BASE (self), status != NULL ? status : "");
  g_signal_connect_swapped (self->cloner, "notify::status-text",
                            G_CALLBACK (piso_clone_dialog_progress_cb), self);
  g_signal_connect_swapped (self->cloner, "notify::progress",
                            G_CALLBACK (piso_clone_dialog_progress_cb), self);
  g_signal_connect_swapped (self->cloner, "notify::seconds-left",
                            G_CALLBACK (piso_clone_dialog_progress_cb), self);
  piso_clone_dialog_progress_cb (self);
  piso_cloner_run_async (self->cloner, cancellable, piso_clone_dialog_run_cb,
                         g_object_ref (self));
}

static void
piso_clone_dialog_name_changed_cb (PisoCloneDialog *self)
{
  piso_clone_dialog_update (self);
}

static void
piso_clone_dialog_linked_cb (PisoCloneDialog *self)
{
  piso_cloner_set_linked (self->cloner, gtk_switch_get_active (self->linked_switch));
  piso_clone_dialog_update (self);
}

static void
piso_clone_dialog_dispose (GObject *object)
{
  PisoCloneDialog *self = (PisoCloneDialog *)object;

  if (self->cloner != NULL)
    g_signal_handlers_disconnect_by_data (self->cloner, self);

  G_OBJECT_CLASS (piso_clone_dialog_parent_class)->dispose (object);
}

static void
piso_clone_dialog_finalize (GObject *object)
{
  PisoCloneDialog *self = (PisoCloneDialog *)object;

  g_clear_object (&self->cloner);
  g_clear_object (&self->clone);

  G_OBJECT_CLASS (piso_clone_dialog_parent_class)->finalize (object);
}

static void
piso_clone_dialog_class_init (PisoCloneDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoOperationDialogClass *operation_class = PISO_OPERATION_DIALOG_CLASS (klass);

  object_class->dispose = piso_clone_dialog_dispose;
  object_class->finalize = piso_clone_dialog_finalize;
  operation_class->update = (void (*) (PisoOperationDialog *)) piso_clone_dialog_update;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pisovm/Piso/ui/piso-clone-dialog.ui");
  piso_operation_dialog_class_bind_template (widget_class);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, clone_button);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, disks_group);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, linked_row);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, linked_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, name_error_label);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, nvram_label);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, size_label);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, tpm_label);
  gtk_widget_class_bind_template_child (widget_class, PisoCloneDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, piso_clone_dialog_clone_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_clone_dialog_linked_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_clone_dialog_name_changed_cb);
}

static void
piso_clone_dialog_init (PisoCloneDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PisoCloneDialog *
piso_clone_dialog_new (PisoMachine *machine,
                       GtkWidget   *parent)
{
  PisoCloneDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);

  self = g_object_new (PISO_TYPE_CLONE_DIALOG, NULL);
  self->cloner = piso_cloner_new (machine);
  piso_operation_dialog_set_parent (BASE (self), parent);

  /* Translators: %s is a machine's name */
  title = g_strdup_printf (_("Clone “%s”"), piso_machine_get_display_name (machine));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  piso_clone_dialog_update (self);

  piso_cloner_prepare_async (self->cloner, NULL, piso_clone_dialog_prepare_cb, g_object_ref (self));
  return self;
}

PisoCloner *
piso_clone_dialog_get_cloner (PisoCloneDialog *self)
{
  g_return_val_if_fail (PISO_IS_CLONE_DIALOG (self), NULL);

  return self->cloner;
}

gboolean
piso_clone_dialog_get_ready (PisoCloneDialog *self)
{
  g_return_val_if_fail (PISO_IS_CLONE_DIALOG (self), FALSE);

  return self->ready;
}

PisoMachine *
piso_clone_dialog_get_clone (PisoCloneDialog *self)
{
  g_return_val_if_fail (PISO_IS_CLONE_DIALOG (self), NULL);

  return self->clone;
}
