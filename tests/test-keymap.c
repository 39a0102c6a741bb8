/* test-keymap.c: the evdev / X11 keycode to PC XT scancode table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The evdev codes come from the kernel's own header, so the table is checked
 * against a source independent of the one it was written from.
 */
#include "config.h"

#include <linux/input-event-codes.h>

#include "piso-keymap.h"

typedef struct
{
  guint evdev;
  guint scancode;
} KeyCase;

static void
check_cases (const KeyCase *cases,
             gsize          n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_test_message ("evdev %u", cases[i].evdev);
      g_assert_cmphex (piso_keymap_evdev_to_scancode (cases[i].evdev), ==, cases[i].scancode);
      g_assert_cmphex (piso_keymap_x11_keycode_to_scancode (cases[i].evdev + 8), ==,
                       cases[i].scancode);
    }
}

static void
test_letters (void)
{
  static const KeyCase cases[] = {
    { KEY_Q, 0x10 }, { KEY_W, 0x11 }, { KEY_E, 0x12 }, { KEY_R, 0x13 }, { KEY_T, 0x14 },
    { KEY_Y, 0x15 }, { KEY_U, 0x16 }, { KEY_I, 0x17 }, { KEY_O, 0x18 }, { KEY_P, 0x19 },
    { KEY_A, 0x1e }, { KEY_S, 0x1f }, { KEY_D, 0x20 }, { KEY_F, 0x21 }, { KEY_G, 0x22 },
    { KEY_H, 0x23 }, { KEY_J, 0x24 }, { KEY_K, 0x25 }, { KEY_L, 0x26 },
    { KEY_Z, 0x2c }, { KEY_X, 0x2d }, { KEY_C, 0x2e }, { KEY_V, 0x2f }, { KEY_B, 0x30 },
    { KEY_N, 0x31 }, { KEY_M, 0x32 },
  };

  check_cases (cases, G_N_ELEMENTS (cases));

  /* The X11 keycodes GDK reports on a standard Xorg/Wayland session. */
  g_assert_cmphex (piso_keymap_x11_keycode_to_scancode (38), ==, 0x1e); /* a */
  g_assert_cmphex (piso_keymap_x11_keycode_to_scancode (24), ==, 0x10); /* q */
  g_assert_cmphex (piso_keymap_x11_keycode_to_scancode (52), ==, 0x2c); /* z */
}

static void
test_digits_punctuation (void)
{
  static const KeyCase cases[] = {
    { KEY_1, 0x02 }, { KEY_2, 0x03 }, { KEY_3, 0x04 }, { KEY_4, 0x05 }, { KEY_5, 0x06 },
    { KEY_6, 0x07 }, { KEY_7, 0x08 }, { KEY_8, 0x09 }, { KEY_9, 0x0a }, { KEY_0, 0x0b },
    { KEY_MINUS, 0x0c }, { KEY_EQUAL, 0x0d }, { KEY_LEFTBRACE, 0x1a },
    { KEY_RIGHTBRACE, 0x1b }, { KEY_SEMICOLON, 0x27 }, { KEY_APOSTROPHE, 0x28 },
    { KEY_GRAVE, 0x29 }, { KEY_BACKSLASH, 0x2b }, { KEY_COMMA, 0x33 }, { KEY_DOT, 0x34 },
    { KEY_SLASH, 0x35 }, { KEY_102ND, 0x56 },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_function_and_editing (void)
{
  static const KeyCase cases[] = {
    { KEY_ESC, 0x01 }, { KEY_BACKSPACE, 0x0e }, { KEY_TAB, 0x0f }, { KEY_ENTER, 0x1c },
    { KEY_SPACE, 0x39 }, { KEY_CAPSLOCK, 0x3a },
    { KEY_F1, 0x3b }, { KEY_F2, 0x3c }, { KEY_F3, 0x3d }, { KEY_F4, 0x3e }, { KEY_F5, 0x3f },
    { KEY_F6, 0x40 }, { KEY_F7, 0x41 }, { KEY_F8, 0x42 }, { KEY_F9, 0x43 }, { KEY_F10, 0x44 },
    { KEY_F11, 0x57 }, { KEY_F12, 0x58 },
    { KEY_SYSRQ, 0x137 }, { KEY_SCROLLLOCK, 0x46 }, { KEY_PAUSE, PISO_KEYMAP_SCANCODE_PAUSE },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
  g_assert_cmphex (PISO_KEYMAP_SCANCODE_PAUSE, ==, 0x146);
}

static void
test_modifiers (void)
{
  static const KeyCase cases[] = {
    { KEY_LEFTSHIFT, 0x2a }, { KEY_RIGHTSHIFT, 0x36 },
    { KEY_LEFTCTRL, 0x1d }, { KEY_RIGHTCTRL, 0x11d },
    { KEY_LEFTALT, 0x38 }, { KEY_RIGHTALT, 0x138 },
    { KEY_LEFTMETA, 0x15b }, { KEY_RIGHTMETA, 0x15c }, { KEY_COMPOSE, 0x15d },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_navigation (void)
{
  static const KeyCase cases[] = {
    { KEY_INSERT, 0x152 }, { KEY_DELETE, 0x153 }, { KEY_HOME, 0x147 }, { KEY_END, 0x14f },
    { KEY_PAGEUP, 0x149 }, { KEY_PAGEDOWN, 0x151 },
    { KEY_UP, 0x148 }, { KEY_DOWN, 0x150 }, { KEY_LEFT, 0x14b }, { KEY_RIGHT, 0x14d },
  };

  check_cases (cases, G_N_ELEMENTS (cases));

  /* Arrows and the keypad's 8/2/4/6 share a code; only the prefix differs. */
  g_assert_cmphex (piso_keymap_evdev_to_scancode (KEY_UP) & 0xff, ==,
                   piso_keymap_evdev_to_scancode (KEY_KP8));
}

static void
test_keypad (void)
{
  static const KeyCase cases[] = {
    { KEY_KP0, 0x52 }, { KEY_KP1, 0x4f }, { KEY_KP2, 0x50 }, { KEY_KP3, 0x51 },
    { KEY_KP4, 0x4b }, { KEY_KP5, 0x4c }, { KEY_KP6, 0x4d }, { KEY_KP7, 0x47 },
    { KEY_KP8, 0x48 }, { KEY_KP9, 0x49 }, { KEY_KPDOT, 0x53 }, { KEY_KPPLUS, 0x4e },
    { KEY_KPMINUS, 0x4a }, { KEY_KPASTERISK, 0x37 }, { KEY_KPSLASH, 0x135 },
    { KEY_KPENTER, 0x11c }, { KEY_NUMLOCK, 0x45 }, { KEY_KPEQUAL, 0x59 },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_international (void)
{
  static const KeyCase cases[] = {
    { KEY_RO, 0x73 }, { KEY_YEN, 0x7d }, { KEY_HENKAN, 0x79 }, { KEY_MUHENKAN, 0x7b },
    { KEY_KATAKANAHIRAGANA, 0x70 }, { KEY_KPJPCOMMA, 0x5c }, { KEY_KPCOMMA, 0x7e },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_media (void)
{
  static const KeyCase cases[] = {
    { KEY_MUTE, 0x120 }, { KEY_VOLUMEDOWN, 0x12e }, { KEY_VOLUMEUP, 0x130 },
    { KEY_PLAYPAUSE, 0x122 }, { KEY_NEXTSONG, 0x119 }, { KEY_PREVIOUSSONG, 0x110 },
    { KEY_STOPCD, 0x124 }, { KEY_POWER, 0x15e }, { KEY_SLEEP, 0x15f }, { KEY_WAKEUP, 0x163 },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_unknown (void)
{
  static const guint unknown[] = {
    0, KEY_RESERVED, KEY_MACRO, KEY_F13, KEY_F24, KEY_BRIGHTNESSUP, KEY_MAX, 1000, G_MAXUINT,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    g_assert_cmphex (piso_keymap_evdev_to_scancode (unknown[i]), ==, 0);

  /* X11 keycodes start at 8. */
  for (guint k = 0; k < 8; k++)
    g_assert_cmphex (piso_keymap_x11_keycode_to_scancode (k), ==, 0);
  g_assert_cmphex (piso_keymap_x11_keycode_to_scancode (256), ==, 0);
  g_assert_cmphex (piso_keymap_x11_keycode_to_scancode (G_MAXUINT), ==, 0);
}

static void
test_unique (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint n_mapped = 0;

  for (guint keycode = 8; keycode <= 255; keycode++)
    {
      guint scancode = piso_keymap_x11_keycode_to_scancode (keycode);
      gpointer other;

      if (scancode == 0)
        continue;

      /* A make code, possibly E0-prefixed; never a break code or another prefix. */
      g_assert_cmphex (scancode & ~0x17fu, ==, 0);
      g_assert_cmphex (scancode & 0xff, !=, 0xe0);
      g_assert_cmphex (scancode & 0xff, !=, 0xe1);

      if (g_hash_table_lookup_extended (seen, GUINT_TO_POINTER (scancode), NULL, &other))
        g_error ("keycodes %u and %u both map to 0x%x",
                 GPOINTER_TO_UINT (other), keycode, scancode);

      g_hash_table_insert (seen, GUINT_TO_POINTER (scancode), GUINT_TO_POINTER (keycode));
      n_mapped++;
    }

  /* The whole 104/105-key layout plus the extras. */
  g_assert_cmpuint (n_mapped, >=, 105);
}

static void
test_combos (void)
{
  static const struct
  {
    const char *name;
    guint       keys[PISO_KEYMAP_COMBO_MAX];
    gsize       n;
  } cases[] = {
    { "ctrl-alt-del", { 0x1d, 0x38, 0x153 }, 3 },
    { "ctrl-alt-backspace", { 0x1d, 0x38, 0x0e }, 3 },
    { "ctrl-alt-f1", { 0x1d, 0x38, 0x3b }, 3 },
    { "ctrl-alt-f7", { 0x1d, 0x38, 0x41 }, 3 },
    { "ctrl-alt-f10", { 0x1d, 0x38, 0x44 }, 3 },
    { "ctrl-alt-f11", { 0x1d, 0x38, 0x57 }, 3 },
    { "ctrl-alt-f12", { 0x1d, 0x38, 0x58 }, 3 },
    { "print", { 0x137 }, 1 },
  };
  const char * const *names = piso_keymap_get_combo_names ();
  guint out[8];
  guint n_names;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize n = piso_keymap_scancodes_for_combo (cases[i].name, out, G_N_ELEMENTS (out));

      g_test_message ("combo %s", cases[i].name);
      g_assert_cmpuint (n, ==, cases[i].n);
      for (gsize k = 0; k < n; k++)
        g_assert_cmphex (out[k], ==, cases[i].keys[k]);
    }

  /* Every listed name resolves, and to keys that are in the table. */
  n_names = g_strv_length ((char **) names);
  g_assert_cmpuint (n_names, ==, 15);
  for (guint i = 0; i < n_names; i++)
    {
      gsize n = piso_keymap_scancodes_for_combo (names[i], out, G_N_ELEMENTS (out));

      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (n, <=, PISO_KEYMAP_COMBO_MAX);
      for (gsize k = 0; k < n; k++)
        {
          gboolean found = FALSE;

          for (guint kc = 8; kc <= 255 && !found; kc++)
            found = piso_keymap_x11_keycode_to_scancode (kc) == out[k];
          g_assert_true (found);
        }
    }

  g_assert_cmpuint (piso_keymap_scancodes_for_combo ("CTRL-ALT-DEL", out, 3), ==, 3);
  g_assert_cmpuint (piso_keymap_scancodes_for_combo ("ctrl-alt-del", out, 2), ==, 0);
  g_assert_cmpuint (piso_keymap_scancodes_for_combo ("ctrl-alt-f13", out, 8), ==, 0);
  g_assert_cmpuint (piso_keymap_scancodes_for_combo ("", out, 8), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/keymap/letters", test_letters);
  g_test_add_func ("/keymap/digits-punctuation", test_digits_punctuation);
  g_test_add_func ("/keymap/function-editing", test_function_and_editing);
  g_test_add_func ("/keymap/modifiers", test_modifiers);
  g_test_add_func ("/keymap/navigation", test_navigation);
  g_test_add_func ("/keymap/keypad", test_keypad);
  g_test_add_func ("/keymap/international", test_international);
  g_test_add_func ("/keymap/media", test_media);
  g_test_add_func ("/keymap/unknown", test_unknown);
  g_test_add_func ("/keymap/unique", test_unique);
  g_test_add_func ("/keymap/combos", test_combos);

  return g_test_run ();
}
