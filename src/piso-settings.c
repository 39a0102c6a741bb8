/* piso-settings.c: typed access to Piso's GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-settings"

#include "config.h"

#include "piso-settings.h"

struct _PisoSettings
{
  GObject    parent_instance;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (PisoSettings, piso_settings, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SORT_BY,
  PROP_STATS_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
piso_settings_changed_cb (PisoSettings *self,
                          const char   *key,
                          GSettings    *settings)
{
  g_assert (PISO_IS_SETTINGS (self));

  if (g_str_equal (key, PISO_SETTING_SORT_BY))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_BY]);
  else if (g_str_equal (key, PISO_SETTING_STATS_INTERVAL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_INTERVAL]);
}

static void
piso_settings_dispose (GObject *object)
{
  PisoSettings *self = (PisoSettings *)object;

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (piso_settings_parent_class)->dispose (object);
}

static void
piso_settings_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PisoSettings *self = PISO_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_SORT_BY:
      g_value_set_int (value, piso_settings_get_sort_by (self));
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_uint (value, piso_settings_get_stats_interval (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_settings_class_init (PisoSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = piso_settings_dispose;
  object_class->get_property = piso_settings_get_property;

  properties[PROP_SORT_BY] =
    g_param_spec_int ("sort-by", NULL, NULL,
                      PISO_SORT_BY_NAME, PISO_SORT_BY_STATE, PISO_SORT_BY_NAME,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATS_INTERVAL] =
    g_param_spec_uint ("stats-interval", NULL, NULL, 0, G_MAXUINT, 2000,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
piso_settings_init (PisoSettings *self)
{
  self->settings = g_settings_new (PISO_SETTINGS_SCHEMA_ID);
  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (piso_settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

PisoSettings *
piso_settings_new (void)
{
  return g_object_new (PISO_TYPE_SETTINGS, NULL);
}

GSettings *
piso_settings_get_gsettings (PisoSettings *self)
{
  g_return_val_if_fail (PISO_IS_SETTINGS (self), NULL);

  return self->settings;
}

void
piso_settings_get_window_size (PisoSettings *self,
                               int          *width,
                               int          *height,
                               gboolean     *maximized)
{
  g_return_if_fail (PISO_IS_SETTINGS (self));

  if (width != NULL)
    *width = g_settings_get_int (self->settings, PISO_SETTING_WINDOW_WIDTH);
  if (height != NULL)
    *height = g_settings_get_int (self->settings, PISO_SETTING_WINDOW_HEIGHT);
  if (maximized != NULL)
    *maximized = g_settings_get_boolean (self->settings, PISO_SETTING_WINDOW_MAXIMIZED);
}

void
piso_settings_set_window_size (PisoSettings *self,
                               int           width,
                               int           height,
                               gboolean      maximized)
{
  g_return_if_fail (PISO_IS_SETTINGS (self));

  /* One write for the three keys */
  g_settings_delay (self->settings);
  if (!maximized)
    {
      g_settings_set_int (self->settings, PISO_SETTING_WINDOW_WIDTH, width);
      g_settings_set_int (self->settings, PISO_SETTING_WINDOW_HEIGHT, height);
    }
  g_settings_set_boolean (self->settings, PISO_SETTING_WINDOW_MAXIMIZED, maximized);
  g_settings_apply (self->settings);
}

GStrv
piso_settings_dup_connections (PisoSettings *self)
{
  g_return_val_if_fail (PISO_IS_SETTINGS (self), NULL);

  return g_settings_get_strv (self->settings, PISO_SETTING_CONNECTIONS);
}

void
piso_settings_set_connections (PisoSettings       *self,
                               const char * const *uris)
{
  g_return_if_fail (PISO_IS_SETTINGS (self));

  g_settings_set_strv (self->settings, PISO_SETTING_CONNECTIONS, uris);
}

void
piso_settings_add_connection (PisoSettings *self,
                              const char   *uri)
{
  g_auto(GStrv) uris = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) result = NULL;

  g_return_if_fail (PISO_IS_SETTINGS (self));
  g_return_if_fail (uri != NULL);

  uris = piso_settings_dup_connections (self);
  if (g_strv_contains ((const char * const *)uris, uri))
    return;

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **)uris);
  g_strv_builder_add (builder, uri);
  result = g_strv_builder_end (builder);
  piso_settings_set_connections (self, (const char * const *)result);
}

void
piso_settings_remove_connection (PisoSettings *self,
                                 const char   *uri)
{
  g_auto(GStrv) uris = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) result = NULL;

  g_return_if_fail (PISO_IS_SETTINGS (self));
  g_return_if_fail (uri != NULL);

  uris = piso_settings_dup_connections (self);
  if (!g_strv_contains ((const char * const *)uris, uri))
    return;

  builder = g_strv_builder_new ();
  for (guint i = 0; uris[i] != NULL; i++)
    if (!g_str_equal (uris[i], uri))
      g_strv_builder_add (builder, uris[i]);
  result = g_strv_builder_end (builder);
  piso_settings_set_connections (self, (const char * const *)result);
}

gboolean
piso_settings_get_connections_initialized (PisoSettings *self)
{
  g_return_val_if_fail (PISO_IS_SETTINGS (self), FALSE);

  return g_settings_get_boolean (self->settings, PISO_SETTING_CONNECTIONS_INITIALIZED);
}

void
piso_settings_set_connections_initialized (PisoSettings *self,
                                           gboolean      initialized)
{
  g_return_if_fail (PISO_IS_SETTINGS (self));

  g_settings_set_boolean (self->settings, PISO_SETTING_CONNECTIONS_INITIALIZED, initialized);
}

PisoSortBy
piso_settings_get_sort_by (PisoSettings *self)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (PISO_IS_SETTINGS (self), PISO_SORT_BY_NAME);

  value = g_settings_get_string (self->settings, PISO_SETTING_SORT_BY);
  return g_strcmp0 (value, "state") == 0 ? PISO_SORT_BY_STATE : PISO_SORT_BY_NAME;
}

void
piso_settings_set_sort_by (PisoSettings *self,
                           PisoSortBy    sort_by)
{
  g_return_if_fail (PISO_IS_SETTINGS (self));

  g_settings_set_string (self->settings, PISO_SETTING_SORT_BY,
                         sort_by == PISO_SORT_BY_STATE ? "state" : "name");
}

guint
piso_settings_get_stats_interval (PisoSettings *self)
{
  g_return_val_if_fail (PISO_IS_SETTINGS (self), 2000);

  return g_settings_get_uint (self->settings, PISO_SETTING_STATS_INTERVAL);
}

GFile *
piso_settings_dup_media_folder (PisoSettings *self)
{
  g_autofree char *path = NULL;
  const char *downloads;

  g_return_val_if_fail (PISO_IS_SETTINGS (self), NULL);

  path = g_settings_get_string (self->settings, PISO_SETTING_MEDIA_FOLDER);
  if (path != NULL && g_path_is_absolute (path))
    return g_file_new_for_path (path);
  /* Where browsers save the ISOs people download */
  downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  return g_file_new_for_path (downloads != NULL ? downloads : g_get_home_dir ());
}

void
piso_settings_set_media_folder (PisoSettings *self,
                                GFile        *folder)
{
  g_autofree char *path = NULL;

  g_return_if_fail (PISO_IS_SETTINGS (self));
  g_return_if_fail (G_IS_FILE (folder));

  path = g_file_get_path (folder);
  if (path != NULL)
    g_settings_set_string (self->settings, PISO_SETTING_MEDIA_FOLDER, path);
}

GStrv
piso_settings_dup_recent_media (PisoSettings *self)
{
  g_return_val_if_fail (PISO_IS_SETTINGS (self), NULL);

  return g_settings_get_strv (self->settings, PISO_SETTING_RECENT_MEDIA);
}

void
piso_settings_add_recent_media (PisoSettings *self,
                                const char   *path)
{
  g_auto(GStrv) paths = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) result = NULL;
  guint n = 1;

  g_return_if_fail (PISO_IS_SETTINGS (self));
  g_return_if_fail (path != NULL);

  paths = piso_settings_dup_recent_media (self);
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, path);
  for (guint i = 0; paths[i] != NULL && n < PISO_SETTINGS_RECENT_MEDIA_MAX; i++)
    if (!g_str_equal (paths[i], path))
      {
        g_strv_builder_add (builder, paths[i]);
        n++;
      }
  result = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, PISO_SETTING_RECENT_MEDIA, (const char * const *)result);
}
