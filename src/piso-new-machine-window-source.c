/* piso-new-machine-window-source.c: choosing the installer
 *
 * The file chooser opens where installers usually are (the last folder used,
 * else Downloads) on the installer or disk-image filter; the installers of
 * the machines created before are offered as rows on the source page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-new-machine"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-gtk-version.h"
#include "piso-new-machine-window-private.h"

/* The chooser opens next time where this file was */
static void
piso_new_machine_window_file_picked (PisoNewMachineWindow *self,
                                     PisoInstallSourceKind kind,
                                     GFile                *file)
{
  g_autoptr(GFile) folder = g_file_get_parent (file);

  if (self->settings != NULL && folder != NULL)
    piso_settings_set_media_folder (self->settings, folder);
  piso_new_machine_window_set_chosen_file (self, kind, file);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
piso_new_machine_window_file_dialog_cb (GObject      *object,
                                        GAsyncResult *result,
                                        gpointer      user_data)
{
  g_autoptr(PisoNewMachineWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  PisoInstallSourceKind kind = GPOINTER_TO_INT (g_object_get_data (object, "piso-kind"));

  PISO_NEWER_GTK_BEGIN
  file = gtk_file_dialog_open_finish (GTK_FILE_DIALOG (object), result, NULL);
  PISO_NEWER_GTK_END
  if (file != NULL && !self->disposed)
    piso_new_machine_window_file_picked (self, kind, file);
}
#else
static void
piso_new_machine_window_file_chosen_cb (GtkNativeDialog      *dialog,
                                        int                   response,
                                        PisoNewMachineWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      PisoInstallSourceKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog),
                                                                       "piso-kind"));

      if (file != NULL)
        piso_new_machine_window_file_picked (self, kind, file);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}
#endif

void
piso_new_machine_window_choose_cb (PisoNewMachineWindow *self)
{
  PisoInstallSourceKind kind = _piso_new_machine_window_chosen_source_kind (self);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  g_autoptr(GFile) folder = NULL;
  const char *title;

  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (kind == PISO_INSTALL_SOURCE_IMPORT)
    {
      gtk_file_filter_set_name (filter, _("Disk images"));
      gtk_file_filter_add_suffix (filter, "qcow2");
      gtk_file_filter_add_suffix (filter, "img");
      gtk_file_filter_add_suffix (filter, "raw");
      gtk_file_filter_add_suffix (filter, "vmdk");
      gtk_file_filter_add_suffix (filter, "vdi");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("Installer media"));
      gtk_file_filter_add_suffix (filter, "iso");
      gtk_file_filter_add_suffix (filter, "img");
      gtk_file_filter_add_mime_type (filter, "application/x-cd-image");
    }
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  title = kind == PISO_INSTALL_SOURCE_IMPORT ? _("Choose a Disk Image") : _("Choose Installer Media");
  /* The last folder used, else Downloads: where ISOs usually are */
  folder = self->settings != NULL ? piso_settings_dup_media_folder (self->settings) : NULL;

#if GTK_CHECK_VERSION (4, 10, 0)
  PISO_NEWER_GTK_BEGIN
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
    g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

    g_list_store_append (filters, filter);
    g_list_store_append (filters, all);
    gtk_file_dialog_set_title (dialog, title);
    gtk_file_dialog_set_modal (dialog, TRUE);
    gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
    gtk_file_dialog_set_default_filter (dialog, filter);
    if (folder != NULL)
      gtk_file_dialog_set_initial_folder (dialog, folder);
    g_object_set_data (G_OBJECT (dialog), "piso-kind", GINT_TO_POINTER (kind));
    gtk_file_dialog_open (dialog, GTK_WINDOW (self), self->cancellable,
                          piso_new_machine_window_file_dialog_cb, g_object_ref (self));
  }
  PISO_NEWER_GTK_END
#else
  {
    GtkFileChooserNative *dialog;

    dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                          _("_Open"), _("_Cancel"));
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
    gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (dialog), filter);
    if (folder != NULL && g_file_query_exists (folder, NULL))
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
    g_object_set_data (G_OBJECT (dialog), "piso-kind", GINT_TO_POINTER (kind));
    g_signal_connect (dialog, "response", G_CALLBACK (piso_new_machine_window_file_chosen_cb),
                      g_object_ref (self));
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
  }
#endif
}

/* ---- recently used media ---- */

static void
piso_new_machine_window_recent_activated_cb (AdwActionRow         *row,
                                             PisoNewMachineWindow *self)
{
  GFile *file = g_object_get_data (G_OBJECT (row), "piso-file");

  piso_new_machine_window_set_media (self, file);
}

static void
piso_new_machine_window_recent_found_cb (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(GtkWidget) row = user_data;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (object), result, NULL);
  GtkWidget *self = gtk_widget_get_ancestor (row, PISO_TYPE_NEW_MACHINE_WINDOW);

  /* Only files still there are offered (cancelled: the window is gone) */
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR || self == NULL)
    return;
  gtk_widget_set_visible (row, TRUE);
  PISO_NEW_MACHINE_WINDOW (self)->recent_found = TRUE;
  piso_new_machine_window_update_source (PISO_NEW_MACHINE_WINDOW (self));
}

/* A row for each remembered medium, shown once it is found to exist
 * (asked off the main loop: the file may be on a slow mount) */
void
piso_new_machine_window_load_recent (PisoNewMachineWindow *self)
{
  g_auto(GStrv) paths = NULL;

  if (self->settings == NULL)
    return;
  paths = piso_settings_dup_recent_media (self->settings);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *basename = g_file_get_basename (file);
      g_autofree char *dir = parent != NULL ? g_file_get_parse_name (parent) : NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("media-optical-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), basename);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir != NULL ? dir : "");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_visible (row, FALSE);
      g_object_set_data_full (G_OBJECT (row), "piso-file", g_object_ref (file), g_object_unref);
      g_signal_connect (row, "activated", G_CALLBACK (piso_new_machine_window_recent_activated_cb), self);
      adw_preferences_group_add (self->recent_group, row);
      g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                               G_PRIORITY_DEFAULT, self->cancellable,
                               piso_new_machine_window_recent_found_cb, g_object_ref (row));
    }
}
