/* piso-keymap.c: evdev / X11 keycodes to PC XT (set 1) scancodes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Piso's own table, written from the IBM PC/XT scancode set 1 layout and
 * Microsoft's E0-prefixed additions (navigation cluster, right-hand
 * modifiers, Windows keys, multimedia keys).  The guest gets the position of
 * the key, not its symbol, so every host layout types what the guest's layout
 * expects.
 */
#define G_LOG_DOMAIN "piso-keymap"

#include "config.h"

#include <string.h>

#include "piso-keymap.h"

#define E0(code) (0x100 | (code))

/* Indexed by Linux evdev code (linux/input-event-codes.h, KEY_*). */
static const guint16 evdev_to_xt[] = {
  /* Main block, row by row: evdev numbered these in set-1 order. */
  [1] = 0x01,                 /* KEY_ESC */
  [2] = 0x02,                 /* KEY_1 */
  [3] = 0x03,                 /* KEY_2 */
  [4] = 0x04,                 /* KEY_3 */
  [5] = 0x05,                 /* KEY_4 */
  [6] = 0x06,                 /* KEY_5 */
  [7] = 0x07,                 /* KEY_6 */
  [8] = 0x08,                 /* KEY_7 */
  [9] = 0x09,                 /* KEY_8 */
  [10] = 0x0a,                /* KEY_9 */
  [11] = 0x0b,                /* KEY_0 */
  [12] = 0x0c,                /* KEY_MINUS */
  [13] = 0x0d,                /* KEY_EQUAL */
  [14] = 0x0e,                /* KEY_BACKSPACE */
  [15] = 0x0f,                /* KEY_TAB */
  [16] = 0x10,                /* KEY_Q */
  [17] = 0x11,                /* KEY_W */
  [18] = 0x12,                /* KEY_E */
  [19] = 0x13,                /* KEY_R */
  [20] = 0x14,                /* KEY_T */
  [21] = 0x15,                /* KEY_Y */
  [22] = 0x16,                /* KEY_U */
  [23] = 0x17,                /* KEY_I */
  [24] = 0x18,                /* KEY_O */
  [25] = 0x19,                /* KEY_P */
  [26] = 0x1a,                /* KEY_LEFTBRACE */
  [27] = 0x1b,                /* KEY_RIGHTBRACE */
  [28] = 0x1c,                /* KEY_ENTER */
  [29] = 0x1d,                /* KEY_LEFTCTRL */
  [30] = 0x1e,                /* KEY_A */
  [31] = 0x1f,                /* KEY_S */
  [32] = 0x20,                /* KEY_D */
  [33] = 0x21,                /* KEY_F */
  [34] = 0x22,                /* KEY_G */
  [35] = 0x23,                /* KEY_H */
  [36] = 0x24,                /* KEY_J */
  [37] = 0x25,                /* KEY_K */
  [38] = 0x26,                /* KEY_L */
  [39] = 0x27,                /* KEY_SEMICOLON */
  [40] = 0x28,                /* KEY_APOSTROPHE */
  [41] = 0x29,                /* KEY_GRAVE */
  [42] = 0x2a,                /* KEY_LEFTSHIFT */
  [43] = 0x2b,                /* KEY_BACKSLASH */
  [44] = 0x2c,                /* KEY_Z */
  [45] = 0x2d,                /* KEY_X */
  [46] = 0x2e,                /* KEY_C */
  [47] = 0x2f,                /* KEY_V */
  [48] = 0x30,                /* KEY_B */
  [49] = 0x31,                /* KEY_N */
  [50] = 0x32,                /* KEY_M */
  [51] = 0x33,                /* KEY_COMMA */
  [52] = 0x34,                /* KEY_DOT */
  [53] = 0x35,                /* KEY_SLASH */
  [54] = 0x36,                /* KEY_RIGHTSHIFT */
  [55] = 0x37,                /* KEY_KPASTERISK */
  [56] = 0x38,                /* KEY_LEFTALT */
  [57] = 0x39,                /* KEY_SPACE */
  [58] = 0x3a,                /* KEY_CAPSLOCK */
  [59] = 0x3b,                /* KEY_F1 */
  [60] = 0x3c,                /* KEY_F2 */
  [61] = 0x3d,                /* KEY_F3 */
  [62] = 0x3e,                /* KEY_F4 */
  [63] = 0x3f,                /* KEY_F5 */
  [64] = 0x40,                /* KEY_F6 */
  [65] = 0x41,                /* KEY_F7 */
  [66] = 0x42,                /* KEY_F8 */
  [67] = 0x43,                /* KEY_F9 */
  [68] = 0x44,                /* KEY_F10 */
  [69] = 0x45,                /* KEY_NUMLOCK */
  [70] = 0x46,                /* KEY_SCROLLLOCK */
  [71] = 0x47,                /* KEY_KP7 */
  [72] = 0x48,                /* KEY_KP8 */
  [73] = 0x49,                /* KEY_KP9 */
  [74] = 0x4a,                /* KEY_KPMINUS */
  [75] = 0x4b,                /* KEY_KP4 */
  [76] = 0x4c,                /* KEY_KP5 */
  [77] = 0x4d,                /* KEY_KP6 */
  [78] = 0x4e,                /* KEY_KPPLUS */
  [79] = 0x4f,                /* KEY_KP1 */
  [80] = 0x50,                /* KEY_KP2 */
  [81] = 0x51,                /* KEY_KP3 */
  [82] = 0x52,                /* KEY_KP0 */
  [83] = 0x53,                /* KEY_KPDOT */

  /* Later additions to the plain (unprefixed) set. */
  [86] = 0x56,                /* KEY_102ND: ISO key left of Z */
  [87] = 0x57,                /* KEY_F11 */
  [88] = 0x58,                /* KEY_F12 */
  [89] = 0x73,                /* KEY_RO: Japanese \ _ */
  [92] = 0x79,                /* KEY_HENKAN */
  [93] = 0x70,                /* KEY_KATAKANAHIRAGANA */
  [94] = 0x7b,                /* KEY_MUHENKAN */
  [95] = 0x5c,                /* KEY_KPJPCOMMA */
  [117] = 0x59,               /* KEY_KPEQUAL */
  [121] = 0x7e,               /* KEY_KPCOMMA (Brazilian keypad .) */
  [124] = 0x7d,               /* KEY_YEN */

  /* E0-prefixed keys: right-hand duplicates and the enhanced keyboard. */
  [96] = E0 (0x1c),           /* KEY_KPENTER */
  [97] = E0 (0x1d),           /* KEY_RIGHTCTRL */
  [98] = E0 (0x35),           /* KEY_KPSLASH */
  [99] = E0 (0x37),           /* KEY_SYSRQ: Print Screen */
  [100] = E0 (0x38),          /* KEY_RIGHTALT: AltGr */
  [102] = E0 (0x47),          /* KEY_HOME */
  [103] = E0 (0x48),          /* KEY_UP */
  [104] = E0 (0x49),          /* KEY_PAGEUP */
  [105] = E0 (0x4b),          /* KEY_LEFT */
  [106] = E0 (0x4d),          /* KEY_RIGHT */
  [107] = E0 (0x4f),          /* KEY_END */
  [108] = E0 (0x50),          /* KEY_DOWN */
  [109] = E0 (0x51),          /* KEY_PAGEDOWN */
  [110] = E0 (0x52),          /* KEY_INSERT */
  [111] = E0 (0x53),          /* KEY_DELETE */
  [119] = PISO_KEYMAP_SCANCODE_PAUSE, /* KEY_PAUSE: see piso-keymap.h */
  [125] = E0 (0x5b),          /* KEY_LEFTMETA: left Windows */
  [126] = E0 (0x5c),          /* KEY_RIGHTMETA: right Windows */
  [127] = E0 (0x5d),          /* KEY_COMPOSE: Menu */

  /* E0-prefixed system and multimedia keys. */
  [113] = E0 (0x20),          /* KEY_MUTE */
  [114] = E0 (0x2e),          /* KEY_VOLUMEDOWN */
  [115] = E0 (0x30),          /* KEY_VOLUMEUP */
  [116] = E0 (0x5e),          /* KEY_POWER */
  [128] = E0 (0x68),          /* KEY_STOP: browser stop */
  [140] = E0 (0x21),          /* KEY_CALC */
  [142] = E0 (0x5f),          /* KEY_SLEEP */
  [143] = E0 (0x63),          /* KEY_WAKEUP */
  [155] = E0 (0x6c),          /* KEY_MAIL */
  [156] = E0 (0x66),          /* KEY_BOOKMARKS */
  [157] = E0 (0x6b),          /* KEY_COMPUTER */
  [158] = E0 (0x6a),          /* KEY_BACK */
  [159] = E0 (0x69),          /* KEY_FORWARD */
  [163] = E0 (0x19),          /* KEY_NEXTSONG */
  [164] = E0 (0x22),          /* KEY_PLAYPAUSE */
  [165] = E0 (0x10),          /* KEY_PREVIOUSSONG */
  [166] = E0 (0x24),          /* KEY_STOPCD */
  [172] = E0 (0x32),          /* KEY_HOMEPAGE */
  [173] = E0 (0x67),          /* KEY_REFRESH */
  [217] = E0 (0x65),          /* KEY_SEARCH */
  [226] = E0 (0x6d),          /* KEY_MEDIA */
};

/**
 * piso_keymap_evdev_to_scancode:
 * @evdev_code: a Linux evdev key code (KEY_*)
 *
 * Returns: the set-1 scancode (0x100 | code for E0-prefixed keys), or 0
 *   when the key has no scancode.
 */
guint
piso_keymap_evdev_to_scancode (guint evdev_code)
{
  if (evdev_code >= G_N_ELEMENTS (evdev_to_xt))
    return 0;

  return evdev_to_xt[evdev_code];
}

/**
 * piso_keymap_x11_keycode_to_scancode:
 * @keycode: an X11 / GDK hardware keycode (evdev code + 8, as sent by
 *   Xorg's evdev and libinput drivers and by Wayland compositors through GDK)
 *
 * Returns: the set-1 scancode, or 0 when the key has no scancode.
 */
guint
piso_keymap_x11_keycode_to_scancode (guint keycode)
{
  if (keycode < 8)
    return 0;

  return piso_keymap_evdev_to_scancode (keycode - 8);
}

/* "Send key" combinations: keys are pressed in order and released in reverse
 * order. */
typedef struct
{
  const char *name;
  guint16     keys[PISO_KEYMAP_COMBO_MAX];
} Combo;

#define CTRL_ALT(key) { 0x1d, 0x38, key }

static const Combo combos[] = {
  { "ctrl-alt-del", CTRL_ALT (E0 (0x53)) },
  { "ctrl-alt-backspace", CTRL_ALT (0x0e) },
  { "ctrl-alt-f1", CTRL_ALT (0x3b) },
  { "ctrl-alt-f2", CTRL_ALT (0x3c) },
  { "ctrl-alt-f3", CTRL_ALT (0x3d) },
  { "ctrl-alt-f4", CTRL_ALT (0x3e) },
  { "ctrl-alt-f5", CTRL_ALT (0x3f) },
  { "ctrl-alt-f6", CTRL_ALT (0x40) },
  { "ctrl-alt-f7", CTRL_ALT (0x41) },
  { "ctrl-alt-f8", CTRL_ALT (0x42) },
  { "ctrl-alt-f9", CTRL_ALT (0x43) },
  { "ctrl-alt-f10", CTRL_ALT (0x44) },
  { "ctrl-alt-f11", CTRL_ALT (0x57) },
  { "ctrl-alt-f12", CTRL_ALT (0x58) },
  { "print", { E0 (0x37) } },
};

static const char * const combo_names[] = {
  "ctrl-alt-del",
  "ctrl-alt-backspace",
  "ctrl-alt-f1",
  "ctrl-alt-f2",
  "ctrl-alt-f3",
  "ctrl-alt-f4",
  "ctrl-alt-f5",
  "ctrl-alt-f6",
  "ctrl-alt-f7",
  "ctrl-alt-f8",
  "ctrl-alt-f9",
  "ctrl-alt-f10",
  "ctrl-alt-f11",
  "ctrl-alt-f12",
  "print",
  NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (combo_names) == G_N_ELEMENTS (combos) + 1);

/**
 * piso_keymap_get_combo_names:
 *
 * Returns: (transfer none): the %NULL-terminated list of the names
 *   piso_keymap_scancodes_for_combo() knows, in menu order.
 */
const char * const *
piso_keymap_get_combo_names (void)
{
  return combo_names;
}

/**
 * piso_keymap_scancodes_for_combo:
 * @name: a combination name, e.g. "ctrl-alt-del" (see
 *   piso_keymap_get_combo_names())
 * @out: (out caller-allocates) (array length=max): the scancodes
 * @max: the room in @out
 *
 * Fills @out with the scancodes to press in order (and release in reverse
 * order) for the combination.
 *
 * Returns: the number of scancodes, or 0 if @name is unknown or @max is too
 *   small.
 */
gsize
piso_keymap_scancodes_for_combo (const char *name,
                                 guint      *out,
                                 gsize       max)
{
  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (out != NULL || max == 0, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (combos); i++)
    {
      gsize n = 0;

      if (g_ascii_strcasecmp (combos[i].name, name) != 0)
        continue;

      while (n < PISO_KEYMAP_COMBO_MAX && combos[i].keys[n] != 0)
        n++;

      if (n > max)
        return 0;

      for (gsize k = 0; k < n; k++)
        out[k] = combos[i].keys[k];

      return n;
    }

  return 0;
}
