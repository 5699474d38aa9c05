"""Text normalisation shared by ingest, search and matching."""

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


def loads_clean(text: str | bytes):
    """json.loads, then scrub, but only when the text escapes a NUL or a surrogate: valid
    UTF-8 cannot hold either literally, so most documents skip the walk."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    data = json.loads(text)
    return scrub(data) if _UNSTORABLE_ESCAPE.search(text) else data


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of a name or query, for search and matching.

    "Sohl-Dickstein", "SOHL-DICKSTEIN" and "Söhl-dickstein" fold to the same string.
    """
    text = text or ""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
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


def make_slug(text: str, *, suffix: str = "", max_length: int = 80) -> str:
    # allow_unicode keeps names in non-Latin scripts readable in the address.
    base = slugify(fold(text), allow_unicode=True)[:max_length].strip("-") or "item"
    suffix = slugify(suffix)
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
