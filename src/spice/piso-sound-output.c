/* piso-sound-output.c: whether this computer has somewhere to play sound
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A console plays the guest's sound (and, when the guest asks, records from
 * the microphone) through spice-client-glib's GStreamer pipelines. With no
 * sound output at all (a server, a container, CI) those pipelines end in
 * GStreamer's fake elements: nothing to hear, but decoding still costs, and
 * spice-client-glib 0.42 then reads a volume the fake elements do not have
 * when the guest's agent asks to synchronise it (a critical with GStreamer
 * 1.26, Debian 13). So the console takes sound only where it can be heard.
 */
#define G_LOG_DOMAIN "piso-spice"

#include "config.h"

#include "piso-sound-output.h"

static gboolean
has_playback_device (const char *snd_dir)
{
  g_autoptr(GDir) dir = snd_dir != NULL ? g_dir_open (snd_dir, 0, NULL) : NULL;
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "pcmC") && g_str_has_suffix (name, "p"))
      return TRUE;
  return FALSE;
}

static gboolean
has_socket (const char *runtime_dir,
            const char *name)
{
  g_autofree char *path = NULL;

  if (runtime_dir == NULL)
    return FALSE;
  path = g_build_filename (runtime_dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
piso_sound_output_available (const char *runtime_dir,
                             const char *pulse_server,
                             const char *snd_dir)
{
  return (pulse_server != NULL && *pulse_server != '\0') ||
         has_socket (runtime_dir, "pulse/native") ||
         has_socket (runtime_dir, "pipewire-0") ||
         has_playback_device (snd_dir);
}
