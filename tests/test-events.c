/* test-events.c: changes made by another client reach Piso through events
 *
 * test:///default is shared by every connection of the process, so a raw
 * libvirt connection plays "virsh in another terminal".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include <libvirt/libvirt.h>

#define OTHER_XML \
  "<domain type='test'><name>%s</name><memory unit='MiB'>256</memory>" \
  "<os><type arch='x86_64'>hvm</type></os></domain>"

static gboolean
has_machine (gpointer data)
{
  gpointer *args = data;

  return piso_connection_lookup_machine_by_name (args[0], args[1]) != NULL;
}

static gboolean
lacks_machine (gpointer data)
{
  return !has_machine (data);
}

static void
test_other_client (void)
{
  PisoConnection *conn = piso_test_open_connection ("test:///default");
  virConnectPtr other = virConnectOpen ("test:///default");
  GListModel *machines = piso_connection_get_machines (conn);
  guint n = g_list_model_get_n_items (machines);
  g_autofree char *xml = g_strdup_printf (OTHER_XML, "events-vm");
  gpointer args[2] = { conn, (gpointer) "events-vm" };
  gpointer renamed_args[2] = { conn, (gpointer) "events-vm-renamed" };
  virDomainPtr dom;
  PisoMachine *machine;

  g_assert_nonnull (other);

  /* define → a new row */
  dom = virDomainDefineXML (other, xml);
  g_assert_nonnull (dom);
  piso_test_wait_until (has_machine, args, 10, "the defined machine");
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, n + 1);
  machine = piso_connection_lookup_machine_by_name (conn, "events-vm");
  g_assert_cmpint (piso_machine_get_state (machine), ==, PISO_MACHINE_STATE_SHUTOFF);
  g_assert_cmpuint (piso_machine_get_memory (machine), ==, 256 * 1024);

  /* start, suspend, resume, destroy */
  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_PAUSED, 10);
  g_assert_cmpint (virDomainResume (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_RUNNING, 10);
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  piso_test_wait_state (machine, PISO_MACHINE_STATE_SHUTOFF, 10);

  /* rename → the same row gets the new name */
  g_assert_cmpint (virDomainRename (dom, "events-vm-renamed", 0), ==, 0);
  piso_test_wait_until (has_machine, renamed_args, 10, "the renamed machine");
  piso_test_spin (100);
  g_assert_true (piso_connection_lookup_machine_by_name (conn, "events-vm-renamed") == machine);
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, n + 1);

  /* undefine → the row goes, exactly once */
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  piso_test_wait_until (lacks_machine, renamed_args, 10, "the undefined machine to go");
  piso_test_spin (100);
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, n);

  virDomainFree (dom);
  virConnectClose (other);
  piso_connection_close (conn);
  g_assert_finalize_object (conn);
}

static void
test_vanished (void)
{
  PisoConnection *conn = piso_test_open_connection ("test:///default");
  virConnectPtr other = virConnectOpen ("test:///default");
  g_autofree char *xml = g_strdup_printf (OTHER_XML, "vanishing-vm");
  gpointer args[2] = { conn, (gpointer) "vanishing-vm" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  virDomainPtr dom;
  PisoMachine *machine;

  dom = virDomainDefineXML (other, xml);
  piso_test_wait_until (has_machine, args, 10, "the defined machine");
  machine = g_object_ref (piso_connection_lookup_machine_by_name (conn, "vanishing-vm"));

  /* Gone behind Piso's back, before Piso saw the event: the call fails
   * with a clear "vanished" error rather than a crash. */
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  piso_machine_start_async (machine, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_false (piso_machine_start_finish (machine, result, &error));
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_VANISHED);
  g_assert_nonnull (strstr (error->message, "vanishing-vm"));

  piso_test_wait_until (lacks_machine, args, 10, "the machine to go");
  g_object_unref (machine);
  virDomainFree (dom);
  virConnectClose (other);
  piso_connection_close (conn);
  g_assert_finalize_object (conn);
}

static void
test_define_through_piso (void)
{
  g_autofree char *uri = piso_test_fixture_uri ("basic.xml");
  PisoConnection *conn = piso_test_open_connection (uri);
  g_autofree char *xml = g_strdup_printf (OTHER_XML, "defined-by-piso");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoMachine) machine = NULL;
  guint n = g_list_model_get_n_items (piso_connection_get_machines (conn));

  piso_connection_define_xml_async (conn, xml, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  machine = piso_connection_define_xml_finish (conn, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (piso_machine_get_name (machine), ==, "defined-by-piso");
  piso_test_spin (200);
  /* The define event and the call's own result give one row, not two. */
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (conn)), ==, n + 1);
  g_clear_object (&result);

  piso_connection_define_xml_async (conn, "<domain>not valid", NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 10);
  g_assert_null (piso_connection_define_xml_finish (conn, result, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (g_list_model_get_n_items (piso_connection_get_machines (conn)), ==, n + 1);

  g_clear_object (&machine);
  g_clear_object (&result);
  piso_connection_close (conn);
  g_assert_finalize_object (conn);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  g_test_add_func ("/events/other-client", test_other_client);
  g_test_add_func ("/events/vanished", test_vanished);
  g_test_add_func ("/events/define-through-piso", test_define_through_piso);

  return g_test_run ();
}
