/* piso-format.c: numbers and states in words for the UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-format"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "piso-format.h"

#define EM_DASH "\xe2\x80\x94"

char *
piso_format_memory_kib (guint64 kib)
{
  double value = (double) kib;
  guint unit = 0;
  g_autofree char *number = NULL;

  while (value >= 1024.0 && unit < 3)
    {
      value /= 1024.0;
      unit++;
    }

  /* Whole numbers stay whole ("4 GiB"); others keep one decimal ("1.5 GiB") */
  if (fabs (value - round (value)) < 0.05 || value >= 100.0)
    number = g_strdup_printf ("%.0f", value);
  else
    number = g_strdup_printf ("%.1f", value);

  switch (unit)
    {
    case 0:
      /* Translators: a memory size in kibibytes, %s is the number */
      return g_strdup_printf (_("%s KiB"), number);
    case 1:
      /* Translators: a memory size in mebibytes, %s is the number */
      return g_strdup_printf (_("%s MiB"), number);
    case 2:
      /* Translators: a memory size in gibibytes, %s is the number */
      return g_strdup_printf (_("%s GiB"), number);
    default:
      /* Translators: a memory size in tebibytes, %s is the number */
      return g_strdup_printf (_("%s TiB"), number);
    }
}

char *
piso_format_bytes (guint64 bytes)
{
  return g_format_size (bytes);
}

char *
piso_format_rate (double bytes_per_s)
{
  g_autofree char *size = NULL;

  if (isnan (bytes_per_s) || bytes_per_s < 0)
    return g_strdup (EM_DASH);

  size = g_format_size ((guint64) llround (bytes_per_s));
  /* Translators: a transfer rate, %s is a size like "1.2 MB" */
  return g_strdup_printf (_("%s/s"), size);
}

char *
piso_format_percent (double percent)
{
  if (isnan (percent) || percent < 0)
    return g_strdup (EM_DASH);

  /* Translators: a percentage; keep the space before % if your language uses one */
  return g_strdup_printf (_("%.0f %%"), percent);
}

const char *
piso_format_state_icon (PisoMachineState state)
{
  switch (state)
    {
    case PISO_MACHINE_STATE_RUNNING:
      return "media-playback-start-symbolic";
    case PISO_MACHINE_STATE_PAUSED:
      return "media-playback-pause-symbolic";
    case PISO_MACHINE_STATE_SHUTTING_DOWN:
      return "system-shutdown-symbolic";
    case PISO_MACHINE_STATE_CRASHED:
      return "dialog-error-symbolic";
    case PISO_MACHINE_STATE_SUSPENDED:
      return "weather-clear-night-symbolic";
    case PISO_MACHINE_STATE_SAVED:
      return "document-save-symbolic";
    case PISO_MACHINE_STATE_SHUTOFF:
      return "system-shutdown-symbolic";
    case PISO_MACHINE_STATE_UNKNOWN:
    default:
      return "dialog-question-symbolic";
    }
}
