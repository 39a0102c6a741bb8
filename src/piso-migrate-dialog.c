/* piso-migrate-dialog.c: moves a machine to another connected host
 *
 * The work and the checks are PisoMigration's (piso-migration.h); the dialog
 * offers the other connected hosts, runs the pre-flight checks for the one
 * chosen as soon as it is chosen (so a refusal is read before anything is
 * tried, with what to do about it) and shows the transfer. When that host
 * does not see the machine's disks (running or shut off), it offers its
 * storage pools to copy them into (the first check asks for one; choosing
 * one checks again, with room for the copies).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-migrate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-combo-row.h"
#include "piso-migrate-dialog.h"
#include "piso-window.h"

struct _PisoMigrateDialog
{
  PisoOperationDialog parent_instance;

  PisoMachine    *machine;
  PisoConnection *source;
  GListModel     *connections;
  GPtrArray      *watched;        /* PisoConnection: their state is followed */
  GListStore     *destinations;   /* the other connected ones */
  PisoMigration  *migration;      /* to the chosen one */
  GCancellable   *check_cancellable;
  gboolean        check_passed;
  gboolean        was_active;     /* the machine ran at the last check */

  /* Template children (and the base's, see piso-operation-dialog.h) */
  GtkLabel       *check_label;
  AdwComboRow    *destination_row;
  GtkButton      *move_button;
  AdwComboRow    *pool_row;
  GtkStringList  *pools;
  AdwActionRow   *temporary_row;
  GtkSwitch      *temporary_switch;
  AdwWindowTitle *window_title;
};

G_DEFINE_FINAL_TYPE (PisoMigrateDialog, piso_migrate_dialog, PISO_TYPE_OPERATION_DIALOG)

#define BASE(self) PISO_OPERATION_DIALOG (self)

static gboolean
piso_migrate_dialog_machine_active (PisoMigrateDialog *self)
{
  PisoMachineState state = piso_machine_get_state (self->machine);

  return state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED;
}

static PisoConnection *
piso_migrate_dialog_destination (PisoMigrateDialog *self)
{
  return self->migration != NULL ? piso_migration_get_destination (self->migration) : NULL;
}

static void
piso_migrate_dialog_update (PisoMigrateDialog *self)
{
  gboolean running = piso_operation_dialog_get_running (BASE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->temporary_row), piso_migrate_dialog_machine_active (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->destination_row),
                            !running && g_list_model_get_n_items (G_LIST_MODEL (self->destinations)) > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->temporary_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pool_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->move_button), !running && self->check_passed);
}

static void
piso_migrate_dialog_set_check (PisoMigrateDialog *self,
                               const char        *text,
                               gboolean           refused)
{
  gtk_label_set_label (self->check_label, text);
  if (refused)
    gtk_widget_add_css_class (GTK_WIDGET (self->check_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "error");
}

static void piso_migrate_dialog_check (PisoMigrateDialog *self);
static void piso_migrate_dialog_pool_selected_cb (PisoMigrateDialog *self);

/* The pre-flight checks for the chosen destination */

static void
piso_migrate_dialog_checked_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(PisoMigrateDialog) self = user_data;
  PisoMigration *migration = PISO_MIGRATION (object);
  g_autoptr(GError) error = NULL;
  gboolean passed = piso_migration_check_finish (migration, result, &error);

  /* closed, or another destination (or state) is being checked now */
  if (piso_operation_dialog_get_closed (BASE (self)) || migration != self->migration ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->check_passed = passed;
  if (passed)
    {
      const char *pool = piso_migration_get_storage_pool (migration);
      const char *notice = piso_migration_get_notice (migration);
      g_autofree char *text = NULL;

      if (pool != NULL && gtk_widget_get_visible (GTK_WIDGET (self->pool_row)))
        /* Translators: "“Debian” can move to QEMU/KVM on server, its disks copied into the storage pool “default” there." */
        text = g_strdup_printf (_("“%s” can move to %s, its disks copied into the storage pool “%s” "
                                  "there."),
                                piso_machine_get_display_name (self->machine),
                                piso_connection_get_display_name (piso_migrate_dialog_destination (self)),
                                pool);
      else
        /* Translators: "“Debian” can move to QEMU/KVM on server." */
        text = g_strdup_printf (_("“%s” can move to %s."),
                                piso_machine_get_display_name (self->machine),
                                piso_connection_get_display_name (piso_migrate_dialog_destination (self)));
      if (notice != NULL)
        {
          g_autofree char *with_notice = g_strdup_printf ("%s\n%s", text, notice);

          g_free (text);
          text = g_steal_pointer (&with_notice);
        }
      piso_migrate_dialog_set_check (self, text, FALSE);
    }
  else if (piso_migration_get_needs_storage (migration) &&
           piso_migration_get_storage_pool (migration) == NULL &&
           piso_migration_get_storage_pools (migration) != NULL &&
           piso_migration_get_storage_pools (migration)[0] != NULL)
    {
      /* offer the destination's pools, "default" first if there is one,
       * and check again with it */
      const char * const *names = piso_migration_get_storage_pools (migration);
      guint chosen = 0;

      g_signal_handlers_block_by_func (self->pool_row, piso_migrate_dialog_pool_selected_cb, self);
      gtk_string_list_splice (self->pools, 0, g_list_model_get_n_items (G_LIST_MODEL (self->pools)),
                              names);
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "default"))
          chosen = i;
      adw_combo_row_set_selected (self->pool_row, chosen);
      g_signal_handlers_unblock_by_func (self->pool_row, piso_migrate_dialog_pool_selected_cb, self);
      gtk_widget_set_visible (GTK_WIDGET (self->pool_row), TRUE);
      piso_migration_set_storage_pool (migration, names[chosen]);
      piso_migrate_dialog_check (self);
      return;
    }
  else
    piso_migrate_dialog_set_check (self, error->message, TRUE);
  piso_migrate_dialog_update (self);
}

static void
piso_migrate_dialog_check (PisoMigrateDialog *self)
{
  PisoConnection *destination = adw_combo_row_get_selected_item (self->destination_row);
  g_autofree char *text = NULL;

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_passed = FALSE;
  if (destination == NULL)
    {
      g_clear_object (&self->migration);
      /* Translators: %s is a machine's name */
      text = g_strdup_printf (_("No other host is connected. Connect to the host “%s” should move "
                                "to (Add Connection… in the main menu), then choose it here."),
                              piso_machine_get_display_name (self->machine));
      piso_migrate_dialog_set_check (self, text, FALSE);
      piso_migrate_dialog_update (self);
      return;
    }

  if (piso_migrate_dialog_destination (self) != destination)
    {
      g_clear_object (&self->migration);
      self->migration = piso_migration_new (self->machine, destination);
      gtk_widget_set_visible (GTK_WIDGET (self->pool_row), FALSE);
    }
  /* Translators: "Checking whether “Debian” can move to QEMU/KVM on server…" */
  text = g_strdup_printf (_("Checking whether “%s” can move to %s…"),
                          piso_machine_get_display_name (self->machine),
                          piso_connection_get_display_name (destination));
  piso_migrate_dialog_set_check (self, text, FALSE);
  piso_migrate_dialog_update (self);
  self->check_cancellable = g_cancellable_new ();
  piso_migration_check_async (self->migration, self->check_cancellable,
                              piso_migrate_dialog_checked_cb, g_object_ref (self));
}

static void
piso_migrate_dialog_pool_selected_cb (PisoMigrateDialog *self)
{
  GtkStringObject *pool = adw_combo_row_get_selected_item (self->pool_row);

  if (self->migration == NULL || pool == NULL || piso_operation_dialog_get_running (BASE (self)))
    return;
  piso_migration_set_storage_pool (self->migration, gtk_string_object_get_string (pool));
  piso_migrate_dialog_check (self);
}

static void
piso_migrate_dialog_selected_cb (PisoMigrateDialog *self)
{
  if (!piso_operation_dialog_get_running (BASE (self)))
    piso_migrate_dialog_check (self);
}

/* The other connected hosts, kept up to date; the choice is kept when it
 * is still there. */
static void
piso_migrate_dialog_fill (PisoMigrateDialog *self)
{
  PisoConnection *chosen = adw_combo_row_get_selected_item (self->destination_row);
  g_autoptr(PisoConnection) keep = chosen != NULL ? g_object_ref (chosen) : NULL;
  guint n = g_list_model_get_n_items (self->connections);
  guint position = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched, i), self);
  g_ptr_array_set_size (self->watched, 0);

  g_signal_handlers_block_by_func (self->destination_row, piso_migrate_dialog_selected_cb, self);
  g_list_store_remove_all (self->destinations);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PisoConnection) connection = g_list_model_get_item (self->connections, i);

      if (connection == self->source)
        continue;
      g_signal_connect_object (connection, "notify::state", G_CALLBACK (piso_migrate_dialog_fill),
                               self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->watched, g_object_ref (connection));
      if (piso_connection_get_state (connection) != PISO_CONNECTION_STATE_CONNECTED)
        continue;
      if (connection == keep)
        position = g_list_model_get_n_items (G_LIST_MODEL (self->destinations));
      g_list_store_append (self->destinations, connection);
    }
  if (position != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->destination_row, position);
  g_signal_handlers_unblock_by_func (self->destination_row, piso_migrate_dialog_selected_cb, self);

  if (!piso_operation_dialog_get_running (BASE (self)) &&
      adw_combo_row_get_selected_item (self->destination_row) != keep)
    piso_migrate_dialog_check (self);
  piso_migrate_dialog_update (self);
}

static void
piso_migrate_dialog_state_cb (PisoMigrateDialog *self)
{
  gboolean active = piso_migrate_dialog_machine_active (self);

  /* running or not decides the checks (devices, disks) and the way, and
   * which disks are copied (a shut-off machine's that the destination
   * sees stay): the pool is asked for again */
  if (piso_operation_dialog_get_running (BASE (self)))
    return;
  if (active != self->was_active && self->migration != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->pool_row), FALSE);
      piso_migration_set_storage_pool (self->migration, NULL);
    }
  self->was_active = active;
  piso_migrate_dialog_check (self);
}

/* Moving */

static void
piso_migrate_dialog_progress_cb (PisoMigrateDialog *self)
{
  piso_operation_dialog_set_transfer (BASE (self), piso_migration_get_bytes_done (self->migration),
                                      piso_migration_get_bytes_total (self->migration),
                                      piso_migration_get_seconds_left (self->migration));
}

static void
piso_migrate_dialog_run_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(PisoMigrateDialog) self = user_data;
  PisoMigration *migration = PISO_MIGRATION (object);
  PisoConnection *destination = piso_migration_get_destination (migration);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GtkWidget *parent;
  GtkRoot *root;

  g_signal_handlers_disconnect_by_func (migration, piso_migrate_dialog_progress_cb, self);
  if (!piso_migration_run_finish (migration, result, &error))
    {
      g_autofree char *cancelled = NULL;

      if (piso_operation_dialog_get_closed (BASE (self)))
        return;
      /* Translators: %s is a machine's name */
      cancelled = g_strdup_printf (_("The move was cancelled: “%s” stays where it was."),
                                   piso_machine_get_display_name (self->machine));
      piso_operation_dialog_fail (BASE (self), error, cancelled, GTK_WIDGET (self->destination_row));
      piso_migrate_dialog_check (self);
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;

  /* Translators: "Moved “Debian” to QEMU/KVM on server" */
  message = g_strdup_printf (_("Moved “%s” to %s"), piso_machine_get_display_name (self->machine),
                             piso_connection_get_display_name (destination));
  /* Shown on its new host once that host's events list it (often later
   * than the move's end) */
  parent = piso_operation_dialog_get_parent (BASE (self));
  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  if (PISO_IS_WINDOW (root))
    piso_window_show_machine_when_listed (PISO_WINDOW (root), destination,
                                          piso_machine_get_uuid (self->machine));
  piso_operation_dialog_succeed (BASE (self), message, NULL, NULL);
}

static void
piso_migrate_dialog_move_cb (PisoMigrateDialog *self)
{
  g_autofree char *status = NULL;
  GCancellable *cancellable;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->move_button)) || self->migration == NULL)
    return;

  piso_migration_set_temporary (self->migration, piso_migrate_dialog_machine_active (self) &&
                                                 gtk_switch_get_active (self->temporary_switch));
  if (!gtk_widget_get_visible (GTK_WIDGET (self->pool_row)))
    piso_migration_set_storage_pool (self->migration, NULL);
  /* Translators: "Moving “Debian” to QEMU/KVM on server…" */
  status = g_strdup_printf (_("Moving “%s” to %s…"), piso_machine_get_display_name (self->machine),
                            piso_connection_get_display_name (piso_migrate_dialog_destination (self)));
  cancellable = piso_operation_dialog_start (BASE (self), status);
  g_signal_connect_swapped (self->migration, "notify::bytes-done",
                            G_CALLBACK (piso_migrate_dialog_progress_cb), self);
  g_signal_connect_swapped (self->migration, "notify::bytes-total",
                            G_CALLBACK (piso_migrate_dialog_progress_cb), self);
  piso_migration_run_async (self->migration, cancellable, piso_migrate_dialog_run_cb,
                            g_object_ref (self));
}

static void
piso_migrate_dialog_dispose (GObject *object)
{
  PisoMigrateDialog *self = (PisoMigrateDialog *)object;

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  if (self->watched != NULL)
    for (guint i = 0; i < self->watched->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched, i), self);
  if (self->migration != NULL)
    g_signal_handlers_disconnect_by_data (self->migration, self);
  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_data (self->machine, self);
  if (self->connections != NULL)
    g_signal_handlers_disconnect_by_data (self->connections, self);

  G_OBJECT_CLASS (piso_migrate_dialog_parent_class)->dispose (object);
}

static void
piso_migrate_dialog_finalize (GObject *object)
{
  PisoMigrateDialog *self = (PisoMigrateDialog *)object;

  g_clear_object (&self->migration);
  g_clear_object (&self->destinations);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  g_clear_object (&self->connections);
  g_clear_object (&self->source);
  g_clear_object (&self->machine);

  G_OBJECT_CLASS (piso_migrate_dialog_parent_class)->finalize (object);
}

static void
piso_migrate_dialog_class_init (PisoMigrateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoOperationDialogClass *operation_class = PISO_OPERATION_DIALOG_CLASS (klass);

  object_class->dispose = piso_migrate_dialog_dispose;
  object_class->finalize = piso_migrate_dialog_finalize;
  operation_class->update = (void (*) (PisoOperationDialog *)) piso_migrate_dialog_update;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pisovm/Piso/ui/piso-migrate-dialog.ui");
  piso_operation_dialog_class_bind_template (widget_class);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, check_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, destination_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, move_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, pool_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, pools);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, temporary_row);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, temporary_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoMigrateDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, piso_migrate_dialog_move_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_migrate_dialog_pool_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_migrate_dialog_selected_cb);
}

static void
piso_migrate_dialog_init (PisoMigrateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->destinations = g_list_store_new (PISO_TYPE_CONNECTION);
}

PisoMigrateDialog *
piso_migrate_dialog_new (PisoMachine *machine,
                         GListModel  *connections,
                         GtkWidget   *parent)
{
  PisoMigrateDialog *self;
  g_autofree char *title = NULL;
  g_autoptr(GtkExpression) name = NULL;

  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (connections), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);

  self = g_object_new (PISO_TYPE_MIGRATE_DIALOG, NULL);
  self->machine = g_object_ref (machine);
  self->was_active = piso_migrate_dialog_machine_active (self);
  self->source = g_object_ref (piso_machine_get_connection (machine));
  self->connections = g_object_ref (connections);
  piso_operation_dialog_set_parent (BASE (self), parent);

  /* Translators: %s is a machine's name */
  title = g_strdup_printf (_("Move “%s” to Another Host"), piso_machine_get_display_name (machine));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  name = gtk_property_expression_new (PISO_TYPE_CONNECTION, NULL, "display-name");
  adw_combo_row_set_expression (self->destination_row, name);
  adw_combo_row_set_model (self->destination_row, G_LIST_MODEL (self->destinations));
  piso_combo_row_show_whole_value (self->destination_row);
  piso_combo_row_show_whole_value (self->pool_row);
  g_signal_connect_object (connections, "items-changed", G_CALLBACK (piso_migrate_dialog_fill),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (machine, "notify::state", G_CALLBACK (piso_migrate_dialog_state_cb),
                           self, G_CONNECT_SWAPPED);
  piso_migrate_dialog_fill (self);
  if (self->migration == NULL)
    piso_migrate_dialog_check (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->destination_row));
  return self;
}

PisoMigration *
piso_migrate_dialog_get_migration (PisoMigrateDialog *self)
{
  g_return_val_if_fail (PISO_IS_MIGRATE_DIALOG (self), NULL);

  return self->migration;
}
