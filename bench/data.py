"""Generated data for the benchmarks and the tests: researchers, works and their authorships.

One module so that a benchmark and the test of the same code draw their data the same way.
Everything is deterministic for a seed (a `random.Random` passed in or made from it).

- Drawing: `cumulative` and `distinct` pick by weight (Zipf-like popularity: a few people on
  many works, most on one or two).
- Researchers: `researchers` makes records with identifiers and trust facts; `realistic_facts`
  is the default mix of those facts, a test passes its own to hit the formula's steps.
- Works: `hyper_authored_work` is one OpenAlex work record with a byline of thousands,
  `new_authors` people no database holds yet.
- Writing: `bulk_load` is the transaction to COPY rows with explicit ids in (the benchmarks
  empty the tables first), `copy_rows` writes value lists with defaults for the other columns.
  Unsaved model instances go to `bzpeer.db.bulk_insert` (also COPY) or `bulk_create`.

Django models are imported inside the functions: bench/run.py imports the benchmarks before
Django is set up.
"""

import datetime
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

# --- Drawing -----------------------------------------------------------------------------------


def cumulative(weights: Sequence[float]) -> list[float]:
    """Cumulative weights for `random.choices(..., cum_weights=...)`, computed once."""
    return list(itertools.accumulate(weights))


def distinct(rng: random.Random, population: Sequence, cum_weights: list[float], k: int) -> list:
    """k distinct members of the population, drawn by weight, in the order first drawn."""
    chosen: dict = {}
    while len(chosen) < k:
        for value in rng.choices(population, cum_weights=cum_weights, k=2 * (k - len(chosen))):
            chosen.setdefault(value, None)
            if len(chosen) == k:
                break
    return list(chosen)


# --- Researchers -------------------------------------------------------------------------------


def realistic_facts(rng: random.Random) -> dict:
    """The trust facts of one researcher as a large population has them: most at L1, works and
    followers log-uniform (0-315 works, 0-9,999 followers), a few open disputes."""
    return {
        "verification_level": rng.choices([0, 1, 2, 3], weights=[20, 60, 12, 8])[0],
        "works_count": int(10 ** rng.uniform(0, 2.5)) - 1,
        "verified_collaborators_count": rng.choice([0, 0, 0, 1, 2, 3, 5, 8]),
        "followers_count": int(10 ** rng.uniform(0, 4)) - 1,
        "open_disputes_count": rng.choices([0, 1, 2], weights=[95, 4, 1])[0],
    }


def researchers(
    count: int,
    *,
    seed: int,
    name: str = "Generated Researcher",
    start: int = 1,
    facts: Callable[[random.Random], dict] = realistic_facts,
) -> list:
    """`count` unsaved Researcher records numbered from `start`: "<name> <number>" with a slug
    and search keys to match, an ORCID iD and an OpenAlex id on about half each (both derived
    from the number, so distinct numbers never collide), and the fields `facts` draws.
    No trust is computed: every row changes on its first computation."""
    from works.models import Researcher
    from works.text import fold, make_slug

    rng = random.Random(seed)
    rows = []
    for number in range(start, start + count):
        display_name = f"{name} {number}"
        rows.append(
            Researcher(
                slug=make_slug(display_name),
                display_name=display_name,
                name_key=fold(display_name),
                search_name=fold(display_name),
                orcid=f"0000-0003-{number // 10_000:04d}-{number % 10_000:04d}"
                if rng.random() < 0.5
                else None,
                openalex_id=f"A8{number:09d}" if rng.random() < 0.5 else None,
                **facts(rng),
            )
        )
    return rows


# --- Works -------------------------------------------------------------------------------------


def new_authors(count: int, *, batch: int) -> list[tuple[str, str]]:
    """(display name, OpenAlex id) of `count` people; each batch number gives other people."""
    return [(f"Author {batch}-{i:04d}", f"A6{batch:03d}{i:06d}") for i in range(count)]


def hyper_authored_work(number: int, authors: Sequence[tuple[str, str]]):
    """One OpenAlex work record (2024, an article) whose byline is `authors`, in order: what a
    detector collaboration publishes. Its OpenAlex id follows from `number`."""
    from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord

    return WorkRecord(
        title=f"A detector paper with {len(authors):,} authors, number {number}",
        openalex_id=f"W9{number:09d}",
        publication_year=2024,
        type="article",
        authorships=tuple(
            AuthorshipRecord(
                author=AuthorRecord(display_name=name, openalex_id=openalex),
                raw_author_name=name,
            )
            for name, openalex in authors
        ),
    )


# --- Writing -----------------------------------------------------------------------------------


@contextmanager
def bulk_load(models: Sequence) -> Iterator[None]:
    """A transaction to COPY generated rows with explicit ids into emptied tables.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: the commit would check every
    generated row's keys one by one (most of a load's time). Generated rows are consistent by
    construction, so a superuser session skips those triggers for this transaction. After the
    rows, the models' id sequences move past them, and ANALYZE gives the planner their sizes."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextmanager
def indexes_dropped(models: Sequence, *, report: Callable[[str], None] = print) -> Iterator[None]:
    """The tables' secondary indexes and unique constraints dropped while the block loads rows,
    then rebuilt (timed, told to report): one sorted build per index is many times faster than
    millions of inserts into each. Primary keys stay."""
    import time

    from django.db import connection

    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                   c.conname
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u'
            WHERE t.relname = ANY(%s) AND NOT i.indisprimary
            """,
            [tables],
        )
        found = cursor.fetchall()
        for table, index, _, constraint in found:
            if constraint:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
            else:
                cursor.execute(f"DROP INDEX {index}")
    yield
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for table, index, definition, constraint in found:
            cursor.execute(definition)
            if constraint:
                cursor.execute(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" '
                    f"UNIQUE USING INDEX {index}"
                )
    report(f"{len(found)} indexes rebuilt: {time.perf_counter() - start:.1f} s")


def copy_rows(model, attnames: list[str], rows, **constants) -> None:
    """COPY rows given as value lists for attnames; every other column gets constants[name] or
    its model default (now for timestamps)."""
    from bzpeer.db import insert_values

    now = datetime.datetime.now(datetime.UTC)
    for field in model._meta.concrete_fields:
        if field.attname in attnames or field.attname in constants or field.primary_key:
            continue
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        constants[field.attname] = now if stamped else field.get_default()
    tail = list(constants.values())
    # A generator: millions of rows stream into COPY rather than sit in a list.
    insert_values(model, attnames + list(constants), ([*row, *tail] for row in rows))


# --- Databases of generated data ---------------------------------------------------------------


def database_url_for(bench_url: str, suffix: str) -> str:
    """The bench database's URL with "_<suffix>" added to its name: a generated data set kept
    between runs in its own database (the other bench sections empty the shared one)."""
    parts = urlsplit(bench_url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{suffix}"))


@contextmanager
def on_database(database_url: str) -> Iterator[None]:
    """Django's default connection on another database for a while."""
    from django.db import connection

    old = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = urlsplit(database_url).path.lstrip("/")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = old


# --- Names and titles (search) -------------------------------------------------------------------

# Family names weighted roughly by how often they head author lists: a few very common (Wang,
# Li, Zhang, Kim, Nguyen), a long tail; accents and hyphens as they are written.
SURNAMES = (
    ["Wang"] * 30
    + ["Li"] * 28
    + ["Zhang"] * 25
    + ["Liu"] * 18
    + ["Chen"] * 18
    + ["Kim"] * 12
    + ["Nguyen"] * 10
    + ["Smith"] * 8
    + ["Müller"] * 6
    + ["García"] * 6
    + ["Yang"] * 8
    + ["Kumar"] * 8
    + ["Singh"] * 8
    + ["Sato"] * 5
    + ["Rossi"] * 4
    + ["Silva"] * 6
    + [
        "Johnson",
        "Brown",
        "Jones",
        "Miller",
        "Davis",
        "Rodríguez",
        "Martínez",
        "Hernández",
        "López",
        "González",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "Pérez",
        "Thompson",
        "White",
        "Harris",
        "Sánchez",
        "Clark",
        "Ramírez",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
        "Torres",
        "Hill",
        "Flores",
        "Green",
        "Adams",
        "Nelson",
        "Baker",
        "Hall",
        "Rivera",
        "Campbell",
        "Mitchell",
        "Carter",
        "Roberts",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
        "Koch",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
        "Schwarz",
        "Zimmermann",
        "Braun",
        "Krüger",
        "Hofmann",
        "Hartmann",
        "Lange",
        "Schmitt",
        "Werner",
        "Krause",
        "Meier",
        "Lehmann",
        "Dubois",
        "Lefèvre",
        "Moreau",
        "Laurent",
        "Girard",
        "Bonnet",
        "Dupont",
        "Lambert",
        "Fontaine",
        "Rousseau",
        "Vincent",
        "Müller-Lüdenscheidt",
        "Sohl-Dickstein",
        "Gur-Ari",
        "Østergaard",
        "Jørgensen",
        "Nielsen",
        "Hansen",
        "Andersen",
        "Pedersen",
        "Larsen",
        "Novák",
        "Dvořák",
        "Kowalski",
        "Nowak",
        "Wiśniewski",
        "Wójcik",
        "Kovačević",
        "Horvát",
        "Nagy",
        "Szabó",
        "Tóth",
        "Ivanov",
        "Petrov",
        "Popescu",
        "Yılmaz",
        "Kaya",
        "Demir",
        "Şahin",
        "Çelik",
        "Öztürk",
        "Tanaka",
        "Suzuki",
        "Takahashi",
        "Watanabe",
        "Ito",
        "Yamamoto",
        "Nakamura",
        "Kobayashi",
        "Park",
        "Choi",
        "Jung",
        "Kang",
        "Cho",
        "Yoon",
        "Jang",
        "Lim",
        "Huang",
        "Zhao",
        "Wu",
        "Zhou",
        "Xu",
        "Sun",
        "Ma",
        "Zhu",
        "Hu",
        "Guo",
        "He",
        "Lin",
        "Gao",
        "Luo",
        "Zheng",
        "Liang",
        "Xie",
        "Song",
        "Tang",
        "Han",
        "Feng",
        "Deng",
        "Cao",
        "Peng",
        "Zeng",
        "Xiao",
        "Tian",
        "Dong",
        "Pan",
        "Yuan",
        "Cai",
        "Jiang",
        "Yu",
        "Du",
        "Ye",
        "Cheng",
        "Wei",
        "Su",
        "Lu",
        "Ding",
        "Ren",
        "Shen",
        "Yao",
        "Lu",
        "Jiang",
        "Cui",
        "Zhong",
        "Tan",
        "Hron",
        "Metz",
        "Poole",
        "Novak",
        "Xiao",
        "Adlam",
        "Pennington",
        "Schoenholz",
        "Bahri",
        "Freeman",
        "Maheswaranathan",
    ]
)
GIVEN_NAMES = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Wei",
    "Jing",
    "Li",
    "Min",
    "Hui",
    "Yan",
    "Lei",
    "Jun",
    "Xin",
    "Yu",
    "Hao",
    "Ying",
    "Jie",
    "Ming",
    "Tao",
    "Fang",
    "Ling",
    "Chao",
    "Bo",
    "Lin",
    "Jian",
    "Hua",
    "Ji-woo",
    "Min-jun",
    "Seo-yeon",
    "Hiroshi",
    "Yuki",
    "Takeshi",
    "Akira",
    "Haruto",
    "Sakura",
    "José",
    "María",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "Jorge",
    "Lucía",
    "François",
    "Zoë",
    "Chloé",
    "Hélène",
    "Jérôme",
    "Céline",
    "Élodie",
    "René",
    "André",
    "Jürgen",
    "Jörg",
    "Günter",
    "Bärbel",
    "Søren",
    "Åsa",
    "Björn",
    "Märta",
    "Łukasz",
    "Michał",
    "Paweł",
    "Zoltán",
    "Ádám",
    "Dóra",
    "Ibrahim",
    "Fatma",
    "Ayşe",
    "Mehmet",
    "Priya",
    "Rahul",
    "Anil",
    "Sunita",
    "Arjun",
    "Deepak",
    "Olga",
    "Sergei",
    "Natalia",
    "Dmitri",
    "Giulia",
    "Marco",
    "Chiara",
    "Luca",
    "Lechao",
    "Jascha",
    "Luke",
    "Ben",
    "Jiri",
    "Roman",
    "Jaehoon",
    "Yasaman",
    "Greg",
    "Ethan",
]


def person_name(rng: random.Random) -> str:
    """A realistic author name: given name, sometimes a middle initial, family name."""
    given = rng.choice(GIVEN_NAMES)
    middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.2 else ""
    return f"{given}{middle} {rng.choice(SURNAMES)}"


def people(count: int, rng: random.Random, planted: Sequence[str] = ()) -> Iterator[tuple]:
    """Researcher rows (id, slug, display name, name key, search name, works count, level)
    numbered from 1: the planted names first, then person_name's. The works count is a
    log-uniform draw (1-315) that a load with authorships recounts."""
    from works.ingest.matching import search_name
    from works.text import fold

    for number in range(1, count + 1):
        name = planted[number - 1] if number <= len(planted) else person_name(rng)
        given, _, family = name.rpartition(" ")
        variant = f"{given[:1]}. {family}"
        works = int(10 ** rng.uniform(0, 2.5))
        yield (
            number,
            f"p{number}",
            name,
            fold(name),
            search_name(name, [variant]),
            works,
            rng.randint(0, 3),
        )


TITLE_WORDS = [
    "neural",
    "network",
    "networks",
    "deep",
    "learning",
    "bayesian",
    "gaussian",
    "process",
    "processes",
    "kernel",
    "tangent",
    "infinite",
    "width",
    "optimization",
    "optimizer",
    "learned",
    "stochastic",
    "gradient",
    "descent",
    "diffusion",
    "score",
    "generative",
    "model",
    "models",
    "language",
    "cascade",
    "attention",
    "transformer",
    "graph",
    "convolutional",
    "sparse",
    "inference",
    "variational",
    "posterior",
    "prior",
    "sampling",
    "monte",
    "carlo",
    "markov",
    "chain",
    "quantum",
    "protein",
    "structure",
    "prediction",
    "climate",
    "ocean",
    "temperature",
    "cell",
    "gene",
    "expression",
    "single",
    "cell",
    "rna",
    "sequencing",
    "cancer",
    "immune",
    "response",
    "clinical",
    "trial",
    "randomized",
    "patients",
    "outcomes",
    "survival",
    "open",
    "access",
    "citation",
    "altmetrics",
    "bibliometric",
    "scholarly",
    "impact",
    "social",
    "media",
    "twitter",
    "software",
    "reproducible",
    "data",
    "sharing",
    "policy",
    "economic",
    "growth",
    "inequality",
    "labour",
    "market",
    "urban",
    "mobility",
    "traffic",
    "energy",
    "solar",
    "battery",
    "material",
    "thin",
    "film",
    "catalyst",
    "carbon",
    "dioxide",
    "reduction",
    "robust",
    "adversarial",
    "training",
    "estimation",
    "parameter",
    "minimum",
    "probability",
    "flow",
    "mixture",
    "theory",
    "empirical",
    "study",
    "analysis",
    "large",
    "scale",
    "simple",
    "efficient",
    "fast",
    "accurate",
    "scalable",
    "novel",
    "approach",
    "method",
    "framework",
    "towards",
    "understanding",
    "evidence",
    "review",
    "survey",
    "benchmark",
    "dataset",
]


def work_title(rng: random.Random) -> str:
    return " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(5, 11))).capitalize()
