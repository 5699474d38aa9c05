"""Names are what they look like: look-alikes of a name (Cyrillic or Greek letters in a Latin
word, zero-width and bidi characters, full-width forms, a soft hyphen, a BOM) are cleaned before
ingest makes keys and slugs, so they are one record, and every slug is ASCII."""

from importlib import import_module

import pytest

from tests.factories import ResearcherFactory
from works.models import Authorship, Researcher
from works.services import records_import
from works.sources.records import AuthorRecord, AuthorshipRecord, WorkRecord

pytestmark = pytest.mark.django_db

REAL = "Heather Piwowar"
LOOKALIKES = [
    "Heаther Piwowar",  # Cyrillic а (U+0430)
    "Ηeather Piwowar",  # Greek capital eta (U+0397)
    "Heather Pi\u200dwowar",  # zero-width joiner
    "Heather\u202e Piwowar\u202c",  # right-to-left override … pop directional formatting
    "Ｈｅａｔｈｅｒ Ｐｉｗｏｗａｒ",  # full-width forms
    "Hea\u00adther Piwowar",  # soft hyphen
    "\ufeffHeather Piwowar\u200b",  # byte-order mark, zero-width space
]
MIXED_SCRIPT = {"Heаther Piwowar", "Ηeather Piwowar"}


def paper(number: int, author: AuthorRecord) -> WorkRecord:
    return WorkRecord(
        title=f"Paper {number}",
        arxiv_id=f"2301.{number:05d}",
        publication_year=2023,
        authorships=(AuthorshipRecord(author=author, raw_author_name=author.display_name),),
    )


def test_lookalikes_of_a_name_are_one_record():
    # Fails without works.text.fold's clean_name and _latin_lookalikes: eight records.
    names = [REAL, *LOOKALIKES]
    for number, name in enumerate(names):
        records_import(records=[paper(number, AuthorRecord(display_name=name))])

    researcher = Researcher.objects.get()
    assert (researcher.display_name, researcher.slug) == (REAL, "heather-piwowar")
    assert researcher.name_key == "heather piwowar"
    assert Authorship.objects.filter(researcher=researcher).count() == len(names)


def test_lookalike_records_get_ascii_slugs_and_mixed_scripts_are_flagged():
    # With distinct OpenAlex ids they stay distinct records (different authors to OpenAlex), but
    # no slug imitates the real one and the mixed-script names wait for a moderator.
    names = [REAL, *LOOKALIKES]
    records_import(
        records=[
            paper(number, AuthorRecord(display_name=name, openalex_id=f"A9{number:05d}"))
            for number, name in enumerate(names)
        ]
    )

    rows = {row.openalex_id: row for row in Researcher.objects.all()}
    assert len(rows) == len(names)
    for number, name in enumerate(names):
        row = rows[f"A9{number:05d}"]
        assert row.slug.isascii(), row.slug
        assert row.slug in {"heather-piwowar", f"heather-piwowar-a9{number:05d}"}
        assert row.display_name.isprintable() and "\u202e" not in row.display_name
        assert row.name_needs_review == (name in MIXED_SCRIPT), name
    assert rows["A900004"].display_name == REAL  # full-width forms made plain


def test_a_name_without_latin_letters_gets_a_stable_ascii_slug():
    records_import(
        records=[
            paper(1, AuthorRecord(display_name="王小明", openalex_id="A5000000001")),
            paper(2, AuthorRecord(display_name="Анна Петрова")),
        ]
    )

    chinese = Researcher.objects.get(openalex_id="A5000000001")
    russian = Researcher.objects.get(display_name="Анна Петрова")
    assert chinese.slug == "a5000000001"
    assert russian.slug.isascii() and len(russian.slug) == 10
    assert not chinese.name_needs_review and not russian.name_needs_review
    assert russian.name_key == "анна петрова"  # a whole Cyrillic name is no look-alike


def test_plain_names_keep_the_slugs_they_had():
    records_import(
        records=[paper(1, AuthorRecord(display_name="Jascha Sohl-Dickstein"))]
        + [paper(2, AuthorRecord(display_name="José Núñez"))]
    )

    assert set(Researcher.objects.values_list("slug", flat=True)) == {
        "jascha-sohl-dickstein",
        "jose-nunez",
    }


def test_the_migration_flags_lookalikes_imported_before_the_flag():
    from django.apps import apps

    flag_stored_lookalikes = import_module(
        "works.migrations.0007_researcher_name_needs_review"
    ).flag_stored_lookalikes
    for number, name in enumerate([REAL, *LOOKALIKES, "Анна Петрова"]):
        ResearcherFactory(display_name=name, slug=f"stored-{number}")

    flag_stored_lookalikes(apps, None)

    assert (
        set(
            Researcher.objects.filter(name_needs_review=True).values_list("display_name", flat=True)
        )
        == MIXED_SCRIPT
    )
