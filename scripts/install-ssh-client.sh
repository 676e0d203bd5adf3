#!/usr/bin/env bash
# Installs (Debian, as root) the OpenSSH client the SSH gateway tests and
# bench drive (ssh, scp, sftp) and rsync. Idempotent: quick when present.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
command -v ssh >/dev/null && command -v scp >/dev/null && command -v sftp >/dev/null || need+=(openssh-client)
command -v rsync >/dev/null || need+=(rsync)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]}" >&2
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
fi
