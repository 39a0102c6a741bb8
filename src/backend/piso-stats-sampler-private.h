/* piso-stats-sampler-private.h: what tests may look at inside the sampler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-stats-sampler.h"

G_BEGIN_DECLS

/* Bulk statistics calls made so far (one per tick that had work). */
guint    _piso_stats_sampler_get_n_calls      (PisoStatsSampler *self);
/* Domains passed to the last bulk call. */
guint    _piso_stats_sampler_get_last_n_domains (PisoStatsSampler *self);
/* Whether the interval timer is installed right now. */
gboolean _piso_stats_sampler_is_scheduled     (PisoStatsSampler *self);
/* Machines with at least one hold. */
guint    _piso_stats_sampler_get_n_held       (PisoStatsSampler *self);

G_END_DECLS
