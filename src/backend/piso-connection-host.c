/* piso-connection-host.c: what a connection says about its host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both queries run in a worker thread on their own reference to the
 * connection's handle; the main loop never waits for the daemon.
 */
#define G_LOG_DOMAIN "piso-connection-host"

#include "config.h"

#include <glib/gi18n.h>
#include <libvirt-gconfig/libvirt-gconfig.h>
#include <stdlib.h>
#include <string.h>

#include "piso-backend-private.h"
#include "piso-host-info-private.h"

#define USAGE_CPU_WINDOW_US (250 * 1000)

typedef struct
{
  virConnectPtr handle;
  gboolean      is_local;
} HostQuery;

static void
host_query_free (HostQuery *query)
{
  if (query->handle != NULL)
    virConnectClose (query->handle);
  g_free (query);
}

static GTask *
host_query_task_new (PisoConnection      *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data,
                     gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  HostQuery *query;
  virConnectPtr handle;

  g_task_set_source_tag (task, source_tag);

  handle = _piso_connection_ref_handle (self);
  if (handle == NULL)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_NOT_CONNECTED,
                               _("Not connected to %s"),
                               piso_connection_get_display_name (self));
      return NULL;
    }

  query = g_new0 (HostQuery, 1);
  query->handle = handle;
  query->is_local = piso_connection_is_local (self);
  g_task_set_task_data (task, query, (GDestroyNotify) host_query_free);

  return g_steal_pointer (&task);
}

static int read_memory (virConnectPtr  handle,
                        guint64       *used_kib,
                        guint64       *total_kib);

static gboolean
libvirt_error_is_unsupported (void)
{
  virErrorPtr verr = virGetLastError ();

  return verr != NULL && (verr->code == VIR_ERR_NO_SUPPORT ||
                          verr->code == VIR_ERR_ARGUMENT_UNSUPPORTED);
}

/* Host facts ------------------------------------------------------------- */

/* "model name : Intel(R) Xeon(R) …" from this computer's /proc/cpuinfo */
static char *
read_local_cpu_name (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon;

      if (!g_str_has_prefix (lines[i], "model name"))
        continue;
      colon = strchr (lines[i], ':');
      if (colon != NULL && colon[1] != '\0')
        return g_strstrip (g_strdup (colon + 1));
    }

  return NULL;
}

static void
read_capabilities (virConnectPtr  handle,
                   PisoHostFacts *facts)
{
  /* libvirt-gconfig declares no g_autoptr cleanups. */
  GVirConfigCapabilities *caps = NULL;
  GVirConfigCapabilitiesHost *host = NULL;
  GVirConfigCapabilitiesCpu *cpu = NULL;
  GVirConfigCapabilitiesCpuModel *model = NULL;
  g_autoptr(GError) error = NULL;
  char *xml;

  xml = virConnectGetCapabilities (handle);
  if (xml == NULL)
    {
      g_debug ("No capabilities: %s", virGetLastErrorMessage ());
      virResetLastError ();
      return;
    }

  caps = gvir_config_capabilities_new_from_xml (xml, &error);
  free (xml);
  if (caps == NULL)
    {
      g_debug ("Unreadable capabilities: %s", error->message);
      return;
    }

  host = gvir_config_capabilities_get_host (caps);
  if (host != NULL)
    cpu = gvir_config_capabilities_host_get_cpu (host);
  if (cpu != NULL)
    {
      if (facts->arch == NULL)
        facts->arch = g_strdup (gvir_config_capabilities_cpu_get_arch (cpu));
      model = gvir_config_capabilities_cpu_get_model (cpu);
    }
  if (model != NULL && facts->cpu_model == NULL)
    facts->cpu_model = g_strdup (gvir_config_capabilities_cpu_model_get_name (model));

  g_clear_object (&model);
  g_clear_object (&cpu);
  g_clear_object (&host);
  g_clear_object (&caps);
}

/* Whether libvirt on the host would start a machine with KVM. Returns
 * FALSE with *unsupported set when the daemon cannot tell. */
static gboolean
domain_capabilities_have_kvm (virConnectPtr  handle,
                              const char    *arch,
                              gboolean      *unsupported)
{
  char *xml = virConnectGetDomainCapabilities (handle, NULL, arch, NULL, "kvm", 0);

  *unsupported = FALSE;
  if (xml == NULL)
    {
      /* "KVM is not supported by '…' on this host" is the normal refusal. */
      *unsupported = libvirt_error_is_unsupported ();
      g_debug ("No KVM domain capabilities: %s", virGetLastErrorMessage ());
      virResetLastError ();
      return FALSE;
    }

  free (xml);
  return TRUE;
}

static void
detect_acceleration (virConnectPtr  handle,
                     gboolean       is_local,
                     PisoHostFacts *facts)
{
  PisoAccelerationSource source = is_local ? PISO_ACCELERATION_SOURCE_LOCAL
                                           : PISO_ACCELERATION_SOURCE_REMOTE;
  gboolean unsupported = FALSE;
  gboolean kvm;

  if (g_strcmp0 (facts->hypervisor, "QEMU") != 0)
    {
      facts->acceleration = PISO_ACCELERATION_NOT_APPLICABLE;
    }
  else if (is_local)
    {
      facts->acceleration = piso_host_detect_local_acceleration (NULL, NULL);
      /* A real KVM module is loaded; make sure libvirt can use it too
       * (permissions on /dev/kvm, a QEMU built without KVM …). libvirt
       * saying yes does not prove anything the other way round: it
       * advertises KVM over kvm_pvm too. */
      if (facts->acceleration == PISO_ACCELERATION_KVM &&
          !domain_capabilities_have_kvm (handle, facts->arch, &unsupported) &&
          !unsupported)
        {
          facts->acceleration = PISO_ACCELERATION_NONE;
          source = PISO_ACCELERATION_SOURCE_LOCAL_BUT_LIBVIRT_REFUSES;
        }
    }
  else
    {
      kvm = domain_capabilities_have_kvm (handle, facts->arch, &unsupported);
      if (kvm)
        facts->acceleration = PISO_ACCELERATION_KVM;
      else if (unsupported)
        facts->acceleration = PISO_ACCELERATION_UNKNOWN;
      else
        facts->acceleration = PISO_ACCELERATION_NONE;
    }

  facts->acceleration_text = _piso_acceleration_describe (facts->acceleration, source);
}

static void
query_host_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  HostQuery *query = task_data;
  PisoHostFacts facts = { 0 };
  virNodeInfo node;
  unsigned long version = 0;
  const char *type;
  char *hostname;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (virNodeGetInfo (query->handle, &node) < 0)
    {
      _piso_set_error_from_libvirt (&error, _("Could not read the host’s details"));
      g_task_return_error (task, error);
      return;
    }

  facts.cpus = node.cpus;
  facts.sockets = node.nodes * node.sockets;
  facts.cores = node.cores;
  facts.threads = node.threads;
  facts.mhz = node.mhz;
  facts.memory_kib = node.memory;
  {
    guint64 used = 0, total = 0;

    /* virNodeGetInfo sums the NUMA nodes' memory, which some virtual hosts
     * under-report (5 GiB of 24 here); the kernel's total is the truth. */
    if (read_memory (query->handle, &used, &total) > 0)
      facts.memory_kib = total;
    virResetLastError ();
  }

  hostname = virConnectGetHostname (query->handle);
  if (hostname != NULL)
    {
      facts.hostname = g_strdup (hostname);
      free (hostname);
    }
  virResetLastError ();

  /* The test driver calls itself "TEST"; QEMU, LXC … are already words. */
  type = virConnectGetType (query->handle);
  facts.hypervisor = g_strcmp0 (type, "TEST") == 0 ? g_strdup ("Test") : g_strdup (type);
  if (virConnectGetVersion (query->handle, &version) == 0 && version != 0)
    facts.hypervisor_version = _piso_format_libvirt_version (version);
  if (virConnectGetLibVersion (query->handle, &version) == 0)
    facts.libvirt_version = _piso_format_libvirt_version (version);
  virResetLastError ();

  /* The CPU's marketing name is only known for this computer; other hosts
   * give libvirt's model name ("Skylake-Client-IBRS"). */
  if (query->is_local && g_strcmp0 (facts.hypervisor, "QEMU") == 0)
    facts.cpu_model = read_local_cpu_name ();
  read_capabilities (query->handle, &facts);
  /* virNodeInfo's "model" is what the driver has: the architecture for
   * QEMU, the fixture's <model> for the test driver. */
  if (facts.arch == NULL && node.model[0] != '\0')
    facts.arch = g_strndup (node.model, sizeof node.model);
  if (facts.cpu_model == NULL && node.model[0] != '\0')
    facts.cpu_model = g_strndup (node.model, sizeof node.model);

  detect_acceleration (query->handle, query->is_local, &facts);

  g_task_return_pointer (task, _piso_host_info_new (&facts), g_object_unref);
  _piso_host_facts_clear (&facts);
}

void
piso_connection_query_host_async (PisoConnection      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = host_query_task_new (self, cancellable, callback, user_data,
                              piso_connection_query_host_async);
  if (task != NULL)
    g_task_run_in_thread (task, query_host_thread);
}

PisoHostInfo *
piso_connection_query_host_finish (PisoConnection  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (PISO_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        piso_connection_query_host_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Host usage ------------------------------------------------------------- */

typedef struct
{
  double  cpu_percent;       /* -1 when unknown */
  guint64 memory_used_kib;   /* 0 when unknown */
  guint64 memory_total_kib;
} HostUsage;

/* Reads the all-CPU counters (ns). Returns 1 when read, 0 when the driver
 * cannot tell, -1 on another error. */
static int
read_cpu_counters (virConnectPtr  handle,
                   guint64       *busy,
                   guint64       *total)
{
  g_autofree virNodeCPUStatsPtr params = NULL;
  int nparams = 0;

  if (virNodeGetCPUStats (handle, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &nparams, 0) < 0)
    return libvirt_error_is_unsupported () ? 0 : -1;
  if (nparams <= 0)
    return 0;

  params = g_new0 (virNodeCPUStats, nparams);
  if (virNodeGetCPUStats (handle, VIR_NODE_CPU_STATS_ALL_CPUS, params, &nparams, 0) < 0)
    return libvirt_error_is_unsupported () ? 0 : -1;

  *busy = *total = 0;
  for (int i = 0; i < nparams; i++)
    {
      const char *field = params[i].field;

      if (strcmp (field, VIR_NODE_CPU_STATS_KERNEL) == 0 ||
          strcmp (field, VIR_NODE_CPU_STATS_USER) == 0)
        {
          *busy += params[i].value;
          *total += params[i].value;
        }
      else if (strcmp (field, VIR_NODE_CPU_STATS_IDLE) == 0 ||
               strcmp (field, VIR_NODE_CPU_STATS_IOWAIT) == 0)
        {
          *total += params[i].value;
        }
    }

  return *total > 0 ? 1 : 0;
}

/* Returns 1 when read, 0 when the driver cannot tell, -1 on another error. */
static int
read_memory (virConnectPtr  handle,
             guint64       *used_kib,
             guint64       *total_kib)
{
  g_autofree virNodeMemoryStatsPtr params = NULL;
  guint64 total = 0, free_kib = 0, buffers = 0, cached = 0;
  int nparams = 0;

  if (virNodeGetMemoryStats (handle, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &nparams, 0) < 0)
    return libvirt_error_is_unsupported () ? 0 : -1;
  if (nparams <= 0)
    return 0;

  params = g_new0 (virNodeMemoryStats, nparams);
  if (virNodeGetMemoryStats (handle, VIR_NODE_MEMORY_STATS_ALL_CELLS, params, &nparams, 0) < 0)
    return libvirt_error_is_unsupported () ? 0 : -1;

  for (int i = 0; i < nparams; i++)
    {
      const char *field = params[i].field;

      if (strcmp (field, VIR_NODE_MEMORY_STATS_TOTAL) == 0)
        total = params[i].value;
      else if (strcmp (field, VIR_NODE_MEMORY_STATS_FREE) == 0)
        free_kib = params[i].value;
      else if (strcmp (field, VIR_NODE_MEMORY_STATS_BUFFERS) == 0)
        buffers = params[i].value;
      else if (strcmp (field, VIR_NODE_MEMORY_STATS_CACHED) == 0)
        cached = params[i].value;
    }

  if (total == 0)
    return 0;

  *total_kib = total;
  /* Page cache and buffers are given back on demand: not "used". */
  *used_kib = total > free_kib + buffers + cached ? total - free_kib - buffers - cached : 0;
  return 1;
}

static void
query_host_usage_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  HostQuery *query = task_data;
  g_autofree HostUsage *usage = g_new0 (HostUsage, 1);
  guint64 busy0 = 0, total0 = 0, busy1 = 0, total1 = 0;
  GError *error = NULL;
  int ret;

  if (g_task_return_error_if_cancelled (task))
    return;

  usage->cpu_percent = -1;

  ret = read_cpu_counters (query->handle, &busy0, &total0);
  if (ret > 0)
    {
      /* Two readings a moment apart give the current load, without the
       * caller having to keep state between calls. */
      g_usleep (USAGE_CPU_WINDOW_US);
      if (g_task_return_error_if_cancelled (task))
        return;
      ret = read_cpu_counters (query->handle, &busy1, &total1);
      if (ret > 0 && total1 > total0 && busy1 >= busy0)
        usage->cpu_percent = CLAMP (100.0 * (double) (busy1 - busy0)
                                    / (double) (total1 - total0), 0.0, 100.0);
    }
  if (ret < 0)
    goto failed;
  virResetLastError ();

  ret = read_memory (query->handle, &usage->memory_used_kib, &usage->memory_total_kib);
  if (ret < 0)
    goto failed;
  virResetLastError ();

  g_task_return_pointer (task, g_steal_pointer (&usage), g_free);
  return;

failed:
  _piso_set_error_from_libvirt (&error, _("Could not read the host’s usage"));
  g_task_return_error (task, error);
}

void
piso_connection_query_host_usage_async (PisoConnection      *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = host_query_task_new (self, cancellable, callback, user_data,
                              piso_connection_query_host_usage_async);
  if (task != NULL)
    g_task_run_in_thread (task, query_host_usage_thread);
}

gboolean
piso_connection_query_host_usage_finish (PisoConnection  *self,
                                         GAsyncResult    *result,
                                         double          *cpu_percent,
                                         guint64         *memory_used_kib,
                                         guint64         *memory_total_kib,
                                         GError         **error)
{
  g_autofree HostUsage *usage = NULL;

  g_return_val_if_fail (PISO_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        piso_connection_query_host_usage_async, FALSE);

  usage = g_task_propagate_pointer (G_TASK (result), error);
  if (usage == NULL)
    return FALSE;

  if (cpu_percent != NULL)
    *cpu_percent = usage->cpu_percent;
  if (memory_used_kib != NULL)
    *memory_used_kib = usage->memory_used_kib;
  if (memory_total_kib != NULL)
    *memory_total_kib = usage->memory_total_kib;

  return TRUE;
}

gboolean
piso_connection_can_emulate_tpm (PisoConnection *self)
{
  g_autofree char *swtpm = g_find_program_in_path ("swtpm");

  g_return_val_if_fail (self == NULL || PISO_IS_CONNECTION (self), FALSE);

  return swtpm != NULL && (self == NULL || piso_connection_is_local (self));
}

/* Device sources --------------------------------------------------------- */

typedef struct
{
  GStrv pools;
  GStrv stopped_pools;
  GStrv networks;
  GStrv bridges;
} DeviceSources;

static void
device_sources_free (DeviceSources *sources)
{
  g_strfreev (sources->pools);
  g_strfreev (sources->stopped_pools);
  g_strfreev (sources->networks);
  g_strfreev (sources->bridges);
  g_free (sources);
}

static int
sort_names (gconstpointer a,
            gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
sorted_strv (GPtrArray *names)
{
  g_ptr_array_sort (names, sort_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

static void
list_device_sources_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  HostQuery *query = task_data;
  DeviceSources *sources = g_new0 (DeviceSources, 1);
  GPtrArray *pools = g_ptr_array_new ();
  GPtrArray *stopped_pools = g_ptr_array_new ();
  GPtrArray *networks = g_ptr_array_new ();
  GPtrArray *bridges = g_ptr_array_new ();
  virStoragePoolPtr *pool_list = NULL;
  virNetworkPtr *network_list = NULL;
  virInterfacePtr *iface_list = NULL;
  int n;

  for (guint running = 0; running < 2; running++)
    {
      n = virConnectListAllStoragePools (query->handle, &pool_list,
                                         running ? VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE
                                                 : VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE);
      for (int i = 0; i < n; i++)
        {
          g_ptr_array_add (running ? pools : stopped_pools, g_strdup (virStoragePoolGetName (pool_list[i])));
          virStoragePoolFree (pool_list[i]);
        }
      g_clear_pointer (&pool_list, free);
    }

  n = virConnectListAllNetworks (query->handle, &network_list, 0);
  for (int i = 0; i < n; i++)
    {
      g_ptr_array_add (networks, g_strdup (virNetworkGetName (network_list[i])));
      virNetworkFree (network_list[i]);
    }
  free (network_list);

  /* Host bridges: only drivers with an interface backend list them (not
   * every host; a remote one may lack it). */
  n = virConnectListAllInterfaces (query->handle, &iface_list, 0);
  for (int i = 0; i < n; i++)
    {
      char *xml = virInterfaceGetXMLDesc (iface_list[i], 0);

      if (xml != NULL && (strstr (xml, "<interface type='bridge'") != NULL ||
                          strstr (xml, "<interface type=\"bridge\"") != NULL))
        g_ptr_array_add (bridges, g_strdup (virInterfaceGetName (iface_list[i])));
      free (xml);
      virInterfaceFree (iface_list[i]);
    }
  free (iface_list);
  virResetLastError ();

  sources->pools = sorted_strv (pools);
  sources->stopped_pools = sorted_strv (stopped_pools);
  sources->networks = sorted_strv (networks);
  sources->bridges = sorted_strv (bridges);
  g_task_return_pointer (task, sources, (GDestroyNotify) device_sources_free);
}

void
piso_connection_list_device_sources_async (PisoConnection      *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_CONNECTION (self));

  task = host_query_task_new (self, cancellable, callback, user_data,
                              piso_connection_list_device_sources_async);
  if (task != NULL)
    g_task_run_in_thread (task, list_device_sources_thread);
}

gboolean
piso_connection_list_device_sources_finish (PisoConnection  *self,
                                            GAsyncResult    *result,
                                            GStrv           *pools,
                                            GStrv           *stopped_pools,
                                            GStrv           *networks,
                                            GStrv           *bridges,
                                            GError         **error)
{
  DeviceSources *sources;

  g_return_val_if_fail (PISO_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  sources = g_task_propagate_pointer (G_TASK (result), error);
  if (sources == NULL)
    return FALSE;
  if (pools != NULL)
    *pools = g_steal_pointer (&sources->pools);
  if (stopped_pools != NULL)
    *stopped_pools = g_steal_pointer (&sources->stopped_pools);
  if (networks != NULL)
    *networks = g_steal_pointer (&sources->networks);
  if (bridges != NULL)
    *bridges = g_steal_pointer (&sources->bridges);
  device_sources_free (sources);
  return TRUE;
}
