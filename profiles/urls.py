from django.urls import path

from profiles import views

app_name = "profiles"
urlpatterns = [
    path("", views.researcher_list, name="list"),
    path("<str:slug>/", views.researcher_detail, name="detail"),
    path("<str:slug>/graph/", views.researcher_graph, name="graph"),
    path("<str:slug>/claim/", views.researcher_claim, name="claim"),
    path("<str:slug>/claim/<int:claim_id>/code/", views.researcher_claim_code, name="claim_code"),
    path(
        "<str:slug>/claim/<int:claim_id>/withdraw/",
        views.researcher_claim_withdraw,
        name="claim_withdraw",
    ),
    path("<str:slug>/edit/", views.researcher_edit, name="edit"),
    path("<str:slug>/works/<str:work_slug>/hide/", views.researcher_work_hide, name="work_hide"),
    path(
        "<str:slug>/works/<str:work_slug>/unhide/",
        views.researcher_work_unhide,
        name="work_unhide",
    ),
    path("<str:slug>/dispute/", views.researcher_dispute, name="dispute"),
]
