/* piso-folder-chooser.c: asks for a folder with the platform's file chooser
 *
 * One way for Export (where to write a bundle) and Import (which bundle):
 * GtkFileChooserNative is deprecated from GTK 4.10, whose GtkFileDialog
 * Debian 12's GTK 4.8 lacks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-folder-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-folder-chooser.h"
#include "piso-gtk-version.h"

#if GTK_CHECK_VERSION (4, 10, 0)
static void
piso_folder_chooser_dialog_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GFile *folder;

  PISO_NEWER_GTK_BEGIN
  if (g_object_get_data (G_OBJECT (task), "piso-open") != NULL)
    folder = gtk_file_dialog_open_finish (GTK_FILE_DIALOG (object), result, NULL);
  else
    folder = gtk_file_dialog_select_folder_finish (GTK_FILE_DIALOG (object), result, NULL);
  PISO_NEWER_GTK_END
  g_task_return_pointer (task, folder, g_object_unref);
}
#else
static void
piso_folder_chooser_response_cb (GtkNativeDialog *dialog,
                                 int              response,
                                 GTask           *task)
{
  GFile *folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_task_return_pointer (task, folder, g_object_unref);
  g_object_unref (task);
}
#endif

/* A folder, or with @filter a file that it shows */
static void
piso_folder_chooser_run (GtkWindow           *parent,
                         const char          *title,
                         const char          *accept_label,
                         GtkFileFilter       *filter,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (parent, cancellable, callback, user_data);

  g_task_set_source_tag (task, piso_folder_chooser_run);
#if GTK_CHECK_VERSION (4, 10, 0)
  PISO_NEWER_GTK_BEGIN
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

    gtk_file_dialog_set_title (dialog, title);
    gtk_file_dialog_set_accept_label (dialog, accept_label);
    gtk_file_dialog_set_modal (dialog, TRUE);
    if (filter != NULL)
      {
        g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

        g_list_store_append (filters, filter);
        gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
        gtk_file_dialog_set_default_filter (dialog, filter);
        g_object_set_data (G_OBJECT (task), "piso-open", GINT_TO_POINTER (TRUE));
        gtk_file_dialog_open (dialog, parent, cancellable,
                              piso_folder_chooser_dialog_cb, task);
      }
    else
      gtk_file_dialog_select_folder (dialog, parent, cancellable,
                                     piso_folder_chooser_dialog_cb, task);
  }
  PISO_NEWER_GTK_END
#else
  {
    GtkFileChooserNative *dialog;

    dialog = gtk_file_chooser_native_new (title, parent,
                                          filter != NULL ? GTK_FILE_CHOOSER_ACTION_OPEN
                                                         : GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                          accept_label, _("_Cancel"));
    if (filter != NULL)
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
    g_signal_connect (dialog, "response", G_CALLBACK (piso_folder_chooser_response_cb), task);
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
  }
#endif
}

void
piso_folder_chooser_choose_async (GtkWindow           *parent,
                                  const char          *title,
                                  const char          *accept_label,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (title != NULL && accept_label != NULL);

  piso_folder_chooser_run (parent, title, accept_label, NULL, cancellable, callback, user_data);
}

void
piso_folder_chooser_choose_file_async (GtkWindow           *parent,
                                       const char          *title,
                                       const char          *accept_label,
                                       GtkFileFilter       *filter,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (title != NULL && accept_label != NULL);
  g_return_if_fail (GTK_IS_FILE_FILTER (filter));

  piso_folder_chooser_run (parent, title, accept_label, filter, cancellable, callback, user_data);
}

GFile *
piso_folder_chooser_choose_finish (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), NULL);
}
