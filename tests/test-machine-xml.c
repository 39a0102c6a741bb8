/* test-machine-xml.c: reading and saving a machine's definition as XML
 *
 * On libvirt's test driver (tests/data/devices.xml): a valid edit is saved,
 * what is refused leaves the definition byte for byte as it was (with the
 * line of the error when there is one), and what libvirt silently drops is
 * reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include "piso-backend-private.h"

typedef PisoTestFixture Fixture;

static char *
get_xml (PisoMachine *machine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *xml;

  piso_machine_get_xml_async (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  xml = piso_machine_get_xml_finish (machine, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (xml);
  return xml;
}

static PisoChange *
define_xml (PisoMachine   *machine,
            const char    *xml,
            char        ***dropped,
            guint         *line,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  piso_machine_define_xml_async (machine, xml, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return piso_machine_define_xml_finish (machine, result, dropped, line, error);
}

/* @xml with the first @from replaced by @to (which must be there). */
static char *
edit (const char *xml,
      const char *from,
      const char *to)
{
  const char *at = strstr (xml, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - xml), xml, to, at + strlen (from));
}

static guint
line_of (const char *xml,
         const char *needle)
{
  const char *at = strstr (xml, needle);
  guint line = 1;

  g_assert_nonnull (at);
  for (const char *p = xml; p < at; p++)
    if (*p == '\n')
      line++;
  return line;
}

/* Saving @xml must fail with @code (and @words in its message, when not
 * NULL) and leave the definition as it was; returns the error line. */
static guint
assert_refused (PisoMachine *machine,
                const char  *xml,
                int          code,
                const char  *words)
{
  g_autofree char *before = piso_test_machine_definition (machine);
  g_autofree char *after = NULL;
  g_auto(GStrv) dropped = NULL;
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  guint line = 12345;

  change = define_xml (machine, xml, &dropped, &line, &error);
  g_assert_null (change);
  g_assert_nonnull (error);
  g_test_message ("refused (line %u): %s", line, error->message);
  g_assert_error (error, PISO_BACKEND_ERROR, code);
  if (words != NULL)
    g_assert_nonnull (strstr (error->message, words));
  g_assert_cmpstrv (dropped, ((const char *[]) { NULL }));
  piso_test_spin (50);
  after = piso_test_machine_definition (machine);
  g_assert_cmpstr (after, ==, before);
  return line;
}

static void
test_get (Fixture       *f,
          gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  PisoMachine *temp = piso_test_find_machine (f->conn, "temp");
  g_autofree char *xml = get_xml (on);
  g_autofree char *definition = piso_test_machine_definition (on);
  g_autofree char *transient = get_xml (temp);

  /* The definition (what the next start uses), not the running XML. */
  g_assert_cmpstr (xml, ==, definition);
  g_assert_nonnull (strstr (xml, "<name>on</name>"));
  g_assert_null (strstr (xml, "<domain type='test' id="));
  /* A transient machine has only its running XML. */
  g_assert_nonnull (strstr (transient, "<name>temp</name>"));
}

static void
test_save (Fixture       *f,
           gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  g_autofree char *xml = get_xml (on);
  g_autofree char *edited = edit (xml, "<currentMemory unit='KiB'>1048576</currentMemory>",
                                  "<currentMemory unit='MiB'>768</currentMemory>");
  g_autofree char *saved = NULL;
  g_auto(GStrv) dropped = NULL;
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  guint line = 1;

  change = define_xml (on, edited, &dropped, &line, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (line, ==, 0);
  /* libvirt rewrites the unit, which is not a loss. */
  g_assert_cmpstrv (dropped, ((const char *[]) { NULL }));
  /* The running machine keeps its memory until it restarts. */
  g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_nonnull (strstr (piso_change_get_message (change), "restarts"));
  saved = piso_test_machine_definition (on);
  g_assert_nonnull (strstr (saved, "<currentMemory unit='KiB'>786432</currentMemory>"));
}

static void
test_not_well_formed (Fixture       *f,
                      gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  g_autofree char *xml = get_xml (off);
  g_autofree char *broken = edit (xml, "</devices>", "</device>");

  g_assert_cmpuint (assert_refused (off, broken, PISO_BACKEND_ERROR_INVALID_XML, "tag mismatch"), ==,
                    line_of (broken, "</device>"));
  g_assert_cmpuint (assert_refused (off, "", PISO_BACKEND_ERROR_INVALID_XML, NULL), ==, 1);
  assert_refused (off, "<network><name>off</name></network>", PISO_BACKEND_ERROR_INVALID_XML,
                  "<domain>");
}

static void
test_schema_refusal (Fixture       *f,
                     gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  g_autofree char *xml = get_xml (off);
  g_autofree char *unknown = edit (xml, "</devices>", "  <frobnicate/>\n  </devices>");
  g_autofree char *bad_value = edit (xml, "bus='virtio'", "bus='floppy-tape'");
  guint line;

  /* libvirt's schema check refuses what it does not know, and the local
   * copy of the schema says where. */
  line = assert_refused (off, unknown, PISO_BACKEND_ERROR_INVALID_XML, "the element <frobnicate>");
  g_assert_cmpuint (line, ==, line_of (unknown, "<frobnicate/>"));
  line = assert_refused (off, bad_value, PISO_BACKEND_ERROR_INVALID_XML,
                         "the attribute “bus” of <target>");
  g_assert_cmpuint (line, ==, line_of (bad_value, "floppy-tape"));
}

static void
test_identity_kept (Fixture       *f,
                    gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachine *temp = piso_test_find_machine (f->conn, "temp");
  g_autofree char *xml = get_xml (off);
  g_autofree char *renamed = edit (xml, "<name>off</name>", "<name>elsewhere</name>");
  g_autofree char *other_uuid = edit (xml, "000000000001</uuid>", "000000000099</uuid>");
  g_autofree char *no_uuid = edit (xml, "<uuid>", "<!-- <uuid>");
  g_autofree char *no_uuid_closed = edit (no_uuid, "</uuid>", "</uuid> -->");
  g_autofree char *temp_xml = get_xml (temp);

  assert_refused (off, renamed, PISO_BACKEND_ERROR_INVALID_NAME, "rename");
  assert_refused (off, other_uuid, PISO_BACKEND_ERROR_INVALID_NAME, "UUID");
  assert_refused (off, no_uuid_closed, PISO_BACKEND_ERROR_INVALID_NAME, "UUID");
  g_assert_nonnull (piso_connection_lookup_machine_by_name (f->conn, "off"));
  g_assert_null (piso_connection_lookup_machine_by_name (f->conn, "elsewhere"));

  /* A transient machine has no definition to save. */
  g_assert_nonnull (temp_xml);
  {
    g_autoptr(PisoChange) change = NULL;
    g_autoptr(GError) error = NULL;

    change = define_xml (temp, temp_xml, NULL, NULL, &error);
    g_assert_null (change);
    g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
  }
}

static void
test_dropped_parts (Fixture       *f,
                    gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  g_autofree char *xml = get_xml (off);
  g_autofree char *with_id = edit (xml, "<domain type='test'>", "<domain type='test' id='7'>");
  g_autofree char *with_alias = edit (with_id, "<target dev='vda' bus='virtio'/>",
                                      "<target dev='vda' bus='virtio'/>\n      <alias name='mydisk'/>");
  g_autofree char *with_default = edit (with_alias, "<driver name='qemu' type='qcow2'/>",
                                        "<driver name='qemu' type='qcow2' cache='default'/>");
  g_autofree char *expected_alias = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *saved = NULL;
  g_auto(GStrv) dropped = NULL;
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;

  /* Valid for the schema, but libvirt keeps neither a user alias without
   * "ua-" nor a running machine's id in a definition: both go silently. A
   * "default" attribute goes too, but means the same: not reported. */
  change = define_xml (off, with_default, &dropped, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; dropped[i] != NULL; i++)
    g_test_message ("dropped: %s", dropped[i]);
  expected_id = g_strdup_printf ("Attribute “id” of <domain> (line %u)", line_of (with_default, "id='7'"));
  expected_alias = g_strdup_printf ("Element <alias> in <disk> (line %u)",
                                    line_of (with_default, "<alias name='mydisk'/>"));
  g_assert_cmpstrv (dropped, ((const char *[]) { expected_id, expected_alias, NULL }));
  g_assert_nonnull (strstr (piso_change_get_message (change), "did not keep 2 parts"));
  saved = piso_test_machine_definition (off);
  g_assert_null (strstr (saved, "mydisk"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

#define ADD(path, func) PISO_TEST_ADD_FIXTURE (path, "devices.xml", func)
  ADD ("/xml/get", test_get);
  ADD ("/xml/save", test_save);
  ADD ("/xml/not-well-formed", test_not_well_formed);
  ADD ("/xml/schema-refusal", test_schema_refusal);
  ADD ("/xml/identity-kept", test_identity_kept);
  ADD ("/xml/dropped-parts", test_dropped_parts);
#undef ADD

  return g_test_run ();
}
