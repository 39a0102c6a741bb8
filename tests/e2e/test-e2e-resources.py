#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: a user gives a running machine more memory.

  test-e2e-resources.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

Starts the built `piso --connect test:///<copy of FIXTURE_XML>` (tests/data/
edits.xml) and, over AT-SPI with real X input like test-e2e.py (whose helpers
it uses), clicks the running machine "web" in the list, picks its Resources
view, clicks into the field named "Memory in MiB", types 1536 and Enter, and
then reads in the XML view the definition libvirt now has: its current memory
is 1536 MiB. Every widget is found by its accessible role and name. Output is
TAP; the screenshot goes to SCREENSHOT_DIR as e2e-resources.png, Piso's output
to e2e-resources-piso.log.
"""
import importlib
import time

# test-e2e.py, next to this script: its helpers (importing it keeps TAP
# apart from dogtail's stdout)
e2e = importlib.import_module("test-e2e")

TESTS = [
    e2e.FIRST_STEP,
    "clicking the running machine 'web' and its Resources view shows Memory in MiB: 1024",
    "typing 1536 and Enter into the memory field: the field keeps 1536",
    "the XML view shows the definition with the new current memory (1572864 KiB)",
] + e2e.LAST_STEPS
MACHINE = "web"
MEMORY_FIELD = "Memory in MiB"
NEW_MEMORY = "<currentMemory unit='KiB'>1572864</currentMemory>"


def main():
    run = e2e.script_start(__file__, TESTS)
    from dogtail import rawinput

    steps = e2e.Reporter(TESTS, lambda: run.window)

    def memory_field():
        found = e2e.find_all(run.window, lambda n: n.roleName == "spin button"
                             and n.name == MEMORY_FIELD and e2e.on_screen(n))
        return found[0] if found else None

    def value_of(node):
        return node.queryValue().currentValue

    with e2e.script_steps(run, steps):
        e2e.report_first_step(run, steps)

        def t_resources():
            row = e2e.wait_for("the row of %r" % MACHINE, lambda: run.rows().get(MACHINE))[0]
            run.click(row, "the row of %s" % MACHINE)
            e2e.wait_for("the Resources view switch", lambda: e2e.find_all(
                run.window, lambda n: n.roleName == "page tab" and n.name == "Resources"
                and e2e.on_screen(n)))
            run.show_view("Resources")
            field = e2e.wait_for("a spin button named %r" % MEMORY_FIELD, memory_field)
            e2e.wait_for("the memory field to read 1024", lambda: value_of(field) == 1024)
            return "described as %r" % field.description
        steps.report(2, t_resources)

        def t_type():
            field = memory_field()
            # Into its text, left of the -/+ buttons
            x, y, w, h = e2e.extents(field)
            ox, oy = run.window_origin()
            rawinput.click(ox + x + w // 5, oy + y + h // 2)
            time.sleep(0.3)
            rawinput.keyCombo("<Control>a")
            rawinput.typeText("1536")
            rawinput.pressKey("Return")
            e2e.wait_for("the memory field to read 1536", lambda: value_of(memory_field()) == 1536)
            # Sent a moment after the last change; the field keeps it
            time.sleep(2)
            if value_of(memory_field()) != 1536:
                raise e2e.Failure("the field went back to %s" % value_of(memory_field()))
        steps.report(3, t_type)

        def t_xml():
            run.show_view("XML")

            def shows_new_memory():
                views = e2e.find_all(run.window, lambda n: n.name == "Definition as XML"
                                     and e2e.on_screen(n))
                return views and NEW_MEMORY in e2e.text_of(views[0])
            e2e.wait_for("the XML view to show %s" % NEW_MEMORY, shows_new_memory)
        steps.report(4, t_xml)


if __name__ == "__main__":
    main()
