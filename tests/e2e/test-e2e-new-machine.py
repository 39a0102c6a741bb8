#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: a user creates a machine with the New Machine assistant.

  test-e2e-new-machine.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

Starts the built `piso --connect test:///<copy of FIXTURE_XML>` (the fixture
needs the "default" pool and network) and, over AT-SPI with real X clicks like
test-e2e.py (whose helpers it uses), clicks the header's New Machine button,
chooses "Empty Machine", goes through the pages with Next, clicks Create and
finds the new machine in the list. Every widget is found by its accessible
role and name. Output is TAP; the screenshot goes to SCREENSHOT_DIR as
e2e-new-machine.png, Piso's output to e2e-new-machine-piso.log.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("piso_e2e", os.path.join(HERE, "test-e2e.py"))
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)  # keeps TAP apart from dogtail's stdout
TAP = e2e.TAP
Failure = e2e.Failure

TESTS = [
    "Piso appears on the accessibility bus with its window",
    "the header's New Machine button opens the New Machine assistant",
    "choosing 'Empty Machine' and Next shows the operating system step",
    "Next twice reaches the review step with a summary and Create enabled",
    "Create closes the assistant and the new machine is listed, selected",
    "screenshot of the screen saved",
    "Piso logged no critical or warning message",
]
NEW_MACHINE = "New Machine"


def reexec_under_dbus():
    """Like test-e2e.py: run again under dbus-run-session without a bus."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return
    if os.environ.get("PISO_E2E_IN_DBUS") or not shutil.which("dbus-run-session"):
        print("Bail out! no session bus and no way to start one", file=TAP)
        sys.exit(1)
    TAP.flush()
    tap_fd = os.dup(TAP.fileno())
    os.set_inheritable(tap_fd, True)
    os.dup2(2, 1)
    os.environ["PISO_E2E_TAP_FD"] = str(tap_fd)
    os.environ["PISO_E2E_IN_DBUS"] = "1"
    os.execvp("dbus-run-session", ["dbus-run-session", "--", sys.executable,
                                   os.path.abspath(__file__)] + sys.argv[1:])


def main():
    if len(sys.argv) < 4:
        print("usage: %s PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]" % sys.argv[0],
              file=sys.stderr)
        sys.exit(2)
    if not os.environ.get("DISPLAY"):
        e2e.skip_all("no DISPLAY (run under Xvfb)")
    for mod in ("dogtail", "pyatspi"):
        if importlib.util.find_spec(mod) is None:
            e2e.skip_all("python module %s not importable" % mod)
    reexec_under_dbus()

    piso, schema_dir, fixture = (os.path.abspath(a) for a in sys.argv[1:4])
    shot_dir = os.path.abspath(sys.argv[4] if len(sys.argv) > 4 else
                               os.environ.get("PISO_SCREENSHOT_DIR", "."))
    os.makedirs(shot_dir, exist_ok=True)

    import dogtail.utils
    dogtail.utils.isA11yEnabled = lambda: True
    from dogtail.config import config
    config.logDebugToFile = False
    config.logDebugToStdOut = False
    config.actionDelay = 0.2
    import pyatspi

    print("1..%d" % len(TESTS), file=TAP, flush=True)
    run = e2e.Run(piso, schema_dir, fixture, shot_dir)
    run.log_path = os.path.join(shot_dir, "e2e-new-machine-piso.log")
    state = {"failed": 0, "broken": None, "assistant": None}

    def report(num, fn, chain=True):
        desc = TESTS[num - 1]
        if chain and state["broken"]:
            print("ok %d - %s # SKIP %s" % (num, desc, state["broken"]), file=TAP, flush=True)
            return
        try:
            extra = fn()
            print("ok %d - %s%s" % (num, desc, " (%s)" % extra if extra else ""),
                  file=TAP, flush=True)
        except Exception as e:
            state["failed"] += 1
            if chain:
                state["broken"] = "an earlier step failed"
            msg = str(e) if isinstance(e, Failure) else "%s: %s" % (type(e).__name__, e)
            print("not ok %d - %s" % (num, desc), file=TAP)
            for line in msg.splitlines():
                print("# %s" % line, file=TAP)
            TAP.flush()
            if state["assistant"] is not None:
                print("# accessibility tree of the assistant at this failure:", file=sys.stderr)
                e2e.dump(state["assistant"])

    def assistant():
        """The assistant's window: a toplevel of piso named New Machine."""
        for w in run.app.children:
            try:
                if w.name == NEW_MACHINE and w.roleName in ("frame", "dialog", "window"):
                    return w
            except Exception:
                pass
        return None

    def button(root, name, sensitive=True):
        """The push button read as `name`, on screen (and sensitive)."""
        def find():
            for n in e2e.find_all(root, lambda n: n.roleName in e2e.BUTTON_ROLES
                                  and e2e.button_name(n) == name and e2e.on_screen(n)):
                if not sensitive or e2e.has_state(n, pyatspi.STATE_SENSITIVE):
                    return n
            return None
        return e2e.wait_for("a%s push button named %r" % (" sensitive" if sensitive else "", name),
                            find, timeout=30)

    def step_is(label):
        """The header's subtitle names the step: 'Step N of 4'."""
        return e2e.find_all(state["assistant"], lambda n: n.roleName == "label"
                            and n.name == label and e2e.on_screen(n))

    try:
        def t_app():
            run.start()
            run.find_app()
            return "window %r" % run.window.name
        report(1, t_app)

        def t_open():
            run.click(button(run.window, NEW_MACHINE), "the New Machine button")
            state["assistant"] = e2e.wait_for("the New Machine window", assistant)
            e2e.wait_for("step 1", lambda: step_is("Step 1 of 4"))
            return "window role %s" % state["assistant"].roleName
        report(2, t_open)

        def t_source():
            a = state["assistant"]
            empty = e2e.wait_for("a radio button named 'Empty Machine'", lambda: [
                n for n in e2e.find_all(a, lambda n: e2e.button_name(n) == "Empty Machine"
                                        and n.roleName in ("radio button", "check box"))
                if e2e.on_screen(n)])[0]
            run.click(empty, "the Empty Machine choice")
            e2e.wait_for("'Empty Machine' checked",
                         lambda: e2e.has_state(empty, pyatspi.STATE_CHECKED))
            run.click(button(a, "Next"), "Next")
            e2e.wait_for("step 2", lambda: step_is("Step 2 of 4"))
        report(3, t_source)

        def t_review():
            a = state["assistant"]
            # Next turns sensitive once the OS database is loaded
            run.click(button(a, "Next"), "Next on the OS step")
            e2e.wait_for("step 3", lambda: step_is("Step 3 of 4"))
            run.click(button(a, "Next"), "Next on the resources step")
            e2e.wait_for("step 4", lambda: step_is("Step 4 of 4"))
            e2e.wait_for("the summary's Memory row", lambda: e2e.find_all(
                a, lambda n: n.name == "Memory" and e2e.on_screen(n)))
            button(a, "Create")
        report(4, t_review)

        def t_create():
            a = state["assistant"]
            known = set(run.rows())
            run.click(button(a, "Create"), "Create")
            e2e.wait_for("the assistant to close", lambda: assistant() is None, timeout=30)
            state["assistant"] = None
            run.machines["machine"] = "machine"
            e2e.wait_for("the new machine 'machine' in the list",
                         lambda: "machine" in run.rows() and "machine" not in known)
            e2e.wait_for("the new machine's row selected", lambda: e2e.has_state(
                run.rows()["machine"][0].parent, pyatspi.STATE_SELECTED))
            return "listed and selected as %r" % run.rows()["machine"][0].name
        report(5, t_create)

        def t_shot():
            time.sleep(0.5)
            path = os.path.join(shot_dir, "e2e-new-machine.png")
            if not shutil.which("import"):
                raise Failure("ImageMagick's `import` is not installed")
            subprocess.run(["import", "-window", "root", path], check=True, timeout=30)
            return path
        report(6, t_shot, chain=False)

        def t_log():
            run.check_alive()
            run.log.flush()
            with open(run.log_path, errors="replace") as f:
                bad = [l.rstrip() for l in f if "-CRITICAL **" in l or "-WARNING **" in l]
            if bad:
                raise Failure("\n".join(bad[:20]))
        report(7, t_log, chain=False)
    finally:
        run.stop()
    sys.exit(1 if state["failed"] else 0)


if __name__ == "__main__":
    main()
