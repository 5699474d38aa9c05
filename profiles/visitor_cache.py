"""Pages as every visitor who is not signed in sees them, cached whole per
Researcher.page_version: the fragments of works/templatetags/page_cache.py plus the header, the
viewer's panels and the head, which are the same for all of them. A hit renders no template and
reads only the record's id and version, not its row.
"""

from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render

from works.templatetags.page_cache import FRAGMENT_SECONDS, fragment_key

# Where the CSRF token goes in a page cached whole: each response puts in its own.
CSRF_HOLE = "\x00csrf-token\x00"


def is_plain_visit(request) -> bool:
    """A visitor not signed in, at the plain address (a query string's variety is unbounded),
    with no message waiting for them."""
    return not (
        request.user.is_authenticated
        or request.GET
        or len(messages.get_messages(request))
        or connection.vendor != "postgresql"
    )


def _key(name: str, researcher_id: int, page_version: int) -> str:
    return fragment_key(f"visitor-{name}", researcher_id, page_version, [])


def _response(request, html: str) -> HttpResponse:
    if CSRF_HOLE in html:
        html = html.replace(CSRF_HOLE, get_token(request))
    return HttpResponse(html)


def cached_response(request, name: str, researcher_id: int, page_version: int):
    """The cached page, or None when it is not cached yet."""
    html = cache.get(_key(name, researcher_id, page_version))
    return None if html is None else _response(request, html)


def render_cached(request, researcher, name: str, context, template_name: str):
    """Renders the page for a plain visit (is_plain_visit) and caches it."""
    html = render(request, template_name, {**context, "csrf_token": CSRF_HOLE}).content.decode()
    cache.set(_key(name, researcher.pk, researcher.page_version), html, FRAGMENT_SECONDS)
    return _response(request, html)
