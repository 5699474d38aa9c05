from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_http_methods

from graph.selectors import graph_slice
from profiles import selectors, services
from profiles.forms import ClaimCodeForm, ClaimEmailForm, ClaimEvidenceForm
from profiles.models import Claim, Researcher

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


def _claim_page(request, researcher, *, status=200, **forms):
    context = {
        "researcher": researcher,
        "has_orcid_account": bool(services.user_orcid_ids(user=request.user)),
        "open_claim": selectors.claim_open(user=request.user, researcher=researcher),
        "email_form": forms.get("email_form") or ClaimEmailForm(),
        "evidence_form": forms.get("evidence_form") or ClaimEvidenceForm(),
        "connect_orcid_url": reverse("orcid_login")
        + "?"
        + urlencode({"process": "connect", "next": request.path}),
    }
    return render(request, "profiles/researcher_claim.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def researcher_claim(request, slug):
    """The three ways to claim a record; each is a plain form posted back here."""
    researcher = get_object_or_404(Researcher, slug=slug)
    if request.method == "GET" or researcher.is_claimed:
        return _claim_page(request, researcher)
    method = request.POST.get("method")
    try:
        if method == Claim.Method.ORCID:
            services.claim_by_orcid(user=request.user, researcher=researcher)
            messages.success(request, "Claimed: your ORCID iD matches this record (L3).")
            return redirect(researcher)
        if method == Claim.Method.EMAIL:
            form = ClaimEmailForm(request.POST)
            if not form.is_valid():
                return _claim_page(request, researcher, status=400, email_form=form)
            claim = services.claim_start(
                user=request.user, researcher=researcher, method=Claim.Method.EMAIL
            )
            services.claim_email_code_send(claim=claim, email=form.cleaned_data["email"])
            messages.success(request, f"We sent a code to {form.cleaned_data['email']}.")
            return redirect("profiles:claim_code", slug=researcher.slug, claim_id=claim.pk)
        if method == Claim.Method.EVIDENCE:
            form = ClaimEvidenceForm(request.POST)
            if not form.is_valid():
                return _claim_page(request, researcher, status=400, evidence_form=form)
            services.claim_evidence_submit(
                user=request.user,
                researcher=researcher,
                links=form.cleaned_data["links"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Sent to the moderators. We will e-mail you their answer.")
            return redirect("profiles:claim", slug=researcher.slug)
    except services.ClaimError as error:
        messages.error(request, str(error))
        return _claim_page(request, researcher, status=400)
    messages.error(request, "Choose one of the ways to claim below.")
    return _claim_page(request, researcher, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def researcher_claim_code(request, slug, claim_id):
    """Enter the code mailed for a claim; another user's claim is not found."""
    claim = get_object_or_404(
        Claim.objects.select_related("researcher"),
        pk=claim_id,
        user=request.user,
        researcher__slug=slug,
        method=Claim.Method.EMAIL,
    )
    form = ClaimCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.claim_email_code_verify(claim=claim, code=form.cleaned_data["code"])
            except services.ClaimError as error:
                form.add_error("code", str(error))
            else:
                messages.success(request, "Claimed: your institutional e-mail is verified (L2).")
                return redirect(claim.researcher)
        status = 400
        claim.refresh_from_db()
    context = {"researcher": claim.researcher, "claim": claim, "form": form}
    return render(request, "profiles/researcher_claim_code.html", context, status=status)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
