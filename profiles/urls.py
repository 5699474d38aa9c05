from django.urls import path

from profiles import claim_views, views

app_name = "profiles"
urlpatterns = [
    path("", views.researcher_list, name="list"),
    path("<text:slug>/", views.researcher_detail, name="detail"),
    path("<text:slug>/graph/", views.researcher_graph, name="graph"),
    path("<text:slug>/claim/", claim_views.researcher_claim, name="claim"),
    path(
        "<text:slug>/claim/<int:claim_id>/code/",
        claim_views.researcher_claim_code,
        name="claim_code",
    ),
    path(
        "<text:slug>/claim/<int:claim_id>/withdraw/",
        claim_views.researcher_claim_withdraw,
        name="claim_withdraw",
    ),
    path("<text:slug>/edit/", views.researcher_edit, name="edit"),
    path("<text:slug>/works/<text:work_slug>/hide/", views.researcher_work_hide, name="work_hide"),
    path(
        "<text:slug>/works/<text:work_slug>/unhide/",
        views.researcher_work_unhide,
        name="work_unhide",
    ),
    path(
        "<text:slug>/works/<text:work_slug>/split/",
        views.researcher_work_split,
        name="work_split",
    ),
    path("<text:slug>/coauthors/", views.researcher_coauthors, name="coauthors"),
    path("<text:slug>/dispute/", claim_views.researcher_dispute, name="dispute"),
    path("<text:slug>/report/", views.researcher_report, name="report"),
    path("<text:slug>/export/<slug:fmt>/", views.researcher_export, name="export"),
]
