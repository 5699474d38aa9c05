"""Reads for the graph explorer: one node's neighbourhood as JSON-ready nodes and edges.

Node ids are "<kind>:<key>": person:<researcher slug>, paper:<work slug>, topic:<topic id>,
institution:<OpenAlex id>. Every node carries the address of its page, every edge a label
that says why it exists.
"""

from operator import attrgetter

from django.db.models import Count, F

from bzpeer.params import has_control_characters, param_int
from graph.layout import ring_layout
from graph.models import Collaboration, ResearcherInstitution, ResearcherTopic
from graph.selectors import (
    Ranked,
    collaboration_reason,
    collaborations_count,
    collaborations_ranked,
)
from works import selectors as work_selectors
from works.models import Authorship, Institution, Researcher, Topic, Work
from works.text import plural

KINDS = ("person", "paper", "topic", "institution")
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class BadNodeId(ValueError):
    pass


class NodeNotFound(LookupError):
    pass


def person_node(researcher: Researcher) -> dict:
    return {
        "id": f"person:{researcher.slug}",
        "kind": "person",
        "label": researcher.display_name,
        "url": researcher.get_absolute_url(),
        "detail": plural(researcher.works_count, "work"),
    }


def paper_node(work: Work) -> dict:
    detail = " · ".join(str(part) for part in (work.publication_year, work.venue) if part)
    return {
        "id": f"paper:{work.slug}",
        "kind": "paper",
        "label": work.plain_title,
        "url": work.get_absolute_url(),
        "detail": detail,
        "year": work.publication_year,
    }


def topic_node(topic: Topic) -> dict:
    return {
        "id": f"topic:{topic.pk}",
        "kind": "topic",
        "label": topic.name,
        "url": topic.get_absolute_url(),
        "detail": topic.field or ("derived from works' content" if topic.is_derived else ""),
    }


def institution_node(institution: Institution) -> dict:
    return {
        "id": f"institution:{institution.openalex_id}",
        "kind": "institution",
        "label": institution.name,
        "url": institution.get_absolute_url(),
        "detail": institution.country_code,
    }


def parse_node_id(node_id: str) -> tuple[str, str]:
    kind, _, key = (node_id or "").partition(":")
    if kind not in KINDS or not key or len(key) > 200 or has_control_characters(key):
        raise BadNodeId(
            "A node id looks like person:<slug>, paper:<slug>, topic:<id> or institution:<id>."
        )
    if kind == "topic" and param_int(key) is None:
        raise BadNodeId("A topic id is a number.")
    return kind, key


class _Neighbourhood:
    def __init__(self, centre: dict, kinds, year_from, year_to, limit):
        self.centre, self.kinds = centre, set(kinds)
        self.year_from, self.year_to, self.limit = year_from, year_to, limit
        self.nodes, self.edges, self.truncated = {}, [], {}

    def works(self, queryset):
        if self.year_from:
            queryset = queryset.filter(publication_year__gte=self.year_from)
        if self.year_to:
            queryset = queryset.filter(publication_year__lte=self.year_to)
        return queryset

    def add(self, kind: str, queryset, *, edge: str, why, weight=None, node=None) -> None:
        """Add up to limit neighbours of one kind from an ordered queryset (or list), each
        joined to the centre by an `edge` labelled `why` (a text, or why(row)) and weighing
        weight(row) (1 if not given). A row is its own node unless node(row) builds it. Two
        queries: the rows and how many there are."""
        if kind not in self.kinds:
            return
        rows = list(queryset[: self.limit])
        for row in rows:
            neighbour = node(row) if node else NODES[kind](row)
            self.nodes.setdefault(neighbour["id"], neighbour)
            self.edges.append(
                {
                    "source": self.centre["id"],
                    "target": neighbour["id"],
                    "kind": edge,
                    "label": why(row) if callable(why) else why,
                    "weight": round(weight(row) if weight else 1, 3),
                }
            )
        if len(rows) == self.limit and (total := _count(queryset)) > len(rows):
            self.truncated[kind] = total - len(rows)

    def as_json(self) -> dict:
        nodes = list(self.nodes.values())
        # Every node's place around the centre at (0, 0), and the box its label takes.
        ring_layout(self.centre, nodes)
        return {
            "node": self.centre,
            "nodes": nodes,
            "edges": self.edges,
            "truncated": self.truncated,
        }


def node_neighbourhood(
    *,
    node_id: str,
    kinds=KINDS,
    year_from: int | None = None,
    year_to: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """Raises BadNodeId or NodeNotFound. A fixed number of queries per node kind."""
    kind, key = parse_node_id(node_id)
    model, field, neighbours = CENTRES[kind]
    try:
        centre = model.objects.get(**{field: int(key) if kind == "topic" else key})
    except model.DoesNotExist:
        raise NodeNotFound(f"No {kind} {key!r} in BZPEER.") from None
    limit = max(1, min(limit, MAX_LIMIT))
    near = _Neighbourhood(NODES[kind](centre), kinds, year_from, year_to, limit)
    neighbours(centre, near)
    return near.as_json()


def _count(rows) -> int:
    return len(rows) if isinstance(rows, list) else rows.count()


def _affiliation(works: int) -> str:
    """The label of a person–institution edge, whichever end it is seen from."""
    return f"affiliated on {plural(works, 'work')}" if works else "last known institution"


def _person(researcher: Researcher, near: _Neighbourhood) -> None:
    pk = researcher.pk
    collaborations = Collaboration.objects.all()
    if near.year_from:
        collaborations = collaborations.filter(last_year__gte=near.year_from)
    if near.year_to:
        collaborations = collaborations.filter(first_year__lte=near.year_to)

    def collaborator(row) -> dict:
        # The latest shared year, so the year filter can hide people too.
        return {**person_node(row.other(pk)), "year": row.last_year}

    near.add(
        "person",
        Ranked(
            lambda n: collaborations_ranked(collaborations, pk, n),
            lambda: collaborations_count(collaborations, pk),
        ),
        edge="coauthor",
        node=collaborator,
        why=collaboration_reason,
        weight=attrgetter("strength"),
    )
    # What the profile shows (works.models): a work the researcher hid as "not mine" is no
    # neighbour, and nor are the topics and institutions only it leads to.
    works = near.works(Work.objects.shown_on([pk]))
    between_years = bool(near.year_from or near.year_to)
    near.add(
        "paper",
        Ranked(
            lambda n: _latest(works, n),
            # In all, the profile's works_count (the same rule, profiles.stats): counting them
            # read every work's row.
            works.count if between_years else lambda: researcher.works_count,
        ),
        edge="authored",
        why=f"{researcher.display_name} is an author",
    )
    near.add(
        "topic",
        _topics_between(works) if between_years else _topics_of(researcher),
        edge="about",
        why=lambda topic: f"{topic.n} of {plural(researcher.works_count, 'work')} on this topic",
        weight=attrgetter("n"),
    )
    near.add(
        "institution",
        _institutions_of(researcher),
        edge="affiliated",
        why=lambda institution: _affiliation(institution.n),
        weight=attrgetter("n"),
    )


def _counted(rows, related: str, count: str) -> list:
    """The related object of each row, with .n, the row's count."""
    found = []
    for row in rows:
        item = getattr(row, related)
        item.n = getattr(row, count)
        found.append(item)
    return found


def _topics_of(researcher: Researcher) -> Ranked:
    """The person's topics as graph.services.neighbourhood_refresh keeps them, each with .n
    (works on it), most first."""
    rows = ResearcherTopic.objects.filter(researcher=researcher)
    return Ranked(
        lambda n: _counted(
            rows.select_related("topic").order_by("-works", "topic__name")[:n], "topic", "works"
        ),
        rows.count,
    )


def _topics_between(works) -> list[Topic]:
    """The topics of these works (some years' of them), each with .n, most first. All of them,
    in one query: counting them again took as long as finding them."""
    return list(
        Topic.objects.filter(works__in=works)
        .annotate(n=Count("works", distinct=True))
        .order_by("-n", "name")
    )


def _latest(works, n: int) -> list[Work]:
    """The n latest of these works (undated last), found on their years and ids alone, which
    the work_keys index holds (works migration 0026), then only their rows read: sorting a
    prolific researcher's works on their titles read 2,000 rows from the table."""
    latest = works.order_by(F("publication_year").desc(nulls_last=True), "-pk")
    return work_selectors.works_in_order(list(latest.values_list("pk", flat=True)[:n]))


def _institutions_of(researcher: Researcher) -> list[Institution]:
    """The person's last known institution and those their shown bylines name, each with .n
    (bylines naming it), most first."""
    rows = (
        ResearcherInstitution.objects.filter(researcher=researcher, bylines__gt=0)
        .select_related("institution")
        .order_by("-bylines", "institution__name")
    )
    institutions = _counted(rows, "institution", "bylines")
    if researcher.institution_id and researcher.institution_id not in {i.pk for i in institutions}:
        last_known = researcher.institution
        last_known.n = 0
        institutions.append(last_known)
    return institutions


def _paper(work: Work, near: _Neighbourhood) -> None:
    near.add(
        "person",
        Authorship.objects.filter(work=work).select_related("researcher").order_by("position"),
        edge="authored",
        node=lambda row: person_node(row.researcher),
        why=lambda row: f"author {row.position + 1} of {work.authors_count}",
    )
    near.add(
        "topic",
        work.worktopic_set.select_related("topic").order_by("-score"),
        edge="about",
        node=lambda row: topic_node(row.topic),
        why=lambda row: f"topic of this paper (score {row.score:.2f})",
        weight=attrgetter("score"),
    )
    near.add(
        "institution",
        Institution.objects.filter(authorships__work=work)
        .annotate(n=Count("authorships", distinct=True))
        .distinct()
        .order_by("-n", "name"),
        edge="affiliated",
        why=lambda institution: f"affiliation of {plural(institution.n, 'author')}",
        weight=attrgetter("n"),
    )


def _topic(topic: Topic, near: _Neighbourhood) -> None:
    works = near.works(work_selectors.topic_works(topic))
    near.add("paper", works, edge="about", why="a paper on this topic")
    authors = work_selectors.authors_ranked(works.values("pk")[: work_selectors.SUMMARY_SAMPLE])
    near.add(
        "person",
        Ranked(lambda n: work_selectors.people_of(authors[:n]), authors.count),
        edge="about",
        why=lambda person: f"{plural(person.works_here, 'work')} on this topic",
        weight=attrgetter("works_here"),
    )


def _institution(institution: Institution, near: _Neighbourhood) -> None:
    near.add(
        "person",
        work_selectors.institution_people(institution, limit=near.limit),
        edge="affiliated",
        why=lambda person: _affiliation(person.works_here),
        weight=attrgetter("works_here"),
    )
    near.add(
        "paper",
        near.works(work_selectors.institution_works(institution)),
        edge="affiliated",
        why="an author's affiliation",
    )


NODES = {
    "person": person_node,
    "paper": paper_node,
    "topic": topic_node,
    "institution": institution_node,
}
# Each kind of centre: its model, the field its node id's key names, and its neighbours.
CENTRES = {
    "person": (Researcher, "slug", _person),
    "paper": (Work, "slug", _paper),
    "topic": (Topic, "pk", _topic),
    "institution": (Institution, "openalex_id", _institution),
}
