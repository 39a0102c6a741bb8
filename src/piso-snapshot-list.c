/* piso-snapshot-list.c: the machine page's Snapshots: take, revert, edit and delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshot-list"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-alert.h"
#include "piso-format.h"
#include "piso-machine-toast.h"
#include "piso-snapshot-list.h"
#include "piso-snapshot-row.h"

/* How long "Shut Down and Take Snapshot" waits for the guest to be off */
#define SHUTDOWN_TIMEOUT_S 120

struct _PisoSnapshotList
{
  PisoMachineSection   parent_instance;

  PisoSnapshots       *snapshots;      /* the shown machine's */
  GtkFilterListModel  *visible;        /* the snapshots but those being deleted */
  GtkCustomFilter     *filter;
  /* Names of the shown machine's snapshots being deleted: to their Undo
   * toast while it shows, to NULL once the deletion runs. */
  GHashTable          *hidden;
  GCancellable        *cancellable;    /* the shown machine's operations */
  gboolean             busy;           /* a take, revert or conversion runs */
  gboolean             refreshing;     /* the list is being read */
  PisoSnapshot        *reverting;      /* while a revert to it runs */
  AdwToast            *news;           /* the last "what just happened" toast */

  /* Template children */
  GtkButton           *convert_button;
  AdwActionRow        *kind_row;
  AdwActionRow        *limit_row;
  AdwActionRow        *note_row;
  GtkListBox          *snapshots_list;
  GtkButton           *take_button;
  /* The view's child (not a template child: GTK would unparent it twice) */
  AdwToastOverlay     *toast_overlay;
};

G_DEFINE_FINAL_TYPE (PisoSnapshotList, piso_snapshot_list, PISO_TYPE_MACHINE_SECTION)

static void piso_snapshot_list_update_all (PisoSnapshotList *self);

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
piso_snapshot_list_news_dismissed_cb (PisoSnapshotList *self,
                                      AdwToast         *toast)
{
  if (self->news == toast)
    g_clear_object (&self->news);
}

/* Announced in the view (and so to screen readers): what just happened */
static void
piso_snapshot_list_toast (PisoSnapshotList *self,
                          const char       *message)
{
  AdwToast *toast = adw_toast_new (message);

  /* Only the latest news: a toast still queued would tell of a snapshot
   * taken before the one just listed. (Held only while it is in the
   * overlay: libadwaita 1.2 warns when a toast that went is dismissed.) */
  if (self->news != NULL)
    adw_toast_dismiss (self->news);
  g_set_object (&self->news, toast);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (piso_snapshot_list_news_dismissed_cb),
                           self, G_CONNECT_SWAPPED);
  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
piso_snapshot_list_set_busy (PisoSnapshotList *self,
                             gboolean          busy)
{
  self->busy = busy;
  piso_snapshot_list_update_all (self);
}

/* An alert over the view: Cancel (also Escape) and @response, labelled
 * @label with @appearance. Enter gives @response when @confirm_default,
 * else Cancel (where the answer loses or risks something). @response_cb
 * (self, response, dialog) gets the answer. Shown by
 * piso_snapshot_list_present_alert() once its child and data are set. */
static GtkWidget *
piso_snapshot_list_new_alert (PisoSnapshotList      *self,
                              const char            *heading,
                              const char            *body,
                              const char            *response,
                              const char            *label,
                              AdwResponseAppearance  appearance,
                              gboolean               confirm_default,
                              GCallback              response_cb)
{
  GtkWidget *dialog = piso_alert_new (heading, body);

  piso_alert_add_response (dialog, "cancel", _("_Cancel"));
  piso_alert_add_response (dialog, response, label);
  piso_alert_set_response_appearance (dialog, response, appearance);
  piso_alert_set_default_response (dialog, confirm_default ? response : "cancel");
  piso_alert_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", response_cb, self, G_CONNECT_SWAPPED);
  return dialog;
}

static void
piso_snapshot_list_present_alert (PisoSnapshotList *self,
                                  GtkWidget        *dialog)
{
  piso_alert_present (dialog, GTK_WIDGET (self));
}

/* ---- what the view shows ---- */

static void
piso_snapshot_list_update_all (PisoSnapshotList *self)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  gboolean connected = piso_machine_section_is_connected (PISO_MACHINE_SECTION (self));
  gboolean loaded = self->snapshots != NULL && piso_snapshots_get_loaded (self->snapshots);
  PisoSnapshotLimit limit = loaded ? piso_snapshots_get_limit (self->snapshots)
                                   : PISO_SNAPSHOT_LIMIT_UNKNOWN;
  gboolean off = machine != NULL && piso_machine_get_state (machine) == PISO_MACHINE_STATE_SHUTOFF;
  gboolean ready = loaded && connected && !self->busy;
  const char *note = loaded ? piso_snapshots_get_note (self->snapshots) : NULL;
  const char *label;
  g_autofree char *kind_text = NULL;

  if (!loaded)
    kind_text = g_strdup (connected ? _("Reading the snapshots…") : _("Not connected"));
  else
    {
      const char *where;
      const char *what;

      switch (piso_snapshots_get_kind (self->snapshots))
        {
        case PISO_SNAPSHOT_KIND_INTERNAL:
          where = _("Inside the machine’s qcow2 disks (internal snapshots)");
          break;
        case PISO_SNAPSHOT_KIND_EXTERNAL:
          where = _("In new files beside the machine’s disks (external snapshots)");
          break;
        case PISO_SNAPSHOT_KIND_NONE:
        default:
          where = _("None: this machine cannot have snapshots as it is");
          break;
        }
      if (piso_snapshots_get_kind (self->snapshots) == PISO_SNAPSHOT_KIND_NONE)
        what = NULL;
      else if (piso_snapshots_get_with_memory (self->snapshots))
        what = _("A snapshot taken now keeps the disks and the running memory.");
      else
        what = _("A snapshot taken now keeps the disks.");
      kind_text = what != NULL ? g_strdup_printf ("%s\n%s", where, what) : g_strdup (where);
    }
  adw_action_row_set_subtitle (self->kind_row, kind_text);

  gtk_widget_set_visible (GTK_WIDGET (self->limit_row),
                          limit != PISO_SNAPSHOT_LIMIT_UNKNOWN && limit != PISO_SNAPSHOT_LIMIT_NONE);
  if (limit != PISO_SNAPSHOT_LIMIT_UNKNOWN && limit != PISO_SNAPSHOT_LIMIT_NONE && !self->busy)
    adw_action_row_set_subtitle (self->limit_row, piso_snapshots_get_limit_message (self->snapshots));
  gtk_widget_set_visible (GTK_WIDGET (self->convert_button), limit == PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2);

  gtk_widget_set_visible (GTK_WIDGET (self->note_row), note != NULL);
  if (note != NULL)
    adw_action_row_set_subtitle (self->note_row, note);

  label = limit == PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN ? _("Shut Down and _Take Snapshot…")
                                                      : _("_Take Snapshot…");
  piso_a11y_set_button_label (self->take_button, label);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "snapshots.take",
                                 ready && (limit == PISO_SNAPSHOT_LIMIT_NONE ||
                                           limit == PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "snapshots.convert",
                                 ready && limit == PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2 && off);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "snapshots.revert", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "snapshots.edit", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "snapshots.delete", ready);
}

static void
piso_snapshot_list_snapshots_notify_cb (PisoSnapshotList *self,
                                        GParamSpec       *pspec,
                                        PisoSnapshots    *snapshots)
{
  g_assert (PISO_IS_SNAPSHOT_LIST (self));

  piso_snapshot_list_update_all (self);
}

static void piso_snapshot_list_refresh (PisoSnapshotList *self);

static void
piso_snapshot_list_update (PisoMachineSection *section,
                           GParamSpec         *pspec)
{
  PisoSnapshotList *self = PISO_SNAPSHOT_LIST (section);

  /* Shown before its connection was up: read the list once it is */
  if (pspec == NULL && self->snapshots != NULL && !piso_snapshots_get_loaded (self->snapshots))
    piso_snapshot_list_refresh (self);
  piso_snapshot_list_update_all (self);
}

static gboolean
piso_snapshot_list_filter_func (gpointer item,
                                gpointer user_data)
{
  PisoSnapshotList *self = user_data;

  return !g_hash_table_contains (self->hidden, piso_snapshot_get_name (item));
}

static GtkWidget *
piso_snapshot_list_create_row (gpointer item,
                               gpointer user_data)
{
  return piso_snapshot_row_new (item);
}

static void
piso_snapshot_list_refresh_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(PisoSnapshotList) self = user_data;
  g_autoptr(GError) error = NULL;

  if (PISO_SNAPSHOTS (object) == self->snapshots)
    self->refreshing = FALSE;
  if (!piso_snapshots_refresh_finish (PISO_SNAPSHOTS (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    piso_machine_toast_error (GTK_WIDGET (self), _("Could not list the snapshots"), error);
  piso_snapshot_list_update_all (self);
}

/* libvirt tells of no snapshot another program takes: read them whenever
 * the view shows. */
static void
piso_snapshot_list_refresh (PisoSnapshotList *self)
{
  if (self->snapshots == NULL || self->refreshing ||
      !piso_machine_section_is_connected (PISO_MACHINE_SECTION (self)))
    return;

  self->refreshing = TRUE;
  piso_snapshots_refresh_async (self->snapshots, self->cancellable,
                                piso_snapshot_list_refresh_cb, g_object_ref (self));
}

/* ---- delete, with an Undo first ---- */

typedef struct
{
  PisoSnapshotList *self;
  PisoSnapshots    *snapshots;
  char             *name;
} Deletion;

static void
deletion_free (Deletion *deletion)
{
  g_clear_object (&deletion->self);
  g_clear_object (&deletion->snapshots);
  g_free (deletion->name);
  g_free (deletion);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Deletion, deletion_free)

static void
piso_snapshot_list_deleted_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(Deletion) deletion = user_data;
  PisoSnapshotList *self = deletion->self;
  g_autoptr(GError) error = NULL;
  gboolean deleted = piso_snapshots_delete_finish (PISO_SNAPSHOTS (object), result, &error);

  /* Deleted, it left the list; refused, it shows again. */
  if (self->snapshots == deletion->snapshots &&
      g_hash_table_remove (self->hidden, deletion->name))
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);

  if (!deleted)
    piso_machine_toast_error (GTK_WIDGET (self), _("Could not delete the snapshot"), error);
}

static void
piso_snapshot_list_start_delete (PisoSnapshotList *self,
                                 const char       *name)
{
  const char *names[] = { name, NULL };
  Deletion *deletion = g_new0 (Deletion, 1);

  deletion->self = g_object_ref (self);
  deletion->snapshots = g_object_ref (self->snapshots);
  deletion->name = g_strdup (name);
  g_hash_table_replace (self->hidden, g_strdup (name), NULL);
  /* Not cancelled with the view: the user let it go ahead. */
  piso_snapshots_delete_async (self->snapshots, names, NULL,
                               piso_snapshot_list_deleted_cb, deletion);
}

static void
piso_snapshot_list_undo_cb (PisoSnapshotList *self,
                            AdwToast         *toast)
{
  const char *name = g_object_get_data (G_OBJECT (toast), "piso-snapshot-name");

  g_assert (PISO_IS_SNAPSHOT_LIST (self));

  if (g_hash_table_lookup (self->hidden, name) != toast)
    return;
  g_hash_table_remove (self->hidden, name);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
piso_snapshot_list_toast_dismissed_cb (PisoSnapshotList *self,
                                       AdwToast         *toast)
{
  const char *name = g_object_get_data (G_OBJECT (toast), "piso-snapshot-name");

  g_assert (PISO_IS_SNAPSHOT_LIST (self));

  /* Undone, or already running */
  if (g_hash_table_lookup (self->hidden, name) != toast)
    return;
  piso_snapshot_list_start_delete (self, name);
}

/* The deletions still waiting for their toast go ahead now (another
 * machine is shown, or the view goes away). */
static void
piso_snapshot_list_commit_deletions (PisoSnapshotList *self)
{
  g_autoptr(GPtrArray) toasts = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer toast;

  g_hash_table_iter_init (&iter, self->hidden);
  while (g_hash_table_iter_next (&iter, NULL, &toast))
    if (toast != NULL)
      g_ptr_array_add (toasts, g_object_ref (toast));

  for (guint i = 0; i < toasts->len; i++)
    {
      AdwToast *t = g_ptr_array_index (toasts, i);

      g_signal_handlers_disconnect_by_data (t, self);
      piso_snapshot_list_start_delete (self, g_object_get_data (G_OBJECT (t), "piso-snapshot-name"));
      adw_toast_dismiss (t);
    }
}

static void
piso_snapshot_list_delete_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  PisoSnapshotList *self = PISO_SNAPSHOT_LIST (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (self->snapshots == NULL || piso_snapshots_lookup (self->snapshots, name) == NULL ||
      g_hash_table_contains (self->hidden, name))
    return;

  /* Translators: %s is a snapshot's name; the toast offers Undo */
  title = g_strdup_printf (_("Deleted “%s”"),
                           piso_snapshot_get_display_name (piso_snapshots_lookup (self->snapshots, name)));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("Undo"));
  adw_toast_set_timeout (toast, 6);
  /* Shown at once, ahead of any other: its Undo is only good now */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "piso-snapshot-name", g_strdup (name), g_free);
  g_signal_connect_object (toast, "button-clicked",
                           G_CALLBACK (piso_snapshot_list_undo_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (toast, "dismissed",
                           G_CALLBACK (piso_snapshot_list_toast_dismissed_cb), self, G_CONNECT_SWAPPED);

  g_hash_table_replace (self->hidden, g_strdup (name), g_object_ref (toast));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- take ---- */

static void
piso_snapshot_list_taken (PisoSnapshotList *self,
                          PisoSnapshot     *snapshot,
                          const GError     *error)
{
  piso_snapshot_list_set_busy (self, FALSE);
  if (snapshot == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        piso_machine_toast_error (GTK_WIDGET (self), _("Could not take a snapshot"), error);
      return;
    }

  {
    /* Translators: %s is a snapshot's name */
    g_autofree char *message = g_strdup_printf (_("Took the snapshot “%s”"),
                                                piso_snapshot_get_name (snapshot));
    piso_snapshot_list_toast (self, message);
  }
}

static void
piso_snapshot_list_taken_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(PisoSnapshotList) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoSnapshot) snapshot = piso_snapshots_take_finish (PISO_SNAPSHOTS (object), result, &error);

  piso_snapshot_list_taken (self, snapshot, error);
}

static void
piso_snapshot_list_shut_down_and_taken_cb (GObject      *object,
                                           GAsyncResult *result,
                                           gpointer      user_data)
{
  g_autoptr(PisoSnapshotList) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoSnapshot) snapshot =
    piso_snapshots_shut_down_and_take_finish (PISO_SNAPSHOTS (object), result, &error);

  piso_snapshot_list_taken (self, snapshot, error);
}

static void
piso_snapshot_list_take_name_changed_cb (GtkWidget   *dialog,
                                         GtkEditable *entry)
{
  PisoSnapshots *snapshots = g_object_get_data (G_OBJECT (dialog), "piso-snapshots");
  GtkLabel *error_label = g_object_get_data (G_OBJECT (dialog), "piso-error-label");
  g_autoptr(GError) error = NULL;
  gboolean valid = piso_snapshots_validate_name (snapshots, gtk_editable_get_text (entry), &error);

  gtk_label_set_label (error_label, valid ? NULL : error->message);
  gtk_widget_set_visible (GTK_WIDGET (error_label), !valid);
  piso_alert_set_response_enabled (dialog, "take", valid);
}

static void
piso_snapshot_list_take_response_cb (PisoSnapshotList *self,
                                     const char       *response,
                                     GtkWidget        *dialog)
{
  PisoSnapshots *snapshots = g_object_get_data (G_OBJECT (dialog), "piso-snapshots");
  GtkEditable *name_entry = g_object_get_data (G_OBJECT (dialog), "piso-name-entry");
  GtkEditable *description_entry = g_object_get_data (G_OBJECT (dialog), "piso-description-entry");
  const char *name = gtk_editable_get_text (name_entry);
  const char *description = gtk_editable_get_text (description_entry);

  g_assert (PISO_IS_SNAPSHOT_LIST (self));

  if (g_strcmp0 (response, "take") != 0 || snapshots != self->snapshots)
    return;

  piso_snapshot_list_set_busy (self, TRUE);
  if (piso_snapshots_get_limit (snapshots) == PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN)
    piso_snapshots_shut_down_and_take_async (snapshots, name, description, SHUTDOWN_TIMEOUT_S,
                                             self->cancellable,
                                             piso_snapshot_list_shut_down_and_taken_cb,
                                             g_object_ref (self));
  else
    piso_snapshots_take_async (snapshots, name, description, self->cancellable,
                               piso_snapshot_list_taken_cb, g_object_ref (self));
}

static GtkWidget *
piso_snapshot_list_labelled_entry (GtkBox     *box,
                                   const char *label,
                                   const char *text)
{
  GtkWidget *title = gtk_label_new (label);
  GtkWidget *entry = gtk_entry_new ();

  gtk_label_set_xalign (GTK_LABEL (title), 0.0f);
  gtk_widget_add_css_class (title, "heading");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
  /* Named by the label above it, once */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL,
                                  -1);
  gtk_box_append (box, title);
  gtk_box_append (box, entry);
  return entry;
}

static void
piso_snapshot_list_take_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  PisoSnapshotList *self = PISO_SNAPSHOT_LIST (widget);
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  gboolean shut_down;
  g_autofree char *heading = NULL;
  g_autofree char *suggested = NULL;
  const char *body;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *name_entry;
  GtkWidget *description_entry;
  GtkWidget *error_label;

  if (self->snapshots == NULL || machine == NULL)
    return;

  shut_down = piso_snapshots_get_limit (self->snapshots) == PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN;
  /* Translators: %s is a machine's name */
  heading = g_strdup_printf (_("Take a Snapshot of “%s”"), piso_machine_get_display_name (machine));
  if (shut_down)
    body = _("This machine’s snapshots are taken while it is off: its system is asked to shut down first, then the snapshot is taken.");
  else if (piso_snapshots_get_with_memory (self->snapshots))
    body = _("Its disks and running memory are kept: reverting to the snapshot brings it back running as it is now.");
  else
    body = _("Its disks are kept as they are now.");

  dialog = piso_snapshot_list_new_alert (self, heading, body, "take",
                                         shut_down ? _("_Shut Down and Take") : _("_Take"),
                                         ADW_RESPONSE_SUGGESTED, TRUE,
                                         G_CALLBACK (piso_snapshot_list_take_response_cb));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  suggested = piso_snapshots_suggest_name (self->snapshots);
  name_entry = piso_snapshot_list_labelled_entry (GTK_BOX (box), _("Name"), suggested);
  error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (error_label), 0.0f);
  gtk_widget_add_css_class (error_label, "error");
  gtk_widget_set_visible (error_label, FALSE);
  gtk_box_append (GTK_BOX (box), error_label);
  description_entry = piso_snapshot_list_labelled_entry (GTK_BOX (box), _("Description (optional)"), NULL);
  piso_alert_set_extra_child (dialog, box);

  g_object_set_data_full (G_OBJECT (dialog), "piso-snapshots",
                          g_object_ref (self->snapshots), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "piso-name-entry", name_entry);
  g_object_set_data (G_OBJECT (dialog), "piso-description-entry", description_entry);
  g_object_set_data (G_OBJECT (dialog), "piso-error-label", error_label);

  g_signal_connect_object (name_entry, "changed",
                           G_CALLBACK (piso_snapshot_list_take_name_changed_cb),
                           dialog, G_CONNECT_SWAPPED);
  piso_snapshot_list_take_name_changed_cb (dialog, GTK_EDITABLE (name_entry));

  piso_snapshot_list_present_alert (self, dialog);
  gtk_widget_grab_focus (name_entry);
}

/* ---- revert ---- */

static void piso_snapshot_list_revert (PisoSnapshotList        *self,
                                       PisoSnapshot            *snapshot,
                                       PisoSnapshotRevertFlags  flags);

/* Both questions before a revert: the first, and "anyway" (FORCE in
 * "piso-revert-flags") when libvirt called it risky. */
static void
piso_snapshot_list_revert_response_cb (PisoSnapshotList *self,
                                       const char       *response,
                                       GtkWidget        *dialog)
{
  PisoSnapshot *snapshot = g_object_get_data (G_OBJECT (dialog), "piso-snapshot");
  guint flags = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "piso-revert-flags"));

  g_assert (PISO_IS_SNAPSHOT_LIST (self));

  if (g_strcmp0 (response, "revert") == 0)
    piso_snapshot_list_revert (self, snapshot, flags);
}

static void
piso_snapshot_list_reverted_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(PisoSnapshotList) self = user_data;
  g_autoptr(PisoSnapshot) snapshot = g_steal_pointer (&self->reverting);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  piso_snapshot_list_set_busy (self, FALSE);
  if (!piso_snapshots_revert_finish (PISO_SNAPSHOTS (object), result, &error))
    {
      GtkWidget *dialog;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (!g_error_matches (error, PISO_SNAPSHOT_ERROR, PISO_SNAPSHOT_ERROR_RISKY) || snapshot == NULL)
        {
          piso_machine_toast_error (GTK_WIDGET (self), _("Could not revert"), error);
          return;
        }
      /* libvirt's words on why it is risky; still the user's choice */
      dialog = piso_snapshot_list_new_alert (self, _("Revert Anyway?"), error->message,
                                             "revert", _("_Revert Anyway"),
                                             ADW_RESPONSE_DESTRUCTIVE, FALSE,
                                             G_CALLBACK (piso_snapshot_list_revert_response_cb));
      g_object_set_data_full (G_OBJECT (dialog), "piso-snapshot", g_object_ref (snapshot), g_object_unref);
      g_object_set_data (G_OBJECT (dialog), "piso-revert-flags",
                         GUINT_TO_POINTER (PISO_SNAPSHOT_REVERT_FORCE));
      piso_snapshot_list_present_alert (self, dialog);
      return;
    }

  /* Translators: %s is a snapshot's name */
  message = g_strdup_printf (_("Reverted to “%s”"), snapshot != NULL ? piso_snapshot_get_display_name (snapshot) : "");
  piso_snapshot_list_toast (self, message);
}

static void
piso_snapshot_list_revert (PisoSnapshotList        *self,
                           PisoSnapshot            *snapshot,
                           PisoSnapshotRevertFlags  flags)
{
  if (self->snapshots == NULL || piso_snapshots_lookup (self->snapshots,
                                                        piso_snapshot_get_name (snapshot)) != snapshot)
    return;

  g_set_object (&self->reverting, snapshot);
  piso_snapshot_list_set_busy (self, TRUE);
  piso_snapshots_revert_async (self->snapshots, snapshot, flags, self->cancellable,
                               piso_snapshot_list_reverted_cb, g_object_ref (self));
}

static void
piso_snapshot_list_revert_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  PisoSnapshotList *self = PISO_SNAPSHOT_LIST (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  PisoSnapshot *snapshot = self->snapshots != NULL ? piso_snapshots_lookup (self->snapshots, name) : NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (snapshot == NULL)
    return;

  /* Translators: %s is a snapshot's name */
  heading = g_strdup_printf (_("Revert to “%s”?"), piso_snapshot_get_display_name (snapshot));
  body = g_strdup_printf ("%s %s",
                          _("The machine goes back to how it was when the snapshot was taken. Unsaved changes are lost: whatever changed since then and is in no other snapshot."),
                          piso_snapshot_get_has_memory (snapshot)
                          ? _("It will be running, as it was then.")
                          : _("It will be off."));
  /* Keeping the machine as it is is the safe answer */
  dialog = piso_snapshot_list_new_alert (self, heading, body, "revert", _("_Revert"),
                                         ADW_RESPONSE_DESTRUCTIVE, FALSE,
                                         G_CALLBACK (piso_snapshot_list_revert_response_cb));
  g_object_set_data_full (G_OBJECT (dialog), "piso-snapshot", g_object_ref (snapshot), g_object_unref);
  piso_snapshot_list_present_alert (self, dialog);
}

/* ---- rename and describe ---- */

static void
piso_snapshot_list_edited_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(PisoSnapshotList) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_snapshots_edit_finish (PISO_SNAPSHOTS (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    piso_machine_toast_error (GTK_WIDGET (self), _("Could not rename the snapshot"), error);
}

static void
piso_snapshot_list_edit_response_cb (PisoSnapshotList *self,
                                     const char       *response,
                                     GtkWidget        *dialog)
{
  PisoSnapshot *snapshot = g_object_get_data (G_OBJECT (dialog), "piso-snapshot");
  PisoSnapshots *snapshots = g_object_get_data (G_OBJECT (dialog), "piso-snapshots");
  GtkEditable *name_entry = g_object_get_data (G_OBJECT (dialog), "piso-name-entry");
  GtkEditable *description_entry = g_object_get_data (G_OBJECT (dialog), "piso-description-entry");

  g_assert (PISO_IS_SNAPSHOT_LIST (self));

  if (g_strcmp0 (response, "save") != 0 || snapshots != self->snapshots)
    return;

  piso_snapshots_edit_async (snapshots, snapshot, gtk_editable_get_text (name_entry),
                             gtk_editable_get_text (description_entry), self->cancellable,
                             piso_snapshot_list_edited_cb, g_object_ref (self));
}

static void
piso_snapshot_list_edit_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  PisoSnapshotList *self = PISO_SNAPSHOT_LIST (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  PisoSnapshot *snapshot = self->snapshots != NULL ? piso_snapshots_lookup (self->snapshots, name) : NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *name_entry;
  GtkWidget *description_entry;

  if (snapshot == NULL)
    return;

  /* Translators: %s is a snapshot's name */
  heading = g_strdup_printf (_("Rename “%s”"), piso_snapshot_get_display_name (snapshot));
  /* Translators: %s is the snapshot's name in libvirt */
  body = g_strdup_printf (_("Piso shows the name you give here. For libvirt the snapshot stays “%s”: that name is written in its disks."),
                          name);
  dialog = piso_snapshot_list_new_alert (self, heading, body,
                                         "save", _("_Save"), ADW_RESPONSE_SUGGESTED, TRUE,
                                         G_CALLBACK (piso_snapshot_list_edit_response_cb));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  name_entry = piso_snapshot_list_labelled_entry (GTK_BOX (box), _("Name"),
                                                  piso_snapshot_get_display_name (snapshot));
  description_entry = piso_snapshot_list_labelled_entry (GTK_BOX (box), _("Description"),
                                                         piso_snapshot_get_description (snapshot));
  piso_alert_set_extra_child (dialog, box);

  g_object_set_data_full (G_OBJECT (dialog), "piso-snapshot", g_object_ref (snapshot), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "piso-snapshots",
                          g_object_ref (self->snapshots), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "piso-name-entry", name_entry);
  g_object_set_data (G_OBJECT (dialog), "piso-description-entry", description_entry);
  piso_snapshot_list_present_alert (self, dialog);
  gtk_widget_grab_focus (name_entry);
}

/* ---- convert raw disks to qcow2 ---- */

static void
piso_snapshot_list_convert_progress_cb (goffset  current,
                                        goffset  total,
                                        gpointer user_data)
{
  PisoSnapshotList *self = user_data;
  g_autofree char *copied = piso_format_bytes (current);
  g_autofree char *text = NULL;

  /* Translators: %s is an amount of data ("1.2 GiB") */
  text = g_strdup_printf (_("Converting the disks to qcow2… %s copied"), copied);
  adw_action_row_set_subtitle (self->limit_row, text);
}

static void
piso_snapshot_list_converted_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(PisoSnapshotList) self = user_data;
  g_autoptr(GError) error = NULL;

  piso_snapshot_list_set_busy (self, FALSE);
  if (!piso_snapshots_convert_disks_finish (PISO_SNAPSHOTS (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        piso_machine_toast_error (GTK_WIDGET (self), _("Could not convert the disks"), error);
      return;
    }
  piso_snapshot_list_toast (self, _("The disks are qcow2 now: snapshots can be taken"));
  piso_snapshot_list_refresh (self);
}

static void
piso_snapshot_list_convert_response_cb (PisoSnapshotList *self,
                                        const char       *response,
                                        GtkWidget        *dialog)
{
  PisoSnapshots *snapshots = g_object_get_data (G_OBJECT (dialog), "piso-snapshots");

  g_assert (PISO_IS_SNAPSHOT_LIST (self));

  if (g_strcmp0 (response, "convert") != 0 || snapshots != self->snapshots)
    return;

  piso_snapshot_list_set_busy (self, TRUE);
  /* The progress callback runs in this main context while the task (which
   * holds a reference on the view) runs. */
  piso_snapshots_convert_disks_async (snapshots, piso_snapshot_list_convert_progress_cb, self,
                                      self->cancellable, piso_snapshot_list_converted_cb,
                                      g_object_ref (self));
}

static void
piso_snapshot_list_convert_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  PisoSnapshotList *self = PISO_SNAPSHOT_LIST (widget);
  GtkWidget *dialog;

  if (self->snapshots == NULL)
    return;

  dialog = piso_snapshot_list_new_alert (self, _("Convert the Disks to qcow2?"),
                                         _("Each raw disk image is copied into a new qcow2 image beside it. Once the machine uses the copies, the raw images are removed. This needs as much free space as the disks hold and may take a while."),
                                         "convert", _("_Convert"), ADW_RESPONSE_SUGGESTED, FALSE,
                                         G_CALLBACK (piso_snapshot_list_convert_response_cb));
  g_object_set_data_full (G_OBJECT (dialog), "piso-snapshots",
                          g_object_ref (self->snapshots), g_object_unref);
  piso_snapshot_list_present_alert (self, dialog);
}

/* ---- the machine ---- */

static void
piso_snapshot_list_machine_changed (PisoMachineSection *section)
{
  PisoSnapshotList *self = PISO_SNAPSHOT_LIST (section);
  PisoMachine *machine = piso_machine_section_get_machine (section);

  piso_snapshot_list_commit_deletions (self);
  g_hash_table_remove_all (self->hidden);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->busy = FALSE;
  self->refreshing = FALSE;

  if (self->snapshots != NULL)
    g_signal_handlers_disconnect_by_data (self->snapshots, self);
  g_clear_object (&self->snapshots);
  if (machine != NULL)
    self->snapshots = g_object_ref (piso_snapshots_get_for_machine (machine));
  gtk_filter_list_model_set_model (self->visible, G_LIST_MODEL (self->snapshots));

  if (self->snapshots != NULL)
    g_signal_connect_object (self->snapshots, "notify",
                             G_CALLBACK (piso_snapshot_list_snapshots_notify_cb),
                             self, G_CONNECT_SWAPPED);
  /* Read when the view shows (map), not for every machine selected */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    piso_snapshot_list_refresh (self);
}

static void
piso_snapshot_list_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (piso_snapshot_list_parent_class)->map (widget);

  piso_snapshot_list_refresh (PISO_SNAPSHOT_LIST (widget));
}

GtkWidget *
piso_snapshot_list_new (void)
{
  return g_object_new (PISO_TYPE_SNAPSHOT_LIST, NULL);
}

static void
piso_snapshot_list_dispose (GObject *object)
{
  PisoSnapshotList *self = (PisoSnapshotList *)object;

  if (self->hidden != NULL && self->snapshots != NULL)
    piso_snapshot_list_commit_deletions (self);
  g_cancellable_cancel (self->cancellable);
  if (self->snapshots != NULL)
    g_signal_handlers_disconnect_by_data (self->snapshots, self);
  if (self->snapshots_list != NULL)
    gtk_list_box_bind_model (self->snapshots_list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_SNAPSHOT_LIST);
  g_clear_object (&self->visible);
  g_clear_object (&self->snapshots);
  g_clear_object (&self->news);

  G_OBJECT_CLASS (piso_snapshot_list_parent_class)->dispose (object);
}

static void
piso_snapshot_list_finalize (GObject *object)
{
  PisoSnapshotList *self = (PisoSnapshotList *)object;

  g_clear_pointer (&self->hidden, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->reverting);

  G_OBJECT_CLASS (piso_snapshot_list_parent_class)->finalize (object);
}

static void
piso_snapshot_list_class_init (PisoSnapshotListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_snapshot_list_dispose;
  object_class->finalize = piso_snapshot_list_finalize;
  widget_class->map = piso_snapshot_list_map;
  section_class->machine_changed = piso_snapshot_list_machine_changed;
  section_class->update = piso_snapshot_list_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-snapshot-list.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotList, convert_button);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotList, kind_row);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotList, limit_row);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotList, note_row);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotList, snapshots_list);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotList, take_button);

  gtk_widget_class_install_action (widget_class, "snapshots.take", NULL,
                                   piso_snapshot_list_take_action);
  gtk_widget_class_install_action (widget_class, "snapshots.revert", "s",
                                   piso_snapshot_list_revert_action);
  gtk_widget_class_install_action (widget_class, "snapshots.edit", "s",
                                   piso_snapshot_list_edit_action);
  gtk_widget_class_install_action (widget_class, "snapshots.delete", "s",
                                   piso_snapshot_list_delete_action);
  gtk_widget_class_install_action (widget_class, "snapshots.convert", NULL,
                                   piso_snapshot_list_convert_action);
}

static void
piso_snapshot_list_init (PisoSnapshotList *self)
{
  GtkWidget *placeholder;

  self->hidden = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unref_if_set);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));

  self->filter = gtk_custom_filter_new (piso_snapshot_list_filter_func, self, NULL);
  self->visible = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  gtk_list_box_bind_model (self->snapshots_list, G_LIST_MODEL (self->visible),
                           piso_snapshot_list_create_row, NULL, NULL);

  placeholder = gtk_label_new (_("No snapshots yet. A snapshot keeps the machine as it is now, to come back to later."));
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_label_set_xalign (GTK_LABEL (placeholder), 0.0f);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (self->snapshots_list, placeholder);
}
