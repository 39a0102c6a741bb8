/* piso-ssh-prompt.c: one question OpenSSH asks, waiting for the user's answer
 *
 * OpenSSH runs Piso's askpass helper for every question (SSH_ASKPASS_REQUIRE
 * =force); the helper hands the question over a private socket to the
 * PisoSshSession, which wraps it in a PisoSshPrompt and emits it. The UI
 * answers whenever the user is done: the helper waits for the reply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-ssh-prompt"

#include "config.h"

#include "piso-ssh-prompt-private.h"

struct _PisoSshPrompt
{
  GObject            parent_instance;

  GSocketConnection *connection;
  GCancellable      *cancellable;
  PisoSshPromptKind  kind;
  char              *text;
  char              *fingerprint;
  gboolean           finished;
  gboolean           echo;
  gboolean           retry;

  /* Local prompts (no helper): where the answer goes. */
  PisoSshPromptReplyFunc reply_func;
  gpointer               reply_data;
  GDestroyNotify         reply_destroy;
};

G_DEFINE_FINAL_TYPE (PisoSshPrompt, piso_ssh_prompt, G_TYPE_OBJECT)

enum { PROP_0, PROP_FINISHED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static char *
find_fingerprint (const char *text)
{
  const char *start = strstr (text, "SHA256:");
  const char *end;

  if (start == NULL)
    return NULL;
  for (end = start + strlen ("SHA256:"); *end != '\0' && !g_ascii_isspace (*end) && *end != '.';
       end++)
    ;
  return g_strndup (start, end - start);
}

PisoSshPromptKind
piso_ssh_prompt_classify (const char  *hint,
                          const char  *text,
                          char       **fingerprint)
{
  PisoSshPromptKind kind = PISO_SSH_PROMPT_OTHER;

  g_return_val_if_fail (text != NULL, PISO_SSH_PROMPT_OTHER);

  /* Texts from OpenSSH 9.2–10: sshconnect.c (host keys), sshconnect2.c
   * ("Enter passphrase for key", "user@host's password:"), ssh-sk-client /
   * sshconnect2.c ("Confirm user presence for key …", shown with hint
   * "none": a notice that needs no answer). A changed key never reaches
   * askpass with StrictHostKeyChecking=ask — ssh refuses it and says so on
   * stderr (see piso_ssh_diagnose) — but an "accept-new"/"no" config would
   * show it in a prompt, so the text is recognised here too. */
  if (g_strcmp0 (hint, "none") == 0 || strstr (text, "Confirm user presence") != NULL)
    kind = PISO_SSH_PROMPT_SECURITY_KEY_TOUCH;
  else if (strstr (text, "HOST IDENTIFICATION HAS CHANGED") != NULL)
    kind = PISO_SSH_PROMPT_HOST_KEY_CHANGED;
  else if (strstr (text, "authenticity of host") != NULL ||
           strstr (text, "continue connecting") != NULL)
    kind = PISO_SSH_PROMPT_HOST_KEY_UNKNOWN;
  else if (strstr (text, "passphrase") != NULL || strstr (text, "PIN for") != NULL)
    kind = PISO_SSH_PROMPT_PASSPHRASE;
  else if (strstr (text, "assword") != NULL)
    kind = PISO_SSH_PROMPT_PASSWORD;

  if (fingerprint != NULL)
    *fingerprint = (kind == PISO_SSH_PROMPT_HOST_KEY_UNKNOWN ||
                    kind == PISO_SSH_PROMPT_HOST_KEY_CHANGED) ? find_fingerprint (text) : NULL;
  return kind;
}

static void
piso_ssh_prompt_set_finished (PisoSshPrompt *self)
{
  g_assert (PISO_IS_SSH_PROMPT (self));

  if (self->finished)
    return;
  self->finished = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
}

static void
reply_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PisoSshPrompt) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    g_debug ("The askpass helper left before its answer: %s", error->message);
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
}

/* The helper's protocol: "y" and the answer, or nothing (cancelled). */
static void
piso_ssh_prompt_reply (PisoSshPrompt *self,
                       const char    *answer)
{
  GOutputStream *out;
  g_autoptr(GBytes) bytes = NULL;

  g_assert (PISO_IS_SSH_PROMPT (self));

  if (self->finished)
    return;
  piso_ssh_prompt_set_finished (self);
  g_cancellable_cancel (self->cancellable);

  if (self->reply_func != NULL)
    {
      PisoSshPromptReplyFunc func = g_steal_pointer (&self->reply_func);

      func (answer, self->reply_data);
      if (self->reply_destroy != NULL)
        g_clear_pointer (&self->reply_data, self->reply_destroy);
      return;
    }

  out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  if (answer == NULL)
    {
      g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
      return;
    }
  bytes = g_bytes_new_take (g_strconcat ("y", answer, NULL), strlen (answer) + 1);
  g_output_stream_write_all_async (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, NULL, reply_written_cb,
                                   g_object_ref (self));
  /* The buffer must outlive the write. */
  g_object_set_data_full (G_OBJECT (self), "piso-reply", g_steal_pointer (&bytes),
                          (GDestroyNotify) g_bytes_unref);
}

void
piso_ssh_prompt_answer (PisoSshPrompt *self,
                        const char    *answer)
{
  g_return_if_fail (PISO_IS_SSH_PROMPT (self));
  g_return_if_fail (answer != NULL);

  piso_ssh_prompt_reply (self, answer);
}

void
piso_ssh_prompt_accept_host_key (PisoSshPrompt *self,
                                 gboolean       accept)
{
  g_return_if_fail (PISO_IS_SSH_PROMPT (self));

  piso_ssh_prompt_reply (self, accept ? "yes" : "no");
}

void
piso_ssh_prompt_cancel (PisoSshPrompt *self)
{
  g_return_if_fail (PISO_IS_SSH_PROMPT (self));

  piso_ssh_prompt_reply (self, NULL);
}

/* A touch notice ends when ssh kills its helper: the socket reads EOF. */
static void
notice_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PisoSshPrompt) self = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result,
                                                              NULL);

  piso_ssh_prompt_set_finished (self);
}

PisoSshPrompt *
_piso_ssh_prompt_new (GSocketConnection *connection,
                      const char        *hint,
                      const char        *text)
{
  PisoSshPrompt *self;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (PISO_TYPE_SSH_PROMPT, NULL);
  self->connection = g_object_ref (connection);
  self->text = g_strdup (text);
  self->kind = piso_ssh_prompt_classify (hint, text, &self->fingerprint);
  if (self->kind == PISO_SSH_PROMPT_SECURITY_KEY_TOUCH)
    g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)), 1,
                                     G_PRIORITY_DEFAULT, self->cancellable, notice_closed_cb,
                                     g_object_ref (self));
  return self;
}

PisoSshPrompt *
_piso_ssh_prompt_new_local (PisoSshPromptKind       kind,
                            const char             *text,
                            gboolean                echo,
                            PisoSshPromptReplyFunc  func,
                            gpointer                user_data,
                            GDestroyNotify          destroy)
{
  PisoSshPrompt *self;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (PISO_TYPE_SSH_PROMPT, NULL);
  self->kind = kind;
  self->text = g_strdup (text);
  self->echo = echo;
  if (kind == PISO_SSH_PROMPT_HOST_KEY_UNKNOWN || kind == PISO_SSH_PROMPT_HOST_KEY_CHANGED)
    self->fingerprint = find_fingerprint (text);
  self->reply_func = func;
  self->reply_data = user_data;
  self->reply_destroy = destroy;
  return self;
}

gboolean
piso_ssh_prompt_get_echo (PisoSshPrompt *self)
{
  g_return_val_if_fail (PISO_IS_SSH_PROMPT (self), FALSE);
  return self->echo;
}

gboolean
piso_ssh_prompt_get_retry (PisoSshPrompt *self)
{
  g_return_val_if_fail (PISO_IS_SSH_PROMPT (self), FALSE);
  return self->retry;
}

void
_piso_ssh_prompt_set_retry (PisoSshPrompt *self,
                            gboolean       retry)
{
  g_return_if_fail (PISO_IS_SSH_PROMPT (self));
  self->retry = retry;
}

PisoSshPromptKind
piso_ssh_prompt_get_kind (PisoSshPrompt *self)
{
  g_return_val_if_fail (PISO_IS_SSH_PROMPT (self), PISO_SSH_PROMPT_OTHER);
  return self->kind;
}

const char *
piso_ssh_prompt_get_text (PisoSshPrompt *self)
{
  g_return_val_if_fail (PISO_IS_SSH_PROMPT (self), NULL);
  return self->text;
}

const char *
piso_ssh_prompt_get_fingerprint (PisoSshPrompt *self)
{
  g_return_val_if_fail (PISO_IS_SSH_PROMPT (self), NULL);
  return self->fingerprint;
}

gboolean
piso_ssh_prompt_get_finished (PisoSshPrompt *self)
{
  g_return_val_if_fail (PISO_IS_SSH_PROMPT (self), FALSE);
  return self->finished;
}

static void
piso_ssh_prompt_dispose (GObject *object)
{
  PisoSshPrompt *self = (PisoSshPrompt *)object;

  /* Nobody answered: the helper must not wait forever. */
  if (self->connection != NULL && !self->finished)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  if (!self->finished && self->reply_func != NULL)
    piso_ssh_prompt_reply (self, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (piso_ssh_prompt_parent_class)->dispose (object);
}

static void
piso_ssh_prompt_finalize (GObject *object)
{
  PisoSshPrompt *self = (PisoSshPrompt *)object;

  g_free (self->text);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (piso_ssh_prompt_parent_class)->finalize (object);
}

static void
piso_ssh_prompt_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PisoSshPrompt *self = PISO_SSH_PROMPT (object);

  switch (prop_id)
    {
    case PROP_FINISHED:
      g_value_set_boolean (value, self->finished);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_ssh_prompt_class_init (PisoSshPromptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_ssh_prompt_dispose;
  object_class->finalize = piso_ssh_prompt_finalize;
  object_class->get_property = piso_ssh_prompt_get_property;

  properties[PROP_FINISHED] =
    g_param_spec_boolean ("finished", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_ssh_prompt_init (PisoSshPrompt *self)
{
  self->cancellable = g_cancellable_new ();
}
