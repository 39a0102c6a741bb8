/* piso-stats-history.c: the last minutes of a machine's statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-stats-history"

#include "config.h"

#include <math.h>
#include <string.h>

#include "piso-stats-history.h"

struct _PisoStatsHistory
{
  gatomicrefcount ref_count;
  guint           n_samples;  /* ≤ PISO_STATS_HISTORY_LENGTH */
  guint           next;       /* slot the next append writes */
  double          values[PISO_STATS_HISTORY_LENGTH][PISO_STATS_N_SERIES];
};

G_DEFINE_BOXED_TYPE (PisoStatsHistory, piso_stats_history,
                     piso_stats_history_ref, piso_stats_history_unref)

PisoStatsHistory *
piso_stats_history_new (void)
{
  PisoStatsHistory *self = g_new0 (PisoStatsHistory, 1);

  g_atomic_ref_count_init (&self->ref_count);

  return self;
}

PisoStatsHistory *
piso_stats_history_ref (PisoStatsHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
piso_stats_history_unref (PisoStatsHistory *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

guint
piso_stats_history_get_n_samples (PisoStatsHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_samples;
}

/* Slot of sample @index, 0 being the oldest one stored. */
static inline guint
slot_of (PisoStatsHistory *self,
         guint             index)
{
  g_assert (index < self->n_samples);

  return (self->next + PISO_STATS_HISTORY_LENGTH - self->n_samples + index)
         % PISO_STATS_HISTORY_LENGTH;
}

double
piso_stats_history_get (PisoStatsHistory *self,
                        PisoStatsSeries   series,
                        guint             index)
{
  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (series < PISO_STATS_N_SERIES, NAN);
  g_return_val_if_fail (index < self->n_samples, NAN);

  return self->values[slot_of (self, index)][series];
}

double
piso_stats_history_get_latest (PisoStatsHistory *self,
                               PisoStatsSeries   series)
{
  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (series < PISO_STATS_N_SERIES, NAN);

  if (self->n_samples == 0)
    return NAN;

  return self->values[slot_of (self, self->n_samples - 1)][series];
}

double
piso_stats_history_get_max (PisoStatsHistory *self,
                            PisoStatsSeries   series)
{
  double max = 0.0;
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, 0.0);
  g_return_val_if_fail (series < PISO_STATS_N_SERIES, 0.0);

  /* Slots past n_samples are never read, so scanning in storage order is fine. */
  for (guint i = 0; i < self->n_samples; i++)
    {
      double v = self->values[i][series];

      if (isnan (v))
        continue;
      if (!found || v > max)
        max = v;
      found = TRUE;
    }

  return found ? max : 0.0;
}

void
piso_stats_history_append (PisoStatsHistory *self,
                           const double      values[PISO_STATS_N_SERIES])
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (values != NULL);

  memcpy (self->values[self->next], values, sizeof self->values[0]);
  self->next = (self->next + 1) % PISO_STATS_HISTORY_LENGTH;
  if (self->n_samples < PISO_STATS_HISTORY_LENGTH)
    self->n_samples++;
}

void
piso_stats_history_clear (PisoStatsHistory *self)
{
  g_return_if_fail (self != NULL);

  self->n_samples = 0;
  self->next = 0;
}
