/* piso-ssh-prompt-dialog.c: a question of a host's SSH login (or libvirt's) in a dialog
 *
 * OpenSSH asks through Piso's askpass helper and libvirt through its
 * credentials callback; both arrive as a PisoSshPrompt (PisoManager's
 * "prompt"). The texts here are Piso's own: ssh's English prompt is shown
 * only for a question Piso does not know.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-ssh-prompt-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-alert.h"
#include "piso-ssh-prompt-dialog.h"

/* The key file named in "Enter passphrase for key '/home/u/.ssh/id_ed25519':" */
static char *
key_file_of (const char *text)
{
  const char *start = strchr (text, '\'');
  const char *end = start != NULL ? strchr (start + 1, '\'') : NULL;

  if (end == NULL || end == start + 1)
    return NULL;
  return g_strndup (start + 1, end - start - 1);
}

static void
response_cb (GtkWidget     *alert,
             const char    *response,
             PisoSshPrompt *prompt)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (alert), "piso-entry");

  g_signal_handlers_disconnect_by_data (prompt, alert);
  if (piso_ssh_prompt_get_finished (prompt))
    return;

  if (g_strcmp0 (response, "answer") == 0 && entry != NULL)
    piso_ssh_prompt_answer (prompt, gtk_editable_get_text (entry));
  else if (g_strcmp0 (response, "trust") == 0)
    piso_ssh_prompt_accept_host_key (prompt, TRUE);
  else if (piso_ssh_prompt_get_kind (prompt) == PISO_SSH_PROMPT_HOST_KEY_UNKNOWN ||
           piso_ssh_prompt_get_kind (prompt) == PISO_SSH_PROMPT_HOST_KEY_CHANGED)
    piso_ssh_prompt_accept_host_key (prompt, FALSE);
  else
    piso_ssh_prompt_cancel (prompt);
}

/* ssh answered itself (a touch felt) or gave up: the question is gone. */
static void
prompt_finished_cb (PisoSshPrompt *prompt,
                    GParamSpec    *pspec,
                    GtkWidget     *alert)
{
  g_signal_handlers_disconnect_by_data (prompt, alert);
  piso_alert_respond (alert, "cancel");
}

static void
entry_changed_cb (GtkEditable *entry,
                  GtkWidget   *alert)
{
  piso_alert_set_response_enabled (alert, "answer", *gtk_editable_get_text (entry) != '\0' ||
                                   g_object_get_data (G_OBJECT (alert), "piso-empty-ok") != NULL);
}

static GtkWidget *
add_entry (GtkWidget  *alert,
           GtkBox     *box,
           const char *label,
           gboolean    echo)
{
  GtkWidget *title = gtk_label_new (label);
  GtkWidget *entry = gtk_entry_new ();

  gtk_label_set_xalign (GTK_LABEL (title), 0.0f);
  gtk_widget_add_css_class (title, "heading");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  /* A plain entry that hides its text, not a GtkPasswordEntry: GTK 4.8's
   * casts its disposed self from a notify handler when the dialog closes. */
  if (!echo)
    {
      gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
    }
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL,
                                  -1);
  gtk_box_append (box, title);
  gtk_box_append (box, entry);
  g_object_set_data (G_OBJECT (alert), "piso-entry", entry);
  g_signal_connect_object (entry, "changed", G_CALLBACK (entry_changed_cb), alert, 0);
  return entry;
}

/* The fingerprint, selectable, under its own heading */
static void
add_fingerprint (GtkBox     *box,
                 const char *fingerprint,
                 gboolean    alarm)
{
  GtkWidget *title = gtk_label_new (_("Fingerprint of the key it shows"));
  GtkWidget *value = gtk_label_new (fingerprint != NULL ? fingerprint : _("(not given)"));

  gtk_label_set_xalign (GTK_LABEL (title), 0.0f);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (value), 0.0f);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_CHAR);
  gtk_widget_add_css_class (value, "monospace");
  if (alarm)
    gtk_widget_add_css_class (value, "error");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL,
                                  -1);
  gtk_box_append (box, title);
  gtk_box_append (box, value);
}

GtkWidget *
piso_ssh_prompt_dialog_new (PisoSshPrompt *prompt,
                            const char    *host)
{
  PisoSshPromptKind kind;
  const char *text;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *key_file = NULL;
  GtkWidget *alert;
  GtkWidget *box;

  g_return_val_if_fail (PISO_IS_SSH_PROMPT (prompt), NULL);

  kind = piso_ssh_prompt_get_kind (prompt);
  text = piso_ssh_prompt_get_text (prompt);
  if (host == NULL || *host == '\0')
    host = _("the host");

  alert = piso_alert_new (NULL, NULL);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  piso_alert_add_response (alert, "cancel", _("_Cancel"));
  piso_alert_set_close_response (alert, "cancel");

  switch (kind)
    {
    case PISO_SSH_PROMPT_PASSWORD:
      /* Translators: %s is a host name */
      heading = g_strdup_printf (_("Log In to %s"), host);
      body = g_strdup_printf (_("Type your password on %s. Piso logs in once and uses this "
                                "login for the host’s machines and their consoles."), host);
      add_entry (alert, GTK_BOX (box), _("Password"), piso_ssh_prompt_get_echo (prompt));
      break;
    case PISO_SSH_PROMPT_PASSPHRASE:
      heading = g_strdup (_("Unlock Your SSH Key"));
      key_file = key_file_of (text);
      /* Translators: the first %s is a key file, the second a host name */
      body = key_file != NULL
        ? g_strdup_printf (_("Type the passphrase of the key “%s” to log in to %s."), key_file, host)
        : g_strdup_printf (_("Type the passphrase of your key to log in to %s."), host);
      add_entry (alert, GTK_BOX (box), _("Passphrase"), FALSE);
      break;
    case PISO_SSH_PROMPT_USER_NAME:
      heading = g_strdup_printf (_("Log In to %s"), host);
      body = g_strdup_printf (_("The virtualization service on %s asks for your user name."), host);
      add_entry (alert, GTK_BOX (box), _("User name"), TRUE);
      break;
    case PISO_SSH_PROMPT_HOST_KEY_UNKNOWN:
      heading = g_strdup_printf (_("Is This Really %s?"), host);
      body = g_strdup_printf (_("Piso has not connected to %s before and cannot tell yet whether "
                                "this is the right computer. Compare the fingerprint below with "
                                "the one the host shows (“ssh-keygen -lf” on its key in "
                                "/etc/ssh) before you trust it. Piso remembers a trusted key."),
                              host);
      add_fingerprint (GTK_BOX (box), piso_ssh_prompt_get_fingerprint (prompt), FALSE);
      piso_alert_add_response (alert, "trust", _("_Trust and Connect"));
      break;
    case PISO_SSH_PROMPT_HOST_KEY_CHANGED:
      heading = g_strdup_printf (_("%s Is Not the Computer Piso Knew"), host);
      body = g_strdup_printf (_("The key %s shows is not the one Piso remembered from earlier "
                                "connections. Someone may be intercepting the connection, so Piso "
                                "will not connect.\n\nIf you know the host was reinstalled or its "
                                "keys were replaced, remove its old key from your known hosts "
                                "(“ssh-keygen -R %s”), check the new fingerprint with the host’s "
                                "administrator and connect again."), host, host);
      add_fingerprint (GTK_BOX (box), piso_ssh_prompt_get_fingerprint (prompt), TRUE);
      piso_alert_set_response_label (alert, "cancel", _("_Do Not Connect"));
      piso_alert_set_response_appearance (alert, "cancel", ADW_RESPONSE_DESTRUCTIVE);
      break;
    case PISO_SSH_PROMPT_SECURITY_KEY_TOUCH:
      heading = g_strdup (_("Touch Your Security Key"));
      body = g_strdup_printf (_("Your security key confirms the login to %s. Touch it now; this "
                                "message closes by itself."), host);
      break;
    case PISO_SSH_PROMPT_OTHER:
    default:
      heading = g_strdup_printf (_("%s Asks a Question"), host);
      body = g_strdup (text);
      g_object_set_data (G_OBJECT (alert), "piso-empty-ok", GINT_TO_POINTER (TRUE));
      add_entry (alert, GTK_BOX (box), _("Answer"), piso_ssh_prompt_get_echo (prompt));
      break;
    }

  /* The answer before was wrong: say so before asking again. */
  if (piso_ssh_prompt_get_retry (prompt))
    {
      const char *wrong = kind == PISO_SSH_PROMPT_PASSPHRASE
                          ? _("That passphrase did not unlock the key. Try again.")
                          : _("That password was not accepted. Try again.");
      char *again = g_strconcat (wrong, "\n\n", body, NULL);

      g_free (body);
      body = again;
    }
  piso_alert_set_heading (alert, heading);
  piso_alert_set_body (alert, body);
  if (g_object_get_data (G_OBJECT (alert), "piso-entry") != NULL)
    {
      piso_alert_add_response (alert, "answer",
                               kind == PISO_SSH_PROMPT_PASSPHRASE ? _("_Unlock") : _("_Log In"));
      piso_alert_set_response_appearance (alert, "answer", ADW_RESPONSE_SUGGESTED);
      piso_alert_set_default_response (alert, "answer");
      entry_changed_cb (g_object_get_data (G_OBJECT (alert), "piso-entry"), alert);
    }
  else
    /* A host key is trusted only by a deliberate click, never by Enter. */
    piso_alert_set_default_response (alert, "cancel");
  if (gtk_widget_get_first_child (box) != NULL)
    piso_alert_set_extra_child (alert, box);
  else
    {
      g_object_ref_sink (box);
      g_object_unref (box);
    }

  g_signal_connect_object (alert, "response", G_CALLBACK (response_cb), prompt, 0);
  g_object_set_data_full (G_OBJECT (alert), "piso-prompt", g_object_ref (prompt), g_object_unref);
  g_signal_connect_object (prompt, "notify::finished", G_CALLBACK (prompt_finished_cb), alert, 0);
  return alert;
}
