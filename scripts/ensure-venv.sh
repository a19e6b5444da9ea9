#!/usr/bin/env bash
# Create .venv with Python 3.11 (the local torch wheels are for 3.11) and install the
# given requirements file. Re-running is cheap: pip skips what is installed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQ="${1:?requirements file}"
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$candidate"; break
    fi
  done
fi
[[ -n "$PY" ]] || { echo "error: Python 3.11 is required (python3.11 not found)" >&2; exit 1; }
if [[ ! -x "$ROOT/.venv/bin/python" ]]; then
  echo "==> creating .venv with $PY" >&2
  "$PY" -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/pip" install -q --upgrade pip wheel
fi
echo "==> installing $REQ" >&2
"$ROOT/.venv/bin/pip" install -q -r "$ROOT/$REQ" 2> >(grep -v "^WARNING: Location" >&2)
