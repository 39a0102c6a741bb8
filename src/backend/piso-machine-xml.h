/* piso-machine-xml.h: a machine's definition as libvirt XML, read and written
 *
 * For the XML view: piso_machine_get_xml_async() gives the definition the
 * machine starts with (libvirt's inactive XML, secrets included so that
 * saving it back keeps them); piso_machine_define_xml_async() saves an
 * edited one. Saving validates against libvirt's schema
 * (VIR_DOMAIN_DEFINE_VALIDATE) and writes nothing unless libvirt accepts
 * the whole document; errors carry the line when libxml2 or the schema
 * check can tell it. libvirt drops what it does not know without an error
 * (an element or attribute misspelled, or newer than this libvirt): after
 * saving, Piso compares what was submitted with what libvirt kept and
 * returns the parts that were dropped, so the view can say so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "piso-backend-types.h"
#include "piso-machine-change.h"

G_BEGIN_DECLS

/* The definition (inactive XML; for a transient machine, the running one). */
void        piso_machine_get_xml_async     (PisoMachine          *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char       *piso_machine_get_xml_finish    (PisoMachine          *self,
                                            GAsyncResult         *result,
                                            GError              **error);

/* Saves @xml as the machine's definition. It must keep the machine's name
 * and UUID (rename with piso_machine_rename_async; a new UUID would be a
 * new machine) and the machine must be persistent. Errors:
 * PISO_BACKEND_ERROR_INVALID_XML (not well formed, or not valid for
 * libvirt: libvirt's reason, with the line in @error_line when known, else
 * 0), _INVALID_NAME (name or UUID changed), _INVALID_STATE (transient), or
 * libvirt's reason for anything else; the definition is then unchanged.
 * On success the PisoChange has NEXT_START (a running machine keeps its
 * current setup until it restarts) and @dropped (may be NULL) receives
 * what libvirt did not keep, one translated line each ("Element
 * <frobnicate> in <devices> (line 42)"), or an empty array. */
void        piso_machine_define_xml_async  (PisoMachine          *self,
                                            const char           *xml,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
PisoChange *piso_machine_define_xml_finish (PisoMachine          *self,
                                            GAsyncResult         *result,
                                            char               ***dropped,
                                            guint                *error_line,
                                            GError              **error);

G_END_DECLS
