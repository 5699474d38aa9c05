"""/search/: one box, four kinds; /search/suggest/: the header box's suggestions (htmx)."""

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


@require_GET
def search(request):
    query = param_text(request.GET.get("q"), max_length=MAX_QUERY_LENGTH)
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
