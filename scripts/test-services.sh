#!/usr/bin/env bash
# Installs (Debian, as root) and starts PostgreSQL and Redis for the test
# suite's second mode. Idempotent: quick when both already answer.
# Prints the two URLs as shell assignments on stdout.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { echo "==> $*" >&2; }

need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
fi

ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
if [ -z "$ver" ]; then log "no PostgreSQL cluster found"; exit 1; fi
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  log "starting PostgreSQL $ver"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2
fi
for i in $(seq 1 30); do su postgres -c "psql -Atqc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
su postgres -c "psql -Atqc \"select 1 from pg_roles where rolname='berth_test'\"" | grep -q 1 || \
  su postgres -c "psql -qc \"create role berth_test login createdb password 'berth_test'\"" >&2
su postgres -c "psql -Atqc \"select 1 from pg_database where datname='berth_test'\"" | grep -q 1 || \
  su postgres -c "createdb -O berth_test berth_test" >&2

if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" >&2
  for i in $(seq 1 30); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
echo "BERTH_TEST_DATABASE_URL=postgres://berth_test:berth_test@127.0.0.1:5432/berth_test"
echo "BERTH_TEST_REDIS_URL=redis://127.0.0.1:6379/0"
