"""The name rule (profiles.identity): which addresses plausibly name a researcher, and which two
records plausibly name one person. Pure functions: no database."""

import pytest

from profiles.identity import address_names_researcher, name_parts, names_same_person

JASCHA = ["Jascha Sohl-Dickstein", "Sohl-Dickstein Jascha", "J. Sohl-Dickstein"]


@pytest.mark.parametrize(
    "local_part",
    [
        "jascha.sohl-dickstein",
        "jascha.sohldickstein",
        "Jascha.Sohl-Dickstein",
        "jsohldickstein",
        "sohl-dickstein",
        "sohldickstein",
        "j.sohl",
        "jsohl",
        "sohl.j",
        "sohldickstein.j",
        "jascha",
        "jascha_sd",
        "jdickstein",
        "jsohldick",  # a surname cut short, as eight-letter user names are
        "jascha+bzpeer",  # a +tag is the same mailbox
        "jascha2",  # digits tell namesakes apart and name nobody
    ],
)
def test_addresses_that_name_the_researcher(local_part):
    assert address_names_researcher(local_part, JASCHA)


@pytest.mark.parametrize(
    "local_part",
    [
        "jsd",  # initials only
        "js",
        "j",
        "info",
        "admin",
        "office",
        "webmaster",
        "no-reply",
        "alice",
        "jascha.smith",  # a part left over that is none of the name's
        "jaschasohldicksteinlab",
        "sd",
        "jsohldic",  # "dic": a part cut below four letters
        "",
        "1234",
        "+jascha",
    ],
)
def test_addresses_that_do_not(local_part):
    assert not address_names_researcher(local_part, JASCHA)


@pytest.mark.parametrize(
    ("local_part", "names", "named"),
    [
        ("alice", ["Bob Smith"], False),
        ("alice", ["Alice Smith"], True),
        ("asmith", ["Alice Smith"], True),
        ("bsmith", ["Alice Smith"], False),
        ("smith", ["Alice Smith"], True),
        # Accents fold: the address is ASCII, the record is not.
        ("jose.garcia", ["José García"], True),
        ("muller", ["Jürgen Müller"], True),
        ("obrien", ["Siobhán O'Brien"], True),
        ("sobrien", ["Siobhán O'Brien"], True),
        # Particles are parts like any other.
        ("jvdberg", ["Jan van den Berg"], True),
        ("jan.vandenberg", ["Jan van den Berg"], True),
        # Short names: at least three letters of whole parts; an initial names nobody.
        ("bo.li", ["Bo Li"], True),
        ("junli", ["Jun Li"], True),
        ("jli", ["Jun Li"], False),
        ("li", ["Jun Li"], False),
        ("wei.li", ["Li Wei"], True),
        # A record known by a name variant in another script or order.
        ("xiaoming.wang", ["王小明", "Xiaoming Wang"], True),
        ("xiaoming.wang", ["王小明"], False),
        # Each part is used once: "Anna" does not make "annaanna".
        ("annaanna", ["Anna Bell"], False),
        # A role address names nobody, whatever the record is called.
        ("info", ["Info Smith"], False),
        ("Info", [], False),
    ],
)
def test_name_shapes(local_part, names, named):
    assert address_names_researcher(local_part, names) is named


def test_name_parts_fold_and_split():
    assert name_parts("Jascha Sohl-Dickstein") == ("jascha", "sohl", "dickstein")
    assert name_parts("J.R.R. Tolkien") == ("j", "r", "r", "tolkien")
    assert name_parts("Ó'Brien, S") == ("obrien", "s")
    assert name_parts("  ") == ()


def test_a_pathological_name_is_bounded():
    # Forty names of many one- and two-letter parts against the longest local part: the
    # reading is a search, bounded by MAX_PARTS, MAX_NAMES and MAX_LETTERS.
    names = ["ab ba abab baba a b aa bb ab ba"] * 100
    assert not address_names_researcher("ab" * 40, names)
    assert not address_names_researcher("ab" * 31 + "c", names)


@pytest.mark.parametrize(
    ("names", "other_names", "same"),
    [
        (["Jascha Sohl-Dickstein"], ["J. Sohl-Dickstein"], True),
        (["J. Sohl-Dickstein"], ["Jascha Sohl-Dickstein"], True),
        (["Jascha Sohl-Dickstein"], ["Sohl-Dickstein, Jascha"], True),
        (["Alice Marie Smith"], ["Alice Smith"], True),
        (["Alice Smith"], ["Bob Smith"], False),
        (["Alice Smith"], ["Alice Jones"], False),
        (["Heather Piwowar"], ["Jason Priem"], False),
        (["José García"], ["Jose Garcia"], True),
        (["Li Wei"], ["Wei Li"], True),
        (["Wei Li"], ["Wei Zhang"], False),
        ([], ["Alice Smith"], False),
    ],
)
def test_two_records_of_one_person(names, other_names, same):
    assert names_same_person(names, other_names) is same
