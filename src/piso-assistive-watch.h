/* piso-assistive-watch.h: whether an assistive technology is listening
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PISO_TYPE_ASSISTIVE_WATCH (piso_assistive_watch_get_type ())
G_DECLARE_FINAL_TYPE (PisoAssistiveWatch, piso_assistive_watch, PISO, ASSISTIVE_WATCH, GObject)

/* Property "active": an assistive technology is listening to the desktop,
 * that is a screen reader is turned on in the desktop's settings
 * (org.a11y.Status "ScreenReaderEnabled", which GNOME sets) or some program
 * has registered for events with the accessibility registry (what Orca
 * does however it was started, and any other assistive technology).
 * Followed from D-Bus signals, never blocking; FALSE where there is no
 * accessibility bus, and when GTK_A11Y=none turns accessibility off.
 *
 * Property "ready": the first answers have come (for tests). */
PisoAssistiveWatch *piso_assistive_watch_get_default (void);
PisoAssistiveWatch *piso_assistive_watch_new         (void);
gboolean            piso_assistive_watch_get_active  (PisoAssistiveWatch *self);
gboolean            piso_assistive_watch_get_ready   (PisoAssistiveWatch *self);

G_END_DECLS
