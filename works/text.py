"""Text normalisation shared by ingest, search and matching."""

import functools
import hashlib
import itertools
import json
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_NOT_SLUG = re.compile(r"[^\w\s-]")
_SLUG_GAPS = re.compile(r"[-\s]+")


def scrub_text(text: str) -> str:
    """Drop what Postgres cannot store: NUL characters and lone UTF-16 surrogates, which
    json.loads keeps from a broken escape such as "\\ud83d"."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def scrub(value):
    """scrub_text applied to every string in a decoded JSON document."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {scrub_text(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|d[89a-f][0-9a-f]{2})", re.IGNORECASE)


def unstorable_escape(text: str) -> bool:
    """Whether JSON text escapes a character Postgres cannot store (see loads_clean)."""
    return _UNSTORABLE_ESCAPE.search(text) is not None


def loads_clean(text: str | bytes):
    """json.loads, then scrub, but only when the text escapes a NUL or a surrogate: valid
    UTF-8 cannot hold either literally, so most documents skip the walk."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    data = json.loads(text)
    return scrub(data) if _UNSTORABLE_ESCAPE.search(text) else data


# Characters that show nothing. Unicode's format characters (category Cf) are the zero-width
# space and joiners, the soft hyphen, the byte-order mark, the word joiner and the bidi marks,
# embeddings, overrides and isolates; these blank letters and joiners are not Cf but render as
# nothing too (Hangul fillers, Braille blank, combining grapheme joiner, variation selectors).
_BLANK = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0" + "".join(map(chr, range(0xFE00, 0xFE10)))
)


def is_invisible(ch: str) -> bool:
    return ch in _BLANK or unicodedata.category(ch) == "Cf"


def _class_of(test) -> re.Pattern:
    """A regex character class of the non-ASCII characters that pass test, as ranges: one C
    pass over a long abstract instead of a Python call per character."""
    # Planes 4 to 13 have no characters and 15 and 16 private ones only: none of them passes.
    planes = itertools.chain(range(0x80, 0x40000), range(0xE0000, 0xF0000))
    codes = [code for code in planes if test(chr(code))]
    ranges, start = [], codes[0]
    for previous, code in zip(codes, codes[1:] + [None], strict=True):
        if code != previous + 1:
            ranges.append(re.escape(chr(start)) + "-" + re.escape(chr(previous)))
            start = code
    return re.compile("[" + "".join(ranges) + "]")


@functools.cache
def _invisible_pattern() -> re.Pattern:
    return _class_of(is_invisible)


@functools.cache
def _combining_pattern() -> re.Pattern:
    return _class_of(unicodedata.combining)


def strip_invisible(text: str) -> str:
    """`text` without the characters that show nothing (zero-width, soft hyphen, BOM, bidi
    controls…)."""
    if text.isascii():
        return text
    return _invisible_pattern().sub("", text)


def visible_text(text: str) -> str:
    """What a reader sees of `text`, stripped: empty for a message of only zero-width spaces,
    bidi marks or blanks. Forms refuse a required field whose visible text is empty (and keep
    the text as typed otherwise: a joiner inside an emoji sequence is part of it)."""
    return strip_invisible(text or "").strip()


# Unicode's control characters (category Cc), fixed since Unicode 1.1: C0, DEL and C1.
_CONTROLS_TO_SPACE = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], " ")


def clean_name(text: str) -> str:
    """A name as BZPEER stores and compares it: NFKC-normalised (full-width and other
    compatibility forms become the plain letters), without invisible or control characters,
    single-spaced. Done before any key or slug is made from the name."""
    text = strip_invisible(scrub_text(text or ""))
    text = unicodedata.normalize("NFKC", text).translate(_CONTROLS_TO_SPACE)
    return _SPACE.sub(" ", text).strip()


# The Cyrillic and Greek letters that look like one Latin letter (a subset of Unicode's
# confusables.txt: the letters whose glyph is the Latin one's in common fonts).
_LOOKALIKES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеіјорсхуѕһԁԛԝӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν",
    "ABESIJKMHOPCTXYaeijopcxyshdqwlABEZHIKMNOPTYXoiv",
)
_WORD = re.compile(r"[^\W\d_]+")


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def _mixed_words(text: str) -> list[str]:
    """The words of `text` that mix Latin letters with Cyrillic or Greek ones."""
    mixed = []
    for word in _WORD.findall(text):
        if word.isascii():
            continue  # Latin letters only
        scripts = {_script(ch) for ch in word}
        if "LATIN" in scripts and scripts & {"CYRILLIC", "GREEK"}:
            mixed.append(word)
    return mixed


def name_is_mixed_script(name: str) -> bool:
    """True when a word of the name mixes Latin with Cyrillic or Greek letters ("Heаther" with
    a Cyrillic "а"): a look-alike for a moderator to see. Whole Cyrillic or Greek names are
    not."""
    return bool(_mixed_words(clean_name(name)))


def _latin_lookalikes(text: str) -> str:
    """In words that mix scripts, the Cyrillic and Greek letters that look Latin become Latin,
    so a look-alike name folds to the name it imitates."""
    for word in _mixed_words(text):
        text = text.replace(word, word.translate(_LOOKALIKES))
    return text


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of a name or query, for search and matching.

    "Sohl-Dickstein", "SOHL-DICKSTEIN" and "Söhl-dickstein" fold to the same string, and so do
    its look-alikes: full-width forms, invisible characters, Cyrillic letters in a Latin word.
    """
    text = text or ""
    if not text.isascii():
        text = _latin_lookalikes(clean_name(text))
        decomposed = unicodedata.normalize("NFKD", text)
        text = _combining_pattern().sub("", decomposed)
    return _SPACE.sub(" ", text.casefold().replace("\x00", "")).strip()


def title_key(title: str) -> str:
    """Title reduced to words only, for matching the same paper across sources."""
    return _SPACE.sub(" ", _NOT_WORD.sub(" ", fold(title))).strip()


def slugify(text: str, *, allow_unicode: bool = False) -> str:
    """Django's slugify, rule for rule, without Django: the sources (works.sources) make slugs
    too and import no Django. "Ünïcode name!" → "unicode-name"; with allow_unicode the letters
    stay ("ünïcode-name")."""
    if allow_unicode:
        text = unicodedata.normalize("NFKC", text)
    else:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SLUG.sub("", text.lower())
    return _SLUG_GAPS.sub("-", text).strip("-_")


def make_slug(text: str, *, suffix: str = "", fallback: str = "", max_length: int = 80) -> str:
    """An ASCII slug: accents dropped, look-alikes folded (fold), so no address imitates
    another. A text with no Latin letter or digit (王小明) takes `fallback` (an OpenAlex id),
    else a stable hash of the folded text."""
    folded = fold(text)
    base = slugify(folded)[:max_length].strip("-")
    if not base and any(ch.isalnum() for ch in folded):
        base = slugify(fallback) or hashlib.blake2b(folded.encode(), digest_size=5).hexdigest()
    suffix = slugify(suffix)
    base = base or "item"
    return f"{base}-{suffix}" if suffix else base


def plural(count: int, word: str) -> str:
    """ "1 work", "2 works"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


# OpenAlex's institution types (https://docs.openalex.org/api-entities/institutions), in words;
# an unknown type or "other" shows nothing rather than OpenAlex's code.
INSTITUTION_TYPES = {
    "education": "University or college",
    "healthcare": "Hospital or health care",
    "company": "Company",
    "archive": "Archive or library",
    "nonprofit": "Non-profit",
    "government": "Government body",
    "facility": "Research facility",
    "funder": "Funder",
}
