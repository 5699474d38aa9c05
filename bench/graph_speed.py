"""The profile's graph slice on a large neighbourhood, next to the same slice computed with
networkx from authorships loaded into memory (the baseline), measured in the same run; and the
import of one hyper-authored work.

The data (generated, deterministic, written with COPY into emptied domain tables): one focus
researcher with COLLABORATORS co-authors and WORKS works in the neighbourhood. FOCUS_WORKS of
the works are the focus researcher's, the rest are the collaborators' own. Every work has 2-12
authors (most have 3-6) drawn from the collaborator pool with a Zipf-like popularity, so a few
collaborators share dozens of works with the focus researcher and most share one or two; the
focus researcher's first works take every collaborator once, so all COLLABORATORS are direct
co-authors. Years 2000-2025; 1-3 topics per work out of TOPICS (the focus researcher's from a
smaller set); every author has a home institution out of INSTITUTIONS on each authorship,
some a second one. Collaboration rows are then built by graph.services.collaborations_refresh
over every researcher (what an import does, in one call), and the counts of the focus
researcher by profiles.services.researcher_stats_refresh.

The slice: graph.selectors.graph_slice(researcher=focus) with Django's cache cleared before
each call (a cold slice: the cache miss, the queries, the drawing, the cache write), its SQL
queries counted with CaptureQueriesContext, for the focus researcher and for researchers with
fewer collaborators. The baseline, each run from nothing: load the neighbourhood's authorships
(works of the focus researcher and of every co-author), their works' years and titles, topics,
institutions and names with plain SQL; build a networkx graph (researcher-work and work-topic
edges, bipartite); project the focus researcher's co-author edges weighted by shared works
(works over GRAPH_MAX_AUTHORS_FOR_EDGES excluded, strength by recency as in graph.services)
and the edges among the top collaborators; then the same lists graph_slice returns: top
collaborators with shared works and years, the most connected papers, the collaborators'
recent papers, topics with share, institutions. The two are interleaved (SLICE_RUNS /
BASELINE_RUNS slices per baseline run) and their lists compared. cache.clear() empties the
bench's Redis database.

The hyper-authored import: records_import (ingest, then the graph and counts) with one record of
HYPER_AUTHORS authors built in memory, once with new people and once with HYPER_AUTHORS of the
generated collaborators (who already have many collaborations, so the graph refresh has real
rows to read).

The bench database is emptied and the demo data reloaded at the end, as bench/import_speed.py
does.
"""

import datetime
import itertools
import random
import re
import statistics
import time
from collections import Counter, defaultdict

from bench.data import bulk_load, copy_rows, cumulative, distinct, hyper_authored_work, new_authors

SEED = 20260601
COLLABORATORS = 5_000
WORKS = 50_000
FOCUS_WORKS = 2_000
TOPICS = 300
FOCUS_TOPICS = 40
INSTITUTIONS = 400
YEARS = (2000, 2025)
# Authors per work, 2..12: relative frequencies (mean about 5).
AUTHOR_COUNT_WEIGHTS = [10, 16, 16, 13, 10, 8, 6, 5, 4, 3, 2]
ZIPF = 0.9

SLICE_RUNS = 20
BASELINE_RUNS = 5
HYPER_AUTHORS = 3_000


# --- Data -------------------------------------------------------------------------------------


def generate() -> dict:
    """Rows for every table, with explicit ids (the tables are emptied with RESTART IDENTITY).

    Researcher 1 is the focus researcher, 2..COLLABORATORS+1 the pool; works 1..FOCUS_WORKS are
    the focus researcher's."""
    rng = random.Random(SEED)
    focus = 1
    pool = list(range(2, COLLABORATORS + 2))
    pool_cum = cumulative([1 / (rank + 10) ** ZIPF for rank in range(len(pool))])
    sizes = list(range(2, 2 + len(AUTHOR_COUNT_WEIGHTS)))
    sizes_cum = cumulative(AUTHOR_COUNT_WEIGHTS)
    topics = list(range(1, TOPICS + 1))
    topics_cum = cumulative([1 / (rank + 2) for rank in range(TOPICS)])
    focus_topics = rng.sample(topics, FOCUS_TOPICS)
    focus_topics_cum = cumulative([1 / (rank + 1) for rank in range(FOCUS_TOPICS)])
    institutions = list(range(1, INSTITUTIONS + 1))
    institutions_cum = cumulative([1 / (rank + 3) for rank in range(INSTITUTIONS)])
    home = {
        researcher: rng.choices(institutions, cum_weights=institutions_cum)[0]
        for researcher in [focus, *pool]
    }

    unmet = pool[:]
    rng.shuffle(unmet)
    works, authorships, links, work_topics = [], [], [], []
    authorship_id = 0
    for work_id in range(1, WORKS + 1):
        size = rng.choices(sizes, cum_weights=sizes_cum)[0]
        if work_id <= FOCUS_WORKS:
            byline = [focus]
            while unmet and len(byline) < size:
                byline.append(unmet.pop())
            if len(byline) < size:
                byline = list(
                    dict.fromkeys(byline + distinct(rng, pool, pool_cum, size - len(byline)))
                )
            rng.shuffle(byline)
            chosen_topics = distinct(rng, focus_topics, focus_topics_cum, rng.randint(1, 3))
        else:
            byline = distinct(rng, pool, pool_cum, size)
            chosen_topics = distinct(rng, topics, topics_cum, rng.randint(1, 3))
        year = rng.randint(*YEARS)
        works.append((work_id, year, len(byline), rng.randint(0, 300), chosen_topics[0]))
        for position, researcher in enumerate(byline):
            authorship_id += 1
            authorships.append((authorship_id, work_id, position, researcher))
            links.append((authorship_id, home[researcher]))
            if rng.random() < 0.1:
                other = rng.choices(institutions, cum_weights=institutions_cum)[0]
                if other != home[researcher]:
                    links.append((authorship_id, other))
        for rank, topic in enumerate(chosen_topics):
            work_topics.append((work_id, topic, round(0.99 - 0.2 * rank, 2)))
    return {
        "focus": focus,
        "pool": pool,
        "home": home,
        "works": works,
        "authorships": authorships,
        "links": links,
        "work_topics": work_topics,
    }


def load(data: dict) -> None:
    """Write the generated rows with COPY (see bench.data.bulk_load)."""
    from works.models import Authorship, Institution, Researcher, Topic, Work, WorkTopic

    models = [Institution, Topic, Researcher, Work, Authorship, WorkTopic]
    with bulk_load(models):
        copy_rows(
            Institution,
            ["id", "openalex_id", "name"],
            [(i, f"I8{i:08d}", f"Institute {i:03d}") for i in range(1, INSTITUTIONS + 1)],
            country_code="GB",
            type="education",
        )
        copy_rows(
            Topic,
            ["id", "external_id", "name"],
            [(i, f"T8{i:06d}", f"Topic {i:03d}") for i in range(1, TOPICS + 1)],
            field="Generated",
        )
        people = [(data["focus"], "Focus Researcher", "bench-focus", None)] + [
            (pk, f"Collaborator {pk:05d}", f"bench-collaborator-{pk}", f"A7{pk:09d}")
            for pk in data["pool"]
        ]
        copy_rows(
            Researcher,
            ["id", "display_name", "name_key", "search_name", "slug", "openalex_id",
             "institution_id"],
            [(pk, name, name.lower(), name.lower(), slug, openalex, data["home"][pk])
             for pk, name, slug, openalex in people],
            verification_level=1,
        )  # fmt: skip
        copy_rows(
            Work,
            ["id", "slug", "title", "title_key", "publication_year", "authors_count",
             "citation_count"],
            [(pk, f"bench-work-{pk}", f"Bench work {pk:05d} on topic {topic:03d}",
              f"bench work {pk:05d} on topic {topic:03d}", year, authors, citations)
             for pk, year, authors, citations, topic in data["works"]],
            type="article",
            venue="Journal of Generated Results",
        )  # fmt: skip
        copy_rows(Authorship, ["id", "work_id", "position", "researcher_id"], data["authorships"])
        through = Authorship.institutions.through
        copy_rows(through, ["authorship_id", "institution_id"], data["links"])
        copy_rows(WorkTopic, ["work_id", "topic_id", "score"], data["work_topics"])


def build_graph(data: dict) -> dict:
    """Collaboration rows for every researcher, then the focus researcher's counts."""
    from django.db import connection

    from graph.models import Collaboration
    from graph.services import collaborations_refresh
    from profiles.services import researcher_stats_refresh

    seconds = {}
    start = time.perf_counter()
    changes = collaborations_refresh(researcher_ids=[data["focus"], *data["pool"]])
    seconds["collaborations_refresh"] = time.perf_counter() - start
    start = time.perf_counter()
    researcher_stats_refresh(researcher_ids=[data["focus"]])
    seconds["researcher_stats_refresh (focus)"] = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds["rows"] = changes.created
    seconds["focus rows"] = Collaboration.objects.filter(researcher_a_id=data["focus"]).count()
    return seconds


# --- The baseline: networkx over authorships in memory ----------------------------------------

NEIGHBOURHOOD_SQL = """
WITH own AS (SELECT work_id FROM works_authorship WHERE researcher_id = %(focus)s),
     coauthors AS (
        SELECT DISTINCT researcher_id FROM works_authorship
        WHERE work_id IN (SELECT work_id FROM own)
     ),
     nearby AS (
        SELECT DISTINCT work_id FROM works_authorship
        WHERE researcher_id IN (SELECT researcher_id FROM coauthors)
     )
SELECT a.researcher_id, a.work_id, a.position FROM works_authorship a
WHERE a.work_id IN (SELECT work_id FROM nearby)
"""


def _fetch(cursor, statement: str, params) -> list[tuple]:
    cursor.execute(statement, params)
    return cursor.fetchall()


def baseline_slice(focus: int) -> dict:
    """The same lists as graph_slice, from authorships loaded into memory and networkx.

    Returns the lists, the sizes loaded, the SQL statements run and the seconds per phase."""
    import networkx as nx
    from django.conf import settings
    from django.db import connection

    from graph import selectors
    from graph.services import recency_weight

    seconds = {}
    start = time.perf_counter()
    with connection.cursor() as cursor:
        authorships = _fetch(cursor, NEIGHBOURHOOD_SQL, {"focus": focus})
        work_ids = list({work_id for _, work_id, _ in authorships})
        researcher_ids = list({researcher_id for researcher_id, _, _ in authorships})
        works = _fetch(
            cursor,
            "SELECT id, publication_year, title_key, title, authors_count FROM works_work "
            "WHERE id = ANY(%s)",
            [work_ids],
        )
        work_topics = _fetch(
            cursor,
            "SELECT work_id, topic_id FROM works_worktopic WHERE work_id = ANY(%s)",
            [work_ids],
        )
        topic_names = dict(_fetch(cursor, "SELECT id, name FROM works_topic", []))
        names = dict(
            _fetch(
                cursor,
                "SELECT id, display_name FROM profiles_researcher WHERE id = ANY(%s)",
                [researcher_ids],
            )
        )
        own_institutions = _fetch(
            cursor,
            "SELECT a.work_id, l.institution_id FROM works_authorship a "
            "JOIN works_authorship_institutions l ON l.authorship_id = a.id "
            "WHERE a.work_id IN (SELECT work_id FROM works_authorship WHERE researcher_id = %s)",
            [focus],
        )
        institution_names = dict(_fetch(cursor, "SELECT id, name FROM works_institution", []))
    statements = 7
    seconds["load (SQL)"] = time.perf_counter() - start

    # Bipartite researcher-work and work-topic graph; institutions hang off the focus
    # researcher's works.
    start = time.perf_counter()
    graph = nx.Graph()
    graph.add_nodes_from((("r", pk) for pk in researcher_ids), kind="researcher")
    graph.add_nodes_from(
        (("w", pk), {"kind": "work", "year": year, "title_key": key, "title": title, "n": n})
        for pk, year, key, title, n in works
    )
    graph.add_nodes_from((("t", pk) for pk in topic_names), kind="topic")
    graph.add_edges_from((("r", r), ("w", w), {"position": p}) for r, w, p in authorships)
    graph.add_edges_from((("w", w), ("t", t)) for w, t in work_topics)
    seconds["build graph"] = time.perf_counter() - start

    start = time.perf_counter()
    cap = settings.GRAPH_MAX_AUTHORS_FOR_EDGES
    this_year = datetime.date.today().year
    work = graph.nodes
    me = ("r", focus)
    own_works = list(graph[me])
    own_set = set(own_works)
    # Co-author edges weighted by shared works, for the focus researcher (works over the cap
    # make none), with first and last year and strength as graph.services computes them.
    ego = nx.Graph()
    for w in own_works:
        if work[w]["n"] > cap:
            continue
        year = work[w]["year"]
        weight = recency_weight(year, this_year=this_year)
        for other in graph[w]:
            if other == me or other[0] != "r":
                continue
            if not ego.has_edge(me, other):
                ego.add_edge(me, other, weight=0, strength=0.0, years=[])
            edge = ego.edges[me, other]
            edge["weight"] += 1
            edge["strength"] += weight
            if year:
                edge["years"].append(year)
    ranked = sorted(
        (-edge["weight"], -round(edge["strength"], 4), other[1],
         min(edge["years"], default=None), max(edge["years"], default=None))
        for other, edge in ego[me].items()
    )  # fmt: skip
    near = ranked[: selectors.SLICE_PEOPLE]
    near_nodes = [("r", pk) for _, _, pk, _, _ in near]
    near_set = set(near_nodes)
    # Co-author edges among the top collaborators, for the drawing.
    for a, b in itertools.combinations(near_nodes, 2):
        common = [w for w in set(graph[a]) & set(graph[b]) if work[w]["n"] <= cap]
        if common:
            ego.add_edge(a, b, weight=len(common))

    def near_authors(w):
        ordered = sorted((graph.edges[r, w]["position"], r) for r in graph[w] if r in near_set)
        return [names[r[1]] for _, r in ordered]

    connected = sorted(
        (-sum(1 for r in graph[w] if r in near_set), -(work[w]["year"] or 0),
         work[w]["title_key"], w)
        for w in own_works
    )  # fmt: skip
    connected = [w for count, _, _, w in connected if count < 0][: selectors.SLICE_PAPERS]
    recent = sorted(
        {w for r in near_nodes for w in graph[r]} - own_set,
        key=lambda w: (-(work[w]["year"] or 0), work[w]["title_key"]),
    )[: selectors.SLICE_PAPERS]
    topic_counts = Counter(t for w in own_works for t in graph[w] if t[0] == "t")
    topics = sorted(topic_counts.items(), key=lambda item: (-item[1], topic_names[item[0][1]]))
    institution_works = defaultdict(set)
    for work_id, institution_id in own_institutions:
        institution_works[institution_id].add(work_id)
    institutions = sorted(
        ((institution_names[pk], len(ws)) for pk, ws in institution_works.items()),
        key=lambda item: (-item[1], item[0]),
    )
    result = {
        "people": [(names[pk], -shared, first, last) for shared, _, pk, first, last in near],
        "between": ego.number_of_edges() - ego.degree(me),
        "papers": [(work[w]["title"], near_authors(w)) for w in connected],
        "recent_papers": [(work[w]["title"], near_authors(w)) for w in recent],
        "topics": [(topic_names[t[1]], n, len(own_works)) for t, n in topics][
            : selectors.SLICE_TOPICS
        ],
        "institutions": institutions[: selectors.SLICE_INSTITUTIONS],
    }
    seconds["compute slice"] = time.perf_counter() - start
    result.update(
        loaded=(len(authorships), len(works), graph.number_of_nodes(), graph.number_of_edges()),
        statements=statements,
        seconds=seconds,
    )
    return result


def compare(slice_, baseline: dict) -> list[str]:
    """Which of the slice's lists differ from the baseline's (labels in order; for people
    also the shared works and years in the reason)."""
    people_ok = [item.label for item in slice_.people] == [p[0] for p in baseline["people"]]
    for item, (_, shared, first, last) in zip(slice_.people, baseline["people"], strict=False):
        years = "" if not first else str(first) if first == last else f"{first}–{last}"
        if f" {shared} paper" not in item.reason or years not in item.reason:
            people_ok = False
    checks = {
        "papers": (slice_.papers, baseline["papers"]),
        "recent papers": (slice_.recent_papers, baseline["recent_papers"]),
        "topics": (slice_.topics, baseline["topics"]),
        "institutions": (slice_.institutions, baseline["institutions"]),
    }
    differs = [] if people_ok else ["people"]
    for name, (ours, theirs) in checks.items():
        if [item.label for item in ours] != [row[0] for row in theirs]:
            differs.append(name)
    return differs


# --- Measuring --------------------------------------------------------------------------------


def slice_cold(researcher):
    from django.core.cache import cache

    from graph.selectors import graph_slice

    cache.clear()
    start = time.perf_counter()
    result = graph_slice(researcher=researcher)
    return time.perf_counter() - start, result


def slice_queries(researcher) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from graph.selectors import graph_slice

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        graph_slice(researcher=researcher)
    return queries.captured_queries


def ingest_hyper(record) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.import_speed import Phases
    from graph.models import Collaboration
    from works.services import records_import

    before = Collaboration.objects.count()
    with Phases() as phases, CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = records_import(records=[record])
        seconds = time.perf_counter() - start
    steps: Counter = Counter()
    for label, step_seconds in phases.seconds.items():
        steps[label.split(phases.SUB)[0]] += step_seconds
    return {
        "seconds": seconds,
        "steps": steps.most_common(3),
        "queries": len(queries),
        "created": Collaboration.objects.count() - before,
        "hyperauthored": result.hyperauthored_works,
        "skipped": result.edges_skipped,
        "authorships": result.authorships_written,
    }


def _first_table(statement: str) -> str:
    match = re.search(r'FROM "(\w+)"', statement)
    return match.group(1) if match else statement[:20]


def _ms(seconds: float, digits: int = 1) -> str:
    return f"{seconds * 1000:,.{digits}f}"


def bench_graph_slice(bench, *, print_table) -> None:
    from django.conf import settings
    from django.db import connection

    from bench.import_speed import truncate
    from graph.models import Collaboration
    from graph.selectors import graph_slice
    from works.models import Researcher
    from works.services import demo_data_load

    started = time.perf_counter()
    setup = {}
    truncate()
    start = time.perf_counter()
    data = generate()
    setup["generate rows"] = time.perf_counter() - start
    start = time.perf_counter()
    load(data)
    setup["COPY + ANALYZE"] = time.perf_counter() - start
    graph = build_graph(data)
    setup["collaborations_refresh (all researchers)"] = graph["collaborations_refresh"]
    focus = Researcher.objects.get(pk=data["focus"])
    # Researchers with fewer collaborators, for the query counts.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pk, sum(n) FROM (SELECT researcher_a_id AS pk, count(*) AS n "
            "FROM graph_collaboration GROUP BY 1 UNION ALL SELECT researcher_b_id, count(*) "
            "FROM graph_collaboration GROUP BY 1) AS ends GROUP BY pk"
        )
        by_degree = sorted((int(n), pk) for pk, n in cursor.fetchall() if pk != focus.pk)
    others = [by_degree[0], by_degree[len(by_degree) // 2], by_degree[-1]]

    # Warm both paths once (imports, plans, networkx) and compare their answers.
    reference = baseline_slice(focus.pk)
    _, result = slice_cold(focus)
    differs = compare(result, reference)
    captured = slice_queries(focus)
    counts = [(COLLABORATORS, len(captured))] + [
        (n, len(slice_queries(Researcher.objects.get(pk=pk)))) for n, pk in others
    ]

    slice_seconds, baseline_seconds, baseline_phases = [], [], []
    per_baseline = SLICE_RUNS // BASELINE_RUNS
    for _ in range(BASELINE_RUNS):
        for _ in range(per_baseline):
            slice_seconds.append(slice_cold(focus)[0])
        start = time.perf_counter()
        run = baseline_slice(focus.pk)
        baseline_seconds.append(time.perf_counter() - start)
        baseline_phases.append(run["seconds"])
    cached = []
    for _ in range(SLICE_RUNS):
        start = time.perf_counter()
        graph_slice(researcher=focus)
        cached.append(time.perf_counter() - start)

    # One work with HYPER_AUTHORS authors: new people, then existing well-connected ones.
    hyper_new = ingest_hyper(hyper_authored_work(1, new_authors(HYPER_AUTHORS, batch=1)))
    known = data["pool"][:HYPER_AUTHORS]
    known_collaborations = Collaboration.objects.filter(
        researcher_a_id__in=known, researcher_b_id__in=known
    ).count()
    hyper_known = ingest_hyper(
        hyper_authored_work(2, [(f"Collaborator {pk:05d}", f"A7{pk:09d}") for pk in known])
    )

    truncate()
    demo_data_load()

    sliced, baseline = statistics.median(slice_seconds), statistics.median(baseline_seconds)
    loaded = reference["loaded"]
    print_table(
        f"Graph slice: 1 researcher with {COLLABORATORS:,} collaborators and {WORKS:,} works in "
        f"the neighbourhood ({FOCUS_WORKS:,} the researcher's; {len(data['authorships']):,} "
        f"authorships;\n{graph['rows']:,} Collaboration rows); {SLICE_RUNS} cold slices (cache "
        f"cleared before each) interleaved with {BASELINE_RUNS} baseline runs (ms)",
        ["", "median", "min", "max", "queries"],
        [
            ["graph_slice, cache cleared", _ms(sliced), _ms(min(slice_seconds)),
             _ms(max(slice_seconds)), len(captured)],
            ["baseline: load authorships + networkx", _ms(baseline), _ms(min(baseline_seconds)),
             _ms(max(baseline_seconds)), reference["statements"]],
            *[[f"   {phase}", _ms(statistics.median(p[phase] for p in baseline_phases)), "", "",
               ""] for phase in baseline_phases[0]],
            ["graph_slice from the cache", _ms(statistics.median(cached), 2),
             _ms(min(cached), 2), _ms(max(cached), 2), 0],
        ],
    )  # fmt: skip
    print(f"  ratio baseline/slice (medians): {baseline / sliced:.1f}x")
    print(
        f"  the baseline loads {loaded[0]:,} authorships of {loaded[1]:,} works per run, a graph "
        f"of {loaded[2]:,} nodes and {loaded[3]:,} edges"
    )
    print(
        "  same lists as graph_slice (people with shared works and years, papers, recent papers, "
        "topics, institutions): " + ("yes" if not differs else "NO, differ: " + ", ".join(differs))
    )
    print(
        "  SQL queries of a cold slice, by the researcher's collaborators: "
        + ", ".join(f"{n:,} -> {q}" for n, q in counts)
    )
    print(
        "  one cold slice's queries (ms, the table each reads first): "
        + ", ".join(f"{float(q['time']) * 1000:.0f} {_first_table(q['sql'])}" for q in captured)
    )
    print("  set-up: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in setup.items()))
    pairs = HYPER_AUTHORS * (HYPER_AUTHORS - 1) // 2
    print_table(
        f"Import of one work with {HYPER_AUTHORS:,} authors ({pairs:,} pairs): "
        f"works.services.records_import, records built in memory, "
        f"GRAPH_MAX_AUTHORS_FOR_EDGES={settings.GRAPH_MAX_AUTHORS_FOR_EDGES}",
        ["", "seconds", "queries", "Collaboration rows created", "hyperauthored_works",
         "edges_skipped", "authorships"],
        [
            [label, f"{row['seconds']:.2f}", row["queries"], row["created"], row["hyperauthored"],
             f"{row['skipped']:,}", f"{row['authorships']:,}"]
            for label, row in [
                ("new researchers", hyper_new),
                (f"generated collaborators ({known_collaborations:,} pairs among them)",
                 hyper_known),
            ]
        ],
    )  # fmt: skip
    for label, row in [("new researchers", hyper_new), ("generated collaborators", hyper_known)]:
        print(
            f"  {label}, where the time goes: "
            + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in row["steps"])
        )
    print(f"  graph benchmarks done in {time.perf_counter() - started:.1f} s")
