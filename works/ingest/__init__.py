"""Source records → rows: idempotent bulk upserts. No HTTP here, and nothing above works.

- matching: which stored row a record is (pure functions: the researcher a byline is, the work
  a record describes, the keys that make two records one);
- writes: the bulk writes of institutions, topics, works, bylines and their topics;
- researchers: author records → researcher rows (finding, creating, merging);
- batch: ingest_works, one batch of records in one transaction;
- bulk: a whole snapshot partition, staged with COPY and merged set-based (Postgres).

Ingest writes rows only; works.imports announces what changed (works.signals.records_changed).
"""

from works.ingest.batch import ingest_works
from works.ingest.researchers import researcher_for_search, upsert_researchers
from works.ingest.result import IngestResult
from works.ingest.writes import upsert_institutions, upsert_topics

__all__ = [
    "IngestResult",
    "ingest_works",
    "researcher_for_search",
    "upsert_institutions",
    "upsert_researchers",
    "upsert_topics",
]
