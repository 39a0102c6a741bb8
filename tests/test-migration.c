/* test-migration.c: PisoMigration's pre-flight checks on the test driver
 *
 * Two copies of basic.xml are two hosts that see the same storage pool.
 * The test driver cannot migrate a running machine: that refusal shows that
 * a failed move leaves the machine running where it was. A shut-off machine
 * moves (its definition does), and one whose disk the other host lacks is
 * checked with a pool to copy it into.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <string.h>

#include "piso-backend-private.h"
#include "piso-migration-private.h"
#include "piso-test-utils.h"

#define DISK_THERE "<disk type='file' device='disk'><source file='/var/lib/piso-test/images/alpha.qcow2'/>" \
                   "<target dev='vda' bus='virtio'/></disk>"
#define DISK_NOWHERE "<disk type='file' device='disk'><source file='/var/lib/piso-test/images/nowhere.qcow2'/>" \
                     "<target dev='vda' bus='virtio'/></disk>"

static PisoMachine *
define (PisoConnection *connection,
        const char     *name,
        const char     *devices)
{
  g_autofree char *xml = piso_test_domain_xml (name, devices);

  return piso_test_define (connection, xml);
}

static PisoMachine *
define_running (PisoConnection *connection,
                const char     *name,
                const char     *devices)
{
  PisoMachine *machine = define (connection, name, devices);
  g_autoptr(GError) error = NULL;

  g_assert_true (PISO_TEST_RUN (machine, start, &error));
  g_assert_no_error (error);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
  return machine;
}

/* The pre-flight's refusal of moving @machine to @destination, asserted to
 * be PISO_BACKEND_ERROR @code and to contain @words. */
static PisoMigration *checked (PisoMachine *machine, PisoConnection *destination,
                               const char *pool, GError **error);

static void
assert_refused (PisoMachine    *machine,
                PisoConnection *destination,
                int             code,
                const char     *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoMigration) migration = checked (machine, destination, NULL, &error);

  g_assert_error (error, PISO_BACKEND_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
}

static gboolean
run (PisoMachine     *machine,
     PisoConnection  *destination,
     GError         **error)
{
  g_autoptr(PisoMigration) migration = piso_migration_new (machine, destination);
  g_autoptr(GAsyncResult) result = NULL;

  piso_migration_run_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  return piso_migration_run_finish (migration, result, error);
}

static void
test_same_host (PisoTestFixture *f,
                gconstpointer    data)
{
  g_autoptr(PisoConnection) default_a = piso_test_open_connection ("test:///default");
  g_autoptr(PisoConnection) default_b = piso_test_open_connection ("test:///default");
  PisoMachine *alpha = piso_test_find_machine (f->conn, "alpha");

  assert_refused (alpha, f->conn, PISO_BACKEND_ERROR_UNSUPPORTED, "“Alpha web server” is already on");
  /* two connections to the one daemon (the test driver has no host UUID) */
  assert_refused (piso_test_find_machine (default_a, "test"), default_b,
                  PISO_BACKEND_ERROR_UNSUPPORTED, "are the same host. Choose another host.");
}

static void
test_refusals (PisoTestFixture *f,
               gconstpointer    data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(PisoMachine) hostdev = NULL;
  g_autoptr(PisoMachine) virtiofs = NULL;
  g_autoptr(PisoMachine) nowhere = NULL;
  g_autoptr(PisoMachine) snapshotted = NULL;
  g_autoptr(PisoMachine) saved = NULL;
  g_autofree char *words = NULL;
  virDomainPtr dom;
  virDomainSnapshotPtr snapshot;

  /* the other host has a machine with alpha's UUID (and name) */
  assert_refused (piso_test_find_machine (f->conn, "alpha"), other,
                  PISO_BACKEND_ERROR_UNSUPPORTED, "already has a machine with the identity (UUID)");

  saved = define_running (f->conn, "mover-saved", DISK_THERE);
  dom = _piso_machine_ref_handle (saved);
  g_assert_cmpint (virDomainManagedSave (dom, 0), ==, 0);
  virDomainFree (dom);
  /* (two hosts that are both "Test driver (basic.xml)" are named by URI) */
  words = g_strdup_printf ("“mover-saved” was saved with its memory on %s. Start it",
                           piso_connection_get_uri (f->conn));
  assert_refused (saved, other, PISO_BACKEND_ERROR_INVALID_STATE, words);

  hostdev = define_running (f->conn, "mover-hostdev", DISK_THERE
                            "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
                            "<address domain='0' bus='6' slot='7' function='0'/></source></hostdev>");
  assert_refused (hostdev, other, PISO_BACKEND_ERROR_UNSUPPORTED,
                  "“mover-hostdev” uses a device of this host");
  virtiofs = define_running (f->conn, "mover-virtiofs", DISK_THERE
                             "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/>"
                             "<source dir='/srv/share'/><target dir='share'/></filesystem>");
  assert_refused (virtiofs, other, PISO_BACKEND_ERROR_UNSUPPORTED,
                  "“mover-virtiofs” shares a folder of this host through virtiofs");

  nowhere = define_running (f->conn, "mover-nowhere", DISK_NOWHERE);
  assert_refused (nowhere, other, PISO_BACKEND_ERROR_UNSUPPORTED,
                  "The disk /var/lib/piso-test/images/nowhere.qcow2 of “mover-nowhere” is not on");
  g_assert_true (PISO_TEST_RUN (nowhere, force_off, NULL));
  piso_test_wait_state (nowhere, PISO_MACHINE_STATE_SHUTOFF, 10);
  assert_refused (nowhere, other, PISO_BACKEND_ERROR_UNSUPPORTED,
                  "choose a storage pool there to copy the disks into");

  snapshotted = define (f->conn, "mover-snapshot", DISK_THERE);
  dom = _piso_machine_ref_handle (snapshotted);
  snapshot = virDomainSnapshotCreateXML (dom, "<domainsnapshot><name>one</name></domainsnapshot>", 0);
  g_assert_nonnull (snapshot);
  virDomainSnapshotFree (snapshot);
  virDomainFree (dom);
  assert_refused (snapshotted, other, PISO_BACKEND_ERROR_UNSUPPORTED,
                  "“mover-snapshot” has a snapshot, which libvirt cannot move");
}

/* The test driver cannot migrate: the running machine stays where it was,
 * and the message says so. */
static void
test_failure_stays (PisoTestFixture *f,
                    gconstpointer    data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(PisoMachine) machine = define_running (f->conn, "mover-live", DISK_THERE);
  g_autoptr(GError) error = NULL;
  g_autofree char *ending = g_strdup_printf (". It keeps running on %s.", piso_connection_get_uri (f->conn));

  g_assert_false (run (machine, other, &error));
  g_assert_nonnull (error);
  /* libvirt's reason kept */
  if (strstr (error->message, "Could not move “mover-live” to ") == NULL ||
      strstr (error->message, "not supported") == NULL ||
      !g_str_has_suffix (error->message, ending))
    g_error ("unexpected: %s", error->message);
  piso_test_spin (100);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_RUNNING);
  g_assert_null (piso_connection_lookup_machine_by_name (other, "mover-live"));
}

/* The number of volumes of @connection's pool "default" (through its own
 * handle: a new connection to a file-backed test URI is a fresh driver). */
static int
default_volumes (PisoConnection *connection)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  virStoragePoolPtr pool = virStoragePoolLookupByName (handle, "default");
  int n;

  g_assert_nonnull (pool);
  n = virStoragePoolNumOfVolumes (pool);
  virStoragePoolFree (pool);
  virConnectClose (handle);
  return n;
}

static PisoMigration *
checked (PisoMachine     *machine,
         PisoConnection  *destination,
         const char      *pool,
         GError         **error)
{
  PisoMigration *migration = piso_migration_new (machine, destination);
  g_autoptr(GAsyncResult) result = NULL;

  piso_migration_set_storage_pool (migration, pool);
  piso_migration_check_async (migration, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  piso_migration_check_finish (migration, result, error);
  return migration;
}

/* Moving @machine to @other, whose disk (@words) @other lacks: refused
 * without a pool, the pools offered, and with a pool @other does not have. */
static void
assert_pool_asked (PisoMachine    *machine,
                   PisoConnection *other,
                   const char     *words)
{
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GError) error = NULL;

  migration = checked (machine, other, NULL, &error);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, words));
  g_assert_nonnull (strstr (error->message, "choose a storage pool there to copy"));
  g_assert_true (piso_migration_get_needs_storage (migration));
  g_assert_true (g_strv_contains (piso_migration_get_storage_pools (migration), "default"));
  g_clear_error (&error);
  g_clear_object (&migration);

  migration = checked (machine, other, "missing", &error);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "has no storage pool “missing”"));
}

/* A running machine whose disk the other host lacks: a pool there is
 * asked for (and offered), a missing pool refused, one without room for
 * the copy too (the copy itself and its cleanup are in
 * test-live-migrate). */
static void
test_copy_storage (PisoTestFixture *f,
                   gconstpointer    data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(PisoMachine) machine = define_running (f->conn, "mover-copy", DISK_NOWHERE);
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GError) error = NULL;
  int volumes = default_volumes (other);

  assert_pool_asked (machine, other, "nowhere.qcow2 of “mover-copy” is not on");

  /* the test driver's disks are 1 TiB: the pool is too small for a copy */
  migration = checked (machine, other, "default", &error);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "the storage pool “default” has"));
  g_assert_false (piso_migration_get_needs_storage (migration));
  g_assert_cmpint (default_volumes (other), ==, volumes);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_RUNNING);
}

/* A shut-off machine whose disk (a volume of the source's pool) the other
 * host lacks: refused without a pool, with the pools offered; allowed with
 * one that has room for the disk's file (its 1 MiB, not the 10 GiB it
 * holds for the guest). The copy itself, its cancel and cleanup are in
 * test-live-migrate. */
static void
test_shut_off_copy (PisoTestFixture *f,
                    gconstpointer    data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  virConnectPtr handle = _piso_connection_ref_handle (f->conn);
  virStoragePoolPtr pool = virStoragePoolLookupByName (handle, "default");
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GError) error = NULL;
  virStorageVolPtr vol;
  int volumes = default_volumes (other);

  g_assert_nonnull (pool);
  vol = virStorageVolCreateXML (pool, "<volume><name>onlyhere.qcow2</name>"
                                      "<capacity unit='GiB'>200</capacity>"
                                      "<allocation unit='MiB'>1</allocation>"
                                      "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  virConnectClose (handle);
  machine = define (f->conn, "mover-off-copy",
                    "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
                    "<source pool='default' volume='onlyhere.qcow2'/>"
                    "<target dev='vda' bus='virtio'/></disk>");

  assert_pool_asked (machine, other, "onlyhere.qcow2 of “mover-off-copy” is not on");

  /* 200 GiB virtual would not fit in the 90 GiB free; its 1 MiB file does */
  migration = checked (machine, other, "default", &error);
  g_assert_no_error (error);
  g_assert_false (piso_migration_get_needs_storage (migration));
  g_assert_cmpint (default_volumes (other), ==, volumes);
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_SHUTOFF);
}

/* Cautions that do not stop the move: a console on an address of the
 * source, a cached disk on storage shared over the network. */
static void
test_notices (PisoTestFixture *f,
              gconstpointer    data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(PisoMachine) listening = NULL;
  g_autoptr(PisoMachine) loopback = NULL;
  g_autoptr(PisoMachine) cached = NULL;
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GError) error = NULL;
  virConnectPtr handle = _piso_connection_ref_handle (other);
  virStoragePoolPtr pool;
  virStorageVolPtr vol;

  listening = define_running (f->conn, "mover-vnc", DISK_THERE
                              "<graphics type='vnc' port='-1' listen='192.0.2.7'/>");
  migration = checked (listening, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (piso_migration_get_notice (migration),
                            "The screen of “mover-vnc” listens on 192.0.2.7"));
  g_clear_object (&migration);

  loopback = define_running (f->conn, "mover-local-vnc", DISK_THERE
                             "<graphics type='vnc' port='-1' listen='127.0.0.1'/>");
  migration = checked (loopback, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (piso_migration_get_notice (migration));
  g_clear_object (&migration);

  /* the other host has the disk in an NFS pool */
  pool = virStoragePoolCreateXML (handle, "<pool type='netfs'><name>nfs</name><source>"
                                          "<host name='nas'/><dir path='/export'/></source>"
                                          "<target><path>/srv/nfs</path></target></pool>", 0);
  g_assert_nonnull (pool);
  vol = virStorageVolCreateXML (pool, "<volume><name>shared.qcow2</name><capacity>1048576</capacity>"
                                      "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  virConnectClose (handle);
  cached = define_running (f->conn, "mover-cached",
                           "<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='writeback'/>"
                           "<source file='/srv/nfs/shared.qcow2'/><target dev='vda' bus='virtio'/></disk>");
  migration = checked (cached, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (piso_migration_get_notice (migration), "(cache mode “writeback”)"));
}

static void
test_shut_off_moves (PisoTestFixture *f,
                     gconstpointer    data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(PisoMachine) machine = define (f->conn, "mover-off", DISK_THERE);
  g_autofree char *uuid = g_strdup (piso_machine_get_uuid (machine));
  g_autoptr(GError) error = NULL;
  PisoMachine *moved;

  g_assert_true (run (machine, other, &error));
  g_assert_no_error (error);
  piso_test_wait_listed (other, "mover-off", TRUE, 10);
  piso_test_wait_listed (f->conn, "mover-off", FALSE, 10);
  moved = piso_connection_lookup_machine_by_name (other, "mover-off");
  g_assert_cmpstr (piso_machine_get_uuid (moved), ==, uuid);
  g_assert_true (piso_machine_get_persistent (moved));
  g_assert_cmpint (piso_machine_get_state (moved), ==, PISO_MACHINE_STATE_SHUTOFF);
}

/* A UEFI machine's variables file, which the other host lacks: shut off,
 * a pool is asked for even though its disk is there, and with one the move
 * is allowed; running, it may move, with a caution that the firmware's
 * settings are left behind. A shut-off machine with a TPM is told that its
 * secrets stay. */
static PisoMachine *
define_uefi (PisoConnection *connection,
             const char     *name,
             const char     *devices,
             gboolean        running)
{
  g_autofree char *xml = piso_test_domain_xml (name, devices);
  g_autofree char *nvram = g_strdup_printf ("<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
                                            "<nvram>/var/lib/piso-test/nvram/%s_VARS.fd</nvram></os>", name);
  g_autoptr(GString) uefi = g_string_new (xml);
  PisoMachine *machine;
  g_autoptr(GError) error = NULL;

  g_string_replace (uefi, "</os>", nvram, 1);
  machine = piso_test_define (connection, uefi->str);
  if (running)
    {
      g_assert_true (PISO_TEST_RUN (machine, start, &error));
      g_assert_no_error (error);
      piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
    }
  return machine;
}

static void
test_firmware_files (PisoTestFixture *f,
                     gconstpointer    data)
{
  g_autofree char *other_uri = piso_test_fixture_uri ("basic.xml");
  g_autoptr(PisoConnection) other = piso_test_open_connection (other_uri);
  g_autoptr(PisoMachine) off = define_uefi (f->conn, "mover-uefi", DISK_THERE, FALSE);
  g_autoptr(PisoMachine) running = define_uefi (f->conn, "mover-uefi-on", DISK_THERE, TRUE);
  g_autoptr(PisoMachine) tpm = NULL;
  g_autoptr(PisoMigration) migration = NULL;
  g_autoptr(GError) error = NULL;

  assert_pool_asked (off, other, "The UEFI variables of “mover-uefi” "
                                 "(/var/lib/piso-test/nvram/mover-uefi_VARS.fd) are not on");
  migration = checked (off, other, "default", &error);
  g_assert_no_error (error);
  g_assert_false (piso_migration_get_needs_storage (migration));
  g_assert_null (piso_migration_get_notice (migration));
  g_clear_object (&migration);

  migration = checked (running, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (piso_migration_get_needs_storage (migration));
  g_assert_nonnull (strstr (piso_migration_get_notice (migration),
                            "its firmware settings (boot entries, Secure Boot keys) go back to their defaults"));
  g_clear_object (&migration);

  tpm = define (f->conn, "mover-tpm", DISK_THERE "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>");
  migration = checked (tpm, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (piso_migration_get_notice (migration),
                            "“mover-tpm” has a TPM whose secrets stay on"));
}

/* @xml without the indentation between its elements. */
static char *
compact (char *xml)
{
  g_autoptr(GRegex) between = g_regex_new (">\\s+<", 0, 0, NULL);
  char *compacted = g_regex_replace_literal (between, xml, -1, 0, "><", 0, NULL);

  g_free (xml);
  return compacted;
}

/* The destination's definition names the copy of the UEFI variables, in
 * each form libvirt writes them: the path as text, a <source file>, and a
 * block device (an LVM pool's volume). */
static void
test_firmware_rewrite (void)
{
  const char *forms[][2] = {
    { "<nvram>/var/lib/libvirt/qemu/nvram/a_VARS.fd</nvram>", "<nvram>/srv/pool/a_VARS.fd</nvram>" },
    { "<nvram type='file'><source file='/var/lib/libvirt/qemu/nvram/a_VARS.fd'/></nvram>",
      "<nvram type=\"file\"><source file=\"/srv/pool/a_VARS.fd\"/></nvram>" },
  };
  PisoMigrationCopy copy = { .new_path = (char *) "/srv/pool/a_VARS.fd" };
  g_autoptr(GPtrArray) no_disks = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *xml = g_strdup_printf ("<domain type='kvm'><name>a</name><os><type>hvm</type>%s</os></domain>",
                                              forms[i][0]);
      const char *expected = forms[i][1];
      g_autofree char *rewritten = NULL;
      g_autoptr(GError) error = NULL;

      copy.block = FALSE;
      rewritten = compact (_piso_migration_rewrite_disks (xml, no_disks, &copy, &error));
      g_assert_no_error (error);
      if (strstr (rewritten, expected) == NULL)
        g_error ("%s has no %s", rewritten, expected);
      g_clear_pointer (&rewritten, g_free);

      copy.block = TRUE;
      rewritten = compact (_piso_migration_rewrite_disks (xml, no_disks, &copy, &error));
      g_assert_no_error (error);
      if (strstr (rewritten, "<nvram type=\"block\"><source dev=\"/srv/pool/a_VARS.fd\"/></nvram>") == NULL)
        g_error ("%s is not on a block device", rewritten);
      g_assert_null (strstr (rewritten, "file"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (piso_backend_init (NULL));

  PISO_TEST_ADD_BASIC ("/migration/same-host", test_same_host);
  PISO_TEST_ADD_BASIC ("/migration/refusals", test_refusals);
  PISO_TEST_ADD_BASIC ("/migration/failure-stays", test_failure_stays);
  PISO_TEST_ADD_BASIC ("/migration/shut-off-moves", test_shut_off_moves);
  PISO_TEST_ADD_BASIC ("/migration/copy-storage", test_copy_storage);
  PISO_TEST_ADD_BASIC ("/migration/shut-off-copy", test_shut_off_copy);
  PISO_TEST_ADD_BASIC ("/migration/notices", test_notices);
  PISO_TEST_ADD_BASIC ("/migration/firmware-files", test_firmware_files);
  g_test_add_func ("/migration/firmware-rewrite", test_firmware_rewrite);

  return g_test_run ();
}
