"""Claiming a record (ORCID, institutional e-mail and its code, evidence), withdrawing a claim,
and disputing someone else's: every view a claimant or a disputer uses."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from profiles import selectors, services
from profiles.form_services import submitted
from profiles.forms import ClaimCodeForm, ClaimDisputeForm, ClaimEmailForm, ClaimEvidenceForm
from profiles.models import Claim
from works.models import Researcher


def _claim_page(request, researcher, *, status=200, **forms):
    context = {
        "researcher": researcher,
        "has_orcid_account": bool(services.user_orcid_ids(user=request.user)),
        # Only the routes that can work for this record are offered.
        "orcid_configured": bool(settings.ORCID_CLIENT_ID),
        "email_route": bool(services.researcher_email_domains(researcher=researcher)),
        "open_claim": selectors.claim_open(user=request.user, researcher=researcher),
        "revoked_before": services.revoked_before(user=request.user, researcher=researcher),
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
            email = form.cleaned_data["email"]
            claim = services.claim_start(
                user=request.user, researcher=researcher, method=Claim.Method.EMAIL
            )
            services.claim_email_code_send(claim=claim, email=email)
            messages.success(request, f"We sent a code to {email}.")
            reason = services.claim_referral_reason(
                user=request.user, researcher=researcher, email=email
            )
            if reason:
                messages.warning(
                    request,
                    f"Before you enter it: {reason}. The code will send your claim to a "
                    "moderator with the verified address, not approve it.",
                )
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
    except services.ClaimReferred as referral:
        messages.info(request, str(referral))
        return redirect("profiles:claim", slug=researcher.slug)
    except services.ClaimError as error:
        messages.error(request, str(error))
        return _claim_page(request, researcher, status=400)
    messages.error(request, "Choose one of the ways to claim below.")
    return _claim_page(request, researcher, status=400)


@login_required
@require_http_methods(["POST"])
def researcher_claim_withdraw(request, slug, claim_id):
    """The claimant withdraws their pending claim; anyone else's claim is not found."""
    claim = get_object_or_404(Claim, pk=claim_id, researcher__slug=slug, user=request.user)
    try:
        services.claim_withdraw(claim=claim, user=request.user)
        messages.success(request, "Your claim is withdrawn. You can start another below.")
    except services.ClaimError as error:
        messages.error(request, str(error))
    return redirect("profiles:claim", slug=slug)


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
            except services.ClaimReferred as referral:
                messages.info(request, str(referral))
                return redirect("profiles:claim", slug=slug)
            except services.ClaimError as error:
                form.add_error("code", str(error))
            else:
                messages.success(request, "Claimed: your institutional e-mail is verified (L2).")
                return redirect(claim.researcher)
        status = 400
        claim.refresh_from_db()
    context = {"researcher": claim.researcher, "claim": claim, "form": form}
    return render(request, "profiles/researcher_claim_code.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def researcher_dispute(request, slug):
    """Dispute the record's approved claim; a record without one, or the holder, is not found."""
    researcher = get_object_or_404(Researcher, slug=slug)
    claim = selectors.claim_approved(researcher=researcher)
    if claim is None or claim.user_id == request.user.pk:
        raise Http404("There is no claim here for you to dispute.")
    form = ClaimDisputeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and submitted(
            form,
            None,
            services.claim_dispute_open,
            user=request.user,
            researcher=researcher,
            links=form.cleaned_data["links"],
            note=form.cleaned_data["note"],
        ):
            messages.success(request, "Your dispute is with the moderators.")
            return redirect(researcher)
        status = 400
    context = {
        "researcher": researcher,
        "form": form,
        "open_dispute": selectors.dispute_open(user=request.user, researcher=researcher),
    }
    return render(request, "profiles/researcher_dispute.html", context, status=status)
