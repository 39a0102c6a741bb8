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
piso_format_transfer (guint64 done,
                      guint64 total,
                      gint64  seconds_left)
{
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *left = NULL;

  piso_format_size_pair (done, total, &done_text, &total_text);
  /* Translators: the first %s is what was done ("1.2 GiB"), the second the whole ("3.4 GiB") */
  amount = g_strdup_printf (_("%s of %s"), done_text, total_text);
  if (seconds_left < 0)
    return g_steal_pointer (&amount);

  if (seconds_left < 60)
    left = g_strdup (_("less than a minute left"));
  else if (seconds_left < 3600)
    {
      gint64 minutes = (seconds_left + 59) / 60;

      left = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d minute left",
                                           "about %d minutes left", minutes),
                              (int) minutes);
    }
  else
    {
      gint64 hours = (seconds_left + 1799) / 3600;

      left = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d hour left",
                                           "about %d hours left", hours),
                              (int) hours);
    }
  /* Translators: the first %s is the amount ("1.2 GiB of 3.4 GiB"), the second the time left */
  return g_strdup_printf (_("%s, %s"), amount, left);
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
