/* piso-machine-screenshot.c: the guest's screen as an image, from libvirt
 *
 * virDomainScreenshot hands the image over a virStream: QEMU sends PPM, the
 * test driver a PNG. The stream is blocking, so everything runs in a worker
 * thread; the caller gets the bytes and libvirt's MIME type and decodes them
 * where it likes (the list does it off the main thread as well).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-screenshot"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-machine-private.h"

/* A 4K guest in PPM is 24 MiB; anything far beyond is not a screen. */
#define MAX_SCREENSHOT_BYTES (128 * 1024 * 1024)
#define CHUNK_SIZE           (256 * 1024)

typedef struct
{
  virDomainPtr  handle;
  char         *name;
  guint         screen;
  GBytes       *bytes;       /* result */
  char         *mime_type;   /* result */
} ScreenshotOp;

static void
screenshot_op_free (ScreenshotOp *op)
{
  g_clear_pointer (&op->handle, virDomainFree);
  g_free (op->name);
  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_free (op->mime_type);
  g_free (op);
}

static gboolean
domain_is_active (virDomainPtr handle)
{
  int state = VIR_DOMAIN_NOSTATE;

  if (virDomainGetState (handle, &state, NULL, 0) < 0)
    return TRUE; /* let the screenshot call report the real reason */

  return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED ||
         state == VIR_DOMAIN_BLOCKED;
}

static gboolean
take_screenshot (ScreenshotOp  *op,
                 GCancellable  *cancellable,
                 GError       **error)
{
  virConnectPtr conn = virDomainGetConnect (op->handle);
  virStreamPtr stream;
  g_autoptr(GByteArray) data = NULL;
  g_autofree char *buffer = NULL;
  char *mime;

  if (!domain_is_active (op->handle))
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("“%s” is not running, so it has no screen to show."), op->name);
      return FALSE;
    }

  stream = virStreamNew (conn, 0);
  if (stream == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not take a screenshot of “%s”"), op->name);
      return FALSE;
    }

  mime = virDomainScreenshot (op->handle, stream, op->screen, 0);
  if (mime == NULL)
    {
      virErrorPtr verr = virGetLastError ();

      if (verr != NULL && verr->code == VIR_ERR_OPERATION_INVALID && !domain_is_active (op->handle))
        g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                     _("“%s” is not running, so it has no screen to show."), op->name);
      else
        _piso_set_error_from_libvirt (error, _("Could not take a screenshot of “%s”"), op->name);
      virStreamFree (stream);
      return FALSE;
    }

  data = g_byte_array_new ();
  buffer = g_malloc (CHUNK_SIZE);

  for (;;)
    {
      int got;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto abort;

      got = virStreamRecv (stream, buffer, CHUNK_SIZE);
      if (got == 0)
        break;
      if (got < 0)
        {
          _piso_set_error_from_libvirt (error, _("Could not take a screenshot of “%s”"), op->name);
          goto abort;
        }
      if (data->len + (guint) got > MAX_SCREENSHOT_BYTES)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                       _("The screenshot of “%s” is larger than %d MiB and was dropped."),
                       op->name, MAX_SCREENSHOT_BYTES / (1024 * 1024));
          goto abort;
        }
      g_byte_array_append (data, (const guint8 *) buffer, (guint) got);
    }

  if (virStreamFinish (stream) < 0)
    {
      _piso_set_error_from_libvirt (error, _("Could not take a screenshot of “%s”"), op->name);
      virStreamFree (stream);
      free (mime);
      return FALSE;
    }
  virStreamFree (stream);

  if (data->len == 0)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                   _("The screenshot of “%s” came back empty."), op->name);
      free (mime);
      return FALSE;
    }

  op->mime_type = g_strdup (mime);
  free (mime);
  op->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  return TRUE;

abort:
  virStreamAbort (stream);
  virStreamFree (stream);
  free (mime);
  return FALSE;
}

GBytes *
_piso_domain_screenshot (virDomainPtr   handle,
                         const char    *name,
                         guint          screen,
                         GCancellable  *cancellable,
                         char         **mime_type,
                         GError       **error)
{
  ScreenshotOp op = { handle, (char *) name, screen, NULL, NULL };

  if (!take_screenshot (&op, cancellable, error))
    return NULL;
  *mime_type = op.mime_type;
  return op.bytes;
}

static void
screenshot_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ScreenshotOp *op = task_data;
  GError *error = NULL;

  if (take_screenshot (op, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
piso_machine_screenshot_async (PisoMachine         *self,
                               guint                screen,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ScreenshotOp *op;
  virDomainPtr handle;
  PisoMachineState state;

  g_return_if_fail (PISO_IS_MACHINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_machine_screenshot_async);

  state = piso_machine_get_state (self);
  if (state != PISO_MACHINE_STATE_RUNNING && state != PISO_MACHINE_STATE_PAUSED &&
      state != PISO_MACHINE_STATE_SHUTTING_DOWN)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               _("“%s” is not running, so it has no screen to show."),
                               piso_machine_get_display_name (self));
      return;
    }

  handle = _piso_machine_ref_handle (self);
  if (handle == NULL)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                               _("“%s” cannot be reached: the connection to its host is down."),
                               piso_machine_get_display_name (self));
      return;
    }

  op = g_new0 (ScreenshotOp, 1);
  op->handle = handle;
  op->name = g_strdup (piso_machine_get_display_name (self));
  op->screen = screen;
  g_task_set_task_data (task, op, (GDestroyNotify) screenshot_op_free);
  g_task_run_in_thread (task, screenshot_thread);
}

GBytes *
piso_machine_screenshot_finish (PisoMachine   *self,
                                GAsyncResult  *result,
                                char         **mime_type,
                                GError       **error)
{
  ScreenshotOp *op;

  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == piso_machine_screenshot_async,
                        NULL);

  if (mime_type != NULL)
    *mime_type = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  op = g_task_get_task_data (G_TASK (result));
  if (mime_type != NULL)
    *mime_type = g_strdup (op->mime_type);
  return g_bytes_ref (op->bytes);
}
