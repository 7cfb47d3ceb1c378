#!/usr/bin/env bash
# Make sure the system programs the test suite needs are present:
# Chromium (browser tests), GNU gettext (translation-catalogue checks) and
# redis-server (tests/realtime start a private one to restart it).
# Installs the Debian packages when apt is available; otherwise explains.
set -euo pipefail

missing=()
if [[ -z "${CHROMIUM_PATH:-}" ]] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing system packages needed by the tests: ${missing[*]}"
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -q "${missing[@]}" >/dev/null; then
    $sudo apt-get update -q >/dev/null
    $sudo apt-get install -y -q "${missing[@]}" >/dev/null
  fi
else
  echo "No apt-get here: install ${missing[*]} with your package manager," >&2
  echo "or point CHROMIUM_PATH at a Chromium binary." >&2
  exit 1
fi
