"""Site-level pages: the home page and the error pages. Above every app, so they may show
anything; no app imports them."""

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
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


# What crawlers leave alone: accounts, the admin, imports, search results, the explorer's JSON
# API, personal pages and downloads; the Sitemap line names where the public pages are.
ROBOTS_DISALLOW = [
    "/admin/",
    "/accounts/",
    "/imports/",
    "/explore/api/",
    "/feed/",
    "/following/",
    "/invitations/",
    "/search/",
    "/researchers/?",
    "/*?q=",
    "/*/export/",
    "/*/report/",
    "/*/claim/",
]


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {settings.SITE_URL}/sitemap.xml")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
