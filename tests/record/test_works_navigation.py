"""The profile's works: filters, sort and keyset pages in the URL."""

import re

from works.models import Researcher, Work

PRIEM = "A5023888391"


def titles(body: str) -> list[str]:
    return re.findall(r'<h3 class="work__title"><a href="(/works/[^"]+/)"', body)


def test_filter_by_type_and_years_and_search(client, demo):
    priem = Researcher.objects.get(openalex_id=PRIEM)
    url = priem.get_absolute_url()
    shown = Work.objects.shown_on([priem.pk])

    body = client.get(url, {"type": "dataset"}).content.decode()
    assert len(titles(body)) == shown.filter(type="dataset").count() > 0
    assert "matching item" in body

    body = client.get(url, {"year_from": "2017", "year_to": "2018"}).content.decode()
    expected = shown.filter(publication_year__range=(2017, 2018)).count()
    assert f"{expected} matching item" in body

    body = client.get(url, {"q": "state of oa"}).content.decode()
    article = Work.objects.get(openalex_id="W2741809807")
    assert article.get_absolute_url() in titles(body)


def test_sort_by_citations_walks_every_work_once_by_keyset(client, demo):
    priem = Researcher.objects.get(openalex_id=PRIEM)
    url = priem.get_absolute_url()
    shown = Work.objects.shown_on([priem.pk])
    htmx = {"HX-Request": "true", "HX-Target": "works-more"}

    body = client.get(url, {"sort": "citations"}).content.decode()
    seen = titles(body)
    assert seen[0] == Work.objects.get(openalex_id="W2741809807").get_absolute_url()
    while match := re.search(r'data-hx-get="([^"]+)" data-hx-target="#works-more"', body):
        assert "sort=citations" in match.group(1)
        body = client.get(match.group(1).replace("&amp;", "&"), headers=htmx).content.decode()
        seen += titles(body)
    assert len(seen) == len(set(seen)) == shown.count()


def test_filter_form_is_htmx_in_place_and_a_plain_get_form(client, demo):
    priem = Researcher.objects.get(openalex_id=PRIEM)
    body = client.get(priem.get_absolute_url()).content.decode()
    form = re.search(r'<form class="works-filter"[^>]*>', body).group(0)

    assert 'method="get"' in form
    assert 'data-hx-target="#works-results"' in form and 'data-hx-push-url="true"' in form
    fragment = client.get(
        priem.get_absolute_url(),
        {"type": "preprint"},
        headers={"HX-Request": "true", "HX-Target": "works-results"},
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="works-results">') and "<html" not in fragment
