/* piso-list-stager.c: shows a long list to its view a screenful first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8's GtkListView makes, binds, measures and allocates a row widget
 * for up to 200 items past the top of the list as soon as they are in its
 * model, visible or not (later GTK makes only what shows). With 1000
 * machines that is most of the time between libvirt's answer and the first
 * frame. The stager sits between the model and the view: the first time
 * the model grows past a screenful while the view is on screen, the view
 * gets that screenful, and the rest comes a slice per frame after the first
 * one is drawn, so no frame waits for rows nobody sees yet. From then on
 * the stager passes the model through unchanged, for good.
 *
 * GTK 4.18 (Debian 13) does the same as 4.8 here: measured by test-window,
 * a 301-row list got 205 row widgets in its first frame without the stager,
 * so it stages on every GTK.
 */
#define G_LOG_DOMAIN "piso-list-stager"

#include "config.h"

#include "piso-list-stager.h"

/* A machine row is about 48 px high (two lines of text), a connection's
 * header a little more; no row is shorter than this, so a screenful is
 * the window's height in these. FIRST_MIN: the least that is staged. */
#define ROW_HEIGHT_MIN 40
#define FIRST_MIN      16
/* Rows made per frame once the first screenful is drawn: about 20 ms of
 * work for GTK 4.8 on a slow machine. */
#define STEP           48
/* Past this many rows GTK 4.8 makes no more widgets (its 200 plus a few):
 * the rest can come at once. */
#define MADE_MAX       256

struct _PisoListStager
{
  GObject             parent_instance;

  GListModel         *model;
  GtkSliceListModel  *slice;
  GtkWidget          *view;    /* weak */
  guint               tick_id;
  gint64              start_frame;  /* the frame clock's counter then */
  guint               staging : 1;
  guint               done : 1;
};

G_DEFINE_FINAL_TYPE (PisoListStager, piso_list_stager, G_TYPE_OBJECT)

static void
piso_list_stager_finish (PisoListStager *self)
{
  if (self->tick_id != 0 && self->view != NULL)
    gtk_widget_remove_tick_callback (self->view, self->tick_id);
  self->tick_id = 0;
  self->staging = FALSE;
  self->done = TRUE;
  g_signal_handlers_disconnect_by_data (self->model, self);
  gtk_slice_list_model_set_size (self->slice, G_MAXUINT);
}

static gboolean
piso_list_stager_tick_cb (GtkWidget     *view,
                          GdkFrameClock *clock,
                          gpointer       user_data)
{
  PisoListStager *self = user_data;
  guint size = gtk_slice_list_model_get_size (self->slice);

  /* Ticks come before a frame's layout: the first frame after the start
   * draws the first screenful, growth starts on the one after. */
  if (gdk_frame_clock_get_frame_counter (clock) < self->start_frame + 2)
    return G_SOURCE_CONTINUE;

  if (size + STEP >= MADE_MAX || size + STEP >= g_list_model_get_n_items (self->model))
    {
      self->tick_id = 0;
      piso_list_stager_finish (self);
      return G_SOURCE_REMOVE;
    }

  gtk_slice_list_model_set_size (self->slice, size + STEP);
  return G_SOURCE_CONTINUE;
}

static guint
piso_list_stager_first_size (PisoListStager *self)
{
  GtkRoot *root = gtk_widget_get_root (self->view);
  int height = root != NULL ? gtk_widget_get_height (GTK_WIDGET (root)) : 0;

  return MAX (FIRST_MIN, height / ROW_HEIGHT_MIN + 1);
}

/* After the slice has passed on what fits in it */
static void
piso_list_stager_model_changed_cb (PisoListStager *self,
                                   guint           position,
                                   guint           removed,
                                   guint           added,
                                   GListModel     *model)
{
  guint n_items = g_list_model_get_n_items (model);
  guint first;

  if (self->staging || self->done ||
      n_items <= gtk_slice_list_model_get_size (self->slice))
    return;

  /* Nothing is drawn now, so nothing to gain: all of it at once */
  if (self->view == NULL || !gtk_widget_get_mapped (self->view))
    {
      piso_list_stager_finish (self);
      return;
    }

  /* The view has the first FIRST_MIN items; a tall window gets the rest
   * of its screenful now, and everything else after the first frame. */
  self->staging = TRUE;
  first = piso_list_stager_first_size (self);
  if (first > gtk_slice_list_model_get_size (self->slice))
    gtk_slice_list_model_set_size (self->slice, first);
  self->start_frame = gdk_frame_clock_get_frame_counter (gtk_widget_get_frame_clock (self->view));
  self->tick_id = gtk_widget_add_tick_callback (self->view, piso_list_stager_tick_cb, self, NULL);
}

static void
piso_list_stager_dispose (GObject *object)
{
  PisoListStager *self = (PisoListStager *)object;

  if (self->tick_id != 0 && self->view != NULL)
    gtk_widget_remove_tick_callback (self->view, self->tick_id);
  self->tick_id = 0;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_weak_pointer (&self->view);
  g_clear_object (&self->slice);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (piso_list_stager_parent_class)->dispose (object);
}

static void
piso_list_stager_class_init (PisoListStagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = piso_list_stager_dispose;
}

static void
piso_list_stager_init (PisoListStager *self)
{
}

/* @view: the widget that shows the model (it need not have it yet) */
PisoListStager *
piso_list_stager_new (GListModel *model,
                      GtkWidget  *view)
{
  PisoListStager *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (view), NULL);

  self = g_object_new (PISO_TYPE_LIST_STAGER, NULL);
  self->model = g_object_ref (model);
  g_set_weak_pointer (&self->view, view);
  /* Connected after the slice's own handler: see model_changed_cb */
  self->slice = gtk_slice_list_model_new (g_object_ref (model), 0, FIRST_MIN);
  g_signal_connect_object (model, "items-changed",
                           G_CALLBACK (piso_list_stager_model_changed_cb), self,
                           G_CONNECT_SWAPPED);

  return self;
}

GListModel *
piso_list_stager_get_model (PisoListStager *self)
{
  g_return_val_if_fail (PISO_IS_LIST_STAGER (self), NULL);

  return G_LIST_MODEL (self->slice);
}


/* For callers that need the whole list now (selecting by position, search) */
void
piso_list_stager_reveal_all (PisoListStager *self)
{
  g_return_if_fail (PISO_IS_LIST_STAGER (self));

  if (!self->done)
    piso_list_stager_finish (self);
}
