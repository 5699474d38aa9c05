"""/search/: one box, four kinds; /search/suggest/: the header box's suggestions (htmx)."""

import functools

from django.shortcuts import render
from django.views.decorators.http import require_GET

from bzpeer.params import param_int, param_text
from profiles.search import queries

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
# Results are the same for everyone, so a popular query is answered from the cache; a change
# (a new work, a claim) shows in them within this many seconds. Profiles are never stale
# (works/templatetags/page_cache.py); search spans too many records to key on their versions.
RESULTS_CACHE_SECONDS = 60
# A few of each kind: fewer people to rank, and works skip the typo look.
SUGGESTION_OPTIONS = {"people": {"candidates": 50}, "works": {"typos": False}}


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


def _sections(query: str, kind: str, filters: dict, after: str) -> list[dict]:
    if kind:
        title, find = KINDS[kind]
        results = find(query, after=after or None, limit=PAGE_SIZE, **filters)
        return [{"kind": kind, "title": title, "results": results}]
    if not query:
        return []
    return [
        {"kind": name, "title": title, "results": find(query, limit=SECTION_SIZE)}
        for name, (title, find) in KINDS.items()
    ]


@require_GET
def search(request):
    query = param_text(request.GET.get("q"), max_length=MAX_QUERY_LENGTH)
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else ""
    filters = _filters(request, kind) if kind else {}
    after = (request.GET.get("after") or "") if kind else ""
    # Run by the template only when its results are not in the cache (search/search.html).
    sections = functools.cache(functools.partial(_sections, query, kind, filters, after))
    # Result pages are not for search engines (noindex); the pages they list are.
    context = {
        "query": query,
        "kind": kind,
        "filters": filters,
        "after": after,
        "sections": sections,
        "total": lambda: sum(section["results"].count for section in sections()),
        "noindex": True,
        "results_cache_seconds": RESULTS_CACHE_SECONDS,
    }
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
