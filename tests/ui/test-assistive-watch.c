/* test-assistive-watch.c: whether an assistive technology listens, as
 * PisoAssistiveWatch follows it, on a private session bus with the real
 * accessibility bus launcher and registry (at-spi2-core)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <unistd.h>

#include "piso-assistive-watch.h"
#include "piso-test-utils.h"

#define A11Y_BUS_SERVICE "/usr/share/dbus-1/services/org.a11y.Bus.service"

static gboolean
watch_ready (gpointer user_data)
{
  return piso_assistive_watch_get_ready (user_data);
}

static gboolean
watch_active (gpointer user_data)
{
  return piso_assistive_watch_get_active (user_data);
}

static gboolean
watch_idle (gpointer user_data)
{
  return !piso_assistive_watch_get_active (user_data);
}

static GDBusConnection *
session_bus (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  return bus;
}

/* A program of its own on the accessibility bus, as a screen reader is */
static GDBusConnection *
a11y_bus_client (void)
{
  g_autoptr(GDBusConnection) session = session_bus ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *address;
  GDBusConnection *bus;

  reply = g_dbus_connection_call_sync (session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus",
                                       "GetAddress", NULL, G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &address);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  return bus;
}

/* With accessibility turned off no bus is asked, and nothing listens */
static void
test_turned_off (void)
{
  g_autoptr(PisoAssistiveWatch) watch = NULL;

  g_setenv ("GTK_A11Y", "none", TRUE);
  watch = piso_assistive_watch_new ();
  g_unsetenv ("GTK_A11Y");
  g_assert_true (piso_assistive_watch_get_ready (watch));
  g_assert_false (piso_assistive_watch_get_active (watch));
}

/* A program that registers for events with the registry (what Orca does
 * when it starts, however it was started) is listening; gone, it is not */
static void
test_registry_listener (void)
{
  g_autoptr(PisoAssistiveWatch) watch = piso_assistive_watch_new ();
  g_autoptr(GDBusConnection) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  piso_test_wait_until (watch_ready, watch, 30, "the watch's first answers");
  g_assert_false (piso_assistive_watch_get_active (watch));

  reader = a11y_bus_client ();
  reply = g_dbus_connection_call_sync (reader, "org.a11y.atspi.Registry",
                                       "/org/a11y/atspi/registry", "org.a11y.atspi.Registry",
                                       "RegisterEvent",
                                       g_variant_new ("(s@ass)", "object:state-changed:focused",
                                                      g_variant_new_strv (NULL, 0), ""),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  piso_test_wait_until (watch_active, watch, 10, "the watch to see the listener");

  /* the reader quits: the registry drops its listeners */
  g_dbus_connection_close_sync (reader, NULL, &error);
  g_assert_no_error (error);
  piso_test_wait_until (watch_idle, watch, 10, "the watch to see the listener go");
}

/* The desktop's "screen reader" setting, as GNOME turns it on */
static void
test_screen_reader_setting (void)
{
  g_autoptr(PisoAssistiveWatch) watch = piso_assistive_watch_new ();
  g_autoptr(GDBusConnection) session = session_bus ();
  g_autoptr(GError) error = NULL;

  piso_test_wait_until (watch_ready, watch, 30, "the watch's first answers");
  g_assert_false (piso_assistive_watch_get_active (watch));

  for (guint i = 0; i < 2; i++)
    {
      gboolean on = i == 0;
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (session, "org.a11y.Bus", "/org/a11y/bus",
                                     "org.freedesktop.DBus.Properties", "Set",
                                     g_variant_new ("(ssv)", "org.a11y.Status", "ScreenReaderEnabled",
                                                    g_variant_new_boolean (on)),
                                     NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

      g_assert_no_error (error);
      piso_test_wait_until (on ? watch_active : watch_idle, watch, 10,
                            on ? "the watch to see the screen reader on"
                               : "the watch to see the screen reader off");
    }
}

static void
skip_without_at_spi (void)
{
  g_test_skip ("no accessibility bus launcher (at-spi2-core) here");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GTestDBus) bus = NULL;
  int stdout_fd;
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/assistive-watch/turned-off", test_turned_off);
  if (!g_file_test (A11Y_BUS_SERVICE, G_FILE_TEST_EXISTS))
    {
      g_test_add_func ("/assistive-watch/no-at-spi", skip_without_at_spi);
      return g_test_run ();
    }
  g_test_add_func ("/assistive-watch/registry-listener", test_registry_listener);
  g_test_add_func ("/assistive-watch/screen-reader-setting", test_screen_reader_setting);

  /* A session bus of the test's own, where the accessibility bus launcher
   * is started on demand as on a desktop: nothing of the machine's */
  g_unsetenv ("GTK_A11Y");
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (bus, "/usr/share/dbus-1/services");
  /* The bus and what it starts write to stderr: the registry's greeting on
   * its stdout would be taken for a TAP line */
  stdout_fd = dup (STDOUT_FILENO);
  dup2 (STDERR_FILENO, STDOUT_FILENO);
  g_test_dbus_up (bus);
  dup2 (stdout_fd, STDOUT_FILENO);
  close (stdout_fd);
  status = g_test_run ();
  g_test_dbus_down (bus);
  return status;
}
