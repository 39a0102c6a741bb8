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
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("piso_e2e", os.path.join(HERE, "test-e2e.py"))
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)  # keeps TAP apart from dogtail's stdout
TAP = e2e.TAP
Failure = e2e.Failure

TESTS = [
    "Piso appears on the accessibility bus with its window",
    "clicking the machine 'off' and its Hardware view shows its CD/DVD drive with a disc and an Eject button",
    "clicking Eject empties the drive: it reads Empty and offers no Eject",
    "screenshot of the screen saved",
    "Piso logged no critical or warning message",
]
DISC = "/var/lib/piso-test/iso/a.iso"
EMPTY_CD = ("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
            "<target dev='sda' bus='sata'/><readonly/></disk>")


def with_disc(fixture, tmp):
    """A copy of devices.xml whose first (the "off" machine's) empty CD
    drive holds DISC"""
    with open(fixture) as f:
        xml = f.read()
    if EMPTY_CD not in xml:
        raise SystemExit("Bail out! %s has no empty CD drive to put a disc in" % fixture)
    xml = xml.replace(EMPTY_CD, EMPTY_CD.replace("<target", "<source file='%s'/><target" % DISC), 1)
    path = os.path.join(tmp, "devices.xml")
    with open(path, "w") as f:
        f.write(xml)
    return path


def main():
    piso, schema_dir, fixture, shot_dir = e2e.script_setup(__file__, TESTS)

    tmp = tempfile.mkdtemp(prefix="piso-e2e-hardware-")
    run = e2e.Run(piso, schema_dir, with_disc(fixture, tmp), shot_dir)
    run.log_path = os.path.join(shot_dir, "e2e-hardware-piso.log")
    state = {"failed": 0, "broken": None}

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
            if run.app is not None:
                print("# accessibility tree of piso at this failure:", file=sys.stderr)
                e2e.dump(run.app)

    def labels(text):
        """Labels on screen whose text contains `text`"""
        return e2e.find_all(run.window, lambda n: n.roleName == "label"
                            and text in (n.name or "") and e2e.on_screen(n))

    def eject_buttons():
        return e2e.find_all(run.window, lambda n: n.roleName in e2e.BUTTON_ROLES
                            and n.name == "Eject" and e2e.on_screen(n))

    try:
        def t_app():
            run.start()
            run.find_app()
            return "window %r" % run.window.name
        report(1, t_app)

        def t_hardware():
            rows = e2e.wait_for("the row of 'off'", lambda: run.rows().get("off"), timeout=15)
            run.click(rows[0].parent, "the list item of 'off'")
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

        def t_shot():
            time.sleep(0.5)
            path = os.path.join(shot_dir, "e2e-hardware.png")
            if not shutil.which("import"):
                raise Failure("ImageMagick's `import` is not installed")
            subprocess.run(["import", "-window", "root", path], check=True, timeout=30)
            return path
        report(4, t_shot, chain=False)

        report(5, lambda: e2e.check_log(run), chain=False)
    finally:
        run.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if state["failed"] else 0)


if __name__ == "__main__":
    main()
