#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: a user exports a machine to a folder and imports it again.

  test-e2e-export.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

Starts the built `piso --connect test:///<copy of FIXTURE_XML>` (tests/data/
export.xml, whose shut-off machine "Small machine" has no disk: the test
driver has no volume streams, so this is the machine the export dialog's UI
tests export too) and, over AT-SPI with real input like test-e2e.py (whose
helpers it uses), clicks the machine, More Actions → Export…, Choose Folder…,
types the destination into the file chooser and clicks Export: the bundle's
files are written and the toast says so. Then Main Menu → Import Machine…,
the bundle's manifest typed into the chooser: the review proposes a free
name, names the storage pool and says the machine stays shut off; Import
lists the new machine, shut off. Every widget is found by its accessible
role and name. Output is TAP; the screenshot goes to SCREENSHOT_DIR as
e2e-export.png, Piso's output to e2e-export-piso.log.
"""
import importlib
import os

# test-e2e.py, next to this script: its helpers (importing it keeps TAP
# apart from dogtail's stdout)
e2e = importlib.import_module("test-e2e")

TESTS = [
    e2e.FIRST_STEP,
    "clicking the shut-off 'Small machine' and More Actions → Export… opens its Export dialog",
    "Choose Folder… and a typed folder in the file chooser set where the bundle goes",
    "Export writes the bundle (manifest, definition) and the toast says 'Exported'",
    "Import Machine… and the bundle's manifest chosen show the review: name 'small-2', "
    "pool 'default', 'stays shut off'",
    "Import lists the new machine 'small-2', shut off, beside the original",
] + e2e.LAST_STEPS
MACHINE = "Small machine"
NEW_NAME = "small-2"
STAYS_OFF = "The machine stays shut off once imported: start it when you are ready."


def main():
    run = e2e.script_start(__file__, TESTS)
    import pyatspi

    state = {"dialog": None}
    steps = e2e.Reporter(TESTS, lambda: state["dialog"] or run.app)
    out = os.path.join(run.tmp, "exports")
    os.mkdir(out)
    bundle = os.path.join(out, "small")

    def button(root, name):
        """The sensitive push button on screen read as `name` under root, or
        labelled `name` (GTK 4.8 adds the row's title to a row's button:
        'Choose Folder… Export to')"""
        def named(n):
            return e2e.button_name(n) == name or any(
                c.roleName == "label" and c.name == name for c in n.children)

        def find():
            for n in e2e.find_all(root, lambda n: n.roleName in e2e.BUTTON_ROLES
                                  and named(n) and e2e.on_screen(n)):
                if e2e.has_state(n, pyatspi.STATE_SENSITIVE):
                    return n
            return None
        return e2e.wait_for("a sensitive push button named %r" % name, find)

    def shows(root, name, role=None):
        """Nodes on screen under root named `name` (of `role`)"""
        return e2e.find_all(root, lambda n: n.name == name and e2e.on_screen(n)
                            and (role is None or n.roleName == role))

    def dialog_titled(prefix):
        """Piso's toplevel, other than its main window, whose name starts
        with `prefix` (whatever its role: GTK 4.8 reads these dialogs as
        fillers)"""
        for w in run.app.children:
            try:
                if (w.name or "").startswith(prefix) and w != run.window:
                    return w
            except Exception:
                pass
        return None

    def toast_says(text):
        """A toast on screen reads `text`: looked for beside the window's
        content, not in it (a walk of the whole window takes longer on GTK
        4.8 than a toast is shown)"""
        todo = [run.window]
        while todo:
            n = todo.pop()
            try:
                if n.roleName == "label" and n.name == text and e2e.on_screen(n):
                    return n
                if n.name != "AdwLeaflet":
                    todo.extend(n.children)
            except Exception:  # nodes come and go while the UI updates
                pass
        return None

    with e2e.script_steps(run, steps):
        e2e.report_first_step(run, steps)

        def t_open_export():
            row = e2e.wait_for("the row of %r" % MACHINE, lambda: run.rows().get(MACHINE))
            if row[1] != "Off":
                raise e2e.Failure("%r reads %r, not shut off" % (MACHINE, row[1]))
            run.click(row[0], "the list item of %s" % MACHINE)
            e2e.wait_for("the row selected", lambda: e2e.has_state(
                run.rows()[MACHINE][0], pyatspi.STATE_SELECTED))
            run.choose_in_menu("More Actions", "Export…")
            title = "Export “%s”" % MACHINE
            state["dialog"] = e2e.wait_for("the window %r" % title, lambda: dialog_titled(title))
            run.activate_window(title)
            e2e.wait_for("its Choose Folder… button", lambda: button(state["dialog"], "Choose Folder…"))
        steps.report(2, t_open_export)

        def t_folder():
            d = state["dialog"]
            run.click(button(d, "Choose Folder…"), "Choose Folder…")
            run.choose_path("Choose Where to Export", out, "Select")
            e2e.wait_for("the chosen folder on the Export to row", lambda: [
                n for n in e2e.find_all(d, lambda n: out in (n.name or "") and e2e.on_screen(n))])
            return "chose %s" % out
        steps.report(3, t_folder)

        def t_export():
            run.click(button(state["dialog"], "Export"), "Export")
            e2e.wait_for("the Export dialog to close",
                         lambda: dialog_titled("Export “") is None)
            state["dialog"] = None
            e2e.wait_for("the toast 'Exported “%s”'" % MACHINE,
                         lambda: toast_says("Exported “%s”" % MACHINE))
            for name in ("manifest.ini", "domain.xml"):
                if not os.path.isfile(os.path.join(bundle, name)):
                    raise e2e.Failure("no %s in %s: %s" % (name, bundle, os.listdir(out)))
            return "bundle %s: %s" % (bundle, ", ".join(sorted(os.listdir(bundle))))
        steps.report(4, t_export)

        def t_review():
            run.choose_in_menu("Main Menu", "Import Machine…")
            run.choose_path("Choose a Bundle or Appliance to Import",
                            os.path.join(bundle, "manifest.ini"), "Import")
            title = "Import “%s”" % MACHINE
            d = state["dialog"] = e2e.wait_for("the review %r" % title, lambda: dialog_titled(title))
            run.activate_window(title)
            name = e2e.wait_for("the name row", lambda: [
                n for n in e2e.find_all(d, lambda n: n.roleName in e2e.ENTRY_ROLES
                                        and e2e.on_screen(n))])[0]
            if e2e.text_of(name) != NEW_NAME:
                raise e2e.Failure("the name proposed is %r, not %r" % (e2e.text_of(name), NEW_NAME))
            pool = e2e.wait_for("the storage pool row", lambda: [
                n for n in e2e.find_all(d, lambda n: (n.name or "").startswith("Storage pool")
                                        and e2e.on_screen(n))])[0]
            if not e2e.find_all(pool, lambda n: n.name == "default") and "default" not in pool.name:
                raise e2e.Failure("the pool row %r names no pool 'default'" % pool.name)
            e2e.wait_for("the review saying %r" % STAYS_OFF, lambda: shows(d, STAYS_OFF))
            return "pool row %r" % pool.name
        steps.report(5, t_review)

        def t_import():
            known = set(run.rows())
            run.click(button(state["dialog"], "Import"), "Import")
            e2e.wait_for("the Import dialog to close",
                         lambda: dialog_titled("Import “") is None)
            state["dialog"] = None
            run.machines[NEW_NAME] = NEW_NAME
            e2e.wait_for("%r listed" % NEW_NAME,
                         lambda: NEW_NAME in run.rows() and NEW_NAME not in known)
            e2e.wait_for("%r shut off" % NEW_NAME, lambda: run.rows()[NEW_NAME][1] == "Off")
            if MACHINE not in run.rows():
                raise e2e.Failure("the original %r is no longer listed" % MACHINE)
            return "rows: %s" % ", ".join("%s (%s)" % (k, v[1]) for k, v in sorted(run.rows().items()))
        steps.report(6, t_import)


if __name__ == "__main__":
    main()
