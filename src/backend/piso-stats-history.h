/* piso-stats-history.h: the last minutes of a machine's statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

typedef enum
{
  PISO_STATS_CPU_PERCENT,       /* 0–100, of all the machine's vCPUs */
  PISO_STATS_MEMORY_USED_KIB,   /* guest memory in use (balloon), or current allocation */
  PISO_STATS_DISK_READ_BPS,     /* bytes per second, all disks */
  PISO_STATS_DISK_WRITE_BPS,
  PISO_STATS_NET_RX_BPS,        /* bytes per second, all interfaces */
  PISO_STATS_NET_TX_BPS,
  PISO_STATS_N_SERIES
} PisoStatsSeries;

#define PISO_STATS_HISTORY_LENGTH 180  /* samples kept: 6 min at 2 s */

#define PISO_TYPE_STATS_HISTORY (piso_stats_history_get_type ())

/* A ring buffer owned by its machine. Values are NAN where not known (e.g.
 * a hypervisor that gives no block statistics). The machine emits
 * "stats-updated" after each append. */
GType             piso_stats_history_get_type   (void) G_GNUC_CONST;
PisoStatsHistory *piso_stats_history_new        (void);
PisoStatsHistory *piso_stats_history_ref        (PisoStatsHistory *self);
void              piso_stats_history_unref      (PisoStatsHistory *self);
/* Number of samples stored (≤ PISO_STATS_HISTORY_LENGTH) */
guint             piso_stats_history_get_n_samples (PisoStatsHistory *self);
/* Sample @index, 0 = oldest; NAN when unknown */
double            piso_stats_history_get        (PisoStatsHistory *self,
                                                 PisoStatsSeries   series,
                                                 guint             index);
double            piso_stats_history_get_latest (PisoStatsHistory *self,
                                                 PisoStatsSeries   series);
/* Largest value in the series (ignoring NAN), 0 when none */
double            piso_stats_history_get_max    (PisoStatsHistory *self,
                                                 PisoStatsSeries   series);
void              piso_stats_history_append     (PisoStatsHistory *self,
                                                 const double      values[PISO_STATS_N_SERIES]);
void              piso_stats_history_clear      (PisoStatsHistory *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PisoStatsHistory, piso_stats_history_unref)

G_END_DECLS
