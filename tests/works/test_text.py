"""works.text: the pure helpers sources, ingest and search share. No database."""

import pytest
from django.utils.text import slugify as django_slugify
from hypothesis import given
from hypothesis import strategies as st

from works.text import clean_name, fold, make_slug, name_is_mixed_script, slugify, visible_text


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


def test_make_slug_makes_ascii_slugs_and_adds_the_suffix():
    # Issue 11: slugs are ASCII (they were "王小明-a123"); a name with no Latin letter takes
    # the fallback (an OpenAlex id) or a stable hash of the name.
    assert make_slug("Jascha Sohl-Dickstein") == "jascha-sohl-dickstein"
    assert make_slug("王小明", fallback="A123") == "a123"
    assert make_slug("王小明", suffix="A123") == f"{make_slug('王小明')}-a123"
    assert make_slug("王小明") == make_slug("王小明") != make_slug("王小红")
    assert make_slug("王小明").isascii()
    assert make_slug("!!!") == "item"


def test_fold_makes_case_and_accents_one_name():
    assert fold("Söhl-DICKSTEIN ") == fold("sohl-dickstein") == "sohl-dickstein"


@pytest.mark.parametrize(
    "lookalike",
    [
        "Heаther Piwowar",
        "Ηeather Piwowar",
        "Heather Pi\u200dwowar",
        "Heather\u202e Piwowar\u202c",
        "Ｈｅａｔｈｅｒ Ｐｉｗｏｗａｒ",
        "Hea\u00adther Piwowar",
        "\ufeffHeather Piwowar\u200b",
        "Heather\u2066 Piwowar\u2069",
        "Heather\u3164 Piwowar",
    ],
)
def test_lookalikes_fold_and_slug_as_the_name_they_imitate(lookalike):
    assert fold(lookalike) == "heather piwowar"
    assert make_slug(lookalike) == "heather-piwowar"


def test_clean_name_normalises_and_drops_what_shows_nothing():
    assert clean_name("Ｈｅａｔｈｅｒ\u200b  Pi\u00adwowar\u202e\n") == "Heather Piwowar"
    assert clean_name("Heаther") == "Heаther"  # the letters stay; fold and the flag see them


def test_only_words_mixing_latin_with_cyrillic_or_greek_are_flagged():
    assert name_is_mixed_script("Heаther Piwowar")
    assert name_is_mixed_script("Ηeather Piwowar")
    assert not name_is_mixed_script("Heather Piwowar")
    assert not name_is_mixed_script("Анна Петрова")
    assert not name_is_mixed_script("Anna Петрова")  # two scripts, but no word mixes them
    assert not name_is_mixed_script("Αλέξανδρος Papadopoulos")


@given(st.text())
def test_slugs_are_ascii(text):
    assert make_slug(text).isascii()
    assert make_slug(text, suffix="W123").isascii()


@pytest.mark.parametrize(
    "text", ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \u00ad ", "\u202e\u202c", "\u3164", ""]
)
def test_visible_text_of_invisible_characters_is_empty(text):
    assert visible_text(text) == ""


def test_visible_text_keeps_what_shows():
    assert visible_text(" Hello\u200b ") == "Hello"
    assert visible_text("👩\u200d🔬") == "👩🔬"
