"""Which stored row a record is: pure functions, no database and no HTTP.

Ingest loads the candidate rows, asks these functions, then writes the outcome
(works.ingest.researchers, works.ingest.batch). A row here is anything with the model's
attributes (pk, openalex_id, orcid, name_key for a researcher; pk, the ids, title_key and
publication_year for a work), so tests/works/test_matching.py needs no database.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from works.sanitize import title_key_of
from works.sources.records import AuthorRecord, WorkRecord
from works.text import fold

# --- Researchers ------------------------------------------------------------------------------

Identity = tuple[str, str]


class ResearcherRow(Protocol):
    pk: int | None
    openalex_id: str | None
    orcid: str | None


class WorkRow(Protocol):
    pk: int | None
    openalex_id: str | None
    doi: str | None
    arxiv_id: str | None
    publication_year: int | None


ResearcherT = TypeVar("ResearcherT", bound=ResearcherRow)
WorkT = TypeVar("WorkT", bound=WorkRow)


def author_identity(record: AuthorRecord) -> Identity:
    """What makes author records one person within a batch: the OpenAlex id, else the ORCID,
    else the folded name."""
    if record.openalex_id:
        return ("openalex", record.openalex_id)
    if record.orcid:
        return ("orcid", record.orcid)
    return ("name", fold(record.display_name))


def authors_merged(records: Iterable[AuthorRecord]) -> dict[Identity, AuthorRecord]:
    """One record per identity, pooling what its copies know; the first copy's name stays."""
    merged: dict[Identity, AuthorRecord] = {}
    for record in records:
        key = author_identity(record)
        first = merged.get(key)
        merged[key] = record if first is None else _pooled(first, record)
    return merged


def _pooled(first: AuthorRecord, other: AuthorRecord) -> AuthorRecord:
    return AuthorRecord(
        display_name=first.display_name,
        openalex_id=first.openalex_id or other.openalex_id,
        orcid=first.orcid or other.orcid,
        name_variants=tuple(dict.fromkeys(first.name_variants + other.name_variants)),
        arxiv_name_forms=tuple(dict.fromkeys(first.arxiv_name_forms + other.arxiv_name_forms)),
        institution=first.institution or other.institution,
        summary=first.summary or other.summary,
    )


def search_name(display_name: str, variants: Sequence[str]) -> str:
    """What name search matches: the folded display name and variants."""
    return " | ".join(dict.fromkeys(fold(name) for name in [display_name, *variants] if name))


def byline_coauthors(records: Iterable[WorkRecord]) -> dict[str, set[str]]:
    """For each author named without ids, the folded names of everyone beside them on the
    records' bylines: the evidence researcher_for_name weighs."""
    coauthors: dict[str, set[str]] = {}
    for record in records:
        byline = {fold(item.author.display_name) for item in record.authorships}
        for item in record.authorships:
            if author_identity(item.author)[0] == "name":
                name = fold(item.author.display_name)
                coauthors.setdefault(name, set()).update(byline - {name})
    return coauthors


def _has_ids(row: ResearcherRow) -> bool:
    return bool(row.openalex_id or row.orcid)


def researcher_for_name(
    named: Sequence[ResearcherT],
    *,
    pinned: ResearcherT | None = None,
    coauthors: Collection[str] | None = None,
    known_coauthors: Mapping[int, Collection[str]] | None = None,
) -> ResearcherT | None:
    """Which stored record an author known only by name is, for every source (arXiv and demo
    bylines, an arXiv author search); None means a new record.

    named: the stored records with that folded name. In order:
    1. pinned, the record an import is for, which it pinned this name to;
    2. a record of that name that has no ids either (made from a name before);
    3. of the records of that name with an OpenAlex id or ORCID, the only one the evidence
       allows. A byline (coauthors: the folded names beside it) allows the ones that share a
       co-author with it (known_coauthors: pk → folded names of its co-authors); a search for
       one person by name (coauthors None) allows them all.
    """
    if pinned is not None:
        return pinned
    without_ids = [row for row in named if not _has_ids(row)]
    if without_ids:
        return without_ids[-1]
    allowed = [row for row in named if _has_ids(row)]
    if coauthors is not None:
        known = known_coauthors or {}
        allowed = [row for row in allowed if set(known.get(row.pk, ())) & set(coauthors)]
    return allowed[0] if len(allowed) == 1 else None


def coauthors_compared(
    named: Sequence[ResearcherRow], *, pinned: ResearcherRow | None = None
) -> list[int]:
    """The records whose co-authors researcher_for_name compares for this name: none when rule
    1 or 2 decides, else every record of the name with ids."""
    if pinned is not None or not all(_has_ids(row) for row in named):
        return []
    return [row.pk for row in named]


# --- Works ------------------------------------------------------------------------------------

ID_FIELDS = ("openalex_id", "doi", "arxiv_id")


def work_keys(record: WorkRecord) -> set[tuple[str, str]]:
    """A record's identity within a batch: its OpenAlex id; without one, each id it has;
    without any, its normalised title and year. Records sharing a key are one work."""
    if record.openalex_id:
        return {("openalex_id", record.openalex_id)}
    keys = {(name, getattr(record, name)) for name in ID_FIELDS if getattr(record, name)}
    return keys or {("title", f"{title_key_of(record.title)}|{record.publication_year}")}


def work_for_title(record: WorkRecord, by_title: Mapping[str, Sequence[WorkT]]) -> WorkT | None:
    """The one stored work with the same normalised title and year whose ids do not
    contradict the record's (the last resort for matching across sources)."""
    candidates = [
        row
        for row in by_title.get(title_key_of(record.title), [])
        if row.publication_year == record.publication_year
        and all(
            not getattr(row, name)
            or not getattr(record, name)
            or getattr(row, name) == getattr(record, name)
            for name in ID_FIELDS
        )
    ]
    return candidates[0] if len(candidates) == 1 else None


def stored_work_for(
    record: WorkRecord,
    *,
    stored: Mapping[tuple[str, str], WorkT],
    by_title: Mapping[str, Sequence[WorkT]],
) -> WorkT | None:
    """The stored work a record describes (stored: (id field, value) → row).

    An OpenAlex id is a work's identity: two OpenAlex works are two rows, even when OpenAlex
    lists a preprint and its published version separately. A record with an OpenAlex id
    matches a row from another source (arXiv, demo) through its arXiv id or DOI only when that
    row has no OpenAlex id yet; an arXiv id counts only on the arXiv version itself. Failing
    ids, the same normalised title and year match.
    """
    if record.openalex_id and (row := stored.get(("openalex_id", record.openalex_id))):
        return row
    for name in ("arxiv_id", "doi"):
        value = getattr(record, name)
        if not value or (name == "arxiv_id" and not record.arxiv_id_confident):
            continue
        candidate = stored.get((name, value))
        if candidate and (not record.openalex_id or not candidate.openalex_id):
            return candidate
    return work_for_title(record, by_title)


def works_paired(
    records: Sequence[WorkRecord],
    *,
    stored: Mapping[tuple[str, str], WorkT],
    by_title: Mapping[str, Sequence[WorkT]],
) -> tuple[list[tuple[WorkRecord, WorkT | None]], int]:
    """Pair each record with the stored work it describes (stored_work_for; None: a new work).
    Returns the pairs and how many records were skipped as duplicates: of a record before
    them, or of a stored work a record before them took.

    An id that belongs to another work is dropped from the record, which is stored without it:
    one stored on another row, one taken by a record before it, and an arXiv id several
    records name, which the arXiv version itself (arxiv_id_confident) keeps.
    """
    keepers = _arxiv_id_keepers(records)
    paired: list[tuple[WorkRecord, WorkT | None]] = []
    skipped = 0
    seen: set[tuple[str, str]] = set()
    taken_rows: set[int] = set()
    for position, record in enumerate(records):
        keys = work_keys(record)
        if keys & seen:
            skipped += 1
            continue
        seen |= keys
        row = stored_work_for(record, stored=stored, by_title=by_title)
        if row is not None:
            if row.pk in taken_rows:
                skipped += 1
                continue
            taken_rows.add(row.pk)
        dropped = _ids_dropped(
            record,
            row,
            keys=keys,
            seen=seen,
            stored=stored,
            keeps_arxiv_id=keepers.get(record.arxiv_id) == position,
        )
        paired.append((replace(record, **dropped) if dropped else record, row))
    return paired, skipped


def _arxiv_id_keepers(records: Sequence[WorkRecord]) -> dict[str, int]:
    """For each arXiv id in the batch, the position of the record that keeps it: the first
    that is the arXiv version itself, else the first."""
    keepers: dict[str, int] = {}
    by_confidence = sorted(enumerate(records), key=lambda item: not item[1].arxiv_id_confident)
    for position, record in by_confidence:
        if record.arxiv_id:
            keepers.setdefault(record.arxiv_id, position)
    return keepers


def _ids_dropped(record, row, *, keys, seen, stored, keeps_arxiv_id) -> dict[str, None]:
    """The record's arXiv id and DOI that another work holds, as replace() arguments; the
    ones it keeps join seen, so no later record takes them."""
    kinds = {key[0] for key in keys}
    dropped: dict[str, None] = {}
    for name in ("arxiv_id", "doi"):
        value = getattr(record, name)
        owner = stored.get((name, value)) if value else None
        taken = (
            (owner is not None and owner is not row)
            or (name == "arxiv_id" and bool(value) and not keeps_arxiv_id)
            or ((name, value) in seen and name not in kinds)
        )
        if taken:
            dropped[name] = None
        elif value:
            seen.add((name, value))
    return dropped
