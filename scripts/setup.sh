#!/usr/bin/env bash
# Set up everything FieldKit needs on a Debian/Ubuntu machine, then open the app or run the tests.
#   scripts/setup.sh app [fieldkit args...]   open the window on the user's store
#   scripts/setup.sh test [pytest args...]    lint, type-check and run the whole test suite, then
#                                             the window on Xvfb and the suite on 29 Feb and 1 Mar
#                                             (with pytest args: lint, type-check and just those)
# Safe to run again: it installs only what is missing.
set -euo pipefail

mode="${1:-}"
[ $# -gt 0 ] && shift
case "$mode" in
  app|test) ;;
  *) echo "usage: scripts/setup.sh app|test [args...]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
root="$(pwd)"

# System libraries: Qt's xcb platform, fonts for Arabic and Chinese; the tests also need a
# real X server, the reference age and minisign tools, poppler to check what we produce, and
# faketime to run them on a chosen date (scripts/faketime-suite.sh).
app_pkgs=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
          libglib2.0-0 libdbus-1-3 fonts-dejavu-core fonts-noto-core fonts-wqy-microhei fonts-droid-fallback)
test_pkgs=(xvfb xauth age minisign poppler-utils poppler-data postgresql faketime zbar-tools)
pkgs=("${app_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
  if [ "${sudo[0]:-}" = none ]; then
    echo "FieldKit needs these system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "FieldKit needs Python 3.11 or newer (found: $("$python" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv || { echo "Could not create .venv: install python3-venv." >&2; exit 1; }
fi
# Reinstall only when the dependency list changed.
stamp=.venv/.fieldkit-deps
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # sqlcipher3-binary (an unoptimised build, used before) and sqlcipher3-wheels both install the
  # package sqlcipher3: both go before the new one is installed, so that no file of the old stays
  if .venv/bin/python -m pip show -q sqlcipher3-binary >/dev/null 2>&1; then
    .venv/bin/python -m pip uninstall -q -y sqlcipher3-binary sqlcipher3-wheels
  fi
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

if [ "$mode" = app ]; then
  exec .venv/bin/fieldkit "$@"
fi

.venv/bin/ruff check fieldkit ui tests bench
.venv/bin/mypy
if [ $# -gt 0 ]; then  # a chosen part of the suite: just that
  exec .venv/bin/python -m pytest "$@"
fi
.venv/bin/python -m pytest

# the same tests where displays and dates differ: the window on a real X server, and the whole
# suite on two awkward days of the calendar (a quick convergence run is enough for those)
echo "== the window's tests on a real X server (Xvfb)"
xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/ui
for day in "2028-02-29 10:00:00" "2027-03-01 00:30:00"; do
  echo "== the suite on $day"
  FIELDKIT_CONVERGENCE_EXAMPLES=15 scripts/faketime-suite.sh "$day" -q
done
