"""Source records → idempotent bulk upserts. No HTTP here.

Each call writes only what differs from what is stored, in a fixed number of bulk statements per
batch, so running the same import twice changes nothing. Sanitising happens here, once, on the
way in.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bzpeer.db import bulk_insert, bulk_update, insert_values
from graph.models import Collaboration
from graph.services import collaborations_refresh
from profiles.services import researcher_stats_refresh
from works.models import Authorship, Institution, Researcher, Topic, Work, WorkTopic
from works.sanitize import sanitize_html, to_plain_text
from works.sources.records import (
    AuthorRecord,
    InstitutionRecord,
    TopicRecord,
    WorkRecord,
)
from works.text import fold, make_slug, title_key

BATCH_SIZE = 1000


@dataclass
class IngestResult:
    works_created: int = 0
    works_updated: int = 0
    works_unchanged: int = 0
    duplicates_skipped: int = 0
    authorships_written: int = 0
    researchers_created: int = 0
    researchers_updated: int = 0
    # Works with more authors than GRAPH_MAX_AUTHORS_FOR_EDGES, and the pairs they did not make.
    hyperauthored_works: int = 0
    edges_skipped: int = 0
    work_ids: list[int] = field(default_factory=list)
    # Researchers whose counts and trust may have changed, and the subset whose collaboration
    # pairs may have (authors of changed works small enough to make pairs).
    researcher_ids: set[int] = field(default_factory=set)
    graph_researcher_ids: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            name: value
            for name, value in vars(self).items()
            if isinstance(value, int) and not isinstance(value, bool)
        }

    def add(self, other: "IngestResult") -> None:
        for name, value in other.counts().items():
            setattr(self, name, getattr(self, name) + value)
        self.work_ids.extend(other.work_ids)
        self.researcher_ids |= other.researcher_ids
        self.graph_researcher_ids |= other.graph_researcher_ids


# --- Institutions and topics ------------------------------------------------------------------


def upsert_institutions(records: Iterable[InstitutionRecord]) -> dict[str, int]:
    """Returns {openalex_id: pk}. E-mail domains only ever grow."""
    wanted: dict[str, InstitutionRecord] = {}
    for record in records:
        wanted.setdefault(record.openalex_id, record)
    if not wanted:
        return {}
    existing = {row.openalex_id: row for row in Institution.objects.filter(openalex_id__in=wanted)}
    to_create, to_update = [], []
    for key, record in wanted.items():
        values = {
            "name": record.name[:500],
            "ror": record.ror,
            "country_code": record.country_code,
            "type": record.type,
        }
        row = existing.get(key)
        if row is None:
            to_create.append(
                Institution(openalex_id=key, email_domains=list(record.email_domains), **values)
            )
            continue
        domains = sorted(set(row.email_domains) | set(record.email_domains))
        values = {name: value for name, value in values.items() if value}
        if domains != sorted(row.email_domains) or any(
            getattr(row, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(row, name, value)
            row.email_domains = domains
            to_update.append(row)
    Institution.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=BATCH_SIZE)
    Institution.objects.bulk_update(
        to_update, ["name", "ror", "country_code", "type", "email_domains"], batch_size=BATCH_SIZE
    )
    return dict(Institution.objects.filter(openalex_id__in=wanted).values_list("openalex_id", "pk"))


def upsert_topics(records: Iterable[TopicRecord]) -> dict[str, int]:
    """Returns {external_id: pk}."""
    wanted: dict[str, TopicRecord] = {}
    for record in records:
        wanted.setdefault(record.external_id, record)
    if not wanted:
        return {}
    fields = ["name", "subfield", "field", "domain"]
    existing = {row.external_id: row for row in Topic.objects.filter(external_id__in=wanted)}
    to_create, to_update = [], []
    for key, record in wanted.items():
        values = {name: getattr(record, name)[:300] for name in fields}
        row = existing.get(key)
        if row is None:
            to_create.append(Topic(external_id=key, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    Topic.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=BATCH_SIZE)
    Topic.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
    return dict(Topic.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))


# --- Researchers ------------------------------------------------------------------------------


def _identity(record: AuthorRecord) -> tuple[str, str]:
    if record.openalex_id:
        return ("openalex", record.openalex_id)
    if record.orcid:
        return ("orcid", record.orcid)
    return ("name", fold(record.display_name))


def _merge(first: AuthorRecord, other: AuthorRecord) -> AuthorRecord:
    return AuthorRecord(
        display_name=first.display_name,
        openalex_id=first.openalex_id or other.openalex_id,
        orcid=first.orcid or other.orcid,
        name_variants=tuple(dict.fromkeys(first.name_variants + other.name_variants)),
        arxiv_name_forms=tuple(dict.fromkeys(first.arxiv_name_forms + other.arxiv_name_forms)),
        institution=first.institution or other.institution,
    )


def _search_name(display_name: str, variants: Sequence[str]) -> str:
    return " | ".join(dict.fromkeys(fold(name) for name in [display_name, *variants] if name))


def _free_slugs(bases: list[tuple[str, str]]) -> list[str]:
    """For each (base slug, fallback suffix) pick a slug not used in the table or the batch."""
    candidates = {
        slug
        for base, suffix in bases
        for slug in [base, f"{base}-{suffix}", *(f"{base}-{n}" for n in range(2, 6))]
    }
    taken = set(Researcher.objects.filter(slug__in=candidates).values_list("slug", flat=True))
    chosen = []
    for base, suffix in bases:
        options = [base, f"{base}-{suffix}", *(f"{base}-{n}" for n in range(2, 6))]
        slug = next((option for option in options if option not in taken), None)
        if slug is None:
            slug = f"{base}-{len(taken) + 1}"
        taken.add(slug)
        chosen.append(slug)
    return chosen


def _match_by_coauthors(names: set[str], coauthors: dict[str, set[str]]) -> dict[str, Researcher]:
    """Name-only bylines (arXiv) → a researcher with ids, only when exactly one researcher of
    that folded name already shares a co-author with the byline."""
    candidates: dict[str, list[Researcher]] = {}
    for row in Researcher.objects.filter(name_key__in=names).filter(
        Q(openalex_id__isnull=False) | Q(orcid__isnull=False)
    ):
        candidates.setdefault(row.name_key, []).append(row)
    if not candidates:
        return {}
    ids = [row.pk for rows in candidates.values() for row in rows]
    known: dict[int, set[str]] = {}
    for a, a_name, b, b_name in Collaboration.objects.filter(
        Q(researcher_a_id__in=ids) | Q(researcher_b_id__in=ids)
    ).values_list(
        "researcher_a_id", "researcher_a__name_key", "researcher_b_id", "researcher_b__name_key"
    ):
        known.setdefault(a, set()).add(b_name)
        known.setdefault(b, set()).add(a_name)
    matched = {}
    for name, rows in candidates.items():
        sharing = [row for row in rows if known.get(row.pk, set()) & coauthors.get(name, set())]
        if len(sharing) == 1:
            matched[name] = sharing[0]
    return matched


# What matching and merging read and write; the rest of a researcher row is not loaded.
RESEARCHER_IDENTITY_FIELDS = [
    "slug",
    "display_name",
    "name_key",
    "openalex_id",
    "orcid",
    "name_variants",
    "arxiv_name_forms",
    "institution_id",
    "search_name",
]


def upsert_researchers(
    records: Iterable[AuthorRecord],
    *,
    result: IngestResult,
    pinned: dict[str, int] | None = None,
    coauthors: dict[str, set[str]] | None = None,
) -> dict[tuple[str, str], int]:
    """Returns {identity: pk}, identity as given by _identity(record).

    Records with an OpenAlex id or ORCID match on those. Records with neither (demo and arXiv
    bylines) match, in order: the researcher pinned to their folded name (the person an arXiv
    import is for), an id-less researcher with that folded name, or one researcher with ids
    and that name who shares a co-author (coauthors: folded name → co-authors' folded names).
    Fields only gain information: an empty value never overwrites a stored one.
    """
    merged: dict[tuple[str, str], AuthorRecord] = {}
    for record in records:
        key = _identity(record)
        merged[key] = _merge(merged[key], record) if key in merged else record
    if not merged:
        return {}
    institution_ids = upsert_institutions(
        record.institution for record in merged.values() if record.institution
    )
    openalex_ids = {r.openalex_id for r in merged.values() if r.openalex_id}
    orcids = {r.orcid for r in merged.values() if r.orcid}
    names = {key[1] for key in merged if key[0] == "name"}
    pinned = {name: pk for name, pk in (pinned or {}).items() if name in names}
    existing = list(
        Researcher.objects.filter(
            Q(openalex_id__in=openalex_ids)
            | Q(orcid__in=orcids)
            | Q(name_key__in=names, openalex_id__isnull=True, orcid__isnull=True)
            | Q(pk__in=pinned.values())
        ).only(*RESEARCHER_IDENTITY_FIELDS)
    )
    by_pk = {row.pk: row for row in existing}
    by_openalex = {row.openalex_id: row for row in existing if row.openalex_id}
    by_orcid = {row.orcid: row for row in existing if row.orcid}
    by_name = {row.name_key: row for row in existing if not row.openalex_id and not row.orcid}
    by_name.update({name: by_pk[pk] for name, pk in pinned.items() if pk in by_pk})
    unmatched = names - set(by_name)
    if unmatched and coauthors:
        by_name.update(_match_by_coauthors(unmatched, coauthors))

    resolved: dict[tuple[str, str], Researcher] = {}
    to_create: list[tuple[tuple[str, str], Researcher]] = []
    to_update: dict[int, Researcher] = {}
    for key, record in merged.items():
        row = (
            by_openalex.get(record.openalex_id)
            or by_orcid.get(record.orcid)
            or (by_name.get(key[1]) if key[0] == "name" else None)
        )
        institution_id = (
            institution_ids.get(record.institution.openalex_id) if record.institution else None
        )
        if row is None:
            row = Researcher(
                display_name=record.display_name[:300],
                name_key=fold(record.display_name)[:300],
                openalex_id=record.openalex_id,
                orcid=record.orcid if record.orcid not in by_orcid else None,
                name_variants=list(record.name_variants),
                arxiv_name_forms=list(record.arxiv_name_forms),
                institution_id=institution_id,
                search_name=_search_name(record.display_name, record.name_variants),
            )
            to_create.append((key, row))
            if row.orcid:
                by_orcid[row.orcid] = row
            if row.openalex_id:
                by_openalex[row.openalex_id] = row
            continue
        resolved[key] = row
        if row.pk is None:
            continue  # created earlier in this batch under another identifier
        before = (
            row.openalex_id,
            row.orcid,
            list(row.name_variants),
            list(row.arxiv_name_forms),
            row.institution_id,
        )
        if record.openalex_id and not row.openalex_id:
            row.openalex_id = record.openalex_id
        if record.orcid and not row.orcid and record.orcid not in by_orcid:
            row.orcid = record.orcid
            by_orcid[row.orcid] = row
        row.name_variants = list(dict.fromkeys([*row.name_variants, *record.name_variants]))
        row.arxiv_name_forms = list(
            dict.fromkeys([*row.arxiv_name_forms, *record.arxiv_name_forms])
        )
        if institution_id:
            row.institution_id = institution_id
        after = (
            row.openalex_id,
            row.orcid,
            row.name_variants,
            row.arxiv_name_forms,
            row.institution_id,
        )
        if after != before:
            row.search_name = _search_name(row.display_name, row.name_variants)
            row.updated_at = timezone.now()
            to_update[row.pk] = row

    if to_create:
        slugs = _free_slugs(
            [
                (make_slug(row.display_name), (row.openalex_id or "r").lower())
                for _, row in to_create
            ]
        )
        for (_, row), slug in zip(to_create, slugs, strict=True):
            row.slug = slug
        bulk_insert(Researcher, [row for _, row in to_create])
        pks = dict(
            Researcher.objects.filter(slug__in=[row.slug for _, row in to_create]).values_list(
                "slug", "pk"
            )
        )
        for _, row in to_create:
            row.pk = pks[row.slug]
        resolved.update(to_create)
    bulk_update(
        Researcher,
        list(to_update.values()),
        [
            "openalex_id",
            "orcid",
            "name_variants",
            "arxiv_name_forms",
            "institution",
            "search_name",
            "updated_at",
        ],
    )
    result.researchers_created += len(to_create)
    result.researchers_updated += len(to_update)
    result.researcher_ids |= {row.pk for _, row in to_create} | set(to_update)
    return {key: row.pk for key, row in resolved.items()}


# --- Works ------------------------------------------------------------------------------------

WORK_FIELDS = [
    "title",
    "title_key",
    "abstract",
    "type",
    "venue",
    "publication_date",
    "publication_year",
    "citation_count",
    "is_retracted",
    "authors_count",
    "source_payload",
]
ID_FIELDS = ["openalex_id", "doi", "arxiv_id"]


def _title_key_of(raw_title: str) -> str:
    return title_key(to_plain_text(sanitize_html(raw_title)))[:500]


def _work_values(record: WorkRecord) -> dict:
    title = sanitize_html(record.title) or "Untitled work"
    return {
        "title": title,
        "title_key": _title_key_of(title),
        "abstract": sanitize_html(record.abstract),
        "type": record.type[:64],
        "venue": record.venue[:500],
        "publication_date": record.publication_date,
        "publication_year": record.publication_year
        or (record.publication_date.year if record.publication_date else None),
        "citation_count": max(record.citation_count, 0),
        "is_retracted": record.is_retracted,
        "authors_count": len(record.authorships),
        "source_payload": record.payload,
    }


def _work_slug(key: str, record: WorkRecord) -> str:
    suffix = record.arxiv_id or record.openalex_id or record.doi or key[:8]
    return make_slug(key, suffix=suffix.replace("/", "-"), max_length=80)


def _match_by_title(record: WorkRecord, by_title: dict[str, list[Work]]) -> Work | None:
    """The one stored work with the same normalised title and year whose ids do not
    contradict the record's (the last resort for matching across sources)."""
    candidates = [
        row
        for row in by_title.get(_title_key_of(record.title), [])
        if row.publication_year == record.publication_year
        and all(
            not getattr(row, name)
            or not getattr(record, name)
            or getattr(row, name) == getattr(record, name)
            for name in ID_FIELDS
        )
    ]
    return candidates[0] if len(candidates) == 1 else None


def _resolve(
    records: Iterable[WorkRecord], result: IngestResult
) -> list[tuple[WorkRecord, Work | None]]:
    """Pair each record with the stored Work it describes, dropping duplicates and ids that
    belong to another work.

    An OpenAlex id is a work's identity: two OpenAlex works are two rows, even when OpenAlex
    lists a preprint and its published version separately. A record with an OpenAlex id matches
    a row from another source (arXiv, demo) through its arXiv id or DOI only when that row has
    no OpenAlex id yet. When several works claim one arXiv id, the one that is the arXiv version
    (arxiv_id_confident) keeps it; the others are stored without it. Failing ids, the same
    normalised title and year match.
    """
    records = list(records)
    lookups = {name: {getattr(r, name) for r in records if getattr(r, name)} for name in ID_FIELDS}
    query = Q(pk__in=[])
    for name, values in lookups.items():
        if values:
            query |= Q(**{f"{name}__in": values})
    index = {
        (name, getattr(row, name)): row
        for row in Work.objects.filter(query)
        for name in ID_FIELDS
        if getattr(row, name)
    }
    by_title: dict[str, list[Work]] = {}
    for row in Work.objects.filter(
        title_key__in={_title_key_of(record.title) for record in records}
    ):
        by_title.setdefault(row.title_key, []).append(row)
    arxiv_winner: dict[str, int] = {}
    for position, record in sorted(
        enumerate(records), key=lambda item: not item[1].arxiv_id_confident
    ):
        if record.arxiv_id:
            arxiv_winner.setdefault(record.arxiv_id, position)

    paired: list[tuple[WorkRecord, Work | None]] = []
    seen: set[tuple[str, str]] = set()
    claimed_rows: set[int] = set()
    for position, record in enumerate(records):
        if record.openalex_id:
            keys = {("openalex_id", record.openalex_id)}
        else:
            keys = {(name, getattr(record, name)) for name in ID_FIELDS if getattr(record, name)}
            keys = keys or {("title", f"{_title_key_of(record.title)}|{record.publication_year}")}
        if keys & seen:
            result.duplicates_skipped += 1
            continue
        seen |= keys

        row = index.get(("openalex_id", record.openalex_id)) if record.openalex_id else None
        if row is None:
            for name in ("arxiv_id", "doi"):
                value = getattr(record, name)
                if name == "arxiv_id" and not record.arxiv_id_confident:
                    continue
                candidate = index.get((name, value)) if value else None
                if candidate and (not record.openalex_id or not candidate.openalex_id):
                    row = candidate
                    break
        if row is None:
            row = _match_by_title(record, by_title)
        if row is not None and row.pk in claimed_rows:
            result.duplicates_skipped += 1
            continue
        if row is not None:
            claimed_rows.add(row.pk)

        dropped = {}
        for name in ("arxiv_id", "doi"):
            value = getattr(record, name)
            owner = index.get((name, value)) if value else None
            taken = owner is not None and owner is not row
            if name == "arxiv_id" and value and arxiv_winner[value] != position:
                taken = True
            if (name, value) in seen and name not in {key[0] for key in keys}:
                taken = True
            if taken:
                dropped[name] = None
            elif value:
                seen.add((name, value))
        paired.append((replace(record, **dropped) if dropped else record, row))
    return paired


@transaction.atomic
def ingest_works(
    records: Iterable[WorkRecord],
    *,
    authors: Iterable[AuthorRecord] = (),
    pinned: dict[str, int] | None = None,
    refresh: bool = True,
) -> IngestResult:
    """Upsert works with their authorships and topics, then refresh the graph and counts.

    authors are full author records fetched on their own (an OpenAlex author lookup); they are
    merged with the bylines' records. One transaction: the whole batch (an API page) is written
    or none of it. pinned maps folded names to the researcher an import is for. With
    refresh=False the caller refreshes the graph and counts of result.researcher_ids itself
    (an import does it once, after its pages, not after each).
    """
    result = IngestResult()
    paired = _resolve(records, result)
    # A record without an OpenAlex id (arXiv) that names a work OpenAlex described only fills
    # what the work lacks; OpenAlex's byline, with its author ids, stays.
    supplements = [(r, row) for r, row in paired if row and row.openalex_id and not r.openalex_id]
    paired = [(r, row) for r, row in paired if not (row and row.openalex_id and not r.openalex_id)]
    records = [record for record, _ in paired]
    authors = list(authors)
    _supplement(supplements, result)
    if not records and not authors:
        return result

    coauthors: dict[str, set[str]] = {}
    for record in records:
        byline = {fold(a.author.display_name) for a in record.authorships}
        for authorship in record.authorships:
            if _identity(authorship.author)[0] == "name":
                name = fold(authorship.author.display_name)
                coauthors.setdefault(name, set()).update(byline - {name})
    identities = upsert_researchers(
        [*authors, *(a.author for record in records for a in record.authorships)],
        result=result,
        pinned=pinned,
        coauthors=coauthors,
    )
    institution_ids = upsert_institutions(
        institution
        for record in records
        for authorship in record.authorships
        for institution in authorship.institutions
    )
    topic_ids = upsert_topics(item.topic for record in records for item in record.topics)

    if not records:
        if refresh:
            researcher_stats_refresh(researcher_ids=result.researcher_ids)
        return result
    to_create, to_update, works = [], [], []
    now = timezone.now()
    for record, row in paired:
        values = _work_values(record)
        if row is None:
            row = Work(
                slug=_work_slug(values["title_key"], record),
                **{name: getattr(record, name) for name in ID_FIELDS},
                **values,
            )
            to_create.append(row)
        else:
            changed = False
            for name in ID_FIELDS:
                value = getattr(record, name)
                if value and not getattr(row, name):
                    setattr(row, name, value)
                    changed = True
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
            if changed:
                row.updated_at = now
                to_update.append(row)
            else:
                result.works_unchanged += 1
        works.append(row)
    bulk_insert(Work, to_create)
    if to_create:
        pks = dict(
            Work.objects.filter(slug__in=[row.slug for row in to_create]).values_list("slug", "pk")
        )
        for row in to_create:
            row.pk = pks[row.slug]
    bulk_update(Work, to_update, WORK_FIELDS + ID_FIELDS + ["updated_at"])
    result.works_created += len(to_create)
    result.works_updated += len(to_update)
    result.work_ids.extend(row.pk for row in works)

    _sync_authorships(records, works, identities, institution_ids, result)
    retopiced = _sync_topics(records, works, topic_ids)
    changed_work_ids = {row.pk for row in to_create + to_update} | retopiced
    cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
    if changed_work_ids:
        for researcher_id, authors in Authorship.objects.filter(
            work_id__in=changed_work_ids
        ).values_list("researcher_id", "work__authors_count"):
            result.researcher_ids.add(researcher_id)
            if authors <= cap:
                result.graph_researcher_ids.add(researcher_id)

    for record in records:
        authors = len(record.authorships)
        if authors > cap:
            result.hyperauthored_works += 1
            result.edges_skipped += authors * (authors - 1) // 2

    if refresh:
        collaborations_refresh(researcher_ids=result.graph_researcher_ids)
        researcher_stats_refresh(researcher_ids=result.researcher_ids)
    return result


SUPPLEMENTED_FIELDS = ["abstract", "publication_date", "arxiv_id", "doi"]


def _supplement(pairs: list[tuple[WorkRecord, Work]], result: IngestResult) -> None:
    changed = []
    for record, row in pairs:
        values = _work_values(record)
        values.update(arxiv_id=record.arxiv_id, doi=record.doi)
        filled = [name for name in SUPPLEMENTED_FIELDS if values[name] and not getattr(row, name)]
        for name in filled:
            setattr(row, name, values[name])
        if filled:
            row.updated_at = timezone.now()
            changed.append(row)
    Work.objects.bulk_update(changed, SUPPLEMENTED_FIELDS + ["updated_at"], BATCH_SIZE)
    result.works_updated += len(changed)
    result.works_unchanged += len(pairs) - len(changed)
    result.work_ids.extend(row.pk for _, row in pairs)


def _sync_authorships(records, works, identities, institution_ids, result: IngestResult) -> None:
    """Rewrite the byline of each work whose stored byline differs from the record's."""
    work_ids = [work.pk for work in works if work.pk]
    stored: dict[int, list[tuple]] = {work_id: [] for work_id in work_ids}
    through = Authorship.institutions.through
    stored_institutions: dict[int, set[int]] = {}
    for row in through.objects.filter(authorship__work_id__in=work_ids).values_list(
        "authorship_id", "institution_id"
    ):
        stored_institutions.setdefault(row[0], set()).add(row[1])
    for authorship in Authorship.objects.filter(work_id__in=work_ids).order_by("position"):
        stored[authorship.work_id].append(
            (
                authorship.researcher_id,
                authorship.raw_author_name,
                authorship.raw_affiliation,
                frozenset(stored_institutions.get(authorship.pk, ())),
            )
        )

    replace_work_ids, new_rows = [], []
    for record, work in zip(records, works, strict=True):
        if not record.authorships:
            continue
        byline, seen = [], set()
        for authorship in record.authorships:
            researcher_id = identities[_identity(authorship.author)]
            if researcher_id in seen:
                continue  # the same person listed twice on one work
            seen.add(researcher_id)
            institutions = frozenset(
                institution_ids[institution.openalex_id] for institution in authorship.institutions
            )
            byline.append(
                (
                    researcher_id,
                    authorship.raw_author_name[:500],
                    authorship.raw_affiliation,
                    institutions,
                )
            )
        if byline == stored[work.pk]:
            continue
        before, after = {row[0] for row in stored[work.pk]}, {row[0] for row in byline}
        result.researcher_ids |= before | after
        # A byline over the cap makes no pairs, before or after the change.
        cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
        result.graph_researcher_ids |= (before if len(before) <= cap else set()) | (
            after if len(after) <= cap else set()
        )
        replace_work_ids.append(work.pk)
        new_rows.extend((work.pk, position, row) for position, row in enumerate(byline))

    if not replace_work_ids:
        return
    Authorship.objects.filter(work_id__in=replace_work_ids).delete()
    insert_values(
        Authorship,
        ["work_id", "position", "researcher_id", "raw_author_name", "raw_affiliation"],
        [[work_id, position, row[0], row[1], row[2]] for work_id, position, row in new_rows],
    )
    pks = {
        (work_id, position): pk
        for work_id, position, pk in Authorship.objects.filter(
            work_id__in=replace_work_ids
        ).values_list("work_id", "position", "pk")
    }
    insert_values(
        through,
        ["authorship_id", "institution_id"],
        [
            [pks[(work_id, position)], institution_id]
            for work_id, position, row in new_rows
            for institution_id in row[3]
        ],
    )
    result.authorships_written += len(new_rows)


def _sync_topics(records, works, topic_ids) -> set[int]:
    """Make each work's topics the record's; returns the ids of works whose topics changed."""
    work_ids = [work.pk for work in works]
    stored = {
        (work_id, topic_id): score
        for work_id, topic_id, score in WorkTopic.objects.filter(work_id__in=work_ids).values_list(
            "work_id", "topic_id", "score"
        )
    }
    wanted = {}
    for record, work in zip(records, works, strict=True):
        if not record.topics:
            continue
        for item in record.topics:
            wanted.setdefault((work.pk, topic_ids[item.topic.external_id]), item.score)
    touched = {work_id for work_id, _ in wanted}
    stale = [pair for pair in stored if pair[0] in touched and pair not in wanted]
    changed = [pair for pair, score in wanted.items() if stored.get(pair) != score]
    replaced = [pair for pair in stale + changed if pair in stored]
    if replaced:
        query = Q(pk__in=[])
        for work_id, topic_id in replaced:
            query |= Q(work_id=work_id, topic_id=topic_id)
        WorkTopic.objects.filter(query).delete()
    if changed:
        WorkTopic.objects.bulk_create(
            [
                WorkTopic(work_id=work_id, topic_id=topic_id, score=wanted[(work_id, topic_id)])
                for work_id, topic_id in changed
            ],
            batch_size=BATCH_SIZE,
        )
    return {work_id for work_id, _ in stale + changed}
