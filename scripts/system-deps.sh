#!/usr/bin/env bash
# Debian packages the browser tests need (Chromium driven by Playwright). Installs only what is missing.
set -eu
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Chromium manque : installez-le avec « sudo apt-get install chromium » (tests navigateur)." >&2; exit 1
fi
echo "Installation de Chromium (paquet Debian) pour les tests navigateur…"
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
