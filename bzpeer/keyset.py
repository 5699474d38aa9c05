"""Keyset pagination for lists that grow: a page is the rows after (or before) a cursor in a
total order, read by one index range scan wherever the page is. No OFFSET (page n would read
the n-1 pages before it) and no COUNT (a list of millions would be counted on every request).

The order is a row comparison, (k1, k2, …, pk) > (v1, v2, …, vpk), so every key runs the same
way: a list that wants one key descending and another ascending orders by a negated number
(an expression index serves it). The cursor is the keys of the page's first or last row, as
URL-safe base64 JSON; an unreadable cursor is the first page.
"""

import base64
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan


@dataclass(frozen=True)
class KeysetPage:
    items: list
    # The query-string values of the neighbouring pages' cursors; "" at either end.
    next_cursor: str
    previous_cursor: str

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _encode(values: list) -> str:
    # Times to the microsecond (JSON encoders round to milliseconds): a rounded key would put
    # the row it came from on the next page again.
    values = [value.isoformat() if isinstance(value, datetime.date) else value for value in values]
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(queryset: QuerySet, keys: Sequence[str], cursor: str) -> list | None:
    """The cursor's values, each as its key's field reads it; None if it is not one of ours."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    meta, annotations = queryset.model._meta, queryset.query.annotations
    try:
        return [
            (
                annotations[key].output_field
                if key in annotations
                else meta.pk
                if key == "pk"
                else meta.get_field(key)
            ).to_python(value)
            for key, value in zip(keys, values, strict=True)
        ]
    except (ValidationError, TypeError, ValueError):
        return None


def keyset_page(
    queryset: QuerySet,
    keys: Sequence[str],
    *,
    size: int,
    after: str = "",
    before: str = "",
    descending: bool = False,
) -> KeysetPage:
    """The page of queryset in the order of keys (field or annotation names, the last one
    unique, all ascending or with descending all descending): after the `after` cursor, or the
    one before the `before` cursor, or the first."""
    cursor, backwards = (before, True) if before else (after, False)
    values = _decode(queryset, keys, cursor) if cursor else None
    if values is None:
        backwards = False
    # Walking back reads the same index the other way, then turns the rows round.
    reverse = descending != backwards
    rows = queryset
    if values is not None:
        lookup = TupleLessThan if reverse else TupleGreaterThan
        rows = rows.filter(lookup(Tuple(*(F(key) for key in keys)), values))
    rows = list(rows.order_by(*(f"-{key}" if reverse else key for key in keys))[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    if backwards:
        if not more:
            # Back at the start: the first page, full.
            return keyset_page(queryset, keys, size=size, descending=descending)
        rows.reverse()

    def cursor_of(row) -> str:
        return _encode([getattr(row, key) for key in keys])

    has_next = True if backwards else more
    has_previous = True if backwards else values is not None
    return KeysetPage(
        items=rows,
        next_cursor=cursor_of(rows[-1]) if has_next and rows else "",
        previous_cursor=cursor_of(rows[0]) if has_previous and rows else "",
    )
