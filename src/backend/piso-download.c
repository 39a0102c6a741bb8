/* piso-download.c: an HTTP/HTTPS download with progress, resume and check
 *
 * The transfer runs in a worker thread with a SoupSession of its own
 * (libsoup 3 sessions belong to one thread); progress is handed to the
 * caller's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-download"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "piso-backend-private.h"
#include "piso-backend-types.h"
#include "piso-download.h"

#define CHUNK (256 * 1024)
#define MAX_ATTEMPTS 5
#define NOTIFY_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

struct _PisoDownload
{
  GObject       parent_instance;

  char         *url;
  char         *dest_path;
  char         *part_path;
  char         *sha256;

  GMutex        lock;       /* received, total, notify_pending */
  guint64       received;
  guint64       total;
  gboolean      notify_pending;
  gint64        last_notify;
  GMainContext *context;    /* where notifications go */
  gboolean      running;
};

G_DEFINE_FINAL_TYPE (PisoDownload, piso_download, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URL,
  PROP_DEST_PATH,
  PROP_RECEIVED,
  PROP_TOTAL,
  PROP_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_download_finalize (GObject *object)
{
  PisoDownload *self = PISO_DOWNLOAD (object);

  g_free (self->url);
  g_free (self->dest_path);
  g_free (self->part_path);
  g_free (self->sha256);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (piso_download_parent_class)->finalize (object);
}

static void
piso_download_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PisoDownload *self = PISO_DOWNLOAD (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_DEST_PATH:
      g_value_set_string (value, self->dest_path);
      break;
    case PROP_RECEIVED:
      g_value_set_uint64 (value, piso_download_get_received (self));
      break;
    case PROP_TOTAL:
      g_value_set_uint64 (value, piso_download_get_total (self));
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, piso_download_get_progress (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_download_class_init (PisoDownloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = piso_download_finalize;
  object_class->get_property = piso_download_get_property;

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEST_PATH] =
    g_param_spec_string ("dest-path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECEIVED] =
    g_param_spec_uint64 ("received", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] =
    g_param_spec_uint64 ("total", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, -1, 1, -1,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_download_init (PisoDownload *self)
{
  g_mutex_init (&self->lock);
}

PisoDownload *
piso_download_new (const char *url,
                   const char *dest_path,
                   const char *sha256)
{
  PisoDownload *self;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (dest_path != NULL, NULL);

  self = g_object_new (PISO_TYPE_DOWNLOAD, NULL);
  self->url = g_strdup (url);
  self->dest_path = g_strdup (dest_path);
  self->part_path = g_strconcat (dest_path, ".part", NULL);
  if (sha256 != NULL && *sha256 != '\0')
    self->sha256 = g_ascii_strdown (g_strstrip (g_strdup (sha256)), -1);
  return self;
}

const char *
piso_download_get_url (PisoDownload *self)
{
  g_return_val_if_fail (PISO_IS_DOWNLOAD (self), NULL);
  return self->url;
}

const char *
piso_download_get_dest_path (PisoDownload *self)
{
  g_return_val_if_fail (PISO_IS_DOWNLOAD (self), NULL);
  return self->dest_path;
}

const char *
piso_download_get_part_path (PisoDownload *self)
{
  g_return_val_if_fail (PISO_IS_DOWNLOAD (self), NULL);
  return self->part_path;
}

guint64
piso_download_get_received (PisoDownload *self)
{
  guint64 value;

  g_return_val_if_fail (PISO_IS_DOWNLOAD (self), 0);
  g_mutex_lock (&self->lock);
  value = self->received;
  g_mutex_unlock (&self->lock);
  return value;
}

guint64
piso_download_get_total (PisoDownload *self)
{
  guint64 value;

  g_return_val_if_fail (PISO_IS_DOWNLOAD (self), 0);
  g_mutex_lock (&self->lock);
  value = self->total;
  g_mutex_unlock (&self->lock);
  return value;
}

double
piso_download_get_progress (PisoDownload *self)
{
  double value = -1;

  g_return_val_if_fail (PISO_IS_DOWNLOAD (self), -1);
  g_mutex_lock (&self->lock);
  if (self->total > 0)
    value = MIN (1.0, (double) self->received / (double) self->total);
  g_mutex_unlock (&self->lock);
  return value;
}

void
piso_download_discard (PisoDownload *self)
{
  g_return_if_fail (PISO_IS_DOWNLOAD (self));
  g_unlink (self->part_path);
}

/* Main context side of the progress hand-over. */
static gboolean
notify_progress_idle (gpointer user_data)
{
  PisoDownload *self = user_data;

  g_mutex_lock (&self->lock);
  self->notify_pending = FALSE;
  g_mutex_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  return G_SOURCE_REMOVE;
}

/* Worker side: records the counts and queues one notification at a time,
 * at most every NOTIFY_INTERVAL_US unless @force. */
static void
set_counts (PisoDownload *self,
            guint64       received,
            guint64       total,
            gboolean      force)
{
  gint64 now = g_get_monotonic_time ();
  gboolean queue = FALSE;

  g_mutex_lock (&self->lock);
  self->received = received;
  self->total = total;
  if (!self->notify_pending && (force || now - self->last_notify >= NOTIFY_INTERVAL_US))
    {
      self->notify_pending = TRUE;
      self->last_notify = now;
      queue = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (queue)
    _piso_run_in_context (self->context, notify_progress_idle, g_object_ref (self), g_object_unref);
}

static guint64
part_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) < 0)
    return 0;
  return st.st_size;
}

/* "bytes 100-199/5000" → 5000 */
static guint64
content_range_total (SoupMessageHeaders *headers)
{
  const char *range = soup_message_headers_get_one (headers, "Content-Range");
  const char *slash;

  if (range == NULL || (slash = strchr (range, '/')) == NULL || slash[1] == '*')
    return 0;
  return g_ascii_strtoull (slash + 1, NULL, 10);
}

typedef enum { ATTEMPT_DONE, ATTEMPT_RETRY, ATTEMPT_FAILED } AttemptResult;

static AttemptResult
attempt (PisoDownload  *self,
         SoupSession   *session,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GFileOutputStream) output = NULL;
  g_autoptr(GFile) part = g_file_new_for_path (self->part_path);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *buffer = NULL;
  guint64 have = part_size (self->part_path);
  guint64 total = 0;
  guint status;
  gssize n;

  message = soup_message_new (SOUP_METHOD_GET, self->url);
  if (message == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("“%s” is not a web address Piso can download from. Use an http:// or https:// address."),
                   self->url);
      return ATTEMPT_FAILED;
    }
  if (have > 0)
    soup_message_headers_set_range (soup_message_get_request_headers (message), have, -1);

  input = soup_session_send (session, message, cancellable, &local_error);
  if (input == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return ATTEMPT_FAILED;
        }
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("Could not download %s: %s. Check the address and your network connection."),
                   self->url, local_error->message);
      return ATTEMPT_RETRY;
    }

  status = soup_message_get_status (message);
  if (status == SOUP_STATUS_PARTIAL_CONTENT && have > 0)
    {
      total = content_range_total (soup_message_get_response_headers (message));
      output = g_file_append_to (part, G_FILE_CREATE_NONE, cancellable, error);
    }
  else if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && have > 0)
    {
      /* The part is as long as the file (or longer): start over unless it
       * is exactly complete. */
      total = content_range_total (soup_message_get_response_headers (message));
      if (total == have)
        {
          set_counts (self, have, total, TRUE);
          return ATTEMPT_DONE;
        }
      g_unlink (self->part_path);
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("Could not resume the download of %s."), self->url);
      return ATTEMPT_RETRY;
    }
  else if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* The server ignored the range (or none was asked): from the start. */
      have = 0;
      total = soup_message_headers_get_content_length (soup_message_get_response_headers (message));
      output = g_file_replace (part, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
    }
  else
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("Could not download %s: the server answered “%u %s”. Check the address."),
                   self->url, status, soup_message_get_reason_phrase (message));
      /* Server errors may pass; "not found" and the like will not. */
      return status >= 500 ? ATTEMPT_RETRY : ATTEMPT_FAILED;
    }
  if (output == NULL)
    return ATTEMPT_FAILED;

  set_counts (self, have, total, TRUE);
  buffer = g_malloc (CHUNK);
  while ((n = g_input_stream_read (input, buffer, CHUNK, cancellable, &local_error)) > 0)
    {
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (output), buffer, n, NULL, cancellable, error))
        return ATTEMPT_FAILED;
      have += n;
      set_counts (self, have, total, FALSE);
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (output), NULL, error))
    return ATTEMPT_FAILED;
  set_counts (self, have, total, TRUE);

  if (n < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return ATTEMPT_FAILED;
        }
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The download of %s was interrupted: %s."), self->url, local_error->message);
      return ATTEMPT_RETRY;
    }
  if (total > 0 && have < total)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The download of %s stopped early."), self->url);
      return ATTEMPT_RETRY;
    }
  return ATTEMPT_DONE;
}

static gboolean
check_sha256 (PisoDownload  *self,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GFile) part = g_file_new_for_path (self->part_path);
  g_autoptr(GFileInputStream) input = g_file_read (part, cancellable, error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *buffer = NULL;
  gssize n;

  if (input == NULL)
    return FALSE;
  buffer = g_malloc (CHUNK);
  while ((n = g_input_stream_read (G_INPUT_STREAM (input), buffer, CHUNK, cancellable, error)) > 0)
    g_checksum_update (checksum, (const guchar *) buffer, n);
  if (n < 0)
    return FALSE;

  if (!g_str_equal (g_checksum_get_string (checksum), self->sha256))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The downloaded file is not the expected one: its SHA-256 checksum is %s, "
                     "not %s. Check the address and the checksum."),
                   g_checksum_get_string (checksum), self->sha256);
      /* A wrong file is no base to resume from. */
      g_unlink (self->part_path);
      return FALSE;
    }
  return TRUE;
}

static void
download_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PisoDownload *self = source_object;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30,
                                                                  "user-agent", "Piso/" PACKAGE_VERSION,
                                                                  NULL);
  GError *error = NULL;

  for (guint i = 0; i < MAX_ATTEMPTS; i++)
    {
      AttemptResult result;

      g_clear_error (&error);
      result = attempt (self, session, cancellable, &error);
      if (result == ATTEMPT_DONE)
        break;
      if (result == ATTEMPT_FAILED || i + 1 == MAX_ATTEMPTS)
        {
          g_task_return_error (task, error);
          return;
        }
      g_debug ("retrying %s: %s", self->url, error->message);
      /* Back off a little, stopping at once on cancellation. */
      if (g_cancellable_is_cancelled (cancellable))
        break;
      g_usleep ((i + 1) * G_USEC_PER_SEC / 2);
    }
  g_clear_error (&error);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->sha256 != NULL && !check_sha256 (self, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_rename (self->part_path, self->dest_path) < 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Could not save the download as %s: %s"),
                               self->dest_path, g_strerror (saved));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
download_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  PisoDownload *self = PISO_DOWNLOAD (object);
  GError *error = NULL;

  self->running = FALSE;
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

void
piso_download_run_async (PisoDownload        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;

  g_return_if_fail (PISO_IS_DOWNLOAD (self));
  g_return_if_fail (!self->running);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, piso_download_run_async);
  self->running = TRUE;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();

  /* The inner task completes after every queued notification of the
   * worker has been dispatched, since both go through the same context. */
  inner = g_task_new (self, cancellable, download_done, g_steal_pointer (&outer));
  g_task_set_source_tag (inner, piso_download_run_async);
  g_task_set_return_on_cancel (inner, FALSE);
  g_task_run_in_thread (inner, download_thread);
}

gboolean
piso_download_run_finish (PisoDownload  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PISO_IS_DOWNLOAD (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
