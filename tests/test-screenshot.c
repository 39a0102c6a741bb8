/* test-screenshot.c: piso_machine_screenshot_async on the test driver
 *
 * libvirt's test driver answers virDomainScreenshot with the PNG it ships
 * (PISO_TEST_DRIVER_SCREENSHOT, found at configure time), so a running
 * machine's screenshot must be that file byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "piso-test-utils.h"

typedef PisoTestFixture Fixture;

static GBytes *
screenshot (PisoMachine   *machine,
            GCancellable  *cancellable,
            char         **mime_type,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_machine_screenshot_async (machine, 0, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_machine_screenshot_finish (machine, result, mime_type, error);
}

static void
test_running (Fixture       *f,
              gconstpointer  data)
{
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *expected = NULL;
  gsize expected_len = 0;

  g_assert_cmpint (piso_machine_get_state (alpha), ==, PISO_MACHINE_STATE_RUNNING);

  bytes = screenshot (alpha, NULL, &mime, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpstr (mime, ==, "image/png");

  if (!g_file_get_contents (PISO_TEST_DRIVER_SCREENSHOT, &expected, &expected_len, NULL))
    {
      /* Still a whole PNG: signature and an IHDR with a size. */
      const guint8 *d = g_bytes_get_data (bytes, NULL);

      g_assert_cmpuint (g_bytes_get_size (bytes), >, 33);
      g_assert_cmpmem (d, 8, "\x89PNG\r\n\x1a\n", 8);
      g_assert_cmpmem (d + 12, 4, "IHDR", 4);
      return;
    }
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, expected_len);
}

static void
test_paused (Fixture       *f,
             gconstpointer  data)
{
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  /* A paused guest still has a screen (frozen), and libvirt shows it. */
  g_assert_true (PISO_TEST_RUN (alpha, pause, &error));
  g_assert_no_error (error);
  piso_test_wait_state (alpha, PISO_MACHINE_STATE_PAUSED, 10);

  bytes = screenshot (alpha, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
}

static void
test_not_running (Fixture       *f,
                  gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *mime = NULL;

  g_assert_cmpint (piso_machine_get_state (charlie), ==, PISO_MACHINE_STATE_SHUTOFF);
  bytes = screenshot (charlie, NULL, &mime, &error);
  g_assert_null (bytes);
  g_assert_null (mime);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "is not running"));
  g_clear_error (&error);

  /* A machine forced off stops answering too. */
  g_assert_true (PISO_TEST_RUN (alpha, force_off, &error));
  g_assert_no_error (error);
  piso_test_wait_state (alpha, PISO_MACHINE_STATE_SHUTOFF, 10);
  bytes = screenshot (alpha, NULL, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_cancellable_cancel (cancellable);
  bytes = screenshot (alpha, cancellable, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

#define ADD(path, func) \
  PISO_TEST_ADD_BASIC (path, func)
  ADD ("/screenshot/running", test_running);
  ADD ("/screenshot/paused", test_paused);
  ADD ("/screenshot/not-running", test_not_running);
  ADD ("/screenshot/cancelled", test_cancelled);
#undef ADD

  return g_test_run ();
}
