#!/usr/bin/env bash
# Set up and run the tool locally: database migrated, tool keys made, sample content published, a local
# development platform registered, served on http://127.0.0.1:5000 with a local launch page, and a grades worker
# beside the server (stopped with it) so a local launch's score reaches the local platform within seconds.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# Install again only when the project's dependencies changed since the last run.
if [ ! -f .venv/.run-installed ] || [ pyproject.toml -nt .venv/.run-installed ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
  touch .venv/.run-installed
fi

export LTI_TOOL_ENV="${LTI_TOOL_ENV:-development}"
export LTI_TOOL_WORKER_POLL_SECONDS="${LTI_TOOL_WORKER_POLL_SECONDS:-2}"
PORT="${PORT:-5000}"
export LTI_TOOL_BASE_URL="${LTI_TOOL_BASE_URL:-http://127.0.0.1:${PORT}}"
.venv/bin/flask --app lti_tool dev setup

# Grades leave through the outbox, sent by a worker process as in production; this one stops with the server.
.venv/bin/flask --app lti_tool grades worker &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
echo "Open ${LTI_TOOL_BASE_URL}/dev/ to launch the tool as a learner, tutor or admin."
.venv/bin/flask --app lti_tool run --host 127.0.0.1 --port "${PORT}" --with-threads
