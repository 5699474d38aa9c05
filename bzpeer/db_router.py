"""Reads from a streaming replica, writes to the primary (docs/scaling.md, "Read replicas and
PgBouncer").

The replica is opt-in per request: only bzpeer.middleware.ReadReplicaMiddleware allows it, for
a safe request (GET, HEAD, OPTIONS) by a client that has not written in the last
READ_YOUR_WRITES_SECONDS, and only until that request itself writes. Everything else reads
from the primary: Celery tasks, management commands, the shell, a POST's own reads (they decide
what it writes), and any read inside a transaction on the primary, which must see the
transaction's writes.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"

# True while the current request may read from the replica.
_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)

# The primary's own session rows: a session written a moment ago (a log-in) must be found on
# the next request however far the replica lags, or the user is logged out.
PRIMARY_ONLY_APPS = frozenset({"sessions"})

# What a statement that only reads starts with. Everything else counts as a write, WITH
# included (a CTE may UPDATE, as profiles.stats's does): counting a read as a write only sends
# one client to the primary for a few seconds; the reverse shows them stale data.
_READ_ONLY = re.compile(r"\s*(SELECT|SHOW|EXPLAIN|SET|SAVEPOINT|RELEASE|ROLLBACK)\b", re.IGNORECASE)


def is_write(sql: str) -> bool:
    return _READ_ONLY.match(sql) is None


@contextmanager
def replica_reads():
    """Allow reads from the replica in this context (a request) until primary_reads()."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def primary_reads() -> None:
    """The rest of the current context reads from the primary (after it wrote)."""
    _replica_allowed.set(False)


class ReplicaRouter:
    """Installed only when DATABASE_REPLICA_URL names a replica (bzpeer.settings)."""

    def db_for_read(self, model, **hints):
        if (
            _replica_allowed.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA_DB_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is read-only: it gets the primary's schema by streaming it.
        return db != REPLICA_DB_ALIAS
