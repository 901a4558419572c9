#!/usr/bin/env bash
# Everything the scaled stack (make run-cluster, make test-cluster) needs beyond the embedded one:
# PostgreSQL 15, Redis 7 and nginx from Debian, and the database/Redis drivers in both virtual environments.
# Idempotent: installs only what is missing (apt-get update runs at most once).
set -eu
cd "$(dirname "$0")/../.."

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Il manque ${missing[*]} : installez-les avec « sudo apt-get install ${missing[*]} »." >&2
    exit 1
  fi
  echo "Installation des paquets Debian : ${missing[*]}…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged services; the cluster runs its own instances (data under var/cluster).
  for svc in nginx redis-server postgresql; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
      systemctl stop "$svc" || true
    elif command -v service >/dev/null 2>&1; then
      service "$svc" stop >/dev/null 2>&1 || true
    fi
  done
fi

# Drivers: psycopg2 (Rasa's SQL tracker store) and redis (Rasa's lock store) in .venv-rasa, pinned in
# requirements/rasa.lock; psycopg 3 and redis in .venv-app, pinned in requirements/app.lock.
check_driver() {  # venv lock module package…
  local venv=$1 lock=$2 module=$3 pins=() package pin
  shift 3
  [ -x "$venv/bin/python" ] || { echo "Environnement $venv absent : lancez « make venvs »." >&2; exit 1; }
  "$venv/bin/python" -c "import $module" 2>/dev/null && return 0
  for package in "$@"; do
    pin=$(grep -i -E "^${package//[-_]/[-_]}==" "$lock" | head -n 1 || true)
    if [ -z "$pin" ]; then
      echo "Le pilote $package n'est pas épinglé dans $lock : ajoutez-le (nom==version)." >&2
      exit 1
    fi
    pins+=("$pin")
  done
  echo "Installation de ${pins[*]} dans $venv…"
  "$venv/bin/pip" install -q "${pins[@]}" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
}
check_driver .venv-rasa requirements/rasa.lock psycopg2 psycopg2-binary
check_driver .venv-rasa requirements/rasa.lock redis redis
check_driver .venv-app requirements/app.lock psycopg psycopg psycopg-binary
check_driver .venv-app requirements/app.lock redis redis
