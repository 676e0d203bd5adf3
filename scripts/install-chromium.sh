#!/usr/bin/env bash
# Installs Debian's Chromium for the web UI's browser tests (test/webui),
# driven by playwright-core (never `npx playwright install`: no browser
# download from outside the package archive). Idempotent: quick when present.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "==> installing chromium (Debian package) for the web UI tests" >&2
apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends chromium >/dev/null; }
/usr/bin/chromium --version >&2
