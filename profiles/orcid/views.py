from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.orcid.views import OrcidOAuth2Adapter
from django.conf import settings
from django.shortcuts import render


def orcid_origin(*, api: bool) -> str:
    """The origin for one kind of ORCID request.

    ORCID serves sign-in from the base domain and its API from pub. (public) or api. (member)
    in front of it. A base with a scheme is a single local stub that serves everything."""
    base = settings.ORCID_BASE_DOMAIN
    if "://" in base:
        return base
    if not api:
        return f"https://{base}"
    return f"https://{'api' if settings.ORCID_MEMBER_API else 'pub'}.{base}"


class OrcidAdapter(OrcidOAuth2Adapter):
    @property
    def member_api(self) -> bool:
        return settings.ORCID_MEMBER_API

    @property
    def authorize_url(self) -> str:
        return f"{orcid_origin(api=False)}/oauth/authorize"

    @property
    def access_token_url(self) -> str:
        return f"{orcid_origin(api=True)}/oauth/token"

    @property
    def profile_url(self) -> str:
        return f"{orcid_origin(api=True)}/v3.0/%s/record"


_login = OAuth2LoginView.adapter_view(OrcidAdapter)
_callback = OAuth2CallbackView.adapter_view(OrcidAdapter)


def _unavailable(request):
    return render(request, "socialaccount/orcid_unavailable.html", status=503)


def oauth2_login(request, *args, **kwargs):
    if not settings.ORCID_CLIENT_ID:
        return _unavailable(request)
    return _login(request, *args, **kwargs)


def oauth2_callback(request, *args, **kwargs):
    if not settings.ORCID_CLIENT_ID:
        return _unavailable(request)
    return _callback(request, *args, **kwargs)
