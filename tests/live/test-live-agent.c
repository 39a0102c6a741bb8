/* test-live-agent.c: the SPICE agent's features against the agent guest
 *
 * The agent guest (tests/testbed/make-agent-guest.sh) runs X and spice-vdagent.
 * One guest serves all the tests, in order: the agent connects and the mouse
 * goes to client mode, a requested resolution becomes the guest's, text copied
 * on the host reaches the guest's clipboard and the other way round. The
 * guest's side is read through its serial root shell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gtk/gtk.h>

#include "piso-live.h"
#include "piso-spice-clipboard.h"
#include "piso-spice-display.h"
#include "piso-spice-session.h"
#include "piso-ui-test-utils.h"
#include "piso-usb-chooser.h"

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;
static gboolean have_display;

/* The guest shared by the tests, booted by the first one. */
static struct
{
  PisoConnection   *connection;
  PisoMachine      *machine;
  PisoSpiceSession *session;
  char             *name;
  int               pty;            /* the serial console, read continuously */
  GString          *output;         /* everything the serial console printed */
  guint             pty_watch;
  guint             commands;       /* numbers the markers of guest commands */
  gint              primary_width;  /* of the last "primary-create" */
  gint              primary_height;
  gint64            primary_time;
} guest = { .pty = -1 };

/* ---- environment ---- */

static const char *
agent_guest_dir (void)
{
  const char *dir = g_getenv ("PISO_LIVE_AGENT_GUEST_DIR");

  return dir != NULL && *dir != '\0' ? dir : NULL;
}

static gboolean
usable_kvm (void)
{
  return access ("/dev/kvm", R_OK | W_OK) == 0 &&
         (g_file_test ("/sys/module/kvm_intel", G_FILE_TEST_IS_DIR) ||
          g_file_test ("/sys/module/kvm_amd", G_FILE_TEST_IS_DIR));
}

/* domain-agent.xml.in filled in, on a fresh overlay of the guest's disk */
static char *
agent_domain_xml (const char *name,
                  const char *devices)
{
  g_autofree char *base = g_build_filename (agent_guest_dir (), "agent.qcow2", NULL);
  g_autofree char *file = g_strdup_printf ("%s.qcow2", name);
  g_autofree char *disk = g_build_filename (piso_live_daemon_get_dir (live), file, NULL);
  g_autoptr(GError) error = NULL;
  const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                             "-b", base, disk, NULL };
  const char *subst[] = {
    "@NAME@", name,
    "@TYPE@", usable_kvm () ? "kvm" : "qemu",
    "@GUEST_DIR@", agent_guest_dir (),
    "@DISK@", disk,
    "@CMDLINE@", "",
    "@DEVICES@", devices != NULL ? devices : "",
    NULL
  };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) qemu_img, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("qemu-img create %s: %s", disk, error->message);

  return piso_live_fill_template ("domain-agent.xml.in", subst);
}

/* ---- the serial console ---- */

static gboolean
pty_readable_cb (gint         fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  char buffer[4096];
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (guest.output, buffer, n);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
      (condition & (G_IO_HUP | G_IO_ERR)) != 0)
    {
      /* QEMU went away; keep what was read */
      guest.pty_watch = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Keeps the pty open and drained for the whole test: QEMU treats a pty with
 * no reader as disconnected and delays what is written to it. */
static void
open_serial_console (void)
{
  const char *argv[] = { "virsh", "-q", "-c", piso_live_daemon_get_uri (live),
                         "ttyconsole", guest.name, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  struct termios tio;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("virsh ttyconsole: %s", error->message);
  g_strstrip (out);
  g_test_message ("serial console %s", out);

  guest.pty = open (out, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (guest.pty < 0)
    g_error ("open %s: %s", out, g_strerror (errno));
  if (tcgetattr (guest.pty, &tio) == 0)
    {
      cfmakeraw (&tio);
      tcsetattr (guest.pty, TCSANOW, &tio);
    }
  guest.output = g_string_new (NULL);
  guest.pty_watch = g_unix_fd_add (guest.pty, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                   pty_readable_cb, NULL);
}

static void
write_serial (const char *text)
{
  gsize len = strlen (text);
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = write (guest.pty, text + done, len - done);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          piso_test_spin (10);
          continue;
        }
      if (n < 0)
        g_error ("write to the serial console: %s", g_strerror (errno));
      done += (gsize) n;
    }
}

typedef struct
{
  gsize       from;
  const char *needle;
} OutputWait;

static gboolean
output_has (gpointer user_data)
{
  OutputWait *w = user_data;

  return w->from <= guest.output->len &&
         strstr (guest.output->str + w->from, w->needle) != NULL;
}

/* Runs @command in the guest's serial shell (DISPLAY=:0 is set there) and
 * returns what it printed, without the line ends around it. */
static char *
guest_run (const char *command,
           guint       timeout_s)
{
  guint n = ++guest.commands;
  g_autofree char *end = g_strdup_printf ("<<E%u>>", n);
  g_autofree char *line = piso_live_shell_line (n, command);
  OutputWait wait = { guest.output->len, end };
  char *result;

  write_serial (line);
  piso_test_wait_until (output_has, &wait, timeout_s, command);
  result = piso_live_shell_output (guest.output->str, wait.from, n);
  g_assert_nonnull (result);
  return result;
}

/* ---- the guest ---- */

static void
primary_create_cb (PisoSpiceSession *session,
                   gint              format,
                   gint              width,
                   gint              height,
                   gint              stride,
                   gpointer          data,
                   gpointer          user_data)
{
  guest.primary_width = width;
  guest.primary_height = height;
  guest.primary_time = g_get_monotonic_time ();
  g_test_message ("primary-create %dx%d", width, height);
}

static gboolean
agent_ready (gpointer user_data)
{
  return piso_spice_session_get_state (guest.session) == PISO_SPICE_STATE_CONNECTED &&
         piso_spice_session_get_agent_connected (guest.session);
}

static gboolean
client_mouse (gpointer user_data)
{
  return piso_spice_session_get_mouse_mode (guest.session) == PISO_SPICE_MOUSE_MODE_CLIENT;
}

static gboolean
agent_registered (gpointer user_data)
{
  OutputWait *w = user_data;

  return output_has (w) ||
         strstr (guest.output->str, "PISO-AGENT-FAILED") != NULL;
}

/* Boots the agent guest once and connects a session to it. */
static void
ensure_guest (void)
{
  g_autofree char *xml = NULL;
  g_autofree char *ready = NULL;
  OutputWait wait = { 0, NULL };
  const char *line;
  gint64 start;
  gint64 connect_start;

  if (guest.session != NULL)
    return;

  guest.name = piso_live_unique_name ("agent");
  guest.connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  xml = agent_domain_xml (guest.name, "    <redirdev bus='usb' type='spicevmc'/>");
  guest.machine = piso_live_define (guest.connection, xml);

  start = g_get_monotonic_time ();
  piso_live_run_action (guest.machine, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (guest.machine, PISO_MACHINE_STATE_RUNNING, 60);
  open_serial_console ();

  /* connect early: the agent is announced whenever it comes up */
  guest.session = piso_spice_session_new (guest.machine);
  g_signal_connect (guest.session, "primary-create", G_CALLBACK (primary_create_cb), NULL);
  connect_start = g_get_monotonic_time ();
  piso_spice_session_connect (guest.session);

  ready = g_strdup_printf ("PISO-AGENT-READY name=%s", guest.name);
  wait.needle = ready;
  piso_test_wait_until (agent_registered, &wait, 240, "PISO-AGENT-READY on the serial console");
  line = strstr (guest.output->str, "PISO-AGENT-");
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PISO-AGENT-READY"));
  g_test_message ("boot: agent guest ready %.1f s after start (%.*s)",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
                  (int) strcspn (line, "\r\n"), line);

  piso_test_wait_until (agent_ready, NULL, 60, "the session to report the guest's agent");
  g_test_message ("agent connected %.2f s after connect() (the guest booted meanwhile)",
                  (g_get_monotonic_time () - connect_start) / (double) G_USEC_PER_SEC);

  /* the serial shell answers */
  {
    g_autofree char *echo = guest_run ("echo shell-$((6 * 7))", 60);

    g_assert_cmpstr (echo, ==, "shell-42");
  }
}

/* ---- tests ---- */

static void
test_agent_connects (void)
{
  g_autoptr(PisoSpiceSession) second = NULL;
  gint64 start;

  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();

  piso_test_wait_until (client_mouse, NULL, 30, "client mouse mode");
  g_assert_cmpint (piso_spice_session_get_mouse_mode (guest.session), ==,
                   PISO_SPICE_MOUSE_MODE_CLIENT);
  g_assert_nonnull (piso_spice_session_get_main_channel (guest.session));

  /* a fresh connection to the running guest: how long the agent takes */
  piso_spice_session_disconnect (guest.session);
  g_assert_false (piso_spice_session_get_agent_connected (guest.session));
  g_assert_cmpint (piso_spice_session_get_mouse_mode (guest.session), ==,
                   PISO_SPICE_MOUSE_MODE_SERVER);
  start = g_get_monotonic_time ();
  piso_spice_session_connect (guest.session);
  piso_test_wait_until (agent_ready, NULL, 30, "the agent after reconnecting");
  g_test_message ("connect → agent-connected: %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  piso_test_wait_until (client_mouse, NULL, 30, "client mouse mode after reconnecting");
  g_test_message ("connect → client mouse mode: %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
}

typedef struct
{
  gint width;
  gint height;
} Size;

static gboolean
primary_has_size (gpointer user_data)
{
  Size *size = user_data;

  return guest.primary_width == size->width && guest.primary_height == size->height;
}

static void
check_resolution (gint width,
                  gint height)
{
  Size size = { width, height };
  g_autofree char *expected = g_strdup_printf ("current %d x %d", width, height);
  g_autofree char *xrandr = NULL;
  gint w = 0, h = 0;
  gint64 start = g_get_monotonic_time ();

  piso_spice_session_request_resolution (guest.session, width, height);
  piso_test_wait_until (primary_has_size, &size, 30, "a primary surface of the requested size");
  g_test_message ("resize to %dx%d: new primary surface after %.0f ms", width, height,
                  (guest.primary_time - start) / 1000.0);
  g_assert_true (piso_spice_session_get_primary (guest.session, NULL, &w, &h, NULL, NULL));
  g_assert_cmpint (w, ==, width);
  g_assert_cmpint (h, ==, height);

  /* X in the guest runs at that size too */
  xrandr = guest_run ("xrandr | head -n1", 30);
  g_test_message ("guest: %s", xrandr);
  g_assert_nonnull (strstr (xrandr, expected));
}

static void
test_resolution (void)
{
  PISO_LIVE_REQUIRE (live, skip_reason);
  ensure_guest ();
  piso_test_wait_until (agent_ready, NULL, 30, "the agent");

  check_resolution (1024, 704);
  check_resolution (800, 600);
}

/* ---- clipboard ---- */

static gboolean
text_ready (gpointer user_data)
{
  char **text = user_data;

  return *text != NULL;
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (*text == NULL)
    *text = g_strdup_printf ("(error: %s)", error != NULL ? error->message : "no text");
}

static char *
host_read_text (GdkClipboard *clipboard)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &text);
  piso_test_wait_until (text_ready, &text, 30, "the host clipboard's text");
  return text;
}

static gboolean
guest_owns (gpointer user_data)
{
  GdkClipboard *clipboard = user_data;
  GdkContentProvider *content = gdk_clipboard_get_content (clipboard);

  /* the bridge put its own provider there */
  return content != NULL &&
         g_str_equal (G_OBJECT_TYPE_NAME (content), "PisoSpiceClipboardProvider");
}

/* Reads the host's X selection from another X client (xclip), so the text
 * goes through the X server as it would for any application. */
static char *
xclip_read (const char *selection)
{
  g_autoptr(GSubprocess) xclip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  char *out = NULL;

  xclip = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                            &error, "xclip", "-o", "-selection", selection, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (xclip, NULL, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  g_assert_true (g_subprocess_communicate_utf8_finish (xclip, result, &out, NULL, &error));
  g_assert_no_error (error);
  return out;
}

/* Asserts what xclip reads from the guest's @selection. The grab travels
 * through SPICE and the command through the serial port: a read that comes
 * first sees the old owner, so it is read again for a few seconds. When it is
 * still not @expected, the guest agent's logs go to the test log. */
static void
assert_guest_selection (const char *selection,
                        const char *expected)
{
  g_autofree char *command = g_strdup_printf ("xclip -o -selection %s", selection);
  g_autofree char *text = NULL;
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  for (;;)
    {
      g_free (text);
      text = guest_run (command, 30);
      if (g_strcmp0 (text, expected) == 0 || g_get_monotonic_time () > deadline)
        break;
      piso_test_spin (300);
    }

  if (g_strcmp0 (text, expected) != 0)
    {
      g_autofree char *logs = guest_run ("tail -n 40 /tmp/spice-vdagentd.log /tmp/spice-vdagent.log",
                                         30);

      g_test_message ("the guest agent's logs:\n%s", logs);
    }
  g_assert_cmpstr (text, ==, expected);
}

/* Sets the host's X selection from another X client (xclip forks and serves
 * it until another client takes the selection). */
static void
xclip_write (const char *selection,
             const char *text)
{
  g_autoptr(GSubprocess) xclip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  xclip = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                            G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error, "xclip", "-i", "-selection", selection, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (xclip, text, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  g_assert_true (g_subprocess_communicate_utf8_finish (xclip, result, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* For the tests that need both the agent guest and an X display; FALSE: the
 * test was skipped. */
static gboolean
guest_agent_and_display (void)
{
  if (live == NULL)
    {
      g_test_skip (skip_reason);
      return FALSE;
    }
  if (!have_display)
    {
      g_test_skip ("no X display (the test command starts Xvfb)");
      return FALSE;
    }
  ensure_guest ();
  piso_test_wait_until (agent_ready, NULL, 30, "the agent");
  return TRUE;
}

static void
test_clipboard_host_to_guest (void)
{
  g_autofree char *xclip = g_find_program_in_path ("xclip");
  g_autoptr(PisoSpiceClipboard) bridge = NULL;
  GdkDisplay *display;
  GdkClipboard *clipboard;
  gint64 start;

  if (!guest_agent_and_display ())
    return;

  display = gdk_display_get_default ();
  clipboard = gdk_display_get_clipboard (display);
  bridge = piso_spice_clipboard_new (guest.session, display);
  g_assert_true (piso_spice_clipboard_get_active (bridge));
  g_assert_true (piso_spice_clipboard_get_session (bridge) == guest.session);
  /* one bridge per session */
  {
    g_autoptr(PisoSpiceClipboard) again = piso_spice_clipboard_new (guest.session, display);

    g_assert_true (again == bridge);
  }

  start = g_get_monotonic_time ();
  gdk_clipboard_set_text (clipboard, "Piso host→guest 1\nline two");
  assert_guest_selection ("clipboard", "Piso host→guest 1\nline two");
  g_test_message ("host → guest clipboard: %.0f ms (serial shell round trip included)",
                  (g_get_monotonic_time () - start) / 1000.0);

  /* while another window has the focus a new copy is not offered ... */
  piso_spice_clipboard_set_active (bridge, FALSE);
  gdk_clipboard_set_text (clipboard, "not for the guest");
  piso_test_spin (500);
  {
    g_autofree char *text = guest_run ("xclip -o -selection clipboard 2>/dev/null", 30);

    g_assert_null (strstr (text, "not for the guest"));
  }
  /* ... until the console has it again */
  piso_spice_clipboard_set_active (bridge, TRUE);
  piso_test_spin (500);
  assert_guest_selection ("clipboard", "not for the guest");

  /* PRIMARY too */
  gdk_clipboard_set_text (gdk_display_get_primary_clipboard (display), "primary from host");
  piso_test_spin (500);
  assert_guest_selection ("primary", "primary from host");

  /* a copy in another X application reaches the guest too */
  if (xclip != NULL)
    {
      xclip_write ("clipboard", "copied in another X client");
      assert_guest_selection ("clipboard", "copied in another X client");
    }
  else
    {
      g_test_message ("xclip not installed: a copy by another X client not checked");
    }
}

static void
test_clipboard_guest_to_host (void)
{
  g_autoptr(PisoSpiceClipboard) bridge = NULL;
  g_autofree char *xclip = g_find_program_in_path ("xclip");
  GdkDisplay *display;
  GdkClipboard *clipboard;
  gint64 start;

  if (!guest_agent_and_display ())
    return;

  display = gdk_display_get_default ();
  clipboard = gdk_display_get_clipboard (display);
  bridge = piso_spice_clipboard_new (guest.session, display);
  gdk_clipboard_set_text (clipboard, "old host text");

  start = g_get_monotonic_time ();
  g_free (guest_run ("printf 'copied in the guest\\nsecond line' | xclip -i -selection clipboard", 30));
  piso_test_wait_until (guest_owns, clipboard, 30, "the guest's grab on the host clipboard");
  {
    g_autofree char *text = host_read_text (clipboard);

    g_test_message ("guest → host clipboard: %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
    g_assert_cmpstr (text, ==, "copied in the guest\nsecond line");
  }
  /* another X client reads it through the X server */
  if (xclip != NULL)
    {
      g_autofree char *text = xclip_read ("clipboard");

      g_assert_cmpstr (text, ==, "copied in the guest\nsecond line");
    }
  else
    {
      g_test_message ("xclip not installed: reading through the X server not checked");
    }

  /* PRIMARY: xclip's default selection */
  g_free (guest_run ("printf 'guest primary' | xclip -i", 30));
  piso_test_wait_until (guest_owns, gdk_display_get_primary_clipboard (display), 30,
                        "the guest's grab of PRIMARY");
  {
    g_autofree char *text = host_read_text (gdk_display_get_primary_clipboard (display));

    g_assert_cmpstr (text, ==, "guest primary");
  }

  /* the host copies again: the guest's clipboard follows */
  gdk_clipboard_set_text (clipboard, "host again");
  piso_test_spin (500);
  assert_guest_selection ("clipboard", "host again");
}

/* ---- USB redirection ---- */

static gboolean
session_connected (gpointer user_data)
{
  return piso_spice_session_get_state (PISO_SPICE_SESSION (user_data)) == PISO_SPICE_STATE_CONNECTED;
}

static gboolean
chooser_has_status (gpointer user_data)
{
  PisoUsbChooser *chooser = user_data;
  PisoUsbChooserStatus wanted = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "wanted"));

  return piso_usb_chooser_get_status (chooser) == wanted;
}

static void
wait_chooser_status (GtkWidget            *chooser,
                     PisoUsbChooserStatus  status)
{
  g_object_set_data (G_OBJECT (chooser), "wanted", GINT_TO_POINTER (status));
  piso_test_wait_until (chooser_has_status, chooser, 30, "the USB chooser's status");
}

static const char *
chooser_page (GtkWidget *chooser)
{
  GtkWidget *stack = piso_ui_test_find_descendant (chooser, GTK_TYPE_STACK);

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

/* The agent guest has a USB redirection channel: the chooser lists this
 * computer's devices, or says why this computer cannot pass them; the tiny
 * guest has none: the chooser says so. */
static void
test_usb_chooser (void)
{
  g_autoptr(PisoMachine) tiny = NULL;
  g_autoptr(PisoSpiceSession) tiny_session = NULL;
  g_autofree char *tiny_name = NULL;
  g_autofree char *tiny_xml = NULL;
  g_autofree char *png = NULL;
  GtkWidget *chooser;
  GtkWindow *window;

  if (!guest_agent_and_display ())
    return;

  g_assert_true (piso_spice_session_has_usb_redirection (guest.session));
  chooser = piso_usb_chooser_new (guest.session);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 380, 240);
  gtk_window_set_child (window, chooser);
  gtk_window_present (window);
  piso_ui_test_wait_frames (chooser, 2, 2000);
  g_assert_true (piso_usb_chooser_get_has_redirection (PISO_USB_CHOOSER (chooser)));

  if (piso_usb_chooser_get_status (PISO_USB_CHOOSER (chooser)) == PISO_USB_CHOOSER_STATUS_READY)
    {
      g_autoptr(GError) error = NULL;
      SpiceUsbDeviceManager *manager =
        spice_usb_device_manager_get (piso_spice_session_get_spice_session (guest.session), &error);
      g_autoptr(GPtrArray) devices = NULL;
      GtkWidget *list = piso_ui_test_find_descendant (chooser, GTK_TYPE_LIST_BOX);
      guint rows = 0;

      g_assert_no_error (error);
      devices = spice_usb_device_manager_get_devices (manager);
      for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
           row = gtk_widget_get_next_sibling (row))
        rows += GTK_IS_LIST_BOX_ROW (row);
      g_test_message ("USB chooser: %u devices listed", rows);
      g_assert_cmpstr (chooser_page (chooser), ==, "devices");
      g_assert_cmpuint (rows, ==, devices->len);
      if (rows == 0)
        g_assert_true (piso_ui_test_has_label (chooser,
                                               "No USB devices are plugged into this computer."));
    }
  else
    {
      g_autoptr(GPtrArray) texts = g_ptr_array_new ();

      /* e.g. no usbfs (/dev/bus/usb) in a container */
      g_assert_cmpint (piso_usb_chooser_get_status (PISO_USB_CHOOSER (chooser)), ==,
                       PISO_USB_CHOOSER_STATUS_UNSUPPORTED);
      g_assert_cmpstr (chooser_page (chooser), ==, "message");
      g_assert_true (piso_ui_test_has_label (chooser, "USB Redirection Unavailable"));
      piso_ui_test_collect_labels (chooser, texts);
      for (guint i = 0; i < texts->len; i++)
        if (strstr (g_ptr_array_index (texts, i), "/dev/bus/usb") != NULL)
          g_test_message ("USB chooser explains: %s", (char *) g_ptr_array_index (texts, i));
    }
  png = piso_ui_test_save_screenshot (chooser, "usb-chooser-agent-guest");
  g_test_message ("screenshot %s", png);
  g_clear_pointer (&png, g_free);
  gtk_window_set_child (window, NULL);

  /* the tiny guest: no redirection channels */
  tiny_name = piso_live_unique_name ("usb-none");
  tiny_xml = piso_live_domain_xml (live, tiny_name, NULL);
  tiny = piso_live_define (guest.connection, tiny_xml);
  piso_live_run_action (tiny, piso_machine_start_async, piso_machine_start_finish);
  piso_test_wait_state (tiny, PISO_MACHINE_STATE_RUNNING, 60);
  tiny_session = piso_spice_session_new (tiny);
  chooser = piso_usb_chooser_new (tiny_session);
  gtk_window_set_child (window, chooser);
  g_assert_cmpint (piso_usb_chooser_get_status (PISO_USB_CHOOSER (chooser)), ==,
                   PISO_USB_CHOOSER_STATUS_DISCONNECTED);
  piso_spice_session_connect (tiny_session);
  piso_test_wait_until (session_connected, tiny_session, 60, "a connection to the tiny guest");
  wait_chooser_status (chooser, PISO_USB_CHOOSER_STATUS_NO_CHANNELS);
  g_assert_false (piso_usb_chooser_get_has_redirection (PISO_USB_CHOOSER (chooser)));
  g_assert_false (piso_spice_session_has_usb_redirection (tiny_session));
  piso_ui_test_wait_frames (chooser, 2, 2000);
  g_assert_true (piso_ui_test_has_label (chooser, "No USB Redirection"));
  png = piso_ui_test_save_screenshot (chooser, "usb-chooser-no-channels");
  g_test_message ("screenshot %s", png);

  /* the machine stops: back to "not connected" */
  piso_live_run_action (tiny, piso_machine_force_off_async, piso_machine_force_off_finish);
  wait_chooser_status (chooser, PISO_USB_CHOOSER_STATUS_DISCONNECTED);
  g_assert_true (piso_ui_test_has_label (chooser, "Not Connected"));

  gtk_window_destroy (window);
  piso_test_spin (50);
}

static void
cleanup_guest (void)
{
  if (guest.session != NULL)
    {
      piso_spice_session_disconnect (guest.session);
      g_clear_object (&guest.session);
    }
  if (guest.machine != NULL)
    {
      piso_live_run_action (guest.machine, piso_machine_force_off_async,
                            piso_machine_force_off_finish);
      g_clear_object (&guest.machine);
    }
  g_clear_handle_id (&guest.pty_watch, g_source_remove);
  if (guest.pty >= 0)
    close (guest.pty);
  if (guest.output != NULL)
    g_string_free (guest.output, TRUE);
  g_clear_object (&guest.connection);
  g_free (guest.name);
}


/* ---- the guest's pointer shape ---- */

typedef struct
{
  GBytes *previous;   /* a shape the next one must differ from, or NULL */
} ShapeWait;

static gboolean
has_new_shape (gpointer user_data)
{
  ShapeWait *wait = user_data;
  GBytes *pixels = NULL;

  if (piso_spice_session_get_cursor (guest.session, NULL, NULL, NULL, NULL, &pixels) !=
      PISO_SPICE_CURSOR_SHAPE || pixels == NULL)
    return FALSE;
  return wait->previous == NULL || !g_bytes_equal (pixels, wait->previous);
}

/* Sets the guest's root window cursor (X cursor font name) and returns the
 * shape the cursor channel brought, after checking it is one */
static GBytes *
set_guest_cursor (const char *name,
                  GBytes     *previous,
                  gint       *width,
                  gint       *height,
                  gint       *hot_x,
                  gint       *hot_y)
{
  g_autofree char *command = g_strdup_printf ("xsetroot -cursor_name %s && echo set", name);
  g_autofree char *what = g_strdup_printf ("the %s pointer from the cursor channel", name);
  g_autofree char *answer = guest_run (command, 30);
  ShapeWait wait = { previous };
  GBytes *pixels = NULL;
  const guint8 *rgba;
  guint opaque = 0;

  g_assert_cmpstr (answer, ==, "set");
  piso_test_wait_until (has_new_shape, &wait, 30, what);
  g_assert_cmpint (piso_spice_session_get_cursor (guest.session, width, height, hot_x, hot_y, &pixels),
                   ==, PISO_SPICE_CURSOR_SHAPE);

  /* A pointer-sized image, the hotspot inside, part of it drawn and part
   * of it see-through (an arrow or a watch is no square) */
  g_assert_cmpint (*width, >=, 8);
  g_assert_cmpint (*width, <=, 256);
  g_assert_cmpint (*height, >=, 8);
  g_assert_cmpint (*height, <=, 256);
  g_assert_cmpint (*hot_x, >=, 0);
  g_assert_cmpint (*hot_x, <, *width);
  g_assert_cmpint (*hot_y, >=, 0);
  g_assert_cmpint (*hot_y, <, *height);
  g_assert_cmpuint (g_bytes_get_size (pixels), ==, (gsize) *width * *height * 4);
  rgba = g_bytes_get_data (pixels, NULL);
  for (gint i = 0; i < *width * *height; i++)
    opaque += rgba[i * 4 + 3] == 0xff;
  g_test_message ("%s: %dx%d, hotspot %d,%d, %u opaque pixels", name, *width, *height,
                  *hot_x, *hot_y, opaque);
  g_assert_cmpuint (opaque, >, 20);
  g_assert_cmpuint (opaque, <, (guint) (*width * *height) / 2);

  return g_bytes_ref (pixels);
}

static void
test_cursor_shape (void)
{
  g_autoptr(GBytes) arrow = NULL;
  g_autoptr(GBytes) watch = NULL;
  GtkWindow *window;
  GtkWidget *display;
  GdkCursor *cursor;
  gint width, height, hot_x, hot_y;

  PISO_LIVE_REQUIRE (live, skip_reason);
  if (!have_display)
    {
      g_test_skip ("No display (set DISPLAY, e.g. under Xvfb)");
      return;
    }
  ensure_guest ();
  piso_test_wait_until (client_mouse, NULL, 30, "client mouse mode");

  /* In client mouse mode the console shows the guest's pointer as the
   * host's own, so it moves with no lag */
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 640, 480);
  display = piso_spice_display_new (guest.session);
  piso_spice_display_set_resize_guest (PISO_SPICE_DISPLAY (display), FALSE);
  gtk_window_set_child (window, display);
  gtk_window_present (window);

  arrow = set_guest_cursor ("left_ptr", NULL, &width, &height, &hot_x, &hot_y);
  /* X's arrow has its hotspot at the tip, top left */
  g_assert_cmpint (hot_x, <, width / 2);
  g_assert_cmpint (hot_y, <, height / 2);
  cursor = gtk_widget_get_cursor (display);
  g_assert_nonnull (cursor);
  g_assert_nonnull (gdk_cursor_get_texture (cursor));
  g_assert_cmpint (gdk_texture_get_width (gdk_cursor_get_texture (cursor)), ==, width);
  g_assert_cmpint (gdk_texture_get_height (gdk_cursor_get_texture (cursor)), ==, height);
  g_assert_cmpint (gdk_cursor_get_hotspot_x (cursor), ==, hot_x);
  g_assert_cmpint (gdk_cursor_get_hotspot_y (cursor), ==, hot_y);

  /* Another shape replaces it */
  watch = set_guest_cursor ("watch", arrow, &width, &height, &hot_x, &hot_y);
  g_assert_false (g_bytes_equal (arrow, watch));
  cursor = gtk_widget_get_cursor (display);
  g_assert_nonnull (cursor);
  g_assert_nonnull (gdk_cursor_get_texture (cursor));
  g_assert_cmpint (gdk_cursor_get_hotspot_x (cursor), ==, hot_x);
  g_assert_cmpint (gdk_cursor_get_hotspot_y (cursor), ==, hot_y);

  gtk_window_destroy (window);
  piso_test_spin (100);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *disk = NULL;
  g_autoptr(GError) sound_error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));
  have_display = gtk_init_check ();

  if (agent_guest_dir () != NULL)
    disk = g_build_filename (agent_guest_dir (), "agent.qcow2", NULL);
  if (agent_guest_dir () == NULL)
    skip_reason = g_strdup ("PISO_LIVE_AGENT_GUEST_DIR is not set "
                            "(build-aux/piso-dev.sh test builds the agent guest)");
  else if (!g_file_test (disk, G_FILE_TEST_EXISTS))
    skip_reason = g_strdup_printf ("no agent guest in %s (tests/testbed/make-agent-guest.sh)",
                                   agent_guest_dir ());
  else if (!piso_live_sound_server_start (&sound_error))
    skip_reason = g_strdup_printf ("no sound server for the console (the pulseaudio package): %s",
                                   sound_error->message);
  else
    live = piso_live_daemon_start (&skip_reason);

  g_test_add_func ("/live/agent/connects", test_agent_connects);
  g_test_add_func ("/live/agent/resolution", test_resolution);
  g_test_add_func ("/live/agent/clipboard-host-to-guest", test_clipboard_host_to_guest);
  g_test_add_func ("/live/agent/clipboard-guest-to-host", test_clipboard_guest_to_host);
  g_test_add_func ("/live/agent/usb-chooser", test_usb_chooser);
  g_test_add_func ("/live/agent/cursor-shape", test_cursor_shape);

  ret = g_test_run ();

  cleanup_guest ();
  piso_live_daemon_free (live);
  piso_live_sound_server_stop ();
  g_free (skip_reason);

  return ret;
}
