"""Which works are versions of one another (a preprint and its published article, a repository
copy): a pure grouping function, and the step of ingest that applies it.

OpenAlex lists each version as its own work, with its own id and DOI, so ids cannot tie them in
our rows (each id belongs to one row). What ties them is the same normalised title, a shared
byline and the kind of work: datasets, paratexts and the like share titles with the paper they
belong to without being a version of it.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from works.models import Authorship, VersionSplit, Work

# OpenAlex types that are never a version of a paper, whatever their title.
NOT_VERSIONS = frozenset(
    {
        "dataset",
        "paratext",
        "erratum",
        "retraction",
        "peer-review",
        "supplementary-materials",
        "software",
        "editorial",
        "grant",
        "standard",
        "other",
    }
)
# A title shorter than this ("Introduction", "Reply") says nothing about being one work.
MIN_TITLE_WORDS = 3
# Versions of one paper appear within a few years of each other.
MAX_YEARS_APART = 6


@dataclass(frozen=True)
class Candidate:
    pk: int
    title_key: str
    type: str = ""
    author_ids: frozenset = frozenset()
    doi: str | None = None
    arxiv_id: str | None = None
    year: int | None = None
    citation_count: int | None = None


def can_be_version(work: Candidate) -> bool:
    return (
        work.type not in NOT_VERSIONS
        and len(work.title_key.split()) >= MIN_TITLE_WORDS
        and bool(work.author_ids)
    )


def are_versions(a: Candidate, b: Candidate) -> bool:
    """Same normalised title, at least half of the shorter byline shared, years close."""
    if not (can_be_version(a) and can_be_version(b)) or a.title_key != b.title_key:
        return False
    shared = len(a.author_ids & b.author_ids)
    if shared * 2 < min(len(a.author_ids), len(b.author_ids)) or not shared:
        return False
    return a.year is None or b.year is None or abs(a.year - b.year) <= MAX_YEARS_APART


def primary_rank(work: Candidate) -> tuple:
    """The primary of a group comes first: a published version over a preprint, one with a
    DOI, then the most cited (the version of record collects the citations), then the oldest
    row."""
    preprint = work.type == "preprint" or (work.arxiv_id is not None and not work.doi)
    return (preprint, work.doi is None, -(work.citation_count or 0), work.pk)


def versions_grouped(
    works: Iterable[Candidate], *, splits: Collection[frozenset[int]] = ()
) -> dict[int, int | None]:
    """{pk: the pk of its group's primary, or None for a primary or a work alone}. splits are
    pairs the owner said are different works: never joined, directly or through a third."""
    works = list(works)
    parent = {work.pk: work.pk for work in works}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    members: dict[int, set[int]] = {work.pk: {work.pk} for work in works}
    by_title: dict[str, list[Candidate]] = {}
    for work in works:
        by_title.setdefault(work.title_key, []).append(work)
    for same_title in by_title.values():
        for index, a in enumerate(same_title):
            for b in same_title[index + 1 :]:
                ra, rb = root(a.pk), root(b.pk)
                if ra == rb or not are_versions(a, b):
                    continue
                if any(frozenset((x, y)) in splits for x in members[ra] for y in members[rb]):
                    continue
                parent[rb] = ra
                members[ra] |= members.pop(rb)
    by_pk = {work.pk: work for work in works}
    grouped: dict[int, int | None] = {}
    for group in members.values():
        primary = min((by_pk[pk] for pk in group), key=primary_rank).pk
        for pk in group:
            grouped[pk] = None if pk == primary else primary
    return grouped


def versions_regroup(title_keys: Iterable[str]) -> set[int]:
    """Recompute version_of for every stored work with these titles; returns the ids of works
    whose version_of changed. Three reads and one write, whatever the number of works."""
    keys = {key for key in title_keys if len(key.split()) >= MIN_TITLE_WORDS}
    if not keys:
        return set()
    rows = list(
        Work.objects.filter(title_key__in=keys).values_list(
            "pk",
            "title_key",
            "type",
            "doi",
            "arxiv_id",
            "publication_year",
            "citation_count",
            "version_of_id",
        )
    )
    pks = [row[0] for row in rows]
    authors: dict[int, set[int]] = {}
    for work_id, researcher_id in Authorship.objects.filter(work_id__in=pks).values_list(
        "work_id", "researcher_id"
    ):
        authors.setdefault(work_id, set()).add(researcher_id)
    splits = {
        frozenset(pair)
        for pair in VersionSplit.objects.filter(work_id__in=pks).values_list("work_id", "other_id")
    }
    grouped = versions_grouped(
        (
            Candidate(
                pk=row[0],
                title_key=row[1],
                type=row[2],
                author_ids=frozenset(authors.get(row[0], ())),
                doi=row[3],
                arxiv_id=row[4],
                year=row[5],
                citation_count=row[6],
            )
            for row in rows
        ),
        splits=splits,
    )
    changed = [
        Work(pk=row[0], version_of_id=grouped[row[0]]) for row in rows if grouped[row[0]] != row[7]
    ]
    Work.objects.bulk_update(changed, ["version_of"], batch_size=1000)
    return {work.pk for work in changed}


def versions_split(*, work: Work, researcher, user) -> set[int]:
    """The owner says this work is not a version of the others in its group: record the
    splits, so no import joins them again, and regroup. Returns the works whose grouping
    changed."""
    primary_id = work.version_of_id or work.pk
    group = set(
        Work.objects.filter(pk=primary_id)
        .values_list("pk", flat=True)
        .union(Work.objects.filter(version_of_id=primary_id).values_list("pk", flat=True))
    )
    VersionSplit.objects.bulk_create(
        [
            VersionSplit(
                work_id=min(work.pk, other),
                other_id=max(work.pk, other),
                researcher=researcher,
                split_by=user,
            )
            for other in group - {work.pk}
        ],
        ignore_conflicts=True,
    )
    return versions_regroup([work.title_key])
