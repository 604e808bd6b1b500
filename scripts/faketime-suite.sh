#!/usr/bin/env bash
# Run the tests as if the computer's calendar read DATE, to catch tests that depend on the day.
#   scripts/faketime-suite.sh '2028-02-29 10:00:00' [pytest args...]
#   scripts/faketime-suite.sh '2027-03-01 00:30:00' -k 'not convergence'
# The wall clock starts at DATE and runs on; the monotonic clock stays real, or every timed
# wait on a lock hangs (libfaketime 0.9.10). tests/conftest.py works around the one thing that
# breaks then, time.sleep(). Needs the faketime package (scripts/setup.sh test installs it).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: scripts/faketime-suite.sh DATE [pytest args...]" >&2
  exit 2
fi
when="$1"
shift
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is not installed: run scripts/setup.sh test, or apt-get install faketime" >&2
  exit 1
fi
python="${FIELDKIT_PYTHON:-.venv/bin/python}"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export FAKETIME_DONT_FAKE_MONOTONIC=1
exec faketime "$when" "$python" -m pytest -p no:cacheprovider "$@"
