/* piso-new-machine-window-private.h: what the assistant's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-creator.h"
#include "piso-install-plan.h"
#include "piso-new-machine-window.h"
#include "piso-os-catalog.h"
#include "piso-settings.h"

G_BEGIN_DECLS

#define GIB_BYTES ((guint64) 1024 * 1024 * 1024)

enum {
  MACHINE_CREATED,
  N_SIGNALS
};

extern guint _piso_new_machine_window_signals[N_SIGNALS];

struct _PisoNewMachineWindow
{
  AdwWindow             parent_instance;

  gboolean              mapped_once;

  PisoConnection       *connection;
  PisoSettings         *settings;
  PisoInstallPlan      *plan;
  PisoOsCatalog        *catalog;
  PisoHostInfo         *host_info;
  PisoCreator          *creator;
  PisoCreatorCheck     *check;
  GCancellable         *cancellable;         /* the window's lifetime */
  GCancellable         *identify_cancellable;
  GCancellable         *check_cancellable;
  GCancellable         *create_cancellable;  /* non-NULL while creating */

  GFile                *media_file;
  gboolean              recent_found;        /* a remembered medium is still there */
  GFile                *image_file;
  char                 *identified_path;     /* the media the detection is for */
  char                 *detected_os_id;
  char                 *detected_os_name;
  gboolean              identifying;
  gboolean              use_detected;        /* the detected OS, not a list choice */
  gboolean              os_applied_for_source;
  char                 *os_search;           /* casefolded, NULL when empty */
  GtkCustomFilter      *os_filter;
  GtkSingleSelection   *os_selection;
  GPtrArray            *summary_rows;
  GPtrArray            *problem_banners;
  char                 *failure;             /* the last creation failure */
  gboolean              name_valid;
  gboolean              network_chosen;      /* by the user, in the Network row */
  gboolean              network_fallback;    /* Piso chose user mode: no "default" network */
  gboolean              updating;            /* widgets being set from the plan */
  guint                 pulse_source;
  gboolean              disposed;            /* a late creation result is ignored */

  /* template */
  GtkButton            *back_button;
  AdwActionRow         *change_os_row;
  GtkWidget            *cancel_create_button;
  GtkButton            *choose_button;
  AdwPreferencesGroup  *customize_group;
  GtkToggleButton      *customize_button;
  GtkStack             *detected_icon_stack;
  AdwActionRow         *detected_row;
  GtkImage             *detected_check;
  AdwPreferencesGroup  *detected_group;
  GtkImage             *detected_logo;
  GtkSpinner           *detect_spinner;
  GtkAdjustment        *disk_adjustment;
  AdwActionRow         *disk_row;
  GtkCheckButton       *empty_check;
  GtkSwitch            *eol_switch;
  AdwPreferencesGroup  *file_group;
  AdwActionRow         *file_row;
  AdwComboRow          *firmware_row;
  GtkLabel             *host_label;
  GtkCheckButton       *import_check;
  AdwActionRow         *in_place_row;
  GtkSwitch            *in_place_switch;
  GtkCheckButton       *media_check;
  GtkAdjustment        *memory_adjustment;
  AdwActionRow         *memory_row;
  AdwPreferencesGroup  *name_group;
  GtkEntry             *name_entry;
  GtkLabel             *name_message;
  AdwComboRow          *network_row;
  GtkButton            *next_button;
  GtkStack             *os_list_stack;
  GtkListView          *os_list_view;
  GtkSpinner           *os_loading_spinner;
  GtkSearchEntry       *os_search_entry;
  GtkBox               *problems_box;
  AdwPreferencesGroup  *recent_group;
  GtkProgressBar       *progress_bar;
  GtkBox               *resources_warning;
  GtkLabel             *resources_warning_label;
  AdwStatusPage        *creating_status;
  GtkEntry             *sha256_entry;
  GtkStack             *stack;
  AdwPreferencesGroup  *summary_group;
  AdwToastOverlay      *toast_overlay;
  GtkCheckButton       *url_check;
  GtkEntry             *url_entry;
  AdwPreferencesGroup  *url_group;
  GtkLabel             *url_message;
  GtkAdjustment        *vcpus_adjustment;
  AdwActionRow         *vcpus_row;
  AdwWindowTitle       *window_title;
};

/* piso-new-machine-window.c */
const char *_piso_new_machine_window_current_page      (PisoNewMachineWindow *self);
void        piso_new_machine_window_update_buttons    (PisoNewMachineWindow *self);
void        piso_new_machine_window_update_summary    (PisoNewMachineWindow *self);
/* Checks the name entry's text (live, on the connection's machine list) */
void        piso_new_machine_window_validate_name     (PisoNewMachineWindow *self);
/* Sets the resources page from the plan (values, limits, warning) */
void        piso_new_machine_window_load_resources    (PisoNewMachineWindow *self);

PisoInstallSourceKind _piso_new_machine_window_chosen_source_kind (PisoNewMachineWindow *self);
/* Shows the source page's choice (file row, groups) */
void        piso_new_machine_window_update_source     (PisoNewMachineWindow *self);
void        piso_new_machine_window_set_chosen_file   (PisoNewMachineWindow *self,
                                                       PisoInstallSourceKind kind,
                                                       GFile                *file);

/* piso-new-machine-window-source.c: the file chooser and recent media */
void        piso_new_machine_window_choose_cb         (PisoNewMachineWindow *self);
void        piso_new_machine_window_load_recent       (PisoNewMachineWindow *self);

/* piso-new-machine-window-create.c: the creator's checks and the creation */
gboolean    piso_new_machine_window_can_create        (PisoNewMachineWindow *self);
void        piso_new_machine_window_update_problems   (PisoNewMachineWindow *self);
void        piso_new_machine_window_run_check         (PisoNewMachineWindow *self);
void        piso_new_machine_window_query_space       (PisoNewMachineWindow *self);
void        piso_new_machine_window_create            (PisoNewMachineWindow *self);
void        piso_new_machine_window_cancel_create_cb  (PisoNewMachineWindow *self);

G_END_DECLS
