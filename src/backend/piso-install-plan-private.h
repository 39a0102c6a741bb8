/* piso-install-plan-private.h: PisoInstallPlan's fields, for its own files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-backend-private.h"
#include "piso-install-plan.h"

G_BEGIN_DECLS

struct _PisoInstallPlan
{
  GObject          parent_instance;

  PisoConnection  *connection;     /* may be NULL */

  guint            source_kind;    /* PisoInstallSourceKind */
  char            *source_path;
  char            *source_url;
  gboolean         import_in_place;
  GStrv            extra_disks;    /* qcow2 images imported after the first (OVA) */

  char            *os_id;
  char            *os_name;
  char            *os_family;      /* from the catalog by apply_os: "linux", "winnt" … */
  char            *os_short_id;    /* from the catalog by apply_os: "debian11" */

  char            *name;
  gboolean         name_set;       /* the user chose it: apply_os keeps it */
  guint            vcpus;
  guint64          memory;         /* KiB */
  guint64          disk_size;      /* bytes */

  guint            firmware;       /* PisoInstallFirmware */
  gboolean         tpm;
  guint            network;        /* PisoInstallNetwork */

  guint            machine_type;   /* PisoInstallMachineType */
  guint            disk_bus;       /* PisoInstallDiskBus */
  guint            net_model;      /* PisoInstallNetModel */
  guint            video_model;    /* PisoInstallVideoModel */
  guint            graphics_listen;/* PisoInstallGraphicsListen */
  gboolean         graphics;
  gboolean         agent_channel;
  gboolean         usb_redirection;
  gboolean         tablet;
  gboolean         sound;
  gboolean         rng;

  char            *domain_type;    /* "kvm", "qemu", "test" */
  char            *arch;

  PisoOsResources  minimum;
  PisoOsResources  recommended;
  PisoOsResources  maximum;        /* host memory and CPUs, free space */
  PisoOsResources  os_maximum;     /* the most the OS supports (0: not known) */
  guint            installer_reboots;   /* the OS's installer reboots (≥ 1) */
  gboolean         eject_after_install; /* its media may go once installed */
  guint64          free_space;

  gboolean         uefi_required;
  gboolean         uefi_available;
  gboolean         tpm_available;
  char            *warning;
};

gboolean _piso_install_plan_creates_disk (PisoInstallPlan *self);

G_END_DECLS
