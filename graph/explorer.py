"""Reads for the graph explorer: one node's neighbourhood as JSON-ready nodes and edges.

Node ids are "<kind>:<key>": person:<researcher slug>, paper:<work slug>, topic:<topic id>,
institution:<OpenAlex id>. Every node carries the address of its page, every edge a label
that says why it exists.
"""

from django.db.models import Count, Q

from graph.models import Collaboration
from graph.selectors import years_text
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
    if kind not in KINDS or not key or len(key) > 200:
        raise BadNodeId(
            "A node id looks like person:<slug>, paper:<slug>, topic:<id> or institution:<id>."
        )
    if kind == "topic" and not key.isdigit():
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

    def add(self, kind: str, queryset, link) -> None:
        """Add up to limit neighbours of one kind from an ordered queryset; link(row) gives
        (node, edge kind, why, weight). Two queries: the rows and how many there are."""
        if kind not in self.kinds:
            return
        rows = list(queryset[: self.limit])
        for row in rows:
            node, edge_kind, label, weight = link(row)
            self.nodes.setdefault(node["id"], node)
            self.edges.append(
                {
                    "source": self.centre["id"],
                    "target": node["id"],
                    "kind": edge_kind,
                    "label": label,
                    "weight": round(weight, 3),
                }
            )
        if len(rows) == self.limit and (total := queryset.count()) > len(rows):
            self.truncated[kind] = total - len(rows)

    def as_json(self) -> dict:
        return {
            "node": self.centre,
            "nodes": list(self.nodes.values()),
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
    limit = max(1, min(limit, MAX_LIMIT))
    try:
        if kind == "person":
            return _person(Researcher.objects.get(slug=key), kinds, year_from, year_to, limit)
        if kind == "paper":
            return _paper(Work.objects.get(slug=key), kinds, year_from, year_to, limit)
        if kind == "topic":
            return _topic(Topic.objects.get(pk=int(key)), kinds, year_from, year_to, limit)
        return _institution(
            Institution.objects.get(openalex_id=key), kinds, year_from, year_to, limit
        )
    except (
        Researcher.DoesNotExist,
        Work.DoesNotExist,
        Topic.DoesNotExist,
        Institution.DoesNotExist,
    ):
        raise NodeNotFound(f"No {kind} {key!r} in BZPEER.") from None


def _person(researcher, kinds, year_from, year_to, limit) -> dict:
    near = _Neighbourhood(person_node(researcher), kinds, year_from, year_to, limit)
    pk = researcher.pk
    collaborations = Collaboration.objects.filter(Q(researcher_a_id=pk) | Q(researcher_b_id=pk))
    if year_from:
        collaborations = collaborations.filter(last_year__gte=year_from)
    if year_to:
        collaborations = collaborations.filter(first_year__lte=year_to)

    def collaborator(row):
        other = row.researcher_b if row.researcher_a_id == pk else row.researcher_a
        years = years_text(row.first_year, row.last_year)
        label = f"co-authored {plural(row.shared_works, 'paper')}" + (f", {years}" if years else "")
        # The latest shared year, so the year filter can hide people too.
        return {**person_node(other), "year": row.last_year}, "coauthor", label, row.strength

    near.add(
        "person",
        collaborations.select_related("researcher_a", "researcher_b").order_by(
            "-shared_works", "-strength", "pk"
        ),
        collaborator,
    )
    works = near.works(Work.objects.filter(authorships__researcher=researcher))
    near.add(
        "paper",
        works.defer("source_payload").order_by("-publication_year", "title_key"),
        lambda work: (paper_node(work), "authored", f"{researcher.display_name} is an author", 1),
    )
    near.add(
        "topic",
        Topic.objects.filter(works__in=works)
        .annotate(n=Count("works", distinct=True))
        .order_by("-n", "name"),
        lambda topic: (
            topic_node(topic),
            "about",
            f"{topic.n} of {plural(researcher.works_count, 'work')} on this topic",
            topic.n,
        ),
    )
    near.add(
        "institution",
        Institution.objects.filter(
            Q(researchers=researcher) | Q(authorships__researcher=researcher)
        )
        .annotate(
            n=Count("authorships", filter=Q(authorships__researcher=researcher), distinct=True)
        )
        .distinct()
        .order_by("-n", "name"),
        lambda row: (
            institution_node(row),
            "affiliated",
            f"affiliation on {plural(row.n, 'work')}" if row.n else "last known institution",
            row.n,
        ),
    )
    return near.as_json()


def _paper(work, kinds, year_from, year_to, limit) -> dict:
    near = _Neighbourhood(paper_node(work), kinds, None, None, limit)
    near.add(
        "person",
        Authorship.objects.filter(work=work).select_related("researcher").order_by("position"),
        lambda row: (
            person_node(row.researcher),
            "authored",
            f"author {row.position + 1} of {work.authors_count}",
            1,
        ),
    )
    near.add(
        "topic",
        work.worktopic_set.select_related("topic").order_by("-score"),
        lambda row: (
            topic_node(row.topic),
            "about",
            f"topic of this paper (score {row.score:.2f})",
            row.score,
        ),
    )
    near.add(
        "institution",
        Institution.objects.filter(authorships__work=work)
        .annotate(n=Count("authorships", distinct=True))
        .distinct()
        .order_by("-n", "name"),
        lambda row: (
            institution_node(row),
            "affiliated",
            f"affiliation of {plural(row.n, 'author')}",
            row.n,
        ),
    )
    return near.as_json()


def _topic(topic, kinds, year_from, year_to, limit) -> dict:
    near = _Neighbourhood(topic_node(topic), kinds, year_from, year_to, limit)
    works = near.works(work_selectors.topic_works(topic))
    near.add("paper", works, lambda work: (paper_node(work), "about", "a paper on this topic", 1))
    near.add(
        "person",
        work_selectors.people_of_works(works),
        lambda row: (
            person_node(row),
            "about",
            f"{plural(row.works_here, 'work')} on this topic",
            row.works_here,
        ),
    )
    return near.as_json()


def _institution(institution, kinds, year_from, year_to, limit) -> dict:
    near = _Neighbourhood(institution_node(institution), kinds, year_from, year_to, limit)
    near.add(
        "person",
        work_selectors.institution_people(institution),
        lambda row: (
            person_node(row),
            "affiliated",
            f"affiliated on {plural(row.works_here, 'work')}"
            if row.works_here
            else "last known institution",
            row.works_here,
        ),
    )
    near.add(
        "paper",
        near.works(work_selectors.institution_works(institution)),
        lambda work: (paper_node(work), "affiliated", "an author's affiliation", 1),
    )
    return near.as_json()
