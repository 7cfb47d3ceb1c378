#!/usr/bin/env bash
# Extract translatable strings into the zh-Hant catalogues (needs GNU gettext).
# The project-wide catalogue (locale/) covers config/, common/, templates/ and
# static/; every app keeps its own catalogue in <app>/locale/.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=$(cd "$VENV" && pwd)/bin/python
APPS=(accounts consultation forum clustering opendata)
export DEBUG=1 DJANGO_SETTINGS_MODULE=config.settings.base
# Run from inside each app, `python -m django` would put the app folder first on
# sys.path, and an app module such as selectors.py would shadow the standard
# library's. Python >= 3.11 can leave the current directory out:
export PYTHONSAFEPATH=1

common_ignores=(--ignore='.venv/*' --ignore='static/vendor/*' --ignore='staticfiles/*'
  --ignore='node_modules/*' --ignore='tests/*' --ignore='bench/*' --ignore='build/*')
app_ignores=()
for app in "${APPS[@]}"; do app_ignores+=(--ignore="$app/*"); done

mkdir -p locale
"$PY" manage.py makemessages -l zh_Hant --no-obsolete "${common_ignores[@]}" "${app_ignores[@]}"
if compgen -G "static/js/*.js" >/dev/null; then
  "$PY" manage.py makemessages -l zh_Hant --no-obsolete -d djangojs \
    "${common_ignores[@]}" "${app_ignores[@]}"
fi
root=$(pwd)
for app in "${APPS[@]}"; do
  (
    cd "$app"
    mkdir -p locale
    PYTHONPATH="$root" "$PY" -P -m django makemessages -l zh_Hant --no-obsolete
    if compgen -G "static/$app/*.js" >/dev/null; then
      PYTHONPATH="$root" "$PY" -P -m django makemessages -l zh_Hant --no-obsolete -d djangojs
    fi
  )
done
