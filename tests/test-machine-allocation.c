/* test-machine-allocation.c: memory and vCPUs now and at next start; sizes in words
 *
 * On libvirt's test driver (tests/data/devices.xml), which changes memory
 * and vCPUs live as well as in the definition. Refusals must leave the
 * definition byte for byte as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "piso-test-utils.h"

#include <locale.h>

#include "piso-backend-private.h"

#define MIB 1024                      /* in KiB */
#define GIB (G_GUINT64_CONSTANT (1024) * 1024)

typedef PisoTestFixture Fixture;

/* ---- running the changes ---- */

static PisoChange *
change_memory (PisoMachine  *machine,
               gboolean      maximum,
               guint64       kib,
               GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (maximum)
    piso_machine_set_max_memory_async (machine, kib, NULL, piso_test_store_result_cb, &result);
  else
    piso_machine_set_memory_async (machine, kib, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return maximum ? piso_machine_set_max_memory_finish (machine, result, error)
                 : piso_machine_set_memory_finish (machine, result, error);
}

static PisoChange *
change_vcpus (PisoMachine  *machine,
              gboolean      maximum,
              guint         vcpus,
              GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (maximum)
    piso_machine_set_max_vcpus_async (machine, vcpus, NULL, piso_test_store_result_cb, &result);
  else
    piso_machine_set_vcpus_async (machine, vcpus, NULL, piso_test_store_result_cb, &result);
  piso_test_wait_result (&result, 30);
  return maximum ? piso_machine_set_max_vcpus_finish (machine, result, error)
                 : piso_machine_set_vcpus_finish (machine, result, error);
}

/* ---- memory ---- */

static void
test_memory_off (Fixture       *f,
                 gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachineAllocation *allocation = piso_machine_get_allocation (off);
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;

  g_assert_cmpuint (piso_machine_allocation_get_memory (allocation), ==, 1 * GIB);
  g_assert_cmpuint (piso_machine_allocation_get_max_memory (allocation), ==, 2 * GIB);
  g_assert_false (piso_machine_allocation_get_memory_live (allocation));

  change = change_memory (off, FALSE, 1536 * MIB, &error);
  g_assert_no_error (error);
  /* Off: only the definition, which is the next start. */
  g_assert_cmpint (piso_change_get_scope (change), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_false (piso_change_get_live (change));
  g_assert_null (piso_change_get_message (change));
  piso_test_wait_property (allocation, "memory", 1536 * MIB);
  g_assert_cmpuint (piso_machine_allocation_get_next_memory (allocation), ==, 1536 * MIB);
  g_assert_cmpuint (piso_machine_get_memory (off), ==, 1536 * MIB);
  xml = piso_test_machine_definition (off);
  g_assert_nonnull (strstr (xml, "<currentMemory unit='KiB'>1572864</currentMemory>"));
  g_assert_false (piso_machine_allocation_get_restart_pending (allocation));
}

static void
test_memory_refusals (Fixture       *f,
                      gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  g_autofree char *before = piso_test_machine_definition (off);
  g_autofree char *after = NULL;
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;

  /* More than the maximum: libvirt's reason, nothing written. */
  change = change_memory (off, FALSE, 3 * GIB, &error);
  g_assert_null (change);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Could not change the memory of “off”: "));
  after = piso_test_machine_definition (off);
  g_assert_cmpstr (after, ==, before);
  g_clear_error (&error);

  /* Nothing at all: refused before libvirt is asked. */
  change = change_memory (off, FALSE, 0, &error);
  g_assert_null (change);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED);
  g_clear_pointer (&after, g_free);
  after = piso_test_machine_definition (off);
  g_assert_cmpstr (after, ==, before);
}

static void
test_max_memory_off (Fixture       *f,
                     gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachineAllocation *allocation = piso_machine_get_allocation (off);
  g_autoptr(PisoChange) raised = NULL;
  g_autoptr(PisoChange) more = NULL;
  g_autoptr(PisoChange) lowered = NULL;
  g_autoptr(GError) error = NULL;

  raised = change_memory (off, TRUE, 4 * GIB, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (raised), ==, PISO_CHANGE_SCOPE_NEXT_START);
  piso_test_wait_property (allocation, "max-memory", 4 * GIB);
  g_assert_cmpuint (piso_machine_allocation_get_next_max_memory (allocation), ==, 4 * GIB);

  /* Room for more now. */
  more = change_memory (off, FALSE, 3 * GIB, &error);
  g_assert_no_error (error);
  piso_test_wait_property (allocation, "memory", 3 * GIB);

  /* A maximum below the current amount takes the current amount down. */
  lowered = change_memory (off, TRUE, 512 * MIB, &error);
  g_assert_no_error (error);
  piso_test_wait_property (allocation, "max-memory", 512 * MIB);
  g_assert_cmpuint (piso_machine_allocation_get_memory (allocation), ==, 512 * MIB);
}

static void
test_memory_running (Fixture       *f,
                     gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  PisoMachineAllocation *allocation = piso_machine_get_allocation (on);
  g_autoptr(PisoChange) now = NULL;
  g_autoptr(PisoChange) max = NULL;
  g_autoptr(PisoChange) later = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (piso_machine_allocation_get_memory_live (allocation));

  /* Live (the balloon) and kept. */
  now = change_memory (on, FALSE, 1536 * MIB, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (now), ==,
                   PISO_CHANGE_SCOPE_NOW | PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_null (piso_change_get_message (now));
  piso_test_wait_property (allocation, "memory", 1536 * MIB);
  piso_test_wait_property (allocation, "next-memory", 1536 * MIB);
  g_assert_false (piso_machine_allocation_get_restart_pending (allocation));

  /* The maximum only changes at the next start, and the model says so. */
  max = change_memory (on, TRUE, 4 * GIB, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (max), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_nonnull (strstr (piso_change_get_message (max), "restarts"));
  piso_test_wait_property (allocation, "next-max-memory", 4 * GIB);
  g_assert_cmpuint (piso_machine_allocation_get_max_memory (allocation), ==, 2 * GIB);
  g_assert_true (piso_machine_allocation_get_restart_pending (allocation));

  /* Above the running maximum: at next start, said in plain words. */
  later = change_memory (on, FALSE, 3 * GIB, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (later), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_test_message ("%s", piso_change_get_message (later));
  g_assert_nonnull (strstr (piso_change_get_message (later), "at most 2 GiB until it restarts"));
  piso_test_wait_property (allocation, "next-memory", 3 * GIB);
  g_assert_cmpuint (piso_machine_allocation_get_memory (allocation), ==, 1536 * MIB);
}

static void
test_memory_transient (Fixture       *f,
                       gconstpointer  data)
{
  PisoMachine *temp = piso_test_find_machine (f->conn, "temp");
  g_autoptr(PisoChange) now = NULL;
  g_autoptr(PisoChange) max = NULL;
  g_autoptr(GError) error = NULL;

  /* No definition: the running machine only. */
  now = change_memory (temp, FALSE, 512 * MIB, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (now), ==, PISO_CHANGE_SCOPE_NOW);
  piso_test_wait_property (piso_machine_get_allocation (temp), "memory", 512 * MIB);

  max = change_memory (temp, TRUE, 4 * GIB, &error);
  g_assert_null (max);
  g_assert_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE);
}

/* ---- vCPUs ---- */

static void
test_vcpus (Fixture       *f,
            gconstpointer  data)
{
  PisoMachine *on = piso_test_find_machine (f->conn, "on");
  PisoMachineAllocation *allocation = piso_machine_get_allocation (on);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(PisoChange) two = NULL;
  g_autoptr(PisoChange) five = NULL;
  g_autoptr(PisoChange) six = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (piso_machine_allocation_get_vcpus (allocation), ==, 1);
  g_assert_cmpuint (piso_machine_allocation_get_max_vcpus (allocation), ==, 4);
  g_assert_true (piso_machine_allocation_get_vcpus_live (allocation));

  two = change_vcpus (on, FALSE, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (two), ==,
                   PISO_CHANGE_SCOPE_NOW | PISO_CHANGE_SCOPE_NEXT_START);
  /* added processors: whether the guest uses them before a restart is its own */
  g_assert_nonnull (strstr (piso_change_get_message (two), "only after a restart"));
  piso_test_wait_property (allocation, "vcpus", 2);
  g_assert_cmpuint (piso_machine_allocation_get_next_vcpus (allocation), ==, 2);

  /* Over the maximum: refused, nothing written. */
  before = piso_test_machine_definition (on);
  five = change_vcpus (on, FALSE, 5, &error);
  g_assert_null (five);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  after = piso_test_machine_definition (on);
  g_assert_cmpstr (after, ==, before);
  g_clear_error (&error);

  six = change_vcpus (on, TRUE, 6, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (six), ==, PISO_CHANGE_SCOPE_NEXT_START);
  g_assert_nonnull (piso_change_get_message (six));
  piso_test_wait_property (allocation, "next-max-vcpus", 6);
  g_assert_cmpuint (piso_machine_allocation_get_max_vcpus (allocation), ==, 4);
  g_assert_true (piso_machine_allocation_get_restart_pending (allocation));
}

static void
test_vcpus_off (Fixture       *f,
                gconstpointer  data)
{
  PisoMachine *off = piso_test_find_machine (f->conn, "off");
  PisoMachineAllocation *allocation = piso_machine_get_allocation (off);
  g_autoptr(PisoChange) three = NULL;
  g_autoptr(PisoChange) max = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (piso_machine_allocation_get_vcpus_live (allocation));
  three = change_vcpus (off, FALSE, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (piso_change_get_scope (three), ==, PISO_CHANGE_SCOPE_NEXT_START);
  piso_test_wait_property (allocation, "vcpus", 3);

  /* A maximum below the current count takes it down. */
  max = change_vcpus (off, TRUE, 2, &error);
  g_assert_no_error (error);
  piso_test_wait_property (allocation, "max-vcpus", 2);
  g_assert_cmpuint (piso_machine_allocation_get_vcpus (allocation), ==, 2);
}

/* ---- sizes in words ---- */

static void
test_format_size (void)
{
  struct { guint64 bytes; const char *text; } sizes[] = {
    { 0, "0 B" },
    { 100, "100 B" },
    { 100 * 1024, "100 KiB" },
    { 512 * 1024 * 1024, "512 MiB" },
    { 4 * GIB * 1024, "4 GiB" },
    { 1536 * GIB, "1.5 GiB" },
    { 20 * GIB * 1024, "20 GiB" },
    /* inexact values never read like exact ones */
    { 4 * GIB * 1024 - 40 * 1024 * 1024, "3.96 GiB" },
    { 4 * GIB * 1024 - 1024, "4.00 GiB" },
    { 3900 * (guint64) 1024 * 1024, "3.8 GiB" },
    /* just under the next unit: in that unit, never "1024.00 GiB" */
    { 1024 * GIB * 1024 - 1024, "1.00 TiB" },
    { 1023 * GIB * 1024 + 512 * GIB, "1023.5 GiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *text = piso_format_size (sizes[i].bytes);

      g_assert_cmpstr (text, ==, sizes[i].text);
    }
}

static void
test_format_size_pair (void)
{
  struct { guint64 a, b; const char *ta, *tb; } pairs[] = {
    /* the "3.8 GiB of up to 3.8 GiB" */
    { 3900 * (guint64) 1024 * 1024, 3930 * (guint64) 1024 * 1024, "3.81 GiB", "3.84 GiB" },
    { 4 * GIB * 1024 - 1024, 4 * GIB * 1024, "4.00 GiB", "4 GiB" },
    { 512 * 1024 * 1024, 4 * GIB * 1024, "512 MiB", "4 GiB" },
    { 2 * GIB * 1024, 2 * GIB * 1024, "2 GiB", "2 GiB" },
    /* one KiB apart in GiB: as many decimals as it takes */
    { 4 * GIB * 1024 - 2048, 4 * GIB * 1024 - 1024, "3.999998 GiB", "3.999999 GiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *ta = NULL;
      g_autofree char *tb = NULL;

      piso_format_size_pair (pairs[i].a, pairs[i].b, &ta, &tb);
      g_assert_cmpstr (ta, ==, pairs[i].ta);
      g_assert_cmpstr (tb, ==, pairs[i].tb);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  piso_backend_init (NULL);

  PISO_TEST_ADD_FIXTURE ("/allocation/memory/off", "devices.xml", test_memory_off);
  PISO_TEST_ADD_FIXTURE ("/allocation/memory/refusals", "devices.xml", test_memory_refusals);
  PISO_TEST_ADD_FIXTURE ("/allocation/memory/maximum", "devices.xml", test_max_memory_off);
  PISO_TEST_ADD_FIXTURE ("/allocation/memory/running", "devices.xml", test_memory_running);
  PISO_TEST_ADD_FIXTURE ("/allocation/memory/transient", "devices.xml", test_memory_transient);
  PISO_TEST_ADD_FIXTURE ("/allocation/vcpus/running", "devices.xml", test_vcpus);
  PISO_TEST_ADD_FIXTURE ("/allocation/vcpus/off", "devices.xml", test_vcpus_off);
  g_test_add_func ("/format/size", test_format_size);
  g_test_add_func ("/format/size-pair", test_format_size_pair);

  return g_test_run ();
}
