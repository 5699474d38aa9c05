from django.urls import path

from profiles import views

app_name = "profiles"
urlpatterns = [
    path("", views.researcher_list, name="list"),
    path("<str:slug>/", views.researcher_detail, name="detail"),
    path("<str:slug>/graph/", views.researcher_graph, name="graph"),
]
