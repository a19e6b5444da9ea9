#!/usr/bin/env bash
# Install everything and run the whole test suite against the real services:
# PostgreSQL, Redis, clamd (started here with the EICAR test signatures) and Chromium.
# Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive

step() { printf '\n==> %s\n' "$*" >&2; }

step "system packages (fonts for test documents, ClamAV, Chromium)"
need=()
[[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]] || need+=(fonts-wqy-microhei fonts-wqy-zenhei)
command -v clamd >/dev/null || need+=(clamav-daemon clamdscan)
command -v chromium >/dev/null || need+=(chromium)
if ((${#need[@]})); then
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

step "python packages"
bash scripts/ensure-venv.sh requirements/dev.txt

step "PostgreSQL and Redis"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done
fi

step "clamd with the test signature database"
CLAMD_SOCKET="$(bash scripts/start-clamd.sh | tail -1)"
export CLAMD_SOCKET

step "lint and types"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy .

if [[ -f frontend/miniprogram/package.json ]]; then
  step "mini-program unit tests"
  (cd frontend/miniprogram && npm ci --no-audit --no-fund --loglevel=error && npm test --silent)
fi
if [[ -f frontend/web/package.json ]]; then
  step "web app build and unit tests"
  (cd frontend/web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent && npm test --silent)
fi

step "pytest"
export DJANGO_SETTINGS_MODULE=invoice_assistant.settings.test
set +e
.venv/bin/pytest "$@"
status=$?
set -e
# pytest's 5 means "no tests ran": treat as failure, a suite that runs nothing is broken.
exit $status
