from django.urls import path

from social import views
from social.feeds import ResearcherWorksFeed

app_name = "social"
urlpatterns = [
    path("researchers/<text:slug>/follow/", views.follow_researcher, name="follow"),
    path("researchers/<text:slug>/unfollow/", views.unfollow_researcher, name="unfollow"),
    path("researchers/<text:slug>/invite/", views.invite, name="invite"),
    path("researchers/<text:slug>/works.atom", ResearcherWorksFeed(), name="researcher_atom"),
    path("feed/", views.feed, name="feed"),
    path("following/", views.following, name="following"),
    path("following/digest/", views.digest_settings, name="digest_settings"),
    path("digest/unsubscribe/<text:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
    path("invitations/", views.invitations, {"box": "inbox"}, name="inbox"),
    path("invitations/sent/", views.invitations, {"box": "sent"}, name="sent"),
    path("invitations/blocked/", views.blocked, name="blocked"),
    path("invitations/blocked/<int:user_id>/unblock/", views.unblock, name="unblock"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation"),
    path("invitations/<int:pk>/<slug:action>/", views.invitation_action, name="invitation_action"),
]
