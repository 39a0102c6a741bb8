/* piso-live-display.c: driving and checking the console widget against the
 * test guest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-live-display.h"

#include <stdlib.h>

#include "piso-live.h"
#include "piso-test-utils.h"

static void
subprocess_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
piso_live_run_command (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, subprocess_done_cb, &result);
  piso_test_wait_result (&result, 60);
  g_subprocess_wait_check_finish (process, result, &error);
  g_assert_no_error (error);
}

gboolean
piso_live_spice_ready (gpointer session)
{
  return piso_spice_session_get_state (session) == PISO_SPICE_STATE_CONNECTED &&
         piso_spice_session_get_primary (session, NULL, NULL, NULL, NULL, NULL) &&
         piso_spice_session_get_inputs (session) != NULL;
}

gboolean
piso_live_server_mouse (gpointer session)
{
  return piso_spice_session_get_state (session) == PISO_SPICE_STATE_CONNECTED &&
         piso_spice_session_get_mouse_mode (session) == PISO_SPICE_MOUSE_MODE_SERVER;
}

gboolean
piso_live_display_has_drawn (gpointer display)
{
  return piso_spice_display_get_frames_drawn (display) > 0 &&
         gtk_widget_get_width (display) > 0;
}

gboolean
piso_live_display_grabbed (gpointer display)
{
  return piso_spice_display_get_grabbed (display);
}

void
piso_live_display_geometry (GtkWidget           *display,
                            PisoDisplayGeometry *geometry)
{
  PisoSpiceSession *session = piso_spice_display_get_session (PISO_SPICE_DISPLAY (display));
  gint guest_width, guest_height;

  g_assert_true (piso_spice_session_get_primary (session, NULL, &guest_width, &guest_height,
                                                 NULL, NULL));
  *geometry = (PisoDisplayGeometry) {
    .guest_width = guest_width,
    .guest_height = guest_height,
    .widget_width = gtk_widget_get_width (display),
    .widget_height = gtk_widget_get_height (display),
    .scale_factor = gtk_widget_get_scale_factor (display),
    .scale_to_fit = TRUE,
  };
  piso_display_geometry_update (geometry);
}

/* The guest saw the host's motion (@dx, @dy widget pixels), scaled to its
 * pixels, within a tenth (its PS/2 packets carry whole pixels). */
void
piso_live_expect_guest_motion (const char                *serial,
                               gsize                      offset,
                               const PisoDisplayGeometry *geometry,
                               double                     dx,
                               double                     dy)
{
  double rest_x = 0, rest_y = 0;
  int want_x, want_y, gdx = 0, gdy = 0;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint packets = 0;

  piso_display_geometry_relative_motion (geometry, dx, dy, &rest_x, &rest_y, &want_x, &want_y);
  while (g_get_monotonic_time () < deadline)
    {
      packets = piso_live_guest_mouse_motion (serial, offset, &gdx, &gdy);
      if (abs (gdx - want_x) <= MAX (4, abs (want_x) / 10) &&
          abs (gdy - want_y) <= MAX (4, abs (want_y) / 10))
        break;
      piso_test_spin (100);
    }
  g_test_message ("the guest moved its pointer by %d,%d in %u packets (host %.0f,%.0f -> %d,%d)",
                  gdx, gdy, packets, dx, dy, want_x, want_y);
  g_assert_cmpint (abs (gdx - want_x), <=, MAX (4, abs (want_x) / 10));
  g_assert_cmpint (abs (gdy - want_y), <=, MAX (4, abs (want_y) / 10));
}

