/* piso-clone-private.h: the clone's definition, rewritten from the original's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"
#include "piso-cloner.h"
#include "piso-storage.h"

G_BEGIN_DECLS

/* What becomes of one disk (by target). */
typedef struct
{
  char                *target;
  PisoCloneDiskAction  action;
  char                *new_path;    /* COPY: the new file (or block device) */
  char                *new_volume;  /* COPY of a type='volume' disk: the new volume's name */
  char                *new_format;  /* COPY: its format */
} PisoCloneDiskPlan;

void _piso_clone_disk_plan_free (PisoCloneDiskPlan *plan);

typedef struct
{
  const char *old_name;
  const char *name;
  const char *uuid;
  const char *nvram_path;   /* the copied UEFI variables, or NULL */
  const char *linked_to;    /* the original's UUID for a linked clone, else NULL */
  GPtrArray  *disks;        /* PisoCloneDiskPlan */
  GHashTable *macs;         /* MAC addresses in use (lower case); new ones are added */
} PisoCloneXmlPlan;

/* The clone's domain XML from the original's inactive definition. */
char *_piso_clone_rewrite_xml (const char              *xml,
                               const PisoCloneXmlPlan  *plan,
                               GError                 **error);
/* 52:54:00:xx:xx:xx (QEMU's prefix) not in @in_use; added to it. */
char *_piso_clone_random_mac  (GHashTable              *in_use);
/* "@name-clone", or "@name-cloneN", for an original called @name (a clone
 * of a clone is not "-clone-clone"); @taken tells which names exist. */
char *_piso_clone_free_name   (const char              *name,
                               gboolean               (*taken) (const char *name,
                                                                gpointer    data),
                               gpointer                 data);

/* Tests: a stand-in for piso_storage_copy_volume (to hold a copy at a known
 * point) and a clock for the time-left estimate; NULL members (or @hooks)
 * are the real ones. Not thread-safe: set before a run. */
typedef struct
{
  PisoStorageCopyFunc  *copy;
  gint64              (*now_us) (void);
} PisoCloneTestHooks;

void _piso_clone_set_test_hooks (const PisoCloneTestHooks *hooks);

G_END_DECLS
