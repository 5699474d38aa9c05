"""Site-level pages: the home page and the error pages. Above every app, so they may show
anything; no app imports them."""

from django.http import HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from profiles import selectors as profile_selectors


@require_GET
def home(request):
    return render(request, "home.html", {"featured": profile_selectors.featured_researchers()})


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, feeds)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
