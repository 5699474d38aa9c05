"""works.text: the pure helpers sources, ingest and search share. No database."""

import pytest
from django.utils.text import slugify as django_slugify
from hypothesis import given
from hypothesis import strategies as st

from works.text import fold, make_slug, slugify


@given(st.text(), st.booleans())
def test_slugify_gives_django_slugify_s_slug(text, allow_unicode):
    # Sources may not import Django; the slugs they make must not change for that.
    assert slugify(text, allow_unicode=allow_unicode) == django_slugify(
        text, allow_unicode=allow_unicode
    )


@pytest.mark.parametrize(
    ("text", "allow_unicode", "slug"),
    [
        ("Deep Unsupervised Learning", False, "deep-unsupervised-learning"),
        ("  Über -- Straße_ ", False, "uber-strae"),
        ("  Über -- Straße_ ", True, "über-straße"),
        ("Non-equilibrium thermodynamics!", False, "non-equilibrium-thermodynamics"),
        ("王小明", False, ""),
        ("王小明", True, "王小明"),
    ],
)
def test_slugify_examples(text, allow_unicode, slug):
    assert slugify(text, allow_unicode=allow_unicode) == slug


def test_make_slug_keeps_non_latin_names_readable_and_adds_the_suffix():
    assert make_slug("Jascha Sohl-Dickstein") == "jascha-sohl-dickstein"
    assert make_slug("王小明", suffix="A123") == "王小明-a123"
    assert make_slug("!!!") == "item"


def test_fold_makes_case_and_accents_one_name():
    assert fold("Söhl-DICKSTEIN ") == fold("sohl-dickstein") == "sohl-dickstein"
