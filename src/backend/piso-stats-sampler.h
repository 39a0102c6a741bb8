/* piso-stats-sampler.h: one bulk statistics call per interval for a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"

G_BEGIN_DECLS

#define PISO_TYPE_STATS_SAMPLER (piso_stats_sampler_get_type ())

G_DECLARE_FINAL_TYPE (PisoStatsSampler, piso_stats_sampler, PISO, STATS_SAMPLER, GObject)

/* @connection is not referenced (the connection owns the sampler). */
PisoStatsSampler *piso_stats_sampler_new          (PisoConnection   *connection);
void              piso_stats_sampler_hold         (PisoStatsSampler *self,
                                                   PisoMachine      *machine);
void              piso_stats_sampler_release      (PisoStatsSampler *self,
                                                   PisoMachine      *machine);
guint             piso_stats_sampler_get_interval (PisoStatsSampler *self);
void              piso_stats_sampler_set_interval (PisoStatsSampler *self,
                                                   guint             interval_ms);
/* The connection calls this when it drops or comes back; while not
 * connected no sampling runs (holds are kept). */
void              piso_stats_sampler_set_active   (PisoStatsSampler *self,
                                                   gboolean          active);

/* Pure computation, exported for tests: CPU percent of @n_vcpus from two
 * cumulative cpu.time readings (ns) @dt_ns apart; clamps to 0–100. */
double            piso_stats_compute_cpu_percent  (guint64 cpu_time_prev_ns,
                                                   guint64 cpu_time_now_ns,
                                                   guint64 dt_ns,
                                                   guint   n_vcpus);
/* Rate in units per second from two cumulative counters; NAN if unknown or
 * the counter went backwards (guest reboot, device unplug). */
double            piso_stats_compute_rate         (gint64  prev,
                                                   gint64  now,
                                                   guint64 dt_ns);

G_END_DECLS
