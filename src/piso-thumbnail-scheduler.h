/* piso-thumbnail-scheduler.h: live thumbnails for the machine rows on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_THUMBNAIL_SCHEDULER (piso_thumbnail_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (PisoThumbnailScheduler, piso_thumbnail_scheduler, PISO, THUMBNAIL_SCHEDULER, GObject)

/* The thumbnail's box in logical pixels (times the widget's scale factor in
 * device pixels); the image keeps the guest's aspect inside it. */
#define PISO_THUMBNAIL_WIDTH  64
#define PISO_THUMBNAIL_HEIGHT 40

/* Called on the main thread with a new thumbnail of the watched machine. */
typedef void (*PisoThumbnailFunc) (GtkWidget  *widget,
                                   GdkTexture *texture);

/* The scheduler every row shares. */
PisoThumbnailScheduler *piso_thumbnail_scheduler_get_default   (void);

/* @widget shows @machine's thumbnail while it is on screen: every few
 * seconds the scheduler takes a new one — from the machine's console session
 * when one is connected, else a libvirt screenshot (one at a time per
 * connection, decoded in a worker) — and hands changes to @func. Nothing
 * happens while the widget is scrolled away, its window hidden or minimised,
 * or the machine is off. Returns the last thumbnail already known (no new
 * reference), or NULL. One watch per widget: watching again replaces it. */
GdkTexture *piso_thumbnail_scheduler_watch       (PisoThumbnailScheduler *self,
                                                  GtkWidget              *widget,
                                                  PisoMachine            *machine,
                                                  PisoThumbnailFunc       func);
void        piso_thumbnail_scheduler_unwatch     (PisoThumbnailScheduler *self,
                                                  GtkWidget              *widget);
/* Drops what is known of @machine's screen (it stopped: the next start
 * must not show the last boot's picture). */
void        piso_thumbnail_scheduler_forget      (PisoThumbnailScheduler *self,
                                                  PisoMachine            *machine);

/* For tests: the base refresh interval (default 5000 ms; unchanged screens
 * back off up to six times that) and the count of screenshots asked from
 * libvirt for @machine (NULL: all machines). Each request also emits
 * "screenshot-requested" (PisoMachine *). */
void        piso_thumbnail_scheduler_set_interval (PisoThumbnailScheduler *self,
                                                   guint                   interval_ms);
guint       piso_thumbnail_scheduler_get_n_requests (PisoThumbnailScheduler *self,
                                                     PisoMachine            *machine);
/* For tests: how many thumbnails may be kept for machines no row shows
 * (default 300); the thumbnail known for @machine (no new reference, or
 * NULL); how many are kept in all. */
void        piso_thumbnail_scheduler_set_kept_max (PisoThumbnailScheduler *self,
                                                   guint                   kept_max);
GdkTexture *piso_thumbnail_scheduler_peek        (PisoThumbnailScheduler *self,
                                                  PisoMachine            *machine);
guint       piso_thumbnail_scheduler_get_n_kept  (PisoThumbnailScheduler *self);

G_END_DECLS
