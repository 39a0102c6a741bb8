/* piso-snapshot-row.c: one snapshot of a machine, in the Snapshots view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-snapshot-row"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-snapshot-row.h"
#include "piso-thumbnail-image.h"

/* The picture's box (its size request in the template): a row's height,
 * the shape of most screens. A screen of another shape is decoded to fit in
 * it and then covers it: a GtkPicture asks for its image's size, so a
 * larger image would make a larger box. */
#define PICTURE_WIDTH  80
#define PICTURE_HEIGHT 50

struct _PisoSnapshotRow
{
  AdwActionRow   parent_instance;

  PisoSnapshot  *snapshot;
  GCancellable  *cancellable;
  gboolean       picture_requested;

  /* Template children */
  GtkLabel      *current_label;
  GtkButton     *delete_button;
  GtkButton     *edit_button;
  GtkPicture    *picture;
  GtkButton     *revert_button;
};

G_DEFINE_FINAL_TYPE (PisoSnapshotRow, piso_snapshot_row, ADW_TYPE_ACTION_ROW)

static const char *
piso_snapshot_row_state_text (PisoSnapshotState state)
{
  switch (state)
    {
    case PISO_SNAPSHOT_STATE_RUNNING:
      return _("Running, with its memory");
    case PISO_SNAPSHOT_STATE_PAUSED:
      return _("Paused, with its memory");
    case PISO_SNAPSHOT_STATE_DISK_ONLY:
      return _("Running, disks only");
    case PISO_SNAPSHOT_STATE_OFF:
    default:
      return _("Off");
    }
}

/* ---- the picture: loaded and decoded off the main thread ---- */

static void
piso_snapshot_row_decode_thread (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  const char *mime_type = g_object_get_data (G_OBJECT (task), "piso-mime-type");
  g_autoptr(GError) error = NULL;
  PisoThumbnailImage *image;

  image = piso_thumbnail_decode (bytes, mime_type, PICTURE_WIDTH, PICTURE_HEIGHT, &error);
  if (image == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, image, (GDestroyNotify) piso_thumbnail_image_free);
}

static void
piso_snapshot_row_decoded_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  PisoSnapshotRow *self = PISO_SNAPSHOT_ROW (object);
  g_autoptr(PisoThumbnailImage) image = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  image = g_task_propagate_pointer (G_TASK (result), &error);
  if (image == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("No picture for snapshot %s: %s",
                   piso_snapshot_get_name (self->snapshot), error->message);
          /* The next change of the snapshot may bring one. */
          self->picture_requested = FALSE;
        }
      return;
    }

  texture = gdk_memory_texture_new (image->width, image->height, GDK_MEMORY_R8G8B8,
                                    image->pixels, image->width * 3);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_picture_set_alternative_text (self->picture, _("The screen when the snapshot was taken"));
  gtk_widget_set_visible (GTK_WIDGET (self->picture), TRUE);
}

static void
piso_snapshot_row_loaded_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(PisoSnapshotRow) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  char *mime_type = NULL;

  bytes = piso_snapshot_load_screenshot_finish (PISO_SNAPSHOT (object), result, &mime_type, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("No picture for snapshot %s: %s",
                   piso_snapshot_get_name (PISO_SNAPSHOT (object)), error->message);
          self->picture_requested = FALSE;
        }
      return;
    }

  task = g_task_new (self, self->cancellable, piso_snapshot_row_decoded_cb, NULL);
  g_task_set_source_tag (task, piso_snapshot_row_loaded_cb);
  g_task_set_task_data (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (task), "piso-mime-type", mime_type, g_free);
  g_task_run_in_thread (task, piso_snapshot_row_decode_thread);
}

static void
piso_snapshot_row_request_picture (PisoSnapshotRow *self)
{
  if (self->picture_requested || !piso_snapshot_get_has_screenshot (self->snapshot))
    return;

  self->picture_requested = TRUE;
  piso_snapshot_load_screenshot_async (self->snapshot, self->cancellable,
                                       piso_snapshot_row_loaded_cb, g_object_ref (self));
}

/* ---- the text ---- */

static void
piso_snapshot_row_update (PisoSnapshotRow *self)
{
  PisoSnapshot *snapshot = self->snapshot;
  const char *name = piso_snapshot_get_display_name (snapshot);
  const char *description = piso_snapshot_get_description (snapshot);
  const char *parent = piso_snapshot_get_parent_display_name (snapshot);
  g_autoptr(GDateTime) taken = g_date_time_new_from_unix_local (piso_snapshot_get_creation_time (snapshot));
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *when = NULL;
  g_autofree char *label = NULL;
  gboolean current = piso_snapshot_get_current (snapshot);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);

  /* Translators: when a snapshot was taken, a GDateTime format
   * (https://docs.gtk.org/glib/method.DateTime.format.html) */
  when = taken != NULL ? g_date_time_format (taken, _("%b %-d %Y, %H:%M")) : NULL;
  /* Translators: when a snapshot was taken · the machine's state in it */
  g_string_append_printf (subtitle, _("Taken %s · %s"), when != NULL ? g_strstrip (when) : "?",
                          piso_snapshot_row_state_text (piso_snapshot_get_state (snapshot)));
  if (parent != NULL)
    {
      g_string_append (subtitle, " · ");
      /* Translators: the snapshot this one was taken after */
      g_string_append_printf (subtitle, _("after “%s”"), parent);
    }
  if (description != NULL && description[0] != '\0')
    {
      g_string_append_c (subtitle, '\n');
      g_string_append (subtitle, description);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);

  gtk_widget_set_visible (GTK_WIDGET (self->current_label), current);

  /* Each button says which snapshot it acts on, once. */
  label = g_strdup_printf (_("Revert to “%s”"), name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->revert_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->revert_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_free (label);
  label = g_strdup_printf (_("Rename or describe “%s”"), name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->edit_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->edit_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_free (label);
  label = g_strdup_printf (_("Delete “%s”"), name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->delete_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delete_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  gtk_widget_set_sensitive (GTK_WIDGET (self->revert_button), piso_snapshot_get_can_revert (snapshot));

  piso_snapshot_row_request_picture (self);
}

static void
piso_snapshot_row_notify_cb (PisoSnapshotRow *self,
                             GParamSpec      *pspec,
                             PisoSnapshot    *snapshot)
{
  g_assert (PISO_IS_SNAPSHOT_ROW (self));

  piso_snapshot_row_update (self);
}

GtkWidget *
piso_snapshot_row_new (PisoSnapshot *snapshot)
{
  PisoSnapshotRow *self;
  GVariant *target;

  g_return_val_if_fail (PISO_IS_SNAPSHOT (snapshot), NULL);

  self = g_object_new (PISO_TYPE_SNAPSHOT_ROW, NULL);
  self->snapshot = g_object_ref (snapshot);

  target = g_variant_ref_sink (g_variant_new_string (piso_snapshot_get_name (snapshot)));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->revert_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->delete_button), target);
  g_variant_unref (target);

  g_signal_connect_object (snapshot, "notify", G_CALLBACK (piso_snapshot_row_notify_cb),
                           self, G_CONNECT_SWAPPED);
  piso_snapshot_row_update (self);

  return GTK_WIDGET (self);
}

PisoSnapshot *
piso_snapshot_row_get_snapshot (PisoSnapshotRow *self)
{
  g_return_val_if_fail (PISO_IS_SNAPSHOT_ROW (self), NULL);

  return self->snapshot;
}

static void
piso_snapshot_row_dispose (GObject *object)
{
  PisoSnapshotRow *self = (PisoSnapshotRow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_SNAPSHOT_ROW);

  G_OBJECT_CLASS (piso_snapshot_row_parent_class)->dispose (object);
}

static void
piso_snapshot_row_finalize (GObject *object)
{
  PisoSnapshotRow *self = (PisoSnapshotRow *)object;

  g_clear_object (&self->snapshot);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (piso_snapshot_row_parent_class)->finalize (object);
}

static void
piso_snapshot_row_class_init (PisoSnapshotRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_snapshot_row_dispose;
  object_class->finalize = piso_snapshot_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-snapshot-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotRow, current_label);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotRow, picture);
  gtk_widget_class_bind_template_child (widget_class, PisoSnapshotRow, revert_button);
}

static void
piso_snapshot_row_init (PisoSnapshotRow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
