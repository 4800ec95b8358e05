#!/usr/bin/env bash
# Debian packages xxgk uses beyond PyPI: LibreOffice (reads .doc; python3-uno keeps one warm), Tesseract with the Chinese model
# (scanned reports), Chromium (browser tests), Noto CJK fonts (Chinese in screenshots and chart
# images), poppler-utils (PDF to PNG for looking at fixtures). Installs only what is missing, and only
# as root; otherwise it says what is missing and the tests that need it skip with a message.
set -u
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
# LibreOffice's Python bridge for the warm .doc converter (one listener per process, not a start per file)
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import uno' >/dev/null 2>&1; } || need+=(python3-uno)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx chi_sim; } || need+=(tesseract-ocr-chi-sim)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${need[*]} (install them with apt-get as root); tests that need them will skip" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "system-deps: apt-get failed; tests that need ${need[*]} will skip" >&2
exit 0
