from django.http.request import split_domain_port
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


class SecurityMiddleware(DjangoSecurityMiddleware):
    """Django's, except that requests addressed to the loopback interface are not redirected to
    HTTPS: health checks, a local server and operators on the machine itself speak plain HTTP
    there. Every other host still gets the redirect when SECURE_SSL_REDIRECT is on."""

    def process_request(self, request):
        domain, _port = split_domain_port(request.get_host())
        if domain in LOOPBACK_HOSTS:
            return None
        return super().process_request(request)
