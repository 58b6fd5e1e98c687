#!/usr/bin/env bash
# Set up and run the tool locally: database migrated, tool keys made, sample content published, a local
# development platform registered, served on http://127.0.0.1:5000 with a local launch page.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

export LTI_TOOL_ENV="${LTI_TOOL_ENV:-development}"
PORT="${PORT:-5000}"
export LTI_TOOL_BASE_URL="${LTI_TOOL_BASE_URL:-http://127.0.0.1:${PORT}}"
.venv/bin/flask --app lti_tool dev setup
echo "Open ${LTI_TOOL_BASE_URL}/dev/ to launch the tool as a learner, tutor or admin."
exec .venv/bin/flask --app lti_tool run --host 127.0.0.1 --port "${PORT}" --with-threads
