/* piso-import-dialog.c: checks a bundle, shows what it makes, then imports it
 *
 * The work is the backend's: PisoExportBundle checks every file and the
 * host, PisoImporter uploads the disks through libvirt and defines the
 * machine, removing what it made on failure or cancel. The dialog shows
 * them and sets the name and pool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-format.h"
#include "piso-import-dialog.h"
#include "piso-machine-toast.h"
#include "piso-name-row.h"
#include "piso-window.h"

struct _PisoImportDialog
{
  AdwWindow         parent_instance;

  PisoConnection   *connection;
  PisoExportBundle *bundle;
  PisoImporter     *importer;
  PisoMachine      *machine;
  /* The widget whose window gets the toast (weak) */
  GtkWidget        *parent;
  /* Set while the bundle is checked or imported */
  GCancellable     *cancellable;
  gboolean          ready;
  gboolean          blocking;
  /* Disposed: a late answer has nothing to show */
  gboolean          closed;

  /* Template children */
  GtkLabel         *amount_label;
  GtkLabel         *blockers_label;
  GtkButton        *cancel_button;
  AdwActionRow     *disks_row;
  GtkLabel         *failure_label;
  AdwActionRow     *firmware_row;
  GtkButton        *import_button;
  GtkLabel         *name_error_label;
  AdwEntryRow      *name_row;
  GtkLabel         *notes_label;
  AdwComboRow      *pool_row;
  GtkStringList    *pools;
  GtkProgressBar   *progress_bar;
  AdwActionRow     *network_row;
  AdwStatusPage    *refused_page;
  AdwActionRow     *resources_row;
  GtkStack         *stack;
  GtkLabel         *status_label;
  GtkLabel         *warnings_label;
  AdwWindowTitle   *window_title;
};

G_DEFINE_FINAL_TYPE (PisoImportDialog, piso_import_dialog, ADW_TYPE_WINDOW)

static void
piso_import_dialog_update (PisoImportDialog *self)
{
  gboolean name_ok = self->ready &&
                     piso_name_row_check (self->name_row, self->name_error_label, self->connection);
  gboolean pool_ok = adw_combo_row_get_selected (self->pool_row) != GTK_INVALID_LIST_POSITION;

  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button),
                            name_ok && pool_ok && !self->blocking && self->cancellable == NULL);
}

/* A label showing @lines (hidden when there are none) */
static void
piso_import_dialog_set_lines (GtkLabel           *label,
                              const char * const *lines)
{
  g_autofree char *text = lines != NULL ? g_strjoinv ("\n", (GStrv) lines) : g_strdup ("");

  gtk_label_set_label (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), text[0] != '\0');
}

static void
piso_import_dialog_show_progress (PisoImportDialog *self,
                                  const char       *status)
{
  gtk_label_set_label (self->status_label, status);
  gtk_label_set_label (self->amount_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  piso_a11y_announce (GTK_WIDGET (self->status_label), status);
}

static void
piso_import_dialog_progress (PisoImportDialog *self,
                             guint64           done,
                             guint64           total)
{
  g_autofree char *amount = NULL;

  if (total == 0)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) done / (double) total));
  amount = piso_format_transfer (done, total, -1);
  gtk_label_set_label (self->amount_label, amount);
}

static void
piso_import_dialog_check_progress_cb (PisoImportDialog *self)
{
  piso_import_dialog_progress (self, piso_export_bundle_get_bytes_done (self->bundle),
                               piso_export_bundle_get_bytes_total (self->bundle));
}

static void
piso_import_dialog_import_progress_cb (PisoImportDialog *self)
{
  piso_import_dialog_progress (self, piso_importer_get_bytes_done (self->importer),
                               piso_importer_get_bytes_total (self->importer));
}

static void
piso_import_dialog_refuse (PisoImportDialog *self,
                           const char       *message)
{
  g_clear_object (&self->cancellable);
  adw_status_page_set_description (self->refused_page, message);
  gtk_stack_set_visible_child_name (self->stack, "refused");
  gtk_button_set_label (self->cancel_button, _("_Close"));
  gtk_widget_set_visible (GTK_WIDGET (self->import_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  piso_a11y_announce (GTK_WIDGET (self->refused_page), message);
  gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
}

/* The review */

static char *
piso_import_dialog_firmware_text (PisoExportBundle *bundle)
{
  if (!piso_export_bundle_get_uefi (bundle))
    return g_strdup (_("BIOS"));
  if (piso_export_bundle_get_secure_boot (bundle))
    return g_strdup (_("UEFI with Secure Boot"));
  return g_strdup (_("UEFI"));
}

static void
piso_import_dialog_show_review (PisoImportDialog   *self,
                                const char * const *problems)
{
  PisoExportBundle *bundle = self->bundle;
  guint vcpus = piso_export_bundle_get_vcpus (bundle);
  guint n_disks = piso_export_bundle_get_n_disks (bundle);
  g_autofree char *firmware = piso_import_dialog_firmware_text (bundle);
  g_autofree char *memory = piso_format_memory_kib (piso_export_bundle_get_memory_kib (bundle));
  g_autofree char *resources = NULL;
  g_autofree char *disks = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GPtrArray) blockers = g_ptr_array_new ();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new ();

  /* Translators: %s is the name of the machine in a bundle */
  title = g_strdup_printf (_("Import “%s”"), piso_export_bundle_get_title (bundle) != NULL &&
                                             piso_export_bundle_get_title (bundle)[0] != '\0'
                                             ? piso_export_bundle_get_title (bundle)
                                             : piso_export_bundle_get_name (bundle));
  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);

  adw_action_row_set_subtitle (self->firmware_row, firmware);
  resources = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            /* Translators: %u is a number of processors, %s a size ("2 GiB") */
                                            "%u processor, %s of memory",
                                            "%u processors, %s of memory", vcpus),
                               vcpus, memory);
  adw_action_row_set_subtitle (self->resources_row, resources);
  if (n_disks == 0)
    disks = g_strdup (_("None"));
  else
    {
      g_autofree char *size = piso_format_bytes (piso_export_bundle_get_disks_size (bundle));

      disks = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            /* Translators: %u is a number of disks, %s a size ("20 GiB") */
                                            "%u disk, up to %s in the pool",
                                            "%u disks, up to %s in the pool", n_disks),
                               n_disks, size);
    }
  adw_action_row_set_subtitle (self->disks_row, disks);

  /* Where its network cards go: the same virtual network here (the host
   * check says when this host has none of that name) */
  {
    g_auto(GStrv) networks = piso_export_bundle_dup_networks (bundle);
    g_autoptr(GString) text = g_string_new (NULL);

    for (guint i = 0; networks[i] != NULL; i++)
      {
        if (i > 0)
          g_string_append (text, ", ");
        /* Translators: %s is a virtual network's name */
        g_string_append_printf (text, _("“%s”"), networks[i]);
      }
    adw_action_row_set_subtitle (self->network_row, text->len > 0 ? text->str : _("None"));
  }

  /* The backend tells blockers from warnings only as a whole: a blocking
   * check's problems are all shown as such. */
  for (guint i = 0; problems != NULL && problems[i] != NULL; i++)
    g_ptr_array_add (self->blocking ? blockers : warnings, (gpointer) problems[i]);
  if (blockers->len > 0)
    g_ptr_array_insert (blockers, 0, _("It cannot be imported into this host:"));
  g_ptr_array_add (blockers, NULL);
  g_ptr_array_add (warnings, NULL);
  piso_import_dialog_set_lines (self->blockers_label, (const char * const *) blockers->pdata);
  piso_import_dialog_set_lines (self->warnings_label, (const char * const *) warnings->pdata);
  piso_import_dialog_set_lines (self->notes_label, piso_export_bundle_get_notes (bundle));

  self->ready = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), piso_importer_get_name (self->importer));
  gtk_stack_set_visible_child_name (self->stack, "review");
  piso_import_dialog_update (self);
  if (self->blocking)
    piso_a11y_announce (GTK_WIDGET (self->blockers_label),
                        gtk_label_get_label (self->blockers_label));
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
piso_import_dialog_check_host_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  gboolean blocking = FALSE;

  problems = piso_export_bundle_check_host_finish (PISO_EXPORT_BUNDLE (object), result,
                                                   &blocking, &error);
  if (self->closed)
    return;
  g_clear_object (&self->cancellable);
  if (problems == NULL)
    {
      piso_import_dialog_refuse (self, error->message);
      return;
    }
  self->blocking = blocking;
  piso_importer_set_emulated (self->importer, piso_export_bundle_get_runs_emulated (self->bundle));
  piso_import_dialog_show_review (self, (const char * const *) problems);
}

static void
piso_import_dialog_sources_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pools = NULL;
  guint selected = GTK_INVALID_LIST_POSITION;

  if (!piso_connection_list_device_sources_finish (PISO_CONNECTION (object), result, &pools,
                                                   NULL, NULL, &error))
    {
      if (!self->closed)
        piso_import_dialog_refuse (self, error->message);
      return;
    }
  if (self->closed)
    return;

  for (guint i = 0; pools[i] != NULL; i++)
    {
      gtk_string_list_append (self->pools, pools[i]);
      if (g_strcmp0 (pools[i], piso_importer_get_pool (self->importer)) == 0 ||
          selected == GTK_INVALID_LIST_POSITION)
        selected = i;
    }
  adw_combo_row_set_selected (self->pool_row, selected);
  piso_export_bundle_check_host_async (self->bundle, self->connection, self->cancellable,
                                       piso_import_dialog_check_host_cb, g_object_ref (self));
}

static void
piso_import_dialog_load_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_func (object, piso_import_dialog_check_progress_cb, self);
  if (!piso_export_bundle_load_finish (PISO_EXPORT_BUNDLE (object), result, &error))
    {
      if (!self->closed)
        piso_import_dialog_refuse (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                         ? _("The check was cancelled.") : error->message);
      return;
    }
  if (self->closed)
    return;

  self->importer = piso_importer_new (self->bundle, self->connection);
  piso_connection_list_device_sources_async (self->connection, self->cancellable,
                                             piso_import_dialog_sources_cb, g_object_ref (self));
}

/* The import */

static void
piso_import_dialog_run_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  PisoMachine *machine;

  g_signal_handlers_disconnect_by_func (self->importer, piso_import_dialog_import_progress_cb, self);
  machine = piso_importer_run_finish (PISO_IMPORTER (object), result, &error);
  if (self->closed)
    {
      g_clear_object (&machine);
      return;
    }
  g_clear_object (&self->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);

  if (machine == NULL)
    {
      const char *message = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            ? _("The import was cancelled. Nothing it made was kept.")
                            : error->message;

      gtk_label_set_label (self->failure_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->failure_label), TRUE);
      gtk_stack_set_visible_child_name (self->stack, "review");
      piso_import_dialog_update (self);
      piso_a11y_announce (GTK_WIDGET (self->failure_label), message);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  self->machine = machine;
  if (self->parent != NULL)
    {
      GtkRoot *root = gtk_widget_get_root (self->parent);
      /* Translators: %s is the new machine's name */
      g_autofree char *message = g_strdup_printf (_("Imported “%s”"), piso_machine_get_name (machine));

      piso_machine_toast (self->parent, message);
      if (PISO_IS_WINDOW (root))
        piso_window_show_machine (PISO_WINDOW (root), machine);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
piso_import_dialog_import_cb (PisoImportDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *status = NULL;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->import_button)))
    return;

  piso_importer_set_name (self->importer, name);
  piso_importer_set_pool (self->importer,
                          gtk_string_list_get_string (self->pools,
                                                      adw_combo_row_get_selected (self->pool_row)));
  gtk_widget_set_visible (GTK_WIDGET (self->failure_label), FALSE);
  self->cancellable = g_cancellable_new ();
  piso_import_dialog_update (self);
  /* Translators: %s is the new machine's name */
  status = g_strdup_printf (_("Importing “%s”…"), name);
  piso_import_dialog_show_progress (self, status);
  g_signal_connect_swapped (self->importer, "notify::bytes-done",
                            G_CALLBACK (piso_import_dialog_import_progress_cb), self);
  gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  piso_importer_run_async (self->importer, self->cancellable, piso_import_dialog_run_cb,
                           g_object_ref (self));
}

/* Cancel (and Escape, and the window's close) */

static void
piso_import_dialog_cancel_cb (PisoImportDialog *self)
{
  if (self->cancellable != NULL)
    {
      /* The importer removes what it made, then the dialog says so. */
      g_cancellable_cancel (self->cancellable);
      gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
      gtk_label_set_label (self->status_label, _("Cancelling…"));
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
piso_import_dialog_close_request (GtkWindow *window)
{
  PisoImportDialog *self = PISO_IMPORT_DIALOG (window);

  if (self->cancellable == NULL)
    return GTK_WINDOW_CLASS (piso_import_dialog_parent_class)->close_request (window);
  piso_import_dialog_cancel_cb (self);
  return TRUE;
}

static void
piso_import_dialog_name_changed_cb (PisoImportDialog *self)
{
  piso_import_dialog_update (self);
}

static void
piso_import_dialog_dispose (GObject *object)
{
  PisoImportDialog *self = (PisoImportDialog *)object;

  self->closed = TRUE;
  if (self->importer != NULL)
    g_signal_handlers_disconnect_by_data (self->importer, self);
  if (self->bundle != NULL)
    g_signal_handlers_disconnect_by_data (self->bundle, self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->parent);

  G_OBJECT_CLASS (piso_import_dialog_parent_class)->dispose (object);
}

static void
piso_import_dialog_finalize (GObject *object)
{
  PisoImportDialog *self = (PisoImportDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->importer);
  g_clear_object (&self->bundle);
  g_clear_object (&self->connection);
  g_clear_object (&self->machine);

  G_OBJECT_CLASS (piso_import_dialog_parent_class)->finalize (object);
}

static void
piso_import_dialog_class_init (PisoImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = piso_import_dialog_dispose;
  object_class->finalize = piso_import_dialog_finalize;
  window_class->close_request = piso_import_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pisovm/Piso/ui/piso-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, amount_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, blockers_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, disks_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, failure_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, name_error_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, network_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, notes_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, pool_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, pools);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, refused_page);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, resources_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, warnings_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_import_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_name_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
piso_import_dialog_init (PisoImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PisoImportDialog *
piso_import_dialog_new (PisoConnection *connection,
                        GFile          *folder,
                        GtkWidget      *parent)
{
  PisoImportDialog *self;
  g_autofree char *path = NULL;
  GtkRoot *root;

  g_return_val_if_fail (PISO_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);

  self = g_object_new (PISO_TYPE_IMPORT_DIALOG, NULL);
  self->connection = g_object_ref (connection);
  g_set_weak_pointer (&self->parent, parent);
  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));
  gtk_window_set_title (GTK_WINDOW (self), _("Import Machine"));

  path = g_file_get_path (folder);
  if (path == NULL)
    {
      piso_import_dialog_refuse (self, _("Piso can only import a bundle from a folder of this computer."));
      return self;
    }
  self->bundle = piso_export_bundle_new (path);
  self->cancellable = g_cancellable_new ();
  /* Every file is read and checked before anything is made. */
  piso_import_dialog_show_progress (self, _("Checking the bundle’s files…"));
  g_signal_connect_swapped (self->bundle, "notify::bytes-done",
                            G_CALLBACK (piso_import_dialog_check_progress_cb), self);
  piso_export_bundle_load_async (self->bundle, self->cancellable, piso_import_dialog_load_cb,
                                 g_object_ref (self));
  return self;
}

gboolean
piso_import_dialog_get_ready (PisoImportDialog *self)
{
  g_return_val_if_fail (PISO_IS_IMPORT_DIALOG (self), FALSE);

  return self->ready;
}

PisoMachine *
piso_import_dialog_get_machine (PisoImportDialog *self)
{
  g_return_val_if_fail (PISO_IS_IMPORT_DIALOG (self), NULL);

  return self->machine;
}
