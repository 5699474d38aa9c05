"""Author records → researcher rows: find each one's stored record (works.ingest.matching),
create the missing ones, add to the stored ones what they lack. Fields only gain information:
an empty value never overwrites a stored one."""

from collections import defaultdict
from collections.abc import Collection, Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bzpeer.db import bulk_insert, bulk_update
from works.ingest.matching import (
    Identity,
    authors_merged,
    coauthors_compared,
    researcher_for_name,
    search_name,
)
from works.ingest.result import IngestResult
from works.ingest.writes import upsert_institutions
from works.models import Authorship, MatchMethod, Researcher
from works.sources.records import AuthorRecord
from works.text import fold, make_slug, name_is_mixed_script

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
    "openalex_summary",
]
UPDATED_FIELDS = [
    "openalex_id",
    "orcid",
    "name_variants",
    "arxiv_name_forms",
    "institution",
    "search_name",
    "openalex_summary",
    "updated_at",
]


def upsert_researchers(
    records: Iterable[AuthorRecord],
    *,
    result: IngestResult,
    pinned: dict[str, int] | None = None,
    coauthors: dict[str, set[str]] | None = None,
    methods: dict[Identity, str] | None = None,
) -> dict[Identity, int]:
    """Returns {identity: pk}, identity as matching.author_identity gives it. methods, when
    given, receives how each identity was matched (models.MatchMethod).

    Records with an OpenAlex id or ORCID match on those. Records with neither (demo and arXiv
    bylines) are matched by matching.researcher_for_name: pinned maps folded names to the
    researcher an import is for, coauthors each folded name to the folded names beside it on
    the batch's bylines (matching.byline_coauthors).
    """
    merged = authors_merged(records)
    if not merged:
        return {}
    institution_ids = upsert_institutions(
        record.institution for record in merged.values() if record.institution
    )
    names = {key[1] for key in merged if key[0] == "name"}
    pinned = {name: pk for name, pk in (pinned or {}).items() if name in names}
    rows = _stored(merged.values(), names=names, pinned_ids=pinned.values())
    by_openalex = {row.openalex_id: row for row in rows if row.openalex_id}
    by_orcid = {row.orcid: row for row in rows if row.orcid}
    name_methods: dict[str, str] = {}
    by_name = _by_name(
        rows, names=names, pinned=pinned, coauthors=coauthors or {}, methods=name_methods
    )
    methods = {} if methods is None else methods

    resolved: dict[Identity, Researcher] = {}
    to_create: list[tuple[Identity, Researcher]] = []
    to_update: dict[int, Researcher] = {}
    for key, record in merged.items():
        row, methods[key] = _found(record, key, by_openalex, by_orcid, by_name, name_methods)
        institution_id = (
            institution_ids.get(record.institution.openalex_id) if record.institution else None
        )
        if row is None:
            row = _new(record, institution_id=institution_id, taken_orcids=by_orcid)
            to_create.append((key, row))
            # Later records of the batch with these ids are this person.
            if row.orcid:
                by_orcid[row.orcid] = row
            if row.openalex_id:
                by_openalex[row.openalex_id] = row
            continue
        resolved[key] = row
        # A row without pk was created earlier in this batch under another identifier.
        if row.pk is not None and _gained(row, record, institution_id, by_orcid=by_orcid):
            to_update[row.pk] = row

    _create([row for _, row in to_create])
    resolved.update(to_create)
    bulk_update(Researcher, list(to_update.values()), UPDATED_FIELDS)
    result.researchers_created += len(to_create)
    result.researchers_updated += len(to_update)
    result.researcher_ids |= {row.pk for _, row in to_create} | set(to_update)
    return {key: row.pk for key, row in resolved.items()}


def _found(record, key, by_openalex, by_orcid, by_name, name_methods):
    """The stored record an author record is, and how it was matched."""
    if record.openalex_id and (row := by_openalex.get(record.openalex_id)):
        return row, MatchMethod.OPENALEX
    if record.orcid and (row := by_orcid.get(record.orcid)):
        return row, MatchMethod.ORCID
    if key[0] == "name" and (row := by_name.get(key[1])):
        return row, name_methods[key[1]]
    # A new record: the identity it is made from.
    return None, {"openalex": MatchMethod.OPENALEX, "orcid": MatchMethod.ORCID}.get(
        key[0], MatchMethod.NAME
    )


def researcher_for_search(*, name: str) -> Researcher:
    """The researcher an author search by name is for (an arXiv import asked for a name):
    matching.researcher_for_name's choice for a search that names one person, else a new
    record."""
    key = fold(name)
    row = researcher_for_name(list(Researcher.objects.filter(name_key=key)))
    if row is not None:
        return row
    identities = upsert_researchers(
        [AuthorRecord(display_name=name, arxiv_name_forms=(name,))], result=IngestResult()
    )
    return Researcher.objects.get(pk=identities[("name", key)])


def _stored(
    records: Iterable[AuthorRecord], *, names: set[str], pinned_ids: Collection[int]
) -> list[Researcher]:
    """The stored records the author records may be: by id, by folded name, and pinned."""
    openalex_ids, orcids = set(), set()
    for record in records:
        if record.openalex_id:
            openalex_ids.add(record.openalex_id)
        if record.orcid:
            orcids.add(record.orcid)
    return list(
        Researcher.objects.filter(
            Q(openalex_id__in=openalex_ids)
            | Q(orcid__in=orcids)
            | Q(name_key__in=names)
            | Q(pk__in=pinned_ids)
        ).only(*RESEARCHER_IDENTITY_FIELDS)
    )


def _by_name(
    rows: list[Researcher],
    *,
    names: set[str],
    pinned: dict[str, int],
    coauthors: dict[str, set[str]],
    methods: dict[str, str],
) -> dict[str, Researcher]:
    """{folded name: the stored record it is}, for the names matching.researcher_for_name
    finds one for."""
    by_pk = {row.pk: row for row in rows}
    named: dict[str, list[Researcher]] = defaultdict(list)
    for row in rows:
        named[row.name_key].append(row)
    pinned_rows = {name: by_pk.get(pk) for name, pk in pinned.items()}
    compared = [
        pk for name in names for pk in coauthors_compared(named[name], pinned=pinned_rows.get(name))
    ]
    known = _coauthor_names(compared) if compared and coauthors else {}
    found = {
        name: researcher_for_name(
            named[name],
            pinned=pinned_rows.get(name),
            coauthors=coauthors.get(name, set()),
            known_coauthors=known,
        )
        for name in names
    }
    for name, row in found.items():
        if row is None:
            continue
        if row is pinned_rows.get(name):
            methods[name] = MatchMethod.PINNED
        elif row.openalex_id or row.orcid:
            methods[name] = MatchMethod.NAME_COAUTHOR
        else:
            methods[name] = MatchMethod.NAME
    return {name: row for name, row in found.items() if row is not None}


def _coauthor_names(researcher_ids: list[int]) -> dict[int, set[str]]:
    """The folded names of each researcher's co-authors, on the works small enough to make
    collaboration pairs (GRAPH_MAX_AUTHORS_FOR_EDGES, the graph's rule)."""
    known: dict[int, set[str]] = defaultdict(set)
    for researcher_id, name in (
        Authorship.objects.filter(
            researcher_id__in=researcher_ids,
            work__authors_count__lte=settings.GRAPH_MAX_AUTHORS_FOR_EDGES,
        )
        .values_list("researcher_id", "work__authorships__researcher__name_key")
        .order_by()
        .distinct()
    ):
        known[researcher_id].add(name)
    return known


def _new(
    record: AuthorRecord, *, institution_id: int | None, taken_orcids: dict[str, Researcher]
) -> Researcher:
    return Researcher(
        display_name=record.display_name[:300],
        name_key=fold(record.display_name)[:300],
        openalex_id=record.openalex_id,
        orcid=record.orcid if record.orcid not in taken_orcids else None,
        name_variants=list(record.name_variants),
        arxiv_name_forms=list(record.arxiv_name_forms),
        institution_id=institution_id,
        search_name=search_name(record.display_name, record.name_variants),
        name_needs_review=name_is_mixed_script(record.display_name),
        openalex_summary=dict(record.summary) or None,
    )


def _gained(
    row: Researcher,
    record: AuthorRecord,
    institution_id: int | None,
    *,
    by_orcid: dict[str, Researcher],
) -> bool:
    """Add to a stored record what the author record knows and it lacks; True when it gained."""
    before = (
        row.openalex_id,
        row.orcid,
        list(row.name_variants),
        list(row.arxiv_name_forms),
        row.institution_id,
        row.openalex_summary,
    )
    if record.summary:
        row.openalex_summary = dict(record.summary)
    if record.openalex_id and not row.openalex_id:
        row.openalex_id = record.openalex_id
    if record.orcid and not row.orcid and record.orcid not in by_orcid:
        row.orcid = record.orcid
        by_orcid[row.orcid] = row
    row.name_variants = list(dict.fromkeys([*row.name_variants, *record.name_variants]))
    row.arxiv_name_forms = list(dict.fromkeys([*row.arxiv_name_forms, *record.arxiv_name_forms]))
    if institution_id:
        row.institution_id = institution_id
    after = (
        row.openalex_id,
        row.orcid,
        row.name_variants,
        row.arxiv_name_forms,
        row.institution_id,
        row.openalex_summary,
    )
    if after == before:
        return False
    row.search_name = search_name(row.display_name, row.name_variants)
    row.updated_at = timezone.now()
    return True


def _create(rows: list[Researcher]) -> None:
    """Insert new records with free slugs and give each its pk."""
    if not rows:
        return
    slugs = _free_slugs(
        [
            (
                make_slug(row.display_name, fallback=row.openalex_id or ""),
                (row.openalex_id or "r").lower(),
            )
            for row in rows
        ]
    )
    for row, slug in zip(rows, slugs, strict=True):
        row.slug = slug
    bulk_insert(Researcher, rows)
    pks = dict(
        Researcher.objects.filter(slug__in=[row.slug for row in rows]).values_list("slug", "pk")
    )
    for row in rows:
        row.pk = pks[row.slug]


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
