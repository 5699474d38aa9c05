from django.urls import path

from works import views

app_name = "imports"
urlpatterns = [
    path("", views.import_run_list, name="list"),
    path("<int:pk>/", views.import_run_detail, name="detail"),
]
