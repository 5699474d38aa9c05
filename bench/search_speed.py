"""Search at two sizes: COPY generated researchers (realistic names, accents, common family
names) and works, then time what a visitor asks over HTTP, and show the query plans.

BENCH_SEARCH_RESEARCHERS sets the large size (default 1,000,000 researchers); works are three
times as many. The search indexes are dropped for the load and built after (timed)."""

import os
import random
import re
import statistics
import time

from bench.data import bulk_load, copy_rows, person_name, work_title

SMALL = 10_000
LARGE = int(os.environ.get("BENCH_SEARCH_RESEARCHERS", "1000000"))
WORKS_PER_RESEARCHER = 3
TIMED = 30
WARMUP = 3
PLANTED_PEOPLE = ["Lechao Xiao", "Luke Metz", "Jascha Sohl-Dickstein"]
PLANTED_TITLE = "Wide Bayesian neural networks have a simple weight posterior"
QUERIES = {
    "exact name": "/researchers/?q=lechao+xiao",
    "misspelt name": "/researchers/?q=lechao+xaio",
    "common surname": "/researchers/?q=wang",
    "title phrase": "/search/?kind=works&q=%22weight+posterior%22",
    "suggestion": "/search/suggest/?q=metz+lu",
}


def _index_sql():
    from importlib import import_module

    migration = import_module("works.migrations.0013_work_abstract_key_and_search_indexes")
    return migration.CREATE[1:], migration.DROP


def load(researchers: int, seed: int = 13) -> float:
    from bench.import_speed import truncate
    from works.ingest.matching import search_name
    from works.models import Researcher, Work
    from works.text import fold, title_key

    rng = random.Random(seed)
    truncate()
    create, drop = _index_sql()
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in [*drop, "DROP INDEX IF EXISTS researcher_search_name_trgm"]:
            cursor.execute(statement)
    people = []
    for number in range(1, researchers + 1):
        name = PLANTED_PEOPLE[number - 1] if number <= len(PLANTED_PEOPLE) else person_name(rng)
        given, _, family = name.rpartition(" ")
        variant = f"{given[:1]}. {family}"
        works = int(10 ** rng.uniform(0, 2.5))
        people.append(
            (
                number,
                f"p{number}",
                name,
                fold(name),
                search_name(name, [variant]),
                works,
                rng.randint(0, 3),
            )
        )
    works = []
    for number in range(1, researchers * WORKS_PER_RESEARCHER + 1):
        title = PLANTED_TITLE if number == 1 else work_title(rng)
        works.append(
            (number, f"w{number}", title, title_key(title), rng.randint(1990, 2025), "article")
        )
    with bulk_load([Researcher, Work]):
        copy_rows(
            Researcher,
            [
                "id",
                "slug",
                "display_name",
                "name_key",
                "search_name",
                "works_count",
                "verification_level",
            ],
            people,
        )
        copy_rows(Work, ["id", "slug", "title", "title_key", "publication_year", "type"], works)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in [
            *create,
            "CREATE INDEX IF NOT EXISTS researcher_search_name_trgm "
            "ON profiles_researcher USING gin (search_name gin_trgm_ops)",
            "ANALYZE",
        ]:
            cursor.execute(statement)
    return time.perf_counter() - start


def timings(bench) -> dict[str, tuple[float, float]]:
    figures = {}
    for label, path in QUERIES.items():
        for _ in range(WARMUP):
            bench.session.get(bench.url(path), timeout=120)
        samples = []
        for _ in range(TIMED):
            start = time.perf_counter()
            response = bench.session.get(bench.url(path), timeout=120)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        samples.sort()
        figures[label] = (statistics.median(samples), samples[int(0.9 * (len(samples) - 1))])
    return figures


def plans() -> dict[str, str]:
    """The indexes each candidate query's plan names."""
    from django.db import transaction

    from profiles.search import queries, rank
    from works.models import Researcher, Work

    found = {}
    with transaction.atomic():
        queries._set_similarity_threshold()
        for label, text in [("people 'wang'", "wang"), ("people 'lechao xaio'", "lechao xaio")]:
            candidates = queries._trigram_candidates(
                Researcher.objects.all(), "search_name", rank.name_query_words(text)
            ).values_list("pk")[: queries.CANDIDATES]
            found[label] = candidates.explain()
    text = rank.text_query('"weight posterior"')
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    works = Work.objects.filter(
        RawSQL(  # noqa: S611 - the search's own constant SQL
            f"{queries.WORK_VECTOR} @@ to_tsquery('english', %s)",
            [text.tsquery()],
            output_field=BooleanField(),
        )
    ).values_list("pk")[: queries.CANDIDATES]
    found["works phrase"] = works.explain()
    return {
        label: ", ".join(
            sorted(
                set(
                    re.findall(
                        r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using|on) (\w+)", plan
                    )
                )
            )
        )
        or "no index (" + plan.splitlines()[0] + ")"
        for label, plan in found.items()
    }


def bench_search_speed(bench, *, print_table) -> None:
    from works.services import demo_data_load

    results = {}
    try:
        for size in (SMALL, LARGE):
            start = time.perf_counter()
            index_time = load(size)
            loaded = time.perf_counter() - start
            print(
                f"\nSearch: {size:,} researchers, {size * WORKS_PER_RESEARCHER:,} works loaded in "
                f"{loaded:.0f} s (indexes built in {index_time:.0f} s)"
            )
            results[size] = timings(bench)
            for label, indexes in plans().items():
                print(f"  plan, {label}: {indexes}")
    finally:
        from bench.import_speed import truncate

        truncate()
        demo_data_load()
    rows = []
    for label in QUERIES:
        small, large = results[SMALL][label], results[LARGE][label]
        rows.append(
            [
                label,
                f"{small[0]:.1f}",
                f"{small[1]:.1f}",
                f"{large[0]:.1f}",
                f"{large[1]:.1f}",
                f"{large[0] / small[0]:.2f}x",
            ]
        )
    print_table(
        f"Search over HTTP, ms ({TIMED} timed requests each)",
        [
            "query",
            f"median {SMALL:,}",
            f"p90 {SMALL:,}",
            f"median {LARGE:,}",
            f"p90 {LARGE:,}",
            "ratio",
        ],
        rows,
    )
