"""Reads from the collaboration graph."""

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, QuerySet

from graph.layout import text_width
from graph.models import Collaboration, ResearcherInstitution, ResearcherTopic
from works.models import Authorship, Researcher, Work
from works.text import plural

# A close collaborator shares at least this many works (docs/graph.md).
CLOSE_MIN_SHARED_WORKS = 2


def collaborator_counts(
    *,
    researcher_ids: Collection[int],
    min_shared_works: int = CLOSE_MIN_SHARED_WORKS,
    min_level: int = 0,
) -> Counter:
    """How many collaborators each researcher has with at least min_shared_works shared works
    and, with min_level, at least that verification level."""
    counts: Counter = Counter()
    for own, other in (("researcher_a", "researcher_b"), ("researcher_b", "researcher_a")):
        conditions = {f"{own}_id__in": researcher_ids, "shared_works__gte": min_shared_works}
        if min_level:
            conditions[f"{other}__verification_level__gte"] = min_level
        rows = (
            Collaboration.objects.filter(**conditions)
            .values_list(f"{own}_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for researcher_id, n in rows:
            counts[researcher_id] += n
    return counts


class Ranked:
    """Rows in an order that no single queryset gives, read as a Paginator or the explorer
    reads a queryset: a slice of them (first(n) builds the first n) and count()."""

    def __init__(self, first: Callable[[int | None], list], count: Callable[[], int]):
        self._first, self._count = first, count

    def __getitem__(self, part: slice) -> list:
        return self._first(part.stop)[part.start :]

    def count(self) -> int:
        return self._count()


def close_collaborators(*, researcher_id: int) -> Ranked:
    """Every close collaborator (CLOSE_MIN_SHARED_WORKS, the rule close_collaborators_count
    counts by), most shared works first, as (researcher, collaboration): the list the profile's
    number links to. A page reads the rows up to its end from each side's rank index, so none
    builds all of them (1,280 people for the 2,000-work researcher of bench-scale's smaller
    set)."""
    close = Collaboration.objects.filter(shared_works__gte=CLOSE_MIN_SHARED_WORKS)
    return Ranked(
        lambda n: _collaborations_of(close, researcher_id, n),
        lambda: collaborations_count(close, researcher_id),
    )


# --- The profile's graph slice ----------------------------------------------------------------

SLICE_PEOPLE = 8
SLICE_PAPERS = 5
SLICE_TOPICS = 6
SLICE_INSTITUTIONS = 6
SLICE_CACHE_SECONDS = 24 * 60 * 60


def slice_cache_key(researcher_id: int) -> str:
    return f"graph-slice:v4:{researcher_id}"


def years_text(first: int | None, last: int | None) -> str:
    if not first:
        return ""
    return str(first) if first == last or not last else f"{first}–{last}"


def collaboration_reason(collaboration: Collaboration) -> str:
    """Why two researchers are near each other, e.g. "co-authored 7 papers, 2019–2022"."""
    years = years_text(collaboration.first_year, collaboration.last_year)
    return f"co-authored {plural(collaboration.shared_works, 'paper')}" + (
        f", {years}" if years else ""
    )


@dataclass(frozen=True)
class SliceItem:
    """A node near the researcher and the one-line reason it is here."""

    label: str
    url: str
    reason: str
    weight: float = 0.0


@dataclass(frozen=True)
class GraphSlice:
    people: list[SliceItem]
    papers: list[SliceItem]
    recent_papers: list[SliceItem]
    topics: list[SliceItem]
    institutions: list[SliceItem]
    svg: "EgoNetwork"


def collaborations_ranked(
    collaborations: QuerySet[Collaboration], researcher_id: int, limit: int | None
) -> list[Collaboration]:
    """The first `limit` (or all) of these collaborations of the researcher, most shared works
    first, then strength, with both researchers. Each side of the pair is read in order from
    its rank index (graph migration 0005) and the two merged: an OR of the sides sorted every
    collaboration of a prolific researcher to find a few."""
    rows = [
        row
        for side in ("researcher_a_id", "researcher_b_id")
        for row in collaborations.filter(**{side: researcher_id})
        .select_related("researcher_a", "researcher_b")
        .order_by("-shared_works", "-strength", "pk")[:limit]
    ]
    rows.sort(key=lambda row: (-row.shared_works, -row.strength, row.pk))
    return rows[:limit]


def collaborations_count(collaborations: QuerySet[Collaboration], researcher_id: int) -> int:
    """How many of these collaborations the researcher has: each side counted on its own rank
    index (an OR of the two read every row)."""
    return sum(
        collaborations.filter(**{side: researcher_id}).count()
        for side in ("researcher_a_id", "researcher_b_id")
    )


def _collaborations_of(
    collaborations: QuerySet[Collaboration], researcher_id: int, limit: int | None
) -> list[tuple[Researcher, Collaboration]]:
    return [
        (row.other(researcher_id), row)
        for row in collaborations_ranked(collaborations, researcher_id, limit)
    ]


def graph_slice(*, researcher: Researcher) -> GraphSlice:
    """The people, papers, topics and institutions around a researcher, each with why it is
    there, and an ego network drawing. A fixed number of queries whatever the neighbourhood's
    size; cached until graph.services.collaborations_refresh touches the researcher, as an
    import does and as hiding or showing again a work of theirs must, or until the
    researcher's page_version moves (on Postgres every change that reaches the slice moves it,
    so a slice built just before a change is not kept under the new version)."""
    key = slice_cache_key(researcher.pk)
    cached = cache.get(key)
    if cached is not None and cached[0] == researcher.page_version:
        return cached[1]
    result = _build_slice(researcher)
    cache.set(key, (researcher.page_version, result), SLICE_CACHE_SECONDS)
    return result


def _build_slice(researcher: Researcher) -> GraphSlice:
    near = _collaborations_of(Collaboration.objects.all(), researcher.pk, SLICE_PEOPLE)
    near_ids = [person.pk for person, _ in near]
    names = {person.pk: person.display_name for person, _ in near}
    people = [
        SliceItem(
            label=person.display_name,
            url=person.get_absolute_url(),
            reason=collaboration_reason(row),
            weight=row.strength,
        )
        for person, row in near
    ]
    between = Collaboration.objects.filter(
        researcher_a_id__in=near_ids, researcher_b_id__in=near_ids
    ).values_list("researcher_a_id", "researcher_b_id", "shared_works")

    # The works the profile shows and the bylines whose owners did not hide them (the one rule,
    # works.models): a work hidden as "not mine" leads nowhere in the slice.
    own_works = Work.objects.shown_on([researcher.pk])
    near_bylines = Authorship.objects.shown().filter(researcher_id__in=near_ids)
    # The near people's bylines on the researcher's works, counted per work. The works both
    # share first, from the bylines' index alone; then the profile's rule on those few: applied
    # to all 2,000 works of a prolific researcher it read each one's row, and took longer the
    # larger the table (docs/scaling.md, "Growth").
    shared = (
        Authorship.objects.filter(
            researcher=researcher,
            work__in=Authorship.objects.filter(researcher_id__in=near_ids).values("work_id"),
        )
        .values_list("work_id", flat=True)
        .order_by()
    )
    near_authors = dict(
        near_bylines.filter(work__in=own_works.filter(pk__in=list(shared)))
        .values_list("work_id")
        .annotate(n=Count("researcher_id"))
        .order_by()
    )
    connected = sorted(
        Work.objects.filter(pk__in=near_authors).only(
            "slug", "title", "title_key", "publication_year"
        ),
        key=lambda work: (-near_authors[work.pk], -(work.publication_year or 0), work.title_key),
    )[:SLICE_PAPERS]
    recent = list(
        Work.objects.filter(Exists(near_bylines.filter(work_id=OuterRef("pk"))))
        .exclude(authorships__researcher=researcher)
        .order_by("-publication_year", "title_key")
        .only("slug", "title", "publication_year")[:SLICE_PAPERS]
    )
    authors_near: dict[int, list[str]] = {}
    for work_id, person_id in (
        near_bylines.filter(work_id__in=[work.pk for work in connected + recent])
        .order_by("position")
        .values_list("work_id", "researcher_id")
    ):
        authors_near.setdefault(work_id, []).append(names[person_id])

    def paper(work: Work, lead: str) -> SliceItem:
        with_whom = ", ".join(authors_near.get(work.pk, [])[:3])
        year = f" ({work.publication_year})" if work.publication_year else ""
        return SliceItem(
            label=work.plain_title, url=work.get_absolute_url(), reason=f"{lead} {with_whom}{year}"
        )

    topics = list(
        ResearcherTopic.objects.filter(researcher=researcher)
        .select_related("topic")
        .order_by("-works", "topic__name")[:SLICE_TOPICS]
    )
    total = max(researcher.works_count, 1)
    institutions = list(
        ResearcherInstitution.objects.filter(researcher=researcher)
        .select_related("institution")
        .order_by("-works", "institution__name")[:SLICE_INSTITUTIONS]
    )
    return GraphSlice(
        people=people,
        papers=[paper(work, "with") for work in connected],
        recent_papers=[paper(work, "by") for work in recent],
        topics=[
            SliceItem(
                label=row.topic.name,
                url=row.topic.get_absolute_url(),
                reason=f"{row.works} of {plural(total, 'work')} "
                f"({round(100 * row.works / total)}%)",
                weight=row.works / total,
            )
            for row in topics
        ],
        institutions=[
            SliceItem(
                label=row.institution.name,
                url=row.institution.get_absolute_url(),
                reason=f"an affiliation on {plural(row.works, 'work')}",
            )
            for row in institutions
        ],
        svg=ego_network(researcher, near, list(between)),
    )


# --- Ego network drawing ----------------------------------------------------------------------

# The drawing's size in its own units: a fixed box, so the page can keep its place before it
# arrives (.ego__frame in site.css has the same aspect ratio). At 390 px wide it is drawn at about
# 0.85 of this size, so EGO_FONT_PX 14 renders at 12 px.
EGO_WIDTH, EGO_ROW, EGO_MARGIN = 360, 32, 28
EGO_HEIGHT = 2 * EGO_MARGIN + (SLICE_PEOPLE - 1) * EGO_ROW
EGO_FONT_PX = 14
EGO_CENTRE_X, EGO_PEOPLE_X, EGO_LABEL_X = 40, 150, 164


@dataclass(frozen=True)
class EgoNode:
    x: float
    y: float
    r: float
    label: str
    title: str


@dataclass(frozen=True)
class EgoEdge:
    d: str  # SVG path data
    width: float
    title: str
    direct: bool


@dataclass(frozen=True)
class EgoNetwork:
    width: int
    height: int
    label_x: float
    centre: EgoNode
    nodes: list[EgoNode]
    edges: list[EgoEdge]


def fitted_label(text: str, width: float, font_px: float) -> str:
    """The text, or as much of it as fits in width followed by an ellipsis."""
    if text_width(text, font_px) <= width:
        return text
    while text and text_width(text + "…", font_px) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def ego_network(researcher, near, between) -> EgoNetwork:
    """Positions for a server-rendered SVG: the researcher on the left, one row per
    collaborator on the right with their name beside them, line width by shared works; dashed
    arcs where two collaborators wrote together. One name a row, so no label meets another."""
    centre_y = EGO_HEIGHT / 2
    centre = EgoNode(EGO_CENTRE_X, centre_y, 18, researcher.display_name, researcher.display_name)
    label_room = EGO_WIDTH - EGO_LABEL_X - 4
    # Fewer people than rows sit in the middle rows.
    top = EGO_MARGIN + (SLICE_PEOPLE - len(near)) * EGO_ROW / 2
    nodes, edges, position = [], [], {}
    most = max((row.shared_works for _, row in near), default=1)
    for index, (person, row) in enumerate(near):
        y = round(top + index * EGO_ROW, 1)
        position[person.pk] = y
        reason = f"co-authored {plural(row.shared_works, 'paper')}"
        nodes.append(
            EgoNode(
                EGO_PEOPLE_X,
                y,
                round(5 + 5 * row.shared_works / most, 1),
                fitted_label(person.display_name, label_room, EGO_FONT_PX),
                f"{person.display_name}: {reason}",
            )
        )
        edges.append(
            EgoEdge(
                f"M{EGO_CENTRE_X} {centre_y}L{EGO_PEOPLE_X} {y}",
                round(1 + 4 * row.shared_works / most, 1),
                f"{researcher.display_name} and {person.display_name}: {reason}",
                True,
            )
        )
    for a, b, shared in between:
        y1, y2 = position[a], position[b]
        # An arc bowing towards the researcher, away from the names.
        bow = round(EGO_PEOPLE_X - 0.6 * abs(y2 - y1), 1)
        edges.append(
            EgoEdge(
                f"M{EGO_PEOPLE_X} {y1}Q{bow} {round((y1 + y2) / 2, 1)} {EGO_PEOPLE_X} {y2}",
                1,
                f"co-authored {plural(shared, 'paper')} together",
                False,
            )
        )
    return EgoNetwork(EGO_WIDTH, EGO_HEIGHT, EGO_LABEL_X, centre, nodes, edges)
