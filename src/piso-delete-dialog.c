/* piso-delete-dialog.c: confirms deleting a machine, and which storage goes too
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-delete-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-delete-dialog.h"

struct _PisoDeleteDialog
{
  PisoAlertParent   parent_instance;

  PisoMachine      *machine;
  /* GtkCheckButton, each with its path as "piso-path" data */
  GPtrArray        *checks;

  GtkBox           *storage_box;
  GtkListBox       *storage_list;
};

G_DEFINE_FINAL_TYPE (PisoDeleteDialog, piso_delete_dialog, PISO_TYPE_ALERT_PARENT)

enum {
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_delete_dialog_update_text (PisoDeleteDialog *self)
{
  const char *name;
  g_autofree char *heading = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  PisoMachineState state;

  g_assert (PISO_IS_DELETE_DIALOG (self));

  name = piso_machine_get_display_name (self->machine);
  state = piso_machine_get_state (self->machine);

  /* Translators: %s is a machine's name */
  heading = g_strdup_printf (_("Delete “%s”?"), name);
  piso_alert_set_heading (GTK_WIDGET (self), heading);

  g_string_append (body, _("The machine’s definition is removed, with its saved state, snapshots and firmware settings. This cannot be undone."));

  if (self->checks->len > 0)
    {
      g_string_append (body, " ");
      g_string_append (body, _("Its storage files are kept unless you select them below."));
    }

  if (state == PISO_MACHINE_STATE_RUNNING ||
      state == PISO_MACHINE_STATE_PAUSED ||
      state == PISO_MACHINE_STATE_SHUTTING_DOWN ||
      state == PISO_MACHINE_STATE_SUSPENDED)
    {
      g_string_append (body, "\n\n");
      g_string_append (body, _("The machine is running: it will be forced off first, and data the guest has not saved is lost."));
    }

  piso_alert_set_body (GTK_WIDGET (self), body->str);
}

/* The backend refuses to delete such a file anyway; saying so up front is
 * kinder. */
PisoMachine *
piso_delete_dialog_find_other_user (PisoMachine *machine,
                                    const char  *path)
{
  PisoConnection *connection = piso_machine_get_connection (machine);
  GListModel *machines;
  guint n;

  if (connection == NULL)
    return NULL;

  machines = piso_connection_get_machines (connection);
  n = g_list_model_get_n_items (machines);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PisoMachine) other = g_list_model_get_item (machines, i);
      GListModel *disks;
      guint n_disks;

      if (other == machine)
        continue;

      disks = piso_machine_get_disks (other);
      n_disks = g_list_model_get_n_items (disks);
      for (guint j = 0; j < n_disks; j++)
        {
          g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, j);

          if (g_strcmp0 (piso_disk_get_path (disk), path) == 0)
            return other;
        }
    }

  return NULL;
}

static void
piso_delete_dialog_populate (PisoDeleteDialog *self)
{
  GListModel *disks;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n;

  g_assert (PISO_IS_DELETE_DIALOG (self));

  disks = piso_machine_get_disks (self->machine);
  n = g_list_model_get_n_items (disks);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PisoDisk) disk = g_list_model_get_item (disks, i);
      const char *path = piso_disk_get_path (disk);
      const char *device = piso_disk_get_device (disk);
      g_autofree char *basename = NULL;
      g_autofree char *dirname = NULL;
      PisoMachine *other;
      GtkWidget *row;
      GtkWidget *check;

      /* Installation media and other read-only files are shared things,
       * not the machine's storage: never offer them. */
      if (path == NULL ||
          piso_disk_get_read_only (disk) ||
          g_strcmp0 (device, "cdrom") == 0 ||
          g_strcmp0 (device, "floppy") == 0 ||
          !g_hash_table_add (seen, (gpointer) path))
        continue;

      basename = g_path_get_basename (path);
      dirname = g_path_get_dirname (path);
      other = piso_delete_dialog_find_other_user (self->machine, path);

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), basename);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_tooltip_text (row, path);
      if (other != NULL)
        {
          /* Translators: %s is another machine's name; the file stays */
          g_autofree char *used = g_strdup_printf (_("Also used by “%s”, so it is kept"),
                                                   piso_machine_get_display_name (other));

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), used);
          gtk_widget_set_sensitive (row, FALSE);
        }
      else
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dirname);

      check = gtk_check_button_new ();
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, path,
                                      -1);
      g_object_set_data_full (G_OBJECT (check), "piso-path", g_strdup (path), g_free);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

      gtk_list_box_append (self->storage_list, row);
      g_ptr_array_add (self->checks, check);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->storage_box), self->checks->len > 0);
}

typedef struct
{
  GtkWindow *parent;
  char      *name;
} DeleteCall;

static void
piso_delete_dialog_delete_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  DeleteCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_machine_delete_finish (PISO_MACHINE (object), result, &error))
    {
      /* Translators: %s is a machine's name */
      g_autofree char *context = g_strdup_printf (_("Could not delete “%s”"), call->name);
      g_autofree char *message = NULL;

      /* The backend's errors already say what failed */
      if (error->domain == PISO_BACKEND_ERROR || g_str_has_prefix (error->message, context))
        message = g_strdup (error->message);
      else
        message = g_strdup_printf ("%s: %s", context, error->message);

      if (call->parent == NULL ||
          !gtk_widget_activate_action (GTK_WIDGET (call->parent), "win.toast", "s", message))
        g_debug ("No win.toast action to show: %s", message);
    }

  g_clear_object (&call->parent);
  g_free (call->name);
  g_free (call);
}

static void
piso_delete_dialog_response_cb (PisoDeleteDialog *self,
                                const char       *response,
                                gpointer          user_data)
{
  g_auto(GStrv) checked = NULL;
  GtkWindow *parent;
  DeleteCall *call;

  g_assert (PISO_IS_DELETE_DIALOG (self));

  if (g_strcmp0 (response, "delete") != 0)
    return;

  checked = piso_delete_dialog_get_checked_paths (self);
  parent = piso_alert_get_window (GTK_WIDGET (self));

  call = g_new0 (DeleteCall, 1);
  call->parent = parent != NULL ? g_object_ref (parent) : NULL;
  call->name = g_strdup (piso_machine_get_display_name (self->machine));
  piso_machine_delete_async (self->machine, (const char * const *) checked, NULL,
                             piso_delete_dialog_delete_cb, call);
}

static void
piso_delete_dialog_machine_notify_state_cb (PisoDeleteDialog *self,
                                            GParamSpec       *pspec,
                                            PisoMachine      *machine)
{
  piso_delete_dialog_update_text (self);
}

/* Show it with piso_alert_present(). */
GtkWidget *
piso_delete_dialog_new (PisoMachine *machine)
{
  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  return g_object_new (PISO_TYPE_DELETE_DIALOG,
                       "machine", machine,
                       NULL);
}

PisoMachine *
piso_delete_dialog_get_machine (PisoDeleteDialog *self)
{
  g_return_val_if_fail (PISO_IS_DELETE_DIALOG (self), NULL);

  return self->machine;
}

static GStrv
piso_delete_dialog_collect (PisoDeleteDialog *self,
                            gboolean          only_checked)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);

      if (!only_checked || gtk_check_button_get_active (check))
        g_strv_builder_add (builder, g_object_get_data (G_OBJECT (check), "piso-path"));
    }

  return g_strv_builder_end (builder);
}

GStrv
piso_delete_dialog_get_storage_paths (PisoDeleteDialog *self)
{
  g_return_val_if_fail (PISO_IS_DELETE_DIALOG (self), NULL);

  return piso_delete_dialog_collect (self, FALSE);
}

GStrv
piso_delete_dialog_get_checked_paths (PisoDeleteDialog *self)
{
  g_return_val_if_fail (PISO_IS_DELETE_DIALOG (self), NULL);

  return piso_delete_dialog_collect (self, TRUE);
}

gboolean
piso_delete_dialog_set_path_checked (PisoDeleteDialog *self,
                                     const char       *path,
                                     gboolean          checked)
{
  g_return_val_if_fail (PISO_IS_DELETE_DIALOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  for (guint i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (check), "piso-path"), path) == 0)
        {
          gtk_check_button_set_active (check, checked);
          return TRUE;
        }
    }

  return FALSE;
}

static void
piso_delete_dialog_constructed (GObject *object)
{
  PisoDeleteDialog *self = (PisoDeleteDialog *)object;

  G_OBJECT_CLASS (piso_delete_dialog_parent_class)->constructed (object);

  g_assert (PISO_IS_MACHINE (self->machine));

  piso_delete_dialog_populate (self);
  piso_delete_dialog_update_text (self);

  g_signal_connect_object (self->machine, "notify::state",
                           G_CALLBACK (piso_delete_dialog_machine_notify_state_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
piso_delete_dialog_dispose (GObject *object)
{
  PisoDeleteDialog *self = (PisoDeleteDialog *)object;

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_data (self->machine, self);
  g_clear_object (&self->machine);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_DELETE_DIALOG);

  G_OBJECT_CLASS (piso_delete_dialog_parent_class)->dispose (object);
}

static void
piso_delete_dialog_finalize (GObject *object)
{
  PisoDeleteDialog *self = (PisoDeleteDialog *)object;

  g_clear_pointer (&self->checks, g_ptr_array_unref);

  G_OBJECT_CLASS (piso_delete_dialog_parent_class)->finalize (object);
}

static void
piso_delete_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PisoDeleteDialog *self = PISO_DELETE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_delete_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PisoDeleteDialog *self = PISO_DELETE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      self->machine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_delete_dialog_class_init (PisoDeleteDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = piso_delete_dialog_constructed;
  object_class->dispose = piso_delete_dialog_dispose;
  object_class->finalize = piso_delete_dialog_finalize;
  object_class->get_property = piso_delete_dialog_get_property;
  object_class->set_property = piso_delete_dialog_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL,
                         PISO_TYPE_MACHINE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-delete-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoDeleteDialog, storage_box);
  gtk_widget_class_bind_template_child (widget_class, PisoDeleteDialog, storage_list);
}

static void
piso_delete_dialog_init (PisoDeleteDialog *self)
{
  self->checks = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self, "response", G_CALLBACK (piso_delete_dialog_response_cb), NULL);
}
