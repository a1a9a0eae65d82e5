#!/usr/bin/env bash
# Install webcare into .venv and start the desk with demo data on the embedded default (SQLite + in-process worker).
# Options are passed to `webcare demo` (e.g. --port 8080, --host 0.0.0.0).
source "$(dirname "$0")/_env.sh"
make_venv ""
exec "$VENV/bin/webcare" demo "$@"
