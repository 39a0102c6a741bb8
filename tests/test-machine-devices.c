/* test-machine-devices.c: disks, CDs, network interfaces and boot settings
 *
 * On libvirt's test driver (tests/data/devices.xml). The test driver cannot
 * attach, detach or update devices of a running machine, so there every
 * change goes to the definition and reports that it applies at the next
 * start: that is the fallback real hosts take when QEMU cannot do a change
 * live. The live paths themselves are checked by tests/live/test-live-devices.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include "piso-backend-private.h"

#define IMAGES "/var/lib/piso-test/images/"
#define ISOS "/var/lib/piso-test/iso/"
#define GIB (G_GUINT64_CONSTANT (1024) * 1024 * 1024)

typedef PisoTestFixture Fixture;

/* ---- helpers ---- */

#define find_disk piso_machine_find_disk
#define find_interface piso_machine_find_interface

typedef struct
{
  PisoMachine *machine;
  const char  *target;
  gboolean     present;
} DiskWait;

static gboolean
disk_presence_is (gpointer user_data)
{
  DiskWait *w = user_data;

  return (find_disk (w->machine, w->target) != NULL) == w->present;
}

static void
wait_disk (PisoMachine *machine,
           const char  *target,
           gboolean     present)
{
  DiskWait w = { machine, target, present };

  piso_test_wait_until (disk_presence_is, &w, 10, target);
}

typedef struct
{
  PisoMachine *machine;
  const char  *mac;
  gboolean     present;
} InterfaceWait;

static gboolean
interface_presence_is (gpointer user_data)
{
  InterfaceWait *w = user_data;

  return (find_interface (w->machine, w->mac) != NULL) == w->present;
}

static void
wait_interface (PisoMachine *machine,
                const char  *mac,
                gboolean     present)
{
  InterfaceWait w = { machine, mac, present };

  piso_test_wait_until (interface_presence_is, &w, 10, mac);
}

static void
refresh_details (PisoMachine *machine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_machine_refresh_details_async (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_machine_refresh_details_finish (machine, result, &error));
  g_assert_no_error (error);
}

/* Every change returns a PisoChange from its _finish: these run one. */
typedef enum
{
  OP_ADD_NEW_DISK,
  OP_ADD_EXISTING_DISK,
  OP_ADD_CD_DRIVE,
  OP_REMOVE_DISK,
  OP_REMOVE_DISK_AND_FILE,
  OP_GROW_DISK,
  OP_SET_CD,
  OP_FORCE_CD,
  OP_ADD_NETWORK,
  OP_ADD_BRIDGE,
  OP_REMOVE_INTERFACE,
  OP_SOURCE_BRIDGE,
  OP_LINK_UP,
  OP_LINK_DOWN,
} Op;

typedef struct
{
  const char *target;     /* disk target or MAC */
  const char *path;       /* image; bus for new disks ("virtio", or NULL: from the OS) */
  const char *bus;
  guint64     size;
  char       *out;        /* new target or MAC */
} Args;

static PisoChange *
run (PisoMachine  *machine,
     Op            op,
     Args         *args,
     GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncReadyCallback cb = piso_test_store_result_cb;
  PisoChange *change = NULL;

  switch (op)
    {
    case OP_ADD_NEW_DISK:
      piso_machine_add_new_disk_async (machine, args->path, args->size, args->bus, NULL, cb, &result);
      break;
    case OP_ADD_EXISTING_DISK:
    case OP_ADD_CD_DRIVE:
      piso_machine_add_existing_disk_async (machine, args->path, op == OP_ADD_CD_DRIVE, args->bus,
                                            NULL, cb, &result);
      break;
    case OP_REMOVE_DISK:
    case OP_REMOVE_DISK_AND_FILE:
      piso_machine_remove_disk_async (machine, args->target, op == OP_REMOVE_DISK_AND_FILE, NULL, cb,
                                      &result);
      break;
    case OP_GROW_DISK:
      piso_machine_grow_disk_async (machine, args->target, args->size, NULL, cb, &result);
      break;
    case OP_SET_CD:
    case OP_FORCE_CD:
      piso_machine_set_cd_media_async (machine, args->target, args->path, op == OP_FORCE_CD, NULL, cb,
                                       &result);
      break;
    case OP_ADD_NETWORK:
    case OP_ADD_BRIDGE:
      piso_machine_add_interface_async (machine,
                                        op == OP_ADD_BRIDGE ? PISO_NET_SOURCE_BRIDGE : PISO_NET_SOURCE_NETWORK,
                                        args->path, args->bus, NULL, cb, &result);
      break;
    case OP_REMOVE_INTERFACE:
      piso_machine_remove_interface_async (machine, args->target, NULL, cb, &result);
      break;
    case OP_SOURCE_BRIDGE:
      piso_machine_set_interface_source_async (machine, args->target, PISO_NET_SOURCE_BRIDGE,
                                               args->path, NULL, cb, &result);
      break;
    case OP_LINK_UP:
    case OP_LINK_DOWN:
      piso_machine_set_interface_link_async (machine, args->target, op == OP_LINK_UP, NULL, cb, &result);
      break;
    }
  piso_test_wait_result (&result, 60);

  switch (op)
    {
    case OP_ADD_NEW_DISK:
      change = piso_machine_add_new_disk_finish (machine, result, &args->out, error);
      break;
    case OP_ADD_EXISTING_DISK:
    case OP_ADD_CD_DRIVE:
      change = piso_machine_add_existing_disk_finish (machine, result, &args->out, error);
      break;
    case OP_REMOVE_DISK:
    case OP_REMOVE_DISK_AND_FILE:
      change = piso_machine_remove_disk_finish (machine, result, error);
      break;
    case OP_GROW_DISK:
      change = piso_machine_grow_disk_finish (machine, result, error);
      break;
    case OP_SET_CD:
    case OP_FORCE_CD:
      change = piso_machine_set_cd_media_finish (machine, result, error);
      break;
    case OP_ADD_NETWORK:
    case OP_ADD_BRIDGE:
      change = piso_machine_add_interface_finish (machine, result, &args->out, error);
      break;
    case OP_REMOVE_INTERFACE:
      change = piso_machine_remove_interface_finish (machine, result, error);
      break;
    case OP_SOURCE_BRIDGE:
      change = piso_machine_set_interface_source_finish (machine, result, error);
      break;
    case OP_LINK_UP:
    case OP_LINK_DOWN:
      change = piso_machine_set_interface_link_finish (machine, result, error);
      break;
    }
  if (change != NULL && piso_change_get_message (change) != NULL)
    g_test_message ("change: %s", piso_change_get_message (change));
  return change;
}

/* Runs @op expecting a refusal with @code, and asserts that the machine's
 * definition and the "default" pool are exactly as before. */
static void
assert_refused (Fixture     *f,
                PisoMachine *machine,
                Op           op,
                Args        *args,
                int          code)
{
  g_autofree char *before = piso_test_machine_definition (machine);
  g_autofree char *pool_before = piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION);
  g_autofree char *after = NULL;
  g_autofree char *pool_after = NULL;
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;

  change = run (machine, op, args, &error);
  g_assert_null (change);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_error (error, PISO_BACKEND_ERROR, code);
  piso_test_spin (50);
  after = piso_test_machine_definition (machine);
  pool_after = piso_test_pool_snapshot (f->conn, "default", PISO_TEST_POOL_ALLOCATION);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpstr (pool_after, ==, pool_before);
}

/* ---- what the model shows ---- */

static void
test_disk_descriptions (Fixture       *f,
                        gconstpointer  data)
{
  static const struct { const char *target, *type, *description; } expected[] = {
    { "vda", "file", IMAGES "zoo.qcow2" },
    { "vdb", "block", "Block device /dev/sdb" },
    { "vdc", "network", "Ceph RBD “pool/image” on mon1.example:6789, mon2.example:6789" },
    { "vdd", "network", "NBD on /run/nbd.sock" },
    { "sdd", "network", "iSCSI “iqn.2013-07.com.example:iscsi-pool/1” on 192.0.2.10:3260" },
    { "vde", "nvme", "NVMe namespace 1 of host device 0000:01:00.0" },
    { "vdf", "vhostuser", "vhost-user socket /tmp/vhost-blk.sock" },
    { "vdg", "volume", "Volume “data.qcow2” in storage pool “default”" },
    { "sdc", "dir", "Folder /srv/share" },
    { "sda", "file", "Empty" },
  };
  PisoMachine *zoo = piso_test_find_machine (f->conn, "zoo");

  g_assert_cmpuint (g_list_model_get_n_items (piso_machine_get_disks (zoo)), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      PisoDisk *disk = find_disk (zoo, expected[i].target);
      g_autofree char *description = NULL;

      g_assert_nonnull (disk);
      description = piso_disk_describe_source (disk);
      g_test_message ("%s: %s", expected[i].target, description);
      g_assert_cmpstr (piso_disk_get_source_type (disk), ==, expected[i].type);
      g_assert_cmpstr (description, ==, expected[i].description);
      g_assert_cmpint (piso_disk_get_pending (disk), ==, PISO_DEVICE_PENDING_NONE);
    }

  g_assert_cmpstr (piso_disk_get_protocol (find_disk (zoo, "vdc")), ==, "rbd");
  g_assert_cmpstr (piso_disk_get_source_name (find_disk (zoo, "vdc")), ==, "pool/image");
  g_assert_null (piso_disk_get_path (find_disk (zoo, "vdc")));
  g_assert_cmpstr (piso_disk_get_device_label (find_disk (zoo, "sda")), ==, "CD/DVD drive");
  g_assert_cmpstr (piso_disk_get_device_label (find_disk (zoo, "vda")), ==, "Disk");
  g_assert_cmpuint (piso_disk_get_boot_order (find_disk (zoo, "vda")), ==, 2);
  g_assert_cmpstr (piso_disk_get_pool (find_disk (zoo, "vdg")), ==, "default");
}

static void
test_interface_descriptions (Fixture       *f,
                             gconstpointer  data)
{
  static const struct { const char *mac, *kind_label, *description; } expected[] = {
    { "52:54:00:7e:57:a1", "Virtual network", "Virtual network “default”" },
    { "52:54:00:7e:57:a2", "Bridge", "Bridge “br0”" },
    { "52:54:00:7e:57:a3", "User-mode networking", "User-mode networking" },
    { "52:54:00:7e:57:a4", "Generic Ethernet (tap)", "Generic Ethernet (tap) “tap7”" },
    { "52:54:00:7e:57:a5", "Direct attachment (macvtap)", "Direct to “eth0” (vepa mode)" },
    { "52:54:00:7e:57:a6", "Host device (PCI passthrough)", "Host device 0000:03:00.1" },
    { "52:54:00:7e:57:a7", "vhost-user", "vhost-user socket /run/vhost-net.sock" },
    { "52:54:00:7e:57:a8", "Socket server", "Socket server on 127.0.0.1:5558" },
    { "52:54:00:7e:57:a9", "Socket client", "Socket client of 192.0.2.1:5558" },
    { "52:54:00:7e:57:aa", "Multicast socket", "Multicast socket 230.0.0.1:5558" },
    { "52:54:00:7e:57:ab", "UDP socket", "UDP to 192.0.2.1:5558 from 127.0.0.1:5557" },
    { "52:54:00:7e:57:ac", "vDPA device", "vDPA device /dev/vhost-vdpa-0" },
    { "52:54:00:7e:57:ad", "Not connected", "Not connected" },
  };
  PisoMachine *zoo = piso_test_find_machine (f->conn, "zoo");

  g_assert_cmpuint (g_list_model_get_n_items (piso_machine_get_interfaces (zoo)), ==,
                    G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      PisoNetInterface *iface = find_interface (zoo, expected[i].mac);
      g_autofree char *description = NULL;

      g_assert_nonnull (iface);
      description = piso_net_interface_describe (iface);
      g_test_message ("%s: %s — %s", expected[i].mac, piso_net_interface_get_kind_label (iface), description);
      g_assert_cmpstr (piso_net_interface_get_kind_label (iface), ==, expected[i].kind_label);
      g_assert_cmpstr (description, ==, expected[i].description);
    }

  g_assert_false (piso_net_interface_get_link_up (find_interface (zoo, "52:54:00:7e:57:a2")));
  g_assert_true (piso_net_interface_get_link_up (find_interface (zoo, "52:54:00:7e:57:a1")));
  g_assert_cmpuint (piso_net_interface_get_boot_order (find_interface (zoo, "52:54:00:7e:57:a1")), ==, 1);
  g_assert_cmpstr (piso_net_interface_get_model (find_interface (zoo, "52:54:00:7e:57:a2")), ==, "e1000e");
}

static void
test_foreign_arch (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachine *zoo = piso_test_find_machine (f->conn, "zoo");
  PisoMachine *off = piso_test_find_machine (f->conn, "off");

  g_assert_cmpstr (piso_machine_boot_get_arch (piso_machine_get_boot (zoo)), ==, "aarch64");
  refresh_details (zoo);
  refresh_details (off);
  /* The fixture's host is x86_64. */
  g_assert_cmpstr (piso_machine_boot_get_foreign_arch (piso_machine_get_boot (zoo)), ==, "aarch64");
  g_assert_null (piso_machine_boot_get_foreign_arch (piso_machine_get_boot (off)));
}

/* What new disks and interfaces can use: the host's pools (running, then
 * stopped), networks and bridges (not its other interfaces). */
static void
list_sources (Fixture *f,
              GStrv   *pools,
              GStrv   *stopped_pools,
              GStrv   *networks,
              GStrv   *bridges)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  piso_connection_list_device_sources_async (f->conn, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_true (piso_connection_list_device_sources_finish (f->conn, result, pools, stopped_pools,
                                                             networks, bridges, &error));
  g_assert_no_error (error);
}

static void
test_device_sources (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(GStrv) pools = NULL;
  g_auto(GStrv) stopped_pools = NULL;
  g_auto(GStrv) networks = NULL;
  g_auto(GStrv) bridges = NULL;
  virConnectPtr handle = _piso_connection_ref_handle (f->conn);
  virStoragePoolPtr iso;

  list_sources (f, &pools, &stopped_pools, &networks, &bridges);
  g_assert_cmpstrv (pools, ((const char *[]) { "default", "iso", NULL }));
  g_assert_cmpstrv (stopped_pools, ((const char *[]) { NULL }));
  g_assert_cmpstrv (networks, ((const char *[]) { "default", NULL }));
  g_assert_cmpstrv (bridges, ((const char *[]) { "br0", NULL }));
  g_clear_pointer (&pools, g_strfreev);
  g_clear_pointer (&stopped_pools, g_strfreev);

  /* A stopped pool is told apart */
  iso = virStoragePoolLookupByName (handle, "iso");
  g_assert_nonnull (iso);
  g_assert_cmpint (virStoragePoolDestroy (iso), ==, 0);
  list_sources (f, &pools, &stopped_pools, NULL, NULL);
  g_assert_cmpstrv (pools, ((const char *[]) { "default", NULL }));
  g_assert_cmpstrv (stopped_pools, ((const char *[]) { "iso", NULL }));
  g_assert_cmpint (virStoragePoolCreate (iso, 0), ==, 0);
  virStoragePoolFree (iso);
  virConnectClose (handle);
}

/* ---- disks ---- */

static void
test_add_new_disk (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  Args args = { .size = 5 * GIB, .bus = "virtio" };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  PisoDisk *disk;

  change = run (off, OP_ADD_NEW_DISK, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
  /* vda and vdb are taken; "off.qcow2" too. */
  g_assert_cmpstr (args.out, ==, "vdc");
  wait_disk (off, "vdc", TRUE);
  disk = find_disk (off, "vdc");
  g_assert_cmpstr (piso_disk_get_path (disk), ==, IMAGES "off-2.qcow2");
  g_assert_cmpstr (piso_disk_get_bus (disk), ==, "virtio");
  g_assert_cmpstr (piso_disk_get_format (disk), ==, "qcow2");
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "off-2.qcow2"));
  g_free (args.out);
}

static void
test_add_new_disk_bus_from_os (Fixture       *f,
                               gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachine *plain = piso_test_find_machine (f->conn, "plain");
  Args debian = { .size = 1 * GIB };
  Args unknown = { .size = 1 * GIB };
  g_autoptr(PisoChange) first = NULL;
  g_autoptr(PisoChange) second = NULL;
  g_autoptr(GError) error = NULL;

  /* Debian 12: virtio, as New Machine gives it. */
  first = run (off, OP_ADD_NEW_DISK, &debian, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (debian.out, ==, "vdc");
  wait_disk (off, "vdc", TRUE);
  g_assert_cmpstr (piso_disk_get_bus (find_disk (off, "vdc")), ==, "virtio");

  /* An unknown OS: the bus its disk already has (SATA; sda and sdb taken). */
  second = run (plain, OP_ADD_NEW_DISK, &unknown, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (unknown.out, ==, "sdc");
  wait_disk (plain, "sdc", TRUE);
  g_assert_cmpstr (piso_disk_get_bus (find_disk (plain, "sdc")), ==, "sata");
  g_free (debian.out);
  g_free (unknown.out);
}

static void
test_add_disk_refused (Fixture       *f,
                       gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  Args bad_bus = { .size = 1 * GIB, .bus = "floppy-tape" };
  Args shared = { .path = IMAGES "shared.qcow2", .bus = "virtio" };
  Args missing = { .path = "/nonexistent/piso-test/missing.qcow2", .bus = "virtio" };
  Args too_big = { .size = 1000 * GIB, .bus = "virtio" };

  /* libvirt's schema refuses the disk: the new volume goes again. */
  assert_refused (f, off, OP_ADD_NEW_DISK, &bad_bus, PISO_BACKEND_ERROR_FAILED);
  g_assert_false (piso_test_volume_exists (f->conn, IMAGES "off-2.qcow2"));
  /* Another machine's disk, a file that is not there, no room. */
  assert_refused (f, piso_test_find_machine (f->conn, "plain"), OP_ADD_EXISTING_DISK, &shared,
                  PISO_BACKEND_ERROR_DISK_IN_USE);
  assert_refused (f, off, OP_ADD_EXISTING_DISK, &missing, PISO_BACKEND_ERROR_FAILED);
  assert_refused (f, off, OP_ADD_NEW_DISK, &too_big, PISO_BACKEND_ERROR_FAILED);
}

static void
test_add_disk_running (Fixture       *f,
                       gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  Args args = { .path = IMAGES "data.qcow2", .bus = "virtio" };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (piso_machine_allocation_get_restart_pending (piso_machine_get_allocation (on)));
  /* (the libvirt built against is the one run, on the platforms tested) */
  unsigned long version = LIBVIR_VERSION_NUMBER;

  change = run (on, OP_ADD_EXISTING_DISK, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (args.out, ==, "vdb");
  wait_disk (on, "vdb", TRUE);
  g_assert_cmpstr (piso_disk_get_format (find_disk (on, "vdb")), ==, "qcow2");
  g_test_message ("libvirt %lu: scope %d", version, piso_change_get_scope (change));
  if (version < 11000000)
    {
      /* libvirt 9.0's test driver cannot hot-plug: the disk comes at the
       * next start, and the machine says so */
      g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
      g_assert_nonnull (strstr (piso_change_get_message (change), "applies when “on” restarts"));
      g_assert_cmpint (piso_disk_get_pending (find_disk (on, "vdb")), ==, PISO_DEVICE_PENDING_ADD);
      g_assert_true (piso_machine_allocation_get_restart_pending (piso_machine_get_allocation (on)));
    }
  else
    {
      /* libvirt 11.3's does: now and for next start, nothing pending */
      g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NOW | PISO_CHANGE_SCOPE_NEXT_START);
      g_assert_cmpint (piso_disk_get_pending (find_disk (on, "vdb")), ==, PISO_DEVICE_PENDING_NONE);
      g_assert_false (piso_machine_allocation_get_restart_pending (piso_machine_get_allocation (on)));
    }
  g_free (args.out);
}

static void
test_remove_disk (Fixture       *f,
                  gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachine *plain = piso_test_find_machine (f->conn, "plain");
  Args shared = { .target = "vdb" };
  Args own = { .target = "sda" };
  g_autoptr(PisoChange) kept = NULL;
  g_autoptr(PisoChange) deleted = NULL;
  g_autoptr(GError) error = NULL;

  /* The file of another machine's disk is never deleted. */
  assert_refused (f, off, OP_REMOVE_DISK_AND_FILE, &shared, PISO_BACKEND_ERROR_DISK_IN_USE);
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "shared.qcow2"));

  /* Removing the disk keeps the file unless asked. */
  kept = run (off, OP_REMOVE_DISK, &shared, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (kept), ==, PISO_CHANGE_SCOPE_NEXT_START);
  wait_disk (off, "vdb", FALSE);
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "shared.qcow2"));

  deleted = run (plain, OP_REMOVE_DISK_AND_FILE, &own, &error);
  g_assert_no_error (error);
  wait_disk (plain, "sda", FALSE);
  g_assert_false (piso_test_volume_exists (f->conn, IMAGES "plain.qcow2"));
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "off.qcow2"));
}

static void
test_remove_disk_running (Fixture       *f,
                          gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  Args args = { .target = "vda" };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;

  change = run (on, OP_REMOVE_DISK_AND_FILE, &args, &error);
  g_assert_no_error (error);
  /* Still in the running machine until it restarts: its file stays. */
  g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_nonnull (strstr (piso_change_get_message (change), "was kept"));
  g_assert_true (piso_test_volume_exists (f->conn, IMAGES "on.qcow2"));
  refresh_details (on);
  g_assert_cmpint (piso_disk_get_pending (find_disk (on, "vda")), ==, PISO_DEVICE_PENDING_REMOVE);
}

static void
test_grow_disk (Fixture       *f,
                gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  Args smaller = { .target = "vda", .size = 5 * GIB };
  Args same = { .target = "vda", .size = 10 * GIB };
  Args cd = { .target = "sda", .size = 20 * GIB };
  Args shared = { .target = "vdb", .size = 20 * GIB };
  Args bigger = { .target = "vda", .size = 20 * GIB };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;

  /* Never shrinks: libvirt 9.0 would. */
  assert_refused (f, off, OP_GROW_DISK, &smaller, PISO_BACKEND_ERROR_FAILED);
  assert_refused (f, off, OP_GROW_DISK, &same, PISO_BACKEND_ERROR_FAILED);
  assert_refused (f, off, OP_GROW_DISK, &cd, PISO_BACKEND_ERROR_FAILED);
  assert_refused (f, off, OP_GROW_DISK, &shared, PISO_BACKEND_ERROR_DISK_IN_USE);

  /* The test driver cannot resize volumes: its reason comes through. */
  change = run (off, OP_GROW_DISK, &bigger, &error);
  g_assert_null (change);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
  g_test_message ("%s", error->message);
}

/* ---- CD/DVD ---- */

static void
test_cd_off (Fixture       *f,
             gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  Args insert = { .target = "sda", .path = ISOS "a.iso" };
  Args eject = { .target = "sda" };
  Args not_a_cd = { .target = "vda", .path = ISOS "a.iso" };
  g_autoptr(PisoChange) inserted = NULL;
  g_autoptr(PisoChange) ejected = NULL;
  g_autoptr(GError) error = NULL;

  inserted = run (off, OP_SET_CD, &insert, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (inserted), ==, PISO_CHANGE_SCOPE_NEXT_START);
  refresh_details (off);
  g_assert_cmpstr (piso_disk_get_path (find_disk (off, "sda")), ==, ISOS "a.iso");

  ejected = run (off, OP_SET_CD, &eject, &error);
  g_assert_no_error (error);
  refresh_details (off);
  g_assert_null (piso_disk_get_path (find_disk (off, "sda")));

  assert_refused (f, off, OP_SET_CD, &not_a_cd, PISO_BACKEND_ERROR_FAILED);
}

static void
test_cd_running (Fixture       *f,
                 gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  Args change_disc = { .target = "sda", .path = ISOS "b.iso" };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  PisoDisk *disk;

  change = run (on, OP_SET_CD, &change_disc, &error);
  g_assert_no_error (error);
  g_assert_false (piso_change_get_force_possible (change));
  refresh_details (on);
  disk = find_disk (on, "sda");
  if (LIBVIR_VERSION_NUMBER < 11000000)
    {
      /* libvirt 9.0's test driver changes no media live: the running
       * machine still has a.iso; b.iso comes with the restart. */
      g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
      g_assert_cmpstr (piso_disk_get_path (disk), ==, ISOS "a.iso");
      g_assert_cmpint (piso_disk_get_pending (disk), ==, PISO_DEVICE_PENDING_CHANGE);
      g_assert_cmpstr (piso_disk_get_next_source (disk), ==, ISOS "b.iso");
      g_assert_true (piso_machine_allocation_get_restart_pending (piso_machine_get_allocation (on)));
    }
  else
    {
      /* libvirt 11.3's does: now and for the next start */
      g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NOW | PISO_CHANGE_SCOPE_NEXT_START);
      g_assert_cmpstr (piso_disk_get_path (disk), ==, ISOS "b.iso");
      g_assert_cmpint (piso_disk_get_pending (disk), ==, PISO_DEVICE_PENDING_NONE);
      g_assert_false (piso_machine_allocation_get_restart_pending (piso_machine_get_allocation (on)));
    }
}

static void
test_add_cd_drive (Fixture       *f,
                   gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  Args args = { .path = ISOS "b.iso" };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  PisoDisk *disk;

  /* The bus of the machine's CD drive; sda is taken. */
  change = run (off, OP_ADD_CD_DRIVE, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (args.out, ==, "sdb");
  wait_disk (off, "sdb", TRUE);
  disk = find_disk (off, "sdb");
  g_assert_cmpstr (piso_disk_get_device (disk), ==, "cdrom");
  g_assert_cmpstr (piso_disk_get_bus (disk), ==, "sata");
  g_assert_cmpstr (piso_disk_get_format (disk), ==, "raw");
  g_assert_true (piso_disk_get_read_only (disk));
  g_free (args.out);
}

/* ---- network interfaces ---- */

static void
test_interfaces_off (Fixture       *f,
                     gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  Args network = { .path = "default" };
  Args bridge = { .path = "br0", .bus = "e1000e" };
  Args nowhere = { .path = "" };
  g_autoptr(PisoChange) added = NULL;
  g_autoptr(PisoChange) bridged = NULL;
  g_autoptr(PisoChange) moved = NULL;
  g_autoptr(PisoChange) down = NULL;
  g_autoptr(PisoChange) removed = NULL;
  g_autoptr(GError) error = NULL;
  PisoNetInterface *iface;

  /* The model New Machine gives Debian 12, and a MAC from libvirt. */
  added = run (off, OP_ADD_NETWORK, &network, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (added), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_nonnull (network.out);
  g_test_message ("new MAC %s", network.out);
  wait_interface (off, network.out, TRUE);
  iface = find_interface (off, network.out);
  g_assert_cmpstr (piso_net_interface_get_kind (iface), ==, "network");
  g_assert_cmpstr (piso_net_interface_get_source (iface), ==, "default");
  g_assert_cmpstr (piso_net_interface_get_model (iface), ==, "virtio");

  bridged = run (off, OP_ADD_BRIDGE, &bridge, &error);
  g_assert_no_error (error);
  wait_interface (off, bridge.out, TRUE);
  g_assert_cmpstr (piso_net_interface_get_model (find_interface (off, bridge.out)), ==, "e1000e");
  g_assert_cmpstr (piso_net_interface_get_kind (find_interface (off, bridge.out)), ==, "bridge");

  /* Another source, the link down, then away. */
  network.target = network.out;
  network.path = "br1";
  moved = run (off, OP_SOURCE_BRIDGE, &network, &error);
  g_assert_no_error (error);
  down = run (off, OP_LINK_DOWN, &network, &error);
  g_assert_no_error (error);
  refresh_details (off);
  iface = find_interface (off, network.out);
  g_assert_cmpstr (piso_net_interface_get_kind (iface), ==, "bridge");
  g_assert_cmpstr (piso_net_interface_get_source (iface), ==, "br1");
  g_assert_cmpstr (piso_net_interface_get_model (iface), ==, "virtio");
  g_assert_false (piso_net_interface_get_link_up (iface));

  removed = run (off, OP_REMOVE_INTERFACE, &network, &error);
  g_assert_no_error (error);
  wait_interface (off, network.out, FALSE);
  g_assert_nonnull (find_interface (off, bridge.out));

  assert_refused (f, off, OP_ADD_NETWORK, &nowhere, PISO_BACKEND_ERROR_FAILED);
  g_free (network.out);
  g_free (bridge.out);
}

static void
test_interface_link_running (Fixture       *f,
                             gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  Args args = { .target = "52:54:00:7e:57:02" };
  Args unknown = { .target = "52:54:00:00:00:99" };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  PisoNetInterface *iface;

  change = run (on, OP_LINK_DOWN, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
  refresh_details (on);
  iface = find_interface (on, args.target);
  /* Up now, down from the next start. */
  g_assert_true (piso_net_interface_get_link_up (iface));
  g_assert_cmpint (piso_net_interface_get_pending (iface), ==, PISO_DEVICE_PENDING_CHANGE);

  assert_refused (f, on, OP_LINK_DOWN, &unknown, PISO_BACKEND_ERROR_FAILED);
}

/* ---- boot ---- */

static PisoChange *
set_boot_order (PisoMachine         *machine,
                const char * const  *order,
                GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_machine_set_boot_order_async (machine, order, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return piso_machine_set_boot_order_finish (machine, result, error);
}

static void
test_boot_order (Fixture       *f,
                 gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachineBoot *boot = piso_machine_get_boot (off);
  const char *order[] = { "sda", "52:54:00:7e:57:01", "vda", NULL };
  const char *unknown[] = { "vda", "vdz", NULL };
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(PisoChange) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_cmpstrv (piso_machine_boot_get_boot_devices (boot), ((const char *[]) { "hd", NULL }));

  change = set_boot_order (off, order, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
  refresh_details (off);
  g_assert_cmpuint (piso_disk_get_boot_order (find_disk (off, "sda")), ==, 1);
  g_assert_cmpuint (piso_net_interface_get_boot_order (find_interface (off, "52:54:00:7e:57:01")), ==, 2);
  g_assert_cmpuint (piso_disk_get_boot_order (find_disk (off, "vda")), ==, 3);
  g_assert_cmpuint (piso_disk_get_boot_order (find_disk (off, "vdb")), ==, 0);
  /* <os><boot dev> gave way (libvirt refuses both). */
  g_assert_cmpstrv (piso_machine_boot_get_boot_devices (boot), ((const char *[]) { NULL }));

  before = piso_test_machine_definition (off);
  refused = set_boot_order (off, unknown, &error);
  g_assert_null (refused);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "vdz"));
  after = piso_test_machine_definition (off);
  g_assert_cmpstr (after, ==, before);
}

static void
test_boot_menu_running (Fixture       *f,
                        gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (piso_machine_boot_get_boot_menu (piso_machine_get_boot (on)));
  piso_machine_set_boot_menu_async (on, TRUE, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  change = piso_machine_set_boot_menu_finish (on, result, &error);
  g_assert_no_error (error);
  /* QEMU reads it at start. */
  g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_nonnull (strstr (piso_change_get_message (change), "restarts"));
  refresh_details (on);
  g_assert_true (piso_machine_boot_get_boot_menu (piso_machine_get_boot (on)));
  g_assert_true (piso_machine_allocation_get_restart_pending (piso_machine_get_allocation (on)));
}

static PisoChange *
set_firmware (PisoMachine   *machine,
              PisoFirmware   firmware,
              gboolean       secure_boot,
              gboolean       tpm,
              GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_machine_set_firmware_async (machine, firmware, secure_boot, tpm, NULL,
                                   piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return piso_machine_set_firmware_finish (machine, result, error);
}

static void
test_firmware (Fixture       *f,
               gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  PisoMachineBoot *boot = piso_machine_get_boot (off);
  g_autofree char *before = piso_test_machine_definition (on);
  g_autofree char *after = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(PisoChange) uefi = NULL;
  g_autoptr(PisoChange) bios = NULL;
  g_autoptr(PisoChange) running = NULL;
  g_autoptr(GError) error = NULL;

  /* Only while off: refused, nothing written. */
  running = set_firmware (on, PISO_FIRMWARE_UEFI, FALSE, FALSE, &error);
  g_assert_null (running);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  after = piso_test_machine_definition (on);
  g_assert_cmpstr (after, ==, before);
  g_clear_error (&error);

  g_assert_cmpint (piso_machine_boot_get_firmware (boot), ==, PISO_FIRMWARE_BIOS);
  uefi = set_firmware (off, PISO_FIRMWARE_UEFI, TRUE, FALSE, &error);
  if (!piso_test_host_offers_uefi (off))
    {
      /* Refused with what to install, the definition untouched. */
      g_assert_null (uefi);
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
      g_assert_nonnull (strstr (error->message, "ovmf"));
      g_clear_error (&error);
      refresh_details (off);
      g_assert_cmpint (piso_machine_boot_get_firmware (boot), ==, PISO_FIRMWARE_BIOS);
      xml = piso_test_machine_definition (off);
      g_assert_null (strstr (xml, "efi"));
      g_assert_null (set_firmware (off, PISO_FIRMWARE_BIOS, TRUE, FALSE, &error));
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (uefi), ==, PISO_CHANGE_SCOPE_NEXT_START);
  refresh_details (off);
  g_assert_cmpint (piso_machine_boot_get_firmware (boot), ==, PISO_FIRMWARE_UEFI);
  g_assert_true (piso_machine_boot_get_secure_boot (boot));
  xml = piso_test_machine_definition (off);
  g_assert_nonnull (strstr (xml, "<os firmware='efi'>"));
  g_assert_nonnull (strstr (xml, "<feature enabled='yes' name='secure-boot'/>"));

  bios = set_firmware (off, PISO_FIRMWARE_BIOS, FALSE, FALSE, &error);
  g_assert_no_error (error);
  refresh_details (off);
  g_assert_cmpint (piso_machine_boot_get_firmware (boot), ==, PISO_FIRMWARE_BIOS);
  g_assert_false (piso_machine_boot_get_secure_boot (boot));
  g_clear_pointer (&xml, g_free);
  xml = piso_test_machine_definition (off);
  g_assert_null (strstr (xml, "efi"));

  /* Secure Boot without UEFI makes no sense. */
  g_assert_null (set_firmware (off, PISO_FIRMWARE_BIOS, TRUE, FALSE, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
}

static void
test_firmware_tpm_and_snapshots (Fixture       *f,
                                 gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachineBoot *boot = piso_machine_get_boot (off);
  g_autoptr(PisoChange) tpm = NULL;
  g_autoptr(PisoChange) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  virDomainSnapshotPtr snapshot;
  virDomainPtr dom;

  /* A TPM needs swtpm here (test:/// is local): added, or refused. */
  tpm = set_firmware (off, PISO_FIRMWARE_UEFI, FALSE, TRUE, &error);
  if (piso_machine_boot_get_tpm_available (boot) && piso_test_host_offers_uefi (off))
    {
      g_assert_no_error (error);
      refresh_details (off);
      g_assert_true (piso_machine_boot_get_tpm (boot));
    }
  else
    {
      g_test_message ("no swtpm or no UEFI: %s", error->message);
      g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED);
    }
  g_clear_error (&error);

  /* A snapshot was made with the firmware it has: no switch. */
  dom = _piso_machine_ref_handle (off);
  snapshot = virDomainSnapshotCreateXML (dom, "<domainsnapshot><name>before</name></domainsnapshot>", 0);
  g_assert_nonnull (snapshot);
  virDomainSnapshotFree (snapshot);
  virDomainFree (dom);
  before = piso_test_machine_definition (off);
  refused = set_firmware (off, PISO_FIRMWARE_BIOS, FALSE, FALSE, &error);
  g_assert_null (refused);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "snapshot"));
  after = piso_test_machine_definition (off);
  g_assert_cmpstr (after, ==, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

#define ADD(path, func) PISO_TEST_ADD_FIXTURE (path, "devices.xml", func)
  ADD ("/devices/describe/disks", test_disk_descriptions);
  ADD ("/devices/describe/interfaces", test_interface_descriptions);
  ADD ("/devices/describe/foreign-arch", test_foreign_arch);
  ADD ("/devices/sources", test_device_sources);
  ADD ("/devices/disk/add-new", test_add_new_disk);
  ADD ("/devices/disk/add-new-bus-from-os", test_add_new_disk_bus_from_os);
  ADD ("/devices/disk/add-refused", test_add_disk_refused);
  ADD ("/devices/disk/add-running", test_add_disk_running);
  ADD ("/devices/disk/remove", test_remove_disk);
  ADD ("/devices/disk/remove-running", test_remove_disk_running);
  ADD ("/devices/disk/grow", test_grow_disk);
  ADD ("/devices/cd/off", test_cd_off);
  ADD ("/devices/cd/running", test_cd_running);
  ADD ("/devices/cd/add-drive", test_add_cd_drive);
  ADD ("/devices/interface/off", test_interfaces_off);
  ADD ("/devices/interface/link-running", test_interface_link_running);
  ADD ("/devices/boot/order", test_boot_order);
  ADD ("/devices/boot/menu-running", test_boot_menu_running);
  ADD ("/devices/boot/firmware", test_firmware);
  ADD ("/devices/boot/firmware-tpm-snapshots", test_firmware_tpm_and_snapshots);
#undef ADD

  return g_test_run ();
}
