/* test-ssh-prompt-dialog.c: the questions of a host's SSH login in Piso's dialogs, under Xvfb
 *
 * Each kind of PisoSshPrompt (password, key passphrase, libvirt's user name,
 * unknown host key, changed host key, security-key touch) is shown over a
 * window as the application shows it; the test answers as a user would and
 * reads what reached the prompt. With --piso-language=es
 * (test-ssh-prompt-dialog-es) the same runs in Spanish; screenshots get "-es".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "piso-alert.h"
#include "piso-ssh-prompt-dialog.h"
#include "piso-ssh-prompt-private.h"
#include "piso-ui-test-utils.h"

#define FINGERPRINT "SHA256:pGnq3Mx4eWQkOL8mS5oTLjp1ev2m0bC9uJZ7hDk1yXA"

typedef struct
{
  GtkWindow *window;
  GPtrArray *toasts;
  char      *answer;      /* what reached the prompt; "(cancelled)" for NULL */
} Fixture;

static void
reply_cb (const char *answer,
          gpointer    user_data)
{
  Fixture *f = user_data;

  g_free (f->answer);
  f->answer = g_strdup (answer != NULL ? answer : "(cancelled)");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->toasts = g_ptr_array_new_with_free_func (g_free);
  f->window = piso_ui_test_toast_window (640, 520, f->toasts);
  gtk_window_present (f->window);
  piso_test_spin (100);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  piso_ui_test_destroy_toplevels (NULL);
  piso_test_spin (100);
  g_ptr_array_unref (f->toasts);
  g_free (f->answer);
}

/* @prompt's dialog over the window, drawn */
static GtkWidget *
show (Fixture       *f,
      PisoSshPrompt *prompt,
      const char    *host,
      const char    *shot)
{
  GtkWidget *alert = piso_ssh_prompt_dialog_new (prompt, host);

  gtk_widget_set_size_request (alert, 440, -1);
  piso_alert_present (alert, GTK_WIDGET (f->window));
  piso_test_spin (200);
  g_assert_true (piso_alert_get_shown (f->window) == alert);
  piso_ui_test_wait_frames (alert, 2, 2000);
  piso_ui_test_screenshot (alert, shot);
  return alert;
}

static PisoSshPrompt *
new_prompt (Fixture           *f,
            PisoSshPromptKind  kind,
            const char        *text,
            gboolean           echo)
{
  return _piso_ssh_prompt_new_local (kind, text, echo, reply_cb, f, NULL);
}

static char *
default_response (GtkWidget *alert)
{
  char *id = NULL;

  g_object_get (alert, "default-response", &id, NULL);
  return id;
}

/* The entry is named by the label above it, and the answer needs a text */
static GtkEditable *
check_entry (GtkWidget  *alert,
             const char *label,
             gboolean    echo)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (alert), "piso-entry");

  g_assert_nonnull (entry);
  g_assert_cmpint (gtk_entry_get_visibility (GTK_ENTRY (entry)), ==, echo);
  piso_ui_test_assert_named_by (entry, gtk_widget_get_prev_sibling (entry), label);
  g_assert_false (piso_alert_get_response_enabled (alert, "answer"));
  return GTK_EDITABLE (entry);
}

static void
test_password (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PisoSshPrompt) prompt =
    new_prompt (f, PISO_SSH_PROMPT_PASSWORD, "alice@server.example's password: ", FALSE);
  GtkWidget *alert = show (f, prompt, "server.example", "ssh-password");
  g_autofree char *heading = g_strdup_printf (_("Log In to %s"), "server.example");
  g_autofree char *id = default_response (alert);
  GtkEditable *entry = check_entry (alert, _("Password"), FALSE);

  g_assert_cmpstr (piso_alert_get_heading (alert), ==, heading);
  g_assert_cmpstr (id, ==, "answer");
  gtk_editable_set_text (entry, "hunter2");
  g_assert_true (piso_alert_get_response_enabled (alert, "answer"));
  piso_alert_respond (alert, "answer");
  piso_test_spin (100);
  g_assert_cmpstr (f->answer, ==, "hunter2");
  g_assert_true (piso_ssh_prompt_get_finished (prompt));
  g_assert_null (piso_alert_get_shown (f->window));
}

static void
test_passphrase (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PisoSshPrompt) prompt =
    new_prompt (f, PISO_SSH_PROMPT_PASSPHRASE,
                "Enter passphrase for key '/home/alice/.ssh/id_ed25519': ", FALSE);
  GtkWidget *alert = show (f, prompt, "server.example", "ssh-passphrase");
  GtkEditable *entry = check_entry (alert, _("Passphrase"), FALSE);

  g_assert_nonnull (strstr (piso_alert_get_body (alert), "/home/alice/.ssh/id_ed25519"));
  gtk_editable_set_text (entry, "correct horse");
  /* Closing the dialog (Escape) cancels the question, not answers it */
  piso_alert_respond (alert, "cancel");
  piso_test_spin (100);
  g_assert_cmpstr (f->answer, ==, "(cancelled)");
}

/* Asked again after a wrong passphrase: the dialog says the last one failed */
static void
test_passphrase_again (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PisoSshPrompt) prompt =
    new_prompt (f, PISO_SSH_PROMPT_PASSPHRASE,
                "Enter passphrase for key '/home/alice/.ssh/id_ed25519': ", FALSE);
  GtkWidget *alert;
  GtkEditable *entry;

  _piso_ssh_prompt_set_retry (prompt, TRUE);
  alert = show (f, prompt, "server.example", "ssh-passphrase-again");
  entry = check_entry (alert, _("Passphrase"), FALSE);
  g_assert_true (g_str_has_prefix (piso_alert_get_body (alert),
                                   _("That passphrase did not unlock the key. Try again.")));
  g_assert_nonnull (strstr (piso_alert_get_body (alert), "/home/alice/.ssh/id_ed25519"));
  gtk_editable_set_text (entry, "correct horse");
  piso_alert_respond (alert, "answer");
  piso_test_spin (100);
  g_assert_cmpstr (f->answer, ==, "correct horse");
}

static void
test_user_name (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PisoSshPrompt) prompt =
    new_prompt (f, PISO_SSH_PROMPT_USER_NAME, "Please enter your authentication name", TRUE);
  GtkWidget *alert = show (f, prompt, "server.example", "ssh-user-name");
  GtkEditable *entry = check_entry (alert, _("User name"), TRUE);

  gtk_editable_set_text (entry, "alice");
  piso_alert_respond (alert, "answer");
  piso_test_spin (100);
  g_assert_cmpstr (f->answer, ==, "alice");
}

static void
test_unknown_host_key (Fixture       *f,
                       gconstpointer  data)
{
  const char *text =
    "The authenticity of host '[127.0.0.1]:2222 ([127.0.0.1]:2222)' can't be established.\n"
    "ED25519 key fingerprint is " FINGERPRINT ".\n"
    "Are you sure you want to continue connecting (yes/no/[fingerprint])? ";

  for (guint trust = 0; trust < 2; trust++)
    {
      g_autoptr(PisoSshPrompt) prompt = new_prompt (f, PISO_SSH_PROMPT_HOST_KEY_UNKNOWN, text,
                                                    FALSE);
      GtkWidget *alert = show (f, prompt, "server.example",
                               trust ? "ssh-host-key-unknown" : "ssh-host-key-unknown-0");
      g_autofree char *id = default_response (alert);

      /* The fingerprint to compare, and Enter does not trust the key */
      g_assert_true (piso_ui_test_has_label (alert, FINGERPRINT));
      g_assert_cmpstr (id, ==, "cancel");
      g_assert_nonnull (piso_ui_test_find_button_with_label (alert, _("_Trust and Connect")));
      piso_alert_respond (alert, trust ? "trust" : "cancel");
      piso_test_spin (100);
      g_assert_cmpstr (f->answer, ==, trust ? "yes" : "no");
    }
}

static void
test_changed_host_key (Fixture       *f,
                       gconstpointer  data)
{
  const char *text =
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
    "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
    "The fingerprint for the ED25519 key sent by the remote host is\n" FINGERPRINT ".\n"
    "Are you sure you want to continue connecting (yes/no)? ";
  g_autoptr(PisoSshPrompt) prompt = new_prompt (f, PISO_SSH_PROMPT_HOST_KEY_CHANGED, text, FALSE);
  GtkWidget *alert = show (f, prompt, "server.example", "ssh-host-key-changed");
  g_autofree char *id = default_response (alert);
  g_autofree char *remove = g_strdup ("ssh-keygen -R server.example");

  /* A loud refusal: no way to accept, the way out is destructive-red and
   * default, and the body says what to do about a reinstalled host. */
  g_assert_null (piso_ui_test_find_button_with_label (alert, _("_Trust and Connect")));
  g_assert_nonnull (piso_ui_test_find_button_with_label (alert, _("_Do Not Connect")));
  g_assert_cmpint (piso_alert_get_response_appearance (alert, "cancel"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (id, ==, "cancel");
  g_assert_true (piso_ui_test_has_label (alert, FINGERPRINT));
  g_assert_nonnull (strstr (piso_alert_get_body (alert), remove));
  piso_alert_respond (alert, "cancel");
  piso_test_spin (100);
  g_assert_cmpstr (f->answer, ==, "no");
}

static void
test_touch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(PisoSshPrompt) prompt =
    new_prompt (f, PISO_SSH_PROMPT_SECURITY_KEY_TOUCH,
                "Confirm user presence for key ED25519-SK " FINGERPRINT, FALSE);
  GtkWidget *alert = show (f, prompt, "server.example", "ssh-touch");

  g_assert_null (g_object_get_data (G_OBJECT (alert), "piso-entry"));
  g_assert_cmpstr (piso_alert_get_heading (alert), ==, _("Touch Your Security Key"));
  /* ssh is done with it (the touch was felt): the notice goes by itself */
  piso_ssh_prompt_cancel (prompt);
  piso_test_spin (200);
  g_assert_null (piso_alert_get_shown (f->window));
}

int
main (int   argc,
      char *argv[])
{
  if (!piso_ui_test_init_checked (&argc, &argv, "/ssh-prompt-dialog/no-display"))
    return g_test_run ();

#define ADD(path, func) g_test_add ("/ssh-prompt-dialog/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("password", test_password);
  ADD ("passphrase", test_passphrase);
  ADD ("passphrase-again", test_passphrase_again);
  ADD ("user-name", test_user_name);
  ADD ("unknown-host-key", test_unknown_host_key);
  ADD ("changed-host-key", test_changed_host_key);
  ADD ("touch", test_touch);
#undef ADD
  return g_test_run ();
}
