"""/search/: one box, four kinds; /search/suggest/: the header box's suggestions (htmx)."""

import hashlib

from django.db import DEFAULT_DB_ALIAS, router
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bzpeer.params import param_int, param_text
from profiles import visitor_cache
from profiles.search import queries
from works.models import Researcher

MAX_QUERY_LENGTH = 200
KINDS = {
    "people": ("People", queries.people),
    "works": ("Works", queries.works),
    "topics": ("Topics", queries.topics),
    "institutions": ("Institutions", queries.institutions),
}
SECTION_SIZE = 5
PAGE_SIZE = 20
SUGGESTIONS_PER_KIND = 3
# A few of each kind: fewer people to rank, and works skip the typo look.
SUGGESTION_OPTIONS = {"people": {"candidates": 50}, "works": {"typos": False}}
# Cached results are never stale (search_version); this only bounds the memory of rare queries.
CACHED_SECONDS = 60 * 60


def _filters(request, kind: str) -> dict:
    get = request.GET
    if kind == "people":
        return {
            "institution": param_text(get.get("institution"), max_length=MAX_QUERY_LENGTH),
            "claimed": get.get("claimed") == "1",
            "open_to_collaborate": get.get("open") == "1",
        }
    if kind == "works":
        return {
            "year_from": param_int(get.get("year_from"), minimum=0, maximum=9999),
            "year_to": param_int(get.get("year_to"), minimum=0, maximum=9999),
            "type": param_text(get.get("type"), max_length=64),
            "topic": param_int(get.get("topic")),
            "author": param_text(get.get("author"), max_length=120),
        }
    return {}


def _visitor_key(request) -> tuple[str | None, bool]:
    """Where a visitor's results for a plain ?q= are cached, and whether they may be stored
    now. Not where search reads a replica: the version is the primary's."""
    if (
        request.htmx
        or not visitor_cache.is_plain_visit(request, frozenset({"q"}))
        or router.db_for_read(Researcher) != DEFAULT_DB_ALIAS
    ):
        return None, False
    version, settled = queries.search_version()
    # The full path, not the query alone: the page links back to it (the login link).
    digest = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return f"search:{version}:{digest}", settled


@require_GET
def search(request):
    query = param_text(request.GET.get("q"), max_length=MAX_QUERY_LENGTH)
    key, settled = _visitor_key(request)
    if key and (hit := visitor_cache.cached_response(request, key)):
        return hit
    kind = request.GET.get("kind")
    # Result pages are not for search engines (noindex); the pages they list are.
    context = {
        "query": query,
        "kind": kind if kind in KINDS else "",
        "sections": [],
        "noindex": True,
    }
    if kind in KINDS:
        title, find = KINDS[kind]
        filters = _filters(request, kind)
        results = find(query, after=request.GET.get("after"), limit=PAGE_SIZE, **filters)
        context["sections"] = [{"kind": kind, "title": title, "results": results}]
        context["filters"] = filters
        context["after"] = request.GET.get("after") or ""
    elif query:
        for name, (title, find) in KINDS.items():
            results = find(query, limit=SECTION_SIZE)
            context["sections"].append({"kind": name, "title": title, "results": results})
    context["total"] = sum(section["results"].count for section in context["sections"])
    if key:
        return visitor_cache.render_cached(
            request, key, context, "search/search.html", seconds=CACHED_SECONDS, store=settled
        )
    return render(request, "search/search.html", context)


@require_GET
def suggest(request):
    """The header box's listbox: a few of each kind, for the ARIA combobox (static/js)."""
    query = param_text(request.GET.get("q"), max_length=MAX_QUERY_LENGTH)
    sections = []
    if len(query) >= 2:
        for name, (title, find) in KINDS.items():
            results = find(query, limit=SUGGESTIONS_PER_KIND, **SUGGESTION_OPTIONS.get(name, {}))
            if results.hits:
                sections.append({"kind": name, "title": title, "results": results})
    context = {"query": query, "sections": sections}
    return render(request, "search/_suggestions.html", context)
