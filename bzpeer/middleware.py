from django.http.request import split_domain_port
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})

# The site uses none of these browser features; saying so means a script that gets onto a
# page cannot ask for them either, and neither can a page that frames nothing of ours.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "bluetooth",
        "hid",
        "midi",
        "magnetometer",
        "gyroscope",
        "accelerometer",
        "display-capture",
        "interest-cohort",
        "browsing-topics",
    )
)


class SecurityMiddleware(DjangoSecurityMiddleware):
    """Django's, plus a Permissions-Policy header on every response, except that requests
    addressed to the loopback interface are not redirected to HTTPS: health checks, a local
    server and operators on the machine itself speak plain HTTP there. Every other host still
    gets the redirect when SECURE_SSL_REDIRECT is on."""

    def process_request(self, request):
        domain, _port = split_domain_port(request.get_host())
        if domain in LOOPBACK_HOSTS:
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return super().process_response(request, response)
