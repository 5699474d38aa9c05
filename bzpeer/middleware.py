import logging

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import Http404
from django.http.request import split_domain_port
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware
from django.urls import Resolver404, get_resolver, get_urlconf

from bzpeer.db_router import REPLICA_DB_ALIAS, is_write, primary_reads, replica_reads

logger = logging.getLogger(__name__)

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


class SiteNotFoundMiddleware:
    """With DEBUG on, Django answers a missing page with its technical page, which lists every
    URL pattern. The quick start runs with DEBUG, and a newcomer should meet the site's own 404
    there too. Innermost, so CommonMiddleware still adds a missing slash; not loaded at all
    with DEBUG off, where Django already uses handler404."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        resolver = get_resolver(get_urlconf())
        try:
            resolver.resolve(request.path_info)
        except Resolver404 as exception:
            return self._not_found(request, resolver, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return self._not_found(request, get_resolver(get_urlconf()), exception)
        return None

    @staticmethod
    def _not_found(request, resolver, exception):
        return resolver.resolve_error_handler(404)(request, exception)


class ReadReplicaMiddleware:
    """Lets a request read from the replica (bzpeer.db_router), with read-your-writes.

    A request that writes to the primary (any statement bzpeer.db_router.is_write counts, seen
    on the primary's connection, ORM or raw SQL alike) reads from the primary for the rest of
    it, and its response sets a short signed cookie; for READ_YOUR_WRITES_SECONDS the client
    sending it reads from the primary, so the follow, claim step or invitation it just made is
    on its next page even while the replica lags. Unsafe methods read from the primary
    throughout: their reads decide what they write. Outside SessionMiddleware, so a session
    saved at the end of a request counts as its write. A replica that cannot be reached is
    skipped: the primary serves the request. Not loaded without a replica."""

    COOKIE = "bz_rw"
    SALT = "bzpeer.read-your-writes"

    def __init__(self, get_response):
        if REPLICA_DB_ALIAS not in settings.DATABASES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        wrote = False

        def watch(execute, sql, params, many, context):
            nonlocal wrote
            if not wrote and is_write(sql):
                wrote = True
                primary_reads()
            return execute(sql, params, many, context)

        with replica_reads(), connections[DEFAULT_DB_ALIAS].execute_wrapper(watch):
            if not self._may_read_replica(request):
                primary_reads()
            response = self.get_response(request)
        if wrote:
            response.set_signed_cookie(
                self.COOKIE,
                "1",
                salt=self.SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _may_read_replica(self, request) -> bool:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return False
        # The signature carries its time: an old cookie, or one a client keeps, is ignored.
        recent = request.get_signed_cookie(
            self.COOKIE, default=None, salt=self.SALT, max_age=settings.READ_YOUR_WRITES_SECONDS
        )
        return recent is None and self._replica_answers()

    @staticmethod
    def _replica_answers() -> bool:
        # Connects now (or health-checks the kept connection) rather than fail mid-view.
        try:
            connections[REPLICA_DB_ALIAS].ensure_connection()
        except DatabaseError:
            logger.warning(
                "The replica cannot be reached: reading from the primary.", exc_info=True
            )
            return False
        return True
