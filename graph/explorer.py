"""Reads for the graph explorer: one node's neighbourhood as JSON-ready nodes and edges.

Node ids are "<kind>:<key>": person:<researcher slug>, paper:<work slug>, topic:<topic id>,
institution:<OpenAlex id>. Every node carries the address of its page, every edge a label
that says why it exists.
"""

from django.db.models import Count, Q

from graph.models import Collaboration
from graph.selectors import plural, years_text
from profiles.models import Researcher
from works.models import Authorship, Institution, Topic, Work

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

    def add(self, kind: str, pairs, total: int) -> None:
        """pairs: (node, edge kind, label, weight) for up to limit neighbours of one kind."""
        if kind not in self.kinds:
            return
        for node, edge_kind, label, weight in pairs:
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
        shown = len(pairs)
        if total > shown:
            self.truncated[kind] = total - shown

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
    if "person" in kinds:
        rows = collaborations.select_related("researcher_a", "researcher_b").order_by(
            "-shared_works", "-strength", "pk"
        )[:limit]
        near.add(
            "person",
            [
                (
                    {
                        **person_node(
                            row.researcher_b if row.researcher_a_id == pk else row.researcher_a
                        ),
                        # The latest shared year, so the year filter can hide people too.
                        "year": row.last_year,
                    },
                    "coauthor",
                    f"co-authored {plural(row.shared_works, 'paper')}, "
                    f"{years_text(row.first_year, row.last_year)}".rstrip(", "),
                    row.strength,
                )
                for row in rows
            ],
            collaborations.count(),
        )
    works = near.works(Work.objects.filter(authorships__researcher=researcher))
    if "paper" in kinds:
        rows = works.defer("source_payload").order_by("-publication_year", "title_key")[:limit]
        near.add(
            "paper",
            [
                (paper_node(work), "authored", f"{researcher.display_name} is an author", 1)
                for work in rows
            ],
            works.count(),
        )
    if "topic" in kinds:
        topics = Topic.objects.filter(works__in=works).annotate(n=Count("works", distinct=True))
        rows = topics.order_by("-n", "name")[:limit]
        near.add(
            "topic",
            [
                (
                    topic_node(topic),
                    "about",
                    f"{topic.n} of {plural(researcher.works_count, 'work')} on this topic",
                    topic.n,
                )
                for topic in rows
            ],
            topics.count(),
        )
    if "institution" in kinds:
        institutions = (
            Institution.objects.filter(
                Q(researchers=researcher) | Q(authorships__researcher=researcher)
            )
            .annotate(
                n=Count("authorships", filter=Q(authorships__researcher=researcher), distinct=True)
            )
            .distinct()
        )
        rows = institutions.order_by("-n", "name")[:limit]
        near.add(
            "institution",
            [
                (
                    institution_node(row),
                    "affiliated",
                    f"affiliation on {plural(row.n, 'work')}"
                    if row.n
                    else "last known institution",
                    row.n,
                )
                for row in rows
            ],
            institutions.count(),
        )
    return near.as_json()


def _paper(work, kinds, year_from, year_to, limit) -> dict:
    near = _Neighbourhood(paper_node(work), kinds, None, None, limit)
    if "person" in kinds:
        bylines = Authorship.objects.filter(work=work).select_related("researcher")
        rows = bylines.order_by("position")[:limit]
        near.add(
            "person",
            [
                (
                    person_node(row.researcher),
                    "authored",
                    f"author {row.position + 1} of {work.authors_count}",
                    1,
                )
                for row in rows
            ],
            bylines.count(),
        )
    if "topic" in kinds:
        rows = list(work.worktopic_set.select_related("topic").order_by("-score")[:limit])
        near.add(
            "topic",
            [
                (
                    topic_node(row.topic),
                    "about",
                    f"topic of this paper (score {row.score:.2f})",
                    row.score,
                )
                for row in rows
            ],
            len(rows),
        )
    if "institution" in kinds:
        institutions = (
            Institution.objects.filter(authorships__work=work)
            .annotate(n=Count("authorships", distinct=True))
            .distinct()
        )
        rows = institutions.order_by("-n", "name")[:limit]
        near.add(
            "institution",
            [
                (
                    institution_node(row),
                    "affiliated",
                    f"affiliation of {plural(row.n, 'author')}",
                    row.n,
                )
                for row in rows
            ],
            institutions.count(),
        )
    return near.as_json()


def _topic(topic, kinds, year_from, year_to, limit) -> dict:
    near = _Neighbourhood(topic_node(topic), kinds, year_from, year_to, limit)
    works = near.works(Work.objects.filter(topics=topic))
    if "paper" in kinds:
        rows = works.defer("source_payload").order_by("-citation_count", "-publication_year")[
            :limit
        ]
        near.add(
            "paper",
            [(paper_node(work), "about", "a paper on this topic", 1) for work in rows],
            works.count(),
        )
    if "person" in kinds:
        people = Researcher.objects.filter(authorships__work__in=works).annotate(
            n=Count("authorships__work", distinct=True)
        )
        rows = people.order_by("-n", "display_name")[:limit]
        near.add(
            "person",
            [
                (person_node(row), "about", f"{plural(row.n, 'work')} on this topic", row.n)
                for row in rows
            ],
            people.count(),
        )
    return near.as_json()


def _institution(institution, kinds, year_from, year_to, limit) -> dict:
    near = _Neighbourhood(institution_node(institution), kinds, year_from, year_to, limit)
    if "person" in kinds:
        people = (
            Researcher.objects.filter(
                Q(institution=institution) | Q(authorships__institutions=institution)
            )
            .annotate(
                n=Count(
                    "authorships", filter=Q(authorships__institutions=institution), distinct=True
                )
            )
            .distinct()
        )
        rows = people.order_by("-n", "display_name")[:limit]
        near.add(
            "person",
            [
                (
                    person_node(row),
                    "affiliated",
                    f"affiliated on {plural(row.n, 'work')}" if row.n else "last known institution",
                    row.n,
                )
                for row in rows
            ],
            people.count(),
        )
    if "paper" in kinds:
        works = near.works(Work.objects.filter(authorships__institutions=institution)).distinct()
        rows = works.defer("source_payload").order_by("-publication_year", "title_key")[:limit]
        near.add(
            "paper",
            [(paper_node(work), "affiliated", "an author's affiliation", 1) for work in rows],
            works.count(),
        )
    return near.as_json()
