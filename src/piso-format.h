/* piso-format.h: numbers and states in words for the UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

/* Sizes use piso_format_size() (src/backend/piso-format-size.h): binary
 * units everywhere, the assistant and the machine page alike. */
/* "512 MiB", "4 GiB", "1.5 GiB" */
char       *piso_format_memory_kib  (guint64          kib);
/* Two memory sizes shown together ("3.81 GiB of up to 3.84 GiB"): never the
 * same text for two different values (piso_format_size_pair). */
void        piso_format_memory_kib_pair (guint64      a_kib,
                                         guint64      b_kib,
                                         char       **a_text,
                                         char       **b_text);
/* "0 B", "12.3 KiB", "4.2 GiB" */
char       *piso_format_bytes       (guint64          bytes);
/* "1.2 MiB/s"; "—" for NAN or a negative rate */
/* A transfer's progress in words: "1.2 GiB of 3.4 GiB, about 2 minutes
 * left" (the time only when @seconds_left >= 0) */
char       *piso_format_transfer    (guint64          done,
                                     guint64          total,
                                     gint64           seconds_left);
char       *piso_format_rate        (double           bytes_per_s);
/* "37 %"; "—" for NAN or a negative value */
char       *piso_format_percent     (double           percent);
/* A symbolic icon name of the Adwaita icon theme for @state */
const char *piso_format_state_icon  (PisoMachineState state);

G_END_DECLS
