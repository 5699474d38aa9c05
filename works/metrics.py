"""Citation metrics of a list of works, from the counts stored on them (docs/metrics.md). Pure
functions: no database."""

from collections.abc import Iterable
from dataclasses import dataclass


def h_index(counts: Iterable[int | None]) -> int:
    """The largest h such that h works have at least h citations each. Unknown counts (None)
    count as no work at all, not as zero citations: they can only lower h."""
    ranked = sorted((count for count in counts if count is not None), reverse=True)
    return sum(1 for rank, count in enumerate(ranked, start=1) if count >= rank)


def i10_index(counts: Iterable[int | None]) -> int:
    """Works with at least 10 citations."""
    return sum(1 for count in counts if count is not None and count >= 10)


@dataclass(frozen=True)
class YearRow:
    year: int
    works: int
    citations: int


def per_year(works: Iterable[tuple[int | None, list | None]]) -> list[YearRow]:
    """Works published and citations received per year, from each work's (publication year,
    citations by year as [[year, count], …]), every year from the first to the last with
    either; undated works and unknown counts are left out."""
    published: dict[int, int] = {}
    cited: dict[int, int] = {}
    for year, by_year in works:
        if year:
            published[year] = published.get(year, 0) + 1
        for cited_year, count in by_year or []:
            cited[cited_year] = cited.get(cited_year, 0) + count
    years = published.keys() | cited.keys()
    if not years:
        return []
    return [
        YearRow(year, published.get(year, 0), cited.get(year, 0))
        for year in range(min(years), max(years) + 1)
    ]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    label: str


def bars(rows: list[YearRow], *, field: str, width: float, height: float) -> list[Bar]:
    """Bar geometry for one series in a width × height box, tallest bar filling it."""
    if not rows:
        return []
    top = max(getattr(row, field) for row in rows) or 1
    step = width / len(rows)
    result = []
    for index, row in enumerate(rows):
        value = getattr(row, field)
        bar_height = round(height * value / top, 1)
        result.append(
            Bar(
                x=round(index * step + step * 0.15, 1),
                y=round(height - bar_height, 1),
                height=bar_height,
                label=f"{row.year}: {value}",
            )
        )
    return result
