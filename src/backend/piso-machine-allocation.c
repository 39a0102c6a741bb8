/* piso-machine-allocation.c: memory and processors, now and at next start
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-allocation"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format-size.h"
#include "piso-machine-edit-private.h"
#include "piso-machine-allocation.h"

/* How long, past libvirt's own 5 s, a guest may take to let vCPUs go. */
#define VCPU_UNPLUG_TIMEOUT_MS 10000

G_DEFINE_AUTOPTR_CLEANUP_FUNC (virError, virFreeError)

struct _PisoMachineAllocation
{
  GObject   parent_instance;

  guint64   memory;
  guint64   max_memory;
  guint64   next_memory;
  guint64   next_max_memory;
  guint     vcpus;
  guint     max_vcpus;
  guint     next_vcpus;
  guint     next_max_vcpus;
  gboolean  has_balloon;
  gboolean  active;
  gboolean  next_known;      /* the next-start figures were read, not assumed */
  gboolean  restart_pending;
};

G_DEFINE_FINAL_TYPE (PisoMachineAllocation, piso_machine_allocation, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MEMORY,
  PROP_MAX_MEMORY,
  PROP_NEXT_MEMORY,
  PROP_NEXT_MAX_MEMORY,
  PROP_VCPUS,
  PROP_MAX_VCPUS,
  PROP_NEXT_VCPUS,
  PROP_NEXT_MAX_VCPUS,
  PROP_MEMORY_LIVE,
  PROP_VCPUS_LIVE,
  PROP_RESTART_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_machine_allocation_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PisoMachineAllocation *self = PISO_MACHINE_ALLOCATION (object);

  switch (prop_id)
    {
    case PROP_MEMORY: g_value_set_uint64 (value, self->memory); break;
    case PROP_MAX_MEMORY: g_value_set_uint64 (value, self->max_memory); break;
    case PROP_NEXT_MEMORY: g_value_set_uint64 (value, self->next_memory); break;
    case PROP_NEXT_MAX_MEMORY: g_value_set_uint64 (value, self->next_max_memory); break;
    case PROP_VCPUS: g_value_set_uint (value, self->vcpus); break;
    case PROP_MAX_VCPUS: g_value_set_uint (value, self->max_vcpus); break;
    case PROP_NEXT_VCPUS: g_value_set_uint (value, self->next_vcpus); break;
    case PROP_NEXT_MAX_VCPUS: g_value_set_uint (value, self->next_max_vcpus); break;
    case PROP_MEMORY_LIVE: g_value_set_boolean (value, piso_machine_allocation_get_memory_live (self)); break;
    case PROP_VCPUS_LIVE: g_value_set_boolean (value, piso_machine_allocation_get_vcpus_live (self)); break;
    case PROP_RESTART_PENDING: g_value_set_boolean (value, self->restart_pending); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_machine_allocation_class_init (PisoMachineAllocationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = piso_machine_allocation_get_property;

  properties[PROP_MEMORY] = g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_MAX_MEMORY] = g_param_spec_uint64 ("max-memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_NEXT_MEMORY] = g_param_spec_uint64 ("next-memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_NEXT_MAX_MEMORY] =
    g_param_spec_uint64 ("next-max-memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_VCPUS] = g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MAX_VCPUS] = g_param_spec_uint ("max-vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_NEXT_VCPUS] = g_param_spec_uint ("next-vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_NEXT_MAX_VCPUS] = g_param_spec_uint ("next-max-vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MEMORY_LIVE] = g_param_spec_boolean ("memory-live", NULL, NULL, FALSE, flags);
  properties[PROP_VCPUS_LIVE] = g_param_spec_boolean ("vcpus-live", NULL, NULL, FALSE, flags);
  properties[PROP_RESTART_PENDING] = g_param_spec_boolean ("restart-pending", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_machine_allocation_init (PisoMachineAllocation *self)
{
  self->vcpus = self->max_vcpus = self->next_vcpus = self->next_max_vcpus = 1;
}

PisoMachineAllocation *
_piso_machine_allocation_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_ALLOCATION, NULL);
}

void
_piso_machine_allocation_apply (PisoMachineAllocation *self,
                               PisoMachineState      state,
                               PisoMachineConfig    *config)
{
  gboolean was_memory_live = piso_machine_allocation_get_memory_live (self);
  gboolean was_vcpus_live = piso_machine_allocation_get_vcpus_live (self);
  gboolean pending = self->restart_pending;

  g_object_freeze_notify (G_OBJECT (self));

  self->active = state == PISO_MACHINE_STATE_RUNNING || state == PISO_MACHINE_STATE_PAUSED;

  if (config != NULL)
    {
      PisoMachineConfig *next = config->next_start;

      piso_set_uint64_prop (self, &self->memory, config->memory, properties[PROP_MEMORY]);
      piso_set_uint64_prop (self, &self->max_memory, config->max_memory,
                            properties[PROP_MAX_MEMORY]);
      piso_set_uint_prop (self, &self->vcpus, config->vcpus, properties[PROP_VCPUS]);
      piso_set_uint_prop (self, &self->max_vcpus, config->max_vcpus, properties[PROP_MAX_VCPUS]);
      self->has_balloon = config->has_balloon;

      /* The listing reads only the live definitions: keep what a full read
       * found for a running machine until the next one. */
      if (config->next_start_read || !self->next_known || !self->active)
        {
          if (next == NULL)
            next = config;
          self->next_known = config->next_start_read;
          piso_set_uint64_prop (self, &self->next_memory, next->memory,
                                properties[PROP_NEXT_MEMORY]);
          piso_set_uint64_prop (self, &self->next_max_memory, next->max_memory,
                                properties[PROP_NEXT_MAX_MEMORY]);
          piso_set_uint_prop (self, &self->next_vcpus, next->vcpus, properties[PROP_NEXT_VCPUS]);
          piso_set_uint_prop (self, &self->next_max_vcpus, next->max_vcpus,
                              properties[PROP_NEXT_MAX_VCPUS]);
          pending = _piso_machine_config_restart_pending (config);
        }
    }
  if (!self->active)
    pending = FALSE;

  if (pending != self->restart_pending)
    {
      self->restart_pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_PENDING]);
    }
  if (was_memory_live != piso_machine_allocation_get_memory_live (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_LIVE]);
  if (was_vcpus_live != piso_machine_allocation_get_vcpus_live (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VCPUS_LIVE]);

  g_object_thaw_notify (G_OBJECT (self));
}

guint64 piso_machine_allocation_get_memory (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->memory; }
guint64 piso_machine_allocation_get_max_memory (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->max_memory; }
guint64 piso_machine_allocation_get_next_memory (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->next_memory; }
guint64 piso_machine_allocation_get_next_max_memory (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->next_max_memory; }
guint piso_machine_allocation_get_vcpus (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->vcpus; }
guint piso_machine_allocation_get_max_vcpus (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->max_vcpus; }
guint piso_machine_allocation_get_next_vcpus (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->next_vcpus; }
guint piso_machine_allocation_get_next_max_vcpus (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), 0); return self->next_max_vcpus; }
gboolean piso_machine_allocation_get_restart_pending (PisoMachineAllocation *self) { g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), FALSE); return self->restart_pending; }

gboolean
piso_machine_allocation_get_memory_live (PisoMachineAllocation *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), FALSE);
  return self->active && self->has_balloon;
}

gboolean
piso_machine_allocation_get_vcpus_live (PisoMachineAllocation *self)
{
  g_return_val_if_fail (PISO_IS_MACHINE_ALLOCATION (self), FALSE);
  return self->active && self->max_vcpus > 1;
}

/* ---- changes ---- */

/* <memory> or <vcpu> of a document, in KiB or vCPUs. */
static guint64
doc_memory (xmlDocPtr   doc,
            const char *element)
{
  xmlNodePtr node = _piso_xml_child (xmlDocGetRootElement (doc), element);
  g_autofree char *text = _piso_xml_text (node);
  g_autofree char *unit = _piso_xml_attr (node, "unit");

  return text != NULL ? _piso_xml_unit_to_kib (g_ascii_strtoull (text, NULL, 10), unit) : 0;
}

static guint
doc_vcpus (xmlDocPtr doc,
           gboolean  current)
{
  xmlNodePtr node = _piso_xml_child (xmlDocGetRootElement (doc), "vcpu");
  g_autofree char *max = _piso_xml_text (node);
  g_autofree char *cur = _piso_xml_attr (node, "current");

  if (current && cur != NULL)
    return (guint) g_ascii_strtoull (cur, NULL, 10);
  return max != NULL ? (guint) g_ascii_strtoull (max, NULL, 10) : 1;
}

/* A change libvirt made to the definition through an API call (not a
 * define): it can be undone like one. */
static void
config_changed (PisoEdit *edit)
{
  edit->defined = TRUE;
  edit->scope |= PISO_CHANGE_SCOPE_NEXT_START;
}

typedef struct
{
  guint64 value;   /* KiB or vCPUs */
} ResourceRequest;

static gboolean
op_set_memory (PisoEdit  *edit,
               gpointer   data,
               GError   **error)
{
  ResourceRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not change the memory of “%s”"), edit->name);
  guint64 live_max;

  if (edit->persistent)
    {
      if (virDomainSetMemoryFlags (edit->handle, request->value, VIR_DOMAIN_AFFECT_CONFIG) < 0)
        {
          _piso_set_error_from_libvirt (error, "%s", context);
          return FALSE;
        }
      config_changed (edit);
    }

  if (!edit->active)
    return TRUE;

  live_max = doc_memory (edit->live, "memory");
  if (request->value > live_max)
    {
      g_autofree char *max_text = piso_format_size (live_max * 1024);

      if (!edit->persistent)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                       _("%s: it can have at most %s while it runs."), context, max_text);
          return FALSE;
        }
      _piso_edit_note (edit, _("“%s” can use at most %s until it restarts; it gets the new amount then."),
                       edit->name, max_text);
      return TRUE;
    }

  /* The balloon: the guest gives memory back or takes it; BALLOON_CHANGE
   * events report how far it got. */
  return _piso_edit_live_result (edit, virDomainSetMemoryFlags (edit->handle, request->value,
                                                                VIR_DOMAIN_AFFECT_LIVE),
                                 context, error);
}

/* Writes the definition's current amount (@maximum FALSE) or its maximum */
typedef int (*SetConfigFunc) (virDomainPtr handle,
                              guint64      value,
                              gboolean     maximum);

/* A maximum (memory, vCPUs) is the definition's alone: a running machine
 * keeps its own until it stops. The current amount comes down first when it
 * would be above the new maximum; a refused maximum undoes that. */
static gboolean
set_maximum (PisoEdit       *edit,
             guint64         value,
             guint64         current,
             SetConfigFunc   set_config,
             const char     *context,
             GError        **error)
{
  if (!edit->persistent)
    {
      g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                   _("%s: a temporary machine keeps its maximum until it stops."), context);
      return FALSE;
    }

  if (current > value)
    {
      if (set_config (edit->handle, value, FALSE) < 0)
        {
          _piso_set_error_from_libvirt (error, "%s", context);
          return FALSE;
        }
      config_changed (edit);
    }
  if (set_config (edit->handle, value, TRUE) < 0)
    {
      _piso_set_error_from_libvirt (error, "%s", context);
      _piso_edit_rollback (edit);
      return FALSE;
    }
  config_changed (edit);
  _piso_edit_next_start_only (edit);
  return TRUE;
}

static int
set_config_memory (virDomainPtr handle,
                   guint64      kib,
                   gboolean     maximum)
{
  return virDomainSetMemoryFlags (handle, kib,
                                  VIR_DOMAIN_AFFECT_CONFIG | (maximum ? VIR_DOMAIN_MEM_MAXIMUM : 0));
}

static gboolean
op_set_max_memory (PisoEdit  *edit,
                   gpointer   data,
                   GError   **error)
{
  ResourceRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not change the maximum memory of “%s”"), edit->name);

  return set_maximum (edit, request->value, doc_memory (edit->next, "currentMemory"),
                      set_config_memory, context, error);
}

/* Hot-pluggable in the definition, so the running machine can give them
 * back; drivers without that flag (the test driver) get plain vCPUs. */
static int
set_config_vcpus (virDomainPtr handle,
                  guint        vcpus)
{
  unsigned int flags = VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_HOTPLUGGABLE;
  int ret = virDomainSetVcpusFlags (handle, vcpus, flags);
  virErrorPtr err;

  if (ret < 0 && (err = virGetLastError ()) != NULL &&
      (err->code == VIR_ERR_INVALID_ARG || err->code == VIR_ERR_NO_SUPPORT))
    ret = virDomainSetVcpusFlags (handle, vcpus, VIR_DOMAIN_AFFECT_CONFIG);
  return ret;
}

/* libvirt gives a guest 5 s to let a vCPU go, then reports a timeout even
 * though the unplug goes on (a guest under emulation takes longer): wait a
 * little for the running count to come down. (libvirt 9.0 does not notice
 * the late removal at all: the change then applies at next start, as the
 * PisoChange says.) */
static gboolean
vcpus_reached (PisoEdit *edit,
               guint     vcpus)
{
  gint64 deadline = g_get_monotonic_time () + VCPU_UNPLUG_TIMEOUT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      int now = virDomainGetVcpusFlags (edit->handle, VIR_DOMAIN_AFFECT_LIVE);

      if (now >= 0 && (guint) now == vcpus)
        return TRUE;
      g_usleep (250 * 1000);
    }
  return FALSE;
}

static gboolean
op_set_vcpus (PisoEdit  *edit,
              gpointer   data,
              GError   **error)
{
  ResourceRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not change the processors of “%s”"), edit->name);
  guint live_max;
  guint live_now;

  if (edit->persistent)
    {
      if (set_config_vcpus (edit->handle, request->value) < 0)
        {
          _piso_set_error_from_libvirt (error, "%s", context);
          return FALSE;
        }
      config_changed (edit);
    }

  if (!edit->active)
    return TRUE;

  live_max = doc_vcpus (edit->live, FALSE);
  if (request->value > live_max)
    {
      if (!edit->persistent)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                       g_dngettext (GETTEXT_PACKAGE, "%s: it can have at most %u virtual CPU while it runs.",
                                    "%s: it can have at most %u virtual CPUs while it runs.", live_max),
                       context, live_max);
          return FALSE;
        }
      _piso_edit_note (edit, g_dngettext (GETTEXT_PACKAGE,
                                          "“%s” can use at most %u virtual CPU until it restarts; it gets the new number then.",
                                          "“%s” can use at most %u virtual CPUs until it restarts; it gets the new number then.",
                                          live_max),
                       edit->name, live_max);
      return TRUE;
    }
  live_now = doc_vcpus (edit->live, TRUE);
  if (request->value == live_now)
    {
      _piso_edit_live_done (edit);
      return TRUE;
    }

  if (virDomainSetVcpusFlags (edit->handle, request->value, VIR_DOMAIN_AFFECT_LIVE) < 0)
    {
      g_autoptr(virError) err = virSaveLastError ();

      if (err == NULL || err->code != VIR_ERR_OPERATION_TIMEOUT ||
          !vcpus_reached (edit, request->value))
        return _piso_edit_live_refused (edit, err, context, error);
    }
  _piso_edit_live_done (edit);
  /* QEMU plugged them in, but the guest decides whether to use them: Linux
   * 6.1 onlines them at once, while Debian 13's 6.12 counts no processors
   * that can be added on QEMU's "pc" machine and only sees them after a
   * restart (tried with the test guest). */
  if (request->value > live_now)
    _piso_edit_note (edit, "%s",
                     _("The processors are added now; some guest systems, recent Linux versions among them, start using added processors only after a restart."));
  return TRUE;
}

static int
set_config_vcpu_count (virDomainPtr handle,
                       guint64      vcpus,
                       gboolean     maximum)
{
  if (maximum)
    return virDomainSetVcpusFlags (handle, vcpus, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM);
  return set_config_vcpus (handle, vcpus);
}

static gboolean
op_set_max_vcpus (PisoEdit  *edit,
                  gpointer   data,
                  GError   **error)
{
  ResourceRequest *request = data;
  g_autofree char *context = g_strdup_printf (_("Could not change the maximum of processors of “%s”"),
                                              edit->name);

  return set_maximum (edit, request->value, doc_vcpus (edit->next, TRUE), set_config_vcpu_count,
                      context, error);
}

static void
run_resource_op (PisoMachine         *self,
                 gpointer             source_tag,
                 PisoEditFunc         func,
                 guint64              value,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  ResourceRequest *request;

  if (value == 0)
    {
      _piso_machine_edit_refuse (self, source_tag,
                                 g_error_new (PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                                              _("“%s” needs at least some memory and one virtual CPU."),
                                              piso_machine_get_display_name (self)),
                                 callback, user_data);
      return;
    }

  request = g_new0 (ResourceRequest, 1);
  request->value = value;
  _piso_machine_run_edit (self, source_tag, func, request, g_free, cancellable, callback, user_data);
}

void
piso_machine_set_memory_async (PisoMachine *self, guint64 kib, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  run_resource_op (self, piso_machine_set_memory_async, op_set_memory, kib, cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_memory_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_memory_async, error);
}

void
piso_machine_set_max_memory_async (PisoMachine *self, guint64 kib, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  run_resource_op (self, piso_machine_set_max_memory_async, op_set_max_memory, kib, cancellable,
                   callback, user_data);
}

PisoChange *
piso_machine_set_max_memory_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_max_memory_async, error);
}

void
piso_machine_set_vcpus_async (PisoMachine *self, guint vcpus, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  run_resource_op (self, piso_machine_set_vcpus_async, op_set_vcpus, vcpus, cancellable, callback, user_data);
}

PisoChange *
piso_machine_set_vcpus_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_vcpus_async, error);
}

void
piso_machine_set_max_vcpus_async (PisoMachine *self, guint vcpus, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PISO_IS_MACHINE (self));
  run_resource_op (self, piso_machine_set_max_vcpus_async, op_set_max_vcpus, vcpus, cancellable,
                   callback, user_data);
}

PisoChange *
piso_machine_set_max_vcpus_finish (PisoMachine *self, GAsyncResult *result, GError **error)
{
  return _piso_machine_edit_finish (self, result, piso_machine_set_max_vcpus_async, error);
}
