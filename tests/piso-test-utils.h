/* piso-test-utils.h: helpers shared by Piso's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend.h"

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
/* A fresh temporary directory; it and its files are removed at exit. */
char           *piso_test_make_temp_dir    (void);
/* Copies tests/data/@fixture to a fresh temporary file and returns
 * "test:///tmp/…/fixture.xml" (each call a new copy, so tests never share
 * state). The file is removed at exit. */
char           *piso_test_fixture_uri      (const char    *fixture);
/* Opens a PisoConnection to @uri and waits for it; fails the test on error. */
PisoConnection *piso_test_open_connection  (const char    *uri);
/* Waits until @machine's state is @state. */
void            piso_test_wait_state       (PisoMachine   *machine,
                                            PisoMachineState state,
                                            guint          timeout_s);

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

G_END_DECLS
