"""sitemap.xml: a sitemap index whose files hold at most SITEMAP_URLS_PER_FILE URLs each.

Rows are walked by keyset (WHERE id > last ORDER BY id LIMIT n), never OFFSET, so each file
costs one index range scan at any table size (10^8 researchers make 10,000 files). Built files
live in the cache: beat rebuilds them all (profiles.tasks.sitemaps_rebuild_task), a request
that misses builds the one file it asked for. Records taken out of search engines
(Researcher.noindex) are left out, and their file is forgotten at once.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse

from works.models import Institution, Researcher, Topic, Work

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_MARK = "SITEMAP-PLACEHOLDER"


@dataclass(frozen=True)
class Section:
    name: str
    rows: Callable[[], QuerySet]
    url_name: str
    url_field: str
    lastmod_field: str | None

    def path_of(self) -> Callable[[object], str]:
        """A function from a row's url_field to its path, reversing the URL once."""
        template = reverse(self.url_name, kwargs={self.url_field: _MARK})
        return lambda value: template.replace(_MARK, str(value))


SECTIONS = {
    section.name: section
    for section in (
        Section(
            "researchers",
            lambda: Researcher.objects.filter(noindex=False),
            "profiles:detail",
            "slug",
            "updated_at",
        ),
        Section("works", lambda: Work.objects.all(), "works:detail", "slug", "updated_at"),
        Section("topics", lambda: Topic.objects.all(), "works:topic", "pk", None),
        Section(
            "institutions",
            lambda: Institution.objects.all(),
            "works:institution",
            "openalex_id",
            None,
        ),
    )
}


def _timeout() -> int:
    # Twice the rebuild interval: a late beat never leaves the site without a sitemap.
    return int(2 * settings.SITEMAP_REBUILD_SECONDS)


# Keys name the file size: after SITEMAP_URLS_PER_FILE changes, an index or a file cut at the
# old size is never served with the new one's numbering.
def index_key() -> str:
    return f"sitemap:{settings.SITEMAP_URLS_PER_FILE}:index"


def file_key(section: str, number: int) -> str:
    return f"sitemap:{settings.SITEMAP_URLS_PER_FILE}:{section}:{number}"


def file_path(section: str, number: int) -> str:
    return reverse("sitemap_file", kwargs={"section": section, "number": number})


def _keyset(rows: QuerySet, fields: list[str], size: int) -> Iterator[list[tuple]]:
    """Rows in id order, size at a time, each batch after the last id of the one before."""
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _fields(section: Section) -> list[str]:
    return [section.url_field] + ([section.lastmod_field] if section.lastmod_field else [])


def _urlset(section: Section, batch: list[tuple]) -> str:
    path_of = section.path_of()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for row in batch:
        entry = f"<url><loc>{escape(settings.SITE_URL + path_of(row[1]))}</loc>"
        if section.lastmod_field and row[2]:
            entry += f"<lastmod>{row[2].replace(microsecond=0).isoformat()}</lastmod>"
        lines.append(entry + "</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


def _index_xml(entries: list[dict]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NAMESPACE}">']
    for entry in entries:
        loc = escape(settings.SITE_URL + file_path(entry["section"], entry["number"]))
        lines.append(f"<sitemap><loc>{loc}</loc></sitemap>")
    lines.append("</sitemapindex>\n")
    return "\n".join(lines)


def rebuild(*, build_files: bool = True) -> dict:
    """Walks every section once; each file's id range (after, last] goes into the index.
    With build_files, each file is rendered from the same batch and cached too."""
    size = settings.SITEMAP_URLS_PER_FILE
    entries = []
    for section in SECTIONS.values():
        fields = _fields(section) if build_files else []
        for number, batch in enumerate(_keyset(section.rows(), fields, size), start=1):
            after = entries[-1]["last"] if entries and entries[-1]["section"] == section.name else 0
            entries.append(
                {"section": section.name, "number": number, "after": after, "last": batch[-1][0]}
            )
            if build_files:
                cache.set(file_key(section.name, number), _urlset(section, batch), _timeout())
    index = {"entries": entries, "xml": _index_xml(entries)}
    cache.set(index_key(), index, _timeout())
    return index


def index() -> dict:
    """The cached index, or a fresh one (ids only: its files are built when asked for)."""
    return cache.get(index_key()) or rebuild(build_files=False)


def index_xml() -> str:
    return index()["xml"]


def file_xml(section_name: str, number: int) -> str | None:
    """One file of the index, from the cache or built from its id range; None if none."""
    cached = cache.get(file_key(section_name, number))
    if cached is not None:
        return cached
    entry = next(
        (e for e in index()["entries"] if (e["section"], e["number"]) == (section_name, number)),
        None,
    )
    if entry is None:
        return None
    section = SECTIONS[section_name]
    batch = list(
        section.rows()
        .filter(pk__gt=entry["after"], pk__lte=entry["last"])
        .order_by("pk")
        .values_list("pk", *_fields(section))
    )
    xml = _urlset(section, batch)
    cache.set(file_key(section_name, number), xml, _timeout())
    return xml


def researcher_forget(researcher_id: int) -> None:
    """Drops the cached file listing this record, so its next request reflects noindex."""
    cached = cache.get(index_key())
    for entry in cached["entries"] if cached else []:
        if entry["section"] == "researchers" and entry["after"] < researcher_id <= entry["last"]:
            cache.delete(file_key("researchers", entry["number"]))
