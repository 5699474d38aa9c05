from django.urls import path

from works import views

app_name = "works"
urlpatterns = [
    path("works/<text:slug>/", views.work_detail, name="detail"),
    path("works/<text:slug>/export/<slug:fmt>/", views.work_export, name="export"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("institutions/<text:openalex_id>/", views.institution_detail, name="institution"),
]
