/* piso-machine-change.c: what a change to a machine did
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-change"

#include "config.h"

#include "piso-machine-change.h"
#include "piso-machine-edit-private.h"

struct _PisoChange
{
  PisoChangeScope  scope;
  char            *message;
  gboolean         force_possible;
};

G_DEFINE_BOXED_TYPE (PisoChange, piso_change, piso_change_copy, piso_change_free)

PisoChange *
_piso_change_new (PisoChangeScope  scope,
                  const char      *message,
                  gboolean         force_possible)
{
  PisoChange *self = g_new0 (PisoChange, 1);

  self->scope = scope;
  self->message = g_strdup (message);
  self->force_possible = force_possible;
  return self;
}

PisoChange *
piso_change_copy (const PisoChange *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return _piso_change_new (self->scope, self->message, self->force_possible);
}

void
piso_change_free (PisoChange *self)
{
  if (self == NULL)
    return;
  g_free (self->message);
  g_free (self);
}

PisoChangeScope
piso_change_get_scope (const PisoChange *self)
{
  g_return_val_if_fail (self != NULL, PISO_CHANGE_SCOPE_NONE);
  return self->scope;
}

gboolean
piso_change_get_live (const PisoChange *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return (self->scope & PISO_CHANGE_SCOPE_NOW) != 0;
}

const char *
piso_change_get_message (const PisoChange *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->message;
}

gboolean
piso_change_get_force_possible (const PisoChange *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->force_possible;
}
