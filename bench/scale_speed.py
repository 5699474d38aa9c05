"""Growth: the same pages at SMALL researchers and at BENCH_SCALE_RESEARCHERS (1,000,000), over
HTTP, with the ratio between the sizes and the query plans of each page at the large size.

The data (generated, deterministic, COPY-loaded into a database of its own per size, the bench
database's name + "_scale_" + the size, reused between runs):

- researchers: bench.data.people's names (common family names, accents); researcher 1 is on
  exactly PROLIFIC_WORKS works and researcher 2 on exactly MODEST_WORKS, the two profiles timed;
  about 70% have a last known institution, drawn with a heavy head (institution 1 the largest);
- works: WORKS_PER_RESEARCHER per researcher, AUTHORS_PER_WORK authors each (mean about 3.1)
  drawn with a Zipf-like popularity (a few dozen people on thousands of works), plus
  HYPER_AUTHORED_PER_MILLION works per million with 51 to 3,000 authors (one with 3,000);
- in SQL after the COPY, as ingest would make them: one or two topics per work (topic 1 the
  largest), an affiliation on half the bylines (the author's institution), the collaboration
  pairs of works with at most GRAPH_MAX_AUTHORS_FOR_EDGES authors (graph.services' rule and
  strength), the cached counts on Researcher, then VACUUM and ANALYZE;
- one user following FOLLOWED researchers (the feed).

Secondary indexes are dropped for the load and rebuilt after it (bench.data.indexes_dropped).
The load and each step are timed and printed; run it with `nice` (`make bench-scale` does).
"""

import array
import datetime
import importlib
import os
import random
import re
import statistics
import time
from contextlib import contextmanager

from bench.data import (
    bulk_load,
    copy_rows,
    cumulative,
    distinct,
    indexes_dropped,
    on_database,
    people,
    work_title,
)

SMALL = 10_000
LARGE = int(os.environ.get("BENCH_SCALE_RESEARCHERS", "1000000"))
SEED = 20261130
WORKS_PER_RESEARCHER = 3
PROLIFIC_WORKS = 2_000
MODEST_WORKS = 20
PLANTED_PEOPLE = ["Wei Zhang", "Émilie Dubois"]
# Authors on an ordinary work: weight by count (mean about 3.1).
AUTHORS_PER_WORK = {1: 20, 2: 25, 3: 23, 4: 15, 5: 9, 6: 4, 8: 2, 12: 1.5, 20: 0.5}
HYPER_AUTHORED_PER_MILLION = 10
HYPER_AUTHORS_MAX = 3_000
# Popularity of the rank-r researcher: 1 / (r + ZIPF_OFFSET) ** ZIPF_EXPONENT.
ZIPF_EXPONENT = 0.7
ZIPF_OFFSET = 50
FOLLOWED = 500
READER = "scale-bench-reader"
WARMUP = 3
TIMED = int(os.environ.get("BENCH_SCALE_TIMED", "20"))
DEEP_HOPS = 25
# A table with more rows than this is large: a sequential scan of it is named.
LARGE_TABLE_ROWS = 100_000


def _log(message: str) -> None:
    print(f"  {message}", flush=True)


@contextmanager
def _step(label: str):
    start = time.perf_counter()
    yield
    _log(f"{label}: {time.perf_counter() - start:.1f} s")


# --- Generating --------------------------------------------------------------------------------


def bylines(researchers: int, rng: random.Random) -> tuple[array.array, array.array]:
    """(work id, researcher id) of every authorship, in work then byline order."""
    works = researchers * WORKS_PER_RESEARCHER
    population = list(range(len(PLANTED_PEOPLE) + 1, researchers + 1))
    rng.shuffle(population)
    popularity = cumulative(
        [1 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT for rank in range(len(population))]
    )
    sizes, size_weights = list(AUTHORS_PER_WORK), cumulative(list(AUTHORS_PER_WORK.values()))
    hyper_count = max(2, researchers * HYPER_AUTHORED_PER_MILLION // 1_000_000)
    hyper_ids = rng.sample(range(1, works + 1), hyper_count)
    hyper = {
        work: HYPER_AUTHORS_MAX if index == 0 else int(10 ** rng.uniform(1.71, 3.477))
        for index, work in enumerate(hyper_ids)
    }
    ordinary = [work for work in range(1, works + 1) if work not in hyper]
    planted = {}
    for researcher, count in zip((1, 2), (PROLIFIC_WORKS, MODEST_WORKS), strict=True):
        for work in rng.sample(ordinary, count):
            planted.setdefault(work, []).append(researcher)
    work_of, researcher_of = array.array("I"), array.array("I")
    for work in range(1, works + 1):
        size = hyper.get(work) or rng.choices(sizes, cum_weights=size_weights)[0]
        byline = distinct(rng, population, popularity, size) + planted.get(work, [])
        work_of.extend([work] * len(byline))
        researcher_of.extend(byline)
    return work_of, researcher_of


def _institutions(count: int, rng: random.Random):
    from bench.data import SURNAMES

    kinds = ["University of {}", "{} Institute of Technology", "{} Medical Centre", "{} Lab"]
    countries = ["US", "CN", "DE", "FR", "GB", "JP", "BR", "IN", "KR", "CZ", "TR", "DK"]
    for number in range(1, count + 1):
        name = rng.choice(kinds).format(rng.choice(SURNAMES)) + f" {number}"
        yield (number, f"I{number}", name, rng.choice(countries), "education")


def _topics(count: int, rng: random.Random):
    from bench.data import TITLE_WORDS

    for number in range(1, count + 1):
        words = " ".join(rng.sample(TITLE_WORDS, 3)).capitalize()
        yield (number, f"T{number}", f"{words} {number}", "Generated field")


def _skewed(rng: random.Random, count: int) -> int:
    """1..count, 1 the most likely (about count ** -1/3 of draws)."""
    return 1 + int(count * rng.random() ** 3)


def _researchers(count: int, institutions: int, rng: random.Random):
    for number, slug, name, name_key, search_name, _works, level in people(
        count, rng, PLANTED_PEOPLE
    ):
        institution = _skewed(rng, institutions) if rng.random() < 0.7 else None
        yield (number, slug, name, name_key, search_name, level, institution, rng.randint(0, 100))


def _works(work_of: array.array, rng: random.Random, now: datetime.datetime):
    from works.text import title_key

    authors = array.array("H", bytes(2 * (work_of[-1] + 1)))
    for work in work_of:
        authors[work] += 1
    venues = ["Journal of Generated Results", "Proceedings of Growth", "Letters on Scale", ""]
    for number in range(1, len(authors)):
        title = work_title(rng)
        year = min(2026, int(2026 - 36 * rng.random() ** 2))
        date = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        created = now - datetime.timedelta(seconds=rng.uniform(0, 730 * 86_400))
        yield (
            number,
            f"w{number}",
            title,
            title_key(title),
            year,
            date if rng.random() < 0.7 else None,
            int(10 ** rng.uniform(0, 3.5)) - 1,
            rng.choice(venues),
            authors[number],
            created,
            created,
        )


def _authorships(work_of: array.array, researcher_of: array.array):
    position, last = 0, 0
    for number, (work, researcher) in enumerate(zip(work_of, researcher_of, strict=True), 1):
        position = position + 1 if work == last else 0
        last = work
        yield (number, work, researcher, position)


# Derived rows in SQL, as ingest would make them. The topic is a draw skewed like _skewed's,
# from a hash of the work's id (so the rows do not depend on the plan).
TOPICS_SQL = """
INSERT INTO works_worktopic (work_id, topic_id, score)
SELECT DISTINCT w.id,
       1 + floor(%(topics)s * power((hashint8(w.id * 3 + k) & 2147483647) %% 1000003
                                    / 1000003.0, 3))::int,
       1.0
FROM works_work w CROSS JOIN generate_series(0, 1) k
WHERE k <= (w.id %% 4) / 2
"""
AFFILIATIONS_SQL = """
INSERT INTO works_authorship_institutions (authorship_id, institution_id)
SELECT a.id, r.institution_id FROM works_authorship a
JOIN profiles_researcher r ON r.id = a.researcher_id
WHERE r.institution_id IS NOT NULL AND a.id %% 2 = 0
"""
# graph.services.collaborations_refresh's pairs, strength and years, for every work at once.
COLLABORATIONS_SQL = """
INSERT INTO graph_collaboration
    (researcher_a_id, researcher_b_id, shared_works, first_year, last_year, strength, updated_at)
SELECT a.researcher_id, b.researcher_id, count(*), min(w.publication_year),
       max(w.publication_year),
       round(sum(power(0.5, greatest(%(year)s - coalesce(w.publication_year,
                                                          %(year)s - %(unknown)s), 0)
                            / %(half_life)s::float))::numeric, 4),
       now()
FROM works_work w
JOIN works_authorship a ON a.work_id = w.id
JOIN works_authorship b ON b.work_id = w.id AND b.researcher_id > a.researcher_id
WHERE w.authors_count <= %(cap)s
GROUP BY a.researcher_id, b.researcher_id
"""
# profiles.stats.researcher_stats_refresh's counts (no work is hidden in generated data).
COUNTS_SQL = """
UPDATE profiles_researcher r SET
    works_count = coalesce(w.n, 0), topics_count = coalesce(t.n, 0),
    close_collaborators_count = coalesce(c.n, 0)
FROM profiles_researcher r2
LEFT JOIN (SELECT researcher_id, count(*) n FROM works_authorship GROUP BY 1) w
    ON w.researcher_id = r2.id
LEFT JOIN (SELECT a.researcher_id, count(DISTINCT wt.topic_id) n FROM works_authorship a
           JOIN works_worktopic wt ON wt.work_id = a.work_id GROUP BY 1) t
    ON t.researcher_id = r2.id
LEFT JOIN (SELECT id, count(*) n FROM (
               SELECT researcher_a_id id FROM graph_collaboration WHERE shared_works >= %(close)s
               UNION ALL
               SELECT researcher_b_id FROM graph_collaboration WHERE shared_works >= %(close)s
           ) pairs GROUP BY 1) c
    ON c.id = r2.id
WHERE r.id = r2.id
"""


def _derived(researchers: int) -> None:
    from django.conf import settings
    from django.db import connection

    from graph.selectors import CLOSE_MIN_SHARED_WORKS
    from graph.services import STRENGTH_HALF_LIFE_YEARS, UNKNOWN_YEAR_AGE

    neighbourhood = importlib.import_module(
        "graph.migrations.0006_researcher_topics_and_institutions"
    )

    parameters = {
        "topics": max(50, researchers // 500),
        "year": datetime.date.today().year,
        "unknown": UNKNOWN_YEAR_AGE,
        "half_life": STRENGTH_HALF_LIFE_YEARS,
        "cap": settings.GRAPH_MAX_AUTHORS_FOR_EDGES,
        "close": CLOSE_MIN_SHARED_WORKS,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '512MB'")
        for label, statement in [
            ("topics of works", TOPICS_SQL),
            ("affiliations", AFFILIATIONS_SQL),
            ("collaborations", COLLABORATIONS_SQL),
            # graph.services.neighbourhood_refresh's rows, as its migration fills them.
            ("topics per researcher", neighbourhood.BACKFILL[0]),
            ("institutions per researcher", neighbourhood.BACKFILL[1]),
            ("counts on Researcher", COUNTS_SQL),
        ]:
            with _step(label):
                cursor.execute(statement, parameters)


def _reader(researchers: int, rng: random.Random, now: datetime.datetime) -> None:
    """The user following FOLLOWED researchers, and their followers counts."""
    from profiles.models import User
    from social.models import Follow
    from works.models import Researcher

    user = User.objects.create_user(username=READER, email=f"{READER}@example.org")
    followed = rng.sample(range(len(PLANTED_PEOPLE) + 1, researchers + 1), FOLLOWED)
    copy_rows(
        Follow,
        ["user_id", "researcher_id", "created_at"],
        [(user.pk, pk, now - datetime.timedelta(days=rng.uniform(0, 90))) for pk in followed],
    )
    Researcher.objects.filter(pk__in=followed).update(followers_count=1)


def _loaded(researchers: int) -> bool:
    from graph.models import Collaboration
    from social.models import Follow
    from works.models import Researcher

    return (
        Researcher.objects.count() == researchers
        and Researcher.objects.filter(pk=1, works_count=PROLIFIC_WORKS).exists()
        and Collaboration.objects.exists()
        and Follow.objects.filter(user__username=READER).count() == FOLLOWED
    )


def load(researchers: int) -> str:
    """The generated rows in the current database, unless it holds them already."""
    from django.core.management import call_command
    from django.db import connection

    from bench.import_speed import truncate
    from graph.models import Collaboration, ResearcherInstitution, ResearcherTopic
    from profiles.models import User
    from social.models import Follow
    from works.models import Authorship, Institution, Researcher, Topic, Work, WorkTopic

    call_command("migrate", "--noinput", verbosity=0)
    if _loaded(researchers):
        return "reused"
    start = time.perf_counter()
    rng = random.Random(SEED)
    now = datetime.datetime.now(datetime.UTC)
    truncate()
    User.objects.filter(username=READER).delete()
    with _step("bylines drawn"):
        work_of, researcher_of = bylines(researchers, rng)
    _log(f"{len(work_of):,} authorships")
    affiliation = Authorship.institutions.through
    tables = [
        *(Researcher, Work, Authorship, WorkTopic, affiliation),
        *(Collaboration, ResearcherTopic, ResearcherInstitution),
    ]
    with bulk_load([Institution, Topic, Researcher, Work, Authorship, Follow]):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        with indexes_dropped(tables, report=_log):
            with _step("COPY institutions, topics, researchers"):
                copy_rows(
                    Institution,
                    ["id", "openalex_id", "name", "country_code", "type"],
                    _institutions(max(50, researchers // 100), rng),
                )
                copy_rows(
                    Topic,
                    ["id", "external_id", "name", "field"],
                    _topics(max(50, researchers // 500), rng),
                )
                copy_rows(
                    Researcher,
                    ["id", "slug", "display_name", "name_key", "search_name",
                     "verification_level", "institution_id", "trust_score"],
                    _researchers(researchers, max(50, researchers // 100), rng),
                )  # fmt: skip
            with _step("COPY works"):
                copy_rows(
                    Work,
                    ["id", "slug", "title", "title_key", "publication_year", "publication_date",
                     "citation_count", "venue", "authors_count", "created_at", "updated_at"],
                    _works(work_of, rng, now),
                    type="article",
                )  # fmt: skip
            with _step("COPY authorships"):
                copy_rows(
                    Authorship,
                    ["id", "work_id", "researcher_id", "position"],
                    _authorships(work_of, researcher_of),
                    match_method="openalex",
                )
            del work_of, researcher_of
            _derived(researchers)
        _reader(researchers, rng, now)
    # A live database's autovacuum keeps the visibility map that index-only scans rely on.
    with _step("VACUUM"), connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return f"built in {time.perf_counter() - start:.0f} s"


# --- Measuring ---------------------------------------------------------------------------------

PAGES = {
    "profile, 20 works": "/researchers/p2/",
    "profile, 2,000 works": "/researchers/p1/",
    "graph slice (cold), 2,000 works": "/researchers/p1/graph/",
    "graph page (close collaborators), 2,000 works": "/researchers/p1/graph/",
    "explorer node": "/explore/api/node/?id=person:p1",
    "researcher list": "/researchers/",
    f"researcher list, page {DEEP_HOPS + 1}": "",
    'search "wang"': "/researchers/?q=wang",
    "feed, following 500": "/feed/",
    "topic page (largest)": "/topics/1/",
    "institution page (largest)": "/institutions/I1/",
    "sitemap page (cold)": "/sitemaps/researchers/1.xml",
}
# The slice as the profile asks for it (HTMX fills its slot); the graph page is the same URL
# without the header: the slice and the list of close collaborators.
HEADERS = {"graph slice (cold), 2,000 works": {"HX-Request": "true"}}
NEXT_LINK = re.compile(r'<a href="([^"]+)"[^>]*>\s*(?:Next|Older)')


def _cold(label: str) -> None:
    """Drops what a "(cold)" page would otherwise read from the cache. The slice's: a touch of
    researcher 1's page version, as any change to what the slice shows makes, so neither the
    slice nor the page fragments around it are reused (deleting the slice's own key left the
    fragments, and the bench timed a cached page)."""
    from django.core.cache import cache
    from django.db import connection

    from profiles.sitemaps import file_key

    if label.startswith("graph slice"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT researcher_page_touch(ARRAY[1]::bigint[])")
    elif label.startswith("sitemap"):
        cache.delete(file_key("researchers", 1))


@contextmanager
def _cache_prefix(prefix: str):
    """This process's cache keys as a server with CACHE_KEY_PREFIX=prefix makes them."""
    from django.core.cache import cache

    old, cache.key_prefix = cache.key_prefix, prefix
    try:
        yield
    finally:
        cache.key_prefix = old


def _deep_path(get, path: str) -> str:
    """The page DEEP_HOPS "Next" links after path."""
    from html import unescape
    from urllib.parse import urljoin

    for _ in range(DEEP_HOPS):
        found = NEXT_LINK.search(get(path))
        if not found:
            raise SystemExit(f"{path}: no Next link")
        path = urljoin(path, unescape(found.group(1)))
    return path


def _reader_session_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    from profiles.models import User

    client = Client()
    client.force_login(User.objects.get(username=READER))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def timings(base: str, paths: dict[str, str]) -> dict[str, tuple[float, float]]:
    import requests
    from django.conf import settings

    figures = {}
    with requests.Session() as session:
        session.cookies.set(settings.SESSION_COOKIE_NAME, _reader_session_cookie())
        for label, path in paths.items():
            samples = []
            for round_number in range(WARMUP + TIMED):
                _cold(label)
                start = time.perf_counter()
                response = session.get(base + path, headers=HEADERS.get(label), timeout=600)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} answered {response.status_code}")
                if round_number >= WARMUP:
                    samples.append(elapsed)
            figures[label] = (statistics.median(samples), sorted(samples)[int(0.9 * (TIMED - 1))])
    return figures


def _large_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [LARGE_TABLE_ROWS],
        )
        return {row[0] for row in cursor.fetchall()}


def plans(paths: dict[str, str]) -> None:
    """Each page once in-process (Django's test client, the reader logged in): its queries,
    EXPLAIN (ANALYZE, BUFFERS) of each, the slowest, and any sequential scan of a large
    table."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from profiles.models import User

    large = _large_tables()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=READER))
    for label, path in paths.items():
        _cold(label)
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in HEADERS.get(label, {}).items()
        }
        with CaptureQueriesContext(connection) as captured:
            client.get(path, **headers)
        explained = []
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                statement = query["sql"]
                if not statement.startswith("SELECT") or "set_config" in statement:
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                milliseconds = float(re.search(r"Execution Time: ([\d.]+)", plan).group(1))
                explained.append((milliseconds, statement, plan))
        explained.sort(key=lambda item: item[0], reverse=True)
        scans = sorted(
            {table for _, _, plan in explained for table in re.findall(r"Seq Scan on (\w+)", plan)}
            & large
        )
        total = sum(item[0] for item in explained)
        _log(
            f"{label}: {len(captured)} queries, {total:.1f} ms in SQL"
            + (f"; SEQUENTIAL SCAN of {', '.join(scans)}" if scans else "")
        )
        for milliseconds, statement, plan in explained[:2]:
            if milliseconds >= 5 or scans:
                _log(f"    {milliseconds:.1f} ms: {statement[:160]}")
                for line in plan.splitlines():
                    if "Seq Scan" in line or "Sort Method" in line or "rows=" in line[:60]:
                        _log(f"      {line.strip()[:150]}")


def prepare(bench_url: str, size: int) -> str:
    from bench.data import database_url_for
    from bench.run import database_create_if_missing

    url = database_url_for(bench_url, f"scale_{size}")
    database_create_if_missing(url)
    print(f"\nScale: {size:,} researchers, {size * WORKS_PER_RESEARCHER:,} works:", flush=True)
    with on_database(url):
        _log(load(size))
    return url


def measure(url: str, size: int, *, explain: bool) -> dict[str, tuple[float, float]]:
    import requests

    from bench.run import server_on

    prefix = f"bzpeer-bench-scale-{size}"
    with on_database(url), _cache_prefix(prefix):
        with server_on(url, ready_path="/robots.txt", CACHE_KEY_PREFIX=prefix) as base:
            paths = dict(PAGES)
            with requests.Session() as session:
                deep = f"researcher list, page {DEEP_HOPS + 1}"
                paths[deep] = _deep_path(
                    lambda path: session.get(base + path, timeout=600).text,
                    PAGES["researcher list"],
                )
            figures = timings(base, paths)
        if explain:
            print(f"\nQuery plans at {size:,} researchers (in-process, EXPLAIN ANALYZE):")
            plans(paths)
    return figures


def bench_scale_speed(bench, *, print_table) -> None:
    urls = {size: prepare(bench.database_url, size) for size in (SMALL, LARGE)}
    results = {size: measure(urls[size], size, explain=size == LARGE) for size in urls}
    rows = []
    for label in PAGES:
        small, large = results[SMALL][label], results[LARGE][label]
        rows.append(
            [label, f"{small[0]:.1f}", f"{small[1]:.1f}", f"{large[0]:.1f}", f"{large[1]:.1f}",
             f"{large[0] / small[0]:.2f}x"]
        )  # fmt: skip
    print_table(
        f"Growth over HTTP, ms (median and p90 of {TIMED} after {WARMUP} warm-up; goal ratio "
        "<= 1.5x)",
        ["page", f"median {SMALL:,}", f"p90 {SMALL:,}", f"median {LARGE:,}", f"p90 {LARGE:,}",
         "ratio"],
        rows,
    )  # fmt: skip
