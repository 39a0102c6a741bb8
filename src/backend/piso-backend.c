/* piso-backend.c: backend initialisation and libvirt error translation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-backend"

#include "config.h"

#include <glib/gi18n.h>
#include <libvirt-gobject/libvirt-gobject.h>

#include "piso-backend-private.h"

G_DEFINE_QUARK (piso-backend-error-quark, piso_backend_error)

static void
ignore_libvirt_error (void        *user_data,
                      virErrorPtr  error)
{
  /* libvirt prints every error on stderr by default; Piso reports them itself. */
  g_debug ("libvirt: %s", error != NULL && error->message != NULL ? error->message : "?");
}

gboolean
piso_backend_init (GError **error)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      virSetErrorFunc (NULL, ignore_libvirt_error);
      /* Registers libvirt's event loop implementation on GLib's main loop:
       * without it no domain event or close callback is ever delivered. */
      gvir_init_object (NULL, NULL);
      g_once_init_leave (&initialised, 1);
    }

  return TRUE;
}

static void
set_error_from (GError      **error,
                virErrorPtr   verr,
                const char   *context)
{
  const char *reason;
  int code = PISO_BACKEND_ERROR_FAILED;

  if (verr == NULL || verr->message == NULL)
    {
      g_set_error (error, PISO_BACKEND_ERROR, code, "%s: %s", context, _("unknown error"));
      return;
    }

  reason = verr->message;

  switch (verr->code)
    {
    case VIR_ERR_NO_DOMAIN:
      code = PISO_BACKEND_ERROR_VANISHED;
      break;

    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_RPC:
    case VIR_ERR_SYSTEM_ERROR:
      if (verr->domain == VIR_FROM_RPC || verr->domain == VIR_FROM_REMOTE ||
          verr->code == VIR_ERR_NO_CONNECT || verr->code == VIR_ERR_INVALID_CONN)
        code = PISO_BACKEND_ERROR_NOT_CONNECTED;
      break;

    case VIR_ERR_OPERATION_INVALID:
      code = PISO_BACKEND_ERROR_INVALID_STATE;
      break;

    case VIR_ERR_NO_SUPPORT:
      code = PISO_BACKEND_ERROR_UNSUPPORTED;
      break;

    default:
      break;
    }

  g_set_error (error, PISO_BACKEND_ERROR, code, "%s: %s", context, reason);
}

void
_piso_set_error_from_libvirt (GError     **error,
                              const char  *context_format,
                              ...)
{
  g_autofree char *context = NULL;
  va_list args;

  va_start (args, context_format);
  context = g_strdup_vprintf (context_format, args);
  va_end (args);

  set_error_from (error, virGetLastError (), context);
}

void
_piso_set_error_from_virerror (GError      **error,
                               virErrorPtr   verr,
                               const char   *context)
{
  set_error_from (error, verr, context);
}

int
_piso_domain_undefine (virDomainPtr dom,
                       unsigned int flags)
{
  if (virDomainUndefineFlags (dom, flags) == 0)
    return 0;
  /* Drivers without NVRAM, TPM or checkpoint support refuse those flags. */
  flags &= VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
  if (virDomainUndefineFlags (dom, flags) == 0)
    return 0;
  return virDomainUndefine (dom);
}

void
_piso_domain_undo_define (virConnectPtr  conn,
                          const char    *uuid,
                          const char    *name)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);

  if (dom != NULL)
    {
      if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
        g_warning ("Could not stop %s: %s", name, virGetLastErrorMessage ());
      if (_piso_domain_undefine (dom, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_TPM |
                                 VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                 VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) < 0)
        g_warning ("Could not remove %s: %s", name, virGetLastErrorMessage ());
      virDomainFree (dom);
    }
  virResetLastError ();
}

typedef struct
{
  GTask         *task;
  GError        *error;
  PisoUndoFunc   undo;
  gpointer       data;
  void         (*finished) (GTask *task);
} Undo;

static void
undo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Undo *undo = task_data;

  undo->undo (undo->data);
  g_task_return_boolean (task, TRUE);
}

static void
undo_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Undo *undo = user_data;

  if (undo->finished != NULL)
    undo->finished (undo->task);
  g_task_return_error (undo->task, undo->error);
  g_object_unref (undo->task);
  g_free (undo);
}

void
_piso_fail_after_undo (GTask         *task,
                       GError        *error,
                       PisoUndoFunc   undo_func,
                       gpointer       data,
                       void         (*finished) (GTask *task))
{
  g_autoptr(GTask) worker = NULL;
  Undo *undo = g_new0 (Undo, 1);

  undo->task = task;
  undo->error = error;
  undo->undo = undo_func;
  undo->data = data;
  undo->finished = finished;
  /* No cancellable: the undo runs even when the caller's cancel caused it. */
  worker = g_task_new (g_task_get_source_object (task), NULL, undo_done, undo);
  g_task_set_task_data (worker, undo, NULL);
  g_task_run_in_thread (worker, undo_thread);
}

typedef struct
{
  PisoStepFunc  func;
  PisoStepDone  done;
  gpointer      data;
} Step;

static void
step_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Step *step = task_data;
  GError *error = NULL;

  if (step->func (step->data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
step_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Step *step = g_task_get_task_data (G_TASK (result));
  GTask *owned_task = user_data;
  GError *error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_cancellable_set_error_if_cancelled (g_task_get_cancellable (owned_task), &error);
  step->done (owned_task, error);
}

void
_piso_run_step_in_thread (GTask        *owned_task,
                          gpointer      source_tag,
                          PisoStepFunc  func,
                          PisoStepDone  done)
{
  g_autoptr(GTask) inner = NULL;
  Step *step = g_new0 (Step, 1);

  g_return_if_fail (G_IS_TASK (owned_task));

  step->func = func;
  step->done = done;
  step->data = g_task_get_task_data (owned_task);
  inner = g_task_new (g_task_get_source_object (owned_task), g_task_get_cancellable (owned_task),
                      step_done, owned_task);
  g_task_set_source_tag (inner, source_tag);
  /* The step's own error, not "cancelled", when it failed. */
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, step, g_free);
  g_task_run_in_thread (inner, step_thread);
}

typedef struct
{
  GTask         *task;
  PisoMachine  **machine;
  PisoStepDone   done;
} Define;

static void
define_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Define *define = user_data;
  GError *error = NULL;

  *define->machine = piso_connection_define_xml_finish (PISO_CONNECTION (object), result, &error);
  if (*define->machine != NULL)
    g_cancellable_set_error_if_cancelled (g_task_get_cancellable (define->task), &error);
  define->done (define->task, error);
  g_free (define);
}

void
_piso_define_for_task (GTask           *owned_task,
                       PisoConnection  *connection,
                       const char      *xml,
                       PisoMachine    **machine,
                       PisoStepDone     done)
{
  Define *define = g_new0 (Define, 1);

  g_return_if_fail (G_IS_TASK (owned_task));
  g_return_if_fail (PISO_IS_CONNECTION (connection));

  define->task = owned_task;
  define->machine = machine;
  define->done = done;
  piso_connection_define_xml_async (connection, xml, NULL, define_done, define);
}

gboolean
_piso_check_name_free (virConnectPtr   conn,
                       const char     *name,
                       GError        **error)
{
  virDomainPtr other = virDomainLookupByName (conn, name);

  if (other != NULL)
    {
      virDomainFree (other);
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME,
                   _("A machine named “%s” already exists. Choose another name."), name);
      return FALSE;
    }
  virResetLastError ();
  return TRUE;
}

typedef struct
{
  GObject           *object;
  PisoProgressApply  apply;
  guint64            done;
  guint64            total;
  gint64             extra;
} Progress;

static gboolean
apply_progress (gpointer data)
{
  Progress *progress = data;

  progress->apply (progress->object, progress->done, progress->total, progress->extra);
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *progress = data;

  g_object_unref (progress->object);
  g_free (progress);
}

gint64
_piso_progress_seconds_left (gint64  elapsed_us,
                             guint64 done,
                             guint64 total)
{
  if (done >= total)
    return 0;
  if (done > total / 100 && done > 0 && elapsed_us > G_USEC_PER_SEC)
    return (gint64) ((double) elapsed_us * (total - done) / done / G_USEC_PER_SEC);
  return -1;
}

void
_piso_run_in_context (GMainContext   *context,
                      GSourceFunc     func,
                      gpointer        data,
                      GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[piso] run in context");
  g_source_attach (source, context);
}

void
_piso_post_progress (GMainContext      *context,
                     gint64            *last_post,
                     gboolean           force,
                     gpointer           object,
                     PisoProgressApply  apply,
                     guint64            done,
                     guint64            total,
                     gint64             extra)
{
  gint64 now = g_get_monotonic_time ();
  Progress *progress;

  if (!force && done < total && now - *last_post < PISO_PROGRESS_INTERVAL_US)
    return;
  *last_post = now;
  progress = g_new0 (Progress, 1);
  progress->object = g_object_ref (object);
  progress->apply = apply;
  progress->done = MIN (done, total);
  progress->total = total;
  progress->extra = extra;
  _piso_run_in_context (context, apply_progress, progress, progress_free);
}

char *
_piso_domain_inactive_xml (virDomainPtr   dom,
                           const char    *name,
                           GError       **error)
{
  /* With secrets (a graphics password) when the connection may read them. */
  char *raw = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  char *xml;

  if (raw == NULL)
    raw = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  if (raw == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not read the definition of “%s”"), name);
      return NULL;
    }
  virResetLastError ();
  xml = g_strdup (raw);
  free (raw);
  return xml;
}
