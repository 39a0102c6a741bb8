/* piso-spice-clipboard.c: the guest's clipboard and the host's, through the SPICE agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-spice-clipboard"

#include "config.h"

#include "piso-spice-clipboard.h"

#include <string.h>

#include <glib/gi18n.h>
#include <spice/vd_agent.h>

#define TEXT_MIME "text/plain;charset=utf-8"
/* A guest that grabbed but does not answer must not keep a pasting
 * application waiting for ever. */
#define GUEST_REPLY_TIMEOUT_S 10
/* the session's bridge (no reference), see piso_spice_clipboard_new() */
#define SESSION_KEY "piso-spice-clipboard"

typedef enum
{
  SELECTION_CLIPBOARD,
  SELECTION_PRIMARY,
  N_SELECTIONS
} SelectionIndex;

static const guint agent_selections[N_SELECTIONS] = {
  VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD,
  VD_AGENT_CLIPBOARD_SELECTION_PRIMARY,
};

#define PISO_TYPE_SPICE_CLIPBOARD_PROVIDER (piso_spice_clipboard_provider_get_type ())
G_DECLARE_FINAL_TYPE (PisoSpiceClipboardProvider, piso_spice_clipboard_provider,
                      PISO, SPICE_CLIPBOARD_PROVIDER, GdkContentProvider)

typedef struct
{
  PisoSpiceClipboard         *owner;
  SelectionIndex              index;
  GdkClipboard               *clipboard;
  gulong                      changed_id;
  /* set on the host clipboard while the guest owns this selection */
  PisoSpiceClipboardProvider *provider;
  /* the guest was told that the host has text for it */
  gboolean                    host_grabbed;
  /* GTasks of host readers waiting for the guest's text */
  GPtrArray                  *pending;
  guint                       timeout_id;
} Selection;

struct _PisoSpiceClipboard
{
  GObject           parent_instance;

  PisoSpiceSession *session;
  GdkDisplay       *display;
  gboolean          active;
  gulong            state_id;
  gulong            agent_id;

  SpiceMainChannel *main;        /* of the current connection, with our handlers */
  gulong            grab_id;
  gulong            release_id;
  gulong            request_id;
  gulong            data_id;
  gulong            caps_id;
  GCancellable     *cancellable; /* host reads for the current main channel */

  Selection         selections[N_SELECTIONS];
};

G_DEFINE_FINAL_TYPE (PisoSpiceClipboard, piso_spice_clipboard, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_DISPLAY,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void request_guest_text (Selection *selection,
                                GTask     *task);

/* ---- the content provider for text the guest owns ---- */

struct _PisoSpiceClipboardProvider
{
  GdkContentProvider  parent_instance;
  Selection          *selection;   /* NULL once the guest no longer owns it */
};

G_DEFINE_FINAL_TYPE (PisoSpiceClipboardProvider, piso_spice_clipboard_provider,
                     GDK_TYPE_CONTENT_PROVIDER)

typedef struct
{
  GOutputStream *stream;
  int            io_priority;
  GBytes        *bytes;
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *write = data;

  g_clear_object (&write->stream);
  g_clear_pointer (&write->bytes, g_bytes_unref);
  g_free (write);
}

static GdkContentFormats *
provider_ref_formats (GdkContentProvider *provider)
{
  const char *mime_types[] = { TEXT_MIME };

  return gdk_content_formats_new (mime_types, G_N_ELEMENTS (mime_types));
}

static void
provider_write_mime_type_async (GdkContentProvider  *provider,
                                const char          *mime_type,
                                GOutputStream       *stream,
                                int                  io_priority,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  PisoSpiceClipboardProvider *self = (PisoSpiceClipboardProvider *) provider;
  g_autoptr(GTask) task = NULL;
  WriteData *write;

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, provider_write_mime_type_async);
  write = g_new0 (WriteData, 1);
  write->stream = g_object_ref (stream);
  write->io_priority = io_priority;
  g_task_set_task_data (task, write, write_data_free);

  if (g_strcmp0 (mime_type, TEXT_MIME) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The machine’s clipboard cannot be pasted as “%s”."),
                               mime_type);
      return;
    }
  if (self->selection == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("The machine’s clipboard is no longer available."));
      return;
    }

  request_guest_text (self->selection, g_steal_pointer (&task));
}

static gboolean
provider_write_mime_type_finish (GdkContentProvider  *provider,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
piso_spice_clipboard_provider_class_init (PisoSpiceClipboardProviderClass *klass)
{
  GdkContentProviderClass *provider_class = GDK_CONTENT_PROVIDER_CLASS (klass);

  provider_class->ref_formats = provider_ref_formats;
  provider_class->write_mime_type_async = provider_write_mime_type_async;
  provider_class->write_mime_type_finish = provider_write_mime_type_finish;
}

static void
piso_spice_clipboard_provider_init (PisoSpiceClipboardProvider *self)
{
}

/* ---- line ends ---- */

static gboolean
guest_uses_crlf (PisoSpiceClipboard *self)
{
  return self->main != NULL &&
         spice_main_channel_agent_test_capability (self->main, VD_AGENT_CAP_GUEST_LINEEND_CRLF);
}

/* The guest's text as UTF-8 with "\n" line ends (no trailing NUL). */
static GBytes *
text_from_guest (PisoSpiceClipboard *self,
                 const guint8       *data,
                 gsize               size)
{
  GString *text = g_string_sized_new (size);
  gboolean crlf = guest_uses_crlf (self);

  for (gsize i = 0; i < size && data[i] != '\0'; i++)
    {
      if (crlf && data[i] == '\r' && i + 1 < size && data[i + 1] == '\n')
        continue;
      g_string_append_c (text, (char) data[i]);
    }
  return g_string_free_to_bytes (text);
}

static char *
text_for_guest (PisoSpiceClipboard *self,
                const char         *text)
{
  GString *out;

  if (!guest_uses_crlf (self))
    return g_strdup (text);

  out = g_string_sized_new (strlen (text) + 16);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n' && (p == text || p[-1] != '\r'))
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* ---- guest → host ---- */

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Answers every waiting reader with @bytes, or with @error when NULL. */
static void
finish_pending (Selection    *selection,
                GBytes       *bytes,
                const GError *error)
{
  g_autoptr(GPtrArray) pending = NULL;

  g_clear_handle_id (&selection->timeout_id, g_source_remove);
  if (selection->pending->len == 0)
    return;

  pending = g_steal_pointer (&selection->pending);
  selection->pending = g_ptr_array_new ();

  for (guint i = 0; i < pending->len; i++)
    {
      GTask *task = g_ptr_array_index (pending, i);
      WriteData *write = g_task_get_task_data (task);

      if (bytes == NULL)
        {
          g_task_return_error (task, g_error_copy (error));
          g_object_unref (task);
          continue;
        }
      write->bytes = g_bytes_ref (bytes);
      g_output_stream_write_all_async (write->stream,
                                       g_bytes_get_data (write->bytes, NULL),
                                       g_bytes_get_size (write->bytes),
                                       write->io_priority,
                                       g_task_get_cancellable (task),
                                       write_done_cb, task);
    }
}

static void
fail_pending (Selection  *selection,
              GQuark      domain,
              int         code,
              const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, message);

  finish_pending (selection, NULL, error);
}

static gboolean
guest_reply_timeout_cb (gpointer user_data)
{
  Selection *selection = user_data;

  selection->timeout_id = 0;
  fail_pending (selection, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                _("The machine did not send its clipboard in time."));
  return G_SOURCE_REMOVE;
}

/* Takes @task. One request to the guest serves every reader waiting. */
static void
request_guest_text (Selection *selection,
                    GTask     *task)
{
  PisoSpiceClipboard *self = selection->owner;

  g_ptr_array_add (selection->pending, task);
  if (selection->timeout_id != 0)
    return;

  if (self->main == NULL)
    {
      fail_pending (selection, G_IO_ERROR, G_IO_ERROR_CLOSED,
                    _("The machine’s clipboard is no longer available."));
      return;
    }
  spice_main_channel_clipboard_selection_request (self->main,
                                                  agent_selections[selection->index],
                                                  VD_AGENT_CLIPBOARD_UTF8_TEXT);
  selection->timeout_id = g_timeout_add_seconds (GUEST_REPLY_TIMEOUT_S,
                                                 guest_reply_timeout_cb, selection);
}

/* The guest no longer owns the selection: its provider answers no more, and
 * with @clear the host clipboard is emptied if it still shows it. */
static void
drop_provider (Selection *selection,
               gboolean   clear)
{
  g_autoptr(PisoSpiceClipboardProvider) provider = g_steal_pointer (&selection->provider);

  if (provider == NULL)
    return;

  provider->selection = NULL;
  fail_pending (selection, G_IO_ERROR, G_IO_ERROR_CLOSED,
                _("The machine’s clipboard is no longer available."));
  if (clear && gdk_clipboard_get_content (selection->clipboard) ==
               GDK_CONTENT_PROVIDER (provider))
    gdk_clipboard_set_content (selection->clipboard, NULL);
}

static int
selection_index (guint agent_selection)
{
  for (int i = 0; i < N_SELECTIONS; i++)
    if (agent_selections[i] == agent_selection)
      return i;
  return -1;
}

static gboolean
main_grab_cb (SpiceMainChannel   *main,
              guint               agent_selection,
              gpointer            types_pointer,
              guint               n_types,
              PisoSpiceClipboard *self)
{
  const guint32 *types = types_pointer;
  gboolean text = FALSE;
  Selection *selection;
  PisoSpiceClipboardProvider *provider;
  int index = selection_index (agent_selection);

  if (index < 0)
    return FALSE;
  selection = &self->selections[index];

  for (guint i = 0; i < n_types; i++)
    text |= types[i] == VD_AGENT_CLIPBOARD_UTF8_TEXT;
  g_debug ("the guest took selection %u (%s)", agent_selection, text ? "text" : "no text");

  /* a grab by the guest ends the host's in the guest */
  selection->host_grabbed = FALSE;
  drop_provider (selection, !text);
  if (!text)
    return TRUE;

  provider = g_object_new (PISO_TYPE_SPICE_CLIPBOARD_PROVIDER, NULL);
  provider->selection = selection;
  selection->provider = provider;
  /* "changed" follows at once: it sees our provider and does not echo it */
  gdk_clipboard_set_content (selection->clipboard, GDK_CONTENT_PROVIDER (provider));
  return TRUE;
}

static void
main_release_cb (SpiceMainChannel   *main,
                 guint               agent_selection,
                 PisoSpiceClipboard *self)
{
  int index = selection_index (agent_selection);

  if (index >= 0)
    drop_provider (&self->selections[index], TRUE);
}

static void
main_data_cb (SpiceMainChannel   *main,
              guint               agent_selection,
              guint               type,
              gpointer            data,
              guint               size,
              PisoSpiceClipboard *self)
{
  g_autoptr(GBytes) bytes = NULL;
  int index = selection_index (agent_selection);

  if (index < 0)
    return;

  if (type != VD_AGENT_CLIPBOARD_UTF8_TEXT)
    {
      fail_pending (&self->selections[index], G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    _("The machine’s clipboard holds no text."));
      return;
    }
  bytes = text_from_guest (self, data, size);
  finish_pending (&self->selections[index], bytes, NULL);
}

/* ---- host → guest ---- */

static gboolean
can_share (PisoSpiceClipboard *self,
           SelectionIndex      index)
{
  if (self->main == NULL || !piso_spice_session_get_agent_connected (self->session))
    return FALSE;
  if (!spice_main_channel_agent_test_capability (self->main, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND))
    return FALSE;
  /* without selections an agent knows only CLIPBOARD */
  return index == SELECTION_CLIPBOARD ||
         spice_main_channel_agent_test_capability (self->main, VD_AGENT_CAP_CLIPBOARD_SELECTION);
}

static gboolean
host_has_text (Selection *selection)
{
  GdkContentFormats *formats = gdk_clipboard_get_formats (selection->clipboard);
  g_autoptr(GdkContentFormats) types = NULL;

  types = gdk_content_formats_union_deserialize_gtypes (gdk_content_formats_ref (formats));
  return gdk_content_formats_contain_gtype (types, G_TYPE_STRING);
}

static void
release_host_grab (Selection *selection)
{
  PisoSpiceClipboard *self = selection->owner;

  if (!selection->host_grabbed)
    return;
  selection->host_grabbed = FALSE;
  if (self->main != NULL)
    spice_main_channel_clipboard_selection_release (self->main,
                                                    agent_selections[selection->index]);
}

/* Tells the guest what the host's selection holds now. @again: the content
 * changed, so grab even when the guest was told about text before. */
static void
offer_host_content (Selection *selection,
                    gboolean   again)
{
  PisoSpiceClipboard *self = selection->owner;
  guint32 types[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
  GdkContentProvider *content = gdk_clipboard_get_content (selection->clipboard);

  if (selection->provider != NULL &&
      content == GDK_CONTENT_PROVIDER (selection->provider))
    return;   /* the guest's own text */

  if (!can_share (self, selection->index))
    {
      g_debug ("the guest's agent cannot take selection %u", agent_selections[selection->index]);
      selection->host_grabbed = FALSE;
      return;
    }
  if (!host_has_text (selection))
    {
      g_debug ("no text on the host's selection %u", agent_selections[selection->index]);
      release_host_grab (selection);
      return;
    }
  /* Another window has the focus: what the user copies there is not offered
   * (and what the guest was told about is gone) until the console is back. */
  if (!self->active)
    {
      if (again)
        release_host_grab (selection);
      return;
    }
  if (selection->host_grabbed && !again)
    return;

  g_debug ("offering the host's text to the guest (selection %u)", agent_selections[selection->index]);
  spice_main_channel_clipboard_selection_grab (self->main, agent_selections[selection->index],
                                               types, G_N_ELEMENTS (types));
  selection->host_grabbed = TRUE;
}

static void
host_changed_cb (GdkClipboard *clipboard,
                 Selection    *selection)
{
  GdkContentProvider *content = gdk_clipboard_get_content (clipboard);

  if (selection->provider != NULL &&
      content != GDK_CONTENT_PROVIDER (selection->provider))
    drop_provider (selection, FALSE);   /* a host application took over */
  offer_host_content (selection, TRUE);
}

typedef struct
{
  PisoSpiceClipboard *self;
  SelectionIndex      index;
  SpiceMainChannel   *main;
} HostRead;

static void
host_read_free (HostRead *read)
{
  g_clear_object (&read->self);
  g_clear_object (&read->main);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostRead, host_read_free)

static void
host_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HostRead) read = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *converted = NULL;
  PisoSpiceClipboard *self = read->self;

  text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->main != read->main)
    return;
  if (text == NULL)
    g_debug ("Host clipboard unreadable: %s", error != NULL ? error->message : "no text");

  /* an empty answer still ends the guest's wait */
  converted = text_for_guest (self, text != NULL ? text : "");
  spice_main_channel_clipboard_selection_notify (self->main, agent_selections[read->index],
                                                 VD_AGENT_CLIPBOARD_UTF8_TEXT,
                                                 (const guchar *) converted, strlen (converted));
}

static gboolean
main_request_cb (SpiceMainChannel   *main,
                 guint               agent_selection,
                 guint               type,
                 PisoSpiceClipboard *self)
{
  HostRead *read;
  int index = selection_index (agent_selection);

  g_debug ("the guest asks for selection %u, type %u", agent_selection, type);
  if (index < 0 || type != VD_AGENT_CLIPBOARD_UTF8_TEXT)
    return FALSE;
  /* host_grabbed ends when the host's clipboard changes while another
   * window has the focus: that text is not the guest's to read */
  if (!self->selections[index].host_grabbed)
    {
      spice_main_channel_clipboard_selection_notify (main, agent_selection,
                                                     VD_AGENT_CLIPBOARD_UTF8_TEXT, NULL, 0);
      return TRUE;
    }

  read = g_new0 (HostRead, 1);
  read->self = g_object_ref (self);
  read->index = index;
  read->main = g_object_ref (main);
  gdk_clipboard_read_text_async (self->selections[index].clipboard, self->cancellable,
                                 host_text_cb, read);
  return TRUE;
}

/* ---- following the session ---- */

static void
sync_all (PisoSpiceClipboard *self)
{
  for (int i = 0; i < N_SELECTIONS; i++)
    offer_host_content (&self->selections[i], FALSE);
}

static void
main_agent_update_cb (SpiceMainChannel   *main,
                      PisoSpiceClipboard *self)
{
  sync_all (self);
}

static void
forget_guest (PisoSpiceClipboard *self)
{
  for (int i = 0; i < N_SELECTIONS; i++)
    {
      self->selections[i].host_grabbed = FALSE;
      drop_provider (&self->selections[i], TRUE);
    }
}

static void
set_main_channel (PisoSpiceClipboard *self,
                  SpiceMainChannel   *main)
{
  if (self->main == main)
    return;

  if (self->main != NULL)
    {
      g_clear_signal_handler (&self->grab_id, self->main);
      g_clear_signal_handler (&self->release_id, self->main);
      g_clear_signal_handler (&self->request_id, self->main);
      g_clear_signal_handler (&self->data_id, self->main);
      g_clear_signal_handler (&self->caps_id, self->main);
      g_clear_object (&self->main);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  forget_guest (self);

  if (main == NULL)
    return;

  self->main = g_object_ref (main);
  self->cancellable = g_cancellable_new ();
  self->grab_id = g_signal_connect (main, "main-clipboard-selection-grab",
                                    G_CALLBACK (main_grab_cb), self);
  self->release_id = g_signal_connect (main, "main-clipboard-selection-release",
                                       G_CALLBACK (main_release_cb), self);
  self->request_id = g_signal_connect (main, "main-clipboard-selection-request",
                                       G_CALLBACK (main_request_cb), self);
  self->data_id = g_signal_connect (main, "main-clipboard-selection",
                                    G_CALLBACK (main_data_cb), self);
  /* the agent's capabilities arrive after it connects */
  self->caps_id = g_signal_connect (main, "main-agent-update",
                                    G_CALLBACK (main_agent_update_cb), self);
  sync_all (self);
}

static void
session_state_cb (PisoSpiceSession   *session,
                  GParamSpec         *pspec,
                  PisoSpiceClipboard *self)
{
  set_main_channel (self, piso_spice_session_get_main_channel (session));
}

static void
agent_connected_cb (PisoSpiceSession   *session,
                    GParamSpec         *pspec,
                    PisoSpiceClipboard *self)
{
  if (!piso_spice_session_get_agent_connected (session))
    forget_guest (self);
  else
    sync_all (self);
}

/* ---- GObject ---- */

static void
piso_spice_clipboard_constructed (GObject *object)
{
  PisoSpiceClipboard *self = PISO_SPICE_CLIPBOARD (object);

  G_OBJECT_CLASS (piso_spice_clipboard_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  g_assert (self->display != NULL);

  self->selections[SELECTION_CLIPBOARD].clipboard =
    g_object_ref (gdk_display_get_clipboard (self->display));
  self->selections[SELECTION_PRIMARY].clipboard =
    g_object_ref (gdk_display_get_primary_clipboard (self->display));
  for (int i = 0; i < N_SELECTIONS; i++)
    {
      Selection *selection = &self->selections[i];

      selection->owner = self;
      selection->index = i;
      selection->pending = g_ptr_array_new ();
      selection->changed_id = g_signal_connect (selection->clipboard, "changed",
                                                G_CALLBACK (host_changed_cb), selection);
    }

  self->state_id = g_signal_connect (self->session, "notify::state",
                                     G_CALLBACK (session_state_cb), self);
  self->agent_id = g_signal_connect (self->session, "notify::agent-connected",
                                     G_CALLBACK (agent_connected_cb), self);
  set_main_channel (self, piso_spice_session_get_main_channel (self->session));
}

static void
piso_spice_clipboard_dispose (GObject *object)
{
  PisoSpiceClipboard *self = PISO_SPICE_CLIPBOARD (object);

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->state_id, self->session);
      g_clear_signal_handler (&self->agent_id, self->session);
      if (g_object_get_data (G_OBJECT (self->session), SESSION_KEY) == self)
        g_object_set_data (G_OBJECT (self->session), SESSION_KEY, NULL);
    }
  set_main_channel (self, NULL);
  for (int i = 0; i < N_SELECTIONS; i++)
    {
      Selection *selection = &self->selections[i];

      if (selection->clipboard != NULL)
        g_clear_signal_handler (&selection->changed_id, selection->clipboard);
      g_clear_object (&selection->clipboard);
      if (selection->pending != NULL)
        {
          fail_pending (selection, G_IO_ERROR, G_IO_ERROR_CLOSED,
                        _("The machine’s clipboard is no longer available."));
          g_clear_pointer (&selection->pending, g_ptr_array_unref);
        }
    }
  g_clear_object (&self->session);
  g_clear_object (&self->display);

  G_OBJECT_CLASS (piso_spice_clipboard_parent_class)->dispose (object);
}

static void
piso_spice_clipboard_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PisoSpiceClipboard *self = PISO_SPICE_CLIPBOARD (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_DISPLAY:
      g_value_set_object (value, self->display);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_spice_clipboard_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PisoSpiceClipboard *self = PISO_SPICE_CLIPBOARD (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_DISPLAY:
      self->display = g_value_dup_object (value);
      break;
    case PROP_ACTIVE:
      piso_spice_clipboard_set_active (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_spice_clipboard_class_init (PisoSpiceClipboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = piso_spice_clipboard_constructed;
  object_class->dispose = piso_spice_clipboard_dispose;
  object_class->get_property = piso_spice_clipboard_get_property;
  object_class->set_property = piso_spice_clipboard_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, PISO_TYPE_SPICE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY] =
    g_param_spec_object ("display", NULL, NULL, GDK_TYPE_DISPLAY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_spice_clipboard_init (PisoSpiceClipboard *self)
{
  self->active = TRUE;
}

PisoSpiceClipboard *
piso_spice_clipboard_new (PisoSpiceSession *session,
                          GdkDisplay       *display)
{
  PisoSpiceClipboard *self;

  g_return_val_if_fail (PISO_IS_SPICE_SESSION (session), NULL);
  g_return_val_if_fail (GDK_IS_DISPLAY (display), NULL);

  /* Two bridges on one guest would answer each other's grabs: share one. */
  self = g_object_get_data (G_OBJECT (session), SESSION_KEY);
  if (self != NULL && self->display == display)
    return g_object_ref (self);

  self = g_object_new (PISO_TYPE_SPICE_CLIPBOARD, "session", session, "display", display, NULL);
  g_object_set_data (G_OBJECT (session), SESSION_KEY, self);
  return self;
}

PisoSpiceSession *
piso_spice_clipboard_get_session (PisoSpiceClipboard *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_CLIPBOARD (self), NULL);
  return self->session;
}

gboolean
piso_spice_clipboard_get_active (PisoSpiceClipboard *self)
{
  g_return_val_if_fail (PISO_IS_SPICE_CLIPBOARD (self), FALSE);
  return self->active;
}

void
piso_spice_clipboard_set_active (PisoSpiceClipboard *self,
                                 gboolean            active)
{
  g_return_if_fail (PISO_IS_SPICE_CLIPBOARD (self));

  active = !!active;
  if (self->active == active)
    return;
  self->active = active;
  /* (during construction there is nothing to offer yet) */
  if (active && self->selections[0].pending != NULL)
    sync_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}
