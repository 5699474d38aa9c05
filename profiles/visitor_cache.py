"""Pages as every visitor who is not signed in sees them, cached whole per
Researcher.page_version: the fragments of works/templatetags/page_cache.py plus the header, the
viewer's panels and the head, which are the same for all of them. A hit renders no template and
reads only the record's id and version, not its row.

Each page is kept twice: as text with holes where the CSRF token goes, and gzip-compressed in
pieces around those holes, so a client that accepts gzip (browsers, crawlers) gets bytes that
need no compression per request; GZipMiddleware leaves a response with a Content-Encoding
alone. The anonymous page needs its token: its follow form posts (the follow completes after
login), and htmx sends the token from <body> with every post.
"""

import re
import struct
import zlib

from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from works.templatetags.page_cache import FRAGMENT_SECONDS, fragment_key

# Where the CSRF token goes in a page cached whole: each response puts in its own.
CSRF_HOLE = "\x00csrf-token\x00"

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# RFC 1952: deflate, no flags, no time, no extra flags, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def is_plain_visit(request, params: frozenset = frozenset()) -> bool:
    """A visitor not signed in, at the plain address or with only the given query parameters
    (other query strings' variety is unbounded), with no message waiting for them."""
    return not (
        request.user.is_authenticated
        or set(request.GET) != params
        or len(messages.get_messages(request))
        or connection.vendor != "postgresql"
    )


def page_key(name: str, researcher_id: int, page_version: int) -> str:
    return fragment_key(f"visitor-{name}", researcher_id, page_version, [])


def _deflated(pieces: list[bytes]) -> list[bytes]:
    """Each piece deflated on its own and flushed to a byte boundary, only the last one final:
    with stored blocks between them, they make one deflate stream."""
    deflated = []
    for number, piece in enumerate(pieces):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        flush = zlib.Z_FINISH if number == len(pieces) - 1 else zlib.Z_SYNC_FLUSH
        deflated.append(compressor.compress(piece) + compressor.flush(flush))
    return deflated


def _gzip_response(pieces: list[bytes], deflated: list[bytes], token: bytes) -> HttpResponse:
    """The deflated pieces with the token between them in stored (uncompressed) blocks.

    BREACH needs a secret compressed together with text an attacker can steer. The pieces hold
    no secret, and the token is never compressed, so its length on the wire is the same whatever
    the page holds: the compression cannot tell anything about it."""
    stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
    body, crc, size = [_GZIP_HEADER], 0, 0
    for number, piece in enumerate(pieces):
        if number:
            body.append(stored)
            crc, size = zlib.crc32(token, crc), size + len(token)
        body.append(deflated[number])
        crc, size = zlib.crc32(piece, crc), size + len(piece)
    body.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    response = HttpResponse(b"".join(body))
    response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _accepts_gzip(request) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))


def _plain_response(request, html: str) -> HttpResponse:
    if CSRF_HOLE in html:
        html = html.replace(CSRF_HOLE, get_token(request))
    return HttpResponse(html)


def cached_response(request, key: str):
    """The page cached under key, or None when it is not cached yet."""
    if _accepts_gzip(request):
        entry = cache.get(key + ":gzip")
        return None if entry is None else _gzip_response(*entry, get_token(request).encode())
    html = cache.get(key)
    return None if html is None else _plain_response(request, html)


def render_cached(
    request, key: str, context, template_name: str, *, seconds=FRAGMENT_SECONDS, store=True
):
    """Renders the page for a plain visit (is_plain_visit) and caches it both ways under key
    (unless not to store)."""
    html = render(request, template_name, {**context, "csrf_token": CSRF_HOLE}).content.decode()
    pieces = [piece.encode() for piece in html.split(CSRF_HOLE)]
    deflated = _deflated(pieces)
    if store:
        cache.set_many({key: html, key + ":gzip": (pieces, deflated)}, seconds)
    if _accepts_gzip(request):
        return _gzip_response(pieces, deflated, get_token(request).encode())
    return _plain_response(request, html)
