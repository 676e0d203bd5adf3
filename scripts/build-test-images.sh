#!/usr/bin/env bash
# Images the test suite needs besides berth/sandbox-base, built offline:
#  - berth-test/busybox:static — scratch + a statically linked busybox: no libc,
#    no Node, proves the injected daemon runs anywhere;
#  - berth-test/entrypoint:latest — the base image with its own CMD, proves the
#    daemon (PID 1) still starts the image's entrypoint;
#  - berth-test/rsync:latest — the base image with rsync (from Debian's
#    mirror), for `rsync -e ssh` through the SSH gateway.
# Idempotent: existing images are kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")/.." && pwd)

if ! docker image inspect berth-test/busybox:static >/dev/null 2>&1; then
  if [ ! -x /bin/busybox ] || ! file /bin/busybox 2>/dev/null | grep -q static; then
    apt-get install -y -q busybox-static >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q busybox-static >/dev/null; }
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/bin" "$work/etc" "$work/tmp" "$work/home/user"
  cp /bin/busybox "$work/bin/busybox"
  for app in sh ls cat echo mkdir rm sleep id ps; do ln -s busybox "$work/bin/$app"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' > "$work/etc/passwd"
  printf 'root:x:0:\nuser:x:1000:\n' > "$work/etc/group"
  chmod 1777 "$work/tmp"
  chown 1000:1000 "$work/home/user"
  tar -C "$work" --numeric-owner -c . | docker import -c 'ENV PATH=/bin' -c 'WORKDIR /home/user' - berth-test/busybox:static >/dev/null
  echo "built berth-test/busybox:static"
fi

if ! docker image inspect berth-test/entrypoint:latest >/dev/null 2>&1; then
  printf 'FROM berth/sandbox-base:latest\nCMD ["bash", "-c", "echo entrypoint-ran > /tmp/entrypoint.txt; exec sleep infinity"]\n' \
    | docker build -q -t berth-test/entrypoint:latest - >/dev/null
  echo "built berth-test/entrypoint:latest"
fi

if ! docker image inspect berth-test/rsync:latest >/dev/null 2>&1; then
  printf 'FROM berth/sandbox-base:latest\nUSER root\nRUN apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends rsync >/dev/null && rm -rf /var/lib/apt/lists/*\nUSER berth\n' \
    | docker build -q -t berth-test/rsync:latest - >/dev/null
  echo "built berth-test/rsync:latest"
fi
