/* piso-bench.h: what the benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The median of @n values (the upper one of the middle two when @n is even). */
double piso_bench_median (const double *values,
                          guint         n);

G_END_DECLS
