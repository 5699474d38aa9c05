"""A work page as crawlers and reference managers read it: JSON-LD (expanded by pyld with a
local schema.org context, no network), Highwire citation_* tags, the Cite box, and the three
downloads parsed by real parsers."""

import json
import re

import jsonschema
import pytest
import rispy
from django.test import override_settings
from pybtex.database import parse_string
from pyld import jsonld

from tests.conftest import FIXTURES
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

pytestmark = pytest.mark.django_db

CSL_SCHEMA = json.loads((FIXTURES / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
SCHEMA_ORG = "https://schema.org/"


def local_schema_org(url, options=None):
    """pyld's document loader: schema.org's context as a bare vocabulary, no request."""
    assert url.rstrip("/") == "https://schema.org", url
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA_ORG}},
    }


def json_ld_blocks(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def expanded(data: dict) -> dict:
    [node] = jsonld.expand(data, {"documentLoader": local_schema_org})
    return node


@pytest.fixture
def work():
    work = WorkFactory(
        title="Attack <i>of</i> the &amp; </script><script>alert(1)</script> clones",
        doi="10.1234/clones",
        arxiv_id="2401.99999",
        type="article",
        venue="Journal of Tests",
        publication_year=2024,
        slug="attack-of-the-clones",
    )
    for position, name in enumerate(["Ada Lovelace", "Émilie du Châtelet"]):
        AuthorshipFactory(
            work=work,
            position=position,
            researcher=ResearcherFactory(display_name=name, named=True),
        )
    return work


@override_settings(SITE_URL="https://bzpeer.example")
def test_work_page_carries_a_scholarly_article_that_a_json_ld_processor_expands(client, work):
    html = client.get(work.get_absolute_url()).content.decode()
    [data] = json_ld_blocks(html)
    node = expanded(data)

    assert "</script><script>" not in html.split("application/ld+json")[1].split("</script>")[0]
    assert node["@type"] == [SCHEMA_ORG + "ScholarlyArticle"]
    assert node[SCHEMA_ORG + "name"][0]["@value"] == "Attack of the & clones"
    authors = [a[SCHEMA_ORG + "name"][0]["@value"] for a in node[SCHEMA_ORG + "author"]]
    assert authors == ["Ada Lovelace", "Émilie du Châtelet"]
    assert node[SCHEMA_ORG + "datePublished"][0]["@value"] == "2024"
    ids = {
        i[SCHEMA_ORG + "propertyID"][0]["@value"]: i[SCHEMA_ORG + "value"][0]["@value"]
        for i in node[SCHEMA_ORG + "identifier"]
    }
    assert ids == {"DOI": "10.1234/clones", "arXiv": "2401.99999"}
    assert node[SCHEMA_ORG + "isPartOf"][0][SCHEMA_ORG + "name"][0]["@value"] == "Journal of Tests"
    assert (
        '<link rel="canonical" href="https://bzpeer.example/works/attack-of-the-clones/">' in html
    )


def test_work_page_has_highwire_tags_and_a_social_card(client, work):
    html = client.get(work.get_absolute_url()).content.decode()
    meta = re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', html)

    assert meta == [
        ("citation_title", "Attack of the &amp; clones"),
        ("citation_author", "Ada Lovelace"),
        ("citation_author", "Émilie du Châtelet"),
        ("citation_publication_date", "2024"),
        ("citation_journal_title", "Journal of Tests"),
        ("citation_doi", "10.1234/clones"),
        ("citation_arxiv_id", "2401.99999"),
        ("citation_pdf_url", "https://arxiv.org/pdf/2401.99999"),
    ]
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_the_cite_box_formats_apa_and_chicago(client, work):
    html = client.get(work.get_absolute_url()).content.decode()
    cite = html.split('id="cite"', 1)[1].split("</section>", 1)[0]

    assert (
        "<dt>APA</dt><dd>Lovelace, A., &amp; du Châtelet, É. (2024). Attack of the &amp; clones."
        " Journal of Tests. https://doi.org/10.1234/clones</dd>"
    ) in cite
    assert "<dt>Chicago (author-date)</dt><dd>Lovelace, A., and É. du Châtelet. 2024." in cite
    assert "<script>" not in cite


def test_bibtex_download_parses_as_one_entry(client, work):
    response = client.get(f"/works/{work.slug}/export/bibtex/")

    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="attack-of-the-clones.bib"'
    [(key, entry)] = parse_string(response.content.decode(), "bibtex").entries.items()
    assert key == "lovelace2024attack"
    assert entry.type == "article" and entry.fields["doi"] == "10.1234/clones"
    assert "<" not in entry.fields["title"]


def test_ris_download_round_trips(client, work):
    response = client.get(f"/works/{work.slug}/export/ris/")

    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    [record] = rispy.loads(response.content.decode())
    assert record["title"] == "Attack of the & clones"
    assert record["authors"] == ["Lovelace, Ada", "du Châtelet, Émilie"]


def test_csl_json_download_validates(client, work):
    response = client.get(f"/works/{work.slug}/export/csl-json/")

    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = json.loads(response.content)
    jsonschema.validate(items, CSL_SCHEMA)
    assert items[0]["title"] == "Attack of the & clones"


def test_an_unknown_format_is_not_found(client, work):
    assert client.get(f"/works/{work.slug}/export/docx/").status_code == 404
