"""The search rules, pure: how a query reads, how well a name or a work matches it, and the
highlighted snippet. No Django and no database, so both databases rank with the same code and
the rules are tested without either."""

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from works.text import fold

MAX_QUERY_WORDS = 8
_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"?')

# Postgres's english stop words (tsearch_data/english.stop): its full-text index leaves them
# out, so the Python side must too or the two databases would disagree.
_STOP_WORDS_TEXT = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves what which who whom "
    "this that these those am is are was were be been being have has had having do does did "
    "doing a an the and but if or because as until while of at by for with about against "
    "between into through during before after above below to from up down in out on off over "
    "under again further then once here there when where why how all any both each few more "
    "most other some such no nor not only own same so than too very s t can will just don "
    "should now"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_STEMMER = snowballstemmer.stemmer("english")  # the algorithm of Postgres's english config


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Folded words: accents and case gone, hyphens and punctuation are spaces."""
    return _WORD.findall(fold(text))


# --- People, topics, institutions: names ---------------------------------------------------


def name_query_words(query: str) -> list[str]:
    """The words of a name query, without repeats, at most MAX_QUERY_WORDS ("Metz, L." and
    "L. Metz" read alike: order is free)."""
    return list(dict.fromkeys(words(query)))[:MAX_QUERY_WORDS]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two neighbours costs one), or limit + 1
    once it is beyond `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


EXACT, INITIAL, PREFIX = 1.0, 0.9, 0.85
TYPO_WEIGHT = 0.75
MIN_TYPO_SIMILARITY = 0.55


def word_match(query_word: str, name_word: str) -> tuple[float, str]:
    """How well one query word matches one word of a name, and how: "exact", "initial" (L for
    Luke, or the name's initial J for a typed Jascha), "prefix" (typing), "typo"; 0 for none."""
    if query_word == name_word:
        return EXACT, "exact"
    if len(query_word) == 1:
        return (INITIAL, "initial") if name_word.startswith(query_word) else (0.0, "")
    if len(name_word) == 1:
        return (INITIAL - 0.1, "initial") if query_word.startswith(name_word) else (0.0, "")
    if name_word.startswith(query_word):
        return PREFIX, "prefix"
    if len(query_word) < 3:
        return 0.0, ""
    longest = max(len(query_word), len(name_word))
    limit = int(longest * (1 - MIN_TYPO_SIMILARITY))
    distance = edit_distance(query_word, name_word, limit)
    if distance > limit:
        return 0.0, ""
    return TYPO_WEIGHT * (1 - distance / longest), "typo"


def _name_words(name: str) -> list[tuple[str, tuple[int, ...]]]:
    """A name's words, and each pair of neighbours written as one ("sohldickstein"): hyphens
    and spaces are equal, so is their absence. Each with the positions it covers."""
    parts = words(name)
    joined = [(a + b, (i, i + 1)) for i, (a, b) in enumerate(zip(parts, parts[1:], strict=False))]
    return [(word, (i,)) for i, word in enumerate(parts)] + joined


@dataclass(frozen=True)
class NameMatch:
    score: float  # 0 no match … 1 every word exact; a little more for the whole name in order
    name: str  # the name or variant that matched best
    exact: bool  # every query word matched exactly, as an initial or as a prefix
    typo: bool  # some word matched only by a close spelling


NO_MATCH = NameMatch(0.0, "", False, False)


def name_match(query_words: list[str], name: str) -> NameMatch:
    """How well the query's words match one name, in any order. Each word of the name serves
    one query word; the score is the mean of the query words' matches, so an unmatched word
    costs its share. A name of only initials matched needs a family name matched too."""
    if not query_words:
        return NO_MATCH
    candidates = _name_words(name)
    used: set[int] = set()
    total, kinds, order, anchored = 0.0, [], [], False
    # Longest words first: they say most, and initials should take what is left.
    for query_word in sorted(query_words, key=len, reverse=True):
        best, best_kind, best_positions = 0.0, "", ()
        for name_word, positions in candidates:
            if used.intersection(positions):
                continue
            score, kind = word_match(query_word, name_word)
            if score > best:
                best, best_kind, best_positions = score, kind, positions
        if best:
            used.update(best_positions)
            order.append((query_words.index(query_word), best_positions[0]))
            total += best
        kinds.append(best_kind)
        if len(query_word) > 1 and best_kind in ("exact", "prefix", "typo"):
            anchored = True
    if not anchored:
        return NO_MATCH
    score = total / len(query_words)
    parts = words(name)
    if used >= set(range(len(parts))) and all(kind == "exact" for kind in kinds):
        score += 0.1  # the whole name, nothing left over
    order.sort()
    if len(order) > 1 and [p for _, p in order] == sorted(p for _, p in order):
        score += 0.02  # typed in the name's own order
    exact = all(kind in ("exact", "initial", "prefix") for kind in kinds)
    return NameMatch(round(score, 4), name, exact, "typo" in kinds)


def best_name_match(query_words: list[str], names: list[str]) -> NameMatch:
    """The best match among a record's names (display name first, so it wins a tie)."""
    best = NO_MATCH
    for name in names:
        match = name_match(query_words, name)
        if match.score > best.score:
            best = match
    return best


MIN_NAME_SCORE = 0.45
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_edit(word: str) -> set[str]:
    """The word and every spelling one edit away (a letter left out, swapped with its
    neighbour, changed or added): the name words a typo could have meant, looked up exactly in
    an index rather than compared with every name."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {word}
    found.update(a + b[1:] for a, b in splits if b)
    found.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    found.update(a + c + b[1:] for a, b in splits if b for c in _LETTERS)
    found.update(a + c + b for a, b in splits for c in _LETTERS)
    return found


# --- Works: full text ------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    word: str  # as typed, folded: what Postgres's to_tsquery stems itself
    stem: str
    prefix: bool = False  # typed with a trailing *: any word beginning so


@dataclass(frozen=True)
class TextQuery:
    """A works query: terms every work must contain, and phrases whose words must stand
    together (each phrase's words are terms too)."""

    terms: tuple[Term, ...] = ()
    phrases: tuple[tuple[Term, ...], ...] = ()

    def __bool__(self):
        return bool(self.terms)

    def tsquery(self) -> str:
        """The Postgres to_tsquery text. Only letters and digits reach it, so nothing typed can
        be tsquery syntax."""
        parts = [" <-> ".join(t.word for t in phrase) for phrase in self.phrases]
        in_phrases = {t for phrase in self.phrases for t in phrase}
        parts += [t.word + (":*" if t.prefix else "") for t in self.terms if t not in in_phrases]
        return " & ".join(parts)

    def typo_tsquery(self) -> str:
        """Every term again, a word of TYPO_MIN_LENGTH letters or more as any title word one
        edit away from it (work_score(typos=True) then keeps those truly one letter off); the
        phrases are left to work_score."""
        parts = []
        for t in self.terms:
            if TYPO_MIN_LENGTH <= len(t.word) <= TYPO_MAX_LENGTH and not t.prefix:
                parts.append("(" + " | ".join(f"{s}:A" for s in sorted(one_edit(t.word))) + ")")
            else:
                parts.append(t.word + (":*" if t.prefix else ""))
        return " & ".join(parts)


def _tsquery_word(word: str) -> str:
    # Letters and digits of any script (Cyrillic, Greek, CJK words reach the index too); the
    # tsquery operators and quotes are none of them.
    return "".join(ch for ch in word if ch.isalnum())


def _terms(text: str, *, prefix: bool = False) -> list[Term]:
    found = []
    for word in words(text):
        word = _tsquery_word(word)
        if word and word not in STOP_WORDS:
            found.append(Term(word, stem(word), prefix))
    return found


def text_query(query: str) -> TextQuery:
    """Words (a trailing * asks for any word beginning so), "quoted phrases"; stop words are
    left out as the full-text index leaves them out."""
    terms, phrases = [], []
    rest = query
    for quoted in _PHRASE.findall(query):
        rest = rest.replace(f'"{quoted}"', " ").replace(f'"{quoted}', " ")
        phrase = _terms(quoted)
        if len(phrase) > 1:
            phrases.append(tuple(phrase))
        terms += phrase
    for raw in re.split(r"\s+", rest):
        terms += _terms(raw, prefix=raw.endswith("*"))
    terms = list(dict.fromkeys(terms))[:MAX_QUERY_WORDS]
    phrases = [p for p in phrases if all(t in terms for t in p)]
    return TextQuery(tuple(terms), tuple(phrases))


def _stems(text: str) -> list[str | None]:
    """The stems of a text's words by position, None for a stop word (it keeps its place, as
    in a tsvector)."""
    return [None if w in STOP_WORDS else stem(w) for w in (_tsquery_word(w) for w in text.split())]


def _has_term(stems: list[str | None], term: Term) -> bool:
    if term.prefix:
        return any(s is not None and s.startswith(term.stem) for s in stems)
    return term.stem in stems


def _has_phrase(stems: list[str | None], phrase: tuple[Term, ...]) -> bool:
    wanted, n = tuple(t.stem for t in phrase), len(phrase)
    return any(tuple(stems[i : i + n]) == wanted for i in range(len(stems) - n + 1))


TITLE_WEIGHT, ABSTRACT_WEIGHT = 3.0, 1.0
TYPO_MIN_LENGTH = 4  # shorter words one letter off are other words
TYPO_MAX_LENGTH = 24  # no word is longer; a long run of letters would spell thousands


def work_score(
    query: TextQuery, title_key: str, abstract_key: str, *, typos: bool = False
) -> float:
    """0 when the work lacks a term or a phrase (every word must be found, as with the
    full-text index), else higher the more of them stand in the title. With `typos`, a title
    word one letter off counts (at a discount) for a term the work lacks."""
    if not query:
        return 0.0
    title, abstract = _stems(title_key), _stems(abstract_key)
    title_words = title_key.split() if typos else []
    score = 0.0
    for term in query.terms:
        if _has_term(title, term):
            score += TITLE_WEIGHT
        elif _has_term(abstract, term):
            score += ABSTRACT_WEIGHT
        elif (
            typos
            and TYPO_MIN_LENGTH <= len(term.word) <= TYPO_MAX_LENGTH
            and any(edit_distance(term.word, w, 1) <= 1 for w in title_words)
        ):
            score += TITLE_WEIGHT / 2
        else:
            return 0.0
    for phrase in query.phrases:
        if _has_phrase(title, phrase):
            score += TITLE_WEIGHT
        elif _has_phrase(abstract, phrase):
            score += ABSTRACT_WEIGHT
        else:
            return 0.0
    return round(score / (len(query.terms) * TITLE_WEIGHT), 4)


def highlight(text: str, query: TextQuery, *, limit: int | None = None) -> str:
    """`text` escaped, the words matching the query in <mark>; with `limit`, a window of about
    that many characters around the first match. The only HTML here is the <mark> tags."""
    pieces = re.split(r"([^\W_]+)", text)
    marks = []
    for index in range(1, len(pieces), 2):
        folded = fold(pieces[index])
        s = stem(folded)
        marks.append(
            any(
                s == t.stem or folded == t.word or (t.prefix and s.startswith(t.stem))
                for t in query.terms
            )
        )
    start, end = 0, len(pieces)
    if limit is not None:
        first = next((i for i, marked in enumerate(marks) if marked), None)
        centre = 1 + 2 * first if first is not None else 0
        lengths = [len(p) for p in pieces]
        start = centre
        while start > 0 and sum(lengths[start:centre]) < limit // 3:
            start -= 1
        end = centre
        while end < len(pieces) and sum(lengths[start:end]) < limit:
            end += 1
    out = ["…" if start > 0 else ""]
    for index in range(start, end):
        piece = html.escape(pieces[index])
        if index % 2 and marks[(index - 1) // 2]:
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
    if end < len(pieces):
        out.append("…")
    return "".join(out).strip()
