/* piso-import-dialog-appliance.c: the Import dialog's steps for an appliance
 *
 * An appliance that VirtualBox or VMware exported (an .ova, or an .ovf next
 * to its files) is read, checked against its manifest and its disks
 * converted by PisoExportAppliance, with the bytes done and Cancel. Its
 * values fill in a New Machine plan (the OS catalog and the host's facts
 * as the assistant has them), which PisoCreator checks on the host and
 * then makes, removing what it made on failure or cancel. The review shows
 * the plan (name, OS, firmware, processors and memory, disks, network),
 * what the host lacks, the fixes Import may apply when the user agrees (as
 * in the assistant) and the appliance's notes: what was not carried over,
 * and for Windows the virtio drivers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-import-dialog-private.h"

#define BASE(self) PISO_IMPORT_DIALOG_BASE (self)
#define PROBLEM_KEY "piso-problem"

/* The creator's problems Import fixes when the user agrees, and the choice
 * that says so (the assistant's words) */
static const struct
{
  PisoCreatorProblem  problem;
  const char         *label;
} consent_fixes[] = {
  { PISO_CREATOR_PROBLEM_NO_POOL,
    N_("_Create the storage pool “default” with the machine") },
  { PISO_CREATOR_PROBLEM_POOL_INACTIVE,
    N_("_Start the storage pool with the machine, and with the host from now on") },
  { PISO_CREATOR_PROBLEM_NETWORK_INACTIVE,
    N_("Start the _network “default” with the machine, and with the host from now on") },
};

gboolean
_piso_import_dialog_is_appliance (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".ova") || g_str_has_suffix (lower, ".ovf");
}

static PisoCreatorProblem
needed_consent (PisoCreatorCheck *check)
{
  return piso_creator_check_get_problems (check) & PISO_CREATOR_PROBLEMS_WITH_FIX;
}

gboolean
_piso_import_dialog_appliance_can_import (PisoImportDialog *self)
{
  PisoCreatorProblem needed;

  if (self->check == NULL)
    return FALSE;
  needed = needed_consent (self->check);
  return (piso_creator_get_consent (self->creator) & needed) == needed;
}

/* Reading, checking and converting failed or was cancelled: nothing of
 * it is kept (the appliance removed its converted disks) */
static void
piso_import_dialog_appliance_refuse (PisoImportDialog *self,
                                     const GError     *error)
{
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  _piso_import_dialog_refuse (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                    ? _("Reading the appliance was cancelled. Nothing of it was kept.")
                                    : error->message);
}

/* ---- the review ---- */

/* The value of the plan's summary line for @field */
static const char *
summary_value (GPtrArray  *items,
               const char *field)
{
  for (guint i = 0; i < items->len; i++)
    {
      PisoInstallSummaryItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->field, field) == 0)
        return item->value;
    }
  return NULL;
}

static char *
piso_import_dialog_appliance_disks_text (PisoExportAppliance *appliance)
{
  const char * const *disks = piso_export_appliance_get_disks (appliance);
  guint n_disks = g_strv_length ((char **) disks);
  g_autoptr(GString) sizes = g_string_new (NULL);

  if (n_disks == 0)
    return g_strdup (_("None"));
  for (guint i = 0; i < n_disks; i++)
    {
      g_autofree char *size = piso_format_bytes (piso_export_appliance_get_disk_capacity (appliance, i));

      if (sizes->len > 0)
        /* Translators: between two disk sizes in a list ("16 GiB, 8 GiB") */
        g_string_append (sizes, _(", "));
      g_string_append (sizes, size);
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of disks, %s their sizes
                                        * ("16 GiB, 8 GiB") */
                                       "%u disk (%s), copied into the storage pool",
                                       "%u disks (%s), copied into the storage pool", n_disks),
                          n_disks, sizes->str);
}

static void
piso_import_dialog_consent_toggled_cb (PisoImportDialog *self,
                                       GtkCheckButton   *check)
{
  piso_creator_agree (self->creator, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), PROBLEM_KEY)),
                      gtk_check_button_get_active (check));
  _piso_import_dialog_update (self);
}

/* The host's problems: what blocks the import, and the fixes it may apply
 * (a choice each, which the user must make) */
static void
piso_import_dialog_appliance_show_problems (PisoImportDialog *self)
{
  PisoCreatorProblem problems = piso_creator_check_get_problems (self->check);
  g_autoptr(GPtrArray) blockers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *child;

  /* Checked again for another pool: its own fixes only */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->fixes_box))) != NULL)
    gtk_box_remove (self->fixes_box, child);
  if (self->network_fallback)
    g_ptr_array_add (warnings,
                     g_strdup (_("This connection has no virtual network “default”, so the machine "
                                 "gets user-mode networking: it reaches the network, but this host "
                                 "cannot reach it.")));
  for (guint bit = 0; bit < 32; bit++)
    {
      PisoCreatorProblem problem = 1u << bit;
      const char *message = piso_creator_check_get_message (self->check, problem);
      gboolean fixed = FALSE;

      /* The name row says a taken name, live */
      if ((problems & problem) == 0 || problem == PISO_CREATOR_PROBLEM_NAME_TAKEN)
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (consent_fixes); i++)
        if (consent_fixes[i].problem == problem)
          {
            GtkWidget *check = gtk_check_button_new_with_mnemonic (_(consent_fixes[i].label));
            /* Wrapped in a narrow window (the label is the button's last child) */
            GtkWidget *label = gtk_widget_get_last_child (check);

            if (GTK_IS_LABEL (label))
              gtk_label_set_wrap (GTK_LABEL (label), TRUE);
            g_object_set_data (G_OBJECT (check), PROBLEM_KEY, GUINT_TO_POINTER (problem));
            gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                         (piso_creator_get_consent (self->creator) & problem) != 0);
            g_signal_connect_object (check, "toggled", G_CALLBACK (piso_import_dialog_consent_toggled_cb),
                                     self, G_CONNECT_SWAPPED);
            gtk_box_append (self->fixes_box, check);
            fixed = TRUE;
          }
      if (fixed)
        g_ptr_array_add (warnings, g_strdup (message));
      else if (problem == PISO_CREATOR_PROBLEM_NO_SPACE)
        {
          g_autofree char *needed = piso_format_bytes (piso_creator_check_get_needed_bytes (self->check));
          g_autofree char *available = piso_format_bytes (piso_creator_check_get_available_bytes (self->check));

          g_ptr_array_add (blockers, g_strdup (message));
          /* Translators: e.g. "Needed: 20 GiB · free in the pool: 3.2 GiB" */
          g_ptr_array_add (blockers, g_strdup_printf (_("Needed: %s · free in the pool: %s"),
                                                      needed, available));
        }
      else
        g_ptr_array_add (blockers, g_strdup (message != NULL ? message : ""));
    }
  self->blocking = blockers->len > 0;
  _piso_import_dialog_set_problems (self, blockers, warnings);
  gtk_widget_set_visible (GTK_WIDGET (self->fixes_box),
                          gtk_widget_get_first_child (GTK_WIDGET (self->fixes_box)) != NULL);
}

static void
piso_import_dialog_appliance_show_review (PisoImportDialog *self)
{
  g_autoptr(GPtrArray) summary = piso_install_plan_describe (self->plan);
  g_autofree char *resources = NULL;
  g_autofree char *disks = piso_import_dialog_appliance_disks_text (self->appliance);

  /* What a bundle has that an appliance does not: the identity is new */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->move_row)), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->identity_label), FALSE);

  adw_action_row_set_subtitle (self->os_row, summary_value (summary, "os-id"));
  gtk_widget_set_visible (GTK_WIDGET (self->os_row), TRUE);
  adw_action_row_set_subtitle (self->firmware_row, summary_value (summary, "firmware"));
  resources = _piso_import_dialog_resources_text (piso_install_plan_get_vcpus (self->plan),
                                                  piso_install_plan_get_memory (self->plan));
  adw_action_row_set_subtitle (self->resources_row, resources);
  adw_action_row_set_subtitle (self->disks_row, disks);
  adw_action_row_set_subtitle (self->network_row, summary_value (summary, "network"));
  gtk_widget_set_visible (GTK_WIDGET (self->network_row), TRUE);

  piso_import_dialog_appliance_show_problems (self);
  /* Read as plainly as the rest: what did not come along matters */
  gtk_widget_remove_css_class (GTK_WIDGET (self->notes_label), "dim-label");
  _piso_import_dialog_set_lines (self->notes_label, piso_export_appliance_get_notes (self->appliance));

  _piso_import_dialog_show_review_page (self, piso_export_appliance_get_name (self->appliance),
                                        piso_install_plan_get_name (self->plan));
}

/* ---- reading the appliance, then the plan and the host's check ---- */

static void piso_import_dialog_appliance_check (PisoImportDialog *self);

static void
piso_import_dialog_appliance_check_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoCreatorCheck) check = piso_creator_check_finish (PISO_CREATOR (object), result, &error);

  if (check == NULL)
    {
      piso_import_dialog_appliance_refuse (self, error);
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  /* No "default" network here: user-mode networking, which always works,
   * as the assistant chooses (and says so); checked again with it */
  if ((piso_creator_check_get_problems (check) & PISO_CREATOR_PROBLEM_NETWORK_MISSING) != 0 &&
      piso_install_plan_get_network (self->plan) == PISO_INSTALL_NETWORK_NAT_DEFAULT)
    {
      self->network_fallback = TRUE;
      piso_install_plan_set_network (self->plan, PISO_INSTALL_NETWORK_USER);
      piso_import_dialog_appliance_check (self);
      return;
    }
  g_set_object (&self->check, check);
  /* The pool row says another pool than the one checked (chosen during
   * the check, or no "default" here): checked again for that one */
  {
    guint selected = adw_combo_row_get_selected (self->pool_row);
    const char *pool = selected != GTK_INVALID_LIST_POSITION
                       ? gtk_string_list_get_string (self->pools, selected) : NULL;

    if (pool != NULL && g_strcmp0 (pool, piso_creator_get_pool (self->creator)) != 0)
      {
        _piso_import_dialog_appliance_pool_chosen (self, pool);
        return;
      }
  }
  piso_operation_dialog_stop (BASE (self));
  piso_import_dialog_appliance_show_review (self);
}

static void
piso_import_dialog_appliance_check (PisoImportDialog *self)
{
  piso_creator_check_async (self->creator, piso_operation_dialog_get_cancellable (BASE (self)),
                            piso_import_dialog_appliance_check_cb, g_object_ref (self));
}

/* The pools to choose from: the creator's "default" first (which it may
 * create, when there is none) */
static void
piso_import_dialog_appliance_sources_cb (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pools = NULL;
  const char * const standard[] = { piso_creator_get_pool (self->creator), NULL };

  if (!piso_connection_list_device_sources_finish (PISO_CONNECTION (object), result, &pools,
                                                   NULL, NULL, NULL, &error))
    {
      piso_import_dialog_appliance_refuse (self, error);
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  _piso_import_dialog_fill_pools (self, pools[0] != NULL ? (const char * const *) pools : standard,
                                  standard[0]);
  piso_import_dialog_appliance_check (self);
}

void
_piso_import_dialog_appliance_pool_chosen (PisoImportDialog *self,
                                           const char       *pool)
{
  if (self->check == NULL || g_strcmp0 (pool, piso_creator_get_pool (self->creator)) == 0)
    return;
  piso_creator_set_pool (self->creator, pool);
  /* The review comes back with the name as typed */
  if (self->ready)
    piso_install_plan_set_name (self->plan, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  g_clear_object (&self->check);
  piso_import_dialog_appliance_check (self);
}

static void
piso_import_dialog_appliance_host_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  self->host_info = piso_connection_query_host_finish (PISO_CONNECTION (object), result, &error);
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      piso_import_dialog_appliance_refuse (self, error);
      return;
    }
  /* Without the host's facts nothing is capped, as in the assistant */
  if (self->host_info == NULL)
    g_debug ("No host information: %s", error->message);

  self->plan = piso_export_appliance_build_plan (self->appliance, self->connection, self->catalog,
                                                 self->host_info);
  self->creator = piso_creator_new (self->connection, self->plan);
  /* Started or not as the review's switch says, as a bundle's machine */
  piso_creator_set_start (self->creator, FALSE);
  piso_connection_list_device_sources_async (self->connection,
                                             piso_operation_dialog_get_cancellable (BASE (self)),
                                             piso_import_dialog_appliance_sources_cb, g_object_ref (self));
}

static void
piso_import_dialog_appliance_catalog_cb (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_os_catalog_load_finish (PISO_OS_CATALOG (object), result, &error))
    {
      piso_import_dialog_appliance_refuse (self, error);
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;
  piso_connection_query_host_async (self->connection, piso_operation_dialog_get_cancellable (BASE (self)),
                                    piso_import_dialog_appliance_host_cb, g_object_ref (self));
}

static void
piso_import_dialog_appliance_progress_cb (PisoImportDialog *self)
{
  piso_operation_dialog_set_transfer (BASE (self), piso_export_appliance_get_bytes_done (self->appliance),
                                      piso_export_appliance_get_bytes_total (self->appliance), -1);
}

static void
piso_import_dialog_appliance_load_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_func (object, piso_import_dialog_appliance_progress_cb, self);
  if (!piso_export_appliance_load_finish (PISO_EXPORT_APPLIANCE (object), result, &error))
    {
      piso_import_dialog_appliance_refuse (self, error);
      return;
    }
  if (piso_operation_dialog_get_closed (BASE (self)))
    return;

  /* The plan needs the OS catalog and the host's facts, as the assistant's */
  piso_operation_dialog_set_progress (BASE (self), -1, _("Preparing the machine…"));
  piso_operation_dialog_set_amount (BASE (self), 0, 0, -1);
  self->catalog = g_object_ref (piso_os_catalog_get_default ());
  piso_os_catalog_load_async (self->catalog, piso_operation_dialog_get_cancellable (BASE (self)),
                              piso_import_dialog_appliance_catalog_cb, g_object_ref (self));
}

void
_piso_import_dialog_load_appliance (PisoImportDialog *self,
                                    const char       *path)
{
  GCancellable *cancellable;

  adw_status_page_set_title (self->refused_page, _("This Appliance Cannot Be Imported"));
  self->appliance = piso_export_appliance_new (path);
  /* Every file is checked and every disk converted before anything is made */
  cancellable = piso_operation_dialog_start (BASE (self), _("Reading the appliance and converting its disks…"));
  g_signal_connect_swapped (self->appliance, "notify::bytes-done",
                            G_CALLBACK (piso_import_dialog_appliance_progress_cb), self);
  piso_export_appliance_load_async (self->appliance, cancellable, piso_import_dialog_appliance_load_cb,
                                    g_object_ref (self));
}

/* ---- the import ---- */

static void
piso_import_dialog_appliance_run_progress_cb (PisoImportDialog *self)
{
  piso_operation_dialog_set_progress (BASE (self), piso_creator_get_progress (self->creator),
                                      piso_creator_get_status_text (self->creator));
}

static void
piso_import_dialog_appliance_run_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(PisoImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  PisoMachine *machine;

  g_signal_handlers_disconnect_by_func (object, piso_import_dialog_appliance_run_progress_cb, self);
  machine = piso_creator_run_finish (PISO_CREATOR (object), result, &error);
  _piso_import_dialog_finish_import (self, machine, error);
}

void
_piso_import_dialog_import_appliance (PisoImportDialog *self)
{
  GCancellable *cancellable;

  piso_install_plan_set_name (self->plan, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  cancellable = _piso_import_dialog_start_import (self);
  g_signal_connect_swapped (self->creator, "notify::progress",
                            G_CALLBACK (piso_import_dialog_appliance_run_progress_cb), self);
  g_signal_connect_swapped (self->creator, "notify::status-text",
                            G_CALLBACK (piso_import_dialog_appliance_run_progress_cb), self);
  piso_creator_run_async (self->creator, cancellable, piso_import_dialog_appliance_run_cb,
                          g_object_ref (self));
}
