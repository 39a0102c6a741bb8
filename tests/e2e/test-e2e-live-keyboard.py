#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end, live: the first minutes by keyboard alone, on a real host.

  test-e2e-live-keyboard.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

A private libvirtd (tests/testbed/private-libvirtd.sh, as root) with a storage
pool "default" and no network; `piso --connect` to it, driven over AT-SPI
with key presses only, as test-e2e-keyboard.py does on the test driver:
Ctrl+N, the tiny test guest's ISO chosen in the file chooser by typing its
path and Enter, Next to the review (Piso chooses user-mode networking, there
being no network "default"), Create; the machine starts; Tab reaches its
console's screen, where a command typed into the guest's shell runs (the
guest itself prints its marker on its serial line, read by the test through
`virsh console`); with the pointer on the screen, which then has the
whole keyboard, a screen reader's own keys (Insert+T, grabbed as Orca 43
and later grab them in a GTK 4 application) still reach the reader and not
the guest; Ctrl+Alt gives the keyboard back; Shut Down turns it off;
Delete from the row's menu, with its storage left unticked, removes the
machine and keeps its disk in the pool. Each step asserts the focus's role
and name. Skips without PISO_LIVE_GUEST_DIR (a built guest) or root. The
fixture argument is not used. Output is TAP; the screenshot goes to
SCREENSHOT_DIR as e2e-live-keyboard.png, Piso's output to
e2e-live-keyboard-piso.log.
"""
import importlib
import os
import pty
import random
import shutil
import subprocess
import tempfile
import threading
import time

# test-e2e.py, next to this script: its helpers (importing it keeps TAP
# apart from dogtail's stdout)
e2e = importlib.import_module("test-e2e")

TESTS = [
    e2e.FIRST_STEP,
    "Ctrl+N opens New Machine; the ISO's path typed in the file chooser and Enter choose it",
    "Next by keyboard through the operating system and resources steps to the review",
    "Create by keyboard: the machine is listed, selected, focused and running",
    "Tab reaches the console's screen; a command typed there runs in the guest",
    "The pointer on the screen takes the keyboard, yet a screen reader's own keys reach it, not the guest",
    "Ctrl+Alt gives the keyboard back: the focus leaves the screen for a control",
    "Shut Down by keyboard: the guest powers off, the row reads Off",
    "Delete from the row's menu, storage kept: the machine is gone, its disk stays",
] + e2e.LAST_STEPS
TESTBED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testbed")


class Daemon:
    """A private libvirtd with a directory pool "default" and no network"""

    def __init__(self):
        # short (a socket path) and traversable by QEMU
        self.dir = tempfile.mkdtemp(prefix="pe2e-", dir="/var/tmp")
        os.chmod(self.dir, 0o755)
        self.script = os.path.join(TESTBED, "private-libvirtd.sh")
        self.uri = subprocess.run([self.script, "start", self.dir], check=True,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
        pool = os.path.join(self.dir, "pool")
        os.mkdir(pool)
        for args in (["pool-define-as", "default", "dir", "--target", pool],
                     ["pool-start", "default"]):
            self.virsh(*args)

    def virsh(self, *args):
        return subprocess.run(["virsh", "-q", "-c", self.uri] + list(args), check=True,
                              capture_output=True, text=True).stdout

    def stop(self):
        subprocess.run([self.script, "stop", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class ReaderKeys:
    """A screen reader's own keys, taken as Orca takes them in a GTK 4
    application (Orca 43 on): an AT-SPI device with Insert mapped as the
    reader's modifier and a grab of Insert+T, Orca's "say the time". The
    grab is the X server's, so whatever holds the keyboard decides whether
    the reader ever sees the keys."""

    def __init__(self):
        from gi.repository import Atspi
        from Xlib import XK, display as xdisplay
        d = xdisplay.Display()
        insert, t = (d.keysym_to_keycode(XK.string_to_keysym(k)) for k in ("Insert", "t"))
        d.close()
        self.pressed = []
        self.device = Atspi.Device.new()
        kd = Atspi.KeyDefinition()
        kd.keycode = t
        kd.modifiers = self.device.map_modifier(insert)
        self.device.add_key_grab(kd, self._on_key)

    def _on_key(self, device, pressed, keycode, keysym, modifiers, text, *rest):
        if pressed:
            self.pressed.append(text)

    def heard(self):
        """True once the grab's key came; the device's X events are read
        on this process's GLib main context"""
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass
        return bool(self.pressed)

    def listen(self, seconds):
        """Reads the device's events for `seconds`, as the reader always
        does: it sees Insert go down and only then grabs Insert+T (a T
        typed before that reaches whatever has the focus)"""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.heard()
            time.sleep(0.02)

    def close(self):
        self.device = None


class SerialConsole:
    """A machine's serial line as `virsh console` shows it (under a pty of
    its own: virsh wants a terminal), read in the background"""

    def __init__(self, uri, name):
        self.text = ""
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(["virsh", "-c", uri, "console", "--force", name],
                                     stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True)
        os.close(slave)
        self.master = master
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            self.text += data.decode("utf-8", "replace")

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.master)


def main():
    guest_dir = os.environ.get("PISO_LIVE_GUEST_DIR", "")
    iso = os.path.join(guest_dir, "piso-guest.iso")
    if not guest_dir or not os.path.exists(iso):
        e2e.skip_all("no built test guest (PISO_LIVE_GUEST_DIR; build-aux/piso-dev.sh test sets it)")
    if os.geteuid() != 0 or not shutil.which("libvirtd"):
        e2e.skip_all("a private libvirtd needs root and libvirtd")

    run = e2e.script_start(__file__, TESTS)
    import pyatspi
    from dogtail import rawinput

    daemon = Daemon()
    run.connect_uri = daemon.uri
    run.machines = {}
    steps = e2e.Reporter(TESTS, lambda: run.app)
    keys = e2e.Keys(run)
    press, press_until, focus_is, describe = keys.press, keys.press_until, keys.focus_is, keys.describe

    def next_step(label, button="Next"):
        keys.next_step(state["assistant"], label, button, timeout=120)

    state = {"console": None}

    def row_state(want, timeout=e2e.WAIT):
        e2e.wait_for("the row reading %r" % want,
                     lambda: run.rows().get(state["name"], (None, None))[1] == want,
                     timeout=timeout)

    def type_keys(text):
        """`text` typed as a keyboard does: Shift pressed as a key for '>'
        and capitals (the guest gets scancodes, not characters; typed
        characters would lose their Shift)"""
        for ch in text:
            if ch == ">":
                rawinput.keyCombo("<Shift>period")
            elif ch.isupper():
                rawinput.keyCombo("<Shift>" + ch.lower())
            else:
                rawinput.typeText(ch)

    def run_typed_command(tries):
        """A command typed on the guest's screen (tty1) that prints a new
        marker on its serial line; its text, once the guest printed it"""
        console = state["console"]
        marker = "piso-typed-%06d" % random.randrange(10 ** 6)
        command = "echo %s >/dev/ttyS0" % marker
        for _ in range(tries):
            type_keys(command)
            rawinput.pressKey("Return")
            try:
                e2e.wait_for("the marker on the guest's serial line",
                             lambda: marker in console.text, timeout=30)
                return command
            except e2e.Failure:
                continue  # the shell on tty1 not there yet
        raise e2e.Failure("the guest never ran the typed command %r; its serial line ends: %r"
                          % (command, console.text[-300:]))

    def is_screen(n):
        return e2e.spoken_name(n) == "Machine Screen"

    try:
        with e2e.script_steps(run, steps):
            def t_rows():
                state["main_title"] = run.window.name
            e2e.report_first_step(run, steps, t_rows)

            def t_source():
                press("<Control>n")
                a = e2e.wait_for("the New Machine window", lambda: run.toplevel("New Machine"))
                state["assistant"] = a
                run.activate_window("New Machine")
                press_until("Tab", "Choose… (installer media)", e2e.is_button("Choose…"))
                press("Return")
                run.choose_path("Choose Installer Media", iso, None)
                run.activate_window("New Machine")
                e2e.wait_for("the ISO chosen", lambda: e2e.find_all(
                    a, lambda n: n.roleName == "label" and n.name == os.path.basename(iso)
                    and e2e.on_screen(n)))
                next_step("Step 2 of 4")
                return keys.trail_text()
            steps.report(2, t_source)

            def t_review():
                next_step("Step 3 of 4")
                next_step("Step 4 of 4")
                # No network "default" here: Piso says it chose user-mode networking
                e2e.wait_for("the user-mode networking note", lambda: e2e.find_all(
                    state["assistant"], lambda n: n.roleName == "label"
                    and "user-mode networking" in n.name and e2e.on_screen(n)))
                # The name it will have, as the summary reads it
                rows = [n for n in e2e.shown_nodes(state["assistant"])
                        if n.roleName == "list item" and n.name == "Name" and n.description]
                if not rows:
                    raise e2e.Failure("the summary has no Name row read with its value")
                state["name"] = rows[0].description
                run.machines[state["name"]] = state["name"]
                return "name %r; %s" % (state["name"], keys.trail_text())
            steps.report(3, t_review)

            def t_create():
                next_step(None, "Create")
                e2e.wait_for("the assistant to close",
                             lambda: run.toplevel("New Machine") is None, timeout=120)
                run.activate_window(state["main_title"])
                e2e.wait_for("the new machine in the list", lambda: state["name"] in run.rows(),
                             timeout=120)
                # at once: the guest needs seconds before it prints, and a
                # pty keeps nothing nobody reads
                state["console"] = SerialConsole(daemon.uri, state["name"])
                row_state("Running", timeout=120)
                f = focus_is("the focus on the new machine's item", e2e.is_item(state["name"]))
                return "%r; focus %s; %s" % (state["name"], describe(f), keys.trail_text())
            steps.report(4, t_create)

            def t_type():
                console = state["console"]
                e2e.wait_for("the guest's ready line", lambda: "PISO-GUEST-READY" in console.text,
                             timeout=240)
                # A machine just created shows its console; else its view
                # switch comes first
                f = press_until("Tab", "the machine's screen or a view switch",
                                lambda n: is_screen(n) or n.roleName == "page tab", most=20)
                if not is_screen(f):
                    f = press_until("Right", "the Console view switch",
                                    lambda n: n.roleName == "page tab" and n.name == "Console", most=8)
                    press("space")
                    e2e.wait_for("the Console view selected",
                                 lambda: e2e.has_state(f, pyatspi.STATE_SELECTED))
                    f = press_until("Tab", "the machine's screen", is_screen, most=20)
                if f.roleName != "image":
                    raise e2e.Failure("the screen is a %s, not an image a screen reader reads"
                                      % f.roleName)
                state["screen"] = f
                command = run_typed_command(3)
                e2e.screenshot_to(os.path.join(run.shot_dir, "e2e-live-keyboard-console.png"))
                return "typed %r; %s" % (command, keys.trail_text())
            steps.report(5, t_type)

            def t_reader_keys():
                # The pointer on the screen: the console has the keyboard
                # (and says how to leave it)
                x, y, w, h = e2e.extents(state["screen"])
                ox, oy = run.window_origin()
                rawinput.absoluteMotion(ox + x + w // 2, oy + y + h // 2)
                e2e.wait_for("the console's grab and its hint", lambda: e2e.find_all(
                    run.window, lambda n: n.roleName == "label"
                    and n.name == "Press Ctrl+Alt to release" and e2e.on_screen(n)))
                reader = ReaderKeys()
                try:
                    rawinput.holdKey("Insert")
                    reader.listen(0.5)
                    rawinput.pressKey("t")
                    reader.listen(0.2)
                    rawinput.releaseKey("Insert")
                    try:
                        e2e.wait_for("the screen reader's Insert+T", reader.heard, timeout=10)
                    except e2e.Failure:
                        raise e2e.Failure("the console swallowed the screen reader's Insert+T")
                finally:
                    reader.close()
                # Nor did the guest get the T: a command typed now runs as
                # typed (after a stray "t" it would read "techo …")
                command = run_typed_command(1)
                return "Insert+T heard by the reader; then %r ran in the guest" % command
            steps.report(6, t_reader_keys)

            def t_give_back():
                rawinput.keyCombo("<Control><Alt>")
                f = focus_is("the focus on a control off the screen",
                             lambda n: not is_screen(n) and n.roleName in e2e.BUTTON_ROLES
                             + ("toggle button", "page tab", "list item", "menu item"))
                return "focus %s" % describe(f)
            steps.report(7, t_give_back)

            def t_shutdown():
                # Onwards (back through the screen, keys are the guest's again)
                press_until("Tab", "Shut Down", e2e.is_button("Shut Down"), most=40)
                press("Return")
                row_state("Off", timeout=120)
                f = focus_is("the focus on a control after Shut Down",
                             lambda n: n.roleName in e2e.BUTTON_ROLES + ("toggle button",))
                return "focus %s; %s" % (describe(f), keys.trail_text())
            steps.report(8, t_shutdown)

            def t_delete():
                name = state["name"]
                volumes = daemon.virsh("vol-list", "default").split()
                press_until("<Shift>Tab", "the machine's item", e2e.is_item(name), most=40)
                press("Menu")
                keys.menu_choose("Delete…")
                f = keys.dialog_showing(e2e.is_button("Cancel"), "the Delete dialog's Cancel")
                e2e.wait_for("the focus on Cancel", lambda: e2e.has_state(f, pyatspi.STATE_FOCUSED))
                dialog = f
                while dialog.parent is not None and dialog.roleName not in ("dialog", "alert",
                                                                            "window", "frame"):
                    dialog = dialog.parent
                ticked = [e2e.spoken_name(n) for n in e2e.shown_nodes(dialog)
                          if n.roleName == "check box" and e2e.has_state(n, pyatspi.STATE_CHECKED)]
                if ticked:
                    raise e2e.Failure("the Delete dialog opens with %r ticked" % ticked)
                press_until("Tab", "Delete", e2e.is_button("Delete"), most=8)
                press("Return")
                e2e.wait_for("the machine gone from the list", lambda: name not in run.rows())
                del run.machines[name]
                left = daemon.virsh("vol-list", "default").split()
                kept = [v for v in volumes if v in left and v.startswith("/")]
                if not kept:
                    raise e2e.Failure("the pool lost the machine's disk: it held %r, now %r"
                                      % (volumes, left))
                if daemon.virsh("list", "--all", "--name").strip():
                    raise e2e.Failure("the daemon still defines a machine")
                return "kept %s; %s" % (", ".join(os.path.basename(v) for v in kept),
                                        keys.trail_text())
            steps.report(9, t_delete)
    finally:
        if state["console"] is not None:
            state["console"].close()
        daemon.stop()


if __name__ == "__main__":
    main()
