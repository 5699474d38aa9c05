"""The works admin: staff correct what a work's page says, Work.save() sanitises it, and the
fields the imports own are read-only."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import AuthorshipFactory, UserFactory
from tests.profiles.test_views import Node, parse
from works.models import Work

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '<script>alert("title")</script>A study of <i onclick="alert(1)">things</i>'
HOSTILE_ABSTRACT = '<img src=x onerror="alert(2)"><p style="x">We show $x<y$.</p>'


@pytest.fixture
def staff_client(client):
    """A staff member who may change works, as a moderator would be set up."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="works", codename__endswith="_work")
    )
    client.force_login(staff)
    return client


def form_fields(page: Node) -> list[Node]:
    form = page.find("form", id="work_form")
    return [node for node in form.iter() if node.tag in {"input", "textarea", "select"}]


def form_data(page: Node) -> dict[str, str]:
    """What a browser would post from the change form as it was served."""
    data = {}
    for field in form_fields(page):
        name, kind = field.attrs.get("name"), field.attrs.get("type")
        if not name or kind in {"submit", "button"}:
            continue
        if field.tag == "textarea":
            data[name] = field.text
        elif field.tag == "select":
            chosen = [option for option in field.find_all("option") if "selected" in option.attrs]
            data[name] = chosen[0].attrs.get("value", "") if chosen else ""
        elif kind == "checkbox":
            if "checked" in field.attrs:
                data[name] = "on"
        else:
            data[name] = field.attrs.get("value", "")
    return data


def test_a_script_posted_through_the_admin_never_reaches_the_work_page(staff_client):
    work = AuthorshipFactory().work
    url = f"/admin/works/work/{work.pk}/change/"
    data = form_data(parse(staff_client.get(url)))

    response = staff_client.post(
        url, {**data, "title": HOSTILE_TITLE, "abstract": HOSTILE_ABSTRACT, "_save": "Save"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    work.refresh_from_db()
    assert (work.title, work.abstract) == ("A study of <i>things</i>", "<p>We show $x&lt;y$.</p>")
    assert work.title_key == "a study of things"
    response = staff_client.get(work.get_absolute_url())
    html = response.content.decode()
    for handler in ("alert(", "onerror", "onclick", "<img", "<script>alert"):
        assert handler not in html
    heading = parse(response).find("h1")
    assert (heading.text, heading.find("i").text) == ("A study of things", "things")


def test_fields_the_imports_own_are_read_only_in_the_change_form(staff_client):
    work = AuthorshipFactory(work__openalex_id="W1", work__doi="10.1/x").work
    url = f"/admin/works/work/{work.pk}/change/"
    editable = {field.attrs.get("name") for field in form_fields(parse(staff_client.get(url)))}

    for owned in ("slug", "openalex_id", "doi", "arxiv_id", "title_key", "citation_count",
                  "authors_count", "source_payload"):  # fmt: skip
        assert owned not in editable
    assert {"title", "abstract", "venue"} <= editable

    staff_client.post(
        url,
        {**form_data(parse(staff_client.get(url))),
         "slug": "taken-over", "doi": "10.1/changed", "citation_count": "999"},
    )  # fmt: skip

    assert Work.objects.filter(pk=work.pk, slug=work.slug, doi="10.1/x").exists()
