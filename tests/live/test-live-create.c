/* test-live-create.c: PisoCreator on a private libvirtd — machines created
 * from the test ISO, an imported image, an appliance (an OVA as VMware
 * writes one, its disk the guest as a VMDK) and a download boot to the
 * guest's ready line; refusals and cancels leave the pool and the machine
 * list as they were
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-test"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "piso-backend-private.h"
#include "piso-creator.h"
#include "piso-export-appliance.h"
#include "piso-install-plan.h"
#include "piso-live.h"

#define MiB (G_GUINT64_CONSTANT (1024) * 1024)

static PisoLiveDaemon *live;   /* NULL: no live environment, skip */
static char *skip_reason;
static char *work_dir;         /* world-readable scratch files */
static char *cache_dir;        /* XDG_CACHE_HOME: where downloads go */

/* ---- the guest's serial console ---------------------------------------- */

/* Waits for the ready line; the test ISO's guest takes its name from fw_cfg
 * or the kernel command line, and Piso sets neither: "piso-guest". */
static void
assert_boots_to_ready (PisoMachine     *machine,
                       PisoLiveConsole *console)
{
  piso_test_wait_until (piso_live_console_ready, console, 120, "the guest's ready line");
  g_assert_cmpstr (console->ready_name, ==, "piso-guest");
  g_test_message ("%s printed its ready line", piso_machine_get_name (machine));
}

/* ---- the host's state ---------------------------------------------------- */

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* ---- creating ------------------------------------------------------------ */

static PisoInstallPlan *
make_plan (PisoConnection        *connection,
           PisoInstallSourceKind  kind,
           const char            *source,
           const char            *what,
           guint64                disk_size)
{
  PisoInstallPlan *plan = piso_install_plan_new (connection);
  g_autofree char *name = piso_live_unique_name (what);

  piso_install_plan_set_source_kind (plan, kind);
  if (kind == PISO_INSTALL_SOURCE_URL)
    piso_install_plan_set_source_url (plan, source);
  else
    piso_install_plan_set_source_path (plan, source);
  piso_install_plan_set_name (plan, name);
  piso_install_plan_set_vcpus (plan, 1);
  piso_install_plan_set_memory (plan, 512 * 1024);
  piso_install_plan_set_disk_size (plan, disk_size);
  piso_install_plan_set_network (plan, PISO_INSTALL_NETWORK_NONE);
  return plan;
}

/* Runs @creator expecting a failure; the pool and the machines must be as
 * before. Returns the error. */
static GError *
run_refused (PisoConnection *connection,
             PisoCreator    *creator,
             GCancellable   *cancellable)
{
  return piso_test_creator_refused (connection, creator, cancellable, PISO_TEST_POOL_REFRESH, 180);
}

static void
force_off (PisoMachine *machine)
{
  piso_live_run_action (machine, piso_machine_force_off_async, piso_machine_force_off_finish);
}

/* Creates, checks the guest's ready line, and stops the machine again. */
static PisoMachine *
create_and_boot (PisoConnection *connection,
                 PisoCreator    *creator)
{
  g_autoptr(GError) error = NULL;
  PisoMachine *machine;
  PisoLiveConsole *console;

  machine = piso_test_creator_run (creator, NULL, 180, &error);
  g_assert_no_error (error);
  g_assert_nonnull (machine);
  g_assert_cmpint (piso_creator_get_stage (creator), ==, PISO_CREATOR_STAGE_DONE);
  console = piso_live_console_open (machine);
  assert_boots_to_ready (machine, console);
  piso_live_console_close (console);
  force_off (machine);
  return machine;
}

/* The guest's hybrid ISO (it boots as a disk too) converted to @format in
 * work_dir/@file; returns the path. */
static char *
guest_image (const char *format,
             const char *file)
{
  char *path = g_build_filename (work_dir, file, NULL);

  piso_test_spawn ((const char *[]) { "qemu-img", "convert", "-f", "raw", "-O", format,
                                      piso_live_guest_iso (), path, NULL });
  return path;
}

static void
test_from_iso (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(PisoCreatorCheck) check = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autofree char *xml = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  plan = make_plan (connection, PISO_INSTALL_SOURCE_MEDIA, piso_live_guest_iso (), "iso", 0);
  /* libosinfo's generic recent Linux: the definition carries it. */
  piso_install_plan_set_os (plan, "http://libosinfo.org/linux/2022", "Linux");
  creator = piso_creator_new (connection, plan);

  /* No disk, no network, a readable ISO: nothing to fix, no pool needed. */
  check = piso_test_creator_check (creator, 30);
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NONE);

  machine = create_and_boot (connection, creator);
  xml = piso_test_machine_xml (machine);
  g_test_message ("%s", xml);
  g_assert_nonnull (strstr (xml, piso_live_guest_iso ()));
  g_assert_nonnull (strstr (xml, "libosinfo:os id=\"http://libosinfo.org/linux/2022\""));
  piso_connection_close (connection);
}

/* Mounts a tmpfs of @mib MiB at @path inside the daemon's mount namespace
 * (it goes away with the daemon). */
static void
mount_small_fs (const char *path,
                guint       mib)
{
  g_autofree char *pid_file = g_build_filename (piso_live_daemon_get_dir (live), "libvirtd.pid", NULL);
  g_autofree char *pid = NULL;
  g_autofree char *size = g_strdup_printf ("size=%um,mode=0755", mib);
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_file_get_contents (pid_file, &pid, NULL, NULL));
  g_strstrip (pid);
  {
    /* --root: the daemon's root too (in a chroot, the namespace's own root
     * is outside it) */
    const char *argv[] = { "nsenter", "--target", pid, "--mount", "--root",
                           "mount", "-t", "tmpfs", "-o", size, "tmpfs", path, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_not_enough_space (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(PisoCreatorCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *small = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *qcow2 = NULL;
  virConnectPtr handle;
  virStoragePoolPtr pool;
  const char *message;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  handle = _piso_connection_ref_handle (connection);

  /* A "default" pool on an 8 MiB file system of its own. */
  small = g_build_filename (piso_live_daemon_get_dir (live), "small", NULL);
  g_assert_cmpint (g_mkdir (small, 0755), ==, 0);
  mount_small_fs (small, 8);
  xml = g_strdup_printf ("<pool type='dir'><name>default</name><target><path>%s</path></target></pool>",
                         small);
  pool = virStoragePoolCreateXML (handle, xml, 0);
  g_assert_nonnull (pool);

  /* A 64 MiB disk does not fit. */
  plan = make_plan (connection, PISO_INSTALL_SOURCE_MEDIA, piso_live_guest_iso (), "small", 64 * MiB);
  creator = piso_creator_new (connection, plan);
  check = piso_test_creator_check (creator, 30);
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NO_SPACE);
  g_assert_cmpuint (piso_creator_check_get_needed_bytes (check), ==, 64 * MiB);
  g_assert_cmpuint (piso_creator_check_get_available_bytes (check), <=, 8 * MiB);
  message = piso_creator_check_get_message (check, PISO_CREATOR_PROBLEM_NO_SPACE);
  g_assert_nonnull (strstr (message, "64 MiB"));
  g_test_message ("%s", message);
  error = run_refused (connection, creator, NULL);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);
  g_clear_object (&creator);
  g_clear_object (&plan);
  g_clear_object (&check);

  /* Nor does an imported 13 MiB image. */
  qcow2 = guest_image ("qcow2", "big.qcow2");
  plan = make_plan (connection, PISO_INSTALL_SOURCE_IMPORT, qcow2, "small-import", 0);
  creator = piso_creator_new (connection, plan);
  check = piso_test_creator_check (creator, 30);
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NO_SPACE);
  error = run_refused (connection, creator, NULL);
  g_assert_nonnull (strstr (error->message, "Not enough space"));

  /* Later tests make the standard pool. */
  g_assert_cmpint (virStoragePoolDestroy (pool), ==, 0);
  virStoragePoolFree (pool);
  virConnectClose (handle);
  piso_connection_close (connection);
}

static void
test_import_qcow2 (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(PisoCreatorCheck) check = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *qcow2 = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *pool = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));

  /* The hybrid ISO boots as a disk too: its qcow2 copy is the image. */
  qcow2 = guest_image ("qcow2", "import.qcow2");

  plan = make_plan (connection, PISO_INSTALL_SOURCE_IMPORT, qcow2, "import", 0);
  creator = piso_creator_new (connection, plan);

  /* The private daemon has no pool yet: creating it needs consent. */
  check = piso_test_creator_check (creator, 30);
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_NO_POOL);
  g_assert_cmpstr (piso_creator_check_get_pool_path (check), ==, "/var/lib/libvirt/images");
  error = run_refused (connection, creator, NULL);
  g_assert_cmpstr (error->message, ==,
                   piso_creator_check_get_message (check, PISO_CREATOR_PROBLEM_NO_POOL));

  piso_creator_set_consent (creator, PISO_CREATOR_PROBLEM_NO_POOL);
  machine = create_and_boot (connection, creator);
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "/var/lib/libvirt/images/"));
  g_assert_null (strstr (xml, qcow2));
  pool = piso_test_pool_snapshot (connection, "default", PISO_TEST_POOL_REFRESH);
  g_assert_nonnull (pool);
  g_assert_nonnull (strstr (pool, piso_machine_get_name (machine)));
  g_assert_nonnull (strstr (pool, "active=1"));
  /* The original is untouched. */
  g_assert_true (g_file_test (qcow2, G_FILE_TEST_IS_REGULAR));
  piso_connection_close (connection);
}

static void
test_import_vmdk (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vmdk = NULL;
  g_autofree char *xml = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  vmdk = guest_image ("vmdk", "import.vmdk");

  /* VMDK is converted to qcow2 on the way into the pool. */
  plan = make_plan (connection, PISO_INSTALL_SOURCE_IMPORT, vmdk, "vmdk", 0);
  creator = piso_creator_new (connection, plan);
  machine = create_and_boot (connection, creator);
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "type='qcow2'"));
  g_assert_null (strstr (xml, vmdk));
  /* No temporary conversion is left behind. */
  {
    g_autofree char *piso_cache = g_build_filename (cache_dir, "piso", NULL);
    g_autoptr(GDir) dir = g_dir_open (piso_cache, 0, NULL);
    const char *file;

    while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (file, "import-"));
  }
  piso_connection_close (connection);
}

/* ---- an appliance -------------------------------------------------------- */

/* An OVF as VMware writes one for a small Linux machine: one processor,
 * 512 MiB, the disk on a SCSI controller, no network card; an OS type
 * Piso does not know (a generic OS, as the assistant's default). */
static const char appliance_ovf[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
  "          xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
  "          xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\"\n"
  "          xmlns:vmw=\"http://www.vmware.com/schema/ovf\">\n"
  "  <References><File ovf:href=\"guest-disk1.vmdk\" ovf:id=\"file1\"/></References>\n"
  "  <DiskSection><Info>Disks</Info>\n"
  "    <Disk ovf:capacity=\"%" G_GUINT64_FORMAT "\" ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\"/>\n"
  "  </DiskSection>\n"
  "  <VirtualSystem ovf:id=\"vm\"><Info>A virtual machine</Info><Name>Guest Appliance</Name>\n"
  "    <OperatingSystemSection ovf:id=\"101\" vmw:osType=\"other5xLinux64Guest\"><Info>OS</Info>\n"
  "    </OperatingSystemSection>\n"
  "    <VirtualHardwareSection><Info>Hardware</Info>\n"
  "      <Item><rasd:ElementName>1 virtual CPU</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID>\n"
  "        <rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>\n"
  "      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n"
  "        <rasd:ElementName>512MB of memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID>\n"
  "        <rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>512</rasd:VirtualQuantity></Item>\n"
  "      <Item><rasd:Address>0</rasd:Address><rasd:ElementName>SCSI Controller 0</rasd:ElementName>\n"
  "        <rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>\n"
  "        <rasd:ResourceType>6</rasd:ResourceType></Item>\n"
  "      <Item><rasd:AddressOnParent>0</rasd:AddressOnParent><rasd:ElementName>Hard Disk 1</rasd:ElementName>\n"
  "        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID>\n"
  "        <rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>\n"
  "    </VirtualHardwareSection>\n"
  "  </VirtualSystem>\n"
  "</Envelope>\n";

/* The guest as an appliance: work_dir/guest.ova holding the descriptor,
 * its manifest and the guest's hybrid ISO as a VMDK */
static char *
guest_appliance (void)
{
  g_autofree char *dir = g_build_filename (work_dir, "appliance", NULL);
  g_autofree char *vmdk = NULL;
  g_autofree char *ovf = g_build_filename (dir, "guest.ovf", NULL);
  g_autofree char *mf = g_build_filename (dir, "guest.mf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *ovf_digest = NULL;
  g_autofree char *vmdk_digest = NULL;
  g_autofree char *manifest = NULL;
  char *ova = g_build_filename (work_dir, "guest.ova", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  vmdk = guest_image ("vmdk", "appliance/guest-disk1.vmdk");
  text = g_strdup_printf (appliance_ovf, (guint64) piso_live_file_size (piso_live_guest_iso ()));
  g_assert_true (g_file_set_contents (ovf, text, -1, NULL));
  ovf_digest = piso_test_file_digest (ovf, G_CHECKSUM_SHA256);
  vmdk_digest = piso_test_file_digest (vmdk, G_CHECKSUM_SHA256);
  manifest = g_strdup_printf ("SHA256(guest.ovf)= %s\nSHA256(guest-disk1.vmdk)= %s\n",
                              ovf_digest, vmdk_digest);
  g_assert_true (g_file_set_contents (mf, manifest, -1, NULL));
  piso_test_spawn ((const char *[]) { "tar", "--format=ustar", "-C", dir, "-cf", ova, "guest.ovf",
                                      "guest.mf", "guest-disk1.vmdk", NULL });
  return ova;
}

static void
test_appliance (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoExportAppliance) appliance = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ova = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *listing = NULL;
  gint64 start;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  ova = guest_appliance ();

  /* Read, checked against its manifest, its disk converted */
  start = g_get_monotonic_time ();
  appliance = piso_export_appliance_new (ova);
  piso_export_appliance_load_async (appliance, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 120);
  g_assert_true (piso_export_appliance_load_finish (appliance, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) piso_export_appliance_get_disks (appliance)), ==, 1);

  /* As the New Machine assistant would make it, with its values */
  plan = piso_export_appliance_build_plan (appliance, connection, piso_test_loaded_catalog (), NULL);
  g_assert_cmpstr (piso_install_plan_get_name (plan), ==, "Guest Appliance");
  g_assert_cmpuint (piso_install_plan_get_vcpus (plan), ==, 1);
  g_assert_cmpuint (piso_install_plan_get_memory (plan), ==, 512 * 1024);
  g_assert_cmpint (piso_install_plan_get_firmware (plan), ==, PISO_INSTALL_FIRMWARE_BIOS);
  g_assert_cmpint (piso_install_plan_get_network (plan), ==, PISO_INSTALL_NETWORK_NONE);
  creator = piso_creator_new (connection, plan);
  /* The pool, when no test before made it */
  piso_creator_set_consent (creator, PISO_CREATOR_PROBLEM_NO_POOL);
  machine = create_and_boot (connection, creator);
  g_test_message ("the appliance was read, imported and booted in %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpstr (piso_machine_get_name (machine), ==, "Guest Appliance");
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "/var/lib/libvirt/images/"));
  g_assert_nonnull (strstr (xml, "type='qcow2'"));

  /* Its converted disk goes with it (and its load's result, which holds
   * it): the pool holds the machine's own */
  g_clear_object (&result);
  g_clear_object (&appliance);
  listing = piso_test_cache_listing ();
  g_assert_null (strstr (listing, "appliance-"));
  piso_connection_close (connection);
}

/* ---- downloads from a local HTTP server ---------------------------------- */

/* Serves one file on 127.0.0.1 with Range support. Mode "drop": the first
 * full request is cut after 2 MiB (the client must resume). Mode "slow":
 * 64 KiB every 100 ms. Every request's Range header goes to LOG. */
static const char server_py[] =
  "import http.server, os, sys, time\n"
  "path, mode, port_file, log = sys.argv[1:5]\n"
  "state = {'dropped': False}\n"
  "class H(http.server.BaseHTTPRequestHandler):\n"
  "    def log_message(self, *a): pass\n"
  "    def do_GET(self):\n"
  "        size = os.path.getsize(path)\n"
  "        rng = self.headers.get('Range')\n"
  "        with open(log, 'a') as f: f.write('GET %s\\n' % rng)\n"
  "        start = int(rng.split('=')[1].split('-')[0]) if rng else 0\n"
  "        self.send_response(206 if rng else 200)\n"
  "        if rng: self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, size - 1, size))\n"
  "        self.send_header('Content-Length', str(size - start))\n"
  "        self.end_headers()\n"
  "        with open(path, 'rb') as f:\n"
  "            f.seek(start); sent = 0\n"
  "            while True:\n"
  "                chunk = f.read(65536)\n"
  "                if not chunk: break\n"
  "                try: self.wfile.write(chunk)\n"
  "                except OSError: return\n"
  "                sent += len(chunk)\n"
  "                if mode == 'slow': time.sleep(0.1)\n"
  "                if mode == 'drop' and not rng and not state['dropped'] and sent >= 2 << 20:\n"
  "                    state['dropped'] = True; self.wfile.flush(); self.connection.close(); return\n"
  "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
  "open(port_file + '.tmp', 'w').write(str(s.server_address[1]))\n"
  "os.rename(port_file + '.tmp', port_file)\n"
  "s.serve_forever()\n";

typedef struct
{
  GSubprocess *process;
  char        *url;
  char        *log;
} Server;

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static Server *
server_start (const char *mode)
{
  g_autofree char *script = g_build_filename (work_dir, "server.py", NULL);
  g_autofree char *port_file = g_build_filename (work_dir, "port", NULL);
  g_autofree char *port = NULL;
  g_autoptr(GError) error = NULL;
  Server *server = g_new0 (Server, 1);

  g_unlink (port_file);
  server->log = g_build_filename (work_dir, "server.log", NULL);
  g_unlink (server->log);
  g_assert_true (g_file_set_contents (script, server_py, -1, NULL));
  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "python3", script,
                                      piso_live_guest_iso (), mode, port_file, server->log, NULL);
  g_assert_no_error (error);
  piso_test_wait_until (file_exists, port_file, 20, "the HTTP server");
  g_assert_true (g_file_get_contents (port_file, &port, NULL, NULL));
  server->url = g_strdup_printf ("http://127.0.0.1:%s/piso-guest.iso", port);
  return server;
}

static void
server_stop (Server *server)
{
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  g_free (server->url);
  g_free (server->log);
  g_free (server);
}

static char *
iso_sha256 (void)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (piso_live_guest_iso (), &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static void
record_stage (PisoCreator *creator,
              GParamSpec  *pspec,
              GArray      *stages)
{
  PisoCreatorStage stage = piso_creator_get_stage (creator);

  g_array_append_val (stages, stage);
}

static void
test_download (void)
{
  g_autoptr(GArray) stages = g_array_new (FALSE, FALSE, sizeof (PisoCreatorStage));
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *log = NULL;
  g_autofree char *downloads = g_build_filename (cache_dir, "piso", "downloads", NULL);
  g_autofree char *xml = NULL;
  Server *server;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  server = server_start ("drop");

  plan = make_plan (connection, PISO_INSTALL_SOURCE_URL, server->url, "download", 0);
  creator = piso_creator_new (connection, plan);
  sha = iso_sha256 ();
  piso_creator_set_sha256 (creator, sha);
  g_signal_connect (creator, "notify::stage", G_CALLBACK (record_stage), stages);
  machine = create_and_boot (connection, creator);

  /* Forward only: downloading, copying into the pool, defining, starting. */
  {
    const PisoCreatorStage expected[] = {
      PISO_CREATOR_STAGE_DOWNLOADING, PISO_CREATOR_STAGE_COPYING, PISO_CREATOR_STAGE_DEFINING,
      PISO_CREATOR_STAGE_STARTING, PISO_CREATOR_STAGE_DONE,
    };

    g_assert_cmpmem (stages->data, stages->len * sizeof (PisoCreatorStage), expected, sizeof expected);
  }

  /* The server cut the first transfer; the rest came with a Range request. */
  g_assert_true (g_file_get_contents (server->log, &log, NULL, NULL));
  g_test_message ("server saw: %s", log);
  g_assert_nonnull (strstr (log, "GET None\n"));
  g_assert_nonnull (strstr (log, "GET bytes=2"));
  /* The ISO is in the pool; the local download is gone. */
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "/var/lib/libvirt/images/piso-guest"));
  g_assert_cmpuint (count_files (downloads), ==, 0);
  server_stop (server);
  piso_connection_close (connection);
}

static void
cancel_when_downloading (PisoCreator  *creator,
                         GParamSpec   *pspec,
                         GCancellable *cancellable)
{
  if (piso_creator_get_stage (creator) == PISO_CREATOR_STAGE_DOWNLOADING &&
      piso_creator_get_progress (creator) > 0.05)
    g_cancellable_cancel (cancellable);
}

static void
test_download_cancel (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *downloads = g_build_filename (cache_dir, "piso", "downloads", NULL);
  Server *server;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));
  server = server_start ("slow");

  plan = make_plan (connection, PISO_INSTALL_SOURCE_URL, server->url, "cancel", 0);
  creator = piso_creator_new (connection, plan);
  g_signal_connect (creator, "notify::progress", G_CALLBACK (cancel_when_downloading), cancellable);
  error = run_refused (connection, creator, cancellable);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Neither the download nor its .part is left. */
  g_assert_cmpuint (count_files (downloads), ==, 0);
  server_stop (server);
  piso_connection_close (connection);
}

static void
test_unreadable_media (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(PisoCreatorCheck) check = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *private_dir = g_build_filename (work_dir, "private", NULL);
  g_autofree char *iso = g_build_filename (private_dir, "installer.iso", NULL);
  g_autofree char *data = NULL;
  g_autofree char *xml = NULL;
  const char *message;
  gsize len;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));

  /* A folder like a private home: closed to the QEMU user. */
  g_assert_cmpint (g_mkdir (private_dir, 0700), ==, 0);
  g_assert_true (g_file_get_contents (piso_live_guest_iso (), &data, &len, NULL));
  g_assert_true (g_file_set_contents (iso, data, len, NULL));

  plan = make_plan (connection, PISO_INSTALL_SOURCE_MEDIA, iso, "private", 0);
  creator = piso_creator_new (connection, plan);
  check = piso_test_creator_check (creator, 30);
  g_assert_cmpuint (piso_creator_check_get_problems (check), ==, PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE);
  message = piso_creator_check_get_message (check, PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "libvirt-qemu"));
  g_assert_nonnull (strstr (message, private_dir));

  /* Refused without consent; nothing made. */
  error = run_refused (connection, creator, NULL);
  g_assert_cmpstr (error->message, ==, message);

  /* With consent it is copied into the pool and boots from there. */
  piso_creator_set_consent (creator, PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE);
  machine = create_and_boot (connection, creator);
  xml = piso_test_machine_xml (machine);
  g_assert_nonnull (strstr (xml, "/var/lib/libvirt/images/installer"));
  g_assert_null (strstr (xml, private_dir));
  piso_connection_close (connection);
}

static void
test_libvirt_refuses (void)
{
  g_autoptr(PisoConnection) connection = NULL;
  g_autoptr(PisoInstallPlan) plan = NULL;
  g_autoptr(PisoCreator) creator = NULL;
  g_autoptr(GError) error = NULL;

  PISO_LIVE_REQUIRE (live, skip_reason);
  connection = piso_test_open_connection (piso_live_daemon_get_uri (live));

  /* No emulator for this architecture here: the definition fails after
   * the 64 MiB disk was made, and the disk goes again. */
  plan = make_plan (connection, PISO_INSTALL_SOURCE_MEDIA, piso_live_guest_iso (), "refused", 64 * MiB);
  g_object_set (plan, "arch", "sparc64", NULL);
  creator = piso_creator_new (connection, plan);
  error = run_refused (connection, creator, NULL);
  piso_connection_close (connection);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* Set before GLib reads it: downloads and conversions land here. */
  work_dir = g_strdup ("/var/tmp/piso-create-XXXXXX");
  g_assert_nonnull (g_mkdtemp_full (work_dir, 0755));
  cache_dir = g_build_filename (work_dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_dir, TRUE);

  g_assert_true (piso_backend_init (NULL));
  live = piso_live_daemon_start (&skip_reason);

  g_test_add_func ("/live/create/from-iso", test_from_iso);
  g_test_add_func ("/live/create/not-enough-space", test_not_enough_space);
  g_test_add_func ("/live/create/import-qcow2", test_import_qcow2);
  g_test_add_func ("/live/create/import-vmdk", test_import_vmdk);
  g_test_add_func ("/live/create/appliance", test_appliance);
  g_test_add_func ("/live/create/download", test_download);
  g_test_add_func ("/live/create/download-cancel", test_download_cancel);
  g_test_add_func ("/live/create/unreadable-media", test_unreadable_media);
  g_test_add_func ("/live/create/libvirt-refuses", test_libvirt_refuses);

  ret = g_test_run ();

  piso_live_daemon_free (live);
  {
    const char *rm[] = { "rm", "-rf", work_dir, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (work_dir);
  g_free (cache_dir);
  g_free (skip_reason);
  return ret;
}
