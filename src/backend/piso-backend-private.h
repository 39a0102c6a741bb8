/* piso-backend-private.h: what backend files share with each other and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "piso-backend.h"

G_BEGIN_DECLS

/* g_set_str() arrived in GLib 2.76; Debian 12 has 2.74. */
static inline gboolean
piso_set_str (char       **str_pointer,
              const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

/* Sets *@field of @object to @value and notifies @pspec when that changed:
 * the properties of backend objects that follow libvirt or a plan. */
static inline void
piso_set_uint_prop (gpointer    object,
                    guint      *field,
                    guint       value,
                    GParamSpec *pspec)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
}

static inline void
piso_set_uint64_prop (gpointer    object,
                      guint64    *field,
                      guint64     value,
                      GParamSpec *pspec)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
}

/* (any non-zero @value is TRUE) */
static inline void
piso_set_bool_prop (gpointer    object,
                    gboolean   *field,
                    gboolean    value,
                    GParamSpec *pspec)
{
  piso_set_uint_prop (object, (guint *) field, !!value, pspec);
}

/* GDestroyNotify-shaped releases of libvirt handles (their own free
 * functions return int). */
static inline void _piso_domain_unref (gpointer dom) { if (dom != NULL) virDomainFree (dom); }
static inline void _piso_volume_unref (gpointer vol) { if (vol != NULL) virStorageVolFree (vol); }

/* Tests: fills a volume piso_storage_upload() made, in its place of the
 * libvirt stream (libvirt's test driver has none): @local_path's @size
 * bytes into @vol; FALSE with @error to fail (the volume is then removed).
 * NULL: the stream again. Set before the upload's thread runs. */
typedef gboolean (*PisoUploadFunc) (virStorageVolPtr  vol,
                                    const char       *local_path,
                                    guint64           size,
                                    GCancellable     *cancellable,
                                    GError          **error);
void           _piso_storage_set_upload_func (PisoUploadFunc func);

/* Sets @error from libvirt's last error of this thread, prefixed with a
 * translated @context ("Could not start “%s”"). The message keeps libvirt's
 * reason, which is what users search for. Vanished domains map to
 * PISO_BACKEND_ERROR_VANISHED, a dropped connection to _NOT_CONNECTED. */
void           _piso_set_error_from_libvirt (GError     **error,
                                             const char  *context_format,
                                             ...) G_GNUC_PRINTF (2, 3);

/* virDomainUndefineFlags, retried with the flags every driver knows
 * (managed save, snapshot metadata) and then none when refused. */
int            _piso_domain_undefine        (virDomainPtr  dom,
                                             unsigned int  flags);
/* Worker thread: removes a machine that a failed or cancelled operation
 * defined (forced off, undefined with its NVRAM, TPM state, managed save
 * and snapshot metadata); gone already is fine. */
void           _piso_domain_undo_define     (virConnectPtr conn,
                                             const char   *uuid,
                                             const char   *name);

typedef void (*PisoUndoFunc) (gpointer data);
/* Runs @undo_func (@data) in a worker thread, even when @task's cancellable
 * fired, then on the calling thread @finished (@task, may be NULL) and fails
 * @task with @error. Takes @task and @error. For operations that remove
 * what they made when they fail (PisoCreator, PisoCloner). */
void           _piso_fail_after_undo        (GTask        *task,
                                             GError       *error,
                                             PisoUndoFunc  undo_func,
                                             gpointer      data,
                                             void        (*finished) (GTask *task));

/* Runs @func (@data) in @context's own thread, always from an idle source
 * (@notify frees @data afterwards). Not g_main_context_invoke(): called
 * from a worker thread while the main thread is between two iterations of
 * its loop, that acquires the context and runs @func in the worker (the
 * UI's handlers then ran off the main thread: ASan saw a status page's text
 * freed under the main thread's feet). */
void           _piso_run_in_context         (GMainContext   *context,
                                             GSourceFunc     func,
                                             gpointer        data,
                                             GDestroyNotify  notify);

/* A step of a long operation that runs in a worker thread on the
 * operation's task data: TRUE, or FALSE with @error set. */
typedef gboolean (*PisoStepFunc) (gpointer       data,
                                  GCancellable  *cancellable,
                                  GError       **error);
/* Back on the thread that ran it: @error is NULL when the step did its
 * work and the task's cancellable has not fired since; else the step's
 * error or "cancelled". Takes @owned_task and @error. */
typedef void     (*PisoStepDone) (GTask         *owned_task,
                                  GError        *error);
/* Runs @step on @owned_task's task data in a worker thread (with the
 * task's cancellable), then @done (@owned_task, …). Takes @owned_task. For
 * operations whose rollback decides the result (PisoCreator, PisoCloner,
 * PisoImporter). */
void           _piso_run_step_in_thread     (GTask         *owned_task,
                                             gpointer       source_tag,
                                             PisoStepFunc   step,
                                             PisoStepDone   done);
/* Defines @xml on @connection for @owned_task's run (not cancellable once
 * asked: the rollback undoes it), keeps the machine in *@machine (the
 * run's task data, for the rollback) and calls @done (@owned_task, NULL
 * when defined and the task's cancellable has not fired since; else the
 * error or "cancelled"). Takes @owned_task. */
void           _piso_define_for_task        (GTask          *owned_task,
                                             PisoConnection *connection,
                                             const char     *xml,
                                             PisoMachine   **machine,
                                             PisoStepDone    done);
/* Worker thread: fails with PISO_BACKEND_ERROR_INVALID_NAME when @conn has
 * a machine named @name already (a run's last look before it makes one). */
gboolean       _piso_check_name_free        (virConnectPtr  conn,
                                             const char    *name,
                                             GError       **error);

/* Progress of a long operation, from its worker thread to the thread that
 * started it (@context): at most every PISO_PROGRESS_INTERVAL_US unless
 * @force or done (@last_post remembers when), @apply (@object, @done,
 * @total, @extra) runs there with a reference to @object held. */
#define PISO_PROGRESS_INTERVAL_US (200 * G_TIME_SPAN_MILLISECOND)
/* The time a transfer still needs at the rate so far, once there is one
 * worth extrapolating (after a second and 1 %); -1 before, 0 when done. */
gint64         _piso_progress_seconds_left  (gint64             elapsed_us,
                                             guint64            done,
                                             guint64            total);
typedef void (*PisoProgressApply) (gpointer object,
                                   guint64  done,
                                   guint64  total,
                                   gint64   extra);
void           _piso_post_progress          (GMainContext      *context,
                                             gint64            *last_post,
                                             gboolean           force,
                                             gpointer           object,
                                             PisoProgressApply  apply,
                                             guint64            done,
                                             guint64            total,
                                             gint64             extra);

/* Worker thread: @dom's persistent definition, with its secrets when the
 * connection may read them (g_free it); NULL with @error naming @name. */
char          *_piso_domain_inactive_xml    (virDomainPtr  dom,
                                             const char   *name,
                                             GError      **error);
/* The same with a libvirt error kept from earlier (virSaveLastError) and a
 * context already in words. */
void           _piso_set_error_from_virerror (GError     **error,
                                              virErrorPtr  verr,
                                              const char  *context);

/* A new reference (virConnectRef) to the connection's handle, or NULL when
 * not connected. Safe to use from a worker thread once taken; release with
 * virConnectClose. Main thread only. */
virConnectPtr  _piso_connection_ref_handle  (PisoConnection *self);
/* A new reference (virDomainRef) to the machine's handle, or NULL while its
 * connection is down. Release with virDomainFree. Main thread only. */
virDomainPtr   _piso_machine_ref_handle     (PisoMachine    *self);
/* The same, or while the connection is down NULL with
 * PISO_BACKEND_ERROR_NOT_CONNECTED naming the machine (@self may be NULL:
 * a machine that is gone). */
virDomainPtr   _piso_machine_ref_handle_or_error (PisoMachine  *self,
                                                  GError      **error);
/* Main thread: appends one sample, updates cpu-percent, emits "stats-updated". */
void           _piso_machine_append_stats   (PisoMachine    *self,
                                             const double    values[PISO_STATS_N_SERIES]);

G_END_DECLS
