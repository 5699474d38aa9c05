"""The follow feed (social.selectors.feed_works and feed_entries) for a user following
FOLLOWED researchers among RESEARCHERS, next to a floor query measured in the same run.

The data (generated, deterministic, written with COPY into emptied domain tables): RESEARCHERS
researchers, WORKS works with 2-4 authors each (about 3) drawn with a Zipf-like popularity,
imported (created_at) evenly over the past IMPORTED_DAYS days, so about 1% arrived in the past
week; publication dates up to three years before the import, a tenth of them missing (the feed
then sorts by the import date). LINKED records have `primary` set, half of them to a followed
researcher (their works join the feed through the link). HIDDEN HiddenWork rows, a fifth of
them on followed researchers' own authorships. One user follows FOLLOWED researchers (sampled
uniformly), followed over the past 90 days.

Timed, interleaved (ROUNDS rounds after WARMUP untimed ones, each path once a round, in this
process through Django, so the times are the ORM's and the database's, not HTTP's):

- page 1: list(feed_works(user=u)[:20]) then feed_entries(user=u, works=...), as the view does;
- page 50: the same at offset 980;
- digest: list(feed_works(user=u, since=7 days ago)[:DIGEST_MAX_WORKS]), as the digest does;
- floor: hand-written SQL for the 20 newest works by the followed researchers' ids, given as a
  literal array (no hidden works, no linked records), in the feed's order, with the same byline
  prefetch (Work.objects.raw(...).prefetch_related).

The bench database is emptied and the demo data reloaded at the end, as bench/import_speed.py
does; the generated user is deleted.
"""

import datetime
import itertools
import random
import statistics
import time

SEED = 20260603
RESEARCHERS = 20_000
WORKS = 200_000
# Authors per work, 2..4 (mean 3).
AUTHOR_COUNT_WEIGHTS = [1, 1, 1]
ZIPF = 0.8
FOLLOWED = 500
LINKED = 200
HIDDEN = 5_000
IMPORTED_DAYS = 730
DIGEST_DAYS = 7
PER_PAGE = 20
DEEP_PAGE = 50
WARMUP = 3
ROUNDS = 25
USERNAME = "feed-bench-user"


def generate(now: datetime.datetime) -> dict:
    """Rows with explicit ids (the tables are emptied with RESTART IDENTITY)."""
    rng = random.Random(SEED)
    researchers = list(range(1, RESEARCHERS + 1))
    popularity = researchers[:]
    rng.shuffle(popularity)
    cum = list(itertools.accumulate(1 / (rank + 20) ** ZIPF for rank in range(RESEARCHERS)))
    followed = sorted(rng.sample(researchers, FOLLOWED))
    followed_set = set(followed)
    others = [pk for pk in researchers if pk not in followed_set]
    linked_records = rng.sample(others, LINKED)
    primary = {
        record: rng.choice(followed) if index % 2 == 0 else rng.choice(others)
        for index, record in enumerate(linked_records)
    }
    primary = {record: target for record, target in primary.items() if record != target}

    works, authorships = [], []
    authorship_id = 0
    sizes = [2, 3, 4]
    for work_id in range(1, WORKS + 1):
        size = rng.choices(sizes, weights=AUTHOR_COUNT_WEIGHTS)[0]
        byline: dict[int, None] = {}
        while len(byline) < size:
            byline.setdefault(rng.choices(popularity, cum_weights=cum)[0], None)
        created = now - datetime.timedelta(seconds=rng.uniform(0, IMPORTED_DAYS * 86_400))
        published = (
            None
            if rng.random() < 0.1
            else created.date() - datetime.timedelta(days=rng.randint(0, 3 * 365))
        )
        works.append((work_id, created, published, len(byline)))
        for position, researcher in enumerate(byline):
            authorship_id += 1
            authorships.append((authorship_id, work_id, position, researcher))

    on_followed = [(r, w) for _, w, _, r in authorships if r in followed_set]
    hidden = set(rng.sample(on_followed, min(len(on_followed) // 4, HIDDEN // 5)))
    while len(hidden) < HIDDEN:
        _, work_id, _, researcher = rng.choice(authorships)
        hidden.add((researcher, work_id))
    follows = [
        (researcher, now - datetime.timedelta(seconds=rng.uniform(0, 90 * 86_400)))
        for researcher in followed
    ]
    return {
        "researchers": researchers,
        "primary": primary,
        "followed": followed,
        "works": works,
        "authorships": authorships,
        "hidden": sorted(hidden),
        "follows": follows,
    }


def load(data: dict, user_id: int) -> None:
    """COPY the generated rows (see bench.data.bulk_load)."""
    from bench.data import bulk_load, copy_rows
    from social.models import Follow
    from works.models import Authorship, HiddenWork, Researcher, Work

    with bulk_load([Researcher, Work, Authorship, HiddenWork, Follow]):
        copy_rows(
            Researcher,
            ["id", "display_name", "name_key", "search_name", "slug", "primary_id"],
            [(pk, f"Feed Author {pk:05d}", f"feed author {pk:05d}", f"feed author {pk:05d}",
              f"feed-author-{pk}", data["primary"].get(pk)) for pk in data["researchers"]],
            verification_level=1,
        )  # fmt: skip
        copy_rows(
            Work,
            ["id", "slug", "title", "title_key", "publication_date", "publication_year",
             "authors_count", "created_at", "updated_at"],
            [(pk, f"feed-work-{pk}", f"Feed work {pk:06d}", f"feed work {pk:06d}", published,
              published.year if published else None, authors, created, created)
             for pk, created, published, authors in data["works"]],
            type="article",
            venue="Journal of Generated Results",
        )  # fmt: skip
        copy_rows(Authorship, ["id", "work_id", "position", "researcher_id"], data["authorships"])
        copy_rows(
            HiddenWork,
            ["researcher_id", "work_id"],
            data["hidden"],
            reason="Not mine (generated).",
        )
        copy_rows(
            Follow,
            ["researcher_id", "created_at"],
            data["follows"],
            user_id=user_id,
        )


# --- The paths timed --------------------------------------------------------------------------


def feed_page(user, number: int) -> list:
    from social.selectors import feed_entries, feed_works

    offset = (number - 1) * PER_PAGE
    works = list(feed_works(user=user)[offset : offset + PER_PAGE])
    return feed_entries(user=user, works=works)


def digest(user, since: datetime.datetime) -> list:
    from social.digest import DIGEST_MAX_WORKS
    from social.selectors import feed_works

    return list(feed_works(user=user, since=since)[:DIGEST_MAX_WORKS])


# The 20 newest works by the followed ids, in the feed's order (sort date, then import time).
# The candidates come from the authorship_by_researcher index (researcher_id, work_id).
FLOOR_SQL = """
SELECT w.id, w.slug, w.openalex_id, w.doi, w.arxiv_id, w.title, w.title_key, w.abstract,
       w.type, w.venue, w.publication_date, w.publication_year, w.citation_count,
       w.is_retracted, w.authors_count, w.created_at, w.updated_at
FROM works_work w
WHERE w.id IN (SELECT a.work_id FROM works_authorship a WHERE a.researcher_id = ANY(%s::bigint[]))
ORDER BY COALESCE(w.publication_date, (w.created_at AT TIME ZONE 'UTC')::date) DESC,
         w.created_at DESC, w.id DESC
LIMIT 20
"""


def floor(followed_ids: list[int]) -> list:
    from social.selectors import feed_byline
    from works.models import Work

    return list(Work.objects.raw(FLOOR_SQL, [followed_ids]).prefetch_related(feed_byline()))


def explain(queryset) -> str:
    """EXPLAIN ANALYZE of a queryset's main query (not its prefetches)."""
    return queryset.explain(analyze=True, buffers=True)


# --- The benchmark ----------------------------------------------------------------------------


def _row(label: str, samples: list[float], base: list[float] | None, queries: int) -> list:
    median, p90 = statistics.median(samples), _p90(samples)
    ratio = ""
    if base is not None:
        ratio = f"{median / statistics.median(base):.1f}x / {p90 / _p90(base):.1f}x"
    return [label, f"{median:.2f}", f"{p90:.2f}", ratio, queries]


def _p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _queries(call) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def bench_feed(bench, *, print_table) -> None:
    from django.utils import timezone

    from bench.import_speed import truncate
    from profiles.models import User
    from social.selectors import feed_works
    from works.services import demo_data_load

    started = time.perf_counter()
    now = timezone.now()
    truncate()
    User.objects.filter(username=USERNAME).delete()
    user = User.objects.create_user(username=USERNAME, password=None)
    try:
        start = time.perf_counter()
        data = generate(now)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        load(data, user.pk)
        loaded = time.perf_counter() - start
        followed = data["followed"]
        since = now - datetime.timedelta(days=DIGEST_DAYS)

        paths = {
            "page 1": lambda: feed_page(user, 1),
            f"page {DEEP_PAGE}": lambda: feed_page(user, DEEP_PAGE),
            "digest": lambda: digest(user, since),
            "floor": lambda: floor(followed),
        }
        queries, results = {}, {}
        for label, call in paths.items():
            queries[label], results[label] = _queries(call)
        feed_total = feed_works(user=user).count()
        digest_total = feed_works(user=user, since=since).count()
        page_ids = [entry.work.pk for entry in results["page 1"]]
        floor_ids = [work.pk for work in results["floor"]]
        shared = len(set(page_ids) & set(floor_ids))

        for _ in range(WARMUP):
            for call in paths.values():
                call()
        samples: dict[str, list[float]] = {label: [] for label in paths}
        for _ in range(ROUNDS):
            for label, call in paths.items():
                start = time.perf_counter()
                call()
                samples[label].append((time.perf_counter() - start) * 1000)

        plans = {
            "page 1": explain(feed_works(user=user)[:PER_PAGE]),
            "digest": explain(feed_works(user=user, since=since)[:50]),
        }
    finally:
        truncate()
        User.objects.filter(username=USERNAME).delete()
        demo_data_load()

    base = samples["floor"]
    print_table(
        f"Follow feed: 1 user following {FOLLOWED} of {RESEARCHERS:,} researchers; {WORKS:,} "
        f"works, {len(data['authorships']):,} authorships, {len(data['hidden']):,} hidden, "
        f"{len(data['primary'])} linked records;\n{feed_total:,} works in the feed, "
        f"{digest_total:,} imported in the past {DIGEST_DAYS} days. {ROUNDS} rounds after "
        f"{WARMUP} warm-up, interleaved, in-process (ms)",
        ["", "median", "p90", "ratio to floor (median / p90)", "queries"],
        [
            _row("page 1: feed_works[:20] + feed_entries", samples["page 1"], base,
                 queries["page 1"]),
            _row(f"page {DEEP_PAGE}: offset {(DEEP_PAGE - 1) * PER_PAGE}",
                 samples[f"page {DEEP_PAGE}"], base, queries[f"page {DEEP_PAGE}"]),
            _row(f"digest: feed_works(since={DIGEST_DAYS} days ago)[:50]", samples["digest"],
                 base, queries["digest"]),
            _row("floor: SQL, 20 newest by the 500 ids + bylines", base, None,
                 queries["floor"]),
        ],
    )  # fmt: skip
    print(f"  page 1 and the floor share {shared} of {len(floor_ids)} works")
    for label, plan in plans.items():
        last = [line.strip() for line in plan.splitlines() if "Execution Time" in line]
        print(f"  EXPLAIN ANALYZE {label} (main query): {last[0] if last else '?'}")
    print(
        f"  set-up: generate {generated:.1f} s, COPY + ANALYZE {loaded:.1f} s; feed benchmark "
        f"done in {time.perf_counter() - started:.1f} s"
    )
