"""schema.org JSON-LD for profiles and work pages, and Highwire citation_* meta tags."""

from django.conf import settings

from works.models import Researcher, Work
from works.sanitize import to_plain_text

SCHEMA_CONTEXT = "https://schema.org"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _title(work: Work) -> str:
    return " ".join(work.plain_title.split())


def _person(researcher: Researcher) -> dict:
    return {
        "@type": "Person",
        "name": researcher.display_name,
        "url": absolute(researcher.get_absolute_url()),
    }


def researcher_json_ld(researcher: Researcher) -> dict:
    data = {"@context": SCHEMA_CONTEXT, **_person(researcher)}
    same_as = [url for url in (researcher.orcid_url, researcher.openalex_url) if url]
    if same_as:
        data["sameAs"] = same_as
    if researcher.orcid:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "ORCID",
            "value": researcher.orcid,
        }
    if researcher.institution:
        institution = researcher.institution
        affiliation = {
            "@type": "Organization",
            "name": institution.name,
            "url": absolute(institution.get_absolute_url()),
        }
        if institution.ror:
            affiliation["sameAs"] = f"https://ror.org/{institution.ror}"
        data["affiliation"] = affiliation
    return data


def work_json_ld(work: Work) -> dict:
    """A ScholarlyArticle; its byline from work.authorships (prefetched by the page)."""
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "ScholarlyArticle",
        "name": _title(work),
        "headline": _title(work)[:110],
        "url": absolute(work.get_absolute_url()),
        "author": [_person(a.researcher) for a in work.authorships.all()],
    }
    if work.publication_date:
        data["datePublished"] = work.publication_date.isoformat()
    elif work.publication_year:
        data["datePublished"] = str(work.publication_year)
    identifiers = []
    if work.doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": work.doi})
    if work.arxiv_id:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "arXiv", "value": work.arxiv_id}
        )
    if identifiers:
        data["identifier"] = identifiers
        data["sameAs"] = [url for url in (work.doi_url, work.arxiv_url) if url]
    if work.venue:
        data["isPartOf"] = {"@type": "Periodical", "name": work.venue}
    if work.abstract:
        data["abstract"] = to_plain_text(work.abstract)
    return data


def citation_meta(work: Work) -> list[tuple[str, str]]:
    """Highwire Press tags (what Google Scholar and Zotero read), in their usual order."""
    tags = [("citation_title", _title(work))]
    tags += [("citation_author", a.researcher.display_name) for a in work.authorships.all()]
    if work.publication_date:
        tags.append(("citation_publication_date", work.publication_date.strftime("%Y/%m/%d")))
    elif work.publication_year:
        tags.append(("citation_publication_date", str(work.publication_year)))
    if work.venue:
        tags.append(("citation_journal_title", work.venue))
    if work.doi:
        tags.append(("citation_doi", work.doi))
    if work.arxiv_id:
        tags.append(("citation_arxiv_id", work.arxiv_id))
        tags.append(("citation_pdf_url", f"https://arxiv.org/pdf/{work.arxiv_id}"))
    return tags
