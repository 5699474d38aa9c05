"""A whole snapshot partition → rows, set-based (Postgres only): the records become plain rows
COPYed into temporary staging tables, then a fixed number of INSERT … ON CONFLICT / UPDATE …
WHERE changed statements merge them per table, whatever the partition's size.

It keeps ingest_works's rules for what OpenAlex records are (works.ingest.matching, writes,
researchers): a work is its OpenAlex id; a byline author their OpenAlex id, else the stored
record with their ORCID; an id another work holds is dropped; fields only gain information;
only rows that differ are written, so loading a partition twice changes nothing. Records
those rules cannot settle in SQL (an author without an OpenAlex id, a work that may be a
stored arXiv or demo row by DOI, arXiv id or title, and every record sharing an id with
those) go through ingest_works itself, in the same transaction.

Two transactions per partition: the institutions, topics and researchers first, committed at
once (idempotent, and shared between partitions, so workers loading other partitions wait on
them only briefly), then the works, bylines, topics and versions with the caller's
checkpoint (works.imports.snapshot), which marks the partition done with them.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from works.ingest.batch import ingest_works
from works.ingest.matching import search_name
from works.ingest.result import IngestResult
from works.ingest.versions import MIN_TITLE_WORDS, versions_regroup
from works.ingest.writes import _work_slug, _work_values
from works.models import Authorship, Institution, MatchMethod, Researcher, Topic, Work, WorkTopic
from works.sources.records import WorkRecord
from works.text import fold, make_slug, name_is_mixed_script

# Lines staged per COPY round: bounds the memory a partition of any size takes.
FLUSH_LINES = 1000

STAGING = """
CREATE TEMP TABLE IF NOT EXISTS stage_work (
    line int PRIMARY KEY, openalex_id text, doi text, arxiv_id text, arxiv_confident bool,
    slug text, slug_without_arxiv text, title text, title_key text, abstract text,
    abstract_key text, type text, venue text, publication_date date, publication_year int,
    record_year int,
    citation_count int, citations_by_year jsonb, oa_url text, is_retracted bool,
    authors_count int, source_payload jsonb, synced_at text, as_of timestamptz,
    fast bool, keep bool, slow bool DEFAULT false, work_id int, created bool DEFAULT false,
    doi_final text, arxiv_final text
);
CREATE TEMP TABLE IF NOT EXISTS stage_author (
    line int, ord int, openalex_id text, orcid text, display_name text, name_key text,
    search_name text, needs_review bool, base_slug text, raw_author_name text,
    raw_affiliation text, institutions text[]
);
CREATE TEMP TABLE IF NOT EXISTS stage_institution (
    line int, ord int, openalex_id text, name text, ror text, country_code text, type text,
    email_domains jsonb
);
CREATE TEMP TABLE IF NOT EXISTS stage_topic (
    line int, ord int, external_id text, name text, subfield text, field text, domain text,
    score float8
);
CREATE TEMP TABLE IF NOT EXISTS stage_person (
    openalex_id text PRIMARY KEY, orcid text, display_name text, name_key text,
    search_name text, needs_review bool, base_slug text, seq int, researcher_id int,
    method text, owner text
);
TRUNCATE stage_work, stage_author, stage_institution, stage_topic, stage_person;
"""

WORK_COLUMNS = [
    "line", "openalex_id", "doi", "arxiv_id", "arxiv_confident", "slug", "slug_without_arxiv",
    "title", "title_key",
    "abstract", "abstract_key", "type", "venue", "publication_date", "publication_year",
    "record_year", "citation_count", "citations_by_year", "oa_url", "is_retracted",
    "authors_count", "source_payload", "synced_at", "as_of", "fast",
]  # fmt: skip
AUTHOR_COLUMNS = [
    "line", "ord", "openalex_id", "orcid", "display_name", "name_key", "search_name",
    "needs_review", "base_slug", "raw_author_name", "raw_affiliation", "institutions",
]  # fmt: skip
INSTITUTION_COLUMNS = [
    "line", "ord", "openalex_id", "name", "ror", "country_code", "type", "email_domains",
]  # fmt: skip
TOPIC_COLUMNS = [
    "line", "ord", "external_id", "name", "subfield", "field", "domain", "score",
]  # fmt: skip


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _copy(cursor, table: str, columns: list[str], rows: list) -> None:
    if not rows:
        return
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class _Stager:
    """Turns records into staging rows and COPYs them in rounds of FLUSH_LINES."""

    def __init__(self, cursor, now):
        self.cursor, self.now = cursor, now
        self.works, self.authors, self.institutions, self.topics = [], [], [], []
        self.lines = 0
        self.author_values: dict[str, tuple] = {}

    def add(self, line: int, payload: str, record: WorkRecord) -> None:
        # Only names matching by OpenAlex id is set-based; the rest goes through ingest_works.
        fast = all(item.author.openalex_id for item in record.authorships)
        values = _work_values(record)
        when = record.as_of or self.now
        by_year = values.get("citations_by_year")
        self.works.append(
            [
                line, record.openalex_id, record.doi, record.arxiv_id,
                # The slug ends in the arXiv id if the work keeps it (works_paired decides).
                record.arxiv_id_confident, _work_slug(values["title_key"], record),
                _work_slug(values["title_key"], replace(record, arxiv_id=None)),
                values["title"], values["title_key"], values["abstract"], values["abstract_key"],
                values["type"], values["venue"], values["publication_date"],
                values["publication_year"], record.publication_year,
                values.get("citation_count"), None if by_year is None else Jsonb(by_year),
                values.get("oa_url", ""), values["is_retracted"], values["authors_count"],
                payload, when.isoformat(), when, fast,
            ]
        )  # fmt: skip
        if not fast:
            return
        for ord_, item in enumerate(record.authorships):
            author = item.author
            self.authors.append(
                [
                    line, ord_, author.openalex_id, author.orcid, *self._author(author),
                    item.raw_author_name[:500], item.raw_affiliation,
                    [institution.openalex_id for institution in item.institutions],
                ]
            )  # fmt: skip
            for institution in item.institutions:
                self.institutions.append(
                    [
                        line, ord_, institution.openalex_id, institution.name[:500],
                        institution.ror, institution.country_code, institution.type,
                        Jsonb(list(institution.email_domains)),
                    ]
                )  # fmt: skip
        for ord_, item in enumerate(record.topics):
            topic = item.topic
            self.topics.append(
                [
                    line, ord_, topic.external_id, topic.name[:300], topic.subfield[:300],
                    topic.field[:300], topic.domain[:300], item.score,
                ]
            )  # fmt: skip

    def _author(self, author) -> tuple:
        """What a new researcher record of this author would hold (researchers._new), once
        per name."""
        found = self.author_values.get(author.display_name)
        if found is None:
            name = author.display_name
            found = self.author_values[name] = (
                name[:300],
                fold(name)[:300],
                search_name(name, ()),
                name_is_mixed_script(name),
                make_slug(name, fallback=author.openalex_id or ""),
            )
        return found

    def flush(self) -> None:
        self.lines += len(self.works)
        _copy(self.cursor, "stage_work", WORK_COLUMNS, self.works)
        _copy(self.cursor, "stage_author", AUTHOR_COLUMNS, self.authors)
        _copy(self.cursor, "stage_institution", INSTITUTION_COLUMNS, self.institutions)
        _copy(self.cursor, "stage_topic", TOPIC_COLUMNS, self.topics)
        self.works, self.authors, self.institutions, self.topics = [], [], [], []
        if len(self.author_values) > 100_000:
            self.author_values.clear()


# A partition read from its start: (line number, payload JSON, record) for each work.
Reader = Callable[[], Iterator[tuple[int, str, WorkRecord]]]


def partition_stage(read: Reader, *, heartbeat: Callable[[], None] = lambda: None) -> int:
    """Stage a partition's records in the staging tables (temporary, this connection's).
    Nothing is written to the domain tables: a line the reader cannot parse raises before
    any is. Returns the lines staged."""
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(STAGING)
        stager = _Stager(cursor, timezone.now())
        for line, payload, record in read():
            stager.add(line, payload, record)
            if len(stager.works) >= FLUSH_LINES:
                stager.flush()
                heartbeat()
        stager.flush()
        cursor.execute("ANALYZE stage_work, stage_author, stage_institution, stage_topic")
    return stager.lines


# --- Institutions, topics, researchers ----------------------------------------------------------


def _execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _fetch(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _differs(stored: list[str], new: list[str]) -> str:
    """SQL that is true when any stored column differs from its new value (column by column:
    a row comparison refuses varchar against the staging tables' text)."""
    return " OR ".join(
        f"{old} IS DISTINCT FROM {value}" for old, value in zip(stored, new, strict=True)
    )


def _institutions_merge() -> None:
    """upsert_institutions: the first copy of each; new ones inserted, stored ones given the
    non-empty values and the union of e-mail domains when that changes anything."""
    table = _table(Institution)
    first = """
        SELECT DISTINCT ON (openalex_id) openalex_id, name, ror, country_code, type,
               email_domains
        FROM stage_institution ORDER BY openalex_id, line, ord
    """
    _execute(
        f"""
        INSERT INTO {table} (openalex_id, name, ror, country_code, type, email_domains)
        SELECT f.* FROM ({first}) f
        WHERE NOT EXISTS (SELECT 1 FROM {table} i WHERE i.openalex_id = f.openalex_id)
        ORDER BY f.openalex_id
        ON CONFLICT (openalex_id) DO NOTHING
        """  # noqa: S608 - table names from the models
    )
    _execute(
        f"""
        WITH f AS ({first}),
        merged AS (
            SELECT i.id,
                   COALESCE(NULLIF(f.name, ''), i.name) AS name,
                   COALESCE(NULLIF(f.ror, ''), i.ror) AS ror,
                   COALESCE(NULLIF(f.country_code, ''), i.country_code) AS country_code,
                   COALESCE(NULLIF(f.type, ''), i.type) AS type,
                   (SELECT COALESCE(jsonb_agg(d ORDER BY d), '[]'::jsonb) FROM (
                        SELECT jsonb_array_elements_text(i.email_domains)
                        UNION SELECT jsonb_array_elements_text(f.email_domains)) u(d)
                   ) AS email_domains,
                   (SELECT COALESCE(jsonb_agg(d ORDER BY d), '[]'::jsonb)
                    FROM jsonb_array_elements_text(i.email_domains) s(d)) AS stored_domains,
                   i.name AS stored_name, i.ror AS stored_ror,
                   i.country_code AS stored_country, i.type AS stored_type
            FROM f JOIN {table} i ON i.openalex_id = f.openalex_id
        )
        UPDATE {table} i
        SET name = m.name, ror = m.ror, country_code = m.country_code, type = m.type,
            email_domains = m.email_domains
        FROM merged m
        WHERE i.id = m.id
          AND ({
            _differs(
                ["m.stored_name", "m.stored_ror", "m.stored_country", "m.stored_type"],
                ["m.name", "m.ror", "m.country_code", "m.type"],
            )
        }
               OR m.email_domains <> m.stored_domains)
        """  # noqa: S608 - table names from the models
    )


def _topics_merge() -> None:
    table = _table(Topic)
    first = """
        SELECT DISTINCT ON (external_id) external_id, name, subfield, field, domain
        FROM stage_topic ORDER BY external_id, line, ord
    """
    _execute(
        f"""
        INSERT INTO {table} (external_id, name, subfield, field, domain)
        SELECT f.* FROM ({first}) f
        WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.external_id = f.external_id)
        ORDER BY f.external_id
        ON CONFLICT (external_id) DO NOTHING
        """  # noqa: S608 - table names from the models
    )
    _execute(
        f"""
        UPDATE {table} t
        SET name = f.name, subfield = f.subfield, field = f.field, domain = f.domain
        FROM ({first}) f
        WHERE t.external_id = f.external_id
          AND ({
            _differs(
                ["t.name", "t.subfield", "t.field", "t.domain"],
                ["f.name", "f.subfield", "f.field", "f.domain"],
            )
        })
        """  # noqa: S608 - table names from the models
    )


NOW = object()


def _researcher_insert_sql() -> tuple[str, str, list]:
    """INSERT of new researcher rows from stage_person (researchers._new): the columns the
    staging rows give, every other column its model default."""
    given = {
        "slug": "n.slug",
        "openalex_id": "n.openalex_id",
        "orcid": "n.orcid",
        "display_name": "n.display_name",
        "name_key": "n.name_key",
        "search_name": "n.search_name",
        "name_needs_review": "n.needs_review",
    }
    columns, values, params = [], [], []
    for model_field in Researcher._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(connection.ops.quote_name(model_field.column))
        if model_field.name in given:
            values.append(given[model_field.name])
        elif model_field.name in ("created_at", "updated_at"):
            values.append("%s")
            params.append(NOW)
        elif model_field.null and not model_field.has_default():
            values.append("NULL")
        else:
            values.append("%s")
            params.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    return ", ".join(columns), ", ".join(values), params


def _persons_resolve(table: str) -> None:
    """Stored records by OpenAlex id, then by ORCID (researchers._found)."""
    _execute(
        f"""UPDATE stage_person p SET researcher_id = r.id, method = %s FROM {table} r
        WHERE p.researcher_id IS NULL AND r.openalex_id = p.openalex_id""",  # noqa: S608
        [MatchMethod.OPENALEX],
    )
    _execute(
        f"""UPDATE stage_person p SET researcher_id = r.id, method = %s FROM {table} r
        WHERE p.researcher_id IS NULL AND p.orcid IS NOT NULL AND r.orcid = p.orcid""",  # noqa: S608
        [MatchMethod.ORCID],
    )


def _researchers_merge(result: IngestResult, now) -> None:
    """upsert_researchers for byline authors with OpenAlex ids: one stage_person row per id
    (the first copy's name, the first ORCID among the copies); the stored record by id, else
    by ORCID; new records for the rest, with free slugs. A byline author gains nothing else, so
    a stored record gains only a missing OpenAlex id or ORCID."""
    table = _table(Researcher)
    _execute(
        """
        INSERT INTO stage_person (openalex_id, orcid, display_name, name_key, search_name,
                                  needs_review, base_slug, seq)
        SELECT f.openalex_id, o.orcid, f.display_name, f.name_key, f.search_name,
               f.needs_review, f.base_slug, row_number() OVER (ORDER BY f.line, f.ord)
        FROM (SELECT DISTINCT ON (openalex_id) * FROM stage_author
              ORDER BY openalex_id, line, ord) f
        LEFT JOIN (SELECT DISTINCT ON (openalex_id) openalex_id, orcid FROM stage_author
                   WHERE orcid IS NOT NULL ORDER BY openalex_id, line, ord) o
               USING (openalex_id)
        """
    )
    _persons_resolve(table)
    # An ORCID no stored record holds goes to the first author (in byline order) who has it
    # and can take it, a new record or a stored one without an ORCID; later new authors with
    # it are that record (researchers._found through by_orcid).
    _execute(
        f"""
        WITH eligible AS (
            SELECT p.openalex_id, p.orcid, p.seq FROM stage_person p
            LEFT JOIN {table} r ON r.id = p.researcher_id
            WHERE p.orcid IS NOT NULL
              AND (p.researcher_id IS NULL OR (p.method = %s AND r.orcid IS NULL))
              AND NOT EXISTS (SELECT 1 FROM {table} h WHERE h.orcid = p.orcid)
        ),
        owners AS (SELECT DISTINCT ON (orcid) orcid, openalex_id FROM eligible ORDER BY orcid, seq)
        UPDATE stage_person p SET owner = o.openalex_id FROM owners o WHERE p.orcid = o.orcid
        """,  # noqa: S608 - table names from the models
        [MatchMethod.OPENALEX],
    )
    gained = _fetch(
        f"""
        UPDATE {table} r SET orcid = p.orcid, updated_at = %s FROM stage_person p
        WHERE r.id = p.researcher_id AND p.owner = p.openalex_id AND r.orcid IS NULL
        RETURNING r.id
        """,  # noqa: S608 - table names from the models
        [now],
    )
    gained += _fetch(
        f"""
        UPDATE {table} r SET openalex_id = p.openalex_id, updated_at = %s
        FROM (SELECT DISTINCT ON (researcher_id) researcher_id, openalex_id FROM stage_person
              WHERE method = %s ORDER BY researcher_id, seq) p
        WHERE r.id = p.researcher_id AND r.openalex_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM {table} h WHERE h.openalex_id = p.openalex_id)
        RETURNING r.id
        """,  # noqa: S608 - table names from the models
        [now, MatchMethod.ORCID],
    )
    columns, values, params = _researcher_insert_sql()
    created: list[tuple] = []
    for attempt in range(2):
        # The first choice of slug is the base, for the first new author of that base; then
        # the base with the OpenAlex id (researchers._free_slugs). A second round takes what
        # another worker inserted meanwhile.
        first_choice = f"""CASE WHEN row_number() OVER (PARTITION BY p.base_slug ORDER BY p.seq) = 1
            AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.slug = p.base_slug)
            THEN p.base_slug ELSE p.base_slug || '-' || lower(p.openalex_id) END"""  # noqa: S608
        slug = first_choice if attempt == 0 else "p.base_slug || '-' || lower(p.openalex_id)"
        created += _fetch(
            f"""
            INSERT INTO {table} ({columns})
            SELECT {values} FROM (
                SELECT p.openalex_id, CASE WHEN p.owner = p.openalex_id THEN p.orcid END AS orcid,
                       p.display_name, p.name_key, p.search_name, p.needs_review, p.seq,
                       {slug} AS slug
                FROM stage_person p
                WHERE p.researcher_id IS NULL
                  AND (p.owner IS NULL OR p.owner = p.openalex_id)
            ) n
            ORDER BY n.openalex_id
            ON CONFLICT DO NOTHING
            RETURNING id
            """,  # noqa: S608 - table names and column lists from the models
            [now if param is NOW else param for param in params],
        )
        _persons_resolve(table)
    _execute(
        """UPDATE stage_person p SET researcher_id = o.researcher_id, method = %s
        FROM stage_person o WHERE p.researcher_id IS NULL AND o.openalex_id = p.owner""",
        [MatchMethod.ORCID],
    )
    missing = _fetch("SELECT openalex_id FROM stage_person WHERE researcher_id IS NULL LIMIT 3")
    if missing:
        names = ", ".join(row[0] for row in missing)
        raise BulkConflict(f"no researcher row could be made for {names}")
    created_ids = {row[0] for row in created}
    gained_ids = {row[0] for row in gained} - created_ids
    result.researchers_created += len(created_ids)
    result.researchers_updated += len(gained_ids)
    result.researcher_ids |= created_ids | gained_ids


class BulkConflict(Exception):
    """Another writer holds a key this partition needs (a slug, an id): retry the partition."""


def entities_merge(result: IngestResult) -> None:
    """The institutions, topics and researchers the staged bylines name, in that order and
    sorted by key within each, so that workers merging overlapping partitions wait on each
    other instead of deadlocking."""
    now = timezone.now()
    _institutions_merge()
    _topics_merge()
    _researchers_merge(result, now)


# --- Works, bylines, topics, versions ------------------------------------------------------------


def _works_classify(work_table: str) -> None:
    """Pair each staged line with its stored work by OpenAlex id; keep the first line of each
    id (works_paired skips the later ones); mark slow what only ingest_works can settle."""
    _execute(
        f"""UPDATE stage_work s SET work_id = w.id FROM {work_table} w
        WHERE w.openalex_id = s.openalex_id"""  # noqa: S608 - table names from the models
    )
    _execute(
        """UPDATE stage_work s SET keep = (s.line = f.line)
        FROM (SELECT DISTINCT ON (openalex_id) openalex_id, line FROM stage_work
              ORDER BY openalex_id, line) f
        WHERE f.openalex_id = s.openalex_id"""
    )
    # A new work that may be a stored row from another source (stored_work_for: by arXiv id,
    # DOI or title and year, a row without an OpenAlex id), or one whose byline names someone
    # without an OpenAlex id.
    _execute(
        f"""UPDATE stage_work s SET slow = true WHERE NOT s.fast OR (s.work_id IS NULL AND
        EXISTS (SELECT 1 FROM {work_table} w WHERE w.openalex_id IS NULL AND (
            (s.arxiv_confident AND w.arxiv_id = s.arxiv_id) OR w.doi = s.doi
            OR (w.title_key = s.title_key AND w.publication_year IS NOT DISTINCT FROM s.record_year)
        )))"""  # noqa: S608 - table names from the models
    )
    # Lines that share an id with a slow one go with it, so ingest_works sees them together.
    while _execute(
        """UPDATE stage_work s SET slow = true WHERE NOT s.slow AND (
            s.openalex_id IN (SELECT openalex_id FROM stage_work WHERE slow)
            OR s.doi IN (SELECT doi FROM stage_work WHERE slow)
            OR s.arxiv_id IN (SELECT arxiv_id FROM stage_work WHERE slow))"""
    ):
        pass
    # works_paired's _ids_dropped: an id another stored work holds, a DOI an earlier line
    # kept, an arXiv id whose keeper (the first arXiv version itself, else the first line)
    # is another line.
    _execute(
        f"""
        WITH ranked AS (
            SELECT line,
                   row_number() OVER (PARTITION BY doi, keep ORDER BY line) AS doi_rank,
                   row_number() OVER (PARTITION BY arxiv_id ORDER BY NOT arxiv_confident, line)
                       AS arxiv_rank
            FROM stage_work WHERE NOT slow
        )
        UPDATE stage_work s SET
            doi_final = CASE WHEN s.doi IS NULL OR r.doi_rank > 1
                OR EXISTS (SELECT 1 FROM {work_table} w
                           WHERE w.doi = s.doi AND w.id IS DISTINCT FROM s.work_id)
                THEN NULL ELSE s.doi END,
            arxiv_final = CASE WHEN s.arxiv_id IS NULL OR r.arxiv_rank > 1
                OR EXISTS (SELECT 1 FROM {work_table} w
                           WHERE w.arxiv_id = s.arxiv_id AND w.id IS DISTINCT FROM s.work_id)
                THEN NULL ELSE s.arxiv_id END
        FROM ranked r
        WHERE r.line = s.line AND s.keep AND NOT s.slow
        """  # noqa: S608 - table names from the models
    )


WORK_VALUES = [
    "title", "title_key", "abstract", "abstract_key", "type", "venue", "publication_date",
    "publication_year", "is_retracted", "authors_count", "source_payload",
]  # fmt: skip


def _works_write(work_table: str, result: IngestResult, now) -> set[int]:
    """works_write and works_stamp: insert the new works, update the stored ones whose values
    differ, stamp each with the snapshot's date. Returns the ids of works written."""
    fast = "s.keep AND NOT s.slow"
    created = _fetch(
        f"""
        INSERT INTO {work_table} (slug, openalex_id, doi, arxiv_id, {", ".join(WORK_VALUES)},
            citation_count, citations_by_year, oa_url, citations_synced_at, synced,
            created_at, updated_at)
        SELECT CASE WHEN s.arxiv_final IS NULL THEN s.slug_without_arxiv ELSE s.slug END,
            s.openalex_id, s.doi_final, s.arxiv_final,
            {", ".join(f"s.{name}" for name in WORK_VALUES)},
            s.citation_count, s.citations_by_year, s.oa_url,
            CASE WHEN s.citation_count IS NOT NULL THEN s.as_of END,
            jsonb_build_object('snapshot', s.synced_at), %s, %s
        FROM stage_work s WHERE {fast} AND s.work_id IS NULL
        ORDER BY s.openalex_id
        ON CONFLICT DO NOTHING
        RETURNING id, openalex_id
        """,  # noqa: S608 - table names and columns from the models
        [now, now],
    )
    _execute(
        f"""UPDATE stage_work s SET work_id = w.id, created = true FROM {work_table} w
        WHERE s.work_id IS NULL AND s.keep AND NOT s.slow AND w.openalex_id = s.openalex_id
          AND w.id = ANY(%s)""",  # noqa: S608 - table names from the models
        [[row[0] for row in created]],
    )
    # Inserted by another writer meanwhile: an update like any stored work.
    _execute(
        f"""UPDATE stage_work s SET work_id = w.id FROM {work_table} w
        WHERE s.work_id IS NULL AND s.keep AND NOT s.slow AND w.openalex_id = s.openalex_id"""  # noqa: S608
    )
    if _fetch(f"SELECT 1 FROM stage_work s WHERE {fast} AND s.work_id IS NULL LIMIT 1"):  # noqa: S608
        raise BulkConflict("a new work's slug, DOI or arXiv id is held by another row")
    new_values = [
        *(f"s.{name}" for name in WORK_VALUES),
        "COALESCE(s.citation_count, w.citation_count)",
        "COALESCE(s.citations_by_year, w.citations_by_year)",
        "COALESCE(NULLIF(s.oa_url, ''), w.oa_url)",
        "COALESCE(w.doi, s.doi_final)",
        "COALESCE(w.arxiv_id, s.arxiv_final)",
    ]
    stored = [*(f"w.{name}" for name in WORK_VALUES), "w.citation_count",
              "w.citations_by_year", "w.oa_url", "w.doi", "w.arxiv_id"]  # fmt: skip
    changed = f"({_differs(stored, new_values)})"
    stamp = "COALESCE(w.synced, '{}'::jsonb) || jsonb_build_object('snapshot', s.synced_at)"
    synced_at = "CASE WHEN s.citation_count IS NOT NULL THEN s.as_of ELSE w.citations_synced_at END"
    targets = [*WORK_VALUES, "citation_count", "citations_by_year", "oa_url", "doi", "arxiv_id"]
    assignments = ", ".join(
        f"{name} = {value}" for name, value in zip(targets, new_values, strict=True)
    )
    updated = _fetch(
        f"""
        UPDATE {work_table} w SET {assignments},
            synced = {stamp}, citations_synced_at = {synced_at},
            updated_at = CASE WHEN {changed} THEN %s ELSE w.updated_at END
        FROM stage_work s
        WHERE s.work_id = w.id AND {fast} AND NOT s.created
          AND ({changed} OR w.synced IS DISTINCT FROM {stamp}
               OR w.citations_synced_at IS DISTINCT FROM {synced_at})
        RETURNING w.id, w.updated_at = %s
        """,  # noqa: S608 - table names and columns from the models
        [now, now],
    )
    written = {work_id for work_id, values_changed in updated if values_changed}
    stored_count = _fetch(f"SELECT count(*) FROM stage_work s WHERE {fast} AND NOT s.created")  # noqa: S608
    result.works_created += len(created)
    result.works_updated += len(written)
    result.works_unchanged += stored_count[0][0] - len(written)
    return written | {row[0] for row in created}


def _bylines_sync(result: IngestResult) -> None:
    """bylines_sync: each staged work's byline (one row per researcher, at their first place)
    against the stored one; the works whose bylines differ get the new one."""
    authorship, through = _table(Authorship), _table(Authorship.institutions.through)
    institution = _table(Institution)
    _execute(
        f"""
        DROP TABLE IF EXISTS stage_byline;
        CREATE TEMP TABLE stage_byline ON COMMIT DROP AS
        SELECT work_id, (row_number() OVER (PARTITION BY work_id ORDER BY ord) - 1)::int
                   AS position,
               researcher_id, raw_author_name, raw_affiliation, institution_ids, method
        FROM (
            SELECT DISTINCT ON (s.work_id, p.researcher_id) s.work_id, a.ord, p.researcher_id,
                   a.raw_author_name, a.raw_affiliation, p.method,
                   ARRAY(SELECT DISTINCT i.id FROM {institution} i
                         WHERE i.openalex_id = ANY(a.institutions) ORDER BY i.id)
                       AS institution_ids
            FROM stage_author a
            JOIN stage_work s ON s.line = a.line AND s.keep AND NOT s.slow
            JOIN stage_person p ON p.openalex_id = a.openalex_id
            ORDER BY s.work_id, p.researcher_id, a.ord
        ) d
        """  # noqa: S608 - table names from the models
    )
    entry = (
        "string_agg(concat_ws(chr(31), researcher_id, raw_author_name, raw_affiliation, {ids},"
        " {method}), chr(30) ORDER BY position)"
    )
    wanted_byline = entry.format(ids="institution_ids::text", method="method")
    stored_byline = entry.format(ids="a.ids::text", method="match_method")
    changed = _fetch(
        f"""
        WITH wanted AS (
            SELECT work_id, {wanted_byline} AS byline,
                   array_agg(researcher_id) AS researchers
            FROM stage_byline GROUP BY work_id
        ),
        stored AS (
            SELECT a.work_id, {stored_byline} AS byline,
                   array_agg(researcher_id) AS researchers
            FROM (
                SELECT a.*, ARRAY(SELECT t.institution_id FROM {through} t
                                  WHERE t.authorship_id = a.id ORDER BY 1) AS ids
                FROM {authorship} a WHERE a.work_id IN (SELECT work_id FROM wanted)
            ) a GROUP BY a.work_id
        )
        SELECT w.work_id, w.researchers, COALESCE(s.researchers, '{{}}')
        FROM wanted w LEFT JOIN stored s USING (work_id)
        WHERE s.byline IS DISTINCT FROM w.byline
        """  # noqa: S608 - table names from the models
    )
    if not changed:
        return
    cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
    for _work_id, after, before in changed:
        result.researcher_ids |= set(before) | set(after)
        result.graph_researcher_ids |= (set(before) if len(set(before)) <= cap else set()) | (
            set(after) if len(set(after)) <= cap else set()
        )
    work_ids = [row[0] for row in changed]
    _execute(
        f"""DELETE FROM {through} WHERE authorship_id IN (
            SELECT id FROM {authorship} WHERE work_id = ANY(%s))""",  # noqa: S608
        [work_ids],
    )
    _execute(f"DELETE FROM {authorship} WHERE work_id = ANY(%s)", [work_ids])  # noqa: S608
    result.authorships_written += _execute(
        f"""
        WITH inserted AS (
            INSERT INTO {authorship} (work_id, position, researcher_id, raw_author_name,
                                      raw_affiliation, match_method)
            SELECT work_id, position, researcher_id, raw_author_name, raw_affiliation, method
            FROM stage_byline WHERE work_id = ANY(%s)
            ORDER BY work_id, position
            RETURNING id, work_id, position
        ),
        links AS (
            INSERT INTO {through} (authorship_id, institution_id)
            SELECT i.id, unnest(b.institution_ids) FROM inserted i
            JOIN stage_byline b ON b.work_id = i.work_id AND b.position = i.position
        )
        SELECT 1 FROM inserted
        """,  # noqa: S608 - table names from the models
        [work_ids],
    )


def _topics_sync() -> set[int]:
    """work_topics_sync: each staged work with topics gets exactly the record's (its first
    score per topic). Returns the ids of works whose topics changed."""
    table, topic = _table(WorkTopic), _table(Topic)
    _execute(
        f"""
        DROP TABLE IF EXISTS stage_work_topic;
        CREATE TEMP TABLE stage_work_topic ON COMMIT DROP AS
        SELECT DISTINCT ON (s.work_id, t.id) s.work_id, t.id AS topic_id, st.score
        FROM stage_topic st
        JOIN stage_work s ON s.line = st.line AND s.keep AND NOT s.slow
        JOIN {topic} t ON t.external_id = st.external_id
        ORDER BY s.work_id, t.id, st.ord
        """  # noqa: S608 - table names from the models
    )
    stale = _fetch(
        f"""
        DELETE FROM {table} wt
        WHERE wt.work_id IN (SELECT work_id FROM stage_work_topic)
          AND NOT EXISTS (SELECT 1 FROM stage_work_topic n
                          WHERE n.work_id = wt.work_id AND n.topic_id = wt.topic_id)
        RETURNING wt.work_id
        """  # noqa: S608 - table names from the models
    )
    written = _fetch(
        f"""
        INSERT INTO {table} (work_id, topic_id, score)
        SELECT work_id, topic_id, score FROM stage_work_topic ORDER BY work_id, topic_id
        ON CONFLICT (work_id, topic_id) DO UPDATE SET score = EXCLUDED.score
        WHERE {table}.score IS DISTINCT FROM EXCLUDED.score
        RETURNING work_id
        """  # noqa: S608 - table names from the models
    )
    return {row[0] for row in stale + written}


def _versions_regroup(work_table: str) -> set[int]:
    """versions_regroup over the staged works' titles, for the titles it could change: those
    another stored work shares, or whose works are grouped now."""
    keys = _fetch(
        f"""
        SELECT DISTINCT s.title_key FROM stage_work s
        WHERE s.keep AND NOT s.slow
          AND array_length(regexp_split_to_array(s.title_key, ' '), 1) >= %s
          AND EXISTS (SELECT 1 FROM {work_table} w WHERE w.title_key = s.title_key
                      AND (w.id <> s.work_id OR w.version_of_id IS NOT NULL))
        """,  # noqa: S608 - table names from the models
        [MIN_TITLE_WORDS],
    )
    return versions_regroup(row[0] for row in keys)


def _authors_of(work_ids: Iterable[int], result: IngestResult) -> None:
    """batch._note_authors_of, in one query."""
    work_ids = list(work_ids)
    if not work_ids:
        return
    cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
    rows = _fetch(
        f"""SELECT a.researcher_id, w.authors_count FROM {_table(Authorship)} a
        JOIN {_table(Work)} w ON w.id = a.work_id WHERE a.work_id = ANY(%s)""",  # noqa: S608
        [work_ids],
    )
    for researcher_id, authors in rows:
        result.researcher_ids.add(researcher_id)
        if authors <= cap:
            result.graph_researcher_ids.add(researcher_id)


def works_merge(read: Reader, result: IngestResult) -> None:
    """The staged works, bylines and topics into the domain tables, in the caller's
    transaction; the slow lines through ingest_works."""
    work_table = _table(Work)
    now = timezone.now()
    _works_classify(work_table)
    written = _works_write(work_table, result, now)
    _bylines_sync(result)
    written |= _topics_sync()
    written |= _versions_regroup(work_table)
    _authors_of(written, result)
    counts = _fetch(
        """SELECT count(*) FILTER (WHERE NOT keep AND NOT slow),
                  count(*) FILTER (WHERE keep AND NOT slow AND authors_count > %s),
                  COALESCE(sum(authors_count * (authors_count - 1) / 2)
                           FILTER (WHERE keep AND NOT slow AND authors_count > %s), 0),
                  array_agg(line) FILTER (WHERE slow)
           FROM stage_work""",
        [settings.GRAPH_MAX_AUTHORS_FOR_EDGES] * 2,
    )[0]
    result.duplicates_skipped += counts[0]
    result.hyperauthored_works += counts[1]
    result.edges_skipped += int(counts[2])
    slow_lines = set(counts[3] or ())
    if slow_lines:
        records = [record for line, _, record in read() if line in slow_lines]
        slow = ingest_works(records)
        result.add(slow)


def partition_load(
    read: Reader, *, result: IngestResult, checkpoint, heartbeat=lambda: None
) -> None:
    """Load one partition: stage it, merge the institutions, topics and researchers (their own
    transaction), then the works and the rest inside `checkpoint` (a context manager that
    commits them with the partition's completion, or rolls them back). What it did adds up in
    result, which the checkpoint can read."""
    partition_stage(read, heartbeat=heartbeat)
    with transaction.atomic():
        _page_touch_defer()
        entities_merge(result)
    heartbeat()
    with checkpoint:
        _page_touch_defer()
        works_merge(read, result)
    _pages_touch(sorted(result.researcher_ids))


# Researchers touched per statement after a partition commits: each locks its rows briefly,
# in id order, so loaders sharing authors never deadlock.
TOUCH_CHUNK = 5_000


def _page_touch_defer() -> None:
    """This transaction's statements touch no page versions (works migration 0023): their
    triggers would lock every author a merge statement reaches until the partition commits,
    and loaders sharing authors would take turns. _pages_touch does it once, after."""
    _execute("SET LOCAL bzpeer.defer_page_touch = 'on'")


def _pages_touch(researcher_ids: list[int]) -> None:
    """New page versions for the partition's authors (and their primaries), so no cached page
    outlives the load by more than this call."""
    for start in range(0, len(researcher_ids), TOUCH_CHUNK):
        _execute("SELECT researcher_page_touch(%s)", [researcher_ids[start : start + TOUCH_CHUNK]])
