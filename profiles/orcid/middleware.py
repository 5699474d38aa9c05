from profiles.orcid.views import orcid_origin


class OrcidFormActionMiddleware:
    """Lets forms that start ORCID sign-in reach ORCID.

    The ORCID buttons post to our own /accounts/orcid/login/, which redirects to ORCID, and CSP's
    form-action also governs where a submitted form is redirected. The origin is read on each
    request because ORCID_BASE_DOMAIN may point at the sandbox or a local stub.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), orcid_origin(api=False)]
        response._csp_update = update
        return response
