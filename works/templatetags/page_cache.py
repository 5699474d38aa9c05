"""{% page_cache "name" researcher [vary ...] %}…{% endpage_cache %}: a public fragment of a
researcher's page, rendered once per Researcher.page_version (which Postgres triggers change
whenever anything the page shows changes, works migration 0017) and each value of vary.

What a fragment holds is served to everyone, so it must not depend on who is asking. Parts that
do (the follow button, the claim links, the collaboration panel) go in {% page_live %}…
{% endpage_live %} holes inside it: the cached HTML keeps a marker there and each request fills
it, from the template's top-level context only (the hole is rendered outside any loop or
{% with %} around it). Rendering refuses a fragment that holds a CSRF field or the request's
CSP nonce. Off where the version is not kept (databases other than Postgres) and where the
context sets page_cache_off (the owner's view, with its own forms).
"""

import hashlib

from django import template
from django.core.cache import cache
from django.db import connection
from django.utils.safestring import mark_safe

register = template.Library()

FRAGMENT_SECONDS = 24 * 60 * 60


class FragmentNotPublic(ValueError):
    pass


def fragment_key(name: str, researcher_id: int, page_version: int, vary: list) -> str:
    varying = hashlib.md5(repr(vary).encode(), usedforsecurity=False).hexdigest()
    return f"page:{name}:{researcher_id}:{page_version}:{varying}"


def _marker(number: int) -> str:
    # NUL cannot come from the database (Postgres text holds none) nor from escaped input.
    return f"\x00page-live-{number}\x00"


def _check_public(name: str, html: str, context) -> None:
    request = context.get("request")
    nonce = getattr(request, "_csp_nonce", None)
    if "csrfmiddlewaretoken" in html or (isinstance(nonce, str) and nonce in html):
        raise FragmentNotPublic(f"The cached fragment {name} holds a CSRF token or a CSP nonce.")


class LiveNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.number = None

    def render(self, context):
        if context.render_context.get(self) == "marker":
            return _marker(self.number)
        return self.nodelist.render(context)


class PageCacheNode(template.Node):
    def __init__(self, nodelist, name, researcher, vary):
        self.nodelist, self.name, self.researcher, self.vary = nodelist, name, researcher, vary
        self.holes = nodelist.get_nodes_by_type(LiveNode)
        for number, hole in enumerate(self.holes):
            hole.number = number

    def render(self, context):
        if context.get("page_cache_off") or connection.vendor != "postgresql":
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        researcher = self.researcher.resolve(context)
        key = fragment_key(
            name, researcher.pk, researcher.page_version, [v.resolve(context) for v in self.vary]
        )
        html = cache.get(key)
        if html is None:
            for hole in self.holes:
                context.render_context[hole] = "marker"
            try:
                html = str(self.nodelist.render(context))
            finally:
                for hole in self.holes:
                    del context.render_context[hole]
            _check_public(name, html, context)
            cache.set(key, html, FRAGMENT_SECONDS)
        for hole in self.holes:
            html = html.replace(_marker(hole.number), str(hole.nodelist.render(context)))
        return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it


@register.tag
def page_cache(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a name, a researcher and vary-ons.")
    nodelist = parser.parse(("endpage_cache",))
    parser.delete_first_token()
    name, researcher, *vary = (parser.compile_filter(bit) for bit in bits[1:])
    return PageCacheNode(nodelist, name, researcher, vary)


@register.tag
def page_live(parser, token):
    nodelist = parser.parse(("endpage_live",))
    parser.delete_first_token()
    return LiveNode(nodelist)
