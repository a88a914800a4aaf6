#!/usr/bin/env bash
# Installs the real services some tests use (Debian's chromium for browser e2e, redis-server for the
# shared cache) when they are missing. Tests start their own instances on 127.0.0.1.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} from Debian"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing ${need[*]}: the tests that need them will be skipped (CI=true makes them fail instead)"
  fi
fi
exit 0
