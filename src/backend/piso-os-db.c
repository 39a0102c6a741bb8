/* piso-os-db.c: operating system names from the osinfo database, loaded off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Piso only needs the names of operating systems, so it does not load them
 * with libosinfo's OsinfoLoader: that builds the whole database (devices,
 * platforms, install scripts, every medium and tree) as objects. On Debian 12
 * (libosinfo 1.10, osinfo-db 20221130, GLib 2.74) it took 330–470 ms and left
 * +47 MiB of resident memory after the loader was dropped: GLib 2.74's slice
 * allocator keeps what it freed. This file streams the same files through
 * libxml2's reader and keeps only id → name (and the version, to name newer
 * releases): 35–60 ms and +2 MiB (0.6 MiB of it the worker thread) for the same
 * 790 names.
 *
 * It follows libosinfo's loader (osinfo_loader_process_default_path()):
 * - the directories, lowest precedence first: system ($OSINFO_SYSTEM_DIR or
 *   libosinfo's datadir/osinfo), local ($OSINFO_LOCAL_DIR or
 *   libosinfo's sysconfdir/osinfo), user ($OSINFO_USER_DIR or
 *   $XDG_CONFIG_HOME/osinfo), with libosinfo's older locations when those
 *   are missing;
 * - an OS is defined by os/<vendor>/<name>.xml, named after its id
 *   ("http://debian.org/debian/11": os/debian.org/debian-11.xml), and
 *   completed by os/<vendor>/<name>.d/<fragment>.xml. A file with the same
 *   path in a later directory replaces the earlier one and its fragments;
 *   fragments add to it. An <os> in a file not named after its id is ignored;
 * - the name is the <name xml:lang="…"> for the first of the user's languages
 *   that has one, else the untranslated <name> (libosinfo takes the last
 *   match in the file instead of the best language). Nothing else is read:
 *   not <derives-from>, <upgrades>, variants or media.
 */
#define G_LOG_DOMAIN "piso-os-db"

#include "config.h"

#include <libxml/xmlreader.h>
#include <string.h>

#include "piso-os-db-private.h"

/* Same as libosinfo: the directories it was built with (src/backend/meson.build). */
#define SYSTEM_DIR PISO_OSINFO_DATADIR "/osinfo"
#define LOCAL_DIR PISO_OSINFO_SYSCONFDIR "/osinfo"
#define OLD_LOCAL_DIR PISO_OSINFO_SYSCONFDIR "/libosinfo/db"

/* Guards against symbolic link loops: os/<vendor>/<name>.d/ is the deepest
 * place an OS can be defined. */
#define MAX_DEPTH 8

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

typedef struct
{
  GStrv dirs;             /* lowest precedence first */
  GStrv languages;        /* best first */
} LoadData;

/* The files of one OS: "os/debian.org/debian-11" */
typedef struct
{
  char      *master;      /* os/debian.org/debian-11.xml or NULL */
  GPtrArray *fragments;   /* os/debian.org/debian-11.d/<fragment>.xml */
} FileSet;

/* One <os> element of a file */
typedef struct
{
  char  *id;
  char  *name;            /* the first untranslated <name> */
  char  *translated;      /* the <name> for the best of the languages */
  guint  rank;            /* index of its language */
  char  *version;
} ParsedOs;

/* What the files say of one OS so far */
typedef struct
{
  char *name;
  char *version;
} OsEntry;

struct _PisoOsDb
{
  GObject     parent_instance;
  GStrv       dirs;       /* NULL: libosinfo's default directories */
  GStrv       languages;  /* NULL: the user's */
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

  g_clear_pointer (&self->dirs, g_strfreev);
  g_clear_pointer (&self->languages, g_strfreev);
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

PisoOsDb *
_piso_os_db_new_for_dirs (const char *const *dirs,
                          const char *const *languages)
{
  const char *const none[] = { NULL };
  PisoOsDb *self;

  g_return_val_if_fail (dirs != NULL, NULL);

  self = g_object_new (PISO_TYPE_OS_DB, NULL);
  self->dirs = g_strdupv ((char **) dirs);
  self->languages = g_strdupv ((char **) (languages != NULL ? languages : none));

  return self;
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

static void
load_data_free (LoadData *data)
{
  g_strfreev (data->dirs);
  g_strfreev (data->languages);
  g_free (data);
}

static void
replace_str (char       **str,
             const char  *value)
{
  g_free (*str);
  *str = g_strdup (value);
}

static void
file_set_free (FileSet *set)
{
  g_free (set->master);
  g_ptr_array_unref (set->fragments);
  g_free (set);
}

static void
parsed_os_free (ParsedOs *os)
{
  g_free (os->id);
  g_free (os->name);
  g_free (os->translated);
  g_free (os->version);
  g_free (os);
}

static void
os_entry_free (OsEntry *entry)
{
  g_free (entry->name);
  g_free (entry->version);
  g_free (entry);
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

/* Directories --------------------------------------------------------------- */

/* libosinfo still reads the directory of its older releases when the
 * current one is missing. */
static void
add_dir (GStrvBuilder *builder,
         const char   *dir,
         const char   *old_dir)
{
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) && g_file_test (old_dir, G_FILE_TEST_IS_DIR))
    g_strv_builder_add (builder, old_dir);
  else
    g_strv_builder_add (builder, dir);
}

static const char *
getenv_nonempty (const char *variable)
{
  const char *value = g_getenv (variable);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

static GStrv
default_dirs (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *user_dir = g_build_filename (g_get_user_config_dir (), "osinfo", NULL);
  g_autofree char *old_user_dir = g_build_filename (g_get_user_config_dir (), "libosinfo", "db",
                                                    NULL);
  const char *env;

  /* $OSINFO_DATA_DIR is libosinfo's deprecated name of $OSINFO_SYSTEM_DIR. */
  if ((env = getenv_nonempty ("OSINFO_DATA_DIR")) != NULL ||
      (env = getenv_nonempty ("OSINFO_SYSTEM_DIR")) != NULL)
    g_strv_builder_add (builder, env);
  else
    g_strv_builder_add (builder, SYSTEM_DIR);

  if ((env = getenv_nonempty ("OSINFO_LOCAL_DIR")) != NULL)
    g_strv_builder_add (builder, env);
  else
    add_dir (builder, LOCAL_DIR, OLD_LOCAL_DIR);

  if ((env = getenv_nonempty ("OSINFO_USER_DIR")) != NULL)
    g_strv_builder_add (builder, env);
  else
    add_dir (builder, user_dir, old_user_dir);

  return g_strv_builder_end (builder);
}

/* g_get_language_names() but "C", as libosinfo */
static GStrv
user_languages (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], "C") != 0)
      g_strv_builder_add (builder, names[i]);

  return g_strv_builder_end (builder);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Adds the OS files under @path ("…/os/debian.org", @relpath "os/debian.org")
 * to @found, keyed "os/debian.org/debian-11", in name order. */
static void
find_files (GHashTable *found,
            const char *path,
            const char *relpath,
            guint       depth)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Could not read the operating system database: %s", error->message);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (children, g_strdup (name));
  g_ptr_array_sort (children, compare_names);

  for (guint i = 0; i < children->len; i++)
    {
      const char *child = g_ptr_array_index (children, i);
      g_autofree char *child_path = g_build_filename (path, child, NULL);
      g_autofree char *child_relpath = g_strconcat (relpath, "/", child, NULL);
      g_autofree char *key = NULL;
      gboolean fragment = FALSE;
      FileSet *set;

      if (g_file_test (child_path, G_FILE_TEST_IS_DIR))
        {
          if (depth < MAX_DEPTH && strcmp (child, "schema") != 0)
            find_files (found, child_path, child_relpath, depth + 1);
          continue;
        }
      if (!g_str_has_suffix (child, ".xml"))
        continue;

      if (g_str_has_suffix (relpath, ".d"))
        {
          key = g_strndup (relpath, strlen (relpath) - strlen (".d"));
          fragment = TRUE;
        }
      else
        {
          key = g_strndup (child_relpath, strlen (child_relpath) - strlen (".xml"));
        }

      set = g_hash_table_lookup (found, key);
      if (set == NULL)
        {
          set = g_new0 (FileSet, 1);
          set->fragments = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (found, g_steal_pointer (&key), set);
        }
      if (fragment)
        g_ptr_array_add (set->fragments, g_steal_pointer (&child_path));
      else
        replace_str (&set->master, child_path);
    }
}

/* The files of every OS, from the directories in precedence order. */
static GHashTable *
collect_files (const char *const *dirs)
{
  GHashTable *all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) file_set_free);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) file_set_free);
      g_autofree char *os_dir = g_build_filename (dirs[i], "os", NULL);
      GHashTableIter iter;
      gpointer key, value;

      find_files (found, os_dir, "os", 0);

      g_hash_table_iter_init (&iter, found);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          FileSet *set = value;
          FileSet *old = g_hash_table_lookup (all, key);

          if (old == NULL || set->master != NULL)
            {
              /* New, or replaces the earlier file and its fragments. */
              g_hash_table_iter_steal (&iter);
              g_hash_table_replace (all, key, set);
            }
          else
            {
              for (guint f = 0; f < set->fragments->len; f++)
                g_ptr_array_add (old->fragments, g_strdup (g_ptr_array_index (set->fragments, f)));
            }
        }
    }

  return all;
}

/* Where libosinfo wants the OS @id defined: "os/debian.org/debian-11" for
 * "http://debian.org/debian/11" (osinfo_loader_check_id()). */
static char *
key_for_id (const char *id)
{
  g_autofree char *suffix = g_strdup (g_str_has_prefix (id, "http://") ? id + strlen ("http://")
                                                                       : id);
  gboolean slash = FALSE;

  for (char *p = suffix; *p != '\0'; p++)
    {
      if (*p == '/' && !slash)
        slash = TRUE;
      else if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_')
        *p = '-';
    }

  return g_strconcat ("os/", suffix, NULL);
}

/* The text of the current element; NULL if empty, as libosinfo. */
static char *
read_text (xmlTextReaderPtr reader)
{
  xmlChar *text = xmlTextReaderReadString (reader);
  char *result = NULL;

  if (text != NULL && text[0] != '\0')
    result = g_strdup ((const char *) text);
  xmlFree (text);

  return result;
}

static void
read_name (xmlTextReaderPtr   reader,
           ParsedOs          *os,
           const char *const *languages)
{
  xmlChar *lang = xmlTextReaderGetAttributeNs (reader, BAD_CAST "lang", XML_XML_NAMESPACE);

  if (lang == NULL)
    lang = xmlTextReaderGetAttribute (reader, BAD_CAST "lang");

  if (lang == NULL)
    {
      if (os->name == NULL)
        os->name = read_text (reader);
      return;
    }

  for (guint i = 0; languages[i] != NULL && i < os->rank; i++)
    if (strcmp (languages[i], (const char *) lang) == 0)
      {
        char *text = read_text (reader);

        if (text != NULL)
          {
            g_free (os->translated);
            os->translated = text;
            os->rank = i;
          }
        break;
      }

  xmlFree (lang);
}

/* The <os> elements of the file at @path, or NULL with @error set if it is
 * not a readable osinfo database file. */
static GPtrArray *
parse_file (const char        *path,
            const char *const *languages,
            GError           **error)
{
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) parsed_os_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  xmlTextReaderPtr reader;
  ParsedOs *os = NULL;
  gsize length;
  int status = 0;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (length == 0)
    return g_steal_pointer (&parsed);    /* skipped by libosinfo too */
  if (length > G_MAXINT)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: too large", path);
      return NULL;
    }

  xmlResetLastError ();
  reader = xmlReaderForMemory (contents, (int) length, path, NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (reader == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "%s: could not create a reader", path);
      return NULL;
    }

  while (local_error == NULL && (status = xmlTextReaderRead (reader)) == 1)
    {
      const char *element;
      int depth;

      if (xmlTextReaderNodeType (reader) != XML_READER_TYPE_ELEMENT)
        continue;

      element = (const char *) xmlTextReaderConstLocalName (reader);
      depth = xmlTextReaderDepth (reader);

      if (depth == 0 && strcmp (element, "libosinfo") != 0)
        {
          g_set_error (&local_error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s: the root element is <%s>, not <libosinfo>", path, element);
        }
      else if (depth == 1)
        {
          xmlChar *id;

          os = NULL;
          if (strcmp (element, "os") != 0)
            continue;

          id = xmlTextReaderGetAttribute (reader, BAD_CAST "id");
          if (id == NULL)
            {
              g_set_error (&local_error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s:%d: <os> without id", path,
                           xmlTextReaderGetParserLineNumber (reader));
              continue;
            }
          os = g_new0 (ParsedOs, 1);
          os->id = g_strdup ((const char *) id);
          os->rank = G_MAXUINT;
          g_ptr_array_add (parsed, os);
          xmlFree (id);
        }
      else if (depth == 2 && os != NULL)
        {
          if (strcmp (element, "name") == 0)
            read_name (reader, os, languages);
          else if (strcmp (element, "version") == 0 && os->version == NULL)
            os->version = read_text (reader);
        }
    }

  if (local_error == NULL && status < 0)
    {
      const xmlError *xml_error = xmlGetLastError ();

      if (xml_error != NULL && xml_error->message != NULL)
        {
          g_autofree char *message = g_strchomp (g_strdup (xml_error->message));

          g_set_error (&local_error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: %s",
                       path, xml_error->line, message);
        }
      else
        {
          g_set_error (&local_error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not valid XML", path);
        }
    }

  xmlFreeTextReader (reader);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&parsed);
}

/* Reads one file of the OS files @key into @oses (id → OsEntry). */
static void
load_file (GHashTable        *oses,
           const char        *key,
           const char        *path,
           const char *const *languages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parsed = parse_file (path, languages, &error);

  if (parsed == NULL)
    {
      g_warning ("Skipped a file of the operating system database: %s",
                 error != NULL ? error->message : path);
      return;
    }

  for (guint i = 0; i < parsed->len; i++)
    {
      ParsedOs *os = g_ptr_array_index (parsed, i);
      g_autofree char *expected = key_for_id (os->id);
      const char *name = os->translated != NULL ? os->translated : os->name;
      OsEntry *entry;

      if (strcmp (key, expected) != 0)
        {
          g_warning ("Skipped %s in %s: it must be in %s.xml", os->id, path, expected);
          continue;
        }

      entry = g_hash_table_lookup (oses, os->id);
      if (entry == NULL)
        {
          entry = g_new0 (OsEntry, 1);
          g_hash_table_insert (oses, g_strdup (os->id), entry);
        }
      /* A file or fragment without them leaves them as they were. */
      if (name != NULL)
        replace_str (&entry->name, name);
      if (os->version != NULL)
        replace_str (&entry->version, os->version);
    }
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  gint64 start = g_get_monotonic_time ();
  LoadData *data = task_data;
  LoadResult *result = g_new0 (LoadResult, 1);
  const char *const *languages = (const char *const *) data->languages;
  g_autoptr(GHashTable) files = collect_files ((const char *const *) data->dirs);
  g_autoptr(GHashTable) oses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) os_entry_free);
  GHashTableIter iter;
  gpointer key, value;

  result->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  result->templates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) template_free);

  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      FileSet *set = value;

      if (set->master != NULL)
        load_file (oses, key, set->master, languages);
      for (guint i = 0; i < set->fragments->len; i++)
        load_file (oses, key, g_ptr_array_index (set->fragments, i), languages);
    }

  g_hash_table_iter_init (&iter, oses);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      OsEntry *entry = value;

      if (entry->name == NULL)
        continue;
      add_template (result->templates, key, entry->version, entry->name);
      g_hash_table_insert (result->names, g_strdup (key), g_steal_pointer (&entry->name));
    }

  g_clear_pointer (&oses, g_hash_table_unref);
  g_clear_pointer (&files, g_hash_table_unref);

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
  LoadData *data;

  g_return_if_fail (PISO_IS_OS_DB (self));

  if (self->names != NULL || self->loading)
    return;

  /* The environment and the locale are read here, on the main thread. */
  data = g_new0 (LoadData, 1);
  data->dirs = self->dirs != NULL ? g_strdupv (self->dirs) : default_dirs ();
  data->languages = self->languages != NULL ? g_strdupv (self->languages) : user_languages ();
  xmlInitParser ();

  self->loading = TRUE;
  task = g_task_new (self, NULL, load_done, NULL);
  g_task_set_source_tag (task, piso_os_db_ensure_loaded);
  g_task_set_name (task, "[piso] load the osinfo database");
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
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
