"""The profile's works list: filters, sort and keyset pagination, all read from the query
string. Keyset, not OFFSET: page n costs what page 1 costs."""

import base64
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce

from bzpeer.params import param_int, param_text
from works.text import fold

SORTS = {"date": "Newest first", "citations": "Most cited first"}
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class WorkFilters:
    year_from: int | None = None
    year_to: int | None = None
    type: str = ""
    topic: int | None = None
    q: str = ""
    sort: str = "date"

    @classmethod
    def from_query(cls, query) -> "WorkFilters":
        sort = query.get("sort", "date")
        return cls(
            year_from=param_int(query.get("year_from"), minimum=1, maximum=9999),
            year_to=param_int(query.get("year_to"), minimum=1, maximum=9999),
            type=param_text(query.get("type"), max_length=64),
            topic=param_int(query.get("topic")),
            q=param_text(query.get("q"), max_length=MAX_SEARCH_LENGTH),
            sort=sort if sort in SORTS else "date",
        )

    @property
    def active(self) -> bool:
        return self != WorkFilters(sort=self.sort)

    def params(self, **extra) -> str:
        """The query string of these filters (defaults left out), plus extra."""
        values = {
            "year_from": self.year_from,
            "year_to": self.year_to,
            "type": self.type,
            "topic": self.topic,
            "q": self.q,
            "sort": "" if self.sort == "date" else self.sort,
            **extra,
        }
        return urlencode({key: value for key, value in values.items() if value not in (None, "")})

    def apply(self, works: QuerySet) -> QuerySet:
        if self.year_from:
            works = works.filter(publication_year__gte=self.year_from)
        if self.year_to:
            works = works.filter(publication_year__lte=self.year_to)
        if self.type:
            works = works.filter(type=self.type)
        if self.topic:
            works = works.filter(worktopic__topic_id=self.topic)
        for word in fold(self.q).split()[:8]:
            works = works.filter(title_key__contains=word)
        return works


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) and len(values) in (2, 3) else None


def ordered(works: QuerySet, sort: str) -> QuerySet:
    if sort == "citations":
        return works.annotate(sort_key=Coalesce("citation_count", Value(-1))).order_by(
            "-sort_key", "pk"
        )
    return works.annotate(sort_key=Coalesce("publication_year", Value(0))).order_by(
        "-sort_key", "title_key", "pk"
    )


def after(works: QuerySet, sort: str, cursor: str) -> QuerySet:
    """The works after the cursor in the sort's order; an unreadable cursor is the start."""
    values = _decode(cursor) if cursor else None
    if not values:
        return works
    try:
        if sort == "citations":
            key, pk = int(values[0]), int(values[-1])
            return works.filter(Q(sort_key__lt=key) | Q(sort_key=key, pk__gt=pk))
        key, title_key, pk = int(values[0]), str(values[1]), int(values[2])
    except (ValueError, TypeError, IndexError):
        return works
    return works.filter(
        Q(sort_key__lt=key)
        | Q(sort_key=key, title_key__gt=title_key)
        | Q(sort_key=key, title_key=title_key, pk__gt=pk)
    )


def cursor_of(work, sort: str) -> str:
    if sort == "citations":
        return _encode([work.sort_key, work.pk])
    return _encode([work.sort_key, work.title_key, work.pk])


def works_page(works: QuerySet, filters: WorkFilters, cursor: str, size: int):
    """(the page's works, the cursor of the next page or "")."""
    rows = list(
        after(ordered(filters.apply(works), filters.sort), filters.sort, cursor)[: size + 1]
    )
    if len(rows) > size:
        return rows[:size], cursor_of(rows[size - 1], filters.sort)
    return rows, ""
