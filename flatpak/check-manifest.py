#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the Flatpak manifest without network access.

Usage: check-manifest.py [MANIFEST] [MESON_BUILD]

Flathub is not reachable where the tests run, so this checks what can be
checked offline: the manifest is valid JSON with the right app ID, runtime,
SDK and command; finish-args reach the host's libvirt sockets; every source is
pinned by URL and sha256 (or is the project directory itself); libvirt is
built client-only and spice-gtk without its GTK part; and every dependency()
in the top-level meson.build is either provided by the GNOME runtime or built
by a module of the manifest.
"""

import json
import os
import re
import sys

APP_ID = 'io.github.pisovm.Piso'
RUNTIME = 'org.gnome.Platform'
SDK = 'org.gnome.Sdk'
COMMAND = 'piso'

REQUIRED_FINISH_ARGS = [
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
    '--share=network',
    '--filesystem=xdg-run/libvirt',   # qemu:///session: $XDG_RUNTIME_DIR/libvirt/libvirt-sock
    '--filesystem=/run/libvirt',      # qemu:///system: /run/libvirt/libvirt-sock
]

# pkg-config names the GNOME runtime provides (org.gnome.Platform).
RUNTIME_PROVIDED = {
    'glib-2.0', 'gobject-2.0', 'gio-2.0', 'gio-unix-2.0', 'gmodule-2.0',
    'gtk4', 'libadwaita-1', 'm', 'libxml-2.0', 'json-glib-1.0',
    'libsoup-3.0', 'gdk-pixbuf-2.0', 'cairo', 'pango', 'pixman-1',
    'gtksourceview-5', 'wayland-client', 'wayland-protocols',
}

# pkg-config name -> manifest module that builds it.
MODULE_FOR_PKG = {
    'libvirt': 'libvirt',
    'libvirt-qemu': 'libvirt',
    'libvirt-admin': 'libvirt',
    'libvirt-glib-1.0': 'libvirt-glib',
    'libvirt-gobject-1.0': 'libvirt-glib',
    'libvirt-gconfig-1.0': 'libvirt-glib',
    'spice-client-glib-2.0': 'spice-gtk',
    'spice-protocol': 'spice-protocol',
    'libosinfo-1.0': 'libosinfo',
}

# Modules that must be there, and config options they must carry.
REQUIRED_MODULE_OPTS = {
    'libvirt': ['-Ddriver_remote=enabled', '-Ddriver_test=enabled',
                '-Ddriver_qemu=disabled', '-Ddriver_libvirtd=disabled'],
    'libvirt-glib': [],
    'spice-protocol': [],
    'spice-gtk': ['-Dgtk=disabled'],
    'osinfo-db': [],
    'libosinfo': [],
}

SHA256_RE = re.compile(r'^[0-9a-f]{64}$')
DEPENDENCY_RE = re.compile(r"""\bdependency\(\s*['"]([^'"]+)['"]""")


def walk_modules(modules, errors, path=()):
    for i, module in enumerate(modules):
        if isinstance(module, str):
            errors.append('module %s is an external file (%s); keep every module inline so '
                          'its sources can be checked' % ('/'.join(path + (str(i),)), module))
            continue
        name = module.get('name')
        if not name:
            errors.append('module #%d under %s has no name' % (i, '/'.join(path) or 'the top level'))
            continue
        yield name, module
        yield from walk_modules(module.get('modules', []), errors, path + (name,))


def check_source(module_name, source, project_root, manifest_dir, errors):
    kind = source.get('type')
    where = 'module %s, source of type %s' % (module_name, kind)
    if kind in ('archive', 'file'):
        url = source.get('url', '')
        sha = source.get('sha256', '')
        if not url.startswith('https://'):
            errors.append('%s: needs an https:// url (got %r)' % (where, url or None))
        if not SHA256_RE.match(sha):
            errors.append('%s: needs a sha256 of 64 lowercase hex digits (got %r)'
                          % (where, sha or None))
        if 'path' in source:
            errors.append('%s: use url + sha256, not a local path' % where)
    elif kind == 'dir':
        target = os.path.realpath(os.path.join(manifest_dir, source.get('path', '')))
        if target != os.path.realpath(project_root):
            errors.append('%s: only the project directory itself may be a dir source '
                          '(path %r points to %s)' % (where, source.get('path'), target))
    else:
        errors.append('%s: only archive/file sources pinned by url + sha256, or the project '
                      'directory, are allowed' % where)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    manifest_path = argv[1] if len(argv) > 1 else os.path.join(here, APP_ID + '.json')
    meson_path = argv[2] if len(argv) > 2 else os.path.join(here, '..', 'meson.build')
    manifest_dir = os.path.dirname(os.path.abspath(manifest_path))
    project_root = os.path.dirname(os.path.abspath(meson_path))
    errors = []

    try:
        with open(manifest_path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print('FAIL: %s is not valid JSON: %s' % (manifest_path, e))
        return 1
    if not isinstance(manifest, dict):
        print('FAIL: %s: the top level must be an object' % manifest_path)
        return 1

    for key, want in (('app-id', APP_ID), ('runtime', RUNTIME), ('sdk', SDK),
                      ('command', COMMAND)):
        if manifest.get(key) != want:
            errors.append('%s must be %r (got %r)' % (key, want, manifest.get(key)))
    if not str(manifest.get('runtime-version', '')).strip():
        errors.append('runtime-version is not set')

    finish_args = manifest.get('finish-args', [])
    for arg in REQUIRED_FINISH_ARGS:
        if arg not in finish_args:
            errors.append('finish-args lacks %s' % arg)

    modules = {}
    for name, module in walk_modules(manifest.get('modules', []), errors):
        if name in modules:
            errors.append('module name %s is used twice' % name)
        modules[name] = module
        sources = module.get('sources', [])
        if not sources:
            errors.append('module %s has no sources' % name)
        for source in sources:
            if isinstance(source, str):
                errors.append('module %s: external source file %s cannot be checked' % (name, source))
                continue
            check_source(name, source, project_root, manifest_dir, errors)

    top = manifest.get('modules', [])
    last = top[-1] if top and isinstance(top[-1], dict) else {}
    if not any(s.get('type') == 'dir' for s in last.get('sources', []) if isinstance(s, dict)):
        errors.append('the last module must build Piso itself from the project directory '
                      '(a source of type dir)')

    for name, opts in REQUIRED_MODULE_OPTS.items():
        if name not in modules:
            errors.append('no module %s' % name)
            continue
        have = modules[name].get('config-opts', [])
        for opt in opts:
            if opt not in have:
                errors.append('module %s lacks config option %s' % (name, opt))

    try:
        with open(meson_path, encoding='utf-8') as f:
            meson_text = f.read()
    except OSError as e:
        print('FAIL: cannot read %s: %s' % (meson_path, e))
        return 1
    # Drop comments so a commented-out dependency() does not count.
    meson_code = '\n'.join(line.split('#', 1)[0] for line in meson_text.splitlines())
    deps = sorted(set(DEPENDENCY_RE.findall(meson_code)))
    if not deps:
        errors.append('found no dependency() in %s' % meson_path)
    for dep in deps:
        if dep in RUNTIME_PROVIDED:
            continue
        module = MODULE_FOR_PKG.get(dep)
        if module is None:
            errors.append("meson.build requires dependency('%s'), which the GNOME runtime does "
                          "not provide and no manifest module is known to build: add a module for "
                          "it to %s and map it in MODULE_FOR_PKG in %s"
                          % (dep, os.path.basename(manifest_path), os.path.basename(__file__)))
        elif module not in modules:
            errors.append("meson.build requires dependency('%s'), built by module %s, which the "
                          "manifest lacks" % (dep, module))

    if errors:
        print('FAIL: %s' % manifest_path)
        for e in errors:
            print('  - ' + e)
        return 1
    print('OK: %s (%d modules; meson dependencies: %s)'
          % (manifest_path, len(modules), ', '.join(deps)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
