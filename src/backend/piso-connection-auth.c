/* piso-connection-auth.c: libvirt's own credentials, asked in Piso's dialogs
 *
 * virConnectOpenAuth calls its callback in the opening thread; each question
 * becomes a PisoSshPrompt emitted on the main thread as the connection's
 * "prompt", and the thread waits for the answer. A connection closed or
 * superseded meanwhile cancels its questions, so the thread never waits for
 * nobody.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-connection"

#include "config.h"

#include "piso-backend-private.h"
#include "piso-connection-private.h"
#include "piso-ssh-prompt-private.h"

/* One question in flight: shared by the waiting thread and the prompt. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean done;
  char    *answer;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_mutex_clear (&reply->mutex);
  g_cond_clear (&reply->cond);
  if (reply->answer != NULL)
    memset (reply->answer, 0, strlen (reply->answer));
  g_free (reply->answer);
}

static void
reply_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) reply_clear);
}

static void
reply_cb (const char *answer,
          gpointer    user_data)
{
  Reply *reply = user_data;

  g_mutex_lock (&reply->mutex);
  reply->answer = g_strdup (answer);
  reply->done = TRUE;
  g_cond_signal (&reply->cond);
  g_mutex_unlock (&reply->mutex);
}

typedef struct
{
  PisoConnectionTicket *ticket;
  PisoSshPromptKind     kind;
  gboolean              echo;
  char                 *text;
  Reply                *reply;
} Question;

static gboolean
ask_on_main_thread (gpointer user_data)
{
  Question *question = user_data;
  g_autoptr(PisoConnection) self = g_weak_ref_get (&question->ticket->self);
  g_autoptr(PisoSshPrompt) prompt =
    _piso_ssh_prompt_new_local (question->kind, question->text, question->echo, reply_cb,
                                g_atomic_rc_box_acquire (question->reply), reply_unref);

  if (self == NULL || self->closed || question->ticket->generation != self->generation)
    {
      piso_ssh_prompt_cancel (prompt);
      return G_SOURCE_REMOVE;
    }
  _piso_connection_add_prompt (self, prompt);
  return G_SOURCE_REMOVE;
}

static void
question_free (Question *question)
{
  _piso_connection_ticket_free (question->ticket);
  g_free (question->text);
  reply_unref (question->reply);
  g_free (question);
}

/* Worker thread: NULL when cancelled. */
static char *
ask (PisoConnectionTicket *ticket,
     PisoSshPromptKind     kind,
     gboolean              echo,
     const char           *text)
{
  Question *question = g_new0 (Question, 1);
  Reply *reply = g_atomic_rc_box_new0 (Reply);
  char *answer;

  g_mutex_init (&reply->mutex);
  g_cond_init (&reply->cond);
  question->ticket = g_new0 (PisoConnectionTicket, 1);
  {
    g_autoptr(GObject) self = g_weak_ref_get (&ticket->self);

    g_weak_ref_init (&question->ticket->self, self);
  }
  question->ticket->generation = ticket->generation;
  question->kind = kind;
  question->echo = echo;
  question->text = g_strdup (text);
  question->reply = g_atomic_rc_box_acquire (reply);
  _piso_run_in_context (NULL, ask_on_main_thread, question, (GDestroyNotify) question_free);

  g_mutex_lock (&reply->mutex);
  while (!reply->done)
    g_cond_wait (&reply->cond, &reply->mutex);
  answer = g_steal_pointer (&reply->answer);
  g_mutex_unlock (&reply->mutex);
  reply_unref (reply);
  return answer;
}

static int
auth_cb (virConnectCredentialPtr cred,
         unsigned int            ncred,
         void                   *cbdata)
{
  PisoConnectionTicket *ticket = cbdata;

  for (unsigned int i = 0; i < ncred; i++)
    {
      PisoSshPromptKind kind;
      gboolean echo;
      char *answer;

      switch (cred[i].type)
        {
        case VIR_CRED_AUTHNAME:
          kind = PISO_SSH_PROMPT_USER_NAME;
          echo = TRUE;
          break;
        case VIR_CRED_ECHOPROMPT:
          kind = PISO_SSH_PROMPT_OTHER;
          echo = TRUE;
          break;
        case VIR_CRED_PASSPHRASE:
        case VIR_CRED_NOECHOPROMPT:
          kind = PISO_SSH_PROMPT_PASSWORD;
          echo = FALSE;
          break;
        default:
          /* Realms, certificates, external: nothing a person can type. */
          return -1;
        }

      answer = ask (ticket, kind, echo, cred[i].prompt != NULL ? cred[i].prompt : "");
      if (answer == NULL)
        return -1;
      /* libvirt frees the result with free(). */
      cred[i].result = strdup (answer);
      cred[i].resultlen = strlen (answer);
      memset (answer, 0, strlen (answer));
      g_free (answer);
      if (cred[i].result == NULL)
        return -1;
    }
  return 0;
}

static int cred_types[] = {
  VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_ECHOPROMPT, VIR_CRED_NOECHOPROMPT,
};

virConnectPtr
_piso_connection_open_auth (const char           *uri,
                            PisoConnectionTicket *ticket)
{
  virConnectAuth auth = {
    .credtype = cred_types,
    .ncredtype = G_N_ELEMENTS (cred_types),
    .cb = auth_cb,
    .cbdata = ticket,
  };

  return virConnectOpenAuth (uri, &auth, 0);
}
