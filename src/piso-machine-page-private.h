/* piso-machine-page-private.h: PisoMachinePage's insides, shared by its files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-console-page.h"
#include "piso-machine-controls.h"
#include "piso-machine-install-banner.h"
#include "piso-machine-page.h"
#include "piso-machine-state-banner.h"

G_BEGIN_DECLS

struct _PisoMachinePage
{
  AdwBin                parent_instance;

  PisoMachine          *machine;
  /* The machine's connection, kept while the machine is shown */
  PisoConnection       *connection;
  /* Cancelled when another machine is shown */
  GCancellable         *cancellable;
  /* display-name → the header's title */
  GBinding             *title_binding;

  /* The statistics hold taken, to release exactly that one */
  PisoConnection       *stats_connection;
  PisoMachine          *stats_machine;

  /* Every connection (PisoConnection), for "Move to Another Host…" */
  GListModel           *connections;

  /* "machine.*" (piso-machine-page-actions.c) */
  GSimpleActionGroup   *actions;

  PisoMachineState      last_state;
  guint                 vanished : 1;
  guint                 folded : 1;

  /* Template children */
  GtkButton            *back_button;
  PisoConsolePage      *console_page;
  PisoMachineControls  *controls;
  PisoMachineInstallBanner *install_banner;
  PisoMachineStateBanner *state_banner;
  GtkStack             *stack;
  AdwViewSwitcherBar   *switcher_bar;
  AdwViewSwitcherTitle *switcher_title;
  AdwStatusPage        *vanished_status;
  AdwViewStack         *view_stack;
};

/* piso-machine-page-actions.c: the "machine.*" actions and their dialogs */
void _piso_machine_page_init_actions          (PisoMachinePage *self);
/* Enables each action as piso_machine_can() says (none without a machine) */
void _piso_machine_page_update_actions        (PisoMachinePage *self);

G_END_DECLS
