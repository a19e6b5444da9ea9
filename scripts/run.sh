#!/usr/bin/env bash
# Install and run the product on embedded defaults: SQLite, kombu's filesystem broker,
# local private media, the CPU OCR engine. No external service is needed.
# DATABASE_URL, REDIS_URL and CLAMD_SOCKET / CLAMD_HOST switch to the real services.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-invoice_assistant.settings.dev}"
# Served to the LAN (phones): no debug pages, static files through WhiteNoise as in
# production, and only the names this server is reached by (others get a 400).
# The secret key is made once into $VAR/secret_key by the dev settings.
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
LAN_IP="$(hostname -I 2>/dev/null | awk '{print $1}')"
export DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1,[::1]${LAN_IP:+,$LAN_IP}${DJANGO_ALLOWED_HOSTS:+,$DJANGO_ALLOWED_HOSTS}"
PORT="${PORT:-8000}"
HOST="${HOST:-0.0.0.0}"

bash scripts/ensure-venv.sh requirements/base.txt
PY=.venv/bin/python
VAR="${IA_VAR_DIR:-$ROOT/var}"
# $VAR holds the database, the secret key, uploads, queued messages and logs: owner
# only (0700 folders, 0600 files), also for what an older install left readable there.
mkdir -p "$VAR" && chmod -R go-rwx "$VAR"
umask 077
mkdir -p "$VAR/log"
# Web and worker processes share one metrics directory so /metrics shows both.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$VAR/prometheus}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
if [[ -f frontend/web/package.json && ! -f frontend/web/dist/index.html ]] && command -v npm >/dev/null; then
  echo "==> building the web app" >&2
  (umask 022 && cd frontend/web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) >&2
fi
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
SEED_OUTPUT="$($PY manage.py seed_demo)"

# Runs a command in the background and starts it again whenever it exits (killed, out of
# memory), pausing longer while it keeps dying young. The embedded broker loses the task
# a killed worker was running: the sweeper re-queues its document once the run's
# heartbeat stops (SWEEP_INFLIGHT_STUCK_AFTER_S), and the restarted worker takes it.
supervise() {
  local log="$1"
  shift
  (
    child=""
    trap '[[ -n "$child" ]] && kill "$child" 2>/dev/null; wait; exit 0' TERM INT
    pause=2
    while true; do
      started=$SECONDS
      "$@" >>"$log" 2>&1 &
      child=$!
      wait "$child" || true
      if ((SECONDS - started > 30)); then pause=2; else pause=$((pause < 30 ? pause * 2 : 60)); fi
      echo "run.sh: '$*' exited; starting it again in ${pause}s" >>"$log"
      sleep "$pause"
    done
  ) &
}

# One OCR process per core by default, fewer when memory is short (each grows to ~0.7 GB
# and is replaced past WORKER_MAX_MEMORY_MB), and OCR threads so that processes x threads
# is about the number of cores. Both can be set.
CORES="$(nproc 2>/dev/null || echo 1)"
if [[ -z "${WORKER_CONCURRENCY:-}" ]]; then
  MEM_MB="$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null || echo 0)"
  PER_PROCESS_MB="${WORKER_MAX_MEMORY_MB:-1536}"
  ((PER_PROCESS_MB > 0)) || PER_PROCESS_MB=1536
  WORKER_CONCURRENCY="$CORES"
  if ((MEM_MB > 0 && MEM_MB / PER_PROCESS_MB < WORKER_CONCURRENCY)); then
    WORKER_CONCURRENCY=$((MEM_MB / PER_PROCESS_MB))
  fi
  ((WORKER_CONCURRENCY >= 1)) || WORKER_CONCURRENCY=1
fi
export OCR_THREADS="${OCR_THREADS:-$((CORES / WORKER_CONCURRENCY > 1 ? CORES / WORKER_CONCURRENCY : 1))}"
echo "==> worker: $WORKER_CONCURRENCY OCR process(es) x $OCR_THREADS thread(s) on $CORES core(s)" >&2

# A real Celery worker (scan queue + CPU extraction queue) and beat for the sweeper.
: >"$VAR/log/worker.log"
: >"$VAR/log/beat.log"
supervise "$VAR/log/worker.log" .venv/bin/celery -A invoice_assistant worker -Q default,cpu \
  -c "$WORKER_CONCURRENCY" --loglevel=INFO
WORKER_PID=$!
supervise "$VAR/log/beat.log" .venv/bin/celery -A invoice_assistant beat --loglevel=INFO \
  --schedule="$VAR/celerybeat-schedule"
BEAT_PID=$!
trap 'kill $WORKER_PID $BEAT_PID 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

cat <<BANNER

  Invoice Assistant is running.
    Open:      http://localhost:$PORT/   ${LAN_IP:+(from your phone: http://$LAN_IP:$PORT/)}
    API docs:  http://localhost:$PORT/api/docs/
    Admin:     http://localhost:$PORT/admin/
$(echo "$SEED_OUTPUT" | sed 's/^/    /')
    Logs:      $VAR/log/worker.log, $VAR/log/beat.log
BANNER
if [[ -z "${CLAMD_SOCKET:-}${CLAMD_HOST:-}" ]]; then
  echo "    WARNING: virus scanning is UNAVAILABLE (no CLAMD_SOCKET / CLAMD_HOST): uploads are not scanned."
fi
echo
.venv/bin/gunicorn invoice_assistant.wsgi --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" \
  --threads 4 --timeout 120 --access-logfile - --error-logfile - \
  --logger-class invoice_assistant.access_log.PiiMaskingLogger
