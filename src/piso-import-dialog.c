/* piso-import-dialog.c: checks a bundle, shows what it makes, then imports it
 *
 * The work is the backend's: PisoExportBundle checks every file and the
 * host, PisoImporter uploads the disks through libvirt and defines the
 * machine, removing what it made on failure or cancel. The dialog shows
 * them and sets the name and pool. An appliance (OVA, OVF) takes the same
 * review with its own steps (piso-import-dialog-appliance.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-combo-row.h"
#include "piso-format.h"
#include "piso-import-dialog-private.h"
#include "piso-name-row.h"

G_DEFINE_FINAL_TYPE (PisoImportDialog, piso_import_dialog, PISO_TYPE_OPERATION_DIALOG)

#define BASE(self) PISO_IMPORT_DIALOG_BASE (self)

/* A network card whose network is not mapped blocks the import: which,
 * and what to do */
static gboolean
piso_import_dialog_update_networks (PisoImportDialog *self)
{
  g_auto(GStrv) unmapped = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->importer == NULL)
    return FALSE;
  unmapped = piso_importer_dup_unmapped_networks (self->importer);
  for (guint i = 0; unmapped[i] != NULL; i++)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: %s is a virtual network's name, "default" */
      g_string_append_printf (text, _("This host has no virtual network “%s”, which the machine’s "
                                      "network cards were on: choose one of this host’s networks "
                                      "for them below, or user-mode networking."), unmapped[i]);
    }
  gtk_label_set_label (self->network_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->network_label), text->len > 0);
  return unmapped[0] == NULL;
}

/* A new identity, or the one it had (refused while a machine here has it) */
static gboolean
piso_import_dialog_update_identity (PisoImportDialog *self)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = self->importer == NULL || piso_importer_check_move (self->importer, &error);

  if (error != NULL)
    gtk_label_set_label (self->identity_label, error->message);
  else if (self->importer != NULL && piso_importer_get_move (self->importer))
    gtk_label_set_label (self->identity_label,
                         _("The machine keeps the identity it had (UUID and network addresses), as "
                           "when it moves to this host: do not run it beside the original."));
  else
    gtk_label_set_label (self->identity_label,
                         _("The new machine gets its own identity (UUID and network addresses), so "
                           "that it can run beside the original."));
  if (ok)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->identity_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->identity_label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->identity_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->identity_label), "error");
    }
  return ok;
}

void
_piso_import_dialog_update (PisoImportDialog *self)
{
  gboolean name_ok = self->ready &&
                     piso_name_row_check (self->name_entry, self->name_error_label, self->connection);
  gboolean rest_ok;

  /* An appliance goes into the pool the creator picks, a new machine */
  if (self->appliance != NULL)
    rest_ok = _piso_import_dialog_appliance_can_import (self);
  else
    {
      gboolean pool_ok = adw_combo_row_get_selected (self->pool_row) != GTK_INVALID_LIST_POSITION;
      gboolean networks_ok = piso_import_dialog_update_networks (self);
      gboolean identity_ok = piso_import_dialog_update_identity (self);

      rest_ok = pool_ok && networks_ok && identity_ok;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button),
                            name_ok && rest_ok && !self->blocking &&
                            !piso_operation_dialog_get_running (BASE (self)));
}

/* A label showing @lines (hidden when there are none) */
void
_piso_import_dialog_set_lines (GtkLabel           *label,
                              const char * const *lines)
{
  g_autofree char *text = lines != NULL ? g_strjoinv ("\n", (GStrv) lines) : g_strdup ("");

  gtk_label_set_label (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), text[0] != '\0');
}

static void
piso_import_dialog_check_progress_cb (PisoImportDialog *self)
{
  piso_operation_dialog_set_transfer (BASE (self), piso_export_bundle_get_bytes_done (self->bundle),
                                      piso_export_bundle_get_bytes_total (self->bundle), -1);
}

static void
piso_import_dialog_import_progress_cb (PisoImportDialog *self)
{
  piso_operation_dialog_set_transfer (BASE (self), piso_importer_get_bytes_done (self->importer),
                                      piso_importer_get_bytes_total (self->importer), -1);
}

void
_piso_import_dialog_refuse (PisoImportDialog *self,
                           const char       *message)
{
  piso_operation_dialog_stop (BASE (self));
  adw_status_page_set_description (self->refused_page, message);
  gtk_stack_set_visible_child_name (piso_operation_dialog_get_stack (BASE (self)), "refused");
  piso_a11y_set_button_label (piso_operation_dialog_get_cancel_button (BASE (self)), _("_Close"));
  gtk_widget_set_visible (GTK_WIDGET (self->import_button), FALSE);
  piso_a11y_announce (GTK_WIDGET (self->refused_page), message);
  gtk_widget_grab_focus (GTK_WIDGET (piso_operation_dialog_get_cancel_button (BASE (self))));
}

/* The review */

void
_piso_import_dialog_fill_pools (PisoImportDialog   *self,
                                const char * const *pools,
                                const char         *preferred)
{
  guint selected = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; pools[i] != NULL; i++)
    {
      gtk_string_list_append (self->pools, pools[i]);
      if (g_strcmp0 (pools[i], preferred) == 0 || selected == GTK_INVALID_LIST_POSITION)
        selected = i;
    }
  adw_combo_row_set_selected (self->pool_row, selected);
}

/* What happens once imported, in words that match the switch */
static void
piso_import_dialog_update_start (PisoImportDialog *self)
{
  adw_action_row_set_subtitle (self->start_row,
                               gtk_switch_get_active (self->start_switch)
                               ? _("The machine starts as soon as it is imported.")
                               : _("The machine stays shut off once imported: start it when you "
                                   "are ready."));
}

void
_piso_import_dialog_set_problems (PisoImportDialog *self,
                                  GPtrArray        *blockers,
                                  GPtrArray        *warnings)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();

  if (blockers->len > 0)
    g_ptr_array_add (lines, _("It cannot be imported into this host:"));
  g_ptr_array_extend (lines, blockers, NULL, NULL);
  g_ptr_array_add (lines, NULL);
  _piso_import_dialog_set_lines (self->blockers_label, (const char * const *) lines->pdata);
  g_ptr_array_set_size (lines, 0);
  g_ptr_array_extend (lines, warnings, NULL, NULL);
  g_ptr_array_add (lines, NULL);
  _piso_import_dialog_set_lines (self->warnings_label, (const char * const *) lines->pdata);
}

void
_piso_import_dialog_show_review_page (PisoImportDialog *self,
                                      const char       *machine_name,
                                      const char       *name)
{
  /* Translators: %s is the name of the machine in a bundle or an appliance */
  g_autofree char *title = g_strdup_printf (_("Import “%s”"), machine_name);

  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  self->ready = TRUE;
  piso_import_dialog_update_start (self);
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  gtk_stack_set_visible_child_name (piso_operation_dialog_get_stack (BASE (self)), "review");
  _piso_import_dialog_update (self);
  if (self->blocking)
    piso_a11y_announce (GTK_WIDGET (self->blockers_label),
                        gtk_label_get_label (self->blockers_label));
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

char *
_piso_import_dialog_resources_text (guint   vcpus,
                                    guint64 memory_kib)
{
  g_autofree char *memory = piso_format_memory_kib (memory_kib);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of processors, %s a size ("2 GiB") */
                                       "%u processor, %s of memory",
                                       "%u processors, %s of memory", vcpus),
                          vcpus, memory);
}

static char *
piso_import_dialog_firmware_text (PisoExportBundle *bundle)
{
  if (!piso_export_bundle_get_uefi (bundle))
    return g_strdup (_("BIOS"));
  if (piso_export_bundle_get_secure_boot (bundle))
    return g_strdup (_("UEFI with Secure Boot"));
  return g_strdup (_("UEFI"));
}

#define NETWORK_KEY "piso-import-network"

static void
piso_import_dialog_network_chosen_cb (PisoImportDialog *self,
                                      GParamSpec       *pspec,
                                      AdwComboRow      *row)
{
  const char *network = g_object_get_data (G_OBJECT (row), NETWORK_KEY);
  guint selected = adw_combo_row_get_selected (row);
  guint n_host = g_strv_length (self->host_networks);

  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), NULL);
  /* The last choice is user-mode networking. */
  piso_importer_map_network (self->importer, network,
                             selected < n_host ? self->host_networks[selected] : NULL);
  _piso_import_dialog_update (self);
}

/* A row choosing where the cards that were on @network go: one of this
 * host's networks (the same name when it has it), or user-mode networking */
static GtkWidget *
piso_import_dialog_network_row (PisoImportDialog *self,
                                const char       *network)
{
  g_autoptr(GtkStringList) choices = gtk_string_list_new ((const char * const *) self->host_networks);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *target = NULL;
  guint selected;
  GtkWidget *row = adw_combo_row_new ();

  gtk_string_list_append (choices, _("User-mode networking"));
  /* A network this host does not have: the cards get the choice that
   * always works, user-mode networking, and the row says so (a row with
   * nothing chosen cannot be shown on every libadwaita: 1.7 selects its
   * first choice, which the user then cannot choose) */
  if (!piso_importer_lookup_network (self->importer, network, &target))
    {
      piso_importer_map_network (self->importer, network, NULL);
      /* Translators: %s is a virtual network's name, "default" */
      subtitle = g_strdup_printf (_("This host has no network “%s”: user-mode networking, which "
                                    "reaches outside but not other machines, unless you choose "
                                    "another"), network);
      target = NULL;
    }
  selected = g_strv_length (self->host_networks);
  for (guint i = 0; target != NULL && self->host_networks[i] != NULL; i++)
    if (g_strcmp0 (self->host_networks[i], target) == 0)
      selected = i;
  /* Translators: %s is the virtual network the machine's network cards were on */
  title = g_strdup_printf (_("Network cards that were on “%s”"), network);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data_full (G_OBJECT (row), NETWORK_KEY, g_strdup (network), g_free);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (choices));
  piso_combo_row_show_whole_value (ADW_COMBO_ROW (row));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (piso_import_dialog_network_chosen_cb),
                           self, G_CONNECT_SWAPPED);
  return row;
}

static void
piso_import_dialog_show_review (PisoImportDialog   *self,
                                const char * const *problems)
{
  PisoExportBundle *bundle = self->bundle;
  guint vcpus = piso_export_bundle_get_vcpus (bundle);
  guint n_disks = piso_export_bundle_get_n_disks (bundle);
  g_autofree char *firmware = piso_import_dialog_firmware_text (bundle);
  g_autofree char *resources = _piso_import_dialog_resources_text (vcpus,
                                                                   piso_export_bundle_get_memory_kib (bundle));
  g_autofree char *disks = NULL;
  const char *title = piso_export_bundle_get_title (bundle);
  g_autoptr(GPtrArray) blockers = g_ptr_array_new ();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new ();

  adw_action_row_set_subtitle (self->firmware_row, firmware);
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

  /* Where its network cards go */
  {
    g_auto(GStrv) networks = piso_export_bundle_dup_networks (bundle);

    for (guint i = 0; networks[i] != NULL; i++)
      adw_preferences_group_add (self->networks_group, piso_import_dialog_network_row (self, networks[i]));
    gtk_widget_set_visible (GTK_WIDGET (self->networks_group), networks[0] != NULL);
  }

  /* The backend tells blockers from warnings only as a whole: a blocking
   * check's problems are all shown as such. */
  for (guint i = 0; problems != NULL && problems[i] != NULL; i++)
    g_ptr_array_add (self->blocking ? blockers : warnings, (gpointer) problems[i]);
  if (self->no_pool_reason != NULL)
    {
      g_ptr_array_add (blockers, self->no_pool_reason);
      self->blocking = TRUE;
    }
  _piso_import_dialog_set_problems (self, blockers, warnings);
  _piso_import_dialog_set_lines (self->notes_label, piso_export_bundle_get_notes (bundle));

  /* Only a bundle that holds the machine's identity can move it */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->move_row)),
                          piso_importer_get_can_move (self->importer));

  _piso_import_dialog_show_review_page (self, title != NULL && title[0] != '\0'
                                              ? title : piso_export_bundle_get_name (bundle),
                                        piso_importer_get_name (self->importer));
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
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  piso_operation_dialog_stop (BASE (self));
  if (problems == NULL)
    {
      _piso_import_dialog_refuse (self, error->message);
      return;
    }
  self->blocking = blocking;
  piso_importer_map_networks_by_name (self->importer, (const char * const *) self->host_networks);
  piso_importer_set_emulated (self->importer, piso_export_bundle_get_runs_emulated (self->bundle));
  piso_import_dialog_show_review (self, (const char * const *) problems);
}

/* Why the disks have no pool to go to, and what to do, when none of this
 * host's pools runs (@stopped: those that do not) */
static char *
piso_import_dialog_no_pool_text (const char * const *stopped)
{
  g_autofree char *names = NULL;

  if (stopped[0] == NULL)
    return g_strdup (_("This host has no storage pool for the disks: create one and start it (with "
                       "virt-manager, or “virsh pool-define-as” and “virsh pool-start”), then import "
                       "again."));
  names = g_strjoinv (", ", (GStrv) stopped);
  /* Translators: the first %s lists the stopped pools ("default, tiny"), the second is the first of them */
  return g_strdup_printf (_("None of this host’s storage pools is running (%s): start the one for the "
                            "disks, for example with “virsh pool-start %s”, then import again."),
                          names, stopped[0]);
}

static void
piso_import_dialog_sources_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pools = NULL;
  g_auto(GStrv) stopped_pools = NULL;
  g_auto(GStrv) networks = NULL;

  if (!piso_connection_list_device_sources_finish (PISO_CONNECTION (object), result, &pools,
                                                   &stopped_pools, &networks, NULL, &error))
    {
      if (!piso_operation_dialog_get_closed (BASE (self)))
        _piso_import_dialog_refuse (self, error->message);
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;

  self->host_networks = g_steal_pointer (&networks);
  /* Only a running pool takes the uploads */
  _piso_import_dialog_fill_pools (self, (const char * const *) pools,
                                  piso_importer_get_pool (self->importer));
  if (pools[0] == NULL)
    {
      self->no_pool_reason = piso_import_dialog_no_pool_text ((const char * const *) stopped_pools);
      gtk_widget_set_sensitive (GTK_WIDGET (self->pool_row), FALSE);
    }
  piso_export_bundle_check_host_async (self->bundle, self->connection,
                                       piso_operation_dialog_get_cancellable (BASE (self)),
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
      if (!piso_operation_dialog_get_closed (BASE (self)))
        _piso_import_dialog_refuse (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                         ? _("The check was cancelled.") : error->message);
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;

  self->importer = piso_importer_new (self->bundle, self->connection);
  piso_connection_list_device_sources_async (self->connection,
                                             piso_operation_dialog_get_cancellable (BASE (self)),
                                             piso_import_dialog_sources_cb, g_object_ref (self));
}

/* The import */

GCancellable *
_piso_import_dialog_start_import (PisoImportDialog *self)
{
  /* Translators: %s is the new machine's name */
  g_autofree char *status = g_strdup_printf (_("Importing “%s”…"),
                                             gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));

  return piso_operation_dialog_start (BASE (self), status);
}

/* The imported machine was started, or could not be: it stays imported
 * either way, and the toast says which */
static void
piso_import_dialog_started_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  const char *name = piso_machine_get_name (PISO_MACHINE (object));

  if (piso_machine_start_finish (PISO_MACHINE (object), result, &error))
    /* Translators: %s is the new machine's name */
    message = g_strdup_printf (_("Imported and started “%s”"), name);
  else
    /* Translators: %s is the new machine's name, then why it did not start */
    message = g_strdup_printf (_("Imported “%s”, but it could not start: %s"), name, error->message);
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  piso_operation_dialog_succeed (BASE (self), message, self->machine, NULL);
}

void
_piso_import_dialog_finish_import (PisoImportDialog *self,
                                   PisoMachine      *machine,
                                   const GError     *error)
{
  g_autofree char *message = NULL;

  if (piso_operation_dialog_get_closed (BASE (self)))
    {
      g_clear_object (&machine);
      return;
    }
  if (machine == NULL)
    {
      /* What made it removed what it made */
      piso_operation_dialog_fail (BASE (self), error,
                                  _("The import was cancelled. Nothing it made was kept."),
                                  GTK_WIDGET (self->name_entry));
      return;
    }

  self->machine = machine;
  /* Started here for both kinds of import, as the review said */
  if (gtk_switch_get_active (self->start_switch))
    {
      /* Translators: %s is the new machine's name */
      g_autofree char *status = g_strdup_printf (_("Starting “%s”…"), piso_machine_get_name (machine));

      piso_operation_dialog_set_progress (BASE (self), -1, status);
      piso_operation_dialog_set_amount (BASE (self), 0, 0, -1);
      piso_machine_start_async (machine, NULL, piso_import_dialog_started_cb, g_object_ref (self));
      return;
    }
  /* Translators: %s is the new machine's name */
  message = g_strdup_printf (_("Imported “%s”"), piso_machine_get_name (machine));
  piso_operation_dialog_succeed (BASE (self), message, machine, NULL);
}

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
  _piso_import_dialog_finish_import (self, machine, error);
}

static void
piso_import_dialog_import_cb (PisoImportDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  GCancellable *cancellable;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->import_button)))
    return;
  if (self->appliance != NULL)
    {
      _piso_import_dialog_import_appliance (self);
      return;
    }

  piso_importer_set_name (self->importer, name);
  piso_importer_set_pool (self->importer,
                          gtk_string_list_get_string (self->pools,
                                                      adw_combo_row_get_selected (self->pool_row)));
  cancellable = _piso_import_dialog_start_import (self);
  g_signal_connect_swapped (self->importer, "notify::bytes-done",
                            G_CALLBACK (piso_import_dialog_import_progress_cb), self);
  piso_importer_run_async (self->importer, cancellable, piso_import_dialog_run_cb,
                           g_object_ref (self));
}

static void
piso_import_dialog_move_cb (PisoImportDialog *self)
{
  if (self->importer != NULL)
    piso_importer_set_move (self->importer, gtk_switch_get_active (self->move_switch));
  _piso_import_dialog_update (self);
}

static void
piso_import_dialog_start_cb (PisoImportDialog *self)
{
  piso_import_dialog_update_start (self);
}

static void
piso_import_dialog_pool_chosen_cb (PisoImportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->pool_row);

  /* An appliance's creator checks the host for the pool again */
  if (self->appliance != NULL && self->creator != NULL && selected != GTK_INVALID_LIST_POSITION)
    _piso_import_dialog_appliance_pool_chosen (self, gtk_string_list_get_string (self->pools, selected));
  _piso_import_dialog_update (self);
}

static void
piso_import_dialog_name_changed_cb (PisoImportDialog *self)
{
  _piso_import_dialog_update (self);
}

static void
piso_import_dialog_dispose (GObject *object)
{
  PisoImportDialog *self = (PisoImportDialog *)object;

  if (self->importer != NULL)
    g_signal_handlers_disconnect_by_data (self->importer, self);
  if (self->bundle != NULL)
    g_signal_handlers_disconnect_by_data (self->bundle, self);
  if (self->appliance != NULL)
    g_signal_handlers_disconnect_by_data (self->appliance, self);
  if (self->creator != NULL)
    g_signal_handlers_disconnect_by_data (self->creator, self);

  G_OBJECT_CLASS (piso_import_dialog_parent_class)->dispose (object);
}

static void
piso_import_dialog_finalize (GObject *object)
{
  PisoImportDialog *self = (PisoImportDialog *)object;

  g_clear_object (&self->importer);
  g_clear_object (&self->bundle);
  g_clear_object (&self->connection);
  g_clear_object (&self->machine);
  g_clear_object (&self->check);
  g_clear_object (&self->creator);
  g_clear_object (&self->plan);
  g_clear_object (&self->host_info);
  g_clear_object (&self->catalog);
  /* Removes the disks it converted */
  g_clear_object (&self->appliance);
  g_strfreev (self->host_networks);
  g_free (self->no_pool_reason);

  G_OBJECT_CLASS (piso_import_dialog_parent_class)->finalize (object);
}

static void
piso_import_dialog_class_init (PisoImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoOperationDialogClass *operation_class = PISO_OPERATION_DIALOG_CLASS (klass);

  object_class->dispose = piso_import_dialog_dispose;
  object_class->finalize = piso_import_dialog_finalize;
  operation_class->form_page = "review";
  operation_class->update = (void (*) (PisoOperationDialog *)) _piso_import_dialog_update;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pisovm/Piso/ui/piso-import-dialog.ui");
  piso_operation_dialog_class_bind_template (widget_class);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, blockers_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, disks_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, fixes_box);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, name_error_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, identity_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, move_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, move_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, network_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, network_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, networks_group);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, notes_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, os_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, pool_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, pools);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, refused_page);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, resources_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, start_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, warnings_label);
  gtk_widget_class_bind_template_child (widget_class, PisoImportDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_import_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_move_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_pool_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_import_dialog_start_cb);
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
  GCancellable *cancellable;

  g_return_val_if_fail (PISO_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);

  self = g_object_new (PISO_TYPE_IMPORT_DIALOG, NULL);
  self->connection = g_object_ref (connection);
  piso_operation_dialog_set_parent (BASE (self), parent);
  gtk_window_set_title (GTK_WINDOW (self), _("Import Machine"));

  path = g_file_get_path (folder);
  if (path == NULL)
    {
      _piso_import_dialog_refuse (self, _("Piso can only import a bundle from a folder of this computer."));
      return self;
    }
  if (_piso_import_dialog_is_appliance (path))
    {
      _piso_import_dialog_load_appliance (self, path);
      return self;
    }
  self->bundle = piso_export_bundle_new (path);
  /* Every file is read and checked before anything is made. */
  cancellable = piso_operation_dialog_start (BASE (self), _("Checking the bundle’s files…"));
  g_signal_connect_swapped (self->bundle, "notify::bytes-done",
                            G_CALLBACK (piso_import_dialog_check_progress_cb), self);
  piso_export_bundle_load_async (self->bundle, cancellable, piso_import_dialog_load_cb,
                                 g_object_ref (self));
  return self;
}

GFile *
piso_import_dialog_find_bundle (GSList *files)
{
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = G_IS_FILE (l->data) ? g_file_get_path (l->data) : NULL;
      g_autofree char *bundle = path != NULL ? piso_export_bundle_locate (path) : NULL;

      /* An appliance is a file of its own */
      if (bundle == NULL && path != NULL && _piso_import_dialog_is_appliance (path) &&
          g_file_test (path, G_FILE_TEST_IS_REGULAR))
        bundle = g_strdup (path);
      if (bundle != NULL)
        return g_file_new_for_path (bundle);
    }
  return NULL;
}

GtkFileFilter *
piso_import_dialog_new_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Bundles and appliances (a folder’s manifest.ini, or a .tar, "
                                      ".ova or .ovf file)"));
  gtk_file_filter_add_pattern (filter, "manifest.ini");
  gtk_file_filter_add_suffix (filter, "tar");
  gtk_file_filter_add_suffix (filter, "ova");
  gtk_file_filter_add_suffix (filter, "ovf");
  return filter;
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
