from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from bzpeer.params import param_text
from social import digest, selectors, services
from social.forms import InvitationForm
from social.models import Invitation
from social.receivers import PENDING_FOLLOW_KEY
from works.models import Researcher

FEED_PER_PAGE = 20
LIST_PER_PAGE = 25


def _page(request, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- Following ---------------------------------------------------------------------------------


def _follow_response(request, researcher: Researcher, *, error: str | None = None):
    """The follow button (HTMX) or the page the form was posted from (no JavaScript)."""
    researcher.refresh_from_db(fields=["followers_count"])
    if request.htmx:
        context = {
            "researcher": researcher,
            "following": selectors.is_following(user=request.user, researcher=researcher),
            "follow_error": error,
        }
        return render(request, "social/follow_response.html", context)
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(researcher.get_absolute_url() + "#actions")


def _login_redirect(request, researcher: Researcher):
    """To the login page, back to the profile after; HTMX gets the whole page redirected."""
    login = reverse("account_login") + "?" + urlencode({"next": researcher.get_absolute_url()})
    return HttpResponseClientRedirect(login) if request.htmx else redirect(login)


@require_POST
def follow_researcher(request, slug):
    """Follow. Idempotent; a visitor goes through login and the follow completes on return
    (social.receivers)."""
    researcher = get_object_or_404(Researcher, slug=slug)
    if not request.user.is_authenticated:
        request.session[PENDING_FOLLOW_KEY] = researcher.pk
        messages.info(request, f"Log in or sign up to follow {researcher.display_name}.")
        return _login_redirect(request, researcher)
    try:
        if services.follow(user=request.user, researcher=researcher) and not request.htmx:
            messages.success(request, f"You now follow {researcher.display_name}.")
    except services.SocialError as error:
        # HTMX swaps only the button, so the refusal is shown in it, not left for the next page.
        return _follow_response(request, researcher, error=str(error))
    return _follow_response(request, researcher)


@require_POST
def unfollow_researcher(request, slug):
    researcher = get_object_or_404(Researcher, slug=slug)
    if not request.user.is_authenticated:
        return _login_redirect(request, researcher)
    if services.unfollow(user=request.user, researcher=researcher) and not request.htmx:
        messages.success(request, f"You no longer follow {researcher.display_name}.")
    return _follow_response(request, researcher)


@login_required
@require_GET
def feed(request):
    """New works by the researchers the user follows, newest first."""
    page = selectors.feed_page(
        user=request.user,
        size=FEED_PER_PAGE,
        after=param_text(request.GET.get("after"), max_length=500),
        before=param_text(request.GET.get("before"), max_length=500),
    )
    context = {
        "page": page,
        "entries": selectors.feed_entries(user=request.user, works=page.items),
        "follows_count": selectors.follows(user=request.user).count(),
    }
    return render(request, "social/feed.html", context)


@login_required
@require_GET
def following(request):
    page = _page(request, selectors.follows(user=request.user), LIST_PER_PAGE)
    context = {
        "page": page,
        "digest": getattr(request.user, "digest_subscription", None),
    }
    return render(request, "social/following.html", context)


@login_required
@require_POST
def digest_settings(request):
    """Opt in to, or out of, the weekly e-mail digest."""
    if request.POST.get("weekly") == "on":
        services.digest_subscribe(user=request.user)
        messages.success(request, "You will get a weekly e-mail of new works, on Mondays.")
    else:
        services.digest_unsubscribe(user=request.user)
        messages.success(request, "You will no longer get the weekly e-mail.")
    return redirect("social:following")


# --- Invitations -------------------------------------------------------------------------------


def _panel_context(request, researcher, *, form=None, sent=None):
    return {
        "researcher": researcher,
        "show_form": True,
        "panel": selectors.invitation_panel(viewer=request.user, researcher=researcher),
        "invitation_form": form or InvitationForm(),
        "sent_invitation": sent,
    }


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, slug):
    """Write and send an invitation: a page of its own, or the profile panel's form (HTMX)."""
    researcher = get_object_or_404(Researcher, slug=slug)
    template = "social/invite.html#invitation-panel" if request.htmx else "social/invite.html"
    if request.method == "GET":
        return render(request, template, _panel_context(request, researcher))
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return render(request, template, _panel_context(request, researcher, form=form), status=400)
    try:
        invitation = services.invitation_send(
            sender=request.user,
            recipient_researcher=researcher,
            subject=form.cleaned_data["subject"],
            message=form.cleaned_data["message"],
        )
    except services.SocialError as error:
        form.add_error(None, str(error))
        return render(request, template, _panel_context(request, researcher, form=form), status=400)
    if request.htmx:
        return render(request, template, _panel_context(request, researcher, sent=invitation))
    messages.success(request, f"Your invitation to {researcher.display_name} is sent.")
    return redirect(invitation)


BOXES = {"inbox": selectors.inbox, "sent": selectors.sent}


@login_required
@require_GET
def invitations(request, box):
    """The invitations the user received (the inbox) or sent."""
    page = _page(request, BOXES[box](user=request.user), LIST_PER_PAGE)
    return render(request, "social/inbox.html", {"page": page, "box": box})


def _invitation_or_404(request, pk) -> Invitation:
    try:
        return selectors.invitation_for(user=request.user, pk=pk)
    except Invitation.DoesNotExist:
        raise Http404("No invitation of yours has this address.") from None


@login_required
@require_GET
def invitation_detail(request, pk):
    invitation = _invitation_or_404(request, pk)
    return render(request, "social/invitation_detail.html", {"invitation": invitation})


ACTIONS = {
    "accept": (services.invitation_accept, "Accepted: you can now see each other's e-mail."),
    "decline": (services.invitation_decline, "Declined. The sender sees it was declined."),
    "block": (
        services.invitation_block_sender,
        "Declined, and the sender is blocked: they cannot invite you again.",
    ),
    "report": (
        services.invitation_report_spam,
        "Reported to the moderators, and the sender is blocked. Thank you.",
    ),
    "withdraw": (services.invitation_withdraw, "Your invitation is withdrawn."),
}


@login_required
@require_POST
def invitation_action(request, pk, action):
    """Accept, decline, block the sender, report spam (the recipient) or withdraw (the
    sender). HTMX swaps the invitation's card, and the header's count out of band; without
    JavaScript the post lands on its page."""
    invitation = _invitation_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404("No such action.")
    service, done = ACTIONS[action]
    error = None
    try:
        service(invitation=invitation, user=request.user)
    except services.SocialError as problem:
        error = str(problem)
    invitation = _invitation_or_404(request, pk)
    if request.htmx:
        context = {
            "invitation": invitation,
            "action_error": error,
            "action_done": not error and done,
            # In a list the card links to the invitation's own page; on that page it doesn't.
            "folded": request.htmx.current_url_abs_path != invitation.get_absolute_url(),
        }
        return render(request, "social/invitation_action_response.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(invitation)


@login_required
@require_GET
def blocked(request):
    return render(request, "social/blocked.html", {"blocks": selectors.blocks(user=request.user)})


@login_required
@require_POST
def unblock(request, user_id):
    if services.unblock(blocker=request.user, blocked_id=user_id):
        messages.success(request, "Unblocked: they can invite you again.")
    return redirect("social:blocked")


# --- The weekly digest's unsubscribe link -----------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token):
    """The digest's unsubscribe link. No login: the signed token names the user. GET asks,
    POST unsubscribes; mail clients POST here directly (RFC 8058 one-click), which has no CSRF
    token, hence the exemption — the worst a forged POST can do is stop a digest."""
    user = digest.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "social/digest_unsubscribe.html", {"invalid": True}, status=404)
    context = {"email": user.email, "token": token}
    if request.method == "POST":
        services.digest_unsubscribe(user=user)
        context["unsubscribed"] = True
    else:
        context["subscribed"] = digest.is_subscribed(user=user)
    return render(request, "social/digest_unsubscribe.html", context)
