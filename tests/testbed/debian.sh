# shellcheck shell=bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# debian.sh — sourced by the test guest builders (make-guest.sh,
# make-agent-guest.sh): what they take from the Debian system they run on.
#
#   debian_suite            the running system's suite ("bookworm", "trixie"),
#                           from /etc/os-release
#   debian_mirror [SUITE]   the URI of the Debian archive the machine's own apt
#                           sources use for SUITE's main component (deb822
#                           /etc/apt/sources.list.d/*.sources first, then the
#                           one-line /etc/apt/sources.list and *.list); the
#                           MIRROR environment variable overrides it
#   debian_kernel_deb DIR   the path of the running suite's linux-image-amd64
#                           package, downloaded with apt into DIR unless a
#                           matching .deb is already there (KERNEL_DEB=path
#                           overrides it)
#
# Each prints its answer on stdout, or a reason on stderr and returns 1.

debian_suite() {
  local codename=
  if [ -r /etc/os-release ]; then
    codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"' | head -n1)
  fi
  if [ -z "$codename" ]; then
    echo "debian.sh: no VERSION_CODENAME in /etc/os-release" >&2
    return 1
  fi
  echo "$codename"
}

# Whether a URI is one debootstrap and apt can both fetch from.
_debian_usable_uri() {
  case $1 in
    http://*|https://*|file:/*|ftp://*) return 0 ;;
    *) return 1 ;;
  esac
}

# Prints the first usable URI of the deb822 stanzas in "$@" that serve
# binary packages of suite $suite, component main.
_debian_mirror_deb822() {
  awk -v suite="$suite" '
    function flush() {
      if (types ~ /(^| )deb( |$)/ && suites ~ ("(^| )" suite "( |$)") &&
          comps ~ /(^| )main( |$)/ && tolower(enabled) != "no")
        print uris
      types = uris = suites = comps = enabled = ""; field = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { if (field == "uris") uris = uris " " $0; next }  # continuation
    {
      split($0, kv, ":"); field = tolower(kv[1]); value = substr($0, length(kv[1]) + 2)
      gsub(/^[ \t]+|[ \t]+$/, "", value)
      if (field == "types") types = value
      else if (field == "uris") uris = value
      else if (field == "suites") suites = value
      else if (field == "components") comps = value
      else if (field == "enabled") enabled = value
    }
    END { flush() }
  ' "$@" 2>/dev/null | tr -s ' \t' '\n' | while read -r uri; do
    if [ -n "$uri" ] && _debian_usable_uri "$uri"; then echo "$uri"; break; fi
  done
}

# The same for one-line sources: "deb [options] URI SUITE COMPONENT…".
_debian_mirror_list() {
  local type rest uri
  sed -e 's/#.*//' "$@" 2>/dev/null | while read -r type rest; do
    [ "$type" = deb ] || continue
    case $rest in \[*) rest=${rest#*\]} ;; esac
    # shellcheck disable=SC2086
    set -- $rest
    if [ $# -lt 3 ] || [ "$2" != "$suite" ]; then continue; fi
    uri=$1
    shift 2
    case " $* " in *" main "*) ;; *) continue ;; esac
    if _debian_usable_uri "$uri"; then echo "$uri"; break; fi
  done
}

debian_mirror() {
  local suite=${1:-} uri='' f
  if [ -n "${MIRROR:-}" ]; then
    echo "${MIRROR%/}"
    return 0
  fi
  [ -n "$suite" ] || suite=$(debian_suite) || return 1
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    uri=$(_debian_mirror_deb822 "$f")
    [ -z "$uri" ] || break
  done
  if [ -z "$uri" ]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -r "$f" ] || continue
      uri=$(_debian_mirror_list "$f")
      [ -z "$uri" ] || break
    done
  fi
  if [ -z "$uri" ]; then
    echo "debian.sh: no apt source for $suite main in /etc/apt (set MIRROR=URL)" >&2
    return 1
  fi
  echo "${uri%/}"
}

debian_kernel_deb() {
  local dir=$1 pkg deb
  if [ -n "${KERNEL_DEB:-}" ]; then
    echo "$KERNEL_DEB"
    return 0
  fi
  _debian_kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
  }
  pkg=$(_debian_kernel_package)
  # A machine whose packages were all installed may have no package lists.
  if [ -z "$pkg" ] && [ "$(id -u)" = 0 ] &&
     [ -z "$(find "$dir" -maxdepth 1 -name 'linux-image-*.deb' 2>/dev/null)" ]; then
    apt-get update -q >&2 || true
    pkg=$(_debian_kernel_package)
  fi
  if [ -z "$pkg" ]; then
    # no apt metadata: use whatever is cached
    deb=$(find "$dir" -maxdepth 1 -name 'linux-image-*.deb' | sort | tail -n1)
    if [ -z "$deb" ]; then
      echo "debian.sh: cannot resolve linux-image-amd64 (apt-get update?)" >&2
      return 1
    fi
    echo "$deb"
    return 0
  fi
  deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n1)
  if [ -z "$deb" ]; then
    echo "debian.sh: downloading $pkg into $dir" >&2
    if ! (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
      echo "debian.sh: apt-get download $pkg failed" >&2
      return 1
    fi
    deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n1)
    if [ -z "$deb" ]; then
      echo "debian.sh: no .deb after apt-get download $pkg" >&2
      return 1
    fi
  fi
  echo "$deb"
}
