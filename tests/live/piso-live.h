/* piso-live.h: a private libvirtd and the tiny test guest for live tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>

#include "piso-test-utils.h"

G_BEGIN_DECLS

typedef struct _PisoLiveDaemon PisoLiveDaemon;

/* Starts a private libvirtd (tests/testbed/private-libvirtd.sh) in a fresh
 * directory under /var/tmp. Returns NULL and sets @skip_reason when the live
 * environment is not there (not root, PISO_LIVE_GUEST_DIR unset or without a
 * guest, no libvirtd); fails the program when it is there but the daemon does
 * not come up. Whatever happens to the test program afterwards (an assertion,
 * a timeout kill), a watchdog process stops the daemon and its guests and
 * removes the directory once the program is gone. */
PisoLiveDaemon *piso_live_daemon_start        (char          **skip_reason);
/* The same for one of two (or more) daemons that migrate machines to each
 * other: daemon @host (0, 1, …) gets a host UUID and a range of ports for
 * incoming migrations of its own (49200–49215 for 0, 49300–49315 for 1, …). */
PisoLiveDaemon *piso_live_daemon_start_migratable (guint     host,
                                                   char    **skip_reason);
/* Stops the daemon (destroying its guests) and removes its directory. */
void            piso_live_daemon_free         (PisoLiveDaemon *self);
const char     *piso_live_daemon_get_uri      (PisoLiveDaemon *self);
const char     *piso_live_daemon_get_dir      (PisoLiveDaemon *self);
/* Kills libvirtd with SIGKILL and waits until the process is gone; guests
 * (and virtlogd) keep running. */
void            piso_live_daemon_kill         (PisoLiveDaemon *self);
/* Starts libvirtd again (same directory, same guests) and waits until it
 * answers. Blocks the calling thread, main loop included. */
void            piso_live_daemon_restart      (PisoLiveDaemon *self);

/* A domain name unique to this process: "piso-live-<pid>-@what". */
char           *piso_live_unique_name         (const char     *what);
/* The guest's domain XML (tests/testbed/domain.xml.in) with @devices (may be
 * NULL) added to <devices>. */
char           *piso_live_domain_xml          (PisoLiveDaemon *self,
                                               const char     *name,
                                               const char     *devices);
/* The guest with its SPICE display on a TCP port of the host's loopback (the
 * template's listens nowhere: only a local client could reach it), as a
 * client on another host reaches it through SSH. */
char           *piso_live_loopback_domain_xml (PisoLiveDaemon *self,
                                               const char     *name);
/* The guest with no tablet (so SPICE offers server mouse mode only) that
 * reports its PS/2 mouse's motion on the serial line (piso.mouse=1). */
char           *piso_live_mouse_domain_xml    (PisoLiveDaemon *self,
                                               const char     *name);
/* Sums the motion the guest reported in @serial_log past its first @offset
 * bytes (dx to the right, dy down, in guest pixels); returns the number of
 * packets. */
guint           piso_live_guest_mouse_motion  (const char     *serial_log,
                                               gsize           offset,
                                               int            *dx,
                                               int            *dy);
/* The size of @path now (0 if it does not exist). */
gsize           piso_live_file_size           (const char     *path);
/* tests/testbed/@file with each "@KEY@" of @subst (key, value, …, NULL)
 * replaced by its value. */
char           *piso_live_fill_template       (const char         *file,
                                               const char * const *subst);
/* The path of @name's serial log as seen from outside the daemon's namespace. */
char           *piso_live_serial_log          (PisoLiveDaemon *self,
                                               const char     *name);
/* Iterates the main context until the file at @path contains @needle, or
 * fails after @timeout_s naming @what. */
void            piso_live_wait_file_contains  (const char     *path,
                                               const char     *needle,
                                               guint           timeout_s,
                                               const char     *what);
/* Iterates the main context until the guest's serial log contains the ready
 * line "PISO-GUEST-READY name=@name", or fails after @timeout_s. */
void            piso_live_wait_guest_ready    (PisoLiveDaemon *self,
                                               const char     *name,
                                               guint           timeout_s);

/* A "default" dir pool (transient) in the daemon's folder ("images"). */
virStoragePoolPtr piso_live_make_pool         (PisoLiveDaemon *self,
                                               PisoConnection *connection);
/* Creates the volume @xml describes in @pool; returns its path. */
char           *piso_live_make_volume         (virStoragePoolPtr pool,
                                               const char     *xml);

/* Defines @xml through Piso and returns the machine (a new reference). */
PisoMachine    *piso_live_define              (PisoConnection *connection,
                                               const char     *xml);
/* Device XML: the qcow2 image @path as the virtio disk @target ("vda"). */
char           *piso_live_qcow2_disk_xml      (const char     *path,
                                               const char     *target);
/* Defines the guest @name on @connection with @disks (device XML, may be
 * NULL) and a user-mode virtio network card with @mac; the machine. */
PisoMachine    *piso_live_define_guest        (PisoLiveDaemon *self,
                                               PisoConnection *connection,
                                               const char     *name,
                                               const char     *disks,
                                               const char     *mac);

typedef void (*PisoLiveAsync) (PisoMachine *machine, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
typedef gboolean (*PisoLiveFinish) (PisoMachine *machine, GAsyncResult *result,
                                    GError **error);
/* Runs one of PisoMachine's lifecycle _async/_finish pairs and asserts that it
 * succeeded. */
void            piso_live_run_action          (PisoMachine    *machine,
                                               PisoLiveAsync   action,
                                               PisoLiveFinish  finish);
/* Defines and starts the guest of piso_live_mouse_domain_xml() as @name and
 * waits until it reports its mouse; returns the machine and the path of its
 * serial log. */
PisoMachine    *piso_live_start_mouse_guest   (PisoLiveDaemon *self,
                                               PisoConnection *connection,
                                               const char     *name,
                                               char          **serial_log);

/* The tiny test guest's ISO ($PISO_LIVE_GUEST_DIR/piso-guest.iso). */
const char     *piso_live_guest_iso           (void);
/* Its installer ISO ($PISO_LIVE_GUEST_DIR/piso-guest-installer.iso, see
 * tests/testbed/make-guest.sh). */
const char     *piso_live_guest_installer_iso (void);

/* A machine's serial console read through a libvirt stream. */
typedef struct
{
  virStreamPtr  stream;
  GString      *text;         /* everything read so far */
  char         *ready_name;   /* the name in "PISO-GUEST-READY name=NAME" */
  gboolean      installed;    /* the line ends "installed=1": booted from its disk */
  gint64        ready_at;     /* g_get_monotonic_time() when it was read */
  guint         commands;     /* numbers piso_live_console_run()'s markers */
} PisoLiveConsole;

/* Opens @machine's serial console (right after it started: under TCG the
 * guest needs seconds before it prints anything, and a pty drops what
 * nobody reads). */
PisoLiveConsole *piso_live_console_open       (PisoMachine     *machine);
/* The same for a libvirt domain (not necessarily one Piso knows about). */
PisoLiveConsole *piso_live_console_open_domain (virDomainPtr    dom);
/* TRUE once the ready line was read (a piso_test_wait_until() check). */
gboolean        piso_live_console_ready       (gpointer         console);
void            piso_live_console_close       (PisoLiveConsole *console);
/* Runs @command in the guest's root shell on the console (once the guest
 * is ready) and returns what it printed, without the line ends around it;
 * fails the test after @timeout_s. */
char           *piso_live_console_run         (PisoLiveConsole *console,
                                               const char      *command,
                                               guint            timeout_s);

/* A serial shell's command @n, written so that the shell's echo of the
 * line does not look like its output: markers before and after. */
char           *piso_live_shell_line          (guint            n,
                                               const char      *command);
/* What command @n printed, from the shell's output @text (past @from), or
 * NULL while its end marker has not come yet. */
char           *piso_live_shell_output        (const char      *text,
                                               gsize            from,
                                               guint            n);

/* A machine's runs, followed through Piso's model: each time it starts
 * again (off, then running) the new run's serial console is opened at once. */
typedef struct
{
  PisoMachine     *machine;
  PisoLiveConsole *console;   /* of the latest run, NULL before the first */
  guint            runs;      /* runs seen starting (one if running when followed) */
  gboolean         was_off;
  gint64           stopped_at;/* g_get_monotonic_time () of the last stop, or 0 */
  gint64           started_at;/* and of the latest run's start, or 0 */
} PisoLiveRuns;

PisoLiveRuns   *piso_live_runs_follow         (PisoMachine     *machine);
/* TRUE once a run after the first printed its ready line (a
 * piso_test_wait_until() check); console->installed tells whether it was
 * the installed guest's. */
gboolean        piso_live_runs_ready_again    (gpointer         runs);
void            piso_live_runs_free           (PisoLiveRuns    *runs);

/* GTK warns without a session bus (for the settings portal): outside a D-Bus
 * session, starts a private bus (keeping DISPLAY, which GTestDBus unsets
 * against autolaunch) and returns it for g_test_dbus_down(); else NULL. */
GTestDBus      *piso_live_session_bus_up      (void);

/* A PulseAudio server of the test's own that plays into a null sink, for
 * consoles whose guest has an agent: as on a desktop, the console's sound
 * then goes to a real sound server. With none, GStreamer's automatic sink
 * and source are fake elements without a volume, and spice-client-glib reads
 * their volume when the guest's agent syncs it (a GLib warning on Debian 12,
 * a critical on 13). Sets PULSE_SERVER for this process; the server stops
 * with piso_live_sound_server_stop() or when the test program ends. Returns
 * FALSE with @error when pulseaudio is missing or does not start. */
gboolean        piso_live_sound_server_start  (GError        **error);
void            piso_live_sound_server_stop   (void);

/* Skips the calling test when no live environment was set up (@daemon NULL). */
#define PISO_LIVE_REQUIRE(daemon, reason) \
  G_STMT_START { \
    if ((daemon) == NULL) \
      { \
        g_test_skip (reason); \
        return; \
      } \
  } G_STMT_END

G_END_DECLS
