from django.contrib import admin
from django.urls import include, path, register_converter

from bzpeer import views
from bzpeer.converters import TextConverter
from profiles import views as profile_views

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
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", profile_views.sitemap_index, name="sitemap"),
    path(
        "sitemaps/<slug:section>/<int:number>.xml",
        profile_views.sitemap_file,
        name="sitemap_file",
    ),
]

handler404 = "bzpeer.views.page_not_found"
handler500 = "bzpeer.views.server_error"
