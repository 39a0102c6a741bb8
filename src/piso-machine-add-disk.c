/* piso-machine-add-disk.c: asks for a new disk (pool and size) or an existing image
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-add-disk"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-add-disk.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

struct _PisoMachineAddDisk
{
  PisoAlertParent  parent_instance;

  PisoMachine     *machine;
  GCancellable    *cancellable;
  char            *path;
  gboolean         loaded;

  /* Template children */
  GtkButton       *choose_button;
  GtkCheckButton  *existing_check;
  GtkWidget       *existing_box;
  GtkWidget       *new_grid;
  GtkCheckButton  *new_check;
  GtkDropDown     *pool_dropdown;
  GtkStringList   *pool_names;
  GtkLabel        *path_label;
  GtkSpinButton   *size_spin;
  GtkLabel        *status_label;
};

G_DEFINE_FINAL_TYPE (PisoMachineAddDisk, piso_machine_add_disk, PISO_TYPE_ALERT_PARENT)

static const char *
piso_machine_add_disk_get_pool (PisoMachineAddDisk *self)
{
  guint selected = gtk_drop_down_get_selected (self->pool_dropdown);

  if (selected == GTK_INVALID_LIST_POSITION ||
      selected >= g_list_model_get_n_items (G_LIST_MODEL (self->pool_names)))
    return NULL;
  return gtk_string_list_get_string (self->pool_names, selected);
}

static void
piso_machine_add_disk_update (PisoMachineAddDisk *self)
{
  gboolean new_disk = gtk_check_button_get_active (self->new_check);
  gboolean ready;

  g_assert (PISO_IS_MACHINE_ADD_DISK (self));

  gtk_widget_set_sensitive (self->new_grid, new_disk);
  gtk_widget_set_sensitive (self->existing_box, !new_disk);
  ready = new_disk ? piso_machine_add_disk_get_pool (self) != NULL : self->path != NULL;
  piso_alert_set_response_enabled (GTK_WIDGET (self), "add", ready);
}

static void
piso_machine_add_disk_listed_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(PisoMachineAddDisk) self = user_data;
  g_auto(GStrv) pools = NULL;
  g_auto(GStrv) stopped_pools = NULL;
  g_autoptr(GError) error = NULL;

  if (!piso_connection_list_device_sources_finish (PISO_CONNECTION (object), result,
                                                   &pools, &stopped_pools, NULL, NULL, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->loaded = TRUE;
      /* Translators: %s is libvirt's reason */
      text = g_strdup_printf (_("Could not list the storage pools: %s"), error->message);
      gtk_label_set_label (self->status_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      return;
    }

  self->loaded = TRUE;
  /* A stopped pool too, after the running ones: the new disk starts it */
  for (guint i = 0; pools[i] != NULL; i++)
    gtk_string_list_append (self->pool_names, pools[i]);
  for (guint i = 0; stopped_pools[i] != NULL; i++)
    gtk_string_list_append (self->pool_names, stopped_pools[i]);
  if (pools[0] == NULL && stopped_pools[0] == NULL)
    {
      gtk_label_set_label (self->status_label,
                           _("This host has no storage pool for new disks."));
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
    }
  else if (!piso_machine_add_disk_set_new (self, "default", gtk_spin_button_get_value (self->size_spin)))
    gtk_drop_down_set_selected (self->pool_dropdown, 0);
  piso_machine_add_disk_update (self);
}

static void
piso_machine_add_disk_file_chosen_cb (GtkNativeDialog    *dialog,
                                      int                 response,
                                      PisoMachineAddDisk *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        piso_machine_add_disk_set_path (self, path);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
piso_machine_add_disk_choose_cb (PisoMachineAddDisk *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooserNative *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_assert (PISO_IS_MACHINE_ADD_DISK (self));

  gtk_file_filter_set_name (filter, _("Disk images"));
  gtk_file_filter_add_suffix (filter, "qcow2");
  gtk_file_filter_add_suffix (filter, "img");
  gtk_file_filter_add_suffix (filter, "raw");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  dialog = gtk_file_chooser_native_new (_("Choose a Disk Image"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (piso_machine_add_disk_file_chosen_cb),
                    g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

GtkWidget *
piso_machine_add_disk_new (PisoMachine *machine)
{
  PisoMachineAddDisk *self;
  PisoConnection *connection;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  self = g_object_new (PISO_TYPE_MACHINE_ADD_DISK, NULL);
  self->machine = g_object_ref (machine);

  heading = g_strdup_printf (_("Add a Disk to “%s”"), piso_machine_get_display_name (machine));
  piso_alert_set_heading (GTK_WIDGET (self), heading);
  piso_alert_set_body (GTK_WIDGET (self),
                       _("The disk is attached the way the operating system works best with. A new disk is empty: the guest formats it."));

  connection = piso_machine_get_connection (machine);
  /* A file chooser shows this computer's files, not a remote host's */
  if (connection == NULL || !piso_connection_is_local (connection))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->existing_check), FALSE);
      gtk_widget_set_visible (self->existing_box, FALSE);
    }
  if (connection != NULL)
    piso_connection_list_device_sources_async (connection, self->cancellable,
                                               piso_machine_add_disk_listed_cb,
                                               g_object_ref (self));
  piso_machine_add_disk_update (self);

  return GTK_WIDGET (self);
}

gboolean
piso_machine_add_disk_get_new (PisoMachineAddDisk  *self,
                               const char         **pool,
                               guint64             *capacity,
                               const char         **path)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ADD_DISK (self), FALSE);

  *pool = piso_machine_add_disk_get_pool (self);
  *capacity = (guint64) (gtk_spin_button_get_value (self->size_spin) * GIB);
  *path = self->path;
  return gtk_check_button_get_active (self->new_check);
}

gboolean
piso_machine_add_disk_set_new (PisoMachineAddDisk *self,
                               const char         *pool,
                               double              gib)
{
  guint n;

  g_return_val_if_fail (PISO_IS_MACHINE_ADD_DISK (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->pool_names));
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->pool_names, i), pool) == 0)
      {
        gtk_check_button_set_active (self->new_check, TRUE);
        gtk_drop_down_set_selected (self->pool_dropdown, i);
        gtk_spin_button_set_value (self->size_spin, gib);
        return TRUE;
      }
  return FALSE;
}

void
piso_machine_add_disk_set_path (PisoMachineAddDisk *self,
                                const char         *path)
{
  g_return_if_fail (PISO_IS_MACHINE_ADD_DISK (self));

  g_free (self->path);
  self->path = g_strdup (path);
  gtk_label_set_label (self->path_label, path != NULL ? path : _("No image chosen"));
  gtk_check_button_set_active (self->existing_check, TRUE);
  piso_machine_add_disk_update (self);
}

gboolean
piso_machine_add_disk_get_loaded (PisoMachineAddDisk *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ADD_DISK (self), FALSE);

  return self->loaded;
}

static void
piso_machine_add_disk_dispose (GObject *object)
{
  PisoMachineAddDisk *self = (PisoMachineAddDisk *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->machine);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_ADD_DISK);

  G_OBJECT_CLASS (piso_machine_add_disk_parent_class)->dispose (object);
}

static void
piso_machine_add_disk_finalize (GObject *object)
{
  PisoMachineAddDisk *self = (PisoMachineAddDisk *)object;

  g_clear_object (&self->cancellable);
  g_free (self->path);

  G_OBJECT_CLASS (piso_machine_add_disk_parent_class)->finalize (object);
}

static void
piso_machine_add_disk_class_init (PisoMachineAddDiskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_machine_add_disk_dispose;
  object_class->finalize = piso_machine_add_disk_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-add-disk.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, choose_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, existing_box);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, existing_check);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, new_check);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, new_grid);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, path_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, pool_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, pool_names);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, size_spin);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineAddDisk, status_label);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_add_disk_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_add_disk_update);
}

static void
piso_machine_add_disk_init (PisoMachineAddDisk *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}
