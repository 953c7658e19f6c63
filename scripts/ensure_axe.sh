#!/usr/bin/env bash
# The browser tests check each page with axe-core, installed from the npm registry at the version
# package-lock.json pins. Nothing of it is served by the site.
set -eu
cd "$(dirname "$0")/.."
if [ -f node_modules/axe-core/axe.min.js ]; then exit 0; fi
if command -v npm >/dev/null 2>&1; then
  echo "Installing axe-core for the browser tests..."
  npm ci --no-audit --no-fund
  exit 0
fi
echo "npm is missing: install Node.js and npm to run the accessibility checks of the browser tests." >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
