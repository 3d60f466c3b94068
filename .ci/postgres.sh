#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and create the test role and database (idempotent).
# Prints the URL to export as DASHBOARD_TEST_POSTGRES_URL.
set -euo pipefail
PG_USER=${PG_USER:-mission}
PG_PASSWORD=${PG_PASSWORD:-mission-test-only}
PG_DB=${PG_DB:-mission_test}
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
pg_ctlcluster 15 main start 2>/dev/null || pg_ctlcluster 15 main status >/dev/null
for _ in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='${PG_USER}'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role ${PG_USER} login password '${PG_PASSWORD}'\""
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='${PG_DB}'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create database ${PG_DB} owner ${PG_USER}\""
echo "postgresql+psycopg://${PG_USER}:${PG_PASSWORD}@127.0.0.1:5432/${PG_DB}"
