/* piso-graph.h: a line graph of a machine's statistics history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_GRAPH (piso_graph_get_type ())

G_DECLARE_FINAL_TYPE (PisoGraph, piso_graph, PISO, GRAPH, GtkWidget)

GtkWidget        *piso_graph_new                  (void);
PisoStatsHistory *piso_graph_get_history          (PisoGraph        *self);
void              piso_graph_set_history          (PisoGraph        *self,
                                                   PisoStatsHistory *history);
PisoStatsSeries   piso_graph_get_series           (PisoGraph        *self);
void              piso_graph_set_series           (PisoGraph        *self,
                                                   PisoStatsSeries   series);
/* -1 when there is none */
int               piso_graph_get_secondary_series (PisoGraph        *self);
void              piso_graph_set_secondary_series (PisoGraph        *self,
                                                   int               series);
gboolean          piso_graph_get_compact          (PisoGraph        *self);
void              piso_graph_set_compact          (PisoGraph        *self,
                                                   gboolean          compact);
/* 0 scales to the data (CPU always spans 0–100 %) */
double            piso_graph_get_max_value        (PisoGraph        *self);
void              piso_graph_set_max_value        (PisoGraph        *self,
                                                   double            max_value);
const char       *piso_graph_get_title            (PisoGraph        *self);
void              piso_graph_set_title            (PisoGraph        *self,
                                                   const char       *title);
/* Redraws from the history; call it on the machine's "stats-updated". */
void              piso_graph_queue_update         (PisoGraph        *self);

/* The latest value of @series formatted by its kind ("37 %", "1.2 MiB/s") */
char             *piso_graph_format_value         (PisoStatsSeries   series,
                                                   double            value);

G_END_DECLS
