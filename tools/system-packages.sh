#!/usr/bin/env bash
# Debian packages the tests need: chromium (browser tests), bubblewrap (confined grading) and
# postgresql (the tests of a PostgreSQL gradebook start a server of their own).
# Installs the missing ones when this machine allows it (root with apt-get); otherwise says how.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v bwrap >/dev/null || missing+=(bubblewrap)
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]}; install them with your package manager (see README)" >&2
fi
