"""The profile export (all three formats) of one researcher with 10,000 generated works, and
the sitemap's rebuild over 100,000 generated researchers (and those works).

The bench database is emptied and the demo data reloaded at the end, as bench/import_speed.py
does."""

import datetime
import time
import tracemalloc

WORKS = 10_000
RESEARCHERS = 100_000
SEED = 14


def _load() -> int:
    from bench.data import researchers
    from bzpeer.db import bulk_insert
    from works.models import Authorship, Researcher, Work

    bulk_insert(Researcher, researchers(RESEARCHERS, seed=SEED, name="Export Bench"))
    owner = Researcher.objects.order_by("pk").first()
    co_author = Researcher.objects.order_by("pk")[1]
    bulk_insert(
        Work,
        [
            Work(
                slug=f"export-bench-{n}",
                title=f"Study {n} of <i>generated</i> works & their 50% {{braces}}",
                title_key=f"study {n}",
                abstract="An abstract with $x^2$ maths.",
                type="article" if n % 3 else "preprint",
                venue="Journal of Benchmarks" if n % 3 else "",
                arxiv_id=None if n % 3 else f"2401.{n:05d}",
                doi=f"10.5555/bench.{n}" if n % 3 else None,
                publication_year=2000 + n % 25,
                publication_date=datetime.date(2000 + n % 25, 1 + n % 12, 1 + n % 28),
                authors_count=2,
            )
            for n in range(WORKS)
        ],
    )
    work_ids = list(Work.objects.order_by("pk").values_list("pk", flat=True))
    bulk_insert(
        Authorship,
        [Authorship(work_id=w, researcher_id=owner.pk, position=0) for w in work_ids]
        + [Authorship(work_id=w, researcher_id=co_author.pk, position=1) for w in work_ids],
    )
    return owner.pk


def bench_exports(bench, *, print_table) -> None:
    from bench.import_speed import truncate
    from profiles import sitemaps
    from profiles.selectors import researcher_export_works
    from works import exports
    from works.models import Researcher
    from works.services import demo_data_load

    truncate()
    owner = Researcher.objects.get(pk=_load())
    rows = []
    for fmt in exports.FORMATS.values():
        works = researcher_export_works(researcher=owner)
        tracemalloc.start()
        start = time.perf_counter()
        size = sum(len(chunk) for chunk in fmt.stream(exports.references(works)))
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # Without tracemalloc's overhead, for the time per 1,000.
        start = time.perf_counter()
        for _chunk in fmt.stream(exports.references(researcher_export_works(researcher=owner))):
            pass
        plain = time.perf_counter() - start
        rows.append(
            [
                fmt.label,
                f"{plain / WORKS * 1000:.3f}",
                f"{size / 1e6:.1f}",
                f"{peak / 1e6:.1f}",
                f"{seconds:.2f}",
            ]
        )
    print_table(
        f"Profile export, {WORKS:,} works with 2 authors each, streamed in chunks of "
        f"{exports.EXPORT_CHUNK_SIZE}",
        ["format", "s per 1,000 works", "MB out", "peak Python MB (tracemalloc)",
         "s under tracemalloc"],
        rows,
    )  # fmt: skip

    start = time.perf_counter()
    index = sitemaps.rebuild()
    seconds = time.perf_counter() - start
    urls = RESEARCHERS + WORKS
    print_table(
        f"Sitemap rebuild: {RESEARCHERS:,} researchers and {WORKS:,} works, keyset walk",
        ["files", "URLs", "seconds", "URLs per second"],
        [[len(index["entries"]), f"{urls:,}", f"{seconds:.2f}", f"{urls / seconds:,.0f}"]],
    )  # fmt: skip

    truncate()
    demo_data_load()
