/* piso-clone-links.c: which machines are linked clones of which template
 *
 * A linked clone says in its metadata whose disks its disks build on
 * (piso-clone-xml.c). The connection recomputes every machine's list of
 * linked clones from those in one pass, at idle after machines come, go or
 * change that metadata: a few microseconds per machine, once per burst
 * (one main loop dispatch: a whole listing).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-clone-links"

#include "config.h"

#include "piso-connection-private.h"

static gboolean
update_clone_links (gpointer data)
{
  PisoConnection *self = data;
  g_autoptr(GHashTable) clones = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  GListModel *machines = G_LIST_MODEL (self->machines);
  guint n = g_list_model_get_n_items (machines);

  self->clone_links_source = 0;

  for (guint i = 0; i < n; i++)
    {
      PisoMachine *machine = g_list_model_get_item (machines, i);
      const char *template = piso_machine_get_linked_to (machine);

      if (template != NULL)
        {
          GPtrArray *list = g_hash_table_lookup (clones, template);

          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (clones, (gpointer) template, list);
            }
          g_ptr_array_add (list, machine);
        }
      g_object_unref (machine);   /* the store keeps it */
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PisoMachine) machine = g_list_model_get_item (machines, i);
      GPtrArray *list = g_hash_table_lookup (clones, piso_machine_get_uuid (machine));

      _piso_machine_set_linked_clones (machine, list != NULL ? list : none);
    }

  return G_SOURCE_REMOVE;
}

void
_piso_connection_queue_clone_links (PisoConnection *self)
{
  g_return_if_fail (PISO_IS_CONNECTION (self));

  /* Default priority, not idle: a busy event loop must not keep Start
   * enabled on a new template. */
  if (self->clone_links_source == 0)
    self->clone_links_source = g_idle_add_full (G_PRIORITY_DEFAULT, update_clone_links, self, NULL);
}
