/* piso-machine-page-actions.c: the machine page's "machine.*" actions and their dialogs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "piso-a11y.h"
#include "piso-alert.h"
#include "piso-clone-dialog.h"
#include "piso-export-dialog.h"
#include "piso-migrate-dialog.h"
#include "piso-delete-dialog.h"
#include "piso-machine-page-private.h"
#include "piso-machine-toast.h"

/* Calls on the machine that take no argument and report only a failure
 * (lifecycle calls, removing the installer media), by the action that runs
 * them (force-off after its confirmation) */
typedef void     (*LifecycleAsync)  (PisoMachine         *machine,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
typedef gboolean (*LifecycleFinish) (PisoMachine         *machine,
                                     GAsyncResult        *result,
                                     GError             **error);

typedef struct
{
  const char        *action_name;
  PisoMachineAction  action;
  LifecycleAsync     async;
  LifecycleFinish    finish;
} Lifecycle;

static const Lifecycle lifecycles[] = {
  { "machine.start", PISO_MACHINE_ACTION_START,
    piso_machine_start_async, piso_machine_start_finish },
  { "machine.shutdown", PISO_MACHINE_ACTION_SHUTDOWN,
    piso_machine_shutdown_async, piso_machine_shutdown_finish },
  { "machine.reboot", PISO_MACHINE_ACTION_REBOOT,
    piso_machine_reboot_async, piso_machine_reboot_finish },
  { "machine.pause", PISO_MACHINE_ACTION_PAUSE,
    piso_machine_pause_async, piso_machine_pause_finish },
  { "machine.resume", PISO_MACHINE_ACTION_RESUME,
    piso_machine_resume_async, piso_machine_resume_finish },
  { "machine.save", PISO_MACHINE_ACTION_SAVE,
    piso_machine_save_async, piso_machine_save_finish },
  { "machine.restore", PISO_MACHINE_ACTION_RESTORE,
    piso_machine_restore_async, piso_machine_restore_finish },
  { "machine.force-off", PISO_MACHINE_ACTION_FORCE_OFF,
    piso_machine_force_off_async, piso_machine_force_off_finish },
  /* for an install the user finishes by hand (the install banner says what
   * happened) */
  { "machine.remove-installer-media", PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA,
    piso_machine_remove_installer_media_async, piso_machine_remove_installer_media_finish },
};

/* "Could not start “name”": the context of a failure message */
static char *
lifecycle_failure (PisoMachineAction  action,
                   const char        *name)
{
  switch (action)
    {
    case PISO_MACHINE_ACTION_START:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not start “%s”"), name);
    case PISO_MACHINE_ACTION_SHUTDOWN:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not shut down “%s”"), name);
    case PISO_MACHINE_ACTION_REBOOT:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not reboot “%s”"), name);
    case PISO_MACHINE_ACTION_PAUSE:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not pause “%s”"), name);
    case PISO_MACHINE_ACTION_RESUME:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not resume “%s”"), name);
    case PISO_MACHINE_ACTION_SAVE:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not save “%s”"), name);
    case PISO_MACHINE_ACTION_RESTORE:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not restore “%s”"), name);
    case PISO_MACHINE_ACTION_FORCE_OFF:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not force off “%s”"), name);
    case PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA:
      /* Translators: %s is a machine's name */
      return g_strdup_printf (_("Could not remove the installer media of “%s”"), name);
    case PISO_MACHINE_ACTION_RENAME:
    case PISO_MACHINE_ACTION_DELETE:
    case PISO_MACHINE_ACTION_SET_AUTOSTART:
    default:
      break;
    }

  g_return_val_if_reached (g_strdup (name));
}

/* Actions whose enabled state follows piso_machine_can() */
static const struct
{
  const char        *action_name;
  PisoMachineAction  action;
} action_states[] = {
  { "machine.start", PISO_MACHINE_ACTION_START },
  { "machine.shutdown", PISO_MACHINE_ACTION_SHUTDOWN },
  { "machine.reboot", PISO_MACHINE_ACTION_REBOOT },
  { "machine.force-off", PISO_MACHINE_ACTION_FORCE_OFF },
  { "machine.pause", PISO_MACHINE_ACTION_PAUSE },
  { "machine.resume", PISO_MACHINE_ACTION_RESUME },
  { "machine.save", PISO_MACHINE_ACTION_SAVE },
  { "machine.restore", PISO_MACHINE_ACTION_RESTORE },
  { "machine.rename", PISO_MACHINE_ACTION_RENAME },
  { "machine.delete", PISO_MACHINE_ACTION_DELETE },
  { "machine.remove-installer-media", PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA },
  { "machine.start-disposable", PISO_MACHINE_ACTION_START_DISPOSABLE },
  { "machine.clone", PISO_MACHINE_ACTION_CLONE },
  { "machine.export", PISO_MACHINE_ACTION_EXPORT },
  { "machine.migrate", PISO_MACHINE_ACTION_MIGRATE },
};

/* A call on a machine from the page, whose failure names the machine as it
 * was called when asked */
typedef struct
{
  PisoMachinePage *self;
  char            *name;
  const Lifecycle *lifecycle;   /* for a lifecycle call */
} MachineCall;

static MachineCall *
machine_call_new (PisoMachinePage *self,
                  const char      *name)
{
  MachineCall *call = g_new0 (MachineCall, 1);

  call->self = g_object_ref (self);
  call->name = g_strdup (name);
  return call;
}

static void
machine_call_free (MachineCall *call)
{
  g_object_unref (call->self);
  g_free (call->name);
  g_free (call);
}

/* Lifecycle actions */

static void
piso_machine_page_lifecycle_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  MachineCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!call->lifecycle->finish (PISO_MACHINE (object), result, &error))
    {
      g_autofree char *context = lifecycle_failure (call->lifecycle->action, call->name);

      piso_machine_toast_error (GTK_WIDGET (call->self), context, error);
    }

  machine_call_free (call);
}

static void
piso_machine_page_run_lifecycle (PisoMachinePage *self,
                                 PisoMachine     *machine,
                                 const char      *action_name)
{
  MachineCall *call;

  g_assert (PISO_IS_MACHINE_PAGE (self));
  g_assert (PISO_IS_MACHINE (machine));

  for (guint i = 0; i < G_N_ELEMENTS (lifecycles); i++)
    {
      if (!g_str_equal (lifecycles[i].action_name, action_name))
        continue;

      call = machine_call_new (self, piso_machine_get_display_name (machine));
      call->lifecycle = &lifecycles[i];
      /* Not the page's cancellable: an action the user asked for goes on
       * when another machine is shown. */
      lifecycles[i].async (machine, NULL, piso_machine_page_lifecycle_cb, call);
      return;
    }

  g_assert_not_reached ();
}

static void
piso_machine_page_lifecycle_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);

  if (self->machine == NULL)
    return;

  piso_machine_page_run_lifecycle (self, self->machine, action_name);
}

static void
piso_machine_page_force_off_response_cb (PisoMachinePage *self,
                                         const char      *response,
                                         GtkWidget       *alert)
{
  PisoMachine *machine = g_object_get_data (G_OBJECT (alert), "piso-machine");

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (g_strcmp0 (response, "force-off") == 0)
    piso_machine_page_run_lifecycle (self, machine, "machine.force-off");
}

static void
piso_machine_page_force_off_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);
  g_autofree char *heading = NULL;
  GtkWidget *alert;

  if (self->machine == NULL)
    return;

  /* Translators: %s is a machine's name */
  heading = g_strdup_printf (_("Force Off “%s”?"), piso_machine_get_display_name (self->machine));
  alert = piso_alert_new (heading,
                          _("The machine stops at once, as if its power cable was pulled. Data the guest has not saved is lost."));
  piso_alert_add_response (alert, "cancel", _("_Cancel"));
  piso_alert_add_response (alert, "force-off", _("_Force Off"));
  piso_alert_set_response_appearance (alert, "force-off", ADW_RESPONSE_DESTRUCTIVE);
  piso_alert_set_default_response (alert, "cancel");
  piso_alert_set_close_response (alert, "cancel");
  g_object_set_data_full (G_OBJECT (alert), "piso-machine",
                          g_object_ref (self->machine), g_object_unref);
  g_signal_connect_object (alert, "response",
                           G_CALLBACK (piso_machine_page_force_off_response_cb),
                           self, G_CONNECT_SWAPPED);
  piso_alert_present (alert, GTK_WIDGET (self));
  piso_alert_focus_response (alert, "cancel");
}

static void
piso_machine_page_delete_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);
  GtkWidget *dialog;

  if (self->machine == NULL)
    return;

  dialog = piso_delete_dialog_new (self->machine);
  piso_alert_present (dialog, GTK_WIDGET (self));
  /* Not the storage list, where Space would tick a file for deletion */
  piso_alert_focus_response (dialog, "cancel");
}

/* Rename */

static void
piso_machine_page_rename_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  MachineCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_machine_rename_finish (PISO_MACHINE (object), result, &error))
    {
      /* Translators: %s is a machine's name */
      g_autofree char *context = g_strdup_printf (_("Could not rename “%s”"), call->name);

      piso_machine_toast_error (GTK_WIDGET (call->self), context, error);
    }

  machine_call_free (call);
}

static void
piso_machine_page_rename_to (PisoMachinePage *self,
                             PisoMachine     *machine,
                             const char      *new_name)
{
  MachineCall *call;

  g_assert (PISO_IS_MACHINE_PAGE (self));
  g_assert (PISO_IS_MACHINE (machine));

  call = machine_call_new (self, piso_machine_get_name (machine));
  piso_machine_rename_async (machine, new_name, NULL, piso_machine_page_rename_cb, call);
}

static void
piso_machine_page_rename_entry_changed_cb (GtkWidget   *dialog,
                                          GtkEditable *entry)
{
  PisoMachine *machine = g_object_get_data (G_OBJECT (dialog), "piso-machine");
  GtkLabel *error_label = g_object_get_data (G_OBJECT (dialog), "piso-error-label");
  const char *text = gtk_editable_get_text (entry);
  PisoConnection *connection = piso_machine_get_connection (machine);
  g_autoptr(GError) error = NULL;
  gboolean valid;

  /* Taken names are known here already: say so before libvirt does. */
  valid = connection != NULL ? piso_connection_check_machine_name (connection, text, machine, &error)
                             : piso_machine_validate_name (text, &error);

  /* Say why only once the user typed something. */
  gtk_label_set_label (error_label, error != NULL && text[0] != '\0' ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (error_label), error != NULL && text[0] != '\0');
  if (error != NULL && text[0] != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");

  piso_alert_set_response_enabled (dialog, "rename",
                                   valid && g_strcmp0 (text, piso_machine_get_name (machine)) != 0);
}

static void
piso_machine_page_rename_response_cb (PisoMachinePage *self,
                                      const char      *response,
                                      GtkWidget       *dialog)
{
  PisoMachine *machine = g_object_get_data (G_OBJECT (dialog), "piso-machine");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "piso-entry");

  g_assert (PISO_IS_MACHINE_PAGE (self));

  if (g_strcmp0 (response, "rename") == 0)
    piso_machine_page_rename_to (self, machine, gtk_editable_get_text (entry));
}

static void
piso_machine_page_open_rename_dialog (PisoMachinePage *self)
{
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *entry;
  GtkWidget *error_label;
  g_autofree char *heading = NULL;

  g_assert (PISO_IS_MACHINE_PAGE (self));

  /* Translators: %s is a machine's name */
  heading = g_strdup_printf (_("Rename “%s”"), piso_machine_get_name (self->machine));
  dialog = piso_alert_new (heading,
                           _("The new name must be unique on this connection. The title shown in lists, if the machine has one, stays the same."));
  piso_alert_add_response (dialog, "cancel", _("_Cancel"));
  piso_alert_add_response (dialog, "rename", _("_Rename"));
  piso_alert_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  piso_alert_set_default_response (dialog, "rename");
  piso_alert_set_close_response (dialog, "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), piso_machine_get_name (self->machine));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New name"),
                                  -1);
  gtk_box_append (GTK_BOX (box), entry);

  error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (error_label), 0.0f);
  gtk_widget_add_css_class (error_label, "error");
  gtk_widget_set_visible (error_label, FALSE);
  gtk_box_append (GTK_BOX (box), error_label);

  piso_alert_set_extra_child (dialog, box);

  g_object_set_data_full (G_OBJECT (dialog), "piso-machine",
                          g_object_ref (self->machine), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "piso-entry", entry);
  g_object_set_data (G_OBJECT (dialog), "piso-error-label", error_label);

  g_signal_connect_object (entry, "changed",
                           G_CALLBACK (piso_machine_page_rename_entry_changed_cb),
                           dialog, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (piso_machine_page_rename_response_cb),
                           self, G_CONNECT_SWAPPED);
  piso_machine_page_rename_entry_changed_cb (dialog, GTK_EDITABLE (entry));

  piso_alert_present (dialog, GTK_WIDGET (self));
  piso_alert_focus_widget (dialog, entry);
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
}

static void
piso_machine_page_rename_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);
  const char *new_name = g_variant_get_string (parameter, NULL);

  if (self->machine == NULL)
    return;

  if (new_name[0] == '\0')
    piso_machine_page_open_rename_dialog (self);
  else
    piso_machine_page_rename_to (self, self->machine, new_name);
}

/* Run Disposable (piso-disposable.h) and Clone… (piso-clone-dialog.h) */

static void
piso_machine_page_start_disposable_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  MachineCall *call = user_data;
  g_auto(GStrv) leftovers = NULL;
  g_autoptr(GError) error = NULL;

  if (!piso_machine_start_disposable_finish (PISO_MACHINE (object), result, &leftovers, &error))
    {
      /* Translators: %s is a machine's name */
      g_autofree char *context = g_strdup_printf (_("Could not run “%s” disposable"), call->name);

      piso_machine_toast_error (GTK_WIDGET (call->self), context, error);
    }
  else if (leftovers != NULL && leftovers[0] != NULL)
    {
      /* A crash left an earlier run's overlays: the user hears of their removal. */
      g_autofree char *files = g_strjoinv (", ", leftovers);
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      /* Translators: the first %s is a machine's name, the second a file */
                                      "An earlier disposable run of “%s” had left its changes behind (it did not stop cleanly). Piso removed them: %s",
                                      /* Translators: the first %s is a machine's name, the second a list of files */
                                      "An earlier disposable run of “%s” had left its changes behind (it did not stop cleanly). Piso removed them: %s",
                                      g_strv_length (leftovers)),
                         call->name, files);

      piso_machine_toast (GTK_WIDGET (call->self), message);
    }

  machine_call_free (call);
}

static void
piso_machine_page_start_disposable_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);
  MachineCall *call;

  if (self->machine == NULL)
    return;

  call = machine_call_new (self, piso_machine_get_display_name (self->machine));
  piso_machine_start_disposable_async (self->machine, NULL,
                                       piso_machine_page_start_disposable_cb, call);
}

static void
piso_machine_page_clone_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);

  if (self->machine == NULL)
    return;

  gtk_window_present (GTK_WINDOW (piso_clone_dialog_new (self->machine, widget)));
}

static void
piso_machine_page_export_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);

  if (self->machine == NULL)
    return;

  gtk_window_present (GTK_WINDOW (piso_export_dialog_new (self->machine, widget)));
}

static void
piso_machine_page_migrate_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  PisoMachinePage *self = PISO_MACHINE_PAGE (widget);

  if (self->machine == NULL || self->connections == NULL)
    return;

  gtk_window_present (GTK_WINDOW (piso_migrate_dialog_new (self->machine, self->connections, widget)));
}

static void
piso_machine_page_show_console_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  piso_console_page_show (PISO_MACHINE_PAGE (widget)->console_page);
}

/* The page's: a group of its own ("machine"), so that a list row's context
 * menu offers the same actions (piso_machine_page_get_actions) */

typedef void (*PageActionFunc) (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter);

static const struct
{
  const char     *name;
  const char     *parameter_type;
  PageActionFunc  activate;
} page_actions[] = {
  { "start", NULL, piso_machine_page_lifecycle_action },
  { "shutdown", NULL, piso_machine_page_lifecycle_action },
  { "reboot", NULL, piso_machine_page_lifecycle_action },
  { "pause", NULL, piso_machine_page_lifecycle_action },
  { "resume", NULL, piso_machine_page_lifecycle_action },
  { "save", NULL, piso_machine_page_lifecycle_action },
  { "restore", NULL, piso_machine_page_lifecycle_action },
  /* asks first */
  { "force-off", NULL, piso_machine_page_force_off_action },
  { "rename", "s", piso_machine_page_rename_action },
  { "delete", NULL, piso_machine_page_delete_action },
  { "remove-installer-media", NULL, piso_machine_page_lifecycle_action },
  { "start-disposable", NULL, piso_machine_page_start_disposable_action },
  { "clone", NULL, piso_machine_page_clone_action },
  { "export", NULL, piso_machine_page_export_action },
  { "migrate", NULL, piso_machine_page_migrate_action },
  { "show-console", NULL, piso_machine_page_show_console_action },
};

static void
piso_machine_page_action_cb (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  PageActionFunc activate = g_object_get_data (G_OBJECT (action), "piso-activate");
  g_autofree char *action_name = g_strconcat ("machine.", g_action_get_name (G_ACTION (action)), NULL);

  activate (GTK_WIDGET (user_data), action_name, parameter);
}

void
_piso_machine_page_update_actions (PisoMachinePage *self)
{
  g_return_if_fail (PISO_IS_MACHINE_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (action_states); i++)
    {
      gboolean enabled = self->machine != NULL &&
                         !self->vanished &&
                         piso_machine_can (self->machine, action_states[i].action);
      /* somewhere to move to: another connection (the dialog lists the
       * connected ones, and says when none is) */
      if (action_states[i].action == PISO_MACHINE_ACTION_MIGRATE)
        enabled = enabled && self->connections != NULL &&
                  g_list_model_get_n_items (self->connections) > 1;
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                    action_states[i].action_name + strlen ("machine."));

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
    }
}

void
_piso_machine_page_init_actions (PisoMachinePage *self)
{
  g_return_if_fail (PISO_IS_MACHINE_PAGE (self));

  self->actions = g_simple_action_group_new ();
  for (guint i = 0; i < G_N_ELEMENTS (page_actions); i++)
    {
      const GVariantType *type = page_actions[i].parameter_type != NULL
                                 ? G_VARIANT_TYPE (page_actions[i].parameter_type) : NULL;
      g_autoptr(GSimpleAction) action = g_simple_action_new (page_actions[i].name, type);

      g_object_set_data (G_OBJECT (action), "piso-activate", page_actions[i].activate);
      g_signal_connect_object (action, "activate", G_CALLBACK (piso_machine_page_action_cb),
                               self, 0);
      g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
    }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "machine", G_ACTION_GROUP (self->actions));
}

GActionGroup *
piso_machine_page_get_actions (PisoMachinePage *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_PAGE (self), NULL);

  return G_ACTION_GROUP (self->actions);
}
