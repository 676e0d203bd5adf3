#!/usr/bin/env bash
# A private Docker registry with authentication for the image tests: Debian's
# docker-registry package with an htpasswd file (apache2-utils), listening on
# 127.0.0.1:5055 (Docker pulls from 127.0.0.0/8 over plain HTTP). Idempotent:
# quick when it already answers. User berth-test, password berth-test-pw.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { echo "==> $*" >&2; }
ADDR=127.0.0.1:5055
DIR=/var/lib/berth-test-registry

code=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/v2/" || true)
if [ "$code" = "401" ]; then exit 0; fi

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
fi
# The package's own service (if its init started one) listens on :5000 without auth; ours is separate.
mkdir -p "$DIR/data"
htpasswd -Bbn berth-test berth-test-pw > "$DIR/htpasswd"
cat > "$DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: $ADDR
auth:
  htpasswd:
    realm: berth-test
    path: $DIR/htpasswd
YAML
log "starting the test registry on $ADDR"
nohup docker-registry serve "$DIR/config.yml" > "$DIR/registry.log" 2>&1 &
for i in $(seq 1 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/v2/" || true)
  [ "$code" = "401" ] && exit 0
  sleep 0.2
done
log "the test registry did not start; see $DIR/registry.log"
exit 1
