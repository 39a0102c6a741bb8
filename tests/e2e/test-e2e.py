#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end test: drives the real Piso through its accessibility tree.

  test-e2e.py PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]

Starts the built `piso --connect test:///<copy of FIXTURE_XML>` with the
AT-SPI bridge on (GTK_A11Y=atspi, X11), finds it over AT-SPI with dogtail the
way a screen reader does, and acts like a user: clicks a machine in the list,
clicks Start in its page's header, Pause in the header's menu and Resume,
opens the search and types.
Every widget is found by its accessible role and name, so a widget a screen
reader cannot name makes this test fail. Clicks and key presses are real X
input events (XTEST, through the AT-SPI registry), aimed at the widget's
extents.

Needs an X display (Xvfb is fine; no window manager), Debian's python3 with
python3-dogtail, python3-pyatspi and at-spi2-core, and ImageMagick's `import`
for the screenshot. Without DISPLAY or dogtail it prints a TAP skip. Without
a session bus it runs itself again under dbus-run-session.

Output is TAP. The screenshot of the screen at the end goes to
SCREENSHOT_DIR (or $PISO_SCREENSHOT_DIR, else the current directory) as
e2e-demo.png; the app's own output goes to e2e-demo-piso.log next to it.
"""
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

# TAP goes to stdout, or to the descriptor the run before dbus-run-session
# kept for it (the bus's daemons print on the stdout they inherit).
if os.environ.get("PISO_E2E_TAP_FD"):
    TAP = os.fdopen(int(os.environ.pop("PISO_E2E_TAP_FD")), "w")
else:
    TAP = sys.stdout
# dogtail prints progress on stdout: keep TAP apart
sys.stdout = sys.stderr

# The first and the last two steps of every script (report_first_step,
# report_last_steps)
FIRST_STEP = "Piso appears on the accessibility bus with its window"
LAST_STEPS = ["screenshot of the screen saved", "Piso logged no critical or warning message"]

TESTS = [
    FIRST_STEP,
    "the machine list names every machine of the fixture, with its state",
    "clicking a shut-off machine shows its page: state Off, the header offers Start (named once), no Shut Down",
    "clicking Start in the header runs the machine and shows its Console view; the header offers Shut Down",
    "Pause in the header's More Actions menu, over the Console view, pauses it; the header offers Resume",
    "clicking Resume in the header runs it again: state Running",
    "the search toggle opens the search; typing 'alpha' leaves only the matching row",
] + LAST_STEPS
WAIT = 30.0  # seconds at most for the UI to follow an action (a loaded CI machine)
# Role names as AT-SPI reads them: a button is a "push button" on Debian 12
# (GTK 4.8, at-spi2-core 2.46) and a "button" on Debian 13 (GTK 4.18);
# a text field an "entry", or a "text" where GTK calls it a text box.
BUTTON_ROLES = ("push button", "button")
ENTRY_ROLES = ("entry", "text")


def skip_all(reason):
    print("1..0 # SKIP %s" % reason, file=TAP, flush=True)
    sys.exit(0)


class Failure(Exception):
    pass


# --- Tree helpers -----------------------------------------------------------

def walk(node):
    """All nodes under node (depth first), tolerating nodes that vanish."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        try:
            kids = list(n.children)
        except Exception:
            kids = []
        todo.extend(reversed(kids))


def find_all(root, pred):
    out = []
    for n in walk(root):
        try:
            if pred(n):
                out.append(n)
        except Exception:
            pass
    return out


def button_name(node):
    """GTK 4.8 names a labelled button '<label> <label text>', e.g.
    '_Start Start' or 'Shut Down Shut Down': reduce it to what is read."""
    name = node.name.replace("_", "")
    words = name.split(" ")
    half = len(words) // 2
    if len(words) % 2 == 0 and words[:half] == words[half:]:
        return " ".join(words[:half])
    return name


def relation_texts(node, relation):
    """The text of the nodes `node` has the relation `relation` to"""
    texts = []
    try:
        for rel in node.getRelationSet():
            if rel.getRelationType() != relation:
                continue
            for i in range(rel.getNTargets()):
                target = rel.getTarget(i)
                try:
                    texts.append(target.name or target.queryText().getText(0, -1))
                except NotImplementedError:
                    texts.append(target.name)
    except Exception:
        pass
    return [t for t in texts if t]


def spoken_description(node):
    """What a screen reader speaks after the node's name: its description,
    and the text of what describes it (a described-by relation, which GTK
    4.18 passes on as a relation and not as the description)"""
    import pyatspi
    texts = [node.description or ""] + relation_texts(node, pyatspi.RELATION_DESCRIBED_BY)
    return " ".join(t for t in texts if t)


def spoken_name(node):
    """What a screen reader speaks for the node's name, as Orca does: the text
    of what labels it (a labelled-by relation: GTK 4.18 names a menu item only
    so, by a label kept out of the tree), then its own name unless each of its
    words is already in that text"""
    import pyatspi
    label = " ".join(relation_texts(node, pyatspi.RELATION_LABELLED_BY))
    name = node.name or ""
    if not label:
        return name
    words = lambda text: set(re.sub(r"[\W_]", " ", text).split())
    if not name or words(name) <= words(label):
        return label
    return label + " " + name


def has_state(node, state):
    return node.getState().contains(state)


def extents(node):
    """(x, y, w, h) relative to the window: GTK 4 knows no screen coordinates."""
    import pyatspi
    e = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    return e.x, e.y, e.width, e.height


def on_screen(node):
    """Shown: GTK 4.8 sets no 'showing' state, but widgets of hidden stack
    pages have an empty size."""
    try:
        x, y, w, h = extents(node)
    except Exception:
        return False
    return w > 0 and h > 0


def shown_nodes(root):
    """The nodes below `root` on screen: a node of empty size (GTK 4.8 gives
    the widgets of hidden stack pages no size) is left out with all below
    it, which keeps the walk short; one without a place (a GtkStackPage)
    is walked through"""
    import pyatspi
    todo = [root]
    while todo:
        n = todo.pop()
        try:
            e = n.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
            if e.width <= 0 or e.height <= 0:
                continue
        except Exception:
            pass
        yield n
        try:
            todo.extend(reversed(list(n.children)))
        except Exception:
            pass


def dump(node, out=sys.stderr, depth=0):
    """Print the tree under node: role, name, states, extents."""
    import pyatspi
    try:
        states = ",".join(sorted(pyatspi.stateToString(s)
                                 for s in node.getState().getStates()))
        try:
            ext = extents(node)
        except Exception:  # no Component (GtkStackPage)
            ext = ""
        print("#%s[%s] %r %s %s" % ("  " * depth, node.roleName, node.name, states, ext),
              file=out)
        kids = list(node.children)
    except Exception as e:  # a node that went away while dumping
        print("#%s(gone: %s)" % ("  " * depth, e), file=out)
        return
    for c in kids:
        dump(c, out, depth + 1)


def text_of(node):
    """The text of an entry. GTK 4.8 answers GetText(0, -1) with '', so ask
    for the characters it counts."""
    t = node.queryText()
    return t.getText(0, t.characterCount)


def wait_for(what, fn, timeout=WAIT):
    """Poll fn() until it returns something true; fail naming `what`."""
    deadline = time.monotonic() + timeout
    last_err = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # nodes come and go while the UI updates
            last_err = e
        if time.monotonic() > deadline:
            raise Failure("%s (waited %.0f s)%s" % (
                what, timeout, "; last error: %s" % last_err if last_err else ""))
        time.sleep(0.1)


# --- The run ----------------------------------------------------------------

class Run:
    def __init__(self, piso, schema_dir, fixture, shot_dir):
        self.piso = piso
        self.schema_dir = schema_dir
        self.shot_dir = shot_dir
        self.tmp = tempfile.mkdtemp(prefix="piso-e2e-")
        self.fixture = os.path.join(self.tmp, "machines.xml")
        shutil.copyfile(fixture, self.fixture)
        # Names the list shows: the title when set, else the name
        self.machines = {}
        for dom in ET.parse(fixture).getroot().findall("domain"):
            title = dom.findtext("title")
            self.machines[dom.findtext("name")] = title or dom.findtext("name")
        self.proc = None
        self.log = None
        self.app = None
        self.window = None
        self._machine_list = None
        self.log_path = os.path.join(shot_dir, "e2e-demo-piso.log")
        # another connection than the fixture's (a live daemon's)
        self.connect_uri = None

    # -- process

    def start(self):
        env = dict(os.environ)
        env.pop("NO_AT_BRIDGE", None)
        env.update({
            "GTK_A11Y": "atspi",
            "GDK_BACKEND": "x11",
            "GSETTINGS_BACKEND": "memory",
            "GSETTINGS_SCHEMA_DIR": self.schema_dir,
            "LC_ALL": "C.UTF-8",
            "LANGUAGE": "",
            "ADW_DISABLE_PORTAL": "1",
            # its own cache: runs at once share the fixture's machine UUIDs,
            # by which Piso keeps snapshot pictures
            "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"),
        })
        self.log = open(self.log_path, "w")
        # stopped with the test when meson ends it at its timeout (Piso runs
        # in a session of its own, out of reach of the test's process group)
        signal.signal(signal.SIGTERM, lambda *_: (self.stop(), os._exit(1)))
        self.proc = subprocess.Popen(
            [self.piso, "--connect", self.connect_uri or "test://" + self.fixture],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_alive(self):
        if self.proc is None:
            raise Failure("piso did not start")
        if self.proc.poll() is not None:
            raise Failure("piso exited with status %s; its output: %s%s"
                          % (self.proc.returncode, self.log_path, self.log_excerpt()))

    def log_excerpt(self):
        """What Piso printed that says why it ended, for the TAP failure (CI
        keeps only the test's output): the first lines of a sanitizer
        report, then the criticals and warnings, else the last lines"""
        if self.log:
            self.log.flush()
        try:
            with open(self.log_path, errors="replace") as f:
                lines = [l.rstrip() for l in f]
        except OSError:
            return ""
        start = next((i for i, l in enumerate(lines) if "ERROR: AddressSanitizer" in l
                      or "runtime error:" in l or "ERROR: LeakSanitizer" in l), None)
        if start is not None:
            picked = lines[start:start + 40]
        else:
            picked = [l for l in lines if "-CRITICAL **" in l or "-WARNING **" in l
                      or "-ERROR **" in l][:20] or lines[-20:]
        return "".join("\n  " + l for l in picked)

    # -- input: real X events at a widget's centre

    def window_origin(self):
        """Where the piso window sits on the screen (no window manager: 0,0;
        python3-xlib tells exactly)."""
        try:
            from Xlib import display as xdisplay
        except ImportError:
            return (0, 0)
        d = xdisplay.Display()
        try:
            root = d.screen().root
            pid_atom = d.intern_atom("_NET_WM_PID")
            for w in root.query_tree().children:
                for c in [w] + list(w.query_tree().children):
                    p = c.get_full_property(pid_atom, 0)
                    attrs = c.get_attributes()
                    if p and p.value and p.value[0] == self.proc.pid and attrs.map_state:
                        t = c.translate_coords(root, 0, 0)
                        return (t.x, t.y)
        finally:
            d.close()
        return (0, 0)

    def _activate(self, choose):
        """Gives the window `choose` picks among Piso's mapped top-level
        windows (bottom to top, each with its _NET_WM_NAME or None) the
        keyboard focus, as a window manager does. False without
        python3-xlib or when it picks none."""
        try:
            from Xlib import X, display as xdisplay
        except ImportError:
            return False
        d = xdisplay.Display()
        try:
            root = d.screen().root
            pid_atom = d.intern_atom("_NET_WM_PID")
            name_atom = d.intern_atom("_NET_WM_NAME")
            utf8 = d.intern_atom("UTF8_STRING")
            mine = []
            for w in root.query_tree().children:  # bottom to top
                p = w.get_full_property(pid_atom, 0)
                attrs = w.get_attributes()
                # Not a menu's popup (override-redirect), which a window
                # manager never focuses: focused while it closes, the focus
                # would go back to the root, and no window of Piso's would
                # be active (seen on Debian 13: Tab in the Delete dialog
                # opened from a row's menu then reported no focus at all)
                if p and p.value and p.value[0] == self.proc.pid and attrs.map_state \
                        and not attrs.override_redirect:
                    name = w.get_full_property(name_atom, utf8)
                    mine.append((w, name.value.decode("utf-8", "replace") if name else None))
            w = choose(mine)
            if w is None:
                return False
            w.set_input_focus(X.RevertToParent, X.CurrentTime)
            d.sync()
            return True
        finally:
            d.close()

    def toplevel(self, name):
        """Piso's toplevel window (frame, dialog or window) named `name`, or
        None"""
        for w in self.app.children:
            try:
                if w.name == name and w.roleName in ("frame", "dialog", "window"):
                    return w
            except Exception:
                pass
        return None

    def activate_window(self, title):
        """Gives Piso's mapped window `title` the keyboard focus, as a window
        manager does to a window that opens (the tests run without one, and
        GTK 4.18 leaves a second window inactive then, so that nothing in it
        reports the focused state). False without python3-xlib or no such
        window."""
        return self._activate(lambda mine: next((w for w, name in mine if name == title), None))

    def activate_top_window(self):
        """Gives Piso's topmost mapped window the keyboard focus, as a window
        manager does to a dialog that opens over the main window (libadwaita
        1.2's alerts are windows of their own, without a title to find them
        by; from 1.5 on they sit in the main window, which this activates)."""
        return self._activate(lambda mine: mine[-1][0] if mine else None)

    def click(self, node, what):
        """Clicks `node` as a screen reader does when it offers a click
        action (buttons), else with a real X click at its centre (rows).
        GTK 4.18 reports a button's place some 16 px above and left of where
        it is drawn (X11, no window manager): a click there misses small
        buttons, while a row is big enough to be hit."""
        from dogtail import rawinput
        self.check_alive()
        # GTK 4.18 shows a menu button as a button holding a toggle button of
        # the same name: the inner one is what opens the menu
        for child in node:
            if child is not None and child.name == node.name and child.roleName == "toggle button":
                node = child
                break
        x, y, w, h = extents(node)
        if w <= 0 or h <= 0:
            raise Failure("%s is not on screen (extents %s)" % (what, (x, y, w, h)))
        try:
            action = node.queryAction()
            names = [action.getName(i) for i in range(action.nActions)]
        except Exception:
            names = []
        if "click" in names:
            action.doAction(names.index("click"))
            return
        ox, oy = self.window_origin()
        rawinput.click(ox + x + w // 2, oy + y + h // 2)

    # -- finding things

    def find_app(self):
        from dogtail import tree
        import pyatspi

        def get():
            self.check_alive()
            for a in tree.root.children:
                try:
                    if a.name == "piso" and a.get_process_id() == self.proc.pid:
                        return a
                except Exception:
                    pass
            return None
        self.app = wait_for("piso on the AT-SPI bus", get, timeout=30)
        frame = wait_for("a window (role frame) of piso",
                         lambda: [f for f in self.app.children if f.roleName == "frame"
                                  and has_state(f, pyatspi.STATE_VISIBLE)])
        self.window = frame[0]
        return self.window

    def machine_list(self):
        # Found once: walking the whole window again for every look at the
        # rows is what makes a wait slow on GTK 4.8 (seconds a walk)
        try:
            if self._machine_list is not None and self._machine_list.name == "Machines" \
                    and on_screen(self._machine_list):
                return self._machine_list
        except Exception:  # gone: looked for again
            pass
        lists = find_all(self.window, lambda n: n.roleName == "list" and n.name == "Machines")
        if not lists:
            raise Failure("no list named 'Machines' (the sidebar's GtkListView)")
        self._machine_list = lists[0]
        return lists[0]

    def rows(self):
        """{display name: (list item, state text)} of the machine rows
        listed: a list item of the Machines list named '<name>, <state>',
        which the keyboard focuses (its PisoMachineRow, a generic panel under
        it, shows no label to the accessible tree)"""
        out = {}
        known = set(self.machines.values())
        for item in self.machine_list().children:
            if item.roleName != "list item":
                continue
            name, _, state = (item.name or "").rpartition(", ")
            if name in known:
                out[name] = (item, state)
        return out

    def page_header(self, title):
        """The machine page's name and state labels: the label showing the
        machine's name and the label under it, outside the list and the
        header bar's title (which shows the name too)."""
        def elsewhere(n):
            while n is not None and n.roleName != "frame":
                if (n.roleName == "list" and n.name == "Machines") or \
                        n.name in ("AdwWindowTitle", "AdwViewSwitcherTitle"):
                    return False
                n = n.parent
            return True
        found = []
        for lab in find_all(self.window, lambda n: n.roleName == "label" and n.name == title):
            if not on_screen(lab) or not elsewhere(lab):
                continue
            sibs = [s for s in lab.parent.children if s.roleName == "label"]
            if len(sibs) == 2 and sibs[0] == lab:
                found.append((extents(lab)[1], lab, sibs[1]))
        # GTK 4.18 names no AdwWindowTitle: the header bar's title and
        # subtitle (the connection) look the same as the page's name and
        # state, and are above them.
        if not found:
            return None
        _, lab, state = max(found, key=lambda f: f[0])
        return lab, state

    def show_view(self, name):
        """Pick the view `name` (Console, Overview…) in the page's view
        switcher, as a user would. True if it was clicked."""
        import pyatspi
        for n in find_all(self.window, lambda n: n.roleName == "page tab"
                          and n.name == name and on_screen(n)):
            if not has_state(n, pyatspi.STATE_SELECTED):
                self.click(n, "the %s view switch" % name)
                return True
            return False
        raise Failure("no view switch named %r on screen" % name)

    def header_button(self, name):
        """The push button on screen whose accessible name is exactly `name`:
        once, without a mnemonic's underscore (not reduced as button_name
        does)."""
        found = find_all(self.window, lambda n: n.roleName in BUTTON_ROLES
                         and n.name == name and on_screen(n))
        if not found:
            raise Failure("no push button named exactly %r on screen; there are: %s"
                          % (name, ", ".join(repr(n.name) for n in find_all(
                              self.window, lambda n: n.roleName in BUTTON_ROLES
                              and on_screen(n)))))
        return found[-1]

    def choose_in_menu(self, button, name, menu_item=None):
        """Opens the header's menu button `button` and activates its item
        `name`, which must be sensitive. By keyboard, as GTK 4.8 places a
        popover's items wrongly on the screen for a click: Down until the
        item has the focus, then Return. `menu_item(name)` finds the item
        (Run.menu_item unless told)."""
        import pyatspi
        from dogtail import rawinput
        self.click(self.header_button(button), button)
        item = wait_for("the menu's %s item" % name, lambda: (menu_item or self.menu_item)(name))
        if not item.sensitive:
            raise Failure("%s is insensitive in the %s menu" % (name, button))
        for _ in range(10):
            if has_state(item, pyatspi.STATE_FOCUSED):
                break
            rawinput.pressKey("Down")
            time.sleep(0.3)
        else:
            raise Failure("the Down key never focused the menu's %s item" % name)
        rawinput.pressKey("Return")

    def menu_item(self, name):
        """The item `name` of the open menu"""
        import pyatspi
        found = find_all(self.app, lambda n: n.roleName == "menu item" and spoken_name(n) == name
                         and on_screen(n))
        if not found:
            raise Failure("no menu item named %r on screen" % name)
        return found[0]

    def file_chooser(self, title):
        """The open file chooser window `title` of Piso's, or None"""
        for w in self.app.children:
            try:
                if w.name == title:
                    return w
            except Exception:
                pass
        return None

    def choose_path(self, title, path, accept):
        """In the open file chooser `title`: `path` typed into its location
        entry (Ctrl+L) and its button `accept` clicked, as a user does (with
        `accept` None: Enter pressed there, by keyboard alone); waits for the
        chooser to close"""
        import pyatspi
        from dogtail import rawinput
        dialog = wait_for("the file chooser %r" % title, lambda: self.file_chooser(title))
        # Keys go where the pointer is (no window manager)
        ox, oy = self.window_origin()
        x, y, w, h = extents(dialog)
        rawinput.absoluteMotion(ox + x + w // 2, oy + y + h // 2)
        time.sleep(0.5)

        def location():
            """The chooser's focused text field (its location entry after
            Ctrl+L)"""
            for n in find_all(dialog, lambda n: n.roleName in ENTRY_ROLES
                              and has_state(n, pyatspi.STATE_FOCUSED)):
                return n
            return None
        # On a loaded machine (GTK 4.18) keys typed before the location entry
        # has the focus went to the file list's type-ahead: type only into
        # the focused entry, and check what it holds
        typed = entry = None
        for _ in range(3):
            rawinput.keyCombo("<Control>l")
            entry = wait_for("the chooser's location entry", location)
            rawinput.keyCombo("<Control>a")
            time.sleep(0.3)
            rawinput.typeText(path)

            def holds_path():
                text = text_of(entry)
                if text != path and text.startswith(path):
                    # GTK's inline completion guessed the rest of a name
                    # while the keys came in (Debian 13: the entry held
                    # '…typed-installer.isonstaller.iso'): what it added
                    # lies after the cursor, as a user sees
                    rawinput.keyCombo("<Shift>End")
                    rawinput.pressKey("Delete")
                    return False
                return text == path
            try:
                wait_for("the typed path in the location entry", holds_path, timeout=10)
                # a completion that comes late is caught too
                time.sleep(1)
                typed = wait_for("the typed path, still", holds_path, timeout=5)
                break
            except Failure:
                typed = None
        if not typed:
            raise Failure("the location entry never held %r (it holds %r)"
                          % (path, text_of(entry) if entry else None))
        if accept is None:
            rawinput.pressKey("Return")
        else:
            found = wait_for("the chooser's %s button" % accept, lambda: [
                n for n in find_all(dialog, lambda n: n.roleName in BUTTON_ROLES
                                    and button_name(n) == accept and on_screen(n))])
            self.click(found[0], accept)
        wait_for("the file chooser to close", lambda: self.file_chooser(title) is None)

    # -- screenshot

    def screenshot(self):
        path = os.path.join(self.shot_dir, "e2e-demo.png")
        if not shutil.which("import"):
            raise Failure("ImageMagick's `import` is not installed")
        subprocess.run(["import", "-window", "root", path], check=True, timeout=30)
        return path


# --- For other scripts that use these helpers ----------------------------------

class Keys:
    """Key presses only, the focus followed as a screen reader follows it
    (AT-SPI's focus events: a walk of the tree after every key costs a
    minute on a loaded machine); the keys' trail is kept for the step's
    report. For `run`, started."""

    def __init__(self, run):
        from gi.repository import Atspi
        self.run = run
        self.trail = []
        self.started = time.monotonic()
        self._focus = None

        def on_focus(event):
            if event.detail1:
                self._focus = event.source
        self._listener = Atspi.EventListener.new(on_focus)
        self._listener.register("object:state-changed:focused")

    @staticmethod
    def describe(n):
        if n is None:
            return "nothing"
        try:
            return "[%s] %r" % (n.roleName, spoken_name(n))
        except Exception as e:  # piso busy (GTK 4.8 on a loaded machine): no reply in time
            return "(no answer: %s)" % str(e).split(".")[0]

    def focused(self):
        """The object that last took the focus in piso, if it still has it"""
        import pyatspi
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass
        n = self._focus
        try:
            if n is not None and n.get_process_id() == self.run.proc.pid and \
                    has_state(n, pyatspi.STATE_FOCUSED):
                return n
        except Exception:
            pass
        return None

    def press(self, key):
        """One key press (dogtail's names: 'Tab', '<Shift>Tab', 'Return'…);
        the focus it leads to is added to the trail"""
        from dogtail import rawinput
        self.run.check_alive()
        if key.startswith("<"):
            rawinput.keyCombo(key)
        else:
            rawinput.pressKey(key)
        time.sleep(0.3)
        f = self.focused()
        self.trail.append("%s → %s" % (key, self.describe(f)))
        print("# %.0f s: %s" % (time.monotonic() - self.started, self.trail[-1]),
              file=sys.stderr, flush=True)
        return f

    def trail_text(self):
        text = "; ".join(self.trail)
        del self.trail[:]
        return text

    def focus_is(self, what, pred, timeout=WAIT):
        def check():
            f = self.focused()
            return f if f is not None and pred(f) and on_screen(f) else None
        try:
            return wait_for(what, check, timeout=timeout)
        except Failure:
            raise Failure("%s: the focus is on %s; keys so far: %s"
                          % (what, self.describe(self.focused()), self.trail_text()))

    def press_until(self, key, what, pred, most=30):
        """Presses key until the focus is on something pred accepts, on
        screen; at most `most` presses"""
        import pyatspi
        for _ in range(most):
            f = self.press(key)
            if f is None:
                # A loaded machine can deliver the focus event after the
                # 0.3 s a press waits: another press now would move on from
                # where this one went before the test sees it
                try:
                    f = wait_for("the focus after %s" % key, self.focused, timeout=3)
                    self.trail[-1] = "%s → %s (late)" % (key, self.describe(f))
                except Failure:
                    # No window of Piso's active: without a window manager
                    # nobody gave the focus back after a popup closed (a
                    # window manager does; see Run._activate)
                    if not any(has_state(w, pyatspi.STATE_ACTIVE)
                               for w in self.run.app.children):
                        self.run.activate_top_window()
                        self.trail[-1] += " (no window active: activated the top one)"
            if f is not None and pred(f) and on_screen(f):
                return f
        raise Failure("%s: %d × %s never reached it; trail: %s"
                      % (what, most, key, self.trail_text()))

    def next_step(self, assistant, label, button="Next", timeout=WAIT):
        """In `assistant` (New Machine): Tab to its sensitive button `button`
        (Next turns sensitive once the OS database is loaded), Enter; the
        step `label` ("Step 2 of 4") shows, when given"""
        import pyatspi
        wait_for("%s sensitive" % button, lambda: [
            n for n in shown_nodes(assistant) if is_button(button)(n)
            and has_state(n, pyatspi.STATE_SENSITIVE)], timeout=timeout)
        self.press_until("Tab", button, is_button(button))
        self.press("Return")
        if label:
            wait_for(label, lambda: find_all(assistant, lambda n: n.roleName == "label"
                                             and n.name == label and on_screen(n)))

    def menu_choose(self, name):
        """In the open menu, Down until the item `name` has the focus,
        then Enter"""
        self.press_until("Down", "the menu's %s item" % name,
                         lambda n: n.roleName == "menu item" and spoken_name(n) == name,
                         most=20)
        self.press("Return")

    def dialog_showing(self, pred, what):
        """Waits for an object pred accepts, on screen, in a window of its
        own (libadwaita 1.2's alerts) or in the main window (from 1.5 on),
        then activates its window as a window manager would"""
        run = self.run

        def find():
            for w in [w for w in run.app.children if w != run.window] + [run.window]:
                found = [n for n in shown_nodes(w) if pred(n)]
                if found:
                    return found[0]
            return None
        node = wait_for(what, find)
        run.activate_top_window()
        return node


def is_button(name):
    """A predicate: a button read as `name`"""
    return lambda n: n.roleName in BUTTON_ROLES and button_name(n) == name


def is_item(prefix):
    """A predicate: the list item of the machine listed as `prefix`"""
    return lambda n: n.roleName == "list item" and n.name.startswith(prefix + ", ")


def script_setup(script, tests):
    """What an end-to-end script does first: its arguments (PISO_BINARY
    SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]), a skip without a display or
    dogtail, itself again under dbus-run-session without a session bus,
    dogtail configured, the TAP plan of `tests` printed. Returns (piso,
    schema_dir, fixture, shot_dir)."""
    if len(sys.argv) < 4:
        print("usage: %s PISO_BINARY SCHEMA_DIR FIXTURE_XML [SCREENSHOT_DIR]" % sys.argv[0],
              file=sys.stderr)
        sys.exit(2)
    if not os.environ.get("DISPLAY"):
        skip_all("no DISPLAY (run under Xvfb)")
    for mod in ("dogtail", "pyatspi"):
        if importlib.util.find_spec(mod) is None:
            skip_all("python module %s not importable (Debian: python3-dogtail, python3-pyatspi)"
                     % mod)
    # A session bus of its own, even inside one: a Piso left running by another
    # test (killed at its timeout) would otherwise own the application's name,
    # and this test's Piso would hand its start to it and exit.
    if not os.environ.get("PISO_E2E_IN_DBUS"):
        if not shutil.which("dbus-run-session"):
            print("Bail out! no dbus-run-session to give the test a session bus", file=TAP)
            sys.exit(1)
        TAP.flush()
        tap_fd = os.dup(TAP.fileno())
        os.set_inheritable(tap_fd, True)
        os.dup2(2, 1)
        os.environ["PISO_E2E_TAP_FD"] = str(tap_fd)
        os.environ["PISO_E2E_IN_DBUS"] = "1"
        os.execvp("dbus-run-session", ["dbus-run-session", "--", sys.executable,
                                       os.path.abspath(script)] + sys.argv[1:])

    piso, schema_dir, fixture = (os.path.abspath(a) for a in sys.argv[1:4])
    shot_dir = os.path.abspath(sys.argv[4] if len(sys.argv) > 4 else
                               os.environ.get("PISO_SCREENSHOT_DIR", "."))
    os.makedirs(shot_dir, exist_ok=True)

    import dogtail.utils
    dogtail.utils.isA11yEnabled = lambda: True  # no GNOME settings daemon here
    from dogtail.config import config
    config.logDebugToFile = False
    config.logDebugToStdOut = False
    config.actionDelay = 0.2
    print("1..%d" % len(tests), file=TAP, flush=True)
    return piso, schema_dir, fixture, shot_dir


def script_start(script, tests, edit_fixture=None):
    """script_setup, then the Run of Piso for the script test-e2e-NAME.py:
    run.name is "e2e-NAME", its log goes to e2e-NAME-piso.log in the
    screenshot folder, and `edit_fixture(path)`, when given, changes the
    Run's own copy of the fixture before Piso starts."""
    piso, schema_dir, fixture, shot_dir = script_setup(script, tests)
    run = Run(piso, schema_dir, fixture, shot_dir)
    run.name = os.path.basename(script)[len("test-"):-len(".py")]
    run.log_path = os.path.join(shot_dir, "%s-piso.log" % run.name)
    if edit_fixture is not None:
        edit_fixture(run.fixture)
    return run


def report_first_step(run, steps, then=None):
    """A script's first step (FIRST_STEP): Piso started and found on the
    accessibility bus with its window, then `then()` when given (a wait
    for what the script needs first)"""
    def t_app():
        run.start()
        run.find_app()
        if then is not None:
            then()
        return "window %r" % run.window.name
    steps.report(1, t_app)


def report_last_steps(run, steps):
    """A script's last two steps (LAST_STEPS): the screen saved as NAME.png
    in the screenshot folder once the last frame is drawn, and check_log"""
    def t_shot():
        time.sleep(0.5)  # let the last frame be drawn
        return screenshot_to(os.path.join(run.shot_dir, "%s.png" % run.name))
    num = len(steps.tests) - 1
    steps.report(num, t_shot, chain=False)
    steps.report(num + 1, lambda: check_log(run), chain=False)


@contextlib.contextmanager
def script_steps(run, steps):
    """Around a script's own steps: then its last steps; Piso stopped in
    any case; the script exits with the result (1 when a step failed)"""
    try:
        yield
        report_last_steps(run, steps)
    finally:
        run.stop()
    sys.exit(1 if steps.failed else 0)


class Reporter:
    """Runs the steps of a script and prints each as a TAP line; a failed
    step of the chain skips the chain's later steps. On a failure it dumps
    the accessibility tree of what `where()` returns (or nothing)."""

    def __init__(self, tests, where=lambda: None):
        self.tests = tests
        self.where = where
        self.failed = 0
        self.broken = None

    def report(self, num, fn, chain=True):
        desc = self.tests[num - 1]
        if chain and self.broken:
            print("ok %d - %s # SKIP %s" % (num, desc, self.broken), file=TAP, flush=True)
            return
        try:
            extra = fn()
            print("ok %d - %s%s" % (num, desc, " (%s)" % extra if extra else ""),
                  file=TAP, flush=True)
        except Exception as e:
            self.failed += 1
            if chain:
                self.broken = "an earlier step failed"
            msg = str(e) if isinstance(e, Failure) else "%s: %s" % (type(e).__name__, e)
            print("not ok %d - %s" % (num, desc), file=TAP)
            for line in msg.splitlines():
                print("# %s" % line, file=TAP)
            TAP.flush()
            node = self.where()
            if node is not None:
                print("# accessibility tree at this failure:", file=sys.stderr)
                dump(node)


def screenshot_to(path):
    """The whole screen into `path` (ImageMagick's import)"""
    if not shutil.which("import"):
        raise Failure("ImageMagick's `import` is not installed")
    subprocess.run(["import", "-window", "root", path], check=True, timeout=30)
    return path


# libadwaita before 1.10 measures an alert's large heading for a width
# smaller than its own when the heading does not fit on one line (its issue
# 1025, fixed by commit 34d32f5e): GTK warns, and the alert shows its smaller
# wrapped heading as it should. The UI tests let this warning through only
# for that label (tests/ui/piso-ui-test-utils.c); here only the text is seen.
ALERT_HEADING_WARNING = re.compile(r"Gtk-WARNING \*\*: [0-9:.]+: Trying to measure GtkLabel "
                                   r"0x[0-9a-f]+ for width of [0-9]+, but it needs at least [0-9]+$")


def check_log(run):
    """Piso is still running and logged no critical or warning message"""
    run.check_alive()
    run.log.flush()
    with open(run.log_path, errors="replace") as f:
        bad = [l.rstrip() for l in f if ("-CRITICAL **" in l or "-WARNING **" in l)
               and not ALERT_HEADING_WARNING.search(l.rstrip())]
    if bad:
        raise Failure("\n".join(bad[:20]))


def main():
    piso, schema_dir, fixture, shot_dir = script_setup(__file__, TESTS)
    from dogtail.config import config
    config.typingDelay = 0.05
    import pyatspi

    run = Run(piso, schema_dir, fixture, shot_dir)
    failed = 0
    broken = None  # why the machine page chain cannot go on

    def report(num, fn, needs_chain=False):
        nonlocal failed, broken
        desc = TESTS[num - 1]
        if needs_chain and broken:
            print("ok %d - %s # SKIP %s" % (num, desc, broken), file=TAP, flush=True)
            return
        try:
            extra = fn()
            print("ok %d - %s%s" % (num, desc, " (%s)" % extra if extra else ""),
                  file=TAP, flush=True)
        except Exception as e:
            failed += 1
            if needs_chain:
                broken = "an earlier step failed"
            msg = str(e) if isinstance(e, Failure) else "%s: %s" % (type(e).__name__, e)
            print("not ok %d - %s" % (num, desc), file=TAP)
            for line in msg.splitlines():
                print("# %s" % line, file=TAP)
            TAP.flush()
            if run.app is not None:
                # every window of the app: its popovers and dialogs too
                print("# accessibility tree of piso at this failure:", file=sys.stderr)
                dump(run.app)

    try:
        # 1. the application and its window on the bus
        def t_app():
            run.start()
            run.find_app()
            return "window %r" % run.window.name
        report(1, t_app, needs_chain=True)

        # 2. every machine listed by its (title or) name, with its state
        def t_list():
            expected = set(run.machines.values())

            def all_listed():
                return set(run.rows()) == expected
            try:
                wait_for("rows", all_listed, timeout=15)
            except Failure:
                raise Failure("machine rows listed: %s; expected: %s"
                              % (sorted(run.rows()), sorted(expected)))
            rows = run.rows()
            for name in ("Alpha web server", "Charlie desktop"):
                if name not in rows:
                    raise Failure("no row for %r" % name)
            states = {n: s for n, (_, s) in rows.items()}
            if states.get("Alpha web server") != "Running":
                raise Failure("Alpha web server's row reads %r, expected 'Running'"
                              % states.get("Alpha web server"))
            if states.get("Charlie desktop") != "Off":
                raise Failure("Charlie desktop's row reads %r, expected 'Off'"
                              % states.get("Charlie desktop"))
            return ", ".join("%s: %s" % kv for kv in sorted(states.items()))
        report(2, t_list, needs_chain=True)

        state_label = {}

        def state_is(want, primary):
            """The Overview's state label reads `want` and the header offers
            `primary` (a sensitive button named exactly so)"""
            def check():
                run.check_alive()
                # The label first: walking the tree for the button costs
                # a D-Bus call per node
                return state_label["node"].name == want and run.header_button(primary).sensitive
            run.show_view("Overview")
            try:
                wait_for("state %r" % want, check)
            except Failure:
                offered = None
                try:
                    offered = run.header_button(primary).sensitive
                except Exception as e:
                    offered = str(e)
                raise Failure("after %.0f s the page's state label reads %r (want %r); "
                              "%s sensitive: %s" % (WAIT, state_label["node"].name, want,
                                                    primary, offered))

        # 3. click the row of a shut-off machine: its page shows
        def t_select():
            item, _ = run.rows()["Charlie desktop"]
            run.click(item, "the list item of 'Charlie desktop'")
            header = wait_for("the machine page's header showing 'Charlie desktop'",
                              lambda: run.page_header("Charlie desktop"))
            state_label["node"] = header[1]
            state_is("Off", "Start")
            if any(n.name.replace("_", "").startswith("Shut Down") for n in find_all(
                    run.window, lambda n: n.roleName in BUTTON_ROLES and on_screen(n))):
                raise Failure("a Shut Down button is offered for a shut-off machine")
            run.header_button("More Actions")
            return "state label %r" % state_label["node"].name
        report(3, t_select, needs_chain=True)

        # 4. Start
        def t_start():
            import pyatspi
            run.click(run.header_button("Start"), "Start")
            # A machine that starts shows its console (the test driver has no
            # SPICE server, so the console explains that it cannot connect)
            wait_for("the Console view selected once the machine runs",
                     lambda: any(has_state(n, pyatspi.STATE_SELECTED) for n in find_all(
                         run.window, lambda n: n.roleName == "page tab" and n.name == "Console"
                         and on_screen(n))))
            # The header over the console offers Shut Down
            if not run.header_button("Shut Down").sensitive:
                raise Failure("Shut Down is insensitive over the Console of a running machine")
            state_is("Running", "Shut Down")
            row_state = run.rows()["Charlie desktop"][1]
            if row_state != "Running":
                raise Failure("the list row still reads %r" % row_state)
        report(4, t_start, needs_chain=True)

        # 5. Pause
        def t_pause():
            run.show_view("Console")
            run.choose_in_menu("More Actions", "Pause")
            state_is("Paused", "Resume")
        report(5, t_pause, needs_chain=True)

        # 6. Resume
        def t_resume():
            run.click(run.header_button("Resume"), "Resume")
            state_is("Running", "Shut Down")
        report(6, t_resume, needs_chain=True)

        # 7. search
        def t_search():
            if run.window is None:
                raise Failure("no piso window")
            toggles = find_all(run.window, lambda n: n.roleName in ("toggle button",) + BUTTON_ROLES
                               and n.name == "Search Machines" and on_screen(n))
            if not toggles:
                raise Failure("no button named 'Search Machines' (the search toggle in the "
                              "sidebar's header bar, ui/piso-window.ui: search_button)")
            run.click(toggles[0], "Search Machines")

            # (GTK 4.18 exposes the entry only once its search bar shows)
            def entry():
                run.check_alive()
                for n in find_all(run.window, lambda n: n.roleName in ENTRY_ROLES):
                    if on_screen(n) and has_state(n, pyatspi.STATE_FOCUSED):
                        return n
                return None
            e = wait_for("a focused text entry after clicking 'Search Machines'", entry)
            if e.name != "Search machines":
                raise Failure("the search entry is named %r, want 'Search machines'" % e.name)
            from dogtail import rawinput
            rawinput.typeText("alpha")
            try:
                wait_for("'alpha' typed", lambda: text_of(e) == "alpha", timeout=5)
            except Failure:
                raise Failure("the search entry reads %r after typing 'alpha'" % text_of(e))
            want = {run.machines["alpha"]}
            try:
                wait_for("filtered list", lambda: set(run.rows()) == want)
            except Failure:
                raise Failure("rows listed after searching 'alpha': %s; expected only %s"
                              % (sorted(run.rows()), sorted(want)))
            return "entry %r, rows %s" % (e.name, sorted(run.rows()))
        report(7, t_search)

        # 8. screenshot
        def t_shot():
            time.sleep(0.5)  # let the last frame be drawn
            return run.screenshot()
        report(8, t_shot)

        # 9. the app's log
        report(9, lambda: check_log(run))
    finally:
        run.stop()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
