from django.core.paginator import Paginator
from django.http import Http404, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from graph.selectors import graph_slice
from profiles import selectors
from profiles.models import Researcher

WORKS_PER_PAGE = 20
RESULTS_PER_PAGE = 20
MAX_QUERY_LENGTH = 200


@require_GET
def home(request):
    return render(request, "home.html", {"featured": selectors.featured_researchers()})


@require_GET
def researcher_list(request):
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    researchers = (
        selectors.researcher_search(query=query)
        if query
        else selectors.featured_researchers(limit=None)
    )
    page = Paginator(researchers, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"query": query, "page": page}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "profiles/researcher_list.html#search-results", context)
    return render(request, "profiles/researcher_list.html", context)


def _researcher_or_redirect(slug: str):
    try:
        return selectors.researcher_get(slug=slug), None
    except Researcher.DoesNotExist:
        pass
    canonical = selectors.researcher_slug_for_identifier(identifier=slug)
    if canonical is None:
        raise Http404("No researcher has this address.")
    return None, canonical


@require_GET
def researcher_detail(request, slug):
    researcher, canonical = _researcher_or_redirect(slug)
    if researcher is None:
        return redirect("profiles:detail", slug=canonical, permanent=True)
    works = Paginator(selectors.researcher_works(researcher=researcher), WORKS_PER_PAGE)
    context = {
        "researcher": researcher,
        "works_page": works.get_page(request.GET.get("page")),
    }
    if request.htmx and request.htmx.target == "works-more":
        return render(request, "profiles/researcher_detail.html#works-more", context)
    return render(request, "profiles/researcher_detail.html", context)


@require_GET
def researcher_graph(request, slug):
    researcher, canonical = _researcher_or_redirect(slug)
    if researcher is None:
        return redirect("profiles:graph", slug=canonical, permanent=True)
    context = {"researcher": researcher, "slice": graph_slice(researcher=researcher)}
    if request.htmx:
        return render(request, "profiles/researcher_detail.html#graph-slice", context)
    return render(request, "profiles/researcher_graph.html", context)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
