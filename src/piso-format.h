/* piso-format.h: numbers and states in words for the UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "piso-backend-types.h"

G_BEGIN_DECLS

/* "512 MiB", "4 GiB", "1.5 GiB" (binary units, as libvirt counts memory) */
char       *piso_format_memory_kib  (guint64          kib);
/* "0 B", "12.3 KB", "4.2 GB" (decimal units, as disk sizes are sold) */
char       *piso_format_bytes       (guint64          bytes);
/* "1.2 MB/s"; "—" for NAN or a negative rate */
char       *piso_format_rate        (double           bytes_per_s);
/* "37 %"; "—" for NAN or a negative value */
char       *piso_format_percent     (double           percent);
/* A symbolic icon name of the Adwaita icon theme for @state */
const char *piso_format_state_icon  (PisoMachineState state);

G_END_DECLS
