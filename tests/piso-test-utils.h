/* piso-test-utils.h: helpers shared by Piso's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libxml/xpath.h>

#include "piso-backend.h"
#include "piso-creator.h"
#include "piso-os-catalog.h"

G_BEGIN_DECLS

/* Stores the GAsyncResult in *(GAsyncResult **)user_data (with a ref). */
void            piso_test_store_result_cb  (GObject      *object,
                                            GAsyncResult *result,
                                            gpointer      user_data);
/* Iterates the default main context until *result is set, or fails the
 * test after @timeout_s seconds. */
void            piso_test_wait_result      (GAsyncResult **result,
                                            guint          timeout_s);
/* Iterates until @check (user_data) returns TRUE, or fails after @timeout_s. */
void            piso_test_wait_until       (gboolean     (*check) (gpointer user_data),
                                            gpointer       user_data,
                                            guint          timeout_s,
                                            const char    *what);
/* Spins the main context for @ms milliseconds. */
void            piso_test_spin             (guint          ms);
/* Runs @argv (a NULL-terminated command, found in PATH) to completion and
 * asserts that it exited with 0. */
void            piso_test_spawn            (const char * const *argv);
/* A fresh temporary directory; it and all under it are removed at exit. */
char           *piso_test_make_temp_dir    (void);
/* A fresh XDG_CACHE_HOME of this process's own, removed at exit: tests that
 * run at once with the same fixture (and so the same machine UUIDs) must not
 * share Piso's cache of snapshot pictures. Call before anything reads it. */
void            piso_test_isolate_cache    (void);
/* Copies tests/data/@fixture to a fresh temporary file and returns
 * "test:///tmp/…/fixture.xml" (each call a new copy, so tests never share
 * state). The file is removed at exit. */
char           *piso_test_fixture_uri      (const char    *fixture);
/* Opens a PisoConnection to @uri and waits for it; fails the test on error. */
PisoConnection *piso_test_open_connection  (const char    *uri);
/* Whether the PisoConnection @connection is done connecting (connected,
 * failed or reconnecting): a piso_test_wait_until() check. */
gboolean        piso_test_connection_settled (gpointer     connection);
/* Waits until @machine's state is @state. */
void            piso_test_wait_state       (PisoMachine   *machine,
                                            PisoMachineState state,
                                            guint          timeout_s);

/* Waits until a machine called @name is listed on @connection (@listed) or
 * is not (!@listed). */
void            piso_test_wait_listed      (PisoConnection *connection,
                                            const char     *name,
                                            gboolean        listed,
                                            guint           timeout_s);
/* A small test-driver machine called @name with @devices (may be NULL) */
char           *piso_test_domain_xml       (const char     *name,
                                            const char     *devices);
/* Defines @xml through Piso and returns the machine (a new reference). */
PisoMachine    *piso_test_define           (PisoConnection *connection,
                                            const char     *xml);

typedef void     (*PisoTestAsyncFunc)  (PisoMachine         *machine,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
typedef gboolean (*PisoTestFinishFunc) (PisoMachine         *machine,
                                       GAsyncResult        *result,
                                       GError             **error);
/* Runs one lifecycle call and waits for its result. */
gboolean        piso_test_run_op           (PisoMachine        *machine,
                                            PisoTestAsyncFunc   async_func,
                                            PisoTestFinishFunc  finish_func,
                                            GError            **error);
#define PISO_TEST_RUN(machine, op, error) \
  piso_test_run_op ((machine), piso_machine_##op##_async, piso_machine_##op##_finish, (error))

/* ---- a GTest fixture: a connection to a fresh copy of basic.xml ---- */

typedef struct
{
  PisoConnection *conn;
} PisoTestFixture;

void            piso_test_fixture_setup    (PisoTestFixture   *f,
                                            gconstpointer      data);
/* Closes the connection and asserts that nothing else holds it. */
void            piso_test_fixture_teardown (PisoTestFixture   *f,
                                            gconstpointer      data);
/* The machine called @name (asserted to exist; owned by the connection). */
PisoMachine    *piso_test_find_machine     (PisoConnection    *connection,
                                            const char        *name);
/* g_test_add() with PisoTestFixture */
#define PISO_TEST_ADD_BASIC(path, func) \
  g_test_add ((path), PisoTestFixture, NULL, piso_test_fixture_setup, (func), \
              piso_test_fixture_teardown)
/* The same on a fresh copy of tests/data/@fixture */
#define PISO_TEST_ADD_FIXTURE(path, fixture, func) \
  g_test_add ((path), PisoTestFixture, (fixture), piso_test_fixture_setup, (func), \
              piso_test_fixture_teardown)

/* ---- the host's state, for "nothing changed" comparisons ---- */

/* g_ptr_array_sort() comparison for arrays of strings. */
int             piso_test_compare_strings  (gconstpointer  a,
                                            gconstpointer  b);

/* What Piso keeps in its cache folder (XDG_CACHE_HOME/piso), as
 * piso_test_list_dir says it; "" when there is none. */
char           *piso_test_cache_listing    (void);

/* Tampering with a file: one bit of the byte at @offset flipped; every
 * @from (asserted present) replaced by @to. */
void            piso_test_flip_byte        (const char        *path,
                                            gsize              offset);
void            piso_test_replace_in_file  (const char        *path,
                                            const char        *from,
                                            const char        *to);

/* The names in @dir (hidden ones too), sorted, joined by spaces: "" when
 * empty. For "nothing left behind" checks. */
char           *piso_test_list_dir         (const char        *dir);

typedef enum
{
  PISO_TEST_POOL_REFRESH    = 1 << 0,  /* refresh the pool first (real daemons) */
  PISO_TEST_POOL_ALLOCATION = 1 << 1,  /* "name=allocation" instead of "name" */
} PisoTestPoolFlags;

/* The volumes of @pool_name, sorted, then "active=0|1", joined by spaces;
 * NULL when there is no such pool. */
char           *piso_test_pool_snapshot    (PisoConnection    *connection,
                                            const char        *pool_name,
                                            PisoTestPoolFlags  flags);
/* The machines as libvirt ("libvirt:name") and Piso's model ("piso:name")
 * list them, sorted, joined by spaces. */
char           *piso_test_machines_snapshot (PisoConnection   *connection);
/* ---- PisoCreator ---- */

/* Runs the creator's check, asserts it succeeded, returns it. */
PisoCreatorCheck *piso_test_creator_check  (PisoCreator       *creator,
                                            guint              timeout_s);
/* Runs the creator and returns what piso_creator_run_finish() returns. */
PisoMachine    *piso_test_creator_run      (PisoCreator       *creator,
                                            GCancellable      *cancellable,
                                            guint              timeout_s,
                                            GError           **error);
/* Runs the creator expecting a failure, and asserts that the "default" pool
 * (snapshot with @flags) and the machine list are exactly as before.
 * Returns the error. */
GError         *piso_test_creator_refused  (PisoConnection    *connection,
                                            PisoCreator       *creator,
                                            GCancellable      *cancellable,
                                            PisoTestPoolFlags  flags,
                                            guint              timeout_s);

/* ---- domain XML, read with XPath ---- */

typedef struct
{
  xmlDocPtr          doc;
  xmlXPathContextPtr ctx;
} PisoTestXml;

/* Parses @text (asserted to be XML), with the prefixes "lo" (libosinfo's
 * metadata) and "piso" (Piso's install metadata) for XPath. */
void            piso_test_xml_parse        (PisoTestXml       *x,
                                            const char        *text);
void            piso_test_xml_clear        (PisoTestXml       *x);
guint           piso_test_xml_count        (PisoTestXml       *x,
                                            const char        *xpath);
/* string(@xpath) */
char           *piso_test_xml_string       (PisoTestXml       *x,
                                            const char        *xpath);
#define piso_test_assert_xml_count(x, xpath, n) \
  G_STMT_START { g_test_message ("%s", xpath); \
                 g_assert_cmpuint (piso_test_xml_count ((x), (xpath)), ==, (n)); } G_STMT_END
#define piso_test_assert_xml_string(x, xpath, expected) \
  G_STMT_START { g_autofree char *_v = piso_test_xml_string ((x), (xpath)); \
                 g_test_message ("%s", xpath); \
                 g_assert_cmpstr (_v, ==, (expected)); } G_STMT_END

/* @machine's current domain XML. */
char           *piso_test_machine_xml      (PisoMachine       *machine);

/* The shared PisoOsCatalog, loaded (once per run: it takes ~0.5 s). */
PisoOsCatalog  *piso_test_loaded_catalog   (void);
/* Whether a storage volume of @connection is at @path. */
gboolean        piso_test_volume_exists    (PisoConnection    *connection,
                                            const char        *path);
/* @machine's definition for its next start (inactive XML with secrets),
 * for "nothing changed" comparisons. */
char           *piso_test_machine_definition (PisoMachine     *machine);
/* Whether the host's domain capabilities list UEFI firmware for @machine's
 * machine type: libvirt 9.0's test driver does, 11.x's lists none (there
 * Piso refuses UEFI and says to install ovmf). */
gboolean        piso_test_host_offers_uefi (PisoMachine   *machine);

/* Appliances as VMware exports them. The descriptor
 * tests/data/ovf/appliance.ovf's text ("Appliance Web": 3 processors,
 * 1.5 GiB, Debian 11, UEFI, two disks, a NIC, a sound card, a CD drive,
 * VMCI and VMware settings). */
char           *piso_test_ovf_fixture      (void);
/* The same with VMware's OS type @os_type in place of "debian11_64Guest" */
char           *piso_test_ovf_fixture_for  (const char        *os_type);
/* @path's digest as the .mf writes it (lowercase hex) */
char           *piso_test_file_digest      (const char        *path,
                                            GChecksumType      type);
/* The appliance's files in a fresh folder (returned): the descriptor
 * (@ovf_text, the fixture when NULL), its disks appliance-disk1.vmdk and
 * appliance-disk2.vmdk (streamOptimized VMDKs of 16 and 8 MiB made by
 * qemu-img, whose first MiB is the byte 'S' and 'D') and, with @manifest,
 * appliance.mf (SHA-256 for the descriptor and the first disk, SHA-1 for
 * the second, as older exports write). */
char           *piso_test_make_appliance   (const char        *ovf_text,
                                            gboolean           manifest);
/* The folder's appliance as @dir/appliance.ova (a plain tar, the
 * descriptor first, as the OVF specification asks), made by tar */
char           *piso_test_make_ova         (const char        *dir);

/* Waits (up to 10 s) until @object's property @property (guint64, guint or
 * gboolean) is @value: models follow a change through a refresh after it. */
void            piso_test_wait_property    (gpointer           object,
                                            const char        *property,
                                            guint64            value);

/* The number of volumes of the pool @pool of the daemon at @uri (its own
 * connection), after a refresh (files made or removed behind libvirt's
 * back count). */
int             piso_test_pool_volumes     (const char        *uri,
                                            const char        *pool);

G_END_DECLS
