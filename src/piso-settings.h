/* piso-settings.h: typed access to Piso's GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PISO_SETTINGS_SCHEMA_ID                  "io.github.pisovm.Piso"

#define PISO_SETTING_WINDOW_WIDTH                "window-width"
#define PISO_SETTING_WINDOW_HEIGHT               "window-height"
#define PISO_SETTING_WINDOW_MAXIMIZED            "window-maximized"
#define PISO_SETTING_CONNECTIONS                 "connections"
#define PISO_SETTING_CONNECTIONS_INITIALIZED     "connections-initialized"
#define PISO_SETTING_SORT_BY                     "sort-by"
#define PISO_SETTING_STATS_INTERVAL              "stats-interval"
#define PISO_SETTING_MEDIA_FOLDER                "media-folder"
#define PISO_SETTING_RECENT_MEDIA                "recent-media"

/* How many recent installer media are remembered */
#define PISO_SETTINGS_RECENT_MEDIA_MAX 5

typedef enum
{
  PISO_SORT_BY_NAME,
  PISO_SORT_BY_STATE,
} PisoSortBy;

#define PISO_TYPE_SETTINGS (piso_settings_get_type ())

G_DECLARE_FINAL_TYPE (PisoSettings, piso_settings, PISO, SETTINGS, GObject)

PisoSettings *piso_settings_new                     (void);
/* For g_settings_bind() and g_settings_create_action() with the keys above */
GSettings    *piso_settings_get_gsettings           (PisoSettings *self);

void          piso_settings_get_window_size         (PisoSettings *self,
                                                     int          *width,
                                                     int          *height,
                                                     gboolean     *maximized);
void          piso_settings_set_window_size         (PisoSettings *self,
                                                     int           width,
                                                     int           height,
                                                     gboolean      maximized);
/* Saved connection URIs */
GStrv         piso_settings_dup_connections         (PisoSettings *self);
void          piso_settings_set_connections         (PisoSettings       *self,
                                                     const char * const *uris);
/* Appends @uri unless present; removes @uri if present */
void          piso_settings_add_connection          (PisoSettings *self,
                                                     const char   *uri);
void          piso_settings_remove_connection       (PisoSettings *self,
                                                     const char   *uri);
gboolean      piso_settings_get_connections_initialized (PisoSettings *self);
void          piso_settings_set_connections_initialized (PisoSettings *self,
                                                         gboolean      initialized);
/* Emits notify::sort-by when the key changes */
PisoSortBy    piso_settings_get_sort_by             (PisoSettings *self);
void          piso_settings_set_sort_by             (PisoSettings *self,
                                                     PisoSortBy    sort_by);
/* Milliseconds; emits notify::stats-interval when the key changes */
guint         piso_settings_get_stats_interval      (PisoSettings *self);
/* The folder the assistant's file chooser opens in: the last one used,
 * else the Downloads folder (else home). */
GFile        *piso_settings_dup_media_folder        (PisoSettings *self);
void          piso_settings_set_media_folder        (PisoSettings *self,
                                                     GFile        *folder);
/* Installer media of the last machines created, newest first */
GStrv         piso_settings_dup_recent_media        (PisoSettings *self);
/* Puts @path first, once, keeping PISO_SETTINGS_RECENT_MEDIA_MAX */
void          piso_settings_add_recent_media        (PisoSettings *self,
                                                     const char   *path);

G_END_DECLS
