/* test-sound-output.c: a console takes the guest's sound only where it can
 * be heard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "piso-sound-output.h"
#include "piso-test-utils.h"

static void
touch (const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
}

static void
test_sound_output (void)
{
  g_autofree char *runtime = piso_test_make_temp_dir ();
  g_autofree char *snd = piso_test_make_temp_dir ();

  /* nothing: no sound server, no device (a server, a container, CI) */
  g_assert_false (piso_sound_output_available (NULL, NULL, NULL));
  g_assert_false (piso_sound_output_available (runtime, "", snd));
  /* ALSA capture devices and controls are not somewhere to play */
  touch (snd, "controlC0");
  touch (snd, "pcmC0D0c");
  g_assert_false (piso_sound_output_available (runtime, NULL, snd));
  /* a playback device, a PulseAudio or PipeWire socket, a named server */
  touch (snd, "pcmC0D0p");
  g_assert_true (piso_sound_output_available (NULL, NULL, snd));
  touch (runtime, "pulse/native");
  g_assert_true (piso_sound_output_available (runtime, NULL, NULL));
  g_assert_true (piso_sound_output_available (NULL, "tcp:sound.example.org", NULL));
}

static void
test_pipewire (void)
{
  g_autofree char *runtime = piso_test_make_temp_dir ();

  g_assert_false (piso_sound_output_available (runtime, NULL, NULL));
  touch (runtime, "pipewire-0");
  g_assert_true (piso_sound_output_available (runtime, NULL, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sound-output/servers-and-devices", test_sound_output);
  g_test_add_func ("/sound-output/pipewire", test_pipewire);
  return g_test_run ();
}
