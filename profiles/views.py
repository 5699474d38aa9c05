import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from bzpeer.keyset import keyset_page
from bzpeer.params import param_text
from graph.selectors import CLOSE_MIN_SHARED_WORKS, close_collaborators, graph_slice
from profiles import selectors, services, sitemaps, visitor_cache
from profiles.form_services import submitted
from profiles.forms import (
    LinkRecordsForm,
    ProblemReportForm,
    ResearcherEditForm,
    VisibilityForm,
    WorkHideForm,
)
from profiles.search import queries as search
from profiles.services.problem_reports import ReportLimited, problem_report_submit
from profiles.services.visibility import researcher_visibility_set
from profiles.work_filters import SORTS, WorkFilters, works_page
from works import exports, linked_data
from works.models import Researcher, Work
from works.views import export_response

WORKS_PER_PAGE = 20
RESULTS_PER_PAGE = 20
MAX_QUERY_LENGTH = 200


@require_GET
def researcher_list(request):
    query = param_text(request.GET.get("q"), max_length=MAX_QUERY_LENGTH)
    # Result pages are not for search engines; the profiles they list are.
    context = {"query": query, "noindex": bool(query)}
    if query:
        context["results"] = search.people(
            query,
            institution=param_text(request.GET.get("institution"), max_length=MAX_QUERY_LENGTH),
            claimed=request.GET.get("claimed") == "1",
            open_to_collaborate=request.GET.get("open") == "1",
            after=request.GET.get("after"),
            limit=RESULTS_PER_PAGE,
        )
    else:
        context["page"] = keyset_page(
            selectors.researchers_listed(),
            selectors.LISTING_KEYS,
            size=RESULTS_PER_PAGE,
            after=param_text(request.GET.get("after"), max_length=500),
            before=param_text(request.GET.get("before"), max_length=500),
        )
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


def _once(function, *args, **kwargs):
    """A context value computed when the template first reads it (templates call callables),
    so a fragment served from the page cache runs none of its queries."""
    return functools.cache(functools.partial(function, *args, **kwargs))


@require_GET
def researcher_detail(request, slug):
    partial = request.htmx and request.htmx.target in ("works-more", "works-results")
    if not partial and (hit := _visitor_hit(request, "profile", slug)):
        return hit
    researcher, canonical = _researcher_or_redirect(slug)
    if researcher is None:
        return redirect("profiles:detail", slug=canonical, permanent=True)
    filters = WorkFilters.from_query(request.GET)
    cursor = param_text(request.GET.get("after"), max_length=500)
    shown = _once(selectors.researcher_works, researcher=researcher)
    page = _once(lambda: works_page(shown(), filters, cursor, WORKS_PER_PAGE))
    linked_records = _once(selectors.researcher_linked_records, researcher=researcher)
    # Only a signed-in user can hold the claim: visitors cost no query and share the cache.
    claim = request.user.is_authenticated and selectors.claim_approved(researcher=researcher)
    is_owner = bool(claim) and claim.user_id == request.user.pk
    context = {
        "researcher": researcher,
        "linked_records": linked_records,
        "record_ids": _once(lambda: {researcher.pk, *(record.pk for record in linked_records())}),
        "works": lambda: page()[0],
        "works_total": _once(lambda: filters.apply(shown()).count()),
        "filters": filters,
        "next_params": lambda: filters.params(after=page()[1]) if page()[1] else "",
        "first_page": "after" in request.GET,
        "facets": _once(selectors.researcher_work_facets, researcher=researcher),
        "sorts": SORTS,
        "is_owner": is_owner,
        # The owner's works list carries their hide and split forms. Filtered and later pages
        # are not cached: their variety is unbounded and they are rarely asked twice.
        "page_cache_off": is_owner or bool(filters.params()) or "after" in request.GET,
        "trust_history": _once(selectors.trust_history, researcher=researcher),
        "canonical_url": settings.SITE_URL + researcher.get_absolute_url(),
        "noindex": researcher.noindex,
        "json_ld": _once(linked_data.researcher_json_ld, researcher),
        "export_formats": exports.FORMATS.values(),
        "metrics": _once(selectors.researcher_metrics, researcher=researcher),
    }
    if partial and request.htmx.target == "works-more":
        return render(request, "profiles/researcher_detail.html#works-more", context)
    if partial:
        return render(request, "profiles/researcher_detail.html#works-results", context)
    return _visitor_cached(
        request, researcher, "profile", context, "profiles/researcher_detail.html"
    )


def _visitor_hit(request, name: str, slug: str):
    """The cached page of a plain visit (visitor_cache), at the cost of the record's id and
    version: the row, its redirects and its 404 are left to a miss."""
    if not visitor_cache.is_plain_visit(request):
        return None
    found = selectors.researcher_page_version(slug=slug)
    return found and visitor_cache.cached_response(request, visitor_cache.page_key(name, *found))


def _visitor_cached(request, researcher, name, context, template_name):
    if visitor_cache.is_plain_visit(request):
        key = visitor_cache.page_key(name, researcher.pk, researcher.page_version)
        return visitor_cache.render_cached(request, key, context, template_name)
    return render(request, template_name, context)


COAUTHORS_PER_PAGE = 100
CLOSE_PER_PAGE = 100


def _close_page(request, researcher):
    """A page of the close collaborators (`close_page`, so the co-authors' own pages keep
    theirs)."""
    close = Paginator(close_collaborators(researcher_id=researcher.pk), CLOSE_PER_PAGE)
    return close.get_page(request.GET.get("close_page"))


@require_GET
def researcher_coauthors(request, slug):
    researcher, canonical = _researcher_or_redirect(slug)
    if researcher is None:
        return redirect("profiles:coauthors", slug=canonical, permanent=True)
    coauthors = Paginator(selectors.researcher_coauthors(researcher=researcher), COAUTHORS_PER_PAGE)
    context = {
        "researcher": researcher,
        "page": coauthors.get_page(request.GET.get("page")),
        "close": _close_page(request, researcher),
        "close_min_shared_works": CLOSE_MIN_SHARED_WORKS,
    }
    return render(request, "profiles/researcher_coauthors.html", context)


@require_GET
def researcher_graph(request, slug):
    if request.htmx and (hit := _visitor_hit(request, "graph-slice", slug)):
        return hit
    researcher, canonical = _researcher_or_redirect(slug)
    if researcher is None:
        return redirect("profiles:graph", slug=canonical, permanent=True)
    context = {"researcher": researcher, "slice": _once(graph_slice, researcher=researcher)}
    if request.htmx:
        return _visitor_cached(
            request,
            researcher,
            "graph-slice",
            context,
            "profiles/researcher_detail.html#graph-slice",
        )
    context["close"] = _close_page(request, researcher)
    context["close_min_shared_works"] = CLOSE_MIN_SHARED_WORKS
    return render(request, "profiles/researcher_graph.html", context)


def _owned_researcher_or_404(request, slug) -> Researcher:
    """The record, when the signed-in user holds its approved claim; otherwise not found, so
    nobody learns whose it is."""
    researcher = get_object_or_404(Researcher, slug=slug)
    try:
        services.researcher_owner_claim(researcher=researcher, user=request.user)
    except PermissionDenied:
        raise Http404("No researcher you own has this address.") from None
    return researcher


def _link_form(request, researcher, data=None) -> LinkRecordsForm:
    return LinkRecordsForm(
        data,
        records=selectors.researcher_link_candidates(user=request.user, researcher=researcher),
        initial={"records": [record.pk for record in researcher.linked_records.all()]},
    )


def _edit_page(request, researcher, *, form=None, link_form=None, visibility_form=None, status=200):
    context = {
        "link_form": link_form or _link_form(request, researcher),
        "researcher": researcher,
        "form": form
        or ResearcherEditForm(
            initial={
                "bio": researcher.bio,
                "open_to_collaborate": researcher.open_to_collaborate,
            }
        ),
        "hidden_works": selectors.researcher_hidden_works(researcher=researcher),
        "visibility_form": visibility_form
        or VisibilityForm(initial={"noindex": researcher.noindex, "unlisted": researcher.unlisted}),
        "visibility_events": selectors.researcher_visibility_events(researcher=researcher),
        "advice": selectors.researcher_trust_advice(researcher=researcher),
    }
    return render(request, "profiles/researcher_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def researcher_edit(request, slug):
    """The owner's bio, "open to collaborate", hidden works and how to raise the score."""
    researcher = _owned_researcher_or_404(request, slug)
    if request.method == "GET":
        return _edit_page(request, researcher)
    if request.POST.get("action") == "link":
        return _edit_links(request, researcher)
    if request.POST.get("action") == "visibility":
        return _edit_visibility(request, researcher)
    form = ResearcherEditForm(request.POST)
    if not form.is_valid() or not submitted(
        form,
        "bio",
        services.researcher_update,
        researcher=researcher,
        user=request.user,
        bio=form.cleaned_data["bio"],
        open_to_collaborate=form.cleaned_data["open_to_collaborate"],
    ):
        return _edit_page(request, researcher, form=form, status=400)
    messages.success(request, "Your profile is saved.")
    return redirect(researcher)


def _edit_visibility(request, researcher):
    """The "out of search engines / out of the site's search" form of the edit page."""
    form = VisibilityForm(request.POST)
    if not form.is_valid() or not submitted(
        form,
        None,
        researcher_visibility_set,
        researcher=researcher,
        user=request.user,
        noindex=form.cleaned_data["noindex"],
        unlisted=form.cleaned_data["unlisted"],
    ):
        return _edit_page(request, researcher, visibility_form=form, status=400)
    messages.success(request, "Who can find your profile is saved.")
    return redirect(researcher)


def _edit_links(request, researcher):
    """The "These records are also me" form of the edit page."""
    link_form = _link_form(request, researcher, request.POST)
    if not link_form.is_valid() or not submitted(
        link_form,
        "records",
        services.researcher_link_records,
        user=request.user,
        primary=researcher,
        others=link_form.cleaned_data["records"],
    ):
        return _edit_page(request, researcher, link_form=link_form, status=400)
    messages.success(request, "Your linked records are saved.")
    return redirect(researcher)


@login_required
@require_http_methods(["GET", "POST"])
def researcher_work_hide(request, slug, work_slug):
    """Hide a misattributed work from the owner's profile, with a reason."""
    researcher = _owned_researcher_or_404(request, slug)
    work = get_object_or_404(Work, slug=work_slug, authorships__researcher=researcher)
    form = WorkHideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and submitted(
            form,
            "reason",
            services.work_hide,
            researcher=researcher,
            user=request.user,
            work=work,
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, "The work is hidden from your profile.")
            return redirect("profiles:edit", slug=researcher.slug)
        status = 400
    context = {"researcher": researcher, "work": work, "form": form}
    return render(request, "profiles/researcher_work_hide.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def researcher_work_split(request, slug, work_slug):
    """The owner says a work grouped as a version is a different work."""
    researcher = _owned_researcher_or_404(request, slug)
    work = get_object_or_404(Work, slug=work_slug)
    try:
        services.work_versions_split(researcher=researcher, user=request.user, work=work)
    except PermissionDenied:
        raise Http404 from None
    except services.ClaimError as error:
        messages.error(request, str(error))
        return redirect(researcher)
    messages.success(request, "Shown as a separate work from now on, re-imports included.")
    return redirect(researcher)


@login_required
def researcher_work_unhide(request, slug, work_slug):
    """Show a hidden work again. Ownership is checked before the method, so another user's
    record is not found whatever they send."""
    researcher = _owned_researcher_or_404(request, slug)
    work = get_object_or_404(Work, slug=work_slug, authorships__researcher=researcher)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.work_unhide(researcher=researcher, user=request.user, work=work)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, "The work is shown on your profile again.")
    return redirect("profiles:edit", slug=researcher.slug)


@require_GET
def researcher_export(request, slug, fmt):
    """All the works the profile shows, in a bibliography format, streamed."""
    if fmt not in exports.FORMATS:
        raise Http404("No export has this format.")
    researcher = get_object_or_404(Researcher, slug=slug)
    works = selectors.researcher_export_works(researcher=researcher)
    return export_response(
        exports.FORMATS[fmt], exports.references(works), f"{researcher.slug}-works", stream=True
    )


@require_http_methods(["GET", "POST"])
def researcher_report(request, slug):
    """Report a problem with a record: open to visitors without an account."""
    researcher = get_object_or_404(Researcher, slug=slug)
    form = ProblemReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                problem_report_submit(
                    researcher=researcher,
                    reason=form.cleaned_data["reason"],
                    evidence=form.cleaned_data["evidence"],
                    reporter_email=form.cleaned_data["reporter_email"],
                    client_address=request.META.get("REMOTE_ADDR", ""),
                    reporter=request.user,
                )
            except ReportLimited as limited:
                form.add_error(None, str(limited))
                status = 429
            else:
                messages.success(request, "Thank you: your report is with the moderators.")
                return redirect(researcher)
        else:
            status = 400
    context = {"researcher": researcher, "form": form, "noindex": True}
    return render(request, "profiles/researcher_report.html", context, status=status)


@require_GET
def sitemap_index(request):
    return HttpResponse(sitemaps.index_xml(), content_type="application/xml; charset=utf-8")


@require_GET
def sitemap_file(request, section, number):
    xml = sitemaps.file_xml(section, number) if section in sitemaps.SECTIONS else None
    if xml is None:
        raise Http404("No sitemap file has this address.")
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")
