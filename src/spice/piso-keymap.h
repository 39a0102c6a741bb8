/* piso-keymap.h: evdev / X11 keycodes to PC XT (set 1) scancodes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Scancodes are in the form spice_inputs_channel_key_press() takes: a plain
 * set-1 make code (0x01..0x7f), or 0x100 | code for keys whose make code is
 * prefixed with 0xE0.  0 means "no scancode".
 *
 * Pause has no make/break pair in set 1 (it sends E1 1D 45 E1 9D C5 on press
 * only).  Its evdev/X11 code maps to 0x146 (E0 46, the Ctrl+Break code), the
 * code QEMU's SPICE input decodes as the Pause key and turns into that
 * sequence for the guest. */
#define PISO_KEYMAP_SCANCODE_PAUSE 0x146

/* The longest sequence piso_keymap_scancodes_for_combo() returns. */
#define PISO_KEYMAP_COMBO_MAX 3

guint                piso_keymap_evdev_to_scancode       (guint        evdev_code);
guint                piso_keymap_x11_keycode_to_scancode (guint        keycode);

const char * const  *piso_keymap_get_combo_names         (void);
gsize                piso_keymap_scancodes_for_combo     (const char  *name,
                                                          guint       *out,
                                                          gsize        max);

G_END_DECLS
