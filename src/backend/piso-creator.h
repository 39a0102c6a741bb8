/* piso-creator.h: turns a PisoInstallPlan into a defined, running machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-install-plan.h"

G_BEGIN_DECLS

typedef enum
{
  PISO_CREATOR_STAGE_PREPARING,     /* checks, pool, network */
  PISO_CREATOR_STAGE_DOWNLOADING,   /* URL source */
  PISO_CREATOR_STAGE_COPYING,       /* import or media copied into the pool */
  PISO_CREATOR_STAGE_CREATING_DISK, /* the new qcow2 volume */
  PISO_CREATOR_STAGE_DEFINING,
  PISO_CREATOR_STAGE_STARTING,
  PISO_CREATOR_STAGE_DONE,
} PisoCreatorStage;

/* What piso_creator_check_async() found. Problems with a fix need the
 * user's consent (piso_creator_set_consent) before run_async applies the
 * fix; the others block creation until the plan changes. */
typedef enum /*< flags >*/
{
  PISO_CREATOR_PROBLEM_NONE              = 0,
  PISO_CREATOR_PROBLEM_NO_POOL           = 1 << 0, /* fix: define, start and autostart the standard "default" pool */
  PISO_CREATOR_PROBLEM_POOL_INACTIVE     = 1 << 1, /* fix: start it (and autostart) */
  PISO_CREATOR_PROBLEM_NO_SPACE          = 1 << 2, /* blocks: needed vs. available bytes */
  PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE  = 1 << 3, /* fix: copy the file into the pool */
  PISO_CREATOR_PROBLEM_NETWORK_MISSING   = 1 << 4, /* blocks: no "default" network; choose another */
  PISO_CREATOR_PROBLEM_NETWORK_INACTIVE  = 1 << 5, /* fix: start "default" (and autostart) */
  PISO_CREATOR_PROBLEM_NAME_TAKEN        = 1 << 6, /* blocks: a machine has this name */
  PISO_CREATOR_PROBLEM_SOURCE_MISSING    = 1 << 7, /* blocks: the file is gone or not a regular file */
} PisoCreatorProblem;

#define PISO_CREATOR_PROBLEMS_WITH_FIX \
  (PISO_CREATOR_PROBLEM_NO_POOL | PISO_CREATOR_PROBLEM_POOL_INACTIVE | \
   PISO_CREATOR_PROBLEM_MEDIA_UNREADABLE | PISO_CREATOR_PROBLEM_NETWORK_INACTIVE)

#define PISO_TYPE_CREATOR_CHECK (piso_creator_check_get_type ())

G_DECLARE_FINAL_TYPE (PisoCreatorCheck, piso_creator_check, PISO, CREATOR_CHECK, GObject)

PisoCreatorProblem  piso_creator_check_get_problems       (PisoCreatorCheck  *self);
/* TRUE when a problem without a fix is present: creation is refused. */
gboolean            piso_creator_check_is_blocked         (PisoCreatorCheck  *self);
/* A translated explanation of one problem (what happened, what the fix
 * does or what to do), or NULL when @problem is not present. */
const char         *piso_creator_check_get_message        (PisoCreatorCheck  *self,
                                                           PisoCreatorProblem problem);
/* Bytes the creation needs in the pool (new disk + copies) and what the
 * pool has free; 0 when unknown (no pool yet). */
guint64             piso_creator_check_get_needed_bytes   (PisoCreatorCheck  *self);
guint64             piso_creator_check_get_available_bytes(PisoCreatorCheck  *self);
/* Where the standard pool would be made (NO_POOL), else the pool's path. */
const char         *piso_creator_check_get_pool_path      (PisoCreatorCheck  *self);

#define PISO_TYPE_CREATOR (piso_creator_get_type ())

G_DECLARE_FINAL_TYPE (PisoCreator, piso_creator, PISO, CREATOR, GObject)

/* The plan is read when check/run start; change it between runs only. */
PisoCreator        *piso_creator_new                      (PisoConnection    *connection,
                                                           PisoInstallPlan   *plan);
PisoConnection     *piso_creator_get_connection           (PisoCreator       *self);
PisoInstallPlan    *piso_creator_get_plan                 (PisoCreator       *self);
PisoCreatorStage    piso_creator_get_stage                (PisoCreator       *self);
/* 0..1 within the current stage, or -1 when unknown. */
double              piso_creator_get_progress             (PisoCreator       *self);
/* A translated line for the current stage ("Downloading… 12 MiB of 700 MiB"). */
const char         *piso_creator_get_status_text          (PisoCreator       *self);

/* The problems whose fix the user agreed to (a subset of
 * PISO_CREATOR_PROBLEMS_WITH_FIX). run_async fails with
 * PISO_BACKEND_ERROR_FAILED and the problem's message when a problem with
 * a fix is found that was not agreed to. */
void                piso_creator_set_consent              (PisoCreator       *self,
                                                           PisoCreatorProblem consent);
PisoCreatorProblem  piso_creator_get_consent              (PisoCreator       *self);
/* Adds @problem to the consent (@agreed), or takes it away */
void                piso_creator_agree                    (PisoCreator       *self,
                                                           PisoCreatorProblem problem,
                                                           gboolean           agreed);

/* Optional: the expected SHA-256 (hex) of a URL source's file. */
void                piso_creator_set_sha256               (PisoCreator       *self,
                                                           const char        *sha256);

/* Optional: the storage pool the disks go to, by name (NULL: the standard
 * pool "default", which the run may create or start with consent). Another
 * pool must exist and be active: the check fails with the reason if not. */
void                piso_creator_set_pool                 (PisoCreator       *self,
                                                           const char        *pool);
const char         *piso_creator_get_pool                 (PisoCreator       *self);
/* Whether the run starts the machine once it is defined (TRUE, the
 * default), or leaves it shut off (an import the user starts later). */
void                piso_creator_set_start                (PisoCreator       *self,
                                                           gboolean           start);

/* Looks at the connection and the plan without changing anything. */
void                piso_creator_check_async              (PisoCreator       *self,
                                                           GCancellable      *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer           user_data);
PisoCreatorCheck   *piso_creator_check_finish             (PisoCreator       *self,
                                                           GAsyncResult      *result,
                                                           GError           **error);

/* Checks again, applies the agreed fixes, downloads/copies, creates the
 * disk, defines and starts the machine (see set_start). On failure or cancellation it
 * removes exactly what this run made (volumes, copies, partial downloads,
 * the definition, a pool it defined) and returns the error; the pool and
 * the machine list are as before. Returns the new machine. */
void                piso_creator_run_async                (PisoCreator       *self,
                                                           GCancellable      *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer           user_data);
PisoMachine        *piso_creator_run_finish               (PisoCreator       *self,
                                                           GAsyncResult      *result,
                                                           GError           **error);

G_END_DECLS
