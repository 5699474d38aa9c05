#!/bin/bash
# Runs once, when the primary's data directory is first created (the official image runs
# /docker-entrypoint-initdb.d/*.sh): a role the replica streams WAL with, and the pg_hba line
# that lets it (the image's own `host all all all` line does not cover replication).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
