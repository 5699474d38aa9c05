from django.contrib import admin
from django.urls import include, path

from bzpeer import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("social.urls")),
    path("researchers/", include("profiles.urls")),
    path("", include("works.urls")),
    path("explore/", include("graph.urls")),
    path("imports/", include("works.import_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "bzpeer.views.page_not_found"
handler500 = "bzpeer.views.server_error"
