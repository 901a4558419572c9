#!/usr/bin/env bash
# Debian packages the tests need, installed only when missing:
#  - Chromium for the browser tests (driven by Playwright);
#  - PostgreSQL, Redis and nginx for the cluster tests (scripts/cluster/install.sh, which also checks the drivers).
set -eu
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Chromium manque : installez-le avec « sudo apt-get install chromium » (tests navigateur)." >&2; exit 1
  fi
  echo "Installation de Chromium (paquet Debian) pour les tests navigateur…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
scripts/cluster/install.sh
