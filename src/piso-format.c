/* piso-format.c: numbers and states in words for the UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-format"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-format-size.h"

#define EM_DASH "\xe2\x80\x94"

char *
piso_format_memory_kib (guint64 kib)
{
  return piso_format_size (kib * 1024);
}

void
piso_format_memory_kib_pair (guint64   a_kib,
                             guint64   b_kib,
                             char    **a_text,
                             char    **b_text)
{
  piso_format_size_pair (a_kib * 1024, b_kib * 1024, a_text, b_text);
}

char *
piso_format_bytes (guint64 bytes)
{
  return piso_format_size (bytes);
}

char *
piso_format_rate (double bytes_per_s)
{
  g_autofree char *size = NULL;

  if (isnan (bytes_per_s) || bytes_per_s < 0)
    return g_strdup (EM_DASH);

  size = piso_format_size ((guint64) llround (bytes_per_s));
  /* Translators: a transfer rate, %s is a size like "1.2 MiB" */
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
