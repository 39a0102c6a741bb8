/* piso-machine-section.h: a view of the machine page (Overview, Resources, Hardware…)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "piso-backend.h"

G_BEGIN_DECLS

#define PISO_TYPE_MACHINE_SECTION (piso_machine_section_get_type ())

G_DECLARE_DERIVABLE_TYPE (PisoMachineSection, piso_machine_section, PISO, MACHINE_SECTION, AdwBin)

/* A section shows one concern of the machine the page shows, and follows
 * it: the page sets "machine" on every section of its view stack. The base
 * class keeps the machine and its connection, and tells the subclass:
 *
 *   machine_changed  another machine (or none): connect to its other
 *                    signals here with the section as data; they are
 *                    disconnected when the machine changes again.
 *   update           @pspec changed on the machine, or (@pspec NULL) all
 *                    may have: another machine, or its connection's state.
 *                    Not called for "cpu-percent", which changes every
 *                    sample.
 *
 * Edits a section makes are its own _async calls; failures go to
 * piso_machine_toast_error(). */
struct _PisoMachineSectionClass
{
  AdwBinClass parent_class;

  void (*machine_changed) (PisoMachineSection *self);
  void (*update)          (PisoMachineSection *self,
                           GParamSpec         *pspec);
};

PisoMachine    *piso_machine_section_get_machine    (PisoMachineSection *self);
void            piso_machine_section_set_machine    (PisoMachineSection *self,
                                                     PisoMachine        *machine);
/* The machine's connection while a machine is shown, else NULL */
PisoConnection *piso_machine_section_get_connection (PisoMachineSection *self);
/* Whether that connection is connected (libvirt can be asked) */
gboolean        piso_machine_section_is_connected   (PisoMachineSection *self);

G_END_DECLS
