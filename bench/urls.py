"""The site's URLs plus a floor view, served only by `make bench` (ROOT_URLCONF=bench.urls).

The floor returns the seed profile page's bytes from memory, through the same server and
middleware, so bench/run.py can say how much of the profile's time is the page's own work.
"""

from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from bzpeer.urls import handler404, handler500  # noqa: F401 - the root URLconf names them

SEED_PROFILE_PATH = "/researchers/jascha-sohl-dickstein/"

_floor_body: bytes | None = None


def floor(request):
    # Captured on the first request, once the server runs; later requests only copy bytes.
    global _floor_body
    if _floor_body is None:
        response = Client(HTTP_HOST=request.get_host()).get(SEED_PROFILE_PATH)
        if response.status_code != 200:
            return HttpResponse(f"Seed profile answered {response.status_code}", status=503)
        _floor_body = response.content
    return HttpResponse(_floor_body, content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("bzpeer.urls")),
]
