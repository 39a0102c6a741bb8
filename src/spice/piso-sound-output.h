/* piso-sound-output.h: whether this computer has somewhere to play sound
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when a sound server answers here (PulseAudio's or PipeWire's socket
 * in @runtime_dir, or @pulse_server names one) or @snd_dir has an ALSA
 * playback device (pcmC*D*p). Any argument may be NULL. */
gboolean piso_sound_output_available (const char *runtime_dir,
                                      const char *pulse_server,
                                      const char *snd_dir);

G_END_DECLS
