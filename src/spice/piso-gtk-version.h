/* piso-gtk-version.h: calling GTK newer than the oldest Piso supports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * meson.build sets GDK_VERSION_MAX_ALLOWED and ADW_VERSION_MAX_ALLOWED to
 * the oldest GTK and libadwaita Piso builds with (4.8, 1.2), so a call to
 * newer API warns "Not available before …" when Piso is built against a
 * newer one: that catches a call made without a version check. Where the call sits behind GTK_CHECK_VERSION, the check
 * already guarantees it exists; these mark such a block so that newer GTK
 * builds without warnings while unguarded calls still warn.
 */
#pragma once

#include <glib.h>

#define PISO_NEWER_GTK_BEGIN G_GNUC_BEGIN_IGNORE_DEPRECATIONS
#define PISO_NEWER_GTK_END   G_GNUC_END_IGNORE_DEPRECATIONS
