/* piso-machine-xml-view.h: the machine page's XML: the definition as libvirt XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-machine-section.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_XML_VIEW (piso_machine_xml_view_get_type ())

G_DECLARE_FINAL_TYPE (PisoMachineXmlView, piso_machine_xml_view, PISO, MACHINE_XML_VIEW, PisoMachineSection)

/* The machine's definition (what it starts with next) in a GtkSourceView
 * with XML highlighting, read-only until the user allows editing (as in
 * virt-manager). Save hands the text to libvirt, which validates it and
 * writes nothing unless it accepts the whole; a refusal shows libvirt's
 * reason, marks its line and keeps the user's text; parts libvirt did not
 * keep are listed. Unsaved text is never replaced by a reload. */
GtkWidget *piso_machine_xml_view_new (void);

G_END_DECLS
