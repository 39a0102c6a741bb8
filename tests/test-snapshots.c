/* test-snapshots.c: snapshots on the test driver, and the kind chosen per libvirt
 *
 * The kind rules differ by libvirt version (Debian 12 has 9.0, Debian 13
 * 11.3): the policy is checked for both with made-up facts, and on the test
 * driver through the seam that fakes the host's version and capabilities.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include "piso-backend-private.h"
#include "piso-snapshot-private.h"
#include "piso-snapshots.h"

typedef PisoTestFixture Fixture;

static const PisoSnapshotHost debian12 = { PISO_LIBVIRT_VERSION (9, 0, 0), FALSE };
static const PisoSnapshotHost debian13 = { PISO_LIBVIRT_VERSION (11, 3, 0), TRUE };

/* ---- helpers ---- */

static PisoSnapshots *
listed (Fixture    *f,
        const char *name)
{
  PisoSnapshots *snapshots = piso_snapshots_get_for_machine (piso_test_find_machine (f->conn, name));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_snapshots_refresh_async (snapshots, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_snapshots_refresh_finish (snapshots, result, &error));
  g_assert_no_error (error);
  g_assert_true (piso_snapshots_get_loaded (snapshots));
  return snapshots;
}

static PisoSnapshot *
take (PisoSnapshots  *snapshots,
      const char     *name,
      const char     *description,
      GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_snapshots_take_async (snapshots, name, description, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_snapshots_take_finish (snapshots, result, error);
}

static gboolean
revert (PisoSnapshots  *snapshots,
        PisoSnapshot   *snapshot,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_snapshots_revert_async (snapshots, snapshot, PISO_SNAPSHOT_REVERT_NONE, NULL,
                               piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_snapshots_revert_finish (snapshots, result, error);
}

static gboolean
delete_names (PisoSnapshots       *snapshots,
              const char * const  *names,
              GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_snapshots_delete_async (snapshots, names, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_snapshots_delete_finish (snapshots, result, error);
}

static gboolean
has_screenshot (gpointer snapshot)
{
  return piso_snapshot_get_has_screenshot (snapshot);
}

/* The picture comes a moment after the snapshot. */
static void
wait_screenshot (PisoSnapshot *snapshot)
{
  piso_test_wait_until (has_screenshot, snapshot, 10, "the snapshot's picture");
}

static char *
names_of (PisoSnapshots *snapshots)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (snapshots)); i++)
    {
      g_autoptr(PisoSnapshot) snapshot = g_list_model_get_item (G_LIST_MODEL (snapshots), i);

      g_string_append_printf (names, "%s%s%s", i > 0 ? " " : "", piso_snapshot_get_name (snapshot),
                              piso_snapshot_get_current (snapshot) ? "*" : "");
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static PisoMachine *
define (Fixture    *f,
        const char *xml)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PisoMachine *machine;

  piso_connection_define_xml_async (f->conn, xml, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  machine = piso_connection_define_xml_finish (f->conn, result, &error);
  g_assert_no_error (error);
  g_object_unref (machine);   /* the connection keeps it */
  return machine;
}

/* ---- the list and its operations ---- */

static void
test_take_running (Fixture       *f,
                   gconstpointer  data)
{
  PisoSnapshots *snapshots = listed (f, "alpha");
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) picture = NULL;
  g_autofree char *mime_type = NULL;
  g_autofree char *names = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (snapshots)), ==, 0);
  g_assert_cmpint (piso_snapshots_get_kind (snapshots), ==, PISO_SNAPSHOT_KIND_INTERNAL);
  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_NONE);
  g_assert_null (piso_snapshots_get_limit_message (snapshots));
  g_assert_true (piso_snapshots_get_with_memory (snapshots));

  snapshot = take (snapshots, NULL, "Before the upgrade", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_snapshot_get_name (snapshot), ==, "snapshot1");
  g_assert_cmpstr (piso_snapshot_get_description (snapshot), ==, "Before the upgrade");
  g_assert_cmpint (piso_snapshot_get_state (snapshot), ==, PISO_SNAPSHOT_STATE_RUNNING);
  g_assert_true (piso_snapshot_get_has_memory (snapshot));
  g_assert_cmpint (piso_snapshot_get_kind (snapshot), ==, PISO_SNAPSHOT_KIND_INTERNAL);
  g_assert_true (piso_snapshot_get_current (snapshot));
  g_assert_true (piso_snapshots_get_current (snapshots) == snapshot);
  g_assert_null (piso_snapshot_get_parent_name (snapshot));
  g_assert_cmpint (piso_snapshot_get_creation_time (snapshot), >=, before - 1);

  /* The screen then, kept in the cache directory (the test driver's PNG). */
  wait_screenshot (snapshot);
  piso_snapshot_load_screenshot_async (snapshot, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  picture = piso_snapshot_load_screenshot_finish (snapshot, result, &mime_type, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mime_type, ==, "image/png");
  g_assert_cmpuint (g_bytes_get_size (picture), >, 8);
  g_assert_cmpmem (g_bytes_get_data (picture, NULL), 4, "\x89PNG", 4);

  /* The next one builds on it. */
  g_clear_object (&snapshot);
  snapshot = take (snapshots, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_snapshot_get_name (snapshot), ==, "snapshot2");
  g_assert_cmpstr (piso_snapshot_get_parent_name (snapshot), ==, "snapshot1");
  g_assert_null (piso_snapshot_get_description (snapshot));
  names = names_of (snapshots);
  g_assert_cmpstr (names, ==, "snapshot1 snapshot2*");
}

static void
test_take_off (Fixture       *f,
               gconstpointer  data)
{
  PisoSnapshots *snapshots = listed (f, "charlie");
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (piso_snapshots_get_with_memory (snapshots));
  snapshot = take (snapshots, "clean install", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_snapshot_get_state (snapshot), ==, PISO_SNAPSHOT_STATE_OFF);
  g_assert_false (piso_snapshot_get_has_memory (snapshot));
  g_assert_false (piso_snapshot_get_has_screenshot (snapshot));
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  PisoSnapshots *snapshots = listed (f, "charlie");
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autofree char *suggested = NULL;
  g_autoptr(GError) error = NULL;

  snapshot = take (snapshots, "snapshot1", NULL, &error);
  g_assert_no_error (error);
  suggested = piso_snapshots_suggest_name (snapshots);
  g_assert_cmpstr (suggested, ==, "snapshot2");

  g_assert_null (take (snapshots, "snapshot1", NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_null (take (snapshots, "a/b", NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (snapshots)), ==, 1);
}

static void
test_revert_states (Fixture       *f,
                    gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  PisoSnapshots *snapshots = listed (f, "charlie");
  g_autoptr(PisoSnapshot) off = NULL;
  g_autoptr(PisoSnapshot) running = NULL;
  g_autofree char *names = NULL;
  g_autoptr(GError) error = NULL;

  off = take (snapshots, "off", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (PISO_TEST_RUN (charlie, start, &error));
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_RUNNING, 10);
  running = take (snapshots, "running", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_snapshot_get_state (running), ==, PISO_SNAPSHOT_STATE_RUNNING);

  /* Back to the off one: the machine stops. */
  g_assert_true (revert (snapshots, off, &error));
  g_assert_no_error (error);
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_SHUTOFF, 10);
  names = names_of (snapshots);
  g_assert_cmpstr (names, ==, "off* running");

  /* Back to the running one: it runs again. */
  g_assert_true (revert (snapshots, running, &error));
  g_assert_no_error (error);
  piso_test_wait_state (charlie, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_true (piso_snapshot_get_current (running));
  g_assert_false (piso_snapshot_get_current (off));
}

static gboolean
is_current (gpointer snapshot)
{
  return piso_snapshot_get_current (snapshot);
}

static void
test_revert_by_another_program (Fixture       *f,
                                gconstpointer  data)
{
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");
  PisoSnapshots *snapshots = listed (f, "alpha");
  g_autoptr(PisoSnapshot) first = NULL;
  g_autoptr(PisoSnapshot) second = NULL;
  virDomainPtr dom = _piso_machine_ref_handle (alpha);
  virDomainSnapshotPtr snap;
  g_autoptr(GError) error = NULL;

  first = take (snapshots, "first", NULL, &error);
  second = take (snapshots, "second", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (piso_snapshot_get_current (second));

  /* Another program reverts: libvirt's events (FROM_SNAPSHOT details)
   * bring the change to the list. */
  snap = virDomainSnapshotLookupByName (dom, "first", 0);
  g_assert_cmpint (virDomainRevertToSnapshot (snap, 0), ==, 0);
  virDomainSnapshotFree (snap);
  virDomainFree (dom);
  piso_test_wait_until (is_current, first, 10, "the first snapshot to be current");
  g_assert_false (piso_snapshot_get_current (second));
  g_assert_cmpint (piso_machine_get_state (alpha), ==, PISO_MACHINE_STATE_RUNNING);
}

static void
test_revert_drops_managed_save (Fixture       *f,
                                gconstpointer  data)
{
  PisoMachine *delta = piso_test_find_machine (f->conn, "delta");
  PisoSnapshots *snapshots = listed (f, "delta");
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  /* delta has a managed save: a snapshot now leaves that memory out. */
  g_assert_cmpint (piso_machine_get_state (delta), ==, PISO_MACHINE_STATE_SAVED);
  g_assert_nonnull (piso_snapshots_get_note (snapshots));
  snapshot = take (snapshots, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (revert (snapshots, snapshot, &error));
  g_assert_no_error (error);
  piso_test_wait_state (delta, PISO_MACHINE_STATE_SHUTOFF, 10);
  g_assert_false (piso_machine_get_has_managed_save (delta));
}

static gboolean
edit (PisoSnapshots  *snapshots,
      PisoSnapshot   *snapshot,
      const char     *display_name,
      const char     *description,
      GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_snapshots_edit_async (snapshots, snapshot, display_name, description, NULL,
                             piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_snapshots_edit_finish (snapshots, result, error);
}

/* The labels as the machine's definition keeps them, "name=label …". */
static char *
stored_labels (PisoSnapshots *snapshots)
{
  g_autoptr(GError) error = NULL;
  virDomainPtr handle = _piso_machine_ref_handle_or_error (piso_snapshots_get_machine (snapshots),
                                                           &error);
  g_autoptr(GHashTable) labels = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree const char **names = NULL;
  guint n = 0;

  g_assert_no_error (error);
  labels = _piso_snapshot_labels_read (handle, &error);
  virDomainFree (handle);
  g_assert_no_error (error);
  names = (const char **) g_hash_table_get_keys_as_array (labels, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%s=%s", i > 0 ? " " : "", names[i],
                            (const char *) g_hash_table_lookup (labels, names[i]));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_rename (Fixture       *f,
             gconstpointer  data)
{
  PisoSnapshots *snapshots = listed (f, "charlie");
  g_autoptr(PisoSnapshot) base = NULL;
  g_autoptr(PisoSnapshot) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *labels = NULL;
  const char *gone[] = { "next", NULL };

  base = take (snapshots, "base", "first <words> & more", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_snapshot_get_description (base), ==, "first <words> & more");
  g_assert_cmpstr (piso_snapshot_get_display_name (base), ==, "base");
  g_assert_null (piso_snapshot_get_label (base));

  /* A name libvirt would refuse is fine as a label; the description changes too. */
  g_assert_true (edit (snapshots, base, "  Before the <upgrade> & “more”  ", "Fresh install, “updated”",
                       &error));
  g_assert_no_error (error);
  /* The same object, updated; still the current one, still "base" in libvirt. */
  g_assert_true (piso_snapshots_lookup (snapshots, "base") == base);
  g_assert_cmpstr (piso_snapshot_get_name (base), ==, "base");
  g_assert_cmpstr (piso_snapshot_get_display_name (base), ==, "Before the <upgrade> & “more”");
  g_assert_cmpstr (piso_snapshot_get_description (base), ==, "Fresh install, “updated”");
  g_assert_true (piso_snapshot_get_current (base));
  labels = stored_labels (snapshots);
  g_assert_cmpstr (labels, ==, "base=Before the <upgrade> & “more”");

  /* A child names its parent by the label. */
  next = take (snapshots, "next", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_snapshot_get_parent_name (next), ==, "base");
  g_assert_cmpstr (piso_snapshot_get_parent_display_name (next), ==, "Before the <upgrade> & “more”");
  g_assert_true (edit (snapshots, next, "After", NULL, &error));
  g_clear_pointer (&labels, g_free);
  labels = stored_labels (snapshots);
  g_assert_true (g_str_equal (labels, "base=Before the <upgrade> & “more” next=After") ||
                 g_str_equal (labels, "next=After base=Before the <upgrade> & “more”"));

  /* "base" was saved with a definition that had no labels: a revert puts
   * that definition back, and the labels stay today's. */
  g_assert_true (revert (snapshots, base, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (piso_snapshot_get_display_name (base), ==, "Before the <upgrade> & “more”");
  g_assert_cmpstr (piso_snapshot_get_display_name (next), ==, "After");

  /* Deleting a snapshot forgets its label. */
  g_assert_true (delete_names (snapshots, gone, &error));
  g_assert_no_error (error);
  g_clear_pointer (&labels, g_free);
  labels = stored_labels (snapshots);
  g_assert_cmpstr (labels, ==, "base=Before the <upgrade> & “more”");

  /* Its own name (or nothing) again: no label, and no description. */
  g_assert_true (edit (snapshots, base, "base", "", &error));
  g_assert_no_error (error);
  g_assert_null (piso_snapshot_get_label (base));
  g_assert_cmpstr (piso_snapshot_get_display_name (base), ==, "base");
  g_assert_null (piso_snapshot_get_description (base));
  g_clear_pointer (&labels, g_free);
  labels = stored_labels (snapshots);
  g_assert_cmpstr (labels, ==, "");
}

static void
test_delete_several (Fixture       *f,
                     gconstpointer  data)
{
  PisoSnapshots *snapshots = listed (f, "alpha");
  const char *two[] = { "a", "c", NULL };
  const char *missing[] = { "b", "nope", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *picture = NULL;

  for (guint i = 0; i < 3; i++)
    {
      const char *name[] = { "a", "b", "c" };
      g_autoptr(PisoSnapshot) snapshot = take (snapshots, name[i], NULL, &error);

      g_assert_no_error (error);
      wait_screenshot (snapshot);
    }

  /* An unknown name refuses the whole request. */
  g_assert_false (delete_names (snapshots, missing, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
  g_clear_error (&error);
  names = names_of (snapshots);
  g_assert_cmpstr (names, ==, "a b c*");
  g_clear_pointer (&names, g_free);

  g_assert_true (delete_names (snapshots, two, &error));
  g_assert_no_error (error);
  names = names_of (snapshots);
  /* libvirt makes the parent of a deleted current snapshot current. */
  g_assert_cmpstr (names, ==, "b*");
  picture = _piso_snapshot_screenshot_find (piso_machine_get_uuid (piso_test_find_machine (f->conn, "alpha")),
                                            "a", NULL);
  g_assert_null (picture);
}

/* A machine of its own, with a UUID no other test had: a picture that an
 * earlier test's snapshot of "alpha" is still writing (the same UUID in
 * every fixture) cannot come back into its folder. */
#define PICTURED_MACHINE \
  "<domain type='test'><name>pictured</name><memory unit='MiB'>256</memory>" \
  "<os><type arch='x86_64'>hvm</type></os><devices>" \
  "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>" \
  "<source file='/var/lib/piso-test/images/pictured.qcow2'/><target dev='vda' bus='virtio'/></disk>" \
  "</devices></domain>"

static void
test_machine_delete_forgets_pictures (Fixture       *f,
                                      gconstpointer  data)
{
  PisoMachine *machine = define (f, PICTURED_MACHINE);
  PisoSnapshots *snapshots;
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autofree char *dir = _piso_snapshot_screenshot_dir (piso_machine_get_uuid (machine));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (PISO_TEST_RUN (machine, start, &error));
  g_assert_no_error (error);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
  snapshots = listed (f, "pictured");
  snapshot = take (snapshots, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  wait_screenshot (snapshot);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  piso_machine_delete_async (machine, NULL, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

/* ---- the kind per libvirt, on the test driver through the seam ---- */

#define UEFI_MACHINE \
  "<domain type='test'><name>%s</name><memory unit='MiB'>256</memory>" \
  "<os><type arch='x86_64'>hvm</type>" \
  "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>" \
  "<nvram>/var/lib/libvirt/qemu/nvram/%s_VARS.fd</nvram></os><devices>" \
  "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>" \
  "<source file='/var/lib/piso-test/images/%s.qcow2'/><target dev='vda' bus='virtio'/></disk>" \
  "</devices></domain>"

static void
test_uefi_on_debian12 (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *xml = g_strdup_printf (UEFI_MACHINE, "uefi", "uefi", "uefi");
  PisoMachine *machine = define (f, xml);
  PisoSnapshots *snapshots;
  g_autoptr(PisoSnapshot) snapshot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  _piso_snapshot_host_set (f->conn, &debian12);
  g_assert_true (PISO_TEST_RUN (machine, start, &error));
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
  snapshots = listed (f, "uefi");

  /* Running: only "Shut Down and Take Snapshot"; the firmware is left out. */
  g_assert_cmpint (piso_snapshots_get_kind (snapshots), ==, PISO_SNAPSHOT_KIND_INTERNAL);
  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN);
  g_assert_nonnull (strstr (piso_snapshots_get_limit_message (snapshots), "Shut it down"));
  g_assert_nonnull (strstr (piso_snapshots_get_note (snapshots), "UEFI"));
  g_assert_null (take (snapshots, NULL, NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (snapshots)), ==, 0);

  piso_snapshots_shut_down_and_take_async (snapshots, NULL, "after shutdown", 30, NULL,
                                           piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 40);
  snapshot = piso_snapshots_shut_down_and_take_finish (snapshots, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_snapshot_get_state (snapshot), ==, PISO_SNAPSHOT_STATE_OFF);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 10);
  /* Off, it may take more. */
  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_NONE);
}

static void
test_uefi_on_debian13 (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *xml = g_strdup_printf (UEFI_MACHINE, "uefi", "uefi", "uefi");
  PisoMachine *machine = define (f, xml);
  PisoSnapshots *snapshots;
  g_autoptr(GError) error = NULL;

  _piso_snapshot_host_set (f->conn, &debian13);
  g_assert_true (PISO_TEST_RUN (machine, start, &error));
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
  snapshots = listed (f, "uefi");

  /* libvirt 11.3 reverts external snapshots: those work while it runs. */
  g_assert_cmpint (piso_snapshots_get_kind (snapshots), ==, PISO_SNAPSHOT_KIND_EXTERNAL);
  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_NONE);
  g_assert_true (piso_snapshots_get_with_memory (snapshots));
  g_assert_nonnull (strstr (piso_snapshots_get_note (snapshots), "UEFI"));
}

static void
test_external_not_revertible_on_debian12 (Fixture       *f,
                                          gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  virDomainPtr dom = _piso_machine_ref_handle (charlie);
  virDomainSnapshotPtr snap;
  PisoSnapshots *snapshots;
  PisoSnapshot *snapshot;
  g_autofree char *snapshot_xml = NULL;
  char *domain_xml;
  g_autoptr(GError) error = NULL;

  /* Another program made an external snapshot (the test driver takes
   * only its metadata). */
  domain_xml = virDomainGetXMLDesc (dom, 0);
  snapshot_xml = g_strdup_printf ("<domainsnapshot><name>ext</name><state>disk-snapshot</state>"
                                  "<creationTime>1700000000</creationTime><disks>"
                                  "<disk name='vda' snapshot='external'>"
                                  "<source file='/var/lib/piso-test/images/charlie.ext'/></disk>"
                                  "<disk name='sda' snapshot='no'/></disks>%s</domainsnapshot>",
                                  domain_xml);
  free (domain_xml);
  snap = virDomainSnapshotCreateXML (dom, snapshot_xml, VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE);
  if (snap == NULL)
    g_error ("%s", virGetLastErrorMessage ());
  virDomainSnapshotFree (snap);
  virDomainFree (dom);

  _piso_snapshot_host_set (f->conn, &debian12);
  snapshots = listed (f, "charlie");
  snapshot = piso_snapshots_lookup (snapshots, "ext");
  g_assert_nonnull (snapshot);
  g_assert_cmpint (piso_snapshot_get_kind (snapshot), ==, PISO_SNAPSHOT_KIND_EXTERNAL);
  g_assert_false (piso_snapshot_get_can_revert (snapshot));
  /* No internal ones beside it. */
  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_UNSUPPORTED);
  g_assert_nonnull (strstr (piso_snapshots_get_limit_message (snapshots), "9.9"));
  g_assert_false (revert (snapshots, snapshot, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* Its files: the overlay it started and the image it froze. */
  g_assert_true (g_strv_contains (piso_snapshot_get_files (snapshot), "/var/lib/piso-test/images/charlie.ext"));
  g_assert_true (g_strv_contains (piso_snapshot_get_files (snapshot), "/var/lib/piso-test/images/charlie.qcow2"));
}

static void
test_delete_with_snapshot_files (Fixture       *f,
                                 gconstpointer  data)
{
  PisoMachine *charlie = piso_test_find_machine (f->conn, "charlie");
  virConnectPtr conn = _piso_connection_ref_handle (f->conn);
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default");
  virDomainPtr dom = _piso_machine_ref_handle (charlie);
  const char *overlay[] = { "/var/lib/piso-test/images/charlie.ext", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *snapshot_xml = NULL;
  virDomainSnapshotPtr snap;
  virStorageVolPtr vol;
  char *domain_xml;

  vol = virStorageVolCreateXML (pool, "<volume><name>charlie.ext</name><capacity>1048576</capacity>"
                                      "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  domain_xml = virDomainGetXMLDesc (dom, 0);
  snapshot_xml = g_strdup_printf ("<domainsnapshot><name>ext</name><state>disk-snapshot</state>"
                                  "<creationTime>1700000000</creationTime><disks>"
                                  "<disk name='vda' snapshot='external'>"
                                  "<source file='%s'/></disk></disks>%s</domainsnapshot>",
                                  overlay[0], domain_xml);
  free (domain_xml);
  snap = virDomainSnapshotCreateXML (dom, snapshot_xml, VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE);
  g_assert_nonnull (snap);
  virDomainSnapshotFree (snap);
  virDomainFree (dom);

  /* Not listed yet: Delete does not know the file belongs to it. */
  piso_machine_delete_async (charlie, overlay, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_machine_delete_finish (charlie, result, &error));
  g_clear_error (&error);
  g_clear_object (&result);

  listed (f, "charlie");
  piso_machine_delete_async (charlie, overlay, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_delete_finish (charlie, result, &error));
  g_assert_no_error (error);
  vol = virStorageVolLookupByPath (conn, overlay[0]);
  g_assert_null (vol);
  virResetLastError ();
  /* What was not asked for stays. */
  vol = virStorageVolLookupByPath (conn, "/var/lib/piso-test/images/charlie.qcow2");
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  virConnectClose (conn);
}

/* ---- raw disks ---- */

#define RAW_MACHINE \
  "<domain type='test'><name>%s</name><memory unit='MiB'>256</memory>" \
  "<os><type arch='x86_64'>hvm</type></os><devices>" \
  "<disk type='file' device='disk'><driver name='qemu' type='raw'/>" \
  "<source file='/var/lib/piso-test/images/%s.img'/><target dev='vda' bus='virtio'/></disk>" \
  "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>" \
  "</devices></domain>"

static PisoMachine *
raw_machine (Fixture    *f,
             const char *name,
             const char *image)
{
  virConnectPtr conn = _piso_connection_ref_handle (f->conn);
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default");
  g_autofree char *vol_xml = g_strdup_printf ("<volume><name>%s.img</name><capacity unit='GiB'>4</capacity>"
                                              "<allocation unit='MiB'>300</allocation>"
                                              "<target><format type='raw'/></target></volume>", image);
  g_autofree char *xml = g_strdup_printf (RAW_MACHINE, name, image);
  g_autofree char *vol_name = g_strdup_printf ("%s.img", image);
  virStorageVolPtr vol = virStorageVolLookupByName (pool, vol_name);

  /* Two machines may share one image. */
  virResetLastError ();
  if (vol == NULL)
    vol = virStorageVolCreateXML (pool, vol_xml, 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  virConnectClose (conn);
  return define (f, xml);
}

static void
progress_cb (goffset  done,
             goffset  total,
             gpointer user_data)
{
  goffset *last = user_data;

  g_assert_cmpint (done, <=, total);
  *last = done;
}

static gboolean
convert (PisoSnapshots  *snapshots,
         goffset        *last_progress,
         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_snapshots_convert_disks_async (snapshots, last_progress != NULL ? progress_cb : NULL,
                                      last_progress, NULL,
                                      piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_snapshots_convert_disks_finish (snapshots, result, error);
}

static void
test_convert_raw (Fixture       *f,
                  gconstpointer  data)
{
  PisoMachine *machine = raw_machine (f, "rawbox", "rawbox");
  PisoSnapshots *snapshots;
  g_autofree char *xml = NULL;
  g_autofree char *pool = NULL;
  g_autoptr(GError) error = NULL;
  goffset last_progress = -1;

  _piso_snapshot_host_set (f->conn, &debian12);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  snapshots = listed (f, "rawbox");
  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2);
  g_assert_nonnull (strstr (piso_snapshots_get_limit_message (snapshots), "vda"));

  g_assert_true (convert (snapshots, &last_progress, &error));
  g_assert_no_error (error);
  g_assert_cmpint (last_progress, >=, 0);
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "/var/lib/piso-test/images/rawbox.qcow2"));
  g_assert_nonnull (strstr (xml, "type='qcow2'"));
  pool = piso_test_pool_snapshot (f->conn, "default", 0);
  g_assert_nonnull (strstr (pool, "rawbox.qcow2"));
  g_assert_null (strstr (pool, "rawbox.img"));
  /* Now it can have snapshots. */
  g_assert_cmpint (piso_snapshots_get_limit (snapshots), ==, PISO_SNAPSHOT_LIMIT_NONE);
  g_assert_cmpint (piso_snapshots_get_kind (snapshots), ==, PISO_SNAPSHOT_KIND_INTERNAL);
}

static void
test_convert_shared_refused (Fixture       *f,
                             gconstpointer  data)
{
  PisoMachine *machine = raw_machine (f, "one", "both");
  PisoSnapshots *snapshots;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *pool_before = NULL;
  g_autofree char *pool_after = NULL;
  g_autoptr(GError) error = NULL;

  raw_machine (f, "two", "both");
  snapshots = listed (f, "one");
  before = piso_test_machine_xml (machine);
  pool_before = piso_test_pool_snapshot (f->conn, "default", 0);
  g_assert_false (convert (snapshots, NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_DISK_IN_USE);
  after = piso_test_machine_xml (machine);
  pool_after = piso_test_pool_snapshot (f->conn, "default", 0);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpstr (pool_after, ==, pool_before);
}

/* ---- the policy itself, for both platforms ---- */

static PisoSnapshotMachine *
facts (gboolean    uefi,
       gboolean    nvram_qcow2,
       const char *type,
       const char *format,
       gboolean    transient)
{
  PisoSnapshotMachine *machine = g_new0 (PisoSnapshotMachine, 1);
  PisoSnapshotDisk *disk = g_new0 (PisoSnapshotDisk, 1);
  PisoSnapshotDisk *cdrom = g_new0 (PisoSnapshotDisk, 1);

  machine->uefi = uefi;
  machine->nvram_qcow2 = nvram_qcow2;
  machine->disks = g_ptr_array_new_with_free_func (g_free);  /* static strings below */
  disk->target = (char *) "vda";
  disk->device = (char *) "disk";
  disk->type = (char *) type;
  disk->format = (char *) format;
  disk->path = (char *) "/images/m.img";
  disk->transient = transient;
  g_ptr_array_add (machine->disks, disk);
  /* A raw ISO never counts. */
  cdrom->target = (char *) "sda";
  cdrom->device = (char *) "cdrom";
  cdrom->type = (char *) "file";
  cdrom->format = (char *) "raw";
  cdrom->path = (char *) "/isos/x.iso";
  cdrom->read_only = TRUE;
  g_ptr_array_add (machine->disks, cdrom);
  return machine;
}

typedef struct
{
  const char        *what;
  const PisoSnapshotHost *host;
  gboolean           uefi;
  gboolean           nvram_qcow2;
  const char        *type;
  const char        *format;
  gboolean           transient;
  PisoSnapshotKind   existing;
  PisoMachineState   state;
  PisoSnapshotKind   kind;
  PisoSnapshotLimit  limit;
  gboolean           firmware_note;
} PolicyCase;

static void
test_policy (void)
{
  const PisoMachineState RUN = PISO_MACHINE_STATE_RUNNING, OFF = PISO_MACHINE_STATE_SHUTOFF;
  const PisoSnapshotKind NONE = PISO_SNAPSHOT_KIND_NONE, INT = PISO_SNAPSHOT_KIND_INTERNAL,
                         EXT = PISO_SNAPSHOT_KIND_EXTERNAL;
  const PolicyCase cases[] = {
    { "BIOS qcow2 running, 9.0", &debian12, FALSE, FALSE, "file", "qcow2", FALSE, NONE, RUN, INT, PISO_SNAPSHOT_LIMIT_NONE, FALSE },
    { "BIOS qcow2 running, 11.3", &debian13, FALSE, FALSE, "file", "qcow2", FALSE, NONE, RUN, INT, PISO_SNAPSHOT_LIMIT_NONE, FALSE },
    { "BIOS qcow2 volume off, 9.0", &debian12, FALSE, FALSE, "volume", "qcow2", FALSE, NONE, OFF, INT, PISO_SNAPSHOT_LIMIT_NONE, FALSE },
    { "UEFI running, 9.0", &debian12, TRUE, FALSE, "file", "qcow2", FALSE, NONE, RUN, INT, PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN, TRUE },
    { "UEFI off, 9.0", &debian12, TRUE, FALSE, "file", "qcow2", FALSE, NONE, OFF, INT, PISO_SNAPSHOT_LIMIT_NONE, TRUE },
    { "UEFI raw NVRAM running, 11.3", &debian13, TRUE, FALSE, "file", "qcow2", FALSE, NONE, RUN, EXT, PISO_SNAPSHOT_LIMIT_NONE, TRUE },
    { "UEFI qcow2 NVRAM running, 11.3", &debian13, TRUE, TRUE, "file", "qcow2", FALSE, NONE, RUN, INT, PISO_SNAPSHOT_LIMIT_NONE, FALSE },
    { "UEFI volume running, 11.3", &debian13, TRUE, FALSE, "volume", "qcow2", FALSE, NONE, RUN, INT, PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN, TRUE },
    { "UEFI with internal ones, 11.3", &debian13, TRUE, FALSE, "file", "qcow2", FALSE, INT, RUN, INT, PISO_SNAPSHOT_LIMIT_NEEDS_SHUTDOWN, TRUE },
    { "raw file off, 9.0", &debian12, FALSE, FALSE, "file", "raw", FALSE, NONE, OFF, NONE, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2, FALSE },
    { "raw file running, 9.0", &debian12, FALSE, FALSE, "file", "raw", FALSE, NONE, RUN, NONE, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2, FALSE },
    { "raw file running, 11.3", &debian13, FALSE, FALSE, "file", "raw", FALSE, NONE, RUN, EXT, PISO_SNAPSHOT_LIMIT_NONE, FALSE },
    { "raw volume off, 11.3", &debian13, FALSE, FALSE, "volume", "raw", FALSE, NONE, OFF, NONE, PISO_SNAPSHOT_LIMIT_NEEDS_QCOW2, FALSE },
    { "raw block, 11.3", &debian13, FALSE, FALSE, "block", "raw", FALSE, NONE, OFF, NONE, PISO_SNAPSHOT_LIMIT_UNSUPPORTED, FALSE },
    { "network disk", &debian13, FALSE, FALSE, "network", "raw", FALSE, NONE, OFF, NONE, PISO_SNAPSHOT_LIMIT_UNSUPPORTED, FALSE },
    { "transient disk off", &debian12, FALSE, FALSE, "file", "qcow2", TRUE, NONE, OFF, NONE, PISO_SNAPSHOT_LIMIT_UNSUPPORTED, FALSE },
    { "disposable run", &debian13, FALSE, FALSE, "file", "qcow2", TRUE, NONE, RUN, NONE, PISO_SNAPSHOT_LIMIT_UNSUPPORTED, FALSE },
    { "external ones, 9.0", &debian12, FALSE, FALSE, "file", "qcow2", FALSE, EXT, OFF, NONE, PISO_SNAPSHOT_LIMIT_UNSUPPORTED, FALSE },
    { "external ones, 11.3", &debian13, FALSE, FALSE, "file", "qcow2", FALSE, EXT, RUN, EXT, PISO_SNAPSHOT_LIMIT_NONE, FALSE },
    { "shutting down", &debian12, FALSE, FALSE, "file", "qcow2", FALSE, NONE, PISO_MACHINE_STATE_SHUTTING_DOWN, INT, PISO_SNAPSHOT_LIMIT_WRONG_STATE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const PolicyCase *c = &cases[i];
      g_autoptr(PisoSnapshotMachine) machine = facts (c->uefi, c->nvram_qcow2, c->type, c->format,
                                                      c->transient);
      PisoSnapshotPolicy policy = { 0 };

      g_test_message ("%s", c->what);
      _piso_snapshot_policy_decide (c->host, machine, c->existing, c->state, "m", &policy);
      g_assert_cmpint (policy.kind, ==, c->kind);
      g_assert_cmpint (policy.limit, ==, c->limit);
      /* Every refusal says why, in words. */
      g_assert_true ((policy.limit == PISO_SNAPSHOT_LIMIT_NONE) == (policy.message == NULL));
      g_assert_true (c->firmware_note == (policy.note != NULL && strstr (policy.note, "UEFI") != NULL));
      g_assert_true (policy.with_memory == (policy.limit == PISO_SNAPSHOT_LIMIT_NONE && c->state == RUN));
      _piso_snapshot_policy_clear (&policy);
    }
}

static void
test_machine_facts (void)
{
  const char *xml =
    "<domain type='kvm'><name>m</name><os firmware='efi'><type>hvm</type>"
    "<nvram format='qcow2'>/n.qcow2</nvram></os><devices>"
    "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
    "<source pool='default' volume='m.qcow2'/><target dev='vda'/></disk>"
    "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/d.img'/>"
    "<target dev='vdb'/><transient/></disk>"
    "<disk type='file' device='cdrom'><target dev='sda'/><readonly/></disk>"
    "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
    "</devices></domain>";
  g_autoptr(PisoSnapshotMachine) machine = _piso_snapshot_machine_parse (xml, NULL);
  PisoSnapshotDisk *disk;

  g_assert_nonnull (machine);
  g_assert_true (machine->uefi);
  g_assert_true (machine->nvram_qcow2);
  g_assert_true (machine->has_agent);
  g_assert_cmpuint (machine->disks->len, ==, 3);
  disk = g_ptr_array_index (machine->disks, 0);
  g_assert_cmpstr (disk->type, ==, "volume");
  g_assert_cmpstr (disk->pool, ==, "default");
  g_assert_cmpstr (disk->path, ==, "m.qcow2");
  g_assert_true (_piso_snapshot_disk_matters (disk));
  disk = g_ptr_array_index (machine->disks, 1);
  g_assert_true (disk->transient);
  g_assert_cmpstr (disk->format, ==, "raw");
  disk = g_ptr_array_index (machine->disks, 2);
  g_assert_null (disk->path);
  g_assert_false (_piso_snapshot_disk_matters (disk));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = NULL;

  g_test_init (&argc, &argv, NULL);
  /* Pictures go to a cache of the test's own. */
  cache = piso_test_make_temp_dir ();
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  piso_backend_init (NULL);

  g_test_add_func ("/snapshots/policy", test_policy);
  g_test_add_func ("/snapshots/machine-facts", test_machine_facts);
#define ADD(path, func) PISO_TEST_ADD_BASIC (path, func)
  ADD ("/snapshots/take-running", test_take_running);
  ADD ("/snapshots/take-off", test_take_off);
  ADD ("/snapshots/names", test_names);
  ADD ("/snapshots/revert-states", test_revert_states);
  ADD ("/snapshots/revert-by-another-program", test_revert_by_another_program);
  ADD ("/snapshots/revert-drops-managed-save", test_revert_drops_managed_save);
  ADD ("/snapshots/rename", test_rename);
  ADD ("/snapshots/delete-several", test_delete_several);
  ADD ("/snapshots/machine-delete-forgets-pictures", test_machine_delete_forgets_pictures);
  ADD ("/snapshots/uefi-on-debian12", test_uefi_on_debian12);
  ADD ("/snapshots/uefi-on-debian13", test_uefi_on_debian13);
  ADD ("/snapshots/external-not-revertible-on-debian12", test_external_not_revertible_on_debian12);
  ADD ("/snapshots/delete-with-snapshot-files", test_delete_with_snapshot_files);
  ADD ("/snapshots/convert-raw", test_convert_raw);
  ADD ("/snapshots/convert-shared-refused", test_convert_shared_refused);
#undef ADD

  return g_test_run ();
}
