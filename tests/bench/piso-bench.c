/* piso-bench.c: what the benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-bench.h"

#include <stdlib.h>
#include <string.h>

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

  g_return_val_if_fail (n > 0, 0);

  qsort (sorted, n, sizeof (double), compare_double);
  return sorted[n / 2];
}
