"""An institution page lists each paper once and says what kind of institution it is."""

import pytest

from tests.factories import AuthorshipFactory, InstitutionFactory, WorkFactory
from works.text import title_key

pytestmark = pytest.mark.django_db


def affiliated(work, institution, *, bylines=1):
    for position in range(bylines):
        AuthorshipFactory(work=work, position=position).institutions.add(institution)


def test_one_papers_versions_and_bylines_are_listed_once(client):
    institution = InstitutionFactory(type="education")
    title = "The State of OA: a large-scale analysis"
    versions = [
        WorkFactory(title=title, title_key=title_key(title), citation_count=count)
        for count in (3, 900, None)
    ]
    for work in versions:
        affiliated(work, institution, bylines=2)
    other = WorkFactory(title="Another paper")
    affiliated(other, institution)

    html = client.get(institution.get_absolute_url()).content.decode()

    assert html.count(title) == 1
    assert versions[1].get_absolute_url() in html  # the most cited version
    assert html.count("Another paper") == 1


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("education", "Institution · University or college"), ("funder", "Institution · Funder")],
)
def test_the_type_is_said_in_words(client, kind, shown):
    institution = InstitutionFactory(type=kind)
    html = client.get(institution.get_absolute_url()).content.decode()
    assert shown in html
    assert f"· {kind}" not in html


def test_an_unknown_type_is_left_out(client):
    institution = InstitutionFactory(type="other", country_code="")
    html = client.get(institution.get_absolute_url()).content.decode()
    assert '<p class="eyebrow">Institution</p>' in html
