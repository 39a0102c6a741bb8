/* piso-machine-install-private.h: Piso's install metadata and the definitions
 * of an install's steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The metadata is one element in the domain's <metadata>:
 *
 *   <piso:install xmlns:piso="https://pisovm.github.io/xmlns/libvirt/install/1"
 *                 phase="installing" reboots="0" installer-reboots="1"
 *                 eject="yes" installer="sda"/>
 *
 * phase: "installing" or "finished"; reboots: installer reboots counted so
 * far; installer-reboots: how many the OS's installer makes (libosinfo);
 * eject: empty the installer's drive once done; installer: the target of the
 * installer's CD-ROM; stop-counted="yes": the machine's present stop was
 * counted while it was off (found so), not seen happen.
 */
#pragma once

#include <libxml/tree.h>

#include "piso-backend-private.h"
#include "piso-machine-install.h"

G_BEGIN_DECLS

#define PISO_INSTALL_NS      "https://pisovm.github.io/xmlns/libvirt/install/1"
#define PISO_INSTALL_PREFIX  "piso"

typedef struct
{
  PisoMachineInstallPhase phase;            /* NONE: no metadata */
  guint                   reboots;
  guint                   installer_reboots;
  gboolean                eject;
  char                   *installer;        /* target dev of the installer's CD-ROM */
  gboolean                stop_counted;
  gboolean                reboot_destroys;  /* <on_reboot>destroy</on_reboot> */
} PisoInstallRecord;

/* Reads the metadata and <on_reboot> of the <domain> element @domain. */
void     _piso_install_record_parse        (xmlNodePtr               domain,
                                            PisoInstallRecord       *record);
void     _piso_install_record_clear        (PisoInstallRecord       *record);
/* A definition Piso runs an install with: its metadata says so and a
 * reboot stops it. */
gboolean _piso_install_record_is_run       (const PisoInstallRecord *record);
/* The metadata element for a new install run (a line of XML). */
char    *_piso_install_metadata_new        (guint                    installer_reboots,
                                            gboolean                 eject,
                                            const char              *installer);
/* The metadata element of @record as XML (for virDomainSetMetadata). */
char    *_piso_install_metadata_format     (const PisoInstallRecord *record);

typedef enum
{
  PISO_INSTALL_STEP_COUNT,          /* a reboot seen: count it, finish at the last */
  PISO_INSTALL_STEP_COUNT_UNSEEN,   /* a stop found: the same, and mark it counted */
  PISO_INSTALL_STEP_FINISH,         /* remove the installer now (the user asked) */
} PisoInstallStep;

/* The inactive definition @xml after @step, or NULL with an error when it
 * is not an install in progress (PISO_BACKEND_ERROR_INVALID_STATE) or not
 * a definition. @finished (may be NULL) tells whether the step finished the
 * install. The installer's drive is emptied at the end when the metadata's
 * eject says so, and always for FINISH. */
char    *_piso_install_xml_step            (const char              *xml,
                                            PisoInstallStep          step,
                                            gboolean                *finished,
                                            GError                 **error);

/* Called by PisoMachine and the connection's event handling (main thread). */
void     _piso_machine_install_apply_config (PisoMachine             *self,
                                             const PisoInstallRecord *record);
/* A STOPPED event with @detail, before the machine's state changes. */
void     _piso_machine_install_stopped      (PisoMachine             *self,
                                             int                      detail);
void     _piso_machine_install_started      (PisoMachine             *self);
/* Piso is about to ask the guest to shut down or restart (@action SHUTDOWN
 * or REBOOT: the user's request, not the installer's); any other action
 * forgets it (the request failed). */
void     _piso_machine_install_note_request (PisoMachine             *self,
                                             PisoMachineAction        action);
/* Notifies "install-phase" (piso-machine.c owns the property). */
void     _piso_machine_notify_install_phase (PisoMachine             *self);

G_END_DECLS
