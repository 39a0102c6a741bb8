#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: a user ejects a machine's CD from its Hardware view.

  test-e2e-hardware.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

FIXTURE_XML is tests/data/devices.xml; its shut-off machine "off" gets a disc
(/var/lib/piso-test/iso/a.iso) in its CD/DVD drive sda for this run. Starts
the built `piso --connect test:///<that copy>` and, over AT-SPI with real
input like test-e2e.py (whose helpers it uses), clicks the machine in the
list, the Hardware view switch, and the drive's Eject button; then the drive
reads "Empty" and offers no Eject (test-machine-hardware checks the toast
that says so). Every
widget is found by its accessible role and name. Output is TAP; the
screenshot goes to SCREENSHOT_DIR as e2e-hardware.png, Piso's output to
e2e-hardware-piso.log.
"""
import importlib

# test-e2e.py, next to this script: its helpers (importing it keeps TAP
# apart from dogtail's stdout)
e2e = importlib.import_module("test-e2e")

TESTS = [
    e2e.FIRST_STEP,
    "clicking the machine 'off' and its Hardware view shows its CD/DVD drive with a disc and an Eject button",
    "clicking Eject empties the drive: it reads Empty and offers no Eject",
] + e2e.LAST_STEPS
DISC = "/var/lib/piso-test/iso/a.iso"
EMPTY_CD = ("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
            "<target dev='sda' bus='sata'/><readonly/></disk>")


def put_disc(path):
    """Puts DISC into the first (the "off" machine's) empty CD drive of the
    fixture (devices.xml) at `path`"""
    with open(path) as f:
        xml = f.read()
    if EMPTY_CD not in xml:
        raise SystemExit("Bail out! %s has no empty CD drive to put a disc in" % path)
    xml = xml.replace(EMPTY_CD, EMPTY_CD.replace("<target", "<source file='%s'/><target" % DISC), 1)
    with open(path, "w") as f:
        f.write(xml)


def main():
    run = e2e.script_start(__file__, TESTS, edit_fixture=put_disc)
    steps = e2e.Reporter(TESTS, lambda: run.app)
    report = steps.report

    def labels(text):
        """Labels on screen whose text contains `text`"""
        return e2e.find_all(run.window, lambda n: n.roleName == "label"
                            and text in (n.name or "") and e2e.on_screen(n))

    def eject_buttons():
        return e2e.find_all(run.window, lambda n: n.roleName in e2e.BUTTON_ROLES
                            and n.name == "Eject" and e2e.on_screen(n))

    with e2e.script_steps(run, steps):
        e2e.report_first_step(run, steps)

        def t_hardware():
            rows = e2e.wait_for("the row of 'off'", lambda: run.rows().get("off"), timeout=15)
            run.click(rows[0], "the list item of 'off'")
            e2e.wait_for("the machine page's header showing 'off'", lambda: run.page_header("off"))
            run.show_view("Hardware")
            e2e.wait_for("the disc's path shown", lambda: labels(DISC))
            e2e.wait_for("a push button named exactly 'Eject'", eject_buttons)
            return "Eject named once: %r" % eject_buttons()[0].name
        report(2, t_hardware)

        def t_eject():
            run.click(eject_buttons()[0], "Eject")
            e2e.wait_for("the drive to read Empty", lambda: labels("Empty") and not labels(DISC))
            e2e.wait_for("the Eject button gone", lambda: not eject_buttons())
        report(3, t_eject)


if __name__ == "__main__":
    main()
