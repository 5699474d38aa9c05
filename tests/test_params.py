"""bzpeer.params: a query parameter is a number only in a few ASCII digits. No database."""

import pytest

from bzpeer.params import has_control_characters, param_int, param_text


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("25", 25),
        ("007", 7),
        ("²", None),
        ("٣", None),
        ("１２", None),
        ("𝟗", None),
        ("1²", None),
        ("-1", None),
        ("1e3", None),
        (" 5", None),
        ("", None),
        (None, None),
        ("1" * 10_000, None),
    ],
)
def test_param_int_reads_ascii_digits_only(value, number):
    # "²".isdigit() is True and int("²") raises: the explorer's limit=² was a 500.
    assert param_int(value) == number


def test_param_int_default_and_bounds():
    assert param_int("x", default=25) == 25
    assert param_int("500", default=25, maximum=100) == 100
    assert param_int("0", minimum=1) == 1


def test_param_text_drops_control_characters():
    assert param_text(" a\x00b\tc ", max_length=200) == "a b c"
    assert param_text("x" * 300, max_length=200) == "x" * 200
    assert param_text(None, max_length=5) == ""
    assert has_control_characters("slug\x00") and not has_control_characters("jascha-sohl")


@pytest.mark.parametrize("limit", ["²", "٣", "1" * 10_000])
def test_explorer_api_reads_a_non_ascii_limit_as_no_limit(client, demo, limit):
    response = client.get(
        "/explore/api/node/", {"id": "person:jascha-sohl-dickstein", "limit": limit}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("node_id", ["topic:²", "person:a\x00b", "institution:\x00"])
def test_explorer_api_refuses_unreadable_node_ids(client, db, node_id):
    assert client.get("/explore/api/node/", {"id": node_id}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/researchers/a%00b/",
        "/works/%00/",
        "/institutions/I1%00/",
        "/researchers/x/works/%00/hide/",
    ],
)
def test_a_nul_in_a_path_segment_is_no_page(client, db, path):
    assert client.get(path).status_code == 404
