from django.urls import URLPattern, URLResolver, path

from forum import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("sessions/", api.SessionListView.as_view(), name="forum-session-list"),
    path(
        "sessions/<int:session_id>/",
        api.SessionDetailView.as_view(),
        name="forum-session-detail",
    ),
    path(
        "sessions/<int:session_id>/questions/",
        api.AskQuestionView.as_view(),
        name="forum-ask-question",
    ),
    path(
        "sessions/<int:session_id>/agenda/current/",
        api.CurrentAgendaItemView.as_view(),
        name="forum-current-agenda-item",
    ),
    path(
        "sessions/<int:session_id>/follow/",
        api.SessionFollowView.as_view(),
        name="forum-session-follow",
    ),
    path(
        "sessions/<int:session_id>/status/",
        api.SessionStatusView.as_view(),
        name="forum-session-status",
    ),
    path(
        "questions/<int:question_id>/upvote/",
        api.UpvoteView.as_view(),
        name="forum-upvote",
    ),
    path(
        "questions/<int:question_id>/moderate/",
        api.ModerateView.as_view(),
        name="forum-moderate",
    ),
]
