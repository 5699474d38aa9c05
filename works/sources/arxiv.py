"""arXiv Atom → plain records, and the client that asks arXiv politely for them.

arXiv serves two Atom dialects: the legacy one (before 2025-11: namespaces declared on each
element, hard-wrapped titles and abstracts, http:// links) and the current one (namespaces on
<feed>, one-line text). Parsing by namespace URI reads both.
"""

import datetime
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from works.sources.http import HttpSource, PageInvalid
from works.sources.openalex import normalise_arxiv_id
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord
from works.text import scrub_text

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_ABS_URL = re.compile(r"^https?://(?:export\.)?arxiv\.org/abs/(?P<id>\S+)$")


class ArxivQueryError(PageInvalid):
    """arXiv refused the query itself (its "Error" entry); asking again will not help."""

    retryable = False


@dataclass(frozen=True)
class ArxivFeed:
    records: list[WorkRecord]
    total_results: int
    start_index: int
    items_per_page: int


def _text(element: Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return scrub_text(" ".join(element.text.split()))


def _as_html(text: str) -> str:
    # WorkRecord titles and abstracts are HTML fragments that ingest sanitises; arXiv's are
    # plain text, so "x<y and y>z" has to reach the sanitiser escaped or it reads as a tag.
    return html.escape(text, quote=False)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _count(root: Element, name: str) -> int:
    value = _text(root.find(OPENSEARCH + name))
    if not value.isdigit():
        raise PageInvalid(f"arXiv feed has no usable opensearch:{name} ({value!r})")
    return int(value)


def _authorship(author: Element) -> AuthorshipRecord | None:
    name = _text(author.find(ATOM + "name"))
    if not name:
        return None
    affiliations = [_text(item) for item in author.findall(ARXIV + "affiliation")]
    return AuthorshipRecord(
        author=AuthorRecord(display_name=name, arxiv_name_forms=(name,)),
        raw_author_name=name,
        raw_affiliation="; ".join(item for item in affiliations if item),
    )


def _parse_entry(entry: Element) -> WorkRecord:
    title = _text(entry.find(ATOM + "title"))
    entry_url = _text(entry.find(ATOM + "id"))
    match = _ABS_URL.match(entry_url)
    if not match:
        # arXiv reports a bad query as a one-entry feed titled "Error", its message in <summary>.
        if title == "Error":
            message = _text(entry.find(ATOM + "summary")) or entry_url
            raise ArxivQueryError(f"arXiv reported an error: {message}")
        raise PageInvalid(f"arXiv entry without an arXiv id: {entry_url!r}")
    versioned_id = match.group("id")
    # The first version's date: <updated> moves with every revision.
    published = _text(entry.find(ATOM + "published"))
    publication_date = _date(published)
    doi = _text(entry.find(ARXIV + "doi")).lower() or None
    primary = entry.find(ARXIV + "primary_category")
    return WorkRecord(
        title=_as_html(title) or "Untitled work",
        doi=doi,
        arxiv_id=normalise_arxiv_id(versioned_id),
        source="arxiv",
        arxiv_id_confident=True,
        abstract=_as_html(_text(entry.find(ATOM + "summary"))),
        type="preprint",
        venue="arXiv",
        publication_date=publication_date,
        publication_year=publication_date.year if publication_date else None,
        authorships=tuple(
            record
            for record in map(_authorship, entry.findall(ATOM + "author"))
            if record is not None
        ),
        payload={
            "source": "arxiv",
            "id": versioned_id,
            "published": published,
            "updated": _text(entry.find(ATOM + "updated")),
            "primary_category": primary.get("term", "") if primary is not None else "",
            "categories": [item.get("term", "") for item in entry.findall(ATOM + "category")],
            "comment": _text(entry.find(ARXIV + "comment")),
            "journal_ref": _text(entry.find(ARXIV + "journal_ref")),
        },
    )


def parse_feed(xml_bytes: bytes) -> ArxivFeed:
    """One page of an arXiv API answer. Raises PageInvalid for anything but a usable feed."""
    try:
        # arXiv feeds never carry a DTD; refusing one shuts out external entities (XXE) and
        # entity expansion bombs before anything is resolved.
        root = fromstring(xml_bytes, forbid_dtd=True)
    except DefusedXmlException as error:
        raise PageInvalid(
            f"arXiv answer refused: it declares a DTD or entities ({type(error).__name__})"
        ) from error
    except ParseError as error:
        raise PageInvalid(f"arXiv answer is not XML ({error}): {xml_bytes[:120]!r}") from error
    if root.tag != ATOM + "feed":
        raise PageInvalid(f"arXiv answer is not an Atom feed (root element {root.tag!r})")
    return ArxivFeed(
        records=[_parse_entry(entry) for entry in root.findall(ATOM + "entry")],
        total_results=_count(root, "totalResults"),
        start_index=_count(root, "startIndex"),
        items_per_page=_count(root, "itemsPerPage"),
    )


class ArxivClient(HttpSource):
    """arXiv's export API: author searches, one page per call.

    arXiv asks for at least 3 s between requests; min_interval enforces it per client.
    """

    def __init__(self, *, base_url: str, min_interval: float = 3.0, page_size: int = 100, **kwargs):
        super().__init__(base_url=base_url, min_interval=min_interval, **kwargs)
        self.page_size = page_size

    def search_author(self, name_forms: Sequence[str], *, start: int) -> ArxivFeed:
        """Oldest first, so a page boundary stays put while new papers arrive at the end."""
        forms = dict.fromkeys(" ".join(form.replace('"', " ").split()) for form in name_forms)
        query = " OR ".join(f'au:"{form}"' for form in forms if form)
        if not query:
            raise ValueError("search_author needs at least one name form")
        params = {
            "search_query": query,
            "sortBy": "submittedDate",
            "sortOrder": "ascending",
            "start": start,
            "max_results": self.page_size,
        }
        return self._page(params, start=start, size=self.page_size)

    def _page(self, params: dict, *, start: int, size: int) -> ArxivFeed:
        # arXiv sometimes answers with fewer entries than its own totalResults implies (even
        # none); taking that as the end would silently drop works, so ask again, a few times.
        attempts = self.policy.max_attempts
        for attempt in range(1, attempts + 1):
            feed = parse_feed(self.get(self.base_url, params=params).content)
            expected = max(0, min(size, feed.total_results - start))
            if len(feed.records) >= expected:
                return feed
            if attempt < attempts:
                self.sleep(self.policy.backoff(attempt))
        raise PageInvalid(
            f"arXiv returned {len(feed.records)} of {expected} expected entries (start {start}, "
            f"totalResults {feed.total_results}); gave up after {attempts} attempts"
        )
