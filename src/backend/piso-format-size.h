/* piso-format-size.h: sizes in words, one way everywhere
 *
 * Memory, disks, pools, downloads and rates all read in binary units (KiB,
 * MiB, GiB…, as libvirt and QEMU count), with the same rounding, so that the
 * New Machine assistant, the machine page and error messages agree. Lives in
 * the backend because backend messages ("needs 20 GiB, the pool has 3.1 GiB
 * free") use it too; the UI's piso-format.c calls it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "512 MiB", "4 GiB", "1.5 GiB", "100 B". A value that is a whole number
 * of its unit has no decimals; any other has at least one, so an inexact
 * value never reads like an exact one ("3.99 GiB", never "4 GiB"). The
 * decimal separator is the locale's. */
char *piso_format_size      (guint64   bytes);
/* Two sizes shown together ("3.81 GiB of up to 3.84 GiB"): each as
 * piso_format_size() would, but when two different sizes would read the
 * same, both get as many decimals (in the larger one's unit) as it takes to
 * tell them apart. */
void  piso_format_size_pair (guint64   a,
                             guint64   b,
                             char    **a_text,
                             char    **b_text);

G_END_DECLS
