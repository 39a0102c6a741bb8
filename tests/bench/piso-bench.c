/* piso-bench.c: what the benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-bench"

#include "piso-bench.h"

#include "piso-backend-private.h"

#include <stdlib.h>

double
piso_bench_ms_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1000.0;
}

void
piso_bench_run_tool (const char * const *argv)
{
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

double
piso_bench_time_tool (const char * const *argv)
{
  gint64 t0 = g_get_monotonic_time ();

  piso_bench_run_tool (argv);
  return piso_bench_ms_since (t0);
}

guint
piso_bench_delete_machine (PisoConnection *connection,
                           const char     *name,
                           const char     *folder)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  virDomainPtr dom = virDomainLookupByName (handle, name);
  g_autoptr(GRegex) sources = g_regex_new ("<source (?:file='([^']+)'|pool='([^']+)' volume='([^']+)')",
                                           0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *xml = NULL;
  guint deleted = 0;
  char *raw;

  g_assert_nonnull (dom);
  raw = virDomainGetXMLDesc (dom, 0);
  xml = g_strdup (raw);
  free (raw);
  for (g_regex_match (sources, xml, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *path = g_match_info_fetch (match, 1);
      g_autofree char *pool_name = g_match_info_fetch (match, 2);
      g_autofree char *vol_name = g_match_info_fetch (match, 3);
      virStorageVolPtr vol;

      /* (an unmatched group is "", or NULL after the last matched one) */
      if (path != NULL && *path != '\0')
        {
          if (folder != NULL && !g_str_has_prefix (path, folder))
            continue;
          vol = virStorageVolLookupByPath (handle, path);
        }
      else if (pool_name != NULL && *pool_name != '\0')
        {
          virStoragePoolPtr pool = virStoragePoolLookupByName (handle, pool_name);

          g_assert_nonnull (pool);
          vol = virStorageVolLookupByName (pool, vol_name);
          virStoragePoolFree (pool);
        }
      else
        continue;
      g_assert_nonnull (vol);
      g_assert_cmpint (virStorageVolDelete (vol, 0), ==, 0);
      virStorageVolFree (vol);
      deleted++;
    }
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  virDomainFree (dom);
  virConnectClose (handle);
  return deleted;
}

static void
print_stage (PisoCreator  *creator,
             GParamSpec   *pspec,
             const gint64 *t0)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PISO_TYPE_CREATOR_STAGE);
  GEnumValue *value = g_enum_get_value (klass, piso_creator_get_stage (creator));

  g_print ("  %6.0f ms %s\n", (g_get_monotonic_time () - *t0) / 1000.0, value->value_nick);
}

void
piso_bench_print_stages (PisoCreator  *creator,
                         const gint64 *t0)
{
  g_signal_connect (creator, "notify::stage", G_CALLBACK (print_stage), (gpointer) t0);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
piso_bench_median (const double *values,
                   guint         n)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof (double));

  qsort (sorted, n, sizeof (double), compare_double);
  return sorted[n / 2];
}

#if defined(__SANITIZE_ADDRESS__)
#define PISO_BENCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PISO_BENCH_ASAN 1
#endif
#endif

char *
piso_bench_build_problem (const char *program)
{
#ifdef PISO_BENCH_ASAN
  g_autofree char *name = g_path_get_basename (program);

  /* AddressSanitizer's allocator serves libvirt's allocations too, and
   * libvirt takes a buffer of 256 KiB for every stream message, which it
   * maps anew each time (64 page faults, and their shadow): uploading a
   * 228 MiB volume took 2.4 times as long as in a plain build, and made
   * Piso's import look 1.85 times as slow as virsh's instead of 0.83. */
  return g_strdup_printf ("built with -Dsanitize=true, whose AddressSanitizer makes libvirt's calls "
                          "and streams about twice as slow: the figures would measure it, not Piso. "
                          "Time a plain build: meson setup _build -Dlive_tests=true && "
                          "ninja -C _build tests/bench/%s", name);
#else
  return NULL;
#endif
}

/* @host < 0: a plain daemon, else migratable daemon @host */
static PisoLiveDaemon *
daemon_start (const char         *program,
              const char * const *tools,
              const char         *packages,
              int                 host)
{
  g_autofree char *skip_reason = NULL;
  PisoLiveDaemon *live;

  if ((skip_reason = piso_bench_build_problem (program)) != NULL)
    {
      g_printerr ("%s: skipped: %s\n", program, skip_reason);
      return NULL;
    }
  g_setenv ("PISO_TESTBED_DIR", PISO_TESTBED_SRC_DIR, FALSE);
  if (!piso_backend_init (NULL))
    g_error ("%s: libvirt's event loop could not be set up", program);
  for (guint i = 0; tools[i] != NULL; i++)
    {
      g_autofree char *path = g_find_program_in_path (tools[i]);

      if (path == NULL)
        {
          g_printerr ("%s: skipped: %s is not installed (%s)\n", program, tools[i], packages);
          return NULL;
        }
    }
  live = host < 0 ? piso_live_daemon_start (&skip_reason)
                  : piso_live_daemon_start_migratable ((guint) host, &skip_reason);
  if (live == NULL)
    g_printerr ("%s: skipped: %s\n", program, skip_reason);
  return live;
}

PisoLiveDaemon *
piso_bench_daemon_start (const char         *program,
                         const char * const *tools,
                         const char         *packages)
{
  return daemon_start (program, tools, packages, -1);
}

PisoLiveDaemon *
piso_bench_migratable_daemon_start (const char         *program,
                                    guint               host,
                                    const char * const *tools,
                                    const char         *packages)
{
  return daemon_start (program, tools, packages, (int) host);
}

GSubprocess *
piso_bench_virt_install_start (PisoLiveDaemon     *live,
                               const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (gpointer) "virt-install");
  g_ptr_array_add (argv, (gpointer) "--connect");
  g_ptr_array_add (argv, (gpointer) piso_live_daemon_get_uri (live));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  if (process == NULL)
    g_error ("virt-install: %s", error->message);
  return process;
}

static void
communicated (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **err = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, NULL, err, &error))
    g_error ("Could not read a tool's errors: %s", error->message);
  if (*err == NULL)
    *err = g_strdup ("");
}

static gboolean
is_set (gpointer pointer)
{
  return *(char **) pointer != NULL;
}

/* Iterates the main context until @process (named @tool) exits; fails the
 * program when it failed. */
static void
wait_tool (GSubprocess *process,
           const char  *tool)
{
  g_autofree char *err = NULL;
  g_autofree char *what = g_strdup_printf ("%s to finish", tool);

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated, &err);
  piso_test_wait_until (is_set, &err, 600, what);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed: %s", tool, err);
}

void
piso_bench_virt_install_wait (GSubprocess *process)
{
  g_autoptr(GSubprocess) owned = process;

  wait_tool (process, "virt-install");
}

double
piso_bench_time_tool_iterating (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  if (process == NULL)
    g_error ("%s: %s", argv[0], error->message);
  wait_tool (process, argv[0]);
  return piso_bench_ms_since (t0);
}

/* ---- the main loop, without busy polling (it would count as Piso's CPU) ---- */

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
piso_bench_run_for (guint ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (ms, quit_cb, loop);
  g_main_loop_run (loop);
}

typedef struct
{
  gboolean (*check) (gpointer user_data);
  gpointer   user_data;
  GMainLoop *loop;
  gint64     deadline;
  gboolean   timed_out;
} Waiter;

static gboolean
waiter_tick (gpointer data)
{
  Waiter *w = data;

  if (w->check (w->user_data))
    {
      g_main_loop_quit (w->loop);
      return G_SOURCE_REMOVE;
    }
  if (g_get_monotonic_time () > w->deadline)
    {
      w->timed_out = TRUE;
      g_main_loop_quit (w->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
piso_bench_run_until (gboolean   (*check) (gpointer user_data),
                      gpointer     user_data,
                      guint        interval_ms,
                      guint        timeout_s,
                      const char  *what)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Waiter w = { check, user_data, loop,
               g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC, FALSE };

  if (!check (user_data))
    {
      /* below idle priority: a check slower than @interval_ms must not
       * starve the idle callbacks SPICE and GTK run on */
      g_timeout_add_full (G_PRIORITY_LOW, interval_ms, waiter_tick, &w, NULL);
      g_main_loop_run (loop);
    }
  if (w.timed_out)
    g_error ("timed out after %u s waiting for %s", timeout_s, what);
}
