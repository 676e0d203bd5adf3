#!/usr/bin/env bash
# Builds berth/sandbox-base without any image registry: debootstrap a Debian
# bookworm rootfs, `docker import` it, then a small Dockerfile on top.
# Idempotent: the image carries a recipe hash label; a matching image is kept.
# Usage: scripts/build-base-image.sh [--force]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
recipe_dir="$here/images/sandbox-base"
image="${BERTH_BASE_IMAGE:-berth/sandbox-base:latest}"
mirror="${BERTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
force=0; [ "${1:-}" = "--force" ] && force=1

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

hash=$(cat "$recipe_dir/packages.txt" "$recipe_dir/Dockerfile" "$0" | sha256sum | cut -c1-16)
current=$(docker image inspect -f '{{ index .Config.Labels "berth.recipe" }}' "$image" 2>/dev/null || true)
if [ "$force" = 0 ] && [ "$current" = "$hash" ]; then
  echo "berth: image $image is up to date (recipe $hash)"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "berth: building $image needs root (debootstrap). Run as root, or build it elsewhere and 'docker load' it." >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  step "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
fi

rootfs_tag="berth/sandbox-rootfs:$hash"
if ! docker image inspect "$rootfs_tag" >/dev/null 2>&1; then
  work=$(mktemp -d /var/tmp/berth-rootfs.XXXXXX)
  cleanup() { umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"; }
  trap cleanup EXIT
  pkgs=$(grep -v '^\s*#' "$recipe_dir/packages.txt" | grep -v '^\s*$' | paste -sd, -)
  step "debootstrap bookworm (about 3 minutes; progress below)"
  debootstrap --variant=minbase --include="$pkgs" bookworm "$work/rootfs" "$mirror" 2>&1 \
    | grep --line-buffered -E '^I: (Retrieving|Validating|Extracting|Unpacking|Configuring|Installing|Base system)' \
    | awk '{ n++; if (n % 25 == 0 || /Base system/) { print "    " $0; fflush() } }'
  step "installing nodejs and npm into the rootfs"
  cp /etc/resolv.conf "$work/rootfs/etc/resolv.conf"
  mount -t proc proc "$work/rootfs/proc"
  chroot "$work/rootfs" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive;
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends nodejs npm >/dev/null &&
    apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin'
  umount "$work/rootfs/proc"
  : > "$work/rootfs/etc/resolv.conf"
  step "importing the rootfs as $rootfs_tag"
  tar -C "$work/rootfs" --numeric-owner -c . | docker import - "$rootfs_tag" >/dev/null
  cleanup; trap - EXIT
fi

step "building $image on $rootfs_tag"
docker build -q --build-arg ROOTFS="$rootfs_tag" --label "berth.recipe=$hash" -t "$image" "$recipe_dir" >/dev/null
# Older rootfs imports are superseded by this one.
docker images --format '{{.Repository}}:{{.Tag}}' berth/sandbox-rootfs | grep -v ":$hash\$" | xargs -r docker rmi >/dev/null 2>&1 || true
echo "berth: built $image (recipe $hash)"
