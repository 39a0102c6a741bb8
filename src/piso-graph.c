/* piso-graph.c: a line graph of a machine's statistics history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-graph"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-graph.h"

/* A compact sparkline shows the last two minutes at the default interval;
 * the full graph shows the whole history. */
#define COMPACT_SAMPLES 60
#define LABEL_MARGIN    6
#define LABEL_TOP_SPACE 22

struct _PisoGraph
{
  GtkWidget         parent_instance;

  PisoStatsHistory *history;
  char             *title;
  char             *value_text;  /* the latest values, as drawn and described */
  double            max_value;
  PisoStatsSeries   series;
  int               secondary_series;
  guint             compact : 1;
  guint             drew_values : 1;  /* the last frame showed known values */
};

G_DEFINE_FINAL_TYPE (PisoGraph, piso_graph, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_SERIES,
  PROP_SECONDARY_SERIES,
  PROP_COMPACT,
  PROP_MAX_VALUE,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
piso_graph_format_value (PisoStatsSeries series,
                         double          value)
{
  switch (series)
    {
    case PISO_STATS_CPU_PERCENT:
      return piso_format_percent (value);
    case PISO_STATS_MEMORY_USED_KIB:
      if (isnan (value) || value < 0)
        return g_strdup ("\xe2\x80\x94");
      return piso_format_memory_kib ((guint64) value);
    case PISO_STATS_DISK_READ_BPS:
    case PISO_STATS_DISK_WRITE_BPS:
    case PISO_STATS_NET_RX_BPS:
    case PISO_STATS_NET_TX_BPS:
    case PISO_STATS_N_SERIES:
    default:
      return piso_format_rate (value);
    }
}

static gboolean
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color)
{
  GtkStyleContext *context;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  return gtk_style_context_lookup_color (context, name, color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static gboolean has_visible_values (PisoGraph *self);

static void
get_colors (PisoGraph *self,
            GdkRGBA   *foreground,
            GdkRGBA   *primary,
            GdkRGBA   *secondary)
{
  GtkStyleContext *context;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (context, foreground);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (!lookup_color (GTK_WIDGET (self), "accent_color", primary))
    *primary = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 };
  /* style.css defines it; libadwaita's palette is the fallback */
  if (!lookup_color (GTK_WIDGET (self), "piso_graph_secondary_color", secondary) &&
      !lookup_color (GTK_WIDGET (self), "purple_3", secondary))
    *secondary = (GdkRGBA) { 0.57, 0.25, 0.67, 1.0 };
}

static double
compute_max (PisoGraph *self)
{
  double max;

  if (self->max_value > 0)
    return self->max_value;
  if (self->series == PISO_STATS_CPU_PERCENT)
    return 100.0;
  if (self->history == NULL)
    return 1.0;

  max = piso_stats_history_get_max (self->history, self->series);
  if (self->secondary_series >= 0)
    max = MAX (max, piso_stats_history_get_max (self->history, self->secondary_series));

  /* Headroom, and a floor so an idle disk does not show noise as peaks */
  max *= 1.15;
  if (self->series == PISO_STATS_MEMORY_USED_KIB)
    return MAX (max, 1024.0);
  return MAX (max, 16.0 * 1024.0);
}

static void
draw_series (PisoGraph       *self,
             cairo_t         *cr,
             PisoStatsSeries  series,
             const GdkRGBA   *color,
             double           width,
             double           height,
             double           top,
             double           max)
{
  guint n_samples = piso_stats_history_get_n_samples (self->history);
  guint span = self->compact ? COMPACT_SAMPLES : PISO_STATS_HISTORY_LENGTH;
  guint first = n_samples > span ? n_samples - span : 0;
  double step = width / (double) (span - 1);
  double line_width = self->compact ? 1.5 : 2.0;
  gboolean in_segment = FALSE;
  double segment_start_x = 0;
  double last_x = 0;

  cairo_set_line_width (cr, line_width);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  /* Newest sample on the right edge; NAN breaks the line into segments,
   * each filled below and stroked on top. */
  for (guint i = first; i <= n_samples; i++)
    {
      double value = i < n_samples ? piso_stats_history_get (self->history, series, i) : NAN;
      double x = width - (double) (n_samples - 1 - MIN (i, n_samples - 1)) * step;

      if (isnan (value) || i == n_samples)
        {
          if (in_segment)
            {
              cairo_path_t *path = cairo_copy_path (cr);

              cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
              cairo_stroke (cr);

              cairo_append_path (cr, path);
              cairo_line_to (cr, last_x, height);
              cairo_line_to (cr, segment_start_x, height);
              cairo_close_path (cr);
              cairo_set_source_rgba (cr, color->red, color->green, color->blue,
                                     color->alpha * 0.2);
              cairo_fill (cr);
              cairo_path_destroy (path);
              in_segment = FALSE;
            }
          continue;
        }

      {
        double y = height - CLAMP (value / max, 0.0, 1.0) * (height - top - line_width)
                   - line_width / 2;

        if (!in_segment)
          {
            cairo_move_to (cr, x, y);
            segment_start_x = x;
            in_segment = TRUE;
          }
        else
          cairo_line_to (cr, x, y);
        last_x = x;
      }
    }
}

static void
append_label (PisoGraph     *self,
              GtkSnapshot   *snapshot,
              const char    *text,
              const GdkRGBA *color,
              gboolean       align_right,
              double         width)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int text_width, text_height;
  double x;

  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  x = align_right ? width - text_width - LABEL_MARGIN : LABEL_MARGIN;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (MAX (x, 0), LABEL_MARGIN / 2));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
piso_graph_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  PisoGraph *self = PISO_GRAPH (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  GdkRGBA foreground, primary, secondary;
  double max, top;
  cairo_t *cr;

  if (width <= 1 || height <= 1)
    return;

  get_colors (self, &foreground, &primary, &secondary);
  max = compute_max (self);
  /* The full graph keeps its top line for the labels, so the maximum never
   * runs under them */
  top = self->compact ? 0 : MIN (LABEL_TOP_SPACE, height / 3);

  self->drew_values = has_visible_values (self);

  if (self->compact)
    {
      GdkRGBA baseline = foreground;

      /* A baseline, so a machine that is idle or not sampled yet still
       * shows where its sparkline goes. A plain colour node: rows with
       * nothing to draw need no cairo surface (an upload per row on GL).
       * Strong enough to be seen (3:1 against the sidebar, WCAG's minimum
       * for graphics; it was 1.4:1). */
      baseline.alpha *= 0.6;
      gtk_snapshot_append_color (snapshot, &baseline,
                                 &GRAPHENE_RECT_INIT (0, height - 1, width, 1));
      if (!self->drew_values)
        return;

      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
    }
  else
    {
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

      /* A light frame and grid at quarters */
      cairo_set_source_rgba (cr, foreground.red, foreground.green, foreground.blue, 0.12);
      cairo_set_line_width (cr, 1.0);
      for (guint i = 1; i < 4; i++)
        {
          double y = floor (height * i / 4.0) + 0.5;

          cairo_move_to (cr, 0, y);
          cairo_line_to (cr, width, y);
        }
      for (guint i = 1; i < 6; i++)
        {
          double x = floor (width * i / 6.0) + 0.5;

          cairo_move_to (cr, x, 0);
          cairo_line_to (cr, x, height);
        }
      cairo_stroke (cr);

      cairo_set_source_rgba (cr, foreground.red, foreground.green, foreground.blue, 0.2);
      cairo_rectangle (cr, 0.5, 0.5, width - 1, height - 1);
      cairo_stroke (cr);
    }

  if (self->drew_values)
    {
      if (self->secondary_series >= 0)
        draw_series (self, cr, self->secondary_series, &secondary, width, height, top, max);
      draw_series (self, cr, self->series, &primary, width, height, top, max);
    }

  cairo_destroy (cr);

  if (!self->compact)
    {
      g_autofree char *value_text = NULL;
      GdkRGBA dim = foreground;

      dim.alpha *= 0.75;

      if (self->title != NULL)
        append_label (self, snapshot, self->title, &dim, FALSE, width);

      if (self->history != NULL && piso_stats_history_get_n_samples (self->history) > 0)
        {
          g_autofree char *primary_text =
            piso_graph_format_value (self->series,
                                     piso_stats_history_get_latest (self->history, self->series));

          if (self->secondary_series >= 0)
            {
              g_autofree char *secondary_text =
                piso_graph_format_value (self->secondary_series,
                                         piso_stats_history_get_latest (self->history,
                                                                        self->secondary_series));
              /* Translators: the latest values of two series of a graph, e.g. read / write */
              value_text = g_strdup_printf (_("%s / %s"), primary_text, secondary_text);
            }
          else
            value_text = g_steal_pointer (&primary_text);
        }
      else
        value_text = g_strdup ("\xe2\x80\x94");

      append_label (self, snapshot, value_text, &foreground, TRUE, width);
      /* Read after the name: "Processor, 12 %" */
      if (g_strcmp0 (value_text, self->value_text) != 0)
        {
          gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                          GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, value_text,
                                          -1);
          g_free (self->value_text);
          self->value_text = g_steal_pointer (&value_text);
        }
    }
}

static void
piso_graph_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  PisoGraph *self = PISO_GRAPH (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = self->compact ? 32 : 120;
      *natural = self->compact ? 64 : 320;
    }
  else
    {
      *minimum = self->compact ? 16 : 64;
      *natural = self->compact ? 24 : 120;
    }
}

static void
piso_graph_css_changed (GtkWidget         *widget,
                        GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (piso_graph_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);
}

static void
piso_graph_finalize (GObject *object)
{
  PisoGraph *self = (PisoGraph *)object;

  g_clear_pointer (&self->history, piso_stats_history_unref);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->value_text, g_free);

  G_OBJECT_CLASS (piso_graph_parent_class)->finalize (object);
}

static void
piso_graph_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PisoGraph *self = PISO_GRAPH (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_boxed (value, self->history);
      break;
    case PROP_SERIES:
      g_value_set_enum (value, self->series);
      break;
    case PROP_SECONDARY_SERIES:
      g_value_set_int (value, self->secondary_series);
      break;
    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;
    case PROP_MAX_VALUE:
      g_value_set_double (value, self->max_value);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_graph_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PisoGraph *self = PISO_GRAPH (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      piso_graph_set_history (self, g_value_get_boxed (value));
      break;
    case PROP_SERIES:
      piso_graph_set_series (self, g_value_get_enum (value));
      break;
    case PROP_SECONDARY_SERIES:
      piso_graph_set_secondary_series (self, g_value_get_int (value));
      break;
    case PROP_COMPACT:
      piso_graph_set_compact (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_VALUE:
      piso_graph_set_max_value (self, g_value_get_double (value));
      break;
    case PROP_TITLE:
      piso_graph_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_graph_class_init (PisoGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = piso_graph_finalize;
  object_class->get_property = piso_graph_get_property;
  object_class->set_property = piso_graph_set_property;

  widget_class->snapshot = piso_graph_snapshot;
  widget_class->measure = piso_graph_measure;
  widget_class->css_changed = piso_graph_css_changed;

  properties[PROP_HISTORY] =
    g_param_spec_boxed ("history", NULL, NULL, PISO_TYPE_STATS_HISTORY, flags);
  properties[PROP_SERIES] =
    g_param_spec_enum ("series", NULL, NULL, PISO_TYPE_STATS_SERIES,
                       PISO_STATS_CPU_PERCENT, flags);
  properties[PROP_SECONDARY_SERIES] =
    g_param_spec_int ("secondary-series", NULL, NULL,
                      -1, PISO_STATS_N_SERIES - 1, -1, flags);
  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL, FALSE, flags);
  properties[PROP_MAX_VALUE] =
    g_param_spec_double ("max-value", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "pisograph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
piso_graph_init (PisoGraph *self)
{
  self->series = PISO_STATS_CPU_PERCENT;
  self->secondary_series = -1;
}

GtkWidget *
piso_graph_new (void)
{
  return g_object_new (PISO_TYPE_GRAPH, NULL);
}

PisoStatsHistory *
piso_graph_get_history (PisoGraph *self)
{
  g_return_val_if_fail (PISO_IS_GRAPH (self), NULL);

  return self->history;
}

void
piso_graph_set_history (PisoGraph        *self,
                        PisoStatsHistory *history)
{
  g_return_if_fail (PISO_IS_GRAPH (self));

  if (self->history == history)
    return;

  if (history != NULL)
    piso_stats_history_ref (history);
  g_clear_pointer (&self->history, piso_stats_history_unref);
  self->history = history;

  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

PisoStatsSeries
piso_graph_get_series (PisoGraph *self)
{
  g_return_val_if_fail (PISO_IS_GRAPH (self), PISO_STATS_CPU_PERCENT);

  return self->series;
}

void
piso_graph_set_series (PisoGraph       *self,
                       PisoStatsSeries  series)
{
  g_return_if_fail (PISO_IS_GRAPH (self));
  g_return_if_fail (series < PISO_STATS_N_SERIES);

  if (self->series == series)
    return;

  self->series = series;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIES]);
}

int
piso_graph_get_secondary_series (PisoGraph *self)
{
  g_return_val_if_fail (PISO_IS_GRAPH (self), -1);

  return self->secondary_series;
}

void
piso_graph_set_secondary_series (PisoGraph *self,
                                 int        series)
{
  g_return_if_fail (PISO_IS_GRAPH (self));
  g_return_if_fail (series >= -1 && series < PISO_STATS_N_SERIES);

  if (self->secondary_series == series)
    return;

  self->secondary_series = series;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDARY_SERIES]);
}

gboolean
piso_graph_get_compact (PisoGraph *self)
{
  g_return_val_if_fail (PISO_IS_GRAPH (self), FALSE);

  return self->compact;
}

void
piso_graph_set_compact (PisoGraph *self,
                        gboolean   compact)
{
  g_return_if_fail (PISO_IS_GRAPH (self));

  compact = !!compact;
  if (self->compact == compact)
    return;

  self->compact = compact;
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "compact");
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPACT]);
}

double
piso_graph_get_max_value (PisoGraph *self)
{
  g_return_val_if_fail (PISO_IS_GRAPH (self), 0);

  return self->max_value;
}

void
piso_graph_set_max_value (PisoGraph *self,
                          double     max_value)
{
  g_return_if_fail (PISO_IS_GRAPH (self));

  if (self->max_value == max_value)
    return;

  self->max_value = max_value;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_VALUE]);
}

const char *
piso_graph_get_title (PisoGraph *self)
{
  g_return_val_if_fail (PISO_IS_GRAPH (self), NULL);

  return self->title;
}

void
piso_graph_set_title (PisoGraph  *self,
                      const char *title)
{
  g_return_if_fail (PISO_IS_GRAPH (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static gboolean
has_visible_values (PisoGraph *self)
{
  guint n_samples;
  guint span;

  if (self->history == NULL)
    return FALSE;

  n_samples = piso_stats_history_get_n_samples (self->history);
  span = self->compact ? COMPACT_SAMPLES : PISO_STATS_HISTORY_LENGTH;

  for (guint i = n_samples > span ? n_samples - span : 0; i < n_samples; i++)
    {
      if (!isnan (piso_stats_history_get (self->history, self->series, i)))
        return TRUE;
      if (self->secondary_series >= 0 &&
          !isnan (piso_stats_history_get (self->history, self->secondary_series, i)))
        return TRUE;
    }

  return FALSE;
}

void
piso_graph_queue_update (PisoGraph *self)
{
  g_return_if_fail (PISO_IS_GRAPH (self));

  /* Nothing to do for a graph nobody sees (a recycled row off screen) */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  /* A hypervisor that reports no figures (libvirt's test driver) appends
   * unknown values only: the picture stays the same, and redrawing every
   * row's sparkline every interval costs idle CPU for nothing. */
  if (!self->drew_values && !has_visible_values (self))
    return;

  gtk_widget_queue_draw (GTK_WIDGET (self));
}
