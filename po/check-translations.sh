#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-translations.sh [SOURCE_ROOT]
#
# Fails (exit 1) when
#   1. a file under src/ or ui/, or a data/*.in or data/*.gschema.xml file, has
#      translatable strings but is not listed in po/POTFILES (or a listed file
#      does not exist);
#   2. a string that xgettext extracts from the POTFILES files has no
#      non-fuzzy translation in po/es.po (it prints each missing entry, in .po
#      format with its source locations, ready to be translated and pasted
#      into es.po);
#   3. msgfmt --check-format rejects es.po, or the merge of es.po with the
#      current strings.
# Run it by hand from anywhere:  po/check-translations.sh
# or through meson:              meson test -C BUILDDIR --suite po
# Skips (exit 77) when the gettext tools are missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=${1:-$(dirname "$here")}
root=$(cd "$root" && pwd)
po_dir=$root/po
potfiles=$po_dir/POTFILES
lang=es
po_file=$po_dir/$lang.po

for tool in xgettext msgmerge msgattrib msgfmt; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not found (Debian package: gettext)"
    exit 77
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
fail=0

# --- 1. POTFILES lists every file with translatable strings ------------------
grep -v '^[[:space:]]*#' "$potfiles" | sed 's/[[:space:]]*$//; /^$/d' | sort -u > "$tmp/listed"

while read -r f; do
  if [ ! -f "$root/$f" ]; then
    echo "POTFILES lists $f, which does not exist"
    fail=1
  fi
done < "$tmp/listed"

cd "$root"
{
  # C: _( N_( C_( NC_( ngettext g_dngettext g_dcgettext g_dpgettext2
  if [ -d src ]; then
    find src -type f \( -name '*.c' -o -name '*.h' \) -print | sort |
      xargs -r grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_)[[:space:]]*\(|(^|[^A-Za-z0-9_])(g_dngettext|ngettext|g_dcgettext|g_dpgettext2|g_dpgettext)[[:space:]]*\(' || true
  fi
  # GtkBuilder and other XML under src/ and ui/
  for d in src ui; do
    [ -d "$d" ] || continue
    find "$d" -type f \( -name '*.ui' -o -name '*.blp' -o -name '*.xml' \) -print | sort |
      xargs -r grep -l 'translatable="yes"' || true
  done
  # data/: desktop entries, AppStream, GSettings
  for f in data/*.desktop.in data/*.desktop.in.in; do
    [ -f "$f" ] || continue
    grep -lE '^(Name|GenericName|Comment|Keywords|X-GNOME-FullName)(\[[^]]*\])?=' "$f" || true
  done
  for f in data/*.xml.in data/*.xml.in.in data/*.gschema.xml; do
    [ -f "$f" ] || continue
    grep -lE '<(name|summary|description|p|li|caption|keyword|developer_name)[ >]|translatable="yes"' "$f" || true
  done
} | sort -u > "$tmp/found"

comm -23 "$tmp/found" "$tmp/listed" > "$tmp/unlisted"
if [ -s "$tmp/unlisted" ]; then
  echo "Files with translatable strings missing from po/POTFILES:"
  sed 's/^/  /' "$tmp/unlisted"
  fail=1
fi

# --- 2. every extracted string has a Spanish translation ----------------------
# The same keywords as meson's i18n.gettext(preset: 'glib'); ITS rules for
# .ui, .desktop, .metainfo.xml and .gschema.xml come with xgettext (gettext,
# appstream and glib ship them in /usr/share/gettext/its).
grep -v '^[[:space:]]*#' "$potfiles" | sed 's/[[:space:]]*$//; /^$/d' |
  while read -r f; do [ -f "$root/$f" ] && echo "$f"; done > "$tmp/existing"
# Files missing from POTFILES are extracted too, so one run lists all their
# strings (the check still fails until they are added to POTFILES).
cat "$tmp/unlisted" >> "$tmp/existing"

if ! xgettext --package-name=piso -f "$tmp/existing" -D "$root" -o "$tmp/piso.pot" \
    --from-code=UTF-8 --add-comments \
    -k_ -kN_ -kC_:1c,2 -kNC_:1c,2 -kg_dcgettext:2 -kg_dngettext:2,3 -kg_dpgettext2:2c,3 \
    --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
    --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
    --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
    --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
    --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
    --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
    --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
    --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format; then
  echo "xgettext failed"
  exit 1
fi

if [ ! -f "$tmp/piso.pot" ]; then
  echo "xgettext found no strings at all in the POTFILES files"
  : > "$tmp/piso.pot"
fi

if [ ! -f "$po_file" ]; then
  echo "$po_file is missing"
  exit 1
fi

msgmerge --quiet --no-wrap --previous -o "$tmp/merged.po" "$po_file" "$tmp/piso.pot"
msgattrib --no-wrap --no-obsolete --untranslated "$tmp/merged.po" > "$tmp/untranslated.po"
msgattrib --no-wrap --no-obsolete --only-fuzzy "$tmp/merged.po" > "$tmp/fuzzy.po"

# "N translated messages, M fuzzy translations, K untranslated messages."
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/merged.po" 2>&1)
n_translated=$(echo "$stats" | sed -n 's/^\([0-9]*\) translated message.*/\1/p')
n_fuzzy=$(echo "$stats" | sed -n 's/.* \([0-9]*\) fuzzy translation.*/\1/p')
n_untranslated=$(echo "$stats" | sed -n 's/.* \([0-9]*\) untranslated message.*/\1/p')
n_translated=${n_translated:-0} n_fuzzy=${n_fuzzy:-0} n_untranslated=${n_untranslated:-0}
echo "language $lang: $n_translated translated, $n_fuzzy fuzzy, $n_untranslated untranslated"

if [ "$n_untranslated" -gt 0 ]; then
  echo
  echo "Untranslated in po/$lang.po (add msgstr for these):"
  awk 'BEGIN { RS = ""; ORS = "\n\n" } NR > 1' "$tmp/untranslated.po"
  fail=1
fi
if [ "$n_fuzzy" -gt 0 ]; then
  echo
  echo "Fuzzy in po/$lang.po after merging (msgmerge guessed from a similar string; review, fix and drop the fuzzy flag):"
  awk 'BEGIN { RS = ""; ORS = "\n\n" } NR > 1' "$tmp/fuzzy.po"
  fail=1
fi

# --- 3. format checks ------------------------------------------------------
if ! msgfmt --check-format --check-header -o /dev/null "$po_file"; then
  echo "msgfmt --check-format rejects po/$lang.po"
  fail=1
fi
if ! msgfmt --check-format -o /dev/null "$tmp/merged.po"; then
  echo "msgfmt --check-format rejects po/$lang.po merged with the current strings"
  fail=1
fi

if [ "$fail" -eq 0 ]; then
  echo "OK: POTFILES complete and every string translated to $lang"
fi
exit "$fail"
