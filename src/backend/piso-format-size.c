/* piso-format-size.c: sizes in words, one way everywhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-format-size"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "piso-format-size.h"

#define N_UNITS 6   /* B, KiB, MiB, GiB, TiB, PiB */
#define MAX_DECIMALS 15

/* The largest unit in which @bytes is at least 1. */
static guint
pick_unit (guint64 bytes)
{
  guint unit = 0;

  while (unit + 1 < N_UNITS && bytes >> (10 * (unit + 1)) > 0)
    unit++;
  return unit;
}

static gboolean
is_whole (guint64 bytes,
          guint   unit)
{
  return unit == 0 || (bytes & ((G_GUINT64_CONSTANT (1) << (10 * unit)) - 1)) == 0;
}

static char *
with_unit (const char *number,
           guint       unit)
{
  switch (unit)
    {
    case 0:
      /* Translators: a size in bytes, %s is the number */
      return g_strdup_printf (_("%s B"), number);
    case 1:
      /* Translators: a memory size in kibibytes, %s is the number */
      return g_strdup_printf (_("%s KiB"), number);
    case 2:
      /* Translators: a memory size in mebibytes, %s is the number */
      return g_strdup_printf (_("%s MiB"), number);
    case 3:
      /* Translators: a memory size in gibibytes, %s is the number */
      return g_strdup_printf (_("%s GiB"), number);
    case 4:
      /* Translators: a memory size in tebibytes, %s is the number */
      return g_strdup_printf (_("%s TiB"), number);
    default:
      /* Translators: a size in pebibytes, %s is the number */
      return g_strdup_printf (_("%s PiB"), number);
    }
}

/* @bytes in @unit: whole numbers without decimals, others with @decimals. */
static char *
format_in (guint64 bytes,
           guint   unit,
           guint   decimals)
{
  g_autofree char *number = NULL;

  if (is_whole (bytes, unit))
    number = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes >> (10 * unit));
  else
    number = g_strdup_printf ("%.*f", (int) decimals, (double) bytes / (double) (G_GUINT64_CONSTANT (1) << (10 * unit)));

  return with_unit (number, unit);
}

/* Whether @value rounded to @decimals reads as a whole number ("4.0"). */
static gboolean
rounds_to_whole (double value,
                 guint  decimals)
{
  double scale = pow (10, decimals);

  return fmod (round (value * scale), scale) == 0;
}

char *
piso_format_size (guint64 bytes)
{
  guint unit = pick_unit (bytes);
  double value = (double) bytes / (double) (G_GUINT64_CONSTANT (1) << (10 * unit));
  guint decimals = 1;

  /* Just under a unit's 1024 (a disk a little short of 1 TiB), the number
   * rounds to 1024.0: in the next unit, it reads "1.00 TiB" */
  if (unit + 1 < N_UNITS && round (value * 10) >= 1024 * 10)
    {
      unit++;
      value /= 1024;
    }

  /* 3.97 GiB would round to "4.0 GiB", next to an exact "4 GiB": say
   * "3.97 GiB" instead. */
  if (!is_whole (bytes, unit) && rounds_to_whole (value, 1))
    decimals = 2;

  return format_in (bytes, unit, decimals);
}

void
piso_format_size_pair (guint64   a,
                       guint64   b,
                       char    **a_text,
                       char    **b_text)
{
  char *ta = piso_format_size (a);
  char *tb = piso_format_size (b);
  guint unit = pick_unit (MAX (a, b));

  for (guint decimals = 1; a != b && g_str_equal (ta, tb) && decimals <= MAX_DECIMALS; decimals++)
    {
      g_free (ta);
      g_free (tb);
      ta = format_in (a, unit, decimals);
      tb = format_in (b, unit, decimals);
    }

  *a_text = ta;
  *b_text = tb;
}
