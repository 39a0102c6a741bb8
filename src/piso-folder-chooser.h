/* piso-folder-chooser.h: asks for a folder (or a file) with the platform's file chooser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows a modal folder chooser over @parent (GtkFileDialog on GTK 4.10+,
 * GtkFileChooserNative before): @title heads it, @accept_label names its
 * button. The finish gives the folder, or NULL when the user dismissed it. */
void   piso_folder_chooser_choose_async  (GtkWindow           *parent,
                                          const char          *title,
                                          const char          *accept_label,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* The same for a file that @filter shows; the same finish gives it. */
void   piso_folder_chooser_choose_file_async (GtkWindow           *parent,
                                              const char          *title,
                                              const char          *accept_label,
                                              GtkFileFilter       *filter,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GFile *piso_folder_chooser_choose_finish (GAsyncResult        *result);

G_END_DECLS
