#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Accessibility audit: every control a screen reader meets has a name.

  test-e2e-a11y.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

Starts the built `piso --connect test:///<copy of FIXTURE_XML>` (tests/data/
pages.xml) and, over AT-SPI with real input like test-e2e.py (whose helpers it
uses), walks what a new user meets: the main window, a machine's page in each
of its views, the Delete, Force Off and Take Snapshot dialogs, a shut-off machine's
Rename, Clone and Export dialogs, every step of the New Machine assistant and
a list row's context menu (opened with the Menu key). In each, every interactive element
on screen (button, toggle, check box, radio button, menu item, entry, combo
box, list item, slider, spin button) must have an accessible name, read once:
no mnemonic underscore ("_Cancel"), no doubled text ("Cancel Cancel"), and nothing
on screen read with a class name ("GtkImage", which GTK 4.8 gives what has no name).
Destructive dialogs must open with the focus on Cancel. Output is TAP; the
screenshot goes to SCREENSHOT_DIR as e2e-a11y.png, Piso's output to
e2e-a11y-piso.log.
"""
import importlib
import re
import time

# test-e2e.py, next to this script: its helpers (importing it keeps TAP
# apart from dogtail's stdout)
e2e = importlib.import_module("test-e2e")

TESTS = [
    e2e.FIRST_STEP,
    "the main window and the host page: every control and row is named, with what it shows,"
    " the machine rows without repeats",
    "the machine page, in each of its views: every control is named",
    "a row's context menu opens with the Menu key, its items named",
    "the Delete dialog: named controls, focus on Cancel",
    "the Force Off dialog: named controls, focus on Cancel",
    "the Take Snapshot dialog: named controls",
    "a shut-off machine's Rename, Clone and Export dialogs: named controls, the new name's"
    " field named",
    "the New Machine assistant, each step and the customized review: named controls",
] + e2e.LAST_STEPS
MACHINE = "Web Server"
SHUT_OFF = "build"  # a shut-off machine of pages.xml, with two disks and a CD
# Roles a user acts on, as AT-SPI names them on GTK 4.8 and 4.18
INTERACTIVE = {
    "push button", "button", "toggle button", "check box", "radio button",
    "menu item", "check menu item", "radio menu item", "entry", "password text",
    "combo box", "list item", "slider", "spin button", "switch",
}
# Roles whose names are our own labels: never an underscore there (list
# items and entries may show a file's or a machine's name)
LABELLED = INTERACTIVE - {"list item", "entry", "password text", "combo box"}
# A widget's class name, which GTK 4.8 gives as the name of anything left
# unnamed, and Orca then reads ("GtkImage New Machine push button",
# "GtkStackPage panel")
TYPE_NAME = re.compile(r"\b(Gtk|Adw|Piso)[A-Z][A-Za-z]+\b")
# Roles Orca passes over as layout (its isLayoutOnly), and what it reads
# only when focused (images, scroll bars are not)
NOT_READ_ON_THE_WAY = {"filler", "scroll pane", "separator", "image", "scroll bar"}


def problem(node):
    """What is wrong with the name of an interactive `node`, or None"""
    name = e2e.spoken_name(node).strip()
    if not name:
        return "has no name"
    words = name.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and words[:half] == words[half:]:
        return "is named twice: %r" % name
    if "_" in name and node.roleName in LABELLED:
        return "has a mnemonic underscore in its name: %r" % name
    if TYPE_NAME.search(name):
        return "is read with a class name: %r" % name
    if node.roleName == "list item":
        unread = unread_text(node)
        if unread:
            description = e2e.spoken_description(node)
            return "is read as %r without what it shows: %r" % (
                "%s. %s" % (name, description) if description else name, unread)
    return None


def unread_text(item):
    """The text shown in list item `item` (a value beside a row's title, a
    machine's state) that a screen reader on it does not read, in its name
    or its description; what the controls inside it show is theirs to read"""
    said = ("%s %s" % (e2e.spoken_name(item), e2e.spoken_description(item))).casefold()
    unread = []

    def walk(node):
        for child in node:
            if child is None or child.roleName in INTERACTIVE:
                continue
            if child.roleName == "label" and e2e.on_screen(child):
                text = (child.name or "").strip()
                if text and text.casefold() not in said:
                    unread.append(text)
            walk(child)
    walk(item)
    return unread


def read_again(item):
    """What a screen reader reads again after list item `item`'s name: Orca
    48 reads every label under a list item ("build, Off. build. Off."), and
    the role of a group there with nothing else to read ("build, Off.
    grouping"); the controls inside it are theirs to read"""
    again = []

    def read(node):
        """Whether Orca finds something under `node` to read"""
        return any(c is not None and (c.roleName in INTERACTIVE or
                                      (c.roleName == "label" and (c.name or "").strip())
                                      or read(c)) for c in node)

    def walk(node):
        for child in node:
            if child is None or child.roleName in INTERACTIVE:
                continue
            if child.roleName == "label" and (child.name or "").strip():
                again.append("label %r" % child.name)
            elif child.roleName in ("grouping", "group") and not read(child):
                again.append(child.roleName)
            walk(child)
    walk(item)
    return again


def in_combo_box(node):
    """libadwaita 1.2's combo row shows its value as an unnamed list inside
    the (named) combo box: the combo box is the control"""
    node = node.parent
    while node is not None and node.roleName not in ("frame", "dialog"):
        if node.roleName == "combo box":
            return True
        node = node.parent
    return False


def place(node):
    """Where `node` is: its nearest named ancestors and its extents"""
    around = []
    parent = node.parent
    while parent is not None and len(around) < 3 and parent.roleName not in ("frame", "dialog"):
        if parent.name and not TYPE_NAME.search(parent.name):
            around.append("%s %r" % (parent.roleName, parent.name))
        parent = parent.parent
    where = "in " + ", in ".join(around) if around else "?"
    try:
        x, y, w, h = e2e.extents(node)
        where += " at %d,%d %dx%d" % (x, y, w, h)
    except Exception:
        pass
    if node.childCount:
        where += ", holding a %s %r" % (node[0].roleName, node[0].name)
    return where


def audit(root, where):
    """Every interactive element on screen below `root` is named once;
    returns how many were checked"""
    bad = []
    checked = 0
    # Whatever a screen reader reads on the way (the panels, lists and menus
    # around a control are read when the focus enters them)
    for node in e2e.shown_nodes(root):
        name = e2e.spoken_name(node)
        if (node.roleName not in NOT_READ_ON_THE_WAY and TYPE_NAME.search(name)
                and not in_combo_box(node)):
            bad.append("%s: a %s (%s) is read with a class name: %r" % (
                where, node.roleName, place(node), name))
    for node in [n for n in e2e.shown_nodes(root) if n.roleName in INTERACTIVE
                 and not (n.roleName == "list item" and in_combo_box(n))]:
        checked += 1
        p = problem(node)
        if p:
            parent = node.parent
            bad.append("%s: a %s (in a %s named %r) %s" % (
                where, node.roleName, parent.roleName if parent else "?",
                parent.name if parent else "", p))
    if bad:
        raise e2e.Failure("\n".join(sorted(set(bad))))
    if checked == 0:
        raise e2e.Failure("%s: no interactive element found on screen" % where)
    return checked


def timed(fn):
    """fn, whose result says how long it took"""
    def run():
        start = time.monotonic()
        extra = fn()
        return "%s, %.0f s" % (extra, time.monotonic() - start)
    return run


def main():
    run = e2e.script_start(__file__, TESTS)
    import pyatspi
    from dogtail import rawinput

    steps = e2e.Reporter(TESTS, lambda: run.app)

    def dialog_root(button_name):
        """The window or dialog showing a button named `button_name`, and
        the button: libadwaita 1.2's alerts are windows of their own, looked
        through first; 1.5's dialogs sit in the main window. The root is the
        button's nearest ancestor of role dialog, alert, window or frame."""
        def find():
            windows = [w for w in run.app.children if w != run.window] + [run.window]
            for w in windows:
                found = e2e.find_all(w, lambda n: n.roleName in e2e.BUTTON_ROLES
                                     and e2e.button_name(n) == button_name
                                     and e2e.on_screen(n))
                if found:
                    return found[-1]
            return None
        button = e2e.wait_for("a button named %r" % button_name, find)
        node = button
        while node.parent is not None and node.roleName not in (
                "dialog", "alert", "window", "frame"):
            node = node.parent
        return node, button

    def shown_menu_item(name):
        """The open menu's item `name`, through the shorter walk of what is
        on screen (for Run.choose_in_menu)"""
        found = [n for n in e2e.shown_nodes(run.app) if n.roleName == "menu item"
                 and e2e.spoken_name(n) == name]
        return found[0] if found else None

    def show_view(name):
        """Run.show_view through the shorter walk of what is on screen"""
        for n in e2e.shown_nodes(run.window):
            if n.roleName == "page tab" and n.name == name:
                if not e2e.has_state(n, pyatspi.STATE_SELECTED):
                    run.click(n, "the %s view switch" % name)
                return
        raise e2e.Failure("no view switch named %r on screen" % name)

    def focused_button(root):
        found = e2e.find_all(root, lambda n: n.roleName in e2e.BUTTON_ROLES
                             and e2e.has_state(n, pyatspi.STATE_FOCUSED))
        return found[0].name if found else None

    with e2e.script_steps(run, steps):
        e2e.report_first_step(run, steps, lambda: e2e.wait_for("the row of %r" % MACHINE,
                                                               lambda: run.rows().get(MACHINE)))

        def t_window():
            # The list item (which the keyboard focuses) names its machine and state
            items = [i for i in run.machine_list().children if i.roleName == "list item"]
            if not any(i.name == "%s, Running" % MACHINE for i in items):
                raise e2e.Failure("no list item named %r; they are: %s"
                                  % ("%s, Running" % MACHINE, [i.name for i in items]))
            # and says nothing twice
            for i in items:
                again = read_again(i)
                if again:
                    raise e2e.Failure("the list item %r is read with %s after its name"
                                      % (i.name, ", ".join(again)))
            checked = audit(run.window, "main window")
            # The connection's own row shows its host page
            host = e2e.wait_for("the connection's row", lambda: e2e.find_all(
                run.machine_list(), lambda n: (n.name or "").startswith("Test driver (")
                and e2e.on_screen(n)))[0]
            run.click(host, "the connection's row")
            e2e.wait_for("the host page", lambda: e2e.find_all(
                run.window, lambda n: n.roleName == "list item" and n.name == "Host Name"
                and e2e.on_screen(n)))
            checked += audit(run.window, "the host page")
            return "%d controls, with the host page" % checked
        steps.report(2, timed(t_window))

        def t_page():
            item = run.rows()[MACHINE][0]
            run.click(item, "the list item of %s" % MACHINE)
            e2e.wait_for("the machine page's view switcher", lambda: e2e.find_all(
                run.window, lambda n: n.roleName == "page tab" and n.name == "Overview"
                and e2e.on_screen(n)))
            checked = 0
            for view in ("Overview", "Resources", "Hardware", "Snapshots", "Console"):
                show_view(view)
                time.sleep(0.3)
                checked += audit(run.window, "the %s view" % view)
            return "%d controls in 5 views" % checked
        steps.report(3, timed(t_page))

        def t_row_menu():
            item = [i for i in run.machine_list().children if i.roleName == "list item"
                    and i.name.startswith(MACHINE + ", ")][0]
            run.click(item, "the list item of %s" % MACHINE)
            e2e.wait_for("the list item focused", lambda: e2e.has_state(item, pyatspi.STATE_FOCUSED))
            rawinput.pressKey("Menu")
            # (the menu is a popover of the row: below its list item)
            e2e.wait_for("the row's menu with Force Off…", lambda: [
                n for n in e2e.find_all(item, lambda n: n.roleName == "menu item")
                if e2e.spoken_name(n) == "Force Off…" and e2e.on_screen(n)])
            checked = audit(item, "the row's context menu")
            rawinput.pressKey("Escape")
            return "%d controls" % checked
        steps.report(4, timed(t_row_menu))

        def t_dialog(menu_item, safe, other, focus_on_cancel):
            show_view("Overview")
            run.choose_in_menu("More Actions", menu_item, shown_menu_item)
            root, button = dialog_root(other)
            checked = audit(root, "the %s dialog" % menu_item)
            if focus_on_cancel:
                focus = e2e.wait_for("a focused button", lambda: focused_button(root))
                if focus != safe:
                    raise e2e.Failure("the %s dialog opens with the focus on %r, not %r"
                                      % (menu_item, focus, safe))
            rawinput.pressKey("Escape")
            e2e.wait_for("the dialog gone", lambda: not e2e.on_screen(button))
            return "%d controls" % checked

        steps.report(5, timed(lambda: t_dialog("Delete…", "Cancel", "Delete", True)))
        steps.report(6, timed(lambda: t_dialog("Force Off…", "Cancel", "Force Off", True)))

        def close_with_cancel(root, what, gone):
            """Clicks the Cancel of `root` and waits until `gone()`"""
            cancel = [n for n in e2e.shown_nodes(root) if n.roleName in e2e.BUTTON_ROLES
                      and e2e.button_name(n) == "Cancel"]
            if not cancel:
                raise e2e.Failure("the %s has no Cancel button on screen" % what)
            run.click(cancel[0], "Cancel of the %s" % what)
            e2e.wait_for("the %s gone" % what, gone)

        def t_snapshot():
            show_view("Snapshots")
            take = e2e.wait_for("the Take Snapshot… button", lambda: [
                n for n in e2e.shown_nodes(run.window) if n.roleName in e2e.BUTTON_ROLES
                and e2e.button_name(n) == "Take Snapshot…"])[0]
            run.click(take, "Take Snapshot…")
            root, button = dialog_root("Take")
            checked = audit(root, "the Take Snapshot dialog")
            close_with_cancel(root, "Take Snapshot dialog", lambda: not e2e.on_screen(button))
            show_view("Overview")
            return "%d controls" % checked
        steps.report(7, timed(t_snapshot))

        def t_shut_off_dialogs():
            item = e2e.wait_for("the list item of %s" % SHUT_OFF, lambda: [
                i for i in run.machine_list().children if i.roleName == "list item"
                and i.name.startswith(SHUT_OFF + ", ")])[0]
            run.click(item, "the list item of %s" % SHUT_OFF)
            e2e.wait_for("the list item of %s selected" % SHUT_OFF,
                         lambda: e2e.has_state(item, pyatspi.STATE_SELECTED))
            show_view("Overview")
            run.choose_in_menu("More Actions", "Rename…", shown_menu_item)
            root, button = dialog_root("Rename")
            checked = audit(root, "the Rename dialog")
            fields = [e2e.spoken_name(n) for n in e2e.shown_nodes(root)
                      if n.roleName in ("entry", "text")]
            if fields != ["New name"]:
                raise e2e.Failure("the Rename dialog's text fields are named %r, not ['New name']"
                                  % fields)
            rawinput.pressKey("Escape")
            e2e.wait_for("the Rename dialog gone", lambda: not e2e.on_screen(button))
            for menu_item, action, what in (("Clone…", "Clone", "Clone dialog"),
                                            ("Export…", "Export", "Export dialog")):
                show_view("Overview")
                run.choose_in_menu("More Actions", menu_item, shown_menu_item)
                root, button = dialog_root(action)
                time.sleep(0.5)  # its disks listed
                checked += audit(root, "the " + what)
                close_with_cancel(root, what, lambda: not e2e.on_screen(button))
            return "%d controls in 3 dialogs" % checked
        steps.report(8, timed(t_shut_off_dialogs))

        def t_assistant():
            new = [n for n in e2e.shown_nodes(run.window) if n.roleName in e2e.BUTTON_ROLES
                   and e2e.button_name(n) == "New Machine"]
            if not new:
                raise e2e.Failure("no New Machine button on screen")
            run.click(new[0], "the New Machine button")
            assistant = e2e.wait_for("the New Machine window",
                                     lambda: run.toplevel("New Machine"))
            e2e.wait_for("step 1", lambda: e2e.find_all(
                assistant, lambda n: n.roleName == "label" and n.name == "Step 1 of 4"
                and e2e.on_screen(n)))
            checked = audit(assistant, "the New Machine assistant's first step")

            def shown_button(name, sensitive=False):
                def find():
                    found = [n for n in e2e.shown_nodes(assistant)
                             if n.roleName in e2e.BUTTON_ROLES + ("radio button", "toggle button")
                             and e2e.button_name(n) == name
                             and (not sensitive or e2e.has_state(n, pyatspi.STATE_SENSITIVE))]
                    return found[0] if found else None
                return e2e.wait_for("the %s button" % name, find)

            def next_step(label):
                run.click(shown_button("Next", sensitive=True), "Next")
                e2e.wait_for(label, lambda: e2e.find_all(
                    assistant, lambda n: n.roleName == "label" and n.name == label
                    and e2e.on_screen(n)))
                time.sleep(0.5)

            # Every other step, as an empty machine goes through them
            run.click(shown_button("Empty Machine"), "Empty Machine")
            for label, what in (("Step 2 of 4", "operating system step"),
                                ("Step 3 of 4", "resources step"),
                                ("Step 4 of 4", "review")):
                next_step(label)
                checked += audit(assistant, "the New Machine assistant's " + what)
            # A toggle button: GTK 4.18 offers its "click" as another name
            customize = shown_button("Customize")
            action = customize.queryAction()
            names = [action.getName(i) for i in range(action.nActions)]
            known = [n for n in ("click", "toggle", "press", "activate") if n in names]
            if known:
                action.doAction(names.index(known[0]))
            else:
                run.click(customize, "Customize")
            e2e.wait_for("the review's Customize section", lambda: e2e.find_all(
                assistant, lambda n: n.roleName in ("entry", "text") and e2e.on_screen(n)))
            checked += audit(assistant, "the New Machine assistant's review, customized")
            # (Back, not Cancel, from the second step on: Escape closes it)
            run.activate_window("New Machine")
            rawinput.pressKey("Escape")
            e2e.wait_for("the New Machine assistant gone", lambda: run.toplevel("New Machine") is None)
            return "%d controls in 4 steps" % checked
        steps.report(9, timed(t_assistant))


if __name__ == "__main__":
    main()
