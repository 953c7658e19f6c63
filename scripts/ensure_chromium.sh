#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright; no browser is downloaded.
set -eu
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium is missing: install it (apt-get install chromium) to run the browser tests." >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
