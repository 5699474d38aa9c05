"""The demo file (works/demo/seed-researcher.json) → plain records.

The file lists the seed researcher's works as the seed page shows them, with co-authors checked
in public sources (works/demo/PROVENANCE.md). Every work is an arXiv preprint, so every author
is listed on arXiv under the name given.
"""

from works.sources.records import (
    AuthorRecord,
    AuthorshipRecord,
    TopicRecord,
    WorkRecord,
    WorkTopicRecord,
)
from works.text import slugify


def seed_author(data: dict) -> AuthorRecord:
    researcher = data["researcher"]
    return AuthorRecord(
        display_name=researcher["display_name"],
        orcid=researcher.get("orcid"),
        name_variants=tuple(researcher.get("name_variants") or ()),
        arxiv_name_forms=(researcher["display_name"],),
    )


def seed_works(data: dict) -> list[WorkRecord]:
    seed = seed_author(data)
    topics_by_work: dict[str, list[TopicRecord]] = {}
    for topic in data.get("topics") or []:
        record = TopicRecord(external_id=f"derived:{slugify(topic['name'])}", name=topic["name"])
        for arxiv_id in topic.get("supporting_arxiv_ids") or []:
            topics_by_work.setdefault(arxiv_id, []).append(record)

    def author(name: str) -> AuthorRecord:
        if name == seed.display_name:
            return seed
        return AuthorRecord(display_name=name, arxiv_name_forms=(name,))

    return [
        WorkRecord(
            title=work["title"],
            arxiv_id=work["arxiv_id"],
            doi=work.get("doi"),
            abstract=work.get("abstract") or "",
            type=work.get("type") or "preprint",
            venue=work.get("venue") or "arXiv",
            publication_year=work.get("year"),
            authorships=tuple(
                AuthorshipRecord(author=author(name), raw_author_name=name)
                for name in work["authors"]
            ),
            topics=tuple(
                WorkTopicRecord(topic=topic) for topic in topics_by_work.get(work["arxiv_id"], [])
            ),
            payload=work,
            source="demo",
        )
        for work in data["works"]
    ]
