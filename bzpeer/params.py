"""Reading numbers and text from a query string, for every view that does.

`int()` reads any Unicode digit ("²" raises, "٣" is 3) and numbers thousands of digits long;
`str.isdigit()` says yes to "²". A query parameter is a number here only when it is a few ASCII
digits, so no parameter reaches `int()` or the database as something else. (Page numbers go
to Django's Paginator.get_page as they came: it reads them itself, and anything but a number is
the first page.)"""

import re

_ASCII_NUMBER = re.compile(r"[0-9]{1,9}")
# Postgres refuses NUL in text; the other C0 controls and DEL belong in no name or query.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def param_int(
    value: str | None,
    *,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """The number `value` spells in ASCII digits, else `default`; clamped when it is outside
    [minimum, maximum] if those are given."""
    if value is None or not _ASCII_NUMBER.fullmatch(value):
        return default
    number = int(value)
    if minimum is not None:
        number = max(number, minimum)
    if maximum is not None:
        number = min(number, maximum)
    return number


def param_text(value: str | None, *, max_length: int) -> str:
    """`value` cut to max_length, each control character a space (a tab separated two words),
    stripped."""
    return _CONTROL.sub(" ", (value or "")[:max_length]).strip()


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))
