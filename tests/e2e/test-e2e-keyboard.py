#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the first minutes by keyboard alone.

  test-e2e-keyboard.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

Starts the built `piso --connect test:///<copy of FIXTURE_XML>` (tests/data/
basic.xml: the "default" pool and network) and, over AT-SPI like test-e2e.py
(whose helpers it uses), does everything with key presses only, never a
click: Ctrl+N opens New Machine, Tab/arrows/Space/Enter walk the assistant
and create a machine, the list finds it, Menu opens its context menu, Start,
the page's views, Shut Down, then Rename (typing the new name) and Delete
(Cancel first, Tab to Delete) from the row's menu.
Without a window manager (the tests have none) a window that opens or
becomes the one left is activated as a window manager would
(Run.activate_window): GTK 4.18 leaves it inactive otherwise.
After every key press the focused object is asked over AT-SPI: each step
asserts its role and name, that it is on screen, and what the step changed
(rows, states). The keys' trail is printed for each step. Output is TAP;
screenshots go to SCREENSHOT_DIR as e2e-keyboard-*.png, Piso's output to
e2e-keyboard-piso.log.
"""
import importlib
import os
import time

# test-e2e.py, next to this script: its helpers (importing it keeps TAP
# apart from dogtail's stdout)
e2e = importlib.import_module("test-e2e")

TESTS = [
    e2e.FIRST_STEP,
    "Ctrl+N opens New Machine with the focus on its first choice",
    "Tab and Space choose 'Empty Machine'; Next by keyboard shows the operating system step",
    "Next by keyboard through the operating system and resources steps to the review",
    "Create by keyboard: the assistant closes, the new machine is listed, selected and focused",
    "Down/Up in the list reach other machines and the new one again, each named with its state",
    "Menu and Shift+F10 open the row's context menu; Shut Down and Start in it work",
    "Tab reaches the page's view switcher; arrows and Enter show each view",
    "Shut Down by keyboard: the machine goes Off, the focus on a control",
    "Rename from the row's menu: the name's entry has the focus, typing and Enter rename",
    "Delete from the row's menu: Cancel has the focus, Tab and Enter on Delete remove it",
] + e2e.LAST_STEPS


def main():
    run = e2e.script_start(__file__, TESTS)
    import pyatspi
    from dogtail import rawinput

    steps = e2e.Reporter(TESTS, lambda: run.app)
    keys = e2e.Keys(run)
    describe, press, press_until = keys.describe, keys.press, keys.press_until
    focus_is, trail_text = keys.focus_is, keys.trail_text
    menu_choose, dialog_showing = keys.menu_choose, keys.dialog_showing

    is_button, is_item = e2e.is_button, e2e.is_item

    def next_step(label, button="Next"):
        keys.next_step(state["assistant"], label, button)

    def ancestors(n):
        while n is not None:
            yield n
            n = n.parent

    state = {}

    def list_item(name):
        """The list item of the machine listed as `name`"""
        return run.rows()[name][0]

    def row_state(want):
        e2e.wait_for("the row reading %r" % want,
                     lambda: run.rows().get("machine", (None, None))[1] == want)

    with e2e.script_steps(run, steps):
        def t_rows():
            state["main_title"] = run.window.name
            e2e.wait_for("the machine rows", lambda: len(run.rows()) == len(run.machines))
        e2e.report_first_step(run, steps, t_rows)

        def t_open():
            press("<Control>n")
            a = e2e.wait_for("the New Machine window", lambda: run.toplevel("New Machine"))
            state["assistant"] = a
            run.activate_window("New Machine")
            # on its first question, not on Cancel
            f = focus_is("the focus on the Installer Media choice",
                         lambda n: any(p == a for p in ancestors(n))
                         and n.roleName in ("list item", "radio button", "check box")
                         and e2e.button_name(n) == "Installer Media")
            return "focus %s; %s" % (describe(f), trail_text())
        steps.report(2, t_open)

        def t_source():
            a = state["assistant"]
            press_until("Tab", "the Empty Machine choice",
                        lambda n: n.roleName in ("list item", "radio button", "check box")
                        and e2e.button_name(n) == "Empty Machine")
            press("space")
            # One of four choices: a radio button, also on GTK 4.8
            check = [n for n in e2e.shown_nodes(a) if n.roleName == "radio button"
                     and e2e.button_name(n) == "Empty Machine"]
            if not check:
                raise e2e.Failure("no radio button named 'Empty Machine'")
            e2e.wait_for("'Empty Machine' checked",
                         lambda: e2e.has_state(check[0], pyatspi.STATE_CHECKED))
            next_step("Step 2 of 4")
            return trail_text()
        steps.report(3, t_source)

        def t_review():
            next_step("Step 3 of 4")
            next_step("Step 4 of 4")
            return trail_text()
        steps.report(4, t_review)

        def t_create():
            known = set(run.rows())
            next_step(None, "Create")
            e2e.wait_for("the assistant to close", lambda: run.toplevel("New Machine") is None)
            # A window manager activates the window left
            run.activate_window(state["main_title"])
            run.machines["machine"] = "machine"
            e2e.wait_for("the new machine in the list",
                         lambda: "machine" in run.rows() and "machine" not in known)
            item = list_item("machine")
            e2e.wait_for("its row selected", lambda: e2e.has_state(item, pyatspi.STATE_SELECTED))
            f = focus_is("the focus on the new machine's list item",
                         lambda n: n.roleName == "list item" and n.name.startswith("machine, "))
            return "focus %s; %s" % (describe(f), trail_text())
        steps.report(5, t_create)

        def t_list():
            f = press("Up")
            if f is None or f.roleName != "list item" or f.name.startswith("machine, "):
                raise e2e.Failure("Up moved the focus to %s, not another machine's item" % describe(f))
            other = f.name
            press_until("Down", "the new machine's item again", is_item("machine"), most=10)
            press("Return")
            e2e.wait_for("the page of 'machine'", lambda: run.page_header("machine"))
            focus_is("the focus still on its item", is_item("machine"))
            return "Up → %r; %s" % (other, trail_text())
        steps.report(6, t_list)

        def t_start():
            # A new empty machine starts at once: shut it down first, by
            # the same menu
            focus_is("the focus on the new machine's item", is_item("machine"))
            if run.rows()["machine"][1] != "Off":
                press("Menu")
                menu_choose("Shut Down")
                row_state("Off")
                focus_is("the focus back on the new machine's item", is_item("machine"))
            press("<Shift>F10")
            menu_choose("Start")
            row_state("Running")
            f = focus_is("the focus somewhere after Start", lambda n: True)
            return "focus %s; %s" % (describe(f), trail_text())
        steps.report(7, t_start)

        def t_views():
            seen = []
            f = press_until("Tab", "a view switch", lambda n: n.roleName == "page tab")
            for view in ("Overview", "Resources", "Hardware", "Snapshots", "XML", "Console"):
                if not (f.roleName == "page tab" and f.name == view):
                    def is_view(n, view=view):
                        return n.roleName == "page tab" and n.name == view
                    try:
                        f = press_until("Right", "the %s view switch" % view, is_view, most=6)
                    except e2e.Failure:
                        f = press_until("Left", "the %s view switch" % view, is_view, most=7)
                press("space")
                e2e.wait_for("the %s view selected" % view,
                             lambda: e2e.has_state(f, pyatspi.STATE_SELECTED))
                seen.append(view)
            e2e.screenshot_to(os.path.join(run.shot_dir, "e2e-keyboard-views.png"))
            return "%s; %s" % (", ".join(seen), trail_text())
        steps.report(8, t_views)

        def t_shutdown():
            press_until("<Shift>Tab", "Shut Down", is_button("Shut Down"))
            press("Return")
            row_state("Off")
            f = focus_is("the focus on a control after Shut Down",
                         lambda n: n.roleName in e2e.BUTTON_ROLES + ("toggle button",))
            return "focus %s; %s" % (describe(f), trail_text())
        steps.report(9, t_shutdown)

        def t_rename():
            press_until("<Shift>Tab", "the new machine's item", is_item("machine"), most=40)
            press("Menu")
            menu_choose("Rename…")
            # GTK 4.8: the row's menu, closing, gives its window's focus back
            # to the list item after the dialog's entry took the dialog's:
            # the last focus event is the list item's, so the entry's state
            # is asked, as a screen reader asks the window that activates
            f = dialog_showing(lambda n: n.roleName in ("entry", "text")
                               and e2e.spoken_name(n) == "New name", "the Rename dialog's entry")
            e2e.wait_for("the focus in the new name's entry",
                         lambda: e2e.has_state(f, pyatspi.STATE_FOCUSED))
            first = describe(f)
            # The old name is selected: typing replaces it
            rawinput.typeText("renamed")
            time.sleep(0.3)
            run.machines["renamed"] = "renamed"
            press("Return")
            e2e.wait_for("the machine listed as 'renamed'",
                         lambda: "renamed" in run.rows() and "machine" not in run.rows())
            run.activate_window(state["main_title"])  # the window left
            del run.machines["machine"]
            g = focus_is("the focus on the renamed machine's item", is_item("renamed"))
            return "entry %s; then %s; %s" % (first, describe(g), trail_text())
        steps.report(10, t_rename)

        def t_delete():
            focus_is("the focus on the renamed machine's item", is_item("renamed"))
            press("Menu")
            menu_choose("Delete…")
            f = dialog_showing(is_button("Cancel"), "the Delete dialog's Cancel")
            e2e.wait_for("the focus on Cancel", lambda: e2e.has_state(f, pyatspi.STATE_FOCUSED))
            first = describe(f)
            press_until("Tab", "Delete", is_button("Delete"), most=6)
            press("Return")
            e2e.wait_for("the machine gone from the list", lambda: "renamed" not in run.rows())
            run.activate_window(state["main_title"])
            del run.machines["renamed"]
            g = focus_is("the focus on a machine's item", lambda n: n.roleName == "list item")
            return "first %s; then %s; %s" % (first, describe(g), trail_text())
        steps.report(11, t_delete)



if __name__ == "__main__":
    main()
