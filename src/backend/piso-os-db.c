/* piso-os-db.c: operating system names from libosinfo, loaded off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libosinfo's database is a few thousand XML files: parsing them takes a
 * while and the full object graph is large. Piso only needs names, so the
 * worker thread keeps an id → name table and lets the database go.
 */
#define G_LOG_DOMAIN "piso-os-db"

#include "config.h"

#include <osinfo/osinfo.h>
#include <string.h>
#ifdef __GLIBC__
# include <malloc.h>
#endif

#include "piso-os-db.h"

/* The newest release of a family ("http://debian.org/debian/11" is the
 * newest under "http://debian.org/debian"), to name releases newer than the
 * database: guests made by newer tools than this host's osinfo-db. */
typedef struct
{
  char *version;          /* "11" */
  char *name;             /* "Debian 11" */
} Template;

typedef struct
{
  GHashTable *names;      /* id → name */
  GHashTable *templates;  /* id prefix → Template */
} LoadResult;

struct _PisoOsDb
{
  GObject     parent_instance;
  GHashTable *names;      /* id → name; NULL until loaded */
  GHashTable *templates;  /* id prefix → Template */
  gboolean    loading;
};

G_DEFINE_FINAL_TYPE (PisoOsDb, piso_os_db, G_TYPE_OBJECT)

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
piso_os_db_finalize (GObject *object)
{
  PisoOsDb *self = (PisoOsDb *)object;

  g_clear_pointer (&self->names, g_hash_table_unref);
  g_clear_pointer (&self->templates, g_hash_table_unref);

  G_OBJECT_CLASS (piso_os_db_parent_class)->finalize (object);
}

static void
piso_os_db_class_init (PisoOsDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = piso_os_db_finalize;

  /**
   * PisoOsDb::loaded:
   *
   * Emitted once on the main context when the names can be looked up.
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
piso_os_db_init (PisoOsDb *self)
{
}

PisoOsDb *
piso_os_db_get_default (void)
{
  static PisoOsDb *default_db;

  if (g_once_init_enter (&default_db))
    g_once_init_leave (&default_db, g_object_new (PISO_TYPE_OS_DB, NULL));

  return default_db;
}

static void
template_free (Template *template)
{
  g_free (template->version);
  g_free (template->name);
  g_free (template);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->names, g_hash_table_unref);
  g_clear_pointer (&result->templates, g_hash_table_unref);
  g_free (result);
}

/* "12", "24.04": only digits and dots */
static gboolean
is_plain_version (const char *version)
{
  if (version == NULL || !g_ascii_isdigit (version[0]))
    return FALSE;
  for (const char *p = version; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != '.')
      return FALSE;
  return TRUE;
}

static void
add_template (GHashTable *templates,
              const char *id,
              const char *version,
              const char *name)
{
  const char *slash = strrchr (id, '/');
  g_autofree char *prefix = NULL;
  Template *template;

  if (slash == NULL || !is_plain_version (version) || strstr (name, version) == NULL ||
      strcmp (slash + 1, version) != 0)
    return;

  prefix = g_strndup (id, slash - id);
  template = g_hash_table_lookup (templates, prefix);
  if (template != NULL && strverscmp (template->version, version) >= 0)
    return;

  template = g_new0 (Template, 1);
  template->version = g_strdup (version);
  template->name = g_strdup (name);
  g_hash_table_replace (templates, g_steal_pointer (&prefix), template);
}

static void
add_names (LoadResult *result,
           OsinfoList *list)
{
  gint n = osinfo_list_get_length (list);

  for (gint i = 0; i < n; i++)
    {
      OsinfoEntity *entity = osinfo_list_get_nth (list, i);
      const char *id = osinfo_entity_get_id (entity);
      const char *name = osinfo_product_get_name (OSINFO_PRODUCT (entity));

      if (id == NULL || name == NULL)
        continue;

      g_hash_table_insert (result->names, g_strdup (id), g_strdup (name));
      add_template (result->templates, id,
                    osinfo_product_get_version (OSINFO_PRODUCT (entity)), name);
    }
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadResult *result = g_new0 (LoadResult, 1);
  g_autoptr(OsinfoLoader) loader = osinfo_loader_new ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  result->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  result->templates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) template_free);

  osinfo_loader_process_default_path (loader, &error);
  if (error != NULL)
    g_warning ("Could not load the operating system database: %s", error->message);

  {
    OsinfoDb *db = osinfo_loader_get_db (loader);
    g_autoptr(OsinfoOsList) oses = osinfo_db_get_os_list (db);

    add_names (result, OSINFO_LIST (oses));
  }

  /* Dropping the loader drops the whole database: only the tables stay. */
  g_clear_object (&loader);
#ifdef __GLIBC__
  malloc_trim (0);
#endif

  g_debug ("Loaded %u operating system names in %.0f ms", g_hash_table_size (result->names),
           (double) (g_get_monotonic_time () - start) / 1000.0);

  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static void
load_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  PisoOsDb *self = PISO_OS_DB (object);
  LoadResult *result = g_task_propagate_pointer (G_TASK (res), NULL);

  self->loading = FALSE;
  if (result != NULL)
    {
      self->names = g_steal_pointer (&result->names);
      self->templates = g_steal_pointer (&result->templates);
      load_result_free (result);
    }
  if (self->names == NULL)
    self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_signal_emit (self, signals[LOADED], 0);
}

void
piso_os_db_ensure_loaded (PisoOsDb *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_OS_DB (self));

  if (self->names != NULL || self->loading)
    return;

  self->loading = TRUE;
  task = g_task_new (self, NULL, load_done, NULL);
  g_task_set_source_tag (task, piso_os_db_ensure_loaded);
  g_task_set_name (task, "[piso] load libosinfo database");
  g_task_run_in_thread (task, load_thread);
}

gboolean
piso_os_db_is_loaded (PisoOsDb *self)
{
  g_return_val_if_fail (PISO_IS_OS_DB (self), FALSE);

  return self->names != NULL;
}

/* "http://debian.org/debian/12" with "Debian 11" the newest known under
 * "http://debian.org/debian" gives "Debian 12", remembered for next time. */
static const char *
name_from_template (PisoOsDb   *self,
                    const char *id)
{
  const char *slash = strrchr (id, '/');
  g_autofree char *prefix = NULL;
  g_auto(GStrv) parts = NULL;
  Template *template;
  char *name;

  if (self->templates == NULL || slash == NULL || !is_plain_version (slash + 1))
    return NULL;

  prefix = g_strndup (id, slash - id);
  template = g_hash_table_lookup (self->templates, prefix);
  if (template == NULL)
    return NULL;

  parts = g_strsplit (template->name, template->version, 2);
  name = g_strconcat (parts[0], slash + 1, parts[1], NULL);
  g_hash_table_insert (self->names, g_strdup (id), name);

  return name;
}

const char *
piso_os_db_get_name (PisoOsDb   *self,
                     const char *id)
{
  g_return_val_if_fail (PISO_IS_OS_DB (self), NULL);

  const char *name;

  if (self->names == NULL || id == NULL)
    return NULL;

  name = g_hash_table_lookup (self->names, id);
  if (name == NULL)
    name = name_from_template (self, id);

  return name;
}
