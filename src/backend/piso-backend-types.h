/* piso-backend-types.h: forward declarations and enums of the backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _PisoConnection     PisoConnection;
typedef struct _PisoMachine        PisoMachine;
typedef struct _PisoDisk           PisoDisk;
typedef struct _PisoNetInterface   PisoNetInterface;
typedef struct _PisoStatsHistory   PisoStatsHistory;
typedef struct _PisoHostInfo       PisoHostInfo;
typedef struct _PisoManager        PisoManager;

typedef enum
{
  PISO_MACHINE_STATE_UNKNOWN,
  PISO_MACHINE_STATE_SHUTOFF,
  PISO_MACHINE_STATE_RUNNING,
  PISO_MACHINE_STATE_PAUSED,
  PISO_MACHINE_STATE_SHUTTING_DOWN,
  PISO_MACHINE_STATE_CRASHED,
  PISO_MACHINE_STATE_SUSPENDED,   /* guest power management (S3) */
  PISO_MACHINE_STATE_SAVED,       /* off, with a managed save image to restore */
} PisoMachineState;

typedef enum
{
  PISO_MACHINE_ACTION_START,
  PISO_MACHINE_ACTION_SHUTDOWN,
  PISO_MACHINE_ACTION_REBOOT,
  PISO_MACHINE_ACTION_FORCE_OFF,
  PISO_MACHINE_ACTION_PAUSE,
  PISO_MACHINE_ACTION_RESUME,
  PISO_MACHINE_ACTION_SAVE,
  PISO_MACHINE_ACTION_RESTORE,
  PISO_MACHINE_ACTION_RENAME,
  PISO_MACHINE_ACTION_DELETE,
  PISO_MACHINE_ACTION_SET_AUTOSTART,
  PISO_MACHINE_ACTION_START_DISPOSABLE,  /* piso-disposable.h */
  PISO_MACHINE_ACTION_CLONE,             /* piso-cloner.h */
  PISO_MACHINE_ACTION_REMOVE_INSTALLER_MEDIA,
  PISO_MACHINE_ACTION_EXPORT,            /* piso-exporter.h */
  PISO_MACHINE_ACTION_MIGRATE,           /* piso-migration.h */
} PisoMachineAction;

typedef enum
{
  PISO_CONNECTION_STATE_DISCONNECTED,
  PISO_CONNECTION_STATE_CONNECTING,
  PISO_CONNECTION_STATE_CONNECTED,
  PISO_CONNECTION_STATE_RECONNECTING,  /* dropped; retrying with back-off */
  PISO_CONNECTION_STATE_FAILED,        /* could not open; waits for retry */
} PisoConnectionState;

typedef enum
{
  PISO_ACCELERATION_UNKNOWN,
  PISO_ACCELERATION_KVM,            /* hardware virtualization usable */
  PISO_ACCELERATION_KVM_UNUSABLE,   /* /dev/kvm present but no kvm_intel/kvm_amd */
  PISO_ACCELERATION_NONE,           /* emulation only (TCG) */
  PISO_ACCELERATION_NOT_APPLICABLE, /* not a QEMU host (e.g. test driver) */
} PisoAcceleration;

#define PISO_BACKEND_ERROR (piso_backend_error_quark ())

typedef enum
{
  PISO_BACKEND_ERROR_FAILED,
  PISO_BACKEND_ERROR_INVALID_URI,
  PISO_BACKEND_ERROR_NOT_CONNECTED,
  PISO_BACKEND_ERROR_VANISHED,         /* the machine no longer exists */
  PISO_BACKEND_ERROR_INVALID_STATE,    /* action not valid in this state */
  PISO_BACKEND_ERROR_INVALID_NAME,
  PISO_BACKEND_ERROR_DISK_IN_USE,      /* volume used by another machine */
  PISO_BACKEND_ERROR_NOT_A_VOLUME,     /* file not in a storage pool */
  PISO_BACKEND_ERROR_UNSUPPORTED,      /* hypervisor does not support it */
  PISO_BACKEND_ERROR_INVALID_XML,      /* not well formed, or refused by libvirt's schema */
} PisoBackendError;

GQuark piso_backend_error_quark (void);

G_END_DECLS
