"""The admin site, with one change: staff log in through the site's own login (allauth), so the
admin has no password form of its own. allauth's form is throttled (ACCOUNT_RATE_LIMITS
login_failed, per address and per IP, in the shared cache) and answers in the same time whether
or not the account exists; the admin's form was neither.

Installed in place of "django.contrib.admin" (INSTALLED_APPS), as Django documents for
overriding the default admin site. Imports no app, so the app registry can load it first.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


class SiteAdmin(AdminSite):
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Send the visitor to the site's login, to come back to the admin; never read a
        password here (a POST is answered the same as a GET)."""
        if self.has_permission(request):
            return redirect("admin:index")
        if request.user.is_authenticated:
            # Sending a logged-in account without staff rights to the login would come
            # straight back here (allauth sends logged-in visitors on to `next`).
            context = {**self.each_context(request), "title": "Not a staff account"}
            return TemplateResponse(request, "admin/login_refused.html", context, status=403)
        after = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            after = ""
        after = after or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: after})}")


class AdminConfig(DjangoAdminConfig):
    default_site = "profiles.admin_site.SiteAdmin"
