/* test-creator.c: PisoCreator on the test driver — disks in the pool, checks
 * that refuse before anything is made, and rollbacks that leave the pool and
 * the machine list exactly as they were; the storage helpers; PisoDownload
 * against an in-process HTTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "piso-backend-private.h"
#include "piso-creator.h"
#include "piso-download.h"
#include "piso-install-plan.h"
#include "piso-storage.h"

#define GiB (G_GUINT64_CONSTANT (1024) * 1024 * 1024)
#define MiB (G_GUINT64_CONSTANT (1024) * 1024)

typedef struct
{
  PisoConnection *conn;
  char           *media;     /* an installer file the plans point at */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uri = NULL;
  g_autofree char *dir = piso_test_make_temp_dir ();

  /* data: a fixture name, or NULL for test:///default (no "default" pool). */
  uri = data != NULL ? piso_test_fixture_uri (data) : g_strdup ("test:///default");
  f->conn = piso_test_open_connection (uri);
  f->media = g_build_filename (dir, "installer.iso", NULL);
  g_assert_true (g_file_set_contents (f->media, "not really an ISO", -1, NULL));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* Progress updates queued by worker threads hold the creator (and it the
   * connection) until the main context dispatches them. */
  piso_test_spin (50);
  piso_connection_close (f->conn);
  g_assert_finalize_object (f->conn);
  g_free (f->media);
}

static PisoInstallPlan *
make_plan (Fixture    *f,
           const char *name,
           guint64     disk_size)
{
  PisoInstallPlan *plan = piso_install_plan_new (f->conn);

  piso_install_plan_set_source_kind (plan, PISO_INSTALL_SOURCE_MEDIA);
  piso_install_plan_set_source_path (plan, f->media);
  piso_install_plan_set_name (plan, name);
  piso_install_plan_set_vcpus (plan, 1);
  piso_install_plan_set_memory (plan, 512 * 1024);
  piso_install_plan_set_disk_size (plan, disk_size);
  piso_install_plan_set_network (plan, PISO_INSTALL_NETWORK_NAT_DEFAULT);
  return plan;
}

static void
count_stage (PisoCreator *creator,
             GParamSpec  *pspec,
             GArray      *stages)
{
  PisoCreatorStage stage = piso_creator_get_stage (creator);

  g_array_append_val (stages, stage);
}

static void
test_new_volume (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "fresh", 512 * MiB);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(PisoCreatorCheck) check = piso_test_creator_check (creator, 10);
  g_autoptr(GArray) stages = g_array_new (FALSE, FALSE, sizeof (PisoCreatorStage));
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION);
  g_autofree char *after = NULL;
  g_autofree char *xml = NULL;

  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NONE);
  g_assert_false (piso_creator_check_is_blocked (check));
  g_assert_cmpuint (piso_creator_check_get_needed_bytes (check), ==, 512 * MiB);
  g_assert_cmpuint (piso_creator_check_get_available_bytes (check), ==, 1 * GiB);
  g_assert_cmpstr (piso_creator_check_get_pool_path (check), ==, "/var/lib/piso-test/images");

  g_signal_connect (creator, "notify::stage", G_CALLBACK (count_stage), stages);
  machine = piso_test_creator_run (creator, NULL, 20, &error);
  g_assert_no_error (error);
  g_assert_nonnull (machine);

  /* Running, in Piso's list, with the new volume as its disk and the media
   * as a CD-ROM. */
  g_assert_cmpstr (piso_machine_get_name (machine), ==, "fresh");
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_true (piso_connection_lookup_machine_by_name (f->conn, "fresh") == machine);
  after = piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION);
  g_assert_cmpstr (after, !=, before);
  g_assert_nonnull (strstr (after, "fresh.qcow2="));
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "/var/lib/piso-test/images/fresh.qcow2"));
  g_assert_nonnull (strstr (xml, f->media));
  /* Media and a new disk: an install run, which Piso follows. */
  {
    PisoTestXml x = { 0 };

    piso_test_xml_parse (&x, xml);
    piso_test_assert_xml_string (&x, "/domain/on_reboot", "destroy");
    piso_test_assert_xml_string (&x, "/domain/metadata/piso:install/@phase", "installing");
    piso_test_xml_clear (&x);
  }
  g_assert_cmpint (piso_machine_get_install_phase (machine), ==,
                   PISO_MACHINE_INSTALL_PHASE_INSTALLING);
  g_assert_true (piso_machine_can (machine, PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA));

  /* The stages arrived in order on the main context and ended at DONE. */
  g_assert_cmpuint (stages->len, >=, 3);
  for (guint i = 1; i < stages->len; i++)
    g_assert_cmpint (g_array_index (stages, PisoCreatorStage, i), >,
                     g_array_index (stages, PisoCreatorStage, i - 1));
  g_assert_cmpint (piso_creator_get_stage (creator), ==, PISO_CREATOR_STAGE_DONE);
  g_assert_nonnull (piso_creator_get_status_text (creator));
}

static void
test_volume_name_not_reused (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "orphan", 256 * MiB);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  virConnectPtr handle = _piso_connection_ref_handle (f->conn);
  virStoragePoolPtr pool = virStoragePoolLookupByName (handle, "default");
  virStorageVolPtr vol;

  /* A volume left over by someone else carries the machine's name. */
  vol = virStorageVolCreateXML (pool, "<volume><name>orphan.qcow2</name>"
                                "<capacity unit='MiB'>64</capacity>"
                                "<allocation unit='MiB'>64</allocation>"
                                "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);

  machine = piso_test_creator_run (creator, NULL, 20, &error);
  g_assert_no_error (error);
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "/var/lib/piso-test/images/orphan-2.qcow2"));
  g_assert_null (strstr (xml, "/orphan.qcow2"));

  /* The old volume is untouched (its allocation is still 64 MiB). */
  vol = virStorageVolLookupByName (pool, "orphan.qcow2");
  g_assert_nonnull (vol);
  {
    virStorageVolInfo info;

    g_assert_cmpint (virStorageVolGetInfo (vol, &info), ==, 0);
    g_assert_cmpuint (info.allocation, ==, 64 * MiB);
  }
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  virConnectClose (handle);
}

/* Runs @creator expecting failure and checks that the pool and the machine
 * list are exactly as before; returns the message. */
static char *
run_expecting_failure (Fixture      *f,
                       PisoCreator  *creator,
                       GCancellable *cancellable)
{
  g_autoptr(GError) error = piso_test_creator_refused (f->conn, creator, cancellable,
                                                       PISO_TEST_POOL_ALLOCATION, 20);

  return g_strdup (error->message);
}

static void
test_name_clash (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "existing", 256 * MiB);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(PisoCreatorCheck) check = piso_test_creator_check (creator, 10);
  g_autofree char *message = NULL;

  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NAME_TAKEN);
  g_assert_true (piso_creator_check_is_blocked (check));
  g_assert_nonnull (strstr (piso_creator_check_get_message (check, PISO_CREATOR_PROBLEM_NAME_TAKEN),
                            "“existing”"));

  message = run_expecting_failure (f, creator, NULL);
  g_assert_nonnull (strstr (message, "“existing” already exists"));
}

static void
test_not_enough_space (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "big", 4 * GiB);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(PisoCreatorCheck) check = piso_test_creator_check (creator, 10);
  g_autofree char *message = NULL;
  const char *text;

  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NO_SPACE);
  g_assert_true (piso_creator_check_is_blocked (check));
  g_assert_cmpuint (piso_creator_check_get_needed_bytes (check), ==, 4 * GiB);
  g_assert_cmpuint (piso_creator_check_get_available_bytes (check), ==, 1 * GiB);
  text = piso_creator_check_get_message (check, PISO_CREATOR_PROBLEM_NO_SPACE);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "4 GiB"));
  g_assert_nonnull (strstr (text, "1 GiB"));

  message = run_expecting_failure (f, creator, NULL);
  g_assert_cmpstr (message, ==, text);
}

static void
test_libvirt_refuses_xml (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "refused", 256 * MiB);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(GArray) stages = g_array_new (FALSE, FALSE, sizeof (PisoCreatorStage));
  g_autofree char *message = NULL;

  /* An architecture libvirt does not know: the definition fails after the
   * disk was made. */
  g_object_set (plan, "arch", "no-such-arch", NULL);
  g_signal_connect (creator, "notify::stage", G_CALLBACK (count_stage), stages);
  message = run_expecting_failure (f, creator, NULL);
  g_assert_nonnull (message);

  /* It got as far as defining: the disk had been created, then removed. */
  {
    gboolean created = FALSE, defining = FALSE;

    for (guint i = 0; i < stages->len; i++)
      {
        created |= g_array_index (stages, PisoCreatorStage, i) == PISO_CREATOR_STAGE_CREATING_DISK;
        defining |= g_array_index (stages, PisoCreatorStage, i) == PISO_CREATOR_STAGE_DEFINING;
      }
    g_assert_true (created);
    g_assert_true (defining);
  }
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "cancelled", 256 * MiB);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *message = NULL;

  g_cancellable_cancel (cancellable);
  message = run_expecting_failure (f, creator, cancellable);
  g_assert_nonnull (message);
}

static void
test_no_pool (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "pooled", 256 * MiB);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(PisoCreatorCheck) check = piso_test_creator_check (creator, 10);
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *after = NULL;

  /* test:///default has a network "default" but no pool of that name. */
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NO_POOL);
  g_assert_false (piso_creator_check_is_blocked (check));
  g_assert_cmpstr (piso_creator_check_get_pool_path (check), ==, "/var/lib/libvirt/images");
  g_assert_null (piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION));

  /* Without consent nothing is made. */
  message = run_expecting_failure (f, creator, NULL);
  g_assert_cmpstr (message, ==, piso_creator_check_get_message (check, PISO_CREATOR_PROBLEM_NO_POOL));
  g_assert_null (piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION));

  /* With consent but a definition libvirt refuses: the pool goes again. */
  piso_creator_set_consent (creator, PISO_CREATOR_PROBLEM_NO_POOL);
  g_object_set (plan, "arch", "no-such-arch", NULL);
  g_clear_pointer (&message, g_free);
  message = run_expecting_failure (f, creator, NULL);
  g_assert_null (piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION));

  /* With consent: the standard pool, started, holding the disk. */
  g_object_set (plan, "arch", "x86_64", NULL);
  machine = piso_test_creator_run (creator, NULL, 20, &error);
  g_assert_no_error (error);
  after = piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION);
  g_assert_cmpstr (after, ==, "pooled.qcow2=0 active=1");
}

static void
test_network_inactive (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PisoInstallPlan) plan = make_plan (f, "networked", 0);
  g_autoptr(PisoCreator) creator = piso_creator_new (f->conn, plan);
  g_autoptr(PisoCreatorCheck) check = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  virConnectPtr handle = _piso_connection_ref_handle (f->conn);
  virNetworkPtr net = virNetworkLookupByName (handle, "default");

  g_assert_cmpint (virNetworkDestroy (net), ==, 0);
  check = piso_test_creator_check (creator, 10);
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NETWORK_INACTIVE);
  g_assert_false (piso_creator_check_is_blocked (check));

  /* Not started without consent. */
  message = run_expecting_failure (f, creator, NULL);
  g_assert_cmpstr (message, ==, piso_creator_check_get_message (check, PISO_CREATOR_PROBLEM_NETWORK_INACTIVE));
  g_assert_cmpint (virNetworkIsActive (net), ==, 0);

  piso_creator_set_consent (creator, PISO_CREATOR_PROBLEM_NETWORK_INACTIVE);
  machine = piso_test_creator_run (creator, NULL, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpint (virNetworkIsActive (net), ==, 1);

  /* A machine wanting "default" where there is none is refused outright. */
  g_assert_cmpint (virNetworkDestroy (net), ==, 0);
  g_assert_cmpint (virNetworkUndefine (net), ==, 0);
  piso_install_plan_set_name (plan, "networked-2");
  g_clear_object (&check);
  check = piso_test_creator_check (creator, 10);
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NETWORK_MISSING);
  g_assert_true (piso_creator_check_is_blocked (check));
  g_clear_pointer (&message, g_free);
  message = run_expecting_failure (f, creator, NULL);
  g_assert_nonnull (strstr (message, "user-mode"));

  virNetworkFree (net);
  virConnectClose (handle);
}

/* ---- storage helpers without libvirt ------------------------------------- */

static void
test_qemu_user (void)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *conf = g_build_filename (dir, "qemu.conf", NULL);
  g_autofree char *set = NULL;
  g_autofree char *commented = NULL;

  g_assert_true (g_file_set_contents (conf, "# user = \"root\"\n#user = \"qemu\"\n"
                                      "  user  =  \"nobody\"\ngroup = \"kvm\"\n", -1, NULL));
  set = piso_storage_qemu_user (conf);
  g_assert_cmpstr (set, ==, "nobody");

  /* Only comments: libvirt's built-in default (Debian's account here). */
  g_assert_true (g_file_set_contents (conf, "#user = \"qemu\"\n", -1, NULL));
  commented = piso_storage_qemu_user (conf);
  g_assert_true (g_str_equal (commented, "libvirt-qemu") || g_str_equal (commented, "qemu"));
}

static void
test_user_can_read (void)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *open_dir = g_build_filename (dir, "open", NULL);
  g_autofree char *closed_dir = g_build_filename (dir, "closed", NULL);
  g_autofree char *open_file = g_build_filename (open_dir, "a.iso", NULL);
  g_autofree char *private_file = g_build_filename (open_dir, "b.iso", NULL);
  g_autofree char *hidden_file = g_build_filename (closed_dir, "c.iso", NULL);
  g_autofree char *blocker = NULL;

  if (getuid () != 0)
    {
      g_test_skip ("needs root to make files another user cannot read");
      return;
    }
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (open_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (closed_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (open_file, "iso", -1, NULL));
  g_assert_true (g_file_set_contents (private_file, "iso", -1, NULL));
  g_assert_true (g_file_set_contents (hidden_file, "iso", -1, NULL));
  g_assert_cmpint (g_chmod (open_file, 0644), ==, 0);
  g_assert_cmpint (g_chmod (private_file, 0600), ==, 0);
  g_assert_cmpint (g_chmod (hidden_file, 0644), ==, 0);

  g_assert_true (piso_storage_user_can_read ("nobody", open_file, &blocker));
  g_assert_null (blocker);
  g_assert_false (piso_storage_user_can_read ("nobody", private_file, &blocker));
  g_assert_cmpstr (blocker, ==, private_file);
  g_clear_pointer (&blocker, g_free);
  /* The classic case: a readable file in a folder closed to QEMU. */
  g_assert_false (piso_storage_user_can_read ("nobody", hidden_file, &blocker));
  g_assert_cmpstr (blocker, ==, closed_dir);
  g_clear_pointer (&blocker, g_free);
  /* Root (uid 0 as "+0") reads everything. */
  g_assert_true (piso_storage_user_can_read ("+0", hidden_file, &blocker));
}

static void
test_detect_format (void)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  struct { const char *name; const char *bytes; gsize len; const char *format; } cases[] = {
    { "a.qcow2", "QFI\xfb\0\0\0\3", 8, "qcow2" },
    { "a.vmdk", "KDMV\1\0\0\0", 8, "vmdk" },
    { "a.img", "\0\0\0\0\0\0\0\0", 8, "raw" },
  };
  char vdi[80] = "<<< Oracle VM VirtualBox Disk Image >>>\n";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, cases[i].name, NULL);
      g_autofree char *format = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].bytes, cases[i].len, NULL));
      format = piso_storage_detect_format (path, NULL);
      g_assert_cmpstr (format, ==, cases[i].format);
    }
  {
    g_autofree char *path = g_build_filename (dir, "a.vdi", NULL);
    g_autofree char *format = NULL;

    vdi[64] = 0x7f; vdi[65] = 0x10; vdi[66] = (char) 0xda; vdi[67] = (char) 0xbe;
    g_assert_true (g_file_set_contents (path, vdi, sizeof vdi, NULL));
    format = piso_storage_detect_format (path, NULL);
    g_assert_cmpstr (format, ==, "vdi");
  }
}

/* ---- downloads from an in-process HTTP server ---------------------------- */

typedef struct
{
  SoupServer *server;
  GBytes     *data;
  GPtrArray  *ranges;     /* the Range header of each request ("" when none) */
  char       *url;
  char       *dir;
} Http;

static void
http_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Http *http = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *range = soup_message_headers_get_one (request, "Range");
  gsize size = g_bytes_get_size (http->data);
  gsize start = 0;

  g_ptr_array_add (http->ranges, g_strdup (range != NULL ? range : ""));
  if (!g_str_equal (path, "/image.iso"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (range != NULL && g_str_has_prefix (range, "bytes="))
    {
      start = g_ascii_strtoull (range + strlen ("bytes="), NULL, 10);
      soup_message_headers_set_content_range (response, start, size - 1, size);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                    (const char *) g_bytes_get_data (http->data, NULL) + start,
                                    size - start);
}

static Http *
http_start (void)
{
  Http *http = g_new0 (Http, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  GSList *uris;

  /* 1 MiB that no two offsets confuse. */
  for (guint32 i = 0; i < 256 * 1024; i++)
    g_byte_array_append (data, (const guint8 *) &i, sizeof i);
  http->data = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  http->ranges = g_ptr_array_new_with_free_func (g_free);
  http->dir = piso_test_make_temp_dir ();
  http->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (http->server, NULL, http_handler, http, NULL);
  g_assert_true (soup_server_listen_local (http->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (http->server);
  http->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return http;
}

static void
http_stop (Http *http)
{
  soup_server_disconnect (http->server);
  g_object_unref (http->server);
  g_bytes_unref (http->data);
  g_ptr_array_unref (http->ranges);
  g_free (http->url);
  g_free (http->dir);
  g_free (http);
}

static gboolean
run_download (PisoDownload  *download,
              GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_download_run_async (download, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 20);
  return piso_download_run_finish (download, result, error);
}

static void
note_progress (PisoDownload *download,
               GParamSpec   *pspec,
               GArray       *values)
{
  double progress = piso_download_get_progress (download);

  /* Notifications come on the main context, never a worker thread. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_array_append_val (values, progress);
}

static void
test_download_resume (void)
{
  Http *http = http_start ();
  g_autofree char *url = g_strconcat (http->url, "/image.iso", NULL);
  g_autofree char *dest = g_build_filename (http->dir, "image.iso", NULL);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, http->data);
  g_autoptr(PisoDownload) download = piso_download_new (url, dest, sha);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  gsize len;

  /* An earlier attempt left the first 300 KiB. */
  g_assert_true (g_file_set_contents (piso_download_get_part_path (download),
                                      g_bytes_get_data (http->data, NULL), 300 * 1024, NULL));
  g_signal_connect (download, "notify::progress", G_CALLBACK (note_progress), values);
  g_assert_true (run_download (download, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (http->ranges->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (http->ranges, 0), ==, "bytes=307200-");
  g_assert_true (g_file_get_contents (dest, &got, &len, NULL));
  g_assert_cmpmem (got, len, g_bytes_get_data (http->data, NULL), g_bytes_get_size (http->data));
  g_assert_false (g_file_test (piso_download_get_part_path (download), G_FILE_TEST_EXISTS));
  g_assert_cmpuint (values->len, >=, 1);
  g_assert_cmpfloat (g_array_index (values, double, values->len - 1), ==, 1.0);
  g_assert_cmpuint (piso_download_get_received (download), ==, g_bytes_get_size (http->data));
  http_stop (http);
}

static void
test_download_checksum (void)
{
  Http *http = http_start ();
  g_autofree char *url = g_strconcat (http->url, "/image.iso", NULL);
  g_autofree char *dest = g_build_filename (http->dir, "image.iso", NULL);
  g_autofree char *wrong = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "other", -1);
  g_autoptr(PisoDownload) download = piso_download_new (url, dest, wrong);
  g_autoptr(GError) error = NULL;

  g_assert_false (run_download (download, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, wrong));
  /* A wrong file is not kept, neither whole nor as a part to resume. */
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (piso_download_get_part_path (download), G_FILE_TEST_EXISTS));
  http_stop (http);
}

static void
test_download_not_found (void)
{
  Http *http = http_start ();
  g_autofree char *url = g_strconcat (http->url, "/missing.iso", NULL);
  g_autofree char *dest = g_build_filename (http->dir, "missing.iso", NULL);
  g_autoptr(PisoDownload) download = piso_download_new (url, dest, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (run_download (download, &error));
  g_assert_nonnull (strstr (error->message, "404"));
  /* "Not found" is not retried. */
  g_assert_cmpuint (http->ranges->len, ==, 1);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  http_stop (http);
}

/* The image's own size and backing file, not its file's: QEMU 8 and later
 * describe the qcow2's file too ("children"), QEMU 10 before the image */
static void
test_image_info (void)
{
  g_autofree char *dir = piso_test_make_temp_dir ();
  g_autofree char *base = g_build_filename (dir, "base.qcow2", NULL);
  g_autofree char *overlay = g_build_filename (dir, "overlay.qcow2", NULL);
  const char *make_base[] = { "qemu-img", "create", "-q", "-f", "qcow2", base, "64M", NULL };
  const char *make_overlay[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                                 "-b", base, overlay, NULL };
  g_autofree char *qemu_img = g_find_program_in_path ("qemu-img");
  g_autoptr(GError) error = NULL;
  guint64 size = 0;
  gboolean backing = TRUE;
  int status = 0;

  if (qemu_img == NULL)
    {
      g_test_skip ("no qemu-img (the qemu-utils package)");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) make_base, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) make_overlay, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_assert_true (piso_storage_image_info (base, "qcow2", &size, &backing, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 64 * 1024 * 1024);
  g_assert_false (backing);

  g_assert_true (piso_storage_image_info (overlay, "qcow2", &size, &backing, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 64 * 1024 * 1024);
  g_assert_true (backing);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

#define ADD(path, fixture, func) \
  g_test_add (path, Fixture, fixture, fixture_setup, func, fixture_teardown)
  ADD ("/creator/new-volume", "creator.xml", test_new_volume);
  ADD ("/creator/volume-name-not-reused", "creator.xml", test_volume_name_not_reused);
  ADD ("/creator/name-clash", "creator.xml", test_name_clash);
  ADD ("/creator/not-enough-space", "creator.xml", test_not_enough_space);
  ADD ("/creator/libvirt-refuses-xml", "creator.xml", test_libvirt_refuses_xml);
  ADD ("/creator/cancel", "creator.xml", test_cancel);
  ADD ("/creator/no-pool", NULL, test_no_pool);
  ADD ("/creator/network-inactive", "creator.xml", test_network_inactive);
#undef ADD
  g_test_add_func ("/creator/storage/qemu-user", test_qemu_user);
  g_test_add_func ("/creator/storage/user-can-read", test_user_can_read);
  g_test_add_func ("/creator/storage/detect-format", test_detect_format);
  g_test_add_func ("/creator/storage/image-info", test_image_info);
  g_test_add_func ("/creator/download/resume", test_download_resume);
  g_test_add_func ("/creator/download/checksum", test_download_checksum);
  g_test_add_func ("/creator/download/not-found", test_download_not_found);

  return g_test_run ();
}
