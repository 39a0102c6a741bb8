/* piso-creator-private.h: PisoCreatorCheck, as the creator's inspection fills it in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-creator.h"

G_BEGIN_DECLS

struct _PisoCreatorCheck
{
  GObject             parent_instance;

  PisoCreatorProblem  problems;
  GHashTable         *messages;   /* GUINT_TO_POINTER (problem) → char* */
  guint64             needed;
  guint64             available;
  char               *pool_path;
};

/* Takes @message. */
void _piso_creator_check_add (PisoCreatorCheck   *self,
                              PisoCreatorProblem  problem,
                              char               *message);

G_END_DECLS
