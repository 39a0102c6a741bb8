#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: a user creates a machine with the New Machine assistant.

  test-e2e-new-machine.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

Starts the built `piso --connect test:///<copy of FIXTURE_XML>` (the fixture
needs the "default" pool and network) and, over AT-SPI with real X clicks like
test-e2e.py (whose helpers it uses), clicks the header's New Machine button,
chooses "Empty Machine", goes through the pages with Next, clicks Create and
finds the new machine in the list. On the way it chooses an installer by
typing its path into the file chooser and clicking Open, and checks that the
review step has focus on its summary. Every widget is found by its accessible
role and name. Output is TAP; the screenshot goes to SCREENSHOT_DIR as
e2e-new-machine.png, Piso's output to e2e-new-machine-piso.log.
"""
import importlib
import os
import time

# test-e2e.py, next to this script: its helpers (importing it keeps TAP
# apart from dogtail's stdout)
e2e = importlib.import_module("test-e2e")

TESTS = [
    e2e.FIRST_STEP,
    "the header's New Machine button opens the New Machine assistant",
    "Choose… opens the file chooser; a typed path and Open choose that installer",
    "choosing 'Empty Machine' and Next shows the operating system step",
    "Next twice reaches the review step with a summary and Create enabled",
    "on the review step focus is on the summary's first row, 'Name'",
    "Create closes the assistant and the new machine is listed, selected; Piso survives"
    " a screen reader asking for a window past those shown",
] + e2e.LAST_STEPS
NEW_MACHINE = "New Machine"


def main():
    run = e2e.script_start(__file__, TESTS)
    import pyatspi

    state = {"assistant": None}

    steps = e2e.Reporter(TESTS, lambda: state["assistant"])
    report = steps.report

    def assistant():
        """The assistant's window: a toplevel of piso named New Machine."""
        return run.toplevel(NEW_MACHINE)

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

    def shown(root, pred):
        """Nodes under root that are on screen and match pred, without
        walking hidden stack pages (the OS list's hundreds of rows)."""
        found, todo = [], [root]
        while todo:
            n = todo.pop()
            try:
                try:
                    e2e.extents(n)
                    placed = True
                except Exception:  # no Component (GtkStackPage): look inside
                    placed = False
                if placed and n is not root and not e2e.on_screen(n):
                    continue
                if placed and pred(n):
                    found.append(n)
                todo.extend(reversed(list(n.children)))
            except Exception:  # nodes come and go while the UI updates
                pass
        return found

    def step_is(label):
        """The header's subtitle names the step: 'Step N of 4'."""
        return e2e.find_all(state["assistant"], lambda n: n.roleName == "label"
                            and n.name == label and e2e.on_screen(n))

    with e2e.script_steps(run, steps):
        e2e.report_first_step(run, steps)

        def t_open():
            run.click(button(run.window, NEW_MACHINE), "the New Machine button")
            state["assistant"] = e2e.wait_for("the New Machine window", assistant)
            e2e.wait_for("step 1", lambda: step_is("Step 1 of 4"))
            run.activate_window("New Machine")
            return "window role %s" % state["assistant"].roleName
        report(2, t_open)

        def t_typed_path():
            a = state["assistant"]
            iso = os.path.join(run.tmp, "typed-installer.iso")
            open(iso, "wb").close()
            run.click(button(a, "Choose…"), "Choose…")
            run.choose_path("Choose Installer Media", iso, "Open")
            e2e.wait_for("the chosen file's name on the source step", lambda: e2e.find_all(
                a, lambda n: n.name == "typed-installer.iso" and e2e.on_screen(n)))
            e2e.wait_for("Next sensitive with the installer chosen", lambda: button(a, "Next"))
            return "chose %s" % iso
        report(3, t_typed_path)

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
        report(4, t_source)

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
        report(5, t_review)

        def t_focus():
            a = state["assistant"]
            # back from the file chooser, a window manager would have given
            # the assistant the keyboard focus again
            run.activate_window("New Machine")

            def focused():
                return shown(a, lambda n: e2e.has_state(n, pyatspi.STATE_FOCUSED))
            first = e2e.wait_for("something focused on the review step", focused)[0]
            # the first summary row, the name of the machine to create
            texts = [first.name] + [c.name for c in shown(first, lambda n: True)]
            if "Name" not in texts:
                raise e2e.Failure("focus is on [%s] %r (%s), not on the summary's Name row"
                                  % (first.roleName, first.name, texts))
            return "focus on [%s] %r" % (first.roleName, first.name)
        report(6, t_focus)

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
                run.rows()["machine"][0], pyatspi.STATE_SELECTED))
            # A screen reader that counted the windows while the assistant
            # was open asks for the one past those shown: GTK 4.8 crashed on
            # that when a hidden window came last (the shortcuts window that
            # GtkApplication made at start)
            try:
                run.app.getChildAtIndex(run.app.childCount)
            except Exception:  # GTK 4.18 answers with an error
                pass
            time.sleep(0.5)
            run.check_alive()
            return "listed and selected as %r" % run.rows()["machine"][0].name
        report(7, t_create)


if __name__ == "__main__":
    main()
