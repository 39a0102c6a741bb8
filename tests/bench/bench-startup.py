#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench-startup N: Piso's start-up, memory and responsiveness with N machines.

Run it under an X display (Xvfb is fine; no window manager needed) after a
build; meson writes it to <builddir>/tests/bench/bench-startup.

  1. writes a libvirt test-driver file with N machines (gen-test-driver.py)
     and times `virsh list --all` on it (median of three runs);
  2. starts the built `piso --connect test:///FILE` and measures the time
     from process start to the first frame drawn with the list populated:
     with G_MESSAGES_DEBUG=piso-window Piso logs "First frame with machines
     drawn" right after painting that frame, and the line's arrival is timed.
     Without that line the time comes from outside: the first
     repaint (XDamage) after which the list column shows rows of text
     (pixels read back from the window), else the last repaint before the
     window settles (one quiet second); the detail line says which;
  3. leaves it idle for --idle seconds, measuring the CPU used by its process
     tree and the main loop's worst stall: the longest answer time to
     _NET_WM_PING messages sent every --ping-ms (GDK answers them from its main
     loop, so a busy main loop answers late);
  4. scrolls the whole list with the mouse wheel (XTEST) while still pinging
     and reports the worst stall while scrolling (--no-scroll skips it);
  5. reads the peak RSS (VmHWM) of the process.

Last line: machines=N first_frame_ms=… virsh_list_ms=… rss_mib=… idle_cpu_pct=… worst_stall_ms=…
The line before it has the details (renderer, how the first frame was timed,
scroll figures). With --runs K (a shared machine's timings vary by a tenth
from run to run) each run prints its own two lines, and the last line has
the medians of the K runs and the worst stall of all of them.
Needs python3-xlib and libvirt-clients.
"""
import argparse
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from Xlib import X, display as xdisplay
from Xlib.ext import damage, xtest
from Xlib.protocol import event as xevent

PISO = os.environ.get("PISO_BENCH_BINARY", "@PISO@")
SCHEMA_DIR = "@SCHEMA_DIR@"
GEN_TEST_DRIVER = "@GEN_TEST_DRIVER@"
CLK = os.sysconf("SC_CLK_TCK")
# Piso's debug line after the first frame drawn with machines in the list
MARKER = re.compile(r"First frame with machines drawn")


def tree(pid):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    s = f.read()
                children.setdefault(int(s[s.rfind(")") + 2:].split()[1]), []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid):
    total = 0.0
    for p in tree(pid):
        try:
            with open("/proc/%d/stat" % p) as f:
                s = f.read()
            fields = s[s.rfind(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / CLK
        except (OSError, ValueError, IndexError):
            pass
    return total


def peak_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def time_virsh(uri):
    runs = []
    for _ in range(3):
        t = time.monotonic()
        subprocess.run(["virsh", "-c", uri, "list", "--all"], check=True,
                       stdout=subprocess.DEVNULL)
        runs.append(time.monotonic() - t)
    return statistics.median(runs) * 1000


class Bench:
    def __init__(self, args, uri):
        self.args = args
        self.uri = uri
        self.d = xdisplay.Display()
        self.root = self.d.screen().root
        self.root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self.d.damage_query_version()
        self.DAMAGE = self.d.extension_event.DamageNotify
        self.A_PING = self.d.intern_atom("_NET_WM_PING")
        self.A_PROTOCOLS = self.d.intern_atom("WM_PROTOCOLS")
        self.A_PID = self.d.intern_atom("_NET_WM_PID")
        self.win = None
        self.last_damage = None
        self.n_damage = 0
        self.n_wide_damage = 0    # repaints at least a fifth of the window wide
        self.win_width = 1
        self.ping = None          # (serial, sent)
        self.serial = 0
        self.round_trips = []     # (sent, seconds)
        self.marker = None        # ms, when Piso said it drew the populated list
        self.t_pixels = None      # when the list column first looked populated
        self.t_checked = 0.0
        self.stderr_tail = []

    def now(self):
        return time.monotonic() - self.t0

    def pid_of(self, win):
        try:
            p = win.get_full_property(self.A_PID, X.AnyPropertyType)
            return int(p.value[0]) if p and len(p.value) else None
        except Exception:
            return None

    def send_ping(self):
        self.serial += 1
        self.ping = (self.serial, self.now())
        ev = xevent.ClientMessage(window=self.win, client_type=self.A_PROTOCOLS,
                                  data=(32, [self.A_PING, self.serial, self.win.id, 0, 0]))
        self.win.send_event(ev, event_mask=0)
        self.d.flush()

    def pump(self, seconds, ping_s):
        """Handle X events for @seconds, pinging every @ping_s once mapped."""
        end = self.now() + seconds
        while self.now() < end:
            if self.proc.poll() is not None:
                raise SystemExit("piso exited with status %s; its last output:\n%s"
                                 % (self.proc.returncode, "\n".join(self.stderr_tail[-20:])))
            if self.win is not None and self.ping is None:
                last = self.round_trips[-1][0] if self.round_trips else 0
                if self.now() - last >= ping_s:
                    self.send_ping()
            select.select([self.d.fileno()], [], [], 0.005)
            while self.d.pending_events():
                self.handle(self.d.next_event())
            self.check_pixels()

    def handle(self, ev):
        t = self.now()
        kind = ev.type & 0x7f
        if kind == X.MapNotify and self.win is None:
            if self.pid_of(ev.window) == self.proc.pid:
                self.win = ev.window
                self.t_map = t
                self.win_width = self.win.get_geometry().width
                self.win.damage_create(damage.DamageReportRawRectangles)
                self.d.flush()
        elif kind == X.ClientMessage and self.ping is not None:
            try:
                _fmt, data = ev.data
                if data[0] == self.A_PING and data[1] == self.ping[0]:
                    self.round_trips.append((self.ping[1], t - self.ping[1]))
                    self.ping = None
            except Exception:
                pass
        elif kind == self.DAMAGE and self.win is not None:
            self.n_damage += 1
            self.last_damage = t
            if ev.area.width * 5 >= self.win_width:
                self.n_wide_damage += 1

    def looks_populated(self):
        """Whether the list column shows rows of text: at least a quarter of
        its pixel lines (below the header bar) have dark (text) pixels on a
        light background."""
        geo = self.win.get_geometry()
        w, y0 = int(geo.width * self.args.list_x * 2), int(geo.height * 0.1)
        h = geo.height - y0
        try:
            img = self.win.get_image(0, y0, w, h, X.ZPixmap, 0xffffffff)
        except Exception:
            return False
        data, stride = img.data, len(img.data) // h
        dark = 0
        for r in range(h):
            green = data[r * stride + 1:r * stride + w * 4:4]
            # text on a light background (a window not painted yet is black)
            if min(green) < 100 and max(green) > 200:
                dark += 1
        return dark >= h / 4

    def check_pixels(self):
        if (self.t_pixels is None and self.win is not None and self.last_damage is not None
                and self.last_damage > self.t_checked and self.now() - self.t_checked > 0.02):
            t = self.last_damage
            self.t_checked = self.now()
            if self.looks_populated():
                self.t_pixels = t

    def stalls_since(self, t):
        trips = [rt for sent, rt in self.round_trips if sent >= t]
        if self.ping is not None and self.ping[1] >= t:
            trips.append(self.now() - self.ping[1])   # still unanswered
        return max(trips) * 1000 if trips else float("nan")

    def read_output(self):
        # GLib writes debug messages on stdout, warnings on stderr
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stderr_tail = (self.stderr_tail + [line])[-50:]
            if self.marker is None and MARKER.search(line):
                self.marker = self.now() * 1000

    def run(self):
        a = self.args
        env = dict(os.environ)
        env.update({"G_MESSAGES_DEBUG": "piso-window", "GDK_BACKEND": "x11", "GSETTINGS_BACKEND": "memory",
                    "GSETTINGS_SCHEMA_DIR": SCHEMA_DIR, "NO_AT_BRIDGE": "1",
                    "GTK_A11Y": "none"})
        if a.renderer:
            env["GSK_RENDERER"] = a.renderer
        # keep the pointer off the window: no hover or tooltip repaints
        scr = self.d.screen()
        self.root.warp_pointer(scr.width_in_pixels - 1, scr.height_in_pixels - 1)
        self.d.sync()
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([PISO, "--connect", self.uri], env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self.read_output, daemon=True).start()
        try:
            return self.measure()
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()

    def measure(self):
        a = self.args
        r = {}
        # Up: mapped, the marker printed (or not), and one quiet second.
        while True:
            self.pump(0.05, a.ping_ms / 1000)
            if self.now() > a.timeout:
                raise SystemExit("piso did not settle within %d s" % a.timeout)
            if self.win is None or self.last_damage is None:
                continue
            if a.wait_marker and self.marker is None:
                continue
            if self.now() - self.last_damage >= 1.0:
                break
        self.t_checked = 0.0
        self.check_pixels()
        if self.marker is not None:
            r["first_frame_ms"] = self.marker
            r["first_frame_from"] = "piso"
            if self.t_pixels is not None:
                r["pixels_ms"] = self.t_pixels * 1000
        elif self.t_pixels is not None:
            r["first_frame_ms"] = self.t_pixels * 1000
            r["first_frame_from"] = "pixels"
        else:
            r["first_frame_ms"] = self.last_damage * 1000
            r["first_frame_from"] = "damage-settled"
        r["map_ms"] = self.t_map * 1000
        r["startup_stall_ms"] = self.stalls_since(0)

        # Idle.
        t_idle = self.now()
        cpu0 = cpu_seconds(self.proc.pid)
        damage0 = self.n_damage
        self.pump(a.idle, a.ping_ms / 1000)
        span = self.now() - t_idle
        r["idle_cpu_pct"] = 100 * (cpu_seconds(self.proc.pid) - cpu0) / span
        r["idle_repaints"] = self.n_damage - damage0
        r["worst_stall_ms"] = self.stalls_since(t_idle)

        # Scroll the list to its end with the wheel, pointer over the list.
        if a.scroll:
            geo = self.win.get_geometry()
            x, y = int(geo.width * a.list_x), int(geo.height * 0.6)
            self.win.warp_pointer(x, y)
            self.d.sync()
            t_scroll = self.now()
            last_change = self.now()
            clicks = 0
            while self.now() - t_scroll < a.scroll_max:
                # scrolling repaints the list, not just a row's graph
                before = self.n_wide_damage
                xtest.fake_input(self.d, X.ButtonPress, 5)
                xtest.fake_input(self.d, X.ButtonRelease, 5)
                self.d.flush()
                clicks += 1
                self.pump(1 / a.wheel_hz, 0.05)
                if self.n_wide_damage != before:
                    last_change = self.now()
                elif self.now() - last_change > 1.5:
                    break        # the end: the wheel no longer changes anything
            r["scroll_s"] = last_change - t_scroll
            r["scroll_clicks"] = clicks
            r["scroll_stall_ms"] = self.stalls_since(t_scroll)
        r["rss_mib"] = peak_rss_kib(self.proc.pid) / 1024
        return r


def platform():
    """The system and the versions Piso was built with, e.g. "Debian GNU/Linux 13 (trixie):
    GTK 4.18.6, libadwaita 1.7.6, libvirt 11.3.0"."""
    name = "unknown system"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass

    def version(module):
        r = subprocess.run(["pkg-config", "--modversion", module], capture_output=True, text=True)
        return r.stdout.strip() or "?"
    return "%s: GTK %s, libadwaita %s, libvirt %s" % (
        name, version("gtk4"), version("libadwaita-1"), version("libvirt"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of machines")
    ap.add_argument("--idle", type=float, default=30, help="idle seconds (30)")
    ap.add_argument("--ping-ms", type=float, default=100, help="ping interval (100 ms)")
    ap.add_argument("--renderer", help="GSK_RENDERER for Piso (default: Piso's choice: cairo without a GPU render node)")
    ap.add_argument("--no-scroll", dest="scroll", action="store_false")
    ap.add_argument("--scroll-max", type=float, default=300, help="scroll at most this long (s)")
    ap.add_argument("--wheel-hz", type=float, default=30, help="wheel clicks per second (30)")
    ap.add_argument("--list-x", type=float, default=0.15,
                    help="pointer x for scrolling, as a fraction of the window width")
    ap.add_argument("--no-marker", dest="wait_marker", action="store_false",
                    help="do not wait for Piso's first-frame debug line")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--keep", metavar="DIR", help="write the test-driver file here and keep it")
    ap.add_argument("--runs", type=int, default=1,
                    help="measure this many times, virsh and Piso in turn; the last line has "
                         "the medians (the worst stall: the worst of all)")
    args = ap.parse_args()

    if not os.environ.get("DISPLAY"):
        sys.exit("bench-startup: no X display (DISPLAY is not set); e.g. run it under xvfb-run -a")
    if not os.access(PISO, os.X_OK):
        sys.exit("bench-startup: %s is not built (run ninja first)" % PISO)

    print("platform: %s" % platform(), flush=True)
    workdir = args.keep or tempfile.mkdtemp(prefix="piso-bench-")
    os.makedirs(workdir, exist_ok=True)
    path = os.path.abspath(os.path.join(workdir, "machines-%d.xml" % args.n))
    with open(path, "w") as f:
        subprocess.run([sys.executable, GEN_TEST_DRIVER, str(args.n)], stdout=f, check=True)
    uri = "test://" + path
    runs = []
    try:
        for _ in range(max(args.runs, 1)):
            virsh_ms = time_virsh(uri)
            r = Bench(args, uri).run()
            r["virsh_ms"] = virsh_ms
            runs.append(r)
            if args.runs > 1:
                print_run(args, r)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    if len(runs) == 1:
        print_run(args, runs[0])
        return

    def median(key):
        return statistics.median(run[key] for run in runs)

    print("runs=%d first_frame_ms=%s" % (len(runs), ",".join("%.0f" % run["first_frame_ms"] for run in runs)))
    print("machines=%d first_frame_ms=%.0f virsh_list_ms=%.0f rss_mib=%.0f idle_cpu_pct=%.2f "
          "worst_stall_ms=%.0f" % (args.n, median("first_frame_ms"), median("virsh_ms"),
                                   median("rss_mib"), median("idle_cpu_pct"),
                                   max(run["worst_stall_ms"] for run in runs)), flush=True)


def print_run(args, r):
    details = ["renderer=%s" % (args.renderer or os.environ.get("GSK_RENDERER", "piso-default")),
               "first_frame_from=%s" % r["first_frame_from"],
               "map_ms=%.0f" % r["map_ms"],
               "startup_stall_ms=%.0f" % r["startup_stall_ms"],
               "idle_repaints=%d" % r["idle_repaints"]]
    if "pixels_ms" in r:
        details.append("pixels_ms=%.0f" % r["pixels_ms"])
    if "scroll_s" in r:
        details += ["scroll_s=%.1f" % r["scroll_s"], "scroll_clicks=%d" % r["scroll_clicks"],
                    "scroll_stall_ms=%.0f" % r["scroll_stall_ms"]]
    print(" ".join(details))
    print("machines=%d first_frame_ms=%.0f virsh_list_ms=%.0f rss_mib=%.0f idle_cpu_pct=%.2f "
          "worst_stall_ms=%.0f" % (args.n, r["first_frame_ms"], r["virsh_ms"], r["rss_mib"],
                                   r["idle_cpu_pct"], r["worst_stall_ms"]), flush=True)

if __name__ == "__main__":
    main()
