/* piso-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include <glib/gstdio.h>

void
piso_test_store_result_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

void
piso_test_wait_result (GAsyncResult **result,
                       guint          timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u s waiting for an async result", timeout_s);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

void
piso_test_wait_until (gboolean    (*check) (gpointer user_data),
                      gpointer      user_data,
                      guint         timeout_s,
                      const char   *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!check (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u s waiting for %s", timeout_s, what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

void
piso_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static GPtrArray *fixture_dirs;

static void
remove_fixture_dirs (void)
{
  for (guint i = 0; fixture_dirs != NULL && i < fixture_dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (fixture_dirs, i);
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (dir);
    }
}

char *
piso_test_make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("piso-test-XXXXXX", &error);

  g_assert_no_error (error);
  if (fixture_dirs == NULL)
    {
      fixture_dirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_fixture_dirs);
    }
  g_ptr_array_add (fixture_dirs, g_strdup (dir));

  return dir;
}

char *
piso_test_fixture_uri (const char *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "data", fixture, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;
  gsize len = 0;

  if (!g_file_get_contents (src, &contents, &len, &error))
    g_error ("Fixture %s: %s", src, error->message);

  dir = piso_test_make_temp_dir ();

  dest = g_build_filename (dir, fixture, NULL);
  g_file_set_contents (dest, contents, len, &error);
  g_assert_no_error (error);

  return g_strconcat ("test://", dest, NULL);
}

PisoConnection *
piso_test_open_connection (const char *uri)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PisoConnection *conn = piso_connection_new (uri);

  piso_connection_open_async (conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  g_assert_true (piso_connection_open_finish (conn, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (piso_connection_get_state (conn), ==, PISO_CONNECTION_STATE_CONNECTED);

  return conn;
}

typedef struct
{
  PisoMachine      *machine;
  PisoMachineState  state;
} StateWait;

static gboolean
state_reached (gpointer user_data)
{
  StateWait *w = user_data;

  return piso_machine_get_state (w->machine) == w->state;
}

void
piso_test_wait_state (PisoMachine      *machine,
                      PisoMachineState  state,
                      guint             timeout_s)
{
  StateWait w = { machine, state };
  g_autofree char *what = g_strdup_printf ("%s to reach state %d (now %d)",
                                           piso_machine_get_name (machine), state,
                                           piso_machine_get_state (machine));

  piso_test_wait_until (state_reached, &w, timeout_s, what);
}

gboolean
piso_test_run_op (PisoMachine        *machine,
                  PisoTestAsyncFunc   async_func,
                  PisoTestFinishFunc  finish_func,
                  GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  async_func (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return finish_func (machine, result, error);
}
