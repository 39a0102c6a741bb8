/* test-clone.c: full and linked clones on the test driver
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include "piso-backend-private.h"
#include "piso-clone-private.h"
#include "piso-cloner.h"

#define IMAGES "/var/lib/piso-test/images/"
#define BASE_UUID "7e570000-0000-4000-8000-0000000000b1"

typedef struct
{
  PisoConnection *conn;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uri = piso_test_fixture_uri ("clone.xml");

  f->conn = piso_test_open_connection (uri);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  piso_connection_close (f->conn);
  g_clear_object (&f->conn);
}

static PisoCloner *
prepared (Fixture    *f,
          const char *name)
{
  PisoCloner *cloner = piso_cloner_new (piso_test_find_machine (f->conn, name));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_cloner_prepare_async (cloner, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  piso_cloner_prepare_finish (cloner, result, &error);
  g_assert_no_error (error);
  return cloner;
}

static PisoMachine *
run (PisoCloner    *cloner,
     GCancellable  *cancellable,
     GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_cloner_run_async (cloner, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 20);
  return piso_cloner_run_finish (cloner, result, error);
}

static PisoCloneDisk *
disk (PisoCloner *cloner,
      const char *target)
{
  GListModel *disks = piso_cloner_get_disks (cloner);

  for (guint i = 0; i < g_list_model_get_n_items (disks); i++)
    {
      g_autoptr(PisoCloneDisk) d = g_list_model_get_item (disks, i);

      if (g_strcmp0 (piso_clone_disk_get_target (d), target) == 0)
        return d;   /* the model keeps it */
    }
  g_assert_not_reached ();
}

static gboolean
volume_exists (Fixture    *f,
               const char *path)
{
  virConnectPtr handle = _piso_connection_ref_handle (f->conn);
  virStorageVolPtr vol = virStorageVolLookupByPath (handle, path);
  gboolean exists = vol != NULL;

  if (vol != NULL)
    virStorageVolFree (vol);
  virResetLastError ();
  virConnectClose (handle);
  return exists;
}

static char *
volume_xml (Fixture    *f,
            const char *path)
{
  virConnectPtr handle = _piso_connection_ref_handle (f->conn);
  virStorageVolPtr vol = virStorageVolLookupByPath (handle, path);
  char *xml;

  g_assert_nonnull (vol);
  xml = virStorageVolGetXMLDesc (vol, 0);
  virStorageVolFree (vol);
  virConnectClose (handle);
  return xml;
}

static void
test_prepare (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(PisoCloner) cloner = prepared (f, "base");

  g_assert_cmpstr (piso_cloner_get_name (cloner), ==, "base-clone");
  g_assert_cmpuint (g_list_model_get_n_items (piso_cloner_get_disks (cloner)), ==, 4);
  g_assert_cmpint (piso_clone_disk_get_action (disk (cloner, "vda")), ==, PISO_CLONE_DISK_COPY);
  g_assert_cmpint (piso_clone_disk_get_action (disk (cloner, "vdb")), ==, PISO_CLONE_DISK_COPY);
  /* Read-only and empty media are shared. */
  g_assert_cmpint (piso_clone_disk_get_action (disk (cloner, "sda")), ==, PISO_CLONE_DISK_SHARE);
  g_assert_null (piso_clone_disk_get_note (disk (cloner, "sda")));
  g_assert_cmpint (piso_clone_disk_get_action (disk (cloner, "sdb")), ==, PISO_CLONE_DISK_SHARE);
  g_assert_nonnull (piso_clone_disk_get_note (disk (cloner, "sdb")));
  g_assert_cmpuint (piso_clone_disk_get_capacity (disk (cloner, "vda")), ==, 20 * G_GUINT64_CONSTANT (1073741824));
  g_assert_true (piso_cloner_get_has_tpm (cloner));
  g_assert_true (piso_cloner_get_has_nvram (cloner));
  g_assert_cmpuint (piso_cloner_get_bytes_to_copy (cloner), ==, 700 * 1024 * 1024);

  /* Sharing a writable disk comes with a warning; leaving it out costs nothing. */
  piso_clone_disk_set_action (disk (cloner, "vdb"), PISO_CLONE_DISK_SHARE);
  g_assert_nonnull (strstr (piso_clone_disk_get_note (disk (cloner, "vdb")), "same image"));
  g_assert_cmpuint (piso_cloner_get_bytes_to_copy (cloner), ==, 600 * 1024 * 1024);
  piso_cloner_set_linked (cloner, TRUE);
  g_assert_cmpuint (piso_cloner_get_bytes_to_copy (cloner), ==, 0);
}

static void
test_full (Fixture       *f,
           gconstpointer  data)
{
  PisoMachine *base = piso_test_find_machine (f->conn, "base");
  g_autoptr(PisoCloner) cloner = prepared (f, "base");
  g_autoptr(PisoMachine) clone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *smbios = NULL;
  g_autofree char *pool = NULL;
  g_autofree char *nvram_pool = NULL;
  g_autoptr(PisoNetInterface) iface = NULL;

  clone = run (cloner, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (clone);
  g_assert_cmpint (piso_cloner_get_stage (cloner), ==, PISO_CLONER_STAGE_DONE);
  g_assert_cmpstr (piso_machine_get_name (clone), ==, "base-clone");
  g_assert_cmpint (piso_machine_get_state (clone), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_cmpstr (piso_machine_get_uuid (clone), !=, BASE_UUID);
  g_assert_null (piso_machine_get_linked_to (clone));

  xml = piso_test_machine_xml (clone);
  g_test_message ("%s", xml);
  /* SMBIOS says the new UUID. */
  smbios = g_strdup_printf ("<entry name='uuid'>%s</entry>", piso_machine_get_uuid (clone));
  g_assert_nonnull (strstr (xml, smbios));
  g_assert_null (strstr (xml, BASE_UUID));
  /* A new MAC, its own SPICE port, agent socket and serial log. */
  g_assert_null (strstr (xml, "52:54:00:aa:00:01"));
  iface = g_list_model_get_item (piso_machine_get_interfaces (clone), 0);
  g_assert_true (g_str_has_prefix (piso_net_interface_get_mac (iface), "52:54:00:"));
  g_assert_null (strstr (xml, "5901"));
  g_assert_nonnull (strstr (xml, "autoport='yes'"));
  g_assert_null (strstr (xml, "domain-1-base"));
  g_assert_nonnull (strstr (xml, "/var/log/libvirt/qemu/base-clone-serial.log"));
  g_assert_null (strstr (xml, "<title>"));
  /* Its own UEFI variables, copied next to the original's. */
  g_assert_nonnull (strstr (xml, "/var/lib/piso-test/nvram/base-clone_VARS.fd"));
  nvram_pool = piso_test_pool_snapshot (f->conn, "nvram", 0);
  g_assert_cmpstr (nvram_pool, ==, "base-clone_VARS.fd base_VARS.fd active=1");
  /* Copies of both disks; the ISO and the empty drive are shared. */
  g_assert_nonnull (strstr (xml, IMAGES "base-clone.qcow2"));
  g_assert_nonnull (strstr (xml, IMAGES "base-clone-vdb.img"));
  g_assert_nonnull (strstr (xml, IMAGES "installer.iso"));
  g_assert_null (strstr (xml, IMAGES "base.qcow2"));
  pool = piso_test_pool_snapshot (f->conn, "default", 0);
  g_assert_cmpstr (pool, ==, "base-clone-vdb.img base-clone.qcow2 base-data.img base.qcow2 "
                             "busy.qcow2 installer.iso active=1");
  /* The TPM device stays (its secrets are not copied: a new UUID, a new TPM). */
  g_assert_nonnull (strstr (xml, "<tpm"));

  /* The original is untouched and no template. */
  g_assert_false (piso_machine_get_is_template (base));
  g_clear_object (&cloner);
  cloner = prepared (f, "base");
  g_assert_cmpstr (piso_cloner_get_name (cloner), ==, "base-clone2");
}

static void
test_share_and_skip (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PisoCloner) cloner = prepared (f, "base");
  g_autoptr(PisoMachine) clone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *pool_before = piso_test_pool_snapshot (f->conn, "default", 0);
  g_autofree char *pool_after = NULL;

  piso_cloner_set_name (cloner, "thin");
  piso_clone_disk_set_action (disk (cloner, "vda"), PISO_CLONE_DISK_SHARE);
  piso_clone_disk_set_action (disk (cloner, "vdb"), PISO_CLONE_DISK_SKIP);
  clone = run (cloner, NULL, &error);
  g_assert_no_error (error);
  xml = piso_test_machine_xml (clone);
  g_assert_nonnull (strstr (xml, IMAGES "base.qcow2"));
  g_assert_null (strstr (xml, "base-data.img"));
  g_assert_null (strstr (xml, "vdb"));
  pool_after = piso_test_pool_snapshot (f->conn, "default", 0);
  g_assert_cmpstr (pool_after, ==, pool_before);
}

static void
test_linked (Fixture       *f,
             gconstpointer  data)
{
  PisoMachine *base = piso_test_find_machine (f->conn, "base");
  g_autoptr(PisoCloner) cloner = prepared (f, "base");
  g_autoptr(PisoMachine) clone = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *overlay = NULL;
  g_autofree char *data_overlay = NULL;

  piso_cloner_set_linked (cloner, TRUE);
  clone = run (cloner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_machine_get_linked_to (clone), ==, BASE_UUID);

  /* qcow2 overlays whose backing files are the original's disks. */
  xml = piso_test_machine_xml (clone);
  g_assert_nonnull (strstr (xml, IMAGES "base-clone.qcow2"));
  g_assert_nonnull (strstr (xml, IMAGES "base-clone-vdb.qcow2"));
  overlay = volume_xml (f, IMAGES "base-clone.qcow2");
  g_assert_nonnull (strstr (overlay, "<backingStore>"));
  g_assert_nonnull (strstr (overlay, IMAGES "base.qcow2"));
  data_overlay = volume_xml (f, IMAGES "base-clone-vdb.qcow2");
  g_assert_nonnull (strstr (data_overlay, IMAGES "base-data.img"));
  g_assert_nonnull (strstr (data_overlay, "<format type='raw'/>"));

  /* The original is now a template: no start, no delete. */
  piso_test_spin (50);
  g_assert_true (piso_machine_get_is_template (base));
  g_assert_cmpuint (g_list_model_get_n_items (piso_machine_get_linked_clones (base)), ==, 1);
  g_assert_false (piso_machine_can (base, PISO_MACHINE_ACTION_START));
  g_assert_false (piso_machine_can (base, PISO_MACHINE_ACTION_DELETE));
  g_assert_false (PISO_TEST_RUN (base, start, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "base-clone"));
  g_clear_error (&error);
  piso_machine_delete_async (base, NULL, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_machine_delete_finish (base, result, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpint (piso_machine_get_state (base), ==, PISO_MACHINE_STATE_SHUTOFF);

  /* Without its linked clone it is a machine like any other again. */
  piso_machine_delete_async (clone, NULL, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_delete_finish (clone, result, &error));
  g_assert_no_error (error);
  piso_test_spin (300);
  g_assert_false (piso_machine_get_is_template (base));
  g_assert_true (piso_machine_can (base, PISO_MACHINE_ACTION_START));
  g_assert_true (PISO_TEST_RUN (base, start, &error));
  g_assert_no_error (error);
}

static void
cancel_when_defining (PisoCloner   *cloner,
                      GParamSpec   *pspec,
                      GCancellable *cancellable)
{
  if (piso_cloner_get_stage (cloner) == PISO_CLONER_STAGE_DEFINING)
    g_cancellable_cancel (cancellable);
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PisoCloner) cloner = prepared (f, "base");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *pool_before = piso_test_pool_snapshot (f->conn, "default", 0);
  g_autofree char *nvram_before = piso_test_pool_snapshot (f->conn, "nvram", 0);
  g_autofree char *machines_before = piso_test_machines_snapshot (f->conn);
  g_autofree char *pool_after = NULL;
  g_autofree char *nvram_after = NULL;
  g_autofree char *machines_after = NULL;
  g_autoptr(GError) error = NULL;

  /* Cancelled once the copies are made and the definition is on its way:
   * the definition, the copies and the UEFI variables all go. */
  g_signal_connect (cloner, "notify::stage", G_CALLBACK (cancel_when_defining), cancellable);
  g_assert_null (run (cloner, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  piso_test_spin (300);

  pool_after = piso_test_pool_snapshot (f->conn, "default", 0);
  nvram_after = piso_test_pool_snapshot (f->conn, "nvram", 0);
  machines_after = piso_test_machines_snapshot (f->conn);
  g_assert_cmpstr (pool_after, ==, pool_before);
  g_assert_cmpstr (nvram_after, ==, nvram_before);
  g_assert_cmpstr (machines_after, ==, machines_before);
  g_assert_false (volume_exists (f, IMAGES "base-clone.qcow2"));
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PisoCloner) busy = piso_cloner_new (piso_test_find_machine (f->conn, "busy"));
  g_autoptr(PisoCloner) cloner = prepared (f, "base");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pool_before = piso_test_pool_snapshot (f->conn, "default", 0);
  g_autofree char *pool_after = NULL;

  g_assert_true (piso_machine_can (piso_test_find_machine (f->conn, "base"), PISO_MACHINE_ACTION_CLONE));
  g_assert_false (piso_machine_can (piso_test_find_machine (f->conn, "busy"), PISO_MACHINE_ACTION_CLONE));

  /* A running machine is not cloned. */
  piso_cloner_prepare_async (busy, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_cloner_prepare_finish (busy, result, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* Nor given a name that is taken. */
  piso_cloner_set_name (cloner, "busy");
  g_assert_null (run (cloner, NULL, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_NAME);
  pool_after = piso_test_pool_snapshot (f->conn, "default", 0);
  g_assert_cmpstr (pool_after, ==, pool_before);
}

static gboolean
in_list (const char *name,
         gpointer    data)
{
  return g_strv_contains (data, name);
}

static void
test_free_name (void)
{
  const char *taken[] = { "web", "web-clone", "web-clone2", NULL };
  const char *none[] = { NULL };
  g_autofree char *a = _piso_clone_free_name ("web", in_list, (gpointer) none);
  g_autofree char *b = _piso_clone_free_name ("web", in_list, (gpointer) taken);
  g_autofree char *c = _piso_clone_free_name ("web-clone", in_list, (gpointer) taken);
  g_autofree char *d = _piso_clone_free_name ("db-clone-x", in_list, (gpointer) none);

  g_assert_cmpstr (a, ==, "web-clone");
  g_assert_cmpstr (b, ==, "web-clone3");
  g_assert_cmpstr (c, ==, "web-clone3");
  g_assert_cmpstr (d, ==, "db-clone-x-clone");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  g_test_add_func ("/clone/free-name", test_free_name);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/clone/prepare", test_prepare);
  ADD ("/clone/full", test_full);
  ADD ("/clone/share-and-skip", test_share_and_skip);
  ADD ("/clone/linked", test_linked);
  ADD ("/clone/cancelled", test_cancelled);
  ADD ("/clone/refusals", test_refusals);
#undef ADD

  return g_test_run ();
}
