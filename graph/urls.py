from django.urls import path

from graph import views

app_name = "graph"
urlpatterns = [
    path("", views.explorer, name="explorer"),
    path("api/node/", views.node, name="node"),
]
