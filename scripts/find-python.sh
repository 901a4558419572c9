#!/usr/bin/env bash
# Usage: find-python.sh 3.10|3.11 — prints the path of a matching interpreter or explains how to get one.
# Order: $PARISMED_PYTHON310 / $PARISMED_PYTHON311, pyenv's versions, pythonX.Y on PATH.
set -u
want=${1:?version attendue, par exemple 3.10}
var="PARISMED_PYTHON${want/./}"
ok() { [ -x "$1" ] && "$1" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; }
if [ -n "${!var:-}" ]; then
  ok "${!var}" && { echo "${!var}"; exit 0; }
  echo "$var=${!var} n'est pas un interpréteur Python $want." >&2; exit 1
fi
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in $(ls -d "$root"/versions/"$want".*/bin/python"$want" 2>/dev/null | sort -V -r) $(command -v "python$want" 2>/dev/null); do
  ok "$p" && { echo "$p"; exit 0; }
done
cat >&2 <<MSG
Python $want est introuvable (Rasa 3.6 a besoin de Python 3.10, l'application de Python 3.11).
Installez-le (par exemple « pyenv install $want » ou « apt-get install python$want »),
ou indiquez son chemin : $var=/chemin/vers/python$want make run
MSG
exit 1
