/* piso-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/xpathInternals.h>

#include "piso-backend-private.h"

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

/* Removes `path` and, when it is a directory (not followed when a link),
 * everything under it */
static void
remove_tree (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
remove_fixture_dirs (void)
{
  for (guint i = 0; fixture_dirs != NULL && i < fixture_dirs->len; i++)
    remove_tree (g_ptr_array_index (fixture_dirs, i));
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

void
piso_test_isolate_cache (void)
{
  g_autofree char *dir = piso_test_make_temp_dir ();

  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
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

typedef struct
{
  PisoConnection *connection;
  const char     *name;
  gboolean        listed;
} NameWait;

static gboolean
name_as_wanted (gpointer user_data)
{
  NameWait *w = user_data;

  return (piso_connection_lookup_machine_by_name (w->connection, w->name) != NULL) == w->listed;
}

void
piso_test_wait_listed (PisoConnection *connection,
                       const char     *name,
                       gboolean        listed,
                       guint           timeout_s)
{
  NameWait w = { connection, name, listed };
  g_autofree char *what = g_strdup_printf ("%s to be %s %s", name, listed ? "listed on" : "gone from",
                                           piso_connection_get_uri (connection));

  piso_test_wait_until (name_as_wanted, &w, timeout_s, what);
}

PisoMachine *
piso_test_define (PisoConnection *connection,
                  const char     *xml)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PisoMachine *machine;

  piso_connection_define_xml_async (connection, xml, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 60);
  machine = piso_connection_define_xml_finish (connection, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (machine);
  return machine;
}

char *
piso_test_domain_xml (const char *name,
                      const char *devices)
{
  return g_strdup_printf ("<domain type='test'><name>%s</name><memory unit='MiB'>64</memory>"
                          "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>",
                          name, devices != NULL ? devices : "");
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

int
piso_test_compare_strings (gconstpointer a,
                           gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char *
piso_test_list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, piso_test_compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

char *
piso_test_pool_snapshot (PisoConnection    *connection,
                         const char        *pool_name,
                         PisoTestPoolFlags  flags)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  virStoragePoolPtr pool = virStoragePoolLookupByName (handle, pool_name);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  virStorageVolPtr *vols = NULL;
  int n;

  if (pool == NULL)
    {
      virResetLastError ();
      virConnectClose (handle);
      return NULL;
    }
  if (flags & PISO_TEST_POOL_REFRESH)
    virStoragePoolRefresh (pool, 0);
  n = virStoragePoolListAllVolumes (pool, &vols, 0);
  g_assert_cmpint (n, >=, 0);
  for (int i = 0; i < n; i++)
    {
      virStorageVolInfo info;

      if (flags & PISO_TEST_POOL_ALLOCATION)
        {
          g_assert_cmpint (virStorageVolGetInfo (vols[i], &info), ==, 0);
          g_ptr_array_add (lines, g_strdup_printf ("%s=%llu", virStorageVolGetName (vols[i]),
                                                   info.allocation));
        }
      else
        g_ptr_array_add (lines, g_strdup (virStorageVolGetName (vols[i])));
      virStorageVolFree (vols[i]);
    }
  free (vols);
  g_ptr_array_sort (lines, piso_test_compare_strings);
  g_ptr_array_add (lines, g_strdup_printf ("active=%d", virStoragePoolIsActive (pool)));
  g_ptr_array_add (lines, NULL);
  virStoragePoolFree (pool);
  virConnectClose (handle);
  return g_strjoinv (" ", (char **) lines->pdata);
}

char *
piso_test_machines_snapshot (PisoConnection *connection)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  GListModel *model = piso_connection_get_machines (connection);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  virDomainPtr *doms = NULL;
  int n = virConnectListAllDomains (handle, &doms, 0);

  g_assert_cmpint (n, >=, 0);
  for (int i = 0; i < n; i++)
    {
      g_ptr_array_add (names, g_strdup_printf ("libvirt:%s", virDomainGetName (doms[i])));
      virDomainFree (doms[i]);
    }
  free (doms);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (model, i);

      g_ptr_array_add (names, g_strdup_printf ("piso:%s", piso_machine_get_name (machine)));
    }
  g_ptr_array_sort (names, piso_test_compare_strings);
  g_ptr_array_add (names, NULL);
  virConnectClose (handle);
  return g_strjoinv (" ", (char **) names->pdata);
}

void
piso_test_xml_parse (PisoTestXml *x,
                     const char  *text)
{
  x->doc = xmlReadMemory (text, strlen (text), "domain.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (x->doc);
  x->ctx = xmlXPathNewContext (x->doc);
  xmlXPathRegisterNs (x->ctx, BAD_CAST "lo", BAD_CAST "http://libosinfo.org/xmlns/libvirt/domain/1.0");
  xmlXPathRegisterNs (x->ctx, BAD_CAST "piso", BAD_CAST "https://pisovm.github.io/xmlns/libvirt/install/1");
}

void
piso_test_xml_clear (PisoTestXml *x)
{
  g_clear_pointer (&x->ctx, xmlXPathFreeContext);
  g_clear_pointer (&x->doc, xmlFreeDoc);
}

guint
piso_test_xml_count (PisoTestXml *x,
                     const char  *xpath)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression (BAD_CAST xpath, x->ctx);
  guint n;

  g_assert_nonnull (obj);
  n = obj->nodesetval != NULL ? (guint) obj->nodesetval->nodeNr : 0;
  xmlXPathFreeObject (obj);
  return n;
}

char *
piso_test_xml_string (PisoTestXml *x,
                      const char  *xpath)
{
  g_autofree char *expr = g_strdup_printf ("string(%s)", xpath);
  xmlXPathObjectPtr obj = xmlXPathEvalExpression (BAD_CAST expr, x->ctx);
  char *value;

  g_assert_nonnull (obj);
  value = g_strdup ((const char *) obj->stringval);
  xmlXPathFreeObject (obj);
  return value;
}

char *
piso_test_machine_xml (PisoMachine *machine)
{
  virDomainPtr dom = _piso_machine_ref_handle (machine);
  char *xml = virDomainGetXMLDesc (dom, 0);

  virDomainFree (dom);
  g_assert_nonnull (xml);
  return xml;
}

PisoOsCatalog *
piso_test_loaded_catalog (void)
{
  PisoOsCatalog *catalog = piso_os_catalog_get_default ();

  if (!piso_os_catalog_is_loaded (catalog))
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      piso_os_catalog_load_async (catalog, NULL, piso_test_store_result_cb, &result);
      piso_test_wait_result (&result, 60);
      g_assert_true (piso_os_catalog_load_finish (catalog, result, &error));
      g_assert_no_error (error);
    }
  g_assert_true (piso_os_catalog_is_loaded (catalog));
  return catalog;
}

PisoCreatorCheck *
piso_test_creator_check (PisoCreator *creator,
                         guint        timeout_s)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PisoCreatorCheck *check;

  piso_creator_check_async (creator, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, timeout_s);
  check = piso_creator_check_finish (creator, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (check);
  return check;
}

PisoMachine *
piso_test_creator_run (PisoCreator   *creator,
                       GCancellable  *cancellable,
                       guint          timeout_s,
                       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_creator_run_async (creator, cancellable, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, timeout_s);
  return piso_creator_run_finish (creator, result, error);
}

GError *
piso_test_creator_refused (PisoConnection    *connection,
                           PisoCreator       *creator,
                           GCancellable      *cancellable,
                           PisoTestPoolFlags  flags,
                           guint              timeout_s)
{
  g_autofree char *pool_before = piso_test_pool_snapshot (connection, "default", flags);
  g_autofree char *machines_before = piso_test_machines_snapshot (connection);
  g_autofree char *pool_after = NULL;
  g_autofree char *machines_after = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  GError *error = NULL;

  machine = piso_test_creator_run (creator, cancellable, timeout_s, &error);
  g_assert_null (machine);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);

  /* Let undefine events reach the model before comparing it. */
  piso_test_spin (300);
  pool_after = piso_test_pool_snapshot (connection, "default", flags);
  machines_after = piso_test_machines_snapshot (connection);
  g_assert_cmpstr (pool_after, ==, pool_before);
  g_assert_cmpstr (machines_after, ==, machines_before);
  return error;
}

void
piso_test_fixture_setup (PisoTestFixture *f,
                         gconstpointer    data)
{
  g_autofree char *uri = piso_test_fixture_uri (data != NULL ? data : "basic.xml");

  f->conn = piso_test_open_connection (uri);
}

static gboolean
pointer_cleared (gpointer user_data)
{
  return *(gpointer *) user_data == NULL;
}

void
piso_test_fixture_teardown (PisoTestFixture *f,
                            gconstpointer    data)
{
  gpointer conn = f->conn;

  piso_connection_close (f->conn);
  /* A worker thread can hold its task (and through it the connection)
   * for a moment after the task's result reached the test (seen under
   * load on Debian 13): the connection must go, soon */
  g_object_add_weak_pointer (G_OBJECT (conn), &conn);
  g_object_unref (f->conn);
  piso_test_wait_until (pointer_cleared, &conn, 5, "the connection to be finalized");
}

PisoMachine *
piso_test_find_machine (PisoConnection *connection,
                        const char     *name)
{
  PisoMachine *machine = piso_connection_lookup_machine_by_name (connection, name);

  g_assert_nonnull (machine);
  return machine;
}

void
piso_test_spawn (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  /* Captured: a line the tool prints on the test's own output would be
   * read as TAP (swaymsg answers with JSON). */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", argv[0], out, err);
  if (out[0] != '\0')
    g_test_message ("%s: %s", argv[0], g_strstrip (out));
}

gboolean
piso_test_volume_exists (PisoConnection *connection,
                         const char     *path)
{
  virConnectPtr handle = _piso_connection_ref_handle (connection);
  virStorageVolPtr vol = virStorageVolLookupByPath (handle, path);
  gboolean exists = vol != NULL;

  if (vol != NULL)
    virStorageVolFree (vol);
  virResetLastError ();
  virConnectClose (handle);
  return exists;
}

char *
piso_test_machine_definition (PisoMachine *machine)
{
  virDomainPtr dom = _piso_machine_ref_handle (machine);
  char *xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);

  virDomainFree (dom);
  g_assert_nonnull (xml);
  return xml;
}

gboolean
piso_test_host_offers_uefi (PisoMachine *machine)
{
  virDomainPtr dom = _piso_machine_ref_handle (machine);
  const char *type = piso_machine_boot_get_machine_type (piso_machine_get_boot (machine));
  g_autofree char *xml = piso_test_machine_definition (machine);
  g_autofree char *virt = NULL;
  char *caps;
  gboolean offers = TRUE;  /* no capabilities at all: Piso does not ask, and allows it */

  /* Asked as Piso asks: for the definition's virtualization type */
  if (g_regex_match_simple ("^<domain type='", xml, 0, 0))
    virt = g_strndup (xml + strlen ("<domain type='"), strcspn (xml + strlen ("<domain type='"), "'"));
  caps = virConnectGetDomainCapabilities (virDomainGetConnect (dom), NULL, "x86_64", type, virt, 0);

  if (caps != NULL)
    offers = strstr (caps, "<value>efi</value>") != NULL;
  virResetLastError ();
  virDomainFree (dom);
  free (caps);
  g_test_message ("the host's domain capabilities %s UEFI", offers ? "allow" : "offer no");
  return offers;
}

typedef struct
{
  GObject    *object;
  const char *property;
  guint64     value;
} PropertyWait;

static gboolean
property_is (gpointer user_data)
{
  PropertyWait *w = user_data;
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (w->object), w->property);
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_nonnull (pspec);
  g_value_init (&value, pspec->value_type);
  g_object_get_property (w->object, w->property, &value);
  if (pspec->value_type == G_TYPE_UINT64)
    return g_value_get_uint64 (&value) == w->value;
  if (pspec->value_type == G_TYPE_UINT)
    return g_value_get_uint (&value) == w->value;
  return g_value_get_boolean (&value) == (gboolean) w->value;
}

void
piso_test_wait_property (gpointer    object,
                         const char *property,
                         guint64     value)
{
  PropertyWait w = { object, property, value };
  g_autofree char *what = g_strdup_printf ("%s to become %" G_GUINT64_FORMAT, property, value);

  piso_test_wait_until (property_is, &w, 10, what);
}

void
piso_test_flip_byte (const char *path,
                     gsize       offset)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  g_assert_cmpuint (offset, <, length);
  data[offset] ^= 0x01;
  g_assert_true (g_file_set_contents (path, data, length, NULL));
}

void
piso_test_replace_in_file (const char *path,
                           const char *from,
                           const char *to)
{
  g_autofree char *data = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *joined = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  g_assert_nonnull (strstr (data, from));
  parts = g_strsplit (data, from, -1);
  joined = g_strjoinv (to, parts);
  g_assert_true (g_file_set_contents (path, joined, -1, NULL));
}

char *
piso_test_cache_listing (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "piso", NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_strdup ("");
  return piso_test_list_dir (dir);
}

/* ---- appliances (OVA, OVF) ---- */

char *
piso_test_ovf_fixture (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "ovf", "appliance.ovf", NULL);
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  return data;
}

char *
piso_test_ovf_fixture_for (const char *os_type)
{
  g_autofree char *text = piso_test_ovf_fixture ();
  g_auto(GStrv) parts = g_strsplit (text, "debian11_64Guest", -1);

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strjoinv (os_type, parts);
}

char *
piso_test_file_digest (const char    *path,
                       GChecksumType  type)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  return g_compute_checksum_for_data (type, (const guint8 *) data, length);
}

/* A VMDK (streamOptimized, as VMware exports) of @mib MiB whose first MiB
 * is the byte @fill. */
static void
make_vmdk (const char *dir,
           const char *name,
           guint       mib,
           char        fill)
{
  g_autofree char *raw = g_build_filename (dir, "raw.img", NULL);
  g_autofree char *vmdk = g_build_filename (dir, name, NULL);
  g_autofree char *data = g_malloc (1024 * 1024);
  g_autofree char *size = g_strdup_printf ("%uM", mib);
  const char *create[] = { "qemu-img", "create", "-q", "-f", "raw", raw, size, NULL };
  const char *convert[] = { "qemu-img", "convert", "-q", "-f", "raw", "-O", "vmdk",
                            "-o", "subformat=streamOptimized", raw, vmdk, NULL };
  FILE *file;

  piso_test_spawn (create);
  memset (data, fill, 1024 * 1024);
  file = fopen (raw, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (data, 1, 1024 * 1024, file), ==, 1024 * 1024);
  fclose (file);
  piso_test_spawn (convert);
  g_unlink (raw);
}

/* The appliance's files in a fresh folder: the descriptor (with @ovf_text,
 * the fixture when NULL), both disks and, with @manifest, its .mf (SHA-256
 * for the descriptor and the first disk, SHA-1 for the second, as older
 * exports write). Returns the folder. */
char *
piso_test_make_appliance (const char *ovf_text,
                          gboolean    manifest)
{
  g_autofree char *fixture = piso_test_ovf_fixture ();
  char *dir = piso_test_make_temp_dir ();
  g_autofree char *ovf = g_build_filename (dir, "appliance.ovf", NULL);
  g_autofree char *disk1 = g_build_filename (dir, "appliance-disk1.vmdk", NULL);
  g_autofree char *disk2 = g_build_filename (dir, "appliance-disk2.vmdk", NULL);

  g_assert_true (g_file_set_contents (ovf, ovf_text != NULL ? ovf_text : fixture, -1, NULL));
  make_vmdk (dir, "appliance-disk1.vmdk", 16, 'S');
  make_vmdk (dir, "appliance-disk2.vmdk", 8, 'D');
  if (manifest)
    {
      g_autofree char *mf = g_build_filename (dir, "appliance.mf", NULL);
      g_autofree char *d0 = piso_test_file_digest (ovf, G_CHECKSUM_SHA256);
      g_autofree char *d1 = piso_test_file_digest (disk1, G_CHECKSUM_SHA256);
      g_autofree char *d2 = piso_test_file_digest (disk2, G_CHECKSUM_SHA1);
      g_autofree char *text = g_strdup_printf ("SHA256(appliance.ovf)= %s\n"
                                               "SHA256(appliance-disk1.vmdk)= %s\n"
                                               "SHA1(appliance-disk2.vmdk)= %s\n", d0, d1, d2);

      g_assert_true (g_file_set_contents (mf, text, -1, NULL));
    }
  return dir;
}

/* The folder's appliance as an .ova (the descriptor first, as the OVF
 * specification asks), made by tar. */
char *
piso_test_make_ova (const char *dir)
{
  char *ova = g_build_filename (dir, "appliance.ova", NULL);
  const char *argv[] = { "tar", "--format=ustar", "-C", dir, "-cf", ova, "appliance.ovf",
                         "appliance.mf", "appliance-disk1.vmdk", "appliance-disk2.vmdk", NULL };

  piso_test_spawn (argv);
  return ova;
}

gboolean
piso_test_connection_settled (gpointer connection)
{
  PisoConnectionState state = piso_connection_get_state (connection);

  return state != PISO_CONNECTION_STATE_CONNECTING && state != PISO_CONNECTION_STATE_DISCONNECTED;
}

int
piso_test_pool_volumes (const char *uri,
                        const char *pool_name)
{
  virConnectPtr conn = virConnectOpen (uri);
  virStoragePoolPtr pool;
  int n;

  g_assert_nonnull (conn);
  pool = virStoragePoolLookupByName (conn, pool_name);
  g_assert_nonnull (pool);
  g_assert_cmpint (virStoragePoolRefresh (pool, 0), ==, 0);
  n = virStoragePoolNumOfVolumes (pool);
  virStoragePoolFree (pool);
  virConnectClose (conn);
  return n;
}
