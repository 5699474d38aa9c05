from django.contrib import admin
from django.urls import include, path, register_converter

from bzpeer import views
from bzpeer.converters import TextConverter

# Before the includes below: the apps' URLconfs use <text:…>.
register_converter(TextConverter, "text")

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("social.urls")),
    path("researchers/", include("profiles.urls")),
    path("search/", include("profiles.search.urls")),
    path("", include("works.urls")),
    path("explore/", include("graph.urls")),
    path("imports/", include("works.import_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's, files, feeds).
    path("favicon.ico", views.favicon),
]

handler404 = "bzpeer.views.page_not_found"
handler500 = "bzpeer.views.server_error"
