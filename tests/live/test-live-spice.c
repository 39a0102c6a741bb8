/* test-live-spice.c: PisoSpiceSession against the tiny guest on a private libvirtd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include "piso-live.h"
#include "piso-live-bars.h"
#include "piso-spice-session.h"

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;


typedef struct
{
  PisoSpiceSession *session;
  guint             creates;       /* "primary-create" emissions */
  guint             destroys;
  guint             invalidates;
  gboolean          bad_invalidate;
} Watch;

static void
primary_create_cb (PisoSpiceSession *session,
                   gint              format,
                   gint              width,
                   gint              height,
                   gint              stride,
                   gpointer          data,
                   Watch            *w)
{
  g_test_message ("primary-create format=%d %dx%d stride=%d", format, width, height, stride);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  g_assert_cmpint (stride, >=, width * 2);
  g_assert_nonnull (data);
  w->creates++;
}

static void
primary_destroy_cb (PisoSpiceSession *session,
                    Watch            *w)
{
  w->destroys++;
}

static void
invalidate_cb (PisoSpiceSession *session,
               gint              x,
               gint              y,
               gint              width,
               gint              height,
               Watch            *w)
{
  gint sw = 0, sh = 0;

  w->invalidates++;
  if (!piso_spice_session_get_primary (session, NULL, &sw, &sh, NULL, NULL) ||
      x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > sw || y + height > sh)
    w->bad_invalidate = TRUE;
}

static gboolean
connected_with_primary (gpointer user_data)
{
  Watch *w = user_data;

  return piso_spice_session_get_state (w->session) == PISO_SPICE_STATE_CONNECTED &&
         piso_spice_session_get_primary (w->session, NULL, NULL, NULL, NULL, NULL) &&
         piso_spice_session_get_inputs (w->session) != NULL;
}

static gboolean
stopped (gpointer user_data)
{
  Watch *w = user_data;

  return piso_spice_session_get_state (w->session) == PISO_SPICE_STATE_DISCONNECTED &&
         piso_spice_session_get_disconnect_reason (w->session) ==
           PISO_SPICE_DISCONNECT_REASON_MACHINE_STOPPED;
}

/* ---- the guest's colour bars ---- */

/* Linux's default console palette: red, green, blue and white (light grey)
 * backgrounds as the VGA DAC shows them. */
/* The row of the colour bars and where each starts. */
static gboolean
find_bars (PisoSpiceSession *session,
           int              *row_out,
           int               x_out[PISO_LIVE_N_BARS])
{
  PisoDisplayRect bars[PISO_LIVE_N_BARS];

  if (!piso_live_find_bars (session, bars))
    return FALSE;

  *row_out = bars[0].y;
  for (guint i = 0; i < PISO_LIVE_N_BARS; i++)
    x_out[i] = bars[i].x;
  return TRUE;
}

static gboolean
bars_drawn (gpointer user_data)
{
  Watch *w = user_data;
  int row = -1, x[4] = { 0 };

  /* the pixels change before the (deferred) "invalidate" for them arrives */
  return find_bars (w->session, &row, x) && w->invalidates > 0;
}

/* ---- tests ---- */

static void
start_and_wait_ready (PisoMachine *machine)
{
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_live_wait_guest_ready (live, piso_machine_get_name (machine), 180);
}

/* Connect through libvirt's fd, see the colour bars, type into the guest's
 * shell, follow the machine off and on again. */
static void
test_console (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *name = piso_live_unique_name ("spice");
  g_autofree char *xml = NULL;
  g_autofree char *serial = NULL;
  Watch w = { 0 };
  guint creates;
  int row = -1, x[4] = { 0 };
  gint64 start;

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  g_assert_true (piso_connection_is_local (connection));
  xml = piso_live_domain_xml (live, name, NULL);
  machine = piso_live_define (connection, xml);
  g_assert_true (piso_machine_get_has_graphics (machine));
  start_and_wait_ready (machine);

  session = piso_spice_session_new (machine);
  w.session = session;
  g_assert_true (piso_spice_session_get_machine (session) == machine);
  g_assert_cmpint (piso_spice_session_get_state (session), ==, PISO_SPICE_STATE_DISCONNECTED);
  g_signal_connect (session, "primary-create", G_CALLBACK (primary_create_cb), &w);
  g_signal_connect (session, "primary-destroy", G_CALLBACK (primary_destroy_cb), &w);
  g_signal_connect (session, "invalidate", G_CALLBACK (invalidate_cb), &w);

  start = g_get_monotonic_time ();
  piso_spice_session_connect (session);
  g_assert_cmpint (piso_spice_session_get_state (session), ==, PISO_SPICE_STATE_CONNECTING);
  piso_test_wait_until (connected_with_primary, &w, 30, "a SPICE connection with a primary surface");
  g_test_message ("connected with a primary surface after %.2f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (piso_spice_session_get_disconnect_reason (session), ==,
                   PISO_SPICE_DISCONNECT_REASON_NONE);
  g_assert_null (piso_spice_session_get_error_message (session));
  g_assert_cmpuint (w.creates, ==, 1);

  piso_test_wait_until (bars_drawn, &w, 30, "the guest's colour bars on the primary surface");
  g_assert_true (find_bars (session, &row, x));
  g_test_message ("colour bars in row %d at x=%d,%d,%d,%d", row, x[0], x[1], x[2], x[3]);
  g_assert_cmpint (x[0], <, x[1]);
  g_assert_cmpint (x[1], <, x[2]);
  g_assert_cmpint (x[2], <, x[3]);
  g_assert_cmpuint (w.invalidates, >, 0);
  g_assert_false (w.bad_invalidate);

  /* the shell on tty1 reads the keyboard; its output goes to the serial log */
  serial = piso_live_serial_log (live, name);
  piso_live_type_text (session, "\necho spice-ok > /dev/ttyS0\n");
  piso_live_wait_file_contains (serial, "spice-ok", 30, "the typed echo on the serial log");

  /* machine off: disconnected, and the surface is gone */
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);
  piso_test_wait_until (stopped, &w, 10, "the session to report the machine stopped");
  g_assert_nonnull (piso_spice_session_get_error_message (session));
  g_assert_false (piso_spice_session_get_primary (session, NULL, NULL, NULL, NULL, NULL));
  g_assert_null (piso_spice_session_get_inputs (session));
  g_assert_cmpuint (w.destroys, >=, 1);
  /* sending keys while disconnected is harmless */
  piso_spice_session_send_key (session, PISO_LIVE_SC_ENTER, TRUE);
  piso_spice_session_send_key (session, PISO_LIVE_SC_ENTER, FALSE);

  /* on again: it reconnects by itself, with a new surface */
  creates = w.creates;
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_test_wait_until (connected_with_primary, &w, 30, "the session to reconnect");
  g_assert_cmpuint (w.creates, >, creates);
  g_assert_cmpint (piso_spice_session_get_disconnect_reason (session), ==,
                   PISO_SPICE_DISCONNECT_REASON_NONE);
  piso_live_wait_guest_ready (live, name, 180);
  piso_test_wait_until (bars_drawn, &w, 30, "the colour bars after the restart");

  /* an explicit disconnect stays disconnected */
  piso_spice_session_disconnect (session);
  g_assert_cmpint (piso_spice_session_get_state (session), ==, PISO_SPICE_STATE_DISCONNECTED);
  g_assert_cmpint (piso_spice_session_get_disconnect_reason (session), ==,
                   PISO_SPICE_DISCONNECT_REASON_NONE);
  g_assert_false (piso_spice_session_get_primary (session, NULL, NULL, NULL, NULL, NULL));
  piso_test_spin (500);
  g_assert_cmpint (piso_spice_session_get_state (session), ==, PISO_SPICE_STATE_DISCONNECTED);

  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 30);
  g_signal_handlers_disconnect_by_data (session, &w);
}

/* A machine that is off: MACHINE_STOPPED at once, then it connects when the
 * machine starts. A machine without graphics: NO_GRAPHICS without trying. */
static void
test_off_and_no_graphics (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoMachine) headless = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *name = piso_live_unique_name ("spice-off");
  g_autofree char *headless_name = piso_live_unique_name ("spice-headless");
  g_autofree char *xml = NULL;
  g_autofree char *headless_xml = NULL;
  g_auto(GStrv) parts = NULL;
  Watch w = { 0 };

  PISO_LIVE_REQUIRE (live, skip_reason);

  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));

  /* no graphics: drop the <graphics> and <video> lines of the template */
  headless_xml = piso_live_domain_xml (live, headless_name, NULL);
  parts = g_strsplit (headless_xml, "\n", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (strstr (parts[i], "<graphics") != NULL || strstr (parts[i], "<video") != NULL)
      parts[i][0] = '\0';
  g_free (headless_xml);
  headless_xml = g_strjoinv ("\n", parts);
  headless = piso_live_define (connection, headless_xml);
  g_assert_false (piso_machine_get_has_graphics (headless));
  session = piso_spice_session_new (headless);
  piso_spice_session_connect (session);
  g_assert_cmpint (piso_spice_session_get_state (session), ==, PISO_SPICE_STATE_DISCONNECTED);
  g_assert_cmpint (piso_spice_session_get_disconnect_reason (session), ==,
                   PISO_SPICE_DISCONNECT_REASON_NO_GRAPHICS);
  g_assert_nonnull (piso_spice_session_get_error_message (session));
  g_clear_object (&session);

  /* off, then started */
  xml = piso_live_domain_xml (live, name, NULL);
  machine = piso_live_define (connection, xml);
  session = piso_spice_session_new (machine);
  w.session = session;
  piso_spice_session_connect (session);
  g_assert_true (stopped (&w));
  piso_live_run_action (machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 30);
  piso_test_wait_until (connected_with_primary, &w, 30, "the session to connect on start");

  /* destroyed under a live stream: no crash, a clear state */
  piso_live_wait_guest_ready (live, name, 180);
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
  piso_test_wait_until (stopped, &w, 30, "the session to report the machine stopped");
  g_clear_object (&session);
  piso_test_spin (200);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

  live = piso_live_daemon_start (&skip_reason);

  g_test_add_func ("/live/spice/console", test_console);
  g_test_add_func ("/live/spice/off-and-no-graphics", test_off_and_no_graphics);

  ret = g_test_run ();

  piso_live_daemon_free (live);
  g_free (skip_reason);

  return ret;
}
