/* piso-new-machine-window-create.c: the assistant's review checks and creation
 *
 * Before creating, PisoCreator looks at the host: its problems become
 * banners on the review page, with a button for each fix the user may agree
 * to. Creating shows the creator's stage and progress; a failure returns to
 * the review page with the reason (the creator removed what it made).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-new-machine"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-new-machine-window-private.h"

/* The fixes the review page offers, by problem */
typedef struct
{
  PisoCreatorProblem  problem;
  const char         *fix_label;
} ProblemFix;

static const ProblemFix problem_fixes[] = {
  { PISO_CREATOR_PROBLEM_NO_POOL,          N_("Create _Pool") },
  { PISO_CREATOR_PROBLEM_POOL_INACTIVE,    N_("Start _Pool") },
  { PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE, N_("Copy Into _Pool") },
  { PISO_CREATOR_PROBLEM_NETWORK_INACTIVE, N_("Start _Network") },
  { PISO_CREATOR_PROBLEM_NETWORK_MISSING,  NULL },
  { PISO_CREATOR_PROBLEM_NO_SPACE,         NULL },
  { PISO_CREATOR_PROBLEM_NAME_TAKEN,       NULL },
  { PISO_CREATOR_PROBLEM_SOURCE_MISSING,   NULL },
};

static PisoCreatorProblem
needed_consent (PisoCreatorCheck *check)
{
  return piso_creator_check_get_problems (check) & PISO_CREATOR_PROBLEMS_WITH_FIX;
}

gboolean
piso_new_machine_window_can_create (PisoNewMachineWindow *self)
{
  PisoCreatorProblem needed;

  if (!self->name_valid || self->check == NULL || piso_creator_check_is_blocked (self->check))
    return FALSE;

  needed = needed_consent (self->check);
  return (piso_creator_get_consent (self->creator) & needed) == needed;
}

/* ---- the creator's checks, as banners with their fixes ---- */

static void
piso_new_machine_window_fix_toggled_cb (GtkToggleButton      *button,
                                        PisoNewMachineWindow *self)
{
  PisoCreatorProblem problem = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "piso-problem"));
  PisoCreatorProblem consent = piso_creator_get_consent (self->creator);
  GtkWidget *note = g_object_get_data (G_OBJECT (button), "piso-note");

  if (gtk_toggle_button_get_active (button))
    consent |= problem;
  else
    consent &= ~problem;
  piso_creator_set_consent (self->creator, consent);
  gtk_widget_set_visible (note, gtk_toggle_button_get_active (button));
  piso_new_machine_window_update_buttons (self);
}

static GtkWidget *
banner_new (const char *text,
            const char *detail)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (box, "piso-banner");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (detail != NULL)
    gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (labels), label);
  if (detail != NULL)
    {
      GtkWidget *caption = gtk_label_new (detail);

      gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_add_css_class (caption, "caption");
      gtk_box_append (GTK_BOX (labels), caption);
    }
  gtk_box_append (GTK_BOX (box), labels);
  return box;
}

static void
piso_new_machine_window_add_banner (PisoNewMachineWindow *self,
                                    GtkWidget            *banner)
{
  gtk_box_append (self->problems_box, banner);
  g_ptr_array_add (self->problem_banners, banner);
}

void
piso_new_machine_window_update_problems (PisoNewMachineWindow *self)
{
  PisoCreatorProblem problems, consent;

  for (guint i = 0; i < self->problem_banners->len; i++)
    gtk_box_remove (self->problems_box, g_ptr_array_index (self->problem_banners, i));
  g_ptr_array_set_size (self->problem_banners, 0);

  if (self->failure != NULL)
    piso_new_machine_window_add_banner (self, banner_new (_("The machine was not created"),
                                                          self->failure));

  if (self->check == NULL)
    return;

  problems = piso_creator_check_get_problems (self->check);
  consent = piso_creator_get_consent (self->creator);
  for (guint i = 0; i < G_N_ELEMENTS (problem_fixes); i++)
    {
      const ProblemFix *fix = &problem_fixes[i];
      const char *message;
      g_autofree char *detail = NULL;
      GtkWidget *banner;

      if (!(problems & fix->problem))
        continue;
      /* The name row says this one, live */
      if (fix->problem == PISO_CREATOR_PROBLEM_NAME_TAKEN)
        continue;

      message = piso_creator_check_get_message (self->check, fix->problem);
      if (fix->problem == PISO_CREATOR_PROBLEM_NO_SPACE)
        {
          g_autofree char *needed = piso_format_bytes (piso_creator_check_get_needed_bytes (self->check));
          g_autofree char *available = piso_format_bytes (piso_creator_check_get_available_bytes (self->check));

          /* Translators: e.g. "Needed: 21.5 GB · free in the pool: 3.2 GB" */
          detail = g_strdup_printf (_("Needed: %s · free in the pool: %s"), needed, available);
        }
      banner = banner_new (message ? message : "", detail);

      if (fix->fix_label != NULL)
        {
          GtkWidget *labels = gtk_widget_get_first_child (banner);
          GtkWidget *note = gtk_label_new (_("Piso will do this when you click Create."));
          GtkWidget *button = gtk_toggle_button_new_with_mnemonic (_(fix->fix_label));

          gtk_label_set_xalign (GTK_LABEL (note), 0);
          gtk_label_set_wrap (GTK_LABEL (note), TRUE);
          gtk_widget_add_css_class (note, "caption");
          gtk_widget_add_css_class (note, "heading");
          gtk_box_append (GTK_BOX (labels), note);

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), (consent & fix->problem) != 0);
          gtk_widget_set_visible (note, (consent & fix->problem) != 0);
          g_object_set_data (G_OBJECT (button), "piso-problem", GUINT_TO_POINTER (fix->problem));
          g_object_set_data (G_OBJECT (button), "piso-note", note);
          g_signal_connect (button, "toggled", G_CALLBACK (piso_new_machine_window_fix_toggled_cb), self);
          gtk_widget_set_name (button, "fix");
          gtk_box_append (GTK_BOX (banner), button);
        }
      else if (fix->problem == PISO_CREATOR_PROBLEM_NETWORK_MISSING)
        gtk_toggle_button_set_active (self->customize_button, TRUE);

      piso_new_machine_window_add_banner (self, banner);
    }
}

static void
piso_new_machine_window_check_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(PisoNewMachineWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoCreatorCheck) check = NULL;

  check = piso_creator_check_finish (PISO_CREATOR (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_set_object (&self->check, check);
  if (error != NULL)
    {
      g_free (self->failure);
      self->failure = g_strdup (error->message);
    }
  /* Taken meanwhile (another program defined it): the name row says so */
  if (check != NULL &&
      (piso_creator_check_get_problems (check) & PISO_CREATOR_PROBLEM_NAME_TAKEN) != 0)
    piso_new_machine_window_validate_name (self);
  piso_new_machine_window_update_problems (self);
  piso_new_machine_window_update_buttons (self);
}

static void
piso_new_machine_window_space_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(PisoNewMachineWindow) self = user_data;
  g_autoptr(PisoCreatorCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  guint64 available;

  check = piso_creator_check_finish (PISO_CREATOR (object), result, &error);
  if (check == NULL)
    g_debug ("No early look at the pool: %s", error->message);
  if (self->disposed || check == NULL)
    return;

  /* Caps the disk size on the resources page; 0: no pool yet */
  available = piso_creator_check_get_available_bytes (check);
  g_debug ("The pool has %" G_GUINT64_FORMAT " bytes free", available);
  if (available > 0)
    {
      piso_install_plan_set_free_space (self->plan, available);
      if (g_strcmp0 (_piso_new_machine_window_current_page (self), "resources") == 0)
        piso_new_machine_window_load_resources (self);
    }
}

/* A look at the pool once the plan has an OS and a name, for its free space
 * only: the review page checks again with the complete plan. */
void
piso_new_machine_window_query_space (PisoNewMachineWindow *self)
{
  piso_creator_check_async (self->creator, self->cancellable,
                            piso_new_machine_window_space_cb, g_object_ref (self));
}

void
piso_new_machine_window_run_check (PisoNewMachineWindow *self)
{
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->check);
  self->check_cancellable = g_cancellable_new ();
  piso_new_machine_window_update_problems (self);
  piso_new_machine_window_update_buttons (self);
  piso_creator_check_async (self->creator, self->check_cancellable,
                            piso_new_machine_window_check_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------------ */
/* Creating page                                                            */

static gboolean
piso_new_machine_window_pulse_cb (gpointer user_data)
{
  PisoNewMachineWindow *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
piso_new_machine_window_progress_cb (PisoNewMachineWindow *self)
{
  double progress = piso_creator_get_progress (self->creator);
  const char *text = piso_creator_get_status_text (self->creator);

  adw_status_page_set_description (self->creating_status, text);
  if (progress < 0)
    {
      if (self->pulse_source == 0)
        self->pulse_source = g_timeout_add (150, piso_new_machine_window_pulse_cb, self);
    }
  else
    {
      g_clear_handle_id (&self->pulse_source, g_source_remove);
      gtk_progress_bar_set_fraction (self->progress_bar, progress);
    }
}

static void
piso_new_machine_window_created_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(PisoNewMachineWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoMachine) machine = NULL;

  machine = piso_creator_run_finish (PISO_CREATOR (object), result, &error);
  /* The window went away meanwhile (the creator cleaned up after the cancel) */
  if (self->disposed)
    return;
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  g_clear_object (&self->create_cancellable);
  g_signal_handlers_disconnect_by_func (self->creator, piso_new_machine_window_progress_cb, self);

  if (machine != NULL)
    {
      g_signal_emit (self, _piso_new_machine_window_signals[MACHINE_CREATED], 0, machine);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  /* The creator removed what it made: back to the review, saying why */
  g_free (self->failure);
  self->failure = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                  ? g_strdup (_("You cancelled the creation. Nothing was left behind."))
                  : g_strdup (error->message);
  gtk_stack_set_visible_child_name (self->stack, "review");
  piso_new_machine_window_run_check (self);
}

void
piso_new_machine_window_create (PisoNewMachineWindow *self)
{
  g_autofree char *title = NULL;
  const char *sha = gtk_editable_get_text (GTK_EDITABLE (self->sha256_entry));

  g_clear_pointer (&self->failure, g_free);
  if (piso_install_plan_get_source_kind (self->plan) == PISO_INSTALL_SOURCE_URL)
    {
      g_autofree char *stripped = g_strstrip (g_ascii_strdown (sha, -1));

      piso_creator_set_sha256 (self->creator, *stripped ? stripped : NULL);
    }

  /* Translators: %s is the new machine's name */
  title = g_strdup_printf (_("Creating “%s”"), piso_install_plan_get_name (self->plan));
  adw_status_page_set_title (self->creating_status, title);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  g_signal_connect_swapped (self->creator, "notify::progress",
                            G_CALLBACK (piso_new_machine_window_progress_cb), self);
  g_signal_connect_swapped (self->creator, "notify::status-text",
                            G_CALLBACK (piso_new_machine_window_progress_cb), self);
  piso_new_machine_window_progress_cb (self);
  gtk_stack_set_visible_child_name (self->stack, "creating");

  self->create_cancellable = g_cancellable_new ();
  piso_creator_run_async (self->creator, self->create_cancellable,
                          piso_new_machine_window_created_cb, g_object_ref (self));
}

void
piso_new_machine_window_cancel_create_cb (PisoNewMachineWindow *self)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  g_cancellable_cancel (self->create_cancellable);
  adw_status_page_set_description (self->creating_status,
                                   _("Cancelling and removing what was made…"));
  gtk_widget_set_sensitive (self->cancel_create_button, FALSE);
}
