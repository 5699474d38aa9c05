"""Search's reads: each database finds candidates its own way, then profiles.search.rank
orders them, so the quick start (SQLite) and Postgres agree (docs/search.md).

Postgres narrows with indexes: trigram GIN on folded names (word_similarity, `%>`), a GIN
full-text index on the works' weighted title and abstract words. SQLite, the quick start's demo
database of a few hundred rows, hands every row to the ranking.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, Count, FloatField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from profiles.search import rank
from works.models import Authorship, Institution, Researcher, Topic, Work
from works.sanitize import to_plain_text

# Candidates ranked per query: enough for every page a person reads; beyond it the count
# says "more than".
CANDIDATES = 300
NAME_SIMILARITY = "0.4"  # pg_trgm.word_similarity_threshold for names and title words
SNIPPET_LENGTH = 240
# The works' full-text document: the text of the work_search_vector index (works migration
# 0013), so the planner uses it.
WORK_VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, title_key), 'A') || "
    "setweight(to_tsvector('english'::regconfig, abstract_key), 'B'))"
)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class Hit:
    item: object
    score: float
    key: tuple  # the order; also the keyset cursor
    why: str = ""
    title: SafeString | str = ""
    snippet: SafeString | str = ""
    count: int | None = None


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    capped: bool = False  # more matched than were ranked
    next_cursor: str = ""
    did_you_mean: list[Hit] = field(default_factory=list)
    close_spellings: bool = False  # works found only by a title word one letter off

    @property
    def count_label(self) -> str:
        return f"more than {self.count}" if self.capped else str(self.count)


def cursor_of(key: tuple) -> str:
    return "_".join(repr(part) for part in key)


def parse_cursor(text: str | None, size: int) -> tuple | None:
    """A cursor made by cursor_of, or None for anything else."""
    parts = (text or "").split("_")
    if len(parts) != size:
        return None
    try:
        return tuple(float(part) if "." in part else int(part) for part in parts)
    except ValueError:
        return None


def _page(hits: list[Hit], after: str | None, limit: int, capped: bool) -> Results:
    hits.sort(key=lambda hit: hit.key)
    cursor = parse_cursor(after, len(hits[0].key)) if hits else None
    rest = [hit for hit in hits if cursor is None or hit.key > cursor]
    page = rest[:limit]
    next_cursor = cursor_of(page[-1].key) if len(rest) > limit else ""
    return Results(page, len(hits), capped, next_cursor)


def _trigram_candidates(queryset: QuerySet, column: str, words: list[str]) -> QuerySet:
    """Rows whose `column` holds a word like one of `words` (pg_trgm's `%>` with the GIN
    trigram index), the likest first."""
    table = queryset.model._meta.db_table
    probes = [w for w in words if len(w) > 1]
    if len(words) > 1:
        probes.append("".join(words))  # "sohl dickstein" typed as one word, or the reverse
    if not probes:
        return queryset.none()
    target = f'"{table}"."{column}"'
    condition = " OR ".join([f"{target} %%> %s"] * len(probes))
    likeness = "GREATEST(" + ", ".join([f"word_similarity(%s, {target})"] * len(probes)) + ")"
    return (
        queryset.filter(RawSQL(condition, probes, output_field=BooleanField()))  # noqa: S611
        .annotate(likeness=RawSQL(likeness, probes, output_field=FloatField()))  # noqa: S611
        .order_by("-likeness", "pk")
    )


def _set_similarity_threshold():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [NAME_SIMILARITY]
        )


# --- People ----------------------------------------------------------------------------------

# The words of a researcher's folded names: the text of the researcher_name_words index (works
# migration 0014), so the planner uses it.
NAME_WORDS = r"""regexp_split_to_array("profiles_researcher"."search_name", '[\W_]+')"""
# The ranking's tie-breaks after the match (claimed, verified, works): the order of the
# researcher_search_order index, so a common name's first candidates need no sort of all.
PEOPLE_ORDER = ("-is_claimed", "-verification_level", "-works_count", "-pk")
TYPO_EDITS_UP_TO = 7  # longer words: one edit is too narrow, trigrams find their typos well


def _people_as_typed(records: QuerySet, words: list[str]) -> QuerySet:
    """Names holding every word typed, the last perhaps only begun (typing): the words by the
    name-words GIN index, the beginning by the trigram index."""
    complete = [word for word in words[:-1] if len(word) > 1]
    conditions, params = [], []
    if complete:
        conditions.append(f"{NAME_WORDS} @> %s::text[]")
        params.append(complete)
    if len(words[-1]) > 1:
        # Words are letters and digits only (rank.words), so nothing typed is regex syntax.
        conditions.append('"profiles_researcher"."search_name" ~ %s')
        params.append(r"\m" + words[-1])
    if not conditions:
        return records.none()
    condition = RawSQL(" AND ".join(conditions), params, output_field=BooleanField())  # noqa: S611
    return records.filter(condition).order_by(*PEOPLE_ORDER)


HELD_SPELLINGS = (
    "SELECT spelling FROM unnest(%s::text[]) AS spelling WHERE EXISTS ("  # noqa: S608 - constant
    f"SELECT 1 FROM profiles_researcher WHERE {NAME_WORDS} @> ARRAY[spelling])"
)


def _name_words_held(spellings: set[str]) -> set[str]:
    """Those of the spellings some name holds: a probe of the name-words index each. The
    query after names only these, so the planner's estimate (from the index's word
    frequencies) is right rather than a guess for hundreds of unknown words."""
    with transaction.atomic(), connection.cursor() as cursor:
        # An index probe per spelling even where the planner would rather scan a small or
        # unanalysed table once per spelling (hundreds of spellings).
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        cursor.execute(HELD_SPELLINGS, [sorted(spellings)])
        held = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")
    return held


def _people_one_edit(records: QuerySet, words: list[str]) -> QuerySet:
    """Names with, for each word typed of three to seven letters, a word one edit away from it
    (longer words: alike by trigrams). Each spelling is an exact look-up in the name-words
    index, a few pages whatever the table's size."""
    short = [word for word in words if 3 <= len(word) <= TYPO_EDITS_UP_TO]
    spellings = {word: rank.one_edit(word) for word in short}
    held = _name_words_held(set().union(*spellings.values())) if short else set()
    conditions, params = [], []
    for word in words:
        if word in spellings:
            conditions.append(f"{NAME_WORDS} && %s::text[]")
            params.append(sorted(spellings[word] & held))
        elif len(word) > TYPO_EDITS_UP_TO:
            conditions.append('"profiles_researcher"."search_name" %%> %s')
            params.append(word)
    if not conditions or not all(params):
        return records.none()
    condition = RawSQL(" AND ".join(conditions), params, output_field=BooleanField())  # noqa: S611
    return records.filter(condition).order_by(*PEOPLE_ORDER)


def _people_alike(records: QuerySet, words: list[str]) -> QuerySet:
    """Names with a word alike by trigrams to each word typed of three letters or more: wider
    than one edit ("poul" for Poole) but it reads every name sharing enough trigrams."""
    target = '"profiles_researcher"."search_name"'
    probes = [word for word in words if len(word) >= 3]
    if not probes:
        return records.none()
    condition = " AND ".join([f"{target} %%> %s"] * len(probes))
    likeness = " + ".join([f"word_similarity(%s, {target})"] * len(probes))
    return (
        records.filter(RawSQL(condition, probes, output_field=BooleanField()))  # noqa: S611
        .annotate(likeness=RawSQL(likeness, probes, output_field=FloatField()))  # noqa: S611
        .order_by("-likeness", "pk")
    )


def _name_hits(rows, words) -> dict[int, tuple[rank.NameMatch, str]]:
    """The best match per person (a linked record's match counts for its primary)."""
    best: dict[int, tuple[rank.NameMatch, str]] = {}
    for pk, display_name, variants, primary_id in rows:
        names = [display_name, *(variants or [])]
        match = rank.best_name_match(words, names)
        if match.score < rank.MIN_NAME_SCORE:
            continue
        why = ""
        if primary_id:
            why = f"also known as {display_name}"
        elif rank.words(match.name) != rank.words(display_name):
            why = f"also known as {match.name}"
        if match.typo:
            why = ", ".join(filter(None, ["close spelling", why]))
        target = primary_id or pk
        if target not in best or match.score > best[target][0].score:
            best[target] = (match, why)
    return best


def people(
    query: str,
    *,
    institution: str = "",
    claimed: bool = False,
    open_to_collaborate: bool = False,
    after: str | None = None,
    limit: int = 20,
    candidates: int = CANDIDATES,
) -> Results:
    """Researchers by name, name variant or linked record; ranked by match, then claimed and
    verified, then works. A linked record's match shows its primary, "also known as".
    Postgres looks for the words as typed first; with fewer than a page of those, for
    spellings one edit away too; with none, for names alike by trigrams."""
    words = rank.name_query_words(query)
    if not words:
        return Results()
    # A record taken out of the site's search by its holder or a moderator (unlisted).
    records = Researcher.objects.filter(unlisted=False)
    if institution:
        records = records.filter(
            institution__in=Institution.objects.filter(name__icontains=institution)
        )
    if claimed:
        records = records.filter(is_claimed=True)
    if open_to_collaborate:
        records = records.filter(open_to_collaborate=True)
    fields = ("pk", "display_name", "name_variants", "primary_id")
    if _postgres():
        rows = list(_people_as_typed(records, words).values_list(*fields)[:candidates])
        capped = len(rows) >= candidates
        # Fewer than a page as typed: close spellings after them ("muller" also finds Miller);
        # trigram likeness only when nothing else was found.
        best = _name_hits(rows, words)
        for close, wanted in ((_people_one_edit, limit), (_people_alike, 1)):
            if len(best) >= wanted:
                break
            with transaction.atomic():
                _set_similarity_threshold()
                more = list(close(records, words).values_list(*fields)[:candidates])
            capped = capped or len(more) >= candidates
            rows += more
            best = _name_hits(rows, words)
    else:
        rows = list(records.values_list(*fields))
        capped = False
        best = _name_hits(rows, words)
    facts = {
        row[0]: row
        for row in Researcher.objects.filter(pk__in=best, unlisted=False).values_list(
            "pk", "is_claimed", "verification_level", "works_count"
        )
    }
    hits = [
        Hit(
            item=pk,
            score=match.score,
            key=(-match.score, -int(facts[pk][1]), -facts[pk][2], -facts[pk][3], pk),
            why=why,
        )
        for pk, (match, why) in best.items()
        if pk in facts
    ]
    results = _page(hits, after, limit, capped)
    shown = Researcher.objects.select_related("institution").in_bulk([h.item for h in results.hits])
    for hit in results.hits:
        hit.item = shown[hit.item]
    # Nobody matched every word as typed: offer the nearest names instead of guessing.
    if results.hits and not any(best[h.item.pk][0].exact for h in results.hits):
        results.did_you_mean = results.hits[:3]
    return results


# --- Works -----------------------------------------------------------------------------------


def _work_filters(
    works: QuerySet, *, year_from=None, year_to=None, type="", topic=None, author=""
) -> QuerySet:
    if year_from is not None:
        works = works.filter(publication_year__gte=year_from)
    if year_to is not None:
        works = works.filter(publication_year__lte=year_to)
    if type:
        works = works.filter(type=type)
    if topic is not None:
        works = works.filter(worktopic__topic_id=topic)
    if author:
        works = works.filter(
            Q(authorships__researcher__slug=author)
            | Q(authorships__researcher__primary__slug=author)
        ).distinct()
    return works


def _works_found(candidates: QuerySet, tsquery: str, fields: tuple) -> list[tuple]:
    """Postgres: the works matching the tsquery by the full-text index, the likeliest first;
    SQLite: every work."""
    if not _postgres():
        return list(candidates.values_list(*fields))
    found = candidates.filter(
        RawSQL(  # noqa: S611 - constant SQL; what is typed is a parameter
            f"{WORK_VECTOR} @@ to_tsquery('english', %s)", [tsquery], output_field=BooleanField()
        )
    ).annotate(
        relevance=RawSQL(  # noqa: S611
            f"ts_rank({WORK_VECTOR}, to_tsquery('english', %s))",
            [tsquery],
            output_field=FloatField(),
        )
    )
    ordered = found.order_by("-relevance", "-publication_year", "pk")
    return list(ordered.values_list(*fields)[:CANDIDATES])


def works(
    query: str, *, after: str | None = None, limit: int = 20, typos: bool = True, **filters
) -> Results:
    """Works by title and abstract words: every word must be found (stemmed; "phrases"; a
    trailing * for a prefix); title words rank above abstract words, newer first on a tie.
    When none has every word, titles with a word one letter off, looked up in the same index
    (unless `typos` is False: the suggestions skip that second look)."""
    text = rank.text_query(query)
    if not text:
        return Results()
    candidates = _work_filters(Work.objects.all(), **filters)
    fields = ("pk", "title_key", "abstract_key", "publication_year")
    rows = _works_found(candidates, text.tsquery(), fields)
    scored = [(row, rank.work_score(text, row[1], row[2])) for row in rows]
    scored = [(row, score) for row, score in scored if score]
    capped = len(rows) >= CANDIDATES
    close = not scored and typos
    if close:
        if _postgres():
            rows = _works_found(candidates, text.typo_tsquery(), fields)
        scored = [(row, rank.work_score(text, row[1], row[2], typos=True)) for row in rows]
        scored = [(row, score) for row, score in scored if score]
    hits = [
        Hit(item=row[0], score=score, key=(-score, -(row[3] or 0), row[0])) for row, score in scored
    ]
    results = _page(hits, after, limit, capped)
    results.close_spellings = close and bool(hits)
    byline = Authorship.objects.select_related("researcher").only(
        "work_id", "position", "researcher__display_name", "researcher__slug"
    )
    shown = (
        Work.objects.defer("source_payload")
        .prefetch_related(Prefetch("authorships", queryset=byline.order_by("position")))
        .in_bulk([hit.item for hit in results.hits])
    )
    for hit in results.hits:
        work = hit.item = shown[hit.item]
        hit.title = mark_safe(rank.highlight(work.plain_title, text))  # noqa: S308 - escaped
        abstract = to_plain_text(work.abstract)
        if abstract:
            snippet = rank.highlight(abstract, text, limit=SNIPPET_LENGTH)
            hit.snippet = mark_safe(snippet)  # noqa: S308 - rank.highlight escapes the text
        hit.why = "title words one letter off" if close else ""
    return results


def search_version() -> tuple[int, bool]:
    """A number that every change to what search shows moves, and whether results computed
    now may be kept under it (works migration 0022). Postgres only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version, settled FROM search_version()")
        return cursor.fetchone()


# --- Topics and institutions -----------------------------------------------------------------


def _named(model, counted: str, query: str, after: str | None, limit: int) -> Results:
    words = rank.name_query_words(query)
    if not words:
        return Results()
    rows_qs = model.objects.all()
    with transaction.atomic():
        if _postgres():
            _set_similarity_threshold()
            rows_qs = _trigram_candidates(rows_qs, "name", words)
        rows = list(rows_qs.values_list("pk", "name")[:CANDIDATES])
    hits = []
    for pk, name in rows:
        match = rank.name_match(words, name)
        if match.score >= rank.MIN_NAME_SCORE:
            hits.append(Hit(item=pk, score=match.score, key=(-match.score, pk)))
    results = _page(hits, after, limit, len(rows) >= CANDIDATES)
    shown = model.objects.annotate(count=Count(counted, distinct=True)).in_bulk(
        [hit.item for hit in results.hits]
    )
    for hit in results.hits:
        hit.item = shown[hit.item]
        hit.count = hit.item.count
        hit.title = format_html("{}", hit.item.name)
    return results


def topics(query: str, *, after: str | None = None, limit: int = 20) -> Results:
    """Topics by name, each with its works count."""
    return _named(Topic, "works", query, after, limit)


def institutions(query: str, *, after: str | None = None, limit: int = 20) -> Results:
    """Institutions by name, each with its researchers count."""
    return _named(Institution, "researchers", query, after, limit)
