"""Path converters. `<text:…>` is `<str:…>` without the characters no stored slug or id holds:
NUL (Postgres refuses it in a query, which would be a server error) and the other control
characters. Such an address is no page: it answers 404 before any view runs."""

from django.urls.converters import StringConverter


class TextConverter(StringConverter):
    regex = r"[^/\x00-\x1f\x7f]+"
