/* piso-bench.h: what the benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-creator.h"
#include "piso-live.h"

G_BEGIN_DECLS

/* Prints each stage @creator goes through, in ms since *@t0 (a gint64 of
 * g_get_monotonic_time () the caller keeps up to date). */
void            piso_bench_print_stages  (PisoCreator  *creator,
                                          const gint64 *t0);

/* Milliseconds since @t0 (g_get_monotonic_time). */
double          piso_bench_ms_since      (gint64        t0);
/* Runs @argv (searched in PATH) to its end, its output dropped; fails the
 * program with its errors when it fails. */
void            piso_bench_run_tool      (const char * const *argv);
/* The same, timed: how long it ran, in ms. */
double          piso_bench_time_tool     (const char * const *argv);
/* The same while the main context iterates (the program's own libvirt
 * connections handle their events meanwhile, as in Piso). */
double          piso_bench_time_tool_iterating (const char * const *argv);

/* Undefines @name and deletes the volumes of its disks: the files (under
 * @folder only, when not NULL) and the volumes named by pool. Returns how
 * many were deleted. */
guint           piso_bench_delete_machine (PisoConnection *connection,
                                           const char     *name,
                                           const char     *folder);

/* Runs the default main loop for @ms (no busy polling: it would count as
 * Piso's CPU). */
void            piso_bench_run_for       (guint         ms);
/* Runs it until @check is TRUE, looked at every @interval_ms; fails the
 * program after @timeout_s, naming @what. */
void            piso_bench_run_until     (gboolean    (*check) (gpointer user_data),
                                          gpointer      user_data,
                                          guint         interval_ms,
                                          guint         timeout_s,
                                          const char   *what);

/* The median of @n values (n ≥ 1). */
double          piso_bench_median        (const double *values,
                                          guint         n);

/* Why this build's figures would not be Piso's (a sanitized build), and
 * how @program gets a build whose are; NULL when they are. The daemon
 * starters below refuse to start then. */
char           *piso_bench_build_problem (const char *program);
/* Starts the live tests' private libvirtd for @program, which also needs
 * the programs @tools (NULL-terminated; @packages names their packages);
 * returns NULL after saying why it cannot run (the program then exits 77). */
PisoLiveDaemon *piso_bench_daemon_start  (const char         *program,
                                          const char * const *tools,
                                          const char         *packages);

/* The same for migratable daemon @host (piso_live_daemon_start_migratable). */
PisoLiveDaemon *piso_bench_migratable_daemon_start (const char         *program,
                                                    guint               host,
                                                    const char * const *tools,
                                                    const char         *packages);

/* Starts virt-install with @args (NULL-terminated; "--connect URI" is added
 * for @live's daemon); its output goes nowhere but its errors. */
GSubprocess    *piso_bench_virt_install_start (PisoLiveDaemon     *live,
                                               const char * const *args);
/* Iterates the main context until @process exits; fails the program when
 * virt-install failed. Takes @process. */
void            piso_bench_virt_install_wait  (GSubprocess        *process);

G_END_DECLS
