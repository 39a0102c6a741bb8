/* test-usb-chooser.c: the USB redirection chooser without a SPICE server (Xvfb)
 *
 * With no connection (the test driver has no SPICE display) the chooser
 * explains that it needs one, offers no redirection, and follows a session
 * that tries to connect and fails. Listing and the other explanations need a
 * real SPICE server: tests/live/test-live-agent.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>

#include "piso-test-utils.h"
#include "piso-ui-test-utils.h"
#include "piso-usb-chooser.h"

typedef struct
{
  guint status;
  guint has_redirection;
} Notifies;

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Notifies   *n)
{
  if (g_str_equal (pspec->name, "status"))
    n->status++;
  else if (g_str_equal (pspec->name, "has-redirection"))
    n->has_redirection++;
}

static gboolean
session_gave_up (gpointer user_data)
{
  PisoSpiceSession *session = user_data;

  return piso_spice_session_get_state (session) == PISO_SPICE_STATE_DISCONNECTED &&
         piso_spice_session_get_disconnect_reason (session) != PISO_SPICE_DISCONNECT_REASON_NONE;
}

static void
test_disconnected (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoSpiceSession) session = NULL;
  g_autofree char *png = NULL;
  PisoMachine *machine;
  GtkWidget *chooser;
  GtkWidget *stack;
  GtkWindow *window;
  Notifies n = { 0 };

  if (!piso_ui_test_skip_unless_display ())
    return;

  connection = piso_test_open_connection ("test:///default");
  machine = piso_connection_lookup_machine_by_name (connection, "test");
  g_assert_nonnull (machine);
  session = piso_spice_session_new (machine);
  g_assert_false (piso_spice_session_has_usb_redirection (session));

  chooser = piso_usb_chooser_new (session);
  g_assert_true (piso_usb_chooser_get_session (PISO_USB_CHOOSER (chooser)) == session);
  g_assert_cmpint (piso_usb_chooser_get_status (PISO_USB_CHOOSER (chooser)), ==,
                   PISO_USB_CHOOSER_STATUS_DISCONNECTED);
  g_assert_false (piso_usb_chooser_get_has_redirection (PISO_USB_CHOOSER (chooser)));
  g_signal_connect (chooser, "notify", G_CALLBACK (count_notify_cb), &n);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 360, 200);
  gtk_window_set_child (window, chooser);
  gtk_window_present (window);
  piso_ui_test_wait_frames (chooser, 2, 2000);

  /* an explanation, not a device list */
  g_assert_true (piso_ui_test_has_label (chooser, "Not Connected"));
  g_assert_true (piso_ui_test_has_label (
    chooser, "USB devices can be passed to the machine while its display is connected."));
  stack = piso_ui_test_find_descendant (chooser, GTK_TYPE_STACK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "message");
  png = piso_ui_test_save_screenshot (chooser, "usb-chooser-disconnected");
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));

  /* the test driver has no SPICE display: the attempt fails, the chooser stays put */
  piso_spice_session_connect (session);
  piso_test_wait_until (session_gave_up, session, 10, "the session to give up");
  g_assert_cmpint (piso_usb_chooser_get_status (PISO_USB_CHOOSER (chooser)), ==,
                   PISO_USB_CHOOSER_STATUS_DISCONNECTED);
  g_assert_false (piso_usb_chooser_get_has_redirection (PISO_USB_CHOOSER (chooser)));
  g_assert_false (piso_spice_session_has_usb_redirection (session));
  g_assert_cmpuint (n.status, ==, 0);
  g_assert_cmpuint (n.has_redirection, ==, 0);
  g_assert_true (piso_ui_test_has_label (chooser, "Not Connected"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "message");

  g_signal_handlers_disconnect_by_data (chooser, &n);
  gtk_window_destroy (window);
  piso_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  piso_ui_test_init (&argc, &argv);

  g_test_add_func ("/usb-chooser/disconnected", test_disconnected);

  return g_test_run ();
}
