#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# piso-debian-mirror.sh [main|security] — the Debian mirror this machine's own
# apt sources use, so the scripts that fetch Debian packages by themselves
# (debootstrap of the test guests and of the Debian 13 test root) go where apt
# already goes and name no mirror of their own.
#
#   main      (default) the URI that serves the running release's suite
#   security  the URI that serves its -security suite
#
# Reads /etc/apt/sources.list.d/*.sources (deb822) and /etc/apt/sources.list
# (one-line form). Prints nothing and exits 1 when no source matches.
set -euo pipefail

KIND=${1:-main}
# shellcheck disable=SC1091 # the running system's release
CODENAME=$( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[ -n "$CODENAME" ] || exit 1
case $KIND in
  main) WANT=$CODENAME ;;
  security) WANT=$CODENAME-security ;;
  *) echo "usage: $0 [main|security]" >&2; exit 2 ;;
esac

# Every (uri, suite) pair of the enabled binary sources, one per line.
pairs() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822: paragraphs of "Field: value"; a paragraph ends at a blank line
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no")
          for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
        types = ""; enabled = ""; nu = 0; ns = 0
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:" { types = $0; sub(/^[^:]*:/, "", types) }
      tolower($1) == "enabled:" { enabled = tolower($2) }
      tolower($1) == "uris:" { for (k = 2; k <= NF; k++) u[++nu] = $k }
      tolower($1) == "suites:" { for (k = 2; k <= NF; k++) s[++ns] = $k }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] uri suite components…
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && NF >= 3 { print $2, $3 }'
  done
}

URI=$(pairs | awk -v want="$WANT" '$2 == want { print $1; exit }')
[ -n "$URI" ] || exit 1
echo "${URI%/}"
