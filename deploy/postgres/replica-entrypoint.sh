#!/bin/bash
# A streaming replica of the `postgres` service. On first start (an empty data directory) it
# copies the primary with pg_basebackup; -R writes primary_conninfo and standby.signal, so the
# server starts as a hot standby and follows the primary from then on.
set -euo pipefail

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready --host="$PRIMARY_HOST" --quiet; do
    echo "waiting for the primary at $PRIMARY_HOST"
    sleep 2
  done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup --host="$PRIMARY_HOST" \
    --username=replicator --pgdata="$PGDATA" --write-recovery-conf \
    --wal-method=stream --checkpoint=fast --no-password
  chmod 0700 "$PGDATA"
fi

# The image's entrypoint finds an initialised directory and only starts the server.
exec docker-entrypoint.sh postgres "$@"
