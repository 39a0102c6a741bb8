/* piso-machine-install.c: following a machine's installation from installer media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What Piso does is described in piso-machine-install.h; the definitions of
 * each step come from piso-machine-install-xml.c. Here: when to take a step.
 *
 * Piso *watches* an install run once it has seen the machine running one
 * (its definition has Piso's metadata and <on_reboot>destroy). When a watched
 * run stops — the STOPPED event, or a refresh that finds the machine off
 * first — a worker asks libvirt why: only a stop the guest made itself
 * (VIR_DOMAIN_SHUTOFF_SHUTDOWN: the installer's reboot, or a shutdown from
 * inside the guest) is counted, and the machine is started again. A machine
 * found off without having been watched (Piso started later, or was
 * disconnected) is examined once per stop: if the guest stopped itself, the
 * stop is counted (and marked as counted in the metadata, so a later Piso
 * does not count it again) but the machine stays off. A second Piso that
 * watches the same machine finds it running again and leaves it alone.
 */
#define G_LOG_DOMAIN "piso-machine-install"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-connection.h"
#include "piso-machine-install-private.h"
#include "piso-machine-private.h"

/* How long a shutdown or restart the user asked for explains the next stop.
 * A guest that ignores the request (installers often have nobody listening
 * to the ACPI power button) must not have its installer's later reboot taken
 * for the user's. */
#define REQUEST_VALID_US (120 * G_USEC_PER_SEC)

typedef struct
{
  PisoInstallRecord  record;     /* from the last definition read */
  gboolean           watching;   /* seen running an install run, its stop not handled yet */
  gboolean           off_seen;   /* the present stop was handled or examined */
  gboolean           busy;       /* a step runs in a worker */
  gboolean           examine;    /* a stop to examine once the step is done */
  PisoMachineAction  request;    /* SHUTDOWN/REBOOT the user asked for through Piso */
  gint64             requested;  /* when (monotonic), or 0 */
} InstallState;

static void
install_state_free (gpointer data)
{
  InstallState *state = data;

  _piso_install_record_clear (&state->record);
  g_free (state);
}

static InstallState *
install_state (PisoMachine *self)
{
  static GQuark quark;
  InstallState *state;

  if (quark == 0)
    quark = g_quark_from_static_string ("piso-machine-install");

  state = g_object_get_qdata (G_OBJECT (self), quark);
  if (state == NULL)
    {
      state = g_new0 (InstallState, 1);
      g_object_set_qdata_full (G_OBJECT (self), quark, state, install_state_free);
    }
  return state;
}

static gboolean
is_active (PisoMachineState state)
{
  return state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED ||
         state == PISO_MACHINE_STATE_SHUTTING_DOWN || state == PISO_MACHINE_STATE_SUSPENDED;
}

PisoMachineInstallPhase
piso_machine_get_install_phase (PisoMachine *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), PISO_MACHINE_INSTALL_PHASE_NONE);

  return install_state (self)->record.phase;
}

const char *
piso_machine_get_installer_media (PisoMachine *self)
{
  InstallState *state;
  PisoDisk *disk;

  g_return_val_if_fail (PISO_IS_MACHINE (self), NULL);

  state = install_state (self);
  if (state->record.phase != PISO_MACHINE_INSTALL_PHASE_INSTALLING || state->record.installer == NULL)
    return NULL;

  disk = piso_machine_find_disk (self, state->record.installer);
  return disk != NULL ? piso_disk_get_path (disk) : NULL;
}

/* ---- steps in a worker thread ---------------------------------------------- */

typedef enum
{
  STEP_CONTINUE,  /* a watched run stopped: count it and start again */
  STEP_RESTART,   /* a watched run the user restarted: start again, not counted */
  STEP_FOUND_OFF, /* found off: count the guest's own stop, do not start */
} Step;

typedef struct
{
  virDomainPtr handle;
  Step         step;
} StepData;

static void
step_data_free (StepData *data)
{
  g_clear_pointer (&data->handle, virDomainFree);
  g_free (data);
}

static gboolean
define (virDomainPtr   handle,
        const char    *xml,
        const char    *name,
        GError       **error)
{
  virDomainPtr defined = virDomainDefineXML (virDomainGetConnect (handle), xml);

  if (defined == NULL)
    {
      _piso_set_error_from_libvirt (error, _("Could not change the definition of “%s”"), name);
      return FALSE;
    }
  virDomainFree (defined);
  return TRUE;
}

static PisoInstallRecord
record_of (const char *xml)
{
  PisoInstallRecord record = { 0 };
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);

  if (doc != NULL && xmlDocGetRootElement (doc) != NULL)
    _piso_install_record_parse (xmlDocGetRootElement (doc), &record);
  if (doc != NULL)
    xmlFreeDoc (doc);
  return record;
}

/* Returns whether the step changed anything; FALSE without error when there
 * was nothing to do. */
static gboolean
take_step (StepData  *data,
           GError   **error)
{
  const char *name = virDomainGetName (data->handle);
  g_autofree char *xml = NULL;
  g_autofree char *next = NULL;
  PisoInstallRecord record;
  int state = VIR_DOMAIN_NOSTATE;
  int reason = 0;
  gboolean start = data->step != STEP_FOUND_OFF;
  gboolean finished = FALSE;

  if (virDomainGetState (data->handle, &state, &reason, 0) < 0)
    {
      /* Deleted meanwhile: nothing to follow any more. */
      if (virGetLastErrorCode () == VIR_ERR_NO_DOMAIN)
        return FALSE;
      _piso_set_error_from_libvirt (error, _("Could not read the state of “%s”"), name);
      return FALSE;
    }
  /* Running again (another client was quicker), or stopped by the user:
   * forced off, saved, crashed … the install goes on at the next start. */
  if (state != VIR_DOMAIN_SHUTOFF || reason != VIR_DOMAIN_SHUTOFF_SHUTDOWN)
    {
      g_debug ("%s: state %d reason %d: not an installer's reboot", name, state, reason);
      return FALSE;
    }

  if ((xml = _piso_domain_inactive_xml (data->handle, name, error)) == NULL)
    return FALSE;
  record = record_of (xml);

  switch (data->step)
    {
    case STEP_CONTINUE:
      /* Removed by hand during the run (finished, or even dismissed): the
       * guest restarted itself all the same, into the installed system. */
      if (record.phase == PISO_MACHINE_INSTALL_PHASE_INSTALLING)
        next = _piso_install_xml_step (xml, PISO_INSTALL_STEP_COUNT, &finished, error);
      break;
    case STEP_FOUND_OFF:
      if (_piso_install_record_is_run (&record) && !record.stop_counted)
        next = _piso_install_xml_step (xml, PISO_INSTALL_STEP_COUNT_UNSEEN, &finished, error);
      break;
    case STEP_RESTART:
    default:
      break;
    }
  _piso_install_record_clear (&record);

  if (next == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (next != NULL)
    {
      if (!define (data->handle, next, name, error))
        return FALSE;
      g_debug ("%s: installer reboot counted%s", name, finished ? ", install finished" : "");
    }
  if (start && virDomainCreate (data->handle) < 0)
    {
      virErrorPtr err = virGetLastError ();

      /* Another client started it meanwhile. */
      if (err != NULL && err->code == VIR_ERR_OPERATION_INVALID &&
          virDomainIsActive (data->handle) == 1)
        return TRUE;
      _piso_set_error_from_libvirt (error, _("Could not start “%s” again after its installer "
                                             "restarted it"), name);
      return FALSE;
    }
  return next != NULL || start;
}

static void
step_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean changed = take_step (task_data, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, changed);
}

static void examine_stop (PisoMachine *self);

static void
step_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  PisoMachine *self = PISO_MACHINE (object);
  InstallState *state = install_state (self);
  g_autoptr(GError) error = NULL;

  state->busy = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error) && error != NULL)
    g_warning ("%s", error->message);
  if (state->examine)
    {
      state->examine = FALSE;
      if (piso_machine_get_state (self) == PISO_MACHINE_STATE_SHUTOFF)
        examine_stop (self);
    }
  _piso_machine_queue_refresh (self);
}

/* FALSE when the machine cannot act (yet, or any more). */
static gboolean
run_step (PisoMachine *self,
          Step         step)
{
  PisoConnection *connection = piso_machine_get_connection (self);
  g_autoptr(GTask) task = NULL;
  virDomainPtr handle;
  StepData *data;

  /* A machine its connection let go of (closed) acts no more; one it is
   * still adding acts once added. */
  if (connection == NULL ||
      piso_connection_lookup_machine_by_name (connection, piso_machine_get_name (self)) != self)
    return FALSE;
  if ((handle = _piso_machine_ref_handle (self)) == NULL)
    return FALSE;

  install_state (self)->busy = TRUE;
  data = g_new0 (StepData, 1);
  data->handle = handle;
  data->step = step;
  task = g_task_new (self, NULL, step_done, NULL);
  g_task_set_source_tag (task, run_step);
  g_task_set_task_data (task, data, (GDestroyNotify) step_data_free);
  g_task_run_in_thread (task, step_thread);
  return TRUE;
}

/* ---- what the connection and the machine tell us (main thread) ------------- */

/* The machine is (or may just have become) off. */
static void
examine_stop (PisoMachine *self)
{
  InstallState *state = install_state (self);

  if (state->busy)
    {
      state->examine = TRUE;
      return;
    }

  if (state->watching)
    {
      PisoMachineAction request = state->request;
      gboolean requested = state->requested != 0 &&
                           g_get_monotonic_time () - state->requested < REQUEST_VALID_US;

      state->watching = FALSE;
      state->off_seen = TRUE;
      state->requested = 0;
      /* The user shut it down through Piso: it stays off, still installing. */
      if (requested && request == PISO_MACHINE_ACTION_SHUTDOWN)
        return;
      run_step (self, requested && request == PISO_MACHINE_ACTION_REBOOT ? STEP_RESTART
                                                                          : STEP_CONTINUE);
      return;
    }

  if (!state->off_seen && _piso_install_record_is_run (&state->record) &&
      state->record.phase == PISO_MACHINE_INSTALL_PHASE_INSTALLING && !state->record.stop_counted)
    state->off_seen = run_step (self, STEP_FOUND_OFF);
}

void
_piso_machine_install_apply_config (PisoMachine             *self,
                                    const PisoInstallRecord *record)
{
  InstallState *state = install_state (self);
  PisoMachineInstallPhase old = state->record.phase;
  PisoMachineState machine_state = piso_machine_get_state (self);

  _piso_install_record_clear (&state->record);
  state->record = *record;
  state->record.installer = g_strdup (record->installer);

  if (old != record->phase)
    _piso_machine_notify_install_phase (self);

  /* Running: the running definition says whether this run is an install
   * run (the installed system's own stops are the user's business). */
  if (is_active (machine_state))
    state->watching = _piso_install_record_is_run (record);
  else if (machine_state == PISO_MACHINE_STATE_SHUTOFF)
    examine_stop (self);
}

void
_piso_machine_install_stopped (PisoMachine *self,
                               int          detail)
{
  g_return_if_fail (PISO_IS_MACHINE (self));

  g_debug ("%s stopped (detail %d)%s", piso_machine_get_name (self), detail,
           install_state (self)->watching ? " during an install run" : "");
  examine_stop (self);
}

void
_piso_machine_install_started (PisoMachine *self)
{
  InstallState *state;

  g_return_if_fail (PISO_IS_MACHINE (self));

  state = install_state (self);
  state->off_seen = FALSE;
  state->requested = 0;
  /* Started from the definition we know (it was off): the refresh that
   * follows confirms it from the running definition. */
  state->watching = _piso_install_record_is_run (&state->record);
}

void
_piso_machine_install_note_request (PisoMachine       *self,
                                    PisoMachineAction  action)
{
  InstallState *state;

  g_return_if_fail (PISO_IS_MACHINE (self));

  state = install_state (self);
  state->request = action;
  state->requested = action == PISO_MACHINE_ACTION_SHUTDOWN || action == PISO_MACHINE_ACTION_REBOOT
                     ? g_get_monotonic_time () : 0;
}

/* ---- remove_installer_media and dismiss ------------------------------------ */

typedef struct
{
  virDomainPtr  handle;
  char         *name;
} OpData;

static void
op_data_free (OpData *data)
{
  g_clear_pointer (&data->handle, virDomainFree);
  g_free (data->name);
  g_free (data);
}

static GTask *
op_task_new (PisoMachine         *self,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  virDomainPtr handle = _piso_machine_ref_handle (self);
  OpData *data;

  g_task_set_source_tag (task, source_tag);
  if (handle == NULL)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                               _("“%s” cannot be reached: the connection to its host is down."),
                               piso_machine_get_display_name (self));
      return NULL;
    }
  data = g_new0 (OpData, 1);
  data->handle = handle;
  data->name = g_strdup (piso_machine_get_display_name (self));
  g_task_set_task_data (task, data, (GDestroyNotify) op_data_free);
  return g_steal_pointer (&task);
}

static void
op_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  GError *error = NULL;

  /* Metadata changes come with no lifecycle event. */
  _piso_machine_queue_refresh (PISO_MACHINE (object));
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

/* Runs @func in a worker for @outer (owned), then refreshes the machine. */
static void
op_run (GTask           *outer,
        GTaskThreadFunc  func)
{
  g_autoptr(GTask) inner = g_task_new (g_task_get_source_object (outer), NULL, op_done, outer);

  g_task_set_task_data (inner, g_task_get_task_data (outer), NULL);
  g_task_run_in_thread (inner, func);
}

static void
remove_media_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  OpData *data = task_data;
  g_autofree char *xml = NULL;
  g_autofree char *next = NULL;
  g_autofree char *metadata = NULL;
  PisoInstallRecord record;
  GError *error = NULL;

  if ((xml = _piso_domain_inactive_xml (data->handle, data->name, &error)) == NULL ||
      (next = _piso_install_xml_step (xml, PISO_INSTALL_STEP_FINISH, NULL, &error)) == NULL ||
      !define (data->handle, next, data->name, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* A running install: its definition says "finished" too, so the phase
   * shows it now; its reboot still stops it, and Piso starts it again. */
  record = record_of (next);
  metadata = _piso_install_metadata_format (&record);
  _piso_install_record_clear (&record);
  if (virDomainIsActive (data->handle) == 1 &&
      virDomainSetMetadata (data->handle, VIR_DOMAIN_METADATA_ELEMENT, metadata,
                            PISO_INSTALL_PREFIX, PISO_INSTALL_NS, VIR_DOMAIN_AFFECT_LIVE) < 0)
    g_debug ("%s: running definition not marked finished: %s", data->name,
             virGetLastErrorMessage ());
  g_task_return_boolean (task, TRUE);
}

void
piso_machine_remove_installer_media_async (PisoMachine         *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PISO_IS_MACHINE (self));

  task = op_task_new (self, piso_machine_remove_installer_media_async, cancellable,
                      callback, user_data);
  if (task == NULL)
    return;
  if (!piso_machine_can (self, PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA))
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               _("“%s” is not being installed from installer media."),
                               piso_machine_get_display_name (self));
      g_object_unref (task);
      return;
    }
  op_run (task, remove_media_thread);
}

gboolean
piso_machine_remove_installer_media_finish (PisoMachine   *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        piso_machine_remove_installer_media_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
dismiss_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  OpData *data = task_data;
  unsigned int flags = VIR_DOMAIN_AFFECT_CONFIG;

  if (virDomainIsActive (data->handle) == 1)
    {
      char *raw = virDomainGetXMLDesc (data->handle, 0);
      PisoInstallRecord record = { 0 };

      if (raw != NULL)
        {
          record = record_of (raw);
          free (raw);
        }
      /* A run whose reboot Piso must still follow keeps its metadata. */
      if (!_piso_install_record_is_run (&record))
        flags |= VIR_DOMAIN_AFFECT_LIVE;
      _piso_install_record_clear (&record);
    }

  if (virDomainSetMetadata (data->handle, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL,
                            PISO_INSTALL_NS, flags) < 0)
    {
      GError *error = NULL;

      _piso_set_error_from_libvirt (&error, _("Could not change the definition of “%s”"),
                                    data->name);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
piso_machine_dismiss_install_async (PisoMachine         *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PISO_IS_MACHINE (self));

  task = op_task_new (self, piso_machine_dismiss_install_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  if (piso_machine_get_install_phase (self) != PISO_MACHINE_INSTALL_PHASE_FINISHED)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                               _("The installation of “%s” has not finished."),
                               piso_machine_get_display_name (self));
      g_object_unref (task);
      return;
    }
  op_run (task, dismiss_thread);
}

gboolean
piso_machine_dismiss_install_finish (PisoMachine   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (PISO_IS_MACHINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        piso_machine_dismiss_install_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
