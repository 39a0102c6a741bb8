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

#include "piso-a11y.h"
#include "piso-format.h"
#include "piso-new-machine-window-private.h"

/* What the review page offers for a problem: a choice that says what
 * Create will then do (the user's consent), a button that changes the plan
 * at once, or nothing (the message says what to change). */
typedef enum
{
  FIX_NONE,
  FIX_CONSENT,
  FIX_USER_NETWORK,
} FixKind;

typedef struct
{
  PisoCreatorProblem  problem;
  FixKind             kind;
  const char         *label;
} ProblemFix;

static const ProblemFix problem_fixes[] = {
  { PISO_CREATOR_PROBLEM_NO_POOL,          FIX_CONSENT,
    N_("_Create the storage pool “default” with the machine") },
  { PISO_CREATOR_PROBLEM_POOL_INACTIVE,    FIX_CONSENT,
    N_("_Start the storage pool with the machine, and with the host from now on") },
  { PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE, FIX_CONSENT,
    N_("_Copy the file into the storage pool") },
  { PISO_CREATOR_PROBLEM_NETWORK_INACTIVE, FIX_CONSENT,
    N_("Start the _network “default” with the machine, and with the host from now on") },
  { PISO_CREATOR_PROBLEM_NETWORK_MISSING,  FIX_USER_NETWORK, N_("Use _User-Mode Networking") },
  { PISO_CREATOR_PROBLEM_NO_SPACE,         FIX_NONE, NULL },
  { PISO_CREATOR_PROBLEM_NAME_TAKEN,       FIX_NONE, NULL },
  { PISO_CREATOR_PROBLEM_SOURCE_MISSING,   FIX_NONE, NULL },
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
piso_new_machine_window_consent_toggled_cb (GtkCheckButton       *check,
                                            PisoNewMachineWindow *self)
{
  piso_creator_agree (self->creator, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "piso-problem")),
                      gtk_check_button_get_active (check));
  /* The summary says what Create makes, the pool included */
  piso_new_machine_window_update_summary (self);
  piso_new_machine_window_update_buttons (self);
}

static void
piso_new_machine_window_user_network_cb (PisoNewMachineWindow *self)
{
  /* As if chosen in the Network row: the plan, summary and check follow */
  adw_combo_row_set_selected (self->network_row, PISO_INSTALL_NETWORK_USER);
}

#define SCROLL_TICKS_MAX 30

static gboolean
piso_new_machine_window_scroll_to_tick (GtkWidget     *row,
                                        GdkFrameClock *clock,
                                        gpointer       user_data)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *viewport = scrolled ? gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)) : NULL;
  GtkWidget *content = viewport ? gtk_widget_get_first_child (viewport) : NULL;
  guint ticks = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "piso-scroll-ticks"));
  graphene_rect_t bounds;

  if (content == NULL || ticks >= SCROLL_TICKS_MAX)
    return G_SOURCE_REMOVE;
  /* A section just shown has its place after the next layout (the first
   * tick comes before it) */
  if (ticks == 0 || !gtk_widget_compute_bounds (row, content, &bounds) || bounds.size.height <= 0)
    {
      g_object_set_data (G_OBJECT (row), "piso-scroll-ticks", GUINT_TO_POINTER (ticks + 1));
      return G_SOURCE_CONTINUE;
    }
  gtk_adjustment_clamp_page (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                             bounds.origin.y, bounds.origin.y + bounds.size.height);
  return G_SOURCE_REMOVE;
}

static void
piso_new_machine_window_choose_network_cb (PisoNewMachineWindow *self)
{
  /* Opens the section with the Network row (never closes it, as the
   * Customize toggle would when already open), puts the focus there and
   * scrolls it into view once laid out */
  gtk_toggle_button_set_active (self->customize_button, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->network_row));
  g_object_set_data (G_OBJECT (self->network_row), "piso-scroll-ticks", NULL);
  gtk_widget_add_tick_callback (GTK_WIDGET (self->network_row),
                                piso_new_machine_window_scroll_to_tick, NULL, NULL);
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

  /* (a late answer to a window that went) */
  if (self->disposed)
    return;
  for (guint i = 0; i < self->problem_banners->len; i++)
    gtk_box_remove (self->problems_box, g_ptr_array_index (self->problem_banners, i));
  g_ptr_array_set_size (self->problem_banners, 0);

  if (self->failure != NULL)
    piso_new_machine_window_add_banner (self, banner_new (_("The machine was not created"),
                                                          self->failure));

  /* Piso chose for the user: say what and why, where the trouble would be */
  if (self->network_fallback)
    {
      GtkWidget *banner = banner_new (_("This connection has no virtual network “default”, so the "
                                        "machine gets user-mode networking: it reaches the network, "
                                        "but this host cannot reach it."),
                                      NULL);
      GtkWidget *button = gtk_button_new_with_mnemonic (_("Choose _Network"));

      gtk_widget_add_css_class (banner, "info");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_signal_connect_swapped (button, "clicked",
                                G_CALLBACK (piso_new_machine_window_choose_network_cb), self);
      gtk_widget_set_name (button, "choose-network");
      gtk_box_append (GTK_BOX (banner), button);
      piso_new_machine_window_add_banner (self, banner);
    }

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

          /* Translators: e.g. "Needed: 20 GiB · free in the pool: 3.2 GiB" */
          detail = g_strdup_printf (_("Needed: %s · free in the pool: %s"), needed, available);
        }
      banner = banner_new (message ? message : "", detail);

      if (fix->kind == FIX_CONSENT)
        {
          GtkWidget *labels = gtk_widget_get_first_child (banner);
          GtkWidget *check = gtk_check_button_new_with_mnemonic (_(fix->label));
          /* A long consequence wraps rather than widening the window (the
           * label is the button's last child: indicator, then label) */
          GtkWidget *label = gtk_widget_get_last_child (check);

          if (GTK_IS_LABEL (label))
            {
              gtk_label_set_wrap (GTK_LABEL (label), TRUE);
              gtk_label_set_xalign (GTK_LABEL (label), 0);
            }
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), (consent & fix->problem) != 0);
          g_object_set_data (G_OBJECT (check), "piso-problem", GUINT_TO_POINTER (fix->problem));
          g_signal_connect (check, "toggled", G_CALLBACK (piso_new_machine_window_consent_toggled_cb), self);
          gtk_widget_set_name (check, "fix");
          gtk_box_append (GTK_BOX (labels), check);
        }
      else if (fix->kind == FIX_USER_NETWORK)
        {
          GtkWidget *button = gtk_button_new_with_mnemonic (_(fix->label));

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          g_signal_connect_swapped (button, "clicked", G_CALLBACK (piso_new_machine_window_user_network_cb), self);
          gtk_widget_set_name (button, "fix");
          gtk_box_append (GTK_BOX (banner), button);
        }

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
  /* (a check done before the window went, which cancelled it too late:
   * its widgets are gone) */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
    return;

  /* No "default" network and the user did not ask for it: the working
   * fallback, said in a banner; check again with it */
  if (check != NULL && !self->network_chosen &&
      (piso_creator_check_get_problems (check) & PISO_CREATOR_PROBLEM_NETWORK_MISSING) != 0 &&
      piso_install_plan_get_network (self->plan) == PISO_INSTALL_NETWORK_NAT_DEFAULT)
    {
      self->network_fallback = TRUE;
      piso_install_plan_set_network (self->plan, PISO_INSTALL_NETWORK_USER);
      self->updating = TRUE;
      adw_combo_row_set_selected (self->network_row, PISO_INSTALL_NETWORK_USER);
      self->updating = FALSE;
      piso_new_machine_window_update_summary (self);
      piso_new_machine_window_run_check (self);
      return;
    }

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
  piso_new_machine_window_update_summary (self);
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
      /* Offered again on the source page next time */
      if (self->settings != NULL &&
          piso_install_plan_get_source_kind (self->plan) == PISO_INSTALL_SOURCE_MEDIA &&
          piso_install_plan_get_source_path (self->plan) != NULL)
        piso_settings_add_recent_media (self->settings, piso_install_plan_get_source_path (self->plan));
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
