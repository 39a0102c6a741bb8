/* piso-usb-chooser.h: pass this computer's USB devices to a machine (SPICE USB redirection)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "piso-spice-session.h"

G_BEGIN_DECLS

typedef enum
{
  PISO_USB_CHOOSER_STATUS_DISCONNECTED,  /* the session is not connected */
  PISO_USB_CHOOSER_STATUS_NO_CHANNELS,   /* the machine has no USB redirection channels */
  PISO_USB_CHOOSER_STATUS_UNSUPPORTED,   /* this computer cannot redirect USB (libusb, permissions) */
  PISO_USB_CHOOSER_STATUS_READY,         /* the device list is shown */
} PisoUsbChooserStatus;

#define PISO_TYPE_USB_CHOOSER_STATUS (piso_usb_chooser_status_get_type ())
GType piso_usb_chooser_status_get_type (void);

#define PISO_TYPE_USB_CHOOSER (piso_usb_chooser_get_type ())

G_DECLARE_FINAL_TYPE (PisoUsbChooser, piso_usb_chooser, PISO, USB_CHOOSER, GtkWidget)

/* Whether @session is connected to a machine with USB redirection channels
 * (spicevmc <redirdev> devices), i.e. whether a USB button makes sense. */
gboolean              piso_spice_session_has_usb_redirection (PisoSpiceSession *session);

/* A list of this computer's USB devices, each with a switch that passes it to
 * the machine of @session (and back), following the session across
 * reconnections. Errors of a connection appear above the list; when
 * redirection is not possible the list is replaced by an explanation. */
GtkWidget            *piso_usb_chooser_new             (PisoSpiceSession *session);
PisoSpiceSession     *piso_usb_chooser_get_session     (PisoUsbChooser   *self);
/* Property "status" (notify). */
PisoUsbChooserStatus  piso_usb_chooser_get_status      (PisoUsbChooser   *self);
/* Property "has-redirection" (notify): as piso_spice_session_has_usb_redirection(),
 * kept up to date; the console binds its USB button's visibility to it. */
gboolean              piso_usb_chooser_get_has_redirection (PisoUsbChooser *self);

G_END_DECLS
