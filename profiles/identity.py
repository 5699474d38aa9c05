"""Whether an e-mail address, or a second record, plausibly names the person behind a record.

An institutional address proves that its holder has a mailbox at the institution, not who they
are. So a code sent to it reaches L2 only when the address's local part reads as the record's
name, and an account holds approved claims only on records whose names read as each other's.
Pure: strings in, yes or no out, tested without a database (tests/profiles/test_identity.py).

The rule. A name splits into parts ("Jascha Sohl-Dickstein" → jascha, sohl, dickstein), folded
(lower case, accents dropped: works.text.fold) and reduced to letters ("O'Brien" → obrien). A
local part names the person when its letters, after dropping a "+tag", digits and separators,
can be read as the concatenation, in any order, of pieces of *distinct* parts of one of the
record's names, where a piece is a whole part, a part cut short to at least four letters
("jsohldick"), or a part's initial; and the whole parts and cut parts (each of at least two
letters) add up to at least three letters. So

- jascha.sohl-dickstein, jsohldickstein, sohl-dickstein, j.sohl, sohldickstein.j: named;
- jsd (initials only), jli for Jun Li (two named letters), info, admin: not named;
- alice for a record named Bob Smith: not named (nothing left over may be unexplained).

Role addresses (info, admin, office, …) never name a person, whatever the record is called.
"""

import re
from collections.abc import Iterable
from functools import cache

from works.text import fold

# Letters of whole or cut parts a reading must contain: initials alone never name anyone.
MIN_NAMED_LETTERS = 3
# A part cut short ("dickstein" → "dick…") must keep this many letters.
MIN_CUT_LETTERS = 4
# Bounds on the work one call can do, whatever a record's names look like.
MAX_PARTS = 8
MAX_NAMES = 40
MAX_LETTERS = 64

ROLE_LOCAL_PARTS = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "contact",
        "dean",
        "department",
        "dept",
        "enquiries",
        "events",
        "help",
        "helpdesk",
        "hostmaster",
        "hr",
        "info",
        "inquiries",
        "lab",
        "library",
        "mail",
        "media",
        "news",
        "noreply",
        "office",
        "postmaster",
        "press",
        "reception",
        "research",
        "root",
        "secretary",
        "security",
        "staff",
        "students",
        "support",
        "team",
        "webmaster",
    }
)

_PART_SEPARATOR = re.compile(r"[\s.,;:_/\-\u2010\u2011\u2012\u2013\u2014]+")


def _letters(text: str) -> str:
    return "".join(character for character in fold(text) if character.isalpha())


def name_parts(name: str) -> tuple[str, ...]:
    """The folded, letters-only parts of a name: "Jascha Sohl-Dickstein" → ("jascha", "sohl",
    "dickstein"); "J.R.R. Tolkien" → ("j", "r", "r", "tolkien"); "Ó'Brien, S" → ("obrien", "s")."""
    parts = (_letters(word) for word in _PART_SEPARATOR.split(fold(name)))
    return tuple(part for part in parts if part)[:MAX_PARTS]


def _pieces(part: str) -> list[tuple[str, int]]:
    """Each way a part may appear in a reading, with the letters it names."""
    named = len(part) if len(part) >= 2 else 0
    pieces = [(part, named)]
    pieces += [(part[:length], length) for length in range(MIN_CUT_LETTERS, len(part))]
    if len(part) > 1:
        pieces.append((part[0], 0))
    return pieces


def _named_letters(letters: str, parts: tuple[str, ...]) -> int:
    """The most named letters of any reading of `letters` through `parts`; -1 if none."""
    pieces = [_pieces(part) for part in parts]

    @cache
    def best(position: int, unused: int) -> int:
        if position == len(letters):
            return 0
        found = -1
        for index, part_pieces in enumerate(pieces):
            if not unused >> index & 1:
                continue
            for piece, named in part_pieces:
                if letters.startswith(piece, position):
                    rest = best(position + len(piece), unused & ~(1 << index))
                    if rest >= 0:
                        found = max(found, named + rest)
        return found

    return best(0, (1 << len(parts)) - 1)


def _reads_as(letters: str, names: Iterable[str]) -> bool:
    if not letters or len(letters) > MAX_LETTERS:
        return False
    for name in list(names)[:MAX_NAMES]:
        parts = name_parts(name)
        if parts and _named_letters(letters, parts) >= MIN_NAMED_LETTERS:
            return True
    return False


def address_names_researcher(local_part: str, name_variants: Iterable[str]) -> bool:
    """Whether the local part of an e-mail address (before the @) plausibly names a person
    known by these names (the record's display name and name variants); the rule is above."""
    letters = _letters(local_part.split("+", 1)[0])
    if letters in ROLE_LOCAL_PARTS:
        return False
    return _reads_as(letters, name_variants)


def names_same_person(names: Iterable[str], other_names: Iterable[str]) -> bool:
    """Whether two records plausibly name one person: some name of one, its parts run
    together, reads through the parts of some name of the other by the same rule ("J.
    Sohl-Dickstein" and "Jascha Sohl-Dickstein"; not "Alice Smith" and "Bob Smith")."""
    names, other_names = list(names)[:MAX_NAMES], list(other_names)[:MAX_NAMES]
    return any(_reads_as("".join(name_parts(name)), other_names) for name in names) or any(
        _reads_as("".join(name_parts(name)), names) for name in other_names
    )
