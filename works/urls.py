from django.urls import path

from works import views

app_name = "works"
urlpatterns = [
    path("<str:slug>/", views.work_detail, name="detail"),
]
