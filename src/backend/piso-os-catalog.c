/* piso-os-catalog.c: libosinfo's full database for creating machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * OsinfoLoader builds the whole database as objects (hundreds of ms and tens
 * of MiB, see piso-os-db.c), so it runs once, in a worker thread, and only
 * when the New Machine assistant asks. After loading, the OsinfoDb is only
 * read: from the main thread (resources, devices, firmware) and from media
 * identification threads.
 */
#define G_LOG_DOMAIN "piso-os-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <osinfo/osinfo.h>

#include "piso-backend-enums.h"
#include "piso-backend-types.h"
#include "piso-os-catalog.h"

/* ------------------------------------------------------------------------ */
/* PisoOsEntry                                                               */

struct _PisoOsEntry
{
  GObject  parent_instance;
  char    *id;
  char    *short_id;
  char    *name;
  char    *vendor;
  char    *family;
  char    *distro;
  char    *version;
  char    *release_date;
  char    *logo_url;
  char    *search_key;
  char    *family_key;   /* the name before its version, for sorting */
  char    *version_key;  /* the whole name, numbers compared as numbers */
  gboolean eol;
  gboolean listed;  /* released or rolling */
};

G_DEFINE_FINAL_TYPE (PisoOsEntry, piso_os_entry, G_TYPE_OBJECT)

enum {
  ENTRY_PROP_0,
  ENTRY_PROP_ID,
  ENTRY_PROP_SHORT_ID,
  ENTRY_PROP_NAME,
  ENTRY_PROP_VENDOR,
  ENTRY_PROP_FAMILY,
  ENTRY_PROP_DISTRO,
  ENTRY_PROP_VERSION,
  ENTRY_PROP_RELEASE_DATE,
  ENTRY_PROP_EOL,
  ENTRY_PROP_LOGO_URL,
  ENTRY_PROP_SEARCH_KEY,
  ENTRY_N_PROPS
};

static GParamSpec *entry_properties[ENTRY_N_PROPS];

static void
piso_os_entry_finalize (GObject *object)
{
  PisoOsEntry *self = (PisoOsEntry *)object;

  g_free (self->id);
  g_free (self->short_id);
  g_free (self->name);
  g_free (self->vendor);
  g_free (self->family);
  g_free (self->distro);
  g_free (self->version);
  g_free (self->release_date);
  g_free (self->logo_url);
  g_free (self->search_key);
  g_free (self->family_key);
  g_free (self->version_key);

  G_OBJECT_CLASS (piso_os_entry_parent_class)->finalize (object);
}

static void
piso_os_entry_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PisoOsEntry *self = PISO_OS_ENTRY (object);

  switch (prop_id)
    {
    case ENTRY_PROP_ID: g_value_set_string (value, self->id); break;
    case ENTRY_PROP_SHORT_ID: g_value_set_string (value, self->short_id); break;
    case ENTRY_PROP_NAME: g_value_set_string (value, self->name); break;
    case ENTRY_PROP_VENDOR: g_value_set_string (value, self->vendor); break;
    case ENTRY_PROP_FAMILY: g_value_set_string (value, self->family); break;
    case ENTRY_PROP_DISTRO: g_value_set_string (value, self->distro); break;
    case ENTRY_PROP_VERSION: g_value_set_string (value, self->version); break;
    case ENTRY_PROP_RELEASE_DATE: g_value_set_string (value, self->release_date); break;
    case ENTRY_PROP_EOL: g_value_set_boolean (value, self->eol); break;
    case ENTRY_PROP_LOGO_URL: g_value_set_string (value, self->logo_url); break;
    case ENTRY_PROP_SEARCH_KEY: g_value_set_string (value, self->search_key); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_os_entry_class_init (PisoOsEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_os_entry_finalize;
  object_class->get_property = piso_os_entry_get_property;

  entry_properties[ENTRY_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_SHORT_ID] = g_param_spec_string ("short-id", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_VENDOR] = g_param_spec_string ("vendor", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_FAMILY] = g_param_spec_string ("family", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_DISTRO] = g_param_spec_string ("distro", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_VERSION] = g_param_spec_string ("version", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_RELEASE_DATE] =
    g_param_spec_string ("release-date", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_EOL] = g_param_spec_boolean ("eol", NULL, NULL, FALSE, flags);
  entry_properties[ENTRY_PROP_LOGO_URL] = g_param_spec_string ("logo-url", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_SEARCH_KEY] =
    g_param_spec_string ("search-key", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, ENTRY_N_PROPS, entry_properties);
}

static void
piso_os_entry_init (PisoOsEntry *self)
{
}

const char *
piso_os_entry_get_id (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->id;
}

const char *
piso_os_entry_get_short_id (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->short_id;
}

const char *
piso_os_entry_get_name (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->name;
}

const char *
piso_os_entry_get_vendor (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->vendor;
}

const char *
piso_os_entry_get_family (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->family;
}

const char *
piso_os_entry_get_distro (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->distro;
}

const char *
piso_os_entry_get_version (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->version;
}

const char *
piso_os_entry_get_release_date (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->release_date;
}

gboolean
piso_os_entry_get_eol (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), FALSE);
  return self->eol;
}

const char *
piso_os_entry_get_logo_url (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->logo_url;
}

const char *
piso_os_entry_get_search_key (PisoOsEntry *self)
{
  g_return_val_if_fail (PISO_IS_OS_ENTRY (self), NULL);
  return self->search_key;
}

/* Worker thread: a plain copy of what the list shows, so that the list never
 * touches libosinfo objects. */
static PisoOsEntry *
entry_new_from_os (OsinfoOs *os,
                   GDate    *today)
{
  OsinfoProduct *product = OSINFO_PRODUCT (os);
  PisoOsEntry *self = g_object_new (PISO_TYPE_OS_ENTRY, NULL);
  g_autoptr(GString) key = g_string_new (NULL);
  GDate *eol_date;
  GList *short_ids;
  const char *logo;

  self->id = g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os)));
  self->short_id = g_strdup (osinfo_product_get_short_id (product));
  self->name = g_strdup (osinfo_product_get_name (product));
  if (self->name == NULL)
    self->name = g_strdup (self->short_id != NULL ? self->short_id : self->id);
  self->vendor = g_strdup (osinfo_product_get_vendor (product));
  self->family = g_strdup (osinfo_os_get_family (os));
  self->distro = g_strdup (osinfo_os_get_distro (os));
  self->version = g_strdup (osinfo_product_get_version (product));
  self->release_date = g_strdup (osinfo_product_get_release_date_string (product));

  /* Only web addresses: a local path would mean reading files to show it. */
  logo = osinfo_product_get_logo (product);
  if (logo != NULL && (g_str_has_prefix (logo, "https://") || g_str_has_prefix (logo, "http://")))
    self->logo_url = g_strdup (logo);

  eol_date = osinfo_product_get_eol_date (product);
  self->eol = eol_date != NULL && g_date_compare (eol_date, today) < 0;
  g_clear_pointer (&eol_date, g_date_free);

  /* Snapshots and pre-releases (also libosinfo's "unknown version"
   * placeholders) are for identification, not for picking from a list. */
  self->listed = (osinfo_os_get_release_status (os) == OSINFO_RELEASE_STATUS_RELEASED ||
                  osinfo_os_get_release_status (os) == OSINFO_RELEASE_STATUS_ROLLING);

  g_string_append (key, self->name);
  short_ids = osinfo_product_get_short_id_list (product);
  for (const GList *l = short_ids; l != NULL; l = l->next)
    g_string_append_printf (key, " %s", (const char *)l->data);
  g_list_free (short_ids);
  if (self->vendor != NULL)
    g_string_append_printf (key, " %s", self->vendor);
  self->search_key = g_utf8_casefold (key->str, -1);

  /* "Debian 12" sorts under "Debian", "Microsoft Windows 11" under
   * "Microsoft Windows": the names the list shows */
  {
    const char *digit = self->name;
    g_autofree char *family = NULL;
    g_autofree char *folded = NULL;

    while (*digit != '\0' && !g_ascii_isdigit (*digit))
      digit++;
    family = g_strstrip (g_strndup (self->name, digit - self->name));
    folded = g_utf8_casefold (family, -1);
    self->family_key = g_utf8_collate_key (folded, -1);
    self->version_key = g_utf8_collate_key_for_filename (self->name, -1);
  }

  return self;
}

/* By the names the list shows: families ("Debian", "Microsoft Windows")
 * in alphabetical order, the highest version first inside ("Debian 12",
 * "Debian 11", … "Debian 9"). */
static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  PisoOsEntry *ea = *(PisoOsEntry **)a;
  PisoOsEntry *eb = *(PisoOsEntry **)b;
  int cmp;

  cmp = strcmp (ea->family_key, eb->family_key);
  if (cmp != 0)
    return cmp;
  cmp = -strcmp (ea->version_key, eb->version_key);
  if (cmp != 0)
    return cmp;
  return g_strcmp0 (ea->id, eb->id);
}

/* ------------------------------------------------------------------------ */
/* PisoOsCatalog                                                             */

struct _PisoOsCatalog
{
  GObject       parent_instance;
  char         *system_dir;    /* NULL: libosinfo's default paths */
  OsinfoLoader *loader;        /* owns the database once loaded */
  OsinfoDb     *db;
  GListStore   *oses;
  GHashTable   *entries;       /* id → PisoOsEntry, incl. unlisted ones */
  GPtrArray    *waiting;       /* GTasks waiting for the load in progress */
  GError       *load_error;    /* last failure (next request retries) */
  gboolean      loading;
};

G_DEFINE_FINAL_TYPE (PisoOsCatalog, piso_os_catalog, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADED,
  PROP_OSES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  OsinfoLoader *loader;
  GPtrArray    *entries;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->loader);
  g_clear_pointer (&result->entries, g_ptr_array_unref);
  g_free (result);
}

static void
piso_os_catalog_dispose (GObject *object)
{
  PisoOsCatalog *self = (PisoOsCatalog *)object;

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->oses);
  g_clear_object (&self->loader);
  self->db = NULL;

  G_OBJECT_CLASS (piso_os_catalog_parent_class)->dispose (object);
}

static void
piso_os_catalog_finalize (GObject *object)
{
  PisoOsCatalog *self = (PisoOsCatalog *)object;

  /* Load tasks hold a reference: nothing can be waiting here. */
  g_assert (self->waiting->len == 0);
  g_ptr_array_unref (self->waiting);
  g_clear_error (&self->load_error);
  g_free (self->system_dir);

  G_OBJECT_CLASS (piso_os_catalog_parent_class)->finalize (object);
}

static void
piso_os_catalog_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PisoOsCatalog *self = PISO_OS_CATALOG (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, piso_os_catalog_is_loaded (self));
      break;
    case PROP_OSES:
      g_value_set_object (value, self->oses);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_os_catalog_class_init (PisoOsCatalogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_os_catalog_dispose;
  object_class->finalize = piso_os_catalog_finalize;
  object_class->get_property = piso_os_catalog_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OSES] =
    g_param_spec_object ("oses", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_os_catalog_init (PisoOsCatalog *self)
{
  self->oses = g_list_store_new (PISO_TYPE_OS_ENTRY);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->waiting = g_ptr_array_new ();
}

PisoOsCatalog *
piso_os_catalog_get_default (void)
{
  static PisoOsCatalog *catalog;

  if (g_once_init_enter (&catalog))
    g_once_init_leave (&catalog, piso_os_catalog_new (NULL));

  return catalog;
}

PisoOsCatalog *
piso_os_catalog_new (const char *system_dir)
{
  PisoOsCatalog *self = g_object_new (PISO_TYPE_OS_CATALOG, NULL);

  self->system_dir = g_strdup (system_dir);
  return self;
}

gboolean
piso_os_catalog_is_loaded (PisoOsCatalog *self)
{
  g_return_val_if_fail (PISO_IS_OS_CATALOG (self), FALSE);
  return self->db != NULL;
}

GListModel *
piso_os_catalog_get_oses (PisoOsCatalog *self)
{
  g_return_val_if_fail (PISO_IS_OS_CATALOG (self), NULL);
  return G_LIST_MODEL (self->oses);
}

PisoOsEntry *
piso_os_catalog_lookup (PisoOsCatalog *self,
                        const char    *os_id)
{
  g_return_val_if_fail (PISO_IS_OS_CATALOG (self), NULL);

  if (os_id == NULL)
    return NULL;
  return g_hash_table_lookup (self->entries, os_id);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *system_dir = task_data;
  g_autoptr(OsinfoLoader) loader = osinfo_loader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(OsinfoOsList) list = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDate) today = g_date_new_dmy (g_date_time_get_day_of_month (now),
                                           g_date_time_get_month (now),
                                           g_date_time_get_year (now));
  LoadResult *result;
  guint n;

  if (system_dir != NULL)
    osinfo_loader_process_path (loader, system_dir, &error);
  else
    osinfo_loader_process_default_path (loader, &error);

  if (error != NULL)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                               _("Could not read the operating system database: %s"),
                               error->message);
      return;
    }

  list = osinfo_db_get_os_list (osinfo_loader_get_db (loader));
  n = osinfo_list_get_length (OSINFO_LIST (list));
  if (n == 0)
    {
      g_task_return_new_error (task, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                               _("The operating system database is empty. "
                                 "Install the osinfo-db package."));
      return;
    }

  result = g_new0 (LoadResult, 1);
  result->entries = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      OsinfoOs *os = OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (list), i));
      g_ptr_array_add (result->entries, entry_new_from_os (os, today));
    }
  g_ptr_array_sort (result->entries, compare_entries);
  result->loader = g_steal_pointer (&loader);

  g_task_return_pointer (task, result, (GDestroyNotify)load_result_free);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PisoOsCatalog *self = PISO_OS_CATALOG (object);
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;
  LoadResult *loaded;

  g_assert (user_data == NULL);

  self->loading = FALSE;
  waiting = g_steal_pointer (&self->waiting);
  self->waiting = g_ptr_array_new ();

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (loaded == NULL)
    {
      g_debug ("Loading the osinfo database failed: %s", error->message);
      for (guint i = 0; i < waiting->len; i++)
        {
          g_autoptr(GTask) task = waiting->pdata[i];
          g_task_return_error (task, g_error_copy (error));
        }
      return;
    }

  self->loader = g_steal_pointer (&loaded->loader);
  self->db = osinfo_loader_get_db (self->loader);
  for (guint i = 0; i < loaded->entries->len; i++)
    {
      PisoOsEntry *entry = loaded->entries->pdata[i];
      g_hash_table_replace (self->entries, entry->id, g_object_ref (entry));
    }

  /* Only released versions in the list; the others stay reachable
   * through lookup (identification can return them). */
  {
    g_autoptr(GPtrArray) listed = g_ptr_array_new ();

    for (guint i = 0; i < loaded->entries->len; i++)
      {
        PisoOsEntry *entry = loaded->entries->pdata[i];
        if (entry->listed)
          g_ptr_array_add (listed, entry);
      }
    g_list_store_splice (self->oses, 0, 0, listed->pdata, listed->len);
  }
  load_result_free (loaded);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);

  for (guint i = 0; i < waiting->len; i++)
    {
      g_autoptr(GTask) task = waiting->pdata[i];
      g_task_return_boolean (task, TRUE);
    }
}

void
piso_os_catalog_load_async (PisoOsCatalog       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PISO_IS_OS_CATALOG (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_os_catalog_load_async);

  if (self->db != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* One load for every caller; a cancelled caller does not stop it. */
  g_ptr_array_add (self->waiting, g_steal_pointer (&task));
  if (!self->loading)
    {
      g_autoptr(GTask) load = g_task_new (self, NULL, load_done_cb, NULL);

      self->loading = TRUE;
      g_task_set_source_tag (load, load_thread);
      g_task_set_task_data (load, g_strdup (self->system_dir), g_free);
      g_task_run_in_thread (load, load_thread);
    }
}

gboolean
piso_os_catalog_load_finish (PisoOsCatalog  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- media identification --- */

typedef struct
{
  char     *path;
  OsinfoDb *db;
} IdentifyData;

static void
identify_data_free (IdentifyData *data)
{
  g_free (data->path);
  g_clear_object (&data->db);
  g_free (data);
}

static void
identify_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  IdentifyData *data = task_data;
  g_autoptr(OsinfoMedia) media = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_filename_display_basename (data->path);
  OsinfoOs *os;

  /* Without REQUIRE_BOOTABLE: images without El Torito data (s390x media,
   * hybrid images written oddly) still carry the volume data to match. */
  media = osinfo_media_create_from_location_with_flags (data->path, cancellable, 0, &error);
  if (media == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (error->domain == OSINFO_MEDIA_ERROR)
        /* Readable but not an ISO 9660 image (a raw disk image, a bootable
         * USB stick image without ISO data …): nothing to recognise. */
        g_task_return_pointer (task, NULL, NULL);
      else
        g_task_return_new_error (task, G_IO_ERROR,
                                 error->domain == G_IO_ERROR ? error->code : G_IO_ERROR_FAILED,
                                 _("Could not read “%s”: %s. Check that the file exists "
                                   "and that you may read it."),
                                 display, error->message);
      return;
    }

  if (!osinfo_db_identify_media (data->db, media))
    {
      g_debug ("No match for %s (volume id “%s”)", data->path,
               osinfo_media_get_volume_id (media));
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  os = osinfo_media_get_os (media);
  g_task_return_pointer (task, g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os))), g_free);
  g_object_unref (os);
}

static void
identify_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PisoOsCatalog *self = PISO_OS_CATALOG (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  IdentifyData *data = g_task_get_task_data (task);

  if (!piso_os_catalog_load_finish (self, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  data->db = g_object_ref (self->db);
  g_task_run_in_thread (task, identify_thread);
}

void
piso_os_catalog_identify_media_async (PisoOsCatalog       *self,
                                      GFile               *media,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IdentifyData *data;

  g_return_if_fail (PISO_IS_OS_CATALOG (self));
  g_return_if_fail (G_IS_FILE (media));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, piso_os_catalog_identify_media_async);

  data = g_new0 (IdentifyData, 1);
  data->path = g_file_get_path (media);
  g_task_set_task_data (task, data, (GDestroyNotify)identify_data_free);

  if (data->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (media);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("“%s” is not a local file. Download it first."), uri);
      return;
    }

  piso_os_catalog_load_async (self, cancellable, identify_loaded_cb, g_steal_pointer (&task));
}

PisoOsEntry *
piso_os_catalog_identify_media_finish (PisoOsCatalog  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_autofree char *os_id = NULL;
  PisoOsEntry *entry;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  os_id = g_task_propagate_pointer (G_TASK (result), error);
  if (os_id == NULL)
    return NULL;

  entry = g_hash_table_lookup (self->entries, os_id);
  return entry != NULL ? g_object_ref (entry) : NULL;
}

/* --- resources, devices, firmware --- */

static OsinfoOs *
find_os (PisoOsCatalog *self,
         const char    *os_id)
{
  if (self->db == NULL || os_id == NULL)
    return NULL;
  return osinfo_db_get_os (self->db, os_id);
}

/* The resources entry of @list for @arch, else for "all", else the first. */
static OsinfoResources *
pick_resources (OsinfoResourcesList *list,
                const char          *arch)
{
  OsinfoResources *all = NULL;
  OsinfoResources *first = NULL;
  guint n = osinfo_list_get_length (OSINFO_LIST (list));

  for (guint i = 0; i < n; i++)
    {
      OsinfoResources *res = OSINFO_RESOURCES (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *res_arch = osinfo_resources_get_architecture (res);

      if (first == NULL)
        first = res;
      if (arch != NULL && g_strcmp0 (res_arch, arch) == 0)
        return res;
      if (g_strcmp0 (res_arch, "all") == 0 && all == NULL)
        all = res;
    }

  return all != NULL ? all : first;
}

/* Fills the fields of @out still 0 from @res. */
static void
merge_resources (PisoOsResources *out,
                 OsinfoResources *res)
{
  gint64 ram, storage;
  gint n_cpus;

  if (res == NULL)
    return;

  ram = osinfo_resources_get_ram (res);
  n_cpus = osinfo_resources_get_n_cpus (res);
  storage = osinfo_resources_get_storage (res);

  if (out->memory == 0 && ram > 0)
    out->memory = (guint64)ram / 1024;
  if (out->vcpus == 0 && n_cpus > 0)
    out->vcpus = (guint)n_cpus;
  if (out->storage == 0 && storage > 0)
    out->storage = (guint64)storage;
}

static OsinfoOs *
derived_from (OsinfoOs *os)
{
  g_autoptr(OsinfoProductList) parents =
    osinfo_product_get_related (OSINFO_PRODUCT (os), OSINFO_PRODUCT_RELATIONSHIP_DERIVES_FROM);

  if (osinfo_list_get_length (OSINFO_LIST (parents)) == 0)
    return NULL;
  return OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (parents), 0));
}

/* Fills @out from @getter's lists of @os and the OSes it derives from:
 * newer releases often leave out what did not change, their parents have
 * it. The depth bound guards against loops. */
static void
merge_chain (OsinfoOs             *os,
             const char           *arch,
             OsinfoResourcesList *(*getter) (OsinfoOs *),
             PisoOsResources      *out)
{
  for (guint depth = 0; os != NULL && depth < 32; os = derived_from (os), depth++)
    {
      g_autoptr(OsinfoResourcesList) list = getter (os);

      merge_resources (out, pick_resources (list, arch));
    }
}

gboolean
piso_os_catalog_get_resources (PisoOsCatalog   *self,
                               const char      *os_id,
                               const char      *arch,
                               PisoOsResources *minimum,
                               PisoOsResources *recommended)
{
  PisoOsResources min = { 0 }, rec = { 0 };
  OsinfoOs *os;

  g_return_val_if_fail (PISO_IS_OS_CATALOG (self), FALSE);

  os = find_os (self, os_id);
  merge_chain (os, arch, osinfo_os_get_minimum_resources, &min);
  merge_chain (os, arch, osinfo_os_get_recommended_resources, &rec);

  /* A recommendation is never below the minimum; a missing one stays 0
   * (the caller has its own defaults). */
  if (rec.memory != 0)
    rec.memory = MAX (rec.memory, min.memory);
  if (rec.vcpus != 0)
    rec.vcpus = MAX (rec.vcpus, min.vcpus);
  if (rec.storage != 0)
    rec.storage = MAX (rec.storage, min.storage);

  if (minimum != NULL)
    *minimum = min;
  if (recommended != NULL)
    *recommended = rec;
  return os != NULL;
}

gboolean
piso_os_catalog_get_maximum (PisoOsCatalog   *self,
                             const char      *os_id,
                             const char      *arch,
                             PisoOsResources *maximum)
{
  PisoOsResources max = { 0 };
  OsinfoOs *os;

  g_return_val_if_fail (PISO_IS_OS_CATALOG (self), FALSE);

  os = find_os (self, os_id);
  merge_chain (os, arch, osinfo_os_get_maximum_resources, &max);
  if (maximum != NULL)
    *maximum = max;
  return os != NULL;
}

void
piso_os_catalog_get_installer (PisoOsCatalog *self,
                               const char    *os_id,
                               const char    *arch,
                               guint         *reboots,
                               gboolean      *eject)
{
  g_autoptr(OsinfoMediaList) media = NULL;
  gint most = 1;
  gboolean all_eject = TRUE;
  OsinfoOs *os;
  guint n;

  g_return_if_fail (PISO_IS_OS_CATALOG (self));

  os = find_os (self, os_id);
  if (os != NULL)
    {
      media = osinfo_os_get_media_list (os);
      n = osinfo_list_get_length (OSINFO_LIST (media));
      /* The installers of one OS agree in practice; where they do not, the
       * media is kept for the most reboots any of them needs. */
      for (guint i = 0; i < n; i++)
        {
          OsinfoMedia *m = OSINFO_MEDIA (osinfo_list_get_nth (OSINFO_LIST (media), i));

          if (!osinfo_media_get_installer (m) ||
              (arch != NULL && g_strcmp0 (osinfo_media_get_architecture (m), arch) != 0))
            continue;
          most = MAX (most, osinfo_media_get_installer_reboots (m));
          all_eject = all_eject && osinfo_media_get_eject_after_install (m);
        }
    }

  if (reboots != NULL)
    *reboots = (guint) most;
  if (eject != NULL)
    *eject = all_eject;
}

static const struct
{
  const char        *name;  /* libosinfo device name */
  PisoOsDeviceFlags  flag;
} device_names[] = {
  { "virtio-block", PISO_OS_DEVICE_VIRTIO_BLOCK },
  { "virtio1.0-block", PISO_OS_DEVICE_VIRTIO_BLOCK },
  { "virtio-net", PISO_OS_DEVICE_VIRTIO_NET },
  { "virtio1.0-net", PISO_OS_DEVICE_VIRTIO_NET },
  { "virtio1.0-gpu", PISO_OS_DEVICE_VIRTIO_GPU },
  { "qxl", PISO_OS_DEVICE_QXL },
  { "e1000e", PISO_OS_DEVICE_E1000E },
  { "e1000", PISO_OS_DEVICE_E1000 },
  { "virtio-rng", PISO_OS_DEVICE_VIRTIO_RNG },
  { "virtio1.0-rng", PISO_OS_DEVICE_VIRTIO_RNG },
  { "tablet", PISO_OS_DEVICE_USB_TABLET },
  { "ich9-hda", PISO_OS_DEVICE_ICH9_SOUND },
  { "qemu-x86-q35", PISO_OS_DEVICE_Q35 },
};

PisoOsDeviceFlags
piso_os_catalog_get_devices (PisoOsCatalog *self,
                             const char    *os_id)
{
  g_autoptr(OsinfoDeviceList) devices = NULL;
  PisoOsDeviceFlags flags = PISO_OS_DEVICE_NONE;
  OsinfoOs *os;
  guint n;

  g_return_val_if_fail (PISO_IS_OS_CATALOG (self), PISO_OS_DEVICE_NONE);

  os = find_os (self, os_id);
  if (os == NULL)
    return PISO_OS_DEVICE_NONE;

  /* Includes the devices of the OSes it derives from. */
  devices = osinfo_os_get_all_devices (os, NULL);
  n = osinfo_list_get_length (OSINFO_LIST (devices));
  for (guint i = 0; i < n; i++)
    {
      OsinfoDevice *dev = OSINFO_DEVICE (osinfo_list_get_nth (OSINFO_LIST (devices), i));
      const char *name = osinfo_device_get_name (dev);

      for (guint j = 0; j < G_N_ELEMENTS (device_names); j++)
        if (g_strcmp0 (name, device_names[j].name) == 0)
          flags |= device_names[j].flag;
    }

  return flags;
}

PisoOsFirmware
piso_os_catalog_get_firmware (PisoOsCatalog *self,
                              const char    *os_id,
                              const char    *arch)
{
  g_autoptr(OsinfoFirmwareList) list = NULL;
  gboolean efi = FALSE, no_efi = FALSE, no_bios = FALSE;
  OsinfoOs *os;
  guint n;

  g_return_val_if_fail (PISO_IS_OS_CATALOG (self), PISO_OS_FIRMWARE_UNKNOWN);

  os = find_os (self, os_id);
  if (os == NULL)
    return PISO_OS_FIRMWARE_UNKNOWN;

  /* The complete list follows derives-from and lets a newer release say
   * supported="false" about what an older one supported. */
  list = osinfo_os_get_complete_firmware_list (os, NULL);
  n = osinfo_list_get_length (OSINFO_LIST (list));
  for (guint i = 0; i < n; i++)
    {
      OsinfoFirmware *fw = OSINFO_FIRMWARE (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *type = osinfo_firmware_get_firmware_type (fw);

      if (arch != NULL && g_strcmp0 (osinfo_firmware_get_architecture (fw), arch) != 0)
        continue;
      if (g_strcmp0 (type, "efi") == 0)
        {
          if (osinfo_firmware_is_supported (fw))
            efi = TRUE;
          else
            no_efi = TRUE;
        }
      else if (g_strcmp0 (type, "bios") == 0 && !osinfo_firmware_is_supported (fw))
        no_bios = TRUE;
    }

  if (efi && no_bios)
    return PISO_OS_FIRMWARE_EFI_REQUIRED;
  if (efi)
    return PISO_OS_FIRMWARE_EFI_SUPPORTED;
  if (no_efi)
    return PISO_OS_FIRMWARE_BIOS_ONLY;
  return PISO_OS_FIRMWARE_UNKNOWN;
}
