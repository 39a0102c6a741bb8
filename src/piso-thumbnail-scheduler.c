/* piso-thumbnail-scheduler.c: live thumbnails for the machine rows on screen
 *
 * The list may hold thousands of machines, so the work is bounded by what is
 * on screen: rows register while bound to a running machine, and one timer
 * (only while something is registered) looks at which of them are really
 * visible in their scrolled window. A visible running machine gets a new
 * thumbnail every interval — sampled from its console when a SPICE session
 * is connected, else one libvirt screenshot at a time per connection. Bytes
 * are hashed and decoded in a worker; a screen that did not change is not
 * decoded again and is asked for less often (back-off up to 6× the interval).
 * Thumbnails stay with their machines so that a row bound again shows one at
 * once, but only so many: past KEPT_MAX the ones not on any row and longest
 * unseen are let go (scrolling through 5000 machines kept ~40 MiB of them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-thumbnail"

#include "config.h"

#include "piso-spice-session.h"
#include "piso-thumbnail-image.h"
#include "piso-thumbnail-scheduler.h"

#define DEFAULT_INTERVAL_MS  5000
#define MAX_BACKOFF          6
/* How often rows that are not on screen are looked at again. */
#define VISIBILITY_CHECK_MS  1000
/* Thumbnails kept for machines no row shows: 64×40 px, 8 KiB each (32 KiB
 * at 200 % scale), so at most a few MiB. */
#define KEPT_MAX             300

struct _PisoThumbnailScheduler
{
  GObject       parent_instance;

  GPtrArray    *watches;        /* Watch */
  GHashTable   *busy;           /* PisoConnection* with a screenshot in flight */
  GCancellable *cancellable;
  GThreadPool  *decode_pool;
  guint         timeout_id;
  gint64        timeout_due;    /* monotonic µs */
  guint         interval_ms;
  guint         n_requests;
  guint         kept_max;
};

G_DEFINE_FINAL_TYPE (PisoThumbnailScheduler, piso_thumbnail_scheduler, G_TYPE_OBJECT)

enum {
  SCREENSHOT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GtkWidget         *widget;    /* not a reference: rows unwatch before they go */
  PisoMachine       *machine;
  PisoThumbnailFunc  func;
} Watch;

/* Kept on the machine (qdata) so that a row bound again shows it at once. */
typedef struct
{
  GdkTexture *texture;
  guint64     hash;             /* of the last source bytes, 0 = none */
  int         box_width;        /* device pixels the texture was made for */
  int         box_height;
  gint64      next_due;         /* monotonic µs */
  guint       backoff;          /* interval multiplier, 1…MAX_BACKOFF */
  guint       n_requests;
  guint       generation;       /* bumped by forget(): late results are dropped */
  gboolean    in_flight;
  gint64      last_seen;        /* monotonic µs: last watched or refreshed */
} MachineThumb;

static GQuark thumb_quark;
/* MachineThumb with a texture → its PisoMachine (no reference: the thumb
 * goes with its machine, and leaves this table then) */
static GHashTable *kept;

static void piso_thumbnail_scheduler_schedule (PisoThumbnailScheduler *self,
                                               gint64                  due);

static void
machine_thumb_free (gpointer data)
{
  MachineThumb *mt = data;

  g_hash_table_remove (kept, mt);
  g_clear_object (&mt->texture);
  g_free (mt);
}

/* The picture goes; what is known of the screen with it, so the next one is
 * decoded even if the screen did not change meanwhile */
static void
machine_thumb_drop (MachineThumb *mt)
{
  g_hash_table_remove (kept, mt);
  g_clear_object (&mt->texture);
  mt->hash = 0;
  mt->next_due = 0;
  mt->backoff = 1;
}

static int
compare_last_seen (gconstpointer a,
                   gconstpointer b)
{
  const MachineThumb *ma = *(MachineThumb * const *) a;
  const MachineThumb *mb = *(MachineThumb * const *) b;

  return ma->last_seen < mb->last_seen ? -1 : ma->last_seen > mb->last_seen;
}

/* Past kept_max thumbnails, lets go of the longest unseen ones that no row
 * shows, down to three quarters of it (so this runs once in a while). */
static void
trim_kept (PisoThumbnailScheduler *self)
{
  g_autoptr(GHashTable) watched = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint target = self->kept_max * 3 / 4;
  guint n_drop;

  if (g_hash_table_size (kept) <= self->kept_max)
    return;

  watched = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->watches->len; i++)
    g_hash_table_add (watched, ((Watch *) g_ptr_array_index (self->watches, i))->machine);

  candidates = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, kept);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (watched, value))
      g_ptr_array_add (candidates, key);
  g_ptr_array_sort (candidates, compare_last_seen);

  n_drop = MIN (g_hash_table_size (kept) - target, candidates->len);
  for (guint i = 0; i < n_drop; i++)
    machine_thumb_drop (g_ptr_array_index (candidates, i));
}

static MachineThumb *
get_machine_thumb (PisoMachine *machine)
{
  MachineThumb *mt = g_object_get_qdata (G_OBJECT (machine), thumb_quark);

  if (mt == NULL)
    {
      mt = g_new0 (MachineThumb, 1);
      mt->backoff = 1;
      g_object_set_qdata_full (G_OBJECT (machine), thumb_quark, mt, machine_thumb_free);
    }
  return mt;
}

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_clear_object (&watch->machine);
  g_free (watch);
}

static gboolean
machine_has_screen (PisoMachine *machine)
{
  switch (piso_machine_get_state (machine))
    {
    case PISO_MACHINE_STATE_RUNNING:
    case PISO_MACHINE_STATE_PAUSED:
    case PISO_MACHINE_STATE_SHUTTING_DOWN:
      return TRUE;
    default:
      return FALSE;
    }
}

/* On screen: mapped, its window shown and not minimised, and at least partly
 * inside the scrolled window (list views keep rows bound past the edges). */
static gboolean
widget_is_showing (GtkWidget *widget)
{
  GtkNative *native;
  GdkSurface *surface;
  GtkWidget *viewport;
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (widget))
    return FALSE;

  native = gtk_widget_get_native (widget);
  surface = native != NULL ? gtk_native_get_surface (native) : NULL;
  if (surface == NULL || !gdk_surface_get_mapped (surface))
    return FALSE;
  if (GDK_IS_TOPLEVEL (surface) &&
      (gdk_toplevel_get_state (GDK_TOPLEVEL (surface)) & GDK_TOPLEVEL_STATE_MINIMIZED) != 0)
    return FALSE;

  viewport = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  if (viewport == NULL)
    viewport = GTK_WIDGET (native);
  if (!gtk_widget_compute_bounds (widget, viewport, &bounds))
    return FALSE;

  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (viewport) &&
         bounds.origin.x + bounds.size.width > 0 &&
         bounds.origin.x < gtk_widget_get_width (viewport);
}

static void
deliver (PisoThumbnailScheduler *self,
         PisoMachine            *machine,
         GdkTexture             *texture)
{
  /* A callback may unwatch: walk a copy. */
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();

  for (guint i = 0; i < self->watches->len; i++)
    {
      Watch *watch = g_ptr_array_index (self->watches, i);

      if (watch->machine == machine)
        g_ptr_array_add (targets, watch);
    }

  for (guint i = 0; i < targets->len; i++)
    {
      Watch *watch = g_ptr_array_index (targets, i);

      if (g_ptr_array_find (self->watches, watch, NULL))
        watch->func (watch->widget, texture);
    }
}

/* ---- decoding (worker thread) ---- */

typedef struct
{
  PisoMachine         *machine;
  PisoConnection      *connection;   /* busy key for libvirt requests, else NULL */
  int                  box_width;
  int                  box_height;
  guint64              previous_hash;
  guint                generation;
  /* source: encoded bytes from libvirt, or raw console pixels */
  GBytes              *bytes;
  char                *mime_type;
  gboolean             raw;
  int                  raw_width;
  int                  raw_height;
  gsize                raw_stride;
  PisoThumbnailPixels  raw_format;
  /* result */
  guint64              hash;
  PisoThumbnailImage  *image;        /* NULL when unchanged */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->machine);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_free (job->mime_type);
  g_clear_pointer (&job->image, piso_thumbnail_image_free);
  g_free (job);
}

static guint64
hash_bytes (GBytes *bytes)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  guint64 h = 0xcbf29ce484222325ull;   /* FNV-1a */

  for (gsize i = 0; i < len; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  h ^= len;
  return h != 0 ? h : 1;
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  job->hash = hash_bytes (job->bytes);
  if (job->hash == job->previous_hash)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (job->raw)
    {
      int w, h;

      piso_thumbnail_fit_size (job->raw_width, job->raw_height,
                               job->box_width, job->box_height, &w, &h);
      job->image = piso_thumbnail_downscale (g_bytes_get_data (job->bytes, NULL),
                                             job->raw_width, job->raw_height, job->raw_stride,
                                             job->raw_format, w, h);
    }
  else
    job->image = piso_thumbnail_decode (job->bytes, job->mime_type,
                                        job->box_width, job->box_height, &error);

  if (job->image == NULL && error == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "console surface with an unexpected layout");
  if (job->image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
decode_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  PisoThumbnailScheduler *self = PISO_THUMBNAIL_SCHEDULER (object);
  Job *job = g_task_get_task_data (G_TASK (result));
  MachineThumb *mt = get_machine_thumb (job->machine);
  g_autoptr(GError) error = NULL;
  guint interval_ms = self->interval_ms;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error);
  mt->in_flight = FALSE;

  if (job->generation != mt->generation)
    {
      /* The machine stopped meanwhile: this picture is of the last run. */
      piso_thumbnail_scheduler_schedule (self, g_get_monotonic_time ());
      return;
    }

  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No thumbnail for “%s”: %s",
                 piso_machine_get_display_name (job->machine), error->message);
      mt->backoff = MAX_BACKOFF;
    }
  else if (job->image == NULL)
    {
      /* Same screen as last time: look less often until it changes. */
      mt->backoff = MIN (mt->backoff * 2, MAX_BACKOFF);
    }
  else
    {
      GdkTexture *texture = gdk_memory_texture_new (job->image->width, job->image->height,
                                                    GDK_MEMORY_R8G8B8, job->image->pixels,
                                                    (gsize) job->image->width * 3);

      g_set_object (&mt->texture, texture);
      g_object_unref (texture);
      mt->hash = job->hash;
      mt->box_width = job->box_width;
      mt->box_height = job->box_height;
      mt->backoff = 1;
      mt->last_seen = g_get_monotonic_time ();
      g_hash_table_insert (kept, mt, job->machine);
      deliver (self, job->machine, mt->texture);
      trim_kept (self);
    }

  mt->next_due = g_get_monotonic_time () + (gint64) interval_ms * mt->backoff * 1000;
  piso_thumbnail_scheduler_schedule (self, mt->next_due);
}

static void
decode_pool_func (gpointer data,
                  gpointer user_data)
{
  g_autoptr(GTask) task = data;

  decode_thread (task, g_task_get_source_object (task), g_task_get_task_data (task),
                 g_task_get_cancellable (task));
}

static void
start_decode (PisoThumbnailScheduler *self,
              Job                    *job)
{
  GTask *task = g_task_new (self, self->cancellable, decode_done_cb, NULL);

  g_task_set_source_tag (task, start_decode);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* One decoding thread: thumbnails are not urgent, and a single thread
   * keeps one malloc arena for the full-size images instead of one per
   * worker of GTask's pool. */
  g_thread_pool_push (self->decode_pool, task, NULL);
}

/* ---- sources ---- */

static void
screenshot_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Job *job = user_data;
  PisoThumbnailScheduler *self = piso_thumbnail_scheduler_get_default ();
  PisoMachine *machine = PISO_MACHINE (object);
  g_autoptr(GError) error = NULL;

  job->bytes = piso_machine_screenshot_finish (machine, result, &job->mime_type, &error);
  g_hash_table_remove (self->busy, job->connection);

  if (job->bytes == NULL)
    {
      MachineThumb *mt = get_machine_thumb (machine);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Screenshot of “%s” failed: %s",
                 piso_machine_get_display_name (machine), error->message);
      mt->in_flight = FALSE;
      /* Unsupported or failing: try again much later, not every tick —
       * unless the machine stopped meanwhile (its next run starts afresh). */
      if (job->generation == mt->generation)
        {
          mt->backoff = MAX_BACKOFF;
          mt->next_due = g_get_monotonic_time () +
                         (gint64) self->interval_ms * MAX_BACKOFF * 1000;
        }
      job_free (job);
    }
  else
    start_decode (self, job);

  /* The connection is free again for the next row. */
  piso_thumbnail_scheduler_schedule (self, g_get_monotonic_time ());
}

static Job *
job_new (PisoMachine  *machine,
         MachineThumb *mt,
         int           box_width,
         int           box_height)
{
  Job *job = g_new0 (Job, 1);

  job->machine = g_object_ref (machine);
  job->box_width = box_width;
  job->box_height = box_height;
  job->generation = mt->generation;
  /* A new box size (scale change) needs a new decode even if unchanged. */
  if (mt->box_width == box_width && mt->box_height == box_height)
    job->previous_hash = mt->hash;
  return job;
}

static void
request_screenshot (PisoThumbnailScheduler *self,
                    PisoMachine            *machine,
                    MachineThumb           *mt,
                    int                     box_width,
                    int                     box_height)
{
  Job *job = job_new (machine, mt, box_width, box_height);

  job->connection = piso_machine_get_connection (machine);
  g_hash_table_add (self->busy, job->connection);
  mt->in_flight = TRUE;
  mt->n_requests++;
  self->n_requests++;
  g_signal_emit (self, signals[SCREENSHOT_REQUESTED], 0, machine);

  piso_machine_screenshot_async (machine, 0, self->cancellable, screenshot_cb, job);
}

/* The console's primary surface when a session shows this machine: no
 * libvirt round trip. The surface belongs to the main thread, so it is
 * copied here and shrunk in the worker. */
static gboolean
grab_from_console (PisoThumbnailScheduler *self,
                   PisoMachine            *machine,
                   MachineThumb           *mt,
                   int                     box_width,
                   int                     box_height)
{
  PisoSpiceSession *session = piso_spice_session_peek_for_machine (machine);
  gint format = 0, width = 0, height = 0, stride = 0;
  guint8 *data = NULL;
  Job *job;

  if (session == NULL ||
      piso_spice_session_get_state (session) != PISO_SPICE_STATE_CONNECTED ||
      !piso_spice_session_get_primary (session, &format, &width, &height, &stride, &data) ||
      data == NULL || width <= 0 || height <= 0 ||
      (format != 32 && format != 16) ||
      stride < width * (format == 32 ? 4 : 2))
    return FALSE;

  job = job_new (machine, mt, box_width, box_height);
  job->raw = TRUE;
  job->raw_width = width;
  job->raw_height = height;
  job->raw_stride = stride;
  job->raw_format = format == 32 ? PISO_THUMBNAIL_PIXELS_BGRX : PISO_THUMBNAIL_PIXELS_RGB555;
  job->bytes = g_bytes_new (data, (gsize) stride * height);
  mt->in_flight = TRUE;
  start_decode (self, job);
  return TRUE;
}

/* ---- the timer ---- */

static gboolean
piso_thumbnail_scheduler_tick (gpointer user_data)
{
  PisoThumbnailScheduler *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 next = G_MAXINT64;

  self->timeout_id = 0;
  self->timeout_due = 0;

  for (guint i = 0; i < self->watches->len; i++)
    {
      Watch *watch = g_ptr_array_index (self->watches, i);
      MachineThumb *mt;
      int scale, box_width, box_height;

      if (!machine_has_screen (watch->machine))
        continue;

      if (!widget_is_showing (watch->widget))
        {
          next = MIN (next, now + VISIBILITY_CHECK_MS * 1000);
          continue;
        }

      mt = get_machine_thumb (watch->machine);
      if (mt->in_flight)
        continue;
      /* A paused guest's screen does not change. */
      if (mt->texture != NULL &&
          piso_machine_get_state (watch->machine) == PISO_MACHINE_STATE_PAUSED)
        continue;
      if (mt->next_due > now)
        {
          next = MIN (next, mt->next_due);
          continue;
        }

      scale = MAX (gtk_widget_get_scale_factor (watch->widget), 1);
      box_width = PISO_THUMBNAIL_WIDTH * scale;
      box_height = PISO_THUMBNAIL_HEIGHT * scale;

      if (grab_from_console (self, watch->machine, mt, box_width, box_height))
        continue;

      if (g_hash_table_contains (self->busy, piso_machine_get_connection (watch->machine)))
        continue;   /* the screenshot callback ticks again */

      request_screenshot (self, watch->machine, mt, box_width, box_height);
    }

  if (next != G_MAXINT64)
    piso_thumbnail_scheduler_schedule (self, next);

  return G_SOURCE_REMOVE;
}

/* Makes sure the timer fires no later than @due (monotonic µs); only while
 * something is watched. */
static void
piso_thumbnail_scheduler_schedule (PisoThumbnailScheduler *self,
                                   gint64                  due)
{
  gint64 now = g_get_monotonic_time ();
  guint delay_ms;

  if (self->watches->len == 0)
    return;
  if (self->timeout_id != 0 && self->timeout_due <= due)
    return;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  delay_ms = due > now ? (guint) MIN ((due - now + 999) / 1000, G_MAXUINT) : 0;
  self->timeout_due = due;
  self->timeout_id = g_timeout_add_full (G_PRIORITY_LOW, delay_ms,
                                         piso_thumbnail_scheduler_tick, self, NULL);
  g_source_set_name_by_id (self->timeout_id, "[piso] thumbnails");
}

/* ---- public ---- */

static guint
find_watch (PisoThumbnailScheduler *self,
            GtkWidget              *widget)
{
  for (guint i = 0; i < self->watches->len; i++)
    if (((Watch *) g_ptr_array_index (self->watches, i))->widget == widget)
      return i;
  return G_MAXUINT;
}

GdkTexture *
piso_thumbnail_scheduler_watch (PisoThumbnailScheduler *self,
                                GtkWidget              *widget,
                                PisoMachine            *machine,
                                PisoThumbnailFunc       func)
{
  Watch *watch;
  MachineThumb *mt;
  guint index;

  g_return_val_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  index = find_watch (self, widget);
  if (index != G_MAXUINT)
    watch = g_ptr_array_index (self->watches, index);
  else
    {
      watch = g_new0 (Watch, 1);
      watch->widget = widget;
      g_ptr_array_add (self->watches, watch);
    }
  g_set_object (&watch->machine, machine);
  watch->func = func;

  /* Rows are bound while scrolling: the first look waits a moment, so a
   * row that only flies past costs nothing. */
  mt = get_machine_thumb (machine);
  mt->last_seen = g_get_monotonic_time ();
  piso_thumbnail_scheduler_schedule (self, MAX (mt->next_due,
                                                g_get_monotonic_time () + 300 * 1000));

  return mt->texture;
}

void
piso_thumbnail_scheduler_unwatch (PisoThumbnailScheduler *self,
                                  GtkWidget              *widget)
{
  guint index;

  g_return_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self));

  index = find_watch (self, widget);
  if (index != G_MAXUINT)
    g_ptr_array_remove_index_fast (self->watches, index);

  if (self->watches->len == 0)
    g_clear_handle_id (&self->timeout_id, g_source_remove);
}

void
piso_thumbnail_scheduler_forget (PisoThumbnailScheduler *self,
                                 PisoMachine            *machine)
{
  MachineThumb *mt;

  g_return_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self));
  g_return_if_fail (PISO_IS_MACHINE (machine));

  mt = g_object_get_qdata (G_OBJECT (machine), thumb_quark);
  if (mt == NULL)
    return;

  machine_thumb_drop (mt);
  mt->generation++;
}

void
piso_thumbnail_scheduler_set_interval (PisoThumbnailScheduler *self,
                                       guint                   interval_ms)
{
  g_return_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self));
  g_return_if_fail (interval_ms > 0);

  self->interval_ms = interval_ms;
}

guint
piso_thumbnail_scheduler_get_n_requests (PisoThumbnailScheduler *self,
                                         PisoMachine            *machine)
{
  MachineThumb *mt;

  g_return_val_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self), 0);
  g_return_val_if_fail (machine == NULL || PISO_IS_MACHINE (machine), 0);

  if (machine == NULL)
    return self->n_requests;

  mt = g_object_get_qdata (G_OBJECT (machine), thumb_quark);
  return mt != NULL ? mt->n_requests : 0;
}

void
piso_thumbnail_scheduler_set_kept_max (PisoThumbnailScheduler *self,
                                       guint                   kept_max)
{
  g_return_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self));

  self->kept_max = kept_max;
  trim_kept (self);
}

GdkTexture *
piso_thumbnail_scheduler_peek (PisoThumbnailScheduler *self,
                               PisoMachine            *machine)
{
  MachineThumb *mt;

  g_return_val_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self), NULL);
  g_return_val_if_fail (PISO_IS_MACHINE (machine), NULL);

  mt = g_object_get_qdata (G_OBJECT (machine), thumb_quark);
  return mt != NULL ? mt->texture : NULL;
}

guint
piso_thumbnail_scheduler_get_n_kept (PisoThumbnailScheduler *self)
{
  g_return_val_if_fail (PISO_IS_THUMBNAIL_SCHEDULER (self), 0);

  return g_hash_table_size (kept);
}

PisoThumbnailScheduler *
piso_thumbnail_scheduler_get_default (void)
{
  static PisoThumbnailScheduler *instance;

  if (instance == NULL)
    instance = g_object_new (PISO_TYPE_THUMBNAIL_SCHEDULER, NULL);
  return instance;
}

static void
piso_thumbnail_scheduler_finalize (GObject *object)
{
  PisoThumbnailScheduler *self = (PisoThumbnailScheduler *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_thread_pool_free (self->decode_pool, FALSE, TRUE);
  g_clear_pointer (&self->watches, g_ptr_array_unref);
  g_clear_pointer (&self->busy, g_hash_table_unref);

  G_OBJECT_CLASS (piso_thumbnail_scheduler_parent_class)->finalize (object);
}

static void
piso_thumbnail_scheduler_class_init (PisoThumbnailSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = piso_thumbnail_scheduler_finalize;

  signals[SCREENSHOT_REQUESTED] =
    g_signal_new ("screenshot-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PISO_TYPE_MACHINE);

  thumb_quark = g_quark_from_static_string ("piso-thumbnail");
  kept = g_hash_table_new (NULL, NULL);
}

static void
piso_thumbnail_scheduler_init (PisoThumbnailScheduler *self)
{
  self->watches = g_ptr_array_new_with_free_func (watch_free);
  self->busy = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
  self->decode_pool = g_thread_pool_new (decode_pool_func, NULL, 1, FALSE, NULL);
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->kept_max = KEPT_MAX;
}
