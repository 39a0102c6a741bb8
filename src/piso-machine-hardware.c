/* piso-machine-hardware.c: the machine page's Hardware: disks, CD/DVD drives and network interfaces
 *
 * The rows show the machine's devices and point at this section's actions
 * (hardware.*, with the disk's target or the interface's MAC as target),
 * which run the backend's changes (piso-machine-devices.h) and say how they
 * went: done now, at the next start, or refused with libvirt's reason. The
 * rows follow the model, so after a refusal they show the real state again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-hardware"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-alert.h"
#include "piso-delete-dialog.h"
#include "piso-format.h"
#include "piso-machine-add-disk.h"
#include "piso-machine-add-interface.h"
#include "piso-machine-boot-group.h"
#include "piso-machine-disk-row.h"
#include "piso-machine-hardware.h"
#include "piso-machine-interface-row.h"
#include "piso-machine-toast.h"

struct _PisoMachineHardware
{
  PisoMachineSection  parent_instance;

  /* Template children */
  PisoMachineBootGroup *boot_group;
  GtkListBox         *disks_list;
  GtkListBox         *interfaces_list;
};

G_DEFINE_FINAL_TYPE (PisoMachineHardware, piso_machine_hardware, PISO_TYPE_MACHINE_SECTION)

static GtkWidget *
piso_machine_hardware_create_disk_row (gpointer item,
                                       gpointer user_data)
{
  return piso_machine_disk_row_new (item);
}

static GtkWidget *
piso_machine_hardware_create_interface_row (gpointer item,
                                            gpointer user_data)
{
  return piso_machine_interface_row_new (item);
}

/* "No disks": shown by the list while it is empty */
static void
piso_machine_hardware_set_placeholder (GtkListBox *list,
                                       const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_list_box_set_placeholder (list, label);
}

static void
piso_machine_hardware_machine_changed (PisoMachineSection *section)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);

  gtk_list_box_bind_model (self->disks_list,
                           machine != NULL ? piso_machine_get_disks (machine) : NULL,
                           piso_machine_hardware_create_disk_row, NULL, NULL);
  gtk_list_box_bind_model (self->interfaces_list,
                           machine != NULL ? piso_machine_get_interfaces (machine) : NULL,
                           piso_machine_hardware_create_interface_row, NULL, NULL);
  piso_machine_boot_group_set_machine (self->boot_group, machine);
}

static void
piso_machine_hardware_update (PisoMachineSection *section,
                              GParamSpec         *pspec)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);
  PisoConnection *connection = piso_machine_section_get_connection (section);
  gboolean can_change = machine != NULL && piso_machine_section_is_connected (section);
  /* A file chooser shows this computer's files: only a local host opens them */
  gboolean local = connection != NULL && piso_connection_is_local (connection);

  static const char * const changes[] = {
    "hardware.eject-cd", "hardware.set-cd", "hardware.remove-disk", "hardware.grow-disk",
    "hardware.set-link", "hardware.remove-interface", "hardware.add-interface",
    "hardware.change-interface-source", "hardware.add-disk", "hardware.set-boot-menu",
    "hardware.set-firmware", "hardware.set-boot-order",
  };

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), changes[i], can_change);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hardware.insert-cd", can_change && local);
}

/* ------------------------------------------------------------------------ */
/* Changes and what they did                                                */

typedef enum
{
  CHANGE_SET_CD,
  CHANGE_REMOVE_DISK,
  CHANGE_GROW_DISK,
  CHANGE_SET_LINK,
  CHANGE_REMOVE_INTERFACE,
  CHANGE_ADD_INTERFACE,
  CHANGE_SET_INTERFACE_SOURCE,
  CHANGE_ADD_NEW_DISK,
  CHANGE_ADD_EXISTING_DISK,
  CHANGE_BOOT_MENU,
  CHANGE_FIRMWARE,
  CHANGE_BOOT_ORDER,
} ChangeKind;

typedef struct
{
  PisoMachineHardware *self;
  ChangeKind           kind;
  char                *device;     /* disk target or MAC */
  char                *path;       /* CD: the disc put in, NULL to eject */
  gboolean             force;
} ChangeCall;

static void
change_call_free (ChangeCall *call)
{
  g_clear_object (&call->self);
  g_free (call->device);
  g_free (call->path);
  g_free (call);
}

/* What each change finishes with and says: done, or refused */
typedef PisoChange *(*ChangeFinish) (PisoMachine   *machine,
                                     GAsyncResult  *result,
                                     GError       **error);

static PisoChange *
add_new_disk_finish (PisoMachine   *machine,
                     GAsyncResult  *result,
                     GError       **error)
{
  return piso_machine_add_new_disk_finish (machine, result, NULL, error);
}

static PisoChange *
add_existing_disk_finish (PisoMachine   *machine,
                          GAsyncResult  *result,
                          GError       **error)
{
  return piso_machine_add_existing_disk_finish (machine, result, NULL, error);
}

static PisoChange *
add_interface_finish (PisoMachine   *machine,
                      GAsyncResult  *result,
                      GError       **error)
{
  return piso_machine_add_interface_finish (machine, result, NULL, error);
}

static const struct
{
  ChangeFinish  finish;
  const char   *done;      /* N_() */
  const char   *context;   /* N_() */
} change_kinds[] = {
  [CHANGE_SET_CD] = { piso_machine_set_cd_media_finish, N_("Disc inserted"), N_("Could not change the disc") },
  [CHANGE_REMOVE_DISK] = { piso_machine_remove_disk_finish, N_("Disk removed"), N_("Could not remove the disk") },
  [CHANGE_GROW_DISK] = { piso_machine_grow_disk_finish, N_("Disk grown"), N_("Could not grow the disk") },
  [CHANGE_SET_LINK] = { piso_machine_set_interface_link_finish, N_("Network cable changed"),
                        N_("Could not change the network cable") },
  [CHANGE_REMOVE_INTERFACE] = { piso_machine_remove_interface_finish, N_("Network interface removed"),
                                N_("Could not remove the network interface") },
  [CHANGE_ADD_INTERFACE] = { add_interface_finish, N_("Network interface added"),
                             N_("Could not add the network interface") },
  [CHANGE_SET_INTERFACE_SOURCE] = { piso_machine_set_interface_source_finish, N_("Network interface connected"),
                                    N_("Could not connect the network interface") },
  [CHANGE_ADD_NEW_DISK] = { add_new_disk_finish, N_("Disk added"), N_("Could not add the disk") },
  [CHANGE_ADD_EXISTING_DISK] = { add_existing_disk_finish, N_("Disk added"), N_("Could not add the disk") },
  [CHANGE_BOOT_MENU] = { piso_machine_set_boot_menu_finish, N_("Boot menu changed"),
                         N_("Could not change the boot menu") },
  [CHANGE_FIRMWARE] = { piso_machine_set_firmware_finish, N_("Firmware changed"),
                        N_("Could not change the firmware") },
  [CHANGE_BOOT_ORDER] = { piso_machine_set_boot_order_finish, N_("Boot order changed"),
                          N_("Could not change the boot order") },
};

static void
change_call_closure_free (gpointer  data,
                          GClosure *closure)
{
  change_call_free (data);
}

static void piso_machine_hardware_set_cd (PisoMachineHardware *self,
                                          const char          *target,
                                          const char          *path,
                                          gboolean             force);

/* After a change the sizes, volumes and pending states are read again. */
static void
piso_machine_hardware_refresh_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!piso_machine_refresh_details_finish (PISO_MACHINE (object), result, &error))
    g_debug ("Could not read the details again: %s", error->message);
}

static void
piso_machine_hardware_force_eject_cb (GtkWidget  *alert,
                                      const char *response,
                                      ChangeCall *call)
{
  if (g_strcmp0 (response, "force") == 0 &&
      piso_machine_section_get_machine (PISO_MACHINE_SECTION (call->self)) != NULL)
    piso_machine_hardware_set_cd (call->self, call->device, call->path, TRUE);
}

/* A question with Cancel and @response (@label, with its mnemonic), which
 * Enter gives unless it is destructive: then Enter keeps things as they
 * are. Escape cancels. */
static GtkWidget *
piso_machine_hardware_new_alert (const char            *heading,
                                 const char            *body,
                                 const char            *response,
                                 const char            *label,
                                 AdwResponseAppearance  appearance)
{
  GtkWidget *alert = piso_alert_new (heading, body);

  piso_alert_add_response (alert, "cancel", _("_Cancel"));
  piso_alert_add_response (alert, response, label);
  piso_alert_set_response_appearance (alert, response, appearance);
  piso_alert_set_default_response (alert,
                                   appearance == ADW_RESPONSE_DESTRUCTIVE ? "cancel" : response);
  piso_alert_set_close_response (alert, "cancel");
  return alert;
}

/* The guest keeps its tray locked: offer to force it */
static void
piso_machine_hardware_offer_force (PisoMachineHardware *self,
                                   ChangeCall          *call,
                                   PisoChange          *change)
{
  GtkWidget *alert;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  ChangeCall *again;

  /* Translators: %s names a CD/DVD drive ("sda") */
  heading = g_strdup_printf (_("The Guest Keeps the Tray of %s Locked"), call->device);
  body = g_strdup_printf ("%s\n\n%s", piso_change_get_message (change),
                          _("Forcing it out is like pulling a disc from a drive that is reading it: programs in the guest that use the disc may fail."));
  alert = piso_machine_hardware_new_alert (heading, body, "force",
                                           call->path != NULL ? _("_Force Change") : _("_Force Eject"),
                                           ADW_RESPONSE_DESTRUCTIVE);

  again = g_new0 (ChangeCall, 1);
  again->self = g_object_ref (self);
  again->device = g_strdup (call->device);
  again->path = g_strdup (call->path);
  g_signal_connect_data (alert, "response", G_CALLBACK (piso_machine_hardware_force_eject_cb),
                         again, change_call_closure_free, 0);
  piso_alert_present (alert, GTK_WIDGET (self));
}

/* Says what a change did: the backend's note when there is one (it applies
 * at the next start, and why; a file kept…), else that it is done, now or
 * for the next start. */
static void
piso_machine_hardware_report (PisoMachineHardware *self,
                              ChangeCall          *call,
                              PisoChange          *change)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  const char *note = piso_change_get_message (change);
  const char *done = NULL;
  g_autofree char *message = NULL;

  if (piso_change_get_force_possible (change) && !call->force)
    {
      piso_machine_hardware_offer_force (self, call, change);
      return;
    }

  done = call->kind == CHANGE_SET_CD && call->path == NULL ? _("Disc ejected")
                                                           : _(change_kinds[call->kind].done);

  if (note != NULL)
    message = g_strdup_printf ("%s. %s", done, note);
  else if (piso_change_get_live (change))
    /* Translators: %s says what was done ("Disc ejected"): the running
     * machine has it now */
    message = g_strdup_printf (_("%s now."), done);
  else if (machine != NULL && piso_machine_get_state (machine) != PISO_MACHINE_STATE_SHUTOFF)
    /* Translators: %s says what was done ("Disc ejected"), then the machine's name */
    message = g_strdup_printf (_("%s. The change applies when “%s” restarts."), done,
                               piso_machine_get_display_name (machine));
  else
    /* An off machine has the change when it starts: nothing to add */
    message = g_strdup_printf ("%s.", done);

  piso_machine_toast (GTK_WIDGET (self), message);
}

static void
piso_machine_hardware_change_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  ChangeCall *call = user_data;
  PisoMachine *machine = PISO_MACHINE (object);
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  const char *context = NULL;

  change = change_kinds[call->kind].finish (machine, result, &error);
  context = _(change_kinds[call->kind].context);

  if (change == NULL)
    {
      PisoNetInterface *iface;

      /* The switch asked for a state the machine did not take: show the
       * one it has. */
      if (call->kind == CHANGE_SET_LINK &&
          (iface = piso_machine_find_interface (machine, call->device)) != NULL)
        g_object_notify (G_OBJECT (iface), "link-up");
      piso_machine_toast_error (GTK_WIDGET (call->self), context, error);
      piso_machine_boot_group_sync (call->self->boot_group);
    }
  else
    piso_machine_hardware_report (call->self, call, change);

  piso_machine_refresh_details_async (machine, NULL, piso_machine_hardware_refresh_cb, NULL);
  change_call_free (call);
}

static ChangeCall *
piso_machine_hardware_new_call (PisoMachineHardware *self,
                                ChangeKind           kind,
                                const char          *device)
{
  ChangeCall *call = g_new0 (ChangeCall, 1);

  call->self = g_object_ref (self);
  call->kind = kind;
  call->device = g_strdup (device);
  return call;
}

static void
piso_machine_hardware_set_cd (PisoMachineHardware *self,
                              const char          *target,
                              const char          *path,
                              gboolean             force)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  ChangeCall *call;

  g_assert (PISO_IS_MACHINE_HARDWARE (self));

  if (machine == NULL)
    return;

  call = piso_machine_hardware_new_call (self, CHANGE_SET_CD, target);
  call->path = g_strdup (path);
  call->force = force;
  piso_machine_set_cd_media_async (machine, target, path, force, NULL,
                                   piso_machine_hardware_change_cb, call);
}

/* ---- CD/DVD ---- */

static void
piso_machine_hardware_eject_cd_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  piso_machine_hardware_set_cd (PISO_MACHINE_HARDWARE (widget),
                                g_variant_get_string (param, NULL), NULL, FALSE);
}

/* (ss): the drive and the disc image; what the file chooser ends in */
static void
piso_machine_hardware_set_cd_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *param)
{
  const char *target;
  const char *path;

  g_variant_get (param, "(&s&s)", &target, &path);
  piso_machine_hardware_set_cd (PISO_MACHINE_HARDWARE (widget), target,
                                path[0] != '\0' ? path : NULL, FALSE);
}

static void
piso_machine_hardware_disc_chosen_cb (GtkNativeDialog     *dialog,
                                      int                  response,
                                      PisoMachineHardware *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      const char *target = g_object_get_data (G_OBJECT (dialog), "piso-target");

      if (path != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "hardware.set-cd", "(ss)", target, path);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
piso_machine_hardware_insert_cd_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooserNative *dialog;
  GtkRoot *root = gtk_widget_get_root (widget);

  gtk_file_filter_set_name (filter, _("Disc images"));
  gtk_file_filter_add_suffix (filter, "iso");
  gtk_file_filter_add_suffix (filter, "img");
  gtk_file_filter_add_mime_type (filter, "application/x-cd-image");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  dialog = gtk_file_chooser_native_new (_("Choose a Disc Image"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Insert"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "piso-target",
                          g_strdup (g_variant_get_string (param, NULL)), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (piso_machine_hardware_disc_chosen_cb),
                    g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- disks ---- */

/* The machine to change once a dialog was answered @wanted, else NULL */
static PisoMachine *
piso_machine_hardware_answered (PisoMachineHardware *self,
                                const char          *response,
                                const char          *wanted)
{
  if (g_strcmp0 (response, wanted) != 0)
    return NULL;
  return piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
}

/* The disk an action's target names, while a machine is shown */
static PisoDisk *
piso_machine_hardware_find_disk (PisoMachineHardware *self,
                                 GVariant            *target)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));

  return machine != NULL ? piso_machine_find_disk (machine, g_variant_get_string (target, NULL)) : NULL;
}

static void
piso_machine_hardware_remove_disk_cb (GtkWidget           *alert,
                                      const char          *response,
                                      PisoMachineHardware *self)
{
  PisoMachine *machine = piso_machine_hardware_answered (self, response, "remove");
  GtkCheckButton *check = g_object_get_data (G_OBJECT (alert), "piso-delete-file");
  const char *target = g_object_get_data (G_OBJECT (alert), "piso-target");
  gboolean delete_storage;

  if (machine == NULL)
    return;

  delete_storage = check != NULL && gtk_widget_get_sensitive (GTK_WIDGET (check)) &&
                   gtk_check_button_get_active (check);
  piso_machine_remove_disk_async (machine, target, delete_storage, NULL,
                                  piso_machine_hardware_change_cb,
                                  piso_machine_hardware_new_call (self, CHANGE_REMOVE_DISK, target));
}

static void
piso_machine_hardware_remove_disk_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  const char *target = g_variant_get_string (param, NULL);
  PisoDisk *disk = piso_machine_hardware_find_disk (self, param);
  gboolean cdrom;
  const char *path;
  g_autofree char *heading = NULL;
  GtkWidget *alert;

  if (disk == NULL)
    return;

  cdrom = g_strcmp0 (piso_disk_get_device (disk), "disk") != 0;
  path = piso_disk_get_path (disk);
  heading = cdrom ? g_strdup_printf (_("Remove the Drive %s?"), target)
                  : g_strdup_printf (_("Remove the Disk %s?"), target);
  alert = piso_machine_hardware_new_alert (heading,
                                           cdrom ? _("The machine no longer has this drive. The disc image in it is kept.")
                                                 : _("The machine no longer sees this disk. Its file is kept."),
                                           "remove", _("_Remove"), ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (alert), "piso-target", g_strdup (target), g_free);

  /* Only files of a storage pool can be deleted; never one another
   * machine uses (as deleting a machine does). Unchecked by default. */
  if (!cdrom && path != NULL && !piso_disk_get_read_only (disk) && piso_disk_get_volume (disk) != NULL)
    {
      PisoMachine *other = piso_delete_dialog_find_other_user (machine, path);
      g_autofree char *basename = g_path_get_basename (path);
      g_autofree char *label = NULL;
      GtkWidget *check;
      GtkWidget *text;

      if (other != NULL)
        label = g_strdup_printf (_("Also used by “%s”, so it is kept"),
                                 piso_machine_get_display_name (other));
      else
        {
          /* Translators: %s is a file name ("web.qcow2") */
          label = g_strdup_printf (_("Also delete its file “%s”"), basename);
          piso_alert_set_body (alert, _("The machine no longer sees this disk. Its file is kept unless you choose to delete it below."));
        }
      /* A label of its own, so a long file name wraps */
      text = gtk_label_new (label);
      gtk_label_set_wrap (GTK_LABEL (text), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (text), 0.0f);
      check = gtk_check_button_new ();
      gtk_check_button_set_child (GTK_CHECK_BUTTON (check), text);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (check),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, text, NULL,
                                      -1);
      gtk_widget_set_tooltip_text (check, path);
      gtk_widget_set_sensitive (check, other == NULL);
      piso_alert_set_extra_child (alert, check);
      g_object_set_data (G_OBJECT (alert), "piso-delete-file", check);
    }

  g_signal_connect_object (alert, "response", G_CALLBACK (piso_machine_hardware_remove_disk_cb),
                           self, 0);
  piso_alert_present (alert, widget);
}

#define GIB (G_GUINT64_CONSTANT (1) << 30)

static void
piso_machine_hardware_disk_chosen_cb (PisoMachineAddDisk  *dialog,
                                      const char          *response,
                                      PisoMachineHardware *self)
{
  PisoMachine *machine = piso_machine_hardware_answered (self, response, "add");
  const char *pool;
  const char *path;
  guint64 capacity;

  if (machine == NULL)
    return;

  /* The bus New Machine would choose for the OS (NULL) */
  if (piso_machine_add_disk_get_new (dialog, &pool, &capacity, &path))
    piso_machine_add_new_disk_async (machine, pool, capacity, NULL, NULL,
                                     piso_machine_hardware_change_cb,
                                     piso_machine_hardware_new_call (self, CHANGE_ADD_NEW_DISK, NULL));
  else
    piso_machine_add_existing_disk_async (machine, path, FALSE, NULL, NULL,
                                          piso_machine_hardware_change_cb,
                                          piso_machine_hardware_new_call (self, CHANGE_ADD_EXISTING_DISK, NULL));
}

static void
piso_machine_hardware_add_disk_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  GtkWidget *dialog;

  if (machine == NULL)
    return;

  dialog = piso_machine_add_disk_new (machine);
  g_signal_connect_object (dialog, "response", G_CALLBACK (piso_machine_hardware_disk_chosen_cb),
                           self, 0);
  piso_alert_present (dialog, widget);
}

static void
piso_machine_hardware_grow_value_cb (GtkSpinButton *spin,
                                     GtkWidget     *alert)
{
  guint64 current = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (alert), "piso-capacity"));
  GtkWidget *hint = g_object_get_data (G_OBJECT (alert), "piso-hint");
  guint64 wanted = (guint64) (gtk_spin_button_get_value (spin) * GIB);

  /* Never shrink: the button waits for a larger size, and says why */
  piso_alert_set_response_enabled (alert, "grow", wanted > current);
  gtk_widget_set_visible (hint, wanted <= current);
}

static void
piso_machine_hardware_grow_disk_cb (GtkWidget           *alert,
                                    const char          *response,
                                    PisoMachineHardware *self)
{
  PisoMachine *machine = piso_machine_hardware_answered (self, response, "grow");
  GtkSpinButton *spin = g_object_get_data (G_OBJECT (alert), "piso-spin");
  const char *target = g_object_get_data (G_OBJECT (alert), "piso-target");

  if (machine == NULL)
    return;

  piso_machine_grow_disk_async (machine, target,
                                (guint64) (gtk_spin_button_get_value (spin) * GIB), NULL,
                                piso_machine_hardware_change_cb,
                                piso_machine_hardware_new_call (self, CHANGE_GROW_DISK, target));
}

static void
piso_machine_hardware_grow_disk_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  const char *target = g_variant_get_string (param, NULL);
  PisoDisk *disk = piso_machine_hardware_find_disk (self, param);
  guint64 capacity;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *size = NULL;
  GtkWidget *alert;
  GtkWidget *box;
  GtkWidget *spin;
  GtkWidget *hint;
  GtkWidget *unit;
  GtkWidget *row;

  if (disk == NULL)
    return;

  capacity = piso_disk_get_capacity (disk);
  size = piso_format_bytes (capacity);
  heading = g_strdup_printf (_("Grow the Disk %s"), target);
  /* Translators: %s is the disk's size now ("20 GiB") */
  body = g_strdup_printf (_("It is %s now. Disks only grow. The guest’s partitions and file systems keep their size until they are grown inside the guest."),
                          size);
  alert = piso_machine_hardware_new_alert (heading, body, "grow", _("_Grow"), ADW_RESPONSE_SUGGESTED);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (row, GTK_ALIGN_CENTER);
  spin = gtk_spin_button_new_with_range (1, 65536, 1);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), (double) (capacity + 10 * GIB) / GIB);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New size in GiB"),
                                  -1);
  unit = gtk_label_new (_("GiB"));
  gtk_box_append (GTK_BOX (row), spin);
  gtk_box_append (GTK_BOX (row), unit);
  gtk_box_append (GTK_BOX (box), row);
  hint = gtk_label_new (_("Choose more than the size it has now: shrinking a disk would cut off the data at its end."));
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_justify (GTK_LABEL (hint), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (hint, "error");
  gtk_widget_set_visible (hint, FALSE);
  gtk_box_append (GTK_BOX (box), hint);
  piso_alert_set_extra_child (alert, box);

  g_object_set_data_full (G_OBJECT (alert), "piso-target", g_strdup (target), g_free);
  g_object_set_data (G_OBJECT (alert), "piso-capacity", GSIZE_TO_POINTER (capacity));
  g_object_set_data (G_OBJECT (alert), "piso-spin", spin);
  g_object_set_data (G_OBJECT (alert), "piso-hint", hint);
  g_signal_connect (spin, "value-changed", G_CALLBACK (piso_machine_hardware_grow_value_cb), alert);
  g_signal_connect_object (alert, "response", G_CALLBACK (piso_machine_hardware_grow_disk_cb),
                           self, 0);
  piso_alert_present (alert, widget);
}

/* ---- network interfaces ---- */

/* (sb): the interface's MAC and whether its cable is plugged in */
static void
piso_machine_hardware_set_link_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  const char *mac;
  gboolean up;

  g_variant_get (param, "(&sb)", &mac, &up);
  if (machine == NULL)
    return;

  piso_machine_set_interface_link_async (machine, mac, up, NULL, piso_machine_hardware_change_cb,
                                         piso_machine_hardware_new_call (self, CHANGE_SET_LINK, mac));
}

static void
piso_machine_hardware_remove_interface_action (GtkWidget  *widget,
                                               const char *action_name,
                                               GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  const char *mac = g_variant_get_string (param, NULL);

  if (machine == NULL)
    return;

  piso_machine_remove_interface_async (machine, mac, NULL, piso_machine_hardware_change_cb,
                                       piso_machine_hardware_new_call (self, CHANGE_REMOVE_INTERFACE, mac));
}

static void
piso_machine_hardware_interface_chosen_cb (PisoMachineAddInterface *dialog,
                                           const char              *response,
                                           PisoMachineHardware     *self)
{
  PisoMachine *machine = piso_machine_hardware_answered (self, response, "add");
  const char *mac = piso_machine_add_interface_get_mac (dialog);
  PisoNetSourceKind kind;
  const char *source;

  if (machine == NULL || !piso_machine_add_interface_get_source (dialog, &kind, &source))
    return;

  if (mac != NULL)
    piso_machine_set_interface_source_async (machine, mac, kind, source, NULL,
                                             piso_machine_hardware_change_cb,
                                             piso_machine_hardware_new_call (self, CHANGE_SET_INTERFACE_SOURCE, mac));
  else
    /* The model New Machine would choose for the OS */
    piso_machine_add_interface_async (machine, kind, source, NULL, NULL,
                                      piso_machine_hardware_change_cb,
                                      piso_machine_hardware_new_call (self, CHANGE_ADD_INTERFACE, NULL));
}

static void
piso_machine_hardware_present_interface_dialog (PisoMachineHardware *self,
                                                const char          *mac)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  GtkWidget *dialog;

  if (machine == NULL)
    return;

  dialog = piso_machine_add_interface_new (machine, mac);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (piso_machine_hardware_interface_chosen_cb), self, 0);
  piso_alert_present (dialog, GTK_WIDGET (self));
}

static void
piso_machine_hardware_add_interface_action (GtkWidget  *widget,
                                            const char *action_name,
                                            GVariant   *param)
{
  piso_machine_hardware_present_interface_dialog (PISO_MACHINE_HARDWARE (widget), NULL);
}

static void
piso_machine_hardware_change_interface_source_action (GtkWidget  *widget,
                                                      const char *action_name,
                                                      GVariant   *param)
{
  piso_machine_hardware_present_interface_dialog (PISO_MACHINE_HARDWARE (widget),
                                                  g_variant_get_string (param, NULL));
}

/* ---- boot ---- */

static void
piso_machine_hardware_set_boot_menu_action (GtkWidget  *widget,
                                            const char *action_name,
                                            GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));

  if (machine != NULL)
    piso_machine_set_boot_menu_async (machine, g_variant_get_boolean (param), NULL,
                                      piso_machine_hardware_change_cb,
                                      piso_machine_hardware_new_call (self, CHANGE_BOOT_MENU, NULL));
}

/* (ubb): PisoFirmware, Secure Boot, TPM */
static void
piso_machine_hardware_set_firmware_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  guint firmware;
  gboolean secure_boot;
  gboolean tpm;

  g_variant_get (param, "(ubb)", &firmware, &secure_boot, &tpm);
  if (machine != NULL)
    piso_machine_set_firmware_async (machine, firmware, secure_boot, tpm, NULL,
                                     piso_machine_hardware_change_cb,
                                     piso_machine_hardware_new_call (self, CHANGE_FIRMWARE, NULL));
}

static void
piso_machine_hardware_set_boot_order_action (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *param)
{
  PisoMachineHardware *self = PISO_MACHINE_HARDWARE (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  g_autofree const char **order = g_variant_get_strv (param, NULL);

  if (machine != NULL)
    piso_machine_set_boot_order_async (machine, order, NULL, piso_machine_hardware_change_cb,
                                       piso_machine_hardware_new_call (self, CHANGE_BOOT_ORDER, NULL));
}

/* ------------------------------------------------------------------------ */

GtkWidget *
piso_machine_hardware_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_HARDWARE, NULL);
}

static void
piso_machine_hardware_dispose (GObject *object)
{
  PisoMachineHardware *self = (PisoMachineHardware *)object;

  if (self->disks_list != NULL)
    gtk_list_box_bind_model (self->disks_list, NULL, NULL, NULL, NULL);
  if (self->interfaces_list != NULL)
    gtk_list_box_bind_model (self->interfaces_list, NULL, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_MACHINE_HARDWARE);

  G_OBJECT_CLASS (piso_machine_hardware_parent_class)->dispose (object);
}

static void
piso_machine_hardware_class_init (PisoMachineHardwareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_machine_hardware_dispose;

  section_class->machine_changed = piso_machine_hardware_machine_changed;
  section_class->update = piso_machine_hardware_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-hardware.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineHardware, boot_group);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineHardware, disks_list);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineHardware, interfaces_list);

  gtk_widget_class_install_action (widget_class, "hardware.eject-cd", "s",
                                   piso_machine_hardware_eject_cd_action);
  gtk_widget_class_install_action (widget_class, "hardware.insert-cd", "s",
                                   piso_machine_hardware_insert_cd_action);
  gtk_widget_class_install_action (widget_class, "hardware.set-cd", "(ss)",
                                   piso_machine_hardware_set_cd_action);
  gtk_widget_class_install_action (widget_class, "hardware.remove-disk", "s",
                                   piso_machine_hardware_remove_disk_action);
  gtk_widget_class_install_action (widget_class, "hardware.grow-disk", "s",
                                   piso_machine_hardware_grow_disk_action);
  gtk_widget_class_install_action (widget_class, "hardware.add-disk", NULL,
                                   piso_machine_hardware_add_disk_action);
  gtk_widget_class_install_action (widget_class, "hardware.set-link", "(sb)",
                                   piso_machine_hardware_set_link_action);
  gtk_widget_class_install_action (widget_class, "hardware.remove-interface", "s",
                                   piso_machine_hardware_remove_interface_action);
  gtk_widget_class_install_action (widget_class, "hardware.set-boot-menu", "b",
                                   piso_machine_hardware_set_boot_menu_action);
  gtk_widget_class_install_action (widget_class, "hardware.set-firmware", "(ubb)",
                                   piso_machine_hardware_set_firmware_action);
  gtk_widget_class_install_action (widget_class, "hardware.set-boot-order", "as",
                                   piso_machine_hardware_set_boot_order_action);
  gtk_widget_class_install_action (widget_class, "hardware.add-interface", NULL,
                                   piso_machine_hardware_add_interface_action);
  gtk_widget_class_install_action (widget_class, "hardware.change-interface-source", "s",
                                   piso_machine_hardware_change_interface_source_action);

  g_type_ensure (PISO_TYPE_MACHINE_BOOT_GROUP);
}

static void
piso_machine_hardware_init (PisoMachineHardware *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  piso_machine_hardware_set_placeholder (self->disks_list, _("No disks"));
  piso_machine_hardware_set_placeholder (self->interfaces_list, _("No network interfaces"));
}
