/* piso-creator-check.c: what stands in the way of a PisoCreator run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-creator"

#include "config.h"

#include "piso-creator.h"
#include "piso-creator-private.h"

G_DEFINE_FINAL_TYPE (PisoCreatorCheck, piso_creator_check, G_TYPE_OBJECT)

static void
piso_creator_check_finalize (GObject *object)
{
  PisoCreatorCheck *self = PISO_CREATOR_CHECK (object);

  g_hash_table_unref (self->messages);
  g_free (self->pool_path);
  G_OBJECT_CLASS (piso_creator_check_parent_class)->finalize (object);
}

static void
piso_creator_check_class_init (PisoCreatorCheckClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = piso_creator_check_finalize;
}

static void
piso_creator_check_init (PisoCreatorCheck *self)
{
  self->messages = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

void
_piso_creator_check_add (PisoCreatorCheck   *self,
                         PisoCreatorProblem  problem,
                         char               *message)
{
  self->problems |= problem;
  g_hash_table_replace (self->messages, GUINT_TO_POINTER (problem), message);
}

PisoCreatorProblem
piso_creator_check_get_problems (PisoCreatorCheck *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR_CHECK (self), 0);
  return self->problems;
}

gboolean
piso_creator_check_is_blocked (PisoCreatorCheck *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR_CHECK (self), TRUE);
  return (self->problems & ~PISO_CREATOR_PROBLEMS_WITH_FIX) != 0;
}

const char *
piso_creator_check_get_message (PisoCreatorCheck   *self,
                                PisoCreatorProblem  problem)
{
  g_return_val_if_fail (PISO_IS_CREATOR_CHECK (self), NULL);
  return g_hash_table_lookup (self->messages, GUINT_TO_POINTER (problem));
}

guint64
piso_creator_check_get_needed_bytes (PisoCreatorCheck *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR_CHECK (self), 0);
  return self->needed;
}

guint64
piso_creator_check_get_available_bytes (PisoCreatorCheck *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR_CHECK (self), 0);
  return self->available;
}

const char *
piso_creator_check_get_pool_path (PisoCreatorCheck *self)
{
  g_return_val_if_fail (PISO_IS_CREATOR_CHECK (self), NULL);
  return self->pool_path;
}
