/* piso-host-info-private.h: how the connection fills a PisoHostInfo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "piso-host-info.h"

G_BEGIN_DECLS

/* Where an acceleration verdict comes from; it changes the sentence. */
typedef enum
{
  PISO_ACCELERATION_SOURCE_LOCAL,       /* checked on this computer */
  PISO_ACCELERATION_SOURCE_REMOTE,      /* reported by the remote host's libvirt */
  PISO_ACCELERATION_SOURCE_LOCAL_BUT_LIBVIRT_REFUSES, /* KVM loaded, libvirt cannot use it */
} PisoAccelerationSource;

/* Everything read in the worker thread; the host info copies it. */
typedef struct
{
  char             *hostname;
  char             *hypervisor;
  char             *hypervisor_version;
  char             *libvirt_version;
  char             *cpu_model;
  char             *arch;
  guint             cpus;
  guint             sockets;
  guint             cores;
  guint             threads;
  guint             mhz;
  guint64           memory_kib;
  PisoAcceleration  acceleration;
  char             *acceleration_text;
} PisoHostFacts;

void          _piso_host_facts_clear      (PisoHostFacts          *facts);
PisoHostInfo *_piso_host_info_new         (const PisoHostFacts    *facts);
/* The translated sentence for @acceleration found the way @source says. */
char         *_piso_acceleration_describe (PisoAcceleration        acceleration,
                                           PisoAccelerationSource  source);
/* "7.2.0" from libvirt's major * 1,000,000 + minor * 1,000 + release */
char         *_piso_format_libvirt_version (unsigned long          version);

G_END_DECLS
