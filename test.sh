#!/usr/bin/env bash
# Run the whole test suite: unit, end-to-end (platform emulator over HTTP) and browser tests.
# Installs what it needs on a fresh machine: a virtualenv with the test extras, and Debian's Chromium.
# Set LTI_TOOL_TEST_DATABASE_URL=postgresql+psycopg://... to run against PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's Chromium for the browser tests..."
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
  fi
fi

# Two passes: everything but the browser tests on two processes, then the headless-browser tests one at a time
# (two Chromiums and their servers fighting for two cores make page timings unreliable). A pass that selects no
# test (pytest's exit code 5, e.g. `./test.sh tests/content`) is not a failure.
run() {
  status=0
  .venv/bin/python -m pytest "$@" || status=$?
  if [ "$status" -eq 5 ]; then status=0; fi
  return "$status"
}
run -n 2 -m "not browser" "$@"
run -m browser "$@"
